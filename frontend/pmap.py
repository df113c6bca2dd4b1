"""pmap: map a function over an array axis, one device per index (JAX 0.10.2's `jax.pmap`).

JAX 0.10.2 builds pmap from shard_map and jit (jax/_src/pmap.py), and so does Lintra: the first `size`
devices form a 1-D mesh whose one axis is pmap's axis_name; each mapped input is split along its mapped
axis over that mesh (in_specs P(None, ..., axis_name)), the function runs per device with that axis (of
size 1) squeezed away, and its outputs get the axis back (expand_dims) and are assembled along out_axes.
The whole is a jit, with in/out shardings NamedSharding(mesh, spec) when called outside any trace, so the
results are ordinary global Arrays sharded over the mesh, as JAX's are. Collectives inside name the axis;
grad, vmap and jit compose with pmap through the shard_map op's rules.

Lintra runs pmap in one process only (JAX's host-local/global conversion for several processes is not
built); inside another pmap or shard_map it is an error, as it is in JAX 0.10.2."""
import functools

from ..runtime.array import Array
from ..runtime.mesh import Mesh, PartitionSpec
from ..runtime.named_sharding import IndivisibleError, NamedSharding
from ..runtime.spmd import is_sharded
from . import lax, tree
from .api import jit
from .core import current_trace, type_of
from .devices import device_put, devices as all_devices
from .processes import process_count
from .shard_map import manual_axes_bound, shard_map

DEFAULT_AXIS_NAME = "_internal_pmap_axis_name"   # JAX's name for the mesh axis when axis_name is None


def pmap(fun, axis_name=None, *, in_axes=0, out_axes=0, static_broadcasted_argnums=(), devices=None,
         backend=None, axis_size=None, donate_argnums=()):
    """fun mapped over axis `in_axes` of its arguments, index i running on device i (of `devices`, default
    lintra.devices(backend)); outputs stacked along out_axes. axis_name names the axis for collectives.
    Positional arguments in static_broadcasted_argnums are Python values given to every device (hashable;
    a new value retraces). Keyword arguments are mapped along their axis 0."""
    if not callable(fun):
        raise TypeError(f"Expected a callable value, got {fun!r}")
    if devices is not None:
        if not devices:
            raise ValueError("'devices' argument to pmap must be non-empty, or None.")
        devices = tuple(devices)
    axis_name = DEFAULT_AXIS_NAME if axis_name is None else axis_name
    statics = _index_tuple(static_broadcasted_argnums, "static_broadcasted_argnums")
    donate = _rebase_donate(_index_tuple(donate_argnums, "donate_argnums"), statics)
    for what, axes in (("in_axes", in_axes), ("out_axes", out_axes)):
        if not all(type(a) is int for a in tree.leaves(axes)):
            raise TypeError(f"pmap {what} must be an int, None, or (nested) container with those types as "
                            f"leaves, but got {axes}.")
    negative = [a for a in tree.leaves(out_axes) if a < 0]
    if negative:
        raise ValueError(f"pmap out_axes must be non-negative (or None), got {out_axes!r}: say where the mapped "
                         f"axis goes counting from the front")
    cache = {}

    def prepare(args, kwargs):
        """(the jitted shard_map for this signature, the flat dynamic arguments laid out for it)."""
        if process_count(backend) > 1:
            raise ValueError(f"pmap of {_name(fun)} was called in a multi-process run ({process_count(backend)} "
                             f"processes); Lintra's pmap runs in one process: use jit with NamedShardings or "
                             f"shard_map over a global mesh instead")
        inner = manual_axes_bound()
        if inner:
            raise ValueError(f"pmap of {_name(fun)} was called inside a pmap or shard_map over the mesh axes "
                             f"{inner}; nested pmap is not supported (as in JAX 0.10.2): use one pmap or "
                             f"shard_map over a 2-D mesh, or vmap for the inner map")
        if statics and max(statics) >= len(args):
            raise ValueError(f"pmapped function has static_broadcasted_argnums={statics} but was called with "
                             f"only {len(args)} positional argument{'s' if len(args) > 1 else ''}. All static "
                             f"broadcasted arguments must be passed positionally.")
        static_vals = tuple((i, args[i]) for i in statics)
        for i, v in static_vals:
            try:
                hash(v)
            except TypeError:
                raise ValueError(f"Non-hashable static arguments are not supported, as this can lead to "
                                 f"unexpected cache-misses. Static argument (index {i}) of type {type(v)} for "
                                 f"function {_name(fun)} is non-hashable.") from None
        dyn_args = tuple(a for i, a in enumerate(args) if i not in statics)
        leaves, in_tree = tree.flatten((dyn_args, kwargs))
        dyn_in_axes = in_axes
        if statics and isinstance(in_axes, tuple):
            if len(in_axes) != len(args):
                raise ValueError(f"pmap in_axes {in_axes!r} has {len(in_axes)} entries, but the pmapped function "
                                 f"was called with {len(args)} positional arguments: with "
                                 f"static_broadcasted_argnums, in_axes has an entry for each positional argument, "
                                 f"static ones included")
            dyn_in_axes = tuple(a for i, a in enumerate(in_axes) if i not in statics)
        axes = _flat_in_axes(dyn_in_axes, dyn_args, kwargs, in_tree)
        axes, size = _check_mapped(leaves, axes, _name(fun), lambda i: _leaf_name(i, args, statics, kwargs))
        mesh_devices = _mesh_devices(devices, backend, size, axis_size, axis_name)
        donated = tuple(i for i, n in enumerate(_arg_of_leaf(dyn_args, kwargs)) if n in donate)
        clean = current_trace() is None
        key = (static_vals, in_tree, axes, donated, tuple(d.id for d in mesh_devices), clean)
        built = cache.get(key)
        if built is None:
            built = cache[key] = _build(fun, dict(static_vals), in_tree, axes, out_axes, donated, mesh_devices,
                                        axis_name, clean)
        jitted, in_shardings = built
        if in_shardings is not None:
            # arrays sharded some other way (another pmap's devices, another mesh) move to this one's layout
            leaves = [device_put(x, s) if x.__class__ is Array and is_sharded(x) and x.sharding != s else x
                      for x, s in zip(leaves, in_shardings)]
        return jitted, leaves

    @functools.wraps(fun)
    def mapped(*args, **kwargs):
        jitted, leaves = prepare(args, kwargs)
        return jitted(*leaves)

    def lower(*args, **kwargs):
        """The Lowered stage (the SPMD StableHLO program) of this pmap for arguments like these."""
        jitted, leaves = prepare(args, kwargs)
        return jitted.lower(*leaves)
    mapped.lower = lower
    return mapped


