"""The single-process examples run as written (the 8-device ones: tests/sharding/test_examples.py)."""
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
