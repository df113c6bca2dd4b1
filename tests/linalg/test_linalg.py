"""lintra.numpy.linalg and lintra.lax.linalg against NumPy/SciPy (eager and under jit, batched, vmapped),
and their derivatives against finite differences (lintra.test_util.check_grads).

Derivatives of decompositions are checked on quantities the decomposition determines uniquely: the
eigenvector and singular-vector phases LAPACK picks are arbitrary, so those enter through projectors
(v v^H) and products (u vh) only. The tables VMAP and GRADS name the primitive each row exercises (checked:
the row's function emits it); COVERED_BATCH_PRIMITIVES and COVERED_AD_PRIMITIVES are derived from them.
"""
import zlib
from typing import NamedTuple

import numpy as np
import pytest
import scipy.linalg

import lintra
import lintra.lax.linalg as lax_linalg
import lintra.numpy as jnp
import lintra.numpy.linalg as la
from lintra.ir.ad.jvp_rules import NotDifferentiableError
from lintra.test_util import check_grads

F32, F64, C64, C128 = (np.dtype(d) for d in ("float32", "float64", "complex64", "complex128"))
TOL = {F32: 3e-5, C64: 3e-5, F64: 1e-12, C128: 1e-12}




def _rng(name):
    return np.random.default_rng(zlib.crc32(name.encode()))


