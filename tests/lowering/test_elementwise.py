"""Every elementwise primitive against a NumPy/SciPy reference, eager and under jit.

CASES is the list: one row per primitive (several where an attribute or an operand kind changes what it
computes), naming the lax call, the reference, the inputs' domain and the dtypes it runs on. Each row runs
on every listed dtype at shapes (), (3,) and (2, 3). test_dtypes_are_those_the_type_rule_admits checks that
each primitive's listed dtypes are exactly those its type rule admits (among the dtypes below), so no
admitted dtype goes untested and no rejected one is listed.

Inexact results are compared with a tolerance by dtype against the reference evaluated in float64 or
complex128 on the very same (rounded) inputs; rows marked exact are evaluated by NumPy in the inputs' own
dtype and must match exactly. Integer results always match exactly.
"""
import math
import zlib
from typing import Callable, NamedTuple

import ml_dtypes
import numpy as np
import pytest
import scipy.special

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.frontend.core import bind1
from lintra.ir import types as T

# ---- dtypes ------------------------------------------------------------------------------------------------

B, I8, I32, I64, U8, U32 = (np.dtype(d) for d in ("bool", "int8", "int32", "int64", "uint8", "uint32"))
F16, BF16, F32, F64 = np.dtype("float16"), np.dtype(ml_dtypes.bfloat16), np.dtype("float32"), np.dtype("float64")
C64, C128 = np.dtype("complex64"), np.dtype("complex128")
X64 = {F64, I64, C128}                      # tested with enable_x64 on

SINT, UINT, FLOAT, COMPLEX = (I8, I32, I64), (U8, U32), (F16, BF16, F32, F64), (C64, C128)
INT = SINT + UINT
INEXACT = FLOAT + COMPLEX
NUM = INT + INEXACT
REAL = (B,) + INT + FLOAT
ALL = (B,) + NUM

SHAPES = [(), (3,), (2, 3)]
TOL = {F16: 2e-3, BF16: 1e-2, F32: 2e-6, F64: 1e-13, C64: 2e-6, C128: 1e-13}   # rtol and atol




# ---- input domains -----------------------------------------------------------------------------------------

class Dom(NamedTuple):
    """Inputs drawn uniformly from [lo, hi]. Integers: the integers there, clipped to the dtype's range.
    Floats: at most [-100, 100]. Complex: real and imaginary parts each from `c` if given, else from [lo, hi]."""
    lo: float
    hi: float
    c: tuple = None
    signed: bool = False    # magnitudes from [lo, hi], each with a random sign (a divisor domain without 0)
    zeros: bool = False     # about a third of the elements zero (of complex ones, the real part only)
    special: tuple = ()     # float values spliced in at random places (inf, nan)
    snap: float = 0         # floats rounded to multiples of this

    def sample(self, rng, dt, shape):
        if dt == B:
            v = rng.random(shape) < 0.5
        elif T.is_int(dt):
            info = np.iinfo(dt)
            lo = info.min if self.lo == -math.inf else max(math.ceil(self.lo), info.min)
            hi = info.max if self.hi == math.inf else min(math.floor(self.hi), info.max)
            v = rng.integers(lo, hi, shape, dtype=dt, endpoint=True)
            if self.signed and T.is_signed(dt):
                v = np.where(rng.random(shape) < 0.5, -v, v)
        else:
            lo, hi = self.c if T.is_complex(dt) and self.c else (max(self.lo, -100), min(self.hi, 100))
            v = rng.uniform(lo, hi, shape)
            if T.is_complex(dt):
                v = v + 1j * rng.uniform(lo, hi, shape)
            if self.snap:
                v = np.round(v / self.snap) * self.snap
            if self.signed:
                v = np.where(rng.random(shape) < 0.5, -v, v)
        if self.zeros:
            v = np.where(rng.random(shape) < 0.35, 1j * v.imag if T.is_complex(dt) else 0, v)
        if self.special and T.is_float(dt):
            v = np.where(rng.random(shape) < 0.5, rng.choice(self.special, shape), v)
        return np.asarray(v).astype(dt)


