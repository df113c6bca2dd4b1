"""Indexing with NumPy's rules: x[idx] and the functional updates x.at[idx].set/add/multiply/min/max/get.

An index is first expanded into one entry per operand dimension (plus new axes): static slices, static
integers, traced integer scalars, integer arrays (advanced indexing; concrete boolean masks become integer
arrays). Static slices and integers lower to slice/rev/reshape; anything else becomes one gather (or one
scatter for .at updates), as in JAX.

Out-of-bounds indices, static or traced, follow JAX's modes (lax.GatherScatterMode): x[idx] and
x.at[idx].get() clamp by default ('clip'; 'promise_in_bounds' is XLA's gather, which clamps too), 'fill'
(or 'drop') reads fill_value instead; updates drop out-of-bounds windows by default ('fill', 'drop',
'promise_in_bounds': XLA's scatter drops them), 'clip' clamps them. Negative indices count from the end
first (unless wrap_negative_indices=False), so -n-1 is out of bounds too. As JAX, an integer index into an
axis of size 0 is an IndexError: there is no element to clamp to.
"""
import operator

import numpy as np

from ...ir import types as T
from .. import lax
from ..core import Tracer, bind1, concrete_value, constant, is_value, type_of
from ..words import is_words
from ._util import asvalue, broadcast_to, convert, describe
from .ufuncs import divide, negative, power

_Mode = lax.GatherScatterMode

_I32 = np.dtype(np.int32)
_VALID = "only integers, slices (`:`), ellipsis (`...`), None (newaxis) and integer or boolean arrays are valid " \
         "indices"


class _Slice:
    __slots__ = ("start", "stop", "step", "length")

    def __init__(self, start, stop, step):
        self.start, self.stop, self.step = start, stop, step
        self.length = len(range(start, stop, step))


class _Index:
    """An index expanded to entries: ('new', size), ('slice', dim, _Slice), ('int', dim, i),
    ('dyn', dim, scalar value) or ('array', dim, int array), where dim is the operand dimension."""

    def __init__(self, x_type, idx, wrap=True, clamp=False):
        self.entries = _expand(x_type.shape, idx, wrap)
        self.wrap = wrap
        # a gather that clamps: an out-of-bounds static integer reads the nearest element. As JAX, it is
        # gathered (clamped by XLA) rather than sliced, so checkify's index checks see it
        oob = clamp and any(e[0] == "int" and not 0 <= e[2] < x_type.shape[e[1]] for e in self.entries)
        arrays = [k for k, e in enumerate(self.entries) if e[0] == "array"]
        self.advanced = bool(arrays)
        if self.advanced:   # NumPy: once there is an array index, integers are 0-d array indices too
            self.entries = [("array", e[1], np.asarray(e[2], _I32) if e[0] == "int" else e[2])
                            if e[0] in ("int", "dyn") else e for e in self.entries]
            arrays = [k for k, e in enumerate(self.entries) if e[0] == "array"]
            try:
                self.batch = tuple(np.broadcast_shapes(*[type_of(e[2]).shape for e in self.entries
                                                         if e[0] == "array"]))
            except ValueError:
                shapes = " ".join(str(type_of(self.entries[k][2]).shape) for k in arrays)
                raise IndexError(f"shape mismatch: indexing arrays could not be broadcast together with shapes "
                                 f"{shapes}") from None
            # NumPy places the broadcast index dimensions where the arrays are if they are adjacent, else first
            self.adv_at = arrays[0] if arrays[-1] - arrays[0] + 1 == len(arrays) else -1
        self.dynamic = oob or any(e[0] in ("dyn", "array") for e in self.entries)

    def result_shape(self, with_new=True):
        out = [] if not self.advanced or self.adv_at >= 0 else list(self.batch)
        for k, e in enumerate(self.entries):
            if self.advanced and k == self.adv_at:
                out += self.batch
            if e[0] == "new" and with_new:
                out.append(e[1])
            elif e[0] == "slice":
                out.append(e[2].length)
        return tuple(out)


