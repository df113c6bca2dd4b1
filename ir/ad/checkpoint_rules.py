"""Rematerialisation: JVP, partial-evaluation and transpose rules for `checkpoint`, and the rules of `name`.

checkpoint(*args) runs its region. Differentiating it keeps it: the JVP of a checkpoint is a checkpoint of
the JVP'd region. Partial evaluation is where memory is traded for compute. The region is split as any
function is (known part: outputs and residuals; staged part: residuals and tangents in, tangents out), then
the policy decides which residuals the known part may keep. Kept ones stay residuals; every other residual
is recomputed inside the staged part, from the op's known inputs and the kept values. So the staged op is a
checkpoint again, taking (known inputs, saved values, tangents): transposing it transposes its region, and
transpose_block re-emits the region's non-linear ops forwards first: that is the recomputation.

`name` is the identity; it labels a value for the name policies, and is linear (it transposes to itself).
"""
from ..builder import Builder, emit_block
from ..callbacks import has_effect
from ..core import Block, Func, Op, is_built
from .control_rules import _known, _staged, copy_block, pick
from .jvp import jvp, jvp_rule
from .jvp_rules import linear_in
from .partial_eval import PARTIAL_EVAL_RULES, partial_eval
from .transpose import is_linear, transpose, transpose_rule
from .transpose_rules import LINEAR
from .util import instantiate

LINEAR.update({"checkpoint", "name"})


def saveable(op, policy, names=(), policies=()) -> bool:
    """Whether `policy` lets the forward part of a checkpoint keep op's results for the backward part.
    save_from_both_policies: whether any of `policies` ((policy, names) pairs) does."""
    if policy == "save_from_both_policies":
        return any(saveable(op, p, tuple(n)) for p, n in policies)
    if policy == "everything_saveable":
        return True
    if policy == "nothing_saveable":
        return False
    if policy == "dots_saveable":
        return op.prim == "dot_general"
    if policy == "dots_with_no_batch_dims_saveable":
        return op.prim == "dot_general" and not op.attrs.get("lhs_batch") and not op.attrs.get("rhs_batch")
    if policy == "save_only_these_names":
        return op.prim == "name" and op.attrs["name"] in names
    if policy == "save_any_names_but_these":
        return op.prim == "name" and op.attrs["name"] not in names
    raise TypeError(f"unknown checkpoint policy {policy!r}")


# ---- checkpoint ------------------------------------------------------------------------------------------

@jvp_rule("checkpoint")
def _checkpoint_jvp(b, op, ps, ts):
    f_jvp, out_nz = jvp(Func("checkpoint", op.regions[0]), [t is not None for t in ts])
    outs = b.emit("checkpoint", ps + [t for t in ts if t is not None], op.attrs, [f_jvp.body])
    n = len(op.results)
    tangents = iter(outs[n:])
    return outs[:n], [next(tangents) if nz else None for nz in out_nz]


def policy_spec(attrs):
    """(policy, names, policies): a checkpoint's policy as saveable() reads it."""
    return (attrs.get("policy", "nothing_saveable"), tuple(attrs.get("names", ())),
            tuple((p, tuple(n)) for p, n in attrs.get("policies", ())))


def _replays_debug_callback(op, block, spec):
    """Whether the staged part re-runs this debug callback (debug.print/debug.callback) of the known part, as
    JAX's remat does so that the backward pass prints what it recomputes: always, unless the policy would
    save the callback's results (everything_saveable); then only if all its operands are recomputed anyway
    (inputs of the checkpoint or values of ops the policy does not save), so that printing adds no residual."""
    if not (op.prim == "callback" and op.attrs["kind"] == "debug"):
        return False
    if not saveable(op, *spec):
        return True
    producer = {r: o for o in block.ops for r in o.results}
    return all(v not in producer or not (producer[v].operands and saveable(producer[v], *spec))
               for v in op.operands)


def _recompute_plan(block, residuals, spec):
    """Which ops of the known block the staged part re-runs, and which of its values it takes as saved, so
    that it has every residual: walking back from the residuals, a value the policy lets be saved is saved
    (its producer is not re-run), a block argument is a known input; anything else is recomputed. Constants
    are always recomputed (they cost nothing to re-emit). Debug callbacks are re-run too (see
    _replays_debug_callback), with what they print recomputed or saved by the same rule."""
    producer = {r: op for op in block.ops for r in op.results}
    need = {r for r in residuals if r in producer}
    recompute, saved = set(), set()
    for op in reversed(block.ops):
        wanted = [r for r in op.results if r in need]
        if _replays_debug_callback(op, block, spec):
            recompute.add(op)
            need.update(op.operands)
            continue
        if not wanted:
            continue
        if op.operands and saveable(op, *spec):
            saved.update(wanted)
        else:
            recompute.add(op)
            need.update(op.operands)
    return recompute, [v for op in block.ops for v in op.results if v in saved]


