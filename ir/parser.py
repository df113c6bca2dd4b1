"""The IR's text form back to IR: a small lexer and a recursive-descent parser.

It reads what ir/printer.py writes (plus free whitespace and `//` comments), checks every op
against its primitive's type rule, and reports any problem as a ParseError at line:col saying
what it expected. No input makes it raise anything else, recurse without bound, or hang.

    func     := 'func' @name '(' [%arg ':' type, ...] ')' '->' '(' [type, ...] ')' '{' block '}'
    block    := op* 'return' [%v, ...]
    op       := [%r, ... '='] prim [%v, ...] ['{' key '=' attr, ... '}'] ':' ('()' | type, ...) [regions]
    regions  := '{' ('^' '(' [%a ':' type, ...] ')' '{' block '}')+ '}'
    type     := ['~'] dtype '[' [dim ['@' axis | '@' '(' axis, ... ')'], ...] ']' ['{' 'V' ':' (axis | '(' axis, ... ')') '}']
    attr     := int | float | "json string" | true | false | none | dtype | '[' [attr, ...] ']'
              | 'dense' '<' (element | nested list of elements) ':' type '>'
"""
import bisect
import contextlib
import difflib
import inspect
import json
import math
import re
import warnings
from typing import NamedTuple

import numpy as np

from . import types as T
from .core import Block, Func, Module, Op, Value
from .primitives import PRIMITIVES, REGION_PRIMITIVES, infer_types
from .types import DTYPES_BY_NAME, TensorType, type_sharding

MAX_NESTING = 100          # of lists, dense bodies and regions: deeper input is an error, not a RecursionError
MAX_DENSE_BYTES = 1 << 30  # a splat like dense<0.0 : f32[N]> is materialised, so absurd N is refused
MAX_DIM = 2**63 - 1        # dimensions are int64 everywhere downstream


class ParseError(Exception):
    """A syntax or typing error in IR text, at a 1-based line and column."""

    def __init__(self, line, col, msg):
        super().__init__(line, col, msg)
        self.line, self.col, self.msg = line, col, msg

    def __str__(self):
        return f"{self.line}:{self.col}: {self.msg}"


# ---- lexer -------------------------------------------------------------------------

class Token(NamedTuple):
    kind: str   # value (%x), symbol (@f), ident, int, float, string, punct, eof
    text: str   # the token's source text
    pos: int    # offset into the text


# One match per token: skip spaces and comments, then the token, its kind the group's name.
_VMA_START = re.compile(r"\s*V\s*:")
_TOKEN = re.compile(r"""(?:\s+|//[^\n]*)*(?:
    (?P<float>-?(?:\d+(?:\.\d*(?:[eE][+-]?\d+)?|[eE][+-]?\d+)|(?:inf|nan)(?!\w)))
  | (?P<int>-?\d+)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>->|[()\[\]{}<>,:=~^])
  | (?P<value>%\w*)
  | (?P<symbol>@[\w.<>$-]*)
  | (?P<string>"(?:[^"\\\n]|\\.)*")
)?""", re.VERBOSE)


def _name_char(c, extra):
    # Names are Python identifiers (argument names come from Python signatures), so allow
    # every identifier character, not just ASCII.
    return c in extra or c == "_" or c.isalnum() or ("_" + c).isidentifier()


def _describe(tok):
    if tok.kind == "eof":
        return "end of input"
    return repr(tok.text if len(tok.text) <= 24 else tok.text[:21] + "...")


class _List(NamedTuple):
    """A bracketed list in a dense body, kept with its token for error positions."""
    tok: Token
    items: list


# ---- parser --------------------------------------------------------------------------

