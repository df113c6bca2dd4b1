"""JVP, partial-evaluation and transpose rules for structured control flow: cond, while and scan.

Each rule transforms the op's regions with the same pass (a region is a closed function), then emits one
new op. Which tangents (or unknowns) a loop carries is found by a fixed point: a carry is nonzero if its
initial value is, or if the body makes it so from a nonzero carry or const.
"""
from ..builder import Builder, emit_block
from ..core import Block, Func, Op, Value, is_built
from .jvp import jvp_block, jvp_rule
from .partial_eval import PARTIAL_EVAL_RULES, partial_eval
from .transpose import NOT_TRANSPOSABLE, is_linear, transpose, transpose_rule
from .transpose_rules import LINEAR
from .util import differentiable, instantiate, tangent_type, zeros

LINEAR.update({"cond", "scan"})   # linear in the operands their regions are linear in


# ---- helpers ----------------------------------------------------------------------------------------------

def copy_block(block: Block, arg_types=None) -> Block:
    """A fresh copy of `block`, nested regions included, so it may appear a second time in one function.
    With arg_types (a list, None entries for the block's own arguments in order), arguments of those types
    are inserted where the list has types; they are unused."""
    if not is_built(block):
        return block
    env = {a: Value(a.type) for a in block.args}
    args = [env[a] for a in block.args]
    if arg_types is not None:
        own = iter(args)
        args = [next(own) if t is None else Value(t) for t in arg_types]
    ops = []
    for op in block.ops:
        results = [Value(r.type) for r in op.results]
        ops.append(Op(op.prim, [env[v] for v in op.operands], results, op.attrs,
                      [copy_block(r) for r in op.regions]))
        env.update(zip(op.results, results))
    return Block(args, ops, [env[v] for v in block.results])


def split(xs, *sizes):
    """xs cut into consecutive parts of these sizes, and the rest."""
    out, i = [], 0
    for n in sizes:
        out.append(list(xs[i:i + n]))
        i += n
    return out + [list(xs[i:])]


def pick(xs, mask, keep=True):
    return [x for x, m in zip(xs, mask) if bool(m) == keep]


def jvp_region(block: Block, nonzero, instantiate_out=None):
    """(jvp block, out_nonzero): the block takes its primals then the tangents of the `nonzero` arguments and
    returns its primals then the nonzero output tangents; outputs marked in instantiate_out always get one."""
    b = Builder()
    primals = [b.arg(t) for t in block.arg_types]
    nonzero = [nz and differentiable(t) for nz, t in zip(nonzero, block.arg_types)]
    tangents = [b.arg(tangent_type(t)) if nz else None for nz, t in zip(nonzero, block.arg_types)]
    outs, touts = jvp_block(b, block, primals, tangents)
    if instantiate_out is not None:
        touts = [instantiate(b, t, tangent_type(o.type)) if inst and differentiable(o.type) else t
                 for t, o, inst in zip(touts, outs, instantiate_out)]
    b.ret(*outs, *[t for t in touts if t is not None])
    return b.block, [t is not None for t in touts]


def _stage_whole(s, op):
    """The default of partial evaluation: the op runs in the staged function, known operands as residuals."""
    outs = s.staged.emit(op.prim, [s.staged_value(v) for v in op.operands], op.attrs, op.regions)
    s.senv.update(zip(op.results, outs))
    s.unknown.update(op.results)


def _known(s, originals, values):
    """Record new known values: results of the original op, or residuals (originals None)."""
    for r, v in zip(originals, values):
        s.kenv[v if r is None else r] = v


def _staged(s, originals, values):
    s.senv.update(zip(originals, values))
    s.unknown.update(originals)


# ---- cond ------------------------------------------------------------------------------------------------

@jvp_rule("cond")
def _cond_jvp(b, op, ps, ts):
    """Every branch gets the same tangent inputs and returns tangents for the union of the outputs any
    branch makes nonzero (zeros instantiated where a branch has none)."""
    nonzero = [t is not None for t in ts[1:]]
    out_nz = [any(col) for col in zip(*(jvp_region(r, nonzero)[1] for r in op.regions))]
    branches = [jvp_region(r, nonzero, out_nz)[0] for r in op.regions]
    outs = b.emit("cond", ps + [t for t in ts[1:] if t is not None], op.attrs, branches)
    n = len(op.results)
    tangents = iter(outs[n:])
    return outs[:n], [next(tangents) if nz else None for nz in out_nz]


