"""lintra.random: Threefry-2x32 known answers, JAX's published values (both counter schemes), a NumPy reference
of the counter layouts, samplers against NumPy/SciPy, statistics, shapes/dtypes, jit, vmap and errors.

Published values come from: Random123's kat_vectors (as quoted in JAX's tests/random_test.py); JAX's
tests/random_test.py (_RANDOM_VALUES_CASES, testPRNGValues, testRngRandomBits, test_prng_seeds_and_keys,
test_loggamma_nan_corner_case; all for jax_threefry_partitionable=False); the jax.random module docs
(docs.jax.dev, partitionable); "Deep Learning with Python", 3rd ed., section 3.5.3 (printed normal values,
which match the original scheme).
"""
import math
import zlib

import numpy as np
import pytest
import scipy.special
import scipy.stats

import lintra
import lintra.numpy as jnp
import lintra.random as random

F32 = np.float32


@pytest.fixture
def original():
    """JAX's original (non-partitionable) counter scheme, which JAX's value tests were written for."""
    lintra.config.update("jax_threefry_partitionable", False)
    yield
    lintra.config.update("jax_threefry_partitionable", True)




def a(x):
    return np.asarray(x)


# ---- a NumPy reference of the hash and of both counter layouts ---------------------------------------------

@np.errstate(over="ignore")
def np_threefry(k0, k1, x0, x1):
    k0, k1, x0, x1 = (np.asarray(v, np.uint32) for v in (k0, k1, x0, x1))
    ks = [k0, k1, k0 ^ k1 ^ np.uint32(0x1BD11BDA)]
    x0, x1 = x0 + ks[0], x1 + ks[1]
    for i in range(5):
        for r in ((13, 15, 26, 6), (17, 29, 16, 24))[i % 2]:
            x0 = x0 + x1
            x1 = ((x1 << np.uint32(r)) | (x1 >> np.uint32(32 - r))) ^ x0
        x0, x1 = x0 + ks[(i + 1) % 3], x1 + ks[(i + 2) % 3] + np.uint32(i + 1)
    return x0, x1


