"""Array-building, index, histogram, statistics and host helpers added for jax.numpy's namespace: values and
dtypes as JAX 0.10.2 gives them (recorded literally), NumPy as the reference elsewhere, jit where the
function is traceable, derivatives against finite differences where it is differentiable."""
import io

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.test_util import check_grads

A = np.arange(6, dtype=np.int32).reshape(2, 3)
F = np.array([0.5, 1.5, 1.5, 2., 3.9], np.float32)


def _eq(r, want, dtype=None):
    if dtype is not None:
        assert r.dtype == np.dtype(dtype), (r.dtype, dtype)
    np.testing.assert_allclose(np.asarray(r), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("f, want, dtype", [
    (lambda: jnp.append(A, np.array([1.5], np.float32)), [0, 1, 2, 3, 4, 5, 1.5], np.float32),
    (lambda: jnp.append(A, A, axis=0), np.concatenate([A, A]), np.int32),
    (lambda: jnp.delete(A, 1, axis=1), [[0, 2], [3, 5]], np.int32),
    (lambda: jnp.delete(A, np.array([0, 2])), [1, 3, 4, 5], np.int32),
    (lambda: jnp.delete(A, slice(0, 2), axis=1), [[2], [5]], np.int32),
    (lambda: jnp.insert(A, 1, 9, axis=1), [[0, 9, 1, 2], [3, 9, 4, 5]], np.int32),
    (lambda: jnp.insert(np.arange(4), np.array([1, 3]), np.array([7, 8])), [0, 7, 1, 2, 8, 3], np.int32),
    (lambda: jnp.insert(np.arange(4), 2, 1.5), [0, 1, 1, 2, 3], np.int32),
    (lambda: jnp.resize(A, (4, 2)), [[0, 1], [2, 3], [4, 5], [0, 1]], np.int32),
    (lambda: jnp.resize(A, 4), [0, 1, 2, 3], np.int32),
    (lambda: jnp.matrix_transpose(A), A.T, np.int32),
    (lambda: jnp.block([[np.eye(2, dtype=np.float32), np.zeros((2, 1), np.float32)], [np.ones((1, 3), np.float32)]]),
     [[1, 0, 0], [0, 1, 0], [1, 1, 1]], np.float32),
    (lambda: jnp.column_stack([np.arange(3), np.arange(3)]), [[0, 0], [1, 1], [2, 2]], np.int32),
    (lambda: jnp.dstack([np.arange(2), np.arange(2)]), [[[0, 0], [1, 1]]], np.int32),
    (lambda: jnp.select([A < 2, A > 4], [A, -A], 99), [[0, 1, 99], [99, 99, -5]], np.int32),
    (lambda: jnp.select([A < 2], [A * np.float32(1.5)]), [[0, 1.5, 0], [0, 0, 0]], np.float32),
    (lambda: jnp.choose(np.array([0, 1, 2]), [np.array([1, 2, 3]), np.array([4, 5, 6]), np.array([7, 8, 9])]),
     [1, 5, 9], np.int32),
    (lambda: jnp.choose(np.array([0, 5]), [np.array([1, 2]), np.array([4, 5])], mode="clip"), [1, 5], np.int32),
    (lambda: jnp.compress(np.array([True, False, True]), A, axis=1), [[0, 2], [3, 5]], np.int32),
    (lambda: jnp.extract(A > 2, A), [3, 4, 5], np.int32),
    (lambda: jnp.extract(A > 2, A, size=5), [3, 4, 5, 0, 0], np.int32),
    (lambda: jnp.place(A, A > 2, np.array([10, 20]), inplace=False), [[0, 1, 2], [10, 20, 10]], np.int32),
    (lambda: jnp.put(A, np.array([0, 4]), np.array([9, 8]), inplace=False), [[9, 1, 2], [3, 8, 5]], np.int32),
    (lambda: jnp.put_along_axis(A, np.array([[0], [2]]), 7, axis=1, inplace=False), [[7, 1, 2], [3, 4, 7]],
     np.int32),
    (lambda: jnp.fill_diagonal(np.zeros((3, 4), np.float32), 5., inplace=False), np.eye(3, 4) * 5, np.float32),
    (lambda: jnp.piecewise(np.array([-1., 0., 2.], np.float32), [np.array([True, False, False]),
                                                                  np.array([False, False, True])],
                           [lambda x: -x, lambda x: x * 10, 5.]), [1., 5., 20.], np.float32),
    (lambda: jnp.ravel_multi_index((np.array([1, 0]), np.array([2, 5])), (2, 3), mode="clip"), [5, 2], np.int32),
    (lambda: jnp.ravel_multi_index((np.array([1, 3]), np.array([2, 5])), (2, 3), mode="wrap"), [5, 5], np.int32),
    (lambda: jnp.unravel_index(np.array([5, 1, 7]), (2, 3))[1], [2, 1, 2], np.int32),   # 7 clips to 5, as JAX
    (lambda: jnp.unravel_index(np.array([-1]), (2, 3))[0], [1], np.int32),
    (lambda: jnp.tril_indices(3, 1, 4)[1], [0, 1, 0, 1, 2, 0, 1, 2, 3], np.int32),
    (lambda: jnp.triu_indices_from(A)[1], [0, 1, 2, 1, 2], np.int32),
    (lambda: jnp.mask_indices(3, jnp.triu, 1)[1], [1, 2, 2], np.int32),
    (lambda: jnp.vecdot(np.array([1 + 1j, 2], np.complex64), np.array([1j, 1], np.complex64)), 3 + 1j,
     np.complex64),
    (lambda: jnp.vecdot(np.ones((2, 3), np.int8), np.ones(3, np.int8)), [3, 3], np.int8),
    (lambda: jnp.matvec(A, np.array([1, 0, 1], np.int32)), [2, 8], np.int32),
    (lambda: jnp.vecmat(np.array([1j, 1], np.complex64), np.ones((2, 2), np.float32)), [1 - 1j, 1 - 1j],
     np.complex64),
    (lambda: jnp.histogram(np.array([1, 2, 2, 3, 5, 9]), 4)[0], [3, 1, 1, 1], np.float32),
    (lambda: jnp.histogram(F, 3, range=(0, 4))[0], [1, 3, 1], np.float32),
    (lambda: jnp.histogram(F, np.array([0., 1., 2., 4.], np.float32), weights=np.arange(5.0, dtype=np.float32))[0],
     [0, 3, 7], np.float32),
    (lambda: jnp.histogram(F, 3, density=True)[0], [9 / 17, 3 / 17, 3 / 17], np.float32),
    (lambda: jnp.histogram(np.array([2., 2.], np.float32), 2)[1], [1.5, 2, 2.5], np.float32),
    (lambda: jnp.histogram2d(F, F[::-1], bins=2)[0], [[3, 1], [1, 0]], np.int32),
    (lambda: jnp.histogramdd(np.stack([F, F[::-1]], 1), bins=[2, 3], range=[(0, 4), (0, 4)])[0],
     [[0, 2, 1], [1, 1, 0]], np.int32),
    (lambda: jnp.interp(np.array([0., 1.5, 2.5, 5.], np.float32), np.array([1., 2., 3.], np.float32),
                        np.array([10., 20., 40.], np.float32)), [10, 15, 30, 40], np.float32),
    (lambda: jnp.interp(np.array([1, 2]), np.array([0, 3]), np.array([0, 3])), [1, 2], np.float32),
    (lambda: jnp.interp(np.array([-1., 7.], np.float32), np.arange(4.0, dtype=np.float32),
                        np.array([0., 1., 4., 9.], np.float32), period=4), [9, 9], np.float32),
    (lambda: jnp.interp(np.array([0.5], np.float32), np.array([0., 1.], np.float32),
                        np.array([0j, 1 + 1j], np.complex64)), [0.5 + 0.5j], np.complex64),
    (lambda: jnp.interp(np.array([0., 5.], np.float32), np.array([1., 2., 3.], np.float32),
                        np.array([10., 20., 40.], np.float32), left="extrapolate", right="extrapolate"),
     [0, 80], np.float32),
    (lambda: jnp.cov(np.array([[1., 2, 4], [2, 1, 0]], np.float32)), [[2.3333333, -1.5], [-1.5, 1.]], np.float32),
    (lambda: jnp.cov(np.array([[1., 2, 4], [2, 1, 0]], np.float32), fweights=np.array([1, 2, 1]),
                     aweights=np.array([.5, 1, 1])), [[1.5, -0.888889], [-0.888889, 0.5555556]], np.float32),
    (lambda: jnp.corrcoef(np.array([[1., 2, 4], [2, 1, 0]], np.float32)), [[1, -0.9819805], [-0.9819805, 1]],
     np.float32),
    (lambda: jnp.packbits(np.array([1, 0, 1, 1, 0, 0, 0, 1, 1])), [177, 128], np.uint8),
    (lambda: jnp.packbits(np.array([[1, 0, 1], [0, 1, 1]]), axis=1, bitorder="little"), [[5], [6]], np.uint8),
    (lambda: jnp.unpackbits(np.array([177], np.uint8), count=3, bitorder="little"), [1, 0, 0], np.uint8),
    (lambda: jnp.partition(np.array([5, 1, 4, 2, 3]), 2), [1, 2, 3, 5, 4], np.int32),   # JAX's arrangement
    (lambda: jnp.argpartition(np.array([5, 1, 4, 2, 3]), 2), [1, 3, 4, 0, 2], np.int32),
    (lambda: jnp.hanning(5), [0, 0.5, 1, 0.5, 0], np.float32),
    (lambda: jnp.bartlett(1), [1.], np.float32),
    (lambda: jnp.fromfunction(lambda i, j: i + j, (2, 3), dtype=int), [[0, 1, 2], [1, 2, 3]], np.int32),
    (lambda: jnp.apply_over_axes(jnp.sum, A, [0, 1]), [[15]], np.int32),
    (lambda: jnp.mgrid[0:2, 0:3], np.mgrid[0:2, 0:3], np.int32),
    (lambda: jnp.mgrid[0:1:3j], [0., 0.5, 1.], np.float32),
    (lambda: jnp.ogrid[0:2, 0:3][0], [[0], [1]], np.int32),
    (lambda: jnp.r_[np.array([1, 2]), 0, 3:5], [1, 2, 0, 3, 4], np.int32),
    (lambda: jnp.r_["0,2", np.array([1, 2]), np.array([3, 4])], [[1, 2], [3, 4]], np.int32),
    (lambda: jnp.c_[np.array([1, 2]), np.array([3, 4])], [[1, 3], [2, 4]], np.int32),
    (lambda: jnp.frombuffer(b"\x01\x02", dtype=jnp.uint8), [1, 2], np.uint8),
    (lambda: jnp.fromstring("1 2", sep=" ", dtype=int), [1, 2], np.int32),
    (lambda: jnp.copy(A), A, np.int32),
])
def test_values_and_dtypes_match_jax(f, want, dtype):
    _eq(f(), want, dtype)


def test_against_numpy_over_many_cases():
    x = np.arange(24).reshape(2, 3, 4)
    for obj in [0, [1, 2], [0, 0, 3], slice(1, 3), -1, [2, 0]]:
        for ax in [None, 0, 1, 2]:
            try:
                want = np.insert(x, obj, 99, axis=ax)
            except IndexError:
                continue
            np.testing.assert_array_equal(np.asarray(jnp.insert(x, obj, 99, axis=ax)), want)
            try:
                want = np.delete(x, obj, axis=ax)
            except IndexError:
                with pytest.raises(IndexError):
                    jnp.delete(x, obj, axis=ax)
                continue
            np.testing.assert_array_equal(np.asarray(jnp.delete(x, obj, axis=ax)), want)
    for a in range(-3, 3):
        for s in range(-3, 4):
            assert jnp.rollaxis(x, a, s).shape == np.rollaxis(x, a, s).shape
    u = np.random.default_rng(0).integers(0, 256, (3, 5)).astype(np.uint8)
    for ax in [None, 0, 1]:
        for count in [None, 3, -2, 50]:
            for order in ["big", "little"]:
                np.testing.assert_array_equal(np.asarray(jnp.unpackbits(u, axis=ax, count=count, bitorder=order)),
                                              np.unpackbits(u, axis=ax, count=count, bitorder=order))
                bits = np.unpackbits(u, axis=ax, bitorder=order)[..., :13] if ax is not None else \
                    np.unpackbits(u, bitorder=order)[:13]
                np.testing.assert_array_equal(np.asarray(jnp.packbits(bits, axis=ax, bitorder=order)),
                                              np.packbits(bits, axis=ax, bitorder=order))
    for name in ["bartlett", "blackman", "hamming", "hanning"]:
        np.testing.assert_allclose(np.asarray(getattr(jnp, name)(7)), getattr(np, name)(7), atol=1e-6)
    z = np.zeros((7, 3))
    np.fill_diagonal(z, np.arange(4.), wrap=True)
    np.testing.assert_array_equal(np.asarray(jnp.fill_diagonal(np.zeros((7, 3)), np.arange(4.), wrap=True,
                                                               inplace=False)), z)
    rng = np.random.default_rng(2)
    m = rng.normal(size=(3, 8))
    np.testing.assert_allclose(np.asarray(jnp.cov(m, rowvar=True, ddof=2)), np.cov(m, ddof=2), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.corrcoef(m.T, rowvar=False)), np.corrcoef(m.T, rowvar=False),
                               rtol=1e-5)
    s = rng.normal(size=50)
    counts, edges = jnp.histogram(s, bins=7)
    want_c, want_e = np.histogram(s, bins=7)
    np.testing.assert_allclose(np.asarray(edges), want_e, rtol=1e-5)
    np.testing.assert_array_equal(np.asarray(counts), want_c)
    xp = np.sort(rng.uniform(size=6))
    np.testing.assert_allclose(np.asarray(jnp.interp(s, xp, xp ** 2)), np.interp(s, xp, xp ** 2), rtol=1e-5)
    s = s.astype(np.float32)
    part = np.asarray(jnp.partition(s, 17))
    assert np.all(part[:17] <= part[17]) and np.all(part[18:] >= part[17]) and part[17] == np.sort(s)[17]


