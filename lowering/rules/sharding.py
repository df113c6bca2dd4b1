"""Lowering of sharding: Shardy's mesh, argument/result shardings and sharding constraints, written as JAX
0.10.2 writes them (`sdy.mesh @mesh`, `#sdy.sharding<@mesh, [{"x"}, {}]>`, `sdy.sharding_constraint`)."""
import json

from ..mlir import ir, sdy
from ..registry import rule

MESH = "mesh"       # the one mesh symbol of a module, as JAX names it


def _name(axis):
    return json.dumps(axis)     # a quoted MLIR string: JSON's escapes are MLIR's for these names


def sharding_attr(spec, ndim, closed=True):
    """#sdy.sharding<@mesh, [...]> for a value of rank `ndim` split as `spec` (axes per leading dimension);
    not `closed`: the partitioner may split each dimension further (`{"x", ?}`, `{?}`)."""
    dims = [", ".join(map(_name, spec[d])) if d < len(spec) else "" for d in range(ndim)]
    if not closed:
        dims = [f"{d}, ?" if d else "?" for d in dims]
    return ir.Attribute.parse(f"#sdy.sharding<@{MESH}, [{', '.join('{' + d + '}' for d in dims)}]>")


def annotate_module(module, fn, mesh, in_specs, out_specs):
    """Make `module` an SPMD program over `mesh` ((name, size) pairs): partition counts, the mesh symbol,
    and the shardings of `fn`'s arguments and results that are given (None: left to the partitioner)."""
    n = 1
    for _, size in mesh:
        n *= size
    i32 = ir.IntegerType.get_signless(32)
    module.operation.attributes["mhlo.num_partitions"] = ir.IntegerAttr.get(i32, n)
    module.operation.attributes["mhlo.num_replicas"] = ir.IntegerAttr.get(i32, 1)
    with ir.InsertionPoint.at_block_begin(module.body):
        sdy.MeshOp(MESH, sdy.MeshAttr.get([sdy.MeshAxisAttr.get(name, size) for name, size in mesh]))
    ftype = fn.type
    for attr_name, specs, types in (("arg_attrs", in_specs, ftype.inputs), ("res_attrs", out_specs, ftype.results)):
        if all(s is None for s in specs):
            continue
        old = fn.attributes[attr_name] if attr_name in fn.attributes else None
        entries = []
        for i, (spec, t) in enumerate(zip(specs, types)):
            d = {a.name: a.attr for a in ir.DictAttr(old[i])} if old is not None else {}
            if spec is not None:
                d["sdy.sharding"] = sharding_attr(spec, ir.RankedTensorType(t).rank)
            entries.append(ir.DictAttr.get(d))
        fn.attributes[attr_name] = ir.ArrayAttr.get(entries)


@rule("sharding_constraint")
def _sharding_constraint(ctx, op, x):
    ctx.note_mesh(op.attrs["mesh"], op.attrs["device_ids"])
    return [sdy.ShardingConstraintOp(x, sharding_attr(op.attrs["spec"], op.results[0].type.ndim)).result]


@rule("reshard")
def _reshard(ctx, op, x):
    ctx.note_mesh(op.attrs["mesh"], op.attrs["device_ids"])
    return [sdy.ShardingConstraintOp(x, sharding_attr(op.attrs["spec"], op.results[0].type.ndim,
                                                      closed=not op.attrs.get("auto"))).result]


def constrain_to_type(x, t):
    """x (an MLIR value of IR type t, whose sharding is set) constrained to t's sharding, as JAX lowers every
    op's result whose type is explicitly sharded."""
    return sdy.ShardingConstraintOp(x, sharding_attr(t.sharding, t.ndim)).result
