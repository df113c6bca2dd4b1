"""Decompositions and solves of lintra.scipy.linalg, with SciPy's signatures on lax.linalg's primitives.
A right-hand side b is a vector (n,) or matrices (..., n, k); batch dimensions of a and b broadcast."""
import numpy as np

from ... import lax, lax_linalg
from ... import numpy as jnp
from ...control import cond, fori_loop, scan
from ...core import type_of
from ...dtypes import default_float
from ...numpy._util import check_arraylike, convert, describe, result_type_of
from ....ir import types as T


def _inexact(name, *xs):
    """xs as arrays of one inexact dtype; shapes untouched."""
    check_arraylike(name, *xs)
    d, _ = result_type_of(*xs)
    if not T.is_inexact(d):
        d = default_float()
    return [convert(x, d) for x in xs]


def _mH(x):
    return jnp.conj(jnp.swapaxes(x, -1, -2))


def _rhs(name, a, b):
    """(a, b as matrices, whether b was a vector), a and b broadcast to common batch dimensions."""
    at, bt = type_of(a), type_of(b)
    if at.ndim < 2 or at.shape[-1] != at.shape[-2]:
        raise ValueError(f"{name}: a must be square matrices (..., n, n), got {describe(a)}")
    n = at.shape[-1]
    vector = bt.ndim == 1
    if vector:
        b = b[:, None]
        bt = type_of(b)
    if bt.ndim < 2 or bt.shape[-2] != n:
        raise ValueError(f"{name}: b must be a vector ({n},) or matrices (..., {n}, k) for a of shape {at.shape}, "
                         f"got {describe(b)}")
    try:
        batch = np.broadcast_shapes(at.shape[:-2], bt.shape[:-2])
    except ValueError:
        raise ValueError(f"{name}: the batch dimensions of a {describe(a)} and b {describe(b)} do not "
                         f"broadcast") from None
    return jnp.broadcast_to(a, batch + at.shape[-2:]), jnp.broadcast_to(b, batch + bt.shape[-2:]), vector


def _out(x, vector):
    return x[..., 0] if vector else x


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """The Cholesky factor of Hermitian positive-definite a: upper (a = U^H U) unless lower (a = L L^H);
    only that triangle of a is read."""
    a, = _inexact("cholesky", a)
    l_factor = lax_linalg.cholesky(a if lower else _mH(a), symmetrize_input=False)
    return l_factor if lower else _mH(l_factor)


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """(c, lower) for cho_solve; c's other triangle is not zeroed out by SciPy's contract, here it is."""
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """x with a x = b, from cho_factor(a)."""
    c, lower = c_and_lower
    c, b = _inexact("cho_solve", c, b)
    c, b, vector = _rhs("cho_solve", c, b)
    # a = L L^H: solve L y = b, then L^H x = y (with U = L^H when upper)
    b = lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=not lower, conjugate_a=not lower)
    b = lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=lower, conjugate_a=lower)
    return _out(b, vector)


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False, debug=None,
                     check_finite=True):
    """x with op(a) x = b for triangular a; trans 0/'N': a, 1/'T': a^T, 2/'C': a^H."""
    ops = {0: (False, False), "N": (False, False), 1: (True, False), "T": (True, False), 2: (True, True),
           "C": (True, True)}
    if trans not in ops:
        raise ValueError(f"solve_triangular: invalid 'trans' value {trans!r} (expected 0, 1, 2, 'N', 'T' or 'C')")
    transpose_a, conjugate_a = ops[trans]
    a, b = _inexact("solve_triangular", a, b)
    a, b, vector = _rhs("solve_triangular", a, b)
    x = lax_linalg.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                                    conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return _out(x, vector)


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, debug=False, check_finite=True,
          assume_a="gen"):
    """x with a x = b: by LU for 'gen', 'sym' and 'her', by Cholesky for 'pos'."""
    valid = ["gen", "sym", "her", "pos"]
    if assume_a not in valid:
        raise ValueError(f"Expected assume_a to be one of {valid}; got {assume_a!r}")
    if assume_a != "pos":
        return jnp.linalg.solve(a, b)
    return cho_solve(cho_factor(a, lower=lower), b)


def inv(a, overwrite_a=False, check_finite=True):
    return jnp.linalg.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    return jnp.linalg.det(a)


def eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False, turbo=True,
         eigvals=None, type=1, check_finite=True):
    """(w, v): ascending eigenvalues and eigenvectors (columns) of Hermitian a; the standard problem only
    (b=None, type=1, eigvals=None), as in JAX."""
    if b is not None:
        raise NotImplementedError("eigh: only the b=None case is implemented (as in JAX)")
    if type != 1:
        raise NotImplementedError("eigh: only the type=1 case is implemented (as in JAX)")
    if eigvals is not None:
        raise NotImplementedError("eigh: only the eigvals=None case is implemented (as in JAX)")
    a, = _inexact("eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower)
    return w if eigvals_only else (w, v)


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True, lapack_driver="gesdd"):
    a, = _inexact("svd", a)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """(q, r) for mode 'full' or 'economic', (r,) for mode 'r'; with pivoting also p (int32), the column
    permutation of a[:, p] = q r that makes |diag(r)| non-increasing (LAPACK geqp3, CPU)."""
    if mode not in ("full", "r", "economic"):
        raise ValueError(f"Unsupported QR decomposition mode {mode!r} (expected 'full', 'economic' or 'r')")
    a, = _inexact("qr", a)
    q, r, *p = lax_linalg.qr(a, pivoting=bool(pivoting), full_matrices=mode != "economic")
    return ((r,) if mode == "r" else (q, r)) + tuple(p)


def _permutation_matrix(perm, m, dtype):
    """P with P[i, perm[i]] = 1, so that P^T (L U) = a when a[perm] = L U."""
    return (perm[..., :, None] == jnp.arange(m, dtype=type_of(perm).dtype)).astype(dtype)


def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    """(p, l, u) with a = p l u (l unit lower trapezoidal, u upper), or (p l, u) with permute_l."""
    a, = _inexact("lu", a)
    t = type_of(a)
    m, n = t.shape[-2:]
    lu_, _, perm = lax_linalg.lu(a)
    k = min(m, n)
    p = jnp.swapaxes(_permutation_matrix(perm, m, t.dtype), -1, -2)
    l_factor = jnp.tril(lu_, -1)[..., :, :k] + jnp.eye(m, k, dtype=t.dtype)
    u = jnp.triu(lu_)[..., :k, :]
    if permute_l:
        return jnp.matmul(p, l_factor, precision=lax.Precision.HIGHEST), u
    return p, l_factor, u


def lu_factor(a, overwrite_a=False, check_finite=True):
    """(lu, piv): L below and U on and above lu's diagonal; piv LAPACK's row swaps (row i swapped with piv[i])."""
    a, = _inexact("lu_factor", a)
    lu_, pivots, _ = lax_linalg.lu(a)
    return lu_, pivots


def _pivots_to_permutation(pivots, m):
    """The row permutation the swaps make: start from 0..m-1, swap entries i and pivots[i] in turn."""
    batch = type_of(pivots).shape[:-1]
    perm = jnp.broadcast_to(jnp.arange(m, dtype=type_of(pivots).dtype), batch + (m,))
    idx = jnp.arange(m, dtype=type_of(pivots).dtype)
    for i in range(type_of(pivots).shape[-1]):
        j = pivots[..., i:i + 1]
        pi, pj = perm[..., i:i + 1], jnp.take_along_axis(perm, j, axis=-1)
        perm = jnp.where(idx == i, pj, jnp.where(idx == j, pi, perm))
    return perm


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """x with a x = b (trans 0), a^T x = b (1) or a^H x = b (2), from lu_factor(a)."""
    lu_, pivots = lu_and_piv
    if trans not in (0, 1, 2):
        raise ValueError(f"lu_solve: trans must be 0, 1 or 2, got {trans!r}")
    lu_, b = _inexact("lu_solve", lu_, b)
    m = type_of(lu_).shape[-1]
    perm = _pivots_to_permutation(jnp.asarray(pivots), m)
    lu_, b, vector = _rhs("lu_solve", lu_, b)
    perm = jnp.broadcast_to(perm, type_of(lu_).shape[:-1])
    if trans == 0:      # a[perm] = L U
        x = jnp.take_along_axis(b, perm[..., None], axis=-2)
        x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
        x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=False)
    else:               # a^T = U^T L^T P: solve U^T y = b, L^T z = y, then x[perm] = z
        conj = trans == 2
        y = lax_linalg.triangular_solve(lu_, b, left_side=True, lower=False, transpose_a=True, conjugate_a=conj)
        z = lax_linalg.triangular_solve(lu_, y, left_side=True, lower=True, transpose_a=True, conjugate_a=conj,
                                        unit_diagonal=True)
        inverse = jnp.argsort(perm, axis=-1)
        x = jnp.take_along_axis(z, inverse[..., None], axis=-2)
    return _out(x, vector)


