"""lintra-opt: IR text in, passes run on every function, IR text out (as mlir-opt).

    lintra-opt FILE.lir --passes verify,canonicalize,cse,dce [--print-ir-after-all]
    lintra-opt FILE.lir --passes 'batch{size=8},canonicalize'
    lintra-opt FILE.lir --view-op-graph[=FILE.svg]

A pass that takes keyword options is given them in braces, `name{key=value,...}` (values are ints, floats,
true/false, or words). FILE may be `-` for standard input. Errors in the input are reported as
`FILE:line:col: message` with exit status 1; an unknown pass name or a bad option exits with status 2.
"""
import argparse
import inspect
import re
import sys

from ..ir.parser import ParseError, parse_module
from ..ir.passes import PASSES, run_passes
from ..ir.verifier import VerificationError, verify
from .op_graph import view_op_graph


def _parser():
    p = argparse.ArgumentParser(prog="lintra-opt", description="Run IR passes over a text IR file.")
    p.add_argument("file", metavar="FILE", help="IR text (.lir), or - for standard input")
    p.add_argument("--passes", default="", metavar="P1,P2{k=v},...",
                   help=f"passes to run in order, comma-separated, options in braces; known: {', '.join(PASSES)}")
    p.add_argument("--print-ir-after-all", action="store_true",
                   help="print the module to stderr after each pass")
    p.add_argument("--view-op-graph", nargs="?", const="-", metavar="FILE.svg",
                   help="print a Graphviz dot graph of each function (after the passes) instead of the IR; with "
                        "=FILE.svg render it with Graphviz's dot (=FILE.dot: write the dot text) and print the IR")
    return p


class UsageError(Exception):
    pass


def _value(text):
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text, text)


def parse_pipeline(spec: str):
    """'batch{size=8,axis_name=i},cse' -> [('batch', {'size': 8, 'axis_name': 'i'}), ('cse', {})]."""
    items, depth, start = [], 0, 0
    for i, c in enumerate(spec):
        depth += {"{": 1, "}": -1}.get(c, 0)
        if c == "," and depth == 0:
            items.append(spec[start:i].strip())
            start = i + 1
    items.append(spec[start:].strip())     # with unbalanced braces, everything from the last item on
    out = []
    for item in filter(None, items):
        m = re.fullmatch(r"([\w.-]+)\s*(?:\{([^{}]*)\})?", item)
        if m is None:
            raise UsageError(f"bad pass '{item}': expected NAME or NAME{{key=value,...}}")
        name, opts = m.group(1), {}
        if name not in PASSES:
            raise UsageError(f"unknown pass '{name}'; known passes: {', '.join(PASSES)}")
        for kv in filter(None, (p.strip() for p in (m.group(2) or "").split(","))):
            key, eq, value = (x.strip() for x in kv.partition("="))
            if not eq or not key.isidentifier() or not value:
                raise UsageError(f"bad option '{kv}' for pass '{name}': expected key=value")
            opts[key] = _value(value)
        known = list(inspect.signature(PASSES[name]).parameters)[1:]
        unknown = [k for k in opts if k not in known]
        if unknown:
            raise UsageError(f"pass '{name}' does not take option(s) {', '.join(unknown)}; its options: "
                             f"{', '.join(known) or 'none'}")
        out.append((name, opts))
    return out


def _run(func, name, opts):
    if not opts:
        return run_passes(func, [name])
    result = PASSES[name](func, **opts)
    for f in (result if isinstance(result, list) else [result]):
        verify(f)
    return result


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        pipeline = parse_pipeline(args.passes)
    except UsageError as e:
        print(f"lintra-opt: {e}", file=sys.stderr)
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
    for name, opts in pipeline:   # pass by pass over the whole module, so each dump shows every function
        funcs = {}
        for fname, func in module.funcs.items():
            try:
                result = _run(func, name, opts)
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
    if args.view_op_graph is not None:
        status = view_op_graph(module, args.view_op_graph, sys.stdout, sys.stderr)
        if status or args.view_op_graph == "-":
            return status
    sys.stdout.write(str(module))
    return 0


if __name__ == "__main__":
    sys.exit(main())
