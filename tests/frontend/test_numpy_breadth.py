"""The breadth of lintra.numpy against NumPy: order statistics and NaN reductions, more elementwise functions,
splitting/tiling/padding, diagonals and triangles, sorting and searching, value-dependent sizes (size=),
log-spaced ranges, einsum's greedy contraction order, dtype utilities; gradients (against finite differences
of the NumPy references, and check_grads on a subset), and vmap against a loop over the batch.

Each table is evaluated under one jit (compiling is what these tests spend their time on) and compared row
by row with the same call on NumPy."""
import warnings

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.test_util import check_grads

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4, 5)).astype(np.float32)
Y = X.copy()
Y[0, 1, 2] = np.nan
Y[1] = np.nan
M = RNG.standard_normal((4, 4)).astype(np.float32)
V = np.array([3, 1, 2, 1, 3, 3, 0], np.int32)




def _run_table(table, args, rtol=1e-5, atol=1e-6):
    """table rows (label, lintra function of args, NumPy function of args): all lintra rows in one jit."""
    outs = lintra.jit(lambda *a: [f(jnp, *a) for _, f, _ in table])(*args)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # NumPy warns about all-NaN slices and the like
        wants = [ref(np, *args) for _, _, ref in table]
    for (label, _, _), got, want in zip(table, outs, wants):
        for g, w in zip(lintra.tree.leaves(got), lintra.tree.leaves(want)):
            w = np.asarray(w)
            assert np.shape(g) == w.shape, (label, np.shape(g), w.shape)
            if w.dtype.kind in "biu":
                np.testing.assert_array_equal(np.asarray(g), w, err_msg=label)
            else:
                np.testing.assert_allclose(np.asarray(g), w, rtol=rtol, atol=atol, equal_nan=True, err_msg=label)
    return outs


def same(expr):
    """A row whose lintra and NumPy calls are spelled alike: expr(np_or_jnp, *args)."""
    return expr, expr


# ---- statistics ---------------------------------------------------------------------------------------------

Q = np.array([0.0, 0.3, 0.5, 0.77, 1.0], np.float32)
STATISTICS = [(f"quantile-{m}-{ax}", *same(lambda m_, x, y, q, m=m, ax=ax: m_.quantile(x, q, axis=ax, method=m)))
              for m in ("linear", "lower", "higher", "midpoint", "nearest") for ax in (None, 1, (0, 2))] + [
    ("quantile-keepdims", *same(lambda m, x, y, q: m.quantile(x, 0.25, axis=(0, 1), keepdims=True))),
    ("nanquantile", *same(lambda m, x, y, q: m.nanquantile(y, q, axis=2))),
    ("nanquantile-keepdims", *same(lambda m, x, y, q: m.nanquantile(y, q, axis=None, keepdims=True))),
    ("percentile", *same(lambda m, x, y, q: m.percentile(x, q * 100, axis=0))),
    ("nanpercentile", *same(lambda m, x, y, q: m.nanpercentile(y, 40.0, axis=1, method="nearest"))),
    ("median", *same(lambda m, x, y, q: m.median(x))),
    ("median-axis", *same(lambda m, x, y, q: m.median(x, axis=1, keepdims=True))),
    ("median-nan", *same(lambda m, x, y, q: m.median(y, axis=2))),
    ("nanmedian", *same(lambda m, x, y, q: m.nanmedian(y, axis=(1, 2)))),
    ("median-int", *same(lambda m, x, y, q: m.median(m.arange(7) * 3 % 5))),
    *[(f"{f}-{ax}", *same(lambda m, x, y, q, f=f, ax=ax: getattr(m, f)(y, axis=ax)))
      for f in ("nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd") for ax in (None, 0, (1, 2))],
    ("nanvar-ddof", *same(lambda m, x, y, q: m.nanvar(y, axis=2, ddof=1, keepdims=True))),
    ("nansum-int", *same(lambda m, x, y, q: m.nansum(m.arange(5), keepdims=True))),
    ("average", *same(lambda m, x, y, q: m.average(x, axis=1, weights=m.arange(1.0, 5.0)))),
    ("average-returned", *same(lambda m, x, y, q: m.average(x, axis=(0, 2), weights=x * x, returned=True))),
]


