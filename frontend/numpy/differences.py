"""Differences and integrals along an axis: diff, ediff1d, gradient, unwrap, trapezoid; and cross."""
import numpy as np

from ...ir import types as T
from .. import lax
from ..core import bind1, type_of
from ._util import (asvalue, broadcast_to, canon_axis, check_arraylike, convert, describe, full_like_type as _c,
                    promote_args, result_type_of, select as _where)
from .manipulation import concatenate, moveaxis, ravel, stack
from .reductions import cumsum, sum as _sum
from .ufuncs import absolute, multiply, remainder, subtract


def _along(x, ax, start, stop):
    return lax.slice_in_dim(x, start, stop, axis=ax)


def _diff1(x, ax):
    n = type_of(x).shape[ax]
    hi, lo = _along(x, ax, 1, n), _along(x, ax, 0, max(n - 1, 0))
    return bind1("ne", hi, lo) if T.is_bool(type_of(x).dtype) else bind1("sub", hi, lo)


def _as_slab(v, like, ax):
    """prepend=/append= values: a scalar becomes a size-1 slab along `ax`, an array broadcasts to one."""
    t = type_of(like)
    v = convert(asvalue(v), t.dtype, t.weak)
    if type_of(v).ndim == 0:
        return broadcast_to(v, tuple(1 if i == ax else n for i, n in enumerate(t.shape)))
    return v


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The n-th discrete difference along axis (booleans give a != neighbour, as NumPy)."""
    check_arraylike("diff", a)
    a = asvalue(a)
    if a.type.ndim == 0:
        raise ValueError(f"diff requires input that is at least one dimensional; got {describe(a)}")
    if n < 0:
        raise ValueError(f"diff: order must be non-negative but got {n!r}")
    ax = canon_axis(axis, a.type.ndim)
    # as JAX: prepend and append take part in the type promotion
    d, weak = result_type_of(*[v for v in (a, prepend, append) if v is not None])
    a = convert(a, d, weak)
    parts = ([_as_slab(prepend, a, ax)] if prepend is not None else []) + [a] + \
        ([_as_slab(append, a, ax)] if append is not None else [])
    x = concatenate(parts, axis=ax) if len(parts) > 1 else a
    for _ in range(n):
        x = _diff1(x, ax)
    return x


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of the flattened array, with to_begin before and to_end after (in ary's dtype)."""
    check_arraylike("ediff1d", ary)
    flat = ravel(ary)
    d = type_of(flat).dtype
    out = bind1("sub", _along(flat, 0, 1, type_of(flat).size), _along(flat, 0, 0, max(type_of(flat).size - 1, 0)))
    parts = [ravel(convert(asvalue(to_begin), d))] if to_begin is not None else []
    parts.append(out)
    if to_end is not None:
        parts.append(ravel(convert(asvalue(to_end), d)))
    return concatenate(parts) if len(parts) > 1 else out


def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    """p with jumps larger than max(discont, period/2) along axis replaced by their period complements."""
    check_arraylike("unwrap", p)
    p, = promote_args("unwrap", p, kind="inexact")
    if T.is_complex(p.type.dtype):
        raise ValueError(f"unwrap does not support complex input; got {describe(p)}")
    ax = canon_axis(axis, p.type.ndim)
    half = period / 2
    discont = half if discont is None else discont
    dd = _diff1(p, ax)
    ddmod = bind1("sub", remainder(bind1("add", dd, _c(dd, half)), period), _c(dd, half))
    # values exactly at -period/2 keep their direction, as NumPy's boundary rule says
    ddmod = _where(bind1("and", bind1("eq", ddmod, _c(dd, -half)), bind1("gt", dd, _c(dd, 0))), _c(dd, half), ddmod)
    correct = bind1("sub", ddmod, dd)
    correct = _where(bind1("lt", absolute(dd), _c(dd, discont)), _c(dd, 0), correct)
    shape = list(p.type.shape)
    shape[ax] = 1
    zero = broadcast_to(convert(0, p.type.dtype), tuple(shape))
    return bind1("add", p, concatenate([zero, cumsum(correct, axis=ax)], axis=ax))


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """The integral of y along axis by the trapezoidal rule, over sample points x or spacing dx."""
    check_arraylike("trapezoid", y)
    if x is None:
        y, = promote_args("trapezoid", y, kind="inexact")
        d = dx
    else:
        y, x = promote_args("trapezoid", y, x, kind="inexact") if type_of(x).ndim == type_of(y).ndim else \
            (promote_args("trapezoid", y, kind="inexact")[0], asvalue(x))
        x = convert(x, type_of(y).dtype)
        ax = canon_axis(axis, type_of(y).ndim)
        d = diff(x, axis=ax if type_of(x).ndim == type_of(y).ndim else -1)
        if type_of(x).ndim == 1 and type_of(y).ndim > 1:     # 1-D sample points along `axis`
            d = moveaxis(broadcast_to(d, (1,) * (type_of(y).ndim - 1) + type_of(d).shape), -1, ax)
    ax = canon_axis(axis, type_of(y).ndim)
    n = type_of(y).shape[ax]
    mids = bind1("add", _along(y, ax, 1, n), _along(y, ax, 0, max(n - 1, 0)))
    return multiply(_sum(multiply(d, mids), axis=ax), 0.5)


