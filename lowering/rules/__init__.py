"""Lowering rules, one module per family of primitives; importing this fills registry.RULES."""
from . import elementwise, structural, control, linalg, fft, remat, sharding, callback, shard_map  # noqa: F401
from . import conv, exported, mulhi, special, topk, window  # noqa: F401
from . import check  # noqa: F401
