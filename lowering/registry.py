"""The lowering rule table: primitive name -> `rule(ctx, op, *operands) -> [mlir values]`."""
from ..ir.primitives import registrar

RULES = {}
rule = registrar(RULES)
