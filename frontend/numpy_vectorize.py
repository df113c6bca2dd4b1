"""jnp.vectorize and jnp.apply_along_axis: NumPy's function-mapping helpers, built on vmap.

They sit at the transformations layer (vmap is above lintra.numpy, which vmap's batching rules use), and
lintra/__init__.py places them in the public lintra.numpy namespace."""
import functools
import re

import numpy as np

from . import numpy as jnp
from .batching import vmap
from .core import type_of

_DIM = r"\w+"
_CORE = rf"\((?:{_DIM}(?:,{_DIM})*)?\)"
_SIGNATURE = re.compile(rf"^{_CORE}(?:,{_CORE})*->{_CORE}(?:,{_CORE})*$")


def _parse_signature(signature):
    """'(m,n),(n)->(m)' as ([('m', 'n'), ('n',)], [('m',)])."""
    sig = signature.replace(" ", "")
    if not _SIGNATURE.match(sig):
        raise ValueError(f"vectorize: not a valid gufunc signature: {signature!r}")
    ins, outs = sig.split("->")
    parse = lambda s: [tuple(d for d in grp.split(",") if d) for grp in re.findall(r"\(([^)]*)\)", s)]
    return parse(ins), parse(outs)


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """pyfunc mapped over the leading (loop) dimensions of its array arguments, which broadcast together;
    with a gufunc signature, each call sees the trailing core dimensions it names. Positional arguments
    in `excluded` and keyword arguments are passed through unmapped."""
    excluded = frozenset(excluded)
    if any(not isinstance(e, int) for e in excluded):
        raise TypeError(f"vectorize: excluded must hold positional argument indices, got {sorted(excluded, key=str)}")
    core_in = _parse_signature(signature)[0] if signature is not None else None

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        mapped = [i for i in range(len(args)) if i not in excluded]
        arrays = [jnp.asarray(args[i]) for i in mapped]
        cores = core_in if core_in is not None else [()] * len(arrays)
        if len(cores) != len(arrays):
            raise TypeError(f"vectorize: the signature {signature!r} names {len(cores)} inputs, but the function "
                            f"was called with {len(arrays)} vectorized arguments")
        sizes = {}
        loop_shapes = []
        for a, core in zip(arrays, cores):
            shape = type_of(a).shape
            if len(shape) < len(core):
                raise ValueError(f"vectorize: input with shape {shape} has fewer dimensions than its core "
                                 f"dimensions {core} in signature {signature!r}")
            for name, n in zip(core, shape[len(shape) - len(core):]):
                if sizes.setdefault(name, n) != n:
                    raise ValueError(f"inconsistent size for core dimension {name!r}: {n} vs {sizes[name]} on "
                                     f"vectorized function with excluded={excluded!r} and signature={signature!r}")
            loop_shapes.append(shape[:len(shape) - len(core)])
        loop = tuple(int(n) for n in np.broadcast_shapes(*loop_shapes)) if loop_shapes else ()
        arrays = [jnp.broadcast_to(a, loop + type_of(a).shape[len(s):]) for a, s in zip(arrays, loop_shapes)]

        def call(*mapped_args):
            full = list(args)
            for i, v in zip(mapped, mapped_args):
                full[i] = v
            return pyfunc(*full, **kwargs)
        f = call
        for _ in loop:
            f = vmap(f)
        return f(*arrays)
    return wrapped


def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """func1d applied to each 1-D slice of arr along axis; its output's dimensions replace that axis."""
    arr = jnp.asarray(arr)
    nd = type_of(arr).ndim
    if not -nd <= axis < nd:
        raise np.exceptions.AxisError(axis, nd)
    axis %= nd
    f = lambda v: func1d(v, *args, **kwargs)
    for i in range(1, nd - axis):
        f = vmap(f, in_axes=i, out_axes=-1)
    for _ in range(axis):
        f = vmap(f, in_axes=0, out_axes=0)
    return f(arr)
