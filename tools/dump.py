"""lintra-dump: a user function's IR at any stage.

    lintra-dump MODULE:FUNCTION --args 'f32[3],f32[3]' [--stage ir|stablehlo|hlo] [--transform NAME]
                [--print-after-all] [--mesh data=4,model=2 --in-shardings 'P(data),P()' [--out-shardings 'P()']]
    lintra-dump MODULE:FUNCTION --args 'f32[3],f32[3]' [--transform NAME] --export OUT.bin

MODULE is a dotted module name or a path to a .py file; FUNCTION may be dotted (Class.method). The function
is traced on abstract arguments of the given types (IR type syntax: `f32[3]`, `i32[]`, `~f32[]`), transformed,
run through the default pass pipeline, and printed as Lintra IR, StableHLO, or XLA's optimised HLO.
With --mesh the function is an SPMD program over a mesh of that shape (the process needs that many devices:
LINTRA_NUM_CPU_DEVICES=8 for 4x2 CPU devices): --in-shardings gives one PartitionSpec per argument of the
traced (transformed) function, --out-shardings one per result (unspecified: XLA chooses). The IR is headed
by the mesh and the shardings, the StableHLO carries Shardy's `sdy.mesh` and `sdy.sharding` attributes, and
the HLO is XLA's partitioned program (with its collectives).
With --export the (transformed) function is exported instead (lintra.export) and OUT.bin holds the serialized
Exported, which `lintra.export.deserialize` loads and calls in any process; a one-line summary is printed.
A missing module or function, a bad type or spec, or too few devices is one line on stderr and exit status 2;
so is an exception raised while the user's module is imported or their function traced
(`lintra-dump: error: FILE:LINE: Type: message`, FILE:LINE the innermost frame of the user's code);
--traceback prints the whole traceback instead.
"""
import argparse
import importlib
import importlib.util
import inspect
import os
import sys
import sysconfig
import traceback

from ..ir.parser import ParseError, parse_type
from ..ir.passes import DEFAULT_PIPELINE, run_passes

def _output_types(fun, types):
    import lintra
    return [r.type for r in lintra.make_ir(fun)(*_abstract(types)).results]


def _abstract(types):
    from ..frontend.abstract import ShapeDtypeStruct
    return [ShapeDtypeStruct(t.shape, t.dtype, weak_type=t.weak) for t in types]


def _tangents(types):
    from ..ir.ad.util import tangent_type
    return [tangent_type(t).strong() for t in types]


def _jvp(fun, types):
    import lintra
    n = len(types)
    return (lambda *a: lintra.jvp(fun, a[:n], a[n:])), types + _tangents(types)


def _vjp(fun, types):
    import lintra
    n = len(types)
    return (lambda *a: lintra.vjp(fun, *a[:n])[1](a[n] if len(a) == n + 1 else a[n:])), \
        types + _output_types(fun, types)


def _linearize(fun, types):
    import lintra
    n = len(types)
    return (lambda *a: lintra.linearize(fun, *a[:n])[1](*a[n:])), types + _tangents(types)


VMAP_SIZE = 4


def _vmap(fun, types):
    """vmap over a new leading axis of size VMAP_SIZE of every argument."""
    import lintra
    return lintra.vmap(fun), [t.update(shape=(VMAP_SIZE,) + t.shape) for t in types]

# --transform NAME: how the user's function is transformed before tracing: (fun, arg types) -> the
# transformed function and its argument types. One line each.
TRANSFORMS = {
    "none": lambda fun, types: (fun, types),
    "grad": lambda fun, types: (__import__("lintra").grad(fun), types),
    "jvp": _jvp,
    "vjp": _vjp,
    "linearize": _linearize,
    "hessian": lambda fun, types: (__import__("lintra").hessian(fun), types),
    "vmap": _vmap,
}

STAGES = ("ir", "stablehlo", "hlo")


class UsageError(Exception):
    """A mistake in the command line: reported as one line, exit status 2."""


def split_types(spec: str):
    """'f32[2,3],i32[]' -> ['f32[2,3]', 'i32[]'] (commas inside brackets belong to the type)."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(spec):
        depth += {"[": 1, "]": -1}.get(c, 0)
        if c == "," and depth == 0:
            parts.append(spec[start:i])
            start = i + 1
    parts.append(spec[start:])
    parts = [p.strip() for p in parts]
    return [] if parts == [""] else parts


def parse_arg_types(spec: str):
    types = []
    for i, part in enumerate(split_types(spec)):
        try:
            types.append(parse_type(part))
        except ParseError as e:
            raise UsageError(f"bad type '{part}' for argument {i} in --args: {e.msg}") from None
    return types


def split_top(spec: str):
    """'P(a),P(None,(a,b))' -> ['P(a)', 'P(None,(a,b))']: commas inside brackets belong to the item."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(spec):
        depth += {"(": 1, ")": -1, "[": 1, "]": -1}.get(c, 0)
        if c == "," and depth == 0:
            parts.append(spec[start:i])
            start = i + 1
    parts = [p.strip() for p in parts + [spec[start:]]]
    return [] if parts == [""] else parts


