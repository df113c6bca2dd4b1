"""lintra.sharding: meshes, partition specs and shardings (JAX 0.10.2's names), make_mesh, set_mesh,
with_sharding_constraint, and for Explicit axes (sharding-in-types) reshard, auto_axes and explicit_axes."""
import functools
import math

import numpy as np

from ..runtime import pjrt
from ..runtime.mesh import (AbstractMesh, AxisType, Mesh, P, PartitionSpec, current_mesh,  # noqa: F401
                            get_abstract_mesh, set_mesh, use_abstract_mesh, use_mesh)
from ..runtime.named_sharding import DuplicateSpecError, IndivisibleError, NamedSharding  # noqa: F401
from ..runtime.spmd import mesh_attrs, spec_attr
from . import explicit, tree
from .core import Tracer, bind1, type_of
from .devices import device_put

SingleDeviceSharding = pjrt.SingleDeviceSharding
Sharding = pjrt._jax.Sharding


def make_mesh(axis_shapes, axis_names, axis_types=None, *, devices=None):
    """A Mesh of `devices` (default: all) of shape `axis_shapes`. As JAX 0.10.2, axes are Explicit unless
    `axis_types` says otherwise."""
    axis_shapes, axis_names = tuple(axis_shapes), tuple(axis_names)
    if len(axis_shapes) != len(axis_names):
        raise ValueError(f"Mesh requires the ndim of its first argument (`devices`) to equal the length of its "
                         f"second argument (`axis_names`), but got devices.ndim == {len(axis_shapes)} and "
                         f"len(axis_names) == {len(axis_names)}.")
    devices = list(pjrt.client().devices()) if devices is None else list(devices)
    n = math.prod(axis_shapes)
    if len(devices) < n:
        raise ValueError(f"Number of devices {len(devices)} must be >= the product of mesh_shape {axis_shapes}")
    if axis_types is None:
        axis_types = (AxisType.Explicit,) * len(axis_names)
    array = np.empty(n, dtype=object)
    array[:] = devices[:n]
    return Mesh(array.reshape(axis_shapes), axis_names, axis_types)


def with_sharding_constraint(x, shardings):
    """x (a pytree), asking the partitioner inside jit to lay each leaf out as `shardings` (a sharding, a
    PartitionSpec under set_mesh, or a pytree prefix of them) says; outside jit, x moved to those shardings."""
    leaves, treedef = tree.flatten(x)
    if isinstance(shardings, (NamedSharding, PartitionSpec)):
        per_leaf = [shardings] * len(leaves)
    else:
        sl, st = tree.flatten(shardings, is_leaf=lambda s: isinstance(s, (NamedSharding, PartitionSpec)))
        per_leaf = [s for s, sub in zip(sl, st.flatten_up_to(x)) for _ in tree.leaves(sub)]
    return treedef.unflatten([_constrain(leaf, s) for leaf, s in zip(leaves, per_leaf)])


def _constrain(x, s):
    if isinstance(s, PartitionSpec) and current_mesh() is not None:
        types = explicit.axis_types(current_mesh())
        if all(t is AxisType.Explicit for t in types.values()):
            return _assert_sharded(x, s)
    if isinstance(s, PartitionSpec):
        mesh = current_mesh()
        if mesh is None:
            raise ValueError(f"with_sharding_constraint was given the PartitionSpec {s} without a mesh: use "
                             f"lintra.set_mesh(mesh) or a NamedSharding")
        s = NamedSharding(mesh, s)
    if not isinstance(s, NamedSharding):
        raise TypeError(f"with_sharding_constraint: expected a NamedSharding or PartitionSpec, got {s!r}")
    types = explicit.axis_types(s.mesh)
    if any(types[a] is not AxisType.Auto for d in range(len(s.spec)) for a in s.spec.axes_of(d)):
        am = AbstractMesh(s.mesh.axis_sizes, s.mesh.axis_names, tuple(types.values()))
        raise ValueError(f"The spec of NamedSharding passed to with_sharding_constraint can only refer to Auto axes "
                         f"of the mesh. Got spec={s.spec} and mesh={am}. You probably meant to use `reshard` API?")
    if not isinstance(x, Tracer):
        return device_put(x, s)
    s.check_shape(x.shape)
    axes, ids = mesh_attrs(s.mesh)
    return bind1("sharding_constraint", x, mesh=axes, device_ids=ids, spec=spec_attr(s.spec, len(x.shape)))


def _assert_sharded(x, spec):
    """As JAX: a PartitionSpec constraint on a mesh whose axes are all Explicit asserts x's type's sharding."""
    t = type_of(x)
    have = PartitionSpec(*[a or None for a in t.sharding or ((),) * t.ndim])
    want = spec._normalized_spec_for_aval(t.ndim)
    if have != want:
        raise AssertionError(f"`with_sharding_constraint` acts as an assert when all axes of mesh are of type "
                             f"`Explicit`. The array sharding: {have} did not match the sharding provided: {spec}. "
                             f"Please use `jax.sharding.reshard` to shard your input to the sharding you want.")
    return x


# ---- Explicit axes --------------------------------------------------------------------------------------------

def _is_sharding(s):
    return isinstance(s, (NamedSharding, PartitionSpec))