def _merge_slots(branch_types):
    """Residual slots shared by the branches: a branch's k-th residual of type t takes the first slot of type
    t it does not use yet. Returns (slot types, for each branch the slot of each of its residuals)."""
    slots, assignment = [], []
    for types in branch_types:
        used, mine = set(), []
        for t in types:
            k = next((k for k, s in enumerate(slots) if s == t and k not in used), None)
            if k is None:
                k = len(slots)
                slots.append(t)
            used.add(k)
            mine.append(k)
        assignment.append(mine)
    return slots, assignment


def _cond_partial_eval(s, op):
    """With a known index: a known cond computes the known outputs and residuals, a staged cond (taking the
    index and the residuals) the rest. Branches share residual slots; each fills the slots it does not use
    with zeros."""
    index, operands = op.operands[0], op.operands[1:]
    if index in s.unknown:
        return _stage_whole(s, op)
    unknown = [v in s.unknown for v in operands]
    out_u = [any(col) for col in zip(*(partial_eval(Func("branch", r), unknown)[2] for r in op.regions))]
    splits = [partial_eval(Func(f"branch{i}", r), unknown, instantiate=out_u) for i, r in enumerate(op.regions)]
    n_known = out_u.count(False)
    slots, assignment = _merge_slots([[v.type for v in kf.results[n_known:]] for kf, _, _, _ in splits])
    known_branches, staged_branches = [], []
    for (kf, sf, _, n_res), mine in zip(splits, assignment):
        block = kf.body
        by_slot = dict(zip(mine, block.results[n_known:]))
        kb = Builder(block)
        block.results = block.results[:n_known] + [by_slot[k] if k in by_slot else zeros(kb, t)
                                                   for k, t in enumerate(slots)]
        known_branches.append(block)
        res_args, in_args = sf.body.args[:n_res], sf.body.args[n_res:]
        arg_of_slot = dict(zip(mine, res_args))
        sf.body.args = [arg_of_slot[k] if k in arg_of_slot else Value(t) for k, t in enumerate(slots)] + in_args
        staged_branches.append(sf.body)
    outs = s.known.emit("cond", [s.kenv[index]] + [s.kenv[v] for v in pick(operands, unknown, False)], op.attrs,
                        known_branches)
    _known(s, pick(op.results, out_u, False), outs[:n_known])
    residuals = outs[n_known:]
    _known(s, [None] * len(residuals), residuals)
    staged_ops = [s.staged_value(index)] + [s.staged_value(r) for r in residuals] + \
        [s.senv[v] for v in pick(operands, unknown)]
    _staged(s, pick(op.results, out_u), s.staged.emit("cond", staged_ops, op.attrs, staged_branches))


@transpose_rule("cond")
def _cond_transpose(b, op, cts, operands):
    index, xs = operands[0], operands[1:]
    if is_linear(index):
        raise TypeError("cond is not linear in its branch index")
    linear = [is_linear(x) for x in xs]
    cts = [instantiate(b, c, r.type) for c, r in zip(cts, op.results)]
    branches = [transpose(Func(f"branch{i}", r), linear).body for i, r in enumerate(op.regions)]
    outs = iter(b.emit("cond", [index] + pick(xs, linear, False) + cts, op.attrs, branches))
    return [None] + [next(outs) if lin else None for lin in linear]


PARTIAL_EVAL_RULES["cond"] = _cond_partial_eval


# ---- while -----------------------------------------------------------------------------------------------

class ReverseModeError(ValueError, NotImplementedError):
    """Reverse-mode differentiation through a loop whose trip count is only known at run time."""


