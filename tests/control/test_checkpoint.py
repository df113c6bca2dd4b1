"""checkpoint (remat), its policies and checkpoint_name; residual_bytes; checkpointed_scan and the bounded
while_loop: derivatives against NumPy references, residuals that shrink, and IR that recomputes."""
from typing import NamedTuple

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.ad_checkpoint import checkpoint_name
from lintra.ir.passes.cse import cse
from lintra.test_util import check_grads

P = lintra.checkpoint_policies
RNG = np.random.default_rng(0)
W = (RNG.normal(size=(3, 3)) * 0.5).astype(np.float32)
X = RNG.normal(size=3).astype(np.float32)


def _prims(f, *args):
    return [op.prim for op in lintra.make_ir(f)(*args).body.walk()]


def _close(a, b, tol=2e-5):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64), rtol=tol, atol=tol)


# ---- a two-layer map with a named hidden layer, and its gradient in NumPy ---------------------------------

def mlp(w, x):
    h = checkpoint_name(jnp.tanh(jnp.dot(w, x)), "h")
    return jnp.sum(jnp.sin(jnp.dot(w, h)))


def mlp_grad(w, x):
    w, x = w.astype(np.float64), x.astype(np.float64)
    h = np.tanh(w @ x)
    g_b = np.cos(w @ h)
    g_a = (1 - h ** 2) * (w.T @ g_b)
    return np.outer(g_b, h) + np.outer(g_a, x), w.T @ g_a


class Policy(NamedTuple):
    name: str
    policy: object
    saved: tuple     # what the forward pass keeps besides w and x, as counts of f32[3] values


F32_3, WX = 12, 48      # bytes of one f32[3]; of w and x together
POLICIES = [
    Policy("none", None, ()),
    Policy("nothing_saveable", P.nothing_saveable, ()),
    Policy("dots_saveable", P.dots_saveable, ("w x", "w h")),
    Policy("dots_with_no_batch_dims_saveable", P.dots_with_no_batch_dims_saveable, ("w x", "w h")),
    Policy("save_only_these_names", P.save_only_these_names("h"), ("h",)),
    Policy("save_any_names_but_these", P.save_any_names_but_these("h"), ()),
    Policy("save_any_names_but_g", P.save_any_names_but_these("g"), ("h",)),
    # every residual, as without checkpoint: tanh and 1 - tanh (tanh's JVP is (t + t y)(1 - y), as JAX's),
    # h, cos(w h)
    Policy("everything_saveable", P.everything_saveable, ("tanh", "1 - tanh", "h", "cos")),
]
POLICY_IDS = [p.name for p in POLICIES]


@pytest.mark.parametrize("case", POLICIES, ids=POLICY_IDS)
def test_gradients_with_every_policy_match_numpy(case):
    f = lintra.checkpoint(mlp, policy=case.policy)
    want = mlp_grad(W, X)
    for run in (lambda g: g, lintra.jit):
        got = run(lintra.grad(f, (0, 1)))(W, X)
        for g, w in zip(got, want):
            _close(g, w)
    plain = lintra.grad(mlp, (0, 1))(W, X)
    for g, p in zip(lintra.grad(f, (0, 1))(W, X), plain):
        _close(g, p, 1e-6)


@pytest.mark.parametrize("case", POLICIES, ids=POLICY_IDS)
def test_residual_bytes_are_what_the_policy_saves(case):
    f = lintra.checkpoint(mlp, policy=case.policy)
    assert lintra.residual_bytes(f, W, X) == WX + F32_3 * len(case.saved)
    assert lintra.residual_bytes(mlp, W, X) == WX + 4 * F32_3


@pytest.mark.parametrize("policy", [None, P.dots_saveable, P.save_only_these_names("h")],
                         ids=["nothing", "dots", "names"])
def test_second_order_derivatives(policy):
    check_grads(lintra.checkpoint(mlp, policy=policy), (W.astype(np.float64), X.astype(np.float64)), order=2)


def test_forward_mode_linearize_and_vmap():
    f = lintra.checkpoint(mlp)
    tw, tx = np.ones_like(W), np.linspace(-1, 1, 3).astype(np.float32)
    gw, gx = mlp_grad(W, X)
    want = np.sum(gw * tw) + gx @ tx
    _close(lintra.jvp(f, (W, X), (tw, tx))[1], want)
    _, f_jvp = lintra.linearize(f, W, X)        # runs the recomputing checkpoint forwards
    _close(f_jvp(tw, tx), want)
    xs = RNG.normal(size=(4, 3)).astype(np.float32)
    got = lintra.vmap(lintra.grad(f, 1), (None, 0))(W, xs)
    _close(got, np.stack([mlp_grad(W, x)[1] for x in xs]))