def test_predicates_and_host_helpers(tmp_path):
    assert jnp.isscalar(jnp.asarray(1)) and jnp.isscalar(1.0) and not jnp.isscalar(jnp.ones(2))
    assert jnp.isdtype(jnp.bfloat16, "real floating") and not jnp.isdtype(jnp.bool_, "numeric")
    assert jnp.isdtype(jnp.int8, ("integral", jnp.float32)) and jnp.isdtype(jnp.uint8, "unsigned integer")
    assert jnp.broadcast_shapes((2, 1), (3,)) == (2, 3)
    assert jnp.array_str(jnp.arange(3)) == "[0 1 2]"
    assert "Array" in jnp.array_repr(jnp.arange(3))
    path = tmp_path / "a.npy"
    jnp.save(path, jnp.arange(3))
    loaded = jnp.load(path)
    assert isinstance(loaded, jnp.ndarray) and loaded.tolist() == [0, 1, 2]
    assert jnp.fromiter(range(3), dtype=float).dtype == np.float32
    buf = io.BytesIO()
    jnp.savez(buf, x=jnp.ones(2))
    assert jnp.unstack(A, axis=1)[2].tolist() == [2, 5]
    with pytest.raises(ValueError, match="immutable"):
        jnp.put(A, 0, 1)


