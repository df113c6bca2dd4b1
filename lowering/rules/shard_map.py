"""Lowering of shard_map and of the collectives inside it, written as JAX 0.10.2 writes them with Shardy:
`sdy.manual_computation` whose body sees per-device shapes, and StableHLO collectives whose replica groups
are partition ids grouped over the named mesh axes (a program has one replica, so with
use_global_device_ids a group's ids are partition ids). Every collective gets channel handle 1, as JAX's."""
import numpy as np

from ..mlir import dense_constant, hlo, ir, sdy, tensor_type
from ..registry import rule
from .sharding import sharding_attr
from .structural import _body


@rule("shard_map")
def _shard_map(ctx, op, *args):
    a = op.attrs
    ctx.note_mesh(a["mesh"], a["device_ids"])
    region = op.regions[0]
    per_value = lambda specs, types: sdy.TensorShardingPerValueAttr.get(
        [sharding_attr(s, t.ndim) for s, t in zip(specs, types)])
    manual = sdy.ManualAxesAttr.get([ir.StringAttr.get(n) for n in a["manual_axes"]])
    mc = sdy.ManualComputationOp([tensor_type(r.type) for r in op.results], list(args),
                                 per_value(a["in_specs"], [v.type for v in op.operands]),
                                 per_value(a["out_specs"], [r.type for r in op.results]), manual)
    block = mc.body.blocks.append(*[tensor_type(t) for t in region.arg_types])
    # the collectives lowered inside read the enclosing manual meshes (innermost last)
    manual_meshes = ctx.__dict__.setdefault("manual_meshes", [])
    manual_meshes.append((a["mesh"], set(a["manual_axes"])))
    try:
        with ir.InsertionPoint(block):
            sdy.ReturnOp(ctx.lower_block(region, list(block.arguments)))
    finally:
        manual_meshes.pop()
    return list(mc.results)


def _mesh_of(ctx, op):
    """The mesh ((name, size), ...) of the innermost shard_map that makes op's axis manual, or the error JAX
    gives for a collective outside any (vmap's batch pass rewrites those bound by vmap away)."""
    name = op.attrs["axis_name"]
    for mesh, manual in reversed(ctx.__dict__.get("manual_meshes", [])):
        if name in manual:
            return mesh
    raise NameError(f"unbound axis name: {name!r}. {op.prim} over a named axis must run inside "
                    f"vmap(..., axis_name={name!r}) or a shard_map over a mesh with that axis")


def groups(mesh, axes):
    """Partition ids grouped over `axes`: ids laid out in the mesh's shape, those axes moved last, one group a
    row (on a 4x2 mesh ('x', 'y'), 'y' gives [[0, 1], [2, 3], ...] and 'x' [[0, 2, 4, 6], [1, 3, 5, 7]])."""
    names = [n for n, _ in mesh]
    ids = np.arange(int(np.prod([s for _, s in mesh], dtype=np.int64))).reshape([s for _, s in mesh])
    last = [names.index(a) for a in axes]
    ids = np.transpose(ids, [i for i in range(len(names)) if i not in last] + last)
    return np.ascontiguousarray(ids).reshape(-1, int(np.prod([dict(mesh)[a] for a in axes], dtype=np.int64)))


def _groups_attr(ctx, op):
    g = groups(_mesh_of(ctx, op), [op.attrs["axis_name"]])
    return ir.DenseIntElementsAttr.get(g.astype(np.int64), type=ir.RankedTensorType.get(
        list(g.shape), ir.IntegerType.get_signless(64)))


def _channel():
    return hlo.ChannelHandle.get(1, 1)     # type 1: DEVICE_TO_DEVICE


_COMBINE = {"psum": hlo.add, "pmax": hlo.maximum, "pmin": hlo.minimum}


def _scalar(x):
    return ir.RankedTensorType.get([], ir.RankedTensorType(x.type).element_type)


@rule("psum", "pmax", "pmin")
def _all_reduce(ctx, op, x):
    red = hlo.AllReduceOp([x.type], [x], _groups_attr(ctx, op), channel_handle=_channel(),
                          use_global_device_ids=True)
    combine = _COMBINE[op.prim]
    if op.results[0].type.dtype == np.bool_:
        combine = {"psum": hlo.or_, "pmax": hlo.or_, "pmin": hlo.and_}[op.prim]    # booleans: any / all
    _body(red.regions[0], [_scalar(x)] * 2, lambda a, b: [combine(a, b)])
    return list(red.results)