def _random(rng, dtype, shape):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _mH(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _well_conditioned(rng, dtype, shape):
    n = shape[-1]
    return (_random(rng, dtype, shape) + 3 * np.eye(n)).astype(dtype)


def _hpd(rng, dtype, shape):
    x = _random(rng, dtype, shape)
    return (x @ _mH(x) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def _close(actual, expected, dtype, scale=10.0):
    for a, e in zip(actual if isinstance(actual, tuple) else (actual,),
                    expected if isinstance(expected, tuple) else (expected,), strict=True):
        np.testing.assert_allclose(np.asarray(a), e, rtol=TOL[dtype] * scale, atol=TOL[dtype] * scale)


# ---- lintra.numpy.linalg vs NumPy --------------------------------------------------------------------------
# name -> (input makers by shape, the lintra function, the NumPy reference). References that are unique up to
# LAPACK's choices (eigenvectors, singular vectors, Q) compare invariants instead.

def _eigh_invariants(mod, xp):
    def f(a):
        w, v = mod.eigh(a)
        return w, xp.matmul(v, xp.conj(xp.swapaxes(v * w[..., None, :], -1, -2)))      # V diag(w) V^H
    return f


def _svd_invariants(mod, **kw):
    def f(a):
        u, s, vh = mod.svd(a, full_matrices=False, **kw)
        return s, (u * s[..., None, :]) @ vh
    return f


def _qr_invariants(mod):
    def f(a):
        q, r = mod.qr(a)
        # R's diagonal signs are LAPACK's choice; Q R and |R| are not
        return q @ r, abs(r)
    return f


def _norms(mod):
    def f(a):
        orders = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]
        vec = a[..., 0, :]
        return (tuple(mod.norm(a, o) for o in orders) + tuple(mod.norm(vec, o) for o in (None, 1, 3, 0, np.inf))
                + (mod.norm(a, axis=(0,), keepdims=True), mod.norm(a, 2, axis=(1, 0))))
    return f


# input makers: (kind, shape); sq is well conditioned, hpd Hermitian positive definite, gen Gaussian
sq, hpd, gen = (lambda s=(3, 3): ("sq", s)), (lambda s=(3, 3): ("hpd", s)), (lambda s=(4, 3): ("gen", s))
MAKERS = {"sq": _well_conditioned, "hpd": _hpd, "gen": _random}

API = {
    "cholesky": ([hpd()], la.cholesky, np.linalg.cholesky),
    "cholesky_upper": ([hpd()], lambda a: la.cholesky(a, upper=True), lambda a: np.linalg.cholesky(a, upper=True)),
    "solve": ([sq(), gen((3, 2))], la.solve, np.linalg.solve),
    "solve_vector": ([sq(), gen((3,))], la.solve, np.linalg.solve),
    "inv": ([sq()], la.inv, np.linalg.inv),
    "det": ([sq()], la.det, np.linalg.det),
    "slogdet": ([sq()], lambda a: tuple(la.slogdet(a)), lambda a: tuple(np.linalg.slogdet(a))),
    "eigh": ([hpd()], _eigh_invariants(la, jnp), _eigh_invariants(np.linalg, np)),
    "eigvalsh": ([hpd()], la.eigvalsh, np.linalg.eigvalsh),
    "svd": ([gen()], _svd_invariants(la), _svd_invariants(np.linalg)),
    "svd_hermitian": ([hpd()], _svd_invariants(la, hermitian=True), _svd_invariants(np.linalg)),
    "svdvals": ([gen((3, 4))], la.svdvals, lambda a: np.linalg.svd(a, compute_uv=False)),
    "qr": ([gen()], _qr_invariants(la), _qr_invariants(np.linalg)),
    "norm": ([gen()], _norms(la), _norms(np.linalg)),
    "pinv": ([gen()], la.pinv, np.linalg.pinv),
    "matrix_power": ([sq()], lambda a: (la.matrix_power(a, 5), la.matrix_power(a, 0), la.matrix_power(a, -2)),
                     lambda a: tuple(np.linalg.matrix_power(a, n) for n in (5, 0, -2))),
    "lstsq": ([gen((5, 3)), gen((5, 2))], lambda a, b: tuple(la.lstsq(a, b)), lambda a, b: np.linalg.lstsq(a, b)),
    "matrix_rank": ([gen()], la.matrix_rank, np.linalg.matrix_rank),
}
BATCHED = ["cholesky", "solve", "slogdet", "eigh", "svd", "qr"]
# complex64 rows: the functions whose complex case differs from the real one
COMPLEX = ["cholesky", "solve", "inv", "det", "slogdet", "eigh", "svd", "qr", "norm", "pinv", "lstsq"]


def _inputs(name, makers, dtype, batch=()):
    rng = _rng(name)
    return [MAKERS[kind](rng, dtype, batch + shape) for kind, shape in makers]


def _run_api(name, dtype, mode, batch=()):
    makers, fun, ref = API[name]
    args = _inputs(name, makers, dtype, batch)
    out = (lintra.jit(fun) if mode == "jit" else fun)(*args)
    _close(tuple(out) if isinstance(out, tuple) else out, ref(*args), dtype, 30)


@pytest.mark.parametrize("name,dtype,mode", [(n, d, m) for d, m in ((F32, "jit"), (C64, "jit"), (F64, "eager"))
                                             for n in sorted(API) if d != C64 or n in COMPLEX], ids=str)
def test_numpy_linalg(name, dtype, mode, request):
    if dtype == F64:
        request.getfixturevalue("x64")
    _run_api(name, dtype, mode)


@pytest.mark.parametrize("name", BATCHED)
def test_numpy_linalg_batched(name):
    """Leading batch dimensions, as NumPy accepts them."""
    _run_api(name, F32, "jit", batch=(2,))


def test_solve_broadcasts_batches():
    rng = _rng("broadcast")
    a, b = _well_conditioned(rng, F32, (2, 1, 3, 3)), _random(rng, F32, (4, 3, 2))
    _close(la.solve(a, b), np.linalg.solve(a, b), F32)
    with pytest.raises(ValueError, match="solve: b must be"):
        la.solve(a, np.ones((2, 2), np.float32))


def test_integer_inputs_promote():
    a = np.array([[2, 1], [1, 3]])
    _close(la.det(a), np.linalg.det(a), F32)
    assert la.inv(a).dtype == np.float32
    np.testing.assert_array_equal(np.asarray(la.matrix_power(a, 3)), np.linalg.matrix_power(a, 3))


def test_singular_matrices():
    a = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
    assert float(la.det(a)) == 0.0
    sign, logdet = la.slogdet(a)
    assert float(sign) == 0.0 and float(logdet) == -np.inf
    assert int(la.matrix_rank(a)) == 1
    _close(la.pinv(a), np.linalg.pinv(a), F32)


def test_singular_edge_values_are_jax_s():
    """Values recorded from JAX 0.10.2 on CPU: back substitution through a zero pivot gives +-inf (not NaN),
    a failed Cholesky factor is NaN throughout its lower triangle, and det's derivative is the adjugate,
    finite at singular matrices (zero below rank n-1)."""
    s = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
    assert np.asarray(la.inv(s)).tolist() == [[-np.inf, np.inf], [np.inf, -np.inf]]
    assert np.asarray(la.solve(s, np.ones(2, np.float32))).tolist() == [-np.inf, np.inf]
    nan_first = np.asarray(la.inv(np.array([[np.nan, 1.0], [1.0, 1.0]], np.float32)))
    assert np.isnan(nan_first[0]).all() and nan_first[1].tolist() == [-np.inf, np.inf]
    chol = np.asarray(la.cholesky(s))
    assert np.isnan(chol[np.tril_indices(2)]).all() and chol[0, 1] == 0.0
    assert np.asarray(lintra.grad(la.det)(s)).tolist() == [[4.0, -2.0], [-2.0, 1.0]]
    assert np.asarray(lintra.grad(la.det)(np.ones((3, 3), np.float32))).tolist() == [[0.0] * 3] * 3
    rng = np.random.RandomState(0)
    rank3 = rng.randn(4, 3) @ rng.randn(3, 4)            # rank n-1: the adjugate is rank one, nonzero
    rank1 = np.outer(rng.randn(4), rng.randn(4))        # rank n-2: the adjugate is zero
    for a in (rank3, rank1):
        adj = np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(a, i, 0), j, 1)) for i in range(4)]
                        for j in range(4)])            # the classical adjugate, from cofactors
        _close(lintra.jit(lintra.grad(la.det))(a.astype(np.float32)), adj.T, F32)


