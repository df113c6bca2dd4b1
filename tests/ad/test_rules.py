"""Derivatives of every differentiable primitive, to second order in forward and reverse mode, against
float64 central finite differences (lintra.test_util.check_grads), plus JAX's conventions where the
derivative is a choice (ties, kinks, zeros, complex numbers).

The tables are the coverage: COVERED_AD_PRIMITIVES is derived from CASES (each row is checked to emit the
primitive it names) and UNDEFINED (derivatives JAX does not define either, which must raise its error).
Kernels compile once per (primitive, types): rows share a few shapes and spread dtypes over the costly
structural primitives, to keep the file fast."""
import re
import zlib
from typing import NamedTuple

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.frontend.core import eval_func
from lintra.ir.ad.jvp import jvp as jvp_pass
from lintra.ir.ad.jvp_rules import NotDifferentiableError
from lintra.ir.ad.partial_eval import partial_eval
from lintra.ir.ad.transpose import transpose as transpose_pass
from lintra.ir.ad.transpose_rules import LINEAR
from lintra.ir.ad.util import differentiable
from lintra.ir.core import Block, Func
from lintra.ir.passes.dce import dce
from lintra.test_util import check_grads

F32, F64, C64 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.complex64)
REAL, ALL = (F32, F64), (F32, F64, C64)




class U(NamedTuple):
    """Uniform values in [lo, hi] (real and imaginary parts alike), or fixed values."""
    lo: float = -1.0
    hi: float = 1.0
    shape: tuple = None     # None: the case's shape
    fixed: object = None

    def make(self, rng, dtype, shape):
        if self.fixed is not None:
            return np.asarray(self.fixed).astype(dtype)
        shape = self.shape if self.shape is not None else shape
        x = rng.uniform(self.lo, self.hi, shape)
        if np.dtype(dtype).kind == "c":
            x = x + 1j * rng.uniform(self.lo, self.hi, shape)
        return np.asarray(x).astype(dtype)


class Case(NamedTuple):
    name: str
    prim: str
    fun: object
    args: tuple
    dtypes: tuple = ALL
    shape: tuple = (2, 3)
    modes: tuple = ("fwd", "rev")
    order: int = 2
    x64: bool = False    # needs 64-bit types even for 32-bit inputs


def _shapes(prim, fun, args, dtypes, **kw):
    """Rows at shape (2, 3) for every dtype and at shape () for one: the compiled kernels of a (dtype,
    shape) pair are shared by all rows, so fewer pairs make a faster test."""
    return [Case(f"{prim}[2,3]", prim, fun, args, dtypes, (2, 3), **kw),
            Case(f"{prim}[]", prim, fun, args, dtypes[:1], (), **kw)]


def unary(prim, lo=-1.0, hi=1.0, dtypes=ALL, fun=None, **kw):
    return _shapes(prim, fun or getattr(lax, prim), (U(lo, hi),), dtypes, **kw)


def binary(prim, x=U(), y=U(), dtypes=ALL, fun=None, **kw):
    return _shapes(prim, fun or getattr(lax, prim), (x, y), dtypes, **kw)


# index helpers: constants closed over by the differentiated functions
IDX = np.array([[2], [0]], np.int32)      # rows of a (4, 2) operand
DUP = np.array([[1], [3], [1]], np.int32)
SCATTER_X = [[0.1, -0.3], [0.5, 0.2], [-0.7, 0.9], [0.4, -0.2]]
SCATTER_U = [[0.8, -0.6], [-0.5, 0.6], [0.3, 0.7]]    # rows 0 and 2 go to row 1 of x


def dn_gather(offset, collapsed, start_map, **kw):
    return lax.GatherDimensionNumbers(offset, collapsed, start_map, **kw)


def dn_scatter(window, inserted, to_operand, **kw):
    return lax.ScatterDimensionNumbers(window, inserted, to_operand, **kw)


def _custom_jvp_fn():
    @lintra.custom_jvp
    def f(x):
        return jnp.sin(x) * x

    @f.defjvp
    def f_jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        return f(x), (jnp.cos(x) * x + jnp.sin(x)) * t
    return f