def _prune(block):
    """Dead-code elimination (effects stay) that also drops the ys of scans nobody uses (in their bodies too,
    recursively): the known part of a region computes residuals for its staged part, which the known part of a
    checkpoint does not keep; without this its nested scans would still stack them, in every forward pass.
    Scans are rebuilt, never changed in place (their bodies may be shared)."""
    live = set(block.results)
    kept = []
    for op in reversed(block.ops):
        if not any(r in live for r in op.results) and not has_effect(op):
            continue
        if op.prim == "scan" and is_built(op.regions[0]):
            op = _prune_scan(op, live)
        live.update(op.operands)
        kept.append(op)
    block.ops = kept[::-1]
    return block


def _prune_scan(op, live):
    ncar = op.attrs["num_carry"]
    keep = [i for i, r in enumerate(op.results) if i < ncar or r in live]
    body = copy_block(op.regions[0])
    body.results = [body.results[i] for i in keep]
    return Op("scan", op.operands, [op.results[i] for i in keep], op.attrs, [_prune(body)])


def _used(block):
    used = set(block.results)
    for op in block.ops:
        used.update(op.operands)
    return used


def _checkpoint_partial_eval(s, op):
    """Known part: the region's known ops, inline, also producing the values the policy saves. Staged part: a
    checkpoint (differentiated=True) whose region recomputes the other residuals, then runs the staged ops."""
    unknown = [v in s.unknown for v in op.operands]
    spec = policy_spec(op.attrs)
    kf, sf, out_u, n_res = partial_eval(Func("checkpoint", op.regions[0]), unknown)
    kblock = kf.body
    n_known_out = out_u.count(False)
    residuals = kblock.results[n_known_out:]
    recompute, saved = _recompute_plan(kblock, residuals, spec)
    # the known part, inline, computing the known outputs and the saved values only
    known = _prune(Block(kblock.args, kblock.ops, kblock.results[:n_known_out] + saved))
    env = dict(zip(kblock.args, [s.kenv[v] for v in pick(op.operands, unknown, False)]))
    for o in known.ops:
        env.update(zip(o.results, s.known.emit(o.prim, [env[v] for v in o.operands], o.attrs, o.regions)))
    _known(s, pick(op.results, out_u, False), [env[v] for v in kblock.results[:n_known_out]])
    if not any(out_u):
        return
    # the staged region: (known inputs, saved values, unknown inputs) -> unknown outputs
    sb = Builder()
    senv = {a: sb.arg(a.type) for a in kblock.args}
    senv.update((v, sb.arg(v.type)) for v in saved)
    for o in kblock.ops:
        if o in recompute:
            senv.update(zip(o.results, sb.emit(o.prim, [senv[v] for v in o.operands], o.attrs,
                                               [copy_block(r) for r in o.regions])))
    unknown_args = [sb.arg(a.type) for a in sf.body.args[n_res:]]
    sb.ret(*emit_block(sb, sf.body, [senv[r] for r in residuals] + unknown_args))
    from ..passes.dce import dce_block   # here: ir.passes imports this package
    region = dce_block(sb.block)
    used = _used(region)
    inputs = [(a, v) for a, v in zip(kblock.args, pick(op.operands, unknown, False)) if senv[a] in used]
    kept = [v for v in saved if senv[v] in used]
    region.args = [senv[a] for a, _ in inputs] + [senv[v] for v in kept] + unknown_args
    _known(s, [None] * len(kept), [env[v] for v in kept])
    operands = ([s.staged_value(v) for _, v in inputs] + [s.staged_value(env[v]) for v in kept] +
                [s.senv[v] for v in pick(op.operands, unknown)])
    _staged(s, pick(op.results, out_u), s.staged.emit("checkpoint", operands, {**op.attrs, "differentiated": True},
                                                      [region]))


PARTIAL_EVAL_RULES["checkpoint"] = _checkpoint_partial_eval


@transpose_rule("checkpoint")
def _checkpoint_transpose(b, op, cts, operands):
    """A checkpoint of the transposed region: it re-runs the region's non-linear ops (the recomputation)
    before the adjoint of its linear ones; as an op of its own, it keeps prevent_cse's protection."""
    linear = [is_linear(x) for x in operands]
    cts = [instantiate(b, c, r.type) for c, r in zip(cts, op.results)]
    f_t = transpose(Func("checkpoint", op.regions[0]), linear)
    outs = iter(b.emit("checkpoint", [x for x in operands if not is_linear(x)] + cts, op.attrs, [f_t.body]))
    return [next(outs) if lin else None for lin in linear]


# ---- name ------------------------------------------------------------------------------------------------

jvp_rule("name")(linear_in())


@transpose_rule("name")
def _name_transpose(b, op, cts, operands):
    return [cts[0]]
