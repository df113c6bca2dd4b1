"""while_loop, fori_loop, scan, map and associative_scan: values eager and jitted against Python loops and
NumPy, type errors, derivatives (forward and reverse), batching, nesting."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.test_util import check_grads

# this module checks derivatives with check_grads (while: forward mode only, since reverse mode
# through it is an error) and batching against Python loops
COVERED_AD_PRIMITIVES = {"scan", "while"}
COVERED_BATCH_PRIMITIVES = {"scan", "while"}

X = np.array([0.3, -0.5, 0.8], np.float32)
EAGER_AND_JIT = pytest.mark.parametrize("run", [lambda f: f, lintra.jit], ids=["eager", "jit"])


def _prims(f, *args):
    return [op.prim for op in lintra.make_ir(f)(*args).body.walk()]


# ---- while_loop and fori_loop --------------------------------------------------------------------------

def _collatz_steps(n):
    return lax.while_loop(lambda c: c[0] != 1,
                          lambda c: (jnp.where(c[0] % 2 == 0, c[0] // 2, 3 * c[0] + 1), c[1] + 1),
                          (n, 0))[1]


def _collatz_ref(n):
    steps = 0
    while n != 1:
        n, steps = (n // 2 if n % 2 == 0 else 3 * n + 1), steps + 1
    return steps


@EAGER_AND_JIT
def test_while_loop_matches_python(run):
    for n in (1, 6, 27):
        assert int(run(_collatz_steps)(np.int32(n))) == _collatz_ref(n)


def test_while_loop_pytree_carry_and_closure():
    step = jnp.asarray(np.float32(0.5))
    out = lintra.jit(lambda v: lax.while_loop(lambda c: c["t"] < 3.0, lambda c: {"t": c["t"] + step, "v": c["v"] * 2},
                                              {"t": np.float32(0), "v": v}))(X)
    np.testing.assert_allclose(np.asarray(out["v"]), X * 64)
    assert float(out["t"]) == 3.0


@EAGER_AND_JIT
@pytest.mark.parametrize("lo,hi", [(0, 5), (2, 7), (5, 2)])
def test_fori_loop_static_and_dynamic_bounds(run, lo, hi):
    body = lambda i, c: c * 1.5 + i.astype(np.float32)
    expected = np.float32(1.0)
    for i in range(lo, hi):
        expected = expected * np.float32(1.5) + np.float32(i)
    static = lambda: lax.fori_loop(lo, hi, body, jnp.float32(1.0))
    dynamic = lambda a, b: lax.fori_loop(a, b, body, jnp.float32(1.0))
    np.testing.assert_allclose(float(run(static)()), expected, rtol=1e-6)
    np.testing.assert_allclose(float(run(dynamic)(np.int32(lo), np.int32(hi))), expected, rtol=1e-6)


def test_fori_loop_static_bounds_are_a_scan_dynamic_bounds_a_while():
    body = lambda i, c: c + i
    assert "scan" in _prims(lambda: lax.fori_loop(0, 4, body, 0))
    assert "while" in _prims(lambda n: lax.fori_loop(0, n, body, 0), np.int32(4))


def test_weak_initial_carry_takes_the_body_type():
    out = lax.fori_loop(0, 3, lambda i, c: c + jnp.float32(1.0), 0.0)
    assert out.dtype == np.float32 and not out.weak_type and float(out) == 3.0
    out = lax.while_loop(lambda c: c < 2.5, lambda c: c + jnp.float32(1.0), 0.0)
    assert not out.weak_type and float(out) == 3.0


@EAGER_AND_JIT
def test_weak_initial_carry_is_promoted_to_the_body_dtype(run):
    # JAX 0.10.2's _promote_weak_typed_inputs: a Python-scalar carry takes the dtype the body gives it
    # (optax's Hungarian algorithm starts a float minimum at `0`); values and dtypes recorded from JAX
    i, acc = run(lambda: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] + 0.5), (0, 0)))()
    assert (i.dtype, i.weak_type, int(i)) == (np.int32, True, 3)
    assert (acc.dtype, acc.weak_type, float(acc)) == (np.float32, False, 1.5)
    c, ys = run(lambda: lax.scan(lambda c, x: (c + x, c), 0, jnp.arange(3.0)))()
    assert (c.dtype, c.weak_type, float(c)) == (np.float32, False, 3.0)
    np.testing.assert_array_equal(ys, np.array([0, 0, 1], np.float32))
    out = run(lambda: lax.fori_loop(0, 3, lambda i, c: c + jnp.float16(1.5), 0))()
    assert (out.dtype, out.weak_type, float(out)) == (np.float16, False, 4.5)
    out = run(lambda n: lax.fori_loop(0, n, lambda i, c: c * 2.5, 1))(np.int32(3))
    assert (out.dtype, out.weak_type, float(out)) == (np.float32, False, 15.625)
    out = run(lambda: lax.while_loop(lambda c: c < 3, lambda c: c + jnp.int8(1), 0))()
    assert (out.dtype, out.weak_type, int(out)) == (np.int8, False, 3)


def test_loop_type_errors():
    # JAX 0.10.2's messages (recorded): a leaf is named by the body's carry parameter and its key path
    with pytest.raises(TypeError, match=r"^while_loop body function carry input and carry output must have equal "
                                        r"types, but they differ:\n\nThe input carry component c\[1\] has type "
                                        r"float32\[\] but the corresponding output carry component has type "
                                        r"float32\[3\], so the shapes do not match.\n\nRevise the function so that "
                                        r"all output types match the corresponding input types.$"):
        lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * X), (0, np.float32(1)))
    with pytest.raises(TypeError, match=r"The input carry component c\['a'\] has type int32\[\] but the "
                                        r"corresponding output carry component has type float32\[\], so the dtypes "
                                        r"do not match."):
        lax.while_loop(lambda c: c["a"] < 3, lambda c: {"a": c["a"] + 0.5}, {"a": np.int32(0)})
    with pytest.raises(TypeError, match=r"differ:\n\n  \* the input carry component c\[0\] has type int32\[\] but "
                                        r"the corresponding output carry component has type float32\[\], so the "
                                        r"dtypes do not match;\n  \* the input carry component c\[1\] has type "
                                        r"float32\[\] but the corresponding output carry component has type "
                                        r"float32\[3\], so the shapes do not match.\n\nRevise"):
        lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 0.5, c[1] * X, c[2]), (np.int32(0), np.float32(1), 1))
    with pytest.raises(TypeError, match="cond_fun must return a boolean scalar"):
        lax.while_loop(lambda c: c, lambda c: c, np.float32(1))
    with pytest.raises(TypeError, match="while_loop body function carry input and carry output must have the same "
                                        "pytree structure, but they differ"):
        lax.while_loop(lambda c: c[0] < 3, lambda c: c[0], (0, 1.0))
    with pytest.raises(TypeError, match=r"^scan body function carry input and carry output must have equal types, "
                                        r"but they differ:\n\nThe input carry component c\[0\] has type float32\[\]"):
        lax.scan(lambda c, x: ((c[0] * x, c[1]), None), (np.float32(0), 1), X[:, None])
    with pytest.raises(TypeError, match=r"The input carry c has type float32\[\] but the corresponding output carry "
                                        r"component has type float32\[1\], so the shapes do not match"):
        lax.scan(lambda c, x: (c * x, None), np.float32(0), X[:, None])
    with pytest.raises(TypeError, match=r"The input carry component loop_carry\[1\] has type float32\[\] but the "
                                        r"corresponding output carry component has type float32\[3\]"):
        lax.fori_loop(0, 3, lambda i, c: c * X, np.float32(0))
    with pytest.raises(TypeError, match="scan body output must be a pair"):
        lax.scan(lambda c, x: c, 0.0, X)
    with pytest.raises(ValueError, match="different leading axis sizes"):
        lax.scan(lambda c, x: (c, None), 0.0, (X, X[:2]))
    with pytest.raises(ValueError, match="disagrees with leading axis sizes"):
        lax.scan(lambda c, x: (c, None), 0.0, X, length=4)
    with pytest.raises(ValueError, match="no leading axis"):
        lax.scan(lambda c, x: (c, None), 0.0, np.float32(1))


# ---- scan, map, associative_scan ------------------------------------------------------------------------

def _scan_ref(f, init, xs, reverse=False):
    carry, ys = init, [None] * len(xs)
    for i in (reversed(range(len(xs))) if reverse else range(len(xs))):
        carry, ys[i] = f(carry, xs[i])
    return carry, np.stack(ys)


@EAGER_AND_JIT
@pytest.mark.parametrize("reverse", [False, True])
def test_scan_matches_a_python_loop(run, reverse):
    xs = np.arange(12, dtype=np.float32).reshape(4, 3) / 10
    f = lambda c, x: (c * 0.5 + x, jnp.sum(c * x))
    ref_f = lambda c, x: (c * 0.5 + x, np.sum(c * x))
    carry, ys = run(lambda c, xs: lax.scan(f, c, xs, reverse=reverse))(X, xs)
    rc, rys = _scan_ref(ref_f, X, xs, reverse)
    np.testing.assert_allclose(np.asarray(carry), rc, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ys), rys, rtol=1e-5)


def test_scan_pytrees_length_only_and_empty():
    out, ys = lax.scan(lambda c, x: ({"n": c["n"] + 1, "s": c["s"] + x[0] * x[1]}, (x[0], c["n"])),
                       {"n": np.int32(0), "s": np.float32(0)}, (X, X * 2))
    assert int(out["n"]) == 3
    np.testing.assert_allclose(float(out["s"]), np.sum(X * X * 2), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(ys[0]), X)
    np.testing.assert_array_equal(np.asarray(ys[1]), [0, 1, 2])
    c, ys = lintra.jit(lambda: lax.scan(lambda c, _: (c * 2, c), jnp.int32(1), None, length=5))()
    assert int(c) == 32 and list(np.asarray(ys)) == [1, 2, 4, 8, 16]
    c, ys = lax.scan(lambda c, x: (c + x[0], x * 2), np.float32(1), np.zeros((0, 2), np.float32))
    assert float(c) == 1 and np.asarray(ys).shape == (0, 2)


@EAGER_AND_JIT
def test_map(run):
    xs = np.arange(10, dtype=np.float32).reshape(5, 2)
    np.testing.assert_allclose(np.asarray(run(lambda v: lax.map(lambda r: jnp.sin(r) * r[0], v))(xs)),
                               np.sin(xs) * xs[:, :1], rtol=1e-6)
    out = run(lambda v: lax.map(lambda r: {"s": jnp.sum(r)}, v, batch_size=2))(xs)
    np.testing.assert_allclose(np.asarray(out["s"]), xs.sum(1))


@EAGER_AND_JIT
@pytest.mark.parametrize("n", [1, 2, 5, 8])
@pytest.mark.parametrize("reverse", [False, True])
def test_associative_scan(run, n, reverse):
    xs = (np.arange(2 * n, dtype=np.float32).reshape(2, n) + 1) / 4
    out = run(lambda v: lax.associative_scan(jnp.add, v, reverse=reverse, axis=1))(xs)
    ref = np.flip(np.cumsum(np.flip(xs, 1), 1), 1) if reverse else np.cumsum(xs, 1)
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-6)


def test_associative_scan_of_a_pytree_with_a_non_commutative_operator():
    # composition of affine maps x -> a x + b: (a1, b1) then (a2, b2) is (a2 a1, a2 b1 + b2)
    a = np.array([0.5, 2.0, -1.0, 3.0, 0.25, 1.5, -0.5], np.float32)
    b = np.array([1.0, -2.0, 0.5, 0.0, 4.0, -1.0, 2.0], np.float32)
    fa, fb = lax.associative_scan(lambda p, q: (q[0] * p[0], q[0] * p[1] + q[1]), (a, b))
    ref_a, ref_b, acc = [], [], (1.0, 0.0)
    for ai, bi in zip(a, b):
        acc = (ai * acc[0], ai * acc[1] + bi)
        ref_a.append(acc[0])
        ref_b.append(acc[1])
    np.testing.assert_allclose(np.asarray(fa), ref_a, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(fb), ref_b, rtol=1e-6)


# ---- derivatives ------------------------------------------------------------------------------------------

def _scan_loss(x, w):
    def body(c, xi):
        c = jnp.tanh(c * w + xi)
        return c, jnp.sin(c) * xi
    c, ys = lax.scan(body, jnp.zeros_like(w), jnp.stack([x, x * 2, -x]))
    return jnp.sum(c) + jnp.sum(ys)


def test_scan_derivatives():
    check_grads(_scan_loss, (X, X[::-1].copy()), order=2)
    check_grads(lambda x: lax.scan(lambda c, xi: (c * xi, c + xi), x[0], x, reverse=True), (X,), order=1)


def test_fori_loop_static_derivatives():
    check_grads(lambda x: lax.fori_loop(1, 4, lambda i, c: jnp.sin(c) * x + i, x), (X,), order=2)


def test_while_loop_forward_mode_and_linearize():
    f = lambda x: lax.while_loop(lambda c: c[0] < 4, lambda c: (c[0] + 1, jnp.sin(c[1]) * x), (0, x))[1]
    check_grads(f, (X,), order=2, modes=("fwd",))
    _, f_jvp = lintra.linearize(f, X)
    _, t = lintra.jvp(f, (X,), (np.ones(3, np.float32),))
    np.testing.assert_allclose(np.asarray(f_jvp(np.ones(3, np.float32))), np.asarray(t), rtol=1e-6)
    # jacfwd linearizes, then vmaps the linear map: both passes must handle the loop
    jac = lintra.jit(lintra.jacfwd(f))(X)
    np.testing.assert_allclose(np.diag(np.asarray(jac)), np.asarray(t), rtol=1e-5)


def test_reverse_mode_through_a_dynamic_loop_raises():
    f = lambda x, n: lax.fori_loop(0, n, lambda i, c: c * x, x)
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for lax.while_loop or "
                                         "lax.fori_loop with dynamic start/stop values. Try using lax.scan"):
        lintra.jit(lintra.grad(lambda x, n: jnp.sum(f(x, n))))(X, np.int32(3))
    with pytest.raises(ValueError, match="Reverse-mode"):
        lintra.grad(lambda x: lax.while_loop(lambda c: c < 10.0, lambda c: c * x, 1.0))(2.0)


def test_grad_of_an_rnn_against_finite_differences():
    rng = np.random.default_rng(0)
    wx, wh = rng.normal(size=(2, 4)).astype(np.float32) / 2, rng.normal(size=(4, 4)).astype(np.float32) / 2
    xs = rng.normal(size=(5, 2)).astype(np.float32)

    def loss(params, xs):
        wx, wh = params
        h, hs = lax.scan(lambda h, x: (jnp.tanh(x @ wx + h @ wh),) * 2, jnp.zeros(4, np.float32), xs)
        return jnp.sum(hs ** 2) + jnp.sum(h)

    def loss_np(wx, wh):
        h, total = np.zeros(4), 0.0
        for x in xs.astype(np.float64):
            h = np.tanh(x @ wx + h @ wh)
            total += np.sum(h ** 2)
        return total + np.sum(h)
    g_wx, g_wh = lintra.jit(lintra.grad(loss))((wx, wh), xs)
    eps = 1e-4
    for w, g, name in ((wx, g_wx, "wx"), (wh, g_wh, "wh")):
        fd = np.zeros(w.shape)
        for idx in np.ndindex(w.shape):
            d = np.zeros(w.shape)
            d[idx] = eps
            args = (wx + d, wh) if name == "wx" else (wx, wh + d)
            args_m = (wx - d, wh) if name == "wx" else (wx, wh - d)
            fd[idx] = (loss_np(*map(np.float64, args)) - loss_np(*map(np.float64, args_m))) / (2 * eps)
        np.testing.assert_allclose(np.asarray(g), fd, rtol=2e-3, atol=2e-4)


def test_nested_scan_in_cond_in_scan():
    def f(x):
        def outer(c, xi):
            inner = lambda v: lax.scan(lambda a, y: (a * y + 1.0, a), v, jnp.stack([xi, xi]))[0]
            c = lax.cond(xi > 0, inner, lambda v: v * xi, c)
            return c, c
        return lax.scan(outer, x[0], x)

    def ref(x):
        c, ys = x[0], []
        for xi in x:
            if xi > 0:
                for _ in range(2):
                    c = c * xi + 1.0
            else:
                c = c * xi
            ys.append(c)
        return c, np.array(ys)
    for run in (lambda g: g, lintra.jit):
        c, ys = run(f)(X)
        rc, rys = ref(X.astype(np.float64))
        np.testing.assert_allclose(float(c), rc, rtol=1e-5)
        np.testing.assert_allclose(np.asarray(ys), rys, rtol=1e-5)
    check_grads(lambda x: f(x)[1], (X,), order=1)


# ---- batching ------------------------------------------------------------------------------------------

XS = np.array([[0.5, 1.0, -1.0], [2.0, -0.5, 0.25]], np.float32)


def test_vmap_while_with_a_batched_predicate_runs_each_member_to_its_end():
    ns = np.array([1, 6, 27, 4], np.int32)
    out = lintra.jit(lintra.vmap(_collatz_steps))(ns)
    assert list(np.asarray(out)) == [_collatz_ref(int(n)) for n in ns]


def test_vmap_while_with_an_unbatched_predicate():
    f = lambda x: lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * x), (0, jnp.ones_like(x)))[1]
    np.testing.assert_allclose(np.asarray(lintra.vmap(f)(XS)), XS ** 3, rtol=1e-6)
    ir = lintra.make_ir(lintra.vmap(f))(XS)
    assert "reduce_or" not in [op.prim for op in ir.body.walk()]


@pytest.mark.parametrize("in_axes", [(0, 0), (1, None), (None, 1)])
def test_vmap_scan(in_axes):
    rng = np.random.default_rng(1)
    f = lambda c0, xs: lax.scan(lambda c, x: (c * 0.5 + x, c * x), c0, xs)
    c0 = rng.normal(size={0: (4, 3), 1: (3, 4), None: (3,)}[in_axes[0]]).astype(np.float32)
    xs = rng.normal(size={0: (4, 5, 3), 1: (5, 4, 3), None: (5, 3)}[in_axes[1]]).astype(np.float32)
    carry, ys = lintra.vmap(f, in_axes)(c0, xs)
    for b in range(4):
        cb = c0 if in_axes[0] is None else np.take(c0, b, in_axes[0])
        xb = xs if in_axes[1] is None else np.take(xs, b, in_axes[1])
        rc, rys = _scan_ref(lambda c, x: (c * 0.5 + x, c * x), cb, xb)
        np.testing.assert_allclose(np.asarray(carry)[b], rc, rtol=1e-5)
        np.testing.assert_allclose(np.asarray(ys)[b], rys, rtol=1e-5)


def test_vmap_of_grad_of_scan_and_psum_in_a_body():
    g = lintra.vmap(lintra.grad(lambda w: _scan_loss(X, w)))(XS)
    for w, gw in zip(XS, np.asarray(g)):
        np.testing.assert_allclose(gw, np.asarray(lintra.grad(lambda v: _scan_loss(X, v))(w)), rtol=1e-5)
    # a collective over the mapped axis inside a loop body: each step sums over the members
    f = lambda x: lax.fori_loop(0, 2, lambda i, c: c + lax.psum(x, "b"), x)
    np.testing.assert_allclose(np.asarray(lintra.vmap(f, axis_name="b")(X)), X + 2 * X.sum(), rtol=1e-6)
