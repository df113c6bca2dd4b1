"""One function per primitive, with jax.lax's names and signatures. The public lintra.lax is lax_public.py:
these, plus lax.linalg, lax.fft and the lax functions built on transformations (control flow, custom solves)."""
import builtins
import enum
import functools
import operator
from typing import NamedTuple

import numpy as np

from ..ir import types as T
from ..ir.primitives import preferred_element_type_ok
from ..runtime.executable import unshared
from . import dtypes, tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_flat
from .config import config
from .core import axis_env, axis_size, bind, bind1, constant, host_value, is_value, type_of
from .explicit import out_sharding_attrs, with_out_sharding
from .lax_operands import broadcast_operands, check_scalar_kinds
from .words import wordwise


_SCALARS = (bool, int, float, builtins.complex)


def _lift_scalars(*xs, name=None):
    """Python scalars next to arrays take the arrays' dtype (weakly) and shape. A scalar of another kind
    (a float next to integers, a complex next to reals) is refused, as jax.lax refuses it, rather than
    rounded; same-kind scalars are accepted where JAX requires their exact default dtype."""
    ref = next((type_of(x) for x in xs if is_value(x) or isinstance(x, (np.ndarray, np.generic))), None)
    if ref is None:
        return xs
    check_scalar_kinds(name, ref.dtype, xs)
    # builtins.complex: this module defines lax.complex (and round/abs/max/min), shadowing the builtins
    scalars = (bool, int, float, builtins.complex)
    return tuple(broadcast_in_dim(constant(x, ref.dtype, weak=True), ref.shape, ()) if isinstance(x, scalars)
                 and not isinstance(x, np.generic) else x for x in xs)


def _unary(name):
    def f(x):
        return bind1(name, x)
    f.__name__ = name
    return f


def _binary(name):
    def f(x, y):
        if isinstance(x, _SCALARS) or isinstance(y, _SCALARS):    # a cheap test first: eager ops are hot
            x, y = _lift_scalars(x, y, name=name)
        if type_of(x).shape != type_of(y).shape:
            x, y = broadcast_operands(name, x, y)
        return bind1(name, x, y)
    f.__name__ = name
    return f


def _mul(x, y, *, out_dtype=None):
    """x * y; with out_dtype, both operands are first converted to it (as JAX 0.10.2 lowers it)."""
    if out_dtype is not None:
        x, y = _lift_scalars(x, y, name="mul")
        x, y = convert_element_type(x, out_dtype), convert_element_type(y, out_dtype)
    return _plain_mul(x, y)


for _n in ["neg", "sign", "floor", "ceil", "exp", "exp2", "log", "log1p", "expm1", "sin", "cos", "tan", "asin",
           "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "logistic", "sqrt", "rsqrt",
           "cbrt", "erf", "erfc", "erf_inv", "lgamma", "digamma", "bessel_i0e", "bessel_i1e", "is_finite", "square",
           "reciprocal", "abs", "real", "imag", "population_count", "clz", "copy"]:
    globals()[_n] = _unary(_n)
for _n in ["add", "sub", "mul", "mulhi", "div", "rem", "pow", "max", "min", "atan2", "nextafter", "eq", "ne", "lt",
           "le", "gt", "ge", "shift_left", "shift_right_arithmetic", "shift_right_logical", "complex",
           "igamma", "igammac", "igamma_grad_a", "random_gamma_grad", "polygamma", "zeta"]:
    globals()[_n] = _binary(_n)
