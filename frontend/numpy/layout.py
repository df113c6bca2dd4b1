"""Rearranging arrays: split, array_split, tile, repeat, flip, rot90, roll, pad, meshgrid.

Sizes are static, so split points, repeat counts and pad widths must be concrete; roll's shift may be
traced (it becomes a dynamic slice), and so may repeat's counts when total_repeat_length is given.
"""
import operator

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from .. import lax
from ..core import ConcretizationError, bind1, concrete_value, is_value, type_of
from ..words import wordwise
from ._util import asvalue, broadcast_to, canon_axes, canon_axis, check_arraylike, convert, describe, prod_int
from .manipulation import concatenate, ravel, reshape, stack, swapaxes
from .reductions import cumsum, mean
from .searching import nonzero, searchsorted, take
from .ufuncs import remainder, subtract


def _static_ints(name, what, x):
    """x (an int, a sequence of ints, or a concrete integer array) as a tuple of Python ints."""
    if is_value(x):
        value = concrete_value(x)
        if value is None:
            raise ConcretizationError(f"{name}: {what} must be concrete (it sets the result's shape), got a "
                                      f"traced {describe(x)}")
        x = np.asarray(value)
    arr = np.asarray(x)
    if arr.size and arr.dtype.kind not in "iu":
        raise TypeError(f"{name}: {what} must be integers, got {x!r}")
    return tuple(int(v) for v in arr.reshape(-1))


# ---- splitting -------------------------------------------------------------------------------------

def _split(name, ary, indices_or_sections, axis, even):
    check_arraylike(name, ary)
    ary = asvalue(ary)
    t = ary.type
    ax = canon_axis(axis, t.ndim)
    n = t.shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(indices_or_sections, bool):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError(f"{name}: number of sections must be larger than 0, got {sections}")
        if even and n % sections:
            raise ValueError(f"{name}: array split does not result in an equal division: axis {ax} of "
                             f"{describe(ary)} has length {n}, which {sections} does not divide; use array_split")
        size, extra = divmod(n, sections)
        points = np.cumsum([0] + [size + 1] * extra + [size] * (sections - extra)).tolist()
    else:
        points = [0] + list(_static_ints(name, "indices_or_sections", indices_or_sections)) + [n]
    out = []
    for lo, hi in zip(points[:-1], points[1:]):
        lo, hi = (min(max(p + n if p < 0 else p, 0), n) for p in (lo, hi))
        hi = max(lo, hi)
        out.append(lax.slice_in_dim(ary, lo, hi, axis=ax))
    return out


@wordwise()
def split(ary, indices_or_sections, axis=0):
    """Sub-arrays of ary along `axis`: `sections` equal parts, or the parts between the given indices."""
    return _split("split", ary, indices_or_sections, axis, even=True)


@wordwise()
def array_split(ary, indices_or_sections, axis=0):
    """As split, but `sections` need not divide the length: the first n % sections parts get one more."""
    return _split("array_split", ary, indices_or_sections, axis, even=False)


def _split_at(name, axis_of):
    def f(ary, indices_or_sections):
        nd = type_of(ary).ndim
        return _split(name, ary, indices_or_sections, axis_of(nd), even=True)
    f.__name__ = f.__qualname__ = name
    return f


hsplit = _split_at("hsplit", lambda nd: 0 if nd == 1 else 1)
vsplit = _split_at("vsplit", lambda nd: 0)
dsplit = _split_at("dsplit", lambda nd: 2)


# ---- repetition ------------------------------------------------------------------------------------

@wordwise()
def tile(A, reps):
    """A repeated reps[i] times along each axis (reps and A.ndim are aligned from the end)."""
    check_arraylike("tile", A)
    A = asvalue(A)
    reps = _static_ints("tile", "reps", reps)
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: reps {reps} must be non-negative")
    nd = max(A.type.ndim, len(reps))
    reps = (1,) * (nd - len(reps)) + reps
    shape = (1,) * (nd - A.type.ndim) + A.type.shape
    A = reshape(A, shape)
    # put a repetition axis before each axis, broadcast along it, then merge each pair
    wide = tuple(s for pair in zip(reps, shape) for s in pair)
    out = bind1("broadcast_in_dim", A, shape=wide, broadcast_dimensions=tuple(range(1, 2 * nd, 2)))
    return reshape(out, tuple(r * s for r, s in zip(reps, shape)))


