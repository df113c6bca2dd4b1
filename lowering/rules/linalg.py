"""Lowering of the linear-algebra primitives.

cholesky, triangular_solve, eigh, eig, svd, qr, lu, schur and hessenberg call jaxlib's LAPACK FFI handlers
(typed FFI, api_version 4, attributes in a dictionary backend_config): LAPACK works on column-major
matrices, so the custom calls declare column-major layouts for matrices (batch dimensions stay major),
and XLA transposes around them. A factorization that LAPACK reports as failed comes back as NaNs, as in
JAX.
"""
import numpy as np

from ...ir import types as T
from ...ir.types import TensorType
from ..registry import rule
from ..mlir import chlo, dense_constant, hlo, ir, lapack_target, tensor_type
from .elementwise import compare
from .structural import reduce


# ---- helpers ------------------------------------------------------------------------------------------

def _splat(value, t: TensorType):
    return hlo.broadcast_in_dim(tensor_type(t), dense_constant(np.array(value, t.dtype)), [])


def _keep_triangle(x, t: TensorType, lower):
    """x with zeros above (lower) or below (upper) the diagonal of each matrix."""
    it = tensor_type(t.update(dtype=np.int32))
    rows, cols = hlo.iota(it, t.ndim - 2), hlo.iota(it, t.ndim - 1)
    return hlo.select(compare(rows, cols, "GE" if lower else "LE", np.int32), x, _splat(0, t))


def _layout(rank, matrix):
    """minor_to_major: column-major in the last two dimensions for matrices, row-major otherwise."""
    order = [rank - 2, rank - 1] + list(range(rank - 3, -1, -1)) if matrix else list(range(rank - 1, -1, -1))
    return ir.DenseIntElementsAttr.get(np.array(order, np.int64), type=ir.IndexType.get())


def _lapack(routine, dtype, operands, operand_types, result_types, matrices, aliases=(), **attrs):
    """Call LAPACK `routine` (as jaxlib names its FFI handler) on `operands`; `matrices` says which
    operands and results (in that order) are matrices; `aliases` (result, operand) pairs share a buffer;
    attrs are the handler's options: a character is a u8 option (LAPACK's job letters), an int an i32."""
    u8, i32 = ir.IntegerType.get_unsigned(8), ir.IntegerType.get_signless(32)
    config = ir.DictAttr.get({k: ir.IntegerAttr.get(u8, ord(v)) if isinstance(v, str) else ir.IntegerAttr.get(i32, v)
                              for k, v in attrs.items()})
    single = len(result_types) == 1
    call = hlo.CustomCallOp(
        [tensor_type(t) for t in result_types], list(operands), lapack_target(routine, dtype),
        backend_config=config, api_version=ir.IntegerAttr.get(ir.IntegerType.get_signless(32), 4),
        operand_layouts=ir.ArrayAttr.get([_layout(t.ndim, m) for t, m in zip(operand_types, matrices)]),
        result_layouts=ir.ArrayAttr.get([_layout(t.ndim, m) for t, m in
                                         zip(result_types, matrices[len(operand_types):])]),
        output_operand_aliases=ir.ArrayAttr.get([
            hlo.OutputOperandAlias.get([] if single else [r], o, []) for r, o in aliases]) if aliases else None)
    return list(call.results)


def _nan_where_failed(x, t: TensorType, info, batch, ok="EQ"):
    """x, with NaNs for the batch members whose LAPACK info fails `info <ok> 0`."""
    ok = compare(info, _splat(0, TensorType(batch, np.int32)), ok, np.int32)
    ok = hlo.broadcast_in_dim(tensor_type(t.update(dtype=np.bool_)), ok, list(range(len(batch))))
    nan = complex(np.nan, np.nan) if T.is_complex(t.dtype) else np.nan
    return hlo.select(ok, x, _splat(nan, t))


