"""JVP rule of the general eigendecomposition `eig`, JAX's: eigenvalue derivatives always, eigenvector
derivatives only with enable_eigvec_derivs (they hold only for distinct eigenvalues and a unique
largest-magnitude component per eigenvector, which cannot be checked statically).

With A V = V diag(w) and P = V^-1 dA V: dw = diag(P); dV = V (F * P) + V diag(c), F[i, j] = 1 / (w[j] - w[i])
off the diagonal, and c fixing LAPACK's normalisation (unit 2-norm, real largest component) to first order.
Every tangent is linear in dA: a permutation, triangular solves with V's LU factors, products with primal
matrices, real/imag/complex.
"""
import numpy as np

from .. import types as T
from .jvp import jvp_rule
from .jvp_rules import Emit, NotDifferentiableError
from .linalg_rules import _as, _col, _diag, _eye, _mH, _mm, _mT, _one_hot, _row, _solve

EIGVEC_MESSAGE = ("Derivatives of non-symmetric eigenvectors are only valid under assumptions on the input that "
                  "JAX cannot check (see the enable_eigvec_derivs argument to jax.lax.linalg.eig). Pass "
                  "enable_eigvec_derivs=True to jax.lax.linalg.eig to opt in. See "
                  "https://github.com/jax-ml/jax/issues/2748 for discussion.")


def _lu_solve(b, o, a, rhs):
    """a^-1 rhs through a's LU factors (a[perm] = L U), linear in rhs."""
    packed, _, perm = b.emit("lu", [a], {})
    x = _mm(o, _one_hot(b, o, perm, a.type, rows=True), rhs)
    x = _solve(o, packed, x, left_side=True, lower=True, unit_diagonal=True)
    return _solve(o, packed, x, left_side=True, lower=False)


def _vec_jvp(b, o, w, v, da):
    """(dw, dv) for eigenpairs (w, columns of v) of A, along dA (Giles 2008, sec. 3.1, as JAX)."""
    t = v.type
    nd = t.ndim
    eye = _eye(o, t)
    f = o.sub(o.reciprocal(o.add(eye, o.sub(_row(o, w, t), _col(o, w, t)))), eye)
    p = _mm(o, _lu_solve(b, o, v, da), v)
    u = _mm(o, v, o.mul(f, p))
    # dv_j = u_j + c_j v_j: c_j keeps |v_j| = 1 (real part) and v_j's largest component real (imaginary part)
    k = o.argmax(o.abs(v), axes=(nd - 2,), index_dtype=np.dtype(np.int32))
    rows = b.emit1("iota", [], {"dtype": np.dtype(np.int32), "shape": t.shape, "dimension": nd - 2})
    ks = o.broadcast_in_dim(k, shape=t.shape, broadcast_dimensions=tuple(range(nd - 2)) + (nd - 1,))
    mask = o.indicator(o.eq(rows, ks), v)
    col_sum = lambda x: o.reduce_sum(x, axes=(nd - 2,))
    c = o.complex(o.neg(o.real(col_sum(o.mul(o.conj(v), u)))),
                  o.div(o.neg(o.imag(col_sum(o.mul(mask, u)))), o.real(col_sum(o.mul(mask, v)))))
    return _diag(o, p), o.add(u, o.mul(v, _row(o, c, t)))


@jvp_rule("eig")
def _eig(b, op, ps, ts):
    x, (dx,) = ps[0], ts
    o = Emit(b)
    left, right = op.attrs.get("compute_left_eigenvectors", True), op.attrs.get("compute_right_eigenvectors", True)
    if (left or right) and not op.attrs.get("enable_eigvec_derivs", False):
        raise NotDifferentiableError(EIGVEC_MESSAGE)
    outs = b.emit("eig", ps, dict(op.attrs, compute_right_eigenvectors=True))
    w, vr = outs[0], outs[-1]
    da = _as(o, dx, T.complex_dtype(x.type.dtype))
    if not (left or right):
        # dw_i = (vr^-1 dA vr)_ii = sum_j (vr^-1 dA)[i, j] vr[j, i]
        return [w], [o.reduce_sum(o.mul(_lu_solve(b, o, vr, da), _mT(o, vr)), axes=(vr.type.ndim - 1,))]
    dw, dvr = _vec_jvp(b, o, w, vr, da)
    primals, tangents = [w], [dw]
    if left:
        primals.append(outs[1])
        tangents.append(_vec_jvp(b, o, o.conj(w), outs[1], _mH(o, da))[1])
    if right:
        primals.append(vr)
        tangents.append(dvr)
    return primals, tangents