def _custom_vjp_fn():
    @lintra.custom_vjp
    def f(x):
        return jnp.sin(x) * x

    def fwd(x):
        return f(x), x

    def bwd(x, ct):
        return ((jnp.cos(x) * x + jnp.sin(x)) * ct,)
    f.defvjp(fwd, bwd)
    return f


GAMMA_X = [[-2.5, -0.3, 0.2], [0.9, 2.2, 6.5]]    # both sides of the reflection, away from the poles

CASES = [
    # elementwise, real and complex
    *unary("neg"), *unary("copy"), *unary("sin"), *unary("cos"), *unary("tan"),
    *unary("exp"), *unary("exp2"), *unary("expm1"), *unary("log", 0.5, 2.0), *unary("log1p", 0.2, 2.0),
    *unary("sqrt", 0.5, 2.0), *unary("rsqrt", 0.5, 2.0), *unary("logistic"), *unary("square"),
    *unary("reciprocal", 0.5, 2.0), *unary("sinh"), *unary("cosh"), *unary("tanh"),
    *unary("asin", -0.7, 0.7), *unary("acos", -0.7, 0.7), *unary("atan"), *unary("asinh"),
    *unary("atanh", -0.6, 0.6), *unary("acosh", 1.2, 2.5, dtypes=REAL),
    Case("acosh-complex", "acosh", lax.acosh, (U(0.3, 0.8),), (C64,)),
    *unary("abs", 0.3, 1.0, fun=lambda x: lax.abs(x - 0.65)),
    *unary("conj", dtypes=(C64,)),   # of a real x, lax.conj is a conversion to complex (as JAX)
    *unary("integer_pow", 0.5, 2.0, fun=lambda x: lax.integer_pow(x, 3)),
    Case("integer_pow-negative", "integer_pow", lambda x: lax.integer_pow(x, -2), (U(0.5, 2.0),), (F32,)),
    Case("real", "real", lambda z: lax.real(z) * lax.imag(z), (U(),), (C64,)),
    Case("imag", "imag", lambda z: lax.imag(z * z), (U(),), (C64,)),
    *binary("complex", dtypes=REAL, fun=lambda x, y: lax.complex(x, y) * lax.complex(y, x)),
    # elementwise, real only
    *unary("cbrt", 0.5, 2.0, dtypes=REAL), *unary("erf", dtypes=REAL), *unary("erfc", dtypes=REAL),
    *unary("erf_inv", -0.7, 0.7, dtypes=REAL),
    Case("lgamma", "lgamma", lax.lgamma, (U(fixed=GAMMA_X),), REAL),
    Case("digamma", "digamma", lax.digamma, (U(fixed=GAMMA_X),), REAL),
    # binary
    *binary("add"), *binary("sub"), *binary("mul"), *binary("div", y=U(0.5, 2.0)),
    *binary("pow", x=U(0.5, 2.0), y=U(-1.0, 2.0)),
    *binary("max", dtypes=REAL), *binary("min", dtypes=REAL),
    *binary("atan2", x=U(0.3, 1.0), y=U(-1.0, -0.3), dtypes=REAL),
    Case("rem", "rem", lax.rem, (U(fixed=[[2.3, -3.4, 4.6], [0.7, 5.3, -1.2]]),
                                 U(fixed=[[0.9, 1.1, -1.3], [0.8, 1.2, 1.0]])), REAL),
    Case("select_n-bool", "select_n", lambda a, b: lax.select(np.array([[True, False, True]] * 2), a, b), (U(), U())),
    Case("select_n-int", "select_n", lambda a, b, c: lax.select_n(np.array([[2, 0, 1]] * 2, np.int32), a, b, c),
         (U(), U(), U()), REAL),
    Case("clamp", "clamp", lambda lo, x, hi: lax.clamp(lo, x, hi),
         (U(fixed=[[-1.0] * 3] * 2), U(fixed=[[-2.0, 0.3, 2.5], [-0.4, 1.6, -1.5]]), U(fixed=[[1.0] * 3] * 2)),
         REAL),
    Case("clamp-scalar-bounds", "clamp", lambda lo, x, hi: lax.clamp(lo, x, hi),
         (U(fixed=-1.0), U(fixed=[[-2.0, 0.3, 2.5], [-0.4, 1.6, -1.5]]), U(fixed=1.0)), (F32,)),
    Case("convert-f32-c64", "convert_element_type", lambda x: lax.convert_element_type(x, np.complex64) * (1 + 2j),
         (U(),), (F32,)),
    Case("convert-c64-f32", "convert_element_type", lambda z: lax.convert_element_type(z * z, np.float32),
         (U(),), (C64,)),
    Case("convert-f32-f64", "convert_element_type", lambda x: lax.sin(lax.convert_element_type(x, np.float64)),
         (U(),), (F32,), x64=True),
    # contraction and reductions
    Case("dot_general-matmul", "dot_general", lambda a, b: lax.dot(a, b), (U(), U(shape=(3, 2)))),
    Case("dot_general-batch", "dot_general", lambda a, b: lax.dot_general(a, b, (((2,), (1,)), ((0,), (0,)))),
         (U(shape=(2, 3, 2)), U(shape=(2, 2, 3))), (F32, C64)),
    Case("dot_general-perm", "dot_general", lambda a, b: lax.dot_general(a, b, (((0, 2), (2, 0)), ((), ()))),
         (U(shape=(2, 3, 2)), U(shape=(2, 3, 2))), (F64,)),
    Case("dot_general-preferred", "dot_general",
         lambda a, b: lax.dot_general(a, b, (((1,), (0,)), ((), ())), preferred_element_type=np.float64),
         (U(), U(shape=(3, 2))), (F32,), x64=True),
    Case("reduce_sum", "reduce_sum", lambda x: lax.reduce_sum(x, (0,)), (U(),)),
    Case("reduce_prod", "reduce_prod", lambda x: lax.reduce_prod(x, (1,)), (U(),), (F32, C64)),
    Case("reduce_prod-all", "reduce_prod", lambda x: lax.reduce_prod(x, (0, 1)), (U(),), (F64,)),
    Case("reduce_prod-zero", "reduce_prod", lambda x: lax.reduce_prod(x, (1,)),
         (U(fixed=[[0.0, 2.0, 1.5], [0.0, 0.7, -1.2]]),), (F32,)),
    Case("reduce_max", "reduce_max", lambda x: lax.reduce_max(x, (1,)), (U(),), REAL),
    Case("reduce_min", "reduce_min", lambda x: lax.reduce_min(x, (0, 1)), (U(),), REAL),
    # cumulative: one shape, whose scan takes every path (6 elements: even, then 3: odd)
    Case("cumsum", "cumsum", lambda x: lax.cumsum(x, 1), (U(),), shape=(2, 6)),
    Case("cumsum-reverse", "cumsum", lambda x: lax.cumsum(x, 1, reverse=True), (U(),), (F32,), (2, 6)),
    Case("cumprod", "cumprod", lambda x: lax.cumprod(x, 1), (U(0.5, 1.5),), (F32, C64), (2, 6)),
    Case("cumprod-reverse", "cumprod", lambda x: lax.cumprod(x, 1, reverse=True), (U(),), (F64,), (2, 6)),
    Case("cummax", "cummax", lambda x: lax.cummax(x, 1), (U(),), (F32,), (2, 6)),
    Case("cummin-reverse", "cummin", lambda x: lax.cummin(x, 1, reverse=True), (U(),), (F64,), (2, 6)),
    Case("cumlogsumexp", "cumlogsumexp", lambda x: lax.cumlogsumexp(x, 1), (U(),), (F32,), (2, 6)),
    Case("cumlogsumexp-reverse", "cumlogsumexp", lambda x: lax.cumlogsumexp(x, 1, reverse=True), (U(),), (F64,),
         (2, 6)),
    # shape
    Case("broadcast_in_dim", "broadcast_in_dim", lambda x: lax.broadcast_in_dim(x, (2, 4, 3), (0, 2)), (U(),)),
    Case("broadcast_in_dim-expand", "broadcast_in_dim", lambda x: lax.broadcast_in_dim(x, (2, 3), (0, 1)),
         (U(shape=(1, 3)),), (F32,)),
    Case("reshape", "reshape", lambda x: lax.reshape(x, (3, 2)) * np.arange(6.0).reshape(3, 2), (U(),)),
    Case("transpose", "transpose", lambda x: lax.transpose(x, (2, 0, 1)), (U(),), (F32, C64), (2, 3, 2)),
    Case("squeeze", "squeeze", lambda x: lax.squeeze(x, (1,)), (U(),), (F32,), (2, 1, 3)),
    Case("expand_dims", "expand_dims", lambda x: lax.expand_dims(x, (0, 2)), (U(),), REAL),
    Case("rev", "rev", lambda x: lax.rev(x, (1,)) * np.arange(6.0).reshape(2, 3), (U(),)),
    Case("slice", "slice", lambda x: lax.slice(x, (0, 1), (2, 3)), (U(),)),
    Case("slice-strided", "slice", lambda x: lax.slice(x, (0, 0), (2, 3), (1, 2)), (U(),), REAL),
    Case("pad", "pad", lambda x, v: lax.pad(x, v, ((1, 2, 0), (0, 1, 1))), (U(), U(shape=()))),
    Case("pad-negative", "pad", lambda x, v: lax.pad(x, v, ((-1, 1, 1), (1, -2, 0))), (U(), U(shape=())), REAL),
    Case("concatenate", "concatenate", lambda a, b: lax.concatenate([a, b, a], 1), (U(), U(shape=(2, 1)))),
    # indexing (XLA clamps dynamic_slice starts and gather windows into the operand; scatter drops updates
    # whose window does not fit)
    Case("dynamic_slice", "dynamic_slice", lambda x: lax.dynamic_slice(x, (np.int32(1), np.int32(1)), (1, 2)),
         (U(),)),
    Case("dynamic_slice-clamped", "dynamic_slice", lambda x: lax.dynamic_slice(x, (np.int32(3), np.int32(-9)), (2, 2)),
         (U(),), (F32,)),
    Case("dynamic_update_slice", "dynamic_update_slice",
         lambda x, u: lax.dynamic_update_slice(x, u, (np.int32(0), np.int32(1))), (U(), U(shape=(2, 1))), (F32, C64)),
    Case("gather", "gather",
         lambda x: lax.gather(x, IDX, dn_gather((1,), (0,), (0,)), (1, 2), mode="promise_in_bounds"), (U(),),
         (F32, C64), (4, 2)),
    Case("gather-window-clip", "gather",
         lambda x: lax.gather(x, np.array([[5], [-1]], np.int32), dn_gather((1, 2), (), (0,)), (2, 2), mode="clip"),
         (U(),), (F64,), (4, 2)),
    Case("gather-fill", "gather",
         lambda x: lax.gather(x, np.array([[1], [7]], np.int32), dn_gather((1,), (0,), (0,)), (1, 2), mode="fill",
                              fill_value=0), (U(),), (F32,), (4, 2)),
    Case("scatter_add", "scatter_add", lambda x, u: lax.scatter_add(x, DUP, u, dn_scatter((1,), (0,), (0,))),
         (U(), U(shape=(3, 2))), (F32, C64), (4, 2)),
    Case("scatter_add-dropped", "scatter_add",
         lambda x, u: lax.scatter_add(x, np.array([[1], [9]], np.int32), u, dn_scatter((1,), (0,), (0,)),
                                      mode="drop"), (U(), U(shape=(2, 2))), (F64,), (4, 2)),
    Case("scatter", "scatter", lambda x, u: lax.scatter(x, IDX, u, dn_scatter((1,), (0,), (0,))),
         (U(), U(shape=(2, 2))), (F32, C64), (4, 2)),
    Case("scatter-duplicates", "scatter", lambda x, u: lax.scatter(x, DUP, u, dn_scatter((1,), (0,), (0,))),
         (U(), U(shape=(3, 2))), (F64,), (4, 2)),
    Case("scatter_mul", "scatter_mul",
         lambda x, u: lax.scatter_mul(x, IDX, u, dn_scatter((1,), (0,), (0,)), unique_indices=True),
         (U(), U(shape=(2, 2))), (F32, C64), (4, 2)),
    Case("scatter_mul-duplicates-operand", "scatter_mul",
         lambda x: lax.scatter_mul(x, DUP, np.array([[2.0, -1.0], [0.5, 3.0], [1.5, 2.0]], x.dtype),
                                   dn_scatter((1,), (0,), (0,))), (U(),), (F64,), (4, 2)),
    # values well apart, so that no finite difference step changes which one wins
    Case("scatter_max", "scatter_max", lambda x, u: lax.scatter_max(x, DUP, u, dn_scatter((1,), (0,), (0,))),
         (U(fixed=SCATTER_X), U(fixed=SCATTER_U)), (F32,)),
    Case("scatter_min", "scatter_min", lambda x, u: lax.scatter_min(x, DUP, u, dn_scatter((1,), (0,), (0,))),
         (U(fixed=SCATTER_X), U(fixed=SCATTER_U)), (F64,)),
    Case("sort", "sort", lambda x: lax.sort(x, 1), (U(),), REAL, (2, 6)),
    Case("sort-key-val", "sort", lambda k, v: lax.sort((k, v), 0, num_keys=1)[1] * lax.sort(k, 0), (U(), U()),
         (F32,), (2, 6)),
    Case("sort-complex", "sort", lambda x: lax.sort(x, 1), (U(),), (C64,), (2, 6)),
    # ops with regions
    Case("call", "call", lambda x: lintra.jit(lambda v: jnp.sin(v) * v)(x) * x, (U(),), (F32,)),
    Case("custom_jvp_call", "custom_jvp_call", lambda x: _custom_jvp_fn()(x) * x, (U(),), (F32,)),
    Case("custom_vjp_call", "custom_vjp_call", lambda x: _custom_vjp_fn()(x) * x, (U(),), (F64,), modes=("rev",)),
]

