"""Primitives and their type rules.

A type rule takes the operand types and the op's attributes and returns the
result types, or raises TypeError saying what was wrong. The verifier re-derives
every op's result types with these rules; the builder uses them to type new ops.
Attribute names follow jax.lax's parameter names.
"""
import numpy as np

from . import sharding_rules
from . import types as T
from .attributes import check_attributes
from .types import TensorType
from .vma import result_vma
from .primitive_table import PRIMITIVES, REGION_PRIMITIVES, fail as _fail, primitive, registrar  # noqa: F401
from .primitive_table import matrices as _matrices


def infer_types(prim, operand_types, attrs, regions=()):
    """Result types of `prim` applied to operands of these types (raises TypeError if ill-typed).
    `regions` are the op's blocks (anything with .arg_types and .result_types)."""
    rule = PRIMITIVES.get(prim)
    if rule is None:
        raise TypeError(f"unknown primitive '{prim}'")
    check_attributes(prim, attrs)
    if prim in REGION_PRIMITIVES:      # results typed as the regions return them, shardings included
        return [T.check_size(t, prim) for t in rule(*operand_types, regions=regions, **attrs)]
    vma = result_vma(prim, operand_types, attrs)    # varying manual axes (ir/vma.py): empty but in shard_map
    outs = [T.check_size(t if t.vma == vma else t._replace(vma=vma), prim) for t in rule(*operand_types, **attrs)]
    if sharding_rules.needs_rule(prim, operand_types, attrs):
        return sharding_rules.apply(prim, operand_types, attrs, outs)
    return outs


def _check_dtype(prim, t, ok, what):
    if not ok(t.dtype):
        _fail(prim, f"expected {what} operand, got {T.dtype_name(t.dtype)}", t)


def _same(prim, *ts):
    if len({t.shape for t in ts}) > 1 or len({t.dtype for t in ts}) > 1:
        _fail(prim, "operands must have the same shape and dtype", *ts)
    return TensorType(ts[0].shape, ts[0].dtype, all(t.weak for t in ts))


def _axes(prim, axes, ndim, t):
    axes = tuple(axes)
    if any(not 0 <= a < ndim for a in axes) or len(set(axes)) != len(axes):
        _fail(prim, f"axes {list(axes)} invalid for rank {ndim}", t)
    return axes


def _any(d): return True
def _num(d): return not T.is_bool(d)
def _int(d): return T.is_int(d)
def _intbool(d): return T.is_int(d) or T.is_bool(d)
def _signed_or_inexact(d): return T.is_signed(d) or T.is_inexact(d)
def _float(d): return T.is_float(d)
def _inexact(d): return T.is_inexact(d)
def _real(d): return not T.is_complex(d)
def _realnum(d): return not T.is_complex(d) and not T.is_bool(d)


# ---- elementwise -------------------------------------------------------------

def _unary(kinds, what, **names):
    for name in names.get("names", ()):
        def rule(x, *, _n=name):  # keyword-only, so a second operand is an arity error
            _check_dtype(_n, x, kinds, what)
            return [x]
        PRIMITIVES[name] = rule


_unary(_num, "numeric", names=["neg", "sign", "square"])
# as in jax.lax: transcendental functions (and reciprocal, which is integer_pow(x, -1)) take no integers
_unary(_inexact, "inexact", names=["exp", "log", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin",
                                   "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "log1p",
                                   "expm1", "logistic", "exp2"])
_unary(_float, "floating-point", names=["floor", "ceil", "cbrt", "erf", "erfc", "erf_inv", "lgamma", "digamma",
                                        "bessel_i0e", "bessel_i1e"])
_unary(_intbool, "integer or boolean", names=["not"])
_unary(_int, "integer", names=["population_count", "clz"])
_unary(_any, "any", names=["copy"])
_unary(_inexact, "inexact", names=["conj"])


@primitive("abs")
def _abs(x):
    _check_dtype("abs", x, _signed_or_inexact, "signed or inexact")
    if T.is_small_int(x.dtype):     # as jax.lax.abs, which lowers no abs of int2/int4 either
        _fail("abs", f"does not accept dtype {x.dtype.name}: support for narrow-width integers is platform-dependent "
                     f"and limited to a few specific operations, e.g. basic arithmetic and type casting", x)
    return [x.update(dtype=T.real_dtype(x.dtype))]


@primitive("round")
def _round(x, rounding_method=0):
    _check_dtype("round", x, _float, "floating-point")
    if rounding_method not in (0, 1):
        _fail("round", f"rounding_method must be 0 (away from zero) or 1 (to nearest even), got {rounding_method!r}", x)
    return [x]


@primitive("reduce_precision")
def _reduce_precision(x, *, exponent_bits, mantissa_bits):
    """x rounded (to nearest even) to a float with these many exponent and mantissa bits, kept in x's dtype."""
    _check_dtype("reduce_precision", x, _float, "floating-point")
    if not (1 <= exponent_bits < 2 ** 31 and 0 <= mantissa_bits < 2 ** 31):    # i32 attributes in StableHLO
        _fail("reduce_precision", f"exponent_bits must be positive and mantissa_bits non-negative (int32), got "
                                  f"{exponent_bits} and {mantissa_bits}", x)
    return [x]


@primitive("is_finite")
def _is_finite(x):
    _check_dtype("is_finite", x, _float, "floating-point")
    return [TensorType(x.shape, np.dtype(np.bool_), x.weak)]    # weak of weak, as JAX's


@primitive("integer_pow")
def _integer_pow(x, y):
    _check_dtype("integer_pow", x, _num, "numeric")
    if not isinstance(y, int) or isinstance(y, bool):
        _fail("integer_pow", f"exponent y must be a Python int, got {y!r}", x)
    if y < 0 and T.is_int(x.dtype):
        _fail("integer_pow", f"negative exponent {y} for an integer operand", x)
    return [x]


@primitive("real", "imag")
def _real_imag(x):
    _check_dtype("real/imag", x, T.is_complex, "complex")
    return [x.update(dtype=T.real_dtype(x.dtype))]


def _binary(kinds, what, names, result_dtype=None):
    for name in names:
        def rule(x, y, *, _n=name):
            t = _same(_n, x, y)
            _check_dtype(_n, x, kinds, what)
            # comparisons of weakly typed operands give weakly typed booleans, as JAX's
            return [t if result_dtype is None else TensorType(t.shape, np.dtype(result_dtype), t.weak)]
        PRIMITIVES[name] = rule


_binary(_num, "numeric", ["add", "sub", "mul", "div", "pow"])
_binary(_realnum, "real numeric", ["rem"])   # XLA has no complex remainder (its CPU compiler crashes on one)
_binary(_any, "any", ["max", "min"])
_binary(_float, "floating-point", ["atan2", "nextafter"])
_binary(_int, "integer", ["mulhi"])     # the high half of the double-width product
# special functions of two real arguments, as jax.lax's: igamma(a, x), polygamma(m, x), zeta(x, q), ...
_binary(_float, "floating-point", ["igamma", "igammac", "igamma_grad_a", "random_gamma_grad", "polygamma", "zeta"])


