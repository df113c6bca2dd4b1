"""Random well-typed IR programs, run by Lintra and checked op by op against a NumPy reference interpreter.

A program is a few arguments and a few ops drawn from the primitive table, emitted through ir/builder.py (so
the primitives' own type rules decide what is well typed: an op they reject is simply not emitted). It returns
every value it computes. Each program must verify, lower, compile and run, as written and after
canonicalization; then every op's results are compared with numpy_interpreter.py's rule applied to the
operands Lintra computed, so a mismatch names one op and rounding differences do not build up along the
program. The contract, what the checks count:
- generated: programs made;  verified / lowered / ran / canonicalized: programs that got that far;
- ops: op results checked (twice per program); unspecified: ops whose result the reference cannot pin down;
  mismatches: ops whose results differ from the reference beyond the dtype's tolerance.
Anything else (a verifier rejecting what the builder typed, a lowering or XLA error, a crash) is a failure.

    python tests/reliability/ir_programs.py SECONDS SEED      # hunt for longer; failures print as IR text
"""
import os
import random
import sys
import time
import warnings

import ml_dtypes
import numpy as np

from lintra.ir.builder import Builder
from lintra.ir.core import Func
from lintra.ir.parser import parse_module
from lintra.ir.passes.canonicalize import canonicalize
from lintra.ir.primitives import infer_types
from lintra.ir.printer import print_func
from lintra.ir.types import TensorType, dtype
from lintra.ir.verifier import verify
from lintra.lowering.lower import lower_text
from lintra.runtime.executable import Executable, device_put

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import numpy_interpreter  # noqa: E402

BF16 = np.dtype(ml_dtypes.bfloat16)

# dtypes and how often a program's values have them
DTYPE_WEIGHTS = {"f32": 6, "i32": 4, "bool": 2, "f64": 2, "i8": 1, "u8": 1, "u32": 1, "i64": 1, "f16": 1,
                 "bf16": 1, "c64": 1, "c128": 1}

UNARY = ["neg", "sign", "square", "exp", "log", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin",
         "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "log1p", "expm1", "logistic", "exp2",
         "floor", "ceil", "cbrt", "erf", "erfc", "erf_inv", "lgamma", "digamma", "not", "population_count",
         "clz", "copy", "conj", "abs", "round", "is_finite", "integer_pow", "real", "imag"]
BINARY = ["add", "sub", "mul", "div", "pow", "rem", "max", "min", "atan2", "nextafter", "and", "or", "xor",
          "shift_left", "shift_right_arithmetic", "shift_right_logical", "eq", "ne", "lt", "le", "gt", "ge",
          "complex"]
# on complex numbers, only these: NumPy's and XLA's complex transcendental functions differ in accuracy and
# along branch cuts more than a tolerance can say
COMPLEX_OK = {"neg", "sign", "square", "exp", "sqrt", "copy", "conj", "abs", "real", "imag", "integer_pow", "add",
              "sub", "mul", "div", "max", "min", "eq", "ne"}
REDUCTIONS = ["reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or", "reduce_xor"]
CUMULATIVE = ["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"]
SCATTERS = ["scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max"]


# ---- values ---------------------------------------------------------------------------------------------

def random_array(rng, t):
    """Values that make exact arithmetic likely (multiples of 1/4, small integers), with the edge cases
    (zero, -1, NaN, infinities, the integer bounds, huge and tiny floats) mixed in."""
    dt, n = t.dtype, int(np.prod(t.shape, dtype=np.int64))
    if dt == np.bool_:
        return np.array([rng.random() < 0.5 for _ in range(n)], bool).reshape(t.shape)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        lo = 0 if dt.kind == "u" else -4
        special = [0, 1, info.max, info.min] + ([-1] if dt.kind == "i" else [])
        vals = [rng.choice(special) if rng.random() < 0.1 else rng.randint(lo, 8) for _ in range(n)]
        return np.array(vals, dtype=object).astype(dt).reshape(t.shape)

    def real():
        if rng.random() < 0.08:
            return rng.choice([0.0, -0.0, np.nan, np.inf, -np.inf, 0.5, 1.0, 1e30, -3e38, 65504.0, 1e-30,
                               2.0 ** 24 + 1, -1e-3])
        return rng.randint(-16, 16) / 4
    if dt.kind == "c":
        return np.array([complex(real(), real()) for _ in range(n)], dt).reshape(t.shape)
    return np.array([real() for _ in range(n)], np.float64).astype(dt).reshape(t.shape)


