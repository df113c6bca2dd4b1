"""Automatic differentiation as IR passes: jvp, then partial evaluation (linearize), then transpose.

In text IR (lintra-opt) the passes mark tangents by name: `jvp` adds an argument `t_<name>` for each
differentiable argument, `linearize` treats arguments named `t_*` as unknown and returns the primal and
the linear function, and `transpose` transposes a function with respect to its `t_*` arguments.
"""
from ..core import Func
from . import control_rules, fft_rules, jvp_rules, linalg_rules, transpose_rules  # noqa: F401  (fill the rule tables)
from . import conv_rules, eig_rules, topk_rules, window_rules  # noqa: F401
from . import (callback_rules, checkpoint_rules, elementwise_rules, exported_rules, shard_map_rules,  # noqa: F401
               solve_rules, special_rules)
from . import check_rules  # noqa: F401  (checkify's check)
from .jvp import jvp
from .partial_eval import partial_eval
from .transpose import transpose
from .util import differentiable


def _names(func):
    names = func.arg_names or []
    return names if len(names) == len(func.args) else [f"arg{i}" for i in range(len(func.args))]


def jvp_pass(func: Func) -> Func:
    names = _names(func)
    out, _ = jvp(func)
    out.arg_names = names + [f"t_{n}" for n, a in zip(names, func.args) if differentiable(a.type)]
    return out


def linearize_pass(func: Func):
    """[primal function (outputs + residuals), linear function (residuals, tangents -> tangents)]."""
    names = _names(func)
    unknown = [n.startswith("t_") for n in names]
    if not any(unknown):
        return func
    known, staged, _, n_res = partial_eval(func, unknown)
    known.name, staged.name = f"{func.name}_primal", f"{func.name}_linear"
    known.arg_names = [n for n, u in zip(names, unknown) if not u]
    staged.arg_names = [f"r{i}" for i in range(n_res)] + [n for n, u in zip(names, unknown) if u]
    return [known, staged]


def transpose_pass(func: Func) -> Func:
    names = _names(func)
    linear = [n.startswith("t_") for n in names]
    if not any(linear):
        return func
    out = transpose(func, linear)
    out.arg_names = [n for n, lin in zip(names, linear) if not lin] + [f"ct{i}" for i in range(len(func.results))]
    return out
