"""lintra-run's inputs: given on the command line in IR syntax, or drawn at random; and outputs printed the
same way, so a printed output can be passed back as an input.

    --inputs 'f32[3]=[1,2,3];i32[]=4;f32[2,2]=0.5'     TYPE=VALUE per argument, `;` between them; VALUE is
                                                      a dense constant's body (a nested list, or one
                                                      element repeated over the shape)
"""
import numpy as np

from ..ir import types as T
from ..ir.parser import ParseError, parse_attr, parse_type


class InputError(Exception):
    """A mistake in --inputs or in the arguments it gives: one line, exit status 2."""


def parse_inputs(spec: str, arg_types, function):
    """The arrays `spec` gives, checked against the function's argument types."""
    items = [s.strip() for s in spec.split(";")]
    items = [] if items == [""] else items
    if len(items) != len(arg_types):
        raise InputError(f"--inputs gives {len(items)} value{'s' * (len(items) != 1)}, but {function} takes "
                         f"{len(arg_types)} argument{'s' * (len(arg_types) != 1)} "
                         f"({', '.join(map(str, arg_types))})")
    out = []
    for i, (item, want) in enumerate(zip(items, arg_types)):
        type_text, eq, value = (x.strip() for x in item.partition("="))
        if not eq:
            raise InputError(f"input {i} '{item}': expected TYPE=VALUE, e.g. f32[3]=[1,2,3]")
        try:
            t = parse_type(type_text)
        except ParseError as e:
            raise InputError(f"input {i} '{item}': bad type '{type_text}': {e.msg}") from None
        if t != want:
            raise InputError(f"input {i} has type {t}, but argument {i} of {function} is {want}")
        try:
            out.append(parse_attr(f"dense<{value} : {t.strong()}>"))
        except ParseError as e:
            raise InputError(f"input {i} '{item}': bad value '{value}' for {t}: {e.msg}") from None
    return out


def random_inputs(seed: int, arg_types, low=-1.0, high=1.0):
    """One array per type: floats uniform in [low, high), complex numbers with such parts, integers in
    [-5, 5] (unsigned: [0, 5]) or their type's range where narrower, booleans fair coins."""
    rng = np.random.default_rng(seed)
    out = []
    for t in arg_types:
        if T.is_complex(t.dtype):
            x = rng.uniform(low, high, t.shape) + 1j * rng.uniform(low, high, t.shape)
        elif T.is_float(t.dtype):
            x = rng.uniform(low, high, t.shape)
        elif T.is_bool(t.dtype):
            x = rng.integers(0, 2, t.shape).astype(bool)
        elif T.is_int(t.dtype):
            info = T.iinfo(t.dtype)       # int4 holds -8..7, int2 -2..1, uint1 0..1
            lo = max(-5 if T.is_signed(t.dtype) else 0, int(info.min))
            x = rng.integers(lo, min(5, int(info.max)) + 1, t.shape)
        else:
            raise InputError(f"cannot draw random values of type {t}")
        out.append(np.asarray(x).astype(t.dtype))
    return out


def show(t, x) -> str:
    """TYPE=VALUE, as --inputs reads it."""
    x = np.asarray(x)
    if T.is_complex(x.dtype):
        body = _nested(x, lambda v: f"({_num(v.real)}, {_num(v.imag)})")
    elif x.dtype == np.bool_:
        body = _nested(x, lambda v: "true" if v else "false")
    else:
        body = _nested(x, _num)
    return f"{t}={body}"


def _num(v):
    return str(v)    # numpy's shortest text that reads back as the same value of its dtype (nan, inf too)


def _nested(x, element):
    if x.ndim == 0:
        return element(x[()])
    return "[" + ", ".join(_nested(row, element) for row in x) + "]"
