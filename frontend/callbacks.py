"""Host callbacks, as JAX 0.10.2's: pure_callback, io_callback, debug.callback and debug.print.

Each staged call is one `callback` op naming a flat function (NumPy arrays in, a tuple of NumPy arrays
out) registered in ir.callbacks; compiled code calls it through jaxlib's host-callback custom call.
Outside any trace the function runs at once, as JAX's implementation rules do."""
import sys

import numpy as np

from ..ir import callbacks as registry
from ..runtime.array import Array
from . import dtypes, tree
from .core import Tracer, bind, current_trace, stage, to_array

_ARRAY_LIKE = (Tracer, Array, np.ndarray, np.generic, bool, int, float, complex)


def _expected(result_shape_dtypes):
    leaves, treedef = tree.flatten(result_shape_dtypes)
    return [(tuple(x.shape), dtypes.canonicalize_dtype(np.dtype(x.dtype))) for x in leaves], treedef


def _stage(kind, fn, args, kwargs, expected, out_tree, ordered=False, vmap_method=None):
    """Call `fn(*args, **kwargs)` on host values: now when nothing is traced, else through a callback op.
    Leaves that are not arrays are passed as they are (static, as JAX's debug_callback does)."""
    leaves, in_tree = tree.flatten((args, kwargs))
    dynamic = [i for i, x in enumerate(leaves) if isinstance(x, _ARRAY_LIKE)]

    def flat(*arrays):
        full = list(leaves)
        for i, a in zip(dynamic, arrays):
            full[i] = a
        a, k = in_tree.unflatten(full)
        out = fn(*a, **k)
        if kind == "debug":
            return ()
        outs = [np.asarray(o) for o in tree.leaves(out)]
        return tuple(o.astype(dtypes.canonicalize_dtype(o.dtype), copy=False) for o in outs)

    operands = [leaves[i] for i in dynamic]
    shapes, dts = tuple(s for s, _ in expected), tuple(d for _, d in expected)
    if current_trace() is None:
        call = registry.checked(flat, shapes, dts)
        outs = [to_array(o) for o in call(*[np.asarray(to_array(x)) for x in operands])]
    else:
        attrs = dict(callback=registry.register(flat, shapes, dts), result_shapes=shapes,
                     result_dtypes=dts, kind=kind, ordered=bool(ordered),
                     vmap_method=vmap_method or "")
        if kind == "debug":
            # no results, so nothing to compute while tracing: it runs once, when the traced program does
            # (grad outside jit traces concretely, then runs the primal part)
            outs = stage(current_trace(), "callback", operands, (), attrs, values=[])
        else:
            outs = bind("callback", *operands, **attrs)
    return None if out_tree is None else out_tree.unflatten(outs)


_VMAP_METHODS = ["sequential", "sequential_unrolled", "expand_dims", "broadcast_all", "legacy_vectorized", None]


def pure_callback(callback, result_shape_dtypes, *args, sharding=None, vmap_method=None, **kwargs):
    """Call a side-effect-free Python function from (possibly compiled) code; its results have the given
    shapes and dtypes. Unused results let it be removed; under vmap, `vmap_method` says how it is called."""
    if vmap_method not in _VMAP_METHODS:
        raise ValueError(f"vmap_method must be on of the allowed methods {_VMAP_METHODS}, "
                         f"but got: {vmap_method}")
    if vmap_method == "sequential_unrolled":
        vmap_method = "sequential"      # the same calls, in the same order
    if vmap_method == "legacy_vectorized":
        vmap_method = "expand_dims"
    expected, out_tree = _expected(result_shape_dtypes)
    return _stage("pure", callback, args, kwargs, expected, out_tree, vmap_method=vmap_method)


def io_callback(callback, result_shape_dtypes, *args, sharding=None, ordered=False, **kwargs):
    """Call a Python function that may have side effects; it is never removed, and with `ordered` its calls
    keep program order. Not differentiable; an ordered one cannot be vmapped."""
    expected, out_tree = _expected(result_shape_dtypes)
    return _stage("io", callback, args, kwargs, expected, out_tree, ordered=ordered)


def debug_callback(callback, *args, ordered=False, partitioned=False, **kwargs):
    """Call `callback(*args, **kwargs)` for its effect, with the values of the arrays: under grad it sees
    the primal values; under vmap it is called once per batch member."""
    if not callable(callback):
        raise TypeError("first argument to `jax.debug.callback` must be a callable, "
                        f"got {callback} of type {type(callback)}")
    _stage("debug", callback, args, kwargs, [], None, ordered=ordered)


def _format_print(fmt, np_printoptions, *args, **kwargs):
    with np.printoptions(**np_printoptions):
        sys.stdout.write(fmt.format(*args, **kwargs) + "\n")


def debug_print(fmt: str, *args, ordered=False, partitioned=False, **kwargs):
    """Print `fmt.format(*args, **kwargs)` with the arrays' values, when the computation runs."""
    options = np.get_printoptions()      # those in effect where it is called, as JAX
    debug_callback(lambda *a, **k: _format_print(fmt, options, *a, **k), *args,
                   ordered=ordered, **kwargs)