def test_static_argnums_kwargs_closures_and_eager():
    def f(x, n, scale=1.0):
        for _ in range(n):          # Python control flow on the static argument
            x = jnp.sin(x) * scale
        return jnp.sum(x)
    g = lintra.checkpoint(f, static_argnums=(1,))
    x = X.astype(np.float64)

    def ref(x, n, scale):
        d = np.ones_like(x)
        for _ in range(n):
            d, x = d * np.cos(x) * scale, np.sin(x) * scale
        return d
    _close(lintra.grad(lambda x: g(x, 3, scale=0.5))(X), ref(x, 3, 0.5))
    _close(g(X, 2), np.sum(np.sin(np.sin(x))))                 # outside transformations it just runs
    # a closed-over traced value is an operand of the checkpoint: its derivative flows through
    _close(lintra.grad(lambda s: lintra.checkpoint(lambda v: jnp.sum(jnp.sin(s * v)))(X))(np.float32(0.7)),
           np.sum(np.cos(0.7 * x) * x))
    assert lintra.remat is lintra.checkpoint


def test_nested_checkpoints():
    inner = lintra.checkpoint(lambda x: jnp.sin(jnp.sin(x)))
    outer = lintra.checkpoint(lambda x: jnp.sum(inner(x) * x), policy=P.dots_saveable)
    x = X.astype(np.float64)
    _close(lintra.grad(outer)(X), np.sin(np.sin(x)) + x * np.cos(np.sin(x)) * np.cos(x))
    assert lintra.residual_bytes(outer, X) == F32_3


def test_prevent_cse_keeps_recomputation_apart():
    grad_ir = lintra.make_ir(lintra.grad(lintra.checkpoint(mlp)))(W, X)
    ops = [op for op in grad_ir.body.ops if op.prim == "checkpoint"]
    assert len(ops) == 1 and ops[0].attrs["differentiated"] and ops[0].attrs["prevent_cse"]
    assert "tanh" in [o.prim for o in ops[0].regions[0].walk()]           # the backward pass recomputes
    assert "optimization_barrier" in lintra.jit(lintra.grad(lintra.checkpoint(mlp))).lower(W, X).as_text()
    unbarred = lintra.jit(lintra.grad(lintra.checkpoint(mlp, prevent_cse=False)))
    assert "optimization_barrier" not in unbarred.lower(W, X).as_text()
    for keep, count in ((True, 2), (False, 1)):
        c = lintra.checkpoint(lambda v: jnp.sin(v), prevent_cse=keep)
        func = cse(lintra.make_ir(lambda v: c(v) + c(v))(X))
        assert [op.prim for op in func.body.ops].count("checkpoint") == count


def test_lintra_dump_reports_the_residuals_of_vjp(tmp_path):
    from lintra.ir.parser import parse_type
    from lintra.tools.dump import dump
    path = tmp_path / "model.py"
    path.write_text("import lintra, lintra.numpy as jnp\n"
                    "def f(x):\n    return jnp.sum(jnp.sin(jnp.sin(x)))\n"
                    "g = lintra.checkpoint(f)\n")
    types = [parse_type("f32[5]")]
    # sin(sin(x)) keeps cos x and cos(sin x); under checkpoint only x
    assert dump(f"{path}:f", types, transform="vjp").startswith("// residuals: 2 values, 40 bytes (f32[5], f32[5])\n")
    assert dump(f"{path}:g", types, transform="vjp").startswith("// residuals: 1 value, 20 bytes (f32[5])\nfunc ")
    assert not dump(f"{path}:g", types, transform="grad").startswith("//")


def test_errors_name_the_bad_value():
    with pytest.raises(TypeError, match="policy must be None or one of"):
        lintra.checkpoint(mlp, policy=lambda *a, **k: True)
    with pytest.raises(TypeError, match="names must be strings, got 3"):
        P.save_only_these_names(3)
    with pytest.raises(TypeError, match="name must be a string, got 1"):
        checkpoint_name(X, 1)
    with pytest.raises(TypeError, match="static_argnums 5 out of range"):
        lintra.jit(lintra.checkpoint(mlp, static_argnums=5))(W, X)
    with pytest.raises(TypeError, match="checkpoints must be an int >= 2, got 1"):
        lintra.checkpointed_scan(lambda c, x: (c + x, c), 0.0, X, checkpoints=1)
    with pytest.raises(TypeError, match="max_steps must be a non-negative int, got -1"):
        lax.while_loop(lambda v: v < 1.0, lambda v: v + 1.0, 0.0, max_steps=-1)