ANY = Dom(-3, 3)
FULL = Dom(-math.inf, math.inf)                 # integers: every value of the dtype
SMALL = Dom(-10, 10)
NONZERO = Dom(1, 5, signed=True)
POS = Dom(0.1, 5, c=(0.1, 2))                   # complex: the first quadrant, away from the branch cuts
UNIT = Dom(-0.9, 0.9)                           # complex too: inside the unit disc, away from the cuts
GRID = Dom(-2, 2, snap=1)                       # whole numbers: ties are common


def args_of(*doms, ties=False):
    """Operands drawn from `doms`; with ties, the second equals the first at about a third of the places
    (and, if complex, its real part but not its imaginary one at another third)."""
    def args(rng, dt, shape):
        xs = [d.sample(rng, dt, shape) for d in doms]
        if ties:
            u = rng.random(shape)
            half = xs[0].real + 1j * (xs[0].imag + np.sign(u - 0.5)) if T.is_complex(dt) else xs[1]
            xs[1] = np.where(u < 0.35, xs[0], np.where(u < 0.7, half, xs[1])).astype(dt)
        return tuple(xs)
    return args


# ---- the table ---------------------------------------------------------------------------------------------

class Case(NamedTuple):
    prim: str
    fn: Callable            # the lintra.lax call
    ref: Callable           # the NumPy reference
    args: Callable          # (rng, dtype, shape) -> NumPy operands
    dtypes: tuple
    name: str = None        # the row's name in test ids, when a primitive has several rows
    out: Callable = None    # result dtype from the row's dtype; default: the same
    exact: bool = False     # the reference runs in the operands' own dtype and must match exactly
    x64: bool = False       # the row needs enable_x64 whatever its dtype


def unary(prim, ref, dom, dtypes, fn=None, **kw):
    return Case(prim, fn or getattr(lax, prim), ref, args_of(dom), dtypes, **kw)


def binary(prim, ref, dom, dtypes, dom_y=None, ties=False, fn=None, **kw):
    return Case(prim, fn or getattr(lax, prim), ref, args_of(dom, dom_y or dom, ties=ties), dtypes, **kw)


def to_bool(d): return B
def to_real(d): return T.real_dtype(d)
def to_complex(d): return T.complex_dtype(d)


def trunc_div(x, y):
    """C (and XLA) integer division: the quotient rounded toward zero."""
    if T.is_inexact(x.dtype):
        return x / y
    q = np.abs(x) // np.abs(y)
    return np.where((x < 0) != (y < 0), -q, q).astype(x.dtype)


def complex_sign(x):
    if not T.is_complex(x.dtype):
        return np.sign(x)
    return np.where(x == 0, 0, x / np.where(x == 0, 1, np.abs(x)))


def round_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


# Shifts follow XLA (and jax.lax): the amount is read as unsigned, and an amount >= the bit width shifts every
# bit out, so shift_left and shift_right_logical give 0 and shift_right_arithmetic fills with the sign bit.
def _bits(x): return 8 * x.dtype.itemsize
def _as_unsigned(x): return x.view(f"u{x.dtype.itemsize}")
def _as_signed(x): return x.view(f"i{x.dtype.itemsize}")


def shift_left(x, y):
    u, n = _as_unsigned(x), _as_unsigned(y)
    big = n >= _bits(x)
    return np.where(big, 0, u << np.where(big, 0, n)).astype(u.dtype).view(x.dtype)


def shift_right_logical(x, y):
    u, n = _as_unsigned(x), _as_unsigned(y)
    big = n >= _bits(x)
    return np.where(big, 0, u >> np.where(big, 0, n)).astype(u.dtype).view(x.dtype)


def shift_right_arithmetic(x, y):
    s, n = _as_signed(x), _as_unsigned(y)
    return (s >> np.minimum(n, _bits(x) - 1).astype(s.dtype)).astype(s.dtype).view(x.dtype)


def shift_args(rng, dt, shape):
    """Amounts from -2 (signed only) to past the bit width, on operands of every value."""
    lo = -2 if T.is_signed(dt) else 0
    return FULL.sample(rng, dt, shape), rng.integers(lo, 8 * dt.itemsize + 4, shape).astype(dt)