def np_block(key, counts):
    counts = np.asarray(counts, np.uint32).ravel()
    n = counts.size
    padded = np.concatenate([counts, np.zeros(n % 2, np.uint32)])
    y0, y1 = np_threefry(key[0], key[1], padded[:len(padded) // 2], padded[len(padded) // 2:])
    return np.concatenate([y0, y1])[:n]


def np_split(key, n, partitionable):
    if partitionable:
        return np.stack(np_threefry(key[0], key[1], np.zeros(n, np.uint32), np.arange(n, dtype=np.uint32)), -1)
    return np_block(key, np.arange(2 * n)).reshape(n, 2)


def np_bits(key, shape, dtype, partitionable):
    size, width = math.prod(shape), np.dtype(dtype).itemsize * 8
    if partitionable:
        y0, y1 = np_threefry(key[0], key[1], np.zeros(size, np.uint32), np.arange(size, dtype=np.uint32))
        return (y0 ^ y1).astype(dtype).reshape(shape)
    words = np_block(key, np.arange(-(-width * size // 32)))
    return words.view(dtype)[:size].reshape(shape)   # little-endian: each word's low bits first


def np_uniform01(bits32):
    return ((bits32 >> np.uint32(9)) | np.uint32(0x3F800000)).view(F32) - F32(1)


# ---- the hash ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, count, expected", [
    ((0, 0), (0, 0), (0x6B200159, 0x99BA4EFE)),
    ((0xFFFFFFFF, 0xFFFFFFFF), (0xFFFFFFFF, 0xFFFFFFFF), (0x1CB996FC, 0xBB002BE7)),
    ((0x13198A2E, 0x03707344), (0x243F6A88, 0x85A308D3), (0xC4923A9C, 0x483DF7A0)),
])
def test_threefry_known_answers(key, count, expected):
    out = random.threefry_2x32(np.uint32(key), np.uint32(count))
    assert out.dtype == np.uint32 and a(out).tolist() == list(expected)
    assert [int(v) for v in np_threefry(*key, *count)] == list(expected)   # the reference is right too


def test_threefry_block_layout_matches_reference():
    key = np.uint32([0x13198A2E, 0x03707344])
    count = np.arange(7, dtype=np.uint32).reshape(7) * np.uint32(2654435761)
    np.testing.assert_array_equal(a(random.threefry_2x32(key, count)), np_block(key, count))


# ---- seeds and keys ---------------------------------------------------------------------------------------------

I32 = np.iinfo(np.int32)


@pytest.mark.parametrize("seed, typ, key32, key64", [
    (0, int, [0, 0], [0, 0]),
    (1, np.int32, [0, 1], [0, 1]),
    (2, np.uint32, [0, 2], [0, 2]),
    (3, np.int64, [0, 3], [0, 3]),
    (-1, int, [0, 4294967295], [4294967295, 4294967295]),
    (-2, np.int32, [0, 4294967294], [0, 4294967294]),
    (-3, np.int64, [0, 4294967293], [4294967295, 4294967293]),
    (I32.max + 100, int, [0, 2147483747], [0, 2147483747]),
    (I32.max + 101, np.uint32, [0, 2147483748], [0, 2147483748]),
    (I32.min - 100, int, [0, 2147483548], [4294967295, 2147483548]),
])
def test_seeds_and_keys(seed, typ, key32, key64):
    key = random.PRNGKey(typ(seed))
    assert key.dtype == np.uint32 and key.shape == (2,)
    assert a(key).tolist() == key32
    assert a(random.key_data(random.key(typ(seed)))).tolist() == key32
    if I32.min <= seed <= I32.max:
        assert a(lintra.jit(random.PRNGKey)(typ(seed))).tolist() == key32


def test_seeds_with_x64(x64):
    for seed, expected in [(-1, [4294967295, 4294967295]), (I32.min - 100, [4294967295, 2147483548]),
                           (2 ** 40 + 5, [256, 5]), (np.int64(-3), [4294967295, 4294967293])]:
        assert a(random.PRNGKey(seed)).tolist() == expected
    assert a(lintra.jit(random.PRNGKey)(np.int64(-3))).tolist() == [4294967295, 4294967293]


def test_seed_errors():
    with pytest.raises(TypeError, match="must be an integer"):
        random.PRNGKey(3.5)
    with pytest.raises(TypeError, match="scalar seed"):
        random.PRNGKey(np.arange(3))
    with pytest.raises(OverflowError):
        random.PRNGKey(2 ** 70)
    with pytest.raises(OverflowError):   # inside jit a Python int seed is an int32, as in JAX
        lintra.jit(random.PRNGKey)(I32.max + 1)


def test_key_data_of_raw_keys_is_the_keys():
    keys = random.split(random.PRNGKey(5), (2, 3))
    assert keys.shape == (2, 3, 2) and keys.dtype == np.uint32
    np.testing.assert_array_equal(a(random.key_data(keys)), a(keys))
    np.testing.assert_array_equal(a(random.key_data(random.wrap_key_data(keys))), a(keys))
    with pytest.raises(TypeError, match=r"uint32\[2\]"):
        random.uniform(np.zeros(2, np.int32))
    with pytest.raises(TypeError, match="vmap"):
        random.normal(keys)


# ---- published JAX values, partitionable scheme (JAX's default) ---------------------------------------------------

def test_partitionable_is_the_default():
    assert lintra.config.read("jax_threefry_partitionable") is True


def test_docs_values_partitionable():
    key = random.key(0)
    assert a(random.key_data(key)).tolist() == [0, 0]
    np.testing.assert_allclose(a(random.uniform(key)), 0.947667, rtol=1e-6)
    key, subkey = random.split(key)
    np.testing.assert_allclose(a(random.uniform(subkey)), 0.00729382, rtol=1e-6)
    # bits of key(0) are y0 ^ y1 of threefry(key, (0, i)): the first is the first known answer's xor
    assert a(random.bits(random.key(0), (3,))).tolist() == [0xF29A4FA7, 0xFA843692, 0x55110E28]


def test_split_fold_in_symmetry():
    key = random.PRNGKey(72)
    splits = random.split(key, 3)
    for i in range(3):
        np.testing.assert_array_equal(a(random.fold_in(key, i)), a(splits[i]))


def test_uint64_bits_partitionable(x64):
    bits = random.bits(random.key(0), (3,), jnp.uint64)
    assert bits.dtype == np.uint64
    assert a(bits).tolist() == [0x6B20015999BA4EFE, 0x375F238FCDDB151D, 0xF71F4EA9A20E4081]


# ---- published JAX values, original scheme -------------------------------------------------------------------

def test_prng_values_original(original):
    k = random.PRNGKey(0)
    out = random.randint(k, (3, 3), 0, 8)
    assert out.dtype == np.int32
    assert a(out).tolist() == [[2, 1, 3], [6, 1, 5], [6, 3, 4]]
    assert a(random.split(k, 4)).tolist() == [[2285895361, 1501764800], [1518642379, 4090693311],
                                              [433833334, 4221794875], [839183663, 3740430601]]
    assert a(random.fold_in(k, 4)).tolist() == [2285895361, 433833334]
    k = random.PRNGKey(1701)
    assert a(random.bits(k, (3,), np.uint8)).tolist() == [216, 115, 43]
    assert a(random.bits(k, (3,), np.uint16)).tolist() == [41682, 1300, 55017]
    assert a(random.bits(k, (3,), np.uint32)).tolist() == [56197195, 4200222568, 961309823]
    assert random.bits(k, (3,), np.uint64).dtype == np.uint32   # uint64 narrows to uint32 without x64


def test_book_values_original(original):
    key = random.key(123)
    np.testing.assert_allclose(a(random.normal(key, (3,))), [-0.1470326, 0.5524756, 1.648498], rtol=1e-6)
    np.testing.assert_allclose(a(random.normal(random.split(key, 1)[0], (3,))),
                               [0.5362355, -1.1920372, 2.450225], rtol=1e-6)


def test_uint64_values_original(original, x64):
    assert a(random.bits(random.PRNGKey(1701), (3,), np.uint64)).tolist() == \
        [3982329540505020460, 16822122385914693683, 7882654074788531506]
    assert a(random.randint(random.PRNGKey(0), (3, 3), 0, 8, dtype="int64")).tolist() == \
        [[7, 2, 6], [2, 1, 0], [6, 7, 7]]


def _seed(name):
    return zlib.adler32((name + "threefry2x32").encode())


# (name, shape, dtype, params, expected) from JAX's _RANDOM_VALUES_CASES (threefry2x32)
JAX_VALUES = [
    ("bernoulli", (5,), None, {"p": 0.5}, [False, True, True, True, False]),
    ("bits", (5,), np.uint8, {}, [10, 158, 82, 54, 158]),
    ("bits", (5,), np.uint16, {}, [6738, 38161, 50695, 57337, 61600]),
    ("bits", (5,), np.uint32, {}, [1978747883, 4134381225, 3628107870, 689687174, 2788938207]),
    ("cauchy", (5,), F32, {}, [-0.088416, -10.169713, 3.49677, -1.18056, 0.34556]),
    ("double_sided_maxwell", (5,), F32, {"loc": 1, "scale": 2},
     [-2.408914, -3.370437, 3.235352, -0.907734, -1.708732]),
    ("exponential", (5,), F32, {}, [0.526067, 0.043046, 0.039932, 0.46427, 0.123886]),
    ("gumbel", (5,), F32, {}, [2.06701, 0.911726, 0.145736, 0.185427, -0.00711]),
    ("laplace", (5,), F32, {}, [0.578939, -0.204902, 0.555733, 0.911053, -0.96456]),
    ("logistic", (5,), F32, {}, [0.19611, -1.709053, -0.274093, -0.208322, -1.675489]),
    ("maxwell", (5,), F32, {}, [3.070779, 0.908479, 1.521317, 0.875551, 1.306137]),
    ("multivariate_normal", (2,), F32, {"mean": np.ones((1, 3)), "cov": np.eye(3)},
     [[1.067826, 1.215599, 0.234166], [-0.237534, 1.32591, 1.413987]]),
    ("normal", (5,), F32, {}, [-1.173234, -1.511662, 0.070593, -0.099764, 1.052845]),
    ("pareto", (5,), F32, {"b": 0.5}, [2.751398, 1.281863, 87.85448, 1.254542, 2.824487]),
    ("rademacher", (5,), np.int32, {}, [-1, -1, -1, -1, 1]),
    ("randint", (5,), np.int32, {"minval": 0, "maxval": 10}, [0, 5, 7, 7, 5]),
    ("truncated_normal", (5,), F32, {"lower": 0, "upper": 2}, [0.582807, 1.709771, 0.159513, 0.861376, 0.36148]),
    ("uniform", (5,), F32, {}, [0.298671, 0.073213, 0.873356, 0.260549, 0.412797]),
    ("weibull_min", (5,), F32, {"scale": 1, "concentration": 1}, [1.605863, 0.841809, 0.224218, 0.4826, 0.027901]),
    ("gamma", (5,), F32, {"a": 0.8}, [0.824221, 1.724476, 0.502882, 5.386132, 0.685543]),
    ("beta", (5,), F32, {"a": 0.8, "b": 0.9}, [0.13259, 0.824893, 0.948363, 0.964155, 0.235448]),
]


@pytest.mark.parametrize("name, shape, dtype, params, expected", JAX_VALUES, ids=lambda v: str(v)[:24])
def test_jax_distribution_values_original(original, name, shape, dtype, params, expected):
    f = getattr(random, name)
    key = random.PRNGKey(_seed(name))
    out = f(key, **params, shape=shape, dtype=dtype) if dtype else f(key, **params, shape=shape)
    expected = np.asarray(expected, dtype)
    assert out.dtype == expected.dtype and out.shape == expected.shape
    np.testing.assert_allclose(a(out), expected, rtol=1e-5, atol=1e-6)


# ---- both schemes against the NumPy reference --------------------------------------------------------------

@pytest.mark.parametrize("partitionable", [True, False])
def test_split_bits_fold_in_match_reference(partitionable):
    lintra.config.update("jax_threefry_partitionable", partitionable)
    try:
        for seed in (0, 42, -7):
            key = a(random.PRNGKey(seed))
            np.testing.assert_array_equal(a(random.split(key, 5)), np_split(key, 5, partitionable))
            np.testing.assert_array_equal(a(random.fold_in(key, 123456789)),
                                          np.stack(np_threefry(key[0], key[1], 0, 123456789)))
            for dtype in (np.uint8, np.uint16, np.uint32):
                np.testing.assert_array_equal(a(random.bits(key, (2, 3), dtype)),
                                              np_bits(key, (2, 3), dtype, partitionable))
            np.testing.assert_array_equal(a(random.bits(key, ())), np_bits(key, (), np.uint32, partitionable))
    finally:
        lintra.config.update("jax_threefry_partitionable", True)


def test_uniform_normal_match_reference():
    key = random.PRNGKey(3)
    bits = a(random.bits(key, (4, 5)))
    u01 = np_uniform01(bits)
    np.testing.assert_array_equal(a(random.uniform(key, (4, 5))), u01)
    # XLA on CPU contracts f * (maxval - minval) + minval into one fused multiply-add (one rounding)
    fma = lambda f, span, lo: np.maximum(lo, (f.astype(np.float64) * span + lo).astype(F32))
    np.testing.assert_array_equal(a(random.uniform(key, (4, 5), minval=-2., maxval=3.)), fma(u01, F32(5), F32(-2)))
    lo = np.nextafter(F32(-1), F32(0))
    u = fma(u01, F32(1) - lo, lo)
    np.testing.assert_allclose(a(random.normal(key, (4, 5))), np.sqrt(2) * scipy.special.erfinv(u.astype(np.float64)),
                               rtol=2e-6, atol=1e-6)


def test_permutation_matches_reference():
    key = random.PRNGKey(11)
    sub = a(random.split(key))[1]
    order = np.argsort(np_bits(sub, (10,), np.uint32, True), kind="stable")
    np.testing.assert_array_equal(a(random.permutation(key, 10)), np.arange(10)[order])
    x = np.arange(12.).reshape(3, 4).astype(F32)
    np.testing.assert_array_equal(a(random.permutation(key, x, axis=1)), x[:, np.argsort(
        np_bits(sub, (4,), np.uint32, True), kind="stable")])
    # independent: every row sorted by its own slice of one (3, 4) bit array
    ind = np.argsort(np_bits(sub, (3, 4), np.uint32, True), axis=1, kind="stable")
    np.testing.assert_array_equal(a(random.permutation(key, x, axis=1, independent=True)),
                                  np.take_along_axis(x, ind, 1))
    # 2000 elements need ceil(3 ln 2000 / ln(2**32 - 1)) = 2 sorting rounds, each with a fresh subkey
    k, ref = a(key), np.arange(2000)
    for _ in range(2):
        k, s = np_split(k, 2, True)
        ref = ref[np.argsort(np_bits(s, (2000,), np.uint32, True), kind="stable")]
    np.testing.assert_array_equal(a(random.permutation(key, 2000)), ref)


def test_choice_matches_reference():
    key = random.PRNGKey(8)
    x = np.arange(10., 20., dtype=F32)
    np.testing.assert_array_equal(a(random.choice(key, x, (6,))), x[a(random.randint(key, (6,), 0, 10))])
    np.testing.assert_array_equal(a(random.choice(key, x, (4,), replace=False)), a(random.permutation(key, x))[:4])
    p = np.array([0.1, 0.2, 0.3, 0.4], F32)
    u = a(random.uniform(key, (7,)))
    r = np.cumsum(p)[-1] * (F32(1) - u)
    np.testing.assert_array_equal(a(random.choice(key, 4, (7,), p=p)), np.searchsorted(np.cumsum(p), r))
    g = -a(random.gumbel(key, (4,))) - np.log(p)
    np.testing.assert_array_equal(a(random.choice(key, 4, (3,), replace=False, p=p)), np.argsort(g, kind="stable")[:3])
    assert a(random.choice(key, 5, (0,))).shape == (0,)
    with pytest.raises(ValueError, match="larger sample"):
        random.choice(key, 3, (4,), replace=False)


def test_categorical_matches_reference():
    key = random.PRNGKey(4)
    logits = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], F32))
    g = a(random.gumbel(key, (5, 2, 3)))
    np.testing.assert_array_equal(a(random.categorical(key, logits, shape=(5, 2))), np.argmax(g + logits, -1))
    gt = a(random.gumbel(key, (3, 2)))
    np.testing.assert_array_equal(a(random.categorical(key, logits.T, axis=0)), np.argmax(gt + logits.T, 0))