def test_traceable_ones_under_jit():
    f = lintra.jit(lambda x, i: (jnp.histogram(x, 3, range=(0, 4))[0], jnp.interp(x, jnp.arange(4.0), x[:4]),
                                 jnp.extract(x > 1, x, size=4), jnp.unravel_index(i, (2, 3)),
                                 jnp.select([x < 1], [x], 7.0), jnp.packbits(x > 1)))
    counts, y, ext, (r, c), sel, bits = f(F, np.array([4, 5], np.int32))
    np.testing.assert_array_equal(np.asarray(counts), [1, 3, 1])
    np.testing.assert_allclose(np.asarray(y), np.interp(F, np.arange(4.0), F[:4]), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(ext), F[1:])
    assert r.tolist() == [1, 1] and c.tolist() == [1, 2]
    np.testing.assert_array_equal(np.asarray(sel), np.where(F < 1, F, 7.0))
    np.testing.assert_array_equal(np.asarray(bits), np.packbits(F > 1))


X = np.array([[0.3, -1.2, 2.0], [1.1, 0.4, -0.7]], np.float32)


@pytest.mark.parametrize("f", [
    lambda x: jnp.append(x, x[0] ** 2),
    lambda x: jnp.insert(x, 1, x[0] * 3, axis=0),
    lambda x: jnp.delete(x ** 2, 1, axis=1),
    lambda x: jnp.block([[x, x ** 2]]),
    lambda x: jnp.select([x > 0], [x ** 2], x),
    lambda x: jnp.choose(np.array([[0, 1, 0], [1, 0, 1]]), [x, x ** 3]),
    lambda x: jnp.piecewise(x, [x < 0], [lambda v: v ** 2, lambda v: jnp.sin(v)]),
    lambda x: jnp.interp(jnp.array([0.25, 1.5]), jnp.arange(3.0), x[0] ** 2),
    lambda x: jnp.interp(x[1] * 0.5 + 1.0, jnp.arange(3.0), jnp.array([1.0, -2.0, 3.0])),
    lambda x: jnp.cov(x),
    lambda x: jnp.corrcoef(x + jnp.array([[0.0, 0.1, 0.5], [0.2, 0.0, 0.9]])),
    lambda x: jnp.vecdot(x, x[::-1]),
    lambda x: jnp.matvec(x.T @ x, x[0]),
    lambda x: jnp.put(x, jnp.array([1, 4]), x[0, :2] ** 2, inplace=False),
    lambda x: jnp.histogram(jnp.array([0.1, 0.5, 0.9]), 2, weights=x[0] ** 2)[0],
])
def test_gradients_match_finite_differences(f):
    check_grads(f, (X,), order=2, modes=["fwd", "rev"], rtol=2e-2, atol=2e-2)