class Generator:
    """Builds one program: a Builder, the values defined so far, and a random source."""

    def __init__(self, rng):
        self.rng, self.b, self.values = rng, Builder(), []

    # -- types and operands

    def dtype(self, allowed=None):
        names = [n for n in DTYPE_WEIGHTS if allowed is None or n in allowed]
        return dtype(self.rng.choices(names, [DTYPE_WEIGHTS[n] for n in names])[0])

    def shape(self, rank=None):
        rank = self.rng.choice([0, 1, 1, 2, 2, 3]) if rank is None else rank
        return tuple(self.rng.choice([1, 2, 3, 4, 0] if self.rng.random() < 0.1 else [1, 2, 3, 4])
                     for _ in range(rank))

    def type(self, shape=None, dtype=None):
        return TensorType.of(self.shape() if shape is None else shape, self.dtype() if dtype is None else dtype)

    def constant(self, t, array=None):
        weak = self.rng.random() < 0.1 and (t.dtype.kind in "fci" and t.dtype.itemsize >= 4)  # from Python scalars
        v = self.b.constant(random_array(self.rng, t) if array is None else array, t.dtype, weak=weak)
        self.values.append(v)
        return v

    def pick(self, ok=lambda t: True):
        """A value defined so far whose type satisfies ok, or None."""
        fits = [v for v in self.values if ok(v.type)]
        return self.rng.choice(fits) if fits else None

    def like(self, shape, dtype):
        """A value of this shape and dtype: one defined so far, one converted from another of the shape, or a
        new constant."""
        same_shape = [v for v in self.values if v.type.shape == tuple(shape)]
        exact = [v for v in same_shape if v.type.dtype == dtype]
        r = self.rng.random()
        if exact and r < 0.6:
            return self.rng.choice(exact)
        if same_shape and r < 0.8:
            return self.emit("convert_element_type", [self.rng.choice(same_shape)], {"new_dtype": dtype})[0]
        return self.constant(self.type(shape, dtype))

    def emit(self, prim, operands, attrs, regions=()):
        """The op's results, or None when its type rule rejects it (the program stays well typed)."""
        try:
            outs = self.b.emit(prim, operands, attrs, regions)
        except TypeError:
            return None
        self.values.extend(outs)
        return outs

    # -- the program

    def program(self, n_args, n_ops):
        for _ in range(n_args):
            self.values.append(self.b.arg(self.type()))
        tries = 0
        while sum(op.prim != "constant" for op in self.b.block.ops) < n_ops and tries < 20 * n_ops:
            tries += 1
            make = self.rng.choices(MAKERS, [w for w, _ in MAKERS_W])[0]
            make(self)
        args = set(self.b.block.args)
        return Func("f", self.b.ret(*[v for v in self.values if v not in args]))


# ---- one maker per kind of op: each picks operands and attributes, then emits (or gives up) --------------

def unary(g):
    for _ in range(6):      # most primitives take a few dtypes: try operands until one fits
        x, prim = g.pick(), g.rng.choice(UNARY)
        if x is None or (x.type.dtype.kind == "c" and prim not in COMPLEX_OK):
            continue
        attrs = {"y": g.rng.randint(-3, 4)} if prim == "integer_pow" else \
            {"rounding_method": g.rng.randint(0, 1)} if prim == "round" else {}
        if g.emit(prim, [x], attrs):
            return


def binary(g):
    for _ in range(6):
        x, prim = g.pick(), g.rng.choice(BINARY)
        if x is None or (x.type.dtype.kind == "c" and prim not in COMPLEX_OK):
            continue
        try:    # check the dtype before like() makes an operand for nothing
            infer_types(prim, [x.type, x.type], {})
        except TypeError:
            continue
        y = g.like(x.type.shape, x.type.dtype)
        if prim == "atan2" and y is x:
            continue    # XLA (so JAX 0.10.2 too) gives atan2(x, x) = NaN at x = 0 when x is an iota: not fixed
        g.emit(prim, [x, y], {})
        return


def select_n(g):
    t = g.type()
    n = g.rng.randint(1, 4)
    which_shape = g.rng.choice([(), t.shape])
    if n <= 2 and g.rng.random() < 0.6:
        which = g.like(which_shape, dtype("bool"))
    else:
        which = g.constant(g.type(which_shape, "i32"),
                           np.array([g.rng.randrange(n) for _ in range(int(np.prod(which_shape, dtype=int)))],
                                    np.int32).reshape(which_shape))
    g.emit("select_n", [which] + [g.like(t.shape, t.dtype) for _ in range(n)], {})


def clamp(g):
    x = g.pick(lambda t: t.dtype.kind != "c")
    if x is None:
        return
    bound = lambda: g.like(g.rng.choice([(), x.type.shape]), x.type.dtype)
    g.emit("clamp", [bound(), x, bound()], {})


def convert(g):
    x = g.pick()
    if x is not None:
        g.emit("convert_element_type", [x], {"new_dtype": g.dtype()})