class _Parser:
    def __init__(self, text):
        self.text = text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.pos = 0
        self.depth = 0
        self.scopes = []      # one {name: Value} per open block; regions see only their own
        self.defined = {}     # every name defined so far in the current func -> its token
        self.hidden = set()   # names defined in regions already closed
        self.tok = self._lex()

    # -- tokens

    def _lex(self):
        text = self.text
        m = _TOKEN.match(text, self.pos)
        kind = m.lastgroup
        if kind is None:
            self.pos = m.end()
            if self.pos == len(text):
                return Token("eof", "", self.pos)
            c = text[self.pos]
            raise self.error("unterminated string" if c == '"' else f"unexpected character {c!r}",
                             Token("punct", c, self.pos))
        start, end = m.span(kind)
        if kind in ("value", "symbol"):
            extra = "" if kind == "value" else ".<>-$"
            while end < len(text) and _name_char(text[end], extra):   # identifier characters beyond \w
                end += 1
            if end == start + 1 and kind == "symbol" and text.startswith("@(", start):
                self.pos = end          # '@(' opens a dimension's sharding over several mesh axes
                return Token("punct", "@", start)
            if end == start + 1:
                what = "a value name like %x or %0" if kind == "value" else "a function name like @f"
                raise self.error(f"expected {what}", Token("punct", text[start], end))
        self.pos = end
        return Token(kind, text[start:end], start)

    def error(self, msg, tok=None):
        pos = (tok or self.tok).pos
        line = bisect.bisect_right(self.line_starts, pos)
        return ParseError(line, pos - self.line_starts[line - 1] + 1, msg)

    def next(self):
        tok, self.tok = self.tok, self._lex()
        return tok

    def at(self, text):
        return self.tok.kind in ("punct", "ident") and self.tok.text == text

    def accept(self, text):
        return self.next() if self.at(text) else None

    def expect(self, text, what=None):
        if not self.at(text):
            raise self.error(f"expected {what or repr(text)}, got {_describe(self.tok)}")
        return self.next()

    def expect_kind(self, kind, what):
        if self.tok.kind != kind:
            raise self.error(f"expected {what}, got {_describe(self.tok)}")
        return self.next()

    def sep(self, item):
        """item (',' item)*"""
        items = [item()]
        while self.accept(","):
            items.append(item())
        return items

    def comma_list(self, item, close):
        """[item (',' item)*] close, possibly empty; consumes `close`."""
        items = [] if self.at(close) else self.sep(item)
        self.expect(close, f"',' or {close!r}")
        return items

    @contextlib.contextmanager
    def nested(self):
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.error(f"nesting deeper than {MAX_NESTING} levels")
        yield
        self.depth -= 1

    # -- functions and blocks

    def module(self):
        module = Module()
        while self.tok.kind != "eof":
            name_tok, func = self.func()
            if func.name in module.funcs:
                raise self.error(f"function @{func.name} is defined twice", name_tok)
            module.add(func)
        return module

    def func(self):
        self.expect("func", "'func'")
        name_tok = self.expect_kind("symbol", "a function name like @f")
        self.defined, self.hidden, self.scopes = {}, set(), [{}]
        self.expect("(")
        params = self.comma_list(self.block_arg, ")")
        self.expect("->", "'->' and the result types")
        self.expect("(")
        declared = self.comma_list(self.type, ")")
        self.expect("{")
        body, ret = self.block([v for _, v in params])
        self.expect("}", "'}' closing the function")
        if body.result_types != declared:
            raise self.error(f"@{name_tok.text[1:]} returns ({', '.join(map(str, body.result_types))}) but its "
                             f"signature declares ({', '.join(map(str, declared))})", ret)
        return name_tok, Func(name_tok.text[1:], body, [tok.text[1:] for tok, _ in params])

    def block_arg(self):
        tok = self.expect_kind("value", "an argument like %x: f32[3]")
        self.claim(tok)
        self.expect(":")
        v = Value(self.type())
        self.scopes[-1][tok.text[1:]] = v
        return tok, v

    def block(self, args):
        """Ops up to and including `return`, in the innermost scope; returns (Block, return token)."""
        ops = []
        while not self.at("return"):
            if self.tok.kind == "eof" or self.at("}"):
                raise self.error(f"expected an op or 'return', got {_describe(self.tok)}")
            ops.append(self.op())
        ret = self.next()
        results = self.sep(self.use) if self.tok.kind == "value" else []
        return Block(args, ops, results), ret

    # -- values

    def claim(self, tok):
        """Reserve a name: each is defined once per function, even across regions."""
        name = tok.text[1:]
        if name in self.defined:
            first = self.error("", self.defined[name])
            raise self.error(f"value %{name} is already defined (at {first.line}:{first.col})", tok)
        self.defined[name] = tok

    def use(self):
        tok = self.expect_kind("value", "a value like %0")
        name = tok.text[1:]
        v = self.scopes[-1].get(name)
        if v is not None:
            return v
        if any(name in s for s in self.scopes[:-1]):
            raise self.error(f"%{name} is defined outside this region; regions are closed, "
                             f"so pass it to the op as an operand", tok)
        if name in self.hidden:
            raise self.error(f"%{name} is defined inside another op's region and is not visible here", tok)
        raise self.error(f"use of undefined value %{name}", tok)

    # -- ops

    def op(self):
        lhs = []
        if self.tok.kind == "value":
            lhs = self.sep(lambda: self.expect_kind("value", "a result name like %0"))
            for tok in lhs:
                self.claim(tok)
            self.expect("=", "',' or '='")
        prim_tok = self.expect_kind("ident", "a primitive name")
        prim = prim_tok.text
        if prim not in PRIMITIVES:
            close = difflib.get_close_matches(prim, PRIMITIVES, n=1)
            raise self.error(f"unknown primitive '{prim}'" + (f" (did you mean '{close[0]}'?)" if close else ""),
                             prim_tok)
        operands = self.sep(self.use) if self.tok.kind == "value" else []
        attrs = self.attr_dict() if self.at("{") else {}
        colon = self.expect(":", "':' and the result types")
        type_toks = []
        if self.accept("("):
            self.expect(")", "')': a result list in parentheses is empty, '()'")
        else:
            type_toks = self.sep(lambda: (self.tok, self.type()))
        regions_tok = self.tok
        regions = self.regions() if self.at("{") else []

        if regions and prim not in REGION_PRIMITIVES:
            raise self.error(f"{prim} takes no regions", regions_tok)
        if len(lhs) != len(type_toks):
            raise self.error(f"{len(lhs)} results are named but {len(type_toks)} result types are given", colon)
        expected = self.infer(prim_tok, operands, attrs, regions)
        if len(expected) != len(type_toks):
            raise self.error(f"{prim} has {len(expected)} results ({', '.join(map(str, expected))}) "
                             f"but {len(type_toks)} result types are given", colon)
        for (tok, t), e in zip(type_toks, expected):
            if t != e:
                raise self.error(f"result type {t} does not match {prim}'s type rule, which gives {e}", tok)
        results = [Value(t) for _, t in type_toks]
        self.scopes[-1].update((tok.text[1:], v) for tok, v in zip(lhs, results))
        return Op(prim, operands, results, attrs, regions)

    def infer(self, prim_tok, operands, attrs, regions):
        prim = prim_tok.text
        operand_types = [v.type for v in operands]
        try:
            return infer_types(prim, operand_types, attrs, regions)
        except RecursionError:
            raise
        except Exception as e:  # a rule given odd attributes may fail any way; report it at the op
            raise self.error(_rule_error(prim, operand_types, attrs, regions, e), prim_tok) from None

    def regions(self):
        self.expect("{")
        regions = [self.region()]
        while self.at("^"):
            regions.append(self.region())
        self.expect("}", "'^' starting another region, or '}'")
        return regions

    def region(self):
        with self.nested():
            self.expect("^", "'^' starting a region")
            if self.at("lazy"):
                raise self.error("a lazy region (a custom rule not traced yet) has no text form")
            self.expect("(")
            self.scopes.append({})
            args = self.comma_list(self.block_arg, ")")
            self.expect("{")
            block, _ = self.block([v for _, v in args])
            self.expect("}", "'}' closing the region")
            self.hidden.update(self.scopes.pop())
        return block

    # -- types

    def type(self):
        weak = bool(self.accept("~"))
        tok = self.expect_kind("ident", "a type like f32[3]")
        dt = DTYPES_BY_NAME.get(tok.text)
        if dt is None:
            raise self.error(f"unknown dtype '{tok.text}'; expected one of {', '.join(DTYPES_BY_NAME)}", tok)
        self.expect("[", "'[' and the shape")
        dims = self.comma_list(self.sharded_dim, "]")
        shape = tuple(n for n, _ in dims)
        sharding = tuple(axes for _, axes in dims)
        names = [a for axes in sharding for a in axes]
        if len(set(names)) != len(names):
            raise self.error(f"the sharding of type {tok.text}{list(shape)} names a mesh axis twice: "
                             f"{names}", tok)
        return TensorType(shape, dt, weak, type_sharding(sharding, len(shape)), self.vma())

    def sharded_dim(self):
        """A dimension and the mesh axes splitting it: 8, 8@x or 8@(x,y)."""
        n = self.dim()
        if self.tok.kind == "symbol" and self.tok.text != "@":
            tok = self.next()
            name = tok.text[1:]
            if not name.isidentifier():
                raise self.error(f"expected a mesh axis name after '@', got {tok.text!r}", tok)
            return n, (name,)
        if self.tok.kind == "punct" and self.tok.text == "@":
            self.next()
            self.expect("(", "'(' and mesh axis names")
            names = self.comma_list(lambda: self.expect_kind("ident", "a mesh axis name").text, ")")
            if not names:
                raise self.error("expected at least one mesh axis name in '@(...)'")
            return n, tuple(names)
        return n, ()

    def vma(self):
        """The varying manual axes after a type, `{V:i}` or `{V:(i,j)}`; a `{` not followed by `V:` opens
        the op's regions instead."""
        if not (self.at("{") and _VMA_START.match(self.text, self.pos)):
            return frozenset()
        start = self.next()
        self.expect("V")
        self.expect(":")
        names = self.comma_list(self.axis_name, ")") if self.accept("(") else [self.axis_name()]
        self.expect("}", "'}' closing the varying axes")
        if len(set(names)) != len(names):
            raise self.error(f"varying axes {names} name an axis twice", start)
        return frozenset(names)

    def axis_name(self):
        if self.tok.kind == "string":
            tok = self.next()
            try:
                return json.loads(tok.text)
            except ValueError as e:
                raise self.error(f"invalid string literal: {e}", tok) from None
        return self.expect_kind("ident", "a mesh axis name").text

    def dim(self):
        tok = self.expect_kind("int", "a dimension size")
        n = self.integer(tok)
        if not 0 <= n <= MAX_DIM:
            raise self.error(f"dimension {n} out of range (0 to 2**63-1)", tok)
        return n

    # -- attributes

    def attr_dict(self):
        self.expect("{")
        attrs = {}

        def item():
            key = self.expect_kind("ident", "an attribute name")
            if key.text in attrs:
                raise self.error(f"attribute '{key.text}' is given twice", key)
            self.expect("=")
            attrs[key.text] = self.attr()

        self.comma_list(item, "}")
        return attrs

    def attr(self):
        tok = self.tok
        if tok.kind in ("int", "float"):
            return self.number()
        if tok.kind == "string":
            self.next()
            try:
                return json.loads(tok.text)
            except ValueError as e:
                raise self.error(f"invalid string literal: {e}", tok) from None
        if tok.kind == "ident":
            if tok.text in ("true", "false", "none"):
                self.next()
                return {"true": True, "false": False, "none": None}[tok.text]
            if tok.text in DTYPES_BY_NAME:
                self.next()
                return DTYPES_BY_NAME[tok.text]
            if tok.text == "dense":
                return self.dense()
        if self.at("["):
            with self.nested():
                self.next()
                items = self.comma_list(self.attr, "]")
            return tuple(items)
        raise self.error("expected an attribute value (number, string, true, false, none, dtype, [list] or "
                         f"dense<...>), got {_describe(tok)}")

    def number(self):
        tok = self.next()
        return self.integer(tok) if tok.kind == "int" else float(tok.text)

    def integer(self, tok):
        try:
            return int(tok.text)
        except ValueError:  # Python refuses int() of more than 4300 digits
            raise self.error("integer literal has too many digits", tok) from None

    def dense(self):
        self.expect("dense")
        self.expect("<", "'<' after dense")
        body = self.dense_body()
        self.expect(":", "':' and the constant's type")
        type_tok = self.tok
        t = self.type()
        self.expect(">", "'>' closing dense<...>")
        if t.weak:
            raise self.error("a dense constant's type is never weak (weak is the op's `weak` attribute)", type_tok)
        if t.dtype == T.float0:
            raise self.error("float0 constants have no text form", type_tok)
        if math.prod(t.shape) * t.dtype.itemsize > MAX_DENSE_BYTES:
            raise self.error(f"dense constant of type {t} is larger than {MAX_DENSE_BYTES >> 20} MiB", type_tok)
        if isinstance(body, _List):
            elements = []
            self.flatten(body, t.shape, 0, elements)
            return _array(self, elements, t.dtype).reshape(t.shape)
        return np.broadcast_to(_array(self, [body], t.dtype).reshape(()), t.shape).copy()  # a splat

    def dense_body(self):
        if not self.at("["):
            return self.dense_element()
        with self.nested():
            tok = self.next()
            items = self.comma_list(self.dense_body, "]")
        return _List(tok, items)

    def dense_element(self):
        """(token, Python bool/int/float/complex)."""
        tok = self.tok
        if tok.kind in ("int", "float"):
            return tok, self.number()
        if self.at("true") or self.at("false"):
            return self.next(), tok.text == "true"
        if self.accept("("):
            real = self.real()
            self.expect(",", "',' between the real and imaginary parts")
            imag = self.real()
            self.expect(")", "')' closing the complex number (re, im)")
            return tok, complex(real, imag)
        raise self.error(f"expected a constant element (number, true, false or (re, im)), got {_describe(tok)}")

    def real(self):
        tok = self.tok
        if tok.kind not in ("int", "float"):
            raise self.error(f"expected a real number, got {_describe(tok)}")
        return _to_float(self, tok, self.number())

    def flatten(self, body, shape, axis, out):
        """Check a nested body against `shape` and append its elements to `out` in C order."""
        if not isinstance(body, _List):
            if axis != len(shape):
                raise self.error(f"expected a list of {shape[axis]} elements for dimension {axis}, "
                                 f"got a single element", body[0])
            out.append(body)
            return
        if axis == len(shape):
            raise self.error(f"expected an element, got a list: the body is nested deeper than the "
                             f"type's {len(shape)} dimensions", body.tok)
        if len(body.items) != shape[axis]:
            raise self.error(f"expected {shape[axis]} elements along dimension {axis}, got {len(body.items)}",
                             body.tok)
        for item in body.items:
            self.flatten(item, shape, axis + 1, out)