@wordwise()
def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    """Each element of `a` repeated `repeats` times along axis (the flattened array when axis is None).
    Traced repeats need total_repeat_length, the static length of the result along axis."""
    check_arraylike("repeat", a)
    a = asvalue(a)
    if axis is None:
        a, axis = ravel(a), 0
    ax = canon_axis(axis, a.type.ndim)
    n = a.type.shape[ax]
    traced = is_value(repeats) and concrete_value(repeats) is None
    if not traced:
        counts = np.asarray(concrete_value(repeats)) if is_value(repeats) else np.asarray(repeats)
        if counts.dtype.kind not in "iu" or counts.ndim > 1:
            raise TypeError(f"repeat: repeats must be an integer or a 1-D integer array, got {repeats!r}")
        if (counts < 0).any():
            raise ValueError(f"repeat: repeats may not contain negative values, got {counts.tolist()}")
        if counts.ndim == 0:
            r = int(counts)
            out = bind1("broadcast_in_dim", a, shape=a.type.shape[:ax + 1] + (r,) + a.type.shape[ax + 1:],
                        broadcast_dimensions=tuple(i + (i > ax) for i in range(a.type.ndim)))
            out = reshape(out, a.type.shape[:ax] + (n * r,) + a.type.shape[ax + 1:])
        else:
            if counts.shape[0] != n:
                raise ValueError(f"repeat: {counts.shape[0]} repeats given for axis {ax} of length {n}")
            idx = np.repeat(np.arange(n, dtype=np.int32), counts)
            out = _take_static(a, idx, ax)
        if total_repeat_length is not None:
            out = _fit(out, ax, int(total_repeat_length))
        return out
    if total_repeat_length is None:
        raise ConcretizationError(f"repeat: the traced repeats {describe(repeats)} set the result's length; "
                                  f"pass total_repeat_length (a static int) to repeat under jit")
    length = int(total_repeat_length)
    reps = broadcast_to(convert(repeats, _dtypes.default_int()), (n,), "repeat")
    ends = cumsum(reps)
    # output position j comes from the first element whose running end exceeds j
    idx = searchsorted(ends, lax.iota(_dtypes.default_int(), length), side="right")
    return take(a, idx, axis=ax, mode="clip")


def _take_static(a, idx, ax):
    return take(a, idx, axis=ax, mode="clip") if len(idx) else \
        lax.slice_in_dim(a, 0, 0, axis=ax)


def _fit(x, ax, length):
    """x cut to `length` along ax, or extended by repeating its last element (as jnp.repeat with
    total_repeat_length)."""
    n = x.type.shape[ax]
    if n >= length:
        return lax.slice_in_dim(x, 0, length, axis=ax)
    if n == 0:
        config = [(0, 0, 0)] * x.type.ndim
        config[ax] = (0, length, 0)
        return lax.pad(x, convert(0, x.type.dtype), config)
    return _take_static(x, np.minimum(np.arange(length, dtype=np.int32), n - 1), ax)


# ---- reversal, rotation, rolling --------------------------------------------------------------------

@wordwise()
def flip(m, axis=None):
    """m with the order of elements reversed along `axis` (all axes when None)."""
    check_arraylike("flip", m)
    m = asvalue(m)
    axes = canon_axes(axis, m.type.ndim)
    return bind1("rev", m, dimensions=axes) if axes else m


@wordwise()
def fliplr(m):
    if type_of(m).ndim < 2:
        raise ValueError(f"fliplr: the input must have at least 2 dimensions, got {describe(m)}")
    return flip(m, 1)


@wordwise()
def flipud(m):
    if type_of(m).ndim < 1:
        raise ValueError(f"flipud: the input must have at least 1 dimension, got {describe(m)}")
    return flip(m, 0)


@wordwise()
def rot90(m, k=1, axes=(0, 1)):
    """m rotated by 90 degrees k times in the plane of `axes` (from the first axis towards the second)."""
    check_arraylike("rot90", m)
    m = asvalue(m)
    nd = m.type.ndim
    if len(axes) != 2:
        raise ValueError(f"rot90: axes must name exactly 2 axes, got {axes!r}")
    a0, a1 = canon_axis(axes[0], nd), canon_axis(axes[1], nd)
    if a0 == a1:
        raise ValueError(f"rot90: axes must be different, got {axes!r}")
    k = operator.index(k) % 4
    if k == 0:
        return m
    if k == 2:
        return flip(m, (a0, a1))
    if k == 1:
        return swapaxes(flip(m, a1), a0, a1)
    return flip(swapaxes(m, a0, a1), a1)


