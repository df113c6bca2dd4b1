"""Selection of the k largest (or smallest) elements along one dimension, as jax.lax's two primitives:

- top_k(x) {k, axis}: the k largest elements along `axis`, in descending order (NaN above +inf, ties by
  index), and their int32 indices.
- approx_top_k(x) {k, reduction_dimension, recall_target, is_max_k, reduction_input_size_override,
  aggregate_to_topk}: lax.approx_max_k / approx_min_k. Approximate on TPU only; elsewhere XLA sorts (exactly).
  With aggregate_to_topk=False the selected dimension keeps the size `reduction_output_size` gives, which
  is at least k and depends on the operand's rank (XLA's ApproxTopKReductionOutputSize).

Both keep the operand's weak type on both results, as JAX's (ShapedArray.update keeps it)."""
import math

import numpy as np

from . import types as T
from .primitive_table import fail, primitive

_INT32_MAX = np.iinfo(np.int32).max
_TPU_LANE_TILING = 128       # XLA's tile of the reduced dimension for operands of rank >= 2
_TPU_CHUNK_TILING = 1024     # and of rank 1


def _ceil_div(a, b):
    return -(-a // b)


def reduction_output_size(input_size, rank, k, recall_target, aggregate_to_topk, input_size_override):
    """XLA's ApproxTopKReductionOutputSize (xla/hlo/builder/lib/approx_topk_shape.cc, the function JAX's type
    rule calls through jaxlib), in Python since ir/ imports no jaxlib; tests compare it with jaxlib's. Raises
    ValueError with XLA's message where XLA returns InvalidArgument."""
    if aggregate_to_topk:
        return k
    tiling = _TPU_CHUNK_TILING if rank == 1 else _TPU_LANE_TILING
    if input_size <= tiling:
        return input_size
    if 0 <= input_size_override < input_size:
        raise ValueError(f"reduction_input_size_override: {input_size_override} should be greater equals to "
                         f"operands[reduction_dim]: {input_size}")
    logical = input_size_override if input_size_override >= 0 else input_size
    if k == 1:
        return tiling
    recall = float(np.float32(recall_target))      # XLA takes it as a C float
    if recall == 1.0:
        return input_size
    if not 0.0 < recall < 1.0:
        raise ValueError("recall_target should range in (0,1]")
    # M windows keep each of the top k apart with probability about exp((1 - k) / M) = recall (this XLA bounds
    # M by the logical size, where older ones bounded it by input_size)
    m = min(max(int((1.0 - k) / math.log(recall)), tiling), logical)
    log2_reduction = (logical // m).bit_length() - 1      # m <= logical
    if log2_reduction == 0:
        return input_size
    # reduce no further than to one tile when the logical input is much larger than this operand
    whole_tiles = input_size // tiling
    log2_reduction = min(log2_reduction, (whole_tiles - 1).bit_length() if whole_tiles else 0)
    return _ceil_div(_ceil_div(input_size, tiling), 1 << log2_reduction) * tiling


def _selected(prim, x, k, dim, what):
    if x.ndim == 0:
        fail(prim, "the operand must have at least one dimension", x)
    if not 0 <= dim < x.ndim:
        fail(prim, f"{what}={dim} is out of range for rank {x.ndim}", x)
    if not 0 <= k <= x.shape[dim]:
        fail(prim, f"k={k} must be between 0 and the size {x.shape[dim]} of dimension {dim}", x)
    if x.shape[dim] > _INT32_MAX + 1:
        fail(prim, f"dimension {dim} is too long for int32 indices", x)


@primitive("top_k")
def _top_k(x, *, k, axis):
    if T.is_complex(x.dtype):
        fail("top_k", "complex operands have no order", x)
    _selected("top_k", x, k, axis, "axis")
    shape = x.shape[:axis] + (k,) + x.shape[axis + 1:]
    return [x.update(shape=shape), x.update(shape=shape, dtype=np.dtype(np.int32))]


@primitive("approx_top_k")
def _approx_top_k(x, *, k, reduction_dimension, recall_target, is_max_k, reduction_input_size_override,
                  aggregate_to_topk):
    if not T.is_float(x.dtype):
        fail("approx_top_k", f"expected a floating-point operand, got {T.dtype_name(x.dtype)}", x)
    if not isinstance(recall_target, (int, float, np.floating)) or isinstance(recall_target, bool):
        fail("approx_top_k", f"recall_target must be a number, got {recall_target!r}", x)
    if k <= 0:
        fail("approx_top_k", f"k must be positive, got {k}", x)
    _selected("approx_top_k", x, k, reduction_dimension, "reduction_dimension")
    try:
        n = reduction_output_size(x.shape[reduction_dimension], x.ndim, k, recall_target, aggregate_to_topk,
                                  reduction_input_size_override)
    except ValueError as e:
        fail("approx_top_k", str(e), x)
    shape = x.shape[:reduction_dimension] + (n,) + x.shape[reduction_dimension + 1:]
    return [x.update(shape=shape), x.update(shape=shape, dtype=np.dtype(np.int32))]