def bitcast(g):
    x = g.pick(lambda t: t.dtype.kind in "iuf" or t.dtype == BF16)
    if x is None:
        return
    new = g.dtype(["f32", "i32", "u32", "f64", "i64", "i8", "u8", "f16", "bf16"])
    if new.itemsize > x.type.dtype.itemsize and x.type.shape:   # needs a last dimension of the ratio
        x = g.like(x.type.shape[:-1] + (new.itemsize // x.type.dtype.itemsize,), x.type.dtype)
    g.emit("bitcast_convert_type", [x], {"new_dtype": new})


def constant(g):
    g.constant(g.type())


def iota(g):
    shape = g.shape(g.rng.randint(1, 3))
    g.emit("iota", [], {"dtype": g.dtype(["i32", "f32", "u8", "i64", "f64", "bool"]), "shape": shape,
                        "dimension": g.rng.randrange(len(shape))})


def broadcast_in_dim(g):
    x = g.pick(lambda t: t.ndim <= 3)
    if x is None:
        return
    out_rank = x.type.ndim + g.rng.randint(0, 2)
    dims = sorted(g.rng.sample(range(out_rank), x.type.ndim))
    shape = [g.rng.randint(1, 3) for _ in range(out_rank)]
    for i, d in enumerate(dims):
        n = x.type.shape[i]
        shape[d] = g.rng.randint(1, 3) if n == 1 else n
    g.emit("broadcast_in_dim", [x], {"shape": tuple(shape), "broadcast_dimensions": tuple(dims)})


def reshape(g):
    x = g.pick()
    if x is None:
        return
    n = x.type.size
    if n == 0:
        shape = g.rng.choice([(0,), (2, 0), (0, 3)])
    else:
        factors, m = [], n
        for p in range(2, n + 1):
            while m % p == 0:
                factors.append(p)
                m //= p
        shape = [1] * g.rng.randint(1, 3)
        for f in factors:
            shape[g.rng.randrange(len(shape))] *= f
    g.emit("reshape", [x], {"new_sizes": tuple(shape)})


def transpose(g):
    x = g.pick()
    if x is not None:
        perm = list(range(x.type.ndim))
        g.rng.shuffle(perm)
        g.emit("transpose", [x], {"permutation": tuple(perm)})


def rev_squeeze_expand(g):
    x = g.pick()
    if x is None:
        return
    ndim = x.type.ndim
    kind = g.rng.choice(["rev", "squeeze", "expand_dims"])
    if kind == "rev":
        g.emit("rev", [x], {"dimensions": tuple(sorted(g.rng.sample(range(ndim), g.rng.randint(0, ndim))))})
    elif kind == "squeeze":
        g.emit("squeeze", [x], {"dimensions": tuple(i for i, n in enumerate(x.type.shape) if n == 1)})
    else:
        g.emit("expand_dims", [x], {"dimensions": (g.rng.randint(0, ndim),)})


def slice_(g):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return
    start, limit, strides = [], [], []
    for n in x.type.shape:
        s = g.rng.randint(0, n)
        start.append(s)
        limit.append(g.rng.randint(s, n))
        strides.append(g.rng.randint(1, 3))
    g.emit("slice", [x], {"start_indices": tuple(start), "limit_indices": tuple(limit), "strides": tuple(strides)})


def index_scalar(g):
    """An integer scalar start index, sometimes out of range (dynamic slices clamp it)."""
    existing = g.pick(lambda t: t.shape == () and t.dtype.kind in "iu")
    if existing is not None and g.rng.random() < 0.5:
        return existing
    dt = dtype(g.rng.choice(["i32", "i32", "i64", "u8"]))
    return g.constant(g.type((), dt), np.array(g.rng.randint(0 if dt.kind == "u" else -2, 5), dt))


def dynamic_slice(g):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return
    sizes = tuple(g.rng.randint(0, n) for n in x.type.shape)
    idx = [index_scalar(g) for _ in sizes]
    if g.rng.random() < 0.5:
        g.emit("dynamic_slice", [x] + idx, {"slice_sizes": sizes})
    else:
        update = g.like(sizes, x.type.dtype)
        g.emit("dynamic_update_slice", [x, update] + idx, {})


def concatenate(g):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return
    d = g.rng.randrange(x.type.ndim)
    others = []
    for _ in range(g.rng.randint(0, 2)):
        shape = list(x.type.shape)
        shape[d] = g.rng.randint(0, 3)
        others.append(g.like(tuple(shape), x.type.dtype))
    xs = [x] + others
    g.rng.shuffle(xs)
    g.emit("concatenate", xs, {"dimension": d})


def pad(g):
    x = g.pick()
    if x is None:
        return
    config = []
    for n in x.type.shape:
        interior = g.rng.randint(0, 2)
        full = n + max(n - 1, 0) * interior
        lo = g.rng.randint(-min(full, 2), 2)
        hi = g.rng.randint(-min(full + lo, 2) if full + lo > 0 else 0, 2)
        config.append((lo, hi, interior))
    g.emit("pad", [x, g.like((), x.type.dtype)], {"padding_config": tuple(config)})


def _indices(g, batch_shape, bounds):
    """A constant i32 index array of shape batch_shape + (len(bounds),), each index in [-1, bound + 1]."""
    n = int(np.prod(batch_shape, dtype=int))
    vals = np.array([[g.rng.randint(-1, b + 1) for b in bounds] for _ in range(n)], np.int32)
    return g.constant(g.type(tuple(batch_shape) + (len(bounds),), "i32"), vals.reshape(tuple(batch_shape) +
                                                                                      (len(bounds),)))


def gather(g):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return
    r, shape = x.type.ndim, x.type.shape
    batch_shape = list(g.shape(g.rng.randint(0, 2)))
    operand_batching, index_batching = [], []
    if batch_shape and r >= 2 and g.rng.random() < 0.3:     # one batching dimension pair
        bd = g.rng.randrange(r)
        ib = g.rng.randrange(len(batch_shape))
        operand_batching, index_batching = [bd], [ib]
        batch_shape[ib] = shape[bd]
    free = [d for d in range(r) if d not in operand_batching]
    if not free:
        return
    starts = g.rng.sample(free, g.rng.randint(1, len(free)))
    collapsed = sorted(g.rng.sample(starts, g.rng.randint(0, len(starts))))
    sizes = [1 if d in collapsed or d in operand_batching else g.rng.randint(0, shape[d]) for d in range(r)]
    n_offset = r - len(collapsed) - len(operand_batching)
    offset_dims = sorted(g.rng.sample(range(len(batch_shape) + n_offset), n_offset))
    idx = _indices(g, batch_shape, [shape[d] - sizes[d] for d in starts])
    g.emit("gather", [x, idx], {"offset_dims": tuple(offset_dims), "collapsed_slice_dims": tuple(collapsed),
                                "start_index_map": tuple(starts), "slice_sizes": tuple(sizes),
                                "operand_batching_dims": tuple(operand_batching),
                                "start_indices_batching_dims": tuple(index_batching)})


def scatter(g):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return
    r, shape = x.type.ndim, x.type.shape
    batch_shape = list(g.shape(g.rng.randint(0, 2)))
    operand_batching, index_batching = [], []
    if batch_shape and r >= 2 and g.rng.random() < 0.3:
        bd, ib = g.rng.randrange(r), g.rng.randrange(len(batch_shape))
        operand_batching, index_batching = [bd], [ib]
        batch_shape[ib] = shape[bd]
    free = [d for d in range(r) if d not in operand_batching]
    if not free:
        return
    to_operand = g.rng.sample(free, g.rng.randint(1, len(free)))
    inserted = sorted(g.rng.sample(to_operand, g.rng.randint(0, len(to_operand))))
    window_operand_dims = [d for d in free if d not in inserted]
    window_sizes = [g.rng.randint(0, shape[d]) for d in window_operand_dims]
    n_updates = len(batch_shape) + len(window_sizes)
    window_dims = sorted(g.rng.sample(range(n_updates), len(window_sizes)))
    updates_shape, b, w = [], iter(batch_shape), iter(window_sizes)
    for i in range(n_updates):
        updates_shape.append(next(w) if i in window_dims else next(b))
    sizes = {d: s for d, s in zip(window_operand_dims, window_sizes)}
    idx = _indices(g, batch_shape, [shape[d] - sizes.get(d, 1) for d in to_operand])
    updates = g.like(tuple(updates_shape), x.type.dtype)
    attrs = {"update_window_dims": tuple(window_dims), "inserted_window_dims": tuple(inserted),
             "scatter_dims_to_operand_dims": tuple(to_operand), "operand_batching_dims": tuple(operand_batching),
             "scatter_indices_batching_dims": tuple(index_batching)}
    prim = g.rng.choice(SCATTERS)
    if prim == "scatter" and _overlapping(x.type.shape, g, idx, updates_shape, attrs):
        prim = "scatter_max"     # which of two updates of one element wins is unspecified
    g.emit(prim, [x, idx, updates], attrs)


def _overlapping(x_shape, g, idx, updates_shape, attrs):
    const = next(op for op in g.b.block.ops if op.results[0] is idx).attrs["value"]
    writes = numpy_interpreter.scatter_writes(x_shape, const, tuple(updates_shape), **attrs)
    return len({o for _, o in writes}) < len(writes)


def dot_general(g):
    lhs = g.pick(lambda t: t.ndim >= 1)
    if lhs is None:
        return
    dims = list(range(lhs.type.ndim))
    g.rng.shuffle(dims)
    n_contract = g.rng.randint(0, len(dims))
    contract, rest = dims[:n_contract], dims[n_contract:]
    batch = rest[:g.rng.randint(0, len(rest))]
    free = [g.rng.randint(1, 3) for _ in range(g.rng.randint(0, 2))]
    rhs_dims = [("c", d) for d in contract] + [("b", d) for d in batch] + [("f", n) for n in free]
    g.rng.shuffle(rhs_dims)
    rhs_shape = tuple(lhs.type.shape[d] if k != "f" else d for k, d in rhs_dims)
    rhs = g.like(rhs_shape, lhs.type.dtype)
    pos = {(k, d): i for i, (k, d) in enumerate(rhs_dims)}
    attrs = {"lhs_contracting": tuple(contract), "rhs_contracting": tuple(pos["c", d] for d in contract),
             "lhs_batch": tuple(batch), "rhs_batch": tuple(pos["b", d] for d in batch)}
    if g.rng.random() < 0.2:
        attrs["preferred_element_type"] = g.dtype(["f32", "f64", "i32"])
    g.emit("dot_general", [lhs, rhs], attrs)


def reduction(g):
    x = g.pick()
    if x is None:
        return
    axes = tuple(sorted(g.rng.sample(range(x.type.ndim), g.rng.randint(0, x.type.ndim))))
    g.emit(g.rng.choice(REDUCTIONS), [x], {"axes": axes})


def argminmax(g):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is not None:
        g.emit(g.rng.choice(["argmax", "argmin"]), [x], {"axes": (g.rng.randrange(x.type.ndim),),
                                                         "index_dtype": g.dtype(["i32", "i64", "u8"])})


def cumulative(g):
    x = g.pick(lambda t: t.ndim >= 1)
    prim = g.rng.choice(CUMULATIVE)
    if x is None or (prim == "cumlogsumexp" and x.type.dtype.kind != "f"):
        return
    g.emit(prim, [x], {"axis": g.rng.randrange(x.type.ndim), "reverse": g.rng.random() < 0.5})


def sort(g):
    x = g.pick(lambda t: t.ndim >= 1)
    if x is None:
        return
    xs = [x] + [g.like(x.type.shape, g.dtype()) for _ in range(g.rng.randint(0, 2))]
    g.emit("sort", xs, {"dimension": g.rng.randrange(x.type.ndim), "is_stable": True,
                        "num_keys": g.rng.randint(1, len(xs))})


# ---- control flow: bodies of a few ops that are exact on the generator's values, so that a comparison inside a
# ---- loop cannot flip on a rounding difference

BODY_UNARY = ["neg", "abs", "floor", "sign", "not", "copy"]
BODY_BINARY = ["add", "sub", "max", "min", "and", "or", "xor", "eq", "lt", "ne"]


def region(g, arg_types, n_ops):
    """A Generator whose block takes arg_types and holds up to n_ops exact ops on them."""
    sub = Generator(g.rng)
    sub.values = [sub.b.arg(t) for t in arg_types]
    for _ in range(3 * n_ops):
        if len(sub.b.block.ops) >= n_ops:
            break
        x = sub.pick()
        if x is None:
            break
        if sub.rng.random() < 0.4:
            sub.emit(sub.rng.choice(BODY_UNARY), [x], {})
        else:
            sub.emit(sub.rng.choice(BODY_BINARY), [x, sub.like(x.type.shape, x.type.dtype)], {})
    return sub


def finish(sub, types):
    """sub's block, returning a value of each of these types."""
    return sub.b.ret(*[sub.like(t.shape, t.dtype) for t in types])


def _strong_type(v):
    return v.type.strong()


def cond(g):
    operands = [v for v in (g.pick() for _ in range(g.rng.randint(0, 2))) if v is not None]
    n = g.rng.randint(1, 3)
    index = g.constant(TensorType.of((), "i32"), np.array(g.rng.randint(-1, n), np.int32)) \
        if g.rng.random() < 0.5 else g.like((), np.dtype(np.int32))
    types = [_strong_type(v) for v in operands]
    out_types = [g.type() for _ in range(g.rng.randint(1, 2))]
    branches = [finish(region(g, types, g.rng.randint(0, 3)), out_types) for _ in range(n)]
    g.emit("cond", [index] + operands, {}, branches)


def while_(g):
    i32 = TensorType.of((), "i32")
    carry = [g.constant(i32, np.array(0, np.int32))] + [v for v in [g.pick()] if v is not None]
    body_consts = [v for v in [g.pick()] if v is not None and g.rng.random() < 0.5]
    types = [_strong_type(v) for v in carry]
    test = Generator(g.rng)
    test.values = [test.b.arg(t) for t in types]
    limit = test.b.constant(np.array(g.rng.randint(0, 4), np.int32))
    cond_block = test.b.ret(test.b.emit1("lt", [test.values[0], limit]))
    body = region(g, [_strong_type(v) for v in body_consts] + types, g.rng.randint(1, 3))
    counter = body.values[len(body_consts)]
    step = body.b.emit1("add", [counter, body.b.constant(np.array(1, np.int32))])
    body_block = body.b.ret(step, *[body.like(t.shape, t.dtype) for t in types[1:]])
    g.emit("while", body_consts + carry, {"cond_nconsts": 0, "body_nconsts": len(body_consts)},
           [cond_block, body_block])


def scan(g):
    length = g.rng.randint(0, 3)
    consts = [v for v in [g.pick()] if v is not None and g.rng.random() < 0.5]
    carry = [v for v in [g.pick()] if v is not None]
    xs = [v for v in [g.pick(lambda t: t.ndim >= 1 and t.shape[0] == length)] if v is not None]
    slices = [_strong_type(x).update(shape=x.type.shape[1:]) for x in xs]
    carry_types = [_strong_type(v) for v in carry]
    body = region(g, [_strong_type(v) for v in consts] + carry_types + slices, g.rng.randint(1, 3))
    y_types = [g.type(dtype=g.dtype()) for _ in range(g.rng.randint(0, 1))]
    block = finish(body, carry_types + y_types)
    g.emit("scan", consts + carry + xs, {"num_consts": len(consts), "num_carry": len(carry), "length": length,
                                         "reverse": g.rng.random() < 0.5}, [block])


MAKERS_W = [(6, unary), (6, binary), (1, select_n), (1, clamp), (2, convert), (1, bitcast), (1, constant), (1, iota),
            (1, broadcast_in_dim), (1, reshape), (1, transpose), (1, rev_squeeze_expand), (1, slice_),
            (1, dynamic_slice), (1, concatenate), (1, pad), (1, gather), (1, scatter), (1, dot_general),
            (2, reduction), (1, argminmax), (1, cumulative), (1, sort),
            (1, cond), (1, while_), (1, scan)]
MAKERS = [m for _, m in MAKERS_W]


# ---- checking -------------------------------------------------------------------------------------------

ACCUMULATING = {"reduce_sum", "reduce_prod", "cumsum", "cumprod", "cumlogsumexp", "dot_general", "scatter_add",
                "scatter_mul"}
ROUNDED = {"add", "sub", "mul", "div", "sqrt", "square", "reciprocal", "rsqrt", "integer_pow", "convert_element_type",
           "complex", "rem", "sign", "abs"}
LOOSE = {"pow", "lgamma", "digamma", "erf_inv", "tan", "cbrt", "acosh", "atanh", "asinh", "sinh", "cosh", "exp2",
         "expm1"}


# ops that move complex numbers without arithmetic: their non-finite values must match too
EXACT_COMPLEX = {"complex", "copy", "conj", "neg", "convert_element_type", "select_n", "broadcast_in_dim", "reshape",
                 "transpose", "squeeze", "expand_dims", "rev", "slice", "dynamic_slice", "dynamic_update_slice",
                 "concatenate", "pad", "gather", "scatter", "sort", "constant"}


def _eps(dt):
    dt = np.dtype(dt)
    if dt.kind == "c":
        dt = np.dtype(np.float32) if dt.itemsize == 8 else np.dtype(np.float64)
    return float(ml_dtypes.finfo(dt).eps) if dt == BF16 else float(np.finfo(dt).eps)


def tolerance(op, operands, dt):
    """(rtol, atol) for one op's inexact results: exact ops must agree exactly; correctly rounded ones to a few
    units in the last place; transcendental ones to more; accumulations to their length times as much. The
    unit is that of the least precise float among result and operands: XLA may skip rounding a 16-bit
    intermediate (xla_allow_excess_precision, on by default, as in JAX), so a 16-bit operand may reach the op
    with more precision than the value returned for it."""
    eps = max([_eps(dt)] + [_eps(x.dtype) for x in operands if x.dtype.kind in "fc" or x.dtype == BF16])
    n = max([max(x.size, 1) for x in operands] or [1])
    if op.prim in ACCUMULATING:
        ulps = 8 * n
    elif op.prim in LOOSE:
        ulps = 256
    elif op.prim in ROUNDED:
        ulps = 4
    elif op.prim in numpy_interpreter.RULES and op.prim in UNARY + BINARY:
        ulps = 64
    else:
        ulps = 1      # moves and selections: exact up to a flushed subnormal
    if dt in (np.float16, BF16) and ulps > 1:
        ulps += 2     # rounded twice: to f32, then to 16 bits
    return ulps * eps, ulps * eps


def _scale(op, operands):
    """How large an accumulation's terms are: its result on the operands' magnitudes (for sums; products are
    compared relative to their own size)."""
    if op.prim not in ("reduce_sum", "cumsum", "dot_general", "scatter_add"):
        return 0.0
    def magnitude(i, x):
        if op.prim == "scatter_add" and i == 1:
            return x                                  # the indices
        return np.abs(x).astype(x.dtype) if x.dtype.kind == "c" else np.abs(x.astype(np.float64))
    s = numpy_interpreter.apply(op, [magnitude(i, x) for i, x in enumerate(operands)])[0]
    return np.abs(s.astype(np.complex128 if s.dtype.kind == "c" else np.float64))


def mismatch(op, operands, got, want):
    """None, or a description of how Lintra's results differ from the reference."""
    for i, (g, w, r) in enumerate(zip(got, want, op.results)):
        g, w = np.asarray(g), np.asarray(w)
        if g.shape != w.shape or g.dtype != w.dtype:
            return f"result {i}: {g.dtype}{list(g.shape)} where the reference has {w.dtype}{list(w.shape)}"
        if g.dtype.kind in "biu" or g.dtype == np.bool_:
            bad = g != w
        else:
            wide = np.complex128 if g.dtype.kind == "c" else np.float64
            gw, ww = g.astype(wide), w.astype(wide)
            rtol, atol = tolerance(op, operands, g.dtype)
            parts = [(gw.real, ww.real), (gw.imag, ww.imag)] if g.dtype.kind == "c" else [(gw, ww)]
            bad = np.zeros(g.shape, bool)
            scale = _scale(op, operands)
            for a, b in parts:
                both_nan = np.isnan(a) & np.isnan(b)
                with np.errstate(all="ignore"):
                    close = (a == b) | (np.abs(a - b) <= atol + rtol * (np.abs(b) + scale))
                    flushed = np.abs(a - b) <= _tiny(g.dtype)
                bad |= ~(both_nan | close | flushed)
            if g.dtype.kind == "c" and op.prim not in EXACT_COMPLEX:
                # complex arithmetic with an infinite or NaN part differs between formulas (NumPy's and
                # XLA's agree on finite values only: 1 / (3.25 + inf j) ** 3 is 0 or NaN)
                bad &= np.isfinite(gw) & np.isfinite(ww)
        if bad.any():
            where = tuple(int(k) for k in np.argwhere(bad)[0])
            return (f"result {i} ({r.type}) differs at {list(where)}: Lintra {g[where]!r}, reference {w[where]!r}"
                    f" ({int(bad.sum())} of {bad.size} elements)")
    return None


def _tiny(dt):
    """The smallest normal number of dt: XLA's CPU flushes subnormal results to zero."""
    dt = np.dtype(dt)
    if dt.kind == "c":
        dt = np.dtype(np.float32) if dt.itemsize == 8 else np.dtype(np.float64)
    return float(ml_dtypes.finfo(dt).tiny) if dt == BF16 else float(np.finfo(dt).tiny)


class Failure(Exception):
    """A broken contract, with the program (as IR text) and the inputs that show it."""


def run_lintra(func, inputs):
    exe = Executable(func)
    return [np.asarray(o) for o in exe([device_put(x) for x in inputs])]


def check(func, inputs, counts):
    """Verify, lower, compile and run `func` on `inputs`, and again after canonicalization (which folds
    constants, so XLA's constant folder meets fewer of them); then check each op against the reference,
    on the values of each run. Counts what got how far; returns [(op, operands, description)] of the
    mismatches; raises Failure on a broken contract."""
    try:
        verify(func)
    except Exception as e:
        raise Failure(f"the builder made IR the verifier rejects: {type(e).__name__}: {e}") from e
    counts["verified"] += 1
    try:
        lower_text(func)
    except Exception as e:
        raise Failure(f"verified IR does not lower: {type(e).__name__}: {e}") from e
    counts["lowered"] += 1
    try:
        outs = run_lintra(func, inputs)
    except Exception as e:
        raise Failure(f"lowered IR does not compile or run: {type(e).__name__}: {e}") from e
    counts["ran"] += 1
    found = compare_ops(func, inputs, outs, counts)
    try:
        folded = canonicalize(parse_module(print_func(func)).funcs[func.name])
        verify(folded)
        folded_outs = run_lintra(folded, inputs)
    except Exception as e:
        raise Failure(f"canonicalized IR fails: {type(e).__name__}: {e}") from e
    counts["canonicalized"] += 1
    found += [(op, operands, "after canonicalize: " + problem)
              for op, operands, problem in compare_ops(func, inputs, folded_outs, counts)]
    leaves, index = leaves_only(func)
    try:
        leaf_outs = run_lintra(leaves, inputs)
    except Exception as e:
        raise Failure(f"the program returning only its last values fails: {type(e).__name__}: {e}") from e
    counts["leaves_ran"] += 1
    return found + compare_leaves(func, inputs, outs, dict(zip(index, leaf_outs)), counts)


def leaves_only(func):
    """(a copy of func returning only the values no op uses, their positions among func's results). XLA may
    then fuse and simplify through the intermediate values: that is where its simplifier has gone wrong."""
    copy = parse_module(print_func(func)).funcs[func.name]
    used = {v for op in copy.body.ops for v in op.operands}
    index = [i for i, v in enumerate(copy.body.results) if v not in used]
    copy.body.results = [copy.body.results[i] for i in index]
    return copy, index


def compare_leaves(func, inputs, outs, leaf_outs, counts):
    """The last values as the program returning only them computed them, against the values the full program
    computed (each checked against the reference above), with the tolerance of the op that makes them."""
    env = dict(zip(func.args, inputs))
    env.update(zip(func.results, outs))
    position = {v: i for i, v in enumerate(func.results)}
    found = []
    for op in func.body.ops:
        leaf = [position[r] in leaf_outs for r in op.results]
        if not any(leaf):
            continue
        operands = [env[v] for v in op.operands]
        full = [env[r] for r in op.results]
        got = [leaf_outs[position[r]] if is_leaf else env[r] for r, is_leaf in zip(op.results, leaf)]
        problem = mismatch(op, operands, got, full)
        if problem:
            counts["mismatches"] += 1
            found.append((op, operands, "returning only the last values: " + problem))
    return found


def compare_ops(func, inputs, outs, counts):
    """Each op of func against the reference, on the operands `outs` (func's results: every value) give it."""
    env = dict(zip(func.args, inputs))
    env.update(zip(func.results, outs))
    found = []
    for op in func.body.ops:
        operands = [env[v] for v in op.operands]
        got = [env[v] for v in op.results]
        counts["ops"] += 1
        try:
            want = numpy_interpreter.apply(op, operands)
        except numpy_interpreter.Unspecified:
            counts["unspecified"] += 1
            continue
        problem = mismatch(op, operands, got, want)
        if problem:
            counts["mismatches"] += 1
            found.append((op, operands, problem))
    return found


def random_case(seed):
    """(func, inputs) of the program that `seed` makes."""
    rng = random.Random(seed)
    g = Generator(rng)
    func = g.program(rng.randint(1, 3), rng.randint(3, 10))
    return func, [random_array(rng, a.type) for a in func.args]


def fuzz(seconds, seed, max_programs=None, progress=None):
    """Programs made and checked for `seconds`: (counts, [report]) with one report per failure or mismatch.
    progress(case_seed), when given, is called before each program (so a crash can be traced to one)."""
    counts = dict.fromkeys(["generated", "verified", "lowered", "ran", "canonicalized", "leaves_ran", "ops",
                            "unspecified", "mismatches", "failures"], 0)
    reports = []
    deadline = time.monotonic() + seconds
    i = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # NumPy's, on the edge values the programs hold
        while time.monotonic() < deadline and (max_programs is None or i < max_programs):
            case_seed = seed * 1_000_003 + i
            i += 1
            if progress is not None:
                progress(case_seed)
            counts["generated"] += 1
            func, inputs = random_case(case_seed)
            try:
                for op, operands, problem in check(func, inputs, counts):
                    reports.append(f"seed {case_seed}: {problem}\n  op: {op}\n  operands: "
                                   + "; ".join(np.array2string(x, threshold=20) for x in operands))
            except Failure as e:
                counts["failures"] += 1
                reports.append(f"seed {case_seed}: {e}\n{func}")
    return counts, reports


def show_case(case_seed):
    """The program and inputs of one case, and how its check goes."""
    func, inputs = random_case(case_seed)
    print(func)
    print("inputs:", "; ".join(np.array2string(x, threshold=50) for x in inputs), flush=True)
    counts = dict.fromkeys(["verified", "lowered", "ran", "canonicalized", "leaves_ran", "ops", "unspecified",
                            "mismatches"], 0)
    for op, operands, problem in check(func, inputs, counts):
        print(f"{problem}\n  op: {op}")
    print(counts)


def main(argv):
    """ir_programs.py [SECONDS [SEED]]: hunt; ir_programs.py --case CASE_SEED: show one case. While hunting,
    each case's seed is written to stderr (on one line, with carriage returns): if the process dies, the
    last one is the culprit."""
    if argv[:1] == ["--case"]:
        show_case(int(argv[1]))
        return
    secs = float(argv[0]) if argv else 60
    counts, reports = fuzz(secs, int(argv[1]) if len(argv) > 1 else 0,
                           progress=lambda s: print(f"\rcase {s}", end="", file=sys.stderr, flush=True))
    print(file=sys.stderr)
    for r in reports:
        print("====", r)
    print(counts)


if __name__ == "__main__":
    main(sys.argv[1:])
