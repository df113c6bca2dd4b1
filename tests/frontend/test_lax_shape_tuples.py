"""lax's shape-only helpers (conv_shape_tuple, conv_general_shape_tuple, conv_transpose_shape_tuple,
reduce_window_shape_tuple) against values recorded from JAX 0.10.2, and against the shapes the operations
themselves produce."""
import numpy as np
import pytest

import lintra.numpy as jnp
from lintra import lax

# (function, arguments, JAX 0.10.2's result); a -1 batch passes convolutions unchanged, as in JAX
CASES = [
    ("conv_general_shape_tuple",
     ((-1, 9, 10, 3), (3, 2, 3, 5), (2, 3), 'SAME', ('NHWC', 'HWIO', 'NHWC')), (-1, 5, 4, 5)),
    ("conv_general_shape_tuple",
     ((4, 3, 9, 10), (5, 3, 3, 2), (1, 2), [(1, 2), (0, 1)], ('NCHW', 'OIHW', 'NCHW')), (4, 5, 10, 5)),
    ("conv_general_shape_tuple",
     ((4, 9, 10, 3), (5, 3, 3, 2), (2, 2), 'VALID', ('NHWC', 'OIHW', 'NCHW')), (4, 5, 4, 5)),
    ("conv_transpose_shape_tuple",
     ((-1, 7, 7, 3), (3, 3, 3, 8), (2, 2), 'SAME', ('NHWC', 'HWIO', 'NHWC')), (-1, 14, 14, 8)),
    ("conv_transpose_shape_tuple",
     ((2, 3, 9, 10), (5, 3, 3, 2), (2, 3), 'VALID', ('NCHW', 'OIHW', 'NCHW')), (2, 5, 19, 30)),
    ("conv_transpose_shape_tuple", ((2, 5, 4), (3, 4, 2), (2,), [(1, 0)], ('NHC', 'HIO', 'NHC')), (2, 8, 2)),
    ("conv_shape_tuple", ((4, 3, 9, 9), (6, 3, 2, 2), (2, 2), 'SAME', 2), (2, 6, 5, 5)),
    ("conv_shape_tuple", ((4, 3, 9, 9), (5, 3, 2, 4), (1, 3), [(0, 0), (-2, 1)]), (4, 5, 8, 2)),
    ("reduce_window_shape_tuple",
     ((-1, 28, 28, 1), (1, 3, 3, 1), (1, 2, 2, 1), [(0, 0), (1, 1), (0, 1), (0, 0)], (1, 2, 1, 1), (1, 1, 2, 1)),
     (0, 28, 13, 1)),
    ("reduce_window_shape_tuple", ((6, 5), (2, 2), (3, 1), [(0, 0), (0, 0)]), (2, 4)),
]


@pytest.mark.parametrize("name, args, expected", CASES)
def test_matches_jax(name, args, expected):
    assert getattr(lax, name)(*args) == expected


@pytest.mark.parametrize("name, args, expected", [c for c in CASES if -1 not in c[1][0]])
def test_agrees_with_the_operation(name, args, expected):
    x = jnp.ones(args[0])
    if name == "reduce_window_shape_tuple":
        out = lax.reduce_window(x, 0., lax.add, *args[1:])
    elif name == "conv_shape_tuple":
        out = lax.conv_general_dilated(x, jnp.ones(args[1]), args[2], args[3],
                                       batch_group_count=args[4] if len(args) > 4 else 1)
    elif name == "conv_general_shape_tuple":
        out = lax.conv_general_dilated(x, jnp.ones(args[1]), args[2], args[3], dimension_numbers=args[4])
    else:
        out = lax.conv_transpose(x, jnp.ones(args[1]), args[2], args[3], dimension_numbers=args[4])
    assert out.shape == expected


def test_errors():
    with pytest.raises(TypeError, match="Wrong number of explicit pads for convolution: expected 1, got 2"):
        lax.conv_shape_tuple((4, 3, 9), (5, 3, 2), (1,), [(0, 0), (0, 0)])
    with pytest.raises(ValueError, match=r"Negative padding is larger .* lhs_shape\[2:\]=\(2,\)"):
        lax.conv_shape_tuple((4, 3, 2), (5, 3, 2), (1,), [(-3, 0)])
    with pytest.raises(TypeError, match="All dilations must be positive"):
        lax.reduce_window_shape_tuple((4,), (2,), (1,), [(0, 0)], (0,))
    assert np.all([isinstance(d, int) for d in lax.conv_general_shape_tuple(*CASES[0][1])])
