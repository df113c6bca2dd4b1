"""Property tests of the text form: random well-typed IR round-trips and verifies; mangled text
and nonsense ops fail only with a ParseError placed inside the text."""
import inspect

import ml_dtypes
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from lintra.ir.builder import Builder
from lintra.ir.core import Func
from lintra.ir.parser import ParseError, parse_func
from lintra.ir.primitives import PRIMITIVES
from lintra.ir.printer import print_func
from lintra.ir.types import DTYPE_NAMES, TensorType, float0
from lintra.ir.verifier import verify

DTYPES = [d for d in DTYPE_NAMES if d != float0]
BF16 = np.dtype(ml_dtypes.bfloat16)
UNARY = ["neg", "sign", "square", "exp", "log", "sin", "tanh", "floor", "abs", "not", "conj", "real", "imag",
         "is_finite", "copy", "population_count", "logistic"]
BINARY = ["add", "sub", "mul", "div", "max", "min", "and", "xor", "eq", "lt", "atan2", "pow", "shift_left"]
REDUCE = ["reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or"]
SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-300, -1.5e300, 5e-324]

SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3)


@st.composite
def arrays(draw, dtype, shape):
    """Values of any dtype, weighted towards the edges: nan, infinities, -0.0, extreme integers."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        elems = st.one_of(st.sampled_from([int(info.min), int(info.max), 0, -1 if dtype.kind == "i" else 1]),
                          st.integers(int(info.min), int(info.max)))
        return draw(hnp.arrays(dtype, shape, elements=elems))
    if dtype.kind == "b":
        return draw(hnp.arrays(dtype, shape))
    if dtype.kind == "c":
        part = st.one_of(st.sampled_from(SPECIAL), st.floats(width=32 if dtype == np.complex64 else 64))
        values = draw(st.lists(st.builds(complex, part, part), min_size=int(np.prod(shape)),
                               max_size=int(np.prod(shape))))
        with np.errstate(all="ignore"):
            return np.array(values, dtype).reshape(shape)
    width = {2: 16, 4: 32}.get(dtype.itemsize, 64)
    values = draw(hnp.arrays(np.float64, shape, elements=st.one_of(st.sampled_from(SPECIAL),
                                                                    st.floats(width=width))))
    with np.errstate(all="ignore"):
        return values.astype(dtype)


class _Gen:
    """Emits random ops whose operands come from the values built so far."""

    def __init__(self, draw, builder, depth):
        self.draw, self.b, self.depth = draw, builder, depth
        self.pool = list(builder.block.args)

    def pick(self, pred=lambda v: True):
        choices = [v for v in self.pool if pred(v)]
        return self.draw(st.sampled_from(choices)) if choices else None

    def emit(self, prim, operands, attrs=None, regions=()):
        try:
            self.pool += self.b.emit(prim, operands, attrs, regions)
        except TypeError:   # not well typed for these operands: skip, the next draw tries something else
            pass

    def step(self):
        draw = self.draw
        kind = draw(st.sampled_from(["constant", "unary", "binary", "convert", "reshape", "transpose",
                                     "broadcast", "reduce", "sort", "slice", "concat", "iota", "select",
                                     "call"]))
        if kind == "constant" or not self.pool:
            dtype = draw(st.sampled_from(DTYPES))
            shape = draw(shapes)
            weak = draw(st.booleans()) and shape == ()
            self.pool.append(self.b.constant(draw(arrays(dtype, shape)), weak=weak))
            return
        x = self.pick()
        if kind == "unary":
            self.emit(draw(st.sampled_from(UNARY)), [x])
        elif kind == "binary":
            y = self.pick(lambda v: v.type.strong() == x.type.strong())
            self.emit(draw(st.sampled_from(BINARY)), [x, y])
        elif kind == "convert":
            self.emit("convert_element_type", [x], {"new_dtype": draw(st.sampled_from(DTYPES)),
                                                    "weak_type": draw(st.booleans())})
        elif kind == "reshape":
            self.emit("reshape", [x], {"new_sizes": tuple(reversed(x.type.shape)) + (1,)})
        elif kind == "transpose":
            self.emit("transpose", [x], {"permutation": tuple(draw(st.permutations(range(x.type.ndim))))})
        elif kind == "broadcast":
            self.emit("broadcast_in_dim", [x], {"shape": (2,) + x.type.shape,
                                                "broadcast_dimensions": tuple(range(1, x.type.ndim + 1))})
        elif kind == "reduce":
            axes = draw(st.lists(st.sampled_from(range(x.type.ndim)), unique=True)) if x.type.ndim else []
            self.emit(draw(st.sampled_from(REDUCE)), [x], {"axes": tuple(axes)})
        elif kind == "sort":
            y = self.pick(lambda v: v.type.shape == x.type.shape)
            self.emit("sort", [x, y], {"dimension": 0, "is_stable": draw(st.booleans()), "num_keys": 1})
        elif kind == "slice":
            self.emit("slice", [x], {"start_indices": (0,) * x.type.ndim,
                                     "limit_indices": tuple((n + 1) // 2 for n in x.type.shape),
                                     "strides": None if draw(st.booleans()) else (1,) * x.type.ndim})
        elif kind == "concat":
            self.emit("concatenate", [x, x], {"dimension": 0})
        elif kind == "iota":
            self.emit("iota", [], {"dtype": draw(st.sampled_from([np.dtype(np.int32), np.dtype(np.float32)])),
                                   "shape": (draw(st.integers(1, 4)),), "dimension": 0})
        elif kind == "select":
            pred = self.b.emit1("eq", [x, x])
            self.emit("select_n", [pred, x, self.pick(lambda v: v.type.strong() == x.type.strong())])
        elif kind == "call" and self.depth < 2:
            args = draw(st.lists(st.sampled_from(self.pool), max_size=3))
            callee = draw(st.text(max_size=8))
            self.emit("call", args, {"callee": callee}, [random_block(draw, [a.type for a in args], self.depth + 1)])


def random_block(draw, arg_types, depth=0):
    b = Builder()
    for t in arg_types:
        b.arg(t)
    gen = _Gen(draw, b, depth)
    for _ in range(draw(st.integers(0, 8 if depth == 0 else 4))):
        gen.step()
    return b.ret(*(draw(st.lists(st.sampled_from(gen.pool), max_size=3)) if gen.pool else []))


@st.composite
def funcs(draw):
    types = draw(st.lists(st.builds(TensorType.of, shapes, st.sampled_from(DTYPES), st.booleans()), max_size=3))
    name = draw(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True))
    return Func(name, random_block(draw, types), [f"a{i}" for i in range(len(types))])


def same_values(a, b):
    """Equal dtype, shape and values, where nans match any nan and zeros keep their sign."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind in "iub":
        return np.array_equal(a, b)
    wide = np.complex128 if a.dtype.kind == "c" else np.float64
    a, b = a.astype(wide), b.astype(wide)
    return all(np.array_equal(x, y, equal_nan=True) and np.array_equal(np.signbit(x[x == x]), np.signbit(y[y == y]))
               for x, y in ((a.real, b.real), (a.imag, b.imag)))


