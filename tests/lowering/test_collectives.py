"""Numerics of the named-axis collectives: they exist only inside vmap, which rewrites them away."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.frontend.core import bind1

COVERED_PRIMITIVES = {"psum", "pmax", "pmin", "all_gather", "axis_index"}

x = np.array([[1.0, -2.0], [3.0, 0.5], [-1.0, 4.0]], np.float32)


def _named(prim, **attrs):
    return lambda v: bind1(prim, v, axis_name="i", **attrs)


@pytest.mark.parametrize("prim, reference", [("psum", np.sum), ("pmax", np.max), ("pmin", np.min)])
@pytest.mark.parametrize("jit", [False, True])
def test_reductions_over_the_mapped_axis(prim, reference, jit):
    f = lintra.vmap(_named(prim), axis_name="i")
    f = lintra.jit(f) if jit else f
    out = np.asarray(f(x))
    np.testing.assert_allclose(out, np.broadcast_to(reference(x, axis=0), x.shape), rtol=1e-6)


def test_all_gather_and_axis_index():
    gathered = lintra.vmap(_named("all_gather", axis_size=3, axis=0), axis_name="i")(x)
    np.testing.assert_array_equal(np.asarray(gathered), np.broadcast_to(x, (3,) + x.shape))
    idx = lintra.vmap(lambda v: bind1("axis_index", axis_name="i"), axis_name="i")(x)
    np.testing.assert_array_equal(np.asarray(idx), [0, 1, 2])


def test_unbound_axis_is_an_error_when_compiled():
    with pytest.raises(NameError, match="unbound axis name"):
        lintra.jit(_named("psum"))(x)
