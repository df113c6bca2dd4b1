"""Histograms and 1-D interpolation: histogram_bin_edges histogram histogram2d histogramdd interp.

Bin counts are scatter-adds of each sample's bin (searchsorted on the edges), so they are jit-able; as in
NumPy the last bin is closed on the right."""
import operator

import numpy as np

from ...ir import types as T
from .. import dtypes as _dtypes
from ..core import bind1, type_of
from ._util import (asvalue, check_arraylike, convert, describe, full_like_type as _c, promote_args,
                    result_type_of, select as _where)
from .creation import linspace
from .index_arrays import ravel_multi_index
from .indexing import getitem
from .manipulation import concatenate, ravel, reshape, stack
from .reductions import max as _max, min as _min, sum as _sum
from .searching import argsort, bincount, searchsorted, take
from .ufuncs import remainder
from .differences import diff


_range = range   # the argument `range` shadows the builtin inside histogram functions


def _float(name, x):
    x, = promote_args(name, x, kind="inexact")
    return x


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """The bin edges histogram uses: `bins` equal bins over range (or a's min..max, widened by 0.5 either
    side when they are equal), or the given edges."""
    check_arraylike("histogram_bin_edges", a)
    a = ravel(_float("histogram_bin_edges", a))
    if not isinstance(bins, (int, np.integer)):
        check_arraylike("histogram_bin_edges", bins)
        edges = asvalue(bins)
        if type_of(edges).ndim != 1:
            raise ValueError(f"histogram: bins must be an int or a 1-D array of edges, got {describe(edges)}")
        return convert(edges, type_of(a).dtype)
    nbins = operator.index(bins)
    if nbins < 1:
        raise ValueError(f"histogram: the number of bins must be positive, got {nbins}")
    d = type_of(a).dtype
    if range is None:
        lo, hi = _min(a), _max(a)
    else:
        if len(range) != 2:
            raise ValueError(f"histogram: range must be a pair (min, max), got {range!r}")
        lo, hi = convert(asvalue(range[0]), d), convert(asvalue(range[1]), d)
    same = bind1("eq", lo, hi)
    lo = _where(same, bind1("sub", lo, _c(lo, 0.5)), lo)
    hi = _where(same, bind1("add", hi, _c(hi, 0.5)), hi)
    return linspace(lo, hi, nbins + 1, dtype=d)


def _bcast(scalar, like):
    return bind1("broadcast_in_dim", scalar, shape=type_of(like).shape, broadcast_dimensions=())


def _bin_of(x, edges):
    """Each sample's bin index in 1..len(edges)-1 (0 below, len(edges) above); the last edge belongs to the
    last bin."""
    n = type_of(edges).shape[0]
    idx = searchsorted(edges, x, side="right")
    return _where(bind1("eq", x, _bcast(getitem(edges, n - 1), x)), _c(idx, n - 1), idx)


def histogram(a, bins=10, range=None, weights=None, density=None):
    """(counts, edges): samples (weighted) per bin, as floats; density=True divides by the total times the
    bin width."""
    check_arraylike("histogram", a)
    x = ravel(_float("histogram", a))
    edges = histogram_bin_edges(x, bins, range)
    n = type_of(edges).shape[0]
    d = type_of(x).dtype
    w = _c(x, 1) if weights is None else convert(ravel(weights), d)
    counts = bincount(_bin_of(x, edges), w, length=n + 1)
    counts = getitem(counts, slice(1, n))
    if density:
        widths = diff(edges)
        counts = bind1("div", bind1("div", counts, bind1("broadcast_in_dim", _sum(counts), shape=(n - 1,),
                                                         broadcast_dimensions=())), widths)
    return counts, edges