def test_errors_name_the_value():
    with pytest.raises(ValueError, match=r"square matrices.*f32\[2,3\]"):
        la.inv(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="mode 'raw'"):
        la.qr(np.ones((2, 2), np.float32), mode="raw")
    with pytest.raises(ValueError, match="invalid order 'bad'"):
        la.norm(np.ones((2, 2), np.float32), "bad")
    with pytest.raises(TypeError, match=r"float32, float64, complex64 or complex128.*i32\[2,2\]"):
        lax_linalg.cholesky(np.ones((2, 2), np.int32))


# ---- lintra.lax.linalg vs SciPy --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,mode", [(F32, "eager"), (C64, "jit")], ids=str)
def test_lax_linalg(dtype, mode):
    rng = _rng("lax")
    J = lintra.jit if mode == "jit" else (lambda f: f)
    h, a, b = _hpd(rng, dtype, (3, 3)), _well_conditioned(rng, dtype, (3, 3)), _random(rng, dtype, (3, 2))
    _close(J(lax_linalg.cholesky)(h), scipy.linalg.cholesky(h, lower=True), dtype)
    for trans, lower in ((0, True), (1, False), (2, True)):
        got = J(lambda a, b: lax_linalg.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=trans > 0,
                                                        conjugate_a=trans == 2))(a, b)
        _close(got, scipy.linalg.solve_triangular(a, b, trans=trans, lower=lower), dtype)
    got = J(lambda a, b: lax_linalg.triangular_solve(a, b, left_side=False, lower=True, unit_diagonal=True))(a, b.T)
    _close(got, scipy.linalg.solve_triangular(a, b, trans=1, lower=True, unit_diagonal=True).T, dtype)
    got = J(lambda a, v: lax_linalg.triangular_solve(a, v, left_side=True, lower=True))(a, b[:, 0])
    _close(got, scipy.linalg.solve_triangular(a, b[:, 0], lower=True), dtype)
    v, w = J(lax_linalg.eigh)(h)
    _close(w, scipy.linalg.eigh(h, eigvals_only=True), dtype)
    _close(np.asarray(v) @ np.diag(np.asarray(w)) @ _mH(np.asarray(v)), h, dtype)
    u, s, vh = J(lax_linalg.svd)(b)
    _close(s, scipy.linalg.svdvals(b), dtype)
    assert u.shape == (3, 3) and vh.shape == (2, 2)
    _close(J(lambda x: lax_linalg.svd(x, compute_uv=False))(b), scipy.linalg.svdvals(b), dtype)
    q, r = J(lambda x: lax_linalg.qr(x, full_matrices=False))(b)
    _, r_ref = scipy.linalg.qr(b, mode="economic")
    _close(np.asarray(q) @ np.asarray(r), b, dtype)
    _close(np.abs(np.asarray(r)), np.abs(r_ref), dtype)
    lu, pivots, perm = J(lax_linalg.lu)(a)
    lu_ref, piv_ref = scipy.linalg.lu_factor(a)
    _close(lu, lu_ref, dtype)
    np.testing.assert_array_equal(np.asarray(pivots), piv_ref)
    p, l, u_ = scipy.linalg.lu(a)
    np.testing.assert_array_equal(np.asarray(perm), np.argmax(p, axis=0))