@wordwise()
def roll(a, shift, axis=None):
    """Elements shifted by `shift` along `axis` (wrapping around); the flattened array when axis is None.
    shift and axis may be sequences (broadcast together); shift may be traced."""
    check_arraylike("roll", a)
    a = asvalue(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), a.type.shape)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if is_value(shift) and concrete_value(shift) is None:
        shifts = [shift] if not type_of(shift).ndim else [shift[i] for i in range(type_of(shift).shape[0])]
    else:
        shifts = list(_static_ints("roll", "shift", shift))
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    if len(axes) == 1 and len(shifts) > 1:
        axes = axes * len(shifts)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift {shift!r} and axis {axis!r} must broadcast together")
    for s, ax in zip(shifts, axes):
        a = _roll1(a, s, canon_axis(ax, a.type.ndim))
    return a


def _roll1(a, shift, ax):
    n = a.type.shape[ax]
    if n == 0:
        return a
    if isinstance(shift, int):
        s = shift % n
        if s == 0:
            return a
        return concatenate([lax.slice_in_dim(a, n - s, n, axis=ax), lax.slice_in_dim(a, 0, n - s, axis=ax)], ax)
    # traced: read n elements of [a, a] starting at n - shift (mod n)
    s = remainder(convert(shift, _dtypes.default_int()), n)
    doubled = concatenate([a, a], ax)
    return lax.dynamic_slice_in_dim(doubled, subtract(n, s), n, axis=ax)


# ---- padding ----------------------------------------------------------------------------------------

_INDEX_MODES = ("edge", "reflect", "symmetric", "wrap")
_STAT_MODES = {"maximum": "reduce_max", "minimum": "reduce_min", "mean": "mean"}


def _pad_widths(name, pad_width, nd):
    if is_value(pad_width):
        pad_width = _static_ints(name, "pad_width", pad_width)
    try:
        w = np.asarray(pad_width)
        if w.dtype.kind not in "iu" and w.size:
            raise TypeError
        w = np.broadcast_to(w.astype(np.int64), (nd, 2))
    except (TypeError, ValueError):
        raise ValueError(f"{name}: pad_width {pad_width!r} must be an int, a (before, after) pair, or one such "
                         f"pair per axis ({nd} axes)") from None
    if (w < 0).any():
        raise ValueError(f"{name}: pad_width {pad_width!r} may not contain negative values")
    return [(int(b), int(e)) for b, e in w]


def pad(array, pad_width, mode="constant", **kwargs):
    """np.pad: modes constant (constant_values), edge, reflect, symmetric, wrap, maximum, minimum, mean,
    and empty (zeros here: arrays are never uninitialised)."""
    check_arraylike("pad", array)
    x = asvalue(array)
    nd = x.type.ndim
    widths = _pad_widths("pad", pad_width, nd)
    allowed = {"constant": {"constant_values"}, "reflect": {"reflect_type"}, "symmetric": {"reflect_type"},
               "empty": set(), **{m: set() for m in ("edge", "wrap")},
               **{m: {"stat_length"} for m in _STAT_MODES}}
    if not isinstance(mode, str) or mode not in allowed:
        raise ValueError(f"pad: mode {mode!r} is not supported; expected one of {', '.join(allowed)}")
    bad = set(kwargs) - allowed[mode]
    if bad:
        raise ValueError(f"pad: unsupported keyword arguments for mode {mode!r}: {sorted(bad)}")
    if mode in ("constant", "empty"):
        return _pad_constant(x, widths, kwargs.get("constant_values", 0))
    if kwargs.get("reflect_type", "even") != "even":
        raise ValueError(f"pad: only reflect_type='even' is supported, got {kwargs['reflect_type']!r}")
    if kwargs.get("stat_length") is not None:
        raise ValueError("pad: stat_length is not supported; the statistic is taken over the whole axis")
    for ax, (before, after) in enumerate(widths):
        if before == after == 0:
            continue
        n = x.type.shape[ax]
        if n == 0:
            raise ValueError(f"pad: can't extend empty axis {ax} of {describe(x)} using mode {mode!r}")
        if mode in _INDEX_MODES:   # NumPy's own index arithmetic, applied to positions
            idx = np.pad(np.arange(n, dtype=np.int32), (before, after), mode=mode)
            x = _take_static(x, idx, ax)
        else:
            x = _pad_stat(x, ax, before, after, mode)
    return x


