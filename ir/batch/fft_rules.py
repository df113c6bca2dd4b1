"""Batching of the fft primitive: stablehlo.fft transforms the last len(fft_lengths) dimensions and maps
over all the others, so a batch dimension among the leading ones stays where it is."""
from .batch import batch_rule


@batch_rule("fft")
def _fft(ctx, op, xs, ds):
    (x,), (d,) = xs, ds
    if d >= x.type.ndim - len(op.attrs["fft_lengths"]):
        x, d = ctx.moveaxis(x, d, 0), 0
    return ctx.b.emit("fft", [x], op.attrs), [d]