# ---- vmap ------------------------------------------------------------------------------------------------------
# Each row names the primitive whose batching rule it exercises; the reference is NumPy/SciPy applied to each
# member of the batch.

class VCase(NamedTuple):
    prim: str
    fun: object
    in_axes: object
    args: list          # input makers (kind, shape with the batch dimension where in_axes puts it)
    ref: object         # NumPy reference on the batched inputs, batch first


def _tri_ref(a, b):
    return np.linalg.solve(np.tril(a), b)


def _tri_left(a, b):
    return lax_linalg.triangular_solve(a, b, left_side=True, lower=True)


VMAP = {
    "cholesky": VCase("cholesky", lax_linalg.cholesky, 0, [hpd((3, 3, 3))], np.linalg.cholesky),
    "triangular_solve_a": VCase("triangular_solve", _tri_left, (0, None), [sq((3, 3, 3)), gen((3, 2))], _tri_ref),
    "triangular_solve_b": VCase("triangular_solve", _tri_left, (None, 2), [sq((3, 3)), gen((3, 2, 3))],
                                lambda a, b: _tri_ref(a, np.moveaxis(b, 2, 0))),
    "eigh": VCase("eigh", la.eigvalsh, 0, [hpd((3, 3, 3))], np.linalg.eigvalsh),
    "svd": VCase("svd", la.svdvals, 1, [gen((4, 3, 3))],
                 lambda x: np.linalg.svd(np.moveaxis(x, 1, 0), compute_uv=False)),
    "qr": VCase("qr", lambda x: la.qr(x, mode="r"), 0, [gen((3, 4, 3))], lambda x: np.abs(np.linalg.qr(x).R)),
    "lu": VCase("lu", lambda x: lax_linalg.lu(x)[1], 0, [sq((3, 3, 3))],
                lambda x: np.stack([scipy.linalg.lu_factor(m)[1] for m in x])),
}
COVERED_BATCH_PRIMITIVES = {c.prim for c in VMAP.values()}


