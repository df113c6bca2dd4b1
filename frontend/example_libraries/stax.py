"""lintra.example_libraries.stax: jax.example_libraries.stax, a minimal neural-network layer library, on Lintra.

A layer is a pair (init_fun, apply_fun):
  init_fun(rng, input_shape) -> (output_shape, params)   (shapes are tuples; a -1 batch size is allowed)
  apply_fun(params, inputs, **kwargs) -> outputs          (kwargs may carry rng=, for Dropout)
Layer constructors are CamelCase (Dense(512), Conv(32, (3, 3))); a layer that takes no arguments is the pair
itself (Relu, Flatten). serial and parallel combine layers into layers.
"""
import functools
import math

from .. import lax, random
from .. import numpy as jnp
from ..lax_conv import (conv_general_dilated, conv_general_shape_tuple, conv_transpose, conv_transpose_shape_tuple,
                        padtype_to_pads)
from ..lax_window import reduce_window, reduce_window_shape_tuple
from ..nn import elu, gelu, leaky_relu, log_softmax, relu, selu, sigmoid, softmax, softplus, standardize
from ..nn.initializers import glorot_normal, normal, ones, zeros

# older names JAX keeps
glorot = glorot_normal
randn = normal
logsoftmax = log_softmax


def Dense(out_dim, W_init=glorot_normal(), b_init=normal()):
    """Fully connected layer: inputs @ W + b, W of shape (in_dim, out_dim)."""
    def init_fun(rng, input_shape):
        k1, k2 = random.split(rng)
        params = W_init(k1, (input_shape[-1], out_dim)), b_init(k2, (out_dim,))
        return tuple(input_shape[:-1]) + (out_dim,), params

    def apply_fun(params, inputs, **kwargs):
        W, b = params
        return jnp.dot(inputs, W) + b
    return init_fun, apply_fun


def _kernel_shape(dimension_numbers, out_chan, filter_shape, input_shape):
    lhs_spec, rhs_spec, _ = dimension_numbers
    spatial = iter(filter_shape)
    return tuple(out_chan if c == "O" else input_shape[lhs_spec.index("C")] if c == "I" else next(spatial)
                 for c in rhs_spec)


def _conv_layer(shape_rule, apply_rule):
    """A convolution-like layer constructor: kernel W in layout rhs_spec, bias broadcast along out_spec."""
    def Layer(dimension_numbers, out_chan, filter_shape, strides=None, padding="VALID", W_init=None,
              b_init=normal(1e-6)):
        _, rhs_spec, out_spec = dimension_numbers
        strides = strides or (1,) * len(filter_shape)
        W_init = W_init or glorot_normal(rhs_spec.index("I"), rhs_spec.index("O"))

        def init_fun(rng, input_shape):
            kernel_shape = _kernel_shape(dimension_numbers, out_chan, filter_shape, input_shape)
            output_shape = shape_rule(input_shape, kernel_shape, strides, padding, dimension_numbers)
            k1, k2 = random.split(rng)
            bias_shape = [out_chan if c == "C" else 1 for c in out_spec]
            return output_shape, (W_init(k1, kernel_shape), b_init(k2, bias_shape))

        def apply_fun(params, inputs, **kwargs):
            W, b = params
            return apply_rule(inputs, W, strides, padding, dimension_numbers) + b
        return init_fun, apply_fun
    return Layer


GeneralConv = _conv_layer(
    conv_general_shape_tuple,
    lambda x, W, strides, padding, dn: conv_general_dilated(x, W, strides, padding, dimension_numbers=dn))
GeneralConv.__name__ = GeneralConv.__qualname__ = "GeneralConv"
GeneralConv.__doc__ = "Convolution layer in any layout: dimension_numbers = (lhs_spec, rhs_spec, out_spec) strings."
Conv = functools.partial(GeneralConv, ("NHWC", "HWIO", "NHWC"))

GeneralConvTranspose = _conv_layer(
    conv_transpose_shape_tuple,
    lambda x, W, strides, padding, dn: conv_transpose(x, W, strides, padding, dimension_numbers=dn))