def _to_float(p, tok, v, cast=float, name="a float"):
    try:
        return cast(v)
    except OverflowError:   # an integer beyond float range
        raise p.error(f"{tok.text} is out of range for {name}", tok) from None


def _array(p, elements, dt):
    """A 1-D array of `dt` from (token, value) elements, checking each value's kind and range."""
    name = T.dtype_name(dt)
    cast = None
    if T.is_bool(dt):
        what, kinds = "true or false", (bool,)
    elif T.is_int(dt):
        what, kinds = "an integer", (int,)
    elif T.is_complex(dt):
        what, kinds, cast = "a number or (re, im)", (int, float, complex), complex
    else:
        what, kinds, cast = "a real number", (int, float), float
    info = T.iinfo(dt) if T.is_int(dt) else None
    values = []
    for tok, v in elements:
        if not isinstance(v, kinds) or (isinstance(v, bool) and not T.is_bool(dt)):
            raise p.error(f"expected {what} ({name} element), got {tok.text}", tok)
        if info is not None and not info.min <= v <= info.max:
            raise p.error(f"{v} is out of range for {name} (range [{info.min}, {info.max}])", tok)
        values.append(_to_float(p, tok, v, cast, name) if cast else v)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        arr = np.array(values, dtype=dt)
    if T.is_float(dt) and dt.itemsize < 8:
        _check_float_range(p, elements, values, arr, dt, name)
    elif T.is_complex(dt):
        wide = np.complex128
        overflow = np.flatnonzero(np.isinf(arr.astype(wide)) & ~np.isinf(np.array(values, dtype=wide)))
        if overflow.size:
            v, part = complex(values[overflow[0]]), T.finfo(T.real_dtype(dt)).max
            raise p.error(f"({v.real!r}, {v.imag!r}) is out of range for {name} (each part's finite range is "
                          f"[{-part}, {part}])", elements[overflow[0]][0])
    return arr


