"""Dispatch overheads: the suite's jit-dispatch and eager-op rows (with JAX beside them when it is found,
see `python -m benchmarks --help`), then raw PJRT execute of the same executable for scale.

Run: python benchmarks/dispatch.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.__main__ import main as suite  # noqa: E402
from benchmarks.workloads import measure  # noqa: E402


def raw_execute_us():
    import numpy as np
    import lintra
    from lintra import lax
    from lintra.runtime import pjrt
    x, y = lintra.numpy.asarray(np.arange(3, dtype=np.float32)), lintra.numpy.asarray(np.ones(3, np.float32))
    f = lintra.jit(lambda a, b: lax.add(lax.mul(a, b), b))
    f(x, y)
    exe, = [t.executable for t in f._cache.values()]
    bufs = [x._buf, y._buf]
    return measure(lambda: pjrt.execute(exe.compiled, bufs, exe.handlers)[0].block_until_ready()) * 1e6


if __name__ == "__main__":
    suite(["--only", "jit_dispatch,eager_op"] + sys.argv[1:])
    print(f"\nraw PJRT execute of the jitted executable (Lintra): {raw_execute_us():.1f} us")