def test_policies_answer_as_jax_policies_do():
    assert P.dots_saveable("dot_general", lhs_batch=(), rhs_batch=())
    assert not P.dots_with_no_batch_dims_saveable("dot_general", lhs_batch=(0,), rhs_batch=(0,))
    assert P.save_only_these_names("h")("name", name="h") and not P.nothing_saveable("dot_general")


# ---- rule coverage: the AD and batching registries read these tables ---------------------------------------

class Rule(NamedTuple):
    prim: str
    fun: object


RULES = [
    Rule("checkpoint", lambda x: lintra.checkpoint(lambda v: jnp.sin(v) * v)(x)),
    Rule("name", lambda x: checkpoint_name(jnp.sin(x), "s") * x),
]
COVERED_AD_PRIMITIVES = {r.prim for r in RULES}
COVERED_BATCH_PRIMITIVES = {r.prim for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=[r.prim for r in RULES])
def test_rule_derivatives_and_batching(rule):
    x = X.astype(np.float64)
    assert rule.prim in _prims(rule.fun, x)
    check_grads(rule.fun, (x,), order=2)
    _close(lintra.grad(lambda v: jnp.sum(rule.fun(v)))(X), np.sin(x) + x * np.cos(x))
    xs = RNG.normal(size=(4, 3)).astype(np.float32)
    assert rule.prim in _prims(lintra.vmap(rule.fun), xs)
    _close(lintra.vmap(rule.fun)(xs), np.sin(xs) * xs)
    _close(lintra.vmap(lintra.grad(lambda v: jnp.sum(rule.fun(v))))(xs), np.sin(xs) + xs * np.cos(xs))


# ---- a small recurrent cell over long sequences -----------------------------------------------------------

H, D = 8, 2


def rnn_params(rng):
    return (rng.normal(size=(H, H)) * 0.3).astype(np.float32), rng.normal(size=(H, D)).astype(np.float32)


def rnn_loss(params, xs, mode="plain", k=None, reverse=False):
    w, u = params

    def step(h, x):
        h = jnp.tanh(jnp.dot(w, h) + jnp.dot(u, x))
        return h, {"sum": jnp.sum(h), "h0": h[0]}
    if mode == "body":
        step = lintra.checkpoint(step)
    h0 = jnp.zeros(H, np.float32)
    if mode == "scan_kw":
        h, ys = lax.scan(step, h0, xs, reverse=reverse, checkpoints=k)
    elif mode == "cscan":
        h, ys = lintra.checkpointed_scan(step, h0, xs, checkpoints=k, reverse=reverse)
    else:
        h, ys = lax.scan(step, h0, xs, reverse=reverse)
    return jnp.sum(h ** 2) + jnp.sum(ys["sum"]) * 0.1 + jnp.sum(ys["h0"])    # linear in ys: no residuals


def test_residual_bytes_shrink_over_a_1000_step_scan():
    rng = np.random.default_rng(1)
    params, xs = rnn_params(rng), jnp.asarray(rng.normal(size=(1000, D)).astype(np.float32))
    inputs = xs.nbytes + sum(p.nbytes for p in params)
    plain = lintra.residual_bytes(lambda p: rnn_loss(p, xs), params)
    body = lintra.residual_bytes(lambda p: rnn_loss(p, xs, "body"), params)
    assert plain > body > inputs + 1000 * H * 4 - 1       # a checkpointed body still keeps every carry
    # 1000 = 10 * 10 * 10 for k = 16; for k = 4 and 32 the steps are padded to 1024 (4^5, 32^2), which
    # pads the xs too, and the carries count their steps
    for k, padded in ((4, 24), (16, 0), (32, 24)):
        c = lintra.residual_bytes(lambda p: rnn_loss(p, xs, "cscan", k), params)
        # the segments' initial carries, the zero carry tangent and the loss's 2h: O(k), not O(length)
        assert inputs < c <= inputs + padded * D * 4 + (k + 2) * (H * 4 + 4 * bool(padded)), (k, c)
        assert c < body / 3


