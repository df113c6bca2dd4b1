"""The narrow dtypes Lintra can trace, print and lower, as JAX 0.10.2 can, but jaxlib 0.10.2 and XLA cannot run.

JAX 0.10.2 fails on each of them with a raw error from deep inside jaxlib; Lintra refuses the same programs
and transfers up front, saying why. What JAX does (recorded in tests/frontend/test_sub_byte_dtypes.py):

| dtype | transfer to a device | a program that computes with it |
|---|---|---|
| float6_e2m3fn, float6_e3m2fn | `Unknown NumPy dtype` | as results `Invalid XLA PrimitiveType`; inside, LLVM fails |
| int1 | works (an S1 buffer) | lowered as i1, StableHLO's bool: an S1 input is a size mismatch, outputs are bools |
| uint1 | works (a U1 buffer) | StableHLO's verifier rejects ui1 |
"""
import ml_dtypes
import numpy as np

from ..ir.core import is_built


class UnrunnableDtypeError(TypeError):
    """A transfer or program that needs a dtype jaxlib 0.10.2 cannot hold or XLA cannot compute with."""


_FLOAT6 = frozenset(np.dtype(t) for t in (ml_dtypes.float6_e2m3fn, ml_dtypes.float6_e3m2fn))
_ONE_BIT = frozenset(np.dtype(t) for t in (ml_dtypes.int1, ml_dtypes.uint1))
_NOT_RUNNABLE = _FLOAT6 | _ONE_BIT

_WHY = {
    **{d: "jaxlib 0.10.2 has no device buffer type for 6-bit floats and XLA's CPU compiler cannot convert them"
       for d in _FLOAT6},
    np.dtype(ml_dtypes.int1): "StableHLO has no 1-bit integer type: its i1 is bool (JAX 0.10.2 lowers int1 to it and "
                              "mixes up the two)",
    np.dtype(ml_dtypes.uint1): "StableHLO has no 1-bit unsigned integer type (its verifier rejects ui1)",
}


def check_transfer(aval):
    """Refuse to put a host array of type `aval` on a device when jaxlib cannot hold its dtype."""
    if aval.dtype in _FLOAT6:
        raise UnrunnableDtypeError(
            f"cannot put a {aval.dtype.name} array of shape {tuple(aval.shape)} on a device: {_WHY[aval.dtype]}. "
            f"Keep it in NumPy, or convert it there first, e.g. np.asarray(x).astype(np.float32)")


def check_runnable(func):
    """Refuse to compile an IR function that computes with a dtype XLA cannot run (any value of it, anywhere)."""
    bad = _first_bad(func.body)
    if bad is None:
        return
    d, where = bad
    if d in _FLOAT6:
        can = "exist only while tracing (make_ir, eval_shape) and in lowered text"
        fix = "np.asarray(x).astype(np.float32)"
    else:
        can = "can be made from NumPy data (jnp.asarray, device_put) and read back (np.asarray), not computed with"
        fix = "np.asarray(x).astype(np.int8)"
    raise UnrunnableDtypeError(f"cannot compile '{func.name}': it computes with {d.name} values ({where}), and "
                               f"{_WHY[d]}. As in JAX 0.10.2, {d.name} arrays {can}; convert on the host "
                               f"instead, e.g. {fix}")


def _first_bad(block):
    """(dtype, where) of the first value of a dtype XLA cannot run in `block` and its regions, or None."""
    for v in block.args:
        if v.type.dtype in _NOT_RUNNABLE:
            return v.type.dtype, f"an argument of type {v.type}"
    for op in block.ops:
        for v in op.results:
            if v.type.dtype in _NOT_RUNNABLE:
                return v.type.dtype, f"{op.prim} gives {v.type}"
        for r in op.regions:
            bad = _first_bad(r) if is_built(r) else None
            if bad is not None:
                return bad
    return None
