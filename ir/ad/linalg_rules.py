"""JVP rules of the linear-algebra primitives, and the transpose of triangular_solve (linear in b).

The formulas are the ones JAX uses. Each tangent is built from ops linear in the input tangent (matrix
products with primal factors, triangular solves with a primal matrix, masks, conj/real/imag), so reverse
mode comes from transposing it. Matrices are the last two dimensions; batch dimensions lead.
"""
import numpy as np

from .. import types as T
from .jvp import jvp_rule
from .jvp_rules import Emit, NotDifferentiableError, primal
from .transpose import is_linear, transpose_rule
from .transpose_rules import LINEAR


# ---- matrix helpers (o is an Emit) ---------------------------------------------------------------------

def _mT(o, x):
    nd = x.type.ndim
    return o.transpose(x, permutation=tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _mH(o, x):
    x = _mT(o, x)
    return o.conj(x) if T.is_complex(x.type.dtype) else x


def _mm(o, x, y):
    """Batched matrix product x @ y (the batch dimensions of x and y are equal)."""
    nd = x.type.ndim
    batch = tuple(range(nd - 2))
    return o.dot_general(x, y, lhs_contracting=(nd - 1,), rhs_contracting=(nd - 2,), lhs_batch=batch,
                         rhs_batch=batch)


def _const(o, value, t):
    """The numpy array `value` (of the matrix shape t.shape[-2:]) as a constant of t's type, batched."""
    c = o.b.constant(np.asarray(value, t.dtype))
    if c.type.shape == t.shape:
        return c
    nd = t.ndim
    return o.broadcast_in_dim(c, shape=t.shape, broadcast_dimensions=tuple(range(nd - c.type.ndim, nd)))


def _masked(o, x, keep):
    """x times a 0/1 (or weight) matrix `keep`, broadcast over x's batch dimensions."""
    return o.mul(x, _const(o, keep, x.type))


def _tri(o, x, lower, k=0):
    m, n = x.type.shape[-2:]
    return _masked(o, x, np.tril(np.ones((m, n)), k) if lower else np.triu(np.ones((m, n)), k))


def _eye(o, t):
    return _const(o, np.eye(*t.shape[-2:]), t)


def _row(o, v, t):
    """The vector v (batch + (n,)) as rows of a matrix of type t: entry [i, j] = v[j]."""
    nd = t.ndim
    return o.broadcast_in_dim(v, shape=t.shape, broadcast_dimensions=tuple(range(nd - 2)) + (nd - 1,))


def _col(o, v, t):
    """Entry [i, j] = v[i]."""
    nd = t.ndim
    return o.broadcast_in_dim(v, shape=t.shape, broadcast_dimensions=tuple(range(nd - 1)))


def _diag(o, x):
    """The diagonal of square matrices x: batch + (n,)."""
    return o.reduce_sum(o.mul(x, _eye(o, x.type)), axes=(x.type.ndim - 1,))


def _as(o, x, dtype):
    return x if x.type.dtype == dtype else o.convert_element_type(x, new_dtype=np.dtype(dtype), weak_type=False)


def _solve(o, a, rhs, **attrs):
    full = dict(left_side=False, lower=False, transpose_a=False, conjugate_a=False, unit_diagonal=False)
    full.update(attrs)
    return o.triangular_solve(a, rhs, **full)


def _one_hot(b, o, perm, t, rows):
    """The permutation matrix (of t's dtype, shape batch + (k, k)) of the i32 vectors perm: P[i, j] =
    (perm[i] == j) when rows (P x = x[perm]), P[i, j] = (perm[j] == i) otherwise (x P = x[..., :, perm])."""
    k = perm.type.shape[-1]
    square = t.update(shape=perm.type.shape[:-1] + (k, k), weak=False)
    nd = square.ndim
    iota = b.emit1("iota", [], {"dtype": np.dtype(np.int32), "shape": square.shape, "dimension": nd - 1 if rows
                                else nd - 2})
    hit = o.eq((_col if rows else _row)(o, perm, square.update(dtype=np.int32)), iota)
    return o.select(hit, _const(o, np.ones((k, k)), square), _const(o, np.zeros((k, k)), square))


# ---- cholesky ------------------------------------------------------------------------------------------

@jvp_rule("cholesky")
def _cholesky(b, op, ps, ts):
    """dL = L Phi(L^-1 dA L^-H), Phi taking the lower triangle with the diagonal halved (Murray 2016)."""
    (out,), o = primal(b, op, ps), Emit(b)
    n = out.type.shape[-1]
    tmp = _solve(o, out, ts[0], left_side=False, lower=True, transpose_a=True, conjugate_a=True)
    inner = _solve(o, out, tmp, left_side=True, lower=True)
    return [out], [_mm(o, out, _masked(o, inner, np.tril(np.ones((n, n))) - 0.5 * np.eye(n)))]


# ---- triangular_solve -------------------------------------------------------------------------------------

@jvp_rule("triangular_solve")
def _triangular_solve(b, op, ps, ts):
    """Linear in b; in a, dX = -op(A)^-1 op(dA) X (left side) or -X op(dA) op(A)^-1, with dA restricted to
    the triangle the solve reads, and products ordered as the cheaper way round (as JAX)."""
    (a, rhs), (ta, tb) = ps, ts
    (x,), o = primal(b, op, ps), Emit(b)
    attrs = op.attrs
    t = None if tb is None else o.triangular_solve(a, tb, **attrs)
    if ta is not None:
        lower, unit = attrs.get("lower", False), attrs.get("unit_diagonal", False)
        k = (-1 if lower else 1) if unit else 0
        ga = o.neg(_tri(o, ta, lower, k))
        if attrs.get("transpose_a", False):
            ga = _mT(o, ga)
        if attrs.get("conjugate_a", False) and T.is_complex(ga.type.dtype):
            ga = o.conj(ga)
        m, n = x.type.shape[-2:]
        inv = lambda v: o.triangular_solve(a, v, **attrs)
        if attrs.get("left_side", False):
            ta_term = inv(_mm(o, ga, x)) if m > n else _mm(o, inv(ga), x)
        else:
            ta_term = inv(_mm(o, x, ga)) if m < n else _mm(o, x, inv(ga))
        t = ta_term if t is None else o.add(t, ta_term)
    return [x], [t]


LINEAR.add("triangular_solve")


@transpose_rule("triangular_solve")
def _triangular_solve_transpose(b, op, cts, operands):
    """B -> op(A)^-1 B transposes (without conjugation) to C -> op(A)^-T C: flip transpose_a."""
    ct, = cts
    a, _ = operands
    if is_linear(a):
        raise TypeError("triangular_solve is linear in its right-hand side b only, not in the matrix a")
    attrs = dict(op.attrs, transpose_a=not op.attrs.get("transpose_a", False))
    return [None, b.emit1("triangular_solve", [a, ct], attrs)]


# ---- eigh -------------------------------------------------------------------------------------------------

@jvp_rule("eigh")
def _eigh(b, op, ps, ts):
    """With A = V diag(w) V^H: dw = re diag(V^H dA V), dV = V (F * (V^H dA V)), F[i, j] = 1 / (w[j] - w[i])
    off the diagonal and 0 on it."""
    (v, w), o = primal(b, op, ps), Emit(b)
    t = v.type
    wc = _as(o, w, t.dtype)
    eye = _eye(o, t)
    gaps = o.add(eye, o.sub(_row(o, wc, t), _col(o, wc, t)))
    f = o.sub(o.reciprocal(gaps), eye)
    inner = _mm(o, _mm(o, _mH(o, v), ts[0]), v)
    dv = _mm(o, v, o.mul(f, inner))
    dw = _diag(o, inner)
    return [v, w], [dv, o.real(dw) if T.is_complex(t.dtype) else dw]


# ---- svd --------------------------------------------------------------------------------------------------

@jvp_rule("svd")
def _svd(b, op, ps, ts):
    """JAX's rule (after Townsend, "Differentiating the singular value decomposition"): from the thin SVD
    A = U diag(s) V^H and dS = U^H dA V, ds = re diag(dS); dU and dV from the off-diagonal part of dS,
    plus the components of dA outside the span of U (tall A) or V (wide A)."""
    x, (da,) = ps[0], ts
    o = Emit(b)
    m, n = x.type.shape[-2:]
    full, compute_uv = op.attrs.get("full_matrices", False), op.attrs.get("compute_uv", True)
    if compute_uv and full and m != n:
        raise NotDifferentiableError("Singular value decomposition JVP not implemented for full matrices "
                                     f"(of the non-square {x.type}): use full_matrices=False")
    outs = primal(b, op, ps)
    s, u, vt = outs if compute_uv else b.emit("svd", ps, {"full_matrices": False, "compute_uv": True})
    dtype = x.type.dtype
    ut, v = _mH(o, u), _mH(o, vt)
    ds_mat = _mm(o, _mm(o, ut, da), v)
    ds = _diag(o, ds_mat)
    ds = o.real(ds) if T.is_complex(dtype) else ds
    if not compute_uv:
        return outs, [ds]
    kk = ds_mat.type                                # k x k
    kr = kk.update(dtype=s.type.dtype)
    s_row, s_col = _row(o, s, kr), _col(o, s, kr)
    eye = _eye(o, kr)
    f = o.sub(o.reciprocal(o.add(o.mul(o.add(s_row, s_col), o.sub(s_row, s_col)), eye)), eye)
    f = _as(o, f, dtype)
    s_row_c, s_col_c = _as(o, s_row, dtype), _as(o, s_col, dtype)
    dss, sds = o.mul(s_row_c, ds_mat), o.mul(s_col_c, ds_mat)     # dS diag(s), diag(s) dS
    du_inner = o.mul(f, o.add(dss, _mH(o, dss)))
    if T.is_complex(dtype):
        # the imaginary diagonal of dS, shared between dU and dV: put in dU (JAX's choice)
        zero = o.eq(s, o.c(s, 0))
        s_inv = o.select(zero, o.c(s, 0), o.reciprocal(o.select(zero, o.c(s, 1), s)))
        s_inv_mat = o.mul(_as(o, _row(o, s_inv, kr), dtype), _eye(o, kk))
        du_inner = o.add(du_inner, o.mul(o.mul(o.c(ds_mat, 0.5), o.sub(ds_mat, _mH(o, ds_mat))), s_inv_mat))
    du = _mm(o, u, du_inner)
    dv = _mm(o, v, o.mul(f, o.add(sds, _mH(o, sds))))
    if m > n:
        dav = _mm(o, da, v)
        du = o.add(du, o.div(o.sub(dav, _mm(o, u, _mm(o, ut, dav))), _as(o, _row(o, s, dav.type.update(
            dtype=s.type.dtype)), dtype)))
    if n > m:
        dahu = _mm(o, _mH(o, da), u)
        dv = o.add(dv, o.div(o.sub(dahu, _mm(o, v, _mm(o, vt, dahu))), _as(o, _row(o, s, dahu.type.update(
            dtype=s.type.dtype)), dtype)))
    return outs, [ds, du, _mH(o, dv)]


# ---- qr ---------------------------------------------------------------------------------------------------

def _thin_qr_tangents(o, q, r, dx):
    """Townsend, "Differentiating the QR decomposition", for A = Q R with square R: with C = Q^H dA R^-1 and
    the skew-Hermitian Omega built from C's strictly lower triangle, dQ = Q (Omega - C) + dA R^-1 and
    dR = (C - Omega) R."""
    dx_rinv = _solve(o, r, dx)                       # dA R^-1
    c = _mm(o, _mH(o, q), dx_rinv)
    low = _tri(o, c, lower=True, k=-1)
    omega = o.sub(low, _mH(o, low))
    if T.is_complex(c.type.dtype):                    # Omega's imaginary diagonal, fixed by R's real one
        im = o.imag(c)
        omega = o.add(omega, o.mul(_eye(o, c.type), o.complex(o.c(im, 0), im)))
    return o.add(_mm(o, q, o.sub(omega, c)), dx_rinv), _mm(o, o.sub(c, omega), r)


def _cols(o, x, start, stop):
    """x[..., :, start:stop]"""
    nd = x.type.ndim
    return o.slice(x, start_indices=(0,) * (nd - 1) + (start,), limit_indices=x.type.shape[:-1] + (stop,))


def _rows(o, x, start, stop):
    """x[..., start:stop, :]"""
    nd = x.type.ndim
    return o.slice(x, start_indices=(0,) * (nd - 2) + (start, 0),
                   limit_indices=x.type.shape[:-2] + (stop, x.type.shape[-1]))


def _right_inverse_apply(b, o, a, rhs):
    """rhs A^-1 for square A, through A's LU factors (P A = L U, so rhs A^-1 = rhs U^-1 L^-1 P)."""
    packed, _, perm = b.emit("lu", [a], {})
    y = _solve(o, _tri(o, packed, lower=False), rhs)
    y = _solve(o, _tri(o, packed, lower=True, k=-1), y, lower=True, unit_diagonal=True)
    return _mm(o, y, _one_hot(b, o, perm, a.type, rows=True))


@jvp_rule("qr")
def _qr(b, op, ps, ts):
    """JAX's rule. m >= n: the thin rule on Q[:, :n], R[:n]; with full_matrices the extra columns of the
    Householder Q follow Roberts & Roberts (arXiv:2409.13374, eqs. 32-33), with Z = Q_pn (Q_nn - I)^-1.
    m < n: A = Q [R1 R2] splits into the square QR A1 = Q R1 and R2 = Q^H A2, so dR2 = dQ^H A2 + Q^H dA2
    (A2 written as Q R2, which stays right under pivoting: JAX 0.10.2 uses the unpermuted A2 there)."""
    x, (dx,) = ps[0], ts
    m, n = x.type.shape[-2:]
    outs, o = primal(b, op, ps), Emit(b)
    q, r = outs[:2]
    if op.attrs.get("pivoting", False):             # x[..., :, p] = q r: permute dx's columns alike
        dx = _mm(o, dx, _one_hot(b, o, outs[2], dx.type, rows=False))
    if m == 0 or n == 0:                             # nothing to move: Q is a fixed identity block, R empty
        return outs, [None] * len(outs)
    nd = x.type.ndim
    if m < n:
        r2 = _cols(o, r, m, n)
        dq, dr1 = _thin_qr_tangents(o, q, _cols(o, r, 0, m), _cols(o, dx, 0, m))
        dr2 = o.add(_mm(o, _mm(o, _mH(o, dq), q), r2), _mm(o, _mH(o, q), _cols(o, dx, m, n)))
        return outs, [dq, o.concatenate(dr1, dr2, dimension=nd - 1)] + [None] * (len(outs) - 2)
    full = op.attrs.get("full_matrices", False) and m > n
    q_mn, r_nn = (_cols(o, q, 0, n), _rows(o, r, 0, n)) if full else (q, r)
    dq, dr = _thin_qr_tangents(o, q_mn, r_nn, dx)
    if full:
        q_nn, q_pn, q_mp = _rows(o, q_mn, 0, n), _rows(o, q_mn, n, m), _cols(o, q, n, m)
        z = _right_inverse_apply(b, o, o.sub(q_nn, _eye(o, q_nn.type)), q_pn)       # Z_pn, primal only
        dq_nn, dq_pn = _rows(o, dq, 0, n), _rows(o, dq, n, m)
        dq_mp = o.sub(_mm(o, dq, _mH(o, z)),
                      _mm(o, o.add(q_mn, _mm(o, q_mp, z)), _mH(o, o.sub(dq_pn, _mm(o, z, dq_nn)))))
        dq = o.concatenate(dq, dq_mp, dimension=nd - 1)
        zero = b.constant(np.zeros((), dr.type.dtype))
        dr = o.pad(dr, zero, padding_config=((0, 0, 0),) * (nd - 2) + ((0, m - n, 0), (0, 0, 0)))
    return outs, [dq, dr] + [None] * (len(outs) - 2)


# ---- schur, hessenberg -------------------------------------------------------------------------------------------

@jvp_rule("schur", "hessenberg")
def _schur(b, op, ps, ts):
    """JAX defines no derivative of the Schur decomposition or the Hessenberg reduction."""
    raise NotDifferentiableError(f"Differentiation rule for '{op.prim}' not implemented (as in JAX): {op.prim} of "
                                 f"{op.operands[0].type}")


# ---- lu ---------------------------------------------------------------------------------------------------

@jvp_rule("lu")
def _lu(b, op, ps, ts):
    """De Hoog, Anderssen and Lukas: with P A = L U and X = L^-1 P dA U^-1,
    dL = L tril(X, -1) and dU = triu(X) U (the pivots do not change)."""
    x, (dx,) = ps[0], ts
    (packed, pivots, perm), o = primal(b, op, ps), Emit(b)
    t = x.type
    batch, (m, n) = t.shape[:-2], t.shape[-2:]
    k = min(m, n)
    nd = t.ndim
    p = _one_hot(b, o, perm, t.update(shape=batch + (m, m)), rows=True)
    pdx = _mm(o, p, dx)
    zero = b.constant(np.zeros((), t.dtype))
    no_pad = ((0, 0, 0),) * (nd - 2)
    lower_part = o.slice(packed, start_indices=(0,) * nd, limit_indices=batch + (m, k))
    l_mat = o.pad(_tri(o, lower_part, lower=True, k=-1), zero, padding_config=no_pad + ((0, 0, 0), (0, m - k, 0)))
    l_mat = o.add(l_mat, _eye(o, l_mat.type))
    upper_part = o.slice(packed, start_indices=(0,) * nd, limit_indices=batch + (k, n))
    u_mat = o.pad(_tri(o, upper_part, lower=False), zero, padding_config=no_pad + ((0, n - k, 0), (0, 0, 0)))
    u_mat = o.add(u_mat, _const(o, np.diag(np.arange(n) >= k).astype(float), u_mat.type))
    la = _solve(o, l_mat, pdx, left_side=True, lower=True, unit_diagonal=True)
    lau = _solve(o, u_mat, la, left_side=False, lower=False)
    dlu = o.add(_mm(o, l_mat, _tri(o, lau, lower=True, k=-1)), _mm(o, _tri(o, lau, lower=False), u_mat))
    return [packed, pivots, perm], [dlu, None, None]
