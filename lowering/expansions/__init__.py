"""Primitives XLA has no op for, expanded into Lintra IR (loops and arithmetic) and lowered in place, as
jax's `mlir.lower_fun` does: `expr.py` is the small expression language they are written in."""
