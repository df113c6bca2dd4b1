"""Lowering of ops that carry regions."""
from ..lower import rule
from ..mlir import func, tensor_type


@rule("call")
def _call(ctx, op, *args):
    name = ctx.region_function(op.attrs.get("callee", "f"), op.regions[0])
    return list(func.CallOp([tensor_type(r.type) for r in op.results], name, list(args)).results)


def _call_region(ctx, op, region, args, name):
    fname = ctx.region_function(name, region)
    return list(func.CallOp([tensor_type(r.type) for r in region.results], fname, list(args)).results)


@rule("custom_jvp_call", "custom_vjp_call")
def _custom_call(ctx, op, *args):
    """Compiled code runs the function itself; the custom rules matter only to the AD passes."""
    return _call_region(ctx, op, op.regions[0], args, op.attrs.get("name", "f"))


@rule("custom_vjp_lin")
def _custom_vjp_lin(ctx, op, *args):
    raise TypeError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function "
                    f"({op.attrs.get('name', 'f')}): only reverse mode (grad, vjp) is defined for it")


@rule("stop_gradient")
def _stop_gradient(ctx, op, x):
    return [x]


@rule("psum", "pmax", "pmin", "all_gather", "axis_index")
def _unbound_axis(ctx, op, *args):
    raise NameError(f"unbound axis name: {op.attrs['axis_name']!r}. {op.prim} over a named axis must run "
                    f"inside vmap(..., axis_name={op.attrs['axis_name']!r})")
