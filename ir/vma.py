"""Varying manual axes (JAX's vma types, shard_map with check_vma=True): which mesh axes a value may differ
along. A shard_map argument varies over the axes its in_spec splits it over; an op's result varies where
its operands do; collectives change the set. Outside a checked shard_map every set is empty, so these
rules change nothing there.

The rules here give an op's result vma from its operand types. Region ops (cond, scan, shard_map, ...)
take theirs from their regions' types, in their own type rules."""

EMPTY = frozenset()


def _axes(attrs):
    """The axes a collective names: `axes` (a tuple) or `axis_name` (one name)."""
    return tuple(attrs["axes"]) if "axes" in attrs else (attrs["axis_name"],)


def standard_vma(prim, types, attrs):
    """JAX's standard_vma_rule: operands must vary over the same axes (the builder inserts pvary where they
    do not), and so does the result."""
    if not types:
        return EMPTY
    vma = types[0].vma
    for t in types:
        if t.vma != vma:
            shown = [set(t.vma) for t in types]
            raise TypeError(f"Primitive {prim} requires varying manual axes to match, but got {shown}. Insert "
                            f"pvary (lax.pcast(x, axes, to='varying')) on the less varying operands, or pass "
                            f"check_vma=False to shard_map")
    return vma


def _reduce(prim, types, attrs):
    """psum / pmax / pmin: one value for the whole axis, so the result no longer varies over it."""
    x, = types
    return x.vma - set(_axes(attrs))


def _pvary(prim, types, attrs):
    x, = types
    axes = _axes(attrs)
    if set(axes) & x.vma:
        raise TypeError(f"pvary is a invariant->variant collective. This means that the axis names mentioned in "
                        f"`axes` passed to `pvary` must not be present in `jax.typeof(inp).mat.varying`. Got "
                        f"axes={axes} and jax.typeof(inp)={x}")
    return x.vma | set(axes)


# Primitives whose result vma is not the standard rule's. all_gather, ppermute, psum_scatter and all_to_all
# keep their operand's (which the front end makes vary over their axis first, as JAX's insert_collective_pvary).
VMA_RULES = {
    "psum": _reduce, "pmax": _reduce, "pmin": _reduce,
    "pvary": _pvary,
}


def result_vma(prim, types, attrs):
    return VMA_RULES.get(prim, standard_vma)(prim, types, attrs)