def _static_int(x, what):
    if isinstance(x, Tracer) and concrete_value(x) is None:
        raise IndexError(f"{what} must be a static integer, got a traced {describe(x)}; use lax.dynamic_slice "
                         f"for slices at traced positions")
    try:
        return operator.index(x)
    except TypeError:
        raise TypeError(f"{what} must be an integer or None, got {x!r} of type {type(x).__name__}") from None


def _classify(e, pos):
    """One raw index element as ('new',) ('ellipsis',) ('slice', s) ('bool', b) ('int', i) ('dyn', v)
    ('array', a) or ('mask', a)."""
    if e is None:
        return ("new",)
    if e is Ellipsis:
        return ("ellipsis",)
    if isinstance(e, slice):
        return ("slice", e)
    if isinstance(e, (bool, np.bool_)):
        return ("bool", bool(e))
    if isinstance(e, (int, np.integer)):
        return ("int", int(e))
    if isinstance(e, (list, tuple)):
        e = np.asarray(e)
        if e.size == 0:
            e = e.astype(np.intp)
    if isinstance(e, np.ndarray) or is_value(e):
        t = type_of(e)
        if T.is_bool(t.dtype):
            if concrete_value(e) is None:   # concrete tracers (grad outside jit) know their values
                raise IndexError(f"boolean index at position {pos} is a traced {describe(e)}: the result's shape "
                                 f"would depend on its values, so it must be a concrete (non-traced) array. Use "
                                 f"jnp.where(mask, x, fill) to select without changing the shape")
            mask = np.asarray(concrete_value(e))
            return ("bool", bool(mask)) if mask.ndim == 0 else ("mask", mask)
        if T.is_int(t.dtype):
            if isinstance(e, np.ndarray):
                return ("int", int(e)) if e.ndim == 0 else ("array", e)
            return ("dyn", e) if t.ndim == 0 else ("array", e)
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type "
                        f"{np.dtype(t.dtype).name} at position {pos} ({describe(e)}); {_VALID}")
    if is_words(e):        # a key array, as JAX: a TypeError naming its dtype
        raise TypeError(f"Indexer must have integer or boolean type, got indexer with type {e.dtype} at position "
                        f"{pos}")
    raise IndexError(f"{_VALID}; got {e!r} of type {type(e).__name__} at position {pos}")


def _expand(shape, idx, wrap):
    if isinstance(idx, list):
        raise TypeError("Using a non-tuple sequence for multidimensional indexing is not allowed; use "
                        "`arr[array(seq)]` instead of `arr[seq]` (or `arr[tuple(seq)]` for one index per axis)")
    raw = [_classify(e, pos) for pos, e in enumerate(idx if isinstance(idx, tuple) else (idx,))]
    ellipses = sum(r[0] == "ellipsis" for r in raw)
    if ellipses > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(r[1].ndim if r[0] == "mask" else 1 for r in raw if r[0] not in ("new", "bool", "ellipsis"))
    ndim = len(shape)
    if used > ndim:
        raise IndexError(f"too many indices for array: array is {ndim}-dimensional, but {used} were indexed")
    out, d = [], 0
    for pos, r in enumerate(raw + [("ellipsis",)] * (ellipses == 0)):
        kind = r[0]
        if kind == "ellipsis":
            for _ in range(ndim - used):
                out.append(("slice", d, _Slice(0, shape[d], 1)))
                d += 1
        elif kind == "new":
            out.append(("new", 1))
        elif kind == "bool":   # x[True] adds an axis of length 1, x[False] one of length 0
            out.append(("new", int(r[1])))
        elif kind == "slice":
            s = r[1]
            step = 1 if s.step is None else _static_int(s.step, "slice step")
            if step == 0:
                raise ValueError("slice step cannot be zero")
            start, stop = (None if v is None else _static_int(v, f"slice {w}")
                           for v, w in ((s.start, "start"), (s.stop, "stop")))
            out.append(("slice", d, _Slice(*slice(start, stop, step).indices(shape[d]))))
            d += 1
        elif kind == "int":   # kept out of bounds if it is: what that means depends on the mode
            i, n = r[1], shape[d]
            _check_nonempty(n, d)
            out.append(("int", d, i + n if i < 0 and wrap else i))
            d += 1
        elif kind == "mask":
            mask = r[1]
            expected = shape[d:d + mask.ndim]
            if mask.shape != expected:
                raise IndexError(f"boolean index did not match shape of indexed array in index {pos}: got mask "
                                 f"of shape {mask.shape}, expected {expected}")
            for ix in np.nonzero(mask):
                out.append(("array", d, ix.astype(_I32)))
                d += 1
        else:   # dyn or array
            a = r[1]
            if kind == "dyn":
                _check_nonempty(shape[d], d)
            if isinstance(a, np.ndarray):
                n = shape[d]
                a = np.where(a < 0, a + n, a).astype(_I32) if a.dtype.kind == "i" and wrap else a.astype(_I32)
            out.append((kind, d, a))
            d += 1
    return out


