"""Products built on dot_general: dot, matmul, vdot, inner, outer, tensordot, einsum."""
import string

import numpy as np

from ...ir import types as T
from ...runtime.mesh import PartitionSpec
from .. import lax
from ..core import bind1, type_of
from ..explicit import out_sharding_attrs, with_out_sharding
from ._util import (broadcast_to, canon_axis, check_arraylike, convert, describe, prod_int,
                    result_type_of, to_dtype)
from .manipulation import ravel, reshape, transpose
from .ufuncs import conjugate, multiply


def _promote(name, preferred, *xs):
    """Convert operands to their common dtype (or to preferred_element_type, which sets the result's)."""
    check_arraylike(name, *xs)
    if preferred is not None:
        return [convert(x, to_dtype(preferred)) for x in xs]
    d, weak = result_type_of(*xs)
    return [convert(x, d, weak) for x in xs]


def _dot_general(lhs, rhs, lc, rc, lb=(), rb=(), out_sharding=None, what="dot_general", precision=None):
    attrs = dict(lhs_contracting=tuple(lc), rhs_contracting=tuple(rc), lhs_batch=tuple(lb), rhs_batch=tuple(rb))
    precision = lax.canonical_precision(precision)     # None: jax_default_matmul_precision's, if set
    if precision is not None:
        attrs["precision"] = precision
    ndim = type_of(lhs).ndim + type_of(rhs).ndim - len(lc) - len(rc) - len(lb)
    return bind1("dot_general", lhs, rhs, **attrs, **out_sharding_attrs(out_sharding, ndim, what))


def _check_sizes(name, a, b, ia, ib):
    sa, sb = type_of(a).shape, type_of(b).shape
    if sa[ia] != sb[ib]:
        raise ValueError(f"{name}: shapes {describe(a)} and {describe(b)} are not aligned: dimension {ia} of the "
                         f"first ({sa[ia]}) != dimension {ib} of the second ({sb[ib]})")


def dot(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
    """NumPy's dot: a product of scalars, an inner product of vectors, or a contraction of a's last axis with
    b's second-to-last."""
    a, b = _promote("dot", preferred_element_type, a, b)
    na, nb = type_of(a).ndim, type_of(b).ndim
    if na == 0 or nb == 0:
        return multiply(a, b)
    ib = 0 if nb == 1 else nb - 2
    _check_sizes("dot", a, b, na - 1, ib)
    return _dot_general(a, b, [na - 1], [ib], out_sharding=out_sharding, what="dot", precision=precision)


def matmul(a, b, *, precision=None, preferred_element_type=None, out_sharding=None):
    """a @ b: matrix products over the last two axes, broadcasting the leading (batch) axes."""
    a, b = _promote("matmul", preferred_element_type, a, b)
    sa, sb = type_of(a).shape, type_of(b).shape
    for i, s in enumerate((sa, sb)):
        if not s:
            raise ValueError(f"matmul: operand {i} ({describe((a, b)[i])}) is a scalar; matmul needs arrays of at "
                             f"least one dimension (use multiply for scalars)")
    na, nb = len(sa), len(sb)
    ib = 0 if nb == 1 else nb - 2
    _check_sizes("matmul", a, b, na - 1, ib)
    if na == 1 or nb <= 2:
        # a vector on the left, or b without batch axes: a plain contraction already gives the result's order
        return _dot_general(a, b, [na - 1], [ib], out_sharding=out_sharding, what="matmul", precision=precision)
    if na == 2:
        out = _dot_general(a, b, [1], [ib], precision=precision)    # (n, *batch, m)
        perm = list(range(1, nb - 1)) + [0, nb - 1]
        return with_out_sharding(transpose(out, perm), out_sharding, "matmul")
    try:
        batch = tuple(np.broadcast_shapes(sa[:-2], sb[:-2]))
    except ValueError:
        raise ValueError(f"matmul: the batch dimensions of {describe(a)} and {describe(b)} do not broadcast "
                         f"together") from None
    a = broadcast_to(a, batch + sa[-2:], "matmul")
    b = broadcast_to(b, batch + sb[-2:], "matmul")
    nbatch = len(batch)
    return _dot_general(a, b, [nbatch + 1], [nbatch], range(nbatch), range(nbatch), out_sharding, "matmul",
                        precision=precision)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    """The dot product of the flattened arrays, conjugating the first."""
    check_arraylike("vdot", a, b)
    a = conjugate(a)
    return dot(ravel(a), ravel(b), precision=precision, preferred_element_type=preferred_element_type)


def inner(a, b, *, precision=None, preferred_element_type=None):
    a, b = _promote("inner", preferred_element_type, a, b)
    na, nb = type_of(a).ndim, type_of(b).ndim
    if na == 0 or nb == 0:
        return multiply(a, b)
    _check_sizes("inner", a, b, na - 1, nb - 1)
    return _dot_general(a, b, [na - 1], [nb - 1], precision=precision)


def outer(a, b):
    check_arraylike("outer", a, b)
    return multiply(reshape(ravel(a), (-1, 1)), reshape(ravel(b), (1, -1)))


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None, out_sharding=None):
    """Contract the last `axes` axes of a with the first of b, or the axes listed as (a_axes, b_axes)."""
    a, b = _promote("tensordot", preferred_element_type, a, b)
    na, nb = type_of(a).ndim, type_of(b).ndim
    if isinstance(axes, (int, np.integer)):
        n = int(axes)
        if not 0 <= n <= min(na, nb):
            raise ValueError(f"tensordot: axes={n} must be between 0 and the smaller rank of {describe(a)} and "
                             f"{describe(b)}")
        ax_a, ax_b = list(range(na - n, na)), list(range(n))
    else:
        try:
            ax_a, ax_b = axes
        except (TypeError, ValueError):
            raise TypeError(f"tensordot: axes must be an int or a pair of axis sequences, got {axes!r}") from None
        ax_a = [ax_a] if isinstance(ax_a, (int, np.integer)) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, (int, np.integer)) else list(ax_b)
        if len(ax_a) != len(ax_b):
            raise ValueError(f"tensordot: axes {axes!r} name different numbers of axes of a and b")
        ax_a = [canon_axis(x, na) for x in ax_a]
        ax_b = [canon_axis(x, nb) for x in ax_b]
    for i, j in zip(ax_a, ax_b):
        _check_sizes("tensordot", a, b, i, j)
    return _dot_general(a, b, ax_a, ax_b, out_sharding=out_sharding, what="tensordot", precision=precision)