def _reshape(x, shape):
    t = ir.RankedTensorType(x.type)
    return hlo.reshape(ir.RankedTensorType.get(list(shape), t.element_type), x)


@rule("pvary")
def _pvary(ctx, op, x):
    return [x]      # a change of type only: every device keeps its value (JAX lowers it to nothing too)


@rule("all_gather")
def _all_gather(ctx, op, x):
    """Untiled, the gathered axis is a new one: gather along a size-1 axis inserted there."""
    axis, shape = op.attrs["axis"], list(ir.RankedTensorType(x.type).shape)
    if not op.attrs["tiled"]:
        x = _reshape(x, shape[:axis] + [1] + shape[axis:])
    out = hlo.AllGatherOp([tensor_type(op.results[0].type)], [x], axis, _groups_attr(ctx, op),
                          channel_handle=_channel(), use_global_device_ids=True)
    return list(out.results)


@rule("psum_scatter")
def _psum_scatter(ctx, op, x):
    """Untiled, the scattered axis (of the axis' size) goes: reduce_scatter leaves it of size 1."""
    dim, result = op.attrs["scatter_dimension"], op.results[0].type
    shape = list(result.shape)
    if not op.attrs["tiled"]:
        shape.insert(dim, 1)
    t = ir.RankedTensorType.get(shape, ir.RankedTensorType(x.type).element_type)
    red = hlo.ReduceScatterOp(t, x, dim, _groups_attr(ctx, op), channel_handle=_channel(),
                              use_global_device_ids=True)
    _body(red.regions[0], [_scalar(x)] * 2, lambda a, b: [hlo.add(a, b)])
    out = red.result
    return [_reshape(out, result.shape) if not op.attrs["tiled"] else out]


@rule("ppermute")
def _ppermute(ctx, op, x):
    """Each group of partitions along the axis permutes as `perm` says (pairs of positions in the group)."""
    g = groups(_mesh_of(ctx, op), [op.attrs["axis_name"]])
    pairs = np.array([[row[s], row[d]] for row in g for s, d in op.attrs["perm"]], np.int64).reshape(-1, 2)
    attr = ir.DenseIntElementsAttr.get(pairs, type=ir.RankedTensorType.get(list(pairs.shape),
                                                                           ir.IntegerType.get_signless(64)))
    return [hlo.CollectivePermuteOp(x, attr, channel_handle=_channel(), results=[x.type]).result]


@rule("all_to_all")
def _all_to_all(ctx, op, x):
    """Untiled, split_axis (of the axis' size) goes and concat_axis is new: a tiled exchange between a size-1
    axis inserted where the new one lands and the split axis, whose size-1 remainder a reshape drops."""
    a = op.attrs
    split, concat, n = a["split_axis"], a["concat_axis"], a["axis_size"]
    if not a["tiled"]:
        shape = list(ir.RankedTensorType(x.type).shape)
        at = concat if concat <= split else concat + 1
        x = _reshape(x, shape[:at] + [1] + shape[at:])
        split, concat = split + (at <= split), at
    out_shape = list(ir.RankedTensorType(x.type).shape)
    out_shape[split] //= n
    out_shape[concat] *= n
    t = ir.RankedTensorType.get(out_shape, ir.RankedTensorType(x.type).element_type)
    out = hlo.AllToAllOp([x], split, concat, n, _groups_attr(ctx, op), channel_handle=_channel(),
                         results=[t]).results[0]
    return [out if a["tiled"] else _reshape(out, op.results[0].type.shape)]


@rule("axis_index")
def _axis_index(ctx, op):
    """(partition id / the partitions per step of the axis) mod its size, as JAX computes it."""
    mesh = _mesh_of(ctx, op)
    names, sizes = [n for n, _ in mesh], [s for _, s in mesh]
    i = names.index(op.attrs["axis_name"])
    u32 = ir.RankedTensorType.get([], ir.IntegerType.get_unsigned(32))
    stride = dense_constant(np.array(int(np.prod(sizes[i + 1:], dtype=np.int64)), np.uint32))
    size = dense_constant(np.array(sizes[i], np.uint32))
    pid = hlo.PartitionIdOp(results=[u32]).result
    idx = hlo.remainder(hlo.divide(pid, stride), size)
    return [hlo.convert(tensor_type(op.results[0].type), idx)]
