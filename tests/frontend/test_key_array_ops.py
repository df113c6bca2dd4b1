"""Typed key arrays (key<fry>) through the functions that move elements, as JAX 0.10.2's: jnp.stack,
concatenate, where, lax.select, broadcast_to, expand_dims, indexing, .at[].get/set, jnp.array of keys, ==, and
the same under jit, vmap, scan and cond; arithmetic and mixing keys with integers raise as JAX does. Expected
key data are JAX's (run separately with `import jax`)."""
import numpy as np
import pytest

import lintra as jax
import lintra.numpy as jnp

lax = jax.lax
K = jax.random.key(0)
K1, K2 = jax.random.split(K)
KS = jax.random.split(K, 4)
# JAX: key_data(split(key(0), 4))
D = [[1797259609, 2579123966], [928981903, 3453687069], [4146024105, 2718843009], [2467461003, 3840466878]]


def kd(k):
    assert str(k.dtype) == "key<fry>"
    return np.asarray(jax.random.key_data(k)).tolist()


def test_split_data_is_jaxs():
    assert kd(KS) == D and kd(K1) == D[0] and kd(K2) == D[1]


CASES = [   # (name, program, JAX's key data of the result)
    ("stack", lambda: jnp.stack([K1, K2]), [D[0], D[1]]),
    ("stack_axis1", lambda: jnp.stack([KS, KS], axis=1), [[d, d] for d in D]),
    ("concatenate", lambda: jnp.concatenate([KS, KS[:1]]), D + [D[0]]),
    ("vstack", lambda: jnp.vstack([KS, KS]), [D, D]),
    ("hstack", lambda: jnp.hstack([KS[:2], KS[3:]]), [D[0], D[1], D[3]]),
    ("index", lambda: KS[1], D[1]),
    ("slice", lambda: KS[1:3], D[1:3]),
    ("index_array", lambda: KS[jnp.array([0, 2])], [D[0], D[2]]),
    ("none_index", lambda: K1[None], [D[0]]),
    ("reshape", lambda: KS.reshape(2, 2), [D[:2], D[2:]]),
    ("jnp_reshape", lambda: jnp.reshape(KS, (2, -1)), [D[:2], D[2:]]),
    ("T", lambda: KS.reshape(2, 2).T, [[D[0], D[2]], [D[1], D[3]]]),
    ("jnp_transpose", lambda: jnp.transpose(KS.reshape(2, 2)), [[D[0], D[2]], [D[1], D[3]]]),
    ("where", lambda: jnp.where(True, K1, K2), D[0]),
    ("where_array", lambda: jnp.where(jnp.array([True, False, True, False]), KS, K1), [D[0], D[0], D[2], D[0]]),
    ("select", lambda: lax.select(False, K1, K2), D[1]),
    ("select_array", lambda: lax.select(jnp.array([True, False, True, False]), KS, KS[::-1]),
     [D[0], D[2], D[2], D[0]]),
    ("broadcast_to", lambda: jnp.broadcast_to(K1, (3,)), [D[0]] * 3),
    ("expand_dims", lambda: jnp.expand_dims(K1, 0), [D[0]]),
    ("lax_expand_dims", lambda: lax.expand_dims(K1, (0,)), [D[0]]),
    ("squeeze", lambda: jnp.squeeze(K1[None]), D[0]),
    ("ravel", lambda: KS.reshape(2, 2).ravel(), D),
    ("array_of_keys", lambda: jnp.array([K1, K2]), [D[0], D[1]]),
    ("asarray_of_keys", lambda: jnp.asarray([K2, K1]), [D[1], D[0]]),
    ("nested_array", lambda: jnp.array([[K1, K2], [K2, K1]]), [[D[0], D[1]], [D[1], D[0]]]),
    ("array_ndmin", lambda: jnp.array(K1, ndmin=2), [[D[0]]]),
    ("copy", lambda: jnp.copy(K1), D[0]),
    ("take", lambda: jnp.take(KS, jnp.array([1, 0])), [D[1], D[0]]),
    ("take_along_axis", lambda: jnp.take_along_axis(KS, jnp.array([2, 0]), axis=0), [D[2], D[0]]),
    ("tile", lambda: jnp.tile(K1, 3), [D[0]] * 3),
    ("repeat", lambda: jnp.repeat(KS[:2], 2), [D[0], D[0], D[1], D[1]]),
    ("flip", lambda: jnp.flip(KS), D[::-1]),
    ("roll", lambda: jnp.roll(KS, 1), [D[3]] + D[:3]),
    ("moveaxis", lambda: jnp.moveaxis(KS.reshape(2, 2), 0, 1), [[D[0], D[2]], [D[1], D[3]]]),
    ("zeros_like", lambda: jnp.zeros_like(K1), [0, 0]),
    ("ones_like", lambda: jnp.ones_like(K1), [1, 1]),
    ("full_like", lambda: jnp.full_like(K1, 3), [3, 3]),
    ("at_set", lambda: KS.at[0].set(K2), [D[1]] + D[1:]),
    ("at_get", lambda: KS.at[0].get(), D[0]),
    ("at_get_clip", lambda: KS.at[7].get(mode="clip"), D[3]),
    ("lax_concatenate", lambda: lax.concatenate([KS, KS], 0), D + D),
    ("lax_broadcast", lambda: lax.broadcast(K1, (2,)), [D[0]] * 2),
    ("lax_broadcast_in_dim", lambda: lax.broadcast_in_dim(K1, (2, 3), ()), [[D[0]] * 3] * 2),
    ("lax_reshape", lambda: lax.reshape(KS, (2, 2)), [D[:2], D[2:]]),
    ("dynamic_slice", lambda: lax.dynamic_slice(KS, (1,), (2,)), D[1:3]),
    ("dynamic_index_in_dim", lambda: lax.dynamic_index_in_dim(KS, 1, keepdims=False), D[1]),
    ("dynamic_update_slice", lambda: lax.dynamic_update_slice(KS, jnp.stack([K1]), (2,)), [D[0], D[1], D[0], D[3]]),
    ("rev", lambda: lax.rev(KS, (0,)), D[::-1]),
    ("jit_stack", lambda: jax.jit(lambda ks: jnp.stack([ks[3], ks[1]]))(KS), [D[3], D[1]]),
    ("jit_where", lambda: jax.jit(lambda p, a, b: jnp.where(p, a, b))(jnp.array([True, False, False, True]), KS,
                                                                       KS[::-1]), [D[0], D[2], D[1], D[3]]),
    ("vmap_where", lambda: jax.vmap(lambda p, a, b: jnp.where(p, a, b))(jnp.array([True, False, False, True]), KS,
                                                                         KS[::-1]), [D[0], D[2], D[1], D[3]]),
    ("vmap_select", lambda: jax.vmap(lax.select)(jnp.array([True, False, False, True]), KS, KS[::-1]),
     [D[0], D[2], D[1], D[3]]),
    ("jit_at_set", lambda: jax.jit(lambda a, b: a.at[2].set(b))(KS, K1), [D[0], D[1], D[0], D[3]]),
    ("scan_stack", lambda: lax.scan(lambda c, x: (c, jnp.stack([x, c])), K, KS[:2])[1], [[D[0], [0, 0]],
                                                                                            [D[1], [0, 0]]]),
    ("cond_where", lambda: lax.cond(False, lambda a: a[0], lambda a: jnp.where(True, a[1], a[2]), KS), D[1]),
    ("jit_identity", lambda: jax.jit(lambda k: k)(KS), D),
    # to its own dtype a key array is itself (optax's MultiSteps casts its inner state so)
    ("astype_own_dtype", lambda: jnp.astype(jnp.where(False, K1, K2), K1.dtype), D[1]),
    ("jit_astype_own_dtype", lambda: jax.jit(lambda a, b: jnp.astype(jnp.where(True, a, b), a.dtype))(K1, K2), D[0]),
]