@jvp_rule("while")
def _while_jvp(b, op, ps, ts):
    """The body is differentiated (its tangents join the carry; the fixed point says which are nonzero);
    the cond sees the primal carry only."""
    ncc, nbc = op.attrs["cond_nconsts"], op.attrs["body_nconsts"]
    cc, bc, init = split(ps, ncc, nbc)
    _, bc_t, init_t = split(ts, ncc, nbc)
    bc_nz = [t is not None for t in bc_t]
    carry_nz = [t is not None for t in init_t]
    cond, body = op.regions
    while True:
        out_nz = jvp_region(body, bc_nz + carry_nz)[1]
        new = [a or c for a, c in zip(carry_nz, out_nz)]
        if new == carry_nz:
            break
        carry_nz = new
    jbody, _ = jvp_region(body, bc_nz + carry_nz, carry_nz)
    # the jvp block takes (bc, carry, bc tangents, carry tangents): the while wants consts first
    a_bc, a_carry, a_bc_t, a_carry_t = split(jbody.args, nbc, len(init), sum(bc_nz))
    jbody.args = a_bc + a_bc_t + a_carry + a_carry_t
    carry_types = [v.type for v in op.operands[ncc + nbc:]]
    jcond = copy_block(cond, [None] * (ncc + len(init)) + [tangent_type(t) for t in pick(carry_types, carry_nz)])
    init_tangents = [instantiate(b, t, tangent_type(ty)) for t, ty, nz in zip(init_t, carry_types, carry_nz) if nz]
    outs = b.emit("while", cc + bc + pick(bc_t, bc_nz) + init + init_tangents,
                  {"cond_nconsts": ncc, "body_nconsts": nbc + sum(bc_nz)}, [jcond, jbody])
    n = len(init)
    tangents = iter(outs[n:])
    return outs[:n], [next(tangents) if nz else None for nz in carry_nz]


def _while_partial_eval(s, op):
    """Known carries (those the body computes from known values alone, when cond needs only those) come
    from a known while; the unknown ones from a staged copy of the whole loop, which recomputes the known
    part: a loop of unknown trip count cannot save per-iteration residuals. This is enough for linearize
    (forward mode); transposing the staged loop raises ReverseModeError."""
    ncc, nbc = op.attrs["cond_nconsts"], op.attrs["body_nconsts"]
    unknown = [v in s.unknown for v in op.operands]
    cc_u, bc_u, carry_u = split(unknown, ncc, nbc)
    cond, body = op.regions
    while True:
        out_u = partial_eval(Func("body", body), bc_u + carry_u)[2]
        new = [a or c for a, c in zip(carry_u, out_u)]
        if new == carry_u:
            break
        carry_u = new
    if all(carry_u) or partial_eval(Func("cond", cond), cc_u + carry_u)[2][0]:
        return _stage_whole(s, op)
    kbody = partial_eval(Func("body", body), bc_u + carry_u, instantiate=carry_u)[0].body
    kcond = partial_eval(Func("cond", cond), cc_u + carry_u)[0].body
    kbody.results, kcond.results = kbody.results[:carry_u.count(False)], kcond.results[:1]   # no residuals
    cc, bc, init = split(op.operands, ncc, nbc)
    known_cc, known_bc = pick(cc, cc_u, False), pick(bc, bc_u, False)
    outs = s.known.emit("while", [s.kenv[v] for v in known_cc + known_bc + pick(init, carry_u, False)],
                        {"cond_nconsts": len(known_cc), "body_nconsts": len(known_bc)}, [kcond, kbody])
    _known(s, pick(op.results, carry_u, False), outs)
    staged = s.staged.emit("while", [s.staged_value(v) for v in op.operands], op.attrs, op.regions)
    _staged(s, pick(op.results, carry_u), pick(staged, carry_u))


NOT_TRANSPOSABLE["while"] = lambda: ReverseModeError(
    "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with dynamic start/stop "
    "values. Try using lax.scan, or using fori_loop with static start/stop, or a loop with a fixed maximum "
    "number of iterations (while_loop(..., max_steps=N), a scan or static fori_loop whose body does nothing "
    "once done).")


PARTIAL_EVAL_RULES["while"] = _while_partial_eval


# ---- scan ------------------------------------------------------------------------------------------------

def _scan_attrs(op, num_consts, num_carry, reverse=None):
    return {"num_consts": num_consts, "num_carry": num_carry, "length": op.attrs["length"],
            "reverse": op.attrs.get("reverse", False) if reverse is None else reverse}


