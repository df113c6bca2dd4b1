"""A small NumPy reference interpreter of Lintra's IR, for the random-program test (ir_programs.py).

One rule per primitive in RULES, each `rule(*operands, **attrs) -> array or list of arrays`, computed in the
operand's own dtype, as XLA does. Where XLA's CPU results are defined but differ from NumPy's (or NumPy
warns or raises), the rule says what XLA gives, as measured with Lintra on jaxlib 0.10.2's CPU client:
- integer x / 0 is -1 (signed) or the maximum (unsigned), x % 0 is x, MIN / -1 is MIN and MIN % -1 is 0;
  integer division truncates toward zero and the remainder takes the dividend's sign (C's, not Python's);
- float -> integer conversion saturates at the integer's bounds and sends NaN to 0; integer -> narrower
  integer wraps; anything -> bool tests for nonzero (NaN is True);
- integer pow with a negative exponent is 0, but 1 for a base of 1 and +-1 for a base of -1; 0 ** 0 is 1;
- shifts by a negative amount or by the bit width or more give 0 (shift_right_arithmetic: the sign);
  shift_right_arithmetic shifts the bit pattern as a signed integer, also for unsigned types;
- max/min propagate NaN; complex max/min/sort order lexicographically (real, imag), as Lintra defines them;
- erf_inv(+-1) is +-inf; lgamma at the poles is +inf; digamma at the poles is NaN;
- subnormal operands of arithmetic and comparisons read as zero (denormals-are-zero);
- complex sqrt ignores the sign of a zero imaginary part (sqrt(-4 - 0j) is 2j);
- round's rounding_method 0 rounds half away from zero, 1 half to even.
Only ops the generator makes are covered (not collectives, callbacks or linear algebra).
"""
import ml_dtypes
import numpy as np
import scipy.special as sp

from lintra.ir.types import dtype

BF16 = np.dtype(ml_dtypes.bfloat16)


class Unspecified(Exception):
    """The op's result is not specified for these operands (so there is nothing to compare): a reduction whose
    combining function is not associative on them, as complex max/min with a NaN part."""


def _dtype(name):
    """The NumPy dtype an IR attribute names ("f32", or a dtype)."""
    return dtype(name)


def _wide(x):
    """x in a dtype NumPy's special functions take (bf16 and f16 go through f32, as XLA's CPU does)."""
    return x.astype(np.float32) if x.dtype in (BF16, np.float16) else x


def _same(f):
    """An elementwise rule computed in f32 for 16-bit floats and rounded back."""
    def rule(*xs, **_):
        with np.errstate(all="ignore"):
            return np.asarray(f(*[_wide(x) for x in xs])).astype(xs[0].dtype)
    return rule


def _is_int(x):
    return x.dtype.kind in "iu"


# ---- integer arithmetic with XLA's defined results ---------------------------------------------------

def _int_div(x, y):
    if not _is_int(x):
        with np.errstate(all="ignore"):
            return (_wide(x) / _wide(y)).astype(x.dtype)
    zero = y == 0
    overflow = (x == np.iinfo(x.dtype).min) & (y == -1) if x.dtype.kind == "i" else np.zeros(x.shape, bool)
    safe = np.where(zero | overflow, 1, y).astype(x.dtype)
    q = x // safe
    q = q + ((x % safe != 0) & ((x < 0) != (safe < 0))).astype(x.dtype)     # toward zero, as C
    on_zero = -1 if x.dtype.kind == "i" else np.iinfo(x.dtype).max
    return np.where(zero, np.array(on_zero).astype(x.dtype), np.where(overflow, x, q)).astype(x.dtype)


def _int_rem(x, y):
    if not _is_int(x):
        with np.errstate(all="ignore"):
            return np.fmod(_wide(x), _wide(y)).astype(x.dtype)
    zero = y == 0
    safe = np.where(zero, 1, y).astype(x.dtype)
    with np.errstate(all="ignore"):
        r = np.fmod(x, safe) if x.dtype.kind == "u" else np.fmod(x.astype(np.int64), safe.astype(np.int64))
    return np.where(zero, x, r).astype(x.dtype)