@pytest.mark.parametrize("program, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_moves_keys_as_jax(program, expected):
    assert kd(program()) == expected


def test_shape_queries_and_comparisons():
    assert jnp.shape(KS) == (4,) and jnp.ndim(KS) == 1 and jnp.size(KS) == 4
    assert [a.shape for a in jnp.broadcast_arrays(KS, K1)] == [(4,), (4,)]
    assert [a.shape for a in jnp.split(KS, 2)] == [(2,), (2,)]
    assert np.asarray(KS == KS[0]).tolist() == [True, False, False, False]
    assert np.asarray(KS != K1).tolist() == [False, True, True, True]
    assert np.asarray(jax.jit(lambda a, b: a == b)(KS, KS[1])).tolist() == [False, True, False, False]
    assert not bool(jnp.equal(K1, K2)) and bool(jnp.not_equal(K1, K2))
    assert bool(jnp.array_equal(KS, KS)) and not bool(jnp.array_equal(KS, KS[::-1]))
    # a stacked key array samples as the keys it holds (JAX's numbers)
    np.testing.assert_allclose(jax.vmap(jax.random.normal)(jnp.stack([K1, K2])), [1.0040143, -2.4424558], rtol=1e-6)


@pytest.mark.parametrize("program, error, message", [
    (lambda: K1 + 1, TypeError, "add does not accept dtype key<fry>"),
    (lambda: K1 + K2, TypeError, "add does not accept dtype key<fry>"),
    (lambda: K1 * 2, TypeError, "multiply does not accept dtype key<fry>"),
    (lambda: -K1, TypeError, "does not accept dtype key<fry>"),
    (lambda: K1 < K2, TypeError, "does not accept dtype key<fry>"),
    (lambda: jnp.add(K1, 1), TypeError, "add does not accept dtype key<fry>"),
    (lambda: jnp.sum(KS), TypeError, "does not accept dtype key<fry>"),
    (lambda: jnp.argsort(KS), TypeError, "does not accept dtype key<fry>"),
    (lambda: KS.at[0].add(K1), TypeError, "does not accept dtype key<fry>"),
    (lambda: jnp.stack([K1, jnp.uint32(0)]), ValueError, "dtype=key<fry> is not a valid dtype"),
    (lambda: jnp.where(True, K1, 0), ValueError, "dtype=key<fry> is not a valid dtype"),
    (lambda: jnp.asarray(K1, dtype=jnp.uint32), ValueError, "Cannot convert_element_type from key<fry> to uint32"),
    (lambda: jnp.concatenate([K1, K2]), ValueError, "ero-dimensional arrays cannot be concatenated"),
    (lambda: jnp.astype(K1, "float32"), ValueError, "^Cannot convert_element_type from key<fry> to float32$"),
    (lambda: jnp.astype(jnp.ones(2), K1.dtype), ValueError, "^Cannot convert_element_type from float32 to key<fry>$"),
], ids=["add", "add_keys", "mul", "neg", "lt", "jnp_add", "sum", "argsort", "at_add", "mix_stack", "mix_where",
        "asarray_dtype", "concatenate_scalars", "astype_from_key", "astype_to_key"])
def test_refuses_as_jax(program, error, message):
    with pytest.raises(error, match=message):
        program()


def test_a_key_is_not_an_index():
    with pytest.raises(TypeError, match="Indexer must have integer or boolean type, got indexer with type key<fry>"):
        jnp.arange(3)[K1]
    with pytest.raises(TypeError, match="Indexer must have integer or boolean type, got indexer with type key<fry>"):
        KS[K1]
