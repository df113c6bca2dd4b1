"""Testing helpers, as jax.test_util: check_grads compares derivatives against finite differences."""
import itertools

import numpy as np

from .frontend import ad, tree
from .frontend.config import config
from .frontend.core import type_of
from .ir import types as T


def _to_f64(x):
    a = np.asarray(x)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


def _numerical_jvp(f, primals, tangents, eps):
    """Central difference (f(x + eps t) - f(x - eps t)) / 2 eps, in float64."""
    plus = f(*[p + eps * t for p, t in zip(primals, tangents)])
    minus = f(*[p - eps * t for p, t in zip(primals, tangents)])
    return tree.map(lambda a, b: (_to_f64(a) - _to_f64(b)) / (2 * eps), plus, minus)


def _random_like(rng, x):
    a = np.asarray(x)
    r = rng.standard_normal(a.shape)
    if np.iscomplexobj(a):
        r = r + 1j * rng.standard_normal(a.shape)
    return r.astype(a.dtype)


def _inner(a, b):
    return sum(np.vdot(np.asarray(x, np.complex128).ravel(), np.asarray(y, np.complex128).ravel()).real
               for x, y in zip(tree.leaves(a), tree.leaves(b)))


def _assert_close(a, b, atol, rtol, what):
    for x, y in zip(tree.leaves(a), tree.leaves(b)):
        np.testing.assert_allclose(_to_f64(x), _to_f64(y), atol=atol, rtol=rtol, err_msg=what)


def check_jvp(f, args, eps, atol, rtol, rng):
    tangents = [_random_like(rng, a) for a in args]
    _, t_out = ad.jvp(f, tuple(args), tuple(tangents))
    _assert_close(t_out, _numerical_jvp(f, args, tangents, eps), atol, rtol, "JVP vs finite differences")


def check_vjp(f, args, eps, atol, rtol, rng):
    """<t, conj(vjp(conj(ct)))> must equal <jvp(t), ct> (real parts of Hermitian inner products, as
    jax.test_util checks them), with the JVP taken by finite differences."""
    out, vjp_fun = ad.vjp(f, *args)
    tangents = [_random_like(rng, a) for a in args]
    ct = tree.map(lambda o: _random_like(rng, o), out)
    cts_in = tree.map(np.conj, vjp_fun(tree.map(np.conj, ct)))
    lhs = _inner(tangents, cts_in)
    rhs = _inner(_numerical_jvp(f, args, tangents, eps), ct)
    np.testing.assert_allclose(lhs, rhs, atol=atol, rtol=rtol, err_msg="VJP vs finite differences")


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check f's derivatives up to `order` in forward and/or reverse mode against central finite
    differences (computed in float64: enable x64 to check float64 functions to tight tolerances)."""
    args = tuple(args)
    dtypes = [type_of(a).dtype for a in tree.leaves(args)]
    low = any(d in (np.float16, T.dtype("bf16"), np.float32, np.complex64) for d in dtypes)
    eps = eps or (1e-3 if low else 1e-6)
    atol = atol if atol is not None else (5e-2 if low else 1e-5)
    rtol = rtol if rtol is not None else (5e-2 if low else 1e-5)
    rng = np.random.default_rng(0)

    def check(f, order):
        if "fwd" in modes:
            check_jvp(f, args, eps, atol, rtol, rng)
        if "rev" in modes:
            check_vjp(f, args, eps, atol, rtol, rng)
        if order > 1:
            tangents = [_random_like(rng, a) for a in args]
            if "fwd" in modes:
                check(lambda *xs: ad.jvp(f, xs, tuple(tangents))[1], order - 1)
            if "rev" in modes:
                out = f(*args)
                ct = tree.map(lambda o: _random_like(rng, o), out)
                check(lambda *xs: ad.vjp(f, *xs)[1](ct), order - 1)
    check(f, order)
