"""A small expression language over the IR builder, for writing expansions as formulas: `V` wraps an IR
value and overloads arithmetic and comparisons (Python numbers become constants of the other operand's
type); `Ops` emits any primitive by name and builds `while` loops whose regions get their own builder."""
import numpy as np

from ...ir.builder import Builder
from ...ir.types import TensorType


class V:
    __slots__ = ("o", "v")
    __hash__ = None

    def __init__(self, o, v):
        self.o, self.v = o, v

    @property
    def type(self):
        return self.v.type

    def lift(self, y):
        return y.v if isinstance(y, V) else self.o.const(y, self.v.type)


def _binary(prim, flipped=False):
    def method(self, y):
        x, y = self.v, self.lift(y)
        return V(self.o, self.o.b.emit1(prim, [y, x] if flipped else [x, y]))
    return method


for _name, _prim in [("add", "add"), ("sub", "sub"), ("mul", "mul"), ("truediv", "div"), ("mod", "rem")]:
    setattr(V, f"__{_name}__", _binary(_prim))
    setattr(V, f"__r{_name}__", _binary(_prim, flipped=True))
for _name, _prim in [("lt", "lt"), ("le", "le"), ("gt", "gt"), ("ge", "ge"), ("and", "and"), ("or", "or")]:
    setattr(V, f"__{_name}__", _binary(_prim))
V.eq, V.ne = _binary("eq"), _binary("ne")
V.__neg__ = lambda self: V(self.o, self.o.b.emit1("neg", [self.v]))
V.__invert__ = lambda self: V(self.o, self.o.b.emit1("not", [self.v]))
V.__abs__ = lambda self: V(self.o, self.o.b.emit1("abs", [self.v]))


class Ops:
    """`o.log(x)` emits log on V values; `o.const`, `o.select`, `o.any`, `o.convert` and `o.while_loop`
    are the rest of what the expansions need."""

    def __init__(self, b: Builder):
        self.b = b

    def __getattr__(self, prim):
        return lambda *xs, **attrs: V(self, self.b.emit1(prim, [x.v for x in xs], attrs))

    def const(self, value, like: TensorType, dtype=None):
        dtype = like.dtype if dtype is None else np.dtype(dtype)
        c = self.b.constant(np.array(value, dtype))
        if like.shape:
            c = self.b.emit1("broadcast_in_dim", [c], {"shape": like.shape, "broadcast_dimensions": ()})
        return c

    def full(self, value, like, dtype=None):
        return V(self, self.const(value, like.type, dtype))

    def scalar(self, value, dtype):
        return V(self, self.b.constant(np.array(value, dtype)))

    def select(self, pred, on_true, on_false):
        like = on_true if isinstance(on_true, V) else on_false
        t, f = like.lift(on_true), like.lift(on_false)
        return V(self, self.b.emit1("select_n", [pred.v, f, t]))

    def isnan(self, x):
        return x.ne(x)

    def any(self, pred):
        if not pred.type.shape:
            return pred
        return V(self, self.b.emit1("reduce_or", [pred.v], {"axes": tuple(range(len(pred.type.shape)))}))

    def convert(self, x, dtype):
        return V(self, self.b.emit1("convert_element_type", [x.v], {"new_dtype": np.dtype(dtype),
                                                                    "weak_type": False}))

    def broadcast(self, x, like):
        return V(self, self.b.emit1("broadcast_in_dim", [x.v], {"shape": like.type.shape,
                                                                "broadcast_dimensions": ()}))

    def while_loop(self, cond, body, init, consts=()):
        """The carry after `body(o, consts, carry) -> carry` ran while `cond(o, consts, carry)` (a bool[])
        holds. Regions are closed: everything they read from outside must come in through `consts`."""
        consts, init = list(consts), list(init)
        types = [v.type for v in consts + init]

        def region(fn):
            rb = Builder()
            args = [V(Ops(rb), rb.arg(t)) for t in types]
            out = fn(args[0].o, args[:len(consts)], args[len(consts):])
            return rb.ret(*[v.v for v in (out if isinstance(out, (list, tuple)) else [out])])
        regions = [region(cond), region(body)]
        n = len(consts)
        outs = self.b.emit("while", [v.v for v in consts + consts + init],
                           {"cond_nconsts": n, "body_nconsts": n}, regions)
        return [V(self, v) for v in outs]
