"""dot, matmul, vdot, inner, outer, tensordot and einsum against NumPy, eagerly and under jit."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp

rng = np.random.default_rng(0)
A = rng.standard_normal((2, 3, 4)).astype(np.float32)
M = rng.standard_normal((4, 5)).astype(np.float32)
V = rng.standard_normal(4).astype(np.float32)
B = rng.standard_normal((3, 1, 4, 2)).astype(np.float32)
S = rng.standard_normal((3, 3)).astype(np.float32)


def products(m, a, mat, v, b, s):
    return (m.dot(v, v), m.dot(mat.T, v), m.dot(a, mat), m.dot(a, v), m.dot(2.0, v), a @ mat, v @ mat, a @ v,
            m.matmul(mat.T, a.transpose(0, 2, 1)), a @ b, m.matmul(s, a), m.vdot(a, a), m.inner(a, v),
            m.outer(v, mat[0]), m.tensordot(a, mat, 1), m.tensordot(a, a[0], axes=([1, 2], [0, 1])),
            m.tensordot(a, a, axes=([0], [0])), m.tensordot(a, a, 3))


EINSUM = ["ij,jk->ik", "ij,jk", "bij,jk->bik", "ii->i", "ii", "ij->ji", "ij->", "i,i->", "i,j->ij",
          "bij,bkj->bik", "...ij,jk->...ik", "ij,jk,kl->il", "iij->ij", "ijk->kj", "i...->...", "...j,j->..."]


def operands(spec):
    shapes = {"ij,jk->ik": [(3, 4), (4, 5)], "ij,jk": [(3, 4), (4, 5)], "bij,jk->bik": [(2, 3, 4), (4, 5)],
              "ii->i": [(3, 3)], "ii": [(3, 3)], "ij->ji": [(3, 4)], "ij->": [(3, 4)], "i,i->": [(4,), (4,)],
              "i,j->ij": [(3,), (4,)], "bij,bkj->bik": [(2, 3, 4), (2, 5, 4)],
              "...ij,jk->...ik": [(2, 1, 3, 4), (4, 5)], "ij,jk,kl->il": [(3, 4), (4, 5), (5, 2)],
              "iij->ij": [(3, 3, 2)], "ijk->kj": [(2, 3, 4)], "i...->...": [(3, 2, 2)], "...j,j->...": [(2, 3), (3,)]}
    r = np.random.default_rng(len(spec))
    return [r.standard_normal(s).astype(np.float32) for s in shapes[spec]]


def test_products_match_numpy():
    args = (A, M, V, B, S)
    want = products(np, *args)
    jitted = lintra.jit(lambda *xs: products(jnp, *xs))(*args)
    eager = products(jnp, *[jnp.asarray(x) for x in args])
    for got_all in (eager, jitted):
        for k, (got, w) in enumerate(zip(got_all, want)):
            assert got.shape == np.shape(w), k
            np.testing.assert_allclose(np.asarray(got), w, rtol=2e-5, atol=2e-5, err_msg=str(k))


def test_einsum_matches_numpy():
    ops = {spec: operands(spec) for spec in EINSUM}
    jitted = lintra.jit(lambda o: [jnp.einsum(spec, *o[spec]) for spec in EINSUM])(ops)
    for spec, got in zip(EINSUM, jitted):
        want = np.einsum(spec, *ops[spec])
        assert got.shape == want.shape, spec
        np.testing.assert_allclose(np.asarray(got), want, rtol=2e-5, atol=2e-5, err_msg=spec)
    eager = jnp.einsum("bij,bkj->bik", *[jnp.asarray(o) for o in ops["bij,bkj->bik"]])
    np.testing.assert_allclose(eager, np.einsum("bij,bkj->bik", *ops["bij,bkj->bik"]), rtol=2e-5)


def test_product_dtypes():
    i = jnp.asarray(np.arange(6, dtype=np.int8).reshape(2, 3))
    assert (i @ i.T).dtype == np.int8 and (i @ i.T).tolist() == [[5, 14], [14, 50]]
    assert jnp.dot(i, jnp.ones(3, jnp.float16)).dtype == np.float16
    assert jnp.matmul(i, i.T, preferred_element_type=jnp.int32).dtype == np.int32
    b = jnp.asarray([[True, False], [False, False]])
    assert (b @ b).dtype == np.bool_ and (b @ b).tolist() == [[True, False], [False, False]]
    c = np.array([1 + 2j, 3 - 1j], np.complex64)
    assert complex(jnp.vdot(c, c)) == pytest.approx(np.vdot(c, c))
    w = jnp.einsum("i,i->", jnp.ones(3, jnp.bfloat16), jnp.ones(3))
    assert w.dtype == np.float32


def test_product_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"matmul: shapes f32\[2,3\] and f32\[4,5\] are not aligned"):
        jnp.ones((2, 3)) @ jnp.ones((4, 5))
    with pytest.raises(ValueError, match="matmul: operand 0 .* is a scalar"):
        jnp.matmul(jnp.asarray(1.0), jnp.ones(2))
    with pytest.raises(ValueError, match=r"batch dimensions of f32\[2,3,3\] and f32\[4,3,3\] do not broadcast"):
        jnp.ones((2, 3, 3)) @ jnp.ones((4, 3, 3))
    with pytest.raises(ValueError, match="einsum: subscripts 'ij,jk' name 2 operands, but 1 were given"):
        jnp.einsum("ij,jk", jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="label 'j' of 'ij,jk' has size 3 in one operand and 4 in another"):
        jnp.einsum("ij,jk", jnp.ones((2, 3)), jnp.ones((4, 5)))
    with pytest.raises(ValueError, match="does not match the number of labels"):
        jnp.einsum("ijk", jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="output label 'z'"):
        jnp.einsum("ij->z", jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="tensordot: shapes .* are not aligned"):
        jnp.tensordot(jnp.ones((2, 3)), jnp.ones((2, 3)), 1)
