"""lintra-opt: IR text in, passes run on every function, IR text out (as mlir-opt).

    lintra-opt FILE.lir --passes verify,canonicalize,cse,dce [--print-ir-after-all]
    lintra-opt FILE.lir --passes 'batch{size=8},canonicalize'
    lintra-opt FILE.lir --view-op-graph[=FILE.svg]

A pass that takes keyword options is given them in braces, `name{key=value,...}` (values are ints, floats,
true/false, or words). FILE may be `-` for standard input. Errors in the input are reported as
`FILE:line:col: message` with exit status 1 (a pass that fails is reported at its function's `func` line);
an unknown pass name or a bad option exits with status 2.

As mlir-opt: --split-input-file (tools/split.py), --verify-diagnostics (tools/diagnostics.py), --pass-timing
(tools/timing.py), --print-ir-before=P,.. / --print-ir-after=P,.. / --print-ir-after-change
(tools/pipeline.py), -o FILE, and --emit=ir|stablehlo|hlo (tools/emit.py) for the lowered or compiled module.
"""
import argparse
import contextlib
import inspect
import re
import sys

from ..ir.core import Module
from ..ir.parser import ParseError, parse_module
from ..ir.passes import PASSES
from .diagnostics import Diagnostic, Source, check, parse_expectations, render
from .emit import EMITS, EmitFailure, emit
from .pipeline import Dumps, PassFailure, run_pipeline
from .split import join_outputs, split_input
from .timing import Timing
from .op_graph import view_op_graph


def _parser():
    p = argparse.ArgumentParser(prog="lintra-opt", description="Run IR passes over a text IR file.")
    p.add_argument("file", metavar="FILE", help="IR text (.lir), or - for standard input")
    p.add_argument("--passes", default="", metavar="P1,P2{k=v},...",
                   help=f"passes to run in order, comma-separated, options in braces; known: {', '.join(PASSES)}")
    p.add_argument("--print-ir-after-all", action="store_true",
                   help="print the module to stderr after each pass")
    p.add_argument("--print-ir-before", default="", metavar="P1,P2",
                   help="print the module to stderr before each run of these passes")
    p.add_argument("--print-ir-after", default="", metavar="P1,P2",
                   help="print the module to stderr after each run of these passes")
    p.add_argument("--print-ir-after-change", action="store_true",
                   help="print the module after a pass only if the pass changed it (alone: after every such pass)")
    p.add_argument("--split-input-file", action="store_true",
                   help="treat each '// -----'-separated chunk of FILE as its own input; outputs are joined by it")
    p.add_argument("--verify-diagnostics", action="store_true",
                   help="check the diagnostics against the `expected-error {{...}}` comments in FILE")
    p.add_argument("--pass-timing", action="store_true", help="print wall time per pass to stderr")
    p.add_argument("-o", dest="output", default="-", metavar="FILE", help="write the output here (default: stdout)")
    p.add_argument("--emit", choices=EMITS, default="ir",
                   help="ir (default); stablehlo: each function lowered; hlo: XLA's optimised HLO of each")
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


def pass_names(spec, flag):
    names = [n.strip() for n in spec.split(",") if n.strip()]
    for n in names:
        if n not in PASSES:
            raise UsageError(f"unknown pass '{n}' in {flag}; known passes: {', '.join(PASSES)}")
    return frozenset(names)


def _dumps(args):
    before, after = pass_names(args.print_ir_before, "--print-ir-before"), pass_names(args.print_ir_after,
                                                                                     "--print-ir-after")
    if not (before or after or args.print_ir_after_all or args.print_ir_after_change):
        return None
    return Dumps(sys.stderr, before, after, args.print_ir_after_all, args.print_ir_after_change)


def func_location(text, name):
    """(line, col) of `func @name` in the text, or (0, 0)."""
    m = re.search(rf"(?m)^[ \t]*(func)[ \t]+@{re.escape(name)}(?![\w.<>$-])", text)
    if m is None:
        return 0, 0
    line = text.count("\n", 0, m.start(1)) + 1
    return line, m.start(1) - (text.rfind("\n", 0, m.start(1)) + 1) + 1


def process(text, pipeline, dumps, timing, kind):
    """One input (a file or a chunk of it): (output text or None, [Diagnostic], the module after the passes
    or None)."""
    try:
        with _timed(timing, "parse", "parse"):
            module = parse_module(text)
    except ParseError as e:
        return None, [Diagnostic("error", e.line, e.col, e.msg)], None
    try:
        origin = run_pipeline(module, pipeline, dumps, timing)
        with _timed(timing, "output", f"output ({kind})"):
            return emit(module, kind), [], module
    except PassFailure as f:
        return None, [Diagnostic("error", *func_location(text, f.origin), f.message)], None
    except EmitFailure as f:
        return None, [Diagnostic("error", *func_location(text, origin[f.func]), f.message)], None


def _timed(timing, key, label):
    return timing.timed(key, label) if timing is not None else contextlib.nullcontext()


def _merged(modules):
    """One module of every chunk's functions (for one graph); a name seen before gets the chunk's number."""
    merged = Module()
    for i, m in enumerate(modules):
        for name, func in m.funcs.items():
            merged.funcs[name if name not in merged.funcs else f"{name}.{i}"] = func
    return merged


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        pipeline = parse_pipeline(args.passes)
        dumps = _dumps(args)
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
    timing = Timing() if args.pass_timing else None
    outputs, modules, ok = [], [], True
    for chunk in split_input(text, args.split_input_file):
        source = Source(shown, chunk.first_line, args.split_input_file)
        output, diagnostics, module = process(chunk.text, pipeline, dumps, timing, args.emit)
        modules.append(module)
        if args.verify_diagnostics:
            expected, problems = parse_expectations(chunk.text)
            diagnostics = problems + check(diagnostics, expected)
        for d in diagnostics:
            print(render(source, d), file=sys.stderr)
        ok = ok and not diagnostics
        outputs.append(output or "")
    if timing is not None:
        sys.stderr.write(timing.report())
    if not ok:
        return 1
    if args.view_op_graph is not None:
        status = view_op_graph(_merged(modules), args.view_op_graph, sys.stdout, sys.stderr)
        if status or args.view_op_graph == "-":
            return status
    try:
        if args.output == "-":
            sys.stdout.write(join_outputs(outputs))
        else:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(join_outputs(outputs))
    except OSError as e:
        print(f"lintra-opt: cannot write {args.output}: {e.strerror or e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
