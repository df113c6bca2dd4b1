"""jit's in_shardings and out_shardings: checked when jit is called, matched to the flat arguments and
outputs (as pytree prefixes) when a signature is traced."""
from ..runtime import pjrt
from ..runtime.mesh import PartitionSpec, current_mesh
from ..runtime.named_sharding import NamedSharding
from . import tree


def _is_leaf(x):
    return x is None or isinstance(x, (pjrt.SingleDeviceSharding, NamedSharding, PartitionSpec))


def _check(shardings, what):
    for s in tree.leaves(shardings, is_leaf=_is_leaf):
        if not _is_leaf(s):
            raise TypeError(f"{what} leaves must be shardings (NamedSharding, SingleDeviceSharding), "
                            f"PartitionSpecs or None; got {s!r} of type {type(s).__name__}")
    return shardings


def check_shardings(in_shardings, out_shardings):
    return _check(in_shardings, "in_shardings"), _check(out_shardings, "out_shardings")


def _resolve(s):
    """A sharding leaf as a sharding: a PartitionSpec means one over the mesh set by set_mesh (as in JAX); a
    single-device sharding is left to the device the computation runs on."""
    if isinstance(s, PartitionSpec):
        mesh = current_mesh()
        if mesh is None:
            raise ValueError(f"jit was given the PartitionSpec {s} without a mesh: use lintra.set_mesh(mesh) or "
                             f"a NamedSharding")
        return NamedSharding(mesh, s)
    return s if isinstance(s, NamedSharding) else None


def _per_leaf(prefix, full):
    """For each leaf of `full`, the leaf of `prefix` (a pytree prefix of it) that covers it."""
    leaves, treedef = tree.flatten(prefix, is_leaf=_is_leaf)
    out = []
    for s, sub in zip(leaves, treedef.flatten_up_to(full)):
        out += [_resolve(s)] * len(tree.leaves(sub))
    return out


def flat_in_shardings(in_shardings, args, kwargs):
    """One sharding (or None) per dynamic leaf of (args, kwargs); keyword arguments are unspecified."""
    n_kw = len(tree.leaves(kwargs))
    if _is_leaf(in_shardings):
        return [_resolve(in_shardings)] * len(tree.leaves(args)) + [None] * n_kw
    prefix = tuple(in_shardings) if isinstance(in_shardings, list) else in_shardings
    if isinstance(prefix, tuple) and len(prefix) != len(args):
        raise ValueError(f"jit in_shardings has {len(prefix)} entries, but the function was called with "
                         f"{len(args)} positional arguments")
    return _per_leaf(prefix, tuple(args)) + [None] * n_kw


def flat_out_shardings(out_shardings, out_tree):
    """One sharding (or None) per output leaf."""
    n = out_tree.num_leaves
    if _is_leaf(out_shardings):
        return [_resolve(out_shardings)] * n
    return _per_leaf(out_shardings, out_tree.unflatten(list(range(n))))
