"""scatter_apply: x.at[idx].apply(f) and lax.scatter_apply, as JAX 0.10.2 (values recorded by running the same
programs with `import jax`): f runs once per occurrence of an index, under every indexing mode, eagerly, under
jit and vmap; it lowers to a stablehlo.scatter whose region is f; it has no derivative (as in JAX)."""
import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp

COVERED_PRIMITIVES = {"scatter_apply"}
COVERED_BATCH_PRIMITIVES = {"scatter_apply"}
COVERED_AD_PRIMITIVES = {"scatter_apply"}   # its JVP rule raises, as JAX: test_no_derivative_as_jax

x = jnp.arange(5.0)
idx = jnp.array([1, 1, 3])

CASES = [   # (name, program, JAX's result)
    ("repeated", lambda: x.at[idx].apply(lambda v: v * 2 + 1), [0.0, 7.0, 2.0, 7.0, 4.0]),
    ("repeated_jit", lambda: jax.jit(lambda x: x.at[idx].apply(lambda v: v * 2 + 1))(x), [0.0, 7.0, 2.0, 7.0, 4.0]),
    ("once", lambda: x.at[2].apply(jnp.sin), [0.0, 1.0, 0.9092974066734314, 3.0, 4.0]),
    ("out_of_bounds_dropped", lambda: x.at[7].apply(jnp.sin), [0.0, 1.0, 2.0, 3.0, 4.0]),
    ("negative", lambda: x.at[-1].apply(jnp.sin), [0.0, 1.0, 2.0, 3.0, -0.756802499294281]),
    ("drop", lambda: x.at[jnp.array([1, 9])].apply(jnp.sin, mode="drop"), [0.0, 0.8414709568023682, 2.0, 3.0, 4.0]),
    ("clip", lambda: x.at[jnp.array([1, 9])].apply(jnp.sin, mode="clip"),
     [0.0, 0.8414709568023682, 2.0, 3.0, -0.756802499294281]),
    ("fill", lambda: x.at[jnp.array([1, 9])].apply(jnp.sin, mode="fill"), [0.0, 0.8414709568023682, 2.0, 3.0, 4.0]),
    ("promise_in_bounds", lambda: x.at[jnp.array([1, 3])].apply(jnp.sin, mode="promise_in_bounds"),
     [0.0, 0.8414709568023682, 2.0, 0.14112000167369843, 4.0]),
    ("int", lambda: jnp.arange(5).at[idx].apply(lambda v: v * 3), [0, 9, 2, 9, 4]),
    ("slice", lambda: x.at[1:4].apply(lambda v: v + 10), [0.0, 11.0, 12.0, 13.0, 4.0]),
    ("mask", lambda: x.at[x > 2].apply(lambda v: -v), [0.0, 1.0, 2.0, -3.0, -4.0]),
    ("2d_repeated", lambda: jnp.ones((3, 2)).at[jnp.array([0, 0]), 1].apply(lambda v: v * 5),
     [[1.0, 25.0], [1.0, 1.0], [1.0, 1.0]]),
    ("vmap_operand", lambda: jax.vmap(lambda x: x.at[idx].apply(lambda v: v * 2 + 1))(jnp.ones((2, 5))),
     [[1.0, 7.0, 1.0, 3.0, 1.0]] * 2),
    ("vmap_indices", lambda: jax.vmap(lambda i: x.at[i].apply(lambda v: v * 2 + 1))(jnp.array([[1, 1], [0, 2]])),
     [[0.0, 7.0, 2.0, 3.0, 4.0], [1.0, 1.0, 5.0, 3.0, 4.0]]),
    ("closure", lambda: x.at[idx].apply(lambda v: v + jnp.array(3.0)), [0.0, 7.0, 2.0, 6.0, 4.0]),
    ("scalar", lambda: jnp.asarray(2.0).at[()].apply(lambda v: v + 1), 3.0),
]


@pytest.mark.parametrize("program, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_apply_as_jax(program, expected):
    out = program()
    np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-6)


def test_lax_scatter_apply():
    dn = jax.lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                         scatter_dims_to_operand_dims=(0,))
    out = jax.lax.scatter_apply(x, jnp.array([[0], [4], [4]]), lambda v: v * 2 + 1, dn, update_shape=(3,))
    np.testing.assert_array_equal(out, [1.0, 1.0, 2.0, 3.0, 19.0])


def test_lowers_to_a_scatter_whose_region_is_f():
    text = jax.jit(lambda x: x.at[idx].apply(lambda v: v * 2 + 1)).lower(x).as_text()
    assert '"stablehlo.scatter"' in text and "stablehlo.multiply" in text and "stablehlo.add" in text


def test_no_derivative_as_jax():
    with pytest.raises(NotImplementedError, match="scatter_apply JVP not implemented"):
        jax.grad(lambda x: x.at[idx].apply(jnp.sin).sum())(x)


def test_func_must_be_scalar():
    with pytest.raises(TypeError, match="scatter_apply: func must map a scalar to a scalar"):
        x.at[idx].apply(lambda v: jnp.stack([v, v]))


@pytest.mark.parametrize("program", [lambda: x.at[1].get(mode="wrap"), lambda: x.at[1].set(1.0, mode="bogus"),
                                     lambda: x.at[1].apply(jnp.sin, mode="wrap")])
def test_unknown_mode_raises_as_jax(program):
    with pytest.raises(ValueError, match='Unknown gather mode "(wrap|bogus)"'):
        program()
