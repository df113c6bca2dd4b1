"""The exported_call op at the IR level: it prints and parses, its type rule checks operands against the
signature it states, it lowers to a call of the exported module merged into the caller's, and a module not
loaded in this process is a clear error. (The API around it: tests/frontend/test_export.py.)"""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.ir.builder import Builder
from lintra.ir.core import Func
from lintra.ir.parser import parse_module
from lintra.ir.types import TensorType
from lintra.ir.verifier import verify
from lintra.lowering.lower import lower_text
from lintra.runtime.executable import Executable, device_put

COVERED_PRIMITIVES = {"exported_call"}

f32 = np.float32


@pytest.fixture(scope="module")
def cube_plus():
    """An Exported of (x, y) -> (x**3 + y, x * 2), for f32[2] and f32[]."""
    fn = lintra.jit(lambda x, y: (x ** 3 + y, x * 2))
    return lintra.export.export(fn)(lintra.ShapeDtypeStruct((2,), f32), lintra.ShapeDtypeStruct((), f32))


def _attrs(exp, **changes):
    attrs = dict(module=exp._fingerprint, fun_name="cube_plus", arg_shapes=((2,), ()),
                 arg_dtypes=(np.dtype(f32),) * 2, result_shapes=((2,), (2,)), result_dtypes=(np.dtype(f32),) * 2)
    attrs.update(changes)
    return attrs


def _program(exp, **changes):
    b = Builder()
    x, y = b.arg(TensorType((2,), np.dtype(f32))), b.arg(TensorType((), np.dtype(f32)))
    s, d = b.emit("exported_call", [x, y], _attrs(exp, **changes))
    b.ret(b.emit1("sub", [s, d]))
    return Func("caller", b.block, ["x", "y"])


def test_runs_the_exported_module(cube_plus):
    exe = Executable(_program(cube_plus))
    x = np.array([1.5, -2.0], f32)
    out, = exe([device_put(x), device_put(np.array(0.25, f32))])
    np.testing.assert_allclose(out, x ** 3 + 0.25 - 2 * x, rtol=1e-6)


def test_lowers_to_a_call_of_the_merged_private_function(cube_plus):
    text = lower_text(_program(cube_plus))
    assert "call @exported_cube_plus(%arg0, %arg1) : (tensor<2xf32>, tensor<f32>) -> (tensor<2xf32>, " \
           "tensor<2xf32>)" in text
    assert "func.func private @exported_cube_plus(" in text


def test_prints_and_parses(cube_plus):
    func = _program(cube_plus)
    text = str(func)
    assert f'exported_call %x, %y {{arg_dtypes = [f32, f32], arg_shapes = [[2], []], fun_name = "cube_plus", ' \
           f'module = "{cube_plus._fingerprint}", result_dtypes = [f32, f32], result_shapes = [[2], [2]]}} : ' \
           f'f32[2], f32[2]' in text
    parsed = parse_module(text).funcs["caller"]
    verify(parsed)
    assert str(parsed) == text


def test_type_rule_checks_the_operands(cube_plus):
    with pytest.raises(TypeError, match=r"exported_call: exported function cube_plus takes \(f32\[3\], f32\[\]\)"):
        _program(cube_plus, arg_shapes=((3,), ()))


def test_a_module_not_loaded_is_a_clear_error(cube_plus):
    with pytest.raises(ValueError, match="exported_call of cube_plus: no exported module with fingerprint "
                                         "'0123' in this process; deserialize it with lintra.export.deserialize"):
        lower_text(_program(cube_plus, module="0123"))


def test_helpers_of_the_exported_module_are_renamed_apart():
    """An exported function's internal helper functions (here from a `call` op) are renamed apart from the
    caller's own helpers of the same name."""
    inner = lintra.jit(lambda v: jnp.cos(v))
    exp = lintra.export.export(lintra.jit(lambda v: inner(v) * 2))(lintra.ShapeDtypeStruct((2,), f32))
    caller = lintra.jit(lambda v: inner(v) + exp.call(v))
    x = np.array([0.5, 1.0], f32)
    np.testing.assert_allclose(caller(x), 3 * np.cos(x), rtol=1e-6)
    text = caller.lower(x).as_text()
    assert "func.func private @lambda(" in text                     # the caller's helper
    assert "func.func private @exported__lambda__lambda(" in text   # the exported module's, renamed
