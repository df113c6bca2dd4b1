"""The public types libraries test values against: lintra.Array (jax.Array), lintra.core.Tracer and
ShapedArray, lintra.typing, lintra.errors — as JAX 0.10.2 answers the same isinstance questions."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import core, errors


def test_array_is_the_type_of_concrete_traced_and_key_arrays():
    seen = {}

    def f(x):
        seen["array"], seen["tracer"] = isinstance(x, lintra.Array), isinstance(x, core.Tracer)
        seen["ndarray"] = isinstance(x, jnp.ndarray)
        seen["aval"] = isinstance(x.aval, core.ShapedArray) and x.aval.shape == (2,) and x.aval.dtype == np.float32
        return x * 2

    for transform in (lintra.jit, lintra.grad, lintra.vmap):
        seen.clear()
        g = (lambda x: f(x).sum()) if transform is lintra.grad else f
        transform(g)(jnp.ones(2) if transform is not lintra.vmap else jnp.ones((3, 2)))
        assert seen == {"array": True, "tracer": True, "ndarray": True, "aval": True}, transform
    assert isinstance(jnp.ones(2), lintra.Array) and not isinstance(jnp.ones(2), core.Tracer)
    assert isinstance(lintra.random.key(0), lintra.Array)                # as JAX: a key array is a jax.Array
    assert not isinstance(np.ones(2), lintra.Array) and not isinstance(1.0, lintra.Array)


def test_shaped_array_builds_and_recognises_abstract_values():
    a = core.ShapedArray((2, 3), np.float32, weak_type=True)
    assert (a.shape, a.dtype, a.weak_type, a.ndim, a.size) == ((2, 3), np.float32, True, 2, 6)
    assert isinstance(lintra.typeof(jnp.ones(2)), core.ShapedArray)
    assert isinstance(a, core.AbstractValue) and not isinstance((2, 3), core.ShapedArray)


def test_concretization_errors_are_jax_classes():
    for conversion, error in ((bool, errors.TracerBoolConversionError), (int, errors.TracerIntegerConversionError),
                              (np.asarray, errors.TracerArrayConversionError)):
        with pytest.raises(error):
            lintra.jit(conversion)(jnp.ones(()))
    assert issubclass(errors.TracerBoolConversionError, errors.ConcretizationTypeError)
    with pytest.raises(errors.ConcretizationTypeError):
        lintra.jit(lambda x: 1 if x > 0 else 0)(1.0)


def test_typing_names():
    import typing
    assert lintra.Array in typing.get_args(lintra.typing.ArrayLike)
    assert np.dtype in typing.get_args(lintra.typing.DTypeLike)


def test_duck_typed_like_functions_and_dtype_predicates():
    s = lintra.ShapeDtypeStruct((2, 3), jnp.bfloat16)
    z = jnp.zeros_like(s)
    assert z.shape == (2, 3) and z.dtype == jnp.bfloat16 and not z.any()
    assert jnp.full_like(s, 2, dtype=jnp.int32).tolist() == [[2] * 3] * 2
    # as JAX: anything with a dtype, jnp's scalar types included
    assert jnp.iscomplexobj(jnp.complex64) and not jnp.iscomplexobj(jnp.float32)
    with pytest.raises(TypeError):         # as JAX 0.10.2: a bare np.dtype is neither an array nor has a dtype
        jnp.iscomplexobj(np.dtype(np.complex128))