# Primitives whose derivative JAX does not define either: differentiating them raises its message.
UNDEFINED = [
    ("nextafter", lambda x: lax.nextafter(x, np.full(3, 2.0, np.float32)), "Differentiation rule for 'nextafter'"),
    ("scatter_mul", lambda u: lax.scatter_mul(np.ones(4, np.float32), DUP, u, dn_scatter((), (0,), (0,))),
     "scatter_mul gradients are only implemented if `unique_indices=True`"),
]

# custom_vjp_lin (a custom_vjp function's linear map) cannot be evaluated, only transposed: it is covered by
# test_custom_vjp_lin_jvp_transposes_to_bwd, on the IR.
COVERED_AD_PRIMITIVES = {c.prim for c in CASES} | {p for p, _, _ in UNDEFINED} | {"custom_vjp_lin"}

PARAMS = [pytest.param(c, d, id=f"{c.name}-{d.name}") for c in CASES for d in c.dtypes]


def _args(case, dtype):
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    return tuple(u.make(rng, dtype, case.shape) for u in case.args)


@pytest.mark.parametrize("case,dtype", PARAMS)
def test_gradients(case, dtype, request):
    if dtype == F64 or case.x64:
        request.getfixturevalue("x64")
    check_grads(case.fun, _args(case, dtype), case.order, modes=case.modes)


