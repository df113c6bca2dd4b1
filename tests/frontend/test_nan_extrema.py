"""nanmax, nanmin, nanargmax, nanargmin as JAX 0.10.2 (values recorded by running the same calls with
`import jax`): a complex number with a NaN in either part counts as NaN, complex values order
lexicographically, a slice of only NaNs gives NaN (nan+0j for complex) or index -1, `initial` and `where`
take part as in JAX, and the arg-functions refuse complex input."""
import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp

nan = np.nan
C = jnp.array([1 + 1j, complex(nan, 0), complex(0, nan), 2 + 0j, 1 + 5j, complex(2, -1)], jnp.complex64)
R = jnp.array([1.0, nan, 3.0, -2.0, nan])
ALL_NAN = jnp.array([nan, nan])
M = jnp.array([[1.0, nan], [nan, nan], [3.0, 2.0]])

CASES = [   # (name, program, JAX's result)
    ("nanmax_complex", lambda: jnp.nanmax(C), 2 + 0j),
    ("nanmin_complex", lambda: jnp.nanmin(C), 1 + 1j),
    ("nanmin_nan_imaginary_part", lambda: jnp.nanmin(jnp.array([complex(1, nan), 3 + 0j])), 3 + 0j),
    ("nanmax_complex_all_nan", lambda: jnp.nanmax(jnp.array([complex(nan, 1), complex(1, nan)])), complex(nan, 0)),
    ("max_complex_nan", lambda: jnp.max(jnp.array([complex(1, nan), 3 + 0j])), 3 + 0j),
    ("nanmax_real", lambda: jnp.nanmax(R), 3.0),
    ("nanmin_real", lambda: jnp.nanmin(R), -2.0),
    ("nanmax_all_nan", lambda: jnp.nanmax(ALL_NAN), nan),
    ("nanmax_axis0", lambda: jnp.nanmax(M, axis=0), [3.0, 2.0]),
    ("nanmin_axis1_keepdims", lambda: jnp.nanmin(M, axis=1, keepdims=True), [[1.0], [nan], [2.0]]),
    ("nanmax_int", lambda: jnp.nanmax(jnp.array([3, 1, 2])), 3),
    ("nanmax_initial", lambda: jnp.nanmax(R, initial=10.0), 10.0),
    ("nanmax_where", lambda: jnp.nanmax(R, where=jnp.array([True, True, False, True, True]), initial=-5.0), 1.0),
    ("nanargmax_real", lambda: jnp.nanargmax(R), 2),
    ("nanargmin_real", lambda: jnp.nanargmin(R), 3),
    ("nanargmax_all_nan", lambda: jnp.nanargmax(ALL_NAN), -1),
    ("nanargmax_axis0", lambda: jnp.nanargmax(M, axis=0), [2, 2]),
    ("nanargmax_axis1", lambda: jnp.nanargmax(M, axis=1), [0, -1, 0]),
    ("nanargmin_axis1", lambda: jnp.nanargmin(M, axis=1), [0, -1, 1]),
    ("nanargmin_keepdims", lambda: jnp.nanargmin(M, axis=1, keepdims=True), [[0], [-1], [1]]),
    ("nanargmax_int", lambda: jnp.nanargmax(jnp.array([3, 1, 2])), 0),
    ("nanargmin_bool", lambda: jnp.nanargmin(jnp.array([False, True])), 0),
    ("nanargmax_f16", lambda: jnp.nanargmax(jnp.array([1, nan, 3], jnp.float16)), 2),
    ("nanargmax_jit", lambda: jax.jit(jnp.nanargmax)(R), 2),
    ("grad_nanmax", lambda: jax.grad(jnp.nanmax)(R), [0.0, 0.0, 1.0, 0.0, 0.0]),
]


@pytest.mark.parametrize("program, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_as_jax(program, expected):
    np.testing.assert_array_equal(np.asarray(program()), np.asarray(expected))


def test_index_dtype():
    assert jnp.nanargmax(R).dtype == np.int32 and jnp.nanargmin(M, axis=0).dtype == np.int32


@pytest.mark.parametrize("f", [jnp.nanargmax, jnp.nanargmin, jnp.argmax, jnp.argmin])
def test_arg_functions_refuse_complex(f):
    with pytest.raises(TypeError):
        f(C)


@pytest.mark.parametrize("f", [jnp.nanmax, jnp.nanmin, jnp.nanargmax, jnp.nanargmin])
def test_empty_raises(f):
    with pytest.raises(ValueError):
        f(jnp.zeros((0,)))
