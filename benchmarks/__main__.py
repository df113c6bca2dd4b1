"""Lintra against JAX, side by side: `python -m benchmarks [--only KEYS] [--quick] [--markdown]`.

Run from the repository root. Lintra's workloads run in this process (first calls in fresh ones); JAX's
run in a separate process under an interpreter that has JAX 0.10.2, found as
  1. $LINTRA_BENCH_JAX_PYTHON (e.g. a separate venv: python3 -m venv /work/jaxvenv &&
     /work/jaxvenv/bin/pip install jax==0.10.2; then LINTRA_BENCH_JAX_PYTHON=/work/jaxvenv/bin/python), or
  2. this interpreter, when the `bench` extra (`pip install -e '.[bench]'`) put JAX beside Lintra.
Without either the JAX column reads n/a. Times are the best of several rounds, per iteration.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys

from . import side
from . import workloads as W


def jax_python(explicit=None):
    path = explicit or os.environ.get("LINTRA_BENCH_JAX_PYTHON")
    if path:
        return path
    return sys.executable if importlib.util.find_spec("jax") is not None else None


def run_jax(python, keys, quick):
    cmd = [python, os.path.join(os.path.dirname(os.path.abspath(__file__)), "side.py"), "jax",
           "--only", ",".join(keys)] + (["--quick"] if quick else [])
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    reason = f"n/a (JAX process failed, exit {out.returncode})"
    return {k: {"na": reason} for k in keys}


def peak_gflops():
    """A rough f32 peak: cores x clock x FMA lanes (AVX-512: 2 units x 16 lanes x 2 flops per cycle)."""
    try:
        info = open("/proc/cpuinfo").read()
    except OSError:
        return None, "unknown"
    mhz = [float(line.split(":")[1]) for line in info.splitlines() if line.startswith("cpu MHz")]
    flags = next((line for line in info.splitlines() if line.startswith("flags")), "")
    per_cycle, isa = (64, "AVX-512") if " avx512f" in flags else (32, "AVX2+FMA") if " fma" in flags \
        else (8, "SSE")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if not mhz:
        return None, "unknown"
    peak = cores * mhz[0] / 1e3 * per_cycle
    return peak, f"{cores} cores x {mhz[0] / 1e3:.2f} GHz x {per_cycle} flop/cycle ({isa} FMA, f32)"


def fmt_time(s):
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.1f} us"


def cell(r, w):
    if r is None:
        return "n/a"
    if "na" in r:
        return r["na"] if r["na"].startswith("n/a") else f"n/a ({r['na']})"
    s = r["seconds"]
    return fmt_time(s) + (f" ({w.flops / s / 1e9:.0f} GFLOP/s)" if w.flops else "")


def table(keys, lintra, jax, markdown):
    rows = [("workload", "Lintra", "JAX 0.10.2", "Lintra / JAX")]
    for k in keys:
        w = W.BY_KEY[k]
        a, b = lintra.get(k), jax.get(k)
        ratio = f"{a['seconds'] / b['seconds']:.2f}x" if a and b and "seconds" in a and "seconds" in b else "-"
        rows.append((w.title, cell(a, w), cell(b, w), ratio))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = []
    for i, r in enumerate(rows):
        if markdown:
            lines.append("| " + " | ".join(r) + " |")
            if i == 0:
                lines.append("|" + "|".join(["---"] + ["---:"] * 3) + "|")
        else:
            lines.append("  ".join([r[0].ljust(widths[0])] + [c.rjust(widths[j + 1]) for j, c in enumerate(r[1:])]))
    return "\n".join(lines)


def best(acc, results):
    for k, r in results.items():
        if k not in acc or "seconds" in r and r["seconds"] < acc[k].get("seconds", float("inf")):
            acc[k] = r


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", help="comma-separated workload keys: " + ",".join(W.BY_KEY))
    p.add_argument("--quick", action="store_true", help="fewer, shorter rounds")
    p.add_argument("--rounds", type=int, default=1, help="run both sides this many times, keep each best")
    p.add_argument("--markdown", action="store_true", help="print the table in Markdown")
    p.add_argument("--jax-python", help="an interpreter with jax==0.10.2 (default: $LINTRA_BENCH_JAX_PYTHON)")
    p.add_argument("--no-jax", action="store_true", help="run Lintra only")
    args = p.parse_args(argv)
    keys = args.only.split(",") if args.only else list(W.BY_KEY)
    unknown = [k for k in keys if k not in W.BY_KEY]
    if unknown:
        p.error(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(W.BY_KEY)}")

    log = lambda lib, key, r: print(f"  {lib}: {key} done", file=sys.stderr, flush=True)
    python = None if args.no_jax else jax_python(args.jax_python)
    lintra, jax = {}, {}
    for _ in range(args.rounds):     # rounds alternate the two, so both see the same machine load
        best(lintra, side.run("lintra", keys, args.quick, log=log))
        if python:
            best(jax, run_jax(python, keys, args.quick))
    if not python:
        why = "n/a (JAX not run)" if args.no_jax else "n/a (no JAX: set LINTRA_BENCH_JAX_PYTHON)"
        jax = {k: {"na": why} for k in keys}

    print(table(keys, lintra, jax, args.markdown))
    if "matmul" in keys:
        peak, how = peak_gflops()
        if peak:
            print(f"\nmachine f32 peak estimate: {peak:.0f} GFLOP/s = {how}")


if __name__ == "__main__":
    main()
