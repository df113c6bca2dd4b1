"""The IR's text form. Values print as %name for function arguments and %N in program order
otherwise, so printing is deterministic and `print(parse(t)) == t`."""
import json
import math

import numpy as np

from .core import is_built
from . import types as T
from .types import DTYPE_NAMES, TensorType

INDENT = "  "


class _Names:
    def __init__(self):
        self.names = {}
        self.count = 0

    def define(self, v, name=None):
        if name is None:
            name, self.count = str(self.count), self.count + 1
        self.names[v] = name
        return "%" + name

    def __getitem__(self, v):
        try:
            return "%" + self.names[v]
        except KeyError:
            return "%<undefined>"


def format_type(t: TensorType) -> str:
    return str(t)


def _scalar(x, dtype):
    if T.is_bool(dtype):
        return "true" if x else "false"
    if T.is_int(dtype):     # not dtype.kind: NumPy files ml_dtypes' int4 and kin under np.void
        return str(int(x))
    if T.is_complex(dtype):
        return f"({_float(x.real)}, {_float(x.imag)})"
    return _float(x)


def _float(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def _nested(a):
    if a.ndim == 0:
        return _scalar(a[()], a.dtype)
    return "[" + ", ".join(_nested(x) for x in a) + "]"


def format_attr(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return _float(v)
    if isinstance(v, str):
        return json.dumps(v)
    if v is None:
        return "none"
    if isinstance(v, np.dtype):
        return DTYPE_NAMES[v]
    if isinstance(v, np.ndarray):
        t = TensorType(v.shape, v.dtype)
        flat = v.reshape(-1)
        same_bits = flat.tobytes() == flat[:1].tobytes() * v.size  # not ==: [0.0, -0.0] is no splat
        if v.size > 1 and same_bits and not (v.dtype.kind in "fc" and np.isnan(flat).any()):
            body = _scalar(flat[0], v.dtype)
        else:
            body = _nested(v)
        return f"dense<{body} : {t}>"
    if isinstance(v, (tuple, list)):
        return "[" + ", ".join(format_attr(x) for x in v) + "]"
    raise TypeError(f"cannot print attribute value {v!r} of type {type(v).__name__}")


def _print_block_body(block, names, lines, depth):
    pad = INDENT * depth
    for op in block.ops:
        _print_op(op, names, lines, depth)
    lines.append(pad + "return" + (" " + ", ".join(names[v] for v in block.results) if block.results else ""))


def _print_op(op, names, lines, depth):
    pad = INDENT * depth
    lhs = ", ".join(names.define(r) for r in op.results)
    s = pad + (lhs + " = " if lhs else "") + op.prim
    if op.operands:
        s += " " + ", ".join(names[v] for v in op.operands)
    if op.attrs:
        s += " {" + ", ".join(f"{k} = {format_attr(v)}" for k, v in sorted(op.attrs.items())) + "}"
    s += " : " + (", ".join(format_type(r.type) for r in op.results) if op.results else "()")
    if not op.regions:
        lines.append(s)
        return
    lines.append(s + " {")
    for region in op.regions:
        if not is_built(region):
            # a custom rule not traced yet; tracing it to print it could recurse without end
            lines.append(pad + INDENT + "^lazy")
            continue
        args = ", ".join(f"{names.define(a)}: {format_type(a.type)}" for a in region.args)
        lines.append(pad + INDENT + f"^({args}) {{")
        _print_block_body(region, names, lines, depth + 2)
        lines.append(pad + INDENT + "}")
    lines.append(pad + "}")


def print_op(op) -> str:
    lines = []
    _print_op(op, _Names(), lines, 0)
    return "\n".join(lines)


def _arg_names(func):
    names = func.arg_names or []
    ok = (len(names) == len(func.args) and len(set(names)) == len(names)
          and all(n.isidentifier() and not n.isdigit() for n in names))
    return names if ok else [f"arg{i}" for i in range(len(func.args))]


def print_func(func) -> str:
    names = _Names()
    args = ", ".join(f"{names.define(a, n)}: {format_type(a.type)}" for a, n in zip(func.args, _arg_names(func)))
    results = ", ".join(format_type(r.type) for r in func.results)
    lines = [f"func @{func.name}({args}) -> ({results}) {{"]
    _print_block_body(func.body, names, lines, 1)
    lines.append("}")
    return "\n".join(lines) + "\n"


def print_module(module) -> str:
    return "\n".join(print_func(f) for f in module.funcs.values())
