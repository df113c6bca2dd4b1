"""Batching as an IR pass (vmap): give a whole function a batch dimension by rewriting its IR."""
from ..core import Func
from . import (callback_rules, checkpoint_rules, control_rules, conv_rules, exported_rules, fft_rules,  # noqa: F401
               linalg_rules, rules, shard_map_rules, topk_rules, window_rules)  # (fill the rule table)
from . import check_rules  # noqa: F401  (checkify's check)
from .batch import BATCH_RULES, batch, batch_rule


def batch_pass(func: Func, size=None, axis_name=None) -> Func:
    """The `batch` pass of lintra-opt, run as `--passes=batch{size=8}` (or `batch{size=8,axis_name=i}`).

    The input function is per-example. Its arguments named `b_*` are the batched ones: in the result each
    has a new leading dimension of `size`; the other arguments keep their types (one value shared by all
    examples). Every result is batched at dimension 0 (broadcast if it does not depend on the batch),
    so the result types say where the batch is. With `axis_name`, collectives over that name (psum,
    all_gather, axis_index, ...) are the ones this batch dimension resolves."""
    if size is None:
        raise TypeError("the batch pass needs a batch size: run it as --passes=batch{size=N}")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise TypeError(f"the batch pass needs a non-negative integer size, got size={size!r}")
    names = func.arg_names if func.arg_names and len(func.arg_names) == len(func.args) else \
        [f"arg{i}" for i in range(len(func.args))]
    dims = [0 if n.startswith("b_") else None for n in names]
    out, _ = batch(func, dims, size, None if axis_name is None else str(axis_name), out_dims_at_front=True)
    out.arg_names = list(names)
    return out
