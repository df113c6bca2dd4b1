"""lintra.lax.linalg: matrix factorizations and triangular solves, with jax.lax.linalg's names and signatures.

Every function takes a batch of matrices: the last two dimensions are the matrix, the leading ones the
batch. Inputs must be float32/float64/complex64/complex128 (as in JAX, nothing is promoted here).
"""
from typing import NamedTuple

from ..ir import types as T
from . import lax
from .core import bind, bind1, type_of

__all__ = ["cholesky", "eig", "eigh", "lu", "qr", "svd", "symmetrize", "triangular_solve"]


def _matrices(name, x, square=False):
    t = type_of(x)
    if t.ndim < 2 or (square and t.shape[-1] != t.shape[-2]):
        raise ValueError(f"{name}: expected {'square ' if square else ''}matrices of shape [..., m, "
                         f"{'m' if square else 'n'}], got {t.strong()}")
    if not T.is_inexact(t.dtype) or t.dtype.itemsize < 4:
        raise TypeError(f"{name}: expected a float32, float64, complex64 or complex128 array, got {t.strong()}")
    return t


def _mT(x):
    nd = type_of(x).ndim
    return lax.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _mH(x):
    return lax.conj(_mT(x)) if T.is_complex(type_of(x).dtype) else _mT(x)


def symmetrize(x):
    """(x + x^H) / 2: the Hermitian (symmetric, if real) part of each matrix."""
    return lax.div(lax.add(x, _mH(x)), 2)


def cholesky(x, symmetrize_input: bool = True):
    """The lower-triangular L with x = L L^H, for Hermitian positive-definite x (NaNs where x is not).
    With symmetrize_input=False only the lower triangle of x is read."""
    _matrices("cholesky", x, square=True)
    return bind1("cholesky", symmetrize(x) if symmetrize_input else x)


def triangular_solve(a, b, left_side: bool = False, lower: bool = False, transpose_a: bool = False,
                     conjugate_a: bool = False, unit_diagonal: bool = False):
    """X with op(a) X = b (left_side) or X op(a) = b, where op transposes and/or conjugates a as asked and
    only the triangle of a that `lower` names is read (its diagonal taken as ones with unit_diagonal).
    b is [..., m, k] (left side) or [..., k, m]; a b with one dimension fewer than a is a vector."""
    at = _matrices("triangular_solve", a, square=True)
    bt = type_of(b)
    vector = bt.ndim == at.ndim - 1
    if vector:
        b = lax.expand_dims(b, (bt.ndim if left_side else bt.ndim - 1,))
    _matrices("triangular_solve", b)
    if type_of(b).dtype != at.dtype:
        raise TypeError(f"triangular_solve: a and b must have the same dtype, got {at.strong()} and {bt.strong()}")
    out = bind1("triangular_solve", a, b, left_side=bool(left_side), lower=bool(lower),
                transpose_a=bool(transpose_a), conjugate_a=bool(conjugate_a) and T.is_complex(at.dtype),
                unit_diagonal=bool(unit_diagonal))
    if vector:
        out = lax.squeeze(out, (bt.ndim if left_side else bt.ndim - 1,))
    return out


def eigh(x, lower: bool = True, symmetrize_input: bool = True, sort_eigenvalues: bool = True):
    """(v, w): the eigenvectors (columns of v) and ascending real eigenvalues w of Hermitian x. With
    symmetrize_input=False only the triangle of x that `lower` names is read. (LAPACK's eigenvalues are
    always sorted; sort_eigenvalues is accepted for compatibility.)"""
    _matrices("eigh", x, square=True)
    v, w = bind("eigh", symmetrize(x) if symmetrize_input else x, lower=bool(lower))
    return v, w


def eig(x, *, compute_left_eigenvectors: bool = True, compute_right_eigenvectors: bool = True,
        enable_eigvec_derivs: bool = False, implementation=None, use_magma=None):
    """[w, vl, vr]: the complex eigenvalues of general square matrices x, then the left and right
    eigenvectors (columns, each of unit 2-norm with its largest component real), each only if asked for.
    CPU (LAPACK geev). Eigenvector derivatives need enable_eigvec_derivs=True (valid only for distinct
    eigenvalues). implementation and use_magma choose GPU solvers in JAX; only LAPACK exists here."""
    t = type_of(x)
    if t.ndim < 2:
        raise TypeError(f"Input 0 to eig must have rank at least 2, but got shape={t.shape}")
    if t.shape[-1] != t.shape[-2]:
        raise ValueError(f"The input to eig must be a square matrix. Got shape {t.shape[-2:]}.")
    _matrices("eig", x, square=True)
    if implementation is not None and getattr(implementation, "name", implementation) not in ("LAPACK", "lapack"):
        raise ValueError("Only the lapack implementation is supported on CPU.")
    return list(bind("eig", x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
                     compute_right_eigenvectors=bool(compute_right_eigenvectors),
                     enable_eigvec_derivs=bool(enable_eigvec_derivs)))


def svd(x, full_matrices: bool = True, compute_uv: bool = True):
    """(u, s, vh) with x = u diag(s) vh and s descending; or s alone when compute_uv=False.
    full_matrices=False gives the thin factors (u is [..., m, k], vh [..., k, n], k = min(m, n))."""
    _matrices("svd", x)
    out = bind("svd", x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    if not compute_uv:
        return out[0]
    s, u, vh = out
    return u, s, vh


def qr(x, *, pivoting: bool = False, full_matrices: bool = True, use_magma=None):
    """(q, r) with x = q r, q with orthonormal columns and r upper triangular: q is [..., m, m] and r
    [..., m, n] (full_matrices), or q [..., m, k] and r [..., k, n], k = min(m, n). With pivoting, (q, r, p):
    x[..., :, p] = q r with |diag(r)| non-increasing and p an int32 [..., n] (LAPACK geqp3; CPU).
    use_magma (GPU only in JAX) is accepted and ignored."""
    _matrices("qr", x)
    attrs = {"full_matrices": bool(full_matrices)}
    if pivoting:
        attrs["pivoting"] = True
    return tuple(bind("qr", x, **attrs))


def schur(x, *, compute_schur_vectors=True, sort_eig_vals=False, select_callable=None):
    """(T, Z) with x = Z T Z^H: T upper triangular (complex x) or quasi-triangular with 2x2 blocks for
    complex eigenvalue pairs (real x), Z unitary; (T,) without compute_schur_vectors. CPU (LAPACK gees).
    Eigenvalue sorting is not implemented, as in JAX."""
    _matrices("schur", x, square=True)
    if sort_eig_vals or select_callable is not None:
        raise NotImplementedError("schur: the sort feature of LAPACK's gees routine is not implemented (as in JAX)")
    t, z = bind("schur", x)
    return (t, z) if compute_schur_vectors else (t,)


def hessenberg(a):
    """(a', taus): a reduced to upper Hessenberg form H = Q^H a Q, with H on and above a's first subdiagonal
    and the Householder reflectors of Q below it, their scalar factors in taus. CPU (LAPACK gehrd)."""
    _matrices("hessenberg", a, square=True)
    return tuple(bind("hessenberg", a))


class LuResult(NamedTuple):
    lu: object
    pivots: object
    permutation: object


def lu(x):
    """(lu, pivots, permutation) with partial pivoting: x[..., permutation, :] = L U, where L (unit
    diagonal, not stored) is below lu's diagonal and U on and above it; pivots are LAPACK's row swaps
    (0-based): row i was swapped with row pivots[i], for i = 0, 1, ..., min(m, n) - 1."""
    _matrices("lu", x)
    return LuResult(*bind("lu", x))