def constants(block):
    return [op.attrs["value"] for op in block.walk() if op.prim == "constant"]


@SETTINGS
@given(funcs())
def test_random_ir_roundtrips_and_verifies(f):
    verify(f)
    text = print_func(f)
    g = parse_func(text)
    verify(g)
    assert print_func(g) == text
    for a, b in zip(constants(f.body), constants(g.body), strict=True):
        assert same_values(a, b), (a, b)


CORPUS_CHARS = st.sampled_from(list("%@^~{}[]()<>,:=\"\\/ \n\t-.0123456789eafinrtx") + ["func", "return",
                               "dense", "nan", "inf", "é", "\x00"])


@st.composite
def mangled(draw):
    text = print_func(draw(funcs()))
    rnd = draw(st.randoms(use_true_random=True))   # uniform positions (integers() favours the ends)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["delete", "insert", "replace", "digit", "truncate", "swap"]))
        i = rnd.randrange(len(text) + 1)
        if how == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 5)):]
        elif how == "insert":
            text = text[:i] + draw(CORPUS_CHARS) + text[i:]
        elif how == "replace":
            text = text[:i] + draw(CORPUS_CHARS) + text[i + 1:]
        elif how == "digit":   # numbers are shapes, axes and values: changing one makes typing errors
            digits = [j for j, c in enumerate(text) if c.isdigit()]
            if digits:
                j = rnd.choice(digits)
                text = text[:j] + str(rnd.randrange(10)) + text[j + 1:]
        elif how == "truncate":
            text = text[:i]
        else:
            tokens = text.split(" ")
            j, k = rnd.randrange(len(tokens)), rnd.randrange(len(tokens))
            tokens[j], tokens[k] = tokens[k], tokens[j]
            text = " ".join(tokens)
    return text


