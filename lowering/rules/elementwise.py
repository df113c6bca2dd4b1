"""Lowering of elementwise primitives."""
import numpy as np

from ...ir import types as T
from ..registry import rule
from ..mlir import chlo, constant_elements, dense_constant, hlo, ir, tensor_type


def _table(table):
    for prim, build in table.items():
        rule(prim)(lambda ctx, op, *xs, _b=build: [_b(*xs)])


def _splat(op, value, like=None):
    """A constant with the result's type (or `like`'s type) filled with `value`."""
    t = op.results[0].type if like is None else like
    return hlo.broadcast_in_dim(tensor_type(t), dense_constant(np.array(value, t.dtype)), [])


_table({
    "add": hlo.add, "sub": hlo.subtract, "mul": hlo.multiply, "atan2": hlo.atan2, "nextafter": chlo.next_after,
    "and": hlo.and_, "or": hlo.or_, "xor": hlo.xor, "shift_left": hlo.shift_left,
    "shift_right_arithmetic": hlo.shift_right_arithmetic, "shift_right_logical": hlo.shift_right_logical,
    "neg": hlo.negate, "floor": hlo.floor, "ceil": hlo.ceil, "not": hlo.not_,
    "exp": hlo.exponential, "log": hlo.log, "log1p": hlo.log_plus_one, "expm1": hlo.exponential_minus_one,
    "sin": hlo.sine, "cos": hlo.cosine, "tan": hlo.tan, "tanh": hlo.tanh, "logistic": hlo.logistic,
    "sqrt": hlo.sqrt, "rsqrt": hlo.rsqrt, "cbrt": hlo.cbrt, "is_finite": hlo.is_finite,
    "asin": chlo.asin, "acos": chlo.acos, "atan": chlo.atan, "sinh": chlo.sinh, "cosh": chlo.cosh,
    "asinh": chlo.asinh, "acosh": chlo.acosh, "atanh": chlo.atanh, "erf": chlo.erf, "erfc": chlo.erfc,
    "erf_inv": chlo.erf_inv, "lgamma": chlo.lgamma, "digamma": chlo.digamma,
    "real": hlo.real, "imag": hlo.imag, "complex": hlo.complex, "copy": lambda x: x,
    "population_count": hlo.popcnt,
})


def _integer_division(plain, on_zero):
    """Integer x / y and x % y with XLA's runtime results everywhere: x / 0 is -1 (all ones), x % 0 is x,
    MIN / -1 is MIN and MIN % -1 is 0. XLA computes these at run time, but its constant folder traps
    (SIGFPE) on them, so a divisor not known to be safe is replaced by 1 where it is 0 or MIN / -1 would
    overflow, and the result selected after."""
    def lower(ctx, op, x, y):
        dt = op.operands[1].type.dtype
        if not T.is_int(dt):
            return [plain(x, y)]
        known = constant_elements(y)
        if known is not None and not (known == 0).any() and not (T.is_signed(dt) and (known == -1).any()):
            return [plain(x, y)]
        zero = compare(y, _splat(op, 0), "EQ", dt)
        bad = zero
        if T.is_signed(dt):
            overflow = hlo.and_(compare(x, _splat(op, np.iinfo(dt).min), "EQ", dt),
                                compare(y, _splat(op, -1), "EQ", dt))
            bad = hlo.or_(zero, overflow)
        result = plain(x, hlo.select(bad, _splat(op, 1), y))
        return [hlo.select(zero, on_zero(op, x), result)]
    return lower


rule("div")(_integer_division(hlo.divide, lambda op, x: _splat(op, -1 if T.is_signed(op.results[0].type.dtype)
                                                                   else np.iinfo(op.results[0].type.dtype).max)))
rule("rem")(_integer_division(hlo.remainder, lambda op, x: x))


@rule("reduce_precision")
def _reduce_precision(ctx, op, x):
    return [hlo.reduce_precision(x, op.attrs["exponent_bits"], op.attrs["mantissa_bits"])]


