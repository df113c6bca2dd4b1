"""checkify's `check` op run and lowered by itself (the messages are JAX 0.10.2's): eagerly it raises on the
host; compiled, a debug check is nothing and a check that checkify did not discharge is JAX's error. Its
JVP and batching run through jvp/vmap of a function holding one."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.experimental import checkify

COVERED_PRIMITIVES = {"check"}


def _f(x, debug=False):
    checkify.check(x[0] > 0, "x[0] is {}", x[0], debug=debug)
    return jnp.sin(x)


def test_eager_replay_raises_on_the_host():
    # vmap outside any trace replays the batched IR op by op: the check op runs as JAX's check_p impl
    with pytest.raises(checkify.JaxRuntimeError, match=r"^x\[0\] is -2.0 \(`check` failed\)$"):
        lintra.vmap(_f)(jnp.array([[1., 0.], [-2., 0.]]))
    np.testing.assert_allclose(lintra.vmap(_f)(jnp.ones((2, 2))), np.sin(np.ones((2, 2))), rtol=1e-6)


def test_lowering():
    text = lintra.jit(lambda x: _f(x, debug=True)).lower(jnp.ones(2)).as_text()
    assert "sine" in text and "custom_call" not in text     # the debug check compiles to nothing
    with pytest.raises(ValueError, match="^Cannot abstractly evaluate a checkify.check which was not functionalized"):
        lintra.jit(_f).lower(jnp.ones(2)).as_text()


def test_jvp_checks_primals_and_batching_checks_a_member():
    err, (y, t) = checkify.checkify(lambda x: lintra.jvp(_f, (x,), (jnp.ones(2),)))(jnp.array([-1., 2.]))
    assert err.get() == "x[0] is -1.0 (`check` failed)"
    np.testing.assert_allclose(t, np.cos([-1., 2.]), rtol=1e-6)
    err, _ = checkify.checkify(lintra.vmap(_f))(jnp.array([[-1., 0.], [2., 0.], [-3., 0.]]))
    assert err.get() == "x[0] is -3.0 (`check` failed)"
