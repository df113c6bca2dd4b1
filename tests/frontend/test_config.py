"""lintra.config with JAX 0.10.2's option names, values and errors (recorded from running JAX)."""
import logging
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp


@pytest.fixture
def rank_promotion():
    yield lambda mode: lintra.config.update("jax_numpy_rank_promotion", mode)
    lintra.config.update("jax_numpy_rank_promotion", "allow")


def test_numpy_rank_promotion(rank_promotion):
    a, b = jnp.ones((2, 3)), jnp.ones(3)
    rank_promotion("raise")
    with pytest.raises(ValueError, match=r"Operands could not be broadcast together for add on shapes \(2, 3\) "
                                         r"\(3,\) and with the config option jax_numpy_rank_promotion='raise'"):
        a + b
    with pytest.raises(ValueError, match="rank_promotion='raise'"):
        lintra.jit(lambda x, y: x * y)(a, b)        # a trace made under 'allow' would not be replayed
    np.testing.assert_array_equal(np.asarray(a + 1.0), np.full((2, 3), 2.0))   # scalars are not promotions
    rank_promotion("warn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        jnp.subtract(a, b)
    assert [str(w.message) for w in caught][0].startswith(
        "Following NumPy automatic rank promotion for subtract on shapes (2, 3) (3,)")
    rank_promotion("allow")
    assert (a + b).shape == (2, 3)
    with pytest.raises(ValueError, match=r"new enum value must be in \['allow', 'warn', 'raise'\], got 'bogus'"):
        rank_promotion("bogus")


def test_default_prng_impl():
    lintra.config.update("jax_default_prng_impl", "threefry2x32")
    with pytest.raises(ValueError, match="threefry2x32 only"):
        lintra.config.update("jax_default_prng_impl", "rbg")
    with pytest.raises(ValueError, match="new enum value must be in"):
        lintra.config.update("jax_default_prng_impl", "foo")


def test_log_compiles(caplog, tmp_path, monkeypatch):
    monkeypatch.setenv("LINTRA_CACHE_DIR", "")          # a compile, not a cache hit
    lintra.config.update("jax_log_compiles", True)
    try:
        with caplog.at_level(logging.WARNING, logger="lintra"):
            lintra.jit(lambda x: x * 3.5 + 0.25)(np.ones(7, np.float32))
    finally:
        lintra.config.update("jax_log_compiles", False)
    assert any(r.getMessage().startswith("Finished XLA compilation of jit(lambda) in ") for r in caplog.records)


def test_num_cpu_devices_before_and_after_the_backend():
    lintra.devices()
    with pytest.raises(RuntimeError, match="should be updated before backends are initialized"):
        lintra.config.update("jax_num_cpu_devices", 4)
    code = "import lintra; lintra.config.update('jax_num_cpu_devices', 3); print(len(lintra.devices()))"
    env = {k: v for k, v in os.environ.items() if k != "LINTRA_NUM_CPU_DEVICES"}
    for args, extra in [(["-c", code], {}), (["-c", "import lintra; print(len(lintra.devices()))"],
                                              {"JAX_NUM_CPU_DEVICES": "3"})]:
        out = subprocess.run([sys.executable, *args], env=dict(env, **extra), capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0 and out.stdout.split()[-1] == "3", out.stderr[-2000:]


@pytest.fixture
def debug(request):
    names = []

    def on(name):
        names.append(name)
        lintra.config.update(name, True)
    yield on
    for name in names:
        lintra.config.update(name, False)


@pytest.mark.parametrize("call, message", [
    # JAX 0.10.2's messages for the same calls
    (lambda: jnp.log(-1.0), r"^invalid value \(nan\) encountered in log$"),
    (lambda: lintra.jit(lambda x: jnp.sqrt(x) + 1)(-1.0), r"^invalid value \(nan\) encountered in sqrt$"),
    (lambda: lintra.lax.div(0.0, 0.0), r"^invalid value \(nan\) encountered in div$"),
    (lambda: lintra.jit(lambda x: x * jnp.nan)(1.0),
     r"^invalid value \(nan\) encountered in jit\(lambda\)\. Because jax_debug_nans"),
])
def test_debug_nans_names_the_primitive(debug, call, message):
    debug("jax_debug_nans")
    for _ in range(2):          # also once the signature is cached: checked calls never replay in C++
        with pytest.raises(FloatingPointError, match=message):
            call()
    assert float(lintra.grad(jnp.sqrt)(0.0)) == np.inf       # an inf is not a nan


def test_debug_infs(debug):
    debug("jax_debug_infs")
    with pytest.raises(FloatingPointError, match=r"invalid value \(inf\) encountered in log"):
        jnp.log(0.0)


def test_without_debug_nans_a_nan_is_returned():
    f = lintra.jit(lambda x: jnp.sqrt(x) + 1)
    assert np.isnan(float(f(-1.0))) and np.isnan(float(jnp.log(-1.0)))


def test_a_trace_made_under_one_setting_is_not_reused_under_another(rank_promotion):
    # the same jitted function and argument types: the first call traces under 'allow', the second (after the
    # change) must trace again and raise, as JAX's jit (and make_ir, which reads jit's trace cache) does
    f = lintra.jit(lambda x, y: x + y)
    a, b = jnp.ones(2), jnp.ones((3, 2))
    assert f(a, b).shape == (3, 2)
    make = lintra.make_ir(f)
    make(a, b)
    rank_promotion("raise")
    with pytest.raises(ValueError, match="rank_promotion='raise'"):
        f(a, b)
    with pytest.raises(ValueError, match="rank_promotion='raise'"):
        make(a, b)