GeneralConvTranspose.__name__ = GeneralConvTranspose.__qualname__ = "GeneralConvTranspose"
GeneralConvTranspose.__doc__ = "Transposed-convolution layer in any layout (see GeneralConv)."
Conv1DTranspose = functools.partial(GeneralConvTranspose, ("NHC", "HIO", "NHC"))
ConvTranspose = functools.partial(GeneralConvTranspose, ("NHWC", "HWIO", "NHWC"))


def BatchNorm(axis=(0, 1, 2), epsilon=1e-5, center=True, scale=True, beta_init=zeros, gamma_init=ones):
    """Normalise over `axis` (batch statistics, no running averages), then scale by gamma and shift by beta,
    both shaped like the axes not normalised over."""
    axis = (axis,) if jnp.isscalar(axis) else tuple(axis)

    def init_fun(rng, input_shape):
        shape = tuple(d for i, d in enumerate(input_shape) if i not in axis)
        k1, k2 = random.split(rng)
        beta = beta_init(k1, shape) if center else ()
        gamma = gamma_init(k2, shape) if scale else ()
        return input_shape, (beta, gamma)

    def apply_fun(params, x, **kwargs):
        beta, gamma = params
        kept = tuple(None if i in axis else slice(None) for i in range(jnp.ndim(x)))   # re-insert the axes
        z = standardize(x, axis, epsilon=epsilon)
        if scale:
            z = gamma[kept] * z
        if center:
            z = z + beta[kept]
        return z
    return init_fun, apply_fun


def elementwise(fun, **fun_kwargs):
    """A parameterless layer applying fun(inputs, **fun_kwargs)."""
    return (lambda rng, input_shape: (input_shape, ())), (lambda params, inputs, **kwargs: fun(inputs, **fun_kwargs))


Tanh = elementwise(jnp.tanh)
Relu = elementwise(relu)
Exp = elementwise(jnp.exp)
LogSoftmax = elementwise(log_softmax, axis=-1)
Softmax = elementwise(softmax, axis=-1)
Softplus = elementwise(softplus)
Sigmoid = elementwise(sigmoid)
Elu = elementwise(elu)
LeakyRelu = elementwise(leaky_relu)
Selu = elementwise(selu)
Gelu = elementwise(gelu)


def _spatial_to_full(spec, ndim_spatial, values):
    """Window sizes/strides given for the spatial axes only, with 1 put at the batch and channel axes (at
    spec's 'N' and 'C', or first and last when spec is None)."""
    values = tuple(values)
    non_spatial = (0, ndim_spatial + 1) if spec is None else (spec.index("N"), spec.index("C"))
    for i in sorted(non_spatial):
        values = values[:i] + (1,) + values[i:]
    return values


def _pooling_layer(reducer, init_val, average=False):
    def PoolingLayer(window_shape, strides=None, padding="VALID", spec=None):
        """Pooling layer: window_shape and strides over the spatial axes; spec (e.g. 'NCHW') says where
        batch and channels are, default batch first and channels last."""
        n = len(window_shape)
        window = _spatial_to_full(spec, n, window_shape)
        full_strides = _spatial_to_full(spec, n, strides or (1,) * n)

        def init_fun(rng, input_shape):
            pads = padtype_to_pads(input_shape, window, full_strides, padding)
            return reduce_window_shape_tuple(input_shape, window, full_strides, pads), ()

        def apply_fun(params, inputs, **kwargs):
            out = reduce_window(inputs, init_val, reducer, window, full_strides, padding)
            if average:
                out = out / _window_sizes(inputs, spec, window_shape, strides or (1,) * n, padding)
            return out
        return init_fun, apply_fun
    return PoolingLayer


def _window_sizes(inputs, spec, window_shape, strides, padding):
    """How many input elements (padding excluded) each output of a spatial pooling covers, broadcastable
    against the output."""
    non_spatial = (0, inputs.ndim - 1) if spec is None else (spec.index("N"), spec.index("C"))
    spatial = tuple(d for i, d in enumerate(inputs.shape) if i not in non_spatial)
    sizes = reduce_window(jnp.ones(spatial, inputs.dtype), 0., lax.add, window_shape, strides, padding)
    return jnp.expand_dims(sizes, sorted(non_spatial))


MaxPool = _pooling_layer(lax.max, -jnp.inf)
SumPool = _pooling_layer(lax.add, 0.)
AvgPool = _pooling_layer(lax.add, 0., average=True)