def _pow(x, y):
    if _is_int(x):
        out = np.ones(x.shape, x.dtype)
        base, n = x.copy(), y.astype(np.int64)
        neg = n < 0
        n = np.where(neg, 0, n)
        with np.errstate(all="ignore"):
            while (n > 0).any():
                out = np.where(n & 1, out * base, out).astype(x.dtype)
                base = (base * base).astype(x.dtype)
                n >>= 1
        minus_one = np.where(y.astype(np.int64) % 2 == 0, 1, -1) if x.dtype.kind == "i" else 0
        at_neg = np.where(x == 1, 1, np.where(x.astype(np.int64) == -1, minus_one, 0))
        return np.where(neg, at_neg, out).astype(x.dtype)
    with np.errstate(all="ignore"):
        out = np.power(_wide(x), _wide(y))
        if x.dtype.kind == "c":
            out = np.where((x == 0) & (y == 0), 1, out)
        return out.astype(x.dtype)


def _shift(kind):
    def rule(x, y):
        bits = x.dtype.itemsize * 8
        unsigned = np.dtype(f"u{x.dtype.itemsize}")
        ux, amount = x.view(unsigned), y.astype(np.int64)
        out_of_range = (amount < 0) | (amount >= bits)
        k = np.where(out_of_range, 0, amount).astype(unsigned)
        if kind == "left":
            r = (ux << k).view(x.dtype)
            fill = np.zeros_like(x)
        elif kind == "logical":
            r = (ux >> k).view(x.dtype)
            fill = np.zeros_like(x)
        else:     # on the bit pattern as a signed integer, also for unsigned types
            sx = x.view(np.dtype(f"i{x.dtype.itemsize}"))
            r = (sx >> k.astype(sx.dtype)).view(x.dtype)
            fill = np.where(sx < 0, -1, 0).astype(sx.dtype).view(x.dtype)
        return np.where(out_of_range, fill, r).astype(x.dtype)
    return rule


def _lexicographic(direction):
    """max/min of complex numbers ordered by (real, imag); of others, NaN-propagating."""
    def rule(x, y):
        if x.dtype.kind == "c":
            rx, ry, ix, iy = x.real, y.real, x.imag, y.imag
            pick_x = np.where(rx == ry, ix > iy if direction == "max" else ix < iy,
                              rx > ry if direction == "max" else rx < ry)
            return np.where(pick_x, x, y)
        if x.dtype == np.bool_:
            return (x | y) if direction == "max" else (x & y)
        return (np.maximum if direction == "max" else np.minimum)(x, y)
    return rule


def convert(x, new_dtype, weak_type=False):
    dt = _dtype(new_dtype)
    if x.dtype.kind == "c" and dt.kind != "c":
        x = x.real
    if dt == np.bool_:
        return x != 0
    if dt.kind in "iu" and (x.dtype.kind == "f" or x.dtype == BF16):     # saturating; NaN -> 0
        info = np.iinfo(dt)
        wide = np.trunc(x.astype(np.float64))
        inside = np.where(np.isnan(wide), 0, np.clip(wide, -2.0 ** 62, 2.0 ** 62)).astype(np.int64)
        # the bounds of 64-bit integers are not floats: compare with them before converting
        out = np.where(wide >= float(info.max), info.max, np.where(wide <= float(info.min), info.min,
                                                                   np.clip(inside, info.min, info.max)))
        return out.astype(dt)
    return x.astype(dt)      # integers wrap; floats round to nearest


def _sign(x):
    if x.dtype.kind == "c":
        with np.errstate(all="ignore"):
            a = np.abs(x)
            return np.where(a == 0, 0, x / np.where(a == 0, 1, a)).astype(x.dtype)
    if x.dtype.kind == "u":
        return (x != 0).astype(x.dtype)
    return np.sign(_wide(x)).astype(x.dtype)