@pytest.mark.parametrize("name", sorted(VMAP))
def test_vmap(name):
    case = VMAP[name]
    args = _inputs(name, case.args, F32)
    out = np.asarray(lintra.vmap(case.fun, in_axes=case.in_axes)(*args))
    _close(np.abs(out) if case.prim == "qr" else out, case.ref(*args), F32)
    unbatched = [x if ax is None else np.take(x, 0, axis=ax)
                 for x, ax in zip(args, case.in_axes if isinstance(case.in_axes, tuple) else [case.in_axes])]
    assert case.prim in {op.prim for op in lintra.make_ir(case.fun)(*unbatched).body.walk()}


def test_vmap_of_compositions():
    rng = _rng("vmap")
    a, b = _well_conditioned(rng, F32, (3, 3, 3)), _random(rng, F32, (3, 3, 2))
    _close(lintra.vmap(la.solve, in_axes=(None, 2), out_axes=2)(a[0], b),
           np.moveaxis(np.linalg.solve(a[0], np.moveaxis(b, 2, 0)), 0, 2), F32)
    _close(lintra.vmap(la.det, in_axes=1)(a), np.linalg.det(a.transpose(1, 0, 2)), F32)
    grads = lintra.vmap(lintra.grad(lambda x: la.slogdet(x)[1]))(a)
    _close(grads, np.linalg.inv(a).transpose(0, 2, 1), F32)


# ---- derivatives --------------------------------------------------------------------------------------------

def _proj(v, k=0):
    """The projector onto column k of v: invariant under the phase of that column."""
    c = v[..., :, k:k + 1]
    return jnp.matmul(c, jnp.conj(jnp.swapaxes(c, -1, -2)))


def _herm(x):
    return jnp.matmul(x, jnp.conj(jnp.swapaxes(x, -1, -2))) + 3 * jnp.eye(x.shape[-1], dtype=x.dtype)


def _tri(**kw):
    return lambda a, b: lax_linalg.triangular_solve(a, b, **kw)


class GCase(NamedTuple):
    prim: str           # the primitive whose JVP rule (and transposition) the row exercises
    fun: object
    args: list          # input makers
    dtypes: tuple
    order: int = 1


GRADS = {
    "cholesky": GCase("cholesky", lambda x: la.cholesky(_herm(x)), [gen((3, 3))], (F64,), 2),
    "cholesky_complex": GCase("cholesky", lambda x: la.cholesky(_herm(x)), [gen((3, 3))], (C128,)),
    "triangular_solve_left": GCase("triangular_solve", _tri(left_side=True, lower=True), [sq(), gen((3, 2))],
                                   (F64,), 2),
    "triangular_solve_right_adjoint": GCase("triangular_solve", _tri(lower=False, transpose_a=True,
                                                                     conjugate_a=True), [sq(), gen((2, 3))], (C128,)),
    "triangular_solve_unit_transpose": GCase("triangular_solve", _tri(left_side=True, lower=False, transpose_a=True,
                                                                      unit_diagonal=True), [sq(), gen((3, 4))], (F64,)),
    "solve": GCase("lu", la.solve, [sq(), gen((3, 2))], (F64,)),
    "inv": GCase("lu", la.inv, [sq()], (F64,)),
    "det": GCase("lu", la.det, [sq((4, 4))], (F64,)),
    "det_closed_form": GCase("mul", la.det, [sq()], (F64,), 2),
    "slogdet": GCase("lu", lambda a: la.slogdet(a).logabsdet, [sq()], (F64,)),
    "lu": GCase("lu", lambda x: lax_linalg.lu(x)[0], [sq()], (F64, C128)),
    "lu_tall": GCase("lu", lambda x: lax_linalg.lu(x)[0], [gen()], (F64,)),
    "eigh": GCase("eigh", lambda x: (la.eigh(x).eigenvalues, _proj(la.eigh(x).eigenvectors)), [hpd()], (F64, C128)),
    "eigvalsh": GCase("eigh", la.eigvalsh, [hpd()], (F64,), 2),
    "svd_tall": GCase("svd", lambda x: (lambda u, s, vh: (s, _proj(u, 1), jnp.matmul(u[:, :1], vh[:1])))(
        *la.svd(x, full_matrices=False)), [gen()], (F64, C128)),
    "svd_wide": GCase("svd", lambda x: (lambda u, s, vh: (s, jnp.matmul(u[:, 1:2], vh[1:2])))(
        *la.svd(x, full_matrices=False)), [gen((3, 4))], (F64,)),
    "svd_square_full": GCase("svd", lambda x: (lambda u, s, vh: jnp.matmul(u[:, :1], vh[:1]))(*la.svd(x)), [sq()],
                             (F64,)),
    "svdvals": GCase("svd", la.svdvals, [gen((3, 4))], (F64,)),
    "norm": GCase("svd", lambda x: (la.norm(x, "nuc"), la.norm(x, 2), la.norm(x)), [gen()], (F64,)),
    "pinv": GCase("svd", la.pinv, [gen()], (F64,)),
    "qr": GCase("qr", la.qr, [gen()], (F64, C128)),
    "qr_wide": GCase("qr", la.qr, [gen((3, 5))], (F64, C128), 2),
    "qr_complete": GCase("qr", lambda x: la.qr(x, mode="complete"), [gen((5, 3))], (F64, C128)),
    "qr_complete_order2": GCase("qr", lambda x: la.qr(x, mode="complete"), [gen()], (F64,), 2),
    "qr_batched_wide": GCase("qr", la.qr, [gen((2, 2, 4))], (F64, C128)),
    "qr_batched_complete": GCase("qr", lambda x: la.qr(x, mode="complete"), [gen((2, 4, 2))], (F64, C128)),
    "matrix_power": GCase("lu", lambda x: la.matrix_power(x, -3), [sq()], (F64,)),
}
COVERED_AD_PRIMITIVES = {c.prim for c in GRADS.values()}