@rule("clz")
def _clz(ctx, op, x):
    """Counted on the bits as an unsigned integer: XLA's constant folder gets negative signed integers wrong
    (clz of an i32 -1 folds to -32, and runs to 0; JAX 0.10.2 has the same fault under jit)."""
    t = op.operands[0].type
    if not T.is_signed(t.dtype):
        return [hlo.count_leading_zeros(x)]
    unsigned = tensor_type(t.update(dtype=np.dtype(f"u{t.dtype.itemsize}")))
    return [hlo.bitcast_convert(tensor_type(t), hlo.count_leading_zeros(hlo.bitcast_convert(unsigned, x)))]


@rule("pow")
def _pow(ctx, op, x, y):
    """Integer x ** y by square-and-multiply over y's bits, with XLA's run-time results for y < 0 (1 for x = 1,
    +-1 for x = -1, else 0). stablehlo.power on integers is not used: XLA's constant folder disagrees with its
    own run time there ((-1) ** -4 folds to 0 but runs to 1), so a program's answer would depend on whether
    its operands happen to be constants."""
    dt = op.operands[0].type.dtype
    if not T.is_int(dt):
        return [hlo.power(x, y)]
    one, zero = _splat(op, 1), _splat(op, 0)
    acc, base, e = one, x, y
    for i in range(8 * dt.itemsize - T.is_signed(dt)):
        acc = hlo.select(compare(hlo.and_(e, one), zero, "NE", dt), hlo.multiply(acc, base), acc)
        if i < 8 * dt.itemsize - 1 - T.is_signed(dt):
            base, e = hlo.multiply(base, base), hlo.shift_right_logical(e, one)
    if not T.is_signed(dt):
        return [acc]
    odd = compare(hlo.and_(y, one), zero, "NE", dt)
    minus_one = _splat(op, -1)
    at_negative = hlo.select(compare(x, one, "EQ", dt), one,
                             hlo.select(compare(x, minus_one, "EQ", dt), hlo.select(odd, minus_one, one), zero))
    return [hlo.select(compare(y, zero, "LT", dt), at_negative, acc)]


@rule("abs")
def _abs(ctx, op, x):
    return [hlo.abs(x)]


@rule("square")
def _square(ctx, op, x):
    return [hlo.multiply(x, x)]


@rule("reciprocal")
def _reciprocal(ctx, op, x):
    return [hlo.divide(_splat(op, 1), x)]


@rule("exp2")
def _exp2(ctx, op, x):
    # pow(2, x), not exp(x * log 2): the rounded product is off by up to x * eps, and log 2 rounded to
    # bf16 is off by 0.25%; pow is exact at integers
    return [hlo.power(_splat(op, 2), x)]


@rule("sign")
def _sign(ctx, op, x):
    t = op.operands[0].type
    if T.is_int(t.dtype) and not T.is_signed(t.dtype):   # stablehlo.sign takes no unsigned integers
        return [hlo.convert(tensor_type(t), compare(x, _splat(op, 0), "NE", t.dtype))]
    return [hlo.sign(x)]


@rule("conj")
def _conj(ctx, op, x):
    return [chlo.conj(x) if T.is_complex(op.operands[0].type.dtype) else x]


def _minmax(direction, plain):
    def lower(ctx, op, x, y):
        dt = op.operands[0].type.dtype
        if not T.is_complex(dt):
            return [plain(x, y)]
        # XLA orders complex numbers by real part only; JAX orders them lexicographically (real, imag)
        rdt = T.real_dtype(dt)
        rx, ry, ix, iy = hlo.real(x), hlo.real(y), hlo.imag(x), hlo.imag(y)
        pick_x = hlo.select(compare(rx, ry, "EQ", rdt), compare(ix, iy, direction, rdt),
                            compare(rx, ry, direction, rdt))
        return [hlo.select(pick_x, x, y)]
    return lower


