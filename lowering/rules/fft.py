"""Lowering of the fft primitive: stablehlo.fft, whose attributes are the primitive's."""
from ..registry import rule
from ..mlir import hlo, tensor_type


@rule("fft")
def _fft(ctx, op, x):
    return [hlo.fft(x, hlo.FftTypeAttr.get(op.attrs["fft_type"]), [int(n) for n in op.attrs["fft_lengths"]],
                    results=[tensor_type(op.results[0].type)])]
