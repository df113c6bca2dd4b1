"""JVP, partial-evaluation and transpose rules for shard_map: each transforms the per-device region with the
same pass and emits a shard_map again, its specs following its operands and results.

With check_vma=False (no vma types) the transpose follows JAX's rule for it: a result whose spec leaves out a
manual axis is one value replicated along it, so its cotangent is shared out (divided by the axis sizes)
before the region is transposed; an operand whose spec leaves out a manual axis was given whole to every
device, so its cotangent is the psum over that axis of the devices' cotangents (psum transposes to psum).
With check_vma=True the types say it instead: a value used by devices that vary was pvary'd, whose
transpose is the psum, and psum transposes to pvary, so cotangents pass in and out as they are."""
import numpy as np

from ..builder import Builder, emit_block
from ..core import Func
from ..types import is_inexact
from .control_rules import _known, _staged, pick
from .jvp import jvp, jvp_rule
from .partial_eval import PARTIAL_EVAL_RULES, partial_eval
from .transpose import is_linear, transpose_block, transpose_rule
from .transpose_rules import LINEAR
from .util import full_like, instantiate

LINEAR.add("shard_map")


def _with_specs(op, in_specs, out_specs):
    return {**op.attrs, "in_specs": tuple(in_specs), "out_specs": tuple(out_specs)}


def _unmentioned(op, spec):
    """The manual axes that `spec` does not split over: along them the value is replicated."""
    used = {a for axes in spec for a in axes}
    return [a for a in op.attrs["manual_axes"] if a not in used]


@jvp_rule("shard_map")
def _shard_map_jvp(b, op, ps, ts):
    """The JVP'd region mapped likewise: each tangent is laid out as its primal."""
    nz = [t is not None for t in ts]
    f_jvp, out_nz = jvp(Func("shard_map", op.regions[0]), nz)
    ins, outs_s = op.attrs["in_specs"], op.attrs["out_specs"]
    outs = b.emit("shard_map", ps + [t for t in ts if t is not None],
                  _with_specs(op, list(ins) + pick(ins, nz), list(outs_s) + pick(outs_s, out_nz)), [f_jvp.body])
    n = len(op.results)
    tangents = iter(outs[n:])
    return outs[:n], [next(tangents) if z else None for z in out_nz]


def _partial_eval(s, op):
    """A known shard_map computes the known results and the residuals, a staged one the rest. Residuals are
    per-device values: each leaves the known one with a leading axis of size 1 split over every manual axis
    (one row per device), and the staged one takes its row back."""
    region, ins, outs_s = op.regions[0], op.attrs["in_specs"], op.attrs["out_specs"]
    unknown = [v in s.unknown for v in op.operands]
    kf, sf, out_u, n_res = partial_eval(Func("shard_map", region), unknown)
    kblock, n_known = kf.body, out_u.count(False)
    kb = Builder(kblock)
    residuals = kblock.results[n_known:]
    kblock.results = kblock.results[:n_known] + [
        kb.emit1("reshape", [r], {"new_sizes": (1,) + r.type.shape}) for r in residuals]
    manual = op.attrs["manual_axes"]
    # with check_vma a residual's rows are split over the axes it varies over (JAX's nospec), so the staged
    # side sees it typed as it was; without, over every manual axis
    rows = [tuple(a for a in manual if a in r.type.vma) if op.attrs.get("check_vma") else tuple(manual)
            for r in residuals]
    res_specs = [(row,) + ((),) * r.type.ndim for row, r in zip(rows, residuals)]
    kouts = s.known.emit("shard_map", [s.kenv[v] for v in pick(op.operands, unknown, False)],
                         _with_specs(op, pick(ins, unknown, False), pick(outs_s, out_u, False) + res_specs), [kblock])
    _known(s, pick(op.results, out_u, False), kouts[:n_known])
    stacked = kouts[n_known:]
    _known(s, [None] * len(stacked), stacked)
    if not any(out_u):
        return
    sb = Builder()
    row_args = [sb.arg(r.type.update(shape=(1,) + r.type.shape)) for r in residuals]
    args = [sb.emit1("reshape", [x], {"new_sizes": r.type.shape}) for x, r in zip(row_args, residuals)]
    args += [sb.arg(a.type) for a in sf.body.args[n_res:]]
    sb.ret(*emit_block(sb, sf.body, args))
    souts = s.staged.emit("shard_map", [s.staged_value(v) for v in stacked] + [s.senv[v] for v in pick(op.operands, unknown)],
                          _with_specs(op, res_specs + pick(ins, unknown), pick(outs_s, out_u)), [sb.block])
    _staged(s, pick(op.results, out_u), souts)


PARTIAL_EVAL_RULES["shard_map"] = _partial_eval


@jvp_rule("pvary")
def _pvary_jvp(b, op, ps, ts):
    """pvary is linear; the tangent is cast as the primal (it may vary over some of the axes already)."""
    out = b.emit("pvary", ps, op.attrs)
    t, = ts
    if t is None:
        return out, [None]
    more = tuple(a for a in op.attrs["axes"] if a not in t.type.vma)
    return out, [b.emit1("pvary", [t], {"axes": more}) if more else t]


@transpose_rule("shard_map")
def _shard_map_transpose(b, op, cts, operands):
    region, ins, outs_s = op.regions[0], op.attrs["in_specs"], op.attrs["out_specs"]
    linear = [is_linear(x) for x in operands]
    sizes = dict(op.attrs["mesh"])
    checked = op.attrs.get("check_vma", False)
    cts = [instantiate(b, c, r.type) for c, r in zip(cts, op.results)]
    nb = Builder()
    nonlinear = [None if lin else nb.arg(t) for t, lin in zip(region.arg_types, linear)]
    ct_args = []
    for t, spec in zip(region.result_types, outs_s):
        c = nb.arg(t)
        n = int(np.prod([sizes[a] for a in _unmentioned(op, spec)], dtype=np.int64))
        share = n > 1 and is_inexact(t.dtype) and not checked
        ct_args.append(nb.emit1("mul", [c, full_like(nb, t, 1 / n)]) if share else c)
    in_cts = transpose_block(nb, region, linear, nonlinear, ct_args)
    results = []
    for c, t, spec in zip(in_cts, pick(region.arg_types, linear), pick(ins, linear)):    # one per linear operand
        c = instantiate(nb, c, t)
        if checked:     # typed as its operand's block; a zero or a constant may vary over fewer axes
            more = tuple(sorted(t.vma - c.type.vma))
            c = nb.emit1("pvary", [c], {"axes": more}) if more else c
        else:
            for a in _unmentioned(op, spec):
                c = nb.emit1("psum", [c], {"axis_name": a})
        results.append(c)
    nb.ret(*results)
    outs = iter(b.emit("shard_map", pick(operands, linear, False) + cts,
                       _with_specs(op, pick(ins, linear, False) + list(outs_s), pick(ins, linear)), [nb.block]))
    return [next(outs) if lin else None for lin in linear]