def _per_leaf(xs, shardings, what):
    """The leaves of xs, and for each the sharding (a pytree prefix of xs) that covers it."""
    leaves, treedef = tree.flatten(xs)
    if shardings is None or _is_sharding(shardings):
        return leaves, treedef, [shardings] * len(leaves)
    sl, st = tree.flatten(shardings, is_leaf=lambda s: s is None or _is_sharding(s))
    try:
        subtrees = st.flatten_up_to(xs)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{what}: the shardings {shardings!r} are not a pytree prefix of the values: {e}") from None
    return leaves, treedef, [s for s, sub in zip(sl, subtrees) for _ in tree.leaves(sub)]


def reshard(xs, out_shardings):
    """xs (a pytree) laid out as out_shardings (a NamedSharding or a PartitionSpec under set_mesh, or a pytree
    prefix of them) say, over Explicit mesh axes: the data moves and each value's type takes the new sharding.
    Inside jit it is an op (`reshard`) that the partitioner lowers to a sharding constraint."""
    leaves, treedef, per_leaf = _per_leaf(xs, out_shardings, "reshard")
    out = []
    for x, s in zip(leaves, per_leaf):
        if s is None:
            raise ValueError(f"Reshard should only be used with out_shardings which are non-None and have a "
                             f"non-empty mesh. Got sharding {s}.")
        out.append(explicit.reshard(x, s))
    return treedef.unflatten(out)


def _context_mesh(shardings, what):
    """The concrete mesh auto_axes/explicit_axes work over: set_mesh's, else that of the NamedShardings given
    (which must agree with it)."""
    meshes = {s.mesh for s in tree.leaves(shardings, is_leaf=_is_sharding) if isinstance(s, NamedSharding)}
    if len(meshes) > 1:
        raise ValueError(f"Shardings passed to {what} should have the same mesh. Got meshes "
                         f"{sorted(map(str, meshes))}")
    mesh = current_mesh()
    if mesh is not None and meshes and next(iter(meshes)) != mesh:
        raise ValueError(f"Context mesh {mesh} must match the mesh passed to shardings {next(iter(meshes))}. "
                         f"Recommended approach is to use `lintra.set_mesh` context manager.")
    return mesh if mesh is not None else next(iter(meshes), None)


def _axes(axes, mesh):
    axes = mesh.axis_names if axes is None else (axes,) if isinstance(axes, str) else tuple(axes)
    for a in axes:
        if a not in mesh.axis_names:
            raise ValueError(f"axis {a!r} is not one of the mesh's axes {mesh.axis_names}")
    return axes


def _is_array(x):
    return isinstance(x, (Tracer, pjrt.ArrayImpl))


def auto_axes(f=None, /, *, axes=None, out_sharding=None):
    """auto_axes(f, axes=, out_sharding=): f run with the mesh `axes` (default: all) of type Auto, so that the
    partitioner chooses how values are split over them (their types forget them); f's outputs are then
    resharded to `out_sharding` (given here or as a keyword argument of the call)."""
    if f is None:
        return lambda g: auto_axes(g, axes=axes, out_sharding=out_sharding)

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        out_s = out_sharding
        if out_s is None:
            if "out_sharding" not in kwargs:
                raise TypeError("Missing required keyword argument: 'out_sharding'")
            out_s = kwargs.pop("out_sharding")
        mesh = _context_mesh(out_s, "auto_axes")
        if mesh is None:
            return f(*args, **kwargs)
        names = _axes(axes, mesh)
        am = get_abstract_mesh()
        am = am if am.axis_names == mesh.axis_names else mesh.abstract_mesh
        if all(t is AxisType.Auto for n, t in zip(am.axis_names, am.axis_types) if n in names):
            return f(*args, **kwargs)
        with use_abstract_mesh(am.update_axis_types({n: AxisType.Auto for n in names})):
            args, kwargs = tree.map(lambda a: explicit.to_auto(a, mesh, names) if _is_array(a) else a,
                                    (args, kwargs))
            out = f(*args, **kwargs)
        return reshard(out, out_s)
    return wrapper


def explicit_axes(f=None, /, *, axes=None, in_sharding=None):
    """explicit_axes(f, axes=, in_sharding=): f run with the mesh `axes` (default: all) of type Explicit, its
    arguments resharded to `in_sharding` (given here or as a keyword argument of the call); its outputs leave
    with those axes left to the partitioner again. Needs a mesh set with set_mesh."""
    if f is None:
        return lambda g: explicit_axes(g, axes=axes, in_sharding=in_sharding)

    @functools.wraps(f)
    def wrapper(*args, **kwargs):
        in_s = in_sharding
        if in_s is None:
            if "in_sharding" not in kwargs:
                raise TypeError("Missing required keyword argument: 'in_sharding'")
            in_s = kwargs.pop("in_sharding")
        mesh = current_mesh()
        if mesh is None:
            raise ValueError("Context mesh cannot be empty. Please use `jax.set_mesh` API to enter into a mesh "
                             "context when using `explicit_axes` API.")
        names = _axes(axes, mesh)
        am = get_abstract_mesh()
        am = am if am.axis_names == mesh.axis_names else mesh.abstract_mesh
        with use_abstract_mesh(am.update_axis_types({n: AxisType.Explicit for n in names})):
            args = reshard(args, in_s)
            out = f(*args, **kwargs)
        return tree.map(lambda o: explicit.to_auto(o, mesh, names) if _is_array(o) else o, out)
    return wrapper