def test_statistics_match_numpy():
    outs = _run_table(STATISTICS, (X, Y, Q))
    labels = [t[0] for t in STATISTICS]
    assert outs[labels.index("median-int")].dtype == np.float32
    assert outs[labels.index("nansum-int")].dtype == np.int32


def test_statistics_double_precision(x64):
    x = X.astype(np.float64)
    table = [("quantile", *same(lambda m, x: m.quantile(x, [0.1, 0.9], axis=1))),
             ("nanmedian", *same(lambda m, x: m.nanmedian(m.where(x > 1, m.nan, x), axis=0)))]
    outs = _run_table(table, (x,), rtol=1e-12, atol=1e-12)
    assert all(o.dtype == np.float64 for o in outs)


# ---- elementwise -------------------------------------------------------------------------------------------

A = np.array([-np.inf, -3.0, -1.0, -0.0, 0.0, 0.5, 2.0, 2.0, np.inf, np.nan, 30.0, 1e-30], np.float32)
B = np.array([-np.inf, 3.0, 0.0, 2.0, 0.0, -0.5, 2.0, -np.inf, np.inf, 1.0, -np.inf, 1e-30], np.float32)
ELEMENTWISE = [(f, *same(lambda m, a, b, i, j, f=f: getattr(m, f)(a, b))) for f in (
    "logaddexp", "logaddexp2", "hypot", "arctan2", "fmod", "remainder", "mod", "heaviside", "copysign")] + [
    # as JAX's, floor_divide by a float zero is NaN, where NumPy's is +-inf: compared away from zero
    ("floor_divide", *same(lambda m, a, b, i, j: m.floor_divide(a, m.where(b == 0, 0.75, b))))] + [
    (f, *same(lambda m, a, b, i, j, f=f: getattr(m, f)(a))) for f in (
        "sinc", "deg2rad", "rad2deg", "degrees", "radians", "sign", "signbit", "trunc", "fix", "rint", "cbrt",
        "fabs", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "nan_to_num")] + [
    ("nan_to_num-values", *same(lambda m, a, b, i, j: m.nan_to_num(a, nan=-1.0, posinf=9.0, neginf=-9.0))),
    ("nan_to_num-complex", *same(lambda m, a, b, i, j: m.nan_to_num(a + 1j * b))),
    ("fmod-int", *same(lambda m, a, b, i, j: m.fmod(i, j))),
    ("remainder-int", *same(lambda m, a, b, i, j: m.remainder(i, j))),
    ("floor_divide-int", *same(lambda m, a, b, i, j: m.floor_divide(i, m.where(j == 0, 1, j)))),
    ("sign-int", *same(lambda m, a, b, i, j: m.sign(i))),
    ("hypot-int", *same(lambda m, a, b, i, j: m.hypot(i, 4))),
    ("sinc-int", *same(lambda m, a, b, i, j: m.sinc(i))),
    ("isnan-int", *same(lambda m, a, b, i, j: m.isnan(i))),
]


def test_elementwise_match_numpy():
    i = np.array([-7, -3, 0, 4, 7, 9], np.int32)
    j = np.array([3, -2, 5, 0, -4, 3], np.int32)
    outs = _run_table(ELEMENTWISE, (A, B, i, j), rtol=2e-6, atol=1e-6)
    labels = [t[0] for t in ELEMENTWISE]
    assert outs[labels.index("hypot-int")].dtype == np.float32 and outs[labels.index("fmod-int")].dtype == np.int32


# ---- layout ------------------------------------------------------------------------------------------------

PADS = [(f"pad-{mode}", *same(lambda m, x, v, mode=mode: m.pad(x[0], ((1, 2), (7, 1)), mode=mode)))
        for mode in ("constant", "edge", "reflect", "symmetric", "wrap", "maximum", "minimum", "mean")]