def _linear_part(func):
    """The tangent half of func's JVP, as partial evaluation splits it off (what reverse mode transposes)."""
    nonzero = [differentiable(a.type) for a in func.args]
    jfun, _ = jvp_pass(func, nonzero)
    _, staged, _, _ = partial_eval(jfun, [False] * len(func.args) + [True] * sum(nonzero))
    return jfun, staged


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case_emits_its_primitive_and_linear_tangents(case, request):
    """A row counts as coverage only if its function emits the primitive it names; and the tangent part
    of its first and second derivatives is built from linear primitives only (so it can be transposed)."""
    if F64 in case.dtypes[:1] or case.x64:
        request.getfixturevalue("x64")
    func = lintra.make_ir(case.fun)(*_args(case, case.dtypes[0]))
    prims = {op.prim for op in func.body.walk()}
    assert case.prim in prims, f"{case.name}: traced ops {sorted(prims)} do not include {case.prim}"
    jfun, staged = _linear_part(func)
    parts = [staged, _linear_part(jfun)[1]] if "fwd" in case.modes else [staged]
    for part in parts:
        nonlinear = {op.prim for op in part.body.ops} - LINEAR - {"constant"}
        assert not nonlinear, f"{case.name}: tangents computed with non-linear primitives {sorted(nonlinear)}"


