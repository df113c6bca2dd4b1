"""lintra.numpy: NumPy's API on Lintra arrays, with JAX's semantics (type promotion with weak types,
64-bit types narrowed to 32 bits unless x64 is enabled, immutable arrays updated through `.at`)."""
import numpy as _np

from ...runtime.array import Array as ndarray
from .creation import (arange, array, asarray, astype, copy, empty, empty_like, eye, full, full_like, identity,
                       linspace, ones, ones_like, zeros, zeros_like)
from .dtype_api import (bfloat16, bool_, can_cast, complex64, complex128, complex_, complexfloating, dtype, finfo,
                        float16, float32, float64, float_, floating, generic, iinfo, inexact, int8, int16, int32,
                        int64, int_, integer, issubdtype, number, promote_types, result_type, signedinteger,
                        uint, uint8, uint16, uint32, uint64, unsignedinteger)
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
                        frexp, iscomplex, isneginf, isposinf, isreal, ldexp, logaddexp, logaddexp2, modf,
                        nan_to_num, rad2deg, radians, rint, signbit, sinc, spacing, trunc)
from .layout import (array_split, dsplit, flip, fliplr, flipud, hsplit, indices, ix_, meshgrid, pad, repeat, roll,
                     rot90, split, tile, vsplit)
from .matrices import diag, diagflat, diagonal, kron, trace, tri, tril, triu
from .searching import (argsort, argwhere, bincount, count_nonzero, digitize, flatnonzero, lexsort, nonzero,
                        searchsorted, sort, take, take_along_axis, unique, where)
from .creation import geomspace, logspace
from . import fft  # noqa: E402  (lintra.numpy.fft)

bool = bool_
pi, e, inf, nan, euler_gamma = _np.pi, _np.e, _np.inf, _np.nan, _np.euler_gamma
newaxis = None