# ---- einsum ------------------------------------------------------------------------------------------

def _parse(subscripts, shapes):
    """Input label lists and output labels, with each operand's '...' spelled out as fresh labels."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    in_specs = inputs.split(",")
    if len(in_specs) != len(shapes):
        raise ValueError(f"einsum: subscripts {subscripts!r} name {len(in_specs)} operands, but {len(shapes)} were "
                         f"given")
    used = set(spec)
    fresh = [c for c in string.ascii_letters if c not in used]
    for part in in_specs + [output]:
        body = part.replace("...", "")
        if "." in body or any(c not in string.ascii_letters for c in body):
            raise ValueError(f"einsum: invalid subscripts {subscripts!r}: labels must be letters, with at most one "
                             f"'...' per operand")
    n_ell = []
    for part, shape in zip(in_specs, shapes):
        n_named = len(part.replace("...", ""))
        n = len(shape) - n_named if "..." in part else 0
        if n < 0 or ("..." not in part and n_named != len(shape)):
            raise ValueError(f"einsum: operand with subscripts {part!r} has {len(shape)} dimensions (shape "
                             f"{tuple(shape)}), which does not match the number of labels")
        n_ell.append(n)
    ell = fresh[:max(n_ell, default=0)]
    labels = []
    for part, n in zip(in_specs, n_ell):
        head, _, tail = part.partition("...")
        labels.append(list(head) + (ell[len(ell) - n:] if n else []) + list(tail))
    if arrow:
        head, dots, tail = output.partition("...")
        out = list(head) + (ell if dots else []) + list(tail)
    else:
        counts = {}
        for ls in labels:
            for c in ls:
                counts[c] = counts.get(c, 0) + 1
        out = ell + sorted(c for c, k in counts.items() if k == 1 and c not in ell)
    if len(set(out)) != len(out):
        raise ValueError(f"einsum: output subscripts of {subscripts!r} repeat a label")
    missing = [c for c in out if not any(c in ls for ls in labels)]
    if missing:
        raise ValueError(f"einsum: output label {missing[0]!r} of {subscripts!r} appears in no input")
    return labels, out, set(ell)


def _label_sizes(subscripts, operands, labels, ell):
    sizes = {}
    for x, ls in zip(operands, labels):
        for c, n in zip(ls, type_of(x).shape):
            if c not in sizes or sizes[c] == 1 and c in ell:
                sizes[c] = n
            elif sizes[c] != n and not (n == 1 and c in ell):
                raise ValueError(f"einsum: label {c!r} of {subscripts!r} has size {sizes[c]} in one operand and "
                                 f"{n} in another")
    return sizes


def _diagonal(x, ls):
    """Resolve repeated labels of one operand by taking diagonals."""
    while len(set(ls)) != len(ls):
        c = next(c for c in ls if ls.count(c) > 1)
        i = ls.index(c)
        j = ls.index(c, i + 1)
        t = type_of(x)
        same = bind1("eq", bind1("iota", dtype=np.dtype(np.int32), shape=t.shape, dimension=i),
                     bind1("iota", dtype=np.dtype(np.int32), shape=t.shape, dimension=j))
        zero = broadcast_to(convert(0, t.dtype, t.weak), t.shape)
        x = bind1("reduce_or" if T.is_bool(t.dtype) else "reduce_sum", bind1("select_n", same, zero, x), axes=(j,))
        ls = ls[:j] + ls[j + 1:]
    return x, ls


def _sum_out(x, ls, keep):
    axes = tuple(i for i, c in enumerate(ls) if c not in keep)
    if not axes:
        return x, ls
    prim = "reduce_or" if T.is_bool(type_of(x).dtype) else "reduce_sum"
    return bind1(prim, x, axes=axes), [c for c in ls if c in keep]


def _expand(x, ls, sizes):
    """Broadcast size-1 '...' dimensions to their full size."""
    shape = tuple(sizes[c] for c in ls)
    return broadcast_to(x, shape, "einsum")


def _size(labels, sizes):
    return prod_int([sizes[c] for c in labels])


def _pair_result(la, lb, keep):
    """The labels a contraction of operands labelled la and lb keeps: those needed later."""
    return [c for c in dict.fromkeys(la + lb) if c in keep]


def greedy_path(labels, out, sizes):
    """A contraction order for einsum, as opt_einsum's greedy strategy: repeatedly contract the pair whose
    result removes the most memory (size(result) - size(a) - size(b), smallest first), breaking ties by
    the smaller result, then by position. Returns a list of (i, j) steps in opt_einsum's convention (each
    step names positions in the current list; its result is appended at the end)."""
    labels = [list(ls) for ls in labels]
    path = []
    while len(labels) > 1:
        best = None
        for i in range(len(labels)):
            for j in range(i + 1, len(labels)):
                others = set(out).union(*[set(m) for k, m in enumerate(labels) if k not in (i, j)])
                res = _pair_result(labels[i], labels[j], others)
                shared = bool(set(labels[i]) & set(labels[j]))
                size = _size(res, sizes)
                removed = size - _size(labels[i], sizes) - _size(labels[j], sizes)
                # pairs that share a label first: an outer product only when nothing else is left
                key = (not shared, removed, size, i, j)
                if best is None or key < best[0]:
                    best = (key, i, j, res)
        _, i, j, res = best
        path.append((i, j))
        labels = [m for k, m in enumerate(labels) if k not in (i, j)] + [res]
    return path


def _resolve_path(optimize, labels, out, sizes):
    n = len(labels)
    if optimize is False or optimize is None or optimize == "none" or n < 3:
        return [(0, 1)] * (n - 1) if n > 1 else []
    if optimize is True or optimize in ("greedy", "optimal", "auto", "dp", "branch-2", "branch-all",
                                         "auto-hq", "random-greedy"):
        return greedy_path(labels, out, sizes)
    if isinstance(optimize, (list, tuple)):
        steps = list(optimize[1:] if optimize and optimize[0] == "einsum_path" else optimize)
        count = n
        for step in steps:
            if not isinstance(step, (tuple, list)) or not step or any(not 0 <= k < count for k in step) \
                    or len(set(step)) != len(step):
                raise ValueError(f"einsum: invalid contraction path {optimize!r}: step {step!r} must list distinct "
                                 f"positions among the {count} operands left")
            count -= len(step) - 1
        if count != 1:
            raise ValueError(f"einsum: contraction path {optimize!r} leaves {count} operands, not 1")
        return [tuple(step) for step in steps]
    raise ValueError(f"einsum: optimize must be a bool, a strategy name ('greedy', 'optimal', 'auto', ...) or a "
                     f"contraction path, got {optimize!r}")


def _contract(acc, la, x, lb, keep, out_axes=None, precision=None):
    """acc (labels la) contracted with x (labels lb) by one dot_general, keeping the labels in `keep`.
    out_axes: {label: PartitionSpec entry} for the final contraction of an einsum with an out_sharding."""
    acc, la = _sum_out(acc, la, keep | set(lb))
    x, lb = _sum_out(x, lb, keep | set(la))
    shared = [c for c in la if c in lb]
    batch = [c for c in shared if c in keep]
    contract = [c for c in shared if c not in keep]
    labels = batch + [c for c in la if c not in shared] + [c for c in lb if c not in shared]
    out_sharding = None if out_axes is None else _relabel(*out_axes, labels)
    acc = _dot_general(acc, x, [la.index(c) for c in contract], [lb.index(c) for c in contract],
                       [la.index(c) for c in batch], [lb.index(c) for c in batch], out_sharding, "einsum",
                       precision=precision)
    return acc, labels


def _prepare_einsum(subscripts, operands, preferred_element_type):
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: the first argument must be a subscripts string, got {type(subscripts).__name__}")
    if not operands:
        raise ValueError("einsum: at least one operand is required")
    operands = _promote("einsum", preferred_element_type, *operands)
    labels, out, ell = _parse(subscripts, [type_of(x).shape for x in operands])
    sizes = _label_sizes(subscripts, operands, labels, ell)
    return operands, labels, out, ell, sizes


def _relabel(axes_of, out_sharding, labels):
    """out_sharding (of the einsum's output labels; axes_of: label -> its spec entry) for labels in this order."""
    spec = PartitionSpec(*[axes_of.get(c) for c in labels])
    return spec if isinstance(out_sharding, PartitionSpec) else out_sharding.with_spec(spec)


def einsum(subscripts, *operands, optimize="auto", precision=None, preferred_element_type=None, out_sharding=None):
    """Einstein summation with dot_general. With more than two operands the contraction order comes from a
    greedy optimiser (optimize='greedy', 'optimal', 'auto' or True, the default), or is an explicit path
    (as einsum_path returns it); optimize=False contracts from left to right."""
    operands, labels, out, ell, sizes = _prepare_einsum(subscripts, operands, preferred_element_type)
    ops = []
    for k, (x, ls) in enumerate(zip(operands, labels)):
        x, ls = _diagonal(_expand(x, ls, sizes), list(ls))
        later = set(out).union(*[set(m) for i, m in enumerate(labels) if i != k])
        ops.append(_sum_out(x, ls, later))
    path = _resolve_path(optimize, [ls for _, ls in ops], out, sizes)
    # with an out_sharding, the last contraction gives its result that sharding (each label keeps its axes)
    out_axes = None
    if out_sharding is not None:
        spec = out_sharding if isinstance(out_sharding, PartitionSpec) else out_sharding.spec
        out_axes = ({c: spec[i] for i, c in enumerate(out) if i < len(spec)}, out_sharding)
    for n, step in enumerate(path):
        group = [ops[i] for i in step]
        ops = [o for i, o in enumerate(ops) if i not in step]
        keep = set(out).union(*[set(ls) for _, ls in ops])
        acc, la = group[0]
        for k, (x, lb) in enumerate(group[1:], start=1):
            last = n == len(path) - 1 and k == len(group) - 1 and set(_pair_result(la, lb, set(out))) == set(out)
            acc, la = _contract(acc, la, x, lb, keep.union(*[set(m) for _, m in group[k + 1:]]),
                                out_axes if last else None, precision)
        if len(group) == 1:
            acc, la = _sum_out(acc, la, keep)
        ops.append((acc, la))
    acc, la = ops[0]
    acc, la = _sum_out(acc, la, set(out))
    return with_out_sharding(transpose(acc, [la.index(c) for c in out]), out_sharding, "einsum")


def einsum_path(subscripts, *operands, optimize="greedy"):
    """(path, description): the contraction order einsum would use, in opt_einsum's format
    (['einsum_path', (i, j), ...]) and a short text with the estimated cost of each step."""
    operands, labels, out, ell, sizes = _prepare_einsum(subscripts, operands, None)
    path = _resolve_path(optimize if optimize is not False else "none", labels, out, sizes)
    current = [list(ls) for ls in labels]
    lines, total = [], 0
    for step in path:
        group = [current[i] for i in step]
        current = [m for i, m in enumerate(current) if i not in step]
        keep = set(out).union(*[set(m) for m in current])
        res = _pair_result([c for g in group for c in g], [], keep)
        flops = _size(list(dict.fromkeys(c for g in group for c in g)), sizes)
        total += flops
        lines.append(f"  {','.join(''.join(g) for g in group)}->{''.join(res)}  (~{flops} multiply-adds)")
        current.append(res)
    text = f"  Complete contraction: {subscripts}\n  Estimated multiply-adds: {total}\n" + "\n".join(lines)
    return ["einsum_path"] + path, text
