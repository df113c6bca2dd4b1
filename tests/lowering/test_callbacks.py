"""Host callbacks through XLA's CPU python-callback custom call: debug.print, debug.callback, pure_callback,
io_callback, eagerly and under jit, vmap, grad, scan, cond and checkpoint. Expected output is JAX 0.10.2's
(run separately): e.g. vmap of a debug.print prints each member, grad's prints show primal values once."""
import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp

COVERED_PRIMITIVES = {"callback"}
COVERED_AD_PRIMITIVES = {"callback"}
COVERED_BATCH_PRIMITIVES = {"callback"}


def _printer(x):
    jax.debug.print("x={x} y={}", x + 1, x=x)
    return x * 2


@pytest.mark.parametrize("wrap", [lambda f: f, jax.jit], ids=["eager", "jit"])
def test_debug_print(wrap, capsys):
    out = wrap(_printer)(jnp.arange(3.0))
    assert capsys.readouterr().out == "x=[0. 1. 2.] y=[1. 2. 3.]\n"
    np.testing.assert_array_equal(out, [0.0, 2.0, 4.0])


def test_debug_print_lowers_to_the_python_cpu_callback():
    text = jax.jit(_printer).lower(jnp.arange(3.0)).as_text()
    assert "stablehlo.custom_call @xla_ffi_python_cpu_callback" in text and "has_side_effect = true" in text
    ordered = jax.jit(lambda x: jax.debug.print("{}", x, ordered=True)).lower(1.0).as_text()
    assert "!stablehlo.token" in ordered


@pytest.mark.parametrize("wrap", [jax.vmap, lambda f: jax.jit(jax.vmap(f))], ids=["vmap", "jit_vmap"])
def test_debug_print_under_vmap_prints_each_member(wrap, capsys):
    wrap(_printer)(jnp.arange(3.0))
    assert capsys.readouterr().out == "x=0.0 y=1.0\nx=1.0 y=2.0\nx=2.0 y=3.0\n"


@pytest.mark.parametrize("wrap", [lambda f: f, jax.jit], ids=["eager", "jit"])
def test_debug_print_under_grad_prints_primals_once(wrap, capsys):
    def f(x):
        jax.debug.print("x {}", x)
        return jnp.sin(x)
    g = wrap(jax.grad(f))(1.0)
    assert capsys.readouterr().out == "x 1.0\n"
    np.testing.assert_allclose(g, np.cos(1.0), rtol=1e-6)


def test_debug_print_in_control_flow_keeps_order(capsys):
    def step(c, x):
        jax.debug.print("step {} {}", c, x, ordered=True)
        return c + x, c
    jax.jit(lambda xs: jax.lax.scan(step, 0.0, xs))(jnp.arange(3.0))
    branch = jax.jit(lambda p, x: jax.lax.cond(p, lambda x: (jax.debug.print("T {}", x), x)[1],
                                               lambda x: (jax.debug.print("F {}", x), x)[1], x))
    branch(True, 1.0)
    branch(False, 2.0)
    jax.lax.while_loop(lambda i: i < 2, lambda i: (jax.debug.print("i {}", i), i + 1)[1], 0)
    assert capsys.readouterr().out == "step 0.0 0.0\nstep 0.0 1.0\nstep 1.0 2.0\nT 1.0\nF 2.0\ni 0\ni 1\n"


def test_debug_print_under_checkpoint(capsys):
    f = jax.checkpoint(lambda x: (jax.debug.print("c {}", x), jnp.sin(x))[1])
    np.testing.assert_allclose(jax.jit(f)(0.5), np.sin(0.5), rtol=1e-6)
    assert capsys.readouterr().out == "c 0.5\n"


def test_debug_callback_sees_values_in_order():
    seen = []
    def f(x):
        jax.debug.callback(lambda a, b: seen.append((a.tolist(), b)), x, 1.5, ordered=True)
        jax.debug.callback(lambda a: seen.append(a.tolist()), x * 2, ordered=True)
        return x
    jax.jit(f)(jnp.arange(2.0))
    assert seen == [([0.0, 1.0], 1.5), [0.0, 2.0]]


def _sin_cb(x, method="sequential"):
    return jax.pure_callback(np.sin, jax.ShapeDtypeStruct(x.shape, x.dtype), x, vmap_method=method)


@pytest.mark.parametrize("wrap", [lambda f: f, jax.jit], ids=["eager", "jit"])
def test_pure_callback(wrap):
    np.testing.assert_allclose(wrap(_sin_cb)(jnp.arange(3.0)), np.sin(np.arange(3.0)), rtol=1e-6)


@pytest.mark.parametrize("method", ["sequential", "expand_dims", "broadcast_all"])
def test_pure_callback_vmap_methods(method):
    calls = []
    def cb(x, y):
        calls.append((x.shape, y.shape))
        return x + y
    f = lambda x, y: jax.pure_callback(cb, jax.ShapeDtypeStruct(x.shape, x.dtype), x, y, vmap_method=method)
    xs, y = jnp.arange(6.0).reshape(2, 3), jnp.ones(3)
    np.testing.assert_array_equal(jax.jit(jax.vmap(f, in_axes=(0, None)))(xs, y), np.asarray(xs) + 1)
    assert calls == {"sequential": [((3,), (3,))] * 2, "expand_dims": [((2, 3), (1, 3))],
                     "broadcast_all": [((2, 3), (2, 3))]}[method]


def test_pure_callback_errors():
    with pytest.raises(ValueError, match="Pure callbacks do not support JVP"):
        jax.grad(lambda x: _sin_cb(x).sum())(jnp.ones(3))
    with pytest.raises(NotImplementedError, match="vmap_method"):
        jax.vmap(lambda x: _sin_cb(x, None))(jnp.ones((2, 3)))
    with pytest.raises(Exception, match="Incorrect output shape"):
        jax.jit(lambda x: jax.pure_callback(lambda a: a[:1], jax.ShapeDtypeStruct((3,), jnp.float32), x))(
            jnp.ones(3)).block_until_ready()


def test_io_callback():
    log = []
    def f(x):
        y = jax.experimental.io_callback(lambda a: (log.append(float(a)), a + 1)[1],
                                         jax.ShapeDtypeStruct((), jnp.float32), x, ordered=True)
        jax.experimental.io_callback(lambda a: log.append(float(a)), None, y)    # unused: still runs
        return y * 2
    assert float(jax.jit(f)(1.0)) == 4.0
    assert log == [1.0, 2.0]
    with pytest.raises(ValueError, match="IO callbacks do not support JVP"):
        jax.grad(f)(1.0)
    with pytest.raises(ValueError, match="Cannot `vmap` ordered IO callback"):
        jax.vmap(f)(jnp.ones(2))