@jvp_rule("scan")
def _scan_jvp(b, op, ps, ts):
    """The body is differentiated; carry tangents are nonzero by fixed point. Tangents follow their primals:
    (consts, const tangents, carry, carry tangents, xs, x tangents) -> (carry, carry tangents, ys, y tangents)."""
    nc, ncar = op.attrs["num_consts"], op.attrs["num_carry"]
    consts, init, xs = split(ps, nc, ncar)
    c_t, init_t, x_t = split(ts, nc, ncar)
    c_nz, carry_nz, x_nz = ([t is not None for t in part] for part in (c_t, init_t, x_t))
    body = op.regions[0]
    while True:
        out_nz = jvp_region(body, c_nz + carry_nz + x_nz)[1]
        new = [a or c for a, c in zip(carry_nz, out_nz[:ncar])]
        if new == carry_nz:
            break
        carry_nz = new
    jbody, out_nz = jvp_region(body, c_nz + carry_nz + x_nz, carry_nz + [False] * (len(op.results) - ncar))
    a_c, a_carry, a_x, a_ct, a_carry_t, a_xt = split(jbody.args, nc, ncar, len(xs), sum(c_nz), sum(carry_nz))
    jbody.args = a_c + a_ct + a_carry + a_carry_t + a_x + a_xt
    y_nz = out_nz[ncar:]
    r_carry, r_y, r_carry_t, r_yt = split(jbody.results, ncar, len(y_nz), sum(carry_nz))
    jbody.results = r_carry + r_carry_t + r_y + r_yt
    carry_types = [v.type for v in op.operands[nc:nc + ncar]]
    init_tangents = [instantiate(b, t, tangent_type(ty)) for t, ty, nz in zip(init_t, carry_types, carry_nz) if nz]
    n_ct = sum(carry_nz)
    outs = b.emit("scan", consts + pick(c_t, c_nz) + init + init_tangents + xs + pick(x_t, x_nz),
                  _scan_attrs(op, nc + sum(c_nz), ncar + n_ct), [jbody])
    carry, carry_t, ys, ys_t = split(outs, ncar, n_ct, len(y_nz))
    carry_t, ys_t = iter(carry_t), iter(ys_t)
    return carry + ys, [next(carry_t) if nz else None for nz in carry_nz] + [next(ys_t) if nz else None
                                                                           for nz in y_nz]


def _varying(block, n_consts):
    """The values of `block` that depend on its arguments past the first n_consts (the carry and x slices):
    the others are the same in every iteration."""
    varying = set(block.args[n_consts:])
    for op in block.ops:
        if any(v in varying for v in op.operands):
            varying.update(op.results)
    return varying


def _hoist(b, block, n_consts, consts, values):
    """Emit into `b` the ops of `block` that compute `values` (which depend on its first n_consts arguments
    only), with those arguments bound to `consts`; returns the values' counterparts."""
    needed = set(values)
    for op in reversed(block.ops):
        if any(r in needed for r in op.results):
            needed.update(op.operands)
    env = dict(zip(block.args[:n_consts], consts))
    for op in block.ops:
        if any(r in needed for r in op.results):
            env.update(zip(op.results, b.emit(op.prim, [env[v] for v in op.operands], op.attrs,
                                              [copy_block(r) for r in op.regions])))
    return [env[v] for v in values]


def _scan_partial_eval(s, op):
    """A known scan computes the known carries and ys, and per-iteration residuals as extra ys; the staged
    scan consumes them as xs. Residuals computed from consts alone are hoisted out of the loop (computed
    once, passed as consts), and residuals that are x slices are the known xs themselves."""
    nc, ncar = op.attrs["num_consts"], op.attrs["num_carry"]
    consts, init, xs = split(op.operands, nc, ncar)
    c_u, carry_u, x_u = split([v in s.unknown for v in op.operands], nc, ncar)
    body = op.regions[0]
    while True:
        out_u = partial_eval(Func("body", body), c_u + carry_u + x_u)[2]
        new = [a or c for a, c in zip(carry_u, out_u[:ncar])]
        if new == carry_u:
            break
        carry_u = new
    n_ys = len(op.results) - ncar
    kf, sf, out_u, n_res = partial_eval(Func("body", body), c_u + carry_u + x_u,
                                        instantiate=carry_u + [False] * n_ys)
    n_known_out = out_u.count(False)
    kblock = kf.body
    k_consts, k_carry, k_xs = split(kblock.args, c_u.count(False), carry_u.count(False))
    residuals = kblock.results[n_known_out:]
    varying = _varying(kblock, len(k_consts))
    x_source = dict(zip(k_xs, pick(xs, x_u, False)))   # a residual that is an x slice: the known xs itself
    invariant = [r for r in residuals if r not in varying]
    stacked = [r for r in residuals if r in varying and r not in x_source]
    # the known scan
    kblock.results = kblock.results[:n_known_out] + stacked
    known_consts = [s.kenv[v] for v in pick(consts, c_u, False)]
    kouts = s.known.emit("scan", known_consts + [s.kenv[v] for v in pick(init, carry_u, False) + pick(xs, x_u, False)],
                         _scan_attrs(op, len(k_consts), len(k_carry)), [kblock])
    _known(s, pick(op.results, carry_u + out_u[ncar:], False), kouts[:n_known_out])
    stacks = kouts[n_known_out:]
    _known(s, [None] * len(stacks), stacks)
    hoisted = _hoist(s.known, kblock, len(k_consts), known_consts, invariant)
    _known(s, [None] * len(hoisted), hoisted)
    # the staged scan: residuals by kind, then what was unknown already
    res_args, (u_consts, u_carry, u_xs) = sf.body.args[:n_res], split(sf.body.args[n_res:], c_u.count(True),
                                                                       carry_u.count(True))[:3]
    arg_of = dict(zip(residuals, res_args))
    sf.body.args = [arg_of[r] for r in invariant] + u_consts + u_carry + \
        [arg_of[r] for r in stacked] + [arg_of[r] for r in x_source if r in arg_of] + u_xs
    value_of = dict(zip(invariant, hoisted))
    value_of.update(zip(stacked, stacks))
    staged_xs = [s.staged_value(value_of[r]) for r in stacked] + \
        [s.staged_value(x_source[r]) for r in x_source if r in arg_of]
    operands = [s.staged_value(value_of[r]) for r in invariant] + [s.staged_value(v) for v in pick(consts, c_u)] + \
        [s.staged_value(v) for v in pick(init, carry_u)] + staged_xs + [s.staged_value(v) for v in pick(xs, x_u)]
    souts = s.staged.emit("scan", operands, _scan_attrs(op, len(invariant) + len(u_consts), len(u_carry)),
                          [sf.body])
    _staged(s, pick(op.results, carry_u + out_u[ncar:]), souts)