def test_multivariate_normal_matches_numpy():
    key = random.PRNGKey(9)
    m = np.random.default_rng(0).normal(size=(4, 4))
    cov = (m @ m.T + 4 * np.eye(4)).astype(F32)
    mean = np.arange(4, dtype=F32)
    z = a(random.normal(key, (6, 4)))
    expected = mean + z @ np.linalg.cholesky(cov.astype(np.float64)).T
    np.testing.assert_allclose(a(random.multivariate_normal(key, mean, cov, (6,))), expected, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="eigh primitive"):
        random.multivariate_normal(key, mean, cov, method="eigh")


# ---- statistics -------------------------------------------------------------------------------------------

N = 100_000


def test_moments():
    k1, k2, k3, k4 = random.split(random.PRNGKey(2024), 4)
    u, n, e = a(random.uniform(k1, (N,))), a(random.normal(k2, (N,))), a(random.exponential(k3, (N,)))
    tol = 5 / np.sqrt(N)   # five standard errors (the variances below are all O(1))
    assert abs(u.mean() - 0.5) < tol and abs(u.var() - 1 / 12) < tol and 0 <= u.min() and u.max() < 1
    assert abs(n.mean()) < tol and abs(n.var() - 1) < 2 * tol
    assert abs(e.mean() - 1) < tol and abs(e.var() - 1) < 3 * tol and e.min() >= 0
    assert scipy.stats.kstest(n, "norm").pvalue > 1e-3
    b = a(random.bernoulli(k4, 0.3, (N,)))
    assert b.dtype == np.bool_ and abs(b.mean() - 0.3) < tol