def parse_mesh(spec: str):
    """'data=4,model=2' -> (('data', 4), ('model', 2))."""
    axes = []
    for part in split_top(spec):
        name, sep, size = part.partition("=")
        if not sep or not name.strip().isidentifier() or not size.strip().isdigit() or int(size) < 1:
            raise UsageError(f"bad mesh axis '{part}' in --mesh: expected NAME=SIZE, e.g. data=4,model=2")
        axes.append((name.strip(), int(size)))
    if not axes:
        raise UsageError("--mesh needs at least one axis, e.g. --mesh data=8")
    return tuple(axes)


def parse_specs(spec: str, flag: str):
    """'P(data),P(),P(None,(data,model))' -> PartitionSpecs; names may be quoted."""
    from ..runtime.mesh import PartitionSpec
    specs = []
    for part in split_top(spec):
        if not (part.startswith("P(") and part.endswith(")")):
            raise UsageError(f"bad partition spec '{part}' in {flag}: expected P(...), e.g. P(data,None)")
        entries = []
        for entry in split_top(part[2:-1]):
            names = [n.strip().strip("'\"") for n in split_top(entry[1:-1])] if entry.startswith("(") else \
                [entry.strip("'\"")]
            if not all(n.isidentifier() for n in names):
                raise UsageError(f"bad partition spec '{part}' in {flag}: entries are axis names, None or (a,b)")
            entries.append(None if names == ["None"] else names[0] if len(names) == 1 else tuple(names))
        specs.append(PartitionSpec(*entries))
    return specs


def _import(module: str):
    if module.endswith(".py") or os.sep in module or "/" in module:
        path = os.path.abspath(module)
        if not os.path.isfile(path):
            raise UsageError(f"cannot import module '{module}': no such file")
        name = os.path.splitext(os.path.basename(path))[0]
        if name in sys.modules:   # e.g. a file named numpy.py or lintra.py must not replace the real one
            name = f"_lintra_dump_{name}"
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        sys.path.insert(0, os.path.dirname(path))   # so the file's own sibling imports work
        spec.loader.exec_module(mod)
        return mod
    if os.getcwd() not in sys.path:   # as `python -m`: modules in the current directory are importable
        sys.path.insert(0, os.getcwd())
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as e:
        if e.name is None or not (module == e.name or module.startswith(e.name + ".")):
            raise   # the module exists but itself imports something missing: show the user where
        raise UsageError(f"cannot import module '{module}': no module named '{e.name}'") from None


def load_function(target: str):
    module, sep, name = target.rpartition(":")
    if not sep or not module or not name:
        raise UsageError(f"expected MODULE:FUNCTION (e.g. mymodel:loss or path/to/file.py:f), got '{target}'")
    obj = _import(module)
    for part in name.split("."):
        if not hasattr(obj, part):
            raise UsageError(f"module '{module}' has no function '{name}'")
        obj = getattr(obj, part)
    if not callable(obj):
        raise UsageError(f"'{name}' in module '{module}' is a {type(obj).__name__}, not a function")
    return obj


def _check_arity(fun, name, n):
    try:
        inspect.signature(fun).bind(*range(n))
    except TypeError as e:
        raise UsageError(f"{name} cannot be called with {n} argument{'s' * (n != 1)} from --args: {e}") from None
    except ValueError:   # no signature (a builtin): let the call decide
        pass