@primitive("regularized_incomplete_beta")
def _betainc(a, b, x):
    t = _same("regularized_incomplete_beta", a, b, x)
    _check_dtype("regularized_incomplete_beta", a, _float, "floating-point")
    return [t]
_binary(_intbool, "integer or boolean", ["and", "or", "xor"])
_binary(_int, "integer", ["shift_left", "shift_right_arithmetic", "shift_right_logical"])
_binary(_any, "any", ["eq", "ne"], result_dtype=np.bool_)
_binary(_real, "real", ["lt", "le", "gt", "ge"], result_dtype=np.bool_)


@primitive("complex")
def _complex(x, y):
    t = _same("complex", x, y)
    _check_dtype("complex", x, _float, "floating-point")
    if x.dtype not in (np.float32, np.float64):
        _fail("complex", "operands must be f32 or f64", x, y)
    return [t.update(dtype=T.complex_dtype(x.dtype))]


@primitive("select_n")
def _select_n(which, *cases):
    if not cases:
        _fail("select_n", "needs at least one case", which)
    t = _same("select_n", *cases)
    if which.dtype not in (np.bool_, np.int32) or (which.dtype == np.bool_ and len(cases) > 2):
        _fail("select_n", "predicate must be bool (with at most 2 cases) or i32", which)
    if which.shape not in ((), t.shape):
        _fail("select_n", "predicate must be a scalar or have the cases' shape", which, *cases)
    return [t]


@primitive("clamp")
def _clamp(lo, x, hi):
    for b in (lo, hi):
        if b.dtype != x.dtype or b.shape not in ((), x.shape):
            _fail("clamp", "bounds must have the operand's dtype and be scalars or of its shape", lo, x, hi)
    _check_dtype("clamp", x, _real, "real")
    return [x.update(weak=x.weak and lo.weak and hi.weak)]


@primitive("convert_element_type")
def _convert(x, new_dtype, weak_type=False):
    return [TensorType(x.shape, T.dtype(new_dtype), bool(weak_type))]