def test_randint_range_and_counts():
    r = a(random.randint(random.PRNGKey(1), (N,), -3, 4))
    assert r.dtype == np.int32 and r.min() == -3 and r.max() == 3
    assert scipy.stats.chisquare(np.bincount(r + 3)).pvalue > 1e-3
    full = a(random.randint(random.PRNGKey(1), (1000,), 0, 256, dtype=jnp.uint8))   # maxval beyond uint8
    assert full.dtype == np.uint8 and full.max() > 200
    np.testing.assert_array_equal(a(random.randint(random.PRNGKey(1), (5,), 7, 7)), 7)   # empty span: minval


def test_gamma_statistics():
    alpha = np.array([[0.5], [3.0]], F32)
    g = a(random.gamma(random.PRNGKey(5), alpha, (2, 5_000)))
    assert not np.isnan(g).any() and g.min() >= 0
    for row, al in zip(g, alpha[:, 0]):
        assert scipy.stats.kstest(row, "gamma", args=(al,)).pvalue > 1e-3


def test_truncated_normal_bounds():
    x = a(random.truncated_normal(random.PRNGKey(6), -0.3, 0.7, (N,)))
    assert x.min() > -0.3 and x.max() < 0.7
    assert scipy.stats.kstest(x, scipy.stats.truncnorm(-0.3, 0.7).cdf).pvalue > 1e-3


