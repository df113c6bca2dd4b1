"""jnp.ufunc and jnp.frompyfunc: a Python function of scalars lifted to NumPy's ufunc interface (__call__,
outer, reduce, accumulate, reduceat, at). Calls are vectorized with vmap; reductions and the sequential
.at updates are lax.scan loops, so they sit at the transformations layer with vectorize (lintra/__init__.py
places them in lintra.numpy)."""
import numpy as np

from . import numpy as jnp
from .control import scan
from .core import ConcretizationError, concrete_value, type_of
from .numpy_vectorize import vectorize


class ufunc:
    """A universal function: func applied elementwise (broadcasting), with NumPy's ufunc methods."""

    def __init__(self, func, /, nin, nout, *, name=None, nargs=None, identity=None, call=None, reduce=None,
                 accumulate=None, at=None, reduceat=None):
        self._func = func
        self.nin, self.nout = int(nin), int(nout)
        self.nargs = self.nin if nargs is None else int(nargs)
        self.identity = identity
        self.__name__ = name or getattr(func, "__name__", "ufunc")
        self._call = call or vectorize(func)
        self._reduce, self._accumulate, self._at, self._reduceat = reduce, accumulate, at, reduceat

    def __repr__(self):
        return f"<jnp.ufunc '{self.__name__}'>"

    def __call__(self, *args):
        if len(args) != self.nin:
            raise TypeError(f"{self.__name__}() takes {self.nin} positional arguments, got {len(args)}")
        return self._call(*args)

    def _binary(self, method):
        if self.nin != 2 or self.nout != 1:
            raise ValueError(f"{method} is only supported for binary ufuncs with one output; {self.__name__} has "
                             f"nin={self.nin}, nout={self.nout}")

    def outer(self, A, B, /):
        """func(A[i...], B[j...]) for every pair: the result has shape A.shape + B.shape."""
        self._binary("outer")
        A, B = jnp.asarray(A), jnp.asarray(B)
        out = self(jnp.reshape(A, A.shape + (1,) * B.ndim), B)
        return out

    def reduce(self, a, axis=0, dtype=None, out=None, keepdims=False, initial=None, where=None):
        """Fold func over axis (all axes if None), starting from initial (else the first element; with
        where=, the identity or initial, skipping the masked elements)."""
        self._binary("reduce")
        if out is not None:
            raise ValueError("reduce: the out argument is not supported: Lintra arrays are immutable")
        if self._reduce is not None:
            return self._reduce(a, axis=axis, dtype=dtype, keepdims=keepdims, initial=initial, where=where)
        a = jnp.asarray(a, dtype=dtype)
        if axis is None:
            shape = a.shape
            flat = jnp.ravel(a)
            mask = None if where is None else jnp.ravel(jnp.broadcast_to(jnp.asarray(where, bool), shape))
            res = self._fold(flat, 0, initial, mask)
            return jnp.reshape(res, (1,) * len(shape)) if keepdims else res
        if isinstance(axis, (tuple, list)):
            raise ValueError(f"{self.__name__}.reduce: a tuple of axes is not supported (as in JAX); reduce one "
                             f"axis at a time or pass axis=None")
        ax = axis % a.ndim if a.ndim else 0
        mask = None if where is None else jnp.broadcast_to(jnp.asarray(where, bool), a.shape)
        res = self._fold(a, ax, initial, mask)
        return jnp.expand_dims(res, ax) if keepdims else res

    def _fold(self, a, ax, initial, mask):
        xs = jnp.moveaxis(a, ax, 0)
        rest = xs.shape[1:]
        start = initial if initial is not None else self.identity
        if mask is not None:
            if start is None:
                raise ValueError(f"reduction operation {self.__name__!r} does not have an identity, so to use a "
                                 f"where mask one has to specify 'initial'.")
            ms = jnp.moveaxis(mask, ax, 0)
            init = jnp.broadcast_to(jnp.asarray(start, xs.dtype), rest)

            def body(carry, xm):
                x, m = xm
                return jnp.where(m, self._func(carry, x), carry), None
            return scan(body, init, (xs, ms))[0]
        if initial is not None:
            init, body_xs = jnp.broadcast_to(jnp.asarray(initial, xs.dtype), rest), xs
        elif xs.shape[0] == 0:
            if self.identity is None:
                raise ValueError(f"zero-size array to reduction operation {self.__name__} which has no identity")
            init, body_xs = jnp.broadcast_to(jnp.asarray(self.identity, xs.dtype), rest), xs
        else:
            init, body_xs = xs[0], xs[1:]
        return scan(lambda carry, x: (self._func(carry, x), None), init, body_xs)[0]

    def accumulate(self, a, axis=0, dtype=None, out=None):
        """The running fold of func along axis (the first element kept as it is)."""
        self._binary("accumulate")
        if out is not None:
            raise ValueError("accumulate: the out argument is not supported: Lintra arrays are immutable")
        if self._accumulate is not None:
            return self._accumulate(a, axis=axis, dtype=dtype)
        a = jnp.asarray(a, dtype=dtype)
        ax = axis % a.ndim
        xs = jnp.moveaxis(a, ax, 0)
        if xs.shape[0] == 0:
            return a

        def body(carry, x):
            nxt = self._func(carry, x)
            return nxt, nxt
        _, tail = scan(body, xs[0], xs[1:])
        return jnp.moveaxis(jnp.concatenate([xs[:1], tail.astype(xs.dtype)]), 0, ax)

    def reduceat(self, a, indices, axis=0, dtype=None, out=None):
        """reduce over the slices a[indices[i]:indices[i+1]] along axis (a[indices[i]] where the next index is
        not larger); indices must be concrete."""
        self._binary("reduceat")
        if out is not None:
            raise ValueError("reduceat: the out argument is not supported: Lintra arrays are immutable")
        if self._reduceat is not None:
            return self._reduceat(a, indices, axis=axis, dtype=dtype)
        try:
            idx = [int(i) for i in np.ravel(np.asarray(concrete_value(jnp.asarray(indices))))]
        except ConcretizationError:
            raise ConcretizationError(f"{self.__name__}.reduceat: the indices set the result's slices, so they "
                                      f"must be concrete") from None
        a = jnp.asarray(a, dtype=dtype)
        ax = axis % a.ndim
        n = a.shape[ax]
        parts = []
        for k, i in enumerate(idx):
            j = idx[k + 1] if k + 1 < len(idx) else n
            seg = jnp.take(a, jnp.arange(i, j), axis=ax) if j > i else jnp.take(a, jnp.asarray([i]), axis=ax)
            parts.append(self.reduce(seg, axis=ax))
        return jnp.stack(parts, axis=ax)

    def at(self, a, indices, b=None, /, *, inplace=True):
        """a with a[indices] = func(a[indices], b) applied one index at a time (repeated indices apply again),
        out of place: pass inplace=False."""
        if inplace:
            raise ValueError(f"{self.__name__}.at: Lintra arrays are immutable; pass inplace=False and use the "
                             f"returned array")
        if self._at is not None:
            return self._at(a, indices, b, inplace=False)
        a = jnp.asarray(a)
        if self.nin == 2 and b is None:
            raise ValueError(f"{self.__name__}.at: a binary ufunc needs the second operand b")
        idx = jnp.asarray(indices)
        if idx.ndim == 0:
            idx = jnp.reshape(idx, (1,))
        idx = jnp.ravel(idx)
        if b is None:
            def step(arr, i):
                return arr.at[i].set(jnp.asarray(self._func(arr[i])).astype(arr.dtype)), None
            return scan(step, a, idx)[0]
        bs = jnp.ravel(jnp.broadcast_to(jnp.asarray(b), idx.shape))

        def step2(arr, ib):
            i, v = ib
            return arr.at[i].set(jnp.asarray(self._func(arr[i], v)).astype(arr.dtype)), None
        return scan(step2, a, (idx, bs))[0]


def frompyfunc(func, /, nin, nout, *, identity=None):
    """func as a jnp.ufunc with nin inputs and nout outputs."""
    return ufunc(func, nin, nout, identity=identity)
