"""jax.nn.initializers: functions (key, shape, dtype) -> array for weight initialisation.

Each draws from lintra.random in the same order and with the same arithmetic as JAX 0.10.2, so for the same
key an initializer gives JAX's values (bit for bit where the random sampler and, for `orthogonal`, the QR
factorisation are). The variance_scaling family computes fans from the shape: the `in_axis` and `out_axis`
sizes, times the "receptive field" (every axis that is neither, nor in `batch_axis`).
"""
import math
import operator
from typing import Protocol, runtime_checkable

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from .. import numpy as jnp
from .. import random

__all__ = ["Initializer", "constant", "delta_orthogonal", "glorot_normal", "glorot_uniform", "he_normal",
           "he_uniform", "kaiming_normal", "kaiming_uniform", "lecun_normal", "lecun_uniform", "normal", "ones",
           "orthogonal", "truncated_normal", "uniform", "variance_scaling", "xavier_normal", "xavier_uniform",
           "zeros"]

# the standard deviation of a standard normal truncated to (-2, 2), and of the complex normal whose modulus
# is truncated to 2: variance_scaling divides by them so that the truncated samples have the asked variance
_TRUNCATED_STDDEV = 0.8796256610342398
_COMPLEX_TRUNCATED_STDDEV = 0.9531116438049121
_MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
_DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


@runtime_checkable
class Initializer(Protocol):
    """What an initializer is: called as init(key, shape, dtype) it returns an array of that shape."""

    def __call__(self, key, shape, dtype=None, out_sharding=None):
        ...


def _dtype(dtype):
    return _dtypes.default_float() if dtype is None else _dtypes.canonicalize_dtype(dtype)


def _shape(name, shape):
    try:
        return tuple(operator.index(d) for d in (shape if isinstance(shape, (tuple, list)) else (shape,)))
    except TypeError:
        raise TypeError(f"nn.initializers.{name}: shape must be a tuple of integers, got {shape!r}") from None


def _no_sharding(name, out_sharding):
    if out_sharding is not None:
        raise ValueError(f"nn.initializers.{name}: out_sharding={out_sharding!r} is not supported; place the "
                         f"result with lintra.device_put instead")


def zeros(key, shape, dtype=None, out_sharding=None):
    """An array of zeros (the key is ignored)."""
    _no_sharding("zeros", out_sharding)
    return jnp.zeros(_shape("zeros", shape), _dtype(dtype))


def ones(key, shape, dtype=None, out_sharding=None):
    """An array of ones (the key is ignored)."""
    _no_sharding("ones", out_sharding)
    return jnp.ones(_shape("ones", shape), _dtype(dtype))


def constant(value, dtype=None):
    """An initializer filling its shape with `value` (the key is ignored)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("constant", out_sharding)
        return jnp.full(_shape("constant", shape), value, dtype=_dtype(dtype))
    return init


def uniform(scale=1e-2, dtype=None):
    """An initializer drawing uniformly from [0, scale)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("uniform", out_sharding)
        d = _dtype(dtype)
        return jnp.multiply(random.uniform(key, _shape("uniform", shape), d), jnp.array(scale, d))
    return init


def normal(stddev=1e-2, dtype=None):
    """An initializer drawing from a normal distribution with mean 0 and standard deviation `stddev`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("normal", out_sharding)
        d = _dtype(dtype)
        return jnp.multiply(random.normal(key, _shape("normal", shape), d), jnp.array(stddev, d))
    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """An initializer drawing from a standard normal truncated to (lower, upper), times `stddev` (no
    correction of the standard deviation for the truncation, as JAX)."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("truncated_normal", out_sharding)
        d = _dtype(dtype)
        samples = random.truncated_normal(key, lower, upper, _shape("truncated_normal", shape), d)
        return jnp.multiply(samples, jnp.array(stddev, d))
    return init


def _size(shape, axes):
    return shape[axes] if isinstance(axes, int) else math.prod(shape[i] for i in axes)