def _round(x, rounding_method=0):
    w = _wide(x)
    if rounding_method == 1:
        return np.round(w).astype(x.dtype)          # half to even
    t = np.trunc(w)                                 # w - t is exact
    return np.where(np.abs(w - t) >= 0.5, t + np.sign(w), t).astype(x.dtype)


def _integer_pow(x, y):
    if _is_int(x):
        return _pow(x, np.full(x.shape, y, x.dtype))
    return _same(lambda v: np.power(v, y) if y >= 0 else 1 / np.power(v, -y))(x)


def _popcount(x):
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    return np.array([bin(int(v)).count("1") for v in u.ravel()], np.int64).reshape(x.shape).astype(x.dtype)


def _clz(x):
    bits = x.dtype.itemsize * 8
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    return np.array([bits - int(v).bit_length() for v in u.ravel()], np.int64).reshape(x.shape).astype(x.dtype)


def _erf_inv(x):
    w = _wide(x)
    return np.where(np.abs(w) == 1, np.copysign(np.inf, w), sp.erfinv(w))


def _lgamma(x):
    w = _wide(x)
    pole = (w <= 0) & (w == np.floor(w))
    return np.where(pole, np.inf, sp.gammaln(w))


def _digamma(x):
    w = _wide(x)
    pole = (w <= 0) & (w == np.floor(w))
    return np.where(pole, np.nan, sp.digamma(w))


def _sqrt(x):
    if x.dtype.kind == "c":     # XLA ignores the sign of a zero imaginary part: sqrt(-4 - 0j) = 2j (JAX too)
        x = _complex(x.real, np.where(x.imag == 0, 0.0, x.imag)).astype(x.dtype)
    return _same(np.sqrt)(x)


def _logistic(x):
    return 1 / (1 + np.exp(-x))


def _not(x):
    return ~x


# ---- shapes, indexing, reductions ----------------------------------------------------------------------

def _iota(dtype, shape, dimension=0):
    dt = _dtype(dtype)
    shape = tuple(shape)
    idx = np.arange(shape[dimension]).reshape([-1 if i == dimension else 1 for i in range(len(shape))])
    return np.broadcast_to(idx, shape).astype(dt) if dt != np.bool_ else np.broadcast_to(idx != 0, shape).copy()


def _broadcast_in_dim(x, shape, broadcast_dimensions):
    shape = tuple(shape)
    expanded = [1] * len(shape)
    for i, d in enumerate(broadcast_dimensions):
        expanded[d] = x.shape[i]
    return np.broadcast_to(x.reshape(expanded), shape).copy()


def _slice(x, start_indices, limit_indices, strides=None):
    strides = strides or (1,) * x.ndim
    return x[tuple(slice(s, l, st) for s, l, st in zip(start_indices, limit_indices, strides))]


def _clamped_starts(x, sizes, starts):
    return [int(min(max(int(s), 0), n - k)) for s, n, k in zip(starts, x.shape, sizes)]


def _dynamic_slice(x, *starts, slice_sizes):
    st = _clamped_starts(x, slice_sizes, starts)
    return x[tuple(slice(s, s + k) for s, k in zip(st, slice_sizes))]


def _dynamic_update_slice(x, update, *starts):
    st = _clamped_starts(x, update.shape, starts)
    out = x.copy()
    out[tuple(slice(s, s + k) for s, k in zip(st, update.shape))] = update
    return out


def _pad(x, padding_value, padding_config):
    """Interior padding first, then edge padding (negative edges cut)."""
    for d, (lo, hi, interior) in enumerate(padding_config):
        n = x.shape[d]
        if interior and n > 1:
            shape = list(x.shape)
            shape[d] = n + (n - 1) * interior
            spread = np.full(shape, padding_value, x.dtype)
            idx = [slice(None)] * x.ndim
            idx[d] = slice(None, None, interior + 1)
            spread[tuple(idx)] = x
            x = spread
        for amount, at_end in ((lo, False), (hi, True)):
            idx = [slice(None)] * x.ndim
            if amount < 0:
                idx[d] = slice(None, x.shape[d] + amount) if at_end else slice(-amount, None)
                x = x[tuple(idx)]
            elif amount > 0:
                shape = list(x.shape)
                shape[d] = amount
                fill = np.full(shape, padding_value, x.dtype)
                x = np.concatenate([x, fill] if at_end else [fill, x], axis=d)
    return x


