"""The single-process examples run as written (the 8-device ones: tests/sharding/test_examples.py)."""
import importlib.util
import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")


@pytest.mark.parametrize("script", ["autodiff_tour.py", "cnn.py", "debugging.py", "mlp.py"])
def test_example_runs(script):
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, script)], capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, f"{script} exited with {p.returncode}\n{p.stdout}\n{p.stderr[-4000:]}"


def test_optax_example_runs_unchanged_under_the_jax_alias():
    # written for JAX (import jax, import optax); its assertion is on the held-out error it reaches
    if importlib.util.find_spec("optax") is None:
        pytest.skip("optax is not installed: pip install --no-deps -r tests/ecosystem/requirements.txt")
    p = subprocess.run([sys.executable, "-m", "lintra.compat", os.path.join(EXAMPLES, "optax_mlp.py")],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, f"optax_mlp.py exited with {p.returncode}\n{p.stdout}\n{p.stderr[-4000:]}"
    assert "held-out MSE" in p.stdout