def test_array_methods_that_are_jnp_functions():
    x = jnp.array([3, 1, 2])
    assert x.argsort().tolist() == [1, 2, 0] and x.sort().tolist() == [1, 2, 3]
    assert int(jnp.array([1, 2, 3]).searchsorted(2)) == 1 and x.take(jnp.array([0, 2])).tolist() == [3, 2]
    assert x.repeat(2).tolist() == [3, 3, 1, 1, 2, 2] and int(x.ptp()) == 2 and x.copy().tolist() == [3, 1, 2]
    assert jnp.eye(2).diagonal().tolist() == [1., 1.] and float(jnp.eye(2).trace()) == 2.0
    assert x.argpartition(1).tolist() == [1, 2, 0]
    assert jnp.array([0, 1]).choose([jnp.array([1, 2]), jnp.array([3, 4])]).tolist() == [1, 4]
    assert x.compress(jnp.array([True, False, True])).tolist() == [3, 2]
    assert x.tobytes() == np.array([3, 1, 2], np.int32).tobytes()
    assert lintra.jit(lambda a: a.sort())(x).tolist() == [1, 2, 3]


def test_result_types_match_jax():
    # JAX 0.10.2's dtypes and weak types for these calls
    r = jnp.choose(np.array([0, 1]), [1, 2.5])
    assert r.dtype == np.float32 and not r.weak_type
    i8 = np.array([1, 2], np.int8)
    assert jnp.ravel_multi_index((i8, i8), (3, 3)).dtype == np.int8
    b = jnp.vecdot(np.array([True, False]), np.array([True, False]))
    assert b.dtype == np.bool_ and bool(b)
    d = jnp.diff(i8, prepend=1.5)
    assert d.dtype == np.float32 and d.weak_type and d.tolist() == [-0.5, 1.0]


