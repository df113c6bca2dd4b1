"""Runs the FileCheck pass tests in tests/lit with lit, so the one pytest command covers them."""
import os
import subprocess
import sys

LIT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lit")


def test_lit_suite_passes():
    # lit has no __main__; run its entry point with this interpreter, so lit.cfg.py finds this
    # environment's lintra-opt and filecheck next to it
    proc = subprocess.run([sys.executable, "-c", "import lit.main; lit.main.main()", "-v", LIT_DIR],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"lit failed:\n{proc.stdout}\n{proc.stderr}"
    assert "Passed:" in proc.stdout and "Failed" not in proc.stdout, proc.stdout
