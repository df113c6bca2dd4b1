"""shard_map: run a function once per device of a mesh on that device's blocks of its inputs (JAX 0.10.2's
`jax.shard_map`). The function is traced once, on per-device shapes, with the mesh's manual axes bound as
named axes (as vmap binds its axis), so the collectives inside name mesh axes and read their sizes. The
result is one IR op, `shard_map`, whose region is that trace.

Lintra does not track which values vary across devices (JAX's vma types): check_vma is accepted and no
replication check is made; derivatives follow JAX's rules for check_vma=False (ir/ad/shard_map_rules.py)."""
import functools
import threading

from ..runtime.mesh import AbstractMesh, AxisType, Mesh, PartitionSpec, current_mesh, use_abstract_mesh
from ..runtime.spmd import mesh_attrs, spec_attr
from . import explicit, tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_flat
from .core import axis_env, bind, bind1, type_of


class _Manual(threading.local):
    def __init__(self):
        self.axes = []      # mesh axes of the shard_maps being traced, innermost last


_manual = _Manual()


def manual_axes_bound():
    """The mesh axes of the shard_maps (and pmaps) whose bodies are being traced: named axes that, unlike
    vmap's, stand for devices."""
    return tuple(_manual.axes)


def _specs(specs, values, what, fun_name):
    """One PartitionSpec per leaf of `values`, from `specs`, a pytree prefix of them with PartitionSpec
    leaves (None: replicated, P())."""
    is_leaf = lambda s: s is None or isinstance(s, PartitionSpec)
    if is_leaf(specs):
        return [specs or PartitionSpec()] * len(tree.leaves(values))
    leaves, treedef = tree.flatten(specs, is_leaf=is_leaf)
    try:
        subtrees = treedef.flatten_up_to(values)
    except (ValueError, TypeError) as e:
        raise ValueError(f"shard_map applied to the function {fun_name!r} was given {what} that do not match the "
                         f"structure of the {'arguments' if what == 'in_specs' else 'outputs'}: {e}") from None
    return [s or PartitionSpec() for s, sub in zip(leaves, subtrees) for _ in tree.leaves(sub)]


def _check(mesh, manual, spec, t, what, fun_name):
    """spec as the op's attribute for a value of type t (global), or a clear error."""
    if len(spec) > len(t.shape):
        raise ValueError(f"shard_map applied to the function {fun_name!r}: {what} is {spec}, of length {len(spec)}, "
                         f"for a value of rank {len(t.shape)} ({t})")
    axes = spec_attr(spec, len(t.shape))
    for d, names in enumerate(axes):
        for a in names:
            if a not in mesh.axis_names:
                raise ValueError(f"shard_map applied to the function {fun_name!r}: {what} is {spec}, which names "
                                 f"the axis {a!r}, not one of the mesh's axes {mesh.axis_names}")
            if a not in manual:
                raise ValueError(f"shard_map applied to the function {fun_name!r}: {what} is {spec}, which names "
                                 f"the axis {a!r}, not one of axis_names {sorted(manual)}")
        n = 1
        for a in names:
            n *= mesh.shape[a]
        if t.shape[d] % n:
            raise ValueError(f"shard_map applied to the function {fun_name!r}: {what} is {spec}, which splits "
                             f"dimension {d} of {t} over {n} devices; {t.shape[d]} is not divisible by {n}")
    return axes


def _local(t, axes, mesh):
    shape = list(t.shape)
    for d, names in enumerate(axes):
        for a in names:
            shape[d] //= mesh.shape[a]
    return ShapeDtypeStruct(tuple(shape), t.dtype, weak_type=t.weak)


def _typed(out, spec, axis_types, axes, ids):
    """A shard_map output split over Explicit axes, typed so (as JAX types it by out_specs): a reshard to
    the layout it already has."""
    typed = tuple(tuple(a for a in d if axis_types[a] is AxisType.Explicit) for d in spec)
    typed += ((),) * (type_of(out).ndim - len(typed))
    if not any(typed):
        return out
    return bind1("reshard", out, mesh=axes, device_ids=ids, spec=typed)


