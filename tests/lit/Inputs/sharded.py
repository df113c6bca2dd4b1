"""Functions with sharding constraints, for sharding-lowering.lir (a mesh of the first 8 devices, its axes
Auto: with_sharding_constraint names only Auto axes, as in JAX)."""
import lintra
from lintra.sharding import AxisType, NamedSharding, PartitionSpec as P

MESH = lintra.make_mesh((4, 2), ("x", "y"), axis_types=(AxisType.Auto,) * 2)


def constrained(a):
    return lintra.lax.with_sharding_constraint(a * 2, NamedSharding(MESH, P(None, "y")))


def two_axes_one_dim(a):
    return lintra.lax.with_sharding_constraint(a, NamedSharding(MESH, P(("x", "y"))))


def mapped(a):
    """A shard_map over both axes whose body reduces over 'y' and rotates blocks along 'x'."""
    def body(b):
        s = lintra.lax.psum(b, "y")
        return lintra.lax.ppermute(s, "x", [(i, (i + 1) % 4) for i in range(4)])
    return lintra.shard_map(body, mesh=MESH, in_specs=P("x", "y"), out_specs=P("x", "y"))(a)