def _check_nonempty(n, d):
    if n == 0:   # as JAX: even a gather that clamps has no element to read
        raise IndexError(f"index is out of bounds for axis {d} with size 0")


# ---- x[idx] ---------------------------------------------------------------------------------------

def getitem(x, idx, mode=None, fill_value=None, indices_are_sorted=False, unique_indices=False,
            wrap_negative_indices=True):
    """x[idx] with NumPy's indexing rules; out-of-bounds indices are clamped unless mode is 'fill'/'drop'."""
    x = asvalue(x)
    mode = _Mode.CLIP if mode is None else _Mode.from_any(mode)
    fill = mode is _Mode.FILL_OR_DROP
    index = _Index(x.type, idx, wrap_negative_indices, clamp=not fill)
    if fill and any(e[0] == "int" and not 0 <= e[2] < x.type.shape[e[1]] for e in index.entries):
        index.dynamic = True   # a static slice cannot fill; the gather masks the out-of-bounds read
    if not index.dynamic:
        return _static_getitem(x, index)
    final = index.result_shape()
    if 0 in final:   # as JAX: an empty result reads nothing, so no gather (its slices may not fit an empty axis)
        return broadcast_to(convert(0, x.type.dtype, x.type.weak), final)
    spec = _Spec(x.type, index)
    dn = lax.GatherDimensionNumbers(spec.offset_dims, spec.collapsed, spec.start_index_map)
    out = lax.gather(x, spec.indices, dn, spec.slice_sizes, mode=mode, fill_value=fill_value,
                     indices_are_sorted=indices_are_sorted, unique_indices=unique_indices)
    return out if type_of(out).shape == final else bind1("reshape", out, new_sizes=final)


def _static_getitem(x, index):
    shape = x.type.shape
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    rev = []
    for e in index.entries:
        if e[0] == "int":
            starts[e[1]], limits[e[1]] = e[2], e[2] + 1
        elif e[0] == "slice":
            d, s, n = e[1], e[2], shape[e[1]]
            start, step = s.start, s.step
            if s.length == 0:
                starts[d] = limits[d] = 0
                continue
            if step < 0:   # reverse the axis, then take a forward slice
                rev.append(d)
                start, step = n - 1 - start, -step
            starts[d], limits[d], strides[d] = start, start + (s.length - 1) * step + 1, step
    if rev:
        x = bind1("rev", x, dimensions=tuple(rev))
    if (starts, limits, strides) != ([0] * len(shape), list(shape), [1] * len(shape)):
        x = bind1("slice", x, start_indices=tuple(starts), limit_indices=tuple(limits), strides=tuple(strides))
    with_ones = tuple(1 if e[0] == "new" else e[2].length for e in index.entries if e[0] != "int")
    if x.type.shape != with_ones:
        x = bind1("reshape", x, new_sizes=with_ones)
    final = index.result_shape()
    if final != with_ones:   # an x[False] axis of length 0
        x = bind1("slice", x, start_indices=(0,) * len(final), limit_indices=final, strides=(1,) * len(final))
    return x


# ---- gather/scatter dimension numbers ---------------------------------------------------------------