@SETTINGS
@given(mangled())
def test_mangled_text_raises_only_parse_errors(text):
    try:
        f = parse_func(text)
    except ParseError as e:
        lines = text.split("\n")
        assert 1 <= e.line <= len(lines), str(e)
        assert 1 <= e.col <= len(lines[e.line - 1]) + 1, str(e)
        assert "internal parser error" not in e.msg, str(e)
        assert str(e) == f"{e.line}:{e.col}: {e.msg}"
        return
    verify(f)   # whatever parses is well formed
    assert print_func(parse_func(print_func(f))) == print_func(f)


ARG_TYPES = ["f32[2,3]", "~f32[]", "i32[3]", "bool[2,3]", "c64[3]", "u8[]", "bf16[0,2]", "float0[2]"]
ATTR_VALUES = st.recursive(
    st.one_of(st.integers(-3, 5).map(str),
              st.sampled_from(["1.5", "nan", "-inf", "none", "true", "false", '"x"', "f32", "i32", "float0",
                               "dense<1.0 : f32[2]>", "dense<[1, 2] : i32[2]>", "99999999999999999999"])),
    lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"), max_leaves=8)


@st.composite
def random_ops(draw):
    """One op of any primitive on arbitrary operands and attributes: mostly ill-typed, in every way."""
    prim = draw(st.sampled_from(sorted(PRIMITIVES)))
    names = [p for p in inspect.signature(PRIMITIVES[prim]).parameters if not p.startswith("_")] + ["bogus"]
    attrs = ", ".join(f"{n} = {draw(ATTR_VALUES)}" for n in draw(st.lists(st.sampled_from(names), unique=True,
                                                                           max_size=5)))
    operands = ", ".join(f"%a{i}" for i in draw(st.lists(st.integers(0, len(ARG_TYPES) - 1), max_size=4)))
    results = draw(st.lists(st.sampled_from(ARG_TYPES), max_size=2))
    lhs = ", ".join(f"%r{i}" for i in range(len(results)))
    return (f"func @f({', '.join(f'%a{i}: {t}' for i, t in enumerate(ARG_TYPES))}) -> () {{\n"
            f"  {lhs}{' = ' if lhs else ''}{prim} {operands}{f' {{{attrs}}}' if attrs else ''} : "
            f"{', '.join(results) or '()'}\n  return\n}}\n")


@settings(SETTINGS, max_examples=100)
@given(random_ops())
def test_type_rules_given_nonsense_raise_parse_errors(text):
    try:
        f = parse_func(text)
    except ParseError as e:
        assert (e.line, e.col) >= (2, 3) and "internal parser error" not in e.msg, str(e)
        return
    verify(f)