def _flatten_layer():
    """Flattens all but the leading (batch) axis."""
    init_fun = lambda rng, input_shape: ((input_shape[0], math.prod(input_shape[1:])), ())
    apply_fun = lambda params, inputs, **kwargs: jnp.reshape(inputs, (inputs.shape[0], -1))
    return init_fun, apply_fun


def _identity_layer():
    return (lambda rng, input_shape: (input_shape, ())), (lambda params, inputs, **kwargs: inputs)


def _fan_in_sum_layer():
    """Sums a list of inputs of one shape."""
    return (lambda rng, input_shape: (input_shape[0], ())), (lambda params, inputs, **kwargs: sum(inputs))


Flatten = _flatten_layer()
Identity = _identity_layer()
FanInSum = _fan_in_sum_layer()


def FanOut(num):
    """Copies its input into a list of num."""
    return (lambda rng, input_shape: ([input_shape] * num, ())), (lambda params, inputs, **kwargs: [inputs] * num)


def FanInConcat(axis=-1):
    """Concatenates a list of inputs along axis."""
    def init_fun(rng, input_shape):
        ax = axis % len(input_shape[0])
        size = sum(shape[ax] for shape in input_shape)
        return tuple(input_shape[0][:ax]) + (size,) + tuple(input_shape[0][ax + 1:]), ()
    return init_fun, (lambda params, inputs, **kwargs: jnp.concatenate(inputs, axis))


def Dropout(rate, mode="train"):
    """Dropout. As in JAX's stax, `rate` is the probability of KEEPING an element; kept elements are divided
    by it. mode='train' needs apply_fun(..., rng=key); any other mode is the identity."""
    def apply_fun(params, inputs, **kwargs):
        rng = kwargs.get("rng", None)
        if rng is None:
            raise ValueError("Dropout layer requires apply_fun to be called with a PRNG key argument. That is, "
                             "instead of `apply_fun(params, inputs)`, call it like `apply_fun(params, inputs, rng)` "
                             "where `rng` is a PRNG key (e.g. from `lintra.random.key`).")
        if mode != "train":
            return inputs
        keep = random.bernoulli(rng, rate, inputs.shape)
        return jnp.where(keep, inputs / rate, 0)
    return (lambda rng, input_shape: (input_shape, ())), apply_fun


def _split_or_none(rng, n):
    return random.split(rng, n) if rng is not None else (None,) * n


def serial(*layers):
    """Layers applied one after another; params is a list with one entry per layer."""
    init_funs, apply_funs = zip(*layers)

    def init_fun(rng, input_shape):
        params = []
        for init in init_funs:
            rng, layer_rng = random.split(rng)
            input_shape, p = init(layer_rng, input_shape)
            params.append(p)
        return input_shape, params

    def apply_fun(params, inputs, **kwargs):
        rngs = _split_or_none(kwargs.pop("rng", None), len(apply_funs))
        for f, p, r in zip(apply_funs, params, rngs):
            inputs = f(p, inputs, rng=r, **kwargs)
        return inputs
    return init_fun, apply_fun


def parallel(*layers):
    """Layers applied side by side: the i-th layer to the i-th of a sequence of inputs (pair with FanOut and
    FanInSum/FanInConcat)."""
    init_funs, apply_funs = zip(*layers)

    def init_fun(rng, input_shape):
        rngs = random.split(rng, len(init_funs))
        shapes_and_params = [init(r, shape) for init, r, shape in zip(init_funs, rngs, input_shape)]
        return tuple(zip(*shapes_and_params))      # (output shapes, params)

    def apply_fun(params, inputs, **kwargs):
        rngs = _split_or_none(kwargs.pop("rng", None), len(apply_funs))
        return [f(p, x, rng=r, **kwargs) for f, p, x, r in zip(apply_funs, params, inputs, rngs)]
    return init_fun, apply_fun


def shape_dependent(make_layer):
    """A layer built by make_layer(input_shape) once the input shape is known (at init and at each apply)."""
    def init_fun(rng, input_shape):
        return make_layer(input_shape)[0](rng, input_shape)

    def apply_fun(params, inputs, **kwargs):
        return make_layer(inputs.shape)[1](params, inputs, **kwargs)
    return init_fun, apply_fun
