"""Thread safety from a cold start: in fresh processes, 8 threads make their first Lintra calls at once (the
backend, the compile caches and the trace state are all created under that race) doing jit, eager ops,
grad, vmap and random draws; every value is checked against NumPy."""
import os
import subprocess
import sys

import pytest

CHILD = r"""
import sys, threading
import numpy as np
import lintra, lintra.numpy as jnp

N = 8
barrier = threading.Barrier(N)
errors = []

def work(i):
    try:
        barrier.wait(timeout=60)
        x = np.linspace(-1, 1, 5, dtype=np.float32) + i
        f = lintra.jit(lambda a, b: jnp.sin(a) * b)
        for _ in range(3):
            np.testing.assert_allclose(np.asarray(f(x, 2.0)), np.sin(x) * 2, rtol=1e-5)
        np.testing.assert_allclose(np.asarray(jnp.tanh(jnp.asarray(x)) + 1), np.tanh(x) + 1, rtol=1e-5)
        g = lintra.grad(lambda a: jnp.sum(a ** 3))(x)
        np.testing.assert_allclose(np.asarray(g), 3 * x ** 2, rtol=1e-5)
        xs = np.stack([x, 2 * x])
        per_row = lintra.vmap(lintra.grad(lambda a: jnp.sum(jnp.sin(a))))(xs)
        np.testing.assert_allclose(np.asarray(per_row), np.cos(xs), rtol=1e-5)
        jg = lintra.jit(lintra.vmap(lambda a: jnp.dot(a, a)))(xs)
        np.testing.assert_allclose(np.asarray(jg), (xs * xs).sum(1), rtol=1e-5)
        k = lintra.random.PRNGKey(i)
        u = np.asarray(lintra.random.uniform(k, (1000,)))
        assert u.shape == (1000,) and 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.05, u.mean()
        assert np.array_equal(u, np.asarray(lintra.random.uniform(lintra.random.PRNGKey(i), (1000,))))
    except BaseException as e:
        errors.append(f"thread {i}: {type(e).__name__}: {e}")

threads = [threading.Thread(target=work, args=(i,)) for i in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join(timeout=240)
assert not any(t.is_alive() for t in threads), "a thread hung"
print("\n".join(errors) if errors else "ok")
"""


@pytest.mark.parametrize("repetition", range(3))
def test_eight_threads_from_a_cold_start(repetition, tmp_path):
    # a cold compile cache too: every thread compiles
    env = dict(os.environ, LINTRA_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip() == "ok", out.stdout