def _check_float_range(p, elements, values, arr, dt, name):
    """Each literal must round (to nearest even, as if the exponent were unbounded) to a value within dt's finite
    range, and inf/nan need a type that has them: NumPy and ml_dtypes would otherwise give inf, NaN or (the
    f6/f4 types) the largest finite value without a word."""
    fi = T.finfo(dt)
    top = float(fi.max)
    ulp = 2.0 ** (math.frexp(top)[1] - 1 - fi.nmant)         # the spacing just below the largest finite value
    edge = top + ulp / 2                                       # halfway to the next (unrepresentable) value
    lit, got = np.array(values, np.float64), arr.astype(np.float64)
    big = (np.abs(lit) > edge) | ((np.abs(lit) == edge) & (top / ulp % 2 == 1))   # a tie rounds to even
    with np.errstate(invalid="ignore"):
        bad = np.where(np.isnan(lit), ~np.isnan(got), np.where(np.isinf(lit), got != lit, big | ~np.isfinite(got)))
    if not bad.any():
        return
    tok = elements[int(np.flatnonzero(bad)[0])][0]
    low = fi.smallest_normal if float(fi.min) > 0 else -fi.max      # f8e8m0fnu: positive values only
    span = f"its finite range is [{low}, {fi.max}]"
    if tok.text.lstrip("+-") == "nan":
        raise p.error(f"nan is not representable in {name}, which has no NaN ({span})", tok)
    if tok.text.lstrip("+-") == "inf":
        raise p.error(f"{tok.text} is out of range for {name}, which has no infinity ({span})", tok)
    raise p.error(f"{tok.text} is out of range for {name} ({span})", tok)


