"""checkify through shard_map (and pmap, a jit of one), as JAX 0.10.2's shard_map_error_check: the error goes
in replicated, each device runs the body checkified on its blocks, and its error comes out as that device's
block of a leading axis split over the manual mesh axes. The error is then batched over the devices (in mesh
order), so get() reports each device's error "at mapped index i", and throw() the last device's."""
from ...runtime.spmd import mesh_from_attrs
from .. import tree
from ..core import type_of
from ..lax import expand_dims
from ..shard_map import in_body
from .control_rules import eval_op_with
from .interpreter import checkify_block, checkify_rule, split_outputs, trace_region


@checkify_rule("shard_map")
def _shard_map(error, enabled, op, ins):
    a = op.attrs
    body, = op.regions
    manual = a["manual_axes"]       # in mesh order

    def per_device(e, _, xs):
        e, outs = checkify_block(body, enabled, e, xs)
        return tree.map(lambda v: expand_dims(v, [0]), e), outs
    with in_body(mesh_from_attrs(a["mesh"], a["device_ids"]), set(manual), a.get("check_vma", False)):
        region, out_tree = trace_region(error, [], body.arg_types, per_device, "shard_map")
    leaves = tree.leaves(error)
    errs_out = region.result_types[:out_tree.num_leaves]
    outs = eval_op_with(op, [*leaves, *ins], [region],
                        in_specs=tuple(((),) * type_of(x).ndim for x in leaves) + tuple(a["in_specs"]),
                        out_specs=tuple((tuple(manual),) + ((),) * (t.ndim - 1) for t in errs_out)
                        + tuple(a["out_specs"]))
    return split_outputs(out_tree, outs)
