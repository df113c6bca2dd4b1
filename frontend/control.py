"""Structured control flow (jax.lax's names and signatures): cond, switch, while_loop, fori_loop, scan, map,
associative_scan; and beyond JAX, checkpointed_scan and bounded_while_loop (public in lintra.ad_checkpoint),
which scan(checkpoints=) and while_loop(max_steps=) run.

Bodies are traced once, on abstract values (ShapeDtypeStruct), into closed regions; values they close over
become operands of the op. Inside a trace the op is staged; outside any trace it runs at once (one compiled
op). Operands and carries are pytrees; only their leaves reach the IR.
"""
import builtins
import inspect
import math
import operator

import numpy as np

from ..ir import types as T
from ..ir.builder import Builder
from ..ir.core import Value
from ..ir.types import vma_text
from ..runtime.mesh import PartitionSpec
from . import dtypes, lax, tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_flat
from .batching import vmap
from .core import bind, concrete_value, constant, is_value, type_of
from .remat import checkpoint, checkpoint_policies


# ---- tracing bodies ------------------------------------------------------------------------------------

def _abstract(types):
    return [ShapeDtypeStruct.of_type(t) for t in types]


class _Body:
    """A function traced on abstract inputs of `types`: its IR, output tree and closed-over values."""

    def __init__(self, fun, types, in_tree, name, consts_first=True):
        self.func, self.out_tree, self.consts, _ = trace_flat(fun, _abstract(types), in_tree, name)
        if consts_first:    # loop regions take their consts first; trace_flat puts captured values last
            n = len(types)
            self.block.args = self.block.args[n:] + self.block.args[:n]

    @property
    def block(self):
        return self.func.body

    @property
    def out_types(self):
        return [r.type for r in self.func.results]

    def strengthen(self, positions):
        """Make the outputs at `positions` strongly typed (a weak output meeting a strong one elsewhere)."""
        b = Builder(self.block)
        self.block.results = [b.emit1("convert_element_type", [r], {"new_dtype": r.type.dtype, "weak_type": False})
                              if i in positions else r for i, r in enumerate(self.block.results)]


def _type_str(t):
    return f"{np.dtype(t.dtype).name}[{','.join(builtins.map(str, t.shape))}]" + vma_text(sorted(t.vma))


_VMA_HINT = "See https://docs.jax.dev/en/latest/notebooks/shard_map.html#scan-vma for more information."


def _only_vma(diffs):
    """The differences are all in the manual axes the values vary over (inside shard_map with check_vma)."""
    return all(a.shape == b.shape and a.dtype == b.dtype for _, a, b in diffs)


def _keystr(path):
    out = ""
    for k in path:
        if hasattr(k, "idx"):
            out += f"[{k.idx}]"
        elif hasattr(k, "key"):
            out += f"[{k.key!r}]"
        elif hasattr(k, "name"):
            out += f".{k.name}"
        else:
            out += f"[{k}]"
    return out


def _paths(treedef, root):
    """The key path of each leaf of treedef, as root[0]['a'].b."""
    leaves = treedef.unflatten(list(range(treedef.num_leaves)))
    return [root + _keystr(p) for p, _ in tree.registry.flatten_with_path(leaves)[0]]


def _mismatch(a, b):
    if a.shape != b.shape and a.dtype != b.dtype:
        return "the shapes and dtypes do not match"
    return "the shapes do not match" if a.shape != b.shape else "the dtypes do not match"


def _unify_weak(types_a, types_b):
    """Positions where the two lists differ only in weak type (not an error: the strong type wins)."""
    return {i for i, (a, b) in enumerate(zip(types_a, types_b)) if a != b and a.strong() == b.strong()}


def _scalar(x, what):
    t = type_of(x)
    if t.shape != ():
        raise TypeError(f"{what} must be a scalar, got {_type_str(t)} of shape {t.shape}.")
    return t


# ---- cond and switch -----------------------------------------------------------------------------------

