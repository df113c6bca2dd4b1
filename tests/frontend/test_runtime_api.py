"""Array, devices, transfers, pytrees and configuration."""
import collections
import pickle

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax, tree


def test_array_properties_and_host_access():
    a = lintra.device_put(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert (a.shape, a.dtype, a.ndim, a.size, a.weak_type) == ((2, 3), np.float32, 2, 6, False)
    assert a.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert np.asarray(a).dtype == np.float32
    assert a.block_until_ready() is a
    a.copy_to_host_async()
    assert len(a) == 2


def test_scalar_conversions():
    s = lintra.device_put(np.float32(2.5))
    assert float(s) == 2.5 and int(s) == 2 and bool(s) and s.item() == 2.5
    with pytest.raises(TypeError, match="shape \\(3,\\)"):
        float(lintra.device_put(np.ones(3, np.float32)))


def test_repr_like_jax():
    assert repr(lintra.device_put(np.array([1.0, 2.0], np.float32))) == "Array([1., 2.], dtype=float32)"
    assert repr(lintra.device_put(2.0)) == "Array(2., dtype=float32, weak_type=True)"
    # recorded from JAX 0.10.2: empty arrays show their shape; a full last line pushes the dtype aside
    assert repr(jnp.zeros((2, 0), np.int32)) == "Array([], shape=(2, 0), dtype=int32)"
    assert repr(jnp.full((0,), 1.0)) == "Array([], shape=(0,), dtype=float32, weak_type=True)"
    assert repr(jnp.arange(18.0)) == ("Array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n"
                                      "       13., 14., 15., 16., 17.], dtype=float32)")
    assert repr(jnp.arange(10).reshape(2, 5) * 1.25 + 0.5) == (
        "Array([[ 0.5 ,  1.75,  3.  ,  4.25,  5.5 ],\n"
        "       [ 6.75,  8.  ,  9.25, 10.5 , 11.75]],      dtype=float32, weak_type=True)")


# recorded from JAX 0.10.2: an empty array shows its shape, str() is NumPy's; the dtype goes on its own line,
# indented, when it would overflow the line
@pytest.mark.parametrize("make, want", [
    (lambda: jnp.zeros((0,)), "Array([], shape=(0,), dtype=float32)"),
    (lambda: jnp.zeros((2, 0), jnp.int32), "Array([], shape=(2, 0), dtype=int32)"),
    (lambda: jnp.zeros((0, 3), jnp.bool_), "Array([], shape=(0, 3), dtype=bool)"),
    (lambda: jnp.zeros((0, 0, 2), jnp.bfloat16), "Array([], shape=(0, 0, 2), dtype=bfloat16)"),
    (lambda: jnp.zeros((0,), jnp.complex64), "Array([], shape=(0,), dtype=complex64)"),
    (lambda: jnp.arange(24.0),
     "Array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n"
     "       13., 14., 15., 16., 17., 18., 19., 20., 21., 22., 23.],      dtype=float32)"),
    (lambda: jnp.arange(22.0),
     "Array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n"
     "       13., 14., 15., 16., 17., 18., 19., 20., 21.], dtype=float32)"),
])
def test_repr_of_empty_and_wrapped_arrays_like_jax(make, want):
    a = make()
    assert repr(a) == want
    assert str(a) == ("[]" if a.size == 0 else str(np.asarray(a)))


def test_pickle_round_trip():
    a = lintra.device_put(np.arange(3, dtype=np.int32))
    b = pickle.loads(pickle.dumps(a))
    assert b.dtype == np.int32 and b.tolist() == [0, 1, 2]


def test_devices_and_backend():
    assert lintra.default_backend() == "cpu"
    assert lintra.device_count() == len(lintra.devices()) >= 1
    a = lintra.device_put(np.ones(2, np.float32), lintra.devices()[0])
    assert a.device == lintra.devices()[0]


def test_device_put_and_get_pytrees():
    tree_in = {"a": np.ones(2, np.float32), "b": (1.0, np.int32(3))}
    on_device = lintra.device_put(tree_in)
    assert isinstance(on_device["a"], lintra.Array) and on_device["b"][0].weak_type
    back = lintra.device_get(on_device)
    assert isinstance(back["a"], np.ndarray) and back["b"][1] == 3
    assert lintra.block_until_ready(on_device) is on_device


def test_x64_canonicalisation():
    assert lintra.device_put(np.float64(1)).dtype == np.float32
    lintra.config.update("enable_x64", True)
    try:
        assert lintra.device_put(np.float64(1)).dtype == np.float64
        assert lintra.device_put(1).dtype == np.int64
    finally:
        lintra.config.update("enable_x64", False)
    assert lintra.device_put(1).dtype == np.int32
    with pytest.raises(AttributeError, match="Unrecognized config option: enable_x65"):    # JAX's error
        lintra.config.update("enable_x65", True)


def test_python_int_overflow_is_reported():
    with pytest.raises(OverflowError, match="too large"):
        lax.add(np.int32(1), 2 ** 40)


Point = collections.namedtuple("Point", "x y")


@tree.register_pytree_node_class
class Box:
    def __init__(self, value, label):
        self.value, self.label = value, label

    def tree_flatten(self):
        return (self.value,), self.label

    @classmethod
    def tree_unflatten(cls, label, children):
        return cls(children[0], label)


def test_pytrees():
    t = {"p": Point(1, [2, None]), "q": (3,)}
    leaves, treedef = tree.flatten(t)
    assert leaves == [1, 2, 3]
    assert tree.unflatten(treedef, [4, 5, 6]) == {"p": Point(4, [5, None]), "q": (6,)}
    assert tree.map(lambda a, b: a + b, t, t) == {"p": Point(2, [4, None]), "q": (6,)}
    assert tree.leaves(Box(7, "lbl")) == [7]
    assert tree.map(lambda v: v * 2, Box(7, "lbl")).value == 14
    assert tree.structure((1, 2)).num_leaves == 2


def test_registered_classes_pass_through_jit():
    out = lintra.jit(lambda b: Box(lax.mul(b.value, 2.0), b.label))(Box(np.float32(3), "tag"))
    assert isinstance(out, Box) and out.label == "tag" and float(out.value) == 6.0


def test_eager_ops_are_cached_and_match_jit():
    x = np.linspace(-1, 1, 7).astype(np.float32)
    for f in (lax.exp, lax.tanh, lambda v: lax.mul(v, v)):
        np.testing.assert_array_equal(np.asarray(f(x)), np.asarray(lintra.jit(f)(x)))
    y = jnp.asarray(x)
    assert isinstance(lax.exp(y), lintra.Array)


def test_a_new_process_is_quiet():
    # XLA logs every client creation at INFO level unless TF_CPP_MIN_LOG_LEVEL is set before jaxlib's native
    # code loads, through whichever of Lintra's two jaxlib modules is imported first
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    out = subprocess.run([sys.executable, "-c", "import lintra; print(float(lintra.numpy.ones(3).sum()))"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "3.0", out.stderr
    assert "pjrt_client" not in out.stderr, out.stderr