@primitive("bitcast_convert_type")
def _bitcast(x, new_dtype):
    new = T.dtype(new_dtype)
    if any(T.is_bool(d) or T.is_complex(d) for d in (x.dtype, new)):
        _fail("bitcast_convert_type", f"cannot bitcast {T.dtype_name(x.dtype)} to {T.dtype_name(new)}: only "
              "integer and floating-point types can be bitcast", x)
    a, b = x.dtype.itemsize, new.itemsize
    if a == b:
        return [TensorType(x.shape, new)]
    if a > b and a % b == 0:
        return [TensorType(x.shape + (a // b,), new)]
    if b > a and b % a == 0 and x.shape and x.shape[-1] == b // a:
        return [TensorType(x.shape[:-1], new)]
    _fail("bitcast_convert_type", f"cannot bitcast {T.dtype_name(x.dtype)} to {T.dtype_name(new)} at this shape", x)


# ---- creation and shape --------------------------------------------------------

@primitive("constant")
def _constant(value, weak=False):
    return [TensorType(tuple(value.shape), value.dtype, bool(weak))]


@primitive("iota")
def _iota(dtype, shape, dimension=0):
    shape = tuple(shape)
    if not 0 <= dimension < max(len(shape), 1) or not shape:
        raise TypeError(f"iota: dimension {dimension} out of range for shape {list(shape)}")
    return [TensorType(shape, T.dtype(dtype))]


@primitive("broadcast_in_dim")
def _broadcast_in_dim(x, shape, broadcast_dimensions, out_sharding=None):
    shape, dims = tuple(shape), tuple(broadcast_dimensions)
    _check_out_sharding("broadcast_in_dim", out_sharding, len(shape), x)
    if len(dims) != x.ndim or len(set(dims)) != len(dims) or any(not 0 <= d < len(shape) for d in dims) \
            or list(dims) != sorted(dims) \
            or any(x.shape[i] not in (1, shape[d]) for i, d in enumerate(dims)):
        _fail("broadcast_in_dim", f"cannot broadcast to shape {list(shape)} with broadcast_dimensions {list(dims)}", x)
    return [x.update(shape=shape)]


@primitive("reshape")
def _reshape(x, new_sizes, out_sharding=None):
    new_sizes = tuple(new_sizes)
    if any(d < 0 for d in new_sizes) or int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        _fail("reshape", f"cannot reshape {x.size} elements into shape {list(new_sizes)}", x)
    _check_out_sharding("reshape", out_sharding, len(new_sizes), x)
    return [x.update(shape=new_sizes)]


@primitive("transpose")
def _transpose(x, permutation):
    perm = tuple(permutation)
    if sorted(perm) != list(range(x.ndim)):
        _fail("transpose", f"permutation {list(perm)} is not a permutation of range({x.ndim})", x)
    return [x.update(shape=tuple(x.shape[p] for p in perm))]


@primitive("squeeze")
def _squeeze(x, dimensions):
    dims = _axes("squeeze", dimensions, x.ndim, x)
    if any(x.shape[d] != 1 for d in dims):
        _fail("squeeze", f"dimensions {list(dims)} are not all of size 1", x)
    return [x.update(shape=tuple(s for i, s in enumerate(x.shape) if i not in dims))]


@primitive("expand_dims")
def _expand_dims(x, dimensions):
    ndim = x.ndim + len(dimensions)
    dims = _axes("expand_dims", dimensions, ndim, x)
    it = iter(x.shape)
    return [x.update(shape=tuple(1 if i in dims else next(it) for i in range(ndim)))]


@primitive("rev")
def _rev(x, dimensions):
    _axes("rev", dimensions, x.ndim, x)
    return [x]


@primitive("slice")
def _slice(x, start_indices, limit_indices, strides=None):
    strides = tuple(strides) if strides is not None else (1,) * x.ndim
    if not len(start_indices) == len(limit_indices) == len(strides) == x.ndim:
        _fail("slice", "start_indices, limit_indices and strides must each have one entry per dimension", x)
    out = []
    for s, l, st, n in zip(start_indices, limit_indices, strides, x.shape):
        if not (0 <= s <= l <= n) or st < 1:
            _fail("slice", f"slice [{list(start_indices)}:{list(limit_indices)}:{list(strides)}] out of bounds", x)
        out.append(max(0, -(-(l - s) // st)))
    return [x.update(shape=tuple(out))]


def _check_indices(prim, idx, ops):
    for i in idx:
        if i.shape != () or not T.is_int(i.dtype):
            _fail(prim, "start indices must be integer scalars", *ops)


@primitive("dynamic_slice")
def _dynamic_slice(x, *start_indices, slice_sizes):
    _check_indices("dynamic_slice", start_indices, (x,) + start_indices)
    if len(start_indices) != x.ndim or len(slice_sizes) != x.ndim or \
            any(not 0 <= s <= n for s, n in zip(slice_sizes, x.shape)):
        _fail("dynamic_slice", f"slice_sizes {list(slice_sizes)} and one start index per dimension needed", x)
    return [x.update(shape=tuple(slice_sizes))]


@primitive("dynamic_update_slice")
def _dynamic_update_slice(x, update, *start_indices):
    _check_indices("dynamic_update_slice", start_indices, (x, update) + start_indices)
    if update.dtype != x.dtype or update.ndim != x.ndim or len(start_indices) != x.ndim \
            or any(u > n for u, n in zip(update.shape, x.shape)):
        _fail("dynamic_update_slice", "update must have the operand's dtype and rank, fit inside it, "
              "and one start index per dimension is needed", x, update)
    return [x.update(weak=x.weak and update.weak)]


@primitive("concatenate")
def _concatenate(*xs, dimension):
    if not xs:
        raise TypeError("concatenate: needs at least one operand")
    x0 = xs[0]
    if not 0 <= dimension < x0.ndim or any(x.dtype != x0.dtype or x.ndim != x0.ndim or
            any(a != b for i, (a, b) in enumerate(zip(x.shape, x0.shape)) if i != dimension) for x in xs):
        _fail("concatenate", f"operands must agree in dtype and in every dimension but {dimension}", *xs)
    shape = list(x0.shape)
    shape[dimension] = sum(x.shape[dimension] for x in xs)
    return [TensorType(tuple(shape), x0.dtype, all(x.weak for x in xs))]


@primitive("pad")
def _pad(x, padding_value, padding_config):
    if padding_value.shape != () or padding_value.dtype != x.dtype or len(padding_config) != x.ndim:
        _fail("pad", "padding_value must be a scalar of the operand's dtype and padding_config have one "
              "(low, high, interior) per dimension", x, padding_value)
    out = []
    for n, (lo, hi, interior) in zip(x.shape, padding_config):
        if interior < 0:
            _fail("pad", "interior padding must be non-negative", x)
        size = lo + hi + n + max(n - 1, 0) * interior
        if size < 0:
            _fail("pad", f"padding_config {list(padding_config)} gives a negative size", x)
        out.append(size)
    return [x.update(shape=tuple(out))]


# ---- gather and scatter (StableHLO semantics; the index vector is the last dimension of indices) --

def _dim_list(prim, name, dims, bound, types, ordered=True):
    """dims as a tuple, checked as StableHLO requires of a dimension-number list: integers in [0, bound),
    unique, and (when `ordered`) ascending."""
    if not isinstance(dims, (tuple, list)) or any(not isinstance(d, int) or isinstance(d, bool) for d in dims):
        _fail(prim, f"{name} must be a list of integers, got {dims!r}", *types)
    if any(not 0 <= d < bound for d in dims):
        _fail(prim, f"{name} {list(dims)} must be in [0, {bound})", *types)
    if len(set(dims)) != len(dims) or (ordered and list(dims) != sorted(dims)):
        _fail(prim, f"{name} {list(dims)} must be {'sorted and ' if ordered else ''}unique", *types)
    return tuple(dims)


def _batching_dims(prim, operand_dims, index_dims, operand_names, x, indices, types):
    """Operand and index batching dimensions pair up, with equal sizes (StableHLO gather C13-C17, scatter
    C13-C17); the index vector dimension (the last) is not one of them."""
    operand_dims = _dim_list(prim, operand_names[0], operand_dims, x.ndim, types)
    index_dims = _dim_list(prim, operand_names[1], index_dims, indices.ndim - 1, types, ordered=False)
    if len(operand_dims) != len(index_dims) or any(x.shape[a] != indices.shape[b]
                                                   for a, b in zip(operand_dims, index_dims)):
        _fail(prim, f"{operand_names[0]} {list(operand_dims)} and {operand_names[1]} {list(index_dims)} must pair "
                    f"dimensions of equal size", *types)
    return operand_dims


@primitive("gather")
def _gather(x, indices, offset_dims, collapsed_slice_dims, start_index_map, slice_sizes,
            operand_batching_dims=(), start_indices_batching_dims=(), indices_are_sorted=False,
            unique_indices=False):
    ts = (x, indices)
    if not T.is_int(indices.dtype) or indices.ndim < 1 or indices.shape[-1] != len(start_index_map):
        _fail("gather", "indices must be integers whose last dimension indexes start_index_map", *ts)
    batching = _batching_dims("gather", operand_batching_dims, start_indices_batching_dims,
                              ("operand_batching_dims", "start_indices_batching_dims"), x, indices, ts)
    collapsed = _dim_list("gather", "collapsed_slice_dims", collapsed_slice_dims, x.ndim, ts)
    starts = _dim_list("gather", "start_index_map", start_index_map, x.ndim, ts, ordered=False)
    if set(collapsed) & set(batching) or set(starts) & set(batching):
        _fail("gather", "operand_batching_dims must be disjoint from collapsed_slice_dims and start_index_map", *ts)
    # with no index vectors nothing is read (the result is empty), so slices need not fit (JAX 0.10.2: vmap
    # over 0 examples of x[i])
    fits = (lambda s, n: 0 <= s) if 0 in indices.shape[:-1] else (lambda s, n: 0 <= s <= n)
    if (not isinstance(slice_sizes, (tuple, list)) or len(slice_sizes) != x.ndim
            or any(not isinstance(s, int) or not fits(s, n) for s, n in zip(slice_sizes, x.shape))):
        _fail("gather", f"slice_sizes {slice_sizes!r} do not fit the operand", *ts)
    dropped = set(collapsed) | set(batching)
    if any(slice_sizes[d] != 1 for d in collapsed) or any(slice_sizes[d] > 1 for d in batching):
        _fail("gather", "collapsed dims must have slice size 1, batching dims 0 or 1", *ts)
    offset_sizes = [s for i, s in enumerate(slice_sizes) if i not in dropped]
    batch_shape = list(indices.shape[:-1])
    rank = len(batch_shape) + len(offset_sizes)
    offsets = _dim_list("gather", "offset_dims", offset_dims, rank, ts)
    if len(offsets) != len(offset_sizes):
        _fail("gather", f"offset_dims {list(offset_dims)} inconsistent with slice_sizes", *ts)
    out, b, o = [], iter(batch_shape), iter(offset_sizes)
    for i in range(rank):
        out.append(next(o) if i in offsets else next(b))
    return [x.update(shape=tuple(out))]


@primitive("scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max")
def _scatter(x, indices, updates, update_window_dims, inserted_window_dims, scatter_dims_to_operand_dims,
             operand_batching_dims=(), scatter_indices_batching_dims=(), indices_are_sorted=False,
             unique_indices=False):
    ts = (x, indices, updates)
    if not T.is_int(indices.dtype) or indices.ndim < 1 or indices.shape[-1] != len(scatter_dims_to_operand_dims):
        _fail("scatter", "indices must be integers whose last dimension indexes scatter_dims_to_operand_dims", *ts)
    if updates.dtype != x.dtype:
        _fail("scatter", "updates must have the operand's dtype", *ts)
    batching = _batching_dims("scatter", operand_batching_dims, scatter_indices_batching_dims,
                              ("operand_batching_dims", "scatter_indices_batching_dims"), x, indices, ts)
    inserted = _dim_list("scatter", "inserted_window_dims", inserted_window_dims, x.ndim, ts)
    to_operand = _dim_list("scatter", "scatter_dims_to_operand_dims", scatter_dims_to_operand_dims, x.ndim, ts,
                           ordered=False)
    if set(inserted) & set(batching) or set(to_operand) & set(batching):
        _fail("scatter", "operand_batching_dims must be disjoint from inserted_window_dims and "
                         "scatter_dims_to_operand_dims", *ts)
    n_window = x.ndim - len(inserted) - len(batching)
    if updates.ndim != indices.ndim - 1 + n_window:
        _fail("scatter", "update_window_dims inconsistent with operand and updates ranks", *ts)
    window = _dim_list("scatter", "update_window_dims", update_window_dims, updates.ndim, ts)
    if len(window) != n_window:
        _fail("scatter", "update_window_dims inconsistent with operand and updates ranks", *ts)
    # updates: the index batch dimensions in order, and each window at most the operand's size (C4)
    scatter_sizes = [n for i, n in enumerate(updates.shape) if i not in window]
    window_bounds = [n for i, n in enumerate(x.shape) if i not in set(inserted) | set(batching)]
    if (scatter_sizes != list(indices.shape[:-1])
            or any(updates.shape[w] > b for w, b in zip(window, window_bounds))):
        _fail("scatter", "updates' shape must be the indices' batch shape with windows that fit the operand", *ts)
    return [x.update(weak=x.weak and updates.weak)]


# scatter_apply(x, indices, updates): a scatter whose region (a scalar function of x's dtype) replaces each
# indexed element by f(element), once per occurrence of its index; the updates only give the windows' shape
@primitive("scatter_apply")
def _scatter_apply(x, indices, updates, regions, **dims):
    f, = regions
    scalar = [x.update(shape=(), weak=False)]
    if [t.strong() for t in f.arg_types] != scalar or [t.strong() for t in f.result_types] != scalar:
        _fail("scatter_apply", f"the region must map {scalar[0]} to {scalar[0]}, got "
              f"({', '.join(map(str, f.arg_types))}) -> ({', '.join(map(str, f.result_types))})", x, indices, updates)
    return _scatter(x, indices, updates, **dims)


# ---- contraction and reductions --------------------------------------------------

def preferred_element_type_ok(src, preferred) -> bool:
    """Whether dot_general may accumulate inputs of dtype src in `preferred`: the same kind (an integer may
    also go to a float; a bool to anything) and not narrower. JAX also lets floats narrow and complex inputs
    go to real types; in XLA those have no one meaning (f32 -> i32 rounds the sum, not the operands; c64 ->
    f64 takes the complex sum's real part) and a complex constant converted to a real type crashes XLA's
    constant folder."""
    src, preferred = np.dtype(src), np.dtype(preferred)
    ok = (T.is_complex(preferred) if T.is_complex(src) else T.is_float(preferred) if T.is_float(src)
          else T.is_int(preferred) or T.is_float(preferred) if T.is_int(src) else True)
    return ok and preferred.itemsize >= src.itemsize


@primitive("dot_general")
def _dot_general(lhs, rhs, lhs_contracting, rhs_contracting, lhs_batch=(), rhs_batch=(),
                 preferred_element_type=None, precision=None, out_sharding=None):
    if lhs.dtype != rhs.dtype:
        _fail("dot_general", "operands must have the same dtype", lhs, rhs)
    if preferred_element_type is not None and not preferred_element_type_ok(lhs.dtype,
                                                                            T.dtype(preferred_element_type)):
        _fail("dot_general", f"preferred_element_type {T.dtype_name(T.dtype(preferred_element_type))} is "
              f"incompatible with inputs of dtype {T.dtype_name(lhs.dtype)} (it must be of the same kind and not "
              "narrower)", lhs, rhs)
    if precision is not None and (len(precision) != 2 or not set(precision) <= {"DEFAULT", "HIGH", "HIGHEST"}):
        _fail("dot_general", f"precision must be a pair of DEFAULT, HIGH, HIGHEST; got {precision!r}", lhs, rhs)
    for dims_l, dims_r, what in ((lhs_contracting, rhs_contracting, "contracting"), (lhs_batch, rhs_batch, "batch")):
        if len(dims_l) != len(dims_r) or any(not 0 <= a < lhs.ndim or not 0 <= b < rhs.ndim or
                                              lhs.shape[a] != rhs.shape[b] for a, b in zip(dims_l, dims_r)):
            _fail("dot_general", f"{what} dimensions {list(dims_l)} and {list(dims_r)} do not match", lhs, rhs)
    used_l, used_r = set(lhs_contracting) | set(lhs_batch), set(rhs_contracting) | set(rhs_batch)
    if len(used_l) != len(lhs_contracting) + len(lhs_batch) or len(used_r) != len(rhs_contracting) + len(rhs_batch):
        _fail("dot_general", "a dimension is used twice", lhs, rhs)
    shape = ([lhs.shape[d] for d in lhs_batch] + [n for i, n in enumerate(lhs.shape) if i not in used_l]
             + [n for i, n in enumerate(rhs.shape) if i not in used_r])
    dt = lhs.dtype if preferred_element_type is None else T.dtype(preferred_element_type)
    _check_out_sharding("dot_general", out_sharding, len(shape), lhs, rhs)
    return [TensorType(tuple(shape), dt, lhs.weak and rhs.weak and preferred_element_type is None)]


def _check_out_sharding(prim, out_sharding, ndim, *ts):
    """An out_sharding attribute (the result's sharding: axis names per dimension) must fit the result."""
    if out_sharding is None:
        return
    if not isinstance(out_sharding, tuple) or len(out_sharding) != ndim or not all(
            isinstance(axes, tuple) and all(isinstance(a, str) for a in axes) for axes in out_sharding):
        _fail(prim, f"out_sharding {out_sharding!r} must give a tuple of mesh axis names for each of the result's "
              f"{ndim} dimensions", *ts)
    named = [a for axes in out_sharding for a in axes]
    if len(set(named)) != len(named):
        _fail(prim, f"out_sharding {list(out_sharding)} names a mesh axis twice", *ts)


@primitive("reduce_sum", "reduce_prod", "reduce_max", "reduce_min")
def _reduce(x, axes):
    axes = _axes("reduce", axes, x.ndim, x)
    return [x.update(shape=tuple(n for i, n in enumerate(x.shape) if i not in axes))]


@primitive("reduce_and", "reduce_or", "reduce_xor")
def _reduce_logical(x, axes):
    _check_dtype("reduce_and/or", x, _intbool, "integer or boolean")
    return _reduce(x, axes)


@primitive("argmax", "argmin")
def _argminmax(x, axes, index_dtype):
    if len(axes) != 1:
        _fail("argmax/argmin", f"expected exactly one axis, got {list(axes)}", x)
    _check_dtype("argmax/argmin", x, _real, "real")
    axes = _axes("argmax", axes, x.ndim, x)
    if not T.is_int(T.dtype(index_dtype)):
        _fail("argmax/argmin", f"index_dtype must be an integer dtype, got {index_dtype}", x)
    return [TensorType(tuple(n for i, n in enumerate(x.shape) if i not in axes), T.dtype(index_dtype))]


@primitive("cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp")
def _cumulative(x, axis, reverse=False):
    _axes("cumulative", (axis,), x.ndim, x)
    return [x]


@primitive("sort")
def _sort(*xs, dimension, is_stable=True, num_keys=1):
    if not xs or len({x.shape for x in xs}) != 1 or not 0 <= dimension < max(xs[0].ndim, 1) or xs[0].ndim == 0:
        _fail("sort", f"operands must share one shape of rank >= 1 with dimension {dimension} in range", *xs)
    if not 1 <= num_keys <= len(xs):
        _fail("sort", f"num_keys={num_keys} must be between 1 and the number of operands", *xs)
    return list(xs)


# ---- ops with regions ----------------------------------------------------------------

REGION_PRIMITIVES.add("call")


@primitive("call")
def _call(*args, regions, callee="f"):
    if len(regions) != 1:
        raise TypeError(f"call @{callee}: expected the callee's body as one region, got {len(regions)} regions")
    body, = regions
    if [a.strong() for a in args] != [a.strong() for a in body.arg_types]:
        raise TypeError(f"call @{callee}: operand types ({', '.join(map(str, args))}) do not match the "
                        f"callee's arguments ({', '.join(map(str, body.arg_types))})")
    return list(body.result_types)


@primitive("stop_gradient")
def _stop_gradient(x):
    return [x]


def _match_args(prim, args, arg_types):
    if _strong(args) != _strong(arg_types):
        raise TypeError(f"{prim}: operand types ({', '.join(map(str, args))}) do not match the region's "
                        f"arguments ({', '.join(map(str, arg_types))})")


# custom_jvp_call(args..., consts...): region 0 is the function (args + consts -> outputs), region 1 its
# JVP rule (args, their tangents -> outputs, output tangents). The rule region is traced lazily, when a pass
# first needs it, so only region 0 is read here.
REGION_PRIMITIVES.update({"custom_jvp_call", "custom_vjp_call", "custom_vjp_lin"})


@primitive("custom_jvp_call")
def _custom_jvp_call(*args, regions, num_args, name="f"):
    if len(regions) != 2:
        raise TypeError(f"custom_jvp_call {name}: expected 2 regions (function, JVP rule), got {len(regions)}")
    _match_args("custom_jvp_call", args, regions[0].arg_types)
    return list(regions[0].result_types)


# custom_vjp_call(args..., consts...): regions fun (args + consts -> outputs), fwd (args -> outputs +
# residuals) and bwd (residuals, output cotangents -> input cotangents); fwd and bwd are traced lazily.
@primitive("custom_vjp_call")
def _custom_vjp_call(*args, regions, num_args, name="f"):
    if len(regions) != 3:
        raise TypeError(f"custom_vjp_call {name}: expected 3 regions (function, fwd, bwd), got {len(regions)}")
    _match_args("custom_vjp_call", args, regions[0].arg_types)
    return list(regions[0].result_types)


# custom_vjp_lin(residuals..., tangents...): the linear map whose transpose is the bwd region. It exists
# only between linearize and transpose: it cannot be evaluated forwards.
@primitive("custom_vjp_lin")
def _custom_vjp_lin(*args, regions, num_res, num_out, name="f"):
    bwd, = regions
    return list(bwd.arg_types[num_res:num_res + num_out])


# ---- collectives over a named (vmapped) axis: the batch pass for that axis rewrites them away ----

@primitive("psum", "pmax", "pmin")
def _collective(x, axis_name):
    return [x]


# pvary(x): x itself, typed as varying over `axes` too (JAX's invariant->varying cast, lax.pcast(x, axes,
# to='varying')): a no-op on every device, whose transpose is psum. Its vma rule is in ir/vma.py.
@primitive("pvary")
def _pvary(x, axes):
    if not axes or not all(isinstance(a, str) for a in axes) or len(set(axes)) != len(axes):
        _fail("pvary", f"axes must be distinct mesh axis names, got {list(axes)!r}", x)
    return [x]


@primitive("all_gather")
def _all_gather(x, axis_name, axis_size, axis=0, tiled=False):
    if not 0 <= axis <= x.ndim - (1 if tiled else 0):
        _fail("all_gather", f"axis {axis} out of range", x)
    shape = list(x.shape)
    if tiled:
        shape[axis] *= axis_size
    else:
        shape.insert(axis, axis_size)
    return [x.update(shape=tuple(shape))]


@primitive("axis_index")
def _axis_index(axis_name):
    return [TensorType((), np.dtype(np.int32))]


@primitive("ppermute")
def _ppermute(x, axis_name, axis_size, perm):
    srcs, dsts = [p[0] for p in perm], [p[1] for p in perm]
    if len(set(srcs)) < len(srcs) or len(set(dsts)) < len(dsts) or \
            not all(0 <= i < axis_size for i in srcs + dsts):
        _fail("ppermute", f"perm {list(perm)} must pair distinct sources with distinct destinations in "
              f"range({axis_size})", x)
    return [x]


def _split_dim(prim, x, dim, n, tiled, what):
    """x's shape without dimension `dim` (tiled: with it divided by n), which must be n (tiled: a multiple)."""
    if not 0 <= dim < x.ndim:
        _fail(prim, f"{what} {dim} out of range", x)
    shape = list(x.shape)
    if shape[dim] % n if tiled else shape[dim] != n:
        _fail(prim, f"dimension {dim} ({what}) must be {'a multiple of' if tiled else ''} the axis size {n}", x)
    if tiled:
        shape[dim] //= n
    else:
        del shape[dim]
    return shape


@primitive("psum_scatter")
def _psum_scatter(x, axis_name, axis_size, scatter_dimension=0, tiled=False):
    return [x.update(shape=tuple(_split_dim("psum_scatter", x, scatter_dimension, axis_size, tiled,
                                            "scatter_dimension")))]


@primitive("all_to_all")
def _all_to_all(x, axis_name, axis_size, split_axis, concat_axis, tiled=False):
    shape = _split_dim("all_to_all", x, split_axis, axis_size, tiled, "split_axis")
    if not 0 <= concat_axis <= len(shape) - (1 if tiled else 0):
        _fail("all_to_all", f"concat_axis {concat_axis} out of range", x)
    if tiled:
        shape[concat_axis] *= axis_size
    else:
        shape.insert(concat_axis, axis_size)
    return [x.update(shape=tuple(shape))]


# ---- linear algebra: matrices are the last two dimensions, batch dimensions lead ----------------------

@primitive("cholesky")
def _cholesky(x):
    _matrices("cholesky", x, square=True)
    return [x.strong()]


@primitive("triangular_solve")
def _triangular_solve(a, b, left_side=False, lower=False, transpose_a=False, conjugate_a=False,
                      unit_diagonal=False):
    batch, m, _ = _matrices("triangular_solve", a, square=True)
    _matrices("triangular_solve", b)
    if b.dtype != a.dtype or b.shape[:-2] != batch or b.shape[-2 if left_side else -1] != m:
        side = "[..., m, k]" if left_side else "[..., k, m]"
        _fail("triangular_solve", f"b must have a's dtype, batch dimensions and shape {side} for a of shape "
              f"[..., m, m] (left_side={bool(left_side)})", a, b)
    return [TensorType(b.shape, b.dtype, a.weak and b.weak)]


@primitive("eigh")
def _eigh(x, lower=True):
    batch, n, _ = _matrices("eigh", x, square=True)
    return [x.strong(), TensorType(batch + (n,), T.real_dtype(x.dtype))]


@primitive("svd")
def _svd(x, full_matrices=False, compute_uv=True):
    batch, m, n = _matrices("svd", x)
    k = min(m, n)
    s = TensorType(batch + (k,), T.real_dtype(x.dtype))
    if not compute_uv:
        return [s]
    cols_u, rows_vt = (m, n) if full_matrices else (k, k)
    return [s, TensorType(batch + (m, cols_u), x.dtype), TensorType(batch + (rows_vt, n), x.dtype)]


@primitive("qr")
def _qr(x, full_matrices=False, pivoting=False):
    """(q, r), and with pivoting the i32 column permutation p of x[..., :, p] = q r (LAPACK geqp3)."""
    batch, m, n = _matrices("qr", x)
    k = m if full_matrices else min(m, n)
    pivots = [TensorType(batch + (n,), np.dtype(np.int32))] if pivoting else []
    return [TensorType(batch + (m, k), x.dtype), TensorType(batch + (k, n), x.dtype)] + pivots


@primitive("schur")
def _schur(x):
    """(T, Z) with x = Z T Z^H, Z unitary, T upper (quasi-)triangular (real Schur form for real x)."""
    _matrices("schur", x, square=True)
    return [x.strong(), x.strong()]


@primitive("hessenberg")
def _hessenberg(x):
    """(packed, taus): the upper Hessenberg form on and above the first subdiagonal of packed, Householder
    reflectors below it, and their n - 1 scalar factors."""
    batch, n, _ = _matrices("hessenberg", x, square=True)
    return [x.strong(), TensorType(batch + (max(n - 1, 0),), x.dtype)]


@primitive("lu")
def _lu(x):
    batch, m, n = _matrices("lu", x)
    i32 = np.dtype(np.int32)
    return [x.strong(), TensorType(batch + (min(m, n),), i32), TensorType(batch + (m,), i32)]


# ---- host callbacks: `callback` is the id of a function in ir.callbacks' registry; kind is "pure"
# (pure_callback: no effect, may be removed), "debug" (debug.callback/print) or "io" (io_callback)

@primitive("callback")
def _callback(*args, callback, result_shapes, result_dtypes, kind, ordered=False, vmap_method=""):
    if kind not in ("pure", "debug", "io") or len(result_shapes) != len(result_dtypes):
        _fail("callback", f"bad kind {kind!r} or result shapes/dtypes", *args)
    return [TensorType(tuple(s), np.dtype(d)) for s, d in zip(result_shapes, result_dtypes)]


# ---- calls of exported functions: `module` is the fingerprint of a StableHLO module that lintra.export made
# (or deserialized) in this process; the op states its signature, so the IR types check without the module

@primitive("exported_call")
def _exported_call(*args, module, fun_name, arg_shapes, arg_dtypes, result_shapes, result_dtypes):
    expected = [TensorType(tuple(s), np.dtype(d)) for s, d in zip(arg_shapes, arg_dtypes)]
    if [a.strong() for a in args] != expected:
        _fail("exported_call", f"exported function {fun_name} takes ({', '.join(map(str, expected))})", *args)
    return [TensorType(tuple(s), np.dtype(d)) for s, d in zip(result_shapes, result_dtypes)]


# ---- structured control flow: regions are closed, so every value a body uses from outside is an operand ----

REGION_PRIMITIVES.update({"cond", "while", "scan", "scatter_apply"})


def _strong(types):
    # region boundaries compare types without their shardings: a layout that differs there is a resharding
    # for the partitioner, not a type error
    return [t.strong().unsharded() for t in types]


def _types(types):
    return f"({', '.join(map(str, types))})"


# cond(index, *operands): one region per branch, each (operands) -> results, all of one signature. Branch
# `index` runs; an index outside [0, len(regions)) is clamped into it (as jax.lax.switch clamps).
@primitive("cond")
def _cond(index, *operands, regions):
    if not regions:
        raise TypeError("cond: needs at least one branch region")
    if index.shape != () or index.dtype != np.int32:
        _fail("cond", "the branch index must be an i32 scalar", index)
    outs = list(regions[0].result_types)
    for i, branch in enumerate(regions):
        if _strong(branch.arg_types) != _strong(operands):
            raise TypeError(f"cond: branch {i} takes {_types(branch.arg_types)}, but the operands are "
                            f"{_types(operands)}")
        if _strong(branch.result_types) != _strong(outs):
            raise TypeError(f"cond: branch {i} returns {_types(branch.result_types)}, but branch 0 returns "
                            f"{_types(outs)}; all branches must return the same types")
    # a result is weakly typed only if every branch returns it weakly typed
    return [t.update(weak=all(r.result_types[k].weak for r in regions)) for k, t in enumerate(outs)]


# while(*cond_consts, *body_consts, *init): regions cond(cond_consts, carry) -> bool[] and
# body(body_consts, carry) -> carry. The results are the carry once cond is false.
@primitive("while")
def _while(*operands, regions, cond_nconsts, body_nconsts):
    if len(regions) != 2:
        raise TypeError(f"while: expected 2 regions (cond, body), got {len(regions)}")
    if not (0 <= cond_nconsts and 0 <= body_nconsts and cond_nconsts + body_nconsts <= len(operands)):
        raise TypeError(f"while: cond_nconsts={cond_nconsts} and body_nconsts={body_nconsts} do not fit "
                        f"{len(operands)} operands")
    cond, body = regions
    cc, bc, init = (list(operands[:cond_nconsts]), list(operands[cond_nconsts:cond_nconsts + body_nconsts]),
                    list(operands[cond_nconsts + body_nconsts:]))
    if _strong(cond.arg_types) != _strong(cc + init):
        raise TypeError(f"while: the cond region takes {_types(cond.arg_types)}, but its consts and the carry "
                        f"are {_types(cc + init)}")
    if [t.strong() for t in cond.result_types] != [TensorType((), np.dtype(np.bool_))]:
        raise TypeError(f"while: the cond region must return one bool[], got {_types(cond.result_types)}")
    if _strong(body.arg_types) != _strong(bc + init):
        raise TypeError(f"while: the body region takes {_types(body.arg_types)}, but its consts and the carry "
                        f"are {_types(bc + init)}")
    if _strong(body.result_types) != _strong(init):
        raise TypeError(f"while: the body region returns {_types(body.result_types)}, but the carry is "
                        f"{_types(init)}; the carry's types must not change")
    return list(init)


# scan(*consts, *init, *xs): region body(consts, carry, x slices) -> (carry, y slices), run `length` times
# over the leading axis of every x (from the end when reverse). Results: the final carry, then each y
# stacked along a new leading axis of size length (y_i at position i, also when reverse).
@primitive("scan")
def _scan(*operands, regions, num_consts, num_carry, length, reverse=False):
    if len(regions) != 1:
        raise TypeError(f"scan: expected 1 region (the body), got {len(regions)}")
    if not (0 <= num_consts and 0 <= num_carry and num_consts + num_carry <= len(operands)) or length < 0:
        raise TypeError(f"scan: num_consts={num_consts}, num_carry={num_carry} and length={length} do not fit "
                        f"{len(operands)} operands")
    body, = regions
    consts, init, xs = (list(operands[:num_consts]), list(operands[num_consts:num_consts + num_carry]),
                        list(operands[num_consts + num_carry:]))
    for x in xs:
        if not x.shape or x.shape[0] != length:
            _fail("scan", f"every scanned operand needs a leading axis of size length={length}", x)
    slices = [x.update(shape=x.shape[1:]) for x in xs]
    if _strong(body.arg_types) != _strong(consts + init + slices):
        raise TypeError(f"scan: the body takes {_types(body.arg_types)}, but the consts, carry and x slices are "
                        f"{_types(consts + init + slices)}")
    outs = body.result_types
    if len(outs) < num_carry or _strong(outs[:num_carry]) != _strong(init):
        raise TypeError(f"scan: the body returns {_types(outs)}, which must start with the carry "
                        f"{_types(init)}; the carry's types must not change")
    # the stacked axis of each y is unsplit; the rest keep the body's shardings
    return list(init) + [y.update(shape=(length,) + y.shape, sharding=((),) + y.sharding if y.sharding else None)
                         for y in outs[num_carry:]]


# ---- rematerialisation and implicit derivatives ---------------------------------------------------------

REGION_PRIMITIVES.update({"checkpoint", "linear_solve"})

# What the known (forward) part of a checkpoint may keep for the backward part; the rest is recomputed.
CHECKPOINT_POLICIES = ("nothing_saveable", "everything_saveable", "dots_saveable", "dots_with_no_batch_dims_saveable",
                       "save_only_these_names", "save_any_names_but_these", "save_from_both_policies")


# checkpoint(*args): its region (args -> results) runs as a call. Differentiated, its linear part recomputes
# what `policy` does not let the forward part save (names: the `name` ops the name policies read).
# differentiated marks the recomputing copy that partial evaluation stages.
@primitive("checkpoint")
def _checkpoint(*args, regions, policy="nothing_saveable", names=(), prevent_cse=True, differentiated=False,
                policies=()):
    body, = regions
    if policy not in CHECKPOINT_POLICIES:
        raise TypeError(f"checkpoint: unknown policy {policy!r}; known: {', '.join(CHECKPOINT_POLICIES)}")
    # save_from_both_policies: `policies` lists the (policy, names) pairs it ORs
    if any(len(p) != 2 or p[0] not in CHECKPOINT_POLICIES[:-1] for p in policies):
        raise TypeError(f"checkpoint: policies must be (policy, names) pairs of simple policies, got {policies!r}")
    if not all(isinstance(n, str) for n in names):
        raise TypeError(f"checkpoint: names must be strings, got {list(names)!r}")
    _match_args("checkpoint", args, body.arg_types)
    return list(body.result_types)


# name(x): x itself, labelled for the save_only_these_names / save_any_names_but_these policies.
@primitive("name")
def _name(x, name):
    if not isinstance(name, str):
        _fail("name", f"name must be a string, got {name!r}", x)
    return [x]


# linear_solve(*matvec_consts, *solve_consts, [*vecmat_consts, *transpose_solve_consts,] *b): x = solve(b) for
# the linear map matvec (lax.custom_linear_solve). Regions: matvec, solve and, when reverse mode is defined,
# vecmat (matvec's transpose) and transpose_solve; each takes its consts then vector leaves like b. solve and
# transpose_solve may return auxiliary values after x. const_lengths: how many consts each region takes.
@primitive("linear_solve")
def _linear_solve(*operands, regions, const_lengths):
    if len(regions) not in (2, 4) or len(const_lengths) != len(regions) or sum(const_lengths) > len(operands):
        raise TypeError(f"linear_solve: expected 2 or 4 regions (matvec, solve[, vecmat, transpose_solve]) with "
                        f"one entry each in const_lengths, got {len(regions)} regions and const_lengths "
                        f"{list(const_lengths)} for {len(operands)} operands")
    b = list(operands[sum(const_lengths):])
    start = 0
    for region, n, what in zip(regions, const_lengths, ("matvec", "solve", "vecmat", "transpose_solve")):
        _match_args(f"linear_solve ({what})", list(operands[start:start + n]) + b, region.arg_types)
        start += n
        outs = region.result_types
        maps = what in ("matvec", "vecmat")     # maps return exactly a vector; solvers may add aux values
        if len(outs) < len(b) or _strong(outs[:len(b)]) != _strong(b) or (maps and len(outs) != len(b)):
            raise TypeError(f"linear_solve: the {what} region returns {_types(outs)}, but the right-hand side is "
                            f"{_types(b)}")
    return [t.strong() for t in regions[1].result_types]


# ---- fft: the discrete Fourier transform over the last len(fft_lengths) dimensions (stablehlo.fft) ----

FFT_TYPES = ("FFT", "IFFT", "RFFT", "IRFFT")


@primitive("fft")
def _fft(x, fft_type, fft_lengths):
    """FFT/IFFT: complex -> complex of one shape. RFFT: f32/f64 -> complex, the last dimension n becoming
    n // 2 + 1 (the non-negative frequencies). IRFFT: the inverse of RFFT, complex -> real."""
    lengths = tuple(fft_lengths)
    k = len(lengths)
    if fft_type not in FFT_TYPES:
        _fail("fft", f"fft_type must be one of {', '.join(FFT_TYPES)}, got {fft_type!r}", x)
    if not 1 <= k <= min(3, x.ndim) or any(n < 1 for n in lengths):
        _fail("fft", f"fft_lengths {list(lengths)} must hold 1 to 3 positive lengths, no more than the rank", x)
    if fft_type == "RFFT":
        if x.dtype not in (np.float32, np.float64):
            _fail("fft", f"RFFT takes a f32 or f64 operand, got {T.dtype_name(x.dtype)}", x)
        if x.shape[-k:] != lengths:
            _fail("fft", f"RFFT operand's last dimensions must equal fft_lengths {list(lengths)}", x)
        shape = x.shape[:-k] + lengths[:-1] + (lengths[-1] // 2 + 1,)
        return [TensorType(shape, T.complex_dtype(x.dtype), x.weak)]
    if x.dtype not in (np.complex64, np.complex128):
        _fail("fft", f"{fft_type} takes a c64 or c128 operand, got {T.dtype_name(x.dtype)}", x)
    if fft_type == "IRFFT":
        if x.shape[-k:] != lengths[:-1] + (lengths[-1] // 2 + 1,):
            _fail("fft", f"IRFFT operand's last dimensions must be {list(lengths[:-1] + (lengths[-1] // 2 + 1,))} "
                  f"for fft_lengths {list(lengths)}", x)
        return [TensorType(x.shape[:-k] + lengths, T.real_dtype(x.dtype), x.weak)]
    if x.shape[-k:] != lengths:
        _fail("fft", f"{fft_type} operand's last dimensions must equal fft_lengths {list(lengths)}", x)
    return [x]


# ---- sharding -----------------------------------------------------------------------------------------------
# sharding_constraint(x) is x, asking the SPMD partitioner to lay it out as `spec` says over the mesh whose
# axes are `mesh` ((name, size) pairs) and whose partitions run on `device_ids`. `spec` holds, per leading
# dimension, the mesh axes that split it (major first); dimensions past its end are not split.

def check_mesh_spec(prim, mesh, spec, t):
    names = [n for n, _ in mesh]
    used = [a for axes in spec for a in axes]
    if len(spec) > len(t.shape):
        _fail(prim, f"spec {list(spec)} has more entries than the operand has dimensions", t)
    for a in used:
        if a not in names:
            _fail(prim, f"mesh axis {a!r} is not one of the mesh's axes {names}", t)
    if len(set(used)) != len(used):
        _fail(prim, f"spec {list(spec)} names a mesh axis twice", t)


@primitive("sharding_constraint")
def _sharding_constraint(x, *, mesh, device_ids, spec):
    check_mesh_spec("sharding_constraint", mesh, spec, x)
    if len(device_ids) != int(np.prod([s for _, s in mesh], dtype=np.int64)):
        _fail("sharding_constraint", f"{len(device_ids)} device ids for a mesh of {list(mesh)}", x)
    return [x]


# reshard(x) is x laid out as `spec` says over the mesh's Explicit axes: its type's sharding becomes `spec` (a
# tuple of axis names per dimension), and the data moves (JAX's reshard_p). `auto` names the axes the value is
# left to the partitioner on (auto_axes); its unsplit dimensions may then be split by them.
@primitive("reshard")
def _reshard(x, *, mesh, device_ids, spec, auto=()):
    check_mesh_spec("reshard", mesh, spec, x)
    _check_out_sharding("reshard", spec, x.ndim, x)
    if len(device_ids) != int(np.prod([s for _, s in mesh], dtype=np.int64)):
        _fail("reshard", f"{len(device_ids)} device ids for a mesh of {list(mesh)}", x)
    if any(a not in [n for n, _ in mesh] for a in auto):
        _fail("reshard", f"auto axes {list(auto)} are not all axes of the mesh {list(mesh)}", x)
    return [x]


# shard_map(*operands): its region runs once per device of the mesh on that device's blocks (per-device
# types: each dimension divided by the sizes of the mesh axes its spec names), as a manual SPMD program over
# `manual_axes`; the results are assembled from the devices' blocks as out_specs say. in_specs/out_specs hold
# one spec per operand/result (axes per leading dimension, as sharding_constraint's).
REGION_PRIMITIVES.add("shard_map")


def shard_shape(prim, mesh, spec, t, divide=True):
    """t's per-device shape under `spec` (divide), or the global shape of the per-device type t (not divide)."""
    check_mesh_spec(prim, mesh, spec, t)
    sizes = dict(mesh)
    shape = list(t.shape)
    for d, axes in enumerate(spec):
        n = int(np.prod([sizes[a] for a in axes], dtype=np.int64))
        if divide and shape[d] % n:
            _fail(prim, f"dimension {d} of size {shape[d]} is not divisible by {n}, the size of the mesh axes "
                  f"{list(axes)} that spec {list(spec)} splits it over", t)
        shape[d] = shape[d] // n if divide else shape[d] * n
    return t.update(shape=tuple(shape))


@primitive("shard_map")
def _shard_map(*operands, regions, mesh, device_ids, in_specs, out_specs, manual_axes, check_vma=False):
    body, = regions
    names = [n for n, _ in mesh]
    if len(device_ids) != int(np.prod([s for _, s in mesh], dtype=np.int64)):
        raise TypeError(f"shard_map: {len(device_ids)} device ids for a mesh of {list(mesh)}")
    if not set(manual_axes) <= set(names):
        raise TypeError(f"shard_map: manual axes {list(manual_axes)} are not all axes of the mesh {names}")
    if len(in_specs) != len(operands) or len(out_specs) != len(body.result_types):
        raise TypeError(f"shard_map: {len(in_specs)} in_specs for {len(operands)} operands and {len(out_specs)} "
                        f"out_specs for {len(body.result_types)} region results")
    for spec in list(in_specs) + list(out_specs):
        if any(a not in manual_axes for axes in spec for a in axes):
            raise TypeError(f"shard_map: spec {list(spec)} names an axis that is not manual ({list(manual_axes)})")
    # check_vma: each block varies over the axes its spec splits it over (and over what it varied outside)
    spec_vma = (lambda spec: frozenset(a for axes in spec for a in axes)) if check_vma else (lambda spec: frozenset())
    _match_args("shard_map", [shard_shape("shard_map", mesh, s, t).update(vma=t.vma | spec_vma(s))
                              for s, t in zip(in_specs, operands)], body.arg_types)
    for i, (s, t) in enumerate(zip(out_specs, body.result_types)):
        if check_vma and t.vma & set(manual_axes) - spec_vma(s):
            raise TypeError(f"shard_map: result {i} of type {t} varies over mesh axes "
                            f"{sorted(t.vma & set(manual_axes) - spec_vma(s))} that its out_spec {list(s)} "
                            f"says it is replicated over")
    return [shard_shape("shard_map", mesh, s, t, divide=False).update(vma=t.vma - set(manual_axes))
            for s, t in zip(out_specs, body.result_types)]


# Families in files of their own register into the same table when this module is imported.
from . import primitives_check, primitives_conv, primitives_eig, primitives_topk, primitives_window  # noqa: E402,F401