def _branches(funs, names, operands, what):
    """Trace each branch on the operands' types; check they agree (as JAX, weak types unify)."""
    leaves, in_tree = tree.flatten(tuple(operands))
    types = [type_of(x) for x in leaves]
    bodies = [_Body(f, types, in_tree, ir_name(f), consts_first=False) for f in funs]
    first = bodies[0]
    for i, body in enumerate(bodies[1:], 1):
        if body.out_tree != first.out_tree:
            raise TypeError(f"{what(i)} outputs must have same type structure, got {first.out_tree} in {names[0]} "
                            f"and {body.out_tree} in {names[i]}.")
        diffs = [(p, a, b) for p, a, b in zip(_paths(first.out_tree, "output"), first.out_types, body.out_types)
                 if a.strong() != b.strong()]
        if diffs and _only_vma(diffs):    # JAX 0.10.2's message; pcast the less varying output to match
            p, a, b = diffs[0]
            less, more = (names[0], names[i]) if b.vma > a.vma else (names[i], names[0])
            axes = tuple(sorted(a.vma ^ b.vma))
            raise TypeError(f"{what(i)} outputs must have equal types but they differ.\n\nThe {p} of {names[i]} has "
                            f"type {_type_str(b)} but the corresponding {p} of {names[0]} has type {_type_str(a)}, so "
                            f"the manual axis types do not match.\n\nThis might be fixed by applying "
                            f"`jax.lax.pcast(..., {axes!r}, to='varying')` to the {p} of {less} (it varies less than "
                            f"in {more}).\n{_VMA_HINT}\n\nRevise the branches so that all output types match.")
        if diffs:
            lines = "\n".join(f"  * {p} has type {_type_str(a)} in {names[0]} but {_type_str(b)} in {names[i]}, "
                              f"so {_mismatch(a, b)}" for p, a, b in diffs)
            raise TypeError(f"{what(i)} outputs must have identical types, got\n{lines}")
    # a result weak in one branch and strong in another is strong in all
    weak_mixed = set().union(*(_unify_weak(first.out_types, b.out_types) for b in bodies[1:]))
    for body in bodies:
        body.strengthen({i for i in weak_mixed if body.out_types[i].weak})
    return leaves, bodies


def _bind_cond(index, leaves, bodies):
    """One cond op: every branch takes the operands and the union of all branches' closed-over values."""
    consts, seen = [], {}
    for body in bodies:
        for c in body.consts:
            if id(c) not in seen:
                seen[id(c)] = len(consts)
                consts.append(c)
    n = len(leaves)
    for body in bodies:
        own = {seen[id(c)]: a for c, a in zip(body.consts, body.block.args[n:])}
        body.block.args = body.block.args[:n] + [own[k] if k in own else Value(type_of(c))
                                                 for k, c in enumerate(consts)]
    outs = bind("cond", index, *leaves, *consts, regions=[b.block for b in bodies])
    return bodies[0].out_tree.unflatten(outs)


_NO_OPERAND = object()


def cond(pred, true_fun, false_fun, *operands, operand=_NO_OPERAND):
    """true_fun(*operands) if pred else false_fun(*operands), as one op; both branches are traced. As in JAX,
    the operand may come as the keyword `operand`, a numeric pred means pred != 0, and the deprecated form
    cond(pred, x_true, f_true, x_false, f_false) is still accepted."""
    if not (callable(true_fun) and callable(false_fun)):
        if callable(false_fun) and len(operands) == 2 and callable(operands[1]):
            x_true, f_true, x_false, f_false = true_fun, false_fun, *operands
            return cond(pred, lambda x, _: f_true(x), lambda _, x: f_false(x), x_true, x_false)
        raise TypeError("cond: true_fun and false_fun arguments should be callable.")
    if operand is not _NO_OPERAND:
        if operands:
            raise TypeError(f"if 'operand' keyword is passed then no positional operands can be passed, got "
                            f"operand={operand!r} and positional operands {operands!r}")
        operands = (operand,)
    t = _scalar(pred, "Pred")
    if np.dtype(t.dtype).kind not in "biuf":
        raise TypeError(f"Pred type must be either boolean or number, got {np.dtype(t.dtype).name}.")
    index = lax.convert_element_type(pred if t.dtype == np.bool_ else lax.ne(pred, lax.full_like(pred, 0)),
                                     np.int32)
    leaves, bodies = _branches([false_fun, true_fun], ["false_fun", "true_fun"], operands,
                               lambda i: "true_fun and false_fun")
    return _bind_cond(index, leaves, bodies)