def _slice(x, t: TensorType, rows, cols):
    """The leading rows x cols block of each matrix."""
    limits = list(t.shape[:-2]) + [rows, cols]
    if limits == list(t.shape):
        return x
    return hlo.slice(x, [0] * t.ndim, limits, [1] * t.ndim)


# ---- StableHLO ops -----------------------------------------------------------------------------------

@rule("cholesky")
def _cholesky(ctx, op, x):
    """LAPACK's potrf, as JAX lowers it on CPU: NaNs in every entry of a matrix that is not positive
    definite (XLA's expansion would leave the columns before the failure); the upper triangle is zero."""
    t = op.results[0].type
    batch = t.shape[:-2]
    factor, info = _lapack("potrf", t.dtype, [x], [t], [t, TensorType(batch, np.int32)], [True, True, False],
                           aliases=[(0, 0)], uplo="L")
    return [_keep_triangle(_nan_where_failed(factor, t, info, batch), t, lower=True)]


@rule("triangular_solve")
def _triangular_solve(ctx, op, a, b):
    """LAPACK's trsm, as JAX lowers it on CPU: XLA's own expansion of stablehlo.triangular_solve inverts
    diagonal blocks, so a zero on the diagonal gives NaN where back substitution gives +-inf."""
    at, bt = op.operands[0].type, op.operands[1].type
    attrs = op.attrs
    conjugate = attrs.get("conjugate_a", False) and T.is_complex(at.dtype)
    transpose = attrs.get("transpose_a", False)
    if conjugate and not transpose:     # LAPACK conjugates only together with transposing
        a, conjugate = chlo.conj(a), False
    x, = _lapack("trsm", at.dtype, [a, b], [at, bt], [bt], [True, True, True], aliases=[(0, 1)],
                 side="L" if attrs.get("left_side", False) else "R", uplo="L" if attrs.get("lower", False) else "U",
                 trans_x=("C" if conjugate else "T") if transpose else "N",
                 diag="U" if attrs.get("unit_diagonal", False) else "N")
    return [x]


# ---- LAPACK ------------------------------------------------------------------------------------------

@rule("eigh")
def _eigh(ctx, op, x):
    t = op.operands[0].type
    vt, wt = op.results[0].type, op.results[1].type
    batch = t.shape[:-2]
    info_t = TensorType(batch, np.int32)
    v, w, info = _lapack("heevd" if T.is_complex(t.dtype) else "syevd", t.dtype, [x], [t], [vt, wt, info_t],
                         [True, True, False, False], uplo="L" if op.attrs.get("lower", True) else "U", mode="V")
    return [_nan_where_failed(v, vt, info, batch), _nan_where_failed(w, wt, info, batch)]


@rule("eig")
def _eig(ctx, op, x):
    """geev, as JAX lowers it on CPU: real x gives the eigenvalues' real and imaginary parts (joined here)
    and complex eigenvectors; the handler always takes buffers for both sets of eigenvectors."""
    t = op.operands[0].type
    batch = t.shape[:-2]
    c = t.update(dtype=T.complex_dtype(t.dtype))
    w_t, info_t = c.update(shape=t.shape[:-1]), TensorType(batch, np.int32)
    left, right = op.attrs.get("compute_left_eigenvectors", True), op.attrs.get("compute_right_eigenvectors", True)
    parts = [t.update(shape=t.shape[:-1])] * 2 if not T.is_complex(t.dtype) else [w_t]
    *w, vl, vr, info = _lapack("geev", t.dtype, [x], [t], parts + [c, c, info_t],
                               [True] + [False] * len(parts) + [True, True, False],
                               compute_left="V" if left else "N", compute_right="V" if right else "N")
    w = hlo.complex(*w) if len(w) == 2 else w[0]
    return [_nan_where_failed(v, vt, info, batch) for v, vt, want in ((w, w_t, True), (vl, c, left), (vr, c, right))
            if want]