def _pad_constant(x, widths, constant_values):
    t = x.type
    v = np.asarray(constant_values) if isinstance(constant_values, (list, tuple)) else constant_values
    if type_of(v).ndim == 0:
        return lax.pad(x, convert(v, t.dtype), [(lo, hi, 0) for lo, hi in widths])
    try:
        v = broadcast_to(v, (t.ndim, 2), "pad")
    except ValueError:
        raise ValueError(f"pad: constant_values {constant_values!r} must be a scalar, a (before, after) pair, or "
                         f"one pair per axis ({t.ndim} axes)") from None
    for ax, (lo, hi) in enumerate(widths):
        for width, side in ((lo, 0), (hi, 1)):
            if width:
                config = [(0, 0, 0)] * t.ndim
                config[ax] = (width, 0, 0) if side == 0 else (0, width, 0)
                x = lax.pad(x, convert(v[ax, side], t.dtype), config)
    return x


def _pad_stat(x, ax, before, after, mode):
    t = x.type
    if mode == "mean":
        stat = mean(x, axis=ax, keepdims=True)
        if T.is_int(t.dtype):   # NumPy rounds the mean to the array's integer dtype
            stat = bind1("round", stat, rounding_method=1)
        stat = convert(stat, t.dtype, t.weak)
    else:
        stat = reshape(bind1(_STAT_MODES[mode], x, axes=(ax,)), t.shape[:ax] + (1,) + t.shape[ax + 1:])
    parts = []
    for width in (before, after):
        shape = t.shape[:ax] + (width,) + t.shape[ax + 1:]
        parts.append(broadcast_to(stat, shape) if width else None)
    return concatenate([p for p in (parts[0], x, parts[1]) if p is not None], ax)


# ---- grids ----------------------------------------------------------------------------------------

def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate arrays from 1-D coordinate vectors: 'xy' (Cartesian, the default) swaps the first two
    output axes relative to 'ij' (matrix) indexing."""
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    check_arraylike("meshgrid", *xi)
    xs = [ravel(asvalue(x)) for x in xi]
    n = len(xs)
    shape = [x.type.shape[0] for x in xs]
    if indexing == "xy" and n >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, x in enumerate(xs):
        pos = i
        if indexing == "xy" and n >= 2 and i < 2:
            pos = 1 - i
        if sparse:
            s = [1] * n
            s[pos] = x.type.shape[0]
            out.append(reshape(x, tuple(s)))
        else:
            out.append(bind1("broadcast_in_dim", x, shape=tuple(shape), broadcast_dimensions=(pos,)))
    return out


def ix_(*args):
    """Open-mesh index arrays: the i-th is reshaped to have length n_i along axis i and 1 elsewhere."""
    check_arraylike("ix_", *args)
    n = len(args)
    out = []
    for i, a in enumerate(args):
        if type_of(a).ndim != 1:
            raise ValueError(f"ix_: arguments must be 1-dimensional, got {describe(a)} at position {i}")
        if T.is_bool(type_of(a).dtype):
            a, = nonzero(a)
        a = asvalue(a)
        out.append(reshape(a, (1,) * i + (a.type.shape[0],) + (1,) * (n - i - 1)))
    return tuple(out)


def indices(dimensions, dtype=None, sparse=False):
    """An array of grid indices: out[i][j, k, ...] is the i-th index of position (j, k, ...)."""
    dims = tuple(operator.index(d) for d in dimensions)
    d = _dtypes.default_int() if dtype is None else _dtypes.canonicalize_dtype(dtype)
    if sparse:
        return tuple(reshape(lax.iota(d, n), (1,) * i + (n,) + (1,) * (len(dims) - i - 1))
                     for i, n in enumerate(dims))
    grids = [bind1("iota", dtype=d, shape=dims, dimension=i) for i in range(len(dims))] if prod_int(dims) \
        else [convert(np.zeros(dims, d), d) for _ in dims]
    return stack(grids) if grids else convert(np.zeros((0,), d), d)
