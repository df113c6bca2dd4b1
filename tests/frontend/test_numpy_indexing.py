"""x[idx] and x.at[idx] updates against NumPy, eagerly and under jit."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
I = np.array([1, 0, 1])


STATIC = [
    1, -1, (1, 2), (slice(None), 1), (Ellipsis, 2), None, (slice(None), None, 1), slice(1, None),
    slice(None, None, -1), (slice(None), slice(None, None, 2)), (slice(None), slice(None, None, -2), slice(1, 3)),
    (0, Ellipsis, slice(None, None, -1)), (), Ellipsis, (1, -1, -1), slice(5, None), (slice(None), slice(10, None)),
    True, False, (slice(None), slice(3, 0, -1)), slice(-100, 100), (None, 0, None, slice(None, None, 3)),
    (slice(1, 2), slice(0, 3, 2), slice(3, None, -3)),
]
ADVANCED = [
    np.array([1, 0]), (slice(None), [2, 0, 1]), ([0, 1], [1, 2]), ([0, 1], slice(None), [1, 2]),
    (slice(None), [[0], [2]], [1, 3]), (0, slice(None), [1, 2]), (Ellipsis, [-1]), X > 10, X[:, :, 0] > 5,
    (slice(None), [True, False, True]), (None, [1, 0]), (1, [0, 2], None, slice(None, None, -1)),
    (np.array(1), [2, 1]), ([], slice(None)),
]


@pytest.mark.parametrize("kind", ["static", "advanced"])
def test_getitem_matches_numpy(kind):
    cases = STATIC if kind == "static" else ADVANCED
    jitted = lintra.jit(lambda x: [x[i] for i in cases])(X)
    x = jnp.asarray(X)
    for idx, j in zip(cases, jitted):
        want = X[idx]
        for got in (x[idx], j):
            assert got.shape == want.shape, idx
            np.testing.assert_array_equal(np.asarray(got), want, err_msg=str(idx))


def test_traced_integer_indices_gather():
    def f(x, i, idx):
        return x[i], x[i, :, i], x[:, idx], x[idx, idx % 3], x[idx, :, 1:3], x[1, idx], x[:, i, idx]
    i = np.int32(1)
    want = [X[1], X[1, :, 1], X[:, I], X[I, I % 3], X[I, :, 1:3], X[1, I], X[:, 1, I]]
    eager = f(jnp.asarray(X), jnp.asarray(i), jnp.asarray(I))
    for outs in (lintra.jit(f)(X, i, I), eager):
        for got, w in zip(outs, want):
            assert got.shape == w.shape
            np.testing.assert_array_equal(np.asarray(got), w)


@pytest.mark.parametrize("shape,idx,want", [
    ((4, 0), lambda i: (i, i), (0,)), ((0, 4), lambda i: (i, i), (0,)), ((0, 4, 4), lambda i: i, (0, 4, 4)),
    ((2, 0), lambda i: (i[:2] * 0 + 1, slice(None)), (2, 0))])
def test_empty_results_of_traced_indices_on_empty_axes(shape, idx, want):
    # JAX 0.10.2 reads nothing for an empty result (no gather, whose 1-wide slices cannot fit an axis of
    # size 0): optax's assignment tests index a (4, 0) cost matrix with the empty assignment it returns
    x, i = np.zeros(shape, np.float32), np.zeros(0 if shape != (2, 0) else 2, np.int32)
    assert x[idx(i)].shape == want     # as NumPy
    for got in (jnp.asarray(x)[idx(jnp.asarray(i))], lintra.jit(lambda x, i: x[idx(i)])(x, i)):
        assert got.shape == want and got.dtype == np.float32


def test_traced_indices_wrap_negatives_and_clamp_as_jax():
    f = lintra.jit(lambda x, i: (x[i], x[:, i]))
    np.testing.assert_array_equal(f(X, -1)[0], X[-1])
    np.testing.assert_array_equal(f(X, np.array([-1, 0]))[1], X[:, [-1, 0]])
    np.testing.assert_array_equal(f(X, 7)[0], X[1])                # out of bounds: clamped into range
    # static integers clamp too, as in JAX 0.10.2 (NumPy raises): -5 counts from the end once, then clamps
    np.testing.assert_array_equal(jnp.asarray(X)[2], X[1])
    np.testing.assert_array_equal(lintra.jit(lambda x: x[0, -5])(X), X[0, 0])


def test_eager_masks_iteration_and_len():
    x = jnp.asarray(X[0])
    np.testing.assert_array_equal(x[x > 6], X[0][X[0] > 6])         # a concrete Lintra mask
    rows = list(x)
    assert len(x) == 3 and len(rows) == 3
    np.testing.assert_array_equal(rows[2], X[0, 2])


def np_at(x, idx, how, v):
    out = x.copy()
    if how == "set":
        out[idx] = v
    else:
        {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum}[how].at(out, idx, v)
    return out


UPDATES = [
    (1, "set", 0.0), ((slice(None), 1), "add", 5.0), ((0, slice(None, None, 2), 1), "multiply", -2.0),
    (([0, 1], [1, 2]), "min", 3.0), ((Ellipsis, [0, 0, 3]), "add", 1.0), ((slice(None), slice(None, None, -1)), "max",
                                                                            10.0),
    (X > 20, "set", -1.0), ((None, 1, 2), "set", np.array([7, 8, 9, 10], np.float32)), ((), "add", 1.0),
    ((slice(1, None), [0, 2]), "set", np.array([[1, 2, 3, 4]], np.float32)),
]


def test_at_updates_match_numpy():
    def apply(x):
        return [getattr(x.at[idx], how)(v) for idx, how, v in UPDATES]
    x = jnp.asarray(X)
    for outs in (apply(x), lintra.jit(apply)(X)):
        for (idx, how, v), got in zip(UPDATES, outs):
            np.testing.assert_array_equal(np.asarray(got), np_at(X, idx, how, v), err_msg=f"{idx} {how}")


def test_at_with_traced_indices_and_aliases():
    @lintra.jit
    def f(x, i, idx, v):
        return x.at[i].set(v), x.at[idx, 0].add(1.0), x.at[:, idx].mul(2.0), x.at[idx].get(), x.at[i, i].max(99)
    a, b, c, d, e = f(X, 1, I, 0.5)
    np.testing.assert_array_equal(a, np_at(X, 1, "set", 0.5))
    np.testing.assert_array_equal(b, np_at(X, (I, 0), "add", 1.0))          # repeated indices accumulate
    np.testing.assert_array_equal(c, np_at(X, (slice(None), I), "multiply", 2.0))
    np.testing.assert_array_equal(d, X[I])
    np.testing.assert_array_equal(e, np_at(X, (1, 1), "max", 99.0))


def test_at_dtypes_bounds_and_weak_types():
    i = jnp.arange(4)
    out = i.at[1].set(2.7)                                     # cast to the array's dtype, as JAX
    assert out.dtype == np.int32 and out.tolist() == [0, 2, 2, 3]
    assert i.at[9].set(5).tolist() == [0, 1, 2, 3]            # out of bounds updates are dropped
    assert lintra.jit(lambda x, j: x.at[j].add(10))(i, 9).tolist() == [0, 1, 2, 3]
    w = jnp.asarray(1.0).at[()].add(1)
    assert w.weak_type and float(w) == 2.0
    h = jnp.ones(3, jnp.float16).at[0].set(2.0)
    assert h.dtype == np.float16 and not h.weak_type
    assert jnp.ones(2).at[False].set(5.0).tolist() == [1, 1]
    with pytest.raises(ValueError, match=r"update of shape \(3,\) cannot be broadcast to the shape \(2,\)"):
        jnp.ones((2, 2)).at[0].set(jnp.ones(3))


def test_bad_indices_raise_clear_errors():
    x = jnp.asarray(X)
    with pytest.raises(IndexError, match="too many indices for array: array is 3-dimensional, but 4 were indexed"):
        x[0, 0, 0, 0]
    with pytest.raises(TypeError, match="non-tuple sequence"):
        x[[0, 1]]
    with pytest.raises(TypeError, match="Indexer must have integer or boolean type, got indexer with type float32"):
        x[jnp.asarray([0.5])]
    with pytest.raises(IndexError, match="only integers, slices"):
        x["a"]
    with pytest.raises(IndexError, match="single ellipsis"):
        x[..., 0, ...]
    with pytest.raises(IndexError, match=r"boolean index did not match.*got mask of shape \(2,\), expected \(3,\)"):
        x[:, np.array([True, False])]
    with pytest.raises(IndexError, match="shape mismatch: indexing arrays could not be broadcast"):
        x[[0, 1], [0, 1, 2]]
    with pytest.raises(ValueError, match="slice step cannot be zero"):
        x[::0]
    with pytest.raises(IndexError, match=r"boolean index at position 0 is a traced bool\[2\].*concrete"):
        lintra.jit(lambda x, m: x[m])(X, np.array([True, False]))
    with pytest.raises(IndexError, match="slice start must be a static integer"):
        lintra.jit(lambda x, i: x[i:])(X, 1)


def test_masks_are_concrete_under_grad_but_not_under_jit():
    def f(x):
        return jnp.sum(x[x > 0] ** 2)
    x = np.array([1.0, -2.0, 3.0], np.float32)
    np.testing.assert_array_equal(lintra.grad(f)(x), [2, 0, 6])    # grad outside jit traces concretely
    with pytest.raises(IndexError, match="must be a concrete"):
        lintra.jit(lintra.grad(f))(x)
