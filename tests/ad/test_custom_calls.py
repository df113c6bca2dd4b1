"""Which of a custom rule's Python functions run, and how often, under each transformation; what the
rules see (values outside jit, tracers inside); and how rule outputs are checked. Expected counts and
messages are JAX 0.10.2's, measured with Python-side counters in a separate process."""
import collections

import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp

C = collections.Counter()


@jax.custom_jvp
def f(x):
    C["f"] += 1
    return jnp.sin(x)


@f.defjvp
def f_jvp(primals, tangents):
    C["rule"] += 1
    x, = primals
    t, = tangents
    return jnp.sin(x), jnp.cos(x) * t


@jax.custom_vjp
def g(x):
    C["f"] += 1
    return jnp.sin(x)


def g_fwd(x):
    C["fwd"] += 1
    return jnp.sin(x), jnp.cos(x)


def g_bwd(r, ct):
    C["bwd"] += 1
    return (r * ct,)


g.defvjp(g_fwd, g_bwd)

X, XS = np.float32(1.0), np.arange(3.0, dtype=np.float32)


def _vjp_twice():
    _, fn = jax.vjp(g, X)
    assert dict(C) == {"fwd": 1}        # fwd at vjp time, bwd not yet
    fn(X)
    fn(X)


COUNTS = [   # (what runs, JAX 0.10.2's counts)
    ("jvp", lambda: f(X), {"f": 1}),
    ("jvp", lambda: jax.jvp(f, (X,), (X,)), {"rule": 1}),
    ("jvp", lambda: jax.grad(f)(X), {"rule": 1}),
    ("jvp", lambda: jax.jit(jax.grad(f))(X), {"rule": 1}),
    ("jvp", lambda: jax.vmap(jax.grad(f))(XS), {"rule": 1}),
    ("jvp", lambda: jax.grad(jax.grad(f))(X), {"rule": 1}),
    ("jvp", lambda: jax.jit(f)(X), {"f": 1}),
    ("jvp", lambda: jax.linearize(f, X)[1](X), {"rule": 1}),
    ("jvp", lambda: jax.vjp(f, X)[1](X), {"rule": 1}),
    ("vjp", lambda: g(X), {"f": 1}),
    ("vjp", _vjp_twice, {"fwd": 1, "bwd": 2}),
    ("vjp", lambda: jax.grad(g)(X), {"fwd": 1, "bwd": 1}),
    ("vjp", lambda: jax.value_and_grad(g)(X), {"fwd": 1, "bwd": 1}),
    ("vjp", lambda: jax.jit(jax.grad(g))(X), {"fwd": 1, "bwd": 1}),
    ("vjp", lambda: jax.vmap(jax.grad(g))(XS), {"fwd": 1, "bwd": 1}),
    ("vjp", lambda: jax.jit(g)(X), {"f": 1}),
    ("vjp", lambda: jax.grad(jax.jit(g))(X), {"fwd": 1, "bwd": 1}),
]


@pytest.mark.parametrize("i", range(len(COUNTS)))
def test_call_counts(i):
    _, thunk, expected = COUNTS[i]
    C.clear()
    thunk()
    assert dict(C) == expected


def test_defjvps_counts():
    @jax.custom_jvp
    def h(x, y):
        C["f"] += 1
        return x * y
    h.defjvps(lambda tx, ans, x, y: (C.update(["r0"]), tx * y)[1],
              lambda ty, ans, x, y: (C.update(["r1"]), x * ty)[1])
    for thunk in (lambda: jax.jvp(h, (X, X), (X, X)), lambda: jax.grad(h)(X, X)):
        C.clear()
        thunk()
        assert dict(C) == {"f": 1, "r0": 1, "r1": 1}


def test_values_unchanged():
    np.testing.assert_allclose(jax.grad(f)(X), np.cos(X), rtol=1e-6)
    np.testing.assert_allclose(jax.jvp(f, (X,), (np.float32(2),))[0], np.sin(X), rtol=1e-6)
    np.testing.assert_allclose(jax.value_and_grad(g)(X)[0], np.sin(X), rtol=1e-6)
    np.testing.assert_allclose(jax.vmap(jax.grad(g))(XS), np.cos(XS), rtol=1e-6)


# ---- rules see values outside jit (JAX's advanced-autodiff tutorial: branching on residuals in bwd) ----

@jax.custom_vjp
def clip_gradient(x):
    return x


def _clip_fwd(x):
    return x, x


def _clip_bwd(r, ct):
    seen.append(float(r))
    if r > 0:                        # a Python branch on the residual's value
        return (ct,)
    return (2 * ct,)


clip_gradient.defvjp(_clip_fwd, _clip_bwd)
seen = []


def test_bwd_sees_values_outside_jit():
    seen.clear()
    assert float(jax.grad(clip_gradient)(3.0)) == 1.0
    assert float(jax.grad(clip_gradient)(-3.0)) == 2.0
    assert seen == [3.0, -3.0]


def test_bwd_traced_inside_jit():
    with pytest.raises(jax.ConcretizationError):
        jax.jit(jax.grad(clip_gradient))(3.0)


@jax.custom_jvp
def branchy(x):
    return x


@branchy.defjvp
def _branchy_jvp(p, t):
    x, = p
    scale = 1.0 if x > 0 else 3.0    # a Python branch on the primal's value
    return x, scale * t[0]