def test_custom_vjp_lin_jvp_transposes_to_bwd():
    """linearize of a custom_vjp function holds custom_vjp_lin: differentiating it gives the same linear map
    of the tangent, whose transpose runs the user's bwd."""
    x0 = np.array([0.3, -0.7, 1.1], np.float32)
    func = lintra.make_ir(lambda t: lintra.linearize(_custom_vjp_fn(), x0)[1](t))(x0)
    jfun, _ = jvp_pass(func, [True])
    tangent_out = Func("tangent", Block(jfun.args, jfun.body.ops, jfun.results[1:]))
    dce(tangent_out)
    assert [op.prim for op in tangent_out.body.ops if op.prim != "constant"] == ["custom_vjp_lin"]
    ct = np.array([1.0, 2.0, -0.5], np.float32)
    ct_t, = eval_func(transpose_pass(tangent_out, [False, True]), [x0, ct])
    np.testing.assert_allclose(np.asarray(ct_t), (np.cos(x0) * x0 + np.sin(x0)) * ct, rtol=1e-6)


# ---- JAX's conventions where the derivative is a choice ------------------------------------------------------

def grads(f, *args):
    return [np.asarray(g) for g in lintra.grad(f, argnums=tuple(range(len(args))))(*args)]


def test_max_min_split_ties_evenly():
    assert grads(lambda x, y: lax.max(x, y), 1.0, 1.0) == [0.5, 0.5]
    assert grads(lambda x, y: lax.min(x, y), 2.0, 2.0) == [0.5, 0.5]
    assert grads(lambda x, y: lax.max(x, y), 1.0, 2.0) == [0.0, 1.0]


