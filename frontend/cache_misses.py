"""jax_explain_cache_misses: why a jitted function traced again, logged as JAX 0.10.2 logs it (a WARNING,
"TRACING CACHE MISS at <call site>:" then the reason, measured against the closest key seen before).

A jit's trace key (frontend/api.py) is (input tree, input types, static arguments, the values of the
settings a trace reads (runtime/pjrt.py's jit-key settings: x64, threefry layout, matmul precision, ...),
the named axes bound around it); the explanation names the first kind of difference in JAX's order:
tracing context (config), input pytree (static arguments are part of it in JAX), input types. Functions
defined inside Lintra (lintra.numpy's jitted functions) are not explained, as JAX explains only user
functions.
"""
import logging
import os
import sys

from ..runtime.pjrt import jit_key_names
from . import tree

_log = logging.getLogger("lintra")
_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Lintra's own code (its tests and examples, which live beside it in the repository, count as the user's)
_LIBRARY = tuple(os.path.join(_ROOT, d) + os.sep for d in ("frontend", "ir", "lowering", "runtime"))
_seen_callsites = set()


def _user_file(path):
    return bool(path) and not os.path.abspath(path).startswith(_LIBRARY) and \
        os.path.abspath(path) != os.path.join(_ROOT, "__init__.py")


def _callsite():
    frame = sys._getframe(1)
    while frame is not None and not _user_file(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno} ({frame.f_code.co_name})"


def _defined_at(fun):
    code = getattr(getattr(fun, "__wrapped__", fun), "__code__", None)
    return "" if code is None else f" defined at {code.co_filename}:{code.co_firstlineno}"


def _type_str(new, old):
    if new.weak != old.weak:
        return f"{new.strong()}{{weak_type={new.weak}}}", f"{old.strong()}{{weak_type={old.weak}}}"
    return str(new.strong()), str(old.strong())


def _skeleton(treedef):
    return treedef.unflatten([0] * treedef.num_leaves)


def _children(node):
    if tree.structure(node).num_nodes == 1:       # a leaf
        return None, None
    pairs, meta = tree.flatten_one_level_with_keys(node)
    return list(pairs), meta


def _count(n):
    return f"{n} child" if n == 1 else f"{n} children"


def _tree_diffs(new_def, old_def):
    """JAX's lines for where two input trees differ: "* at input path [0][0], now <class 'dict'> with 2
    children and before <class 'dict'> with 1 child, so the numbers of children do not match, ..."."""
    out = []

    def walk(path, a, b):
        (ca, ma), (cb, mb) = _children(a), _children(b)
        at = f"  * at input path {tree.keystr(path)}, now"
        if type(a) is not type(b) or (ca is None) != (cb is None):
            name = lambda node, c: "pytree leaf" if c is None else str(type(node))
            out.append(f"{at} {name(a, ca)} and before {name(b, cb)}, so their Python types differ")
        elif ca is None:
            return
        elif len(ca) != len(cb):
            line = (f"{at} {type(a)} with {_count(len(ca))} and before {type(b)} with {_count(len(cb))}, so "
                    f"the numbers of children do not match")
            if isinstance(a, dict):
                line += f", with the symmetric difference of key sets: {set(a) ^ set(b)}"
            out.append(line)
        elif ma != mb:
            out.append(f"{at} {type(a)} with pytree metadata {ma} and before {type(b)} with pytree metadata "
                       f"{mb}, so the pytree node metadata does not match")
        else:
            for (k, x), (_, y) in zip(ca, cb):
                walk((*path, k), x, y)
    walk((), _skeleton(new_def), _skeleton(old_def))
    return out or [f"  * now {new_def} and before {old_def}, so the input structures do not match"]


def _diff(new, old, arg_names):
    """(severity, number of differences, explanation) of key `new` against `old`; lower severity is closer."""
    (new_tree, new_types, new_statics, *new_ctx), (old_tree, old_types, old_statics, *old_ctx) = new, old
    if new_ctx != old_ctx:
        (new_values, new_axes), (old_values, old_axes) = new_ctx, old_ctx
        lines = [f"  * {name} differs: now {n} and before {o}"
                 for name, n, o in zip(jit_key_names(), new_values, old_values) if n != o]
        if new_axes != old_axes:
            lines.append(f"  * the named axes bound differ: now {list(new_axes)} and before {list(old_axes)}")
        return 0, len(lines), "Tracing context doesn't match, e.g. due to config or context manager.\n" + \
            "\n".join(lines)
    if new_tree != old_tree or new_statics != old_statics:
        lines = []
        if new_tree != old_tree:
            lines += _tree_diffs(new_tree, old_tree)
        if len(new_statics) != len(old_statics):
            lines.append(f"  * now static arguments {[i for i, _ in new_statics]} and before "
                         f"{[i for i, _ in old_statics]}")
        for (i, n), (_, o) in zip(new_statics, old_statics):
            if n != o:
                where = f"argument {i}" if isinstance(i, int) else f"argument {i!r}"
                lines.append(f"  * at static {where}, now {n!r} and before {o!r}, so the static values do "
                             f"not match")
        return 1, len(lines), "different input pytree:\n" + "\n".join(lines)
    lines, weak = [], False
    for i, (n, o) in enumerate(zip(new_types, old_types)):
        if n != o:
            weak = weak or n.weak != o.weak
            name = arg_names[i] if arg_names and i < len(arg_names) else f"input {i}"
            now, before = _type_str(n, o)
            lines.append(f"  * at {name}, now {now} and before {before}")
    if not lines:
        return 4, 0, "cache miss explanation unavailable"
    hint = "https://docs.jax.dev/en/latest/type_promotion.html#weak-types" if weak else ""
    return 3, len(lines), "different input types:\n" + "\n".join(lines) + hint


def explain(fun, name, previous_keys, key, arg_names=None):
    """Log why `fun` (called `name`) traces for `key` when it had traced for `previous_keys`."""
    code = getattr(getattr(fun, "__wrapped__", fun), "__code__", None)
    if code is not None and not _user_file(code.co_filename):
        return
    callsite = _callsite()
    msg = [f"TRACING CACHE MISS at {callsite}:"]
    if not previous_keys:
        msg.append(f"  never seen function:\n    {name} id={id(fun)}{_defined_at(fun)}")
        if callsite in _seen_callsites:
            msg.append("  but seen another function defined on the same line; maybe the function is\n"
                       "  being re-defined repeatedly, preventing caching?")
        _seen_callsites.add(callsite)
    else:
        msg.append(f"  for {name}{_defined_at(fun)}")
        closest = min(_diff(key, old, arg_names) for old in previous_keys)[-1]
        msg.append("  all previously seen cache keys differ. For the closest previous key:")
        msg.append("  " + closest)
    _log.warning("\n".join(msg))
