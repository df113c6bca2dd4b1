"""Lowering of mulhi (the high half of the double-width product): chlo.mulhi, as JAX 0.10.2 lowers it.

XLA cannot partition chlo.mulhi (in an SPMD program its compile fails with "Unable to convert MHLO to
StableHLO"; JAX 0.10.2 fails so on a sharded operand), so SPMD programs get the composition JAX used before
chlo.mulhi existed (jax/_src/lax/lax.py, _mulhi_impl): below 64 bits, the product in the double-width type
shifted right; at 64 bits, four 32x32-bit partial products in uint64, then the signed correction."""
import numpy as np

from ...ir import types as T
from ..mlir import chlo, dense_constant, hlo, tensor_type
from ..registry import rule


def _splat(value, t):
    return hlo.broadcast_in_dim(tensor_type(t), dense_constant(np.array(value, t.dtype)), [])


def _composed(x, y, t):
    bits, signed = t.dtype.itemsize * 8, T.is_signed(t.dtype)
    if bits < 64:
        wide = t.update(dtype=np.dtype(f"{'i' if signed else 'u'}{bits // 4}"))
        prod = hlo.multiply(hlo.convert(tensor_type(wide), x), hlo.convert(tensor_type(wide), y))
        shift = hlo.shift_right_arithmetic if signed else hlo.shift_right_logical
        return hlo.convert(tensor_type(t), shift(prod, _splat(bits, wide)))
    u = t.update(dtype=np.dtype(np.uint64))
    mask, s32 = _splat(0xFFFFFFFF, u), _splat(32, u)
    xu, yu = hlo.convert(tensor_type(u), x), hlo.convert(tensor_type(u), y)
    x_lo, x_hi = hlo.and_(xu, mask), hlo.shift_right_logical(xu, s32)
    y_lo, y_hi = hlo.and_(yu, mask), hlo.shift_right_logical(yu, s32)
    lo_lo, lo_hi = hlo.multiply(x_lo, y_lo), hlo.multiply(x_lo, y_hi)
    hi_lo, hi_hi = hlo.multiply(x_hi, y_lo), hlo.multiply(x_hi, y_hi)
    cross = hlo.add(hlo.add(hlo.and_(lo_hi, mask), hlo.and_(hi_lo, mask)), hlo.shift_right_logical(lo_lo, s32))
    hi = hlo.add(hi_hi, hlo.add(hlo.shift_right_logical(lo_hi, s32),
                                hlo.add(hlo.shift_right_logical(hi_lo, s32), hlo.shift_right_logical(cross, s32))))
    hi = hlo.convert(tensor_type(t), hi)
    if not signed:
        return hi
    # signed high half = unsigned high half - (x < 0 ? y : 0) - (y < 0 ? x : 0)
    s63 = _splat(63, t)
    x_sign, y_sign = hlo.shift_right_arithmetic(x, s63), hlo.shift_right_arithmetic(y, s63)
    return hlo.add(hi, hlo.add(hlo.multiply(x_sign, y), hlo.multiply(y_sign, x)))


@rule("mulhi")
def _mulhi(ctx, op, x, y):
    return [_composed(x, y, op.results[0].type) if ctx.spmd else chlo.mulhi(x, y)]
