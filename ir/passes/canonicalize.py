"""Canonicalization: a table of local rewrites, applied until none fires; then dead ops are removed.

A rule looks at one op (and the ops defining its operands) and returns the value that replaces the op's
result, or None. A replacement is only taken when its type, weak flag included, is the op's result type.

Constant folding evaluates with NumPy only where that gives bit-for-bit what XLA computes:
  * integer arithmetic wraps as XLA's does; division and remainder truncate toward zero, and are not folded
    where XLA defines its own result (division by zero, MIN / -1);
  * float arithmetic is folded for f32/f64 only: XLA may keep f16/bf16 intermediates in f32 (excess
    precision), and XLA on CPU flushes subnormals to zero, so no fold reads or makes a subnormal;
  * ops whose results XLA and NumPy round differently (transcendentals, complex mul/div) are not folded.
"""
import warnings

import ml_dtypes
import numpy as np

from .. import types as T
from ..builder import constant_attrs
from ..core import Block, Func, Op, Value, is_built
from ..primitives import infer_types
from .dce import dce

MAX_FOLD_SIZE = 1024   # elements: folding makes constants, and constants live in the IR text


class Rewriter:
    """What a rule sees of the block being rewritten: defining ops, constants, and a way to emit new ops."""

    def __init__(self):
        self.defs = {}    # value -> the op of this block that defines it
        self.ops = []     # the block's new op list, being built

    def add(self, op):
        self.ops.append(op)
        for r in op.results:
            self.defs[r] = op

    def producer(self, v, prim=None):
        op = self.defs.get(v)
        return op if op is not None and (prim is None or op.prim == prim) else None

    def const(self, v):
        op = self.producer(v, "constant")
        return None if op is None else op.attrs["value"]

    def splat(self, v):
        """The scalar every element of `v` equals, if `v` is a constant (or broadcast of one) and all agree."""
        b = self.producer(v, "broadcast_in_dim")
        c = self.const(b.operands[0] if b is not None else v)
        if c is None or c.size == 0 or c.dtype.itemsize == 0:
            return None
        flat = c.reshape(-1)
        return flat[0] if (flat.view(np.uint8).reshape(c.size, -1) == flat[:1].view(np.uint8)).all() else None

    def emit(self, prim, operands, attrs):
        types = infer_types(prim, [v.type for v in operands], attrs)
        op = Op(prim, operands, [Value(t) for t in types], attrs)
        self.add(op)
        return op.results[0]

    def constant(self, value, type: T.TensorType):
        return self.emit("constant", [], constant_attrs(value, type.dtype, type.weak))


# ---- constant folding --------------------------------------------------------------------------------

def _exact_float(d):
    return np.dtype(d) in (np.float32, np.float64)


def _subnormal(a):
    if not T.is_inexact(a.dtype):
        return False
    parts = (a.real, a.imag) if T.is_complex(a.dtype) else (a,)
    tiny = float(ml_dtypes.finfo(T.real_dtype(a.dtype)).tiny)
    return any(((p != 0) & (np.abs(p) < tiny)).any() for p in parts)


def _arith(fn, complex_ok=False):
    def fold(op, x, y):
        d = x.dtype
        if T.is_int(d) or _exact_float(d) or (complex_ok and d in (np.complex64, np.complex128)):
            return fn(x, y)
        return None
    return fold


def _int_div_ok(x, y):
    """XLA defines x / 0 and MIN / -1 itself; NumPy does not agree, so those are not folded."""
    if (y == 0).any():
        return False
    return not (T.is_signed(x.dtype) and ((x == T.iinfo(x.dtype).min) & (y == -1)).any())


def _div(op, x, y):
    if T.is_int(x.dtype):
        if not _int_div_ok(x, y):
            return None
        q = x // y
        return q + ((x % y != 0) & ((x < 0) != (y < 0))).astype(q.dtype)   # truncate toward zero, as C
    return np.divide(x, y) if _exact_float(x.dtype) else None


def _rem(op, x, y):
    if T.is_int(x.dtype) and not _int_div_ok(x, y):
        return None
    return np.fmod(x, y) if T.is_int(x.dtype) or _exact_float(x.dtype) else None   # sign of the dividend


def _minmax(fn):
    def fold(op, x, y):
        if T.is_complex(x.dtype):
            return None
        if T.is_inexact(x.dtype) and ((x == 0) & (y == 0) & (np.signbit(x) != np.signbit(y))).any():
            return None   # max(-0, +0) is whichever operand the backend picks
        return fn(x, y)
    return fold