def polar(a, side="right", *, method="qdwh", eps=None, max_iterations=None):
    """(u, p) with a = u p (side 'right', p Hermitian positive semidefinite n x n) or a = p u ('left', p
    m x m). Computed from the SVD for either method (JAX iterates QDWH for 'qdwh'; the factors agree to
    rounding)."""
    if side not in ("right", "left"):
        raise ValueError(f"polar: the argument `side` must be either 'right' or 'left', got {side!r}")
    if method not in ("qdwh", "svd"):
        raise ValueError(f"polar: unknown polar decomposition method {method!r} (expected 'qdwh' or 'svd')")
    a, = _inexact("polar", a)
    if type_of(a).ndim < 2:
        raise ValueError(f"polar: the input `a` must be at least a 2-D array, got {describe(a)}")
    w, s, vh = lax_linalg.svd(a, full_matrices=False)
    u = jnp.matmul(w, vh, precision=lax.Precision.HIGHEST)
    s = s.astype(type_of(a).dtype)
    if side == "right":
        p = jnp.matmul(_mH(vh) * s[..., None, :], vh, precision=lax.Precision.HIGHEST)
    else:
        p = jnp.matmul(w * s[..., None, :], _mH(w), precision=lax.Precision.HIGHEST)
    return u, p


def schur(a, output="real"):
    """(T, Z) with a = Z T Z^H: real Schur form (2x2 blocks for complex eigenvalue pairs) or, with
    output='complex', upper triangular T. CPU only (LAPACK gees), as in JAX."""
    if output not in ("real", "complex"):
        raise ValueError(f"schur: output must be 'real' or 'complex', got {output!r}")
    a, = _inexact("schur", a)
    if output == "complex" and not T.is_complex(type_of(a).dtype):
        a = a.astype(T.complex_dtype(type_of(a).dtype))
    return lax_linalg.schur(a)


def _sqrtm_triu(t):
    """The upper-triangular square root U of upper-triangular t (U U = t), column by column (Bjorck and
    Hammarling 1983): U[i, j] = (t[i, j] - sum_{i<k<j} U[i, k] U[k, j]) / (U[i, i] + U[j, j])."""
    diag = jnp.sqrt(jnp.diagonal(t))
    n = type_of(diag).shape[0]
    u = jnp.diag(diag)

    def row(l, state):
        j, u = state
        i = j - 1 - l
        s = fori_loop(i + 1, j, lambda k, acc: acc + u[i, k] * u[k, j], jnp.zeros((), type_of(t).dtype))
        value = jnp.where(t[i, j] == s, 0.0, (t[i, j] - s) / (diag[i] + diag[j]))
        return j, u.at[i, j].set(value)

    return fori_loop(0, n, lambda j, u: fori_loop(0, j, row, (j, u))[1], u)


def sqrtm(A, blocksize=1):
    """The principal matrix square root, by the complex Schur method (a complex result, as JAX); CPU only."""
    if blocksize > 1:
        raise NotImplementedError("sqrtm: the blocked version (blocksize > 1) is not implemented (as in JAX)")
    A, = _inexact("sqrtm", A)
    if type_of(A).ndim != 2 or type_of(A).shape[0] != type_of(A).shape[1]:
        raise ValueError(f"sqrtm: expected a square matrix, got {describe(A)}")
    t, z = schur(A, output="complex")
    return jnp.matmul(jnp.matmul(z, _sqrtm_triu(t), precision=lax.Precision.HIGHEST), _mH(z),
                      precision=lax.Precision.HIGHEST)


