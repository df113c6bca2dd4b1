"""Typed PRNG key arrays: what `lintra.random.key` returns, JAX's `key<fry>` arrays.

Representation. A key array of shape S is a `PRNGKeyArray` holding the two Threefry key words as two uint32[S]
arrays (Arrays eagerly, Tracers inside a trace), and it is a pytree node whose two children are those words.
JAX instead gives key arrays an extended dtype all the way down (a logical aval key<fry>[S] whose physical
aval is uint32[S, 2]), which needs key-aware type, batching and lowering rules for every structural
primitive (slice, gather, broadcast, transpose, select, concatenate, the control-flow regions...). Two words
of exactly the key's shape give the same semantics with none of that: jit, vmap, scan, fori_loop, while_loop
and cond carry keys because they carry pytrees; in_axes/out_axes (negative ones too), scan's leading axis
and indexing mean the same on each word as on the key, since the words have the key's shape; jit's C++ fast
path still sees only uint32 ArrayImpls. The IR never holds a key type, so there is nothing for an IR pass or
the lowering to get wrong.

What differs from JAX: key arrays are pytree nodes, so `lintra.tree.leaves(k)` gives the two uint32 word
arrays where JAX gives [k], and `isinstance(k, lintra.Array)` is False. Key arrays support shape queries,
indexing, iteration, reshape/ravel/flatten/squeeze/transpose/T, ==/!= and block_until_ready. lintra.numpy
functions (jnp.stack, jnp.concatenate, jnp.where, ... which JAX accepts on keys) refuse them: they convert
through __array__, which raises a TypeError pointing at key_data, so a key's words are never mixed up with
ordinary integers.
"""
import numpy as np

from . import lax, tree
from .api import jit
from .core import Tracer, is_value, type_of
from .dtypes import KeyTy, key_fry
from .numpy._util import describe

_U32 = np.dtype(np.uint32)
IMPL = "threefry2x32"


class PRNGKeyArray:
    """An array of Threefry-2x32 keys of dtype key<fry>; see the module docstring."""
    __slots__ = ("_k0", "_k1")
    __array_priority__ = 200
    dtype = key_fry
    itemsize = KeyTy.itemsize

    def __init__(self, k0, k1):
        # No checks: pytree unflattening (tree.map, vmap's axis trees) builds nodes around arbitrary leaves.
        self._k0, self._k1 = k0, k1

    shape = property(lambda self: tuple(type_of(self._k0).shape))
    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))
    T = property(lambda self: self.transpose())

    def _map(self, f):
        return PRNGKeyArray(f(self._k0), f(self._k1))

    def __getitem__(self, index):
        return self._map(lambda w: w[index])

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d key array")
        return (self[i] for i in range(self.shape[0]))

    def reshape(self, *shape, order="C"):
        return self._map(lambda w: w.reshape(*shape, order=order))

    def ravel(self, order="C"):
        return self._map(lambda w: w.ravel(order))

    flatten = ravel

    def squeeze(self, axis=None):
        return self._map(lambda w: w.squeeze(axis))

    def transpose(self, *axes):
        return self._map(lambda w: w.transpose(*axes))

    def copy(self):
        return self

    def block_until_ready(self):
        for w in (self._k0, self._k1):
            w.block_until_ready()
        return self

    def __eq__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return lax.bitwise_and(lax.eq(self._k0, other._k0), lax.eq(self._k1, other._k1))

    def __ne__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return lax.bitwise_or(lax.ne(self._k0, other._k0), lax.ne(self._k1, other._k1))

    __hash__ = None

    def __array__(self, *args, **kwargs):
        raise TypeError("Lintra array with PRNGKey dtype cannot be converted to a NumPy array. Use "
                        "lintra.random.key_data(arr) if you wish to extract the underlying integer array.")

    def __repr__(self):
        if isinstance(self._k0, Tracer):
            return f"Traced<key<fry>[{','.join(map(str, self.shape))}]>"
        if not is_value(self._k0):
            return f"PRNGKeyArray({self._k0!r}, {self._k1!r})"
        return f"Array({self.shape}, dtype=key<fry>) overlaying:\n{np.asarray(data(self))}"

    __str__ = __repr__


tree.register_pytree_node(PRNGKeyArray, lambda k: ((k._k0, k._k1), None), lambda _, words: PRNGKeyArray(*words))


def _stack(k0, k1):
    return lax.concatenate([lax.expand_dims(k0, (-1,)), lax.expand_dims(k1, (-1,))], -1)


def _unstack(raw):
    return PRNGKeyArray(*(lax.index_in_dim(raw, i, -1, keepdims=False) for i in (0, 1)))


_stack_jit, _unstack_jit = jit(_stack), jit(_unstack)


def data(keys):
    """The uint32[..., 2] data of a typed key array (traced or not)."""
    f = _stack if isinstance(keys._k0, Tracer) else _stack_jit
    return f(keys._k0, keys._k1)


def wrap(raw):
    """A typed key array from uint32[..., 2] data (already checked)."""
    return (_unstack if isinstance(raw, Tracer) else _unstack_jit)(raw)


def check_data(raw):
    """raw as wrap_key_data requires it, with JAX's errors."""
    t = type_of(raw)
    if t.dtype != _U32:
        raise TypeError(f"Lintra encountered invalid PRNG key data: expected key_data.dtype = uint32; got "
                        f"dtype={t.dtype.name}")
    if t.shape[-1:] != (2,):
        raise TypeError(f"Lintra encountered invalid PRNG key data: expected key_data.shape to end with (2,); "
                        f"got shape={t.shape} for impl={IMPL}")
    return raw


def not_a_key(name, x):
    return TypeError(f"{name}: expected a PRNG key array, got {describe(x) if is_value(x) else repr(x)}")