def _compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()):
    """(fan_in, fan_out): the in and out axis sizes, each times the receptive field size."""
    if isinstance(in_axis, int) and in_axis == -2 and len(shape) <= 1:
        raise ValueError(f"Can't compute input and output sizes of a {len(shape)}-dimensional weights tensor "
                         f"(shape {shape}) with default in_axis. Must be at least 2D or specify in_axis "
                         f"explicitly.")
    in_size, out_size = _size(shape, in_axis), _size(shape, out_axis)
    receptive_field = math.prod(shape) / in_size / out_size / _size(shape, batch_axis)
    return in_size * receptive_field, out_size * receptive_field


def _complex_uniform(key, shape, dtype):
    """Uniform on the disk of radius sqrt(2) in the complex plane (mean 0, variance 1)."""
    key_r, key_theta = random.split(key)
    real = T.real_dtype(dtype)
    r = jnp.sqrt(jnp.multiply(2, random.uniform(key_r, shape, real))).astype(dtype)
    theta = jnp.multiply(2 * np.pi, random.uniform(key_theta, shape, real).astype(dtype))
    return jnp.multiply(r, jnp.exp(jnp.multiply(1j, theta)))


def _complex_truncated_normal(key, upper, shape, dtype):
    """A centred complex normal (variance 1 before truncation) with its modulus truncated to `upper`."""
    key_r, key_theta = random.split(key)
    real = T.real_dtype(dtype)
    t = jnp.multiply(jnp.subtract(1, jnp.exp(jnp.array(-upper ** 2, dtype))),
                     random.uniform(key_r, shape, real).astype(dtype))
    r = jnp.sqrt(jnp.negative(jnp.log(jnp.subtract(1, t))))
    theta = jnp.multiply(2 * np.pi, random.uniform(key_theta, shape, real).astype(dtype))
    return jnp.multiply(r, jnp.exp(jnp.multiply(1j, theta)))


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
    """An initializer with variance scale / n, n by `mode` ('fan_in', 'fan_out', 'fan_avg', 'fan_geo_avg'),
    drawn from `distribution`: 'truncated_normal' (truncated at 2 standard deviations, then rescaled),
    'normal', or 'uniform' (an interval for real dtypes, a disk for complex ones)."""
    if mode not in _MODES:
        raise ValueError(f"invalid mode for variance scaling initializer: {mode!r}; expected one of {_MODES}")
    if distribution not in _DISTRIBUTIONS:
        raise ValueError(f"invalid distribution for variance scaling initializer: {distribution!r}; expected "
                         f"one of {_DISTRIBUTIONS}")

    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("variance_scaling", out_sharding)
        shape = _shape("variance_scaling", shape)
        d = _dtype(dtype)
        fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
        denominator = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                       "fan_geo_avg": (fan_in * fan_out) ** 0.5}[mode]
        variance = jnp.array(scale / denominator, dtype=d)
        complex_ = T.is_complex(d)
        if distribution == "truncated_normal":
            if not complex_:
                stddev = jnp.divide(jnp.sqrt(variance), jnp.array(_TRUNCATED_STDDEV, d))
                return jnp.multiply(random.truncated_normal(key, -2, 2, shape, d), stddev)
            stddev = jnp.divide(jnp.sqrt(variance), jnp.array(_COMPLEX_TRUNCATED_STDDEV, d))
            return jnp.multiply(_complex_truncated_normal(key, 2, shape, d), stddev)
        if distribution == "normal":
            return jnp.multiply(random.normal(key, shape, d), jnp.sqrt(variance))
        if not complex_:
            return jnp.multiply(random.uniform(key, shape, d, -1), jnp.sqrt(jnp.multiply(3, variance)))
        return jnp.multiply(_complex_uniform(key, shape, d), jnp.sqrt(variance))
    return init


