"""The convolution primitive, conv_general_dilated, with jax.lax's parameters (stablehlo.convolution):

    window_strides       n strides of the window over the (dilated, padded) lhs
    padding              n (low, high) pairs added to the dilated lhs (negative: cropped)
    lhs_dilation         n factors: lhs elements spread apart by factor - 1 zeros (a transposed convolution)
    rhs_dilation         n factors: kernel taps spread apart likewise (an atrous convolution)
    dimension_numbers    (lhs_spec, rhs_spec, out_spec): for lhs and out (batch, feature, spatial...) dims, for
                         rhs (out feature, in feature, spatial...) dims, spatial dims in the kernel's order
    feature_group_count  lhs features split into groups, each convolved with its share of the kernels
    batch_group_count    lhs batch split into groups, each with its share of the kernels (the rhs gradient of
                         a grouped convolution)
    precision            None or a pair of "DEFAULT"/"HIGH"/"HIGHEST", for lhs and rhs
    preferred_element_type  the result's dtype when not the operands' (accumulation type)
"""
import numpy as np

from . import types as T
from .primitive_table import fail, primitive
from .types import TensorType

PRECISIONS = ("DEFAULT", "HIGH", "HIGHEST")


def dilate_dim(n, factor):
    """Size of a dimension of size n with factor - 1 holes between its elements."""
    return 0 if n == 0 else 1 + factor * (n - 1)


def stride_dim(n, window, stride):
    """How many windows of `window` fit in n at this stride."""
    return 0 if n < window else (n - window) // stride + 1


def _ints(prim, name, value, n, t, positive=True):
    try:
        value = tuple(value)
        ok = len(value) == n and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
    except TypeError:
        ok = False
    if not ok or (positive and any(v < 1 for v in value)):
        fail(prim, f"{name} must be {n} {'positive ' if positive else ''}integers, got {value!r}", *t)
    return tuple(int(v) for v in value)


def _pairs(prim, padding, n, t):
    try:
        pads = tuple((int(lo), int(hi)) for lo, hi in padding)
        ok = len(pads) == n and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                    for pair in padding for v in pair)
    except (TypeError, ValueError):
        ok = False
    if not ok:
        fail(prim, f"padding must be {n} (low, high) integer pairs, got {padding!r}", *t)
    return pads


def check_dimension_numbers(prim, dimension_numbers, ndim, t):
    try:
        specs = tuple(tuple(s) for s in dimension_numbers)
        ok = len(specs) == 3 and all(sorted(s) == list(range(ndim)) for s in specs)
    except TypeError:
        ok = False
    if not ok:
        fail(prim, f"dimension_numbers must be three permutations of range({ndim}) (lhs, rhs, out specs), "
             f"got {dimension_numbers!r}", *t)
    return specs


def conv_out_shape(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                   feature_group_count=1, batch_group_count=1):
    """The output shape, after checking what XLA requires of operand shapes and parameters."""
    prim, t = "conv_general_dilated", (lhs, rhs)
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        fail(prim, "lhs and rhs must have the same rank, at least 2", *t)
    n = lhs.ndim - 2
    lhs_spec, rhs_spec, out_spec = check_dimension_numbers(prim, dimension_numbers, lhs.ndim, t)
    strides = _ints(prim, "window_strides", window_strides, n, t)
    pads = _pairs(prim, padding, n, t)
    ld, rd = _ints(prim, "lhs_dilation", lhs_dilation, n, t), _ints(prim, "rhs_dilation", rhs_dilation, n, t)
    for name, g in (("feature_group_count", feature_group_count), ("batch_group_count", batch_group_count)):
        if not isinstance(g, (int, np.integer)) or isinstance(g, bool) or g < 1:
            fail(prim, f"{name} must be a positive integer, got {g!r}", *t)
    if feature_group_count > 1 and batch_group_count > 1:
        fail(prim, f"at most one of feature_group_count ({feature_group_count}) and batch_group_count "
             f"({batch_group_count}) may exceed 1", *t)
    lhs_features, out_features = lhs.shape[lhs_spec[1]], rhs.shape[rhs_spec[0]]
    if lhs_features % feature_group_count or lhs_features // feature_group_count != rhs.shape[rhs_spec[1]]:
        fail(prim, f"lhs feature dimension ({lhs_features}) divided by feature_group_count ({feature_group_count}) "
             f"must equal the rhs input feature dimension ({rhs.shape[rhs_spec[1]]})", *t)
    for name, g in (("feature_group_count", feature_group_count), ("batch_group_count", batch_group_count)):
        if out_features % g:
            fail(prim, f"rhs output feature dimension ({out_features}) must be a multiple of {name} ({g})", *t)
    batch = lhs.shape[lhs_spec[0]]
    if batch % batch_group_count:
        fail(prim, f"batch_group_count ({batch_group_count}) must divide the lhs batch dimension ({batch})", *t)
    spatial = []
    for i in range(n):
        size = dilate_dim(lhs.shape[lhs_spec[2 + i]], ld[i]) + pads[i][0] + pads[i][1]
        if size < 0:
            fail(prim, f"padding {pads[i]} is more negative than spatial dimension {i} is long", *t)
        spatial.append(stride_dim(size, dilate_dim(rhs.shape[rhs_spec[2 + i]], rd[i]), strides[i]))
    canonical = [batch // batch_group_count, out_features] + spatial
    shape = [0] * lhs.ndim
    for d, size in zip(out_spec, canonical):
        shape[d] = size
    return tuple(shape)


@primitive("conv_general_dilated")
def _conv_general_dilated(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                          feature_group_count=1, batch_group_count=1, precision=None, preferred_element_type=None):
    prim = "conv_general_dilated"
    if lhs.dtype != rhs.dtype:
        fail(prim, "lhs and rhs must have the same dtype", lhs, rhs)
    if T.is_bool(lhs.dtype):
        fail(prim, "expected numeric operands, got bool", lhs, rhs)
    if precision is not None and (not isinstance(precision, (tuple, list)) or len(precision) != 2
                                  or any(p not in PRECISIONS for p in precision)):
        fail(prim, f"precision must be none or a pair of {', '.join(PRECISIONS)}, got {precision!r}", lhs, rhs)
    shape = conv_out_shape(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                           feature_group_count, batch_group_count)
    if preferred_element_type is None:
        return [TensorType(shape, lhs.dtype, lhs.weak and rhs.weak)]
    try:
        dt = T.dtype(preferred_element_type)
    except (TypeError, KeyError, ValueError):
        fail(prim, f"preferred_element_type must be a dtype, got {preferred_element_type!r}", lhs, rhs)
    return [TensorType(shape, dt)]