LAYOUT = PADS + [
    ("pad-int-mean", *same(lambda m, x, v: m.pad(v, 2, mode="mean"))),
    ("pad-values", *same(lambda m, x, v: m.pad(x[0], 1, constant_values=((1.0, 2.0), (3.0, 4.0))))),
    ("pad-scalar-width", *same(lambda m, x, v: m.pad(v, (0, 3), constant_values=-1))),
    ("split", *same(lambda m, x, v: m.split(x, 2, axis=1))),
    ("split-indices", *same(lambda m, x, v: m.split(x, [1, 4, 9], axis=2))),
    ("array_split", *same(lambda m, x, v: m.array_split(x, 3, axis=2))),
    ("hsplit", *same(lambda m, x, v: m.hsplit(x[0, :, :4], 2))),
    ("tile", *same(lambda m, x, v: m.tile(x[0], (2, 1, 3)))),
    ("tile-int", *same(lambda m, x, v: m.tile(v, 2))),
    ("repeat", *same(lambda m, x, v: m.repeat(x, 2, axis=1))),
    ("repeat-flat", *same(lambda m, x, v: m.repeat(v, 3))),
    ("repeat-counts", *same(lambda m, x, v: m.repeat(x, np.array([1, 0, 3]), axis=0))),
    ("flip", *same(lambda m, x, v: m.flip(x))),
    ("flip-axes", *same(lambda m, x, v: m.flip(x, (0, 2)))),
    ("fliplr-flipud", *same(lambda m, x, v: [m.fliplr(x[0]), m.flipud(x[0])])),
    *[(f"rot90-{k}", *same(lambda m, x, v, k=k: m.rot90(x, k, axes=(2, 0)))) for k in (-1, 1, 2, 3)],
    ("roll", *same(lambda m, x, v: m.roll(x, 7))),
    ("roll-axis", *same(lambda m, x, v: m.roll(x, -2, axis=1))),
    ("roll-axes", *same(lambda m, x, v: m.roll(x, (1, 2), axis=(0, 2)))),
    ("meshgrid", *same(lambda m, x, v: m.meshgrid(v[:3], x[0, 0], v))),
    ("meshgrid-ij-sparse", *same(lambda m, x, v: m.meshgrid(v[:3], x[0, 0], indexing="ij", sparse=True))),
    ("ix_", *same(lambda m, x, v: m.ix_(v[:2], np.array([True, False, True])))),
    ("indices", *same(lambda m, x, v: m.indices((2, 3)))),
    ("broadcast", *same(lambda m, x, v: [m.broadcast_to(v[:5], (2, 5)), *m.broadcast_arrays(x[0], v[:5])])),
    ("atleast", *same(lambda m, x, v: [m.atleast_1d(x[0, 0, 0]), m.atleast_2d(v), m.atleast_3d(x[0])])),
]


def test_layout_match_numpy():
    _run_table(LAYOUT, (X, V))


def test_traced_roll_and_repeat():
    outs = lintra.jit(lambda x, s, r: [jnp.roll(x, s, axis=1), jnp.roll(x, s), jnp.repeat(x[0, 0], r,
                                                                                            total_repeat_length=9)])(
        X, np.int32(-3), np.array([2, 0, 1, 3, 1], np.int32))
    np.testing.assert_array_equal(outs[0], np.roll(X, -3, axis=1))
    np.testing.assert_array_equal(outs[1], np.roll(X, -3))
    np.testing.assert_array_equal(outs[2], np.repeat(X[0, 0], [2, 0, 1, 3, 1])[:9].tolist() + [X[0, 0, 4]] * 2)


# ---- matrices ----------------------------------------------------------------------------------------------

MATRICES = [(f"{f}-{k}", *same(lambda m, x, v, f=f, k=k: getattr(m, f)(x, k)))
            for f in ("tril", "triu") for k in (-2, 0, 1, 7)] + [
    (f"diagonal-{k}", *same(lambda m, x, v, k=k: m.diagonal(x, k, 2, 0))) for k in (-2, 0, 3, 9)] + [
    (f"diag-{k}", *same(lambda m, x, v, k=k: [m.diag(v, k), m.diag(x[0], k)])) for k in (-3, 0, 2)] + [
    ("trace", *same(lambda m, x, v: [m.trace(x[0]), m.trace(x, 1, 1, 2), m.trace(v.reshape(1, -1), -1)])),
    ("trace-int", *same(lambda m, x, v: m.trace(v[:4].reshape(2, 2)))),
    ("tril-vector", *same(lambda m, x, v: m.tril(v))),
    ("diagflat", *same(lambda m, x, v: m.diagflat(x[0, :2, :2], 1))),
    ("tri", *same(lambda m, x, v: [m.tri(3, 5, 1), m.tri(4, dtype=np.int32)])),
    ("kron", *same(lambda m, x, v: [m.kron(x[0, :2], x[1, :3, :2]), m.kron(v[:3], x[0]), m.kron(v[:2], v[:3])])),
]


