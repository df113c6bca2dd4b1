"""vmap against a Python loop: the suite's per-example-gradient rows (tiny and small model) and 128-row
matrix-Jacobian-product rows (with JAX beside them when it is found, see `python -m benchmarks --help`).

Run: python benchmarks/vmap.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.__main__ import main as suite  # noqa: E402

VMAP_ROWS = "per_example_tiny,per_example_jit,per_example_eager,mjp_vmap,mjp_loop,mjp_jit_vmap"

if __name__ == "__main__":
    suite(["--only", VMAP_ROWS] + sys.argv[1:])
