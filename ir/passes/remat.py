"""The remat pass: the whole function body becomes one checkpoint, so that differentiating it afterwards
(jvp, linearize, transpose) keeps only what the policy saves and recomputes the rest in the linear part.

    lintra-opt f.lir --passes=remat,jvp,linearize
    lintra-opt f.lir --passes='remat{policy=dots_saveable},jvp,linearize'
    lintra-opt f.lir --passes='remat{policy=save_only_these_names,names=h+c},jvp,linearize'
"""
from ..builder import Builder
from ..core import Func
from ..primitives import CHECKPOINT_POLICIES


def remat(func: Func, policy="nothing_saveable", names="", prevent_cse=True) -> Func:
    """`names` (for the save_only_these_names and save_any_names_but_these policies) are the `name` labels,
    separated by '+'."""
    if policy not in CHECKPOINT_POLICIES:
        raise TypeError(f"remat: unknown policy {policy!r}; known: {', '.join(CHECKPOINT_POLICIES)}")
    if not isinstance(prevent_cse, bool):
        raise TypeError(f"remat: prevent_cse must be true or false, got {prevent_cse!r}")
    attrs = {"policy": policy, "prevent_cse": prevent_cse}
    labels = tuple(n for n in str(names).split("+") if n)
    if labels or policy in ("save_only_these_names", "save_any_names_but_these"):
        attrs["names"] = labels
    b = Builder()
    args = [b.arg(a.type) for a in func.args]
    b.ret(*b.emit("checkpoint", args, attrs, [func.body]))
    return Func(func.name, b.block, func.arg_names)