bitwise_and, bitwise_or, bitwise_xor, bitwise_not = _binary("and"), _binary("or"), _binary("xor"), _unary("not")
_plain_mul, mul = mul, _mul
mul.__name__ = "mul"


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b) (primitive regularized_incomplete_beta)."""
    return bind1("regularized_incomplete_beta", *_lift_scalars(a, b, x))


def conj(x):
    """The complex conjugate. As jax.lax.conj, a real floating x gives x + 0j (its conjugate, with a +0
    imaginary part; weakly typed if x is) and an integer x is refused."""
    t = type_of(x)
    if T.is_complex(t.dtype):
        return bind1("conj", x)
    if not T.is_float(t.dtype):
        raise TypeError(f"conj does not accept dtype {np.dtype(t.dtype).name}. Accepted dtypes are subtypes of "
                        f"float32, complexfloating, float64.")
    return bind1("convert_element_type", x, new_dtype=T.complex_dtype(t.dtype), weak_type=t.weak)


class RoundingMethod:
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
    return bind1("round", x, rounding_method=int(rounding_method))


def integer_pow(x, y):
    return bind1("integer_pow", x, y=_index(y, "integer_pow: the exponent y"))


@wordwise(values=builtins.slice(1, None))
def select_n(which, *cases):
    return bind1("select_n", which, *_lift_scalars(*cases, name="select_n"))


@wordwise(values=(1, 2))
def select(pred, on_true, on_false):
    return select_n(pred, on_false, on_true)


def clamp(min, x, max):
    return bind1("clamp", *_lift_scalars(min, x, max, name="clamp"))


def convert_element_type(operand, new_dtype):
    t = type_of(operand)
    new = dtypes.canonicalize_dtype(new_dtype)
    if t.dtype == new and not t.weak:
        return operand if is_value(operand) else constant(host_value(operand)[0])
    return bind1("convert_element_type", operand, new_dtype=new, weak_type=False)


def bitcast_convert_type(operand, new_dtype):
    return bind1("bitcast_convert_type", operand, new_dtype=T.user_dtype(new_dtype))


def iota(dtype, size):
    return bind1("iota", dtype=dtypes.canonicalize_dtype(dtype), shape=(int(size),), dimension=0)


def broadcasted_iota(dtype, shape, dimension):
    return bind1("iota", dtype=dtypes.canonicalize_dtype(dtype), shape=tuple(int(d) for d in shape),
                 dimension=int(dimension))


@wordwise()
def broadcast_in_dim(operand, shape, broadcast_dimensions, *, out_sharding=None):
    shape, dims = tuple(int(d) for d in shape), tuple(int(d) for d in broadcast_dimensions)
    if type_of(operand).shape == shape and dims == tuple(range(len(shape))) and is_value(operand):
        return with_out_sharding(operand, out_sharding, "broadcast_in_dim")
    return with_out_sharding(bind1("broadcast_in_dim", operand, shape=shape, broadcast_dimensions=dims),
                             out_sharding, "broadcast_in_dim")


@wordwise()
def broadcast(operand, sizes):
    nd = type_of(operand).ndim
    return broadcast_in_dim(operand, tuple(sizes) + type_of(operand).shape,
                            tuple(range(len(sizes), len(sizes) + nd)))


@wordwise()
def reshape(operand, new_sizes, dimensions=None, *, out_sharding=None):
    if dimensions is not None:
        operand = transpose(operand, dimensions)
    new_sizes = tuple(int(d) for d in new_sizes)
    if type_of(operand).shape == new_sizes and is_value(operand) and out_sharding is None:
        return operand
    return bind1("reshape", operand, new_sizes=new_sizes,
                 **out_sharding_attrs(out_sharding, len(new_sizes), "reshape"))


# ---- shape, slicing, indexing, contraction, reductions, scans, sort ------------------------------------
# (builtins.max/min/abs/slice: this module shadows them with lax functions)

def _index(x, what):
    """A static Python int; refuses floats, bools and traced values with a message naming `what`."""
    if isinstance(x, (bool, np.bool_)):
        raise TypeError(f"{what} must be an integer, got the bool {x!r}")
    try:
        return operator.index(x)
    except TypeError:
        if is_value(x):
            raise
        raise TypeError(f"{what} must be an integer, got {x!r} of type {type(x).__name__}") from None


def _axis(axis, ndim, what="axis"):
    """`axis` in range(ndim), counting negative axes from the end as NumPy does."""
    a = _index(axis, what)
    if not -ndim <= a < ndim:
        raise ValueError(f"{what} {a} is out of bounds for an array of rank {ndim}")
    return a % ndim


def _axes(axes, ndim, what="axes"):
    if isinstance(axes, (int, np.integer)):
        axes = (axes,)
    return tuple(_axis(a, ndim, what) for a in axes)


@wordwise()
def transpose(operand, permutation):
    t = type_of(operand)
    perm = _axes(permutation, t.ndim, "permutation entry")
    if perm == tuple(range(t.ndim)) and is_value(operand):
        return operand
    return bind1("transpose", operand, permutation=perm)


@wordwise()
def squeeze(array, dimensions):
    dims = tuple(sorted(_axes(dimensions, type_of(array).ndim, "squeeze dimension")))
    if not dims and is_value(array):
        return array
    return bind1("squeeze", array, dimensions=dims)


@wordwise()
def expand_dims(array, dimensions):
    dimensions = (dimensions,) if isinstance(dimensions, (int, np.integer)) else tuple(dimensions)
    dims = tuple(sorted(_axes(dimensions, type_of(array).ndim + len(dimensions), "expand_dims dimension")))
    if len(set(dims)) != len(dims):
        raise ValueError(f"expand_dims: repeated dimension in {list(dimensions)}")
    if not dims and is_value(array):
        return array
    return bind1("expand_dims", array, dimensions=dims)


@wordwise()
def rev(operand, dimensions):
    dims = tuple(sorted(_axes(dimensions, type_of(operand).ndim, "rev dimension")))
    if not dims and is_value(operand):
        return operand
    return bind1("rev", operand, dimensions=dims)


def collapse(operand, start_dimension, stop_dimension=None):
    """Merge dimensions [start_dimension, stop_dimension) into one."""
    shape = type_of(operand).shape
    lo, hi = builtins.slice(start_dimension, stop_dimension).indices(len(shape))[:2]
    return reshape(operand, shape[:lo] + (int(np.prod(shape[lo:hi], dtype=np.int64)),) + shape[hi:])


@wordwise()
def slice(operand, start_indices, limit_indices, strides=None):
    attrs = dict(start_indices=tuple(_index(i, "slice start index") for i in start_indices),
                 limit_indices=tuple(_index(i, "slice limit index") for i in limit_indices))
    if strides is not None and any(s != 1 for s in strides):
        attrs["strides"] = tuple(_index(i, "slice stride") for i in strides)
    return bind1("slice", operand, **attrs)


@wordwise()
def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    """operand[start:limit:stride] along `axis`; None and negative bounds as in Python slicing (no clipping)."""
    shape = type_of(operand).shape
    axis = _axis(axis, len(shape))
    n = shape[axis]
    start = 0 if start_index is None else _index(start_index, "start_index")
    limit = n if limit_index is None else _index(limit_index, "limit_index")
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis], limits[axis] = start + n if start < 0 else start, limit + n if limit < 0 else limit
    strides[axis] = _index(stride, "stride")
    return slice(operand, starts, limits, strides)


@wordwise()
def index_in_dim(operand, index, axis=0, keepdims=True):
    shape = type_of(operand).shape
    axis = _axis(axis, len(shape))
    index = _index(index, "index")
    if not -shape[axis] <= index < shape[axis]:
        raise IndexError(f"index {index} is out of bounds for axis {axis} of size {shape[axis]}")
    index %= shape[axis]
    out = slice_in_dim(operand, index, index + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def _dynamic_indices(prim, shape, start_indices):
    """One start index per dimension as integer scalars of one dtype; negative indices count from the end
    (once), as in jax.lax. Static Python ints are normalised now; XLA clamps whatever is still out of range."""
    if is_value(start_indices) or isinstance(start_indices, np.ndarray):
        t = type_of(start_indices)
        if t.ndim != 1:
            raise ValueError(f"{prim}: start_indices must be a sequence or a 1-D array, got shape {t.shape}")
        start_indices = [index_in_dim(start_indices, i, keepdims=False) for i in range(t.shape[0])]
    start_indices = list(start_indices)
    if len(start_indices) != len(shape):
        raise ValueError(f"{prim}: {len(start_indices)} start indices given for an operand of shape {shape}; "
                         f"one per dimension is needed")
    static, dynamic = {}, {}
    for k, (i, n) in enumerate(zip(start_indices, shape)):
        if isinstance(i, (int, np.integer)) and not isinstance(i, (bool, np.bool_)):
            i = int(i)
            static[k] = builtins.min(builtins.max(i + n if i < 0 else i, 0), n)
        else:
            t = type_of(i)
            if t.shape != () or not T.is_int(t.dtype):
                raise TypeError(f"{prim}: start index {k} must be an integer scalar, got {T.dtype_name(t.dtype)}"
                                f"{list(t.shape)}")
            dynamic[k] = i
    dtype = functools.reduce(dtypes.promote_types, [type_of(i).dtype for i in dynamic.values()]) \
        if dynamic else np.dtype(np.int32)
    if builtins.max(list(shape) + list(static.values()), default=0) > np.iinfo(dtype).max:
        dtype = dtypes.promote_types(dtype, np.int32)
    out = []
    for k, n in enumerate(shape):
        if k in static:
            out.append(constant(static[k], dtype))
            continue
        i = convert_element_type(dynamic[k], dtype)
        out.append(select(lt(i, 0), add(i, n), i) if T.is_signed(dtype) else i)
    return out


@wordwise()
def dynamic_slice(operand, start_indices, slice_sizes):
    """operand[start : start + size] per dimension; starts are clamped into [0, dim - size] as in XLA."""
    shape = type_of(operand).shape
    sizes = tuple(_index(s, "slice size") for s in slice_sizes)
    if len(sizes) != len(shape):
        raise TypeError(f"dynamic_slice: slice_sizes {list(sizes)} must have one entry per dimension of the "
                        f"operand of shape {shape}")
    return bind1("dynamic_slice", operand, *_dynamic_indices("dynamic_slice", shape, start_indices),
                 slice_sizes=sizes)


@wordwise(values=(0, 1))
def dynamic_update_slice(operand, update, start_indices):
    """operand with `update` written at start_indices (clamped so that the update fits, as in XLA)."""
    idx = _dynamic_indices("dynamic_update_slice", type_of(operand).shape, start_indices)
    return bind1("dynamic_update_slice", operand, update, *idx)


@wordwise()
def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    shape = type_of(operand).shape
    axis = _axis(axis, len(shape))
    starts, sizes = [0] * len(shape), list(shape)
    starts[axis], sizes[axis] = start_index, slice_size
    return dynamic_slice(operand, starts, sizes)


@wordwise()
def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    axis = _axis(axis, type_of(operand).ndim)
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    ndim = type_of(operand).ndim
    axis = _axis(axis, ndim)
    starts = [0] * ndim
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


@wordwise(values=(0, 1))
def dynamic_update_index_in_dim(operand, update, index, axis):
    axis = _axis(axis, type_of(operand).ndim)
    if type_of(update).ndim + 1 == type_of(operand).ndim:
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis)


@wordwise()
def concatenate(operands, dimension):
    operands = list(operands)
    if not operands:
        raise ValueError("concatenate: needs at least one operand")
    if len(operands) == 1 and is_value(operands[0]):
        return operands[0]
    return bind1("concatenate", *operands, dimension=_axis(dimension, type_of(operands[0]).ndim, "dimension"))


def pad(operand, padding_value, padding_config):
    """Pad with (low, high, interior) per dimension; negative low/high padding removes elements."""
    if isinstance(padding_value, (bool, int, float, builtins.complex)) and not isinstance(padding_value, np.generic):
        padding_value = constant(padding_value, type_of(operand).dtype, weak=True)
    config = tuple((_index(lo, "low padding"), _index(hi, "high padding"), _index(i, "interior padding"))
                   for lo, hi, i in padding_config)
    return bind1("pad", operand, padding_value, padding_config=config)


# ---- gather and scatter -----------------------------------------------------------------------------------

class GatherDimensionNumbers(NamedTuple):
    """As jax.lax.GatherDimensionNumbers; the index vector is always the last dimension of the indices."""
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """As jax.lax.ScatterDimensionNumbers; the index vector is always the last dimension of the indices."""
    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


class GatherScatterMode(enum.Enum):
    """What out-of-bounds indices do (an index is out of bounds when its slice does not fit the operand):

    CLIP: indices are clamped so that the slice fits (gather reads, scatter writes, the clamped slice).
    FILL_OR_DROP (the default, as in JAX): gather returns `fill_value` for such slices (NaN for inexact
      dtypes, the minimum of signed and the maximum of unsigned integers, True for bool); scatter drops
      such updates.
    PROMISE_IN_BOUNDS: the caller promises there are none; XLA's native behaviour applies (gather
      clamps, scatter drops).
    """
    CLIP = 0
    FILL_OR_DROP = 1
    PROMISE_IN_BOUNDS = 2

    @staticmethod
    def from_any(s):
        if isinstance(s, GatherScatterMode):
            return s
        names = {None: GatherScatterMode.FILL_OR_DROP, "fill": GatherScatterMode.FILL_OR_DROP,
                 "drop": GatherScatterMode.FILL_OR_DROP, "clip": GatherScatterMode.CLIP,
                 "promise_in_bounds": GatherScatterMode.PROMISE_IN_BOUNDS}
        if isinstance(s, (str, type(None))) and s in names:
            return names[s]
        raise ValueError(f'Unknown gather mode "{s}" (expected a GatherScatterMode or one of '
                         f"'clip', 'fill', 'drop', 'promise_in_bounds')")


def _dims(prim, what, dims, bound, ordered=False):
    dims = tuple(_index(d, f"{prim} {what} entry") for d in dims)
    if len(set(dims)) != len(dims) or any(not 0 <= d < bound for d in dims) or (ordered and list(dims) != sorted(dims)):
        raise TypeError(f"{prim}: {what} {list(dims)} must be distinct{', sorted' if ordered else ''} and in "
                        f"range({bound})")
    return dims


def _check_batching(prim, operand_dims, index_dims, x, idx, dropped):
    pairs = list(zip(operand_dims, index_dims))
    if len(operand_dims) != len(index_dims) or any(x.shape[a] != idx.shape[b] for a, b in pairs):
        raise TypeError(f"{prim}: operand batching dims {list(operand_dims)} of {x} and indices batching dims "
                        f"{list(index_dims)} of {idx} must pair up dimensions of equal size")
    if set(operand_dims) & set(dropped):
        raise TypeError(f"{prim}: operand batching dims {list(operand_dims)} overlap {list(dropped)}")


def _int_indices(prim, indices):
    t = type_of(indices)
    if not T.is_int(t.dtype) or t.ndim < 1:
        raise TypeError(f"{prim}: indices must be an integer array whose last dimension is the index vector, got "
                        f"{T.dtype_name(t.dtype)}{list(t.shape)}")
    return t


def _upper_bounds(shape, sizes, dims, idx_dtype):
    """The largest in-bounds start index per index-vector entry, capped to what the index dtype holds."""
    upper = np.array([shape[d] - sizes[d] for d in dims], np.int64)
    return np.minimum(upper, np.iinfo(idx_dtype).max).astype(idx_dtype)


@wordwise()
def gather(operand, start_indices, dimension_numbers, slice_sizes, *, unique_indices=False,
           indices_are_sorted=False, mode=None, fill_value=None):
    """stablehlo.gather with the index vector last in start_indices; `mode`: see GatherScatterMode."""
    x, idx = type_of(operand), _int_indices("gather", start_indices)
    dn = GatherDimensionNumbers(*dimension_numbers) if not isinstance(dimension_numbers, GatherDimensionNumbers) \
        else dimension_numbers
    sizes = tuple(_index(s, "gather slice size") for s in slice_sizes)
    collapsed = _dims("gather", "collapsed_slice_dims", dn.collapsed_slice_dims, x.ndim, ordered=True)
    obatch = _dims("gather", "operand_batching_dims", dn.operand_batching_dims, x.ndim, ordered=True)
    ibatch = _dims("gather", "start_indices_batching_dims", dn.start_indices_batching_dims, idx.ndim - 1)
    smap = _dims("gather", "start_index_map", dn.start_index_map, x.ndim)
    _check_batching("gather", obatch, ibatch, x, idx, collapsed + smap)
    out_rank = idx.ndim - 1 + x.ndim - len(collapsed) - len(obatch)
    offset = _dims("gather", "offset_dims", dn.offset_dims, out_rank, ordered=True)
    attrs = dict(offset_dims=offset, collapsed_slice_dims=collapsed, start_index_map=smap, slice_sizes=sizes)
    if obatch:
        attrs.update(operand_batching_dims=obatch, start_indices_batching_dims=ibatch)
    if indices_are_sorted:
        attrs["indices_are_sorted"] = True
    if unique_indices:
        attrs["unique_indices"] = True
    out = bind1("gather", operand, start_indices, **attrs)
    if GatherScatterMode.from_any(mode) is not GatherScatterMode.FILL_OR_DROP:
        return out
    # XLA clamps; mask the slices whose start was out of bounds
    upper = _upper_bounds(x.shape, sizes, smap, idx.dtype)
    ok = le(start_indices, broadcast_in_dim(constant(upper), idx.shape, (idx.ndim - 1,)))
    if T.is_signed(idx.dtype):
        ok = bitwise_and(ok, ge(start_indices, 0))
    ok = reduce_and(ok, (idx.ndim - 1,))
    out_t = type_of(out)
    mask = broadcast_in_dim(ok, out_t.shape, tuple(d for d in range(out_t.ndim) if d not in offset))
    if fill_value is None:   # a NumPy scalar of the dtype: a Python int would not fit u32/u64's maximum
        d = out_t.dtype
        fill_value = np.asarray(np.nan if T.is_inexact(d) else T.iinfo(d).min if T.is_signed(d)
                                else T.iinfo(d).max if T.is_int(d) else True).astype(d)[()]
    return select(mask, out, full_like(out, fill_value))


def _scatter(prim, operand, scatter_indices, updates, dimension_numbers, indices_are_sorted, unique_indices,
             mode, regions=()):
    x, idx, upd = type_of(operand), _int_indices(prim, scatter_indices), type_of(updates)
    dn = ScatterDimensionNumbers(*dimension_numbers) if not isinstance(dimension_numbers, ScatterDimensionNumbers) \
        else dimension_numbers
    window = _dims(prim, "update_window_dims", dn.update_window_dims, upd.ndim, ordered=True)
    inserted = _dims(prim, "inserted_window_dims", dn.inserted_window_dims, x.ndim, ordered=True)
    obatch = _dims(prim, "operand_batching_dims", dn.operand_batching_dims, x.ndim, ordered=True)
    ibatch = _dims(prim, "scatter_indices_batching_dims", dn.scatter_indices_batching_dims, idx.ndim - 1)
    to_operand = _dims(prim, "scatter_dims_to_operand_dims", dn.scatter_dims_to_operand_dims, x.ndim)
    _check_batching(prim, obatch, ibatch, x, idx, inserted + to_operand)
    window_operand_dims = [d for d in range(x.ndim) if d not in inserted and d not in obatch]
    scatter_shape = [n for d, n in enumerate(upd.shape) if d not in window]
    if len(window) != len(window_operand_dims) or scatter_shape != list(idx.shape[:-1]) or any(
            upd.shape[u] > x.shape[o] for u, o in zip(window, window_operand_dims)):
        raise TypeError(f"{prim}: updates {upd} do not fit operand {x} and indices {idx}: its non-window dims must "
                        f"be the indices' batch shape {list(idx.shape[:-1])} and its window dims "
                        f"{list(window)} must fit the operand's dims {window_operand_dims}")
    if GatherScatterMode.from_any(mode) is GatherScatterMode.CLIP:
        sizes = [1] * x.ndim
        for u, o in zip(window, window_operand_dims):
            sizes[o] = upd.shape[u]
        upper = broadcast_in_dim(constant(_upper_bounds(x.shape, sizes, to_operand, idx.dtype)), idx.shape,
                                 (idx.ndim - 1,))
        scatter_indices = clamp(0, scatter_indices, upper)
    attrs = dict(update_window_dims=window, inserted_window_dims=inserted, scatter_dims_to_operand_dims=to_operand)
    if obatch:
        attrs.update(operand_batching_dims=obatch, scatter_indices_batching_dims=ibatch)
    if indices_are_sorted:
        attrs["indices_are_sorted"] = True
    if unique_indices:
        attrs["unique_indices"] = True
    return bind1(prim, operand, scatter_indices, updates, regions=regions, **attrs)


def _scatter_fn(prim, how):
    def f(operand, scatter_indices, updates, dimension_numbers, *, indices_are_sorted=False, unique_indices=False,
          mode=None):
        return _scatter(prim, operand, scatter_indices, updates, dimension_numbers, indices_are_sorted,
                        unique_indices, mode)
    f.__name__ = prim
    f.__doc__ = (f"stablehlo.scatter that {how} the updates; the index vector is last in scatter_indices; "
                 f"`mode`: see GatherScatterMode.")
    return f


scatter = _scatter_fn("scatter", "writes (for duplicate indices, which write wins is unspecified)")
scatter_add = _scatter_fn("scatter_add", "adds")
scatter_mul = _scatter_fn("scatter_mul", "multiplies by")
scatter_min = _scatter_fn("scatter_min", "takes the minimum with")
scatter_max = _scatter_fn("scatter_max", "takes the maximum with")


def scatter_apply(operand, scatter_indices, func, dimension_numbers, *, update_shape=(), indices_are_sorted=False,
                  unique_indices=False, mode=None):
    """operand with func (a function of one scalar of operand's dtype) applied to the elements the scatter
    reaches, once per occurrence of their index (as XLA runs a scatter's combiner once per update)."""
    t = type_of(operand)
    scalar = ShapeDtypeStruct((), t.dtype)

    def f(x):
        out = func(x)
        if type_of(out).shape != ():
            raise TypeError(f"scatter_apply: func must map a scalar to a scalar, got {type_of(out)} from "
                            f"{ir_name(func)}")
        return convert_element_type(out, t.dtype)
    region = trace_flat(f, [scalar], tree.structure((0,)), ir_name(func), embed_arrays=True)[0].body
    updates = full(update_shape, 0, t.dtype)
    return _scatter("scatter_apply", operand, scatter_indices, updates, dimension_numbers, indices_are_sorted,
                    unique_indices, mode, [region])


# ---- contraction ----------------------------------------------------------------------------------------

class Precision(enum.Enum):
    """A contraction's precision, lowered as StableHLO's precision_config (XLA's CPU backend computes f32
    contractions at full precision whichever it is)."""
    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2


_PRECISION_NAMES = {"default": "DEFAULT", "fastest": "DEFAULT", "bfloat16": "DEFAULT", "high": "HIGH",
                    "bfloat16_3x": "HIGH", "tensorfloat32": "HIGH", "highest": "HIGHEST", "float32": "HIGHEST"}


def canonical_precision(precision):
    """precision (None, a Precision, one of JAX's names, or a pair of them) as the op's (lhs, rhs) pair of
    names, or None; None takes jax_default_matmul_precision / default_matmul_precision(), as JAX."""
    if precision is None:
        default = config.default_matmul_precision
        if default is None:
            return None
        if default not in _PRECISION_NAMES:
            raise ValueError(f"default_matmul_precision {default!r}: Lintra supports the precisions "
                             f"{sorted(_PRECISION_NAMES)}, not dot algorithm presets")
        return (_PRECISION_NAMES[default],) * 2
    ps = tuple(precision) if isinstance(precision, (tuple, list)) else (precision, precision)

    def name(p):
        if isinstance(p, Precision):
            return p.name
        if isinstance(p, str) and p.lower() in _PRECISION_NAMES:
            return _PRECISION_NAMES[p.lower()]
        if p is None:
            return "DEFAULT"
        raise ValueError(f"precision {precision!r} is not None, a Precision, one of {sorted(_PRECISION_NAMES)}, "
                         f"or a pair of them")
    if len(ps) != 2:
        raise ValueError(f"precision {precision!r}: a pair must have two entries (lhs, rhs)")
    return name(ps[0]), name(ps[1])


def _check_preferred(src, preferred):
    if not preferred_element_type_ok(src, preferred):
        raise TypeError(f"dot_general: preferred_element_type {T.dtype_name(preferred)} is incompatible with "
                        f"inputs of dtype {T.dtype_name(src)} (it must be of the same kind and not narrower)")


def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None, *, out_sharding=None):
    """Contract lhs with rhs: dimension_numbers = ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch)).
    The result's dims are batch, then lhs free, then rhs free. Operands of different dtypes are promoted.
    out_sharding: the result's sharding over Explicit mesh axes (needed where the operands' leave it
    ambiguous)."""
    precision = canonical_precision(precision)
    lt_, rt_ = type_of(lhs), type_of(rhs)
    try:
        (lc, rc), (lb, rb) = dimension_numbers
    except (TypeError, ValueError):
        raise TypeError(f"dot_general: dimension_numbers must be ((lhs_contracting, rhs_contracting), "
                        f"(lhs_batch, rhs_batch)), got {dimension_numbers!r}") from None
    if lt_.dtype != rt_.dtype:
        common = dtypes.promote((lt_.dtype, lt_.weak), (rt_.dtype, rt_.weak))[0]
        lhs, rhs = convert_element_type(lhs, common), convert_element_type(rhs, common)
    attrs = dict(lhs_contracting=_axes(lc, lt_.ndim, "lhs contracting dimension"),
                 rhs_contracting=_axes(rc, rt_.ndim, "rhs contracting dimension"),
                 lhs_batch=_axes(lb, lt_.ndim, "lhs batch dimension"),
                 rhs_batch=_axes(rb, rt_.ndim, "rhs batch dimension"))
    if preferred_element_type is not None:
        preferred = dtypes.canonicalize_dtype(preferred_element_type)
        _check_preferred(type_of(lhs).dtype, preferred)
        attrs["preferred_element_type"] = preferred
    if precision is not None:
        attrs["precision"] = precision
    ndim = lt_.ndim + rt_.ndim - 2 * len(attrs["lhs_contracting"]) - len(attrs["lhs_batch"])
    attrs.update(out_sharding_attrs(out_sharding, ndim, "dot_general"))
    return bind1("dot_general", lhs, rhs, **attrs)


def dot(lhs, rhs, precision=None, preferred_element_type=None, *, dimension_numbers=None, out_sharding=None):
    """Vector/matrix products: contracts lhs's last dimension with rhs's first (ranks 1 or 2); with
    dimension_numbers, dot_general."""
    if dimension_numbers is not None:
        return dot_general(lhs, rhs, dimension_numbers, precision, preferred_element_type, out_sharding=out_sharding)
    lt_, rt_ = type_of(lhs), type_of(rhs)
    if not (1 <= lt_.ndim <= 2 and 1 <= rt_.ndim <= 2 and lt_.shape[-1] == rt_.shape[0]):
        raise TypeError(f"dot: incompatible shapes for dot: got {lt_.shape} and {rt_.shape} (lax.dot takes vectors "
                        f"and matrices whose inner dimensions agree; pass dimension_numbers for others)")
    return dot_general(lhs, rhs, (((lt_.ndim - 1,), (0,)), ((), ())), precision, preferred_element_type,
                       out_sharding=out_sharding)


# ---- reductions -----------------------------------------------------------------------------------------

def _reduction(prim):
    def f(operand, axes):
        return bind1(prim, operand, axes=_axes(axes, type_of(operand).ndim))
    f.__name__ = prim
    return f


reduce_sum, reduce_prod, reduce_max, reduce_min = (_reduction(p) for p in
                                                   ("reduce_sum", "reduce_prod", "reduce_max", "reduce_min"))
reduce_and, reduce_or, reduce_xor = (_reduction(p) for p in ("reduce_and", "reduce_or", "reduce_xor"))


def argmax(operand, axis, index_dtype):
    """Index of the first maximum along `axis` (NaN counts as the maximum)."""
    return bind1("argmax", operand, axes=(_axis(axis, type_of(operand).ndim),),
                 index_dtype=dtypes.canonicalize_dtype(index_dtype))


def argmin(operand, axis, index_dtype):
    """Index of the first minimum along `axis` (NaN counts as the minimum)."""
    return bind1("argmin", operand, axes=(_axis(axis, type_of(operand).ndim),),
                 index_dtype=dtypes.canonicalize_dtype(index_dtype))


def _cumulative(prim, ok, what):
    def f(operand, axis=0, reverse=False):
        t = type_of(operand)
        if not ok(t.dtype):
            raise TypeError(f"{prim} does not accept dtype {T.dtype_name(t.dtype)}; it takes {what} operands")
        return bind1(prim, operand, axis=_axis(axis, t.ndim), reverse=bool(reverse))
    f.__name__ = prim
    f.__doc__ = f"The running {prim[3:]} along `axis` (from the end when reverse=True)."
    return f


def _number(d): return not T.is_bool(d)


cumsum = _cumulative("cumsum", _number, "numeric")
cumprod = _cumulative("cumprod", _number, "numeric")
cummax = _cumulative("cummax", _number, "numeric")
cummin = _cumulative("cummin", _number, "numeric")
cumlogsumexp = _cumulative("cumlogsumexp", T.is_float, "floating-point")


# ---- sort -----------------------------------------------------------------------------------------------

def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """Sort along `dimension`. A tuple of operands is sorted together, lexicographically by the first num_keys.
    Floats sort in NumPy's order: NaNs last, -0.0 and 0.0 equal; complex numbers by (real, imag)."""
    several = isinstance(operand, (tuple, list))
    operands = list(operand) if several else [operand]
    if not operands:
        raise ValueError("sort: needs at least one operand")
    ndim = type_of(operands[0]).ndim
    if ndim == 0:
        raise TypeError(f"sort: operands must have rank >= 1, got a scalar of type {type_of(operands[0])}")
    out = bind("sort", *operands, dimension=_axis(dimension, ndim, "dimension"), is_stable=bool(is_stable),
               num_keys=_index(num_keys, "num_keys"))
    return tuple(out) if several else out[0]


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    """(keys sorted along `dimension`, values permuted alike)."""
    k, v = sort((keys, values), dimension, is_stable, num_keys=1)
    return k, v


# ---- filled arrays --------------------------------------------------------------------------------------

def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with the scalar `fill_value`; weakly typed when dtype is None and the value
    is a Python scalar, as in JAX."""
    shape = tuple(_index(d, "shape entry") for d in ((shape,) if isinstance(shape, (int, np.integer)) else shape))
    t = type_of(fill_value)
    if t.shape != ():
        raise TypeError(f"full: fill_value must be a scalar, got shape {t.shape}")
    weak = dtype is None and t.weak
    dt = dtypes.canonicalize_dtype(t.dtype if dtype is None else dtype)
    if is_value(fill_value):
        if (t.dtype, t.weak) != (dt, weak):
            fill_value = bind1("convert_element_type", fill_value, new_dtype=dt, weak_type=weak)
    else:
        fill_value = constant(host_value(fill_value)[0].astype(dt) if isinstance(fill_value, np.generic)
                              else fill_value, dt, weak=weak)
    return unshared(broadcast(fill_value, shape))     # the user's own array, not a shared constant


def full_like(x, fill_value, dtype=None, shape=None):
    """full(x's shape or `shape`, fill_value, x's dtype or `dtype`); weak when x is weak and dtype is None."""
    t = type_of(x)
    out = full(t.shape if shape is None else shape, fill_value, t.dtype if dtype is None else dtype)
    if dtype is None and t.weak != type_of(out).weak:
        out = bind1("convert_element_type", out, new_dtype=type_of(out).dtype, weak_type=t.weak)
    more = tuple(sorted(t.vma - type_of(out).vma))   # inside shard_map with check_vma it varies as x does
    return bind1("pvary", out, axes=more) if more else out      # (JAX's _full_like_insert_pvary)


def zeros_like_array(x):
    return full_like(x, 0)


def stop_gradient(x):
    """x, with a zero derivative: every leaf of the pytree x is cut from differentiation."""

    def stop(leaf):
        t = type_of(leaf)
        return bind1("stop_gradient", leaf) if T.is_inexact(t.dtype) else leaf
    return tree.map(stop, x)


# ---- collectives over named axes (bound by vmap(..., axis_name=...)) ---------------------------------

def _axis_sizes(prim, axis_name, axis_index_groups=None):
    """The names (one, or a tuple of them) and their sizes; NameError for a name no enclosing vmap binds."""
    if axis_index_groups is not None:
        raise ValueError(f"{prim}: axis_index_groups is not supported (got {axis_index_groups!r}); collectives "
                         f"run over every member of the named axis")
    names = tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)
    return names, [axis_size(n) for n in names]


def _as_array(x):
    if is_value(x):
        return x
    value, weak = host_value(x)
    return constant(value, weak=weak)


def _vary(leaf, names):
    """leaf made to vary over those of `names` that are checked manual axes (shard_map with check_vma) it
    does not vary over yet: JAX inserts this pvary before a collective over them."""
    more = tuple(n for n in names if n in axis_env.checked and n not in type_of(leaf).vma)
    return bind1("pvary", leaf, axes=more) if more else leaf


def _allreduce(prim, x, axis_name, axis_index_groups):
    names, _ = _axis_sizes(prim, axis_name, axis_index_groups)

    def one(leaf):
        leaf = _as_array(leaf)
        if prim == "psum" and T.is_bool(type_of(leaf).dtype):    # as JAX: booleans are counted
            leaf = convert_element_type(leaf, np.int32)
        leaf = _vary(leaf, names)
        for n in names:
            leaf = bind1(prim, leaf, axis_name=n)
        return leaf
    return tree.map(one, x)


def pvary(x, axis_name):
    """x (a pytree) typed as varying over the manual axis (or tuple of axes) `axis_name` too: a no-op cast,
    whose transpose is psum. Axes x varies over already are an error, as in JAX. (Public as
    lax.pcast(x, axis_name, to='varying'); JAX 0.10 removed lax.pvary.)"""
    names = tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)
    if not names:
        return x
    for n in names:
        axis_size(n)
    if not all(n in axis_env.checked for n in names):   # check_vma=False: no vma types, nothing to cast
        return x
    return tree.map(lambda leaf: bind1("pvary", _as_array(leaf), axes=names), x)


def pcast(x, axis_name, *, to):
    """JAX 0.10.2's lax.pcast: cast x (a pytree) between vma states over the manual axis (or tuple of axes)
    `axis_name`. Lintra tracks varying axes only, so `to='varying'` (from invariant: pvary) is the cast it
    supports; 'reduced' and 'unreduced' are JAX's reduced/unreduced types, which Lintra does not have."""
    if isinstance(axis_name, (set, frozenset)):
        raise TypeError(f"axis_name={axis_name!r} must be a tuple or a str. Got {axis_name}")
    names = axis_name if isinstance(axis_name, tuple) else (axis_name,)
    if not axis_name:
        return x
    if to not in ("unreduced", "reduced", "varying"):
        raise ValueError("Got unexpected `to` value. Allowed `to` values are: {'reduced', 'unreduced', 'varying'}")

    def one(leaf):
        leaf = _as_array(leaf)
        vma = type_of(leaf).vma
        states = {"varying" if n in vma else "invarying" for n in names}
        if len(states) > 1:
            raise ValueError(f"jax.lax.pcast can only accept axis_name which corresponds to one of varying, "
                             f"unreduced, reduced or invarying state of the input. Got input type: "
                             f"{type_of(leaf)}, axes: {set(names)} and input state: {states}")
        from_, = states
        if (from_, to) != ("invarying", "varying"):
            raise ValueError(f"Unsupported pcast from={from_}, to={to!r}")
        return pvary(leaf, names)
    return tree.map(one, x)


def psum(x, axis_name, *, axis_index_groups=None):
    """The sum of x (a pytree) over the members of the named axis (or tuple of axes); psum(1, name) is its size."""
    return _allreduce("psum", x, axis_name, axis_index_groups)


def pmax(x, axis_name, *, axis_index_groups=None):
    """The maximum of x (a pytree) over the members of the named axis (or tuple of axes)."""
    return _allreduce("pmax", x, axis_name, axis_index_groups)


def pmin(x, axis_name, *, axis_index_groups=None):
    """The minimum of x (a pytree) over the members of the named axis (or tuple of axes)."""
    return _allreduce("pmin", x, axis_name, axis_index_groups)


def pmean(x, axis_name, *, axis_index_groups=None):
    """psum(x) / the number of members; integer inputs give floating-point means, as in JAX."""
    _, sizes = _axis_sizes("pmean", axis_name, axis_index_groups)
    n = int(np.prod(sizes))

    def mean(s):
        if not T.is_inexact(type_of(s).dtype):
            s = convert_element_type(s, dtypes.default_float())
        return div(s, n)
    return tree.map(mean, psum(x, axis_name))


def all_gather(x, axis_name, *, axis_index_groups=None, axis=0, tiled=False):
    """Every member's x (a pytree), stacked along a new dimension `axis` in member order (or, with tiled,
    concatenated along the existing dimension `axis`). Over a tuple of axes, members are in row-major order."""
    names, sizes = _axis_sizes("all_gather", axis_name, axis_index_groups)

    def one(leaf):
        leaf = _vary(_as_array(leaf), names)
        t = type_of(leaf)
        if tiled and t.ndim == 0:
            raise ValueError(f"all_gather: tiled=True needs an operand of rank >= 1, got a scalar of type {t}")
        ax = _axis(axis, t.ndim if tiled else t.ndim + 1, "all_gather axis")
        if len(names) == 1:
            return bind1("all_gather", leaf, axis_name=names[0], axis_size=sizes[0], axis=ax, tiled=bool(tiled))
        for n, size in zip(reversed(names), reversed(sizes)):    # the last name varies fastest
            leaf = bind1("all_gather", leaf, axis_name=n, axis_size=size, axis=ax, tiled=False)
        merged = len(names) + (1 if tiled else 0)
        return collapse(leaf, ax, ax + merged)
    return tree.map(one, x)


def _one_axis(prim, axis_name, axis_index_groups=None):
    names, sizes = _axis_sizes(prim, axis_name, axis_index_groups)
    if len(names) != 1:
        raise ValueError(f"{prim}: over one named axis at a time, got {axis_name!r}; nest calls for several")
    return names[0], sizes[0]


def ppermute(x, axis_name, perm):
    """Each member sends x (a pytree) to another: perm lists (source, destination) index pairs, each index at
    most once as a source and once as a destination; members that receive nothing get zeros."""
    name, size = _one_axis("ppermute", axis_name)
    perm = tuple((int(s), int(d)) for s, d in perm)
    return tree.map(lambda leaf: bind1("ppermute", _vary(_as_array(leaf), (name,)), axis_name=name, axis_size=size,
                                       perm=perm), x)


def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
    """psum(x), of which member i keeps the i-th part along scatter_dimension: that dimension's i-th entry
    (its size must equal the axis size), or with tiled its i-th block (its size a multiple of it)."""
    name, size = _one_axis("psum_scatter", axis_name, axis_index_groups)

    def one(leaf):
        leaf = _vary(_as_array(leaf), (name,))
        dim = _axis(scatter_dimension, type_of(leaf).ndim, "psum_scatter scatter_dimension")
        return bind1("psum_scatter", leaf, axis_name=name, axis_size=size, scatter_dimension=dim, tiled=bool(tiled))
    return tree.map(one, x)


def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None, tiled=False):
    """Member i's result gathers the i-th part (along split_axis) of every member's x, in member order along
    concat_axis: a new dimension there, with split_axis (of the axis size) removed; or with tiled, blocks
    concatenated along concat_axis, split_axis divided by the axis size."""
    name, size = _one_axis("all_to_all", axis_name, axis_index_groups)
    x = _vary(_as_array(x), (name,))
    nd = type_of(x).ndim
    split = _axis(split_axis, nd, "all_to_all split_axis")
    concat = _axis(concat_axis, nd, "all_to_all concat_axis")
    return bind1("all_to_all", x, axis_name=name, axis_size=size, split_axis=split, concat_axis=concat,
                 tiled=bool(tiled))


def pswapaxes(x, axis_name, axis, *, axis_index_groups=None):
    """all_to_all that swaps the named axis with positional axis `axis` (split and concatenated there)."""
    return all_to_all(x, axis_name, axis, axis, axis_index_groups=axis_index_groups)


def axis_index(axis_name):
    """This member's index along the named axis (row-major over a tuple of axes), an int32 scalar."""
    names, sizes = _axis_sizes("axis_index", axis_name)
    out = None
    for n, size in zip(names, sizes):
        i = _vary(bind1("axis_index", axis_name=n), (n,))    # with check_vma it varies over n, as in JAX
        out = i if out is None else add(mul(out, np.int32(size)), i)
    return out

