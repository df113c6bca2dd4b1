"""--emit: what lintra-opt prints for the transformed module (as mlir-opt piped into mlir-translate).

    ir         Lintra's text IR (the default)
    stablehlo  each function lowered to its own StableHLO module (entry point named as the function)
    hlo        each function compiled by XLA for the default device: XLA's optimised HLO

The lowering and compilation are lowering/'s and runtime/'s: the same ones `jit` uses.
"""
EMITS = ("ir", "stablehlo", "hlo")


class EmitFailure(Exception):
    def __init__(self, func, message):
        super().__init__(message)
        self.func, self.message = func, message


def _stablehlo(func):
    from ..lowering.lower import lower, to_text
    return to_text(lower(func, name=func.name))


def _hlo(func):
    from ..runtime import pjrt
    from ..runtime.executable import Executable
    return pjrt.optimized_hlo(Executable(func).compiled)


def _build(block):
    """Trace every lazy region left by the passes (a custom rule batched or differentiated on demand): text
    IR must read back, and `^lazy` does not."""
    for op in block.ops:
        for r in op.regions:
            _build(r)


def emit(module, kind) -> str:
    if kind == "ir":
        for func in module.funcs.values():
            try:
                _build(func.body)
            except Exception as e:
                raise EmitFailure(func.name, f"@{func.name}: a lazy region does not build: "
                                             f"{type(e).__name__}: {e}") from None
        return str(module)
    text_of = _stablehlo if kind == "stablehlo" else _hlo
    texts = []
    for func in module.funcs.values():
        try:
            texts.append(text_of(func).rstrip("\n") + "\n")
        except Exception as e:   # lowering rules and XLA reject some programs (e.g. a collective outside shard_map)
            raise EmitFailure(func.name, f"@{func.name}: cannot emit {kind}: {type(e).__name__}: {e}") from None
    return "\n".join(texts)