def switch(index, branches, *operands):
    """branches[index](*operands), as one op; an index out of range is clamped, as in JAX."""
    branches = list(branches)
    if not branches:
        raise ValueError("Empty branch sequence")
    if not all(callable(b) for b in branches):
        raise TypeError("switch: every branch must be callable")
    t = _scalar(index, "Branch index")
    if np.dtype(t.dtype).kind not in "biu":
        raise TypeError(f"Index type must be an integer, got {np.dtype(t.dtype).name}.")
    index = lax.convert_element_type(index, np.int32)
    leaves, bodies = _branches(branches, [f"branch {i}" for i in range(len(branches))], operands,
                               lambda i: f"branch 0 and {i}")
    return _bind_cond(index, leaves, bodies)


# ---- loops ---------------------------------------------------------------------------------------------

def _carry_component(body_fun):
    """How JAX 0.10.2 names a carry leaf: by the body function's first parameter and the leaf's key path."""
    try:
        name = next(iter(inspect.signature(body_fun).parameters), None)
    except (ValueError, TypeError):
        name = None
    if name:
        return lambda p: f"the input carry component {name}{p}" if p else f"the input carry {name}"
    return lambda p: f"the input carry at path {p}" if p else "the input carry"


def _mismatches(a, b):
    """JAX's aval_mismatch_extra: what differs between two types."""
    what = [w for w, differ in (("the dtypes", a.dtype != b.dtype), ("the shapes", a.shape != b.shape),
                                ("the manual axis types", a.vma != b.vma)) if differ]
    return ", so " + (what[0] if len(what) == 1 else ", ".join(what[:-1]) + ", and " + what[-1]) + " do not match"


def _bullets(items):
    """One item as a sentence; several as JAX lists them."""
    if len(items) == 1:
        return items[0][0].upper() + items[0][1:] + ".\n"
    return "\n".join(f"  * {d};\n" for d in items[:-1]) + f"  * {items[-1]}.\n"


def _carry_error(name, body_fun, carry_tree, in_types, out_types, out_tree=None):
    """JAX 0.10.2's _check_carry_type: the carry's structure, then its types (weak types aside), its messages."""
    header = f"{name} function carry input and carry output must have"
    if out_tree is not None and out_tree != carry_tree:
        raise TypeError(f"{header} the same pytree structure, but they differ:\n\nthe input tree structure is:\n"
                        f"{carry_tree}\nthe output tree structure is:\n{out_tree}\n\nRevise the function so that "
                        f"the carry output has the same pytree structure as the carry input.")
    component = _carry_component(body_fun)
    diffs = [(p, a, b) for p, a, b in zip(_paths(carry_tree, ""), in_types, out_types) if a.strong() != b.strong()]
    if not diffs:
        return
    lines = [f"{component(p)} has type {_type_str(a)} but the corresponding output carry component has type "
             f"{_type_str(b)}{_mismatches(a, b)}" for p, a, b in diffs]
    pcasts = [f"applying `jax.lax.pcast(..., {tuple(sorted(b.vma - a.vma))!r}, to='varying')`, to the initial "
              f"carry value corresponding to {component(p)}" for p, a, b in diffs if b.vma - a.vma]
    hint = ""
    if pcasts:
        hint = ("This might be fixed by " + pcasts[0] + ".\n" if len(pcasts) == 1 else
                "This might be fixed by:\n" + _bullets(pcasts))
        hint += f"{_VMA_HINT}\n\n"
    raise TypeError(f"{header} equal types, but they differ:\n\n{_bullets(lines)}\n{hint}Revise the function so "
                    f"that all output types match the corresponding input types.")


