"""Batching of conv_general_dilated, JAX's rule: the batch dimension is folded into a dimension the
convolution already maps over, and split out of the result again.

- lhs batched only: into lhs's batch dimension (with batch groups: inside each group).
- rhs batched only: into the kernels' output features (with groups: inside each group).
- both: into lhs features and kernel output features, the batch becoming extra feature groups (or, for a
  batch-grouped convolution, into lhs batch and extra batch groups).
"""
from ..ad.conv_rules import reshape_axis_into, reshape_axis_out_of
from ..ad.jvp_rules import Emit
from .batch import batch_rule


@batch_rule("conv_general_dilated")
def _conv(ctx, op, xs, ds):
    (lhs, rhs), (ld, rd) = xs, ds
    o = Emit(ctx.b)
    a = op.attrs
    lhs_spec, rhs_spec, out_spec = a["dimension_numbers"]
    fgc, bgc = a.get("feature_group_count", 1), a.get("batch_group_count", 1)
    conv = lambda x, y, **changes: ctx.b.emit1("conv_general_dilated", [x, y], dict(a, **changes))
    size = ctx.size
    if ld is not None and rd is not None:
        if bgc > 1:
            new_lhs = reshape_axis_into(o, ld, lhs_spec[0], lhs)
            changes = {"batch_group_count": bgc * size}
        else:
            new_lhs = reshape_axis_into(o, ld, lhs_spec[1], lhs)
            changes = {"feature_group_count": fgc * size}
        out = conv(new_lhs, reshape_axis_into(o, rd, rhs_spec[0], rhs), **changes)
        return [reshape_axis_out_of(o, out_spec[1], size, out)], [out_spec[1]]
    if ld is not None:
        if bgc == 1:
            out = conv(reshape_axis_into(o, ld, lhs_spec[0], lhs), rhs)
            return [reshape_axis_out_of(o, out_spec[0], size, out)], [out_spec[0]]
        new_lhs = reshape_axis_out_of(o, lhs_spec[0] + int(ld <= lhs_spec[0]), bgc, lhs)
        new_lhs = reshape_axis_into(o, ld + int(lhs_spec[0] < ld), lhs_spec[0] + 1, new_lhs)
        new_lhs = reshape_axis_into(o, lhs_spec[0], lhs_spec[0], new_lhs)
        out = conv(new_lhs, rhs)
        return [reshape_axis_out_of(o, out_spec[0], size, out)], [out_spec[0]]
    if fgc == 1 and bgc == 1:
        out = conv(lhs, reshape_axis_into(o, rd, rhs_spec[0], rhs))
        return [reshape_axis_out_of(o, out_spec[1], size, out)], [out_spec[1]]
    groups = max(fgc, bgc)
    new_rhs = reshape_axis_out_of(o, rhs_spec[0] + int(rd <= rhs_spec[0]), groups, rhs)
    new_rhs = reshape_axis_into(o, rd + int(rhs_spec[0] < rd), rhs_spec[0] + 1, new_rhs)
    new_rhs = reshape_axis_into(o, rhs_spec[0], rhs_spec[0], new_rhs)
    out = conv(lhs, new_rhs)
    out = reshape_axis_out_of(o, out_spec[1], groups, out)
    out = reshape_axis_out_of(o, out_spec[1] + 1, size, out)
    return [reshape_axis_into(o, out_spec[1], out_spec[1] + 1, out)], [out_spec[1]]