def test_matrices_match_numpy():
    _run_table(MATRICES, (X, V))


# ---- sorting and searching -------------------------------------------------------------------------------

SORTED = np.array([-1.0, 0.0, 0.0, 2.0, 2.0, 5.0, np.nan], np.float32)
PROBES = np.array([[-3.0, 0.0, 1.0], [2.0, 9.0, np.nan]], np.float32)
SEARCHING = [
    ("sort", *same(lambda m, x, v, s, p: [m.sort(x), m.sort(x, axis=0), m.sort(x, axis=None), m.sort(p, axis=1)])),
    ("sort-int", *same(lambda m, x, v, s, p: m.sort(v))),
    ("argsort", *same(lambda m, x, v, s, p: [m.argsort(x, axis=1), m.argsort(v), m.argsort(x, axis=None)])),
    ("argsort-descending", lambda m, x, v, s, p: m.argsort(v, descending=True),
     lambda m, x, v, s, p: m.argsort(-v, stable=True)),
    ("sort-descending", lambda m, x, v, s, p: m.sort(v, descending=True), lambda m, x, v, s, p: m.sort(v)[::-1]),
    ("lexsort", *same(lambda m, x, v, s, p: [m.lexsort((v, v % 2)), m.lexsort((x[0], x[1] > 0), axis=0)])),
    *[(f"searchsorted-{side}-{meth}", lambda m, x, v, s, p, side=side, meth=meth:
       m.searchsorted(s, p, side=side, method=meth), lambda m, x, v, s, p, side=side: m.searchsorted(s, p, side=side))
      for side in ("left", "right") for meth in ("scan", "compare_all")],
    ("searchsorted-sorter", *same(lambda m, x, v, s, p: m.searchsorted(v, np.array([0, 2, 5]), sorter=m.argsort(v)))),
    ("searchsorted-scalar", *same(lambda m, x, v, s, p: m.searchsorted(s[:6], 1.5))),
    ("digitize", *same(lambda m, x, v, s, p: [m.digitize(x[0], np.array([-1.0, 0.0, 0.5])),
                                              m.digitize(x[0], np.array([-1.0, 0.0, 0.5]), right=True),
                                              m.digitize(x[0], np.array([0.5, 0.0, -1.0]))])),
    ("take", *same(lambda m, x, v, s, p: [m.take(x, np.array([[0, 4], [1, -1]]), axis=2), m.take(x, 7),
                                          m.take(v, np.array([0, -7, 6]))])),
    ("take-modes", lambda m, x, v, s, p: [m.take(v, np.array([9, -9]), mode="clip"),
                                          m.take(v, np.array([9, -9]), mode="wrap")],
     lambda m, x, v, s, p: [v[np.clip([9, -9], 0, 6)], m.take(v, [9, -9], mode="wrap")]),
    ("take-fill", lambda m, x, v, s, p: [m.take(x[0, 0], np.array([1, 5])), m.take(v, np.array([1, 7]), fill_value=-1)],
     lambda m, x, v, s, p: [np.array([x[0, 0, 1], np.nan], np.float32), np.array([v[1], -1], np.int32)]),
    ("take_along_axis", *same(lambda m, x, v, s, p: [m.take_along_axis(x, m.argsort(x, axis=1), axis=1),
                                                     m.take_along_axis(x, np.array([[[0], [2], [4], [1]]]), axis=2),
                                                     m.take_along_axis(v, np.array([6, 0, -1]), axis=None)])),
]


def test_sorting_and_searching_match_numpy():
    _run_table(SEARCHING, (X, V, SORTED, PROBES))


# ---- value-dependent sizes --------------------------------------------------------------------------------

def _padded(a, size, fill):
    a = np.asarray(a)
    return np.concatenate([a[:size], np.full(max(size - len(a), 0), fill, a.dtype)])


