"""Dead-code elimination: ops have no side effects, so an op none of whose results is used goes."""
from ..core import Block, Func, is_built


def dce_block(block: Block) -> Block:
    live = set(block.results)
    kept = []
    for op in reversed(block.ops):   # users come after definitions, so one backward sweep suffices
        if not any(r in live for r in op.results):
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
