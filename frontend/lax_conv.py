"""Convolutions, as jax.lax has them: conv_general_dilated (one primitive) and the wrappers built on it
(conv, conv_with_general_padding, conv_transpose), dimension numbers and padding helpers."""
import operator
from typing import NamedTuple

import numpy as np

from ..ir import types as T
from ..ir.primitives_conv import dilate_dim, stride_dim
from . import dtypes
from .core import bind1, type_of
from .lax import Precision, _check_preferred, rev, transpose


class ConvDimensionNumbers(NamedTuple):
    """Where each dimension is: lhs_spec and out_spec hold (batch, feature, spatial...) dimension indices,
    rhs_spec (out feature, in feature, spatial...), spatial dimensions in the kernel's order."""
    lhs_spec: tuple
    rhs_spec: tuple
    out_spec: tuple


def conv_general_permutations(dimension_numbers):
    """(lhs_spec, rhs_spec, out_spec) index tuples for layout strings such as ('NHWC', 'HWIO', 'NHWC')."""
    lhs, rhs, out = dimension_numbers
    pairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(pairs):
        spec = dimension_numbers[i]
        if not spec.count(a) == spec.count(b) == 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters '{a}' and '{b}' "
                            f"exactly once, got {spec}.")
        if len(spec) != len(set(spec)):
            raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate characters, got {spec}.")
    if not set(lhs) - {"N", "C"} == set(rhs) - {"O", "I"} == set(out) - {"N", "C"}:
        raise TypeError(f"convolution dimension_numbers elements must each have the same set of spatial "
                        f"characters, got {dimension_numbers}.")

    def perm(spec, pair):
        spatial = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs:     # spatial dimensions in the order the kernel lists them
            spatial.sort(key=lambda i: rhs.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)
    return tuple(perm(s, p) for s, p in zip(dimension_numbers, pairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """dimension_numbers (None, three layout strings, or a ConvDimensionNumbers) as a ConvDimensionNumbers.
    None is the default layout, ('NCHW', 'OIHW', 'NCHW') for two spatial dimensions."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got {len(lhs_shape)} and "
                        f"{len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if not isinstance(dimension_numbers, (list, tuple)):
        raise TypeError(f"convolution dimension_numbers must be tuple/list or None, got "
                        f"{type(dimension_numbers)}.")
    if len(dimension_numbers) != 3:
        raise TypeError(f"convolution dimension_numbers list/tuple must be length 3, got {len(dimension_numbers)}.")
    if not all(isinstance(s, str) for s in dimension_numbers):
        raise TypeError(f"convolution dimension_numbers elements must be strings, got "
                        f"{tuple(type(s) for s in dimension_numbers)}.")
    for i, s in enumerate(dimension_numbers):
        if len(s) != len(lhs_shape):
            raise TypeError(f"convolution dimension_numbers[{i}] must have len equal to the ndim of lhs and rhs, "
                            f"got {len(s)} for lhs and rhs shapes {tuple(lhs_shape)} and {tuple(rhs_shape)}.")
    return ConvDimensionNumbers(*conv_general_permutations(tuple(dimension_numbers)))


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    """(low, high) pads for 'VALID', 'SAME' (extra at the end) or 'SAME_LOWER' (extra at the start)."""
    kind = padding.upper() if isinstance(padding, str) else padding
    if kind == "VALID":
        return [(0, 0)] * len(in_shape)
    if kind not in ("SAME", "SAME_LOWER"):
        raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME' or 'SAME_LOWER', got {padding!r}.")
    pads = []
    for n, w, s in zip(in_shape, window_shape, window_strides):
        total = max((-(-n // s) - 1) * s + w - n, 0)
        lo = total // 2 if kind == "SAME" else -(-total // 2)
        pads.append((lo, total - lo))
    return pads


_PRECISION_NAMES = {"default": "DEFAULT", "fastest": "DEFAULT", "bfloat16": "DEFAULT", "high": "HIGH",
                    "bfloat16_3x": "HIGH", "tensorfloat32": "HIGH", "highest": "HIGHEST", "float32": "HIGHEST"}


def canonicalize_precision(precision):
    """None, or a (lhs, rhs) pair of 'DEFAULT'/'HIGH'/'HIGHEST', from what jax.lax accepts."""
    def one(p):
        if isinstance(p, Precision):
            return p.name
        if isinstance(p, str) and (p.lower() in _PRECISION_NAMES or p.upper() in Precision.__members__):
            return _PRECISION_NAMES.get(p.lower(), p.upper())
        raise ValueError(f"precision argument must be None, a Precision, a string naming one "
                         f"({sorted(_PRECISION_NAMES)}), or a pair of those; got {precision!r}")
    if precision is None:
        return None
    if isinstance(precision, (tuple, list)):
        if len(precision) != 2:
            raise ValueError(f"precision argument must be a single precision or a pair, got {precision!r}")
        if precision[0] is None and precision[1] is None:
            return None
        return tuple(one(p if p is not None else "default") for p in precision)
    return (one(precision),) * 2


def _tuple(name, value, n):
    try:
        value = tuple(operator.index(v) for v in value)
    except TypeError:
        raise TypeError(f"conv_general_dilated: {name} must be a sequence of {n} integers, got {value!r}") from None
    if len(value) != n:
        raise TypeError(f"conv_general_dilated: {name} must have {n} entries, one per spatial dimension, got "
                        f"{value!r}")
    return value


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                         dimension_numbers=None, feature_group_count=1, batch_group_count=1, precision=None,
                         preferred_element_type=None):
    """General n-dimensional convolution with strides, padding, lhs (transposed) and rhs (atrous) dilation,
    feature and batch groups, in any layout (XLA's ConvGeneralDilated)."""
    lt, rt = type_of(lhs), type_of(rhs)
    if lt is None or rt is None:
        bad = lhs if lt is None else rhs
        raise TypeError(f"conv_general_dilated: operands must be arrays, got {type(bad).__name__} {bad!r}")
    dnums = conv_dimension_numbers(lt.shape, rt.shape, dimension_numbers)
    n = lt.ndim - 2
    lhs_dilation = (1,) * n if lhs_dilation is None else _tuple("lhs_dilation", lhs_dilation, n)
    rhs_dilation = (1,) * n if rhs_dilation is None else _tuple("rhs_dilation", rhs_dilation, n)
    window_strides = _tuple("window_strides", window_strides, n)
    if isinstance(padding, str):
        if any(d != 1 for d in lhs_dilation):
            raise ValueError("String padding is not implemented for transposed convolution using this op. Please "
                             "either exactly specify the required padding or use conv_transpose.")
        kernel = [dilate_dim(rt.shape[d], r) for d, r in zip(dnums.rhs_spec[2:], rhs_dilation)]
        padding = padtype_to_pads([lt.shape[d] for d in dnums.lhs_spec[2:]], kernel, window_strides, padding)
    try:
        padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (ValueError, TypeError):
        raise ValueError(f"padding argument to conv_general_dilated should be a string or a sequence of (low, high) "
                         f"pairs, got {padding}") from None
    if lt.dtype != rt.dtype:      # as jax.lax, operands must agree; Python scalars are not accepted here
        raise TypeError(f"lax.conv_general_dilated requires arguments to have the same dtypes, got "
                        f"{T.dtype_name(lt.dtype)}, {T.dtype_name(rt.dtype)}.")
    attrs = dict(window_strides=window_strides, padding=padding, lhs_dilation=lhs_dilation,
                 rhs_dilation=rhs_dilation, dimension_numbers=tuple(tuple(int(i) for i in s) for s in dnums),
                 feature_group_count=operator.index(feature_group_count),
                 batch_group_count=operator.index(batch_group_count),
                 precision=canonicalize_precision(precision))
    if preferred_element_type is not None:
        preferred = dtypes.canonicalize_dtype(preferred_element_type)
        _check_preferred(lt.dtype, preferred)
        attrs["preferred_element_type"] = preferred
    return bind1("conv_general_dilated", lhs, rhs, **attrs)


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """conv_general_dilated in the default layout (NCHW inputs, OIHW kernels), 'SAME' or 'VALID' padding."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation, precision=None,
                              preferred_element_type=None):
    """conv_general_dilated in the default layout with explicit padding and dilations."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


def _conv_transpose_padding(k, s, padding):
    """(before, after) padding of one spatial dimension of a transposed convolution (as jax.lax)."""
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else int(np.ceil(pad_len / 2))
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif isinstance(padding, tuple):
        pads = tuple(k - p - 1 for p in padding)
        pad_a, pad_len = pads[0], sum(pads)
    else:
        raise ValueError(f"Invalid padding mode: {padding}")
    return pad_a, pad_len - pad_a


_TRANSPOSE_LAYOUTS = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"), 4: ("NHWC", "HWIO", "NHWC"),
                      5: ("NHWDC", "HWDIO", "NHWDC")}


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None, transpose_kernel=False,
                   precision=None, preferred_element_type=None, use_consistent_padding=False):
    """The N-d transposed ("fractionally strided") convolution, computed directly: a convolution of lhs
    dilated by `strides`. Defaults to TensorFlow's layouts (NHWC, HWIO); transpose_kernel flips the kernel's
    spatial axes and swaps its in/out features, which makes it the gradient of conv with that kernel."""
    lt, rt = type_of(lhs), type_of(rhs)
    if lt.ndim != rt.ndim or lt.ndim < 2:
        raise TypeError(f"conv_transpose: lhs and rhs must have the same rank, at least 2; got shapes {lt.shape} and "
                        f"{rt.shape}")
    if dimension_numbers is None:
        if lt.ndim not in _TRANSPOSE_LAYOUTS:
            raise ValueError("No 4+ dimensional dimension_number defaults.")
        dimension_numbers = _TRANSPOSE_LAYOUTS[lt.ndim]
    dn = conv_dimension_numbers(lt.shape, rt.shape, dimension_numbers)
    kernel = [rt.shape[d] for d in dn.rhs_spec[2:]]
    rhs_dilation = (1,) * (rt.ndim - 2) if rhs_dilation is None else tuple(rhs_dilation)
    if use_consistent_padding or (isinstance(padding, str) and padding in ("SAME", "VALID")):
        per_dim = [padding] * len(strides) if isinstance(padding, str) else [tuple(p) for p in padding]
        pads = tuple(_conv_transpose_padding(dilate_dim(k, r), s, p)
                     for k, r, s, p in zip(kernel, rhs_dilation, strides, per_dim))
    else:
        pads = padding
    if transpose_kernel:
        rhs = rev(rhs, dn.rhs_spec[2:])
        perm = list(range(rt.ndim))
        perm[dn.rhs_spec[0]], perm[dn.rhs_spec[1]] = perm[dn.rhs_spec[1]], perm[dn.rhs_spec[0]]
        rhs = transpose(rhs, perm)
    return conv_general_dilated(lhs, rhs, (1,) * (lt.ndim - 2), pads, strides, rhs_dilation, dn,
                                precision=precision, preferred_element_type=preferred_element_type)


# Output shapes computed from shapes alone (stax's init functions use them); like jax.lax, a -1 batch size
# passes through the convolutions unchanged.
def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """Output shape of a convolution whose shapes are in the canonical (N, C, spatial...) / (O, I, spatial...)
    order; pads: (low, high) pairs or a padding name."""
    lhs_shape, rhs_shape = tuple(int(d) for d in lhs_shape), tuple(int(d) for d in rhs_shape)
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise TypeError(f"Wrong number of explicit pads for convolution: expected {len(lhs_shape) - 2}, got "
                        f"{len(pads)}.")
    padded = [n + int(lo) + int(hi) for n, (lo, hi) in zip(lhs_shape[2:], pads)]
    if any(n < 0 for n in padded):
        raise ValueError(f"Negative padding is larger than the size of the corresponding dimension: got "
                         f"padding={pads} for lhs_shape[2:]={lhs_shape[2:]}")
    if lhs_shape[0] % batch_group_count:
        raise ValueError(f"conv_shape_tuple: batch size {lhs_shape[0]} is not a multiple of batch_group_count "
                         f"{batch_group_count}")
    space = tuple(stride_dim(n, k, s) for n, k, s in zip(padded, rhs_shape[2:], strides))
    return (lhs_shape[0] // batch_group_count, rhs_shape[0]) + space


def _in_layout(shape, perm, inverse=False):
    if inverse:
        perm = np.argsort(perm)
    return tuple(int(shape[i]) for i in perm)


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """Output shape of conv_general_dilated (no dilation) with layout strings dimension_numbers."""
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    out = conv_shape_tuple(_in_layout(lhs_shape, lhs_perm), _in_layout(rhs_shape, rhs_perm), window_strides,
                           padding)
    return _in_layout(out, out_perm, inverse=True)


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding, dimension_numbers):
    """Output shape of conv_transpose (no dilation) with layout strings dimension_numbers."""
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    lhs, rhs = _in_layout(lhs_shape, lhs_perm), _in_layout(rhs_shape, rhs_perm)
    if isinstance(padding, str):
        padding = [_conv_transpose_padding(k, s, padding) for k, s in zip(rhs[2:], window_strides)]
    # the input dilated by the stride, padded, then a VALID convolution: (n-1)s + 1 + pads - k + 1
    space = tuple((n - 1) * s - k + 2 + int(sum(p)) for n, k, s, p in zip(lhs[2:], rhs[2:], window_strides, padding))
    return _in_layout((lhs[0], rhs[0]) + space, out_perm, inverse=True)


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding, lhs_dilation=None, rhs_dilation=None,
                                 dimension_numbers=None, precision=None, preferred_element_type=None):
    """The patches conv_general_dilated would multiply with a kernel of spatial shape filter_shape: one
    output feature per (input feature, filter position), feature-major, computed (as JAX) as a depthwise
    convolution with one-hot kernels."""
    lt = type_of(lhs)
    filter_shape = tuple(operator.index(k) for k in filter_shape)
    dn = conv_dimension_numbers(lt.shape, (1, 1) + filter_shape, dimension_numbers)
    size = int(np.prod(filter_shape, dtype=np.int64))
    channels = lt.shape[dn.lhs_spec[1]]
    eye = np.broadcast_to(np.eye(size, dtype=lt.dtype), (channels, size, size))
    kernel = np.moveaxis(eye.reshape((channels * size, 1) + filter_shape), (0, 1), (dn.rhs_spec[0], dn.rhs_spec[1]))
    return conv_general_dilated(lhs, np.ascontiguousarray(kernel), window_strides, padding, lhs_dilation, rhs_dilation,
                                dn, feature_group_count=channels,
                                precision=None if precision is None else (precision, Precision.DEFAULT),
                                preferred_element_type=preferred_element_type)


__all__ = ["ConvDimensionNumbers", "conv", "conv_dimension_numbers", "conv_general_dilated",
           "conv_general_dilated_patches", "conv_general_permutations", "conv_general_shape_tuple", "conv_shape_tuple",
           "conv_transpose", "conv_transpose_shape_tuple", "conv_with_general_padding", "padtype_to_pads"]