@rule("svd")
def _svd(ctx, op, x):
    t = op.operands[0].type
    batch, (m, n) = t.shape[:-2], t.shape[-2:]
    k = min(m, n)
    full, compute_uv = op.attrs.get("full_matrices", False), op.attrs.get("compute_uv", True)
    st = op.results[0].type
    if compute_uv:
        ut, vht = op.results[1].type, op.results[2].type
    else:       # LAPACK leaves u and vt alone, but the handler still wants buffers of a consistent shape
        ut, vht = t.update(shape=batch + (m, k)), t.update(shape=batch + (k, n))
    mode = ("A" if full else "S") if compute_uv else "N"
    info_t = TensorType(batch, np.int32)
    _, s, u, vh, info = _lapack("gesdd", t.dtype, [x], [t], [t, st, ut, vht, info_t],
                                [True, True, False, True, True, False], mode=mode)
    outs = [_nan_where_failed(s, st, info, batch)]
    if compute_uv:
        outs += [_nan_where_failed(u, ut, info, batch), _nan_where_failed(vh, vht, info, batch)]
    return outs


@rule("qr")
def _qr(ctx, op, x):
    """geqrf (geqp3 with pivoting, as JAX on CPU) leaves R in the upper triangle and the Householder
    reflectors below it; orgqr/ungqr builds Q from the reflectors (padded with zero columns first for a
    full Q of a tall matrix). geqp3 also returns its column permutation, 1-based."""
    t = op.operands[0].type
    batch, (m, n) = t.shape[:-2], t.shape[-2:]
    k = min(m, n)
    qt, rt = op.results[0].type, op.results[1].type
    tau_t = TensorType(batch + (k,), t.dtype)
    pivots = []
    if op.attrs.get("pivoting", False):
        piv_t = op.results[2].type
        # jpvt in: all zeros (every column free to move); out: the permutation
        packed, jpvt, tau = _lapack("geqp3", t.dtype, [x, _splat(0, piv_t)], [t, piv_t], [t, piv_t, tau_t],
                                    [True, False, True, False, False], aliases=((0, 0), (1, 1)))
        pivots = [hlo.subtract(jpvt, _splat(1, piv_t))]
    else:
        packed, tau = _lapack("geqrf", t.dtype, [x], [t], [t, tau_t], [True, True, False])
    if m < n:
        reflectors = _slice(packed, t, m, m)
    elif qt.shape[-1] > n:
        none, high = [0] * t.ndim, [0] * (t.ndim - 1) + [m - n]
        reflectors = hlo.pad(packed, dense_constant(np.zeros((), t.dtype)), none, high, none)
    else:
        reflectors = packed
    # the reflectors have Q's shape in every case
    q, = _lapack("ungqr" if T.is_complex(t.dtype) else "orgqr", t.dtype, [reflectors, tau], [qt, tau_t], [qt],
                 [True, False, True])
    r = _keep_triangle(_slice(packed, t, rt.shape[-2], n), rt, lower=False)
    return [q, r] + pivots


@rule("schur")
def _schur(ctx, op, x):
    """gees with Schur vectors and no eigenvalue ordering: T overwrites x; the eigenvalues (real and
    imaginary parts for real x) and the count of selected ones are not used."""
    t = op.operands[0].type
    batch = t.shape[:-2]
    w_t = TensorType(t.shape[:-1], t.dtype)
    i32 = TensorType(batch, np.int32)
    eigvals = [w_t] if T.is_complex(t.dtype) else [w_t, w_t]
    outs = _lapack("gees", t.dtype, [x], [t], [t, t] + eigvals + [i32, i32],
                   [True, True, True] + [False] * len(eigvals) + [False, False], aliases=((0, 0),),
                   mode="V", sort="N")
    schur_form, vectors, info = outs[0], outs[1], outs[-1]
    return [_nan_where_failed(schur_form, t, info, batch), _nan_where_failed(vectors, t, info, batch)]


