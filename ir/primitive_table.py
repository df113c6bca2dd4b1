"""The table of primitives and the decorator that fills rule tables. Type rules live in ir/primitives.py and,
for families that are big enough to be a file of their own, in ir/primitives_*.py, each registering here; the
checks several of those files share are here too."""
import numpy as np

from .types import dtype_name

PRIMITIVES = {}             # name -> type rule
REGION_PRIMITIVES = set()   # primitives whose type rule also receives the op's regions


def registrar(table):
    """A decorator for a rule table keyed by primitive: `@rule("add", "sub")` registers fn for both."""
    def decorator(*names):
        def register(fn):
            for n in names:
                table[n] = fn
            return fn
        return register
    return decorator


primitive = registrar(PRIMITIVES)


def fail(prim, msg, *types):
    shown = ", ".join(str(t) for t in types)
    raise TypeError(f"{prim}: {msg} (operand types: {shown})")


LINALG_DTYPES = (np.float32, np.float64, np.complex64, np.complex128)


def matrices(prim, x, square=False):
    """(batch shape, rows, cols) of an operand that must be a (batch of) f32/f64/c64/c128 matrices."""
    if x.dtype not in LINALG_DTYPES:
        fail(prim, f"expected a f32, f64, c64 or c128 operand, got {dtype_name(x.dtype)}", x)
    if x.ndim < 2 or (square and x.shape[-1] != x.shape[-2]):
        fail(prim, f"expected {'square ' if square else ''}matrices of shape [..., m, "
             f"{'m' if square else 'n'}], got shape {list(x.shape)}", x)
    return x.shape[:-2], x.shape[-2], x.shape[-1]
