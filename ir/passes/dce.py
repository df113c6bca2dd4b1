"""Dead-code elimination: an op none of whose results is used goes, unless it has an effect (a host
callback that prints or does I/O, or a region holding one)."""
from ..callbacks import has_effect
from ..core import Block, Func, is_built


def dce_block(block: Block) -> Block:
    live = set(block.results)
    kept = []
    for op in reversed(block.ops):   # users come after definitions, so one backward sweep suffices
        if not any(r in live for r in op.results) and not has_effect(op):
            continue
        for region in op.regions:
            if is_built(region):
                dce_block(region)
        live.update(op.operands)
        kept.append(op)
    kept.reverse()
    block.ops = kept
    return block


def dce(func: Func) -> Func:
    dce_block(func.body)
    return func