@pytest.mark.parametrize("name,dtype", [(n, d) for n, c in GRADS.items() for d in c.dtypes], ids=str)
def test_grads(name, dtype, x64):
    case = GRADS[name]
    args = _inputs(name, case.args, dtype)
    check_grads(case.fun, args, order=case.order, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(GRADS))
def test_grad_rows_emit_their_primitive(name):
    case = GRADS[name]
    args = _inputs(name, case.args, F32)
    assert case.prim in {op.prim for op in lintra.make_ir(case.fun)(*args).body.walk()}


def test_grad_complex_hermitian_cholesky_holomorphic(x64):
    """grad(..., holomorphic=True) of a complex-valued function through a Hermitian Cholesky factor. The
    function is not holomorphic, so (as in JAX) the result is vjp(1) = d Re f/d Re z - i d Re f/d Im z,
    checked against central differences of Re f."""
    rng = _rng("holomorphic")
    z0, w = _random(rng, C128, (3, 3)), _random(rng, C128, (3, 3))

    def f(z):
        return jnp.sum(la.cholesky(_herm(z)) * w)

    g = np.asarray(lintra.grad(f, holomorphic=True)(z0))
    eps, ref = 1e-6, np.zeros((3, 3), complex)
    for idx in np.ndindex(3, 3):
        for step, part in ((1, 1), (1j, -1j)):
            d = np.zeros((3, 3), complex)
            d[idx] = step * eps
            ref[idx] += part * (complex(f(z0 + d)) - complex(f(z0 - d))).real / (2 * eps)
    np.testing.assert_allclose(g, ref, rtol=1e-6, atol=1e-6)
    # a real-valued function of the same factor: grad without holomorphic gives the same convention
    g_real = np.asarray(lintra.grad(lambda z: jnp.real(f(z)))(z0))
    np.testing.assert_allclose(g_real, ref, rtol=1e-6, atol=1e-6)