def test_value_dependent_sizes_under_jit():
    m2 = np.array([[0, 1, 0], [2, 0, 3]], np.int32)
    outs = lintra.jit(lambda a, v: [
        jnp.nonzero(a, size=5), jnp.nonzero(a, size=2, fill_value=(-1, -2)), jnp.argwhere(a, size=4, fill_value=9),
        jnp.flatnonzero(a, size=4), jnp.where(a > 0, size=4), jnp.unique(v, size=6),
        jnp.unique(v, return_index=True, return_inverse=True, return_counts=True, size=3),
        jnp.unique(v, size=6, fill_value=-5), jnp.bincount(v, length=3), jnp.bincount(v, weights=v * 0.5, length=6),
        jnp.count_nonzero(a, axis=0), jnp.repeat(v, v, total_repeat_length=12)])(m2, V)
    nz = np.nonzero(m2)
    for got, want in zip(outs[0], nz):
        np.testing.assert_array_equal(got, _padded(want, 5, 0))
    np.testing.assert_array_equal(outs[1][0], nz[0][:2])
    np.testing.assert_array_equal(outs[2], np.concatenate([np.argwhere(m2), [[9, 9]]]))
    np.testing.assert_array_equal(outs[3], _padded(np.flatnonzero(m2), 4, 0))
    np.testing.assert_array_equal(outs[4][1], _padded(np.nonzero(m2 > 0)[1], 4, 0))
    u, idx, inv, cnt = np.unique(V, return_index=True, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(outs[5], _padded(u, 6, u[0]))
    np.testing.assert_array_equal(outs[6][0], u[:3])
    np.testing.assert_array_equal(outs[6][1], idx[:3])
    np.testing.assert_array_equal(outs[6][2], inv)
    np.testing.assert_array_equal(outs[6][3], cnt[:3])
    np.testing.assert_array_equal(outs[7], _padded(u, 6, -5))
    np.testing.assert_array_equal(outs[8], np.bincount(V)[:3])
    np.testing.assert_allclose(outs[9], np.bincount(V, V * 0.5, minlength=6))
    np.testing.assert_array_equal(outs[10], np.count_nonzero(m2, axis=0))
    np.testing.assert_array_equal(outs[11], np.repeat(V, V)[:12])


def test_value_dependent_sizes_of_concrete_inputs():
    """Without size=, the size comes from the values: of host arrays under jit, of arrays eagerly."""
    rows = np.array([[1, 2], [1, 2], [0, 5], [1, 0]], np.int32)
    floats = np.array([1.0, np.nan, 2.0, np.nan, 1.0], np.float32)
    table = [("unique-axis", *same(lambda m: m.unique(rows, axis=0, return_inverse=True, return_counts=True))),
             ("unique-nan", *same(lambda m: m.unique(floats))),      # NaNs collapse, as in NumPy 2
             ("argwhere-0d", *same(lambda m: m.argwhere(np.float32(3.0)))),
             ("bincount", *same(lambda m: m.bincount(V, minlength=6))),
             ("nonzero", *same(lambda m: m.nonzero(rows)))]
    _run_table(table, ())
    for got, want in zip(jnp.nonzero(jnp.asarray(rows)), np.nonzero(rows)):
        np.testing.assert_array_equal(got, want)
    counts = jnp.unique(jnp.asarray(V), return_counts=True)[1]
    np.testing.assert_array_equal(counts, np.unique(V, return_counts=True)[1])


@pytest.mark.parametrize("call, error, message", [
    (lambda a: jnp.nonzero(a), lintra.ConcretizationError, "size="),
    (lambda a: jnp.unique(a), lintra.ConcretizationError, "size="),
    (lambda a: jnp.argwhere(a), lintra.ConcretizationError, "size="),
    (lambda a: jnp.bincount(a), lintra.ConcretizationError, "length="),
    (lambda a: jnp.repeat(a, a), lintra.ConcretizationError, "total_repeat_length"),
    (lambda a: jnp.split(a, 2), ValueError, "equal division"),
    (lambda a: jnp.pad(a, 1, mode="linear_ramp"), ValueError, "not supported"),
    (lambda a: jnp.pad(a, -1), ValueError, "negative"),
    (lambda a: jnp.take(a, a, mode="raise"), ValueError, "concrete indices"),
    (lambda a: jnp.searchsorted(a, 1, side="middle"), ValueError, "side"),
    (lambda a: jnp.quantile(a, 0.5, method="cubic"), ValueError, "method"),
    (lambda a: jnp.diagonal(a), ValueError, "two dimensions"),
    (lambda a: jnp.nonzero(a[0]), ValueError, "0-d"),
])
def test_errors_under_jit(call, error, message):
    with pytest.raises(error, match=message):
        lintra.jit(call)(V)


# ---- creation ------------------------------------------------------------------------------------------------

CREATION = [
    ("linspace", *same(lambda m, a: [m.linspace(0, 1, 5), m.linspace(2.0, 3.0, 4, endpoint=False),
                                     m.linspace(a[:2], a[2:4], 3, axis=1)])),
    ("logspace", *same(lambda m, a: [m.logspace(0, 2, 5), m.logspace(1.0, 2.0, 4, endpoint=False, base=2.0),
                                     m.logspace(a[:2], 1.0, 3, axis=-1)])),
    ("geomspace", *same(lambda m, a: [m.geomspace(1, 1000, 4), m.geomspace(-2.0, -50.0, 5, endpoint=False),
                                      m.geomspace(a[4:6], 8.0, 3, axis=1), m.geomspace(1, 256, 9)])),
]


def test_spaced_ranges_match_numpy():
    _run_table(CREATION, (np.array([0.0, 1.0, 2.0, 3.0, 0.5, 2.0], np.float32),), rtol=2e-6)


# ---- einsum --------------------------------------------------------------------------------------------------

EINSUMS = [
    ("ij,jk,kl,li->", [(3, 4), (4, 5), (5, 6), (6, 3)]),
    ("ab,bc,cd->ad", [(2, 30), (30, 3), (3, 40)]),
    ("ijk,jl,kl,i->l", [(3, 4, 5), (4, 6), (5, 6), (3,)]),
    ("ea,fb,abcd,gc,hd->efgh", [(2, 3), (2, 4), (3, 4, 2, 3), (3, 2), (2, 3)]),
    ("i,i,i->i", [(5,), (5,), (5,)]),
    ("...ij,...jk,k->...i", [(2, 3, 4), (2, 4, 5), (5,)]),
    ("ab,cd,bc->ad", [(2, 3), (4, 5), (3, 4)]),
]


@pytest.mark.parametrize("subscripts, shapes", EINSUMS, ids=[e[0] for e in EINSUMS])
def test_einsum_greedy_path_matches_numpy(subscripts, shapes):
    ops = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
    path, text = jnp.einsum_path(subscripts, *ops)
    want_path, _ = np.einsum_path(subscripts, *ops, optimize="greedy")
    if len(want_path) == len(shapes):     # NumPy contracted pairwise too: then it chose the same pairs
        assert path == want_path, (path, want_path)
    assert len(path) == len(shapes) and all(len(step) == 2 for step in path[1:])
    assert path[0] == "einsum_path" and subscripts in text


def test_einsum_values_and_optimize_argument():
    ops = [(s, [RNG.standard_normal(sh).astype(np.float32) for sh in shapes]) for s, shapes in EINSUMS]
    paths = [jnp.einsum_path(s, *o)[0] for s, o in ops]
    outs = lintra.jit(lambda arrays: [[jnp.einsum(s, *o), jnp.einsum(s, *o, optimize=False),
                                       jnp.einsum(s, *o, optimize=p)] for (s, _), o, p in zip(ops, arrays, paths)])(
        [o for _, o in ops])
    for (s, o), got in zip(ops, outs):
        want = np.einsum(s, *[a.astype(np.float64) for a in o])
        for g, how in zip(got, ("greedy", "left to right", "explicit path")):
            np.testing.assert_allclose(np.asarray(g), want, rtol=2e-4, atol=2e-4, err_msg=f"{s} ({how})")
    chain = ops[1][1]
    with pytest.raises(ValueError, match="contraction path"):
        jnp.einsum("ij,jk,kl->il", *chain, optimize=[(0, 3)])
    with pytest.raises(ValueError, match="leaves 2 operands"):
        jnp.einsum("ij,jk,kl->il", *chain, optimize=[(0, 1)])
    with pytest.raises(ValueError, match="optimize must be"):
        jnp.einsum("ij,jk,kl->il", *chain, optimize="fastest")


def test_greedy_order_is_cheaper_than_left_to_right():
    """(2x30)(30x3)(3x40) left to right costs 2*30*3 + 2*3*40; greedy picks that too; a chain built to need
    the other order must not be contracted from the left."""
    a, b, c = (np.ones(s, np.float32) for s in ((40, 3), (3, 30), (30, 2)))
    path, _ = jnp.einsum_path("ab,bc,cd->ad", a, b, c)
    assert path == ["einsum_path", (1, 2), (0, 1)]
    func = lintra.make_ir(lambda a, b, c: jnp.einsum("ab,bc,cd->ad", a, b, c))(a, b, c)
    first_dot = next(op for op in func.body.ops if op.prim == "dot_general")
    assert [v.type.shape for v in first_dot.operands] == [(3, 30), (30, 2)]


# ---- dtype utilities ------------------------------------------------------------------------------------------

def test_dtype_utilities():
    assert jnp.finfo(jnp.float32).eps == np.finfo(np.float32).eps
    assert jnp.finfo(jnp.bfloat16).bits == 16 and jnp.finfo("float16").max == np.finfo(np.float16).max
    assert jnp.iinfo(jnp.int8).min == -128 and jnp.iinfo(np.uint16).max == 65535
    assert jnp.promote_types(jnp.int8, jnp.uint8) == np.int16
    assert jnp.promote_types(jnp.bfloat16, jnp.float16) == np.float32
    assert jnp.promote_types(np.int32, float) == np.float64
    assert jnp.result_type(jnp.int8, 1.0) == np.float32
    assert jnp.result_type(np.float16, 2) == np.float16 and jnp.result_type(np.int64) == np.int32
    assert jnp.result_type(jnp.asarray(np.uint8(1)), jnp.asarray(np.int8(1))) == np.int16
    assert jnp.can_cast(np.int8, np.int32) and not jnp.can_cast(np.float32, np.int32)
    assert jnp.can_cast(np.float64, np.float32, casting="same_kind")
    assert jnp.issubdtype(jnp.bfloat16, jnp.floating) and not jnp.issubdtype(np.int32, jnp.floating)


# ---- derivatives -----------------------------------------------------------------------------------------------

# (label, lintra function of x, NumPy function of x, x): the gradient of sum(f(x) * w) for a fixed random w,
# against central differences of the NumPy reference in float64.
QX = X[0].astype(np.float32)
GRADS = [
    ("median", lambda m, x: m.median(x, axis=1), QX),
    ("quantile", lambda m, x: m.quantile(x, np.array([0.2, 0.9]), axis=0), QX),
    ("quantile-q", lambda m, q: m.quantile(QX, q, axis=1), np.array([0.13, 0.61], np.float32)),
    ("percentile-nearest", lambda m, x: m.percentile(x, 30.0, method="nearest"), QX),
    ("nanmean", lambda m, x: m.nanmean(m.where(x > 1.0, m.nan, x), axis=0), QX),
    ("nanstd", lambda m, x: m.nanstd(m.where(x > 1.0, m.nan, x), axis=1), QX),
    ("logaddexp", lambda m, x: m.logaddexp(x, x[::-1] * 2), QX),
    ("hypot", lambda m, x: m.hypot(x, 1.5), QX),
    ("sinc", lambda m, x: m.sinc(x), np.array([-1.3, -0.2, 0.4, 2.5], np.float32)),
    ("sort", lambda m, x: m.sort(x, axis=0), QX),
    ("take_along_axis", lambda m, x: m.take_along_axis(x, np.array([[0, 2, 2, 1, 0]] * 4), axis=0), QX),
    ("take", lambda m, x: m.take(x, np.array([3, 3, 0]), axis=1), QX),
    ("pad-reflect", lambda m, x: m.pad(x, ((2, 1), (3, 4)), mode="reflect"), QX),
    ("pad-wrap-edge", lambda m, x: m.pad(m.pad(x, 3, mode="wrap"), 1, mode="edge"), QX),
    ("pad-mean", lambda m, x: m.pad(x, 2, mode="mean"), QX),
    ("roll", lambda m, x: m.roll(x, (1, -2), (0, 1)), QX),
    ("tile-repeat", lambda m, x: m.repeat(m.tile(x, (1, 2)), 2, axis=0), QX),
    ("diag-trace", lambda m, x: m.diag(m.diag(x, 1)) + m.trace(x), QX[:, :4]),
    ("tril-kron", lambda m, x: m.kron(m.tril(x[:, :4]), x[:2, :2]), QX),
    ("einsum", lambda m, x: m.einsum("ij,jk,kl->il", x, x.T, x), QX),
    ("split", lambda m, x: m.array_split(x, 3, axis=1)[1] * 2, QX),
    ("average", lambda m, x: m.average(x, axis=1, weights=m.arange(1.0, 6.0)), QX),
]


def test_gradients_match_finite_differences():
    weights = [RNG.standard_normal(np.shape(f(np, x))) for _, f, x in GRADS]
    grads = lintra.jit(lambda xs: [lintra.grad(lambda v, f=f, w=w: jnp.sum(f(jnp, v) * w))(x)
                                   for (_, f, _), w, x in zip(GRADS, weights, xs)])([x for *_, x in GRADS])
    eps = 1e-6
    for (label, f, x), w, g in zip(GRADS, weights, grads):
        x64 = x.astype(np.float64)
        fd = np.zeros_like(x64)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in np.ndindex(x.shape):
                d = np.zeros_like(x64)
                d[i] = eps
                fd[i] = (np.nansum(f(np, x64 + d) * w) - np.nansum(f(np, x64 - d) * w)) / (2 * eps)
        np.testing.assert_allclose(np.asarray(g), fd, rtol=2e-4, atol=2e-4, err_msg=label)


@pytest.mark.parametrize("f, args", [
    (lambda x, q: jnp.quantile(x, q, axis=1), (QX, np.float32(0.37))),
    (lambda x: jnp.einsum("ij,jk,kl->il", x, jnp.sin(x).T, x), (QX,)),
    (lambda x: jnp.roll(jnp.pad(x, ((1, 2), (2, 0)), mode="symmetric"), 3) * jnp.logaddexp(x[0, 0], 1.0), (QX,)),
], ids=["quantile", "einsum-greedy", "pad-roll-logaddexp"])
def test_check_grads(f, args):
    check_grads(lintra.jit(f), args, order=1)


# ---- vmap --------------------------------------------------------------------------------------------------------

VMAPS = [
    ("quantile", lambda x: jnp.quantile(x, np.array([0.1, 0.5]), axis=0), 1),
    ("median", lambda x: jnp.median(x), 2),
    ("searchsorted", lambda x: jnp.searchsorted(jnp.sort(x[0]), x[1]), 0),
    ("take_along_axis", lambda x: jnp.take_along_axis(x, jnp.argsort(x, axis=1), axis=1), 0),
    ("roll", lambda x: jnp.roll(x, 2, axis=0), 1),
    ("pad", lambda x: jnp.pad(x, ((0, 1), (2, 2)), mode="reflect"), 2),
    ("nonzero", lambda x: jnp.nonzero(x > 0.5, size=3, fill_value=-1), 0),
    ("unique", lambda x: jnp.unique(jnp.round(x), size=4), 1),
    ("diagonal-trace", lambda x: (jnp.diagonal(x, 1), jnp.trace(x)), 0),
    ("einsum", lambda x: jnp.einsum("ij,jk,kl->il", x, x.T, x), 2),
]


def test_vmap_matches_a_loop():
    x = X[:, :3, :4]       # batches of 3 or 4 examples
    outs = lintra.jit(lambda x: [lintra.vmap(f, in_axes=ax)(x) for _, f, ax in VMAPS])(x)
    for (label, f, ax), got in zip(VMAPS, outs):
        one = lintra.jit(f)
        loop = [one(np.take(x, i, axis=ax)) for i in range(x.shape[ax])]
        for g, *per_example in zip(lintra.tree.leaves(got), *[lintra.tree.leaves(o) for o in loop]):
            np.testing.assert_allclose(np.asarray(g), np.stack([np.asarray(p) for p in per_example]), rtol=1e-5,
                                       atol=1e-5, err_msg=label)
