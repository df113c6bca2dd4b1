"""Sharding-in-types from the front end (JAX 0.10.2's Explicit axes): `reshard`, and what the out_sharding
arguments of lintra.numpy and lintra.lax functions become. A value split over a mesh's Explicit axes has a
type that says so (TensorType.sharding); ir/sharding_rules.py gives each operation's result its sharding."""
from ..runtime.mesh import AxisType, PartitionSpec, current_mesh, get_abstract_mesh
from ..runtime.named_sharding import NamedSharding, check_spec
from ..runtime.spmd import mesh_attrs
from .core import bind1, type_of


def resolve(s, what):
    """(mesh, spec) of a sharding given as a NamedSharding, or as a PartitionSpec over the set_mesh mesh."""
    if isinstance(s, NamedSharding):
        return s.mesh, s.spec
    if isinstance(s, PartitionSpec):
        mesh = current_mesh()
        if mesh is None:
            raise ValueError(f"{what} was given the PartitionSpec {s} without a mesh: use lintra.set_mesh(mesh) or "
                             f"a NamedSharding")
        check_spec(mesh, s)
        return mesh, s
    raise TypeError(f"{what}: expected a NamedSharding or a PartitionSpec, got {s!r} of type {type(s).__name__}")


def axis_types(mesh):
    """`mesh`'s axis types as tracing sees them now: auto_axes and explicit_axes change them for their body."""
    am = get_abstract_mesh()
    if am.axis_names == mesh.axis_names and tuple(am.axis_sizes) == tuple(mesh.axis_sizes):
        return dict(zip(am.axis_names, am.axis_types))
    return dict(zip(mesh.axis_names, mesh.axis_types))


def type_spec(mesh, spec, ndim, what, drop=()):
    """`spec` (over `mesh`) as the sharding of a rank-`ndim` value's type, without the axes in `drop`. Only
    Explicit axes can be part of a type."""
    if len(spec) > ndim:
        extra = " For scalars the PartitionSpec should be P()" if not ndim else ""
        raise ValueError(f"{what}: PartitionSpec {spec} is only valid for values of rank at least {len(spec)}, but "
                         f"was applied to a value of rank {ndim}.{extra}")
    types = axis_types(mesh)
    out = [tuple(a for a in spec.axes_of(d) if a not in drop) for d in range(ndim)]
    other = [a for axes in out for a in axes if types[a] is not AxisType.Explicit]
    if other:
        raise ValueError(f"PartitionSpec passed to {what} cannot contain axis names that are of type Auto or "
                         f"Manual. Got PartitionSpec: {spec} with axis name: {other[0]} of type: "
                         f"AxisType.{types[other[0]].name}.")
    return tuple(out)


def reshard(x, sharding, what="reshard"):
    """x (an array or tracer) laid out as `sharding` says, its type's sharding now that one."""
    mesh, spec = resolve(sharding, what)
    target = type_spec(mesh, spec, type_of(x).ndim, what)
    axes, ids = mesh_attrs(mesh)
    return bind1("reshard", x, mesh=axes, device_ids=ids, spec=target)


def to_auto(x, mesh, axes):
    """x with `axes` left to the partitioner: they leave its type, and its layout over them is XLA's choice."""
    t = type_of(x)
    spec = tuple(tuple(a for a in d if a not in axes) for d in (t.sharding or ((),) * t.ndim))
    names, ids = mesh_attrs(mesh)
    return bind1("reshard", x, mesh=names, device_ids=ids, spec=spec, auto=tuple(axes))


def with_out_sharding(x, out_sharding, what):
    """x resharded to `out_sharding` (a jnp function's out_sharding argument), or x when None."""
    if out_sharding is None:
        return x
    mesh, spec = resolve(out_sharding, what)
    target = type_spec(mesh, spec, type_of(x).ndim, what)
    if type_of(x).sharding == (target if any(target) else None):
        return x
    return reshard(x, out_sharding, what)


def out_sharding_attrs(out_sharding, ndim, what):
    """The attributes that give dot_general or reshape its result's sharding (none when not asked for)."""
    if out_sharding is None:
        return {}
    mesh, spec = resolve(out_sharding, what)
    return {"out_sharding": type_spec(mesh, spec, ndim, what)}