def test_grad_under_jit_and_vmap_of_jvp(x64):
    rng = _rng("jit-grad")
    a, b = _well_conditioned(rng, F64, (3, 3)), _random(rng, F64, (3,))
    g = lintra.jit(lintra.grad(lambda a: jnp.sum(la.solve(a, b))))(a)
    x = np.linalg.solve(a, b)
    _close(g, -np.outer(np.linalg.solve(a.T, np.ones(3)), x), F64, 100)
    h = _hpd(rng, F64, (2, 3, 3))
    t = _random(rng, F64, (2, 3, 3))
    t = t + t.transpose(0, 2, 1)
    dw = lintra.vmap(lambda x, dx: lintra.jvp(la.eigvalsh, (x,), (dx,))[1])(h, t)
    w, v = np.linalg.eigh(h)
    _close(dw, np.einsum("bij,bjk,bki->bi", v.transpose(0, 2, 1), t, v), F64, 100)


def test_svd_full_matrices_jvp_is_not_defined():
    with pytest.raises(NotDifferentiableError, match="full matrices"):
        lintra.jvp(lambda x: la.svd(x)[0], (np.ones((3, 2), np.float32),), (np.ones((3, 2), np.float32),))


# JAX 0.10.2 differentiates QR of every shape; values it gives (float64) for fixed inputs:
_QR_B = np.array([[2., -1, 0.5, 1], [0.3, 1.5, -0.7, 2], [1, 0.2, 3, -1]])
_QR_WIDE_GRAD = np.array([      # jax.grad(lambda x: jnp.linalg.qr(x)[1].sum())(_QR_B)
    [-0.11139245945023578, -0.1748036495076104, -0.9850193681953271, -0.9850193681953269],
    [-0.03975372636355587, -0.630152696540758, -1.417862423042705, -1.4178624230427046],
    [-2.021391797726156, -1.7174497265582471, 0.13929462876776869, 0.139294628767769]])
_QR_COMPLETE_JVP = np.array([   # jax.jvp(lambda x: jnp.linalg.qr(x, mode='complete')[0], (a,), (cos(a),))[1]
    [0.09391768966533837, 0.10279525430686831, 0.16049231065108283, -0.2209508566744996],
    [-0.0940066758151042, -0.11396058641723247, -0.06039363572419075, 0.18617129786419362],
    [-0.2951847429478895, -0.10010794347396623, 0.07412895018036317, 0.1447251485728626],
    [-0.22816737333717424, 0.09302770929717327, 0.31966644161120406, -0.08390799725596527]])


def test_qr_derivatives_of_wide_and_complete_match_jax(x64):
    np.testing.assert_allclose(lintra.grad(lambda x: jnp.sum(la.qr(x)[1]))(_QR_B), _QR_WIDE_GRAD, rtol=1e-10,
                               atol=1e-12)
    a = _QR_B.T + np.eye(4, 3)
    t = lintra.jvp(lambda x: la.qr(x, mode="complete")[0], (a,), (np.cos(a),))[1]
    np.testing.assert_allclose(t, _QR_COMPLETE_JVP, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0)])
def test_qr_jvp_of_empty_matrix_is_zero(shape, x64):
    x = np.zeros(shape)
    dq, dr = lintra.jvp(lambda x: lax_linalg.qr(x), (x,), (x,))[1]
    q, r = lax_linalg.qr(x)
    assert (dq.shape, dr.shape) == (q.shape, r.shape) and not np.any(dq) and not np.any(dr)


def test_qr_complete_jvp_batched_equals_loop(x64):
    rng = _rng("qr-vmap")
    x, t = _random(rng, F64, (2, 4, 3)), _random(rng, F64, (2, 4, 3))
    f = lambda x: la.qr(x, mode="complete")[0]
    batched = lintra.vmap(lambda x, t: lintra.jvp(f, (x,), (t,))[1])(x, t)
    np.testing.assert_allclose(batched, np.stack([lintra.jvp(f, (x[i],), (t[i],))[1] for i in range(2)]),
                               rtol=1e-12, atol=1e-12)
