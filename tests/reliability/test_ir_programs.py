"""Random well-typed IR programs (ir_programs.py) verify, lower, compile and run, and every op agrees with the
NumPy reference interpreter (numpy_interpreter.py). Bounded to about a minute; the seeds make a failure
reproducible (`python tests/reliability/ir_programs.py SECONDS SEED` hunts for longer). Below: the bugs the
generator found, as regressions."""
import ast
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ir_programs  # noqa: E402


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _subprocess(args, code=None):
    """Run ir_programs.py (or `code`) in a fresh process: a program that crashes XLA must fail the test, not
    end the test run."""
    env = dict(os.environ, PYTHONPATH=os.path.dirname(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cmd = [sys.executable, "-c", code] if code else [sys.executable, ir_programs.__file__, *args]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    last_case = p.stderr.rsplit("case ", 1)[-1][:40] if "case " in p.stderr else "?"
    assert p.returncode == 0, (f"the process died (status {p.returncode}) at case {last_case}:\n"
                               f"{p.stderr[-2000:]}\n{p.stdout[-2000:]}")
    return p.stdout


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_programs_agree_with_numpy(seed):
    out = _subprocess(["20", str(seed)])
    counts = ast.literal_eval(out.strip().splitlines()[-1])
    assert counts["generated"] > 0 and counts["ops"] > 0, counts
    assert counts["generated"] == counts["verified"] == counts["lowered"] == counts["ran"] == \
        counts["canonicalized"] == counts["leaves_ran"], counts
    assert counts["mismatches"] == counts["failures"] == 0, out[-4000:]


# ---- regressions: programs whose answer depended on whether XLA's constant folder saw the operands ----

def _run(text, *args):
    from lintra.ir.parser import parse_module
    from lintra.ir.verifier import verify
    module = parse_module(text)
    verify(module)
    return ir_programs.run_lintra(module.funcs["f"], list(args))


def _folded_and_not(prim, dtype, x, y=None):
    """prim on x (and y) passed as arguments, and on the same values as constants."""
    shape = f"{dtype}[{len(x)}]"
    dense = lambda v: f"dense<{list(map(int, v))} : {shape}>"
    operands = ["%x"] + (["%y"] if y is not None else [])
    params = ", ".join(f"{o}: {shape}" for o in operands)
    as_args = f"func @f({params}) -> ({shape}) {{\n  %0 = {prim} {', '.join(operands)} : {shape}\n  return %0\n}}\n"
    consts = [f"  %c{i} = constant {{value = {dense(v)}}} : {shape}\n" for i, v in enumerate([x, y][:len(operands)])]
    as_consts = (f"func @f() -> ({shape}) {{\n{''.join(consts)}  %0 = {prim} "
                 f"{', '.join(f'%c{i}' for i in range(len(consts)))} : {shape}\n  return %0\n}}\n")
    arrays = [np.array(v, dtype={"i32": np.int32, "i8": np.int8, "u8": np.uint8}[dtype])
              for v in [x, y][:len(operands)]]
    return _run(as_args, *arrays)[0], _run(as_consts)[0]


def test_integer_pow_with_negative_exponents_does_not_depend_on_constant_folding():
    # stablehlo.power on integers: XLA's folder gives (-1) ** -4 = 0, its run time 1
    x, y = [-1, -1, 2, 1, 0, -2, 3, 0, -3], [-4, -3, -1, -5, -1, -3, 2, 0, 21]
    run, folded = _folded_and_not("pow", "i32", x, y)
    expected = [1, -1, 0, 1, 0, 0, 9, 1, -1870418611]    # (-3) ** 21 wraps
    np.testing.assert_array_equal(run, expected)
    np.testing.assert_array_equal(folded, expected)


def test_unsigned_pow_wraps_folded_or_not():
    run, folded = _folded_and_not("pow", "u8", [3, 2, 1, 0, 5], [5, 7, 200, 0, 3])
    np.testing.assert_array_equal(run, [243, 128, 1, 1, 125])
    np.testing.assert_array_equal(folded, [243, 128, 1, 1, 125])


def test_jnp_power_of_integer_constants_under_jit_matches_jax():
    import lintra as jax
    import lintra.numpy as jnp
    x = np.array([-1, -1, 2, 1, 0, -2, 3], np.int32)
    y = np.array([-4, -3, -1, -5, -1, -3, 2], np.int32)
    expected = [1, -1, 0, 1, 0, 0, 9]      # JAX 0.10.2, eagerly and under jit
    np.testing.assert_array_equal(jax.jit(lambda: jnp.power(jnp.array(x), jnp.array(y)))(), expected)
    np.testing.assert_array_equal(jax.jit(jnp.power)(x, y), expected)


@pytest.mark.parametrize("dtype,values,expected", [
    ("i32", [-1, 0, 1, -8], [0, 32, 31, 0]),
    ("i8", [-1, 0, 1, 64], [0, 8, 7, 1]),
    ("u8", [255, 0, 1, 64], [0, 8, 7, 1]),
])
def test_clz_of_negative_integers_does_not_depend_on_constant_folding(dtype, values, expected):
    # XLA's folder counts the leading zeros of a negative i32 as -32 (JAX 0.10.2 under jit too); its run time 0
    run, folded = _folded_and_not("clz", dtype, values)
    np.testing.assert_array_equal(run, expected)
    np.testing.assert_array_equal(folded, expected)


def test_lax_clz_under_jit_of_a_constant():
    import lintra as jax
    import lintra.numpy as jnp
    from lintra import lax
    np.testing.assert_array_equal(jax.jit(lambda: lax.clz(jnp.array([-1, -8, 1], jnp.int32)))(), [0, 0, 31])


def test_boolean_clamp_does_not_depend_on_constant_folding():
    # XLA's folder gives clamp(false, false, true) = true (JAX 0.10.2 under jit too); its run time false
    lo, x, hi = [False, True, True, False], [False, False, True, True], [True, True, True, False]
    expected = [False, True, True, False]     # min(max(x, lo), hi)
    as_args = ("func @f(%lo: bool[4], %x: bool[4], %hi: bool[4]) -> (bool[4]) {\n"
               "  %0 = clamp %lo, %x, %hi : bool[4]\n  return %0\n}\n")
    np.testing.assert_array_equal(_run(as_args, *[np.array(v) for v in (lo, x, hi)])[0], expected)
    scalars = ("func @f() -> (bool[]) {\n  %f = constant {value = dense<false : bool[]>} : bool[]\n"
               "  %t = constant {value = dense<true : bool[]>} : bool[]\n  %0 = clamp %f, %f, %t : bool[]\n"
               "  return %0\n}\n")
    assert not _run(scalars)[0]
    bounds = ("func @f(%x: bool[4]) -> (bool[4]) {\n  %t = constant {value = dense<true : bool[]>} : bool[]\n"
              "  %0 = clamp %t, %x, %t : bool[4]\n  return %0\n}\n")
    np.testing.assert_array_equal(_run(bounds, np.array(x))[0], [True] * 4)


def test_two_size_changing_bitcasts_in_a_row_compile():
    # XLA's simplifier merged bf16[1,2] -> u32[1] -> i8[1,4] into one bitcast its verifier rejected
    text = ("func @f(%x: bf16[1,2]) -> (u32[1], i8[1,4], bf16[1,2]) {\n"
            "  %0 = bitcast_convert_type %x {new_dtype = u32} : u32[1]\n"
            "  %1 = bitcast_convert_type %0 {new_dtype = i8} : i8[1,4]\n"
            "  %2 = reshape %1 {new_sizes = [1, 2, 2]} : i8[1,2,2]\n"
            "  %3 = bitcast_convert_type %2 {new_dtype = bf16} : bf16[1,2]\n"
            "  return %0, %1, %3\n}\n")
    import ml_dtypes
    x = np.array([[1.5, -2.0]], ml_dtypes.bfloat16)
    u32, i8, back = _run(text, x)
    np.testing.assert_array_equal(u32, [0xC0003FC0])         # bf16 1.5 = 0x3FC0 in the low half, -2.0 = 0xC000
    np.testing.assert_array_equal(i8, [[-64, 63, 0, -64]])   # 0xC0, 0x3F, 0x00, 0xC0: least significant first
    np.testing.assert_array_equal(back, x)


@pytest.mark.parametrize("src,preferred", [("c128", "f32"), ("c64", "f64"), ("f32", "i32"), ("i32", "i8"),
                                           ("c64", "bool"), ("f64", "f32")])
def test_dot_general_preferred_element_types_lintra_rejects_do_not_verify(src, preferred):
    # c128 -> f32 passed the verifier, then crashed XLA's constant folder (SIGSEGV) on a constant operand. The
    # IR now refuses what lintra.lax.dot_general refused already; JAX 0.10.2 refuses c128 -> f32, f32 -> i32
    # and i32 -> i8, but takes c64 -> f64 (the real part of the complex products), c64 -> bool and f64 -> f32
    from lintra.ir.builder import Builder
    from lintra.ir.types import TensorType
    b = Builder()
    x = b.arg(TensorType.of((2, 2), src))
    with pytest.raises(TypeError, match=f"preferred_element_type {preferred} is incompatible with inputs of "
                                        f"dtype {src}"):
        b.emit("dot_general", [x, x], {"lhs_contracting": (1,), "rhs_contracting": (0,),
                                       "preferred_element_type": preferred})


@pytest.mark.parametrize("src,preferred", [("i8", "i32"), ("i32", "f32"), ("f32", "f64"), ("c64", "c128"),
                                           ("bool", "f32"), ("u8", "i32")])
def test_dot_general_preferred_element_types_allowed_run(src, preferred):
    text = (f"func @f(%x: {src}[2,2]) -> ({preferred}[2,2]) {{\n  %0 = dot_general %x, %x {{lhs_contracting = [1], "
            f"preferred_element_type = {preferred}, rhs_contracting = [0]}} : {preferred}[2,2]\n  return %0\n}}\n")
    from lintra.ir.types import dtype
    m = np.array([[1, 2], [3, 0]])
    m = (m != 0).astype(np.int64) if src == "bool" else m
    out, = _run(text, m.astype(dtype(src)))
    assert out.dtype == dtype(preferred)
    # the products summed in the preferred type (a bool input counts its true pairs, as in JAX 0.10.2)
    np.testing.assert_array_equal(out, (m @ m).astype(dtype(preferred)))


def test_empty_slice_at_the_end_of_a_concatenate_with_an_empty_operand():
    # aborted the process inside XLA's simplifier ("SmallVector unable to grow"), so it runs in a subprocess;
    # now the empty operand is left out of the concatenate
    code = textwrap.dedent('''
        import numpy as np
        from lintra.ir.parser import parse_module
        from lintra.runtime.executable import Executable, device_put
        text = """func @f(%x: f32[2,4], %e: f32[0,4]) -> (f32[2,4], f32[0,2], f32[1,4]) {
          %0 = concatenate %x, %e {dimension = 0} : f32[2,4]
          %1 = slice %0 {limit_indices = [2, 2], start_indices = [2, 0], strides = [1, 1]} : f32[0,2]
          %2 = slice %0 {limit_indices = [2, 4], start_indices = [1, 0], strides = [1, 1]} : f32[1,4]
          return %0, %1, %2
        }"""
        x = np.arange(8, dtype=np.float32).reshape(2, 4)
        outs = Executable(parse_module(text).funcs["f"])([device_put(x), device_put(np.zeros((0, 4), np.float32))])
        print([np.asarray(o).tolist() for o in outs])
    ''')
    out = _subprocess([], code)
    assert out.strip() == "[[[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]], [], [[4.0, 5.0, 6.0, 7.0]]]"


def test_concatenate_of_empty_operands_along_another_dimension():
    text = ("func @f(%x: i32[0,4], %y: i32[0,3]) -> (i32[0,7]) {\n"
            "  %0 = concatenate %x, %y {dimension = 1} : i32[0,7]\n  return %0\n}\n")
    out, = _run(text, np.zeros((0, 4), np.int32), np.zeros((0, 3), np.int32))
    assert out.shape == (0, 7) and out.dtype == np.int32


def test_a_gather_with_no_index_vectors_lowers_although_its_slices_overhang():
    # found by the random programs (seed 243): the type rule accepts slice sizes beyond the operand when there
    # is nothing to gather (JAX's rule, for vmap over 0 examples); StableHLO refuses them, so the lowering
    # gives the empty result directly
    text = ("func @f(%x: f32[0,3]) -> (f32[0,0]) {\n"
            "  %i = constant {value = dense<[] : i32[0,1]>} : i32[0,1]\n"
            "  %0 = gather %x, %i {collapsed_slice_dims = [], offset_dims = [0], operand_batching_dims = [0], "
            "slice_sizes = [1, 0], start_index_map = [1], start_indices_batching_dims = [0]} : f32[0,0]\n"
            "  return %0\n}\n")
    out, = _run(text, np.zeros((0, 3), np.float32))
    assert out.shape == (0, 0) and out.dtype == np.float32
