"""Common-subexpression elimination: an op equal to an earlier one (same primitive, operands,
attributes and regions) reuses the earlier op's results. Constants with equal values merge too.

A checkpoint with prevent_cse is never merged with another; and since regions are closed, nothing inside a
region merges with anything outside it, so a checkpoint's recomputation is never replaced by the values it
recomputes."""
from ..callbacks import has_effect
from ..core import Block, Func, attrs_key, is_built


def block_key(block: Block):
    """A structural key of a (closed) block: equal keys mean the blocks compute the same function."""
    if not is_built(block):
        return ("lazy", id(block))     # an untraced rule equals only itself
    number = {v: i for i, v in enumerate(block.args)}
    ops = []
    for op in block.ops:
        ops.append((op.prim, tuple(number[v] for v in op.operands), attrs_key(op.attrs),
                    tuple(r.type for r in op.results), tuple(block_key(r) for r in op.regions)))
        for r in op.results:
            number[r] = len(number)
    return tuple(block.arg_types), tuple(ops), tuple(number[v] for v in block.results)


def _no_cse(op):
    # two equal prints are two prints
    return op.prim == "checkpoint" and op.attrs.get("prevent_cse", True) or has_effect(op)


def cse_block(block: Block) -> Block:
    seen, subst = {}, {}
    kept = []
    for op in block.ops:
        op.operands = [subst.get(v, v) for v in op.operands]
        for region in filter(is_built, op.regions):
            cse_block(region)
        key = (op.prim, tuple(map(id, op.operands)), attrs_key(op.attrs),
               tuple(r.type for r in op.results), tuple(block_key(r) for r in op.regions))
        prev = None if _no_cse(op) else seen.get(key)
        if prev is None:
            seen[key] = op
            kept.append(op)
        else:
            subst.update(zip(op.results, prev.results))
    block.ops = kept
    block.results = [subst.get(v, v) for v in block.results]
    return block


def cse(func: Func) -> Func:
    cse_block(func.body)
    return func