rule("max")(_minmax("GT", hlo.maximum))
rule("min")(_minmax("LT", hlo.minimum))


@rule("round")
def _round(ctx, op, x):
    away = op.attrs.get("rounding_method", 0) == 0
    return [hlo.round_nearest_afz(x) if away else hlo.round_nearest_even(x)]


@rule("integer_pow")
def _integer_pow(ctx, op, x):
    y = op.attrs["y"]
    acc, base, n = None, x, abs(y)
    while n:                       # square-and-multiply, as XLA would unroll it
        if n & 1:
            acc = base if acc is None else hlo.multiply(acc, base)
        n >>= 1
        if n:
            base = hlo.multiply(base, base)
    if acc is None:
        acc = _splat(op, 1)
    return [hlo.divide(_splat(op, 1), acc) if y < 0 else acc]


_DIRECTIONS = {"eq": "EQ", "ne": "NE", "lt": "LT", "le": "LE", "gt": "GT", "ge": "GE"}


def compare(x, y, direction, dtype):
    dtype = np.dtype(dtype)
    kind = ("FLOAT" if T.is_inexact(dtype) else "SIGNED" if T.is_signed(dtype)
            else "UNSIGNED")
    return hlo.compare(x, y, hlo.ComparisonDirectionAttr.get(direction), compare_type=hlo.ComparisonTypeAttr.get(kind))


for _name, _dir in _DIRECTIONS.items():
    rule(_name)(lambda ctx, op, x, y, _d=_dir: [compare(x, y, _d, op.operands[0].type.dtype)])


@rule("select_n")
def _select_n(ctx, op, which, *cases):
    wt = op.operands[0].type
    if wt.shape != op.results[0].type.shape:
        which = hlo.broadcast_in_dim(tensor_type(op.results[0].type.update(dtype=wt.dtype)), which, [])
    if wt.dtype == np.bool_:
        return [cases[0] if len(cases) == 1 else hlo.select(which, cases[1], cases[0])]
    # i32 predicate: a balanced tree of selects on `which < mid`.
    def pick(lo, hi):
        if hi - lo == 1:
            return cases[lo]
        mid = (lo + hi) // 2
        mid_c = hlo.broadcast_in_dim(ir.RankedTensorType(which.type), dense_constant(np.int32(mid)), [])
        return hlo.select(compare(which, mid_c, "LT", np.int32), pick(lo, mid), pick(mid, hi))
    return [pick(0, len(cases))]


@rule("clamp")
def _clamp(ctx, op, lo, x, hi):
    t = op.results[0].type
    if t.dtype != np.bool_:
        return [hlo.clamp(lo, x, hi)]
    # (x | lo) & hi: XLA's constant folder gets a boolean clamp wrong (clamp(false, false, true) folds to
    # true; JAX 0.10.2 under jit too)
    full = lambda v, i: v if op.operands[i].type.shape == t.shape else hlo.broadcast_in_dim(tensor_type(t), v, [])
    return [hlo.and_(hlo.or_(x, full(lo, 0)), full(hi, 2))]


@rule("convert_element_type")
def _convert(ctx, op, x):
    src, dst = op.operands[0].type.dtype, op.results[0].type.dtype
    if src == dst:
        return [x]
    rtype = tensor_type(op.results[0].type)
    # complex -> real drops the imaginary part and -> bool tests for nonzero, as jax.lax does; spelled out
    # (XLA's convert happens to agree) so that these are Lintra's semantics, not a backend's
    if T.is_complex(src) and not T.is_complex(dst):
        x, src = hlo.real(x), T.real_dtype(src)
        if src == dst:
            return [x]
    if dst == np.bool_:
        zero = hlo.broadcast_in_dim(ir.RankedTensorType(x.type), dense_constant(np.zeros((), src)), [])
        return [compare(x, zero, "NE", src)]
    return [hlo.convert(rtype, x)]