def test_jvp_rule_sees_values_outside_jit():
    assert float(jax.grad(branchy)(2.0)) == 1.0
    assert float(jax.grad(branchy)(-2.0)) == 3.0
    assert float(jax.jvp(branchy, (-2.0,), (1.0,))[1]) == 3.0
    with pytest.raises(jax.ConcretizationError):
        jax.jit(jax.grad(branchy))(2.0)


# ---- rule outputs are checked against the primal's structure, shapes and dtypes (JAX's messages) -------

V = np.ones(3, np.float32)


def _custom_jvp(rule):
    @jax.custom_jvp
    def f(x):
        return jnp.sin(x)
    f.defjvp(rule)
    return f


def _custom_vjp(fwd, bwd):
    @jax.custom_vjp
    def g(x):
        return jnp.sin(x)
    g.defvjp(fwd, bwd)
    return g


def _ok_fwd(x):
    return jnp.sin(x), jnp.cos(x)


_JVP_SHAPES = ("Custom JVP rule must produce primal and tangent outputs with corresponding shapes and dtypes. "
               "Expected float32[3] (tangent type of float32[3]) but got {}.")
_BWD_TREE = ("Custom VJP bwd rule must produce an output with the same container (pytree) structure as the args "
             "tuple of the primal function, and in particular must produce a tuple of length equal to the number "
             "of arguments to the primal function, but got bwd output structure {} for primal input structure "
             "PyTreeDef((*,)).")
_FWD_PAIR = ("Custom VJP fwd rule <lambda> for function g must produce a pair (list or tuple of length two) where "
             "the first element represents the primal output (equal to those of the custom_vjp-decorated function "
             "g) and the second element represents residuals (i.e. values stored from the forward pass for use on "
             "the backward pass), but instead of a pair the fwd rule <lambda> produced ")

ERRORS = [
    (lambda: jax.jvp(_custom_jvp(lambda p, t: (jnp.sin(p[0]), jnp.ones(2))), (V,), (V,)),
     TypeError, _JVP_SHAPES.format("float32[2]")),
    (lambda: jax.grad(lambda x: _custom_jvp(lambda p, t: (jnp.sin(p[0]), jnp.ones(2)))(x).sum())(V),
     TypeError, _JVP_SHAPES.format("float32[2]")),
    (lambda: jax.jvp(_custom_jvp(lambda p, t: (jnp.sin(p[0]), t[0].astype(jnp.float16))), (V,), (V,)),
     TypeError, _JVP_SHAPES.format("float16[3]")),
    (lambda: jax.jvp(_custom_jvp(lambda p, t: (jnp.sin(p[0]), (t[0], t[0]))), (V,), (V,)),
     TypeError, "Custom JVP rule <lambda> for function f must produce primal and tangent outputs with equal "
                "container (pytree) structures, but got PyTreeDef(*) and PyTreeDef((*, *)) respectively."),
    (lambda: jax.jvp(_custom_jvp(lambda p, t: jnp.sin(p[0])), (V,), (V,)),
     TypeError, "Custom JVP rule <lambda> for function f must produce a pair (list or tuple of length two) "
                "representing primal and tangent outputs, but got "),
    (lambda: jax.vjp(_custom_vjp(_ok_fwd, lambda r, ct: (r * ct, r * ct)), V)[1](V),
     TypeError, _BWD_TREE.format("PyTreeDef((*, *))")),
    (lambda: jax.vjp(_custom_vjp(_ok_fwd, lambda r, ct: r * ct), V)[1](V), TypeError, _BWD_TREE.format("PyTreeDef(*)")),
    (lambda: jax.vjp(_custom_vjp(_ok_fwd, lambda r, ct: ((r * ct, r),)), V)[1](V),
     TypeError, _BWD_TREE.format("PyTreeDef(((*, *),))")),
    (lambda: jax.vjp(_custom_vjp(_ok_fwd, lambda r, ct: (jnp.ones(2),)), V)[1](V),
     ValueError, "Custom VJP bwd rule must produce an output with the same type as the args tuple of the primal "
                 "function, but at output[0] the bwd rule produced an output of type float32[2] corresponding to "
                 "an input of type float32[3], so the shapes do not match"),
    (lambda: jax.jit(jax.grad(lambda x: _custom_vjp(_ok_fwd, lambda r, ct: (jnp.ones(2),))(x).sum()))(V),
     ValueError, "at output[0] the bwd rule produced an output of type float32[2] corresponding to an input of "
                 "type float32[3], so the shapes do not match"),
    (lambda: jax.vjp(_custom_vjp(lambda x: jnp.sin(x), lambda r, ct: (ct,)), V), TypeError, _FWD_PAIR),
    (lambda: jax.vjp(_custom_vjp(lambda x: (jnp.sin(x), jnp.cos(x), 1.0), lambda r, ct: (ct,)), V),
     TypeError, _FWD_PAIR),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_rule_output_errors(i):
    thunk, kind, message = ERRORS[i]
    with pytest.raises(kind) as e:
        thunk()
    assert message in str(e.value)


def test_bwd_none_and_list():
    """None is a zero cotangent and a list does for the tuple, as in JAX."""
    np.testing.assert_array_equal(jax.vjp(_custom_vjp(_ok_fwd, lambda r, ct: (None,)), V)[1](V)[0], np.zeros(3))
    np.testing.assert_allclose(jax.vjp(_custom_vjp(_ok_fwd, lambda r, ct: [r * ct]), V)[1](V)[0],
                               np.cos(V), rtol=1e-6)
