"""lintra.nn: jax.nn's activations, softmax family, attention and initializers."""
from . import initializers
from .activations import (celu, elu, gelu, glu, hard_sigmoid, hard_silu, hard_swish, hard_tanh, identity,
                          leaky_relu, log1mexp, log_sigmoid, mish, relu, relu6, selu, sigmoid, silu, soft_sign,
                          softplus, sparse_plus, sparse_sigmoid, squareplus, swish, tanh)
from .attention import dot_product_attention
from .reductions import log_softmax, logmeanexp, logsumexp, one_hot, softmax, standardize