def _build(fun, statics, in_tree, in_axes, out_axes, donated, mesh_devices, axis_name, clean):
    """(jit(shard_map(per-device fun)), its input shardings or None inside a trace) for one signature: JAX's
    _cached_shard_map."""
    mesh = Mesh(mesh_devices, (axis_name,))
    in_specs = tuple(_spec(axis_name, a) for a in in_axes)
    out_specs = tree.map(lambda a: _spec(axis_name, a), out_axes, is_leaf=lambda a: a is None)

    def per_device(*flat):
        xs = [x if a is None else lax.squeeze(x, [a]) for x, a in zip(flat, in_axes)]
        args, kwargs = in_tree.unflatten(xs)
        if statics:
            it = iter(args)
            args = [statics[i] if i in statics else next(it) for i in range(len(args) + len(statics))]
        out = fun(*args, **kwargs)
        out_leaves, out_tree = tree.flatten(out)
        targets = tree.leaves(tree.broadcast(out_axes, out, is_leaf=lambda a: a is None),
                              is_leaf=lambda a: a is None)
        return out_tree.unflatten([x if a is None else lax.expand_dims(x, [a]) for x, a in zip(out_leaves, targets)])
    per_device.__name__ = per_device.__qualname__ = _name(fun)

    mapped = shard_map(per_device, mesh=mesh, in_specs=in_specs, out_specs=out_specs, check_vma=False)
    if not clean:       # inside a trace shardings are the enclosing computation's business (as in JAX)
        return jit(mapped, donate_argnums=donated), None
    shardings = lambda specs: tree.map(lambda s: NamedSharding(mesh, s), specs,
                                       is_leaf=lambda s: isinstance(s, PartitionSpec))
    ins = shardings(in_specs)
    return jit(mapped, donate_argnums=donated, in_shardings=ins, out_shardings=shardings(out_specs)), ins


def _spec(axis_name, axis):
    return PartitionSpec() if axis is None else PartitionSpec(*[None] * axis, axis_name)


def _flat_in_axes(in_axes, dyn_args, kwargs, in_tree):
    """One axis per leaf of (dyn_args, kwargs): in_axes is a prefix of the positional arguments' tuple, and
    keyword arguments are mapped along axis 0."""
    if isinstance(in_axes, int) and (in_axes == 0 or not kwargs):
        return (in_axes,) * in_tree.num_leaves
    prefix = (in_axes, 0)
    is_leaf = lambda a: a is None
    try:
        leaves, treedef = tree.flatten(prefix, is_leaf=is_leaf)
        subtrees = treedef.flatten_up_to((dyn_args, kwargs))
    except (ValueError, TypeError):
        err = next(tree._prefix_error((), prefix, (dyn_args, kwargs), is_leaf), None)
        msg = err("pmap in_axes").args[0] if err is not None else f"pmap in_axes {in_axes!r} is not a prefix"
        msg += ("\n\nThe 'full pytree' here is the tuple of arguments passed positionally to the pmapped "
                "function, and the value of `in_axes` must be a tree prefix of that tuple. But it was not a prefix.")
        if kwargs:
            msg += ("\n\nWhen some arguments are passed by keyword to the pmapped function, they are not included "
                    "in the comparison to `in_axes`. Instead, each argument passed by keyword is mapped over its "
                    "leading axis.")
        msg += ("\n\nCheck that the value of the `in_axes` argument to `pmap` is a tree prefix of the tuple of "
                "arguments passed positionally to the pmapped function.")
        raise ValueError(msg) from None
    return tuple(a for a, sub in zip(leaves, subtrees) for _ in tree.leaves(sub))


