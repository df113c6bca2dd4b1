"""Dispatch overheads: the suite's dispatch rows (cached jit call, eager lax.add awaited, eager jnp.sin not
awaited, 100 pipelined eager ops awaited once), with JAX beside them when it is found
(see `python -m benchmarks --help`). Extra arguments go to the suite, e.g. `--rounds 3 --markdown`.

Run: python benchmarks/dispatch.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.__main__ import main as suite  # noqa: E402

DISPATCH_ROWS = "jit_dispatch,eager_op,eager_jnp_sin,pipelined_eager"

if __name__ == "__main__":
    suite(["--only", DISPATCH_ROWS] + sys.argv[1:])