def _sylvester_triangular(r, s, f):
    """Y with R Y + Y S = F for upper-triangular R and lower-triangular S, element by element from the
    bottom-right corner (each Y[i, j] needs the entries below it in its column and right of it in its row)."""
    m, n = type_of(f).shape
    rows, cols = jnp.arange(m), jnp.arange(n)

    def step(y, idx):
        i, j = idx // n, idx % n
        row_term = jnp.sum(jnp.where(rows > i, r[i, :] * y[:, j], 0.0))
        col_term = jnp.sum(jnp.where(cols > j, y[i, :] * s[:, j], 0.0))
        return y.at[i, j].set((f[i, j] - row_term - col_term) / (r[i, i] + s[j, j])), None
    return scan(step, jnp.zeros_like(f), jnp.arange(m * n - 1, -1, -1))[0]


def _sylvester_2d(a, b, c, tol, method):
    if method == "schur":
        r, u = schur(a, output="complex")
        s, v = schur(_mH(b), output="complex")
        f = _mH(u) @ c.astype(type_of(r).dtype) @ v
        x = u @ _sylvester_triangular(r, _mH(s), f) @ _mH(v)
        eig_a, eig_b = jnp.diagonal(r), jnp.conj(jnp.diagonal(s))     # the Schur forms' diagonals
    else:
        # A = U_A diag(a) U_A^-1, B likewise: Y = (U_A^-1 C U_B) / (a_i + b_j), X = U_A Y U_B^-1
        eig_a, ua = jnp.linalg.eig(a)
        eig_b, ub = jnp.linalg.eig(b)
        y = jnp.linalg.solve(ua, c.astype(type_of(eig_a).dtype) @ ub) / (eig_a[:, None] + eig_b[None, :])
        x = ua @ y @ jnp.linalg.inv(ub)
    if not T.is_complex(type_of(c).dtype):
        x = jnp.real(x)
    # singular when an eigenvalue of A and one of B sum to ~0
    singular = jnp.any(jnp.abs(eig_a[:, None] + eig_b[None, :]) < tol)
    return jnp.where(singular, np.nan, x)


def solve_sylvester(A, B, C, *, method="schur", tol=1e-8):
    """X with A X + X B = C, by the Bartels-Stewart (complex Schur) method, or with method='eigen' from the
    eigendecompositions of A and B (faster, but A and B must be diagonalizable and well conditioned); NaN
    where A and -B share an eigenvalue (to tol). CPU only (LAPACK gees / geev)."""
    if method not in ("schur", "eigen"):
        raise ValueError(f'Unrecognized method {method}. The two valid methods are either "schur" or "eigen".')
    A, B, C = _inexact("solve_sylvester", A, B, C)
    m, n = type_of(C).shape[-2:]
    if type_of(A).shape[-2:] != (m, m) or type_of(B).shape[-2:] != (n, n):
        raise ValueError(f"Incompatible shapes for Sylvester equation:\nA: {type_of(A).shape}\nB: {type_of(B).shape}\n"
                         f"C: {type_of(C).shape}")
    batch = np.broadcast_shapes(type_of(A).shape[:-2], type_of(B).shape[:-2], type_of(C).shape[:-2])
    if not batch:
        return _sylvester_2d(A, B, C, tol, method)
    A, B, C = (jnp.reshape(jnp.broadcast_to(x, batch + type_of(x).shape[-2:]), (-1,) + type_of(x).shape[-2:])
               for x in (A, B, C))
    out = jnp.stack([_sylvester_2d(A[i], B[i], C[i], tol, method) for i in range(type_of(A).shape[0])])
    return jnp.reshape(out, batch + (m, n))


