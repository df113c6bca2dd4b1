"""checkify through ops with regions (JAX's rules for jit, cond, scan, while and remat): each region is
traced again through the interpreter, taking and returning the error's leaves as extra values, and the op
is bound with the new region. Loops and branches first learn which kinds of error their regions add and
carry an error widened to them (placeholders that never fire), so the error's structure is the same on
every path and every iteration."""
from ...ir.core import Block, Op, is_built
from .. import tree
from ..core import bind, type_of
from .interpreter import (checkify_block, checkify_rule, error_effects, split_outputs, trace_merged, trace_region,
                          trace_varying)


def _leaves(error):
    return tree.leaves(error)


@checkify_rule("call", "checkpoint")
def _call(error, enabled, op, ins):
    """A jit (a `call`) or a remat: its body checkified, with the same attributes."""
    body, = op.regions
    region, out_tree = trace_region(error, [], body.arg_types,
                                    lambda e, _, xs: checkify_block(body, enabled, e, xs), op.prim)
    outs = eval_op_with(op, [*_leaves(error), *ins], [region])
    return split_outputs(out_tree, outs)


def eval_op_with(op, ins, regions, **attrs):
    """The op bound on `ins` with new regions (and attributes updated by `attrs`)."""
    return bind(op.prim, *ins, regions=regions, **dict(op.attrs, **attrs))


@checkify_rule("cond")
def _cond(error, enabled, op, ins):
    index, operands = ins[0], ins[1:]
    types = [type_of(x) for x in operands]

    def branch(block):
        return lambda e, _, xs: checkify_block(block, enabled, e, xs)
    effects = set()
    for block in op.regions:
        effects |= error_effects(trace_region(error, [], types, branch(block), "cond")[1])
    error = error._add_placeholder_effects(effects)
    error, traced = trace_varying(error, lambda e: [trace_region(e, [], types, branch(block), "cond")
                                                   for block in op.regions])
    outs = eval_op_with(op, [index, *_leaves(error), *operands], [r for r, _ in traced])
    err, rest = split_outputs(traced[0][1], outs)
    metadata = {}
    for _, out_tree in traced:      # each branch knows the messages of its own checks
        metadata.update(split_outputs(out_tree, outs)[0]._metadata)
    return err._replace(_metadata=metadata), rest


@checkify_rule("scan")
def _scan(error, enabled, op, ins):
    """The error is carried first: consts, error, carry, xs in; error, carry, ys out."""
    body, = op.regions
    nc = op.attrs["num_consts"]
    types = body.arg_types

    def step(e, consts, rest):
        return checkify_block(body, enabled, e, consts + rest)
    error, region, out_tree = trace_merged(error, types[:nc], types[nc:], step, "scan")
    outs = eval_op_with(op, [*ins[:nc], *_leaves(error), *ins[nc:]], [region],
                        num_carry=op.attrs["num_carry"] + out_tree.num_leaves)
    return split_outputs(out_tree, outs)


@checkify_rule("while")
def _while(error, enabled, op, ins):
    """As JAX: the condition is checked on the initial carry here, and the body checks it on each new
    carry (so the body takes the condition's consts too)."""
    cond, body = op.regions
    cn, bn = op.attrs["cond_nconsts"], op.attrs["body_nconsts"]
    cc, bc, carry = ins[:cn], ins[cn:cn + bn], ins[cn + bn:]
    error, _ = checkify_block(cond, enabled, error, cc + carry)
    cc_types, bc_types = cond.arg_types[:cn], body.arg_types[:bn]
    carry_types = body.arg_types[bn:]

    def step(e, consts, xs):
        e, outs = checkify_block(body, enabled, e, consts[cn:] + xs)
        e, _ = checkify_block(cond, enabled, e, consts[:cn] + outs)
        return e, outs
    error, body_region, out_tree = trace_merged(error, cc_types + bc_types, carry_types, step, "while_body")

    def test(e, consts, xs):      # the condition, its checks discharged (the body made them already)
        _, outs = checkify_block(cond, enabled, e, consts + xs)
        return e, outs
    cond_region, _ = trace_region(error, cc_types, carry_types, test, "while_cond")
    n = out_tree.num_leaves
    cond_region.results = cond_region.results[n:]
    outs = eval_op_with(op, [*cc, *cc, *bc, *_leaves(error), *carry], [cond_region, body_region],
                        body_nconsts=cn + bn)
    return split_outputs(out_tree, outs)


@checkify_rule("custom_jvp_call", "custom_vjp_call")
def _custom(error, enabled, op, ins):
    """The op itself gives the outputs, so its derivative rule stays; its function, checkified apart (a
    call returning only the error, which XLA computes alongside), gives the error. As JAX, the rules
    themselves are not checked."""
    fun = op.regions[0]
    outs = bind(op.prim, *ins, regions=[_without_checks(fun), *op.regions[1:]], **op.attrs)

    def checked(e, _, xs):
        return checkify_block(fun, enabled, e, xs)[0], []
    region, out_tree = trace_region(error, [], fun.arg_types, checked, op.attrs.get("name", "f"))
    n = len(_leaves(error))
    if region.results == region.args[:n]:      # nothing to check in it: the error passes through
        return error, outs
    errs = bind("call", *_leaves(error), *ins, regions=[region], callee=op.attrs.get("name", "f"))
    return split_outputs(out_tree, errs)[0], outs


def _without_checks(block):
    """block with its check ops (at any depth) left out: the op computes the outputs, the checkified copy
    the error."""
    if not any(op.prim == "check" for op in block.walk()):
        return block
    ops = [Op(o.prim, o.operands, o.results, o.attrs, [_without_checks(r) if is_built(r) else r for r in o.regions])
           for o in block.ops if o.prim != "check"]
    return Block(block.args, ops, block.results)
