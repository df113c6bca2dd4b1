"""Inlining: every `call` op is replaced by a copy of its region's ops, calls inside it inlined too.

The callee's block is copied, never moved: jit shares one traced body among all calls of a function.
"""
from ..core import Block, Func, Op, Value, is_built


def _copy_op(op: Op, env: dict) -> Op:
    results = [Value(r.type) for r in op.results]
    env.update(zip(op.results, results))
    return Op(op.prim, [env[v] for v in op.operands], results, op.attrs,
              [_copy_block(r) for r in op.regions])


def _copy_block(block: Block) -> Block:
    if not is_built(block):
        return block               # an untraced rule is immutable until traced: share it
    env = {a: Value(a.type) for a in block.args}
    ops = [_copy_op(op, env) for op in block.ops]
    return Block([env[a] for a in block.args], ops, [env[v] for v in block.results])


def inline_block(block: Block) -> Block:
    subst, ops = {}, []
    for op in block.ops:
        op.operands = [subst.get(v, v) for v in op.operands]
        if op.prim != "call":
            for region in filter(is_built, op.regions):
                inline_block(region)
            ops.append(op)
            continue
        callee = inline_block(_copy_block(op.regions[0]))
        env = {}
        for arg, x in zip(callee.args, op.operands):
            if x.type != arg.type:   # `call` accepts operands that differ in weak type only: match the callee's
                cast = Op("convert_element_type", [x], [Value(arg.type)],
                          {"new_dtype": arg.type.dtype, "weak_type": arg.type.weak})
                ops.append(cast)
                x = cast.results[0]
            env[arg] = x
        for inner in callee.ops:
            inner.operands = [env.get(v, v) for v in inner.operands]
            ops.append(inner)
        subst.update(zip(op.results, (env.get(v, v) for v in callee.results)))
    block.ops = ops
    block.results = [subst.get(v, v) for v in block.results]
    return block


def inline(func: Func) -> Func:
    inline_block(func.body)
    return func