def test_argpartition_gives_int32_with_x64(x64):
    assert jnp.argpartition(np.array([3., 1., 2.]), 1).dtype == np.int32


_BATCHED = {
    "polyval": lambda x: jnp.polyval(x[:3], x), "interp": lambda x: jnp.interp(x, jnp.arange(6.0), x ** 2),
    "histogram": lambda x: jnp.histogram(x, 3, range=(-2, 2), weights=x ** 2)[0],
    "union1d": lambda x: jnp.union1d(x, x[::-1], size=8), "setdiff1d": lambda x: jnp.setdiff1d(x, x[:2], size=6),
    "isin": lambda x: jnp.isin(x, x[:2]), "trapezoid": jnp.trapezoid, "cross": lambda x: jnp.cross(x[:3], x[3:]),
    "cov": lambda x: jnp.cov(x.reshape(2, 3)), "roots": lambda x: jnp.roots(x[:3], strip_zeros=False),
    "gcd": lambda x: jnp.gcd(x, 6), "select": lambda x: jnp.select([x > 0], [x], -1), "nanargmax": jnp.nanargmax,
    "sum_where": lambda x: jnp.sum(x, where=x > 0, initial=1), "partition": lambda x: jnp.partition(x, 2),
    "unwrap": lambda x: jnp.unwrap(x * 3), "frexp": lambda x: jnp.frexp(x)[0],
}


