"""sharding_constraint on a one-device mesh (the tests' process has one CPU device; tests/sharding runs the
8-device cases in child processes): the value passes through unchanged, under jit, grad and vmap."""
import numpy as np

import lintra
from lintra.sharding import AxisType, NamedSharding, PartitionSpec as P

COVERED_PRIMITIVES = {"sharding_constraint"}
COVERED_AD_PRIMITIVES = {"sharding_constraint"}
COVERED_BATCH_PRIMITIVES = {"sharding_constraint"}

MESH = lintra.make_mesh((1,), ("x",), axis_types=(AxisType.Auto,))   # with_sharding_constraint names Auto axes
S = NamedSharding(MESH, P("x"))
X = np.arange(6, dtype=np.float32).reshape(3, 2)


def constrained(a):
    return lintra.lax.with_sharding_constraint(a * 2, S)


def test_jit_keeps_the_value_and_takes_the_sharding():
    out = lintra.jit(constrained)(X)
    np.testing.assert_array_equal(np.asarray(out), X * 2)
    assert out.sharding.mesh == MESH and out.sharding.is_equivalent_to(S, 2)     # P("x") is P() on 1 device


def test_ir_op_and_lowering():
    assert "sharding_constraint" in str(lintra.make_ir(constrained)(X))
    text = lintra.jit(constrained).lower(X).as_text()
    assert 'sdy.sharding_constraint %1 <@mesh, [{"x"}, {}]>' in text
    assert "mhlo.num_partitions = 1" in text


def test_grad_is_identity():
    g = lintra.grad(lambda a: (constrained(a) ** 2).sum())(X)
    np.testing.assert_allclose(np.asarray(g), 8 * X)
    gj = lintra.jit(lintra.grad(lambda a: (constrained(a) ** 2).sum()))(X)
    np.testing.assert_allclose(np.asarray(gj), 8 * X)


def test_vmap_leaves_the_batch_axis_unsplit():
    f = lintra.vmap(lambda a: lintra.lax.with_sharding_constraint(a, NamedSharding(MESH, P("x"))), in_axes=1)
    ir = str(lintra.make_ir(f)(X))
    # batched at dimension 1 (in_axes=1): the example's dimension 0 keeps "x", the batch dimension 1 is unsplit
    assert 'spec = [["x"], []]} : f32[3,2]' in ir, ir
    np.testing.assert_array_equal(np.asarray(lintra.jit(f)(X)), X.T)
