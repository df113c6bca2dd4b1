"""lintra.scipy.linalg: SciPy's linear algebra on Lintra arrays (jax.scipy.linalg): decompositions and
solves (_decomp), tridiagonal eigenproblems (_tridiagonal), the matrix exponential and its Frechet
derivative (_expm), special matrices (_matrices)."""
from ._decomp import (cho_factor, cho_solve, cholesky, det, eigh, funm, hessenberg, inv, lu, lu_factor,  # noqa: F401
                      lu_solve, polar, qr, qr_multiply, rsf2csf, schur, solve, solve_sylvester, solve_triangular,
                      sqrtm, svd)
from ._expm import expm, expm_frechet  # noqa: F401
from ._tridiagonal import eigh_tridiagonal  # noqa: F401
from ._matrices import (block_diag, circulant, companion, convolution_matrix, dft, fiedler,  # noqa: F401
                        fiedler_companion, hadamard, hankel, helmert, hilbert, invhilbert, invpascal, leslie, pascal,
                        toeplitz)
