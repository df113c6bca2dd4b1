"""shard_map: run a function once per device of a mesh on that device's blocks of its inputs (JAX 0.10.2's
`jax.shard_map`). The function is traced once, on per-device shapes, with the mesh's manual axes bound as
named axes (as vmap binds its axis), so the collectives inside name mesh axes and read their sizes. The
result is one IR op, `shard_map`, whose region is that trace.

With check_vma=True (the default) values are typed with the manual axes they vary over (JAX's vma types,
ir/vma.py): an argument varies over the axes its in_spec names, ops of differently varying operands pvary
them first, psum removes its axis, and an output may not vary over an axis its out_spec says it is
replicated over (JAX's error). Derivatives follow those types (psum transposes to pvary and back); with
check_vma=False nothing is tracked and they follow JAX's rules for that (ir/ad/shard_map_rules.py)."""
import contextlib
import functools
import threading

from ..runtime.mesh import AbstractMesh, AxisType, Mesh, PartitionSpec, current_mesh, use_abstract_mesh
from ..runtime.named_sharding import NamedSharding
from ..runtime.spmd import mesh_attrs, spec_attr
from . import explicit, tree
from .abstract import ShapeDtypeStruct
from .api import ir_name, trace_flat
from .core import Tracer, axis_env, bind, bind1, type_of
from .lax import pvary


class _Manual(threading.local):
    def __init__(self):
        self.axes = []      # mesh axes of the shard_maps being traced, innermost last


_manual = _Manual()


def manual_axes_bound():
    """The mesh axes of the shard_maps (and pmaps) whose bodies are being traced: named axes that, unlike
    vmap's, stand for devices."""
    return tuple(_manual.axes)


class InferFromArgs:
    """in_specs' default (JAX's jax.sharding.Infer): the specs are the arguments' own shardings, which needs
    every manual axis to be Explicit."""
    def __repr__(self):
        return "jax.sharding.Infer"


Infer = InferFromArgs()


def _specs(specs, values, what, fun_name, keep_none=False):
    """One PartitionSpec per leaf of `values`, from `specs`, a pytree prefix of them with PartitionSpec
    leaves (None: replicated, P(); with keep_none, None, for in_specs' unmapped arguments)."""
    is_leaf = lambda s: s is None or isinstance(s, (PartitionSpec, InferFromArgs))
    if is_leaf(specs):
        return [specs if keep_none else specs or PartitionSpec()] * len(tree.leaves(values))
    leaves, treedef = tree.flatten(specs, is_leaf=is_leaf)
    try:
        subtrees = treedef.flatten_up_to(values)
    except (ValueError, TypeError) as e:
        raise ValueError(f"shard_map applied to the function {fun_name!r} was given {what} that do not match the "
                         f"structure of the {'arguments' if what == 'in_specs' else 'outputs'}: {e}") from None
    return [s if keep_none else s or PartitionSpec() for s, sub in zip(leaves, subtrees) for _ in tree.leaves(sub)]


def _inferred_spec(x, mesh, manual, fun_name):
    """The in_spec of an argument under in_specs=Infer: its sharding's spec over `mesh`, keeping only the
    manual axes (JAX's _manual_spec); P() for values on one device and host values."""
    if isinstance(x, Tracer):
        raise ValueError(f"shard_map applied to the function {fun_name!r} cannot infer in_specs for a traced "
                         f"argument ({type_of(x)}): Lintra's traced values carry no sharding yet (no "
                         f"sharding-in-types); pass in_specs")
    sharding = getattr(x, "sharding", None)
    if not isinstance(sharding, NamedSharding):
        return PartitionSpec()
    if sharding.mesh != mesh:
        raise ValueError(f"shard_map applied to the function {fun_name!r}: an argument is sharded over "
                         f"{sharding.mesh}, not the shard_map's mesh {mesh}")
    out = []
    for entry in sharding.spec:
        names = [a for a in (entry if isinstance(entry, tuple) else (entry,)) if a is not None and a in manual]
        out.append(None if not names else names[0] if not isinstance(entry, tuple) else tuple(names))
    while out and out[-1] is None:
        out.pop()
    return PartitionSpec(*out)


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


