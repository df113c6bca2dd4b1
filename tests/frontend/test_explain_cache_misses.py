"""jax_explain_cache_misses: a jitted function that traces again says why, at WARNING level, with the gist of
JAX 0.10.2's message (recorded by running the same calls with `import jax`):

    TRACING CACHE MISS at <file>:<line> (<function>):
      never seen function:
        f id=... defined at <file>:<line>
    ...
      for f defined at <file>:<line>
      all previously seen cache keys differ. For the closest previous key:
      different input types:
      * at x, now f32[3]{weak_type=False} and before f32[]{weak_type=True}https://docs.jax.dev/...
"""
import logging

import pytest

import lintra as jax
import lintra.numpy as jnp


@pytest.fixture
def explaining():
    jax.config.update("jax_explain_cache_misses", True)
    yield
    jax.config.update("jax_explain_cache_misses", False)


def _messages(caplog):
    out = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "TRACING CACHE MISS" in
           r.getMessage()]
    caplog.clear()
    return out


def test_config_option_reads_back(explaining):
    assert jax.config.jax_explain_cache_misses is True


def test_never_seen_then_each_kind_of_difference(explaining, caplog):
    caplog.set_level(logging.WARNING)

    def f(x, y):
        return x + y
    g = jax.jit(f)
    g(1.0, 2.0)
    first, = _messages(caplog)
    assert first.startswith(f"TRACING CACHE MISS at {__file__}:")
    assert "  never seen function:\n    f id=" in first and f"defined at {__file__}:" in first
    g(1.0, 2.0)
    assert _messages(caplog) == []               # a hit says nothing
    g(jnp.ones(3), 2.0)
    shape, = _messages(caplog)
    assert "  for f defined at" in shape
    assert "  all previously seen cache keys differ. For the closest previous key:\n  different input types:\n" \
           "  * at x, now f32[3]{weak_type=False} and before f32[]{weak_type=True}" \
           "https://docs.jax.dev/en/latest/type_promotion.html#weak-types" in shape
    g(jnp.ones(3, jnp.int32), 2.0)
    dtype, = _messages(caplog)
    assert dtype.endswith("different input types:\n  * at x, now i32[3] and before f32[3]")


def test_static_and_pytree_differences(explaining, caplog):
    caplog.set_level(logging.WARNING)
    h = jax.jit(lambda x, n: x * n, static_argnums=1)
    h(1.0, 2)
    h(1.0, 3)
    _, static = _messages(caplog)
    assert "different input pytree:" in static and "now 3 and before 2" in static
    k = jax.jit(lambda d: d["a"])
    k({"a": 1.0})
    k({"a": 1.0, "b": 2.0})
    _, tree = _messages(caplog)
    assert "different input pytree:" in tree


def test_off_by_default_and_quiet_for_lintras_own_functions(caplog):
    caplog.set_level(logging.WARNING)
    jax.jit(lambda x: x + 1)(1.0)
    assert _messages(caplog) == []
    jax.config.update("jax_explain_cache_misses", True)
    try:
        jnp.sin(jnp.ones(7))          # lintra.numpy's own jitted function: not the user's to explain
        assert _messages(caplog) == []
    finally:
        jax.config.update("jax_explain_cache_misses", False)


def test_pytree_differences_name_the_input_path(explaining, caplog):
    # JAX 0.10.2's lines for the same calls
    caplog.set_level(logging.WARNING)
    f = jax.jit(lambda a, b: a[0])
    f((1.0, 2.0), [1.0])
    f([1.0, 2.0], [1.0])
    f((1.0, 2.0), 1.0)
    _, as_list, as_leaf = _messages(caplog)
    assert "  * at input path [0][0], now <class 'list'> and before <class 'tuple'>, so their Python types " \
           "differ" in as_list
    assert "  * at input path [0][1], now pytree leaf and before <class 'list'>, so their Python types differ" \
           in as_leaf
    k = jax.jit(lambda d: d["a"])
    k({"a": 1.0})
    k({"a": 1.0, "b": 2.0})
    _, keys = _messages(caplog)
    assert "  * at input path [0][0], now <class 'dict'> with 2 children and before <class 'dict'> with 1 child, " \
           "so the numbers of children do not match, with the symmetric difference of key sets: {'b'}" in keys
