"""The general (non-Hermitian) eigendecomposition, as jax.lax.linalg.eig_p (LAPACK geev on CPU).

eig(x) {compute_left_eigenvectors, compute_right_eigenvectors, enable_eigvec_derivs}: for square matrices x
(batch dimensions lead), the complex eigenvalues w [..., n], then the left eigenvectors vl and the right ones
vr [..., n, n] (columns), each only if asked for; every result is complex (c64 for f32/c64 x, c128 for
f64/c128). enable_eigvec_derivs only tells the JVP rule that eigenvector derivatives are wanted.
"""
from . import types as T
from .primitive_table import matrices as _matrices, primitive


@primitive("eig")
def _eig(x, compute_left_eigenvectors=True, compute_right_eigenvectors=True, enable_eigvec_derivs=False):
    batch, n, _ = _matrices("eig", x, square=True)
    c = x.update(dtype=T.complex_dtype(x.dtype), weak=False)
    return [c.update(shape=batch + (n,))] + [c] * (bool(compute_left_eigenvectors) + bool(compute_right_eigenvectors))
