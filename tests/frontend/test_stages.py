"""Introspection and ahead-of-time stages, with JAX 0.10.2's names and semantics (expected values were read
from JAX 0.10.2 run in a separate process): typeof, ShapeDtypeStruct, make_jaxpr, jit(f).trace/lower/compile,
ad_checkpoint.print_saved_residuals."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.ir.types import TensorType


def test_typeof_is_the_ir_type():
    t = lintra.typeof(jnp.ones(3))
    assert t == TensorType((3,), np.dtype(np.float32)) and t.shape == (3,) and t.dtype == np.float32
    assert repr(t) == "TensorType(f32[3])" and str(t) == "f32[3]"      # JAX: ShapedArray(float32[3])
    assert lintra.typeof(1.0).weak and not lintra.typeof(np.int32(3)).weak
    assert lintra.typeof(np.ones(2)).dtype == np.float32       # without x64, as JAX's float32[2]
    seen = []
    lintra.jit(lambda x: seen.append(lintra.typeof(x)) or x)(jnp.ones((2, 2)))
    assert seen == [TensorType((2, 2), np.dtype(np.float32))]


def test_shape_dtype_struct_repr_and_signature():
    assert repr(lintra.ShapeDtypeStruct((2, 4), jnp.float32)) == "ShapeDtypeStruct(shape=(2, 4), dtype=float32)"
    assert repr(lintra.ShapeDtypeStruct((2, 4), jnp.float32, weak_type=True)) == \
        "ShapeDtypeStruct(shape=(2, 4), dtype=float32, weak_type=True)"
    with pytest.raises(TypeError):       # as JAX: sharding and weak_type are keyword-only
        lintra.ShapeDtypeStruct((3,), jnp.float32, True)


def test_shape_dtype_struct_like():
    S = lintra.ShapeDtypeStruct
    assert repr(S.like(jnp.ones(3))) == "ShapeDtypeStruct(shape=(3,), dtype=float32)"
    assert repr(S.like(S((2,), "int32"))) == "ShapeDtypeStruct(shape=(2,), dtype=int32)"
    assert repr(S.like(np.ones((2, 3)))) == "ShapeDtypeStruct(shape=(2, 3), dtype=float32)"
    assert repr(S.like(1.0)) == "ShapeDtypeStruct(shape=(), dtype=float32, weak_type=True)"
    assert repr(S.like(3)) == "ShapeDtypeStruct(shape=(), dtype=int32, weak_type=True)"
    # uncommitted: no sharding; committed: the array's, and then it differs from one without
    assert S.like(jnp.ones(3)) == S((3,), jnp.float32)
    x = lintra.device_put(jnp.ones(3), lintra.devices()[0])
    s = S.like(x)
    assert s.sharding == x.sharding and s != S((3,), jnp.float32)
    assert repr(s).startswith("ShapeDtypeStruct(shape=(3,), dtype=float32, sharding=SingleDeviceSharding(")
