"""Lintra against JAX, side by side: `python -m benchmarks [--only KEYS] [--quick] [--rounds N] [--markdown]`.

Run from the repository root. Lintra's workloads run in this process (first calls in fresh ones); JAX's
run in a separate process under an interpreter that has JAX 0.10.2, found as
  1. $LINTRA_BENCH_JAX_PYTHON (e.g. a separate venv: python3 -m venv /work/jaxvenv &&
     /work/jaxvenv/bin/pip install jax==0.10.2; then LINTRA_BENCH_JAX_PYTHON=/work/jaxvenv/bin/python), or
  2. this interpreter, when the `bench` extra (`pip install -e '.[bench]'`) put JAX beside Lintra.
Without either the JAX columns read n/a. Each row gives wall time and process CPU time (all threads) per
call, both read around the same loop, each the best of several rounds; first-call rows are wall time of one
call in a fresh process. Ratios are Lintra / JAX: `ratio (CPU)` for microbenchmarks (under ~1 ms per call,
where the CPU clock is steadier on a loaded machine), `ratio (wall)` for every row. `--rounds N` alternates
the sides (Lintra, JAX, Lintra, ...) and keeps each side's best per metric. Workloads on a mesh of CPU
devices (`devices` in workloads.py) run, for both sides, in processes given that many devices; workloads of
several processes (`processes`) launch that many processes of one job on 127.0.0.1 per side, each library's
own (side.py --worker), and report process 0's times.
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


def run_side(python, lib, keys, quick, devices=1):
    """One side's results for `keys` from a separate process of `python` with `devices` CPU devices."""
    cmd = [python, os.path.join(os.path.dirname(os.path.abspath(__file__)), "side.py"), lib,
           "--only", ",".join(keys), "--devices", str(devices)] + (["--quick"] if quick else [])
    env = dict(os.environ, JAX_PLATFORMS="cpu")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    reason = f"n/a ({'JAX' if lib == 'jax' else 'Lintra'} process failed, exit {out.returncode})"
    return {k: {"na": reason} for k in keys}


def run_round(python, keys, quick, log, lintra, jax):
    """Both sides once. Workloads on one device: Lintra in this process, JAX in another. Workloads on a
    mesh run per device count in processes of their own, for both sides alike."""
    groups = {}
    for k in keys:
        groups.setdefault(W.BY_KEY[k].devices, []).append(k)
    for devices, group in sorted(groups.items()):
        if devices == 1:
            best(lintra, side.run("lintra", group, quick, log=log))
        else:
            best(lintra, run_side(sys.executable, "lintra", group, quick, devices))
        if python:
            best(jax, run_side(python, "jax", group, quick, devices))


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


MICRO_S = 1e-3     # rows faster than this (per call, on the faster side) also get a CPU-time ratio


def wall_cell(r, w):
    if r is None:
        return "n/a"
    if "na" in r:
        return r["na"] if r["na"].startswith("n/a") else f"n/a ({r['na']})"
    s = r["seconds"]
    return fmt_time(s) + (f" ({w.flops / s / 1e9:.0f} GFLOP/s)" if w.flops else "")


def cpu_cell(r):
    if r is None or "na" in r:
        return "n/a"
    return fmt_time(r["cpu_seconds"]) if "cpu_seconds" in r else "-"


def ratio(a, b, metric):
    if a and b and metric in a and metric in b and b[metric] > 0:
        return f"{a[metric] / b[metric]:.2f}x"
    return "-"


HEADER = ("workload", "Lintra wall", "JAX wall", "Lintra CPU", "JAX CPU", "ratio (CPU)", "ratio (wall)")


def table(keys, lintra, jax, markdown):
    rows = [HEADER]
    for k in keys:
        w = W.BY_KEY[k]
        a, b = lintra.get(k), jax.get(k)
        walls = [r["seconds"] for r in (a, b) if r and "seconds" in r]
        micro = bool(walls) and min(walls) < MICRO_S
        rows.append((w.title, wall_cell(a, w), wall_cell(b, w), cpu_cell(a), cpu_cell(b),
                     ratio(a, b, "cpu_seconds") if micro else "-", ratio(a, b, "seconds")))
    n = len(HEADER)
    widths = [max(len(r[i]) for r in rows) for i in range(n)]
    lines = []
    for i, r in enumerate(rows):
        if markdown:
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")
            if i == 0:
                lines.append("|" + "|".join(["---"] + ["---:"] * (n - 1)) + "|")
        else:
            lines.append("  ".join([r[0].ljust(widths[0])] + [c.rjust(widths[j + 1]) for j, c in enumerate(r[1:])]))
    return "\n".join(lines)


LEGEND = ("Times per call. wall: perf_counter; CPU: process_time (all threads of the process). JAX is 0.10.2 "
          "on CPU. Ratios are Lintra / JAX; ratio (CPU) only for rows under 1 ms per call. First-call rows: "
          "wall time of one call in a fresh process.")


def best(acc, results):
    """Fold one round's results into `acc`, keeping each metric's best (smallest) per workload."""
    for k, r in results.items():
        old = acc.get(k)
        if old is None or "seconds" not in old:
            if old is None or "seconds" in r:
                acc[k] = dict(r)
            continue
        for metric in ("seconds", "cpu_seconds"):
            if metric in r:
                old[metric] = min(old.get(metric, float("inf")), r[metric])


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
    for _ in range(args.rounds):     # rounds alternate the sides (Lintra, JAX, Lintra, ...): same machine load
        run_round(python, keys, args.quick, log, lintra, jax)
    if not python:
        why = "n/a (JAX not run)" if args.no_jax else "n/a (no JAX: set LINTRA_BENCH_JAX_PYTHON)"
        jax = {k: {"na": why} for k in keys}

    print(table(keys, lintra, jax, args.markdown))
    print("\n" + LEGEND)
    if "matmul" in keys:
        peak, how = peak_gflops()
        if peak:
            print(f"\nmachine f32 peak estimate: {peak:.0f} GFLOP/s = {how}")


if __name__ == "__main__":
    main()
