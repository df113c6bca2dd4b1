"""lintra-run: a text IR function lowered, compiled and run, its outputs printed (as mlir-cpu-runner).

    lintra-run FILE.lir --function f --inputs 'f32[3]=[1,2,3];i32[]=4'
    lintra-run FILE.lir --function f --random-inputs 0 --passes=jvp,linearize,transpose --check
    lintra-run FILE.lir --function f --random-inputs 0 --compare-to OTHER.lir [--compare-function g]

--passes runs a pipeline (lintra-opt's syntax) on the function first; a pipeline ending in a primal and a
linear function runs them as one program (tools/program.py). --check compares the result with what the
original function says it must be (tools/reference.py): its own outputs, finite differences, or a loop
over the batch. --compare-to runs another file's function on the same inputs and reports the largest
difference. Without --function every function of the file runs in turn (with a `// @name` line before
each one's outputs). Outputs print as TYPE=VALUE, one per line (the syntax --inputs reads). With --check or
--compare-to the exit status is 1 when a difference is beyond --atol + --rtol * |expected|; errors in the
IR are reported as lintra-opt reports them (status 1), mistakes in the command line with status 2.
"""
import argparse
import sys

import numpy as np

from ..ir.core import Module
from ..ir.parser import ParseError, parse_module
from ..runtime.narrow_dtypes import UnrunnableDtypeError
from .inputs import InputError, parse_inputs, random_inputs, show
from .opt import UsageError, func_location, parse_pipeline
from .pipeline import PassFailure, run_pipeline
from .program import Program, ProgramError
from .reference import DESCRIPTIONS, CheckError, expected, kind_of

EXACT_TOLERANCE = (1e-6, 1e-5)     # (atol, rtol) against the same computation done another way
FD_TOLERANCE = (1e-3, 1e-3)        # against central finite differences


class RunError(Exception):
    """An error in the IR file, already formatted as FILE:LINE:COL: message."""


def _parser():
    p = argparse.ArgumentParser(prog="lintra-run", description="Lower, compile and run a text IR function.")
    p.add_argument("file", metavar="FILE", help="IR text (.lir)")
    p.add_argument("--function", metavar="NAME", help="the function to run (default: each function in the file)")
    given = p.add_mutually_exclusive_group(required=True)
    given.add_argument("--inputs", metavar="T=V;...", help="the arguments, e.g. 'f32[3]=[1,2,3];i32[]=4'")
    given.add_argument("--random-inputs", type=int, metavar="SEED", help="random arguments from this seed")
    p.add_argument("--random-range", default="-1,1", metavar="LO,HI",
                   help="where random floating-point arguments lie (default: -1,1)")
    p.add_argument("--passes", default="", metavar="P1,P2{k=v},...", help="passes to run on the function first")
    p.add_argument("--check", action="store_true",
                   help="compare with what the function before --passes says the result must be")
    p.add_argument("--compare-to", metavar="OTHER.lir", help="run OTHER's function on the same inputs and compare")
    p.add_argument("--compare-function", metavar="NAME", help="the function in OTHER (default: --function's)")
    p.add_argument("--compare-passes", default="", metavar="P1,P2", help="passes to run on OTHER's function first")
    p.add_argument("--atol", type=float, help="absolute tolerance (default: 1e-6; against finite differences 1e-3)")
    p.add_argument("--rtol", type=float, help="relative tolerance (default: 1e-5; against finite differences 1e-3)")
    return p


def read(path):
    """(text, Module) of an IR file."""
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read {path}: {getattr(e, 'strerror', None) or e}") from None
    try:
        return text, parse_module(text)
    except ParseError as e:
        raise RunError(f"{path}:{e.line}:{e.col}: {e.msg}") from None


def load(path, source, function, pipeline):
    """(the function as written, the Program the pipeline makes of it)."""
    text, module = source
    if function not in module.funcs:
        raise UsageError(f"{path} has no function @{function}; it has {', '.join(module.funcs) or 'none'}")
    original = module.funcs[function]
    transformed = Module({function: original})
    try:
        run_pipeline(transformed, pipeline)
    except PassFailure as f:
        line, col = func_location(text, f.origin)
        raise RunError(f"{path}:{line}:{col}: {f.message}") from None
    try:
        return Program([original]), Program(transformed.funcs.values())
    except ProgramError as e:
        raise UsageError(str(e)) from None