def test_reduce_max_averages_tied_elements():
    x = np.array([1.0, 3.0, 3.0, 2.0], np.float32)
    np.testing.assert_array_equal(grads(lambda v: lax.reduce_max(v, (0,)), x)[0], [0, 0.5, 0.5, 0])
    np.testing.assert_array_equal(grads(lambda v: lax.reduce_min(v, (0,)), -x)[0], [0, 0.5, 0.5, 0])


def test_cummax_ties_follow_the_prefix_scan():
    # scan over [a, b]: out = [a, max(a, b)], and max splits the tie: d/da = 1 + 1/2, d/db = 1/2
    x = np.array([1.0, 1.0], np.float32)
    np.testing.assert_array_equal(grads(lambda v: jnp.sum(lax.cummax(v, 0)), x)[0], [1.5, 0.5])


def test_scatter_max_averages_the_operand_and_updates_that_attain_it():
    x, u = np.array([1.0, 5.0], np.float32), np.array([5.0, 5.0, 2.0], np.float32)
    idx = np.array([[1], [1], [0]], np.int32)
    f = lambda x, u: jnp.sum(lax.scatter_max(x, idx, u, dn_scatter((), (0,), (0,))))
    gx, gu = grads(f, x, u)
    np.testing.assert_allclose(gx, [0, 1 / 3])     # position 0: the update wins; position 1: three-way tie
    np.testing.assert_allclose(gu, [1 / 3, 1 / 3, 1])


def test_abs_derivative_at_zero():
    assert grads(lax.abs, 0.0) == [1.0]      # select(x >= 0, 1, -1)
    assert grads(lax.abs, -2.0) == [-1.0]
    assert grads(lambda z: lax.abs(z), np.complex64(0)) == [0]


def test_pow_at_zero_exponent_and_zero_base():
    gx, gy = grads(lambda x, y: lax.pow(x, y), 0.0, 0.0)    # 0^0 = 1, and no nan from 0 * 0^-1 or log(0)
    assert (gx, gy) == (0.0, 0.0)
    gx, gy = grads(lambda x, y: lax.pow(x, y), 0.0, 2.5)
    assert (gx, gy) == (0.0, 0.0)
    gx, gy = grads(lambda x, y: lax.pow(x, y), 2.0, 3.0)
    np.testing.assert_allclose([gx, gy], [12.0, 8 * np.log(2)], rtol=1e-6)


def test_integer_pow_zero_has_a_zero_tangent():
    _, t = lintra.jvp(lambda x: lax.integer_pow(x, 0), (np.float32(3.0),), (np.float32(1.0),))
    assert float(t) == 0.0