# ---- shapes, dtypes, determinism, transformations -------------------------------------------------------------

@pytest.mark.parametrize("dtype", [jnp.float16, jnp.bfloat16])
def test_uniform_normal_half_precision(dtype):
    key = random.PRNGKey(0)
    u, n = random.uniform(key, (2, 3), dtype), random.normal(key, (2, 3), dtype)
    assert u.dtype == np.dtype(dtype) and u.shape == (2, 3) and n.dtype == np.dtype(dtype)
    # bfloat16 draws 8 bits, float16 16 bits; both keep the top mantissa bits of the draw
    width = 8 if dtype == jnp.bfloat16 else 16
    raw = np_bits(a(key), (2, 3), np.dtype(f"uint{width}"), True).astype(np.uint16)
    nmant, one = (7, 0x3F80) if dtype == jnp.bfloat16 else (10, 0x3C00)
    expected = ((raw >> np.uint16(width - nmant)) | np.uint16(one)).view(np.dtype(dtype)) - np.dtype(dtype).type(1)
    np.testing.assert_array_equal(a(u), expected)


def test_shapes_and_default_dtypes():
    key = random.PRNGKey(0)
    assert random.uniform(key).shape == () and random.uniform(key).dtype == np.float32
    assert random.uniform(key, (0,)).shape == (0,)
    assert random.bits(key, (2, 3)).dtype == np.uint32
    assert random.randint(key, (5,), 0, 3).dtype == np.int32
    assert random.split(key).shape == (2, 2) and random.split(key, (3, 2)).shape == (3, 2, 2)
    assert random.bernoulli(key, np.full((2, 3), 0.5, F32)).shape == (2, 3)
    assert random.categorical(key, np.zeros((4, 3), F32)).shape == (4,)
    z = random.normal(key, (4,), jnp.complex64)
    assert z.dtype == np.complex64 and abs(a(z)).max() > 0
    with pytest.raises(ValueError, match="unsigned"):
        random.bits(key, (2,), np.int32)
    with pytest.raises(ValueError, match="float dtype"):
        random.uniform(key, (2,), np.int32)
    with pytest.raises(TypeError, match="shape must be a sequence"):
        random.uniform(key, 3)
    with pytest.raises(ValueError, match="broadcast"):
        random.bernoulli(key, np.full((3,), 0.5, F32), (2,))


