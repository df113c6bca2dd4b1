"""Stand-ins for the JAX modules outside JAX's public API that flax.linen reaches into (found by importing
flax 0.12.8 under the alias): only the names it uses, each doing what it does in JAX 0.10.2 as far as Lintra
can. Imported as `jax.<name>` when Lintra has no module of that name.

| JAX module                   | what flax uses                                        | here                        |
|------------------------------|-------------------------------------------------------|-----------------------------|
| jax._src.traceback_util      | api_boundary, register_exclusion, _exclude_paths      | Lintra filters no frames:   |
| jax.extend.source_info_util  | register_exclusion                                    | the paths are only recorded |
| jax.extend.core              | get_opaque_trace_state                                | Lintra's innermost trace    |
| jax._src.core                | ShapedArray, ...                                      | lintra.core                 |
| jax._src.dtypes              | extended, ExtendedDType, finfo, supports_inf          | lintra.dtypes and a base    |
| jax.experimental.layout      | Format (isinstance checks)                            | a (layout, sharding) record |
| jax.extend.linear_util,      | wrap_init, PartialVal, trace_to_jaxpr_nounits          | refused when called: Lintra |
| jax.interpreters.partial_eval| (flax.linen.scan's broadcast bodies)                  | has no JAX tracing machinery|
"""
import abc
import sys
import types

import ml_dtypes
import numpy as np

from .. import core as _core
from .. import core_public, dtypes_public


def _module(name, doc, **names):
    module = types.ModuleType(name, doc)
    module.__dict__.update(names)

    def missing(attr):
        raise AttributeError(f"module {name!r} (Lintra's stand-in, which has only what libraries were found to use) "
                             f"has no attribute {attr!r}")
    module.__getattr__ = missing
    return module


def _unsupported(what):
    def refuse(*args, **kwargs):
        raise NotImplementedError(f"{what} is JAX tracing machinery that Lintra does not have (Lintra's stand-in "
                                  f"exists so that libraries importing it load)")
    refuse.__name__ = what.rsplit(".", 1)[-1]
    return refuse


# ---- jax._src.traceback_util, jax.extend.source_info_util ---------------------------------------------------

_exclude_paths = []


def api_boundary(fun=None, *, repro_api_name=None, repro_user_func=False):
    """JAX filters its own frames out of tracebacks raised through `fun`; Lintra filters none: `fun` itself."""
    if fun is None:
        return lambda f: f
    return fun


def register_exclusion(path):
    _exclude_paths.append(path)


# ---- jax.extend.core ----------------------------------------------------------------------------------------

class OpaqueTraceState:
    """Equal to another only when both were taken inside the same trace (or both outside any)."""
    __slots__ = ("_trace",)

    def __init__(self, trace):
        self._trace = trace

    def __eq__(self, other):
        return isinstance(other, OpaqueTraceState) and self._trace is other._trace

    def __hash__(self):
        return id(self._trace)


def get_opaque_trace_state(convention=None):
    return OpaqueTraceState(_core.current_trace())


# ---- jax._src.dtypes, jax.experimental.layout ---------------------------------------------------------------

class ExtendedDType(abc.ABC):
    """The base of JAX's extended dtypes, as flax subclasses it (Lintra's only extended dtype is the key's)."""
    _rules = None

    @property
    @abc.abstractmethod
    def type(self):
        ...


_FLOAT8_WITHOUT_INF = {ml_dtypes.float8_e4m3b11fnuz, ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e4m3fnuz,
                       ml_dtypes.float8_e5m2fnuz}


def supports_inf(dtype):
    return np.dtype(dtype).type not in _FLOAT8_WITHOUT_INF and dtypes_public.issubdtype(dtype, np.inexact)


class Format:
    """jax.experimental.layout.Format(layout, sharding): Lintra takes no layouts; the pair is only held."""

    def __init__(self, layout=None, sharding=None):
        self.layout, self.sharding = layout, sharding

    def __repr__(self):
        return f"Format({self.layout}, {self.sharding})"


def _dtypes():
    names = {n: getattr(dtypes_public, n) for n in dir(dtypes_public) if not n.startswith("__")}
    return _module("jax._src.dtypes", "Stand-in for jax._src.dtypes", ExtendedDType=ExtendedDType,
                   supports_inf=supports_inf, DType=np.dtype, **names)


def _core_module():
    names = {n: getattr(core_public, n) for n in core_public.__all__}
    return _module("jax._src.core", "Stand-in for jax._src.core", **names)


_BUILDERS = {
    "jax._src": lambda: _module("jax._src", "Stand-in for jax._src", __path__=[]),
    "jax._src.traceback_util": lambda: _module("jax._src.traceback_util", "Stand-in", api_boundary=api_boundary,
                                               register_exclusion=register_exclusion, _exclude_paths=_exclude_paths),
    "jax._src.core": _core_module,
    "jax._src.dtypes": _dtypes,
    "jax.extend": lambda: _module("jax.extend", "Stand-in for jax.extend", __path__=[]),
    "jax.extend.core": lambda: _module("jax.extend.core", "Stand-in", get_opaque_trace_state=get_opaque_trace_state),
    "jax.extend.source_info_util": lambda: _module("jax.extend.source_info_util", "Stand-in",
                                                   register_exclusion=register_exclusion),
    "jax.extend.linear_util": lambda: _module("jax.extend.linear_util", "Stand-in",
                                              wrap_init=_unsupported("jax.extend.linear_util.wrap_init")),
    "jax.interpreters": lambda: _module("jax.interpreters", "Stand-in for jax.interpreters", __path__=[]),
    "jax.interpreters.partial_eval": lambda: _module(
        "jax.interpreters.partial_eval", "Stand-in",
        PartialVal=types.SimpleNamespace(unknown=_unsupported("jax.interpreters.partial_eval.PartialVal.unknown")),
        trace_to_jaxpr_nounits=_unsupported("jax.interpreters.partial_eval.trace_to_jaxpr_nounits")),
    "jax.experimental.layout": lambda: _module("jax.experimental.layout", "Stand-in", Format=Format),
}


def stand_in(name):
    """The stand-in module for the JAX module `name`, or None when there is none."""
    build = _BUILDERS.get(name)
    if build is None:
        return None
    module = build()
    parent, _, child = name.rpartition(".")
    if parent in sys.modules:
        setattr(sys.modules[parent], child, module)
    return module