def _trace_carry(trace, init_types, carry_out):
    """Trace a loop body whose carry starts with init_types until the carry's types are stable: an initial
    value that is weakly typed and comes out of the body with another type is promoted with it and becomes
    strong (JAX's _promote_weak_typed_inputs: `0` carried into a float32 accumulator is float32), and the
    body traced again. Returns the carry types and the body; the caller checks the final types."""
    types = list(init_types)
    body = trace(types)
    promote = {i: o for i, (t, o) in enumerate(zip(types, carry_out(body))) if t.weak and t != o}
    if promote:
        types = [t.update(dtype=dtypes.promote((t.dtype, True), (promote[i].dtype, promote[i].weak))[0],
                          weak=False) if i in promote else t for i, t in enumerate(types)]
        body = trace(types)
    return types, body


def _as_types(leaves, types):
    return [lax.convert_element_type(x, t.dtype) if type_of(x) != t else x for x, t in zip(leaves, types)]


def while_loop(cond_fun, body_fun, init_val, max_steps=None):
    """Repeat `val = body_fun(val)` while `cond_fun(val)`; returns the final val. Forward-mode
    differentiable; for reverse mode use scan or fori_loop with static bounds, or give max_steps (beyond
    JAX): at most that many iterations, as a checkpointed scan (ad_checkpoint.bounded_while_loop)."""
    if not (callable(cond_fun) and callable(body_fun)):
        raise TypeError("while_loop: cond_fun and body_fun arguments should be callable.")
    if max_steps is not None:
        return bounded_while_loop(cond_fun, body_fun, init_val, max_steps)
    leaves, carry_tree = tree.flatten(init_val)

    def trace_body(types):
        body = _Body(lambda c: body_fun(c), types, tree.structure((init_val,)), ir_name(body_fun))
        _carry_error("while_loop body", body_fun, carry_tree, [], [], body.out_tree)     # structure only
        return body
    # cond first, as JAX traces it (checkify numbers checks in trace order, and reports the lowest); again
    # only if the body changed the carry's types
    init_types = [type_of(x) for x in leaves]
    cond_body = _Body(lambda c: cond_fun(c), init_types, tree.structure((init_val,)), ir_name(cond_fun))
    types, body = _trace_carry(trace_body, init_types, lambda b: b.out_types)
    _carry_error("while_loop body", body_fun, carry_tree, types, body.out_types)
    if types != init_types:
        cond_body = _Body(lambda c: cond_fun(c), types, tree.structure((init_val,)), ir_name(cond_fun))
    pred = cond_body.out_types
    if cond_body.out_tree.num_leaves != 1 or pred[0].shape != () or pred[0].dtype != np.bool_:
        raise TypeError(f"cond_fun must return a boolean scalar, but got output type(s) "
                        f"[{', '.join(builtins.map(_type_str, pred))}].")
    body.strengthen(_unify_weak(types, body.out_types))
    outs = bind("while", *cond_body.consts, *body.consts, *_as_types(leaves, types),
                regions=[cond_body.block, body.block], cond_nconsts=len(cond_body.consts),
                body_nconsts=len(body.consts))
    return carry_tree.unflatten(outs)


def _static_int(x):
    """x as a Python int if its value is known while tracing, else None."""
    if isinstance(x, (bool, np.bool_)):
        return None
    if isinstance(x, (int, np.integer)):
        return int(x)
    v = concrete_value(x) if is_value(x) else None
    if v is not None and type_of(x).shape == () and T.is_int(type_of(x).dtype):
        return int(np.asarray(v))
    return None


