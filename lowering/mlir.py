"""The one module of lowering/ that imports jaxlib: MLIR context, types and constants.

Lowering rules reach the StableHLO/CHLO/func dialects through this module, so a
change in jaxlib's private MLIR API is fixed here alone.
"""
import os

import ml_dtypes
import numpy as np

# XLA logs every client creation at INFO level once jaxlib's native code loads, which may be here first
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
from jaxlib.mlir import ir  # noqa: E402
from jaxlib import _jax  # noqa: E402
from jaxlib.mlir._mlir_libs import _jax_mlir_ext  # noqa: E402
from jaxlib.mlir.dialects import chlo, func, sdy, stablehlo as hlo  # noqa: E402

from ..ir import types as T

__all__ = ["ir", "hlo", "chlo", "func", "sdy", "new_context", "element_type", "tensor_type", "dense_constant",
           "lapack_target", "register_lapack_targets",
           "serialize_portable_artifact", "deserialize_portable_artifact", "STABLEHLO_TARGET"]


def new_context() -> ir.Context:
    registry = ir.DialectRegistry()
    _jax_mlir_ext.register_dialects(registry)
    ctx = ir.Context()
    ctx.append_dialect_registry(registry)
    ctx.load_all_available_dialects()
    hlo.register_dialect(ctx)
    chlo.register_dialect(ctx)
    sdy.register_dialect(ctx)    # Shardy: meshes and shardings of SPMD programs
    return ctx


_ELEMENT_TYPES = {
    np.dtype(np.bool_): lambda: ir.IntegerType.get_signless(1),
    np.dtype(np.int8): lambda: ir.IntegerType.get_signless(8),
    np.dtype(np.int16): lambda: ir.IntegerType.get_signless(16),
    np.dtype(np.int32): lambda: ir.IntegerType.get_signless(32),
    np.dtype(np.int64): lambda: ir.IntegerType.get_signless(64),
    np.dtype(np.uint8): lambda: ir.IntegerType.get_unsigned(8),
    np.dtype(np.uint16): lambda: ir.IntegerType.get_unsigned(16),
    np.dtype(np.uint32): lambda: ir.IntegerType.get_unsigned(32),
    np.dtype(np.uint64): lambda: ir.IntegerType.get_unsigned(64),
    np.dtype(np.float16): ir.F16Type.get,
    np.dtype(ml_dtypes.bfloat16): ir.BF16Type.get,
    np.dtype(np.float32): ir.F32Type.get,
    np.dtype(np.float64): ir.F64Type.get,
    np.dtype(np.complex64): lambda: ir.ComplexType.get(ir.F32Type.get()),
    np.dtype(np.complex128): lambda: ir.ComplexType.get(ir.F64Type.get()),
    T.float0: lambda: ir.IntegerType.get_signless(1),
    np.dtype(ml_dtypes.float8_e3m4): ir.Float8E3M4Type.get,
    np.dtype(ml_dtypes.float8_e4m3): ir.Float8E4M3Type.get,
    np.dtype(ml_dtypes.float8_e4m3b11fnuz): ir.Float8E4M3B11FNUZType.get,
    np.dtype(ml_dtypes.float8_e4m3fn): ir.Float8E4M3FNType.get,
    np.dtype(ml_dtypes.float8_e4m3fnuz): ir.Float8E4M3FNUZType.get,
    np.dtype(ml_dtypes.float8_e5m2): ir.Float8E5M2Type.get,
    np.dtype(ml_dtypes.float8_e5m2fnuz): ir.Float8E5M2FNUZType.get,
    np.dtype(ml_dtypes.float8_e8m0fnu): ir.Float8E8M0FNUType.get,
    np.dtype(ml_dtypes.float6_e2m3fn): ir.Float6E2M3FNType.get,
    np.dtype(ml_dtypes.float6_e3m2fn): ir.Float6E3M2FNType.get,
    np.dtype(ml_dtypes.float4_e2m1fn): ir.Float4E2M1FNType.get,
    # as JAX lowers them: int1 is i1, the very type of bool, so XLA cannot tell the two apart
    np.dtype(ml_dtypes.int1): lambda: ir.IntegerType.get_signless(1),
    np.dtype(ml_dtypes.int2): lambda: ir.IntegerType.get_signless(2),
    np.dtype(ml_dtypes.int4): lambda: ir.IntegerType.get_signless(4),
    np.dtype(ml_dtypes.uint1): lambda: ir.IntegerType.get_unsigned(1),
    np.dtype(ml_dtypes.uint2): lambda: ir.IntegerType.get_unsigned(2),
    np.dtype(ml_dtypes.uint4): lambda: ir.IntegerType.get_unsigned(4),
}


