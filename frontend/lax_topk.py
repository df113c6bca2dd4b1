"""lax.top_k, lax.approx_max_k and lax.approx_min_k, with jax.lax's signatures and errors (JAX 0.10.2).

top_k selects along `axis` (the last by default) and orders NaN above +inf, ties by index. approx_max_k and
approx_min_k are one primitive (approx_top_k, is_max_k telling which); approximate on TPU only, exact here
(XLA sorts), with JAX's quirks kept: values compare with > (or <), so NaNs stay unordered among the rest."""
from ..ir import types as T
from ..ir.primitives_topk import reduction_output_size
from .core import bind, is_value, type_of
from .lax import _index


def top_k(operand, k, *, axis=-1):
    """The k largest entries of `operand` along `axis` and their int32 indices, largest first; of equal
    entries the lower index comes first."""
    t = type_of(operand)
    k, axis = _index(k, "top_k: k"), _index(axis, "top_k: axis")
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    if not -t.ndim <= axis < t.ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {t.ndim}")
    axis %= t.ndim
    if T.is_complex(t.dtype):
        raise ValueError("top_k is not compatible with complex inputs.")
    if t.shape[axis] < k:
        raise ValueError(f"k argument to top_k must be no larger than size along axis; got k={k} with "
                         f"shape={list(t.shape)} and axis={axis}")
    return list(bind("top_k", operand, k=k, axis=axis))


def _approx_top_k(operand, k, reduction_dimension, recall_target, is_max_k, reduction_input_size_override,
                  aggregate_to_topk):
    name = "approx_max_k" if is_max_k else "approx_min_k"
    t = type_of(operand)
    k = _index(k, f"{name}: k")
    dim = _index(reduction_dimension, f"{name}: reduction_dimension")
    override = _index(reduction_input_size_override, f"{name}: reduction_input_size_override")
    try:
        recall_target = float(recall_target)
    except (TypeError, ValueError):
        if is_value(recall_target):     # traced: the concretization error, which suggests static arguments
            raise
        raise TypeError(f"{name}: recall_target must be a number, got {recall_target!r}") from None
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    if t.ndim == 0:
        raise TypeError(f"approx_top_k operand must have >= 1 dimension, got {t.shape}")
    if not -t.ndim <= dim < t.ndim:     # JAX's type rule indexes the shape with it: an IndexError
        raise IndexError(f"{name}: reduction_dimension {dim} is out of range for an operand of shape "
                         f"{t.shape}")
    dim %= t.ndim
    if t.shape[dim] < k:
        raise ValueError(f"k must be smaller than the size of reduction_dim {t.shape[dim]}, got {k}")
    if not T.is_float(t.dtype):
        raise ValueError("operand must be a floating type")
    # XLA's own argument errors (an override below the dimension's size, a recall target outside (0, 1])
    reduction_output_size(t.shape[dim], t.ndim, k, recall_target, bool(aggregate_to_topk), override)
    return list(bind("approx_top_k", operand, k=k, reduction_dimension=dim, recall_target=recall_target,
                     is_max_k=is_max_k, reduction_input_size_override=override,
                     aggregate_to_topk=bool(aggregate_to_topk)))


def approx_max_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True):
    """The k largest entries of a floating-point `operand` along `reduction_dimension` and their int32
    indices (with aggregate_to_topk=False, the first `reduction_output_size` of them, sorted)."""
    return _approx_top_k(operand, k, reduction_dimension, recall_target, True, reduction_input_size_override,
                         aggregate_to_topk)


def approx_min_k(operand, k, reduction_dimension=-1, recall_target=0.95, reduction_input_size_override=-1,
                 aggregate_to_topk=True):
    """The k smallest entries, as approx_max_k gives the largest."""
    return _approx_top_k(operand, k, reduction_dimension, recall_target, False, reduction_input_size_override,
                         aggregate_to_topk)