def fori_loop(lower, upper, body_fun, init_val, unroll=None):
    """val = body_fun(i, val) for i in range(lower, upper). With bounds known while tracing it is a scan
    (so reverse-mode differentiable); with traced bounds a while_loop."""
    if not callable(body_fun):
        raise TypeError("fori_loop: body_fun argument should be callable.")
    lo_t, hi_t = type_of(lower), type_of(upper)
    for what, t in (("lower", lo_t), ("upper", hi_t)):
        if t.shape != () or not T.is_int(t.dtype):
            raise TypeError(f"fori_loop: {what} bound must be an integer scalar, got {_type_str(t)}")
    dtype = lo_t.dtype if lo_t.dtype == hi_t.dtype else np.promote_types(lo_t.dtype, hi_t.dtype)
    lo, hi = _static_int(lower), _static_int(upper)
    if lo is not None and hi is not None:
        if unroll is not None and (not isinstance(unroll, (bool, int)) or unroll < 0):
            raise TypeError(f"fori_loop: unroll must be a non-negative int or a bool, got {unroll!r}")

        def step(loop_carry, _):      # JAX's parameter name, which its carry type errors show
            i, x = loop_carry
            return (lax.add(i, constant(1, dtype)), body_fun(i, x)), None
        start = constant(lo, dtype)
        (_, out), _ = scan(step, (start, init_val), None, length=builtins.max(hi - lo, 0))
        return out
    if unroll is not None and unroll not in (1, False):
        raise ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are statically known.")
    lower, upper = lax.convert_element_type(lower, dtype), lax.convert_element_type(upper, dtype)

    def body(loop_carry):
        i, hi_, x = loop_carry
        return lax.add(i, constant(1, dtype)), hi_, body_fun(i, x)
    _, _, out = while_loop(lambda c: lax.lt(c[0], c[1]), body, (lower, upper, init_val))
    return out


def scan(f, init, xs=None, length=None, reverse=False, unroll=1, checkpoints=None):
    """carry, y_i = f(carry, x_i) over the leading axis of xs; returns (final carry, ys stacked). `unroll` is
    accepted for JAX compatibility (XLA decides how to unroll). checkpoints=k (beyond JAX): reverse mode
    stores O(k log_k length) carries and recomputes the rest (ad_checkpoint.checkpointed_scan)."""
    if not callable(f):
        raise TypeError("scan: f argument should be callable.")
    if checkpoints is not None:
        return checkpointed_scan(f, init, xs, length, checkpoints, reverse, unroll)
    if isinstance(unroll, bool):
        unroll = int(unroll)
    if not isinstance(unroll, int) or unroll < 0:
        raise TypeError(f"scan: unroll must be a non-negative int or a bool, got {unroll!r}")
    x_leaves, x_tree = tree.flatten(xs)
    x_types = [type_of(x) for x in x_leaves]
    for t in x_types:
        if t.sharding is not None and t.sharding[0]:
            spec = PartitionSpec(*[a or None for a in t.sharding])
            raise ValueError(f"0th dimension of all xs should be replicated. Got {spec}")
    for x, t in zip(x_leaves, x_types):
        if t.ndim == 0:
            raise ValueError(f"scan got value with no leading axis to scan over: {_type_str(t)}")
    sizes = sorted({t.shape[0] for t in x_types})
    if length is not None:
        try:
            length = operator.index(length)
        except TypeError:
            raise TypeError(f"scan: length must be a Python int, got {length!r}") from None
        if length < 0:
            raise ValueError(f"scan: length must be a non-negative integer, got {length}")
        if sizes and sizes != [length]:
            raise ValueError(f"scan got `length` argument of {length} which disagrees with leading axis sizes "
                             f"{sizes}.")
    elif len(sizes) > 1:
        shown = ", ".join(f"{p} of type {_type_str(t)}" for p, t in zip(_paths(x_tree, "xs"), x_types))
        raise ValueError(f"scan got values with different leading axis sizes: {shown}.")
    elif not sizes:
        raise ValueError("scan got no values to scan over and `length` not provided.")
    else:
        length = sizes[0]
    c_leaves, carry_tree = tree.flatten(init)
    slice_types = [ShapeDtypeStruct.of_type(t, drop=0).type for t in x_types]
    n_carry = len(c_leaves)
    name = ir_name(f)

    def pair(c, x):
        out = f(c, x)
        if not isinstance(out, tuple) or len(out) != 2:
            raise TypeError(f"scan body output must be a pair, got {tree.structure(out)}.")
        return out

    def trace_body(types):
        in_tree = tree.structure((carry_tree.unflatten([0] * n_carry), x_tree.unflatten([0] * len(x_leaves))))
        body = _Body(pair, types + slice_types, in_tree, name)
        carry_out, body.y_tree = body.out_tree.children()
        _carry_error("scan body", f, carry_tree, [], [], carry_out)     # structure only
        return body
    types, body = _trace_carry(trace_body, [type_of(x) for x in c_leaves], lambda b: b.out_types[:n_carry])
    _carry_error("scan body", f, carry_tree, types, body.out_types[:n_carry])
    body.strengthen(_unify_weak(types, body.out_types[:n_carry]))
    outs = bind("scan", *body.consts, *_as_types(c_leaves, types), *x_leaves, regions=[body.block],
                num_consts=len(body.consts), num_carry=n_carry, length=length, reverse=bool(reverse))
    return carry_tree.unflatten(outs[:n_carry]), body.y_tree.unflatten(outs[n_carry:])


