"""optax's own test suite (the *_test.py files its wheel ships) run on Lintra under the jax alias, and on JAX.

    python tests/ecosystem/optax_suite.py OUTDIR [--jax PYTHON] [FILE ...]

runs each test file (all 52, or the FILEs given, relative to the optax package) in a fresh process of this
interpreter with `lintra.compat.alias_jax()`, and, with --jax, of PYTHON (an environment with jax 0.10.2 and
optax), writing JUnit XML under OUTDIR/lintra and OUTDIR/jax. It then prints the README's table: per file, the
test cases passing under JAX and how many of those pass under Lintra (a case with a failing subtest fails).
"""
import argparse
import glob
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

RUNNER = "import sys, lintra.compat; lintra.compat.alias_jax(); import pytest; sys.exit(pytest.main(sys.argv[1:]))"


def optax_dir(python=sys.executable):
    code = "import importlib.util, os; print(os.path.dirname(importlib.util.find_spec('optax').origin))"
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


def run_file(test_file, xml, workdir, python=None, timeout=1800):
    """pytest on one test file in a fresh process: on Lintra (python=None) or on JAX (python given)."""
    # -P: the working directory stays off sys.path (a folder there named `lintra` would shadow the package)
    cmd = [python, "-P", "-m", "pytest"] if python else [sys.executable, "-P", "-c", RUNNER]
    return subprocess.run(cmd + [test_file, "-q", "-p", "no:cacheprovider", f"--rootdir={workdir}",
                                 f"--junitxml={xml}"], cwd=workdir, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "JAX_PLATFORMS": "cpu"})


def cases(xml_path):
    """{'Class::test': 'pass' | 'skip' | 'fail: message'} of a JUnit file."""
    results = {}
    for case in ET.parse(xml_path).iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        failed = [c for c in case if c.tag in ("failure", "error")]
        if failed:
            results[name] = "fail: " + (failed[0].get("message") or "")[:300]
        elif not results.get(name, "").startswith("fail"):      # subtests repeat the name
            results[name] = "skip" if any(c.tag == "skipped" for c in case) else "pass"
    return results


def table(outdir, files):
    rows, total_jax, total_both = ["| optax test file | pass under JAX 0.10.2 | of those, under Lintra |",
                                   "|---|---:|---:|"], 0, 0
    for f in files:
        name = f.replace("/", "_")
        jax = cases(os.path.join(outdir, "jax", name + ".xml"))
        lin = cases(os.path.join(outdir, "lintra", name + ".xml"))
        passing = {c for c, r in jax.items() if r == "pass"}
        both = {c for c in passing if lin.get(c) == "pass"}
        total_jax, total_both = total_jax + len(passing), total_both + len(both)
        rows.append(f"| `{f}` | {len(passing)} | {len(both)} |")
    share = 100 * total_both / max(total_jax, 1)
    rows.append(f"| all {len(files)} files | {total_jax} | {total_both} ({share:.1f}%) |")
    return "\n".join(rows)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("outdir")
    p.add_argument("--jax", help="a Python with jax 0.10.2 and optax: run JAX's side too")
    p.add_argument("files", nargs="*")
    args = p.parse_args(argv)
    root = optax_dir()
    files = args.files or sorted(os.path.relpath(f, root) for f in glob.glob(f"{root}/**/*_test.py", recursive=True))
    work = os.path.abspath(args.outdir)
    sides = [("lintra", None, root)] + ([("jax", args.jax, optax_dir(args.jax))] if args.jax else [])
    for side, python, base in sides:
        os.makedirs(os.path.join(work, side), exist_ok=True)
        for f in files:
            xml = os.path.join(work, side, f.replace("/", "_") + ".xml")
            run_file(os.path.join(base, f), xml, work, python)
            print(f"{side}: {f}", file=sys.stderr, flush=True)
    if args.jax or os.path.isdir(os.path.join(work, "jax")):
        print(table(work, files))


if __name__ == "__main__":
    main(sys.argv[1:])
