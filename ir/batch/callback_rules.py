"""Batching host callbacks, as JAX: debug callbacks, io callbacks and pure_callback with
vmap_method='sequential' call the function once per batch member, in order (here in one custom call whose
registered function loops); 'expand_dims' and 'broadcast_all' call it once on the batched arrays, unbatched
operands given a batch dimension of 1 or of the batch size."""
import numpy as np

from .. import callbacks
from .batch import batch_rule


def _looping(fn, dims, n_out):
    def call(*args):
        outs = [fn(*[a if d is None else a[i] for a, d in zip(args, dims)]) for i in range(len(
            next(a for a, d in zip(args, dims) if d is not None)))]
        if n_out == 0:
            return ()
        return tuple(np.stack([o[k] for o in outs]) for k in range(n_out))
    return call


@batch_rule("callback")
def _callback(ctx, op, xs, ds):
    a = op.attrs
    method = a.get("vmap_method", "") if a["kind"] == "pure" else "sequential"
    if a["kind"] == "io" and a.get("ordered", False):
        raise ValueError("Cannot `vmap` ordered IO callback.")
    shapes = tuple((ctx.size,) + tuple(s) for s in a["result_shapes"])
    if method == "sequential":
        xs = [x if d is None else ctx.moveaxis(x, d, 0) for x, d in zip(xs, ds)]
        dims = [None if d is None else 0 for d in ds]
        fn = _looping(callbacks.lookup(a["callback"]), dims, len(op.results))
        attrs = dict(a, callback=callbacks.register(fn, shapes, a["result_dtypes"]), result_shapes=shapes)
    elif method in ("expand_dims", "broadcast_all"):
        size = ctx.size if method == "broadcast_all" else 1
        xs = [ctx.moveaxis(x, d, 0) if d is not None else ctx.b.emit1(
            "broadcast_in_dim", [x], {"shape": (size,) + x.type.shape,
                                      "broadcast_dimensions": tuple(range(1, x.type.ndim + 1))})
              for x, d in zip(xs, ds)]
        attrs = dict(a, result_shapes=shapes,
                     callback=callbacks.register(callbacks.unchecked(a["callback"]), shapes, a["result_dtypes"]))
    else:
        raise NotImplementedError(
            "vmap is only supported for the pure_callback primitive when vmap_method is one of 'sequential', "
            "'sequential_unrolled', 'expand_dims', 'broadcast_all', or 'legacy_vectorized'. "
            "Got vmap_method=None.")
    return ctx.b.emit(op.prim, xs, attrs), [0] * len(op.results)
