"""Lowering of jax.lax's special functions: polygamma, zeta and bessel_i1e are CHLO ops; igamma and the
rest XLA has no op for are expanded into IR (lowering/expansions/) and lowered in place. As in JAX, f16 and
bf16 arguments are computed in f32."""
import ml_dtypes
import numpy as np

from ...ir.builder import Builder
from ..expansions import beta, bessel, gamma
from ..expansions.expr import Ops, V
from ..mlir import chlo
from ..registry import rule

for _prim, _op in [("polygamma", chlo.polygamma), ("zeta", chlo.zeta), ("bessel_i1e", chlo.bessel_i1e)]:
    rule(_prim)(lambda ctx, op, *xs, _op=_op: [_op(*xs)])


def _expanded(expansion):
    """A lowering rule that builds `expansion(o, *operands)` as an IR block and lowers that block."""
    def lower(ctx, op, *xs):
        b = Builder()
        o = Ops(b)
        args = [V(o, b.arg(v.type)) for v in op.operands]
        dtype = op.results[0].type.dtype
        narrow = dtype in (np.float16, ml_dtypes.bfloat16)
        if narrow:
            args = [o.convert(a, np.float32) for a in args]
        out = expansion(o, *args)
        if narrow:
            out = o.convert(out, dtype)
        return ctx.lower_block(b.ret(out.v), list(xs))
    return lower


for _prim, _expansion in [("igamma", gamma.igamma), ("igammac", gamma.igammac),
                          ("igamma_grad_a", gamma.igamma_grad_a), ("random_gamma_grad", gamma.random_gamma_grad),
                          ("regularized_incomplete_beta", beta.betainc), ("bessel_i0e", bessel.bessel_i0e)]:
    rule(_prim)(_expanded(_expansion))