class _Spec:
    """Gather (or scatter) dimension numbers and the index array for an expanded index."""

    def __init__(self, x_type, index):
        shape = x_type.shape
        comps = []            # (operand dim, int array or value, positions of its dims among the batch dims)
        core = []             # result dims without new axes: ("offset", dim) | ("batch", size)
        collapsed, sizes = [], list(shape)
        nbatch = 0

        def add_adv():
            nonlocal nbatch
            for e in index.entries:
                if e[0] == "array":
                    nd = type_of(e[2]).ndim
                    start = nbatch + len(index.batch) - nd   # right-aligned, as broadcasting
                    comps.append((e[1], e[2], tuple(range(start, start + nd))))
            core.extend(("batch", n) for n in index.batch)
            nbatch += len(index.batch)

        if index.advanced and index.adv_at < 0:
            add_adv()
        for k, e in enumerate(index.entries):
            if index.advanced and k == index.adv_at:
                add_adv()
            kind = e[0]
            if kind == "new":
                continue
            d = e[1]
            if kind == "slice":
                s = e[2]
                if s.step == 1:
                    sizes[d] = s.length
                    core.append(("offset", d))
                    if s.start:
                        comps.append((d, np.asarray(s.start, _I32), ()))
                else:   # a strided slice gathers the positions it names
                    comps.append((d, np.arange(s.start, s.stop, s.step, dtype=_I32), (nbatch,)))
                    core.append(("batch", s.length))
                    collapsed.append(d)
                    sizes[d] = 1
                    nbatch += 1
            elif kind in ("int", "dyn"):
                value = np.asarray(e[2], _I32) if kind == "int" else e[2]
                comps.append((d, value, ()))
                collapsed.append(d)
                sizes[d] = 1
            else:   # arrays were placed by add_adv
                collapsed.append(d)
                sizes[d] = 1
        if not comps and shape:
            comps.append((0, np.asarray(0, _I32), ()))
        self.batch_shape = tuple(n for kind, n in core if kind == "batch")
        self.offset_dims = tuple(i for i, c in enumerate(core) if c[0] == "offset")
        self.collapsed = tuple(sorted(collapsed))
        self.start_index_map = tuple(c[0] for c in comps)
        self.slice_sizes = tuple(sizes)
        self.core_shape = tuple(c[1] if c[0] == "batch" else sizes[c[1]] for c in core)
        self.indices = self._indices(comps, shape, index.wrap)

    def _indices(self, comps, shape, wrap):
        batch, nb = self.batch_shape, len(self.batch_shape)
        if all(isinstance(v, np.ndarray) for _, v, _ in comps):
            cols = []
            for _, v, dims in comps:
                layout = [1] * nb
                for j, p in enumerate(dims):
                    layout[p] = v.shape[j]
                cols.append(np.broadcast_to(v.reshape(layout), batch))
            return constant(np.stack(cols, axis=-1).astype(_I32))
        cols = []
        for d, v, dims in comps:
            if isinstance(v, np.ndarray):
                v = constant(v.astype(_I32))
            else:
                v = convert(v, _I32)
                if wrap and T.is_signed(type_of(v).dtype):   # negative indices count from the end
                    n = broadcast_to(convert(shape[d], _I32), type_of(v).shape)
                    zero = broadcast_to(convert(0, _I32), type_of(v).shape)
                    v = bind1("select_n", bind1("lt", v, zero), v, bind1("add", v, n))
            cols.append(bind1("broadcast_in_dim", v, shape=batch + (1,), broadcast_dimensions=dims))
        return cols[0] if len(cols) == 1 else bind1("concatenate", *cols, dimension=nb)


# ---- x.at[idx] ----------------------------------------------------------------------------------------

_SCATTER = {"set": lax.scatter, "add": lax.scatter_add, "multiply": lax.scatter_mul, "min": lax.scatter_min,
            "max": lax.scatter_max}
_SCALAR = {"add": "add", "multiply": "mul", "min": "min", "max": "max"}