def population_count(x):
    bits = np.unpackbits(_as_unsigned(x)[..., None].view(np.uint8), axis=-1)
    return bits.sum(-1).astype(x.dtype)


def clz(x):
    u, length = _as_unsigned(x).astype(np.uint64), np.zeros(x.shape, np.int64)
    for i in range(_bits(x)):
        length = np.where(u >> np.uint64(i) != 0, i + 1, length)
    return (_bits(x) - length).astype(x.dtype)


def select_args(n, pred, scalar=False):
    def args(rng, dt, shape):
        pshape = () if scalar else shape
        which = rng.integers(0, n, pshape)      # in range: out of range is undefined, as in jax.lax
        return (np.asarray(which).astype(pred),) + tuple(SMALL.sample(rng, dt, shape) for _ in range(n))
    return args


def select_ref(which, *cases):
    return np.choose(which.astype(np.int64), np.broadcast_arrays(*cases))


def clamp_args(scalar_bounds):
    def args(rng, dt, shape):
        bshape = () if scalar_bounds else shape
        a, b = ANY.sample(rng, dt, bshape), ANY.sample(rng, dt, bshape)
        return np.minimum(a, b), SMALL.sample(rng, dt, shape), np.maximum(a, b)
    return args


def convert(dst):
    """convert_element_type as jax.lax: complex to real drops the imaginary part, to bool is `!= 0` (of the
    real part), float to integer truncates toward zero."""
    def ref(x):
        if x.dtype == BF16:
            x = x.astype(F32)          # exact; NumPy casts from bfloat16 to few types directly
        if T.is_complex(x.dtype) and not T.is_complex(dst):
            x = x.real
        if dst == B:
            return x != 0
        if T.is_float(x.dtype) and T.is_int(dst):
            x = np.trunc(x)
        return x.astype(dst)
    dom = Dom(0, 5, zeros=True) if dst.kind == "u" else Dom(-5, 5, zeros=True)
    return Case("convert_element_type", lambda x: lax.convert_element_type(x, dst), ref, args_of(dom), ALL,
                name=f"convert_element_type[->{T.dtype_name(dst)}]", out=lambda d: dst, exact=True,
                x64=dst in X64)


