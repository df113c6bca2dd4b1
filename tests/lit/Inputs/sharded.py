"""Functions with sharding constraints, for sharding-lowering.lir (a mesh of the first 8 devices)."""
import lintra
from lintra.sharding import NamedSharding, PartitionSpec as P

MESH = lintra.make_mesh((4, 2), ("x", "y"))


def constrained(a):
    return lintra.lax.with_sharding_constraint(a * 2, NamedSharding(MESH, P(None, "y")))


def two_axes_one_dim(a):
    return lintra.lax.with_sharding_constraint(a, NamedSharding(MESH, P(("x", "y"))))
