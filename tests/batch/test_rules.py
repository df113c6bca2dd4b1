"""Batching rules of every primitive, checked against a Python loop over the batch: vmap(f) with several
in_axes/out_axes (including None and negative axes) must give, value for value and shape for shape, what
f gives example by example, stacked along the output axis.

The table CASES is the coverage: COVERED_BATCH_PRIMITIVES is derived from it, and each row is checked to
actually emit the primitive it names."""
import zlib
from typing import NamedTuple

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.ir.batch.rules import ELEMENTWISE

B = 5        # the batch size: unlike every per-example dimension below, so that a misplaced axis shows
F32, I32, C64, BOOL, U16 = (np.dtype(d) for d in (np.float32, np.int32, np.complex64, np.bool_, np.uint16))


class A(NamedTuple):
    """A random argument of one example: uniform in [lo, hi] (integers: inclusive)."""
    shape: tuple = (2, 3)
    dtype: np.dtype = F32
    lo: float = -1.0
    hi: float = 1.0

    def make(self, rng, lead=()):
        shape = tuple(lead) + tuple(self.shape)
        d = np.dtype(self.dtype)
        if d == BOOL:
            return rng.random(shape) < 0.5
        if d.kind in "iu":
            return rng.integers(self.lo, self.hi, shape, endpoint=True).astype(d)
        x = rng.uniform(self.lo, self.hi, shape)
        if d.kind == "c":
            x = x + 1j * rng.uniform(self.lo, self.hi, shape)
        return x.astype(d)


class Distinct(NamedTuple):
    """k distinct index vectors into an array of shape `dims`, per example (a (k, len(dims)) array):
    scatters with them do not depend on the order in which duplicates would be applied."""
    dims: tuple
    k: int
    shape = property(lambda self: (self.k, len(self.dims)))

    def make(self, rng, lead=()):
        count = int(np.prod(lead, dtype=np.int64))
        flat = [rng.permutation(int(np.prod(self.dims)))[:self.k] for _ in range(count)]
        idx = np.stack(np.unravel_index(np.asarray(flat).reshape(-1), self.dims), axis=-1)
        return idx.astype(np.int32).reshape(tuple(lead) + self.shape)


class Case(NamedTuple):
    name: str
    prim: str
    fun: object
    args: tuple
    configs: tuple = None    # ((in_axes, out_axes), ...); None: the standard ones for the arguments
    ref: object = None       # per-example outputs from the list of per-example inputs (collectives); None: f
    axis_name: str = None
    modes: tuple = ("value",)   # "grad": gradients of a weighted sum of the outputs; "transpose": of a linear f
    tol: float = 1e-5


# Primitives that share the generic elementwise rule run under a few configurations each (compiling is
# what these tests spend their time on); the representatives add, add-scalars and neg-scalar, like every
# other rule, run under all of _configs'.
UNARY = (((1,), -1),)
BINARY = (((1, None), -1), ((-1, 0), 1))


def _compact(prim, configs):
    return configs if prim in ELEMENTWISE else None


def unary(prim, lo=-1.0, hi=1.0, dtype=F32, fun=None, shape=(2, 3), name=None, full=False):
    configs = None if full or not shape else _compact(prim, UNARY)
    return Case(name or prim, prim, fun or getattr(lax, prim), (A(shape, dtype, lo, hi),), configs)


def binary(prim, x=A(), y=A(), fun=None, name=None, full=False):
    configs = None if full else _compact(prim, BINARY)
    return Case(name or prim, prim, fun or getattr(lax, prim), (x, y), configs)


