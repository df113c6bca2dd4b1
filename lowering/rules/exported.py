"""Lowering of `exported_call`: the exported StableHLO module is merged into the module being built (its
functions renamed apart from the caller's and made private) and its `main` is called, as JAX lowers a call of
an Exported. The op names its module by fingerprint; lintra.export registers the portable artifact here when
it exports or deserializes one, so IR stays text and one module merges once however often it is called."""
import hashlib
import re

from ..mlir import deserialize_portable_artifact, func, ir, register_lapack_targets, tensor_type
from ..registry import rule

_modules = {}     # fingerprint -> StableHLO portable artifact (bytes)


def register_module(artifact: bytes) -> str:
    """Make a portable artifact callable from IR; returns the fingerprint `exported_call` ops name it by."""
    fingerprint = hashlib.sha256(artifact).hexdigest()[:32]
    _modules[fingerprint] = bytes(artifact)
    return fingerprint


def _artifact(fingerprint, fun_name):
    try:
        return _modules[fingerprint]
    except KeyError:
        raise ValueError(f"exported_call of {fun_name}: no exported module with fingerprint {fingerprint!r} in "
                         f"this process; deserialize it with lintra.export.deserialize first") from None


def _merge(ctx, sub, fun_name) -> str:
    """Move the functions of module `sub` into ctx.module under fresh private names; returns main's name."""
    table = ir.SymbolTable(sub.operation)
    ops = list(sub.body.operations)
    bad = [op.operation.name for op in ops if op.operation.name != "func.func"]
    if bad:
        raise ValueError(f"exported function {fun_name}: its module holds {bad[0]}, not only functions; "
                         f"Lintra calls single-device exports only")
    taken = set(ctx.names) | {op.attributes["sym_name"].value for op in ctx.module.body.operations} | \
        {op.attributes["sym_name"].value for op in ops}
    renamed, stem = {}, re.sub(r"\W", "_", fun_name)     # '<lambda>' -> '_lambda_'
    for op in ops:
        old = op.attributes["sym_name"].value
        base = f"exported_{stem}" if old == "main" else f"exported_{stem}_{old}"
        new, i = base, 0
        while new in taken:
            i += 1
            new = f"{base}_{i}"
        taken.add(new)
        renamed[old] = new
    for op in ops:
        table.set_symbol_name(op, renamed[op.attributes["sym_name"].value])
        op.attributes["sym_visibility"] = ir.StringAttr.get("private")
    for old, new in renamed.items():
        for op in ops:
            table.replace_all_symbol_uses(old, new, op.operation)
    for op in ops:
        ctx.module.body.append(op)
    ctx.names.update(renamed.values())
    return renamed["main"]


def _names_lapack(module) -> bool:
    found = []

    def visit(op):
        target = op.attributes["call_target_name"] if "call_target_name" in op.attributes else None
        if target is not None and ir.StringAttr(target).value.startswith("lapack_"):
            found.append(op)
            return ir.WalkResult.INTERRUPT
        return ir.WalkResult.ADVANCE
    module.operation.walk(visit)
    return bool(found)


@rule("exported_call")
def _exported_call(ctx, op, *args):
    fingerprint, fun_name = op.attrs["module"], op.attrs["fun_name"]
    merged = ctx.__dict__.setdefault("exported_functions", {})
    if fingerprint not in merged:
        sub = deserialize_portable_artifact(_artifact(fingerprint, fun_name), ctx.module.context)
        if _names_lapack(sub):        # its linear algebra calls jaxlib's LAPACK handlers: XLA must know them
            register_lapack_targets()
        merged[fingerprint] = _merge(ctx, sub, fun_name)
    call = func.CallOp([tensor_type(r.type) for r in op.results], merged[fingerprint], list(args))
    return list(call.results)