def qr_multiply(a, c, mode="right", pivoting=False, conjugate=False, overwrite_a=False, overwrite_c=False):
    """(Q c, R) (mode 'left', c with min(m, n) rows) or (c Q, R) ('right', the first min(m, n) columns), Q and
    R from a = Q R (a[:, p] = Q R with pivoting, and p, int32, returned third); with conjugate, Q's complex
    conjugate. Q is formed explicitly (LAPACK applies it implicitly)."""
    if mode not in ("right", "left"):
        raise ValueError(f"mode must be 'right' or 'left', got {mode!r}")
    a, c = _inexact("qr_multiply", a, c)
    onedim = type_of(c).ndim == 1
    if onedim:
        c = c[:, None] if mode == "left" else c[None, :]
    m, n = type_of(a).shape[-2:]
    k = min(m, n)
    if mode == "left" and type_of(c).shape[-2] != k:
        raise ValueError(f"Array shapes are not compatible for Q @ c operation: a has shape {type_of(a).shape} so Q "
                         f"has {k} columns, but c has {type_of(c).shape[-2]} rows (expected {k}).")
    if mode == "right" and type_of(c).shape[-1] != m:
        raise ValueError(f"Array shapes are not compatible for c @ Q operation: a has shape {type_of(a).shape} so Q "
                         f"has {m} rows, but c has {type_of(c).shape[-1]} columns (expected {m}).")
    q, r, *p = lax_linalg.qr(a, pivoting=bool(pivoting), full_matrices=True)
    if conjugate:
        q = jnp.conj(q)
    hi = lax.Precision.HIGHEST
    out = jnp.matmul(q[..., :, :k], c, precision=hi) if mode == "left" else \
        jnp.matmul(c, q, precision=hi)[..., :k]
    return ((jnp.ravel(out) if onedim else out), jnp.triu(r[..., :k, :])) + tuple(p)


def _rsf2csf_2d(t, z):
    """Givens rotations, from the bottom, that zero each subdiagonal entry of the real Schur form's 2x2
    blocks (SciPy's algorithm); each block's rotation is built from its eigenvalue with positive imaginary
    part, the one LAPACK lists first."""
    n = type_of(t).shape[0]
    if n == 1:
        return t, z
    eps = float(np.finfo(type_of(t).dtype).eps)
    idx = jnp.arange(n)

    def rotate(m, t, z):
        a, b, c, d = t[m - 1, m - 1], t[m - 1, m], t[m, m - 1], t[m, m]
        mu = (a + d) / 2 + jnp.sqrt(((a - d) / 2) ** 2 + b * c) - d
        r = jnp.sqrt(jnp.abs(mu) ** 2 + jnp.abs(c) ** 2).astype(type_of(t).dtype)
        cs, sn = mu / r, c / r
        g = jnp.stack([jnp.stack([jnp.conj(cs), sn]), jnp.stack([-sn, cs])])
        rows = lax.dynamic_slice_in_dim(t, m - 1, 2, axis=0)
        right_of = idx >= m - 1
        t = lax.dynamic_update_slice_in_dim(t, jnp.where(right_of, g @ jnp.where(right_of, rows, 0), rows), m - 1,
                                            axis=0)
        cols = lax.dynamic_slice_in_dim(t, m - 1, 2, axis=1)
        above = idx[:, None] < m + 1
        t = lax.dynamic_update_slice_in_dim(t, jnp.where(above, jnp.where(above, cols, 0) @ _mH(g), cols), m - 1,
                                            axis=1)
        z = lax.dynamic_update_slice_in_dim(z, lax.dynamic_slice_in_dim(z, m - 1, 2, axis=1) @ _mH(g), m - 1, axis=1)
        return t, z

    def step(i, tz):
        t, z = tz
        m = n - i
        block = jnp.abs(t[m, m - 1]) > eps * (jnp.abs(t[m - 1, m - 1]) + jnp.abs(t[m, m]))
        t, z = cond(block, lambda args: rotate(m, *args), lambda args: args, (t, z))
        return t.at[m, m - 1].set(0.0), z
    return fori_loop(1, n, step, (t, z))


def rsf2csf(T, Z, check_finite=True):
    """The complex Schur form (T upper triangular, Z unitary) from a real Schur form and its vectors."""
    T, Z = _inexact("rsf2csf", T, Z)
    dt = type_of(T).dtype
    if not np.issubdtype(dt, np.complexfloating):
        T, Z = T.astype(np.result_type(dt, np.complex64)), Z.astype(np.result_type(dt, np.complex64))
    tt, zt = type_of(T), type_of(Z)
    if tt.ndim < 2 or tt.shape[-1] != tt.shape[-2] or zt.shape != tt.shape:
        raise ValueError(f"rsf2csf: T and Z must be square matrices of one shape, got {describe(T)} and {describe(Z)}")
    if tt.ndim == 2:
        return _rsf2csf_2d(T, Z)
    flat_t, flat_z = jnp.reshape(T, (-1,) + tt.shape[-2:]), jnp.reshape(Z, (-1,) + tt.shape[-2:])
    pairs = [_rsf2csf_2d(flat_t[i], flat_z[i]) for i in range(type_of(flat_t).shape[0])]
    return (jnp.reshape(jnp.stack([p[0] for p in pairs]), tt.shape),
            jnp.reshape(jnp.stack([p[1] for p in pairs]), tt.shape))