def gather(x, indices, offset_dims, collapsed_slice_dims, start_index_map, slice_sizes,
           operand_batching_dims=(), start_indices_batching_dims=(), **_):
    """StableHLO gather, element by element: start indices are clamped so the slice fits the operand."""
    batch_shape = indices.shape[:-1]
    rank = len(batch_shape) + len(offset_dims)
    out_shape, b_iter, o_iter = [], iter(batch_shape), iter(
        [s for i, s in enumerate(slice_sizes) if i not in collapsed_slice_dims and i not in operand_batching_dims])
    for i in range(rank):
        out_shape.append(next(o_iter) if i in offset_dims else next(b_iter))
    out = np.zeros(out_shape, x.dtype)
    batch_out_dims = [i for i in range(rank) if i not in offset_dims]
    window_operand_dims = [i for i in range(x.ndim) if i not in collapsed_slice_dims and i not in operand_batching_dims]
    for out_idx in np.ndindex(*out_shape):
        b = [out_idx[i] for i in batch_out_dims]
        start = [0] * x.ndim
        vec = indices[tuple(b)]
        for k, d in enumerate(start_index_map):
            start[d] = vec[k]
        for od, bd in zip(operand_batching_dims, start_indices_batching_dims):
            start[od] = b[bd]
        start = _clamped_starts(x, slice_sizes, start)
        full = list(start)
        for od, oi in zip(window_operand_dims, [out_idx[i] for i in offset_dims]):
            full[od] += oi
        out[out_idx] = x[tuple(full)]
    return out


_SCATTER_COMBINE = {
    "scatter": lambda old, new: new,
    "scatter_add": lambda old, new: (old | new) if old.dtype == np.bool_ else old + new,
    "scatter_mul": lambda old, new: (old & new) if old.dtype == np.bool_ else old * new,
    "scatter_min": lambda old, new: _lexicographic("min")(np.asarray(old), np.asarray(new))[()],
    "scatter_max": lambda old, new: _lexicographic("max")(np.asarray(old), np.asarray(new))[()],
}


def scatter_writes(x_shape, indices, updates_shape, update_window_dims, inserted_window_dims,
                   scatter_dims_to_operand_dims, operand_batching_dims=(), scatter_indices_batching_dims=(), **_):
    """[(update index, operand index)] in update order: StableHLO scatter skips a whole window that does not
    fit in the operand."""
    window_operand_dims = [i for i in range(len(x_shape))
                           if i not in inserted_window_dims and i not in operand_batching_dims]
    scatter_dims = [i for i in range(len(updates_shape)) if i not in update_window_dims]
    window_sizes = [updates_shape[w] for w in update_window_dims]
    writes = []
    for u_idx in np.ndindex(*updates_shape):
        b = [u_idx[i] for i in scatter_dims]
        start = [0] * len(x_shape)
        vec = indices[tuple(b)]
        for k, d in enumerate(scatter_dims_to_operand_dims):
            start[d] = int(vec[k])
        for od, bd in zip(operand_batching_dims, scatter_indices_batching_dims):
            start[od] = b[bd]
        sizes = [window_sizes[window_operand_dims.index(d)] if d in window_operand_dims else 1
                 for d in range(len(x_shape))]
        if not all(0 <= start[d] <= x_shape[d] - sizes[d] for d in range(len(x_shape))):
            continue
        full = list(start)
        for od, oi in zip(window_operand_dims, [u_idx[w] for w in update_window_dims]):
            full[od] += oi
        writes.append((u_idx, tuple(full)))
    return writes


