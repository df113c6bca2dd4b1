"""shard_map on a one-device mesh (the tests' process has one CPU device; tests/sharding/test_shard_map.py runs
the 8-device cases in child processes): the region runs on the whole array, under jit, grad and vmap."""
import numpy as np

import lintra
from lintra.sharding import AxisType, PartitionSpec as P

COVERED_PRIMITIVES = {"shard_map"}
COVERED_AD_PRIMITIVES = {"shard_map"}
COVERED_BATCH_PRIMITIVES = {"shard_map"}

MESH = lintra.make_mesh((1,), ("x",), axis_types=(AxisType.Auto,))
X = np.arange(6, dtype=np.float32).reshape(3, 2) / 4


def mapped(a):
    return lintra.shard_map(lambda b: lintra.lax.psum(lintra.numpy.sin(b) * b, "x"), mesh=MESH, in_specs=P("x"),
                            out_specs=P("x"))(a)


def test_value_eager_and_jit():
    np.testing.assert_allclose(np.asarray(mapped(X)), np.sin(X) * X, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(lintra.jit(mapped)(X)), np.sin(X) * X, rtol=1e-6)
    text = lintra.jit(mapped).lower(X).as_text()
    assert 'sdy.manual_computation(%arg0) in_shardings=[<@mesh, [{"x"}, {}]>]' in text, text
    assert "replica_groups = dense<0> : tensor<1x1xi64>" in text, text


def test_grad_jvp_and_vmap():
    want = np.cos(X) * X + np.sin(X)
    g = lintra.grad(lambda a: mapped(a).sum())(X)
    np.testing.assert_allclose(np.asarray(g), want, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(lintra.jit(lintra.grad(lambda a: mapped(a).sum()))(X)), want, rtol=1e-6)
    _, t = lintra.jvp(mapped, (X,), (np.ones_like(X),))
    np.testing.assert_allclose(np.asarray(t), want, rtol=1e-6)
    xs = np.stack([X, 2 * X])
    np.testing.assert_allclose(np.asarray(lintra.vmap(mapped)(xs)), np.sin(xs) * xs, rtol=1e-6)