@pytest.mark.parametrize("name", sorted(_BATCHED))
def test_vmap_matches_a_loop(name):
    f = _BATCHED[name]
    rng = np.random.default_rng(0)
    integer = name in ("gcd", "union1d", "setdiff1d", "isin")
    xs = rng.integers(0, 5, (4, 6)).astype(np.int32) if integer else rng.normal(size=(4, 6)).astype(np.float32)
    got = np.asarray(lintra.vmap(f)(xs))
    want = np.stack([np.asarray(f(x)) for x in xs])
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True)


def test_edge_cases_match_jax():
    # JAX 0.10.2's results for these calls
    u8 = np.array([1, 200, 3, 4], np.uint8)
    assert jnp.cumulative_sum(u8).dtype == np.uint32 and jnp.cumulative_prod(u8).dtype == np.uint8
    assert jnp.bincount(np.array([3, -1, 2, 0])).tolist() == [2, 0, 1, 1]        # negatives count in bin 0
    assert jnp.bincount(np.array([3, -1, 2, 0]), length=2).tolist() == [2, 0]
    assert float(jnp.select(np.array([0.5, 0.]), np.array([1., 2.]))) == 1.0     # an array as condlist
    m = np.array([[1.0, 2.0], [0.5, -3.0]], np.float32)
    np.testing.assert_array_equal(np.asarray(jnp.polyval(m, m)), [[1.5, 1.], [1., -9.]])
    np.testing.assert_array_equal(np.asarray(jnp.polyder(m)), [[1., 2.]])


def test_more_edge_cases_match_jax():
    x = np.array([0.5, -1.25, 2.0, 0.0], np.float32)
    np.testing.assert_allclose(np.asarray(jnp.quantile(x, np.array([-0.5, 1.5, 0.3], np.float32))),
                               [-1.25, 2.0, -0.125], rtol=1e-5)       # q outside [0, 1] reads min / max
    assert float(jnp.percentile(x, 150.)) == 2.0
    assert jnp.left_shift(np.array([True]), np.array([True])).dtype == np.int32
    assert jnp.right_shift(True, True).dtype == np.int32
    assert jnp.ldexp(np.array([True]), np.array([True])).tolist() == [2.0]