def _scatter(prim):
    def rule(x, indices, updates, **dnums):
        if prim in ("scatter_min", "scatter_max"):
            _complex_nan(updates)
            _complex_nan(x)
        out = x.copy()
        with np.errstate(all="ignore"):
            for u_idx, o_idx in scatter_writes(x.shape, indices, updates.shape, **dnums):
                out[o_idx] = _SCATTER_COMBINE[prim](out[o_idx], updates[u_idx])
        return out
    return rule


def _dot_general(lhs, rhs, lhs_contracting, rhs_contracting, lhs_batch=(), rhs_batch=(),
                 preferred_element_type=None):
    out_dt = lhs.dtype if preferred_element_type is None else _dtype(preferred_element_type)
    if out_dt != lhs.dtype:
        lhs, rhs = convert(lhs, out_dt), convert(rhs, out_dt)
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    ls = [next(letters) for _ in range(lhs.ndim)]
    rs = [next(letters) for _ in range(rhs.ndim)]
    for a, b in list(zip(lhs_contracting, rhs_contracting)) + list(zip(lhs_batch, rhs_batch)):
        rs[b] = ls[a]
    out = ([ls[d] for d in lhs_batch] + [c for i, c in enumerate(ls) if i not in lhs_contracting and i not in lhs_batch]
           + [c for i, c in enumerate(rs) if i not in rhs_contracting and i not in rhs_batch])
    spec = f"{''.join(ls)},{''.join(rs)}->{''.join(out)}"
    if out_dt == np.bool_:
        return np.einsum(spec, lhs.astype(np.int64), rhs.astype(np.int64)) != 0
    with np.errstate(all="ignore"):
        return np.einsum(spec, _wide(lhs), _wide(rhs)).astype(out_dt)


def _reduce(fn, bool_fn=None):
    def rule(x, axes):
        with np.errstate(all="ignore"):
            if x.dtype == np.bool_ and bool_fn is not None:
                return bool_fn(x, axis=tuple(axes))
            return np.asarray(fn(_wide(x), axis=tuple(axes))).astype(x.dtype)
    return rule


def _complex_nan(x):
    if x.dtype.kind == "c" and np.isnan(x).any():
        raise Unspecified("a complex max/min with a NaN part depends on the order of reduction")


def _lowest(dt):
    """The identity of max: -inf, the least integer, False; for complex numbers -inf - inf j."""
    if dt == np.bool_:
        return False
    if dt.kind in "iu":
        return np.iinfo(dt).min
    return complex(-np.inf, -np.inf) if dt.kind == "c" else -np.inf


def _highest(dt):
    if dt == np.bool_:
        return True
    if dt.kind in "iu":
        return np.iinfo(dt).max
    return complex(np.inf, np.inf) if dt.kind == "c" else np.inf


def _reduce_extremum(direction):
    def rule(x, axes):
        _complex_nan(x)
        shape = tuple(n for i, n in enumerate(x.shape) if i not in axes)
        if any(x.shape[a] == 0 for a in axes):
            return np.full(shape, _lowest(x.dtype) if direction == "max" else _highest(x.dtype), x.dtype)
        if x.size == 0:
            return np.zeros(shape, x.dtype)
        if x.dtype.kind != "c":
            return (np.max if direction == "max" else np.min)(x, axis=tuple(axes))
        moved = np.moveaxis(x, axes, list(range(x.ndim - len(axes), x.ndim)))
        flat = moved.reshape(moved.shape[:x.ndim - len(axes)] + (-1,))
        acc = flat[..., 0]
        for k in range(1, flat.shape[-1]):
            acc = _lexicographic(direction)(acc, flat[..., k])
        return acc
    return rule


def _argminmax(prim):
    def rule(x, axes, index_dtype):
        axis, = axes
        if x.shape[axis] == 0:
            return np.zeros(tuple(n for i, n in enumerate(x.shape) if i != axis), _dtype(index_dtype))
        w = _wide(x) if x.dtype != np.bool_ else x.astype(np.int8)
        return (np.argmax if prim == "argmax" else np.argmin)(w, axis=axis).astype(_dtype(index_dtype))
    return rule