def shard_map(f=None, /, *, out_specs, in_specs=None, mesh=None, axis_names=frozenset(), check_vma=True):
    """f mapped over the devices of `mesh` (default: the mesh of set_mesh): each device runs f on its blocks
    of the inputs, split as in_specs say (PartitionSpecs, a pytree prefix of the arguments), and the outputs
    are its blocks, assembled as out_specs say. axis_names: the mesh axes that are manual (default all)."""
    if f is None:
        return lambda g: shard_map(g, out_specs=out_specs, in_specs=in_specs, mesh=mesh, axis_names=axis_names,
                                   check_vma=check_vma)
    if not callable(f):
        raise TypeError(f"shard_map requires a callable for its first argument, but got {f!r} of type {type(f)}.")

    @functools.wraps(f)
    def wrapped(*args):
        m = mesh if mesh is not None else current_mesh()
        if not isinstance(m, Mesh):
            raise ValueError("shard_map requires a `mesh` argument, or a mesh set with lintra.set_mesh(mesh) "
                             f"(got {m!r})")
        if in_specs is None:
            raise ValueError("shard_map requires in_specs: Lintra has no explicit-sharding types to infer them "
                             "from the arguments")
        name = ir_name(f)
        manual = set(axis_names) or set(m.axis_names)
        if not manual <= set(m.axis_names):
            raise ValueError(f"shard_map axis_names {sorted(manual)} are not all axes of the mesh {m.axis_names}")
        leaves, in_tree = tree.flatten(args)
        types = [type_of(x) for x in leaves]
        ins = [_check(m, manual, s, t, f"in_specs[{i}]", name)
               for i, (s, t) in enumerate(zip(_specs(tuple(in_specs) if isinstance(in_specs, list) else in_specs,
                                                     args, "in_specs", name), types))]
        bound = [(a, m.shape[a]) for a in m.axis_names if a in manual]
        axis_env.names.extend(bound)
        _manual.axes.extend(a for a, _ in bound)
        outer = explicit.axis_types(m)
        inside = AbstractMesh(m.axis_sizes, m.axis_names,       # as JAX: the body sees its axes as Manual
                              tuple(AxisType.Manual if a in manual else outer[a] for a in m.axis_names))
        try:
            with use_abstract_mesh(inside):
                func, out_tree, captured, _ = trace_flat(f, [_local(t, a, m) for t, a in zip(types, ins)], in_tree,
                                                         name)
        finally:
            del axis_env.names[len(axis_env.names) - len(bound):]
            del _manual.axes[len(_manual.axes) - len(bound):]
        out_types = [r.type for r in func.results]
        specs = _specs(out_specs, out_tree.unflatten(list(range(len(out_types)))), "out_specs", name)
        global_types = []
        for i, (s, t) in enumerate(zip(specs, out_types)):
            if len(s) > len(t.shape):
                raise ValueError(f"shard_map applied to the function {name!r}: out_specs[{i}] is {s}, of length "
                                 f"{len(s)}, for an output of rank {len(t.shape)} ({t})")
            shape = [d * _prod(m, a) for d, a in zip(t.shape, spec_attr(s, len(t.shape)))]
            global_types.append(t.update(shape=tuple(shape)))
        outs_attr = [_check(m, manual, s, t, f"out_specs[{i}]", name)
                     for i, (s, t) in enumerate(zip(specs, global_types))]
        # values f closes over are operands too (regions are closed), the same on every device
        axes, ids = mesh_attrs(m)
        outs = bind("shard_map", *leaves, *captured, regions=[func.body], mesh=axes, device_ids=ids,
                    in_specs=tuple(ins) + tuple(((),) * len(type_of(c).shape) for c in captured),
                    out_specs=tuple(outs_attr), manual_axes=tuple(a for a, _ in bound))
        return out_tree.unflatten([_typed(o, s, outer, axes, ids) for o, s in zip(outs, outs_attr)])
    return wrapped


def _prod(mesh, names):
    n = 1
    for a in names:
        n *= mesh.shape[a]
    return n


def experimental_shard_map(f, mesh, in_specs, out_specs, check_rep=True, auto=frozenset()):
    """jax.experimental.shard_map.shard_map (deprecated in JAX, still there): `auto` names the axes left to
    the partitioner, so the manual ones are the rest."""
    return shard_map(f, mesh=mesh, in_specs=in_specs, out_specs=out_specs, check_vma=check_rep,
                     axis_names=frozenset(mesh.axis_names) - frozenset(auto))
