"""lintra.numpy: NumPy's API on Lintra arrays, with JAX's semantics (type promotion with weak types,
64-bit types narrowed to 32 bits unless x64 is enabled, immutable arrays updated through `.at`)."""
import numpy as _np

from ..basearray import Array as ndarray
from .creation import (arange, array, asarray, astype, copy, empty, empty_like, eye, full, full_like, identity,
                       linspace, ones, ones_like, zeros, zeros_like)
from .dtype_api import (bfloat16, bool_, can_cast, complex64, complex128, complex_, complexfloating, dtype, finfo,
                        float16, float32, float64, float_, floating, generic, iinfo, inexact, int8, int16, int32,
                        int64, int_, integer, issubdtype, number, promote_types, result_type, signedinteger,
                        uint, uint8, uint16, uint32, uint64, unsignedinteger)
from .dtype_api import (float4_e2m1fn, float6_e2m3fn, float6_e3m2fn, float8_e3m4, float8_e4m3, float8_e4m3b11fnuz,
                        float8_e4m3fn, float8_e4m3fnuz, float8_e5m2, float8_e5m2fnuz, float8_e8m0fnu, int1, int2, int4,
                        uint1, uint2, uint4)
from .products import dot, einsum, einsum_path, inner, matmul, outer, tensordot, vdot
from . import linalg  # noqa: E402  (lintra.numpy.linalg)
from .reductions import (all, amax, amin, any, argmax, argmin, cumprod, cumsum, max, mean, min, prod, std, sum,
                         var)
from .manipulation import (atleast_1d, atleast_2d, atleast_3d, broadcast_arrays, broadcast_shapes, broadcast_to,
                           concatenate, expand_dims, hstack, moveaxis, ndim, permute_dims, ravel, reshape, shape, size,
                           squeeze, stack, swapaxes, transpose, vstack)
from .ufuncs import (abs, absolute, add, allclose, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh,
                     around, array_equal, array_equiv, bitwise_and, bitwise_invert, bitwise_left_shift, bitwise_not,
                     bitwise_or, bitwise_right_shift, bitwise_xor, ceil, clip, conj, conjugate, cos, cosh, divide,
                     divmod, equal, exp, exp2, expm1, floor, floor_divide, greater, greater_equal, imag, invert,
                     isclose, isfinite, isinf, isnan, left_shift, less, less_equal, log, log1p, log2, log10,
                     logical_and, logical_not, logical_or, logical_xor, maximum, minimum, mod, multiply, negative,
                     not_equal, positive, power, real, reciprocal, remainder, right_shift, round, sign, sin, sinh,
                     sqrt, square, subtract, tan, tanh, true_divide)

from .statistics import (average, median, nanargmax, nanargmin, nanmax, nanmean, nanmedian, nanmin, nanpercentile,
                         nanprod, nanquantile, nanstd, nansum, nanvar, percentile, quantile)
from .mathfuncs import (angle, cbrt, copysign, deg2rad, degrees, fabs, fix, float_power, fmod, heaviside, hypot,
                        frexp, iscomplex, isneginf, isposinf, isreal, logaddexp, logaddexp2, modf,
                        nan_to_num, rad2deg, radians, rint, signbit, sinc, spacing, trunc)
from .layout import (array_split, dsplit, flip, fliplr, flipud, hsplit, indices, ix_, meshgrid, pad, repeat, roll,
                     rot90, split, tile, vsplit)
from .matrices import diag, diagflat, diagonal, kron, trace, tri, tril, triu
from .searching import (argsort, argwhere, bincount, count_nonzero, digitize, flatnonzero, lexsort, nonzero,
                        searchsorted, sort, take, take_along_axis, unique, where)
from .creation import geomspace, logspace
from . import fft  # noqa: E402  (lintra.numpy.fft)
from .convolution import convolve, correlate  # noqa: E402

bool = bool_
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None

# ---- the rest of jax.numpy's namespace (issue 13) ----
from .floatbits import ldexp, nextafter
from .integer_math import bitwise_count, gcd, lcm
from .complex_parts import iscomplexobj, isrealobj, sort_complex
from .nan_aware import cumulative_prod, cumulative_sum, fmax, fmin, nancumprod, nancumsum
from .reductions import ptp
from .differences import cross, diff, ediff1d, gradient, trapezoid, unwrap
from .polynomial import (poly, polyadd, polyder, polydiv, polyfit, polyint, polymul, polysub, polyval, trim_zeros,
                         vander)
from .setops import (intersect1d, isin, setdiff1d, setxor1d, union1d, unique_all, unique_counts, unique_inverse,
                     unique_values)

# NumPy 2 / array API spellings of existing functions
acos, acosh, asin, asinh, atan, atan2, atanh = arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh
pow = power
concat = concatenate
# scalar-type aliases, as jax.numpy has them
double, single, cdouble, csingle = float64, float32, complex128, complex64
ComplexWarning = _np.exceptions.ComplexWarning
character, flexible, object_ = _np.character, _np.flexible, _np.object_
from .joining import (append, block, column_stack, delete, dstack, insert, matrix_transpose, resize, rollaxis,
                      unstack)
from .index_arrays import (choose, compress, diag_indices, diag_indices_from, extract, fill_diagonal, mask_indices,
                           piecewise, place, put, put_along_axis, ravel_multi_index, select, tril_indices,
                           tril_indices_from, triu_indices, triu_indices_from, unravel_index)
from .vector_products import matvec, vecdot, vecmat
from .histograms import histogram, histogram2d, histogram_bin_edges, histogramdd, interp
from .windows import bartlett, blackman, hamming, hanning
from .covariance import corrcoef, cov
from .packing import argpartition, packbits, partition, unpackbits
from .host_utils import (apply_over_axes, array_repr, array_str, c_, from_dlpack, frombuffer, fromfile, fromfunction,
                         fromiter, fromstring, get_printoptions, index_exp, isdtype, isscalar, iterable, load, mgrid,
                         ogrid, printoptions, r_, s_, save, savez, set_printoptions)
from .bessel import i0, kaiser