def _check_mapped(leaves, axes, name, where):
    """(axes with negative ones counted from the back, the mapped size), or a clear error naming the
    argument that does not fit (where(i): the name of leaf i)."""
    out, sizes = [], {}
    for i, (x, a) in enumerate(zip(leaves, axes)):
        if a is None:
            out.append(None)
            continue
        try:
            t = type_of(x)
        except TypeError:
            raise TypeError(f"pmap of {name}: argument {where(i)}, {x!r} of type {type(x).__name__}, is not an "
                            f"array; mark it static with static_broadcasted_argnums") from None
        if not -t.ndim <= a < t.ndim:
            raise ValueError(f"pmap of {name} was requested to map argument {where(i)} along axis {a}, which implies "
                             f"that its rank should be at least {a + 1 if a >= 0 else -a}, but is only {t.ndim} "
                             f"(its shape is {t.shape})")
        a %= t.ndim
        out.append(a)
        sizes.setdefault(t.shape[a], []).append((a, i, t))
    if not sizes:
        raise ValueError("pmap requires at least one argument with a mapped axis.")
    if len(sizes) > 1:
        lines = "\n".join(f"  * one axis had size {s}: " + "; ".join(f"axis {a} of argument {where(i)} of type {t}"
                                                                     for a, i, t in w) for s, w in sizes.items())
        raise ValueError(f"pmap of {name} got inconsistent sizes for array axes to be mapped:\n{lines}")
    (size, _), = sizes.items()
    return tuple(out), size


def _mesh_devices(devices, backend, size, axis_size, axis_name):
    """The first `size` devices (of `devices`, else all of the backend's), or an error saying why there are
    not that many. IndivisibleError, as JAX 0.10.2 raises when the mapped axis does not split evenly."""
    if size == 0:
        raise ValueError(f"pmap over the axis {axis_name!r}: the mapped axis has size 0, and a mesh of 0 devices "
                         f"cannot run anything")
    if axis_size is not None and axis_size != size:
        raise ValueError(f"Specified axis_size {axis_size} doesn't match received axis_size {size}.")
    if devices is not None:
        if size != len(devices):
            raise IndivisibleError(f"pmap over the axis {axis_name!r} of size {size} was given devices= with "
                                   f"{len(devices)} devices; the mapped axis size must equal their number")
        return devices
    available = all_devices(backend)
    if size > len(available):
        raise IndivisibleError(f"pmap over the axis {axis_name!r} of size {size} needs {size} devices, but only "
                               f"{len(available)} are available (lintra.devices())")
    return tuple(available[:size])


def _index_tuple(nums, what):
    nums = (nums,) if isinstance(nums, int) else tuple(nums)
    if not all(type(n) is int for n in nums):
        raise TypeError(f"pmap {what} must be an int or a collection of ints, got {nums!r}")
    if any(n < 0 for n in nums):
        raise ValueError(f"pmap {what} must be non-negative positions of positional arguments, got {nums!r}")
    return nums


def _rebase_donate(donate, statics):
    """donate_argnums counted among the dynamic arguments (the static ones removed), as JAX rebases them."""
    both = set(donate) & set(statics)
    if both:
        raise ValueError(f"`static_argnums` {sorted(set(statics))} and `donate_argnums` {sorted(set(donate))} "
                         f"cannot intersect.")
    return frozenset(d - sum(s < d for s in statics) for d in donate)


def _leaf_name(i, args, statics, kwargs):
    """Leaf i of the dynamic arguments named as the caller wrote it: args[1]['w'], kwargs['b'][0]."""
    dyn = [j for j in range(len(args)) if j not in statics]
    path = tree.leaves_with_path(([args[j] for j in dyn], kwargs))[i][0]
    if path[0].idx == 0:
        return f"args[{dyn[path[1].idx]}]{tree.keystr(path[2:])}"
    return f"kwargs{tree.keystr(path[1:])}"


def _arg_of_leaf(dyn_args, kwargs):
    """For each leaf of (dyn_args, kwargs), the position of its positional argument (None for keywords)."""
    out = []
    for i, a in enumerate(dyn_args):
        out += [i] * len(tree.leaves(a))
    out += [None] * len(tree.leaves(kwargs))
    return out


def _name(fun):
    return getattr(fun, "__name__", type(fun).__name__)