def _parser():
    p = argparse.ArgumentParser(prog="lintra-dump", description="Print a Python function's Lintra IR, "
                                "StableHLO, or XLA's optimised HLO.")
    p.add_argument("target", metavar="MODULE:FUNCTION")
    p.add_argument("--args", default="", metavar="TYPES",
                   help="argument types, comma-separated, in IR syntax, e.g. 'f32[3],i32[]'")
    p.add_argument("--stage", choices=STAGES, default="ir", help="what to print (default: ir)")
    p.add_argument("--transform", choices=sorted(TRANSFORMS), default="none",
                   help="transformation applied to the function before tracing (default: none)")
    p.add_argument("--print-after-all", action="store_true",
                   help=f"print the IR after tracing and after each pass ({', '.join(DEFAULT_PIPELINE)})")
    p.add_argument("--mesh", metavar="AXES", help="compile for a mesh of devices, e.g. data=4,model=2 "
                   "(needs LINTRA_NUM_CPU_DEVICES >= its size on CPU)")
    p.add_argument("--in-shardings", metavar="SPECS", help="with --mesh: one PartitionSpec per argument, "
                   "e.g. 'P(data),P()' (default: all replicated)")
    p.add_argument("--out-shardings", metavar="SPECS", help="with --mesh: one PartitionSpec per result "
                   "(default: chosen by XLA)")
    p.add_argument("--traceback", action="store_true",
                   help="on an error in the user's code, print the whole traceback, not one line")
    p.add_argument("--export", metavar="OUT.bin", help="write the function's serialized lintra.export.Exported "
                   "to OUT.bin instead of printing it")
    return p


def residuals_comment(fun, types) -> str:
    """A comment line saying what the linear part of fun at these types keeps (--transform vjp prints it)."""
    import numpy as np
    from ..frontend.ad import _Linearized
    res = _Linearized(fun, tuple(_abstract(types)), evaluate=False).residual_types()
    nbytes = sum(t.size * np.dtype(t.dtype).itemsize for t in res)     # as lintra.residual_bytes
    return f"// residuals: {len(res)} value{'s' * (len(res) != 1)}, {nbytes} bytes ({', '.join(map(str, res))})\n"


def dump(target, arg_types, stage="ir", transform="none", print_after_all=False, out=sys.stdout,
         mesh=None, in_specs=None, out_specs=None) -> str:
    """The text `lintra-dump` prints (dumps after each pass go to `out` as they happen); for --transform vjp
    it starts with a comment line listing the residuals. `mesh` ((name, size), ...) with PartitionSpecs per
    argument and result (None: replicated arguments, results chosen by XLA) makes it an SPMD program."""
    fun = load_function(target)
    _check_arity(fun, target.rpartition(":")[2], len(arg_types))
    header = residuals_comment(fun, list(arg_types)) if transform == "vjp" else ""
    spmd = None if mesh is None else (_make_mesh(mesh), in_specs, out_specs)
    return header + _dump(fun, arg_types, stage, transform, print_after_all, out, spmd)


def _make_mesh(axes):
    import lintra
    size = 1
    for _, n in axes:
        size *= n
    if lintra.device_count() < size:
        shape = ",".join(f"{a}={n}" for a, n in axes)
        raise UsageError(f"--mesh {shape} needs {size} devices, but this process has {lintra.device_count()}: "
                         f"set LINTRA_NUM_CPU_DEVICES={size} (CPU)")
    # Auto axes: the traced types are unsharded and XLA chooses what --in/--out-shardings leave open
    return lintra.make_mesh(tuple(n for _, n in axes), tuple(a for a, _ in axes),
                            axis_types=(lintra.sharding.AxisType.Auto,) * len(axes))


def _shardings(mesh, specs, values, flag):
    """One NamedSharding (or None) per value: the given specs, checked against the mesh and the values."""
    from ..runtime.named_sharding import NamedSharding
    if specs is None:
        return [None] * len(values)
    if len(specs) != len(values):
        raise UsageError(f"{flag} has {len(specs)} spec{'s' * (len(specs) != 1)}, but the traced function has "
                         f"{len(values)} {'arguments' if flag == '--in-shardings' else 'results'}")
    try:
        out = [NamedSharding(mesh, s) for s in specs]
        for s, v in zip(out, values):
            s.check_shape(v.type.shape)
    except (ValueError, TypeError) as e:
        raise UsageError(f"{flag}: {str(e).splitlines()[0]}") from None
    return out


def _spmd_header(mesh, ins, outs, func) -> str:
    show = lambda ss, vs: ", ".join(f"%{n}: {s.spec if s is not None else 'chosen by XLA'}"
                                    for s, n in zip(ss, vs))
    mesh_text = ", ".join(f"{a}={n}" for a, n in mesh.shape.items())
    return (f"// mesh: {mesh_text} (devices {list(mesh._device_ids)})\n"
            f"// in_shardings: {show(ins, func.arg_names or range(len(ins)))}\n"
            f"// out_shardings: {show(outs, range(len(outs)))}\n")