def _variance_scaling_preset(scale, mode, distribution, doc):
    def preset(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return variance_scaling(scale, mode, distribution, in_axis=in_axis, out_axis=out_axis,
                                batch_axis=batch_axis, dtype=dtype)
    preset.__doc__ = f"{doc}: variance_scaling({scale}, {mode!r}, {distribution!r})."
    return preset


glorot_uniform = _variance_scaling_preset(1.0, "fan_avg", "uniform", "Glorot (Xavier) uniform")
glorot_normal = _variance_scaling_preset(1.0, "fan_avg", "truncated_normal", "Glorot (Xavier) normal")
lecun_uniform = _variance_scaling_preset(1.0, "fan_in", "uniform", "LeCun uniform")
lecun_normal = _variance_scaling_preset(1.0, "fan_in", "truncated_normal", "LeCun normal")
he_uniform = _variance_scaling_preset(2.0, "fan_in", "uniform", "He (Kaiming) uniform")
he_normal = _variance_scaling_preset(2.0, "fan_in", "truncated_normal", "He (Kaiming) normal")
for _f, _name in ((glorot_uniform, "glorot_uniform"), (glorot_normal, "glorot_normal"),
                  (lecun_uniform, "lecun_uniform"), (lecun_normal, "lecun_normal"),
                  (he_uniform, "he_uniform"), (he_normal, "he_normal")):
    _f.__name__ = _f.__qualname__ = _name
xavier_uniform, xavier_normal = glorot_uniform, glorot_normal
kaiming_uniform, kaiming_normal = he_uniform, he_normal


def _random_orthogonal(key, n, m, dtype):
    """A uniformly distributed n x m matrix with orthonormal rows (n <= m) or columns (as
    jax.random.orthogonal): QR of a normal matrix, with the signs of R's diagonal moved into Q (Mezzadri,
    2007) so that the distribution is Haar."""
    z = random.normal(key, (max(n, m), min(n, m)), dtype)
    q, r = jnp.linalg.qr(z)
    q = jnp.multiply(q, jnp.expand_dims(jnp.sign(jnp.diagonal(r, axis1=-2, axis2=-1)), -2))
    return jnp.swapaxes(q, -1, -2) if n < m else q


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer of (semi-)orthogonal matrices: the shape flattened to (rows, shape[column_axis]) has
    orthonormal rows or columns, whichever are fewer, times `scale`."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("orthogonal", out_sharding)
        shape = _shape("orthogonal", shape)
        d = _dtype(dtype)
        if len(shape) < 2:
            raise ValueError(f"orthogonal initializer requires at least a 2D shape, got {shape}")
        if 0 in shape:
            return jnp.zeros(shape, d)
        n_cols = shape[column_axis]
        n_rows = math.prod(shape) // n_cols
        q = _random_orthogonal(key, n_rows, n_cols, d)
        q = jnp.reshape(q, tuple(np.delete(shape, column_axis)) + (n_cols,))
        return jnp.multiply(jnp.array(scale, d), jnp.moveaxis(q, -1, column_axis))
    return init


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer of convolution kernels (3, 4 or 5 dims) that are an orthogonal matrix at the spatial
    centre and zero elsewhere (Xiao et al., 2018); needs shape[-1] >= shape[-2]."""
    def init(key, shape, dtype=dtype, out_sharding=None):
        _no_sharding("delta_orthogonal", out_sharding)
        shape = _shape("delta_orthogonal", shape)
        d = _dtype(dtype)
        if len(shape) not in (3, 4, 5):
            raise ValueError(f"Delta orthogonal initializer requires a 3D, 4D or 5D shape, got {shape}")
        if shape[-1] < shape[-2]:
            raise ValueError(f"delta_orthogonal: `fan_in` must be less or equal than `fan_out`, got shape "
                             f"{shape} (fan_in {shape[-2]}, fan_out {shape[-1]})")
        matrix = orthogonal(scale=scale, column_axis=column_axis, dtype=d)(key, shape[-2:])
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        return jnp.zeros(shape, d).at[centre].set(matrix)
    return init
