"""examples/data_parallel.py and examples/tensor_parallel.py run as users run them (each asks for 8 CPU
devices itself) and check their losses against the 1-device run: exit status 0 and their OK line."""
import os
import subprocess
import sys

import pytest

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


@pytest.mark.parametrize("script", ["data_parallel.py", "tensor_parallel.py"])
def test_example_runs_and_matches_one_device(script):
    env = {k: v for k, v in os.environ.items() if k != "LINTRA_NUM_CPU_DEVICES"}
    p = subprocess.run([sys.executable, os.path.join(EXAMPLES, script)], env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, f"{script} exited with {p.returncode}\n{p.stdout}\n{p.stderr[-4000:]}"
    assert p.stdout.splitlines()[-1].startswith("OK: "), p.stdout