def bitcast(dst):
    """bitcast_convert_type to `dst`: a narrower dst adds a trailing dimension, a wider one consumes one."""
    def args(rng, dt, shape):
        if dt.itemsize < dst.itemsize:
            shape = shape + (dst.itemsize // dt.itemsize,)
        return (FULL if T.is_int(dt) else Dom(-100, 100)).sample(rng, dt, shape),

    def ref(x):
        a, b = x.dtype.itemsize, dst.itemsize
        if a == b:
            return x.view(dst)
        if a > b:
            return x[..., None].view(dst)
        return np.ascontiguousarray(x).view(dst)[..., 0]
    return Case("bitcast_convert_type", lambda x: lax.bitcast_convert_type(x, dst), ref, args,
                (I8, I32, I64, U8, U32, F16, BF16, F32, F64), name=f"bitcast_convert_type[->{T.dtype_name(dst)}]",
                out=lambda d: dst, exact=True, x64=dst in X64)


def integer_pow(y, dom):
    return unary("integer_pow", lambda x: x ** y, dom, NUM if y >= 0 else INEXACT,
                 fn=lambda x: lax.integer_pow(x, y), name=f"integer_pow[y={y}]")


def rounding(method, dom, label):
    ref = round_away if method == lax.RoundingMethod.AWAY_FROM_ZERO else np.round   # np.round: half to even
    return unary("round", ref, dom, FLOAT, fn=lambda x: lax.round(x, method), exact=True,
                 name=f"round[{'away' if method == lax.RoundingMethod.AWAY_FROM_ZERO else 'even'},{label}]")


AFZ, EVEN = lax.RoundingMethod.AWAY_FROM_ZERO, lax.RoundingMethod.TO_NEAREST_EVEN
sp = scipy.special

CASES = [
    # arithmetic
    binary("add", np.add, SMALL, NUM),
    binary("sub", np.subtract, SMALL, NUM),
    binary("mul", np.multiply, SMALL, NUM),
    binary("div", trunc_div, SMALL, NUM, dom_y=NONZERO),
    binary("rem", np.fmod, SMALL, INT + FLOAT, dom_y=NONZERO),          # fmod: C's remainder, for ints too
    binary("pow", np.power, Dom(0.1, 3, c=(0.2, 1.5)), INEXACT, dom_y=Dom(-2, 2, c=(-1, 1)), name="pow[inexact]"),
    binary("pow", np.power, Dom(-3, 3), INT, dom_y=Dom(0, 4), name="pow[int]"),
    binary("max", np.maximum, GRID, ALL, ties=True),                    # complex: lexicographic, as NumPy
    binary("min", np.minimum, GRID, ALL, ties=True),
    binary("nextafter", np.nextafter, ANY, FLOAT, ties=True, exact=True),
    binary("atan2", np.arctan2, ANY, FLOAT),
    integer_pow(0, ANY), integer_pow(1, ANY), integer_pow(2, SMALL), integer_pow(3, ANY),
    integer_pow(-2, Dom(0.5, 3, signed=True)), integer_pow(7, Dom(-2, 2)),
    unary("neg", np.negative, SMALL, NUM),
    unary("sign", complex_sign, Dom(-3, 3, zeros=True), NUM),
    unary("abs", np.abs, SMALL, SINT + INEXACT, out=to_real),
    unary("square", np.square, SMALL, NUM),
    unary("reciprocal", lambda x: 1 / x, NONZERO, INEXACT),
    unary("floor", np.floor, ANY, FLOAT, exact=True),
    unary("ceil", np.ceil, ANY, FLOAT, exact=True),
    rounding(AFZ, ANY, "any"), rounding(AFZ, Dom(-5, 5, snap=0.5), "halves"),
    rounding(EVEN, ANY, "any"), rounding(EVEN, Dom(-5, 5, snap=0.5), "halves"),
    unary("is_finite", np.isfinite, Dom(-3, 3, special=(np.inf, -np.inf, np.nan)), FLOAT, out=to_bool),
    # exponentials and logarithms
    unary("exp", np.exp, ANY, INEXACT),
    unary("exp2", lambda x: np.power(2.0, x), ANY, INEXACT),
    unary("exp2", np.exp2, Dom(-14, 15, snap=1), FLOAT, exact=True, name="exp2[integers]"),   # exact powers of 2
    unary("log", np.log, POS, INEXACT),
    unary("log1p", np.log1p, Dom(-0.9, 3), INEXACT),
    unary("expm1", np.expm1, ANY, INEXACT),
    unary("logistic", lambda x: 1 / (1 + np.exp(-x)), Dom(-5, 5, c=(-2, 2)), INEXACT),
    unary("sqrt", np.sqrt, Dom(0.1, 5, c=(-2, 2)), INEXACT),
    unary("rsqrt", lambda x: 1 / np.sqrt(x), Dom(0.1, 5, c=(-2, 2)), INEXACT),
    unary("cbrt", np.cbrt, Dom(-5, 5), FLOAT),
    # trigonometric and hyperbolic
    unary("sin", np.sin, ANY, INEXACT),
    unary("cos", np.cos, ANY, INEXACT),
    unary("tan", np.tan, Dom(-1.2, 1.2), INEXACT),
    unary("asin", np.arcsin, UNIT, INEXACT),
    unary("acos", np.arccos, UNIT, INEXACT),
    unary("atan", np.arctan, Dom(-3, 3, c=(-0.9, 0.9)), INEXACT),
    unary("sinh", np.sinh, Dom(-3, 3, c=(-2, 2)), INEXACT),
    unary("cosh", np.cosh, Dom(-3, 3, c=(-2, 2)), INEXACT),
    unary("tanh", np.tanh, Dom(-3, 3, c=(-1, 1)), INEXACT),
    unary("asinh", np.arcsinh, Dom(-3, 3, c=(-0.9, 0.9)), INEXACT),
    unary("acosh", np.arccosh, Dom(1.1, 5, c=(0.2, 2)), INEXACT),
    unary("atanh", np.arctanh, UNIT, INEXACT),
    # special functions
    unary("erf", sp.erf, ANY, FLOAT),
    unary("erfc", sp.erfc, ANY, FLOAT),
    unary("erf_inv", sp.erfinv, UNIT, FLOAT),
    unary("lgamma", sp.gammaln, Dom(0.1, 6), FLOAT),
    unary("digamma", sp.psi, Dom(0.2, 6), FLOAT),
    # comparisons
    *[binary(p, ref, GRID, ALL if p in ("eq", "ne") else REAL, ties=True, out=to_bool, exact=True)
      for p, ref in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                     ("gt", np.greater), ("ge", np.greater_equal)]],
    # bitwise
    binary("and", np.bitwise_and, FULL, (B,) + INT, fn=lax.bitwise_and),
    binary("or", np.bitwise_or, FULL, (B,) + INT, fn=lax.bitwise_or),
    binary("xor", np.bitwise_xor, FULL, (B,) + INT, fn=lax.bitwise_xor),
    unary("not", np.invert, FULL, (B,) + INT, fn=lax.bitwise_not),
    Case("shift_left", lax.shift_left, shift_left, shift_args, INT),
    Case("shift_right_arithmetic", lax.shift_right_arithmetic, shift_right_arithmetic, shift_args, INT),
    Case("shift_right_logical", lax.shift_right_logical, shift_right_logical, shift_args, INT),
    unary("population_count", population_count, FULL, INT),
    unary("clz", clz, FULL, INT),
    # selection
    Case("select_n", lax.select_n, select_ref, select_args(1, B), ALL, name="select_n[bool,1]", exact=True),
    Case("select_n", lax.select_n, select_ref, select_args(2, B), ALL, name="select_n[bool,2]", exact=True),
    Case("select_n", lax.select_n, select_ref, select_args(3, I32), ALL, name="select_n[i32,3]", exact=True),
    Case("select_n", lax.select_n, select_ref, select_args(5, I32), ALL, name="select_n[i32,5]", exact=True),
    Case("select_n", lax.select_n, select_ref, select_args(2, B, scalar=True), ALL, name="select_n[bool scalar,2]",
         exact=True),
    Case("select_n", lax.select_n, select_ref, select_args(4, I32, scalar=True), ALL,
         name="select_n[i32 scalar,4]", exact=True),
    Case("clamp", lax.clamp, lambda lo, x, hi: np.minimum(np.maximum(x, lo), hi), clamp_args(True), REAL,
         name="clamp[scalar bounds]", exact=True),
    Case("clamp", lax.clamp, lambda lo, x, hi: np.minimum(np.maximum(x, lo), hi), clamp_args(False), REAL,
         name="clamp[array bounds]", exact=True),
    # complex parts
    binary("complex", lambda x, y: x + 1j * y, ANY, (F32, F64), out=to_complex, exact=True),
    unary("real", np.real, ANY, COMPLEX, out=to_real, exact=True),
    unary("imag", np.imag, ANY, COMPLEX, out=to_real, exact=True),
    # the primitive (lax.conj makes a real input complex first, as JAX's does)
    unary("conj", np.conj, ANY, INEXACT, exact=True, fn=lambda x: bind1("conj", x)),
    # conversions and copies
    *[convert(d) for d in ALL],
    bitcast(U8), bitcast(F32), bitcast(BF16), bitcast(I64),
    unary("copy", lambda x: x, SMALL, ALL, exact=True),
]