def map(f, xs, *, batch_size=None):
    """[f(x) for x in xs] stacked, as a scan (with batch_size, a scan over vmapped batches, then the rest)."""
    if batch_size is None:
        return scan(lambda _, x: ((), f(x)), (), xs)[1]
    if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
        raise TypeError(f"map: batch_size must be a positive int, got {batch_size!r}")
    leaves, x_tree = tree.flatten(xs)
    n = type_of(leaves[0]).shape[0]
    full, rest = divmod(n, batch_size)
    parts = []
    if full:
        head = [lax.reshape(lax.slice_in_dim(x, 0, full * batch_size), (full, batch_size) + type_of(x).shape[1:])
                for x in leaves]
        ys = scan(lambda _, x: ((), vmap(f)(x)), (), x_tree.unflatten(head))[1]
        parts.append(tree.map(lambda y: lax.reshape(y, (full * batch_size,) + type_of(y).shape[2:]), ys))
    if rest:
        parts.append(vmap(f)(x_tree.unflatten([lax.slice_in_dim(x, full * batch_size, n) for x in leaves])))
    return parts[0] if len(parts) == 1 else tree.map(lambda a, b: lax.concatenate([a, b], 0), *parts)


# ---- associative_scan ------------------------------------------------------------------------------------

def _interleave(a, b, axis):
    """a[0], b[0], a[1], b[1], ... along axis (a has as many elements as b, or one more)."""
    ta, tb = type_of(a), type_of(b)
    same = ta.shape[axis] == tb.shape[axis]
    pad_a = [(0, 0, 0)] * ta.ndim
    pad_b = [(0, 0, 0)] * tb.ndim
    pad_a[axis] = (0, 1 if same else 0, 1)
    pad_b[axis] = (1, 0 if same else 1, 1)
    combine = lax.bitwise_or if ta.dtype == np.bool_ else lax.add
    return combine(lax.pad(a, 0, pad_a), lax.pad(b, 0, pad_b))