def histogramdd(sample, bins=10, range=None, weights=None, density=None):
    """(counts, [edges per dimension]) for N samples of D coordinates (sample of shape (N, D))."""
    check_arraylike("histogramdd", sample)
    s = _float("histogramdd", sample)
    if type_of(s).ndim != 2:
        raise ValueError(f"histogramdd: sample must be 2-D (N, D), got {describe(s)}")
    num, dims = type_of(s).shape
    if isinstance(bins, (int, np.integer)):
        bins = [bins] * dims
    if len(bins) != dims:
        raise ValueError(f"histogramdd: bins must have one entry per dimension ({dims}), got {len(bins)}")
    if range is None:
        range = [None] * dims
    edges, idx = [], []
    for k in _range(dims):
        col = getitem(s, (slice(None), k))
        e = histogram_bin_edges(col, bins[k], range[k])
        edges.append(e)
        idx.append(_bin_of(col, e))
    shape = tuple(type_of(e).shape[0] + 1 for e in edges)
    flat = ravel_multi_index(tuple(idx), shape, mode="clip")
    if weights is None and not density:
        w = None
    else:
        w = _c(getitem(s, (slice(None), 0)), 1) if weights is None else convert(ravel(weights), type_of(s).dtype)
    counts = bincount(flat, w, length=int(np.prod(shape)))
    counts = reshape(counts, shape)
    counts = getitem(counts, tuple(slice(1, -1) for _ in shape))
    if density:
        counts = bind1("div", counts, bind1("broadcast_in_dim", _sum(counts), shape=type_of(counts).shape,
                                            broadcast_dimensions=()))
        for k, e in enumerate(edges):
            w_k = diff(e)
            counts = bind1("div", counts, bind1("broadcast_in_dim", w_k, shape=type_of(counts).shape,
                                                broadcast_dimensions=(k,)))
    return counts, edges


def histogram2d(x, y, bins=10, range=None, weights=None, density=None):
    """(counts, x edges, y edges): histogramdd of the pairs (x[i], y[i])."""
    check_arraylike("histogram2d", x, y)
    x, y = promote_args("histogram2d", ravel(x), ravel(y), kind="inexact")
    if hasattr(bins, "shape"):
        bins = [bins, bins]    # one array of edges for both dimensions (a list gives one entry per dimension)
    counts, (ex, ey) = histogramdd(stack([x, y], axis=1), bins, range, weights, density)
    return counts, ex, ey


def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of the points (xp, fp) (xp increasing) at x; left/right give the values
    outside (fp's ends by default; 'extrapolate' continues the end segments); period wraps x and xp."""
    check_arraylike("interp", x, xp, fp)
    x, xp = _float("interp", x), _float("interp", xp)
    xd, _ = result_type_of(x, xp)
    x, xp = convert(x, xd), convert(xp, xd)
    fp = asvalue(fp)
    fd = type_of(fp).dtype if T.is_complex(type_of(fp).dtype) else np.dtype(
        np.result_type(xd, type_of(fp).dtype if T.is_inexact(type_of(fp).dtype) else xd))
    fp = convert(fp, fd)
    if type_of(xp).ndim != 1 or type_of(fp).ndim != 1 or type_of(xp).shape != type_of(fp).shape:
        raise ValueError(f"interp: xp and fp must be 1-D of the same length, got {describe(xp)} and {describe(fp)}")
    if period is not None:
        if isinstance(left, str) or isinstance(right, str):
            raise ValueError("interp: left/right='extrapolate' cannot be used with period")
        p = convert(asvalue(period), xd)
        x, xp = remainder(x, p), remainder(xp, p)
        order = argsort(xp)
        xp, fp = take(xp, order), take(fp, order)
        p1 = bind1("broadcast_in_dim", p, shape=(1,), broadcast_dimensions=())
        xp = concatenate([bind1("sub", getitem(xp, slice(-1, None)), p1), xp, bind1("add", getitem(xp, slice(0, 1)),
                                                                                     p1)])
        fp = concatenate([getitem(fp, slice(-1, None)), fp, getitem(fp, slice(0, 1))])
    n = type_of(xp).shape[0]
    i = searchsorted(xp, x, side="right")
    i = bind1("clamp", _c(i, 1), i, _c(i, n - 1))
    below_i = bind1("sub", i, _c(i, 1))
    x0, x1, f0, f1 = take(xp, below_i), take(xp, i), take(fp, below_i), take(fp, i)
    dx = bind1("sub", x1, x0)
    flat = bind1("eq", dx, _c(dx, 0))
    t = convert(bind1("div", bind1("sub", x, x0), _where(flat, _c(dx, 1), dx)), fd)
    out = _where(flat, f0, bind1("add", f0, bind1("mul", t, bind1("sub", f1, f0))))
    if period is None:
        below = bind1("lt", x, _bcast(getitem(xp, 0), x))
        above = bind1("gt", x, _bcast(getitem(xp, n - 1), x))
        if not (isinstance(left, str) and left == "extrapolate"):
            lv = getitem(fp, 0) if left is None else convert(asvalue(left), fd)
            out = _where(below, _bcast(lv, out), out)
        if not (isinstance(right, str) and right == "extrapolate"):
            rv = getitem(fp, n - 1) if right is None else convert(asvalue(right), fd)
            out = _where(above, _bcast(rv, out), out)
    return out
