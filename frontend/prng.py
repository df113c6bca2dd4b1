"""Typed PRNG key arrays: what `lintra.random.key` returns, JAX's `key<fry>` arrays.

Representation. A key array of shape S is a `PRNGKeyArray` holding the two Threefry key words as two uint32[S]
arrays (Arrays eagerly, Tracers inside a trace). To users it is one pytree leaf, as in JAX (lintra.tree's
registry); to Lintra's transformations it is a pytree node whose two children are those words (the registry
they flatten with, frontend/tree.py). JAX instead gives key arrays an extended dtype all the way down (a
logical aval key<fry>[S] whose physical aval is uint32[S, 2]), which needs key-aware type, batching and
lowering rules for every structural primitive (slice, gather, broadcast, transpose, select, concatenate, the
control-flow regions...). Two words of exactly the key's shape give the same semantics with none of that:
jit, vmap, scan, fori_loop, while_loop and cond carry keys because they carry pytrees; in_axes/out_axes
(negative ones too), scan's leading axis and indexing mean the same on each word as on the key, since the
words have the key's shape; jit's C++ fast path still sees only uint32 ArrayImpls. The IR never holds a key
type, so there is nothing for an IR pass or the lowering to get wrong.

Functions that only move elements (reshape, stack, concatenate, where, select, broadcast_to, expand_dims,
take, indexing and `.at[].get/set`, dynamic_slice, ... in lax and lintra.numpy) take key arrays as JAX's
do: frontend/words.py applies them to each word. Functions that compute with values (arithmetic, ordering,
reductions, sorting) refuse them with JAX's "... does not accept dtype key<fry>"; mixing keys with integers
raises JAX's ValueError; == and != compare all words.

np.asarray(k) raises a TypeError pointing at key_data (as JAX's does), so a key's words are never mixed up
with ordinary integers.
"""
import numpy as np

from . import lax, numpy as jnp, tree
from .api import jit
from .basearray import Array
from .core import Tracer, is_value, type_of
from .dtypes import KeyTy, key_fry
from .numpy._util import describe
from .words import refuse, register as register_words

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
        return jnp.logical_and(jnp.equal(self._k0, other._k0), jnp.equal(self._k1, other._k1))

    def __ne__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return jnp.logical_or(jnp.not_equal(self._k0, other._k0), jnp.not_equal(self._k1, other._k1))

    __hash__ = None

    @property
    def at(self):
        """k.at[index].get() and .set(keys): the same on each word (JAX allows only these two on keys)."""
        return _KeyAt(self)

    def astype(self, dtype):
        raise TypeError(f"astype: cannot convert a key array to {dtype}; use lintra.random.key_data")

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


def _refusing(name):
    def op(self, *other):
        raise refuse(name, self)
    op.__name__ = name
    return op


# what JAX's key arrays refuse: arithmetic, ordering, bitwise operations (== and != are defined above)
for _dunder, _name in [("add", "add"), ("radd", "add"), ("sub", "subtract"), ("rsub", "subtract"),
                       ("mul", "multiply"), ("rmul", "multiply"), ("truediv", "true_divide"),
                       ("rtruediv", "true_divide"), ("floordiv", "floor_divide"), ("rfloordiv", "floor_divide"),
                       ("mod", "remainder"), ("rmod", "remainder"), ("pow", "power"), ("rpow", "power"),
                       ("matmul", "matmul"), ("rmatmul", "matmul"), ("neg", "negative"), ("pos", "positive"),
                       ("abs", "absolute"), ("invert", "invert"), ("and", "bitwise_and"), ("rand", "bitwise_and"),
                       ("or", "bitwise_or"), ("ror", "bitwise_or"), ("xor", "bitwise_xor"), ("rxor", "bitwise_xor"),
                       ("lshift", "left_shift"), ("rshift", "right_shift"), ("lt", "less"), ("le", "less_equal"),
                       ("gt", "greater"), ("ge", "greater_equal")]:
    setattr(PRNGKeyArray, f"__{_dunder}__", _refusing(_name))


Array.register(PRNGKeyArray)     # a key array is a jax.Array in JAX too


class _KeyAt:
    __slots__ = ("keys",)

    def __init__(self, keys):
        self.keys = keys

    def __getitem__(self, index):
        return _KeyIndexed(self.keys, index)


class _KeyIndexed:
    __slots__ = ("keys", "index")

    def __init__(self, keys, index):
        self.keys, self.index = keys, index

    def get(self, **kwargs):
        return self.keys._map(lambda w: w.at[self.index].get(**kwargs))

    def set(self, values, **kwargs):
        if not isinstance(values, PRNGKeyArray):
            got = describe(values) if is_value(values) else repr(values)
            raise TypeError(f"set: a key array's elements can only be set to keys, got {got}")
        return PRNGKeyArray(self.keys._k0.at[self.index].set(values._k0, **kwargs),
                            self.keys._k1.at[self.index].set(values._k1, **kwargs))

    def __getattr__(self, name):     # add, multiply, min, max, apply, ...: computing with key values
        if name in ("add", "subtract", "multiply", "divide", "power", "min", "max", "apply"):
            raise refuse(f"scatter-{name}", self.keys)
        raise AttributeError(name)


register_words(PRNGKeyArray, lambda k: (k._k0, k._k1), lambda words: PRNGKeyArray(*words), "key<fry>")
tree.register_words_node(PRNGKeyArray, lambda k: (k._k0, k._k1), lambda words: PRNGKeyArray(*words))


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