def gradient(f, *varargs, axis=None, edge_order=None):
    """Second-order central differences inside, first-order one-sided at the edges (as NumPy with
    edge_order=1); spacings are scalars or coordinate arrays per axis."""
    check_arraylike("gradient", f)
    if edge_order is not None and edge_order != 1:
        raise ValueError(f"gradient: edge_order={edge_order!r} is not supported; JAX and Lintra use first-order "
                         f"one-sided differences at the edges (edge_order=1)")
    # as JAX: the spacings take part in the type promotion
    d, weak = result_type_of(f, *[h for h in varargs if np.ndim(h) == 0 or hasattr(h, "dtype")])
    f, = promote_args("gradient", convert(asvalue(f), d, weak), kind="inexact")
    nd = f.type.ndim
    axes = tuple(range(nd)) if axis is None else \
        tuple(canon_axis(a, nd) for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if len(varargs) == 0:
        spacing = [1.0] * len(axes)
    elif len(varargs) == 1:
        spacing = list(varargs) * len(axes)
    elif len(varargs) == len(axes):
        spacing = list(varargs)
    else:
        raise TypeError(f"gradient: invalid number of spacing arguments: {len(varargs)} for {len(axes)} axes")
    out = []
    for ax, h in zip(axes, spacing):
        n = f.type.shape[ax]
        if n < 2:
            raise ValueError(f"gradient: shape of axis {ax} of {describe(f)} must be at least 2")
        if type_of(h).ndim == 0:
            edge = _full_like(_along(f, ax, 0, 1), h, 1)
            inner = bind1("div", bind1("sub", _along(f, ax, 2, n), _along(f, ax, 0, n - 2)),
                          _full_like(_along(f, ax, 0, n - 2), h, 2))
            first = bind1("div", bind1("sub", _along(f, ax, 1, 2), _along(f, ax, 0, 1)), edge)
            last = bind1("div", bind1("sub", _along(f, ax, n - 1, n), _along(f, ax, n - 2, n - 1)), edge)
        else:
            x = convert(asvalue(h), f.type.dtype)
            dx = diff(x)
            shape = [1] * nd
            shape[ax] = -1
            d1, d2 = lax.slice_in_dim(dx, 0, n - 2), lax.slice_in_dim(dx, 1, n - 1)
            r = lambda v: lax.reshape(v, tuple(type_of(v).shape[0] if i == ax else 1 for i in range(nd)))
            d1, d2 = r(d1), r(d2)
            a = bind1("div", bind1("neg", d2), bind1("mul", d1, bind1("add", d1, d2)))
            b = bind1("div", bind1("sub", d2, d1), bind1("mul", d1, d2))
            c = bind1("div", d1, bind1("mul", d2, bind1("add", d1, d2)))
            inner = _sum3(f, ax, n, a, b, c)
            first = bind1("div", bind1("sub", _along(f, ax, 1, 2), _along(f, ax, 0, 1)),
                          broadcast_to(r(lax.slice_in_dim(dx, 0, 1)), type_of(_along(f, ax, 0, 1)).shape))
            last = bind1("div", bind1("sub", _along(f, ax, n - 1, n), _along(f, ax, n - 2, n - 1)),
                         broadcast_to(r(lax.slice_in_dim(dx, n - 2, n - 1)), type_of(_along(f, ax, 0, 1)).shape))
        out.append(concatenate([first, inner, last], axis=ax))
    return out[0] if len(out) == 1 else out


def _full_like(like, h, k):
    return broadcast_to(bind1("mul", convert(asvalue(h), type_of(like).dtype), convert(k, type_of(like).dtype)),
                        type_of(like).shape)


def _sum3(f, ax, n, a, b, c):
    shape = type_of(_along(f, ax, 0, n - 2)).shape
    terms = [bind1("mul", broadcast_to(w, shape), _along(f, ax, s, s + n - 2)) for w, s in ((a, 0), (b, 1), (c, 2))]
    return bind1("add", bind1("add", terms[0], terms[1]), terms[2])


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """The cross product of 2- or 3-vectors along axisa/axisb, placed along axisc (a 2-vector pair gives the
    scalar z component)."""
    check_arraylike("cross", a, b)
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = asvalue(a), asvalue(b)
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    na, nb = type_of(a).shape[-1], type_of(b).shape[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError(f"cross: incompatible dimensions for cross product (dimension must be 2 or 3), got "
                         f"{describe(a)} and {describe(b)}")
    comp = lambda v, i: lax.index_in_dim(v, i, axis=-1, keepdims=False)
    a0, a1, a2 = comp(a, 0), comp(a, 1), (comp(a, 2) if na == 3 else 0)
    b0, b1, b2 = comp(b, 0), comp(b, 1), (comp(b, 2) if nb == 3 else 0)
    z = subtract(multiply(a0, b1), multiply(a1, b0))
    if na == 2 and nb == 2:
        return z
    x = subtract(multiply(a1, b2), multiply(a2, b1))
    y = subtract(multiply(a2, b0), multiply(a0, b2))
    x, y, z = promote_args("cross", x, y, z)
    return moveaxis(stack([x, y, z], axis=-1), -1, axisc)
