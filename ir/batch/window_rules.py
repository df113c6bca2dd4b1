"""Batching of the windowed reductions and of the general reduction: the batch dimension gets a window of
one (stride 1, no padding or dilation), so every example is reduced on its own, as JAX does."""
from .batch import batch_rule
from .rules import _out_dim, _shift


def _insert(seq, at, value):
    seq = list(seq)
    seq.insert(at, value)
    return tuple(seq)


def _with_batch_window(attrs, d):
    out = dict(attrs)
    for key, one in (("window_dimensions", 1), ("window_strides", 1), ("padding", (0, 0)),
                     ("base_dilation", 1), ("window_dilation", 1)):
        if key in attrs:
            out[key] = _insert(attrs[key], d, one)
    return out


@batch_rule("reduce_window_sum", "reduce_window_max", "reduce_window_min")
def _monoid(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    return ctx.b.emit(op.prim, [x], _with_batch_window(op.attrs, d)), [d]


@batch_rule("select_and_gather_add", "select_and_scatter_add")
def _select(ctx, op, xs, ds):
    xs = [ctx.to_front(x, d) for x, d in zip(xs, ds)]
    return ctx.b.emit(op.prim, xs, _with_batch_window(op.attrs, 0)), [0]


def _unbatched_inits(op, ds):
    n = len(ds) // 2
    if any(d is not None for d in ds[n:]):
        raise NotImplementedError(f"{op.prim} batching is not implemented for initial values that vary over the "
                                  f"batch (as in JAX); pass init values that are the same for every example")
    return n


@batch_rule("reduce_window")
def _reduce_window(ctx, op, xs, ds):
    n = _unbatched_inits(op, ds)
    operands = [ctx.to_front(x, d) for x, d in zip(xs[:n], ds[:n])]
    return ctx.b.emit(op.prim, operands + list(xs[n:]), _with_batch_window(op.attrs, 0), op.regions), [0] * n


@batch_rule("reduce")
def _reduce(ctx, op, xs, ds):
    n = _unbatched_inits(op, ds)
    operands = [ctx.to_front(x, d) for x, d in zip(xs[:n], ds[:n])]
    axes = _shift(op.attrs["axes"], 0)
    return ctx.b.emit(op.prim, operands + list(xs[n:]), dict(op.attrs, axes=axes), op.regions), \
        [_out_dim(0, axes)] * n