def _cumulative(prim):
    def rule(x, axis, reverse=False):
        if prim in ("cummax", "cummin"):
            _complex_nan(x)
        w = np.flip(x, axis) if reverse else x
        with np.errstate(all="ignore"):
            if x.dtype == np.bool_:
                out = {"cumsum": np.logical_or, "cumprod": np.logical_and, "cummax": np.logical_or,
                       "cummin": np.logical_and}[prim].accumulate(w, axis=axis)
            elif prim == "cumlogsumexp":
                out = np.logaddexp.accumulate(_wide(w), axis=axis)
            elif x.dtype.kind == "c" and prim in ("cummax", "cummin"):
                out = w.copy()
                for k in range(1, w.shape[axis]):
                    prev = np.take(out, [k - 1], axis=axis)
                    here = np.take(w, [k], axis=axis)
                    idx = [slice(None)] * w.ndim
                    idx[axis] = slice(k, k + 1)
                    out[tuple(idx)] = _lexicographic(prim[3:])(prev, here)
            else:
                fn = {"cumsum": np.add, "cumprod": np.multiply, "cummax": np.maximum, "cummin": np.minimum}[prim]
                out = fn.accumulate(_wide(w), axis=axis) if w.shape[axis] else _wide(w)
        out = np.asarray(out).astype(x.dtype)
        return np.flip(out, axis) if reverse else out
    return rule


def _sort_keys(x):
    """x's sort keys, most significant first. NumPy's own order for floats is Lintra's (NaN last, -0.0 equal
    to 0.0); complex numbers sort by real part, then imaginary part."""
    if x.dtype.kind == "c":
        return [x.real, x.imag]
    return [x.astype(np.float64) if x.dtype == BF16 else x]


def _sort(*xs, dimension, is_stable=True, num_keys=1):
    """A stable sort along `dimension`, lexicographic over the first num_keys operands."""
    moved = [np.moveaxis(x, dimension, -1) for x in xs]
    outs = [np.empty_like(m) for m in moved]
    for idx in np.ndindex(*moved[0].shape[:-1]):
        keys = [k for m in moved[:num_keys] for k in _sort_keys(m[idx])]
        order = np.lexsort(keys[::-1])          # np.lexsort's primary key is its last
        for o, m in zip(outs, moved):
            o[idx] = m[idx][order]
    return [np.moveaxis(o, -1, dimension) for o in outs]


def _complex(x, y):
    out = np.empty(x.shape, np.complex64 if x.dtype == np.float32 else np.complex128)
    out.real, out.imag = x, y      # not x + 1j * y: 1j * inf is nan + inf j
    return out


def _select_n(which, *cases):
    if which.dtype == np.bool_:
        return cases[0] if len(cases) == 1 else np.where(which, cases[1], cases[0])
    return np.choose(np.clip(which, 0, len(cases) - 1), [np.broadcast_to(c, np.broadcast_shapes(which.shape, c.shape))
                                                           for c in cases])


def _clamp(lo, x, hi):
    return np.minimum(np.maximum(x, lo), hi).astype(x.dtype)


