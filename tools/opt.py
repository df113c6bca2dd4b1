"""lintra-opt: IR text in, passes run on every function, IR text out (as mlir-opt).

    lintra-opt FILE.lir --passes verify,canonicalize,cse,dce [--print-ir-after-all]

FILE may be `-` for standard input. Errors in the input are reported as `FILE:line:col: message` with exit
status 1; an unknown pass name exits with status 2.
"""
import argparse
import sys

from ..ir.parser import ParseError, parse_module
from ..ir.passes import PASSES, run_passes
from ..ir.verifier import VerificationError


def _parser():
    p = argparse.ArgumentParser(prog="lintra-opt", description="Run IR passes over a text IR file.")
    p.add_argument("file", metavar="FILE", help="IR text (.lir), or - for standard input")
    p.add_argument("--passes", default="", metavar="P1,P2,...",
                   help=f"passes to run in order, comma-separated; known: {', '.join(PASSES)}")
    p.add_argument("--print-ir-after-all", action="store_true",
                   help="print the module to stderr after each pass")
    return p


def main(argv=None):
    args = _parser().parse_args(argv)
    names = [n.strip() for n in args.passes.split(",") if n.strip()]
    unknown = [n for n in names if n not in PASSES]
    if unknown:
        print(f"lintra-opt: unknown pass '{unknown[0]}'; known passes: {', '.join(PASSES)}", file=sys.stderr)
        return 2
    shown = "<stdin>" if args.file == "-" else args.file
    try:
        if args.file == "-":
            text = sys.stdin.read()
        else:
            with open(args.file, encoding="utf-8") as f:
                text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        print(f"lintra-opt: cannot read {shown}: {getattr(e, 'strerror', None) or e}", file=sys.stderr)
        return 1
    try:
        module = parse_module(text)
    except ParseError as e:
        print(f"{shown}:{e.line}:{e.col}: {e.msg}", file=sys.stderr)
        return 1
    for name in names:   # pass by pass over the whole module, so each dump shows every function
        funcs = {}
        for fname, func in module.funcs.items():
            try:
                result = run_passes(func, [name])
            except VerificationError as e:
                where = "" if name == "verify" else f" after pass '{name}'"
                print(f"{shown}: @{fname}: verification failed{where}: {e}", file=sys.stderr)
                return 1
            except (TypeError, NotImplementedError) as e:    # e.g. transposing a non-linear function
                print(f"{shown}: @{fname}: pass '{name}' failed: {e}", file=sys.stderr)
                return 1
            for f in (result if isinstance(result, list) else [result]):
                funcs[f.name] = f
        module.funcs = funcs
        if args.print_ir_after_all:
            print(f"// -----// IR Dump After {name} //----- //", file=sys.stderr)
            sys.stderr.write(str(module))
            sys.stderr.flush()
    sys.stdout.write(str(module))
    return 0


if __name__ == "__main__":
    sys.exit(main())