def _select_n(op, which, *cases):
    if which.dtype == np.bool_:
        return np.where(which, cases[-1], cases[0])
    return np.choose(np.broadcast_to(which, cases[0].shape), cases, mode="clip")   # as the lowering's select tree


def _convert(op, x):
    src, dst = x.dtype, op.results[0].type.dtype
    if any(d in (np.float16, T.dtype("bf16"), T.float0) for d in (src, dst)):
        return None   # XLA may elide f32 <-> f16/bf16 round trips
    if T.is_complex(src) and not T.is_complex(dst):
        x, src = x.real, T.real_dtype(src)   # as the lowering: complex -> real keeps the real part
    if dst == np.bool_:
        return x != 0
    if T.is_inexact(src) and T.is_int(dst):
        # XLA saturates out-of-range and NaN conversions; NumPy's are undefined. Bounds are powers of 2, exact.
        hi = 2.0 ** (T.iinfo(dst).bits - T.is_signed(dst))
        lo = -hi if T.is_signed(dst) else 0.0
        t = np.trunc(x)
        if not (np.isfinite(x) & (t >= lo) & (t < hi)).all():
            return None
    return x.astype(dst)


def _broadcast_in_dim(op, x):
    shape, dims = op.attrs["shape"], op.attrs["broadcast_dimensions"]
    expanded = [1] * len(shape)
    for i, d in enumerate(dims):
        expanded[d] = x.shape[i]
    return np.broadcast_to(x.reshape(expanded), tuple(shape))


def _slice(op, x):
    strides = op.attrs.get("strides") or (1,) * x.ndim
    return x[tuple(slice(s, l, st) for s, l, st in zip(op.attrs["start_indices"], op.attrs["limit_indices"], strides))]


_unary = lambda fn: lambda op, x: fn(x)
_binary = lambda fn: lambda op, x, y: fn(x, y)

# Elementwise folds read and make no subnormals (see the module docstring); data movement is exact.
ELEMENTWISE_FOLDS = {
    "neg": _unary(np.negative),
    "abs": lambda op, x: None if T.is_complex(x.dtype) else np.abs(x),
    "not": _unary(np.invert),
    "add": _arith(np.add, complex_ok=True),
    "sub": _arith(np.subtract, complex_ok=True),
    "mul": _arith(np.multiply),
    "div": _div,
    "rem": _rem,
    "max": _minmax(np.maximum),
    "min": _minmax(np.minimum),
    "and": _binary(np.bitwise_and),
    "or": _binary(np.bitwise_or),
    "xor": _binary(np.bitwise_xor),
    "eq": _binary(np.equal),
    "ne": _binary(np.not_equal),
    "lt": _binary(np.less),
    "le": _binary(np.less_equal),
    "gt": _binary(np.greater),
    "ge": _binary(np.greater_equal),
    "select_n": _select_n,
    "convert_element_type": _convert,
}
MOVEMENT_FOLDS = {
    "broadcast_in_dim": _broadcast_in_dim,
    "reshape": lambda op, x: x.reshape(op.attrs["new_sizes"]),
    "transpose": lambda op, x: x.transpose(op.attrs["permutation"]),
    "squeeze": lambda op, x: x.reshape(op.results[0].type.shape),
    "expand_dims": lambda op, x: x.reshape(op.results[0].type.shape),
    "rev": lambda op, x: np.flip(x, tuple(op.attrs["dimensions"])),
    "slice": _slice,
    "concatenate": lambda op, *xs: np.concatenate(xs, axis=op.attrs["dimension"]),
}


def fold(rw, op):
    """An op of constants becomes a constant."""
    values = [rw.const(v) for v in op.operands]
    t = op.results[0].type
    if any(v is None for v in values) or t.size > MAX_FOLD_SIZE or op.regions or t.dtype == T.float0:
        return None
    elementwise = op.prim in ELEMENTWISE_FOLDS
    if elementwise and any(_subnormal(v) for v in values):
        return None
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = (ELEMENTWISE_FOLDS.get(op.prim) or MOVEMENT_FOLDS[op.prim])(op, *values)
    if out is None:
        return None
    out = np.array(out, order="C")   # a copy: folded constants never share memory with their operands
    if out.dtype != t.dtype or out.shape != t.shape or (elementwise and _subnormal(out)):
        return None
    return rw.constant(out, t)


# ---- algebraic identities ------------------------------------------------------------------------------