@pytest.mark.parametrize("length, k, reverse", [(23, 2, False), (23, 3, True), (24, 4, True), (23, None, False)])
def test_checkpointed_scan_gradients_equal_scan_gradients(length, k, reverse):
    """23 steps pad to 2^5 = 32 and 3^3 = 27 (and 5^2 = 25 for k = None); 24 = 4 * 3 * 2 does not pad."""
    rng = np.random.default_rng(length)
    params, xs = rnn_params(rng), rng.normal(size=(length, D)).astype(np.float32)
    value_and_grad = lintra.jit(lintra.value_and_grad(rnn_loss), static_argnums=(2, 3, 4))
    want = value_and_grad(params, xs, "plain", None, reverse)
    got = value_and_grad(params, xs, "cscan", k, reverse)
    _close(got[0], want[0], 1e-6)
    for g, w in zip(got[1], want[1]):
        _close(g, w, 1e-5)
    if k is not None:    # scan(..., checkpoints=k) is the same program (checkpoints=None: a plain scan)
        ir = lintra.make_ir(lintra.grad(rnn_loss), static_argnums=(2, 3, 4))
        assert str(ir(params, xs, "scan_kw", k, reverse)) == str(ir(params, xs, "cscan", k, reverse))


def test_checkpointed_scan_eagerly():
    rng = np.random.default_rng(5)
    params, xs = rnn_params(rng), rng.normal(size=(12, D)).astype(np.float32)
    for g, w in zip(lintra.grad(rnn_loss)(params, xs, "cscan", 5), lintra.grad(rnn_loss)(params, xs)):
        _close(g, w, 1e-5)


def test_checkpointed_scan_against_numpy_and_its_structure():
    """A linear recurrence h <- a h + x, whose gradient in a is known in closed form; xs None with length."""
    def f(a, n, k):
        return lintra.checkpointed_scan(lambda h, _: (a * h + 1.0, h), 0.5, None, length=n, checkpoints=k)[0]

    def ref(a, n):
        h, d = 0.5, 0.0
        for _ in range(n):
            h, d = a * h + 1.0, h + a * d
        return h, d
    for n, k in ((10, 3), (9, 3), (1, 2), (0, 2)):
        h, d = ref(0.9, n)
        _close(f(np.float32(0.9), n, k), h)
        _close(lintra.grad(f)(np.float32(0.9), n, k), d)
    prims = _prims(lambda a: f(a, 10, 3), np.float32(0.9))
    assert prims.count("checkpoint") == 2 and prims.count("scan") == 3 and "cond" in prims   # 3 levels, padded
    assert "checkpoint" not in _prims(lambda a: f(a, 10, 10), np.float32(0.9))         # n <= k: a plain scan
    assert lintra.checkpointed_scan(lambda c, x: (c + x, c * x), 0.0, X, checkpoints=2)[1].shape == (3,)


def test_long_scan_gradient_with_few_checkpoints():
    rng = np.random.default_rng(2)
    params, xs = rnn_params(rng), rng.normal(size=(1000, D)).astype(np.float32)
    want = lintra.jit(lintra.grad(rnn_loss))(params, xs)
    got = lintra.jit(lintra.grad(rnn_loss), static_argnums=(2, 3))(params, xs, "cscan", 32)
    for g, w in zip(got, want):
        _close(g, w, 1e-4)


# ---- while_loop with max_steps --------------------------------------------------------------------------

def grow(a, max_steps=40):
    """x <- a x + 0.1 while x < 5: the trip count depends on a."""
    out, _ = lax.while_loop(lambda c: c[0] < 5.0, lambda c: (c[0] * a + 0.1, c[1] + 1),
                            (jnp.asarray(1.0, a.dtype), 0), max_steps=max_steps)
    return out


def grow_ref(a, max_steps=40):
    x, d = 1.0, 0.0
    for _ in range(max_steps):
        if not x < 5.0:
            break
        x, d = x * a + 0.1, d * a + x
    return x, d


@pytest.mark.parametrize("a, max_steps", [(1.3, 40), (1.05, 40), (1.3, 3), (1.3, 0)])
def test_bounded_while_loop_derivatives(a, max_steps):
    x, d = grow_ref(a, max_steps)
    a32 = np.float32(a)
    _close(grow(a32, max_steps), x)
    _close(lintra.grad(grow)(a32, max_steps), d, 1e-4)
    _close(lintra.jit(lintra.grad(grow), static_argnums=1)(a32, max_steps), d, 1e-4)
    _close(lintra.jvp(lambda v: grow(v, max_steps), (a32,), (np.float32(1.0),))[1], d, 1e-4)


def test_bounded_while_loop_second_order_and_batching(x64):
    check_grads(lambda a: grow(a, 12), (np.float64(1.3),), order=2)
    a = np.array([1.2, 1.3, 1.5])      # 8, 6 and 4 iterations: the batched predicate turns the cond into a select
    _close(lintra.vmap(lintra.grad(lambda v: grow(v, 12)))(a), [grow_ref(v, 12)[1] for v in a], 1e-9)


