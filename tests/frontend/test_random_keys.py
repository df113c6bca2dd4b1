"""Typed PRNG keys (lintra.random.key): dtype key<fry>, key_data/wrap_key_data/key_impl, lintra.dtypes, key
arrays' shapes and indexing, and split/fold_in/samplers on typed keys under eager, jit, vmap, scan,
fori_loop, while_loop and cond. Expected values were recorded from JAX 0.10.2 (jax.random with typed keys)."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
import lintra.random as random


def kd(k):
    return np.asarray(random.key_data(k)).tolist()


K7_SPLIT_2x3 = [[[3625411723, 1954958720], [195045567, 4062205631], [966301609, 1948237315]],
                [[276534068, 1641862660], [51277378, 3088387524], [3583082021, 1947592014]]]
K42_SPLIT_3 = [[1832780943, 270669613], [64467757, 2916123636], [2465931498, 255383827]]


@pytest.fixture
def original():
    lintra.config.update("jax_threefry_partitionable", False)
    yield
    lintra.config.update("jax_threefry_partitionable", True)


def test_key_is_a_scalar_key_array_with_jax_repr():
    k = random.key(42)
    assert k.shape == () and k.ndim == 0 and k.size == 1 and k.itemsize == 8
    assert str(k.dtype) == repr(k.dtype) == "key<fry>"
    assert repr(k) == "Array((), dtype=key<fry>) overlaying:\n[ 0 42]"
    assert str(random.split(k, (2, 0))) == "Array((2, 0), dtype=key<fry>) overlaying:\n[]"
    assert kd(k) == [0, 42] and kd(random.key(-1)) == [0, 4294967295]
    assert random.key_impl(k) == random.key_impl(random.PRNGKey(0)) == "threefry2x32"
    assert random.PRNGKey(42).dtype == np.uint32   # PRNGKey stays raw, as in JAX


def test_prng_key_dtype_and_public_dtypes_module():
    k = random.key(0)
    assert jnp.issubdtype(k.dtype, lintra.dtypes.prng_key)
    assert lintra.dtypes.issubdtype(k.dtype, lintra.dtypes.extended)
    assert not jnp.issubdtype(k.dtype, jnp.integer) and not jnp.issubdtype(jnp.uint32, lintra.dtypes.prng_key)
    assert k.dtype == random.split(k)[0].dtype
    import lintra.dtypes as dt
    assert dt.canonicalize_dtype(np.float64) == np.float32 and dt.result_type(1, np.int8) == np.int8
    assert dt.finfo(dt.bfloat16).eps == 0.0078125 and dt.iinfo("int8").max == 127
    assert dt.float0 == np.dtype([("float0", "V")])


def test_split_fold_in_and_samplers_match_jax():
    k = random.key(42)
    ks = random.split(k, 3)
    assert isinstance(ks, type(k)) and ks.shape == (3,)
    assert kd(ks) == K42_SPLIT_3
    assert kd(ks[0]) == K42_SPLIT_3[0] and kd(ks[1:]) == K42_SPLIT_3[1:]
    assert [kd(x) for x in ks] == K42_SPLIT_3 and len(ks) == 3
    assert kd(random.fold_in(k, 7)) == [2547012911, 1371500959]
    assert np.asarray(random.bits(k, (3,))).tolist() == [2098992034, 2919706841, 2646866425]
    np.testing.assert_allclose(random.uniform(k, (3,)), [0.48870957, 0.6797972, 0.6162715], rtol=1e-6)
    np.testing.assert_allclose(random.normal(ks[1], (2,)), [0.60576403, 0.7990441], rtol=1e-6)
    assert np.asarray(random.randint(k, (4,), 0, 10)).tolist() == [4, 4, 1, 9]
    k = random.key(7)
    assert kd(random.split(k, (2, 3))) == K7_SPLIT_2x3
    assert kd(random.fold_in(k, 2 ** 31 + 5)) == [3129736998, 445282630]
    np.testing.assert_allclose(random.normal(k, (3,)), [0.45123515, 1.9534509, -0.51623946], rtol=1e-6)
    np.testing.assert_allclose(random.exponential(k, (2,)), [1.1211338, 3.673671], rtol=1e-6)
    assert np.asarray(random.bernoulli(k, 0.3, (5,))).tolist() == [False] * 5
    assert np.asarray(random.permutation(k, 6)).tolist() == [4, 2, 3, 5, 0, 1]
    assert np.asarray(random.choice(k, 10, (4,))).tolist() == [9, 2, 0, 7]
    assert np.asarray(random.randint(k, (4,), 0, 100)).tolist() == [99, 22, 0, 37]
    assert np.asarray(random.categorical(k, jnp.array([0., 1., 2.]), shape=(5,))).tolist() == [1, 2, 1, 2, 2]


def test_typed_and_raw_keys_give_the_same_values():
    raw, typed = random.PRNGKey(3), random.key(3)
    assert isinstance(random.split(raw), lintra.Array) and kd(random.split(typed)) == kd(random.split(raw))
    for f in (lambda k: random.uniform(k, (4,)), lambda k: random.gamma(k, 2., (3,)),
              lambda k: random.t(k, 3., (2,)), lambda k: random.bits(k, (2,), jnp.uint8)):
        np.testing.assert_array_equal(f(typed), f(raw))


def test_original_scheme(original):
    k = random.key(7)
    assert kd(random.split(k, 3)) == [[276534068, 861967409], [1905761346, 1641862660], [2900896126, 1402713516]]
    assert kd(random.fold_in(k, 4)) == [51277378, 3088387524]
    np.testing.assert_allclose(random.uniform(k, (3,)), [0.22498453, 0.42616034, 0.45360935], rtol=1e-6)


def test_key_data_and_wrap_key_data():
    data = jnp.array([[1, 2], [3, 4]], jnp.uint32)
    keys = random.wrap_key_data(data)
    assert keys.shape == (2,) and str(keys.dtype) == "key<fry>"
    assert kd(keys) == [[1, 2], [3, 4]] and kd(random.wrap_key_data(np.array([1, 2], np.uint32))) == [1, 2]
    assert kd(random.wrap_key_data(random.key_data(random.key(5)))) == [0, 5]
    with pytest.raises(TypeError, match="dtype = uint32; got dtype=int32"):
        random.wrap_key_data(jnp.array([1, 2], jnp.int32))
    with pytest.raises(TypeError, match=r"shape to end with \(2,\); got shape=\(3,\)"):
        random.wrap_key_data(jnp.array([1, 2, 3], jnp.uint32))
    with pytest.raises(TypeError, match="already a typed key"):
        random.wrap_key_data(keys)


def test_key_array_shapes_and_comparisons():
    ks = random.split(random.key(7), (2, 3))
    assert kd(ks.reshape(3, 2)) == np.reshape(K7_SPLIT_2x3, (3, 2, 2)).tolist()
    assert kd(ks.T) == np.transpose(K7_SPLIT_2x3, (1, 0, 2)).tolist()
    assert ks.ravel().shape == (6,) and ks[None].shape == (1, 2, 3) and ks[:, 1].shape == (2,)
    assert ks.reshape(3, 1, 2).squeeze().shape == (3, 2)
    assert np.asarray(ks == ks).tolist() == [[True] * 3] * 2
    assert np.asarray(ks[0] != ks[1]).tolist() == [True] * 3


def test_errors_are_clear():
    ks = random.split(random.key(0), 3)
    for f in (random.split, random.fold_in, random.uniform):
        with pytest.raises(ValueError, match=r"accepts a single key, but was given a key array of shape \(3,\)"):
            f(ks, 1) if f is random.fold_in else f(ks)
    with pytest.raises(TypeError, match="cannot be converted to a NumPy array"):
        np.asarray(ks)
    assert jnp.asarray(ks) is ks       # as JAX: a key array already is one
    with pytest.raises(TypeError, match="add does not accept dtype key<fry>"):
        ks + 1
    with pytest.raises(TypeError):
        len(random.key(0))


def test_jit_vmap_and_control_flow_carry_typed_keys():
    k = random.key(42)
    out = lintra.jit(lambda k: random.split(k))(k)
    assert str(out.dtype) == "key<fry>" and kd(out) == K42_SPLIT_3[:2]
    f = lintra.jit(lambda k, x: (random.fold_in(k, 7), x + random.uniform(k)))
    for _ in range(2):   # the second call takes jit's C++ fast path
        nk, y = f(k, 1.)
        assert kd(nk) == [2547012911, 1371500959]
        np.testing.assert_allclose(y, 1.0 + np.float32(0.48870957), rtol=1e-6)
    ks = random.split(k, 3)
    assert kd(lintra.vmap(lambda k: random.fold_in(k, 3))(ks)) == \
        [[1820970612, 3729538270], [1383271662, 289976367], [1844025098, 928543246]]
    np.testing.assert_allclose(lintra.vmap(random.uniform)(ks), [0.5302608, 0.72766423, 0.6672406], rtol=1e-6)
    k7s = random.split(random.key(7), (2, 3))
    np.testing.assert_allclose(lintra.vmap(lambda k: random.uniform(k[1]), in_axes=1)(k7s),
                               [0.23133409, 0.29845166, 0.73873997], rtol=1e-6)
    assert np.asarray(lintra.vmap(lambda k: random.bits(k[0]), in_axes=-1)(k7s)).tolist() == \
        [3725328165, 2899676959, 884754664]
    assert kd(lintra.vmap(lambda k: random.split(k), out_axes=1)(k7s[0])) == \
        [[[2737751932, 2099591257], [1294055386, 3790878917], [356214456, 562507344]],
         [[533473832, 2443621858], [1610437339, 2357010365], [2971707868, 4077493777]]]
    carry, ys = lintra.lax.scan(lambda c, x: (random.split(c)[0], random.uniform(x)), k, ks)
    assert kd(carry) == [1773327481, 1441649378]
    np.testing.assert_allclose(ys, [0.5302608, 0.72766423, 0.6672406], rtol=1e-6)
    assert kd(lintra.lax.cond(True, lambda a: a, lambda a: random.split(a)[0], k)) == [0, 42]
    assert kd(lintra.lax.cond(False, lambda a: a, lambda a: random.split(a)[0], k)) == K42_SPLIT_3[0]
    k7 = random.key(7)
    assert kd(lintra.lax.fori_loop(0, 3, lambda i, k: random.fold_in(k, i), k7)) == [1466320418, 1558914983]
    assert kd(lintra.lax.while_loop(lambda c: c[0] < 2, lambda c: (c[0] + 1, random.split(c[1])[1]),
                                    (0, k7))[1]) == [1610437339, 2357010365]
    assert repr(lintra.jit(lambda k: print(repr(k)) or k)(k)).startswith("Array((), dtype=key<fry>)")


def test_a_key_array_is_one_pytree_leaf_as_in_jax():
    # expected values printed by JAX 0.10.2 for the same code
    k = random.key(0)
    ks = random.split(k, 4)
    assert len(lintra.tree.leaves(k)) == 1 and str(lintra.tree.structure(k)) == "PyTreeDef(*)"
    assert lintra.tree.map(lambda t: t.dtype, {"k": k}) == {"k": random.key(1).dtype}
    paths = [lintra.tree_util.keystr(p) for p, _ in lintra.tree_util.tree_flatten_with_path({"k": k, "x": [k, 2.]})[0]]
    assert paths == ["['k']", "['x'][0]", "['x'][1]"]
    assert lintra.tree.map(lambda t: t.shape, (ks, k)) == ((4,), ())
    out = lintra.jit(lambda s: lintra.tree.map(lambda t: t[0] if t.ndim else t, s))({"k": ks, "x": jnp.arange(3.)})
    assert lintra.tree.map(lambda t: (t.shape, str(t.dtype)), out) == {"k": ((), "key<fry>"), "x": ((), "float32")}
    carry = lintra.lax.scan(lambda c, _: (lintra.tree.map(lambda t: t, c), None), {"k": k}, None, length=2)[0]
    assert random.key_data(carry["k"]).tolist() == [0, 0]
    assert random.key_data(out["k"]).tolist() == random.key_data(ks[0]).tolist()