def _is(value, x_type, target, negative_zero=None):
    """Whether the splat `value` equals `target` (for floats: with the given sign of zero)."""
    if value is None or T.is_bool(x_type.dtype):
        return False
    if T.is_inexact(x_type.dtype) and negative_zero is not None:
        parts = (value.real, value.imag) if T.is_complex(x_type.dtype) else (value,)
        return all(p == 0 and bool(np.signbit(p)) == negative_zero for p in parts)
    return value == target


def add_zero(rw, op):
    """x + 0 -> x. For floats only -0.0 is the identity (-0.0 + 0.0 is +0.0)."""
    for x, z in (op.operands, op.operands[::-1]):
        if _is(rw.splat(z), x.type, 0, negative_zero=True):
            return x
    return None


def sub_zero(rw, op):
    """x - 0 -> x (for floats: x - (+0.0))."""
    x, z = op.operands
    return x if _is(rw.splat(z), x.type, 0, negative_zero=False) else None


def mul_one(rw, op):
    """x * 1 -> x; not for complex x, where (inf + 0j) * (1 + 0j) has a NaN part."""
    for x, one in (op.operands, op.operands[::-1]):
        if not T.is_complex(x.type.dtype) and _is(rw.splat(one), x.type, 1):
            return x
    return None


def div_one(rw, op):
    """x / 1 -> x (not for complex, as for mul)."""
    x, one = op.operands
    return x if not T.is_complex(x.type.dtype) and _is(rw.splat(one), x.type, 1) else None


def neg_neg(rw, op):
    inner = rw.producer(op.operands[0], "neg")
    return inner.operands[0] if inner is not None else None


def identity(rw, op):
    """Ops that return their operand unchanged: convert to the same type, reshape to the same shape,
    transpose by the identity permutation, broadcast to the same shape, copy."""
    x = op.operands[0]
    if op.prim == "transpose" and list(op.attrs["permutation"]) != list(range(x.type.ndim)):
        return None
    return x   # taken only when the types agree


def reshape_reshape(rw, op):
    inner = rw.producer(op.operands[0], "reshape")
    return rw.emit("reshape", [inner.operands[0]], dict(op.attrs)) if inner is not None else None


def transpose_transpose(rw, op):
    inner = rw.producer(op.operands[0], "transpose")
    if inner is None:
        return None
    p1, p2 = inner.attrs["permutation"], op.attrs["permutation"]
    return rw.emit("transpose", [inner.operands[0]], {"permutation": tuple(p1[j] for j in p2)})


def broadcast_broadcast(rw, op):
    inner = rw.producer(op.operands[0], "broadcast_in_dim")
    if inner is None:
        return None
    outer_dims = op.attrs["broadcast_dimensions"]
    dims = tuple(outer_dims[d] for d in inner.attrs["broadcast_dimensions"])
    return rw.emit("broadcast_in_dim", [inner.operands[0]], {"shape": op.attrs["shape"], "broadcast_dimensions": dims})


RULES = {prim: [fold] for prim in {**ELEMENTWISE_FOLDS, **MOVEMENT_FOLDS}}
for _prim, _rules in {
    "add": [add_zero],
    "sub": [sub_zero],
    "mul": [mul_one],
    "div": [div_one],
    "neg": [neg_neg],
    "copy": [identity],
    "convert_element_type": [identity],
    "reshape": [identity, reshape_reshape],
    "transpose": [identity, transpose_transpose],
    "broadcast_in_dim": [identity, broadcast_broadcast],
}.items():
    RULES[_prim] = RULES.get(_prim, []) + _rules


def _rewrite(rw, op):
    """The value replacing op's single result, or None; ops emitted for a rejected rewrite are dropped."""
    for rule in RULES.get(op.prim, ()):
        mark = len(rw.ops)
        new = rule(rw, op)
        if new is not None and new.type == op.results[0].type:
            return new
        del rw.ops[mark:]
    return None


def canonicalize_block(block: Block) -> Block:
    for op in block.ops:
        for region in filter(is_built, op.regions):
            canonicalize_block(region)
    changed = True
    while changed:
        changed, rw, subst = False, Rewriter(), {}
        for op in block.ops:
            op.operands = [subst.get(v, v) for v in op.operands]
            new = _rewrite(rw, op) if len(op.results) == 1 else None
            if new is None:
                rw.add(op)
            else:
                subst[op.results[0]] = new
                changed = True
        block.ops = rw.ops
        block.results = [subst.get(v, v) for v in block.results]
    return block


def canonicalize(func: Func) -> Func:
    canonicalize_block(func.body)
    return dce(func)