COVERED_PRIMITIVES = {c.prim for c in CASES}


# ---- running a row -----------------------------------------------------------------------------------------

def _row_id(case):
    return case.name or case.prim


def _widen(x):
    if T.is_complex(x.dtype):
        return x.astype(C128)
    return x.astype(F64) if T.is_float(x.dtype) else x


def expected(case, dtype, xs):
    out = np.dtype(case.out(dtype) if case.out else dtype)
    with np.errstate(all="ignore"):
        want = case.ref(*(xs if case.exact else [_widen(x) for x in xs]))
    return np.asarray(want).astype(out)


@np.errstate(invalid="ignore")    # widening a NaN of bfloat16 warns
def check(got, want, case, what):
    got = np.asarray(got)
    assert got.dtype == want.dtype and got.shape == want.shape, \
        f"{what}: got {T.dtype_name(got.dtype)}{list(got.shape)}, expected {T.dtype_name(want.dtype)}{list(want.shape)}"
    if T.is_inexact(want.dtype) and not case.exact:
        tol = TOL[want.dtype]
        np.testing.assert_allclose(_widen(got), _widen(want), rtol=tol, atol=tol, err_msg=what)
    else:
        np.testing.assert_array_equal(_widen(got), _widen(want), err_msg=what)


def _params():
    return [pytest.param(c, d, id=f"{_row_id(c)}-{T.dtype_name(d)}") for c in CASES for d in c.dtypes]


