"""`lintra.tree`: frontend/tree.py's functions over its `leaf_registry`, in which a typed key array is one
leaf as in JAX (Lintra's transformations keep flattening keys into their words with `registry`). The
functions are the same code, given globals in which `registry` is the leaf registry; registration and the
classes are shared."""
import types as _types

from . import tree as _tree

_globals = dict(vars(_tree), registry=_tree.leaf_registry)


def _over_leaf_registry(name, f):
    g = _types.FunctionType(f.__code__, _globals, name, f.__defaults__, f.__closure__)
    g.__kwdefaults__, g.__doc__, g.__qualname__ = f.__kwdefaults__, f.__doc__, f.__qualname__
    return g


for _name, _f in vars(_tree).items():
    # registration (register_*, and `static`, a dataclass field for it) fills both registries: shared as is
    _shared = _name.startswith("register") or _name == "static"
    if isinstance(_f, _types.FunctionType) and _f.__module__ == _tree.__name__ and not _shared:
        _globals[_name] = _over_leaf_registry(_name, _f)

registry = _tree.leaf_registry
globals().update({n: v for n, v in _globals.items()
                  if not n.startswith("_") and n not in ("registry", "leaf_registry", "register_words_node")
                  and not isinstance(v, _types.ModuleType)})