def _custom_jvp_fn():
    @lintra.custom_jvp
    def f(x, y):
        return jnp.sin(x) * y

    @f.defjvp
    def f_jvp(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        return f(x, y), jnp.cos(x) * y * tx + jnp.sin(x) * ty
    return f


def _custom_vjp_fn():
    @lintra.custom_vjp
    def f(x, y):
        return jnp.sin(x) * y

    def fwd(x, y):
        return f(x, y), (x, y)

    def bwd(res, ct):
        x, y = res
        return jnp.cos(x) * y * ct, jnp.sin(x) * ct
    f.defvjp(fwd, bwd)
    return f


X0 = np.array([0.3, -0.7, 1.1], np.float32)


def _linearized_custom_vjp(t):
    """The linear map of a custom_vjp function at X0: a custom_vjp_lin op, which only transposes."""
    return lintra.linearize(lambda x: _custom_vjp_fn()(x, x), X0)[1](t)


def gdn(offset, collapsed, start_map, obatch=(), ibatch=()):
    return lax.GatherDimensionNumbers(offset, collapsed, start_map, obatch, ibatch)


def sdn(window, inserted, to_operand, obatch=(), ibatch=()):
    return lax.ScatterDimensionNumbers(window, inserted, to_operand, obatch, ibatch)


# the scatters but scatter_add share one rule: its two branches (indices unbatched or batched) suffice
SCATTER = (((-1, None, 0), 0), ((None, -1, None), -1))


def _scatters():
    """Each scatter primitive with: a window per index; a scatter into one element per index; and one over
    operand batching dims already (per-row indices)."""
    cases = []
    for prim in ("scatter", "scatter_add", "scatter_mul", "scatter_min", "scatter_max"):
        fn, configs = getattr(lax, prim), None if prim == "scatter_add" else SCATTER
        cases += [
            Case(f"{prim}-rows", prim, lambda x, i, u, fn=fn: fn(x, i, u, sdn((1,), (0,), (0,)), mode="clip"),
                 (A((5, 3)), Distinct((5,), 2), A((2, 3))), configs),
            Case(f"{prim}-elements", prim, lambda x, i, u, fn=fn: fn(x, i, u, sdn((), (0, 1), (0, 1))),
                 (A((4, 3)), Distinct((4, 3), 3), A((3,))), configs),
            Case(f"{prim}-batching-dims", prim,
                 lambda x, i, u, fn=fn: fn(x, i, u, sdn((), (1,), (1,), (0,), (0,)), mode="clip"),
                 (A((2, 4)), A((2, 1), I32, 0, 3), A((2,))), configs),
        ]
    # duplicate indices are deterministic for the combining scatters
    cases.append(Case("scatter_add-duplicates", "scatter_add",
                      lambda x, i, u: lax.scatter_add(x, i, u, sdn((1,), (0,), (0,))),
                      (A((3, 2), I32, -5, 5), A((4, 1), I32, 0, 2), A((4, 2), I32, -5, 5))))
    return cases


def _psum_ref(examples):
    total = sum(np.asarray(x, np.float64) for (x,) in examples)
    return [total] * len(examples)


def _pmax_ref(examples):
    return [np.max([x for (x,) in examples], axis=0)] * len(examples)


def _pmin_ref(examples):
    return [np.min([x for (x,) in examples], axis=0)] * len(examples)


def _all_gather_ref(axis, tiled):
    def ref(examples):
        xs = [x for (x,) in examples]
        return [np.concatenate(xs, axis) if tiled else np.stack(xs, axis)] * len(examples)
    return ref


def _ppermute_ref(src_to_dst):
    def ref(examples):
        x = np.asarray(examples[0][0])
        source = {d: s for s, d in src_to_dst.items()}
        return [examples[source[j]][0] if j in source else np.zeros_like(x) for j in range(len(examples))]
    return ref


def _psum_scatter_ref(dim, tiled):
    def ref(examples):
        parts = np.split(sum(np.asarray(x, np.float64) for (x,) in examples), len(examples), dim)
        return parts if tiled else [np.squeeze(p, dim) for p in parts]
    return ref


def _all_to_all_ref(split, concat, tiled):
    """Member i: the i-th part along split of every member's x, in member order along concat."""
    def ref(examples):
        n = len(examples)
        parts = [np.split(np.asarray(x), n, split) for (x,) in examples]
        if tiled:
            return [np.concatenate([parts[j][i] for j in range(n)], concat) for i in range(n)]
        return [np.stack([np.squeeze(parts[j][i], split) for j in range(n)], concat) for i in range(n)]
    return ref


CASES = [
    # elementwise, unary
    *[unary(p) for p in ("neg", "sign", "square", "exp", "exp2", "expm1", "sin", "cos", "tan", "atan", "sinh",
                         "cosh", "tanh", "asinh", "logistic", "erf", "erfc", "cbrt", "copy", "abs", "is_finite")],
    *[unary(p, 0.5, 2.0) for p in ("log", "sqrt", "rsqrt", "reciprocal", "lgamma", "digamma")],
    *[unary(p, -0.9, 0.9) for p in ("asin", "acos", "atanh", "erf_inv", "log1p")],
    unary("acosh", 1.2, 3.0), unary("floor", -3, 3), unary("ceil", -3, 3), unary("round", -3, 3),
    unary("neg", shape=(), name="neg-scalar"),
    unary("not", dtype=BOOL, fun=lax.bitwise_not), unary("not", 0, 100, I32, fun=lax.bitwise_not, name="not-int"),
    unary("population_count", 0, 1000, I32), unary("clz", 0, 1000, I32),
    unary("conj", dtype=C64), unary("real", dtype=C64), unary("imag", dtype=C64),
    unary("integer_pow", fun=lambda x: lax.integer_pow(x, 3)),
    unary("convert_element_type", -9, 9, fun=lambda x: lax.convert_element_type(x, np.int32)),
    unary("stop_gradient", fun=lax.stop_gradient),
    # elementwise, binary
    *[binary(p) for p in ("add", "sub", "mul", "max", "min", "atan2", "nextafter", "eq", "ne", "lt", "le", "gt",
                          "ge", "complex")],
    binary("div", y=A(lo=0.5, hi=2.0)), binary("rem", y=A(lo=0.5, hi=2.0)),
    binary("pow", x=A(lo=0.5, hi=2.0)),
    binary("add", A(()), A(()), name="add-scalars", full=True),
    binary("add", name="add-all-configs", full=True),
    *[binary(p, A(dtype=I32, lo=-50, hi=50), A(dtype=I32, lo=-50, hi=50), fun=getattr(lax, f"bitwise_{p}"))
      for p in ("and", "or", "xor")],
    *[binary(p, A(dtype=I32, lo=-50, hi=50), A(dtype=I32, lo=0, hi=5))
      for p in ("shift_left", "shift_right_arithmetic", "shift_right_logical")],
    # select_n and clamp: scalar predicate / bounds beside non-scalar operands
    Case("select_n-scalar-pred", "select_n", lax.select, (A((), BOOL), A(), A())),
    Case("select_n-pred", "select_n", lax.select, (A(dtype=BOOL), A(), A())),
    Case("select_n-int", "select_n", lax.select_n, (A((), I32, 0, 2), A(), A(), A())),
    Case("select_n-scalars", "select_n", lax.select, (A((), BOOL), A(()), A(()))),
    Case("clamp-scalar-bounds", "clamp", lax.clamp, (A((), F32, -1, 0), A(), A((), F32, 0, 1))),
    Case("clamp", "clamp", lax.clamp, (A(hi=0), A(), A(lo=0))),
    # bitcasts: the same width, narrowing (a new last dimension), widening (the last dimension consumed)
    unary("bitcast_convert_type", fun=lambda x: lax.bitcast_convert_type(x, np.int32)),
    unary("bitcast_convert_type", fun=lambda x: lax.bitcast_convert_type(x, np.uint16), name="bitcast-narrow"),
    unary("bitcast_convert_type", 0, 60000, U16, fun=lambda x: lax.bitcast_convert_type(x, np.float32),
          shape=(3, 2), name="bitcast-widen"),
    # no operands: copied by the pass, never batched
    unary("iota", fun=lambda x: x * lax.broadcasted_iota(np.float32, (2, 3), 1)),
    unary("constant", fun=lambda x: x * np.array([1.0, -2.0, 3.0], np.float32)),
    # reductions and scans
    *[unary(p, fun=lambda x, p=p: getattr(lax, p)(x, (1,))) for p in ("reduce_sum", "reduce_prod", "reduce_max",
                                                                      "reduce_min")],
    unary("reduce_sum", fun=lambda x: lax.reduce_sum(x, (0, 1)), name="reduce_sum-all"),
    *[unary(p, fun=lambda x, p=p: getattr(lax, p)(x, (0,)), dtype=BOOL) for p in ("reduce_and", "reduce_or")],
    unary("reduce_xor", 0, 100, I32, fun=lambda x: lax.reduce_xor(x, (0,))),
    unary("argmax", fun=lambda x: lax.argmax(x, 1, np.int32)), unary("argmin", fun=lambda x: lax.argmin(x, 0, np.int32)),
    *[unary(p, fun=lambda x, p=p: getattr(lax, p)(x, 1)) for p in ("cumsum", "cumprod", "cummax", "cummin",
                                                                  "cumlogsumexp")],
    unary("cumsum", fun=lambda x: lax.cumsum(x, 0, reverse=True), name="cumsum-reverse"),
    Case("sort", "sort", lambda x: lax.sort(x, 1), (A((2, 4)),)),
    Case("sort-dim0", "sort", lambda x: lax.sort(x, 0), (A((4, 2)),)),
    Case("sort-key-val", "sort", lambda k, v: lax.sort((k, v), 0, num_keys=1), (A((4, 2)), A((4, 2), I32, 0, 9))),
    Case("sort-two-keys", "sort", lambda k, v: lax.sort((k, v), 1, num_keys=2),
         (A((2, 5), I32, 0, 2), A((2, 5), I32, 0, 9))),
    # shape
    unary("broadcast_in_dim", fun=lambda x: lax.broadcast_in_dim(x, (2, 4, 3), (0, 2))),
    unary("broadcast_in_dim", fun=lambda x: lax.broadcast_in_dim(x, (2, 3), ()), shape=(), name="broadcast-scalar"),
    unary("reshape", fun=lambda x: lax.reshape(x, (3, 2))),
    unary("reshape", fun=lambda x: lax.reshape(x, (6,)), name="reshape-flat"),
    unary("transpose", fun=lambda x: lax.transpose(x, (2, 0, 1)), shape=(2, 3, 4)),
    unary("squeeze", fun=lambda x: lax.squeeze(x, (1,)), shape=(2, 1, 3)),
    unary("expand_dims", fun=lambda x: lax.expand_dims(x, (0, 2))),
    unary("expand_dims", fun=lambda x: lax.expand_dims(x, (2,)), name="expand_dims-last"),
    unary("rev", fun=lambda x: lax.rev(x, (1,))),
    unary("slice", fun=lambda x: lax.slice(x, (1, 0), (4, 5), (2, 2)), shape=(4, 5)),
    unary("slice", fun=lambda x: lax.slice(x, (0, 1), (2, 3)), name="slice-unstrided"),
    Case("concatenate", "concatenate", lambda a, b: lax.concatenate([a, b, a], 1), (A(), A((2, 1)))),
    Case("pad", "pad", lambda x, v: lax.pad(x, v, ((1, 2, 0), (0, 1, 1))), (A(), A(()))),
    Case("pad-negative", "pad", lambda x, v: lax.pad(x, v, ((-1, 1, 1), (1, -2, 0))), (A(), A(()))),
    # dynamic slicing; start indices past either end are clamped
    Case("dynamic_slice", "dynamic_slice", lambda x, i, j: lax.dynamic_slice(x, (i, j), (2, 3)),
         (A((5, 4)), A((), I32, -1, 5), A((), I32, 0, 3))),
    Case("dynamic_slice-one-index", "dynamic_slice", lambda x, i: lax.dynamic_slice_in_dim(x, i, 2, 1),
         (A((3, 4)), A((), I32, 0, 4))),
    Case("dynamic_update_slice", "dynamic_update_slice",
         lambda x, u, i, j: lax.dynamic_update_slice(x, u, (i, j)),
         (A((5, 4)), A((2, 3)), A((), I32, -1, 5), A((), I32, 0, 3))),
    # gather: rows, single elements, windows, and existing operand batching dims
    Case("gather-rows", "gather", lambda x, i: lax.gather(x, i, gdn((1,), (0,), (0,)), (1, 3), mode="clip"),
         (A((5, 3)), A((2, 1), I32, 0, 4))),
    Case("gather-elements", "gather", lambda x, i: lax.gather(x, i, gdn((), (0, 1), (0, 1)), (1, 1)),
         (A((4, 5)), A((3, 2), I32, 0, 3))),
    Case("gather-window", "gather", lambda x, i: lax.gather(x, i, gdn((0, 2), (), (1,)), (2, 2), mode="clip"),
         (A((2, 5)), A((3, 1), I32, 0, 4))),
    Case("gather-batching-dims", "gather",
         lambda x, i: lax.gather(x, i, gdn((), (1,), (1,), (0,), (0,)), (1, 1), mode="clip"),
         (A((2, 5)), A((2, 1), I32, 0, 4))),
    *_scatters(),
    # contraction
    Case("dot_general-matmul", "dot_general", lax.dot, (A((2, 3)), A((3, 4)))),
    Case("dot_general-vector", "dot_general", lax.dot, (A((3,)), A((3,)))),
    Case("dot_general-batch", "dot_general", lambda a, b: lax.dot_general(a, b, (((2,), (1,)), ((0,), (0,)))),
         (A((2, 3, 4)), A((2, 4, 2)))),
    Case("dot_general-perm", "dot_general", lambda a, b: lax.dot_general(a, b, (((0, 2), (2, 0)), ((), ()))),
         (A((2, 3, 4)), A((4, 5, 2)))),
    # ops with regions
    Case("call", "call", lambda x, y: lintra.jit(lambda a, b: jnp.sin(a) * b + 1.0)(x, y), (A(), A())),
    Case("custom_jvp_call", "custom_jvp_call", lambda x, y: _custom_jvp_fn()(x, y), (A((3,)), A((3,))),
         modes=("value", "grad")),
    Case("custom_vjp_call", "custom_vjp_call", lambda x, y: _custom_vjp_fn()(x, y), (A((3,)), A((3,))),
         modes=("value", "grad")),
    Case("custom_vjp_lin", "custom_vjp_lin", _linearized_custom_vjp, (A((3,)),), modes=("transpose",)),
    # collectives over the mapped axis: every member gets the reduction over all of them
    Case("psum", "psum", lambda x: lax.psum(x, "i"), (A(),), ((0, 0), (-1, 1)), _psum_ref, "i"),
    Case("pmax", "pmax", lambda x: lax.pmax(x, "i"), (A(),), ((0, 0), (1, -1)), _pmax_ref, "i"),
    Case("pmin", "pmin", lambda x: lax.pmin(x, "i"), (A(),), ((0, 0), (-1, 1)), _pmin_ref, "i"),
    Case("all_gather", "all_gather", lambda x: lax.all_gather(x, "i", axis=1), (A(),), ((0, 0), (-1, -1)),
         _all_gather_ref(1, False), "i"),
    Case("all_gather-tiled", "all_gather", lambda x: lax.all_gather(x, "i", axis=1, tiled=True), (A(),),
         ((0, 0), (1, 1)), _all_gather_ref(1, True), "i"),
    Case("ppermute", "ppermute", lambda x: lax.ppermute(x, "i", [(0, 1), (1, 2), (2, 0), (4, 3)]), (A(),),
         ((0, 0), (-1, 1)), _ppermute_ref({0: 1, 1: 2, 2: 0, 4: 3}), "i"),
    Case("psum_scatter", "psum_scatter", lambda x: lax.psum_scatter(x, "i", scatter_dimension=1), (A((3, B)),),
         ((0, 0), (-1, 1)), _psum_scatter_ref(1, False), "i"),
    Case("psum_scatter-tiled", "psum_scatter", lambda x: lax.psum_scatter(x, "i", scatter_dimension=0, tiled=True),
         (A((2 * B, 3)),), ((0, 0), (1, -1)), _psum_scatter_ref(0, True), "i"),
    Case("all_to_all", "all_to_all", lambda x: lax.all_to_all(x, "i", 0, 1), (A((B, 3)),), ((0, 0), (-1, 1)),
         _all_to_all_ref(0, 1, False), "i"),
    Case("all_to_all-tiled", "all_to_all", lambda x: lax.all_to_all(x, "i", 1, 0, tiled=True), (A((3, 2 * B)),),
         ((0, 0), (1, -1)), _all_to_all_ref(1, 0, True), "i"),
    Case("axis_index", "axis_index", lambda x: x * lax.convert_element_type(lax.axis_index("i"), np.float32),
         (A(),), ((0, 0), (-1, 2)), lambda exs: [x * k for k, (x,) in enumerate(exs)], "i"),
]

COVERED_BATCH_PRIMITIVES = {c.prim for c in CASES}


def _configs(case, out_rank):
    """All batched at 0; all at the last axis (negative); at 1 where the ranks allow; then each argument
    unbatched in turn; then each argument alone batched, at its last axis."""
    if case.configs:
        return list(case.configs)
    n = len(case.args)
    ranks = [len(a.shape) for a in case.args]
    configs = [((0,) * n, 0), ((-1,) * n, -1), (tuple(1 if r else 0 for r in ranks), 1 if out_rank else 0)]
    if n > 1:
        configs += [(tuple(None if j == i else 0 for j in range(n)), 0) for i in range(n)]
        configs += [(tuple(-1 if j == i else None for j in range(n)), -1) for i in range(n)]
    return configs


def _per_arg(case, in_axes):
    return in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(case.args)


class Data:
    """B examples of each argument, and one more shared by all examples where the argument is unbatched."""

    def __init__(self, case):
        rng = np.random.default_rng(zlib.crc32(case.name.encode()))
        self.case = case
        self.per = [spec.make(rng, (B,)) for spec in case.args]
        self.shared = [spec.make(rng) for spec in case.args]

    def batched(self, in_axes):
        return [s if ax is None else np.moveaxis(p, 0, ax)
                for p, s, ax in zip(self.per, self.shared, _per_arg(self.case, in_axes))]

    def examples(self, in_axes):
        axes = _per_arg(self.case, in_axes)
        return [tuple(s if ax is None else p[k] for p, s, ax in zip(self.per, self.shared, axes)) for k in range(B)]


def _stack(outs, out_axes):
    """Per-example outputs (each a value or a tuple of them) stacked along out_axes."""
    if isinstance(outs[0], (tuple, list)):
        return tuple(_stack([o[i] for o in outs], out_axes) for i in range(len(outs[0])))
    return np.stack([np.asarray(o) for o in outs], axis=out_axes)


def _assert_matches(got, want, tol, what):
    got_leaves, want_leaves = lintra.tree.leaves(got), lintra.tree.leaves(want)
    assert len(got_leaves) == len(want_leaves), what
    for g, w in zip(got_leaves, want_leaves):
        g = np.asarray(g)
        assert g.shape == w.shape, f"{what}: batched shape {g.shape}, loop shape {w.shape}"
        if g.dtype.kind in "fc":
            np.testing.assert_allclose(g, w, rtol=tol, atol=tol, err_msg=what)
        else:
            np.testing.assert_array_equal(g, w, err_msg=what)


def _out_rank(case, data):
    func = _traced(case, data.examples(0)[0])
    return min(r.type.ndim for r in func.results)


def _traced(case, example):
    """The per-example IR (a collective needs its axis bound, as vmap binds it while tracing)."""
    from lintra.frontend import batching
    batching.axis_env.names.append((case.axis_name, B))
    try:
        return lintra.make_ir(case.fun)(*example)
    finally:
        batching.axis_env.names.pop()


def _compiled_vmaps(fun, configs, axis_name):
    """One executable running vmap(fun) under every (in_axes, out_axes) config (few compilations)."""
    return lintra.jit(lambda all_args: [lintra.vmap(fun, ia, oa, axis_name=axis_name)(*args)
                                        for (ia, oa), args in zip(configs, all_args)])


@pytest.mark.parametrize("case", [c for c in CASES if "value" in c.modes], ids=lambda c: c.name)
def test_batching_rule_matches_a_loop(case):
    data = Data(case)
    configs = _configs(case, _out_rank(case, data))
    got = _compiled_vmaps(case.fun, configs, case.axis_name)([data.batched(ia) for ia, _ in configs])
    per_example = lintra.jit(case.fun)
    for (in_axes, out_axes), g in zip(configs, got):
        examples = data.examples(in_axes)
        outs = case.ref(examples) if case.ref else [per_example(*ex) for ex in examples]
        _assert_matches(g, _stack(outs, out_axes), case.tol, f"in_axes={in_axes}, out_axes={out_axes}")


def _grad_of_weighted_sum(fun, w, args):
    return lintra.grad(lambda a: jnp.sum(fun(*a) * w))(args)


def _transpose(fun, w, args):
    return lintra.linear_transpose(fun, *args)(w)


@pytest.mark.parametrize("case,mode", [(c, m) for c in CASES for m in c.modes if m != "value"],
                         ids=lambda x: getattr(x, "name", x))
def test_batched_derivatives_match_a_loop(case, mode):
    """Gradients of sum(w * outputs) (or the transpose of a linear f at w) w.r.t. every argument: the
    regions of batched custom rules are right."""
    data = Data(case)
    configs = _configs(case, _out_rank(case, data))[:2]
    out_shape = _traced(case, data.examples(0)[0]).results[0].type.shape
    w = np.random.default_rng(1).uniform(-1, 1, (B,) + out_shape).astype(np.float32)
    derivative = {"grad": _grad_of_weighted_sum, "transpose": _transpose}[mode]

    def batched(w, all_args):
        return [derivative(lintra.vmap(case.fun, ia, oa), jnp.moveaxis(w, 0, oa), args)
                for (ia, oa), args in zip(configs, all_args)]
    got = lintra.jit(batched)(w, [data.batched(ia) for ia, _ in configs])
    per_example = lintra.jit(lambda w, *a: derivative(case.fun, w, a))
    for (in_axes, out_axes), g in zip(configs, got):
        grads = [per_example(w[k], *ex) for k, ex in enumerate(data.examples(in_axes))]
        want = [_stack([gk[i] for gk in grads], ax) for i, ax in enumerate(_per_arg(case, in_axes))]
        _assert_matches(list(g), want, case.tol, f"gradients, in_axes={in_axes}, out_axes={out_axes}")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_emits_its_primitive(case):
    func = _traced(case, Data(case).examples(0)[0])
    prims = {op.prim for op in func.body.walk()}
    assert case.prim in prims, f"{case.name} emits {sorted(prims)}, not {case.prim}"


def test_case_names_are_unique():
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)