def _bitcast(x, new_dtype):
    dt = _dtype(new_dtype)
    if dt.itemsize == x.dtype.itemsize:
        return x.view(dt)
    if dt.itemsize < x.dtype.itemsize:
        return np.ascontiguousarray(x).view(dt).reshape(x.shape + (x.dtype.itemsize // dt.itemsize,))
    return np.ascontiguousarray(x).view(dt).reshape(x.shape[:-1])


RULES = {
    # elementwise, unary
    "neg": lambda x: np.negative(x) if _is_int(x) else _same(np.negative)(x),
    "sign": _sign, "square": _same(np.square), "exp": _same(np.exp), "log": _same(np.log), "sqrt": _sqrt,
    "rsqrt": _same(lambda x: 1 / np.sqrt(x)), "reciprocal": _same(lambda x: 1 / x), "sin": _same(np.sin),
    "cos": _same(np.cos), "tan": _same(np.tan), "asin": _same(np.arcsin), "acos": _same(np.arccos),
    "atan": _same(np.arctan), "sinh": _same(np.sinh), "cosh": _same(np.cosh), "tanh": _same(np.tanh),
    "asinh": _same(np.arcsinh), "acosh": _same(np.arccosh), "atanh": _same(np.arctanh), "log1p": _same(np.log1p),
    "expm1": _same(np.expm1), "logistic": _same(_logistic), "exp2": _same(np.exp2), "floor": _same(np.floor),
    "ceil": _same(np.ceil), "cbrt": _same(np.cbrt), "erf": _same(sp.erf), "erfc": _same(sp.erfc),
    "erf_inv": _same(_erf_inv), "lgamma": _same(_lgamma), "digamma": _same(_digamma), "not": _not,
    "population_count": _popcount, "clz": _clz, "copy": lambda x: x.copy(), "conj": np.conj,
    "abs": lambda x: np.abs(_wide(x)).astype(x.dtype if x.dtype.kind != "c" else x.real.dtype),
    "round": _round, "is_finite": lambda x: np.isfinite(_wide(x)),
    "integer_pow": _integer_pow,
    "real": np.real, "imag": np.imag,
    # elementwise, binary
    "add": lambda x, y: (x + y).astype(x.dtype) if _is_int(x) else _same(np.add)(x, y),
    "sub": lambda x, y: (x - y).astype(x.dtype) if _is_int(x) else _same(np.subtract)(x, y),
    "mul": lambda x, y: (x * y).astype(x.dtype) if _is_int(x) else _same(np.multiply)(x, y),
    "div": _int_div, "rem": _int_rem, "pow": _pow, "max": _lexicographic("max"), "min": _lexicographic("min"),
    "atan2": _same(np.arctan2), "nextafter": lambda x, y: np.nextafter(x, y),
    "and": lambda x, y: x & y, "or": lambda x, y: x | y, "xor": lambda x, y: x ^ y,
    "shift_left": _shift("left"), "shift_right_arithmetic": _shift("arithmetic"),
    "shift_right_logical": _shift("logical"),
    "eq": lambda x, y: x == y, "ne": lambda x, y: x != y, "lt": lambda x, y: x < y, "le": lambda x, y: x <= y,
    "gt": lambda x, y: x > y, "ge": lambda x, y: x >= y,
    "complex": _complex,
    "select_n": _select_n, "clamp": _clamp,
    "convert_element_type": convert, "bitcast_convert_type": _bitcast,
    # creation and shape
    "constant": lambda value, weak=False: np.array(value), "iota": _iota,
    "broadcast_in_dim": _broadcast_in_dim, "reshape": lambda x, new_sizes: x.reshape(tuple(new_sizes)),
    "transpose": lambda x, permutation: np.transpose(x, permutation).copy(),
    "squeeze": lambda x, dimensions: np.squeeze(x, tuple(dimensions)) if dimensions else x.copy(),
    "expand_dims": lambda x, dimensions: np.expand_dims(x, tuple(dimensions)),
    "rev": lambda x, dimensions: np.flip(x, tuple(dimensions)).copy() if dimensions else x.copy(),
    "slice": _slice, "dynamic_slice": _dynamic_slice, "dynamic_update_slice": _dynamic_update_slice,
    "concatenate": lambda *xs, dimension: np.concatenate(xs, axis=dimension), "pad": _pad,
    # indexing
    "gather": gather, **{p: _scatter(p) for p in _SCATTER_COMBINE},
    # contraction and reductions
    "dot_general": _dot_general,
    "reduce_sum": _reduce(np.sum, np.any), "reduce_prod": _reduce(np.prod, np.all),
    "reduce_max": _reduce_extremum("max"), "reduce_min": _reduce_extremum("min"),
    "reduce_and": _reduce(np.bitwise_and.reduce, np.all), "reduce_or": _reduce(np.bitwise_or.reduce, np.any),
    "reduce_xor": _reduce(np.bitwise_xor.reduce, lambda x, axis: np.logical_xor.reduce(x, axis=axis)),
    "argmax": _argminmax("argmax"), "argmin": _argminmax("argmin"),
    **{p: _cumulative(p) for p in ("cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp")},
    "sort": _sort,
}


# ops that move or select values without computing with them: they keep subnormal numbers
MOVES = {"copy", "select_n", "bitcast_convert_type", "constant", "iota", "broadcast_in_dim", "reshape", "transpose",
         "squeeze", "expand_dims", "rev", "slice", "dynamic_slice", "dynamic_update_slice", "concatenate", "pad",
         "gather", "scatter", "real", "imag", "complex", "neg", "conj", "cond", "while", "scan"}


def flush_subnormals(x):
    """x with subnormal f32/f64 (and bf16) parts replaced by zeros of their sign: XLA's CPU code runs with
    denormals-are-zero, so arithmetic and comparisons read them as zero. (f16 is computed in f32, where its
    subnormals are normal.)"""
    if x.dtype.kind == "c":
        return _complex(flush_subnormals(x.real), flush_subnormals(x.imag)).astype(x.dtype)
    if x.dtype not in (np.float32, np.float64, BF16):
        return x
    tiny = (ml_dtypes.finfo(x.dtype) if x.dtype == BF16 else np.finfo(x.dtype)).tiny
    w = x.astype(np.float64)
    return np.where((w != 0) & (np.abs(w) < tiny), np.copysign(0.0, w), w).astype(x.dtype)


# ---- structured control flow: regions evaluated by this interpreter ----------------------------------------

def _cond(index, *operands, regions):
    branch = regions[int(np.clip(index, 0, len(regions) - 1))]    # an index out of range is clamped
    return evaluate_block(branch, list(operands))


def _while(*operands, regions, cond_nconsts, body_nconsts):
    cond, body = regions
    cc, bc = list(operands[:cond_nconsts]), list(operands[cond_nconsts:cond_nconsts + body_nconsts])
    carry = list(operands[cond_nconsts + body_nconsts:])
    while evaluate_block(cond, cc + carry)[0]:
        carry = evaluate_block(body, bc + carry)
    return carry


def _scan(*operands, regions, num_consts, num_carry, length, reverse=False):
    body, = regions
    consts, carry = list(operands[:num_consts]), list(operands[num_consts:num_consts + num_carry])
    xs = operands[num_consts + num_carry:]
    ys = [None] * length
    for i in (reversed(range(length)) if reverse else range(length)):
        outs = evaluate_block(body, consts + carry + [x[i] for x in xs])
        carry, ys[i] = outs[:num_carry], outs[num_carry:]
    y_types = body.result_types[num_carry:]
    stacked = [np.stack([y[k] for y in ys]) if length else np.zeros((0,) + t.shape, t.dtype)
               for k, t in enumerate(y_types)]
    return carry + stacked


REGION_RULES = {"cond": _cond, "while": _while, "scan": _scan}


def apply(op, operands):
    """The results of `op` on NumPy arrays, in its result dtypes."""
    if op.prim not in MOVES:
        operands = [flush_subnormals(x) for x in operands]
    with np.errstate(all="ignore"):     # integer overflow wraps, as in XLA
        if op.prim in REGION_RULES:
            out = REGION_RULES[op.prim](*operands, regions=op.regions, **op.attrs)
        else:
            out = RULES[op.prim](*operands, **op.attrs)
    outs = list(out) if isinstance(out, (list, tuple)) else [out]
    return [np.asarray(o).astype(r.type.dtype).reshape(r.type.shape) for o, r in zip(outs, op.results)]


def evaluate_block(block, args):
    """The results of a block on NumPy arrays `args`."""
    env = dict(zip(block.args, args))
    for op in block.ops:
        env.update(zip(op.results, apply(op, [env[v] for v in op.operands])))
    return [env[v] for v in block.results]


def evaluate(func, args):
    """The results of `func` on NumPy arrays `args`."""
    return evaluate_block(func.body, args)