def scatter(x, idx, values, how, mode=None, indices_are_sorted=False, unique_indices=False,
            wrap_negative_indices=True):
    """x with the elements x[idx] replaced by (how='set') or combined with `values`, broadcast to x[idx]'s
    shape and cast to x's dtype. Out-of-bounds updates are dropped, or clamped with mode='clip'."""
    x = asvalue(x)
    t = x.type
    mode = _Mode.from_any(mode)
    index = _Index(t, idx, wrap_negative_indices)
    func = values if how == "apply" else None
    if func is not None:
        values = 0      # the windows' shape is all scatter_apply reads of its updates
    values = convert(np.asarray(values) if isinstance(values, (list, tuple)) else values, t.dtype, t.weak)
    final = index.result_shape()
    try:
        values = broadcast_to(values, final)
    except ValueError:
        raise ValueError(f"x.at[...].{how}: the update of shape {type_of(values).shape} cannot be broadcast to the "
                         f"shape {final} of the indexed part x[...] of {describe(x)}") from None
    if 0 in final:
        return x
    core = index.result_shape(with_new=False)
    values = bind1("reshape", values, new_sizes=core) if final != core else values
    if not t.shape:   # a 0-d x: nothing to index, the update applies to its one element
        if func is not None:
            return convert(func(x), t.dtype, t.weak)
        return values if how == "set" else bind1(_SCALAR[how], x, values)
    spec = _Spec(t, index)
    dn = lax.ScatterDimensionNumbers(spec.offset_dims, spec.collapsed, spec.start_index_map)
    if func is not None:
        return lax.scatter_apply(x, spec.indices, func, dn, update_shape=type_of(values).shape,
                                 indices_are_sorted=indices_are_sorted, unique_indices=unique_indices, mode=mode)
    return _SCATTER[how](x, spec.indices, values, dn, indices_are_sorted=indices_are_sorted,
                         unique_indices=unique_indices, mode=mode)


def _ones_like(x):
    t = type_of(x)
    return broadcast_to(convert(1, t.dtype, t.weak), t.shape)


class _IndexUpdateRef:
    """x.at[idx]: functional updates of the elements x[idx]. Every method takes JAX's keywords
    indices_are_sorted, unique_indices (hints passed on to XLA; unique_indices=True also lets multiply be
    differentiated), mode and wrap_negative_indices."""
    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array, self.index = array, index

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None, fill_value=None,
            out_sharding=None, wrap_negative_indices=True):
        return getitem(self.array, self.index, mode, fill_value, indices_are_sorted, unique_indices,
                       wrap_negative_indices)

    def _update(self, values, how, kw):
        kw.pop("out_sharding", None)   # sharding of the result is left to propagation
        return scatter(self.array, self.index, values, how, **kw)

    def set(self, values, **kw):
        return self._update(values, "set", kw)

    def add(self, values, **kw):
        return self._update(values, "add", kw)

    def subtract(self, values, **kw):
        return self._update(negative(values), "add", kw)

    def multiply(self, values, **kw):
        return self._update(values, "multiply", kw)

    mul = multiply

    def divide(self, values, **kw):   # as JAX: x / (1 scattered-multiplied by values)
        return divide(self.array, scatter(_ones_like(self.array), self.index, values, "multiply", **kw))

    def power(self, values, **kw):    # as JAX: x ** (1 scattered-multiplied by values)
        return power(self.array, scatter(_ones_like(self.array), self.index, values, "multiply", **kw))

    def min(self, values, **kw):
        return self._update(values, "min", kw)

    def max(self, values, **kw):
        return self._update(values, "max", kw)

    def apply(self, func, *, indices_are_sorted=False, unique_indices=False, mode=None,
              wrap_negative_indices=True):
        """x with func (a function of one scalar) applied to the elements x[idx], as JAX: once per occurrence
        of an index, so an element indexed twice gets func(func(x)). Not differentiable (nor in JAX)."""
        return scatter(self.array, self.index, func, "apply", mode, indices_are_sorted, unique_indices,
                       wrap_negative_indices)

    def __repr__(self):
        return f"_IndexUpdateRef({describe(self.array)}, {self.index!r})"


class _IndexUpdateHelper:
    """The `.at` property of arrays: x.at[idx].set(y) is x with x[idx] replaced by y."""
    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return _IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({describe(self.array)})"