def _needs_x64(case, dtype):
    return case.x64 or dtype in X64


def _inputs(case, dtype):
    rng = np.random.default_rng(zlib.crc32(f"{_row_id(case)}-{T.dtype_name(dtype)}".encode()))
    return [case.args(rng, dtype, s) for s in SHAPES]


@pytest.mark.parametrize("case,dtype", _params())
def test_elementwise(case, dtype, request):
    if _needs_x64(case, dtype):
        request.getfixturevalue("x64")
    inputs = _inputs(case, dtype)
    wants = [expected(case, dtype, xs) for xs in inputs]
    jitted = lintra.jit(lambda sets: [case.fn(*xs) for xs in sets])(inputs)
    for shape, got, want, xs in zip(SHAPES, jitted, wants, inputs):
        check(got, want, case, f"{_row_id(case)} under jit at shape {shape} on inputs {xs}")
    # XLA compiles each op of each shape apart (~20-50 ms each; compiles are nearly all of this file's run
    # time), so each dtype runs eagerly at one shape only, the row's dtypes taking the shapes in turn.
    i = case.dtypes.index(dtype) % len(SHAPES)
    got = case.fn(*[jnp.asarray(x) for x in inputs[i]])
    assert isinstance(got, lintra.Array)
    check(got, wants[i], case, f"{_row_id(case)} eager at shape {SHAPES[i]} on inputs {inputs[i]}")


def test_row_names_are_unique():
    names = [_row_id(c) for c in CASES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


CANDIDATES = ALL


@pytest.mark.parametrize("prim", sorted(COVERED_PRIMITIVES))
def test_dtypes_are_those_the_type_rule_admits(prim, x64):
    rows = [c for c in CASES if c.prim == prim]
    admitted = set()
    for case in rows:
        for d in CANDIDATES:
            try:
                lintra.make_ir(case.fn)(*case.args(np.random.default_rng(0), d, (3,)))
            except TypeError:
                continue
            admitted.add(d)
    listed = {d for c in rows for d in c.dtypes}
    names = lambda ds: sorted(T.dtype_name(d) for d in ds)
    assert listed == admitted, (f"{prim}: the type rule admits {names(admitted)}; the table lists {names(listed)} "
                                f"(untested: {names(admitted - listed)}, not admitted: {names(listed - admitted)})")


# ---- the lax wrappers' handling of Python scalars ------------------------------------------------------------

@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
@pytest.mark.parametrize("dtype", [I32, U8, BF16, F32, C64], ids=T.dtype_name)
def test_python_scalar_operands_take_the_array_dtype(dtype, jit):
    x = SMALL.sample(np.random.default_rng(1), dtype, (2, 3))
    f = lambda x: (lax.add(x, 2), lax.mul(3, x), lax.max(x, 1), lax.select_n(lax.eq(x, x), 0, x))
    outs = (lintra.jit(f) if jit else f)(jnp.asarray(x))
    wants = [x + np.asarray(2, dtype), np.asarray(3, dtype) * x, np.maximum(x, np.asarray(1, dtype)), x]
    for got, want in zip(outs, wants):
        assert got.dtype == dtype and got.shape == (2, 3) and not got.weak_type
        np.testing.assert_array_equal(_widen(np.asarray(got)), _widen(want.astype(dtype)))


def test_complex_of_python_scalar():
    x = np.array([1.5, -2.0], np.float32)
    got = lax.complex(jnp.asarray(x), 0.5)
    assert got.dtype == C64
    np.testing.assert_array_equal(np.asarray(got), x + 0.5j)