def _local(t, axes, mesh, check_vma):
    """The per-device block's type; with check_vma it varies over the axes that split it."""
    shape = list(t.shape)
    for d, names in enumerate(axes):
        for a in names:
            shape[d] //= mesh.shape[a]
    block = ShapeDtypeStruct(tuple(shape), t.dtype, weak_type=t.weak)
    if check_vma:
        block.type = block.type.update(vma=t.vma | {a for names in axes for a in names})
    return block


def _vary_as_specs(outs, out_specs, mesh, manual, name):
    """JAX's implicit pvary of shard_map outputs to the axes their out_specs split them over, then its check
    that none varies over an axis its spec says it is replicated over (which could not be inferred)."""
    leaves, treedef = tree.flatten(outs)
    specs = _specs(out_specs, outs, "out_specs", name)
    fails = []
    for i, (x, s) in enumerate(zip(leaves, specs)):
        split = {a for names in spec_attr(s, len(s)) for a in names}
        more = tuple(a for a in mesh.axis_names if a in split and a not in type_of(x).vma)
        leaves[i] = x = pvary(x, more) if more else x
        if type_of(x).vma & manual - split:
            fails.append((s, type_of(x).vma))
    if fails:
        raise ValueError(_vma_error(name, mesh, fails))
    return tree.unflatten(treedef, leaves)


def _vma_error(name, mesh, fails):
    """JAX 0.10.2's message (shard_map._inout_vma_error), mesh axes in mesh order. (JAX names each spec by its
    key path in out_specs, which for a tuple of specs it prints empty: `out_specs is P()`.)"""
    order = lambda names: ",".join(a for a in mesh.axis_names if a in names)
    msgs = []
    for s, vma in fails:
        split = {a for names in spec_attr(s, len(s)) for a in names}
        unmentioned = [a for a in mesh.axis_names if a not in split]
        if len(unmentioned) > 1:
            msgs.append(f"* out_specs is {s} which implies that the corresponding output value is only "
                        f"varying across mesh axes {{{order(split)}}} and not "
                        f"{{{order([a for a in unmentioned if a in vma])}}}, but it was inferred to be possibly "
                        f"varying over {{{order(vma)}}}")
        else:
            msgs.append(f"* out_specs is {s} which implies that the corresponding output value is "
                        f"replicated across mesh axis '{unmentioned[0]}', but could not infer replication over "
                        f"any axes")
    if len(msgs) == 1:
        msgs = [msgs[0][2:]]
    return (f"shard_map applied to the function '{name}' was given out_specs which require replication which "
            f"can't be statically inferred given the mesh:\n\nThe mesh given has shape "
            f"{tuple(mesh.shape[a] for a in mesh.axis_names)} with corresponding axis names {mesh.axis_names}.\n\n"
            + "\n\n".join(msgs) + "\n\nCheck if these output values are meant to be replicated over those mesh "
            "axes. If not, consider revising the corresponding out_specs entries. If so, consider disabling the "
            "check by passing the check_vma=False argument to `jax.shard_map`.")


def _typed(out, spec, axis_types, axes, ids):
    """A shard_map output split over Explicit axes, typed so (as JAX types it by out_specs): a reshard to
    the layout it already has."""
    typed = tuple(tuple(a for a in d if axis_types[a] is AxisType.Explicit) for d in spec)
    typed += ((),) * (type_of(out).ndim - len(typed))
    if not any(typed):
        return out
    return bind1("reshard", out, mesh=axes, device_ids=ids, spec=typed)