def compare(pairs, tolerance):
    """Print one line per output; True when all are within tolerance."""
    atol, rtol = tolerance
    ok, largest = True, 0.0
    for (label, got), (_, want) in pairs:
        got, want = np.asarray(got), np.asarray(want)
        if got.shape != want.shape:
            print(f"{label}: shape {got.shape} where {want.shape} was expected: MISMATCH")
            ok = False
            continue
        wide = np.complex128 if np.iscomplexobj(got) or np.iscomplexobj(want) else np.float64
        g, w = got.astype(wide), want.astype(wide)
        same_nan = np.isnan(g) & np.isnan(w)
        err = np.where(same_nan | (g == w), 0.0, np.abs(g - w))
        diff = float(np.max(err)) if err.size else 0.0
        within = bool(np.all(err <= atol + rtol * np.abs(w)))
        largest = max(largest, diff)
        ok = ok and within
        print(f"{label}: max |difference| {diff:.3g} (atol {atol:g}, rtol {rtol:g}): {'ok' if within else 'MISMATCH'}")
    print(f"largest difference: {largest:.3g}")
    return ok


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        return _main(args)
    except (UsageError, InputError, CheckError, UnrunnableDtypeError) as e:
        print(f"lintra-run: {e}", file=sys.stderr)
        return 2
    except RunError as e:
        print(e, file=sys.stderr)
        return 1


def _main(args):
    if args.check and args.compare_to:
        raise UsageError("use --check or --compare-to, not both")
    if args.compare_function and not args.function:
        raise UsageError("--compare-function needs --function")
    pipeline = parse_pipeline(args.passes)
    source = read(args.file)
    other = (read(args.compare_to), parse_pipeline(args.compare_passes)) if args.compare_to else None
    names = [args.function] if args.function else list(source[1].funcs)
    if not names:
        raise UsageError(f"{args.file} has no functions")
    status = 0
    for name in names:
        status = max(status, run_one(args, source, name, pipeline, other, several=len(names) > 1))
    return status


def run_one(args, source, name, pipeline, other, several):
    original, program = load(args.file, source, name, pipeline)
    if args.inputs is not None:
        inputs = parse_inputs(args.inputs, program.arg_types, program.name)
    else:
        low, high = _range(args.random_range)
        inputs = random_inputs(args.random_inputs, program.arg_types, low, high)
    outputs = program(inputs)
    if not (args.check or args.compare_to):
        if several:
            print(f"// {program.name}")
        for t, x in zip(program.result_types, outputs):
            print(show(t, x))
        return 0
    if args.check:
        kind = kind_of(program, [p for p, _ in pipeline])
        want = expected(kind, original, program, inputs)
        print(f"// {program.name} against {DESCRIPTIONS[kind].format(f=original.name)}")
        default = FD_TOLERANCE if kind in ("jvp", "vjp") else EXACT_TOLERANCE
    else:
        other_source, other_pipeline = other
        _, reference = load(args.compare_to, other_source, args.compare_function or name, other_pipeline)
        if reference.arg_types != program.arg_types:
            raise UsageError(f"{reference.name} takes ({', '.join(map(str, reference.arg_types))}), but "
                             f"{program.name} takes ({', '.join(map(str, program.arg_types))})")
        print(f"// {program.name} against {reference.name} of {args.compare_to}")
        want = [(f"result {i}", x) for i, x in enumerate(reference(inputs))]
        default = EXACT_TOLERANCE
    if len(want) != len(outputs):
        print(f"{program.name} has {len(outputs)} results where {len(want)} were expected: MISMATCH")
        return 1
    tolerance = (default[0] if args.atol is None else args.atol, default[1] if args.rtol is None else args.rtol)
    got = [(label, x) for (label, _), x in zip(want, outputs)]
    return 0 if compare(zip(got, want), tolerance) else 1


def _range(spec):
    try:
        low, high = (float(x) for x in spec.split(","))
    except ValueError:
        raise UsageError(f"bad --random-range '{spec}': expected LO,HI, e.g. 0.5,2") from None
    if not low < high:
        raise UsageError(f"bad --random-range '{spec}': LO must be below HI")
    return low, high


if __name__ == "__main__":
    sys.exit(main())