@transpose_rule("scan")
def _scan_transpose(b, op, cts, operands):
    """A linear scan run backwards. Its carry is (cotangents of the linear consts, accumulated; the carry's
    cotangent); its xs are the non-linear xs (residuals) and the ys' cotangents; its ys are the linear xs'
    cotangents. Every carry counts as linear: a carry whose initial value is not linear is a zero a JVP
    instantiated, and gets no cotangent."""
    nc, ncar = op.attrs["num_consts"], op.attrs["num_carry"]
    consts, init, xs = split(operands, nc, ncar)
    c_lin, x_lin = [is_linear(x) for x in consts], [is_linear(x) for x in xs]
    body = op.regions[0]
    n_y = len(op.results) - ncar
    y_slice_types = body.result_types[ncar:]
    ct_carry = [instantiate(b, c, r.type) for c, r in zip(cts[:ncar], op.results[:ncar])]
    ct_ys = cts[ncar:]
    f_t = transpose(Func("body", body), c_lin + [True] * ncar + x_lin)
    lin_const_types = [v.type for v in pick(op.operands[:nc], c_lin)]
    nb = Builder()
    res_consts = [nb.arg(v.type) for v in pick(op.operands[:nc], c_lin, False)]
    acc = [nb.arg(t) for t in lin_const_types]
    ct_c = [nb.arg(t) for t in body.result_types[:ncar]]
    res_x = [nb.arg(v.type.update(shape=v.type.shape[1:])) for v in pick(op.operands[nc + ncar:], x_lin, False)]
    ct_y = [zeros(nb, t) if c is None else nb.arg(t) for c, t in zip(ct_ys, y_slice_types)]
    outs = emit_block(nb, f_t.body, res_consts + res_x + ct_c + ct_y)
    ct_lc, ct_car, ct_xl = split(outs, len(acc), ncar)
    nb.ret(*[nb.emit1("add", [a, c]) for a, c in zip(acc, ct_lc)], *ct_car, *ct_xl)
    acc_init = [zeros(b, t) for t in lin_const_types]
    souts = b.emit("scan", pick(consts, c_lin, False) + acc_init + ct_carry + pick(xs, x_lin, False) +
                   [c for c in ct_ys if c is not None],
                   _scan_attrs(op, len(res_consts), len(acc) + ncar, not op.attrs.get("reverse", False)), [nb.block])
    ct_consts, ct_init, ct_xs = split(souts, len(acc), ncar)
    ct_consts, ct_xs = iter(ct_consts), iter(ct_xs)
    return ([next(ct_consts) if lin else None for lin in c_lin] +
            [c if is_linear(x) else None for c, x in zip(ct_init, init)] +
            [next(ct_xs) if lin else None for lin in x_lin])


PARTIAL_EVAL_RULES["scan"] = _scan_partial_eval
