"""One library's side of the benchmark suite: `python side.py {lintra|jax} [--only KEYS] [--quick] [--devices N]`.

Runs the workloads of workloads.py on one library and prints `RESULT <json>`: per workload key, wall and
process CPU seconds per iteration (`seconds`, `cpu_seconds`), or why it did not run (`na`). Workloads that
time a first call run in fresh processes (`--first KEY`), wall time only, with an empty persistent
compilation cache, and then again with that cache warm. `--devices N` gives the process (and those) N CPU
devices, for workloads on a mesh: LINTRA_NUM_CPU_DEVICES for Lintra, XLA's
--xla_force_host_platform_device_count for JAX.
This file is run as a script by the JAX side's interpreter, so it imports nothing of Lintra's package
unless asked for Lintra.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile

try:
    from . import workloads as W
except ImportError:           # run as a script
    import workloads as W

FIRST_CALL_RUNS = 3


def device_env(lib, n):
    """Environment variables that give a process of `lib` n CPU devices (set before the library is
    imported; inherited by the first-call processes)."""
    if lib == "lintra":
        return {"LINTRA_NUM_CPU_DEVICES": str(n)}
    flags = [f for f in os.environ.get("XLA_FLAGS", "").split() if "xla_force_host_platform_device_count" not in f]
    return {"XLA_FLAGS": " ".join(flags + [f"--xla_force_host_platform_device_count={n}"])}


def library(name):
    from types import SimpleNamespace
    if name == "jax":
        import jax
        import jax.numpy as jnp
        from jax import lax
        return SimpleNamespace(name="jax", jax=jax, jnp=jnp, lax=lax, optax=_optional("optax"))
    import lintra
    import lintra.numpy as jnp
    from lintra import lax
    lintra.compat.alias_jax()         # libraries built on JAX (optax) run on Lintra unchanged
    return SimpleNamespace(name="lintra", jax=lintra, jnp=jnp, lax=lax, optax=_optional("optax"))


def _optional(module):
    try:
        return __import__(module)
    except ImportError:
        return None


def cache_env(lib, cache_dir, warm):
    """The environment of a first-call process. Cold: each library's default behaviour, with Lintra's
    (default-on) disk cache empty. Warm: the disk cache filled by an earlier process; JAX's persistent
    cache is off by default and caches only slow compiles, so it is turned on for everything."""
    env = dict(os.environ)
    if lib == "lintra":
        env["LINTRA_CACHE_DIR"] = cache_dir
    elif warm:
        env.update(JAX_COMPILATION_CACHE_DIR=cache_dir, JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0",
                   JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES="0")
    return env


def first_call(lib, key, env):
    out = subprocess.run([sys.executable, os.path.abspath(__file__), lib, "--first", key], env=env,
                         capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])[key]
    raise RuntimeError(f"first-call process for {key} failed:\n{out.stderr[-2000:]}")


def first_calls(lib, key):
    """Best of a few fresh processes: cold (empty cache each time) or warm (cache filled once)."""
    warm = key.endswith("_cached")
    times = []
    with tempfile.TemporaryDirectory(prefix="lintra-bench-cache-") as d:
        if warm:
            first_call(lib, key, cache_env(lib, d, warm))          # fills the cache
        for i in range(FIRST_CALL_RUNS):
            run_dir = d if warm else os.path.join(d, str(i))
            times.append(first_call(lib, key, cache_env(lib, run_dir, warm)))
    return min(times)


PROCESS_TIMEOUT_S = 300


def multi_process(lib, key, n, quick):
    """A workload run by `n` processes of `lib` joined into one job on 127.0.0.1 (a free port, one CPU device
    each); process 0's times. Every wait is bounded, and on failure only these processes are killed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("LINTRA_COORDINATOR")},
           **device_env(lib, 1)}
    cmd = lambda i: [sys.executable, os.path.abspath(__file__), lib, "--worker", key, str(i), str(n), str(port)] + \
        (["--quick"] if quick else [])
    procs = [subprocess.Popen(cmd(i), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in range(n)]
    try:
        outs = [p.communicate(timeout=PROCESS_TIMEOUT_S) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for line in outs[0][0].splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])[key]
    raise RuntimeError(f"process 0 of {key} failed (exit codes {[p.returncode for p in procs]}):\n"
                       f"{outs[0][1][-2000:]}")


def worker(lib, key, process_id, n, port, quick):
    """One process of a multi-process workload: join the job, then time the same calls as the others."""
    L = library(lib)
    W.join_processes(L, f"127.0.0.1:{port}", n, process_id)
    fn = W.BY_KEY[key].setup(L)
    result = W.measure_fixed(fn, W.ALLREDUCE_CALLS // (4 if quick else 1))
    L.jax.distributed.shutdown()
    return result


def run(lib_name, keys, quick=False, log=None):
    L = library(lib_name)
    results = {}
    for key in keys:
        w = W.BY_KEY[key]
        if w.needs and not W.has(L, w.needs):
            results[key] = {"na": f"{w.needs.split('.')[-1]} not available"}
            continue
        try:
            if w.fresh_process:
                results[key] = {"seconds": first_calls(lib_name, key)}
            elif w.processes > 1:
                results[key] = multi_process(lib_name, key, w.processes, quick)
            else:
                fn = w.setup(L)
                finish = None if w.awaited else (lambda out: W.block(L, out))
                results[key] = W.measure(fn, min_time=0.05 if quick else 0.2, repeat=3 if quick else 5,
                                         finish=finish)
        except Exception as e:     # one failing workload must not hide the others' numbers
            results[key] = {"na": f"failed: {type(e).__name__}: {str(e).splitlines()[0][:120] if str(e) else ''}"}
        if log:
            log(lib_name, key, results[key])
    return results


def main():
    p = argparse.ArgumentParser()
    p.add_argument("lib", choices=["lintra", "jax"])
    p.add_argument("--only", default=",".join(W.BY_KEY))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--first", help="time the first call of this workload in this (fresh) process")
    p.add_argument("--devices", type=int, default=1, help="CPU devices of this process (and its children)")
    p.add_argument("--worker", nargs=4, metavar=("KEY", "PROCESS_ID", "NUM_PROCESSES", "PORT"),
                   help="run as one process of a multi-process workload")
    args = p.parse_args()
    if args.devices > 1:
        os.environ.update(device_env(args.lib, args.devices))
    if args.worker:
        key, pid, n, port = args.worker
        results = {key: worker(args.lib, key, int(pid), int(n), port, args.quick)}
    elif args.first:
        L = library(args.lib)
        fn = W.BY_KEY[args.first].setup(L)
        results = {args.first: W.time_once(fn)}
    else:
        results = run(args.lib, args.only.split(","), args.quick,
                      log=lambda lib, key, r: print(f"  {lib}: {key} done", file=sys.stderr, flush=True))
    print("RESULT " + json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
