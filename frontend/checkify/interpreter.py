"""The checkify interpreter (JAX's checkify_jaxpr): evaluate a traced function's IR op by op in the
caller's context (eagerly, or staged into an enclosing trace, as vmap and grad evaluate the IR their passes
make), threading an Error value through it. Each primitive that can fail has a rule in RULES that binds the
op and adds its check to the error; every other op is bound as it is. `check` ops are discharged: the
error they carry joins the threaded one."""
from ...ir.primitive_table import registrar
from ...ir.primitives_check import lookup_tree
from .. import tree
from ..api import trace_to_ir
from ..core import bind, constant, type_of
from ..lax import pvary
from .errors import update_error

RULES = {}     # primitive -> rule(error, enabled, op, operands) -> (error, results)
checkify_rule = registrar(RULES)


def eval_op(op, ins):
    """The op bound as it is, in the current context."""
    if op.prim == "constant":
        return [constant(op.attrs["value"], weak=op.attrs.get("weak", False))]
    return bind(op.prim, *ins, regions=op.regions, **op.attrs)


def checkify_block(block, enabled, error, args):
    """(error, results) of `block` run on `args`, with the checks in `enabled` (a set of error classes)."""
    env = dict(zip(block.args, args))
    for op in block.ops:
        ins = [env[v] for v in op.operands]
        rule = RULES.get(op.prim)
        if rule is None:
            outs = eval_op(op, ins)
        else:
            error, outs = rule(error, enabled, op, ins)
        env.update(zip(op.results, outs))
    return error, [env[v] for v in block.results]


def _flat_tree(n):
    return tree.structure((tuple(range(n)), {}))


def error_effects(err_tree):
    """The kinds of error an Error of this tree structure tracks."""
    return set(tree.unflatten(err_tree, [None] * err_tree.num_leaves)._pred)


def trace_region(error, before, after, fun, name):
    """Trace `fun(error, before_values, after_values) -> (error, outputs)` into a region that takes the
    values of types `before`, then the error's leaves, then those of types `after`, and returns the error's
    leaves, then the outputs: (region, the output error's tree structure)."""
    leaves, err_tree = tree.flatten(error)
    n, nb = len(leaves), len(before)
    types = list(before) + [type_of(x) for x in leaves] + list(after)
    out = {}

    def flat(*xs):
        err, outs = fun(tree.unflatten(err_tree, xs[nb:nb + n]), list(xs[:nb]), list(xs[nb + n:]))
        err_leaves, out["tree"] = tree.flatten(err)
        return tuple(err_leaves) + tuple(outs)
    func, _, captured = trace_to_ir(flat, types, _flat_tree(len(types)), name)
    if captured:    # every value the region uses is one of its arguments or made inside it
        raise NotImplementedError(f"checkify: the checkified region of {name} closes over an outer value")
    return func.body, out["tree"]


def trace_merged(error, before, after, fun, name):
    """trace_region with `error` first widened to the kinds of error the region adds, so that the error it
    returns has the structure it takes (loops carry it; branches return it): (error, region, tree)."""
    _, out_tree = trace_region(error, before, after, fun, name)
    error = error._add_placeholder_effects(error_effects(out_tree))
    error, [(region, out_tree)] = trace_varying(error, lambda e: [trace_region(e, before, after, fun, name)])
    return error, region, out_tree


def trace_varying(error, trace):
    """(error, trace(error)), where `trace(error)` traces regions that take and return the error: (region,
    its output error's tree) pairs. In a shard_map body (check_vma) a check on a device's block makes the
    error vary over the devices; a loop must carry it, and branches return it, varying from the start, so
    the error's leaves are pvaried and the regions traced again until none returns them more varying."""
    traced = trace(error)
    while True:
        varying = _vary_as(error, [r for r, _ in traced])
        if varying is error:
            return error, traced
        error, traced = varying, trace(varying)


def _vary_as(error, regions):
    """`error`, its leaves pvaried over the manual axes that the error leaves `regions` return vary over
    (`error` itself if none)."""
    leaves, treedef = tree.flatten(error)
    vmas = [frozenset().union(*(r.result_types[i].vma for r in regions)) for i in range(len(leaves))]
    more = [tuple(sorted(vma - type_of(x).vma)) for x, vma in zip(leaves, vmas)]
    if not any(more):
        return error
    return tree.unflatten(treedef, [pvary(x, axes) if axes else x for x, axes in zip(leaves, more)])


def split_outputs(out_tree, outs):
    """(error, the other outputs) from a region's outputs."""
    n = out_tree.num_leaves
    return tree.unflatten(out_tree, list(outs[:n])), list(outs[n:])


@checkify_rule("check")
def _discharge(error, enabled, op, ins):
    """A check of an enabled kind joins the threaded error (JAX's check_discharge_rule); others are dropped,
    as JAX 0.10.2 drops them (it does not re-raise them)."""
    new = tree.unflatten(lookup_tree(op.attrs["err_tree"]), list(ins))
    for effect in new._pred:
        if effect.error_type in enabled:
            error = update_error(error, new._pred[effect], new._code[effect], {}, new._payload[effect], effect)
    return error._replace(_metadata={**new._metadata, **error._metadata}), []