def _dump(fun, arg_types, stage, transform, print_after_all, out, spmd=None) -> str:
    import lintra
    fun, arg_types = TRANSFORMS[transform](fun, list(arg_types))
    func = lintra.make_ir(fun)(*_abstract(arg_types))
    if print_after_all:
        print("// -----// IR Dump After trace //----- //", file=out)
        print(func, end="", file=out)
    func = run_passes(func, DEFAULT_PIPELINE, print_after_all=out if print_after_all else None)
    if spmd is not None:
        return _dump_spmd(func, stage, *spmd)
    if stage == "ir":
        return str(func)
    from ..lowering.lower import lower, to_text
    if stage == "stablehlo":
        return to_text(lower(func))
    from ..runtime import pjrt
    from ..runtime.executable import Executable
    return pjrt.optimized_hlo(Executable(func).compiled) + "\n"


def _dump_spmd(func, stage, mesh, in_specs, out_specs) -> str:
    from ..runtime import pjrt, spmd
    from ..runtime.mesh import PartitionSpec
    ins = _shardings(mesh, in_specs or [PartitionSpec()] * len(func.args), func.args, "--in-shardings")
    outs = _shardings(mesh, out_specs, func.results, "--out-shardings")
    if stage == "ir":
        return _spmd_header(mesh, ins, outs, func) + str(func)
    if stage == "stablehlo":
        from ..lowering.lower import lower, to_text
        return to_text(lower(func, spmd=spmd.spmd_attrs(mesh, ins, outs, func)))
    exe = spmd.SpmdExecutable(func, mesh, ins, outs)
    return pjrt.optimized_hlo(exe.compiled) + "\n"


def export_to(target, arg_types, transform, path) -> str:
    """Export the (transformed) function for these argument types and write its serialized Exported to
    `path`; returns the summary line lintra-dump prints."""
    import lintra
    from ..frontend.export import FORMAT_VERSION
    fun = load_function(target)
    _check_arity(fun, target.rpartition(":")[2], len(arg_types))
    fun, arg_types = TRANSFORMS[transform](fun, list(arg_types))
    exp = lintra.export.export(lintra.jit(fun))(*_abstract(arg_types))
    blob = exp.serialize()
    try:
        with open(path, "wb") as f:
            f.write(blob)
    except OSError as e:
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from None
    show = lambda types: ", ".join(map(str, types))
    return (f"// exported {exp.fun_name}({show(exp.in_avals)}) -> ({show(exp.out_avals)}) to {path}: {len(blob)} "
            f"bytes, format version {FORMAT_VERSION}, calling convention {exp.calling_convention_version}\n")


_LINTRA = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _user_frame(e):
    """FILE:LINE of the innermost frame of `e`'s traceback outside Lintra and Python's own libraries."""
    if isinstance(e, SyntaxError) and e.filename:
        return f"{e.filename}:{e.lineno}"
    libraries = {sysconfig.get_paths()[k] for k in ("stdlib", "purelib", "platlib")}
    skip = (_LINTRA + os.sep, "<frozen ", *(p + os.sep for p in libraries))
    frames = [f for f in traceback.extract_tb(e.__traceback__) if not f.filename.startswith(skip)]
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None


def main(argv=None):
    args = _parser().parse_args(argv)
    try:
        types = parse_arg_types(args.args)
        if (args.in_shardings or args.out_shardings) and not args.mesh:
            raise UsageError("--in-shardings and --out-shardings need --mesh (e.g. --mesh data=8)")
        mesh = parse_mesh(args.mesh) if args.mesh else None
        in_specs = parse_specs(args.in_shardings, "--in-shardings") if args.in_shardings else None
        out_specs = parse_specs(args.out_shardings, "--out-shardings") if args.out_shardings else None
        if args.export:
            if mesh is not None or args.stage != "ir" or args.print_after_all:
                raise UsageError("--export writes the exported function only: drop --mesh, --stage and "
                                 "--print-after-all")
            sys.stdout.write(export_to(args.target, types, args.transform, args.export))
            return 0
        text = dump(args.target, types, args.stage, args.transform, args.print_after_all,
                    mesh=mesh, in_specs=in_specs, out_specs=out_specs)
    except UsageError as e:
        print(f"lintra-dump: {e}", file=sys.stderr)
        return 2
    except Exception as e:
        where = _user_frame(e)
        if where is None or args.traceback:
            raise   # not the user's code: Lintra's own bug, shown whole
        message = e.msg if isinstance(e, SyntaxError) else str(e)   # its str repeats FILE, line N
        print(f"lintra-dump: error: {where}: {type(e).__name__}: {message}".splitlines()[0], file=sys.stderr)
        return 2
    if args.print_after_all:
        print(f"// -----// {args.stage} //----- //")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