@rule("hessenberg")
def _hessenberg(ctx, op, x):
    """gehrd over the whole matrix (ilo = 1, ihi = n): H and the reflectors packed in one matrix, and taus."""
    t = op.operands[0].type
    batch = t.shape[:-2]
    tau_t = op.results[1].type
    packed, taus, info = _lapack("gehrd", t.dtype, [x], [t], [t, tau_t, TensorType(batch, np.int32)],
                                 [True, True, False, False], aliases=((0, 0),), low=1, high=t.shape[-1])
    return [_nan_where_failed(packed, t, info, batch), _nan_where_failed(taus, tau_t, info, batch)]


@rule("lu")
def _lu(ctx, op, x):
    """getrf: L (unit diagonal, not stored) and U packed in one matrix, and 1-based row swaps."""
    t = op.operands[0].type
    batch, m = t.shape[:-2], t.shape[-2]
    _, piv_t, perm_t = (r.type for r in op.results)
    packed, ipiv, info = _lapack("getrf", t.dtype, [x], [t], [t, piv_t, TensorType(batch, np.int32)],
                                 [True, True, False, False])
    pivots = hlo.subtract(ipiv, _splat(1, piv_t))
    # info > 0 says U is singular, which LU still represents
    packed = _nan_where_failed(packed, t, info, batch, ok="GE")
    return [packed, pivots, _permutation(pivots, piv_t, perm_t)]


def _permutation(pivots, piv_t: TensorType, perm_t: TensorType):
    """The permutation that applying the row swaps i <-> pivots[i], i = 0, 1, ..., to range(m) makes: a
    while loop over i whose body swaps two entries of every batch member at once (entry j is found by
    comparing with an iota, as j differs between batch members)."""
    k, nd = piv_t.shape[-1], perm_t.ndim
    perm = hlo.iota(tensor_type(perm_t), nd - 1)
    if k == 0:
        return perm
    i32 = tensor_type(TensorType((), np.int32))
    types = [i32, tensor_type(perm_t), tensor_type(piv_t)]
    loop = hlo.WhileOp(types, [dense_constant(np.array(0, np.int32)), perm, pivots])
    cond = loop.regions[0].blocks.append(*types)
    with ir.InsertionPoint(cond):
        hlo.return_([compare(cond.arguments[0], dense_constant(np.array(k, np.int32)), "LT", np.int32)])
    body = loop.regions[1].blocks.append(*types)
    with ir.InsertionPoint(body):
        i, p, piv = body.arguments
        starts = [dense_constant(np.array(0, np.int32))] * (nd - 1) + [i] if nd > 1 else [i]
        column = lambda v, vt: hlo.dynamic_slice(v, starts, list(vt.shape[:-1]) + [1])
        wide = lambda v: hlo.broadcast_in_dim(tensor_type(perm_t), hlo.reshape(
            tensor_type(perm_t.update(shape=perm_t.shape[:-1])), v), list(range(nd - 1)))
        j, p_i = wide(column(piv, piv_t)), wide(column(p, perm_t))
        positions = hlo.iota(tensor_type(perm_t), nd - 1)
        at_j = compare(positions, j, "EQ", np.int32)
        p_j, = reduce(None, [hlo.select(at_j, p, _splat(0, perm_t))], [dense_constant(np.array(0, np.int32))],
                      [nd - 1], lambda a, b: [hlo.add(a[0], b[0])],
                      result_types=[tensor_type(perm_t.update(shape=perm_t.shape[:-1]))])
        p_j = hlo.broadcast_in_dim(tensor_type(perm_t), p_j, list(range(nd - 1)))
        at_i = compare(positions, hlo.broadcast_in_dim(tensor_type(perm_t), i, []), "EQ", np.int32)
        swapped = hlo.select(at_i, p_j, hlo.select(at_j, p_i, p))
        hlo.return_([hlo.add(i, dense_constant(np.array(1, np.int32))), swapped, piv])
    return loop.results[1]
