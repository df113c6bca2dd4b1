"""reshard on a one-device mesh (the tests' process has one CPU device; tests/sharding/test_explicit.py runs
the 8-device cases in child processes): the value passes through unchanged and its type takes the sharding,
under jit, grad and vmap."""
import numpy as np

import lintra
from lintra.sharding import NamedSharding, PartitionSpec as P, reshard

COVERED_PRIMITIVES = {"reshard"}
COVERED_AD_PRIMITIVES = {"reshard"}
COVERED_BATCH_PRIMITIVES = {"reshard"}

MESH = lintra.make_mesh((1,), ("r",))       # Explicit, as make_mesh's axes are by default
S = NamedSharding(MESH, P("r"))
X = np.arange(6, dtype=np.float32).reshape(3, 2)


def resharded(a):
    return reshard(a * 2, S)


def test_eager_and_jit_keep_the_value_and_type_the_sharding():
    for out in (resharded(X), lintra.jit(resharded)(X)):
        np.testing.assert_array_equal(np.asarray(out), X * 2)
        assert str(lintra.typeof(out)) == "f32[3@r,2]"
        assert out.sharding.mesh == MESH and out.sharding.spec == P("r", None)


def test_ir_op_and_lowering():
    ir = str(lintra.make_ir(resharded)(X))
    assert 'reshard %2 {device_ids = [0], mesh = [["r", 1]], spec = [["r"], []]} : f32[3@r,2]' in ir, ir
    text = lintra.jit(resharded).lower(X).as_text()
    assert 'sdy.sharding_constraint %1 <@mesh, [{"r"}, {}]>' in text, text
    assert '-> (tensor<3x2xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"r"}, {}]>})' in text, text


def test_grad_is_identity_and_takes_the_operands_type():
    g = lintra.grad(lambda a: (resharded(a) ** 2).sum())(X)
    np.testing.assert_allclose(np.asarray(g), 8 * X)
    assert str(lintra.typeof(g)) == "f32[3,2]"           # the cotangent resharded back to the operand's type
    gj = lintra.jit(lintra.grad(lambda a: (resharded(a) ** 2).sum()))(X)
    np.testing.assert_allclose(np.asarray(gj), 8 * X)


def test_vmap_leaves_the_batch_axis_unsplit():
    f = lintra.vmap(lambda a: reshard(a, S), in_axes=1)
    ir = str(lintra.make_ir(f)(X))
    # batched at dimension 1: the example's dimension 0 keeps "r", the batch dimension 1 is unsplit
    assert 'spec = [["r"], []]} : f32[3@r,2]' in ir, ir
    np.testing.assert_array_equal(np.asarray(lintra.jit(f)(X)), X.T)
