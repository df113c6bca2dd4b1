"""The reduce_precision and mulhi primitives, eagerly, under jit, and folded from constants under jit.

reduce_precision(x, e, m) against a round trip through the ml_dtypes float with e exponent and m mantissa
bits (bfloat16 is (8, 7), float16 (5, 10), ...): equal everywhere but below that format's smallest normal
number, where XLA (and so JAX 0.10.2) flushes to a zero of x's sign rather than keep a subnormal. mulhi against
Python's integers: the high half of the exact double-width product, for every signed and unsigned width."""
import ml_dtypes
import numpy as np
import pytest

import lintra
from lintra import lax
from lintra.lowering.registry import RULES
from lintra.lowering.rules import mulhi as mulhi_rules

COVERED_PRIMITIVES = {"reduce_precision", "mulhi"}

RNG = np.random.default_rng(2)

# (exponent_bits, mantissa_bits, the ml_dtypes type of that format, the input dtype)
FORMATS = [
    (8, 7, ml_dtypes.bfloat16, np.float32),
    (5, 10, np.float16, np.float32),
    (8, 23, np.float32, np.float64),
    (4, 3, ml_dtypes.float8_e4m3, np.float32),
    (5, 2, ml_dtypes.float8_e5m2, np.float16),
    (3, 4, ml_dtypes.float8_e3m4, ml_dtypes.bfloat16),
    (11, 52, np.float64, np.float64),
]


def _runs(f, x):
    """f(x) eagerly, under jit with x an argument, and under jit with x a constant XLA may fold."""
    return [f(x), lintra.jit(f)(x), lintra.jit(lambda: f(x))()]


def _samples(fmt, dtype):
    """Values of every magnitude the input dtype holds that are either zero or at least fmt's smallest normal
    number, with the specials; and separately values at most half that smallest normal."""
    info = ml_dtypes.finfo(dtype)
    lo, hi = np.log2(float(ml_dtypes.finfo(fmt).smallest_normal)), np.log2(float(info.max))
    mags = 2.0 ** RNG.uniform(lo, hi, 400) * RNG.choice([-1, 1], 400)
    normal = np.concatenate([mags, [0.0, -0.0, np.inf, -np.inf, np.nan, float(info.max), -float(info.max)]])
    tiny = np.concatenate([2.0 ** RNG.uniform(np.log2(float(info.smallest_subnormal)), lo - 1, 50)
                           * RNG.choice([-1, 1], 50)])
    return normal.astype(dtype), tiny.astype(dtype)


def _bits(a):
    return np.ascontiguousarray(np.asarray(a)).view(np.uint8)


@pytest.mark.parametrize("e, m, fmt, dtype", FORMATS, ids=lambda v: str(getattr(v, "__name__", v)))
def test_reduce_precision_is_a_round_trip_through_the_format(e, m, fmt, dtype, x64):
    normal, tiny = _samples(fmt, dtype)
    with np.errstate(over="ignore"):
        want = normal.astype(np.float64).astype(fmt).astype(dtype)     # one rounding: widening is exact
    f = lambda v: lax.reduce_precision(v, e, m)
    for got in _runs(f, normal):
        assert got.dtype == dtype
        np.testing.assert_array_equal(_bits(got), _bits(want))
    if e < ml_dtypes.finfo(dtype).nexp:      # a narrower exponent: its subnormals are flushed to signed zeros
        for got in _runs(f, tiny):
            np.testing.assert_array_equal(_bits(got), _bits(np.copysign(np.zeros_like(tiny), tiny)))


def test_reduce_precision_values_recorded_from_jax():
    x = np.array([1e-39, 1e-40, 3e-5, 6e-8, 1e-8, 65504, 65520, 1.00048828125, 1.0009766], np.float32)
    assert np.asarray(lax.reduce_precision(x, 5, 10)).tolist() == [0, 0, 0, 0, 0, 65504, np.inf, 1, 1.0009765625]
    assert np.asarray(lax.reduce_precision(np.float32(1e-3), 1, 0)).tolist() == 0.0


INT_TYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]


def _mulhi_reference(x, y, dtype):
    bits = np.iinfo(dtype).bits
    hi = [(int(a) * int(b)) >> bits for a, b in zip(x.ravel(), y.ravel())]    # floor: the signed high half
    return np.array([h % (1 << bits) for h in hi], dtype=np.uint64).astype(dtype).reshape(x.shape)


def _mulhi_operands(dtype):
    info = np.iinfo(dtype)
    edges = [info.min, info.min + 1, -1 if info.min else 1, 0, 1, 2, info.max - 1, info.max, info.max // 2 + 1]
    pairs = np.array([(a, b) for a in edges for b in edges], dtype=object)
    rand = RNG.integers(int(info.min), int(info.max), size=(2, 300), dtype=np.int64 if info.min else np.uint64,
                        endpoint=True)
    x = np.concatenate([pairs[:, 0].astype(dtype), rand[0].astype(dtype)])
    y = np.concatenate([pairs[:, 1].astype(dtype), rand[1].astype(dtype)])
    return x, y


@pytest.mark.parametrize("dtype", INT_TYPES, ids=lambda d: np.dtype(d).name)
def test_mulhi_is_the_high_half_of_the_exact_product(dtype, x64):
    x, y = _mulhi_operands(dtype)
    want = _mulhi_reference(x, y, dtype)
    for got in [lax.mulhi(x, y), lintra.jit(lax.mulhi)(x, y), lintra.jit(lambda: lax.mulhi(x, y))()]:
        assert got.dtype == dtype
        np.testing.assert_array_equal(np.asarray(got), want)


@pytest.mark.parametrize("dtype", INT_TYPES, ids=lambda d: np.dtype(d).name)
def test_mulhi_composition_of_spmd_programs(dtype, x64, monkeypatch):
    """The composition SPMD programs lower mulhi to (XLA cannot partition chlo.mulhi), here unsharded."""
    monkeypatch.setitem(RULES, "mulhi", lambda ctx, op, a, b: [mulhi_rules._composed(a, b, op.results[0].type)])
    x, y = _mulhi_operands(dtype)
    f = lintra.jit(lambda a, b: lax.mulhi(a, b))
    assert "chlo.mulhi" not in f.lower(x, y).as_text()
    np.testing.assert_array_equal(np.asarray(f(x, y)), _mulhi_reference(x, y, dtype))


def test_mulhi_lowers_to_chlo_mulhi_as_jax():
    text = lintra.jit(lax.mulhi).lower(np.ones(2, np.int8), np.ones(2, np.int8)).as_text()
    assert "%0 = chlo.mulhi %arg0, %arg1 : tensor<2xi8>, tensor<2xi8> -> tensor<2xi8>" in text


def test_reduce_precision_lowers_as_jax():
    text = lintra.jit(lambda x: lax.reduce_precision(x, 5, 2)).lower(np.float32(1)).as_text()
    assert "%0 = stablehlo.reduce_precision %arg0, format = e5m2 : tensor<f32>" in text