@contextlib.contextmanager
def in_body(mesh, manual, check_vma):
    """The context a shard_map body over `mesh` is traced in: its `manual` axes bound as named axes (whose
    vma types are tracked with check_vma) and seen as Manual by the abstract mesh."""
    bound = [(a, mesh.shape[a]) for a in mesh.axis_names if a in manual]
    checked = [a for a, _ in bound] if check_vma else []
    axis_env.names.extend(bound)
    axis_env.checked.extend(checked)
    _manual.axes.extend(a for a, _ in bound)
    outer = explicit.axis_types(mesh)
    inside = AbstractMesh(mesh.axis_sizes, mesh.axis_names,       # as JAX: the body sees its axes as Manual
                          tuple(AxisType.Manual if a in manual else outer[a] for a in mesh.axis_names))
    try:
        with use_abstract_mesh(inside):
            yield
    finally:
        del axis_env.names[len(axis_env.names) - len(bound):]
        del axis_env.checked[len(axis_env.checked) - len(checked):]
        del _manual.axes[len(_manual.axes) - len(bound):]


def shard_map(f=None, /, *, out_specs, in_specs=Infer, mesh=None, axis_names=frozenset(), check_vma=True):
    """f mapped over the devices of `mesh` (default: the mesh of set_mesh): each device runs f on its blocks
    of the inputs, split as in_specs say (PartitionSpecs, a pytree prefix of the arguments; None leaves an
    argument unmapped; by default the arguments' own shardings, when the manual axes are Explicit), and the
    outputs are its blocks, assembled as out_specs say. axis_names: the mesh axes that are manual (default
    all)."""
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
        name = ir_name(f)
        manual = set(axis_names) or set(m.axis_names)
        if not manual <= set(m.axis_names):
            raise ValueError(f"shard_map axis_names {sorted(manual)} are not all axes of the mesh {m.axis_names}")
        leaves, in_tree = tree.flatten(args)
        if in_specs is Infer:
            kinds = dict(zip(m.axis_names, m.axis_types))
            if not all(kinds[a] == AxisType.Explicit for a in manual):
                raise TypeError("shard_map in_specs argument must be a pytree of `jax.sharding.PartitionSpec` "
                                f"instances, but it was `None` when axis_names={frozenset(manual)} are of type "
                                f"{', '.join(str(kinds[a]) for a in m.axis_names if a in manual)}")
            given = [_inferred_spec(x, m, manual, name) for x in leaves]
        else:
            given = _specs(tuple(in_specs) if isinstance(in_specs, list) else in_specs, args, "in_specs", name,
                           keep_none=True)
        # a None spec leaves its argument unmapped: f sees it as it is, closed over (JAX's static arguments)
        mapped = [s is not None for s in given]
        dynamic = [x for x, d in zip(leaves, mapped) if d]
        types = [type_of(x) for x in dynamic]
        ins = [_check(m, manual, s, t, f"in_specs[{i}]", name)
               for i, (s, t) in enumerate(zip([s for s in given if s is not None], types))]
        def body(*blocks):
            blocks = iter(blocks)
            outs = f(*in_tree.unflatten([next(blocks) if d else x for x, d in zip(leaves, mapped)]))
            return _vary_as_specs(outs, out_specs, m, manual, getattr(f, "__name__", str(f))) if check_vma else outs

        with in_body(m, manual, check_vma):
            func, out_tree, captured, _ = trace_flat(
                body, [_local(t, a, m, check_vma) for t, a in zip(types, ins)], tree.structure(tuple(dynamic)),
                name, abstract=True)
        outer = explicit.axis_types(m)
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
        outs = bind("shard_map", *dynamic, *captured, regions=[func.body], mesh=axes, device_ids=ids,
                    in_specs=tuple(ins) + tuple(((),) * len(type_of(c).shape) for c in captured),
                    out_specs=tuple(outs_attr), manual_axes=tuple(a for a in m.axis_names if a in manual),
                    **({"check_vma": True} if check_vma else {}))
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