def _parlett(f, t):
    """Parlett's recurrence (Golub and Van Loan, Algorithm 11.1.1): the strictly upper part of F = func(T)
    for upper-triangular T, superdiagonal by superdiagonal, from F's diagonal; also the smallest |T_jj -
    T_ii| met (a small one means F is inaccurate)."""
    n = type_of(t).shape[0]
    idx = jnp.arange(n)

    def inner(i, state):
        p, f, minden = state
        j = i + p
        s = t[i - 1, j - 1] * (f[j - 1, j - 1] - f[i - 1, i - 1])
        between = (idx >= i) & (idx < j - 1)
        s = s + (jnp.where(between, t[i - 1], 0) @ jnp.where(between, f[:, j - 1], 0)
                 - jnp.where(between, f[i - 1], 0) @ jnp.where(between, t[:, j - 1], 0))
        den = t[j - 1, j - 1] - t[i - 1, i - 1]
        s = jnp.where(den != 0, s / den, s)
        return p, f.at[i - 1, j - 1].set(s), jnp.minimum(minden, jnp.abs(den))

    def outer(p, state):
        _, f, minden = fori_loop(1, n - p + 1, inner, (p, *state))
        return f, minden
    return fori_loop(1, n, outer, (f, jnp.abs(t[0, 0])))


def funm(A, func, disp=True):
    """func(A) for a square matrix A and an elementwise func, through A's complex Schur form and Parlett's
    recurrence; with disp=False also an estimate of the relative error (as SciPy). CPU only (schur)."""
    A = jnp.asarray(A)
    if type_of(A).ndim != 2 or type_of(A).shape[0] != type_of(A).shape[1]:
        raise ValueError(f"funm: expected a square matrix, got {describe(A)}")
    t, z = schur(A)
    t, z = rsf2csf(t, z)
    f, minden = _parlett(jnp.diag(func(jnp.diagonal(t))).astype(type_of(t).dtype), t)
    f = z @ f @ _mH(z)
    if disp:
        return f
    tol = float(np.finfo(np.float32 if type_of(f).dtype == np.complex64 else np.float64).eps)
    minden = jnp.where(minden == 0.0, tol, minden)
    err = jnp.where(jnp.any(jnp.isinf(f)), np.inf,
                    jnp.minimum(1, jnp.maximum(tol, (tol / minden) * jnp.linalg.norm(jnp.triu(t, 1), 1))))
    return f, err


def hessenberg(a, *, calc_q=False, overwrite_a=False, check_finite=True):
    """H (upper Hessenberg, a = Q H Q^H), and Q with calc_q (formed from the reflectors here; JAX uses
    LAPACK's orghr). CPU only (LAPACK gehrd)."""
    a, = _inexact("hessenberg", a)
    t = type_of(a)
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(f"hessenberg: expected square matrices, got {describe(a)}")
    n = t.shape[-1]
    packed, taus = lax_linalg.hessenberg(a)
    h = jnp.triu(packed, -1)
    if not calc_q:
        return h
    # Q = H_0 H_1 ... H_(n-2), H_j = I - tau_j v_j v_j^H with v_j = e_(j+1) + packed[j+2:, j] (rows from 0);
    # the last is trivial for real a, but a complex one makes the last subdiagonal entry real
    q = jnp.broadcast_to(jnp.eye(n, dtype=t.dtype), t.shape)
    rows = jnp.arange(n)
    for j in range(n - 1):
        v = jnp.where(rows == j + 1, 1, jnp.where(rows > j + 1, packed[..., :, j], 0)).astype(t.dtype)
        qv = jnp.einsum("...ij,...j->...i", q, v)
        q = q - taus[..., j, None, None] * qv[..., :, None] * jnp.conj(v)[..., None, :]
    return h, q