def associative_scan(fn, elems, reverse=False, axis=0):
    """All prefix combinations fn(...fn(fn(e0, e1), e2)..., ei) along `axis`, by the parallel prefix scan:
    combine adjacent pairs, scan those recursively, then fill in the even positions (O(log n) depth)."""
    leaves, elems_tree = tree.flatten(elems)
    if not leaves:
        return elems
    ndim = type_of(leaves[0]).ndim
    axis = lax._axis(axis, ndim)
    n = type_of(leaves[0]).shape[axis]
    if any(type_of(x).ndim <= axis or type_of(x).shape[axis] != n for x in leaves[1:]):
        raise ValueError(f"Array inputs to associative_scan must have the same first dimension. (saw: "
                         f"{[type_of(x).shape for x in leaves]})")
    if reverse:
        leaves = [lax.rev(x, (axis,)) for x in leaves]

    def combine(a, b):
        out = fn(elems_tree.unflatten(a), elems_tree.unflatten(b))
        out_leaves, out_tree = tree.flatten(out)
        if out_tree != elems_tree:
            raise TypeError(f"associative_scan: fn must return a pytree like its inputs {elems_tree}, got {out_tree}")
        return out_leaves

    def part(xs, start, stop, stride=1):
        return [lax.slice_in_dim(x, start, stop, stride, axis) for x in xs]

    def prefix(xs):
        m = type_of(xs[0]).shape[axis]
        if m < 2:
            return xs
        odd = prefix(combine(part(xs, 0, m - 1, 2), part(xs, 1, m, 2)))
        k = type_of(odd[0]).shape[axis]
        even = combine(odd if m % 2 else part(odd, 0, k - 1), part(xs, 2, m, 2))
        even = [lax.concatenate([first, e], axis) for first, e in zip(part(xs, 0, 1), even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    out = prefix(leaves)
    if reverse:
        out = [lax.rev(x, (axis,)) for x in out]
    return elems_tree.unflatten(out)


# ---- multi-level checkpointed scans ----------------------------------------------------------------------

def _checkpoints(checkpoints, length):
    if checkpoints is None:
        return max(2, math.isqrt(max(length - 1, 0)) + 1)    # ceil(sqrt(length)): two levels
    if not isinstance(checkpoints, int) or isinstance(checkpoints, bool) or checkpoints < 2:
        raise TypeError(f"checkpointed_scan: checkpoints must be an int >= 2, got {checkpoints!r}")
    return checkpoints


def _length(x_leaves, length):
    """The scan length, or None when the arguments are inconsistent (scan then reports the error)."""
    if any(type_of(x).ndim == 0 for x in x_leaves):
        return None
    sizes = {type_of(x).shape[0] for x in x_leaves}
    if length is not None:
        try:
            length = operator.index(length)
        except TypeError:
            return None
        return length if sizes <= {length} else None
    return sizes.pop() if len(sizes) == 1 else None


def _levels(n, k):
    """Segment counts per level, each at most k, over L = ceil(log_k n) levels, whose product covers n:
    n itself when it factors so, else as little more as the greedy choice gives (the rest is padding)."""
    levels = 1
    while k ** levels < n:
        levels += 1

    def exact(m, left):
        if m <= k:
            return [m]
        for c in range(min(k, m // 2), 1, -1):
            rest = exact(m // c, left - 1) if m % c == 0 and left > 1 else None
            if rest is not None:
                return [c] + rest
        return None
    found = exact(n, levels)
    if found is not None:
        return found
    sizes, m = [], n
    for left in range(levels, 0, -1):
        c = 2
        while c ** left < m:
            c += 1
        sizes.append(c)
        m = -(-m // c)
    return sizes


def _nested(step, carry, xs, sizes, unroll):
    """A scan over sizes[0] segments, each a checkpoint (nothing_saveable) of the same nested scan over the
    rest of the sizes; the innermost level is a plain scan."""
    if len(sizes) == 1:
        return scan(step, carry, xs, sizes[0], unroll=unroll)
    x_leaves, x_tree = tree.flatten(xs)
    inner = math.prod(sizes[1:])
    segment = checkpoint(lambda c, x_seg: _nested(step, c, x_seg, sizes[1:], unroll), policy=checkpoint_policies.nothing_saveable)
    split = [lax.reshape(x, (sizes[0], inner) + type_of(x).shape[1:]) for x in x_leaves]
    carry, ys = scan(segment, carry, x_tree.unflatten(split), sizes[0])
    return carry, tree.map(lambda y: lax.reshape(y, (sizes[0] * inner,) + type_of(y).shape[2:]), ys)


def _masked(f, carry, xs, n):
    """f as a step whose carry also counts the steps: from the n-th on (padding) the carry passes through
    and the ys are zeros; a cond, so f never runs on them (nor is differentiated there). The count rides in
    the carry rather than as a mask in the xs, so it costs the backward pass an i32 per saved carry, not a
    residual per step."""
    c_leaves, c_tree = tree.flatten(carry)
    x_leaves, x_tree = tree.flatten(xs)
    abstract = [ShapeDtypeStruct.of_type(t) for t in builtins.map(type_of, c_leaves)] + \
        [ShapeDtypeStruct.of_type(t, drop=0) for t in builtins.map(type_of, x_leaves)]
    func, out_tree, _, _ = trace_flat(lambda c, x: f(c, x), abstract,
                                      tree.structure((c_tree.unflatten(c_leaves), x_tree.unflatten(x_leaves))))
    if out_tree.num_nodes == 1 or len(out_tree.children()) != 2:
        raise TypeError(f"scan body output must be a pair, got {out_tree}.")
    y_tree = out_tree.children()[1]
    y_types = [r.type for r in func.results[c_tree.num_leaves:]]

    def skip(c, x):
        return c, y_tree.unflatten([lax.full(t.shape, 0, t.dtype) for t in y_types])

    def step(i_c, x):
        i, c = i_c
        c, ys = cond(lax.lt(i, np.int32(n)), f, skip, c, x)
        return (lax.add(i, np.int32(1)), c), ys
    return step


def checkpointed_scan(f, init, xs=None, length=None, checkpoints=None, reverse=False, unroll=1):
    """lax.scan(f, init, xs, length, reverse) with the same results and the same gradients (up to the order
    in which floating-point cotangents are summed), whose reverse-mode derivative stores O(k log_k n) carries
    instead of a set of residuals per step.

    The n steps are arranged as nested segments, L = ceil(log_k n) levels of at most k = `checkpoints` each:
    a scan over k segments, each a checkpoint (nothing_saveable) of the same scan over k sub-segments, and so
    on; the innermost level is a plain scan of at most k steps. When n is not a product of such counts the
    steps are padded to one at the end (at most a few per cent for usual n and k) with masked steps that run
    nothing, each level still one segment function, so the program grows with L only.

    Memory, during the backward pass: k carries per level, plus the per-step residuals of one innermost
    segment (at most k steps); the forward pass keeps only the k top-level carries (and the xs). Compute:
    each level below the top recomputes the forward steps once, so the backward pass costs about L forward
    passes plus one backward pass (plain scan: one backward pass, but n steps of residuals). checkpoints=None
    takes k = ceil(sqrt(n)): two levels, O(sqrt n) memory, one recomputation. Forward mode and evaluation
    are those of a plain scan."""
    x_leaves, x_tree = tree.flatten(xs)
    n = _length(x_leaves, length)
    if n is None:
        return scan(f, init, xs, length, reverse, unroll)
    k = _checkpoints(checkpoints, n)
    if n <= k:
        return scan(f, init, xs, n, reverse, unroll)
    if reverse:      # a reverse scan is a forward scan over the reversed xs, with the ys reversed back
        x_leaves = [lax.rev(x, (0,)) for x in x_leaves]
    sizes = _levels(n, k)
    total = math.prod(sizes)
    seq = x_tree.unflatten(x_leaves)
    if total == n:
        carry, ys = _nested(f, init, seq, sizes, unroll)
    else:
        step = _masked(f, init, seq, n)
        seq = x_tree.unflatten([lax.pad(x, lax.full((), 0, type_of(x).dtype),
                                        [(0, total - n, 0)] + [(0, 0, 0)] * (type_of(x).ndim - 1)) for x in x_leaves])
        (_, carry), ys = _nested(step, (np.int32(0), init), seq, sizes, unroll)
        ys = tree.map(lambda y: lax.slice_in_dim(y, 0, n), ys)
    if reverse:
        ys = tree.map(lambda y: lax.rev(y, (0,)), ys)
    return carry, ys


def bounded_while_loop(cond_fun, body_fun, init_val, max_steps, checkpoints=None):
    """while_loop(cond_fun, body_fun, init_val) run for at most max_steps iterations, reverse-differentiable:
    a checkpointed scan of max_steps steps, each running body_fun while cond_fun holds and keeping the value
    once it fails (a cond, so finished steps cost no body evaluation). Memory and recomputation are those of
    checkpointed_scan (by default O(sqrt(max_steps)) carries); if cond_fun still holds after max_steps
    iterations, the value reached then is returned."""
    if not isinstance(max_steps, int) or isinstance(max_steps, bool) or max_steps < 0:
        raise TypeError(f"while_loop: max_steps must be a non-negative int, got {max_steps!r}")

    def step(val, _):
        return cond(cond_fun(val), body_fun, lambda v: v, val), None
    val, _ = checkpointed_scan(step, init_val, None, max_steps, checkpoints)
    return val
