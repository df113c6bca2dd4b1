"""lintra.nn and lintra.scipy.special against NumPy/SciPy references (over dtypes and extreme inputs), their
JAX-specified derivatives (relu'(0) = 0, softmax's custom JVP, finite gradients where naive formulas
overflow), check_grads on a representative subset, and vmap/jit."""
import numpy as np
import pytest
import scipy.special as ss

import lintra
import lintra.nn as nn
import lintra.numpy as jnp
import lintra.scipy.special as sp
from lintra.test_util import check_grads

RNG = np.random.default_rng(0)
X = np.array([-30.0, -3.0, -0.5, 0.0, 0.7, 2.0, 25.0], np.float32)
M = RNG.standard_normal((3, 5)).astype(np.float32)




def _sigmoid(x):
    return ss.expit(x)


def _softplus(x):
    return np.logaddexp(x, 0)


def _elu(x, a=1.0):
    return np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))


# (name, lintra function, reference in float64)
ACTIVATIONS = [
    ("relu", nn.relu, lambda x: np.maximum(x, 0)),
    ("relu6", nn.relu6, lambda x: np.clip(x, 0, 6)),
    ("sigmoid", nn.sigmoid, _sigmoid),
    ("silu", nn.silu, lambda x: x * _sigmoid(x)),
    ("swish", nn.swish, lambda x: x * _sigmoid(x)),
    ("gelu-tanh", nn.gelu, lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    ("gelu-exact", lambda x: nn.gelu(x, approximate=False), lambda x: x * ss.ndtr(x)),
    ("softplus", nn.softplus, _softplus),
    ("log_sigmoid", nn.log_sigmoid, lambda x: -_softplus(-x)),
    ("soft_sign", nn.soft_sign, lambda x: x / (1 + np.abs(x))),
    ("elu", nn.elu, _elu),
    ("celu", lambda x: nn.celu(x, 0.5), lambda x: np.maximum(x, 0) + np.minimum(0.5 * np.expm1(x / 0.5), 0)),
    ("selu", nn.selu, lambda x: 1.0507009873554805 * _elu(x, 1.6732632423543772)),
    ("leaky_relu", nn.leaky_relu, lambda x: np.where(x >= 0, x, 0.01 * x)),
    ("hard_tanh", nn.hard_tanh, lambda x: np.clip(x, -1, 1)),
    ("mish", nn.mish, lambda x: x * np.tanh(_softplus(x))),
]


def test_activations_match_references():
    outs = lintra.jit(lambda x: [f(x) for _, f, _ in ACTIVATIONS])(X)
    for (name, _, ref), got in zip(ACTIVATIONS, outs):
        assert got.dtype == np.float32, name
        np.testing.assert_allclose(np.asarray(got), ref(X.astype(np.float64)), rtol=2e-6, atol=1e-6, err_msg=name)
    np.testing.assert_allclose(nn.gelu(X), ACTIVATIONS[5][2](X.astype(np.float64)), rtol=2e-6, atol=1e-6)


def test_activation_gradients_match_references():
    """Derivatives at points that include 0 and large magnitudes, by central differences of the float64
    references (away from kinks) and by JAX's conventions at them."""
    smooth = [a for a in ACTIVATIONS if a[0] not in ("relu", "relu6", "elu", "selu", "celu", "leaky_relu",
                                                      "hard_tanh")]
    grads = lintra.jit(lambda x: [lintra.vmap(lintra.grad(f))(x) for _, f, _ in smooth])(X)
    x64, eps = X.astype(np.float64), 1e-6
    for (name, _, ref), g in zip(smooth, grads):
        fd = (ref(x64 + eps) - ref(x64 - eps)) / (2 * eps)
        np.testing.assert_allclose(np.asarray(g), fd, rtol=1e-4, atol=1e-5, err_msg=name)
        assert np.all(np.isfinite(np.asarray(g))), name
    kinks = np.array([-1.0, 0.0, 1.0, 6.0], np.float32)
    d = lintra.jit(lambda x: [lintra.vmap(lintra.grad(f))(x) for f in (nn.relu, nn.relu6, nn.leaky_relu)])(kinks)
    np.testing.assert_array_equal(d[0], [0, 0, 1, 1])      # relu'(0) = 0, as JAX
    np.testing.assert_array_equal(d[1], [0, 0, 1, 0])
    np.testing.assert_allclose(d[2], [0.01, 1, 1, 1])


def test_relu_custom_jvp_under_transformations():
    f = lambda x: jnp.sum(nn.relu(x) ** 2)
    g = lintra.grad(f)(X)
    np.testing.assert_allclose(g, 2 * np.maximum(X, 0))
    np.testing.assert_allclose(lintra.jit(lintra.grad(f))(X), g)
    h = lintra.jit(lintra.vmap(lintra.grad(lambda v: nn.relu(v))))(np.array([-1.0, 0.0, 2.0], np.float32))
    np.testing.assert_array_equal(h, [0.0, 0.0, 1.0])
    _, t = lintra.jvp(nn.relu, (np.float32(0.0),), (np.float32(1.0),))
    assert float(t) == 0.0


def test_softmax_family():
    big = np.array([[1.0, 2.0, 1000.0], [-1000.0, 0.0, 3.0]], np.float32)
    mask = np.array([[True, False, True, True, False]] * 3)
    outs = lintra.jit(lambda x, m: [nn.softmax(x), nn.log_softmax(x), nn.softmax(m, axis=0), nn.log_softmax(m, (0, 1)),
                                    nn.softmax(m, axis=None), nn.logsumexp(m, axis=1), sp.softmax(m),
                                    sp.log_softmax(m, axis=1), nn.softmax(m, where=mask),
                                    nn.log_softmax(m, where=mask)])(big, M)
    ref_ls = lambda x, axis: x - ss.logsumexp(x.astype(np.float64), axis=axis, keepdims=True)
    wants = [ss.softmax(big.astype(np.float64), axis=-1), ref_ls(big, -1), ss.softmax(M, axis=0),
             ref_ls(M, (0, 1)), ss.softmax(M, axis=None), ss.logsumexp(M, axis=1), ss.softmax(M),
             ref_ls(M, 1)]
    for k, (got, want) in enumerate(zip(outs, wants)):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-5, atol=1e-6, err_msg=f"output {k}")
    # with where=: masked entries are 0 (softmax) and -inf (log_softmax); the rest renormalise
    sm, lsm = outs[-2:]
    ref = ss.softmax(np.where(mask, M, -np.inf), axis=-1)
    np.testing.assert_allclose(sm, ref, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(np.exp(np.asarray(lsm)), ref, rtol=1e-5, atol=1e-7)
    assert np.all(np.isneginf(np.asarray(lsm)[~mask]))


def test_softmax_derivatives():
    """JAX's custom JVP y * (t - sum(y t)): finite for huge logits, and gradients of the log-likelihood
    match the closed form softmax - one_hot."""
    big = np.array([[1.0, 2.0, 1000.0]], np.float32)
    y = np.array([2, 0, 4])
    t, g, gs = lintra.jit(lambda b, m: [
        lintra.jvp(nn.softmax, (b,), (jnp.ones_like(b),))[1],
        lintra.grad(lambda m: -jnp.sum(nn.log_softmax(m) * nn.one_hot(y, 5)))(m),
        lintra.grad(lambda m: jnp.sum(nn.softmax(m) * np.arange(5.0)))(m)])(big, M)
    np.testing.assert_allclose(t, np.zeros_like(big), atol=1e-6)     # softmax is shift-invariant
    np.testing.assert_allclose(g, ss.softmax(M, axis=-1) - np.eye(5)[y], rtol=1e-5, atol=1e-6)
    s = ss.softmax(M, axis=-1)
    np.testing.assert_allclose(gs, s * (np.arange(5.0) - (s * np.arange(5.0)).sum(-1, keepdims=True)), rtol=1e-5,
                               atol=1e-6)


@pytest.mark.parametrize("f, args", [
    (lambda x: nn.softmax(x, axis=0), (M,)),
    (lambda x: nn.gelu(x, approximate=False) + nn.log_sigmoid(x), (X[1:-1],)),
    (lambda x: nn.standardize(x, axis=1), (M,)),
    (lambda a, b: sp.logsumexp(a, axis=0, b=b), (M, np.abs(M) + 0.5)),
], ids=["softmax", "gelu+log_sigmoid", "standardize", "logsumexp-b"])
def test_check_grads(f, args):
    check_grads(lintra.jit(f), args, order=1)


def test_second_order_softmax():
    check_grads(lintra.jit(lambda x: nn.softmax(x)), (M[0],), order=2, modes=("rev",))


def test_one_hot_and_standardize():
    labels = np.array([[0, 3], [1, -1]])
    mask = M > -0.5
    out = lintra.jit(lambda v, f, m: [
        nn.one_hot(v, 4), nn.one_hot(v, 4, axis=0), nn.one_hot(v, 4, dtype=jnp.int8), nn.one_hot(f, 3),
        nn.standardize(m), nn.standardize(m, axis=0, algorithm="stable"), nn.standardize(m, where=mask)])(
        labels, np.array([0.0, 2.0, np.nan]), M)
    want = np.where((labels >= 0)[..., None], np.eye(4)[labels], 0)
    np.testing.assert_array_equal(out[0], want)
    np.testing.assert_array_equal(out[1], np.moveaxis(want, -1, 0))
    assert out[0].dtype == np.float32 and out[2].dtype == np.int8
    np.testing.assert_array_equal(out[3], [[1, 0, 0], [0, 0, 1], [0, 0, 0]])
    ref = (M - M.mean(-1, keepdims=True)) / np.sqrt(M.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(out[4], ref, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(out[5], (M - M.mean(0)) / np.sqrt(M.var(0) + 1e-5), rtol=1e-4, atol=1e-5)
    for r in range(3):
        v = M[r][mask[r]]
        np.testing.assert_allclose(np.asarray(out[6])[r][mask[r]], (v - v.mean()) / np.sqrt(v.var() + 1e-5),
                                   rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="unknown algorithm"):
        nn.standardize(M, algorithm="exact")


def test_vmap_matches_a_loop():
    f = lambda x: nn.log_softmax(nn.gelu(x) @ M)
    got = lintra.jit(lintra.vmap(f, in_axes=1))(M)
    loop = np.stack([np.asarray(f(M[:, i])) for i in range(M.shape[1])])
    np.testing.assert_allclose(got, loop, rtol=1e-5, atol=1e-6)


# ---- lintra.scipy.special --------------------------------------------------------------------------------------

U = np.array([0.01, 0.25, 0.5, 0.9, 0.999], np.float32)
P = np.array([0.1, 0.5, 1.5, 3.0, 20.0], np.float32)
SPECIAL = [
    ("erf", sp.erf, ss.erf, X), ("erfc", sp.erfc, ss.erfc, X), ("erfinv", sp.erfinv, ss.erfinv, 2 * U - 1),
    ("gammaln", sp.gammaln, ss.gammaln, P), ("digamma", sp.digamma, ss.digamma, P),
    ("expit", sp.expit, ss.expit, X), ("logit", sp.logit, ss.logit, U), ("ndtr", sp.ndtr, ss.ndtr, X),
]


def test_special_functions_match_scipy():
    outs = lintra.jit(lambda *xs: [f(x) for (_, f, _, _), x in zip(SPECIAL, xs)])(*[a for *_, a in SPECIAL])
    for (name, _, ref, arg), got in zip(SPECIAL, outs):
        np.testing.assert_allclose(np.asarray(got), ref(arg.astype(np.float64)), rtol=3e-6, atol=2e-6, err_msg=name)
    x = np.array([0.0, 0.0, 1.5, 2.0], np.float32)
    y = np.array([0.0, -1.0, 0.0, 3.0], np.float32)
    np.testing.assert_allclose(sp.xlogy(x, y), ss.xlogy(x, y), rtol=1e-6)
    np.testing.assert_allclose(sp.xlog1py(x, y), ss.xlog1py(x, y), rtol=1e-6)
    assert sp.gammaln(3).dtype == np.float32


def test_special_derivatives():
    x = np.array([0.0, 1.5, 2.0], np.float32)
    y = np.array([0.0, 0.5, 3.0], np.float32)
    gx, gy = lintra.jit(lintra.vmap(lintra.grad(sp.xlogy, (0, 1))))(x, y)
    np.testing.assert_allclose(gx, [-np.inf, np.log(0.5), np.log(3.0)], rtol=1e-6)
    np.testing.assert_allclose(gy[1:], x[1:] / y[1:], rtol=1e-6)
    gl = lintra.jit(lintra.vmap(lintra.grad(sp.logit)))(U)
    np.testing.assert_allclose(gl, 1 / (U.astype(np.float64) * (1 - U)), rtol=1e-4)
    check_grads(lintra.jit(lambda a, b: sp.xlog1py(a, b) + sp.digamma(b + 1)), (x + 0.5, y + 0.5), order=1)


def test_logsumexp(x64):
    a = RNG.standard_normal((3, 4))
    b = RNG.standard_normal((3, 4))
    huge = np.array([[1e308, 1e308], [-np.inf, -np.inf]])
    mask = np.array([[True, False, True, True]] * 3)
    cases = [
        (lambda a, b: sp.logsumexp(a), lambda: ss.logsumexp(a)),
        (lambda a, b: sp.logsumexp(a, axis=1, keepdims=True), lambda: ss.logsumexp(a, axis=1, keepdims=True)),
        (lambda a, b: sp.logsumexp(a, axis=0, b=jnp.abs(b)), lambda: ss.logsumexp(a, axis=0, b=np.abs(b))),
        (lambda a, b: sp.logsumexp(a, axis=1, b=b, return_sign=True),
         lambda: ss.logsumexp(a, axis=1, b=b, return_sign=True)),
        (lambda a, b: sp.logsumexp(huge, axis=1), lambda: ss.logsumexp(huge, axis=1)),
        # a negative sum without return_sign is NaN, as in JAX
        (lambda a, b: sp.logsumexp(a[0, :2] * 0, b=np.array([1.0, -2.0])), lambda: np.nan),
        (lambda a, b: sp.logsumexp(a, axis=1, where=mask), lambda: ss.logsumexp(np.where(mask, a, -np.inf), axis=1)),
    ]
    outs = lintra.jit(lambda a, b: [f(a, b) for f, _ in cases])(a, b)
    for k, ((_, ref), got) in enumerate(zip(cases, outs)):
        for g, w in zip(lintra.tree.leaves(got), lintra.tree.leaves(ref())):
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-12, err_msg=f"case {k}")
