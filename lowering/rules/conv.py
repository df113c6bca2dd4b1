"""Lowering of conv_general_dilated to stablehlo.convolution, attribute for attribute as JAX 0.10.2 lowers it.

Complex convolutions are three real ones (Gauss's trick), as JAX lowers them for CPU and GPU, whose XLA
backends have no complex convolution."""
import numpy as np

from ...ir import types as T
from ..mlir import hlo, ir, tensor_type
from ..registry import rule


def _i64(v):
    return ir.IntegerAttr.get(ir.IntegerType.get_signless(64), int(v))


def _convolution(op, lhs, rhs, result_type):
    a = op.attrs
    lhs_spec, rhs_spec, out_spec = a["dimension_numbers"]
    dnums = hlo.ConvDimensionNumbers.get(
        input_batch_dimension=lhs_spec[0], input_feature_dimension=lhs_spec[1],
        input_spatial_dimensions=list(lhs_spec[2:]),
        kernel_output_feature_dimension=rhs_spec[0], kernel_input_feature_dimension=rhs_spec[1],
        kernel_spatial_dimensions=list(rhs_spec[2:]),
        output_batch_dimension=out_spec[0], output_feature_dimension=out_spec[1],
        output_spatial_dimensions=list(out_spec[2:]))
    n = len(lhs_spec) - 2
    padding = np.array(a["padding"], np.int64).reshape(n, 2)
    precision = a.get("precision") or ("DEFAULT", "DEFAULT")
    return hlo.convolution(
        result_type, lhs, rhs, dimension_numbers=dnums,
        feature_group_count=_i64(a.get("feature_group_count", 1)),
        batch_group_count=_i64(a.get("batch_group_count", 1)),
        window_strides=ir.DenseI64ArrayAttr.get([int(s) for s in a["window_strides"]]),
        padding=ir.DenseIntElementsAttr.get(padding),
        lhs_dilation=ir.DenseI64ArrayAttr.get([int(s) for s in a["lhs_dilation"]]),
        rhs_dilation=ir.DenseI64ArrayAttr.get([int(s) for s in a["rhs_dilation"]]),
        window_reversal=ir.DenseBoolArrayAttr.get([False] * n),
        precision_config=ir.ArrayAttr.get([hlo.PrecisionAttr.get(p) for p in precision]))


@rule("conv_general_dilated")
def _conv_general_dilated(ctx, op, lhs, rhs):
    out = op.results[0].type
    if not T.is_complex(op.operands[0].type.dtype):
        return [_convolution(op, lhs, rhs, tensor_type(out))]
    # (a + ib)(c + id) = (k1 - k3) + i(k1 + k2) with k1 = (a + b)c, k2 = a(d - c), k3 = b(c + d)
    real_out = tensor_type(out.update(dtype=T.real_dtype(out.dtype)))
    a, b, c, d = hlo.real(lhs), hlo.imag(lhs), hlo.real(rhs), hlo.imag(rhs)
    k1 = _convolution(op, hlo.add(a, b), c, real_out)
    k2 = _convolution(op, a, hlo.subtract(d, c), real_out)
    k3 = _convolution(op, b, hlo.add(c, d), real_out)
    return [hlo.complex(hlo.subtract(k1, k3), hlo.add(k1, k2))]