def test_deterministic_and_distinct_keys():
    key = random.PRNGKey(17)
    np.testing.assert_array_equal(a(random.normal(key, (8,))), a(random.normal(key, (8,))))
    keys = a(random.split(key, 100))
    folded = np.stack([a(random.fold_in(key, i)) for i in (0, 1, 2, 1000, 2 ** 32 - 1)])
    assert len({tuple(k) for k in keys}) == 100 and len({tuple(k) for k in folded}) == 5
    assert tuple(a(key)) not in {tuple(k) for k in keys}


def test_jit_matches_eager():
    key = random.PRNGKey(21)

    @lintra.jit
    def draw(key):
        k1, k2 = random.split(key)
        return random.normal(k1, (5,)), random.randint(k2, (5,), 0, 100), random.permutation(k2, 6)
    eager = [random.normal(random.split(key)[0], (5,)), random.randint(random.split(key)[1], (5,), 0, 100),
             random.permutation(random.split(key)[1], 6)]
    for j, e in zip(draw(key), eager):
        np.testing.assert_array_equal(a(j), a(e))


def test_jit_retraces_when_the_counter_scheme_changes():
    f = lintra.jit(lambda key: random.bits(key, (2,)))
    key = random.PRNGKey(0)
    part = a(f(key))
    lintra.config.update("jax_threefry_partitionable", False)
    try:
        np.testing.assert_array_equal(a(f(key)), np_bits(a(key), (2,), np.uint32, False))
    finally:
        lintra.config.update("jax_threefry_partitionable", True)
    np.testing.assert_array_equal(a(f(key)), part)


def test_vmap_over_keys_matches_a_loop():
    keys = random.split(random.PRNGKey(0), 3)
    out = lintra.vmap(lambda k: random.uniform(k, (2,)))(keys)
    np.testing.assert_array_equal(a(out), np.stack([a(random.uniform(k, (2,))) for k in keys]))


def test_grad_through_uniform_bounds():
    key = random.PRNGKey(2)
    u = a(random.uniform(key, (5,)))
    d = lintra.grad(lambda hi: jnp.sum(random.uniform(key, (5,), minval=0., maxval=hi)))(2.0)
    np.testing.assert_allclose(a(d), u.sum(), rtol=1e-6)
