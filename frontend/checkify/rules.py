"""checkify's automatic checks, one rule per primitive (JAX 0.10.2's error_checks): NaNs produced, integer or
float division by zero, and out-of-bounds indices of gather, dynamic_slice, dynamic_update_slice and the
scatters. Each binds the op as it is, then adds its check; the messages are JAX's."""
import numpy as np

from ...ir import types as T
from .. import numpy as jnp
from .errors import DivisionByZeroError, NaNError, OOBError, assert_func
from .interpreter import checkify_rule, eval_op

# The primitives that can make a NaN, as JAX's nan_primitives (those Lintra has; JAX's names are Lintra's).
NAN_PRIMITIVES = (
    "acos", "acosh", "add", "asin", "asinh", "atan2", "atan", "atanh", "bessel_i0e", "bessel_i1e", "cbrt",
    "conv_general_dilated", "cos", "cosh", "cumlogsumexp", "cummax", "cummin", "cumprod", "cumsum", "digamma",
    "dot_general", "erf_inv", "erf", "erfc", "exp", "expm1", "fft", "igamma_grad_a", "igamma", "igammac",
    "integer_pow", "lgamma", "linear_solve", "log1p", "log", "logistic", "mul", "pad", "pow", "reduce",
    "reduce_prod", "reduce_sum", "reduce_window", "reduce_window_sum", "regularized_incomplete_beta", "rem",
    "rsqrt", "sin", "sinh", "sqrt", "sub", "tan", "tanh")


def check_nans(prim, error, enabled, outs):
    if NaNError not in enabled:
        return error
    flags = [jnp.any(jnp.isnan(o)) for o in outs if T.is_inexact(o.dtype)]
    any_nans = jnp.any(jnp.stack(flags)) if len(flags) > 1 else flags[0] if flags else jnp.asarray(False)
    return assert_func(error, any_nans, NaNError(None, prim))


@checkify_rule(*NAN_PRIMITIVES)
def _nan(error, enabled, op, ins):
    outs = eval_op(op, ins)
    return check_nans(op.prim, error, enabled, outs), outs


@checkify_rule("psum")
def _psum(error, enabled, op, ins):
    """Where psum's operands vary over its axes (shard_map with check_vma) JAX binds psum_invariant, which it
    does not check for NaNs; elsewhere (check_vma=False, pmap) its psum, which it checks."""
    axes = op.attrs["axis_name"]
    axes = set(axes) if isinstance(axes, (tuple, list)) else {axes}
    if any(v.type.vma & axes for v in op.operands):
        return error, eval_op(op, ins)
    return _nan(error, enabled, op, ins)


@checkify_rule("div")
def _div(error, enabled, op, ins):
    if DivisionByZeroError in enabled:
        error = assert_func(error, jnp.any(jnp.equal(ins[1], 0)), DivisionByZeroError(None))
    return _nan(error, enabled, op, ins)


def oob_payload(mask, indices, dims_map, operand_shape):
    """[index, axis, axis size] of the first out-of-bounds index: what JAX's message shows."""
    flat_idx = jnp.argmin(jnp.logical_not(mask))
    multi_idx = jnp.unravel_index(flat_idx, indices.shape)
    axis = jnp.asarray(np.asarray(dims_map, np.int32))[multi_idx[-1]]
    size = jnp.asarray(np.asarray(operand_shape, np.int32))[axis]
    index = jnp.ravel(indices)[flat_idx]
    return jnp.stack([index.astype(np.int32), axis, size])


def _add_oob(error, prim, mask, indices, dims_map, operand):
    payload = oob_payload(mask, indices, dims_map, operand.shape)
    return assert_func(error, jnp.any(mask), OOBError(None, prim, tuple(operand.shape), payload))


def _starts_oob(error, prim, operand, starts, sizes):
    if not starts:
        return error
    starts = jnp.stack([jnp.asarray(s) for s in starts])
    dims = np.asarray(operand.shape, starts.dtype)
    mask = (starts < 0) | (starts + np.asarray(sizes, starts.dtype) > dims)
    return _add_oob(error, prim, mask, starts, range(len(operand.shape)), operand)


@checkify_rule("dynamic_slice")
def _dynamic_slice(error, enabled, op, ins):
    outs = eval_op(op, ins)
    if OOBError in enabled:
        error = _starts_oob(error, "dynamic_slice", ins[0], ins[1:], op.attrs["slice_sizes"])
    return error, outs


@checkify_rule("dynamic_update_slice")
def _dynamic_update_slice(error, enabled, op, ins):
    outs = eval_op(op, ins)
    if OOBError in enabled:
        error = _starts_oob(error, "dynamic_update_slice", ins[0], ins[2:], ins[1].shape)
    return error, outs


def _upper_oob(error, prim, operand, indices, index_map, slice_sizes):
    """Indices (their last dimension indexing `index_map`) out of [0, dim - slice size]."""
    if not index_map or not np.prod(indices.shape):
        return error
    upper = np.array([operand.shape[d] - slice_sizes[d] for d in index_map], np.int64)
    upper = np.minimum(upper, np.iinfo(indices.dtype).max).astype(indices.dtype)
    mask = (indices < 0) | (indices > upper)
    return _add_oob(error, prim, mask, indices, index_map, operand)


@checkify_rule("gather")
def _gather(error, enabled, op, ins):
    outs = eval_op(op, ins)
    if OOBError in enabled:
        error = _upper_oob(error, "gather", ins[0], ins[1], op.attrs["start_index_map"], op.attrs["slice_sizes"])
    return error, outs


@checkify_rule("scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max")
def _scatter(error, enabled, op, ins):
    """Out-of-bounds indices, then (as JAX, only with index checks on) NaNs in the result."""
    outs = eval_op(op, ins)
    if OOBError not in enabled:
        return error, outs
    operand, indices, updates = ins[:3]
    a = op.attrs
    unit = set(a["inserted_window_dims"]) | set(a.get("operand_batching_dims", ()))
    window = iter(a["update_window_dims"])
    sizes = [1 if d in unit else updates.shape[next(window)] for d in range(len(operand.shape))]
    error = _upper_oob(error, op.prim, operand, indices, a["scatter_dims_to_operand_dims"], sizes)
    return check_nans(op.prim, error, enabled, outs), outs
