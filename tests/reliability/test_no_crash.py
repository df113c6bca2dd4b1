"""Inputs that used to kill the process (XLA's constant folder traps on integer division by zero; shapes
whose byte size overflows int64 abort inside XLA) run in a subprocess: the process must survive, and the
values are JAX 0.10.2's runtime results (recorded from it)."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(code):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300,
                       env=env)
    assert p.returncode == 0, f"the process died (status {p.returncode}):\n{p.stderr[-2000:]}"
    return p.stdout


def test_division_of_constants_by_zero_in_jit_survives():
    out = _run("""
        import lintra as jax, lintra.numpy as jnp
        from lintra import lax
        one, zero, lo, m1 = jnp.int32(1), jnp.int32(0), jnp.int32(-2**31), jnp.int32(-1)
        cases = [lambda: one // zero, lambda: one % zero, lambda: lax.div(one, zero), lambda: lax.rem(one, zero),
                 lambda: jnp.arange(5) // 0, lambda: jnp.arange(5) % 0, lambda: lax.div(lo, m1),
                 lambda: lax.rem(lo, m1), lambda: jnp.divmod(one, zero)[0], lambda: jnp.floor_divide(lo, m1)]
        for f in cases:
            print(jax.jit(f)().tolist())
    """)
    assert out.split("\n")[:-1] == ["-2", "0", "-1", "1", "[-1, -2, -2, -2, -2]", "[0, 0, 0, 0, 0]",
                                    "-2147483648", "0", "-2", "-2147483648"]


X = np.array([1, -7, -2**31, 5, 0], np.int32)
Y = np.array([0, 0, -1, -1, 0], np.int32)
U, V = np.array([1, 7], np.uint32), np.array([0, 0], np.uint32)


@pytest.mark.parametrize("jit", [False, True], ids=["eager", "jit"])
def test_integer_division_by_zero_and_overflow_values(jit):
    run = lintra.jit if jit else (lambda f: f)
    # expected values: JAX 0.10.2 on CPU, the same inputs
    assert run(lax.div)(X, Y).tolist() == [-1, -1, -2**31, -5, -1]
    assert run(lax.rem)(X, Y).tolist() == [1, -7, 0, 0, 0]
    assert run(jnp.floor_divide)(X, Y).tolist() == [-2, -2, -2**31, -5, -1]
    assert run(jnp.remainder)(X, Y).tolist() == [0, 0, 0, 0, 0]
    assert run(lax.div)(U, V).tolist() == [2**32 - 1] * 2
    assert run(lax.rem)(U, V).tolist() == [1, 7]


def test_a_safe_constant_divisor_lowers_to_a_plain_divide():
    text = lintra.jit(lambda a: lax.div(a, jnp.full(a.shape, 3, a.dtype))).lower(X).as_text()
    assert "stablehlo.select" not in text and text.count("stablehlo.divide") == 1


HUGE = [(2**31, 2**31, 4), (2**40, 2**40), (2**62,)]


@pytest.mark.parametrize("shape", HUGE)
def test_shapes_too_large_for_any_device_raise_before_xla(shape):
    for make in (lambda: jnp.zeros(shape), lambda: lintra.jit(lambda: jnp.ones(shape))(),
                 lambda: lintra.eval_shape(lambda: jnp.ones(shape)),
                 lambda: lintra.jit(jnp.sin).lower(lintra.ShapeDtypeStruct(shape, jnp.float32))):
        with pytest.raises(ValueError, match=r"shape \(%s,?\) and dtype float32 .* bytes\), more than any device"
                           % ", ".join(map(str, shape))):
            make()


def test_huge_shapes_do_not_kill_the_process():
    out = _run("""
        import lintra.numpy as jnp
        try:
            jnp.ones((2**31, 2**31, 4))
        except ValueError as e:
            print("raised")
    """)
    assert out == "raised\n"