def _rule_error(prim, operand_types, attrs, regions, e):
    """A message for a failed type rule; binding errors say what the primitive takes."""
    rule = PRIMITIVES[prim]
    kwargs = dict(attrs, regions=regions) if prim in REGION_PRIMITIVES else attrs
    sig = inspect.signature(rule)
    try:
        sig.bind(*operand_types, **kwargs)
    except TypeError as bad:
        shown = sig.replace(parameters=[q for q in sig.parameters.values()
                                        if q.name != "regions" and not q.name.startswith("_")])
        return (f"{prim}: {bad} (it takes {prim}{shown}; given {len(operand_types)} operands and "
                f"attributes {{{', '.join(attrs)}}})")
    msg = str(e) if isinstance(e, TypeError) else f"invalid operands, attributes or regions ({type(e).__name__}: {e})"
    return msg if msg.startswith(prim) else f"{prim}: {msg}"


def _run(text, rule):
    if not isinstance(text, str):
        raise ParseError(1, 1, f"expected IR text as a str, got {type(text).__name__}")
    p = None
    try:
        p = _Parser(text)
        result = rule(p)
        if p.tok.kind != "eof":
            raise p.error(f"expected end of input, got {_describe(p.tok)}")
        return result
    except ParseError:
        raise
    except RecursionError:
        raise p.error("input is nested too deeply") if p else ParseError(1, 1, "input is nested too deeply") from None
    except Exception as e:  # a parser bug; still keep the promise that only ParseError escapes
        msg = f"internal parser error ({type(e).__name__}: {e})"
        raise (p.error(msg) if p else ParseError(1, 1, msg)) from e


def parse_func(text: str) -> Func:
    """The one function in `text`."""
    return _run(text, lambda p: p.func()[1])


def parse_module(text: str) -> Module:
    """All functions in `text` (none for empty text, as print_module(Module()) == '')."""
    return _run(text, _Parser.module)


def parse_type(text: str) -> TensorType:
    """A type such as `~f32[3,4]`."""
    return _run(text, _Parser.type)


def parse_attr(text: str):
    """One attribute value such as `[1, 2]` or `dense<1.0 : f32[2]>`."""
    return _run(text, _Parser.attr)