def test_clamp_passes_the_gradient_to_whichever_bound_is_active():
    g = grads(lambda lo, x, hi: jnp.sum(lax.clamp(lo, x, hi)), np.float32(-1), np.array([-2.0, 0.5, 3.0], np.float32),
              np.float32(1))
    np.testing.assert_array_equal(g[0], 1.0)
    np.testing.assert_array_equal(g[1], [0, 1, 0])
    np.testing.assert_array_equal(g[2], 1.0)
    # at the boundary itself no one gets it, as in JAX
    np.testing.assert_array_equal(grads(lambda x: lax.clamp(-1.0, x, 1.0), np.float32(1.0)), [0.0])


def test_products_are_exact_at_zeros():
    x = np.array([0.0, 2.0, 3.0], np.float32)
    np.testing.assert_array_equal(grads(lambda v: lax.reduce_prod(v, (0,)), x)[0], [6, 0, 0])
    np.testing.assert_array_equal(grads(lambda v: lax.reduce_prod(v, (0,)), np.zeros(3, np.float32))[0], [0, 0, 0])
    # sum(cumprod([a, b, c])) = a + ab + abc: at (2, 0, 3) the gradient is (1, 2 + 6, 0)
    y = np.array([2.0, 0.0, 3.0], np.float32)
    np.testing.assert_array_equal(grads(lambda v: jnp.sum(lax.cumprod(v, 0)), y)[0], [1, 8, 0])


def test_sort_permutes_the_tangents():
    x = np.array([3.0, 1.0, 2.0], np.float32)
    w = np.array([10.0, 20.0, 30.0], np.float32)
    np.testing.assert_array_equal(grads(lambda v: jnp.sum(lax.sort(v, 0) * w), x)[0], [30, 10, 20])
    k = np.array([2, 0, 1], np.int32)
    g = grads(lambda v: jnp.sum(lax.sort((k, v), 0, num_keys=1)[1] * w), x)[0]
    np.testing.assert_array_equal(g, [30, 10, 20])


@pytest.mark.parametrize("prim,fun,message", UNDEFINED, ids=[u[0] for u in UNDEFINED])
def test_undefined_derivatives_raise(prim, fun, message):
    x = np.ones(3, np.float32)
    assert prim in {op.prim for op in lintra.make_ir(fun)(x).body.ops}
    for mode in (lambda: lintra.grad(lambda v: jnp.sum(fun(v)))(x), lambda: lintra.jvp(fun, (x,), (x,))):
        with pytest.raises(NotDifferentiableError, match=re.escape(message)):
            mode()


def test_digamma_derivative_is_trigamma(x64):
    from scipy.special import polygamma
    x = np.array([-2.5, -0.3, 0.2, 0.5, 1.0, 7.5, 30.0])
    _, g = lintra.jvp(lax.digamma, (x,), (np.ones_like(x),))
    np.testing.assert_allclose(np.asarray(g), polygamma(1, x), rtol=1e-10)


def test_complex_conventions_match_jax():
    z = np.complex64(3 + 4j)
    np.testing.assert_allclose(grads(lambda z: lax.abs(z) ** 2, z)[0], 6 - 8j, rtol=1e-6)   # 2 conj(z)
    np.testing.assert_allclose(grads(lambda z: lax.real(z * lax.conj(z)), z)[0], 6 - 8j, rtol=1e-6)
    np.testing.assert_allclose(grads(lax.abs, z)[0], 0.6 - 0.8j, rtol=1e-6)
    assert grads(lax.real, z)[0] == 1
    assert grads(lax.imag, z)[0] == -1j
    c = np.complex64(2 - 1j)
    np.testing.assert_allclose(grads(lambda z: lax.real(c * z), z)[0], c)
    g = lintra.grad(lambda z: z * z, holomorphic=True)(z)
    np.testing.assert_allclose(np.asarray(g), 2 * z)
    # the transpose of complex(x, y) takes (real, -imag) of the cotangent
    gx, gy = grads(lambda x, y: lax.real(lax.complex(x, y) * c), np.float32(1), np.float32(2))
    assert (gx, gy) == (2.0, 1.0)