def element_type(dtype):
    return _ELEMENT_TYPES[np.dtype(dtype)]()


def tensor_type(t: T.TensorType):
    return ir.RankedTensorType.get(list(t.shape), element_type(t.dtype))


def dense_constant(value: np.ndarray, dtype=None):
    """A stablehlo.constant holding `value` (a numpy array or scalar)."""
    arr = np.asarray(value, dtype=dtype)
    if arr.dtype == T.float0:
        arr = np.zeros(arr.shape, np.bool_)
    ttype = tensor_type(T.TensorType(arr.shape, arr.dtype))
    # bools go unpacked, one byte each: this jaxlib reads a packed buffer of one byte as a splat
    attr = ir.DenseElementsAttr.get(np.ascontiguousarray(arr), type=ttype.element_type, shape=arr.shape)
    return hlo.constant(attr)



def constant_elements(v):
    """The element values of `v` when it is a stablehlo.constant, possibly broadcast or reshaped (as an
    array of them, in no particular shape), else None."""
    op = v.owner
    while isinstance(op, ir.OpView) and op.name in ("stablehlo.broadcast_in_dim", "stablehlo.reshape"):
        op = op.operands[0].owner
    if not isinstance(op, ir.OpView) or op.name != "stablehlo.constant":
        return None   # a block argument, or computed
    attr = op.attributes["value"]
    if not isinstance(attr, ir.DenseIntElementsAttr):
        return None
    if attr.is_splat:
        return np.array([ir.IntegerAttr(attr.get_splat_value()).value])
    try:
        return np.array(attr).ravel()
    except TypeError:   # the bindings read no sub-byte integers (i4, i2) into NumPy: unknown then
        return None

_LAPACK_PREFIX = {np.dtype(np.float32): "s", np.dtype(np.float64): "d",
                  np.dtype(np.complex64): "c", np.dtype(np.complex128): "z"}
_lapack_ready = False


def register_lapack_targets():
    """Register jaxlib's LAPACK FFI handlers with XLA's CPU backend (once): a module that names them, lowered
    here or imported from an exported one, compiles only after this."""
    global _lapack_ready
    if not _lapack_ready:
        from jaxlib import xla_client
        from jaxlib.cpu import _lapack
        _lapack.initialize()
        for name, handler in _lapack.registrations().items():
            if name.endswith("_ffi"):       # api_version 1 registers a typed-FFI handler
                xla_client.register_custom_call_target(name, handler, platform="cpu", api_version=1)
        _lapack_ready = True


def lapack_target(routine: str, dtype) -> str:
    """The name of jaxlib's LAPACK FFI handler for `routine` ('syevd', 'gesdd', ...) at `dtype`, e.g.
    'lapack_dsyevd_ffi'. jaxlib's handlers are registered with XLA's CPU backend on first use (it binds
    them to SciPy's LAPACK then)."""
    register_lapack_targets()
    return f"lapack_{_LAPACK_PREFIX[np.dtype(dtype)]}{routine}_ffi"


# ---- StableHLO portable artifacts (what lintra.export serializes) ----------------------------------------------

def _portable_target() -> str:
    """The StableHLO version exported modules are written in: one at least 4 weeks old, so consumers built
    up to a month earlier can read them (as JAX chooses)."""
    return hlo.get_version_from_compatibility_requirement(hlo.StablehloCompatibilityRequirement.WEEK_4)


STABLEHLO_TARGET = None     # set on first use (reading it needs the dialect's native library loaded)


def serialize_portable_artifact(module) -> bytes:
    """`module` (an ir.Module) as a versioned StableHLO portable artifact (VHLO bytecode)."""
    global STABLEHLO_TARGET
    STABLEHLO_TARGET = STABLEHLO_TARGET or _portable_target()
    return _jax.mlir.serialize_portable_artifact(module, STABLEHLO_TARGET)


def deserialize_portable_artifact(payload: bytes, ctx) -> "ir.Module":
    """A portable artifact back as an ir.Module of StableHLO in `ctx`."""
    return _jax.mlir.deserialize_portable_artifact(payload, ctx)
