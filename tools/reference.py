"""lintra-run --check: what a transformed program must compute, worked out from the original function.

The passes' naming conventions say what the program is (ir/ad/__init__.py, ir/batch): arguments `t_x` are
tangents, `ct0, ct1, ...` cotangents, and `b_x` (after `batch`) carry a leading batch axis. So:

    jvp (then linearize)   (x, t) -> (f(x), J t)      J t by central finite differences of f along t
    ... then transpose     (x, ct) -> (f(x), J^T ct)  each element of J^T ct as <ct, J e_i>, e_i by e_i
    transpose (f linear    (r, ct) -> L^T ct          each element as <ct, f(r, e_i)>: f itself is linear
      in its t_* args)                                (complex inputs as JAX transposes them: see _transposed)
    batch                  batched_f(b_x, y)          f run example by example and the results stacked
    anything else          the same signature as f    f's own outputs

expected() returns a list of (label, expected array); lintra-run compares the program's outputs with them.
"""
import ml_dtypes
import numpy as np

from ..ir import types as T
from ..ir.ad.util import differentiable

MAX_FD_ELEMENTS = 4096    # a transposed program's check takes two runs of f per element of its inputs


class CheckError(Exception):
    """The program does not have the shape --check expects of it."""


def kind_of(program, pipeline_names):
    names = program.arg_names
    if any(n.startswith("ct") and n[2:].isdigit() for n in names):
        return "vjp" if "jvp" in pipeline_names else "transpose"
    if any(n.startswith("t_") for n in names) and "jvp" in pipeline_names:
        return "jvp"
    if "batch" in pipeline_names:
        return "batch"
    return "same"


DESCRIPTIONS = {
    "jvp": "central finite differences of {f} along the tangents",
    "vjp": "central finite differences of {f}, one input element at a time, against the cotangents",
    "transpose": "{f} applied to each basis vector, against the cotangents",
    "batch": "{f} run example by example",
    "same": "{f}",
}


def expected(kind, original, program, inputs):
    """[(label, array)] the program's outputs should equal, for `inputs` (the program's arguments)."""
    f_args, f_results = original.arg_types, original.result_types
    if kind == "same":
        if program.arg_types != f_args or program.result_types != f_results:
            raise CheckError(f"{program.name} has another signature than {original.name}; --check compares "
                             "them only after passes that keep it")
        return _labelled("result", original(inputs))
    if kind == "batch":
        return _batched(original, program, inputs)
    if kind == "transpose":
        return _transposed(original, program, inputs)
    n = len(f_args)
    primals, extra = list(inputs[:n]), list(inputs[n:])
    diff_args = [i for i, t in enumerate(f_args) if differentiable(t)]
    diff_outs = [i for i, t in enumerate(f_results) if differentiable(t)]
    if not diff_args:
        raise CheckError(f"{original.name} has no differentiable arguments")
    eps = max(_eps(f_args[i]) for i in diff_args)
    outs = _labelled("result", original(primals))
    if kind == "jvp":
        return outs + _forward(original, program, primals, extra, diff_args, diff_outs, eps)
    return outs + _reverse(original, program, primals, extra, diff_args, diff_outs, eps)


def _forward(original, program, primals, tangents, diff_args, diff_outs, eps):
    """J t, one tangent per differentiable result."""
    n_tangent_outs = len(program.result_types) - len(original.result_types)
    if n_tangent_outs == 0:   # all structurally zero (stop_gradient, round): nothing to compare
        return []
    if n_tangent_outs != len(diff_outs):
        raise CheckError(f"{program.name} returns {n_tangent_outs} tangents for {len(diff_outs)} differentiable "
                         "results: cannot tell which are structurally zero")
    if len(tangents) != len(diff_args):
        raise CheckError(f"{program.name} takes {len(tangents)} tangents, {original.name} has "
                         f"{len(diff_args)} differentiable arguments")
    direction = [np.zeros_like(x) for x in primals]
    for i, t in zip(diff_args, tangents):
        direction[i] = t
    return _labelled("tangent", _directional(original, primals, direction, eps, diff_outs))


def _reverse(original, program, primals, cts, diff_args, diff_outs, eps):
    """J^T ct, one cotangent per differentiable argument, element by element."""
    f_args = original.arg_types
    if len(cts) != len(diff_outs):
        raise CheckError(f"{program.name} takes {len(cts)} cotangents, {original.name} has {len(diff_outs)} "
                         "differentiable results")
    if any(T.is_complex(f_args[i].dtype) for i in diff_args) or any(T.is_complex(c.dtype) for c in cts):
        raise CheckError("--check of a transposed program handles real values only")
    _check_size(f_args, diff_args)
    out = []
    for i in diff_args:
        g = np.zeros(f_args[i].shape, np.float64)
        for j in np.ndindex(*f_args[i].shape):
            direction = [np.zeros_like(x) for x in primals]
            direction[i][j] = 1
            jt = _directional(original, primals, direction, eps, diff_outs)
            g[j] = sum(np.sum(np.asarray(c, np.float64) * d) for c, d in zip(cts, jt))
        out.append((f"cotangent of %{original.arg_names[i]}", g))
    return out


def _directional(f, primals, direction, eps, diff_outs):
    """(f(x + eps d) - f(x - eps d)) / 2 eps for the differentiable results, in float64 (or complex128)."""
    step = lambda sign: [(x + sign * eps * d).astype(x.dtype) if T.is_inexact(x.dtype) else x
                         for x, d in zip(primals, direction)]
    plus, minus = f(step(1)), f(step(-1))
    wide = lambda a: np.asarray(a, np.complex128 if np.iscomplexobj(a) else np.float64)
    return [(wide(plus[i]) - wide(minus[i])) / (2 * eps) for i in diff_outs]


def _eps(t):
    """The cube root of the precision: central differences' truncation and rounding errors balance there."""
    real = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}.get(np.dtype(t.dtype), t.dtype)
    return float(ml_dtypes.finfo(real).eps) ** (1 / 3)


def _transposed(original, program, inputs):
    """The cotangent of each t_* argument of a function linear in them, element by element."""
    names, f_args = original.arg_names, original.arg_types
    linear = [i for i, n in enumerate(names) if n.startswith("t_")]
    fixed = [i for i in range(len(names)) if i not in linear]
    cts = list(inputs[len(fixed):])
    if len(cts) != len(original.result_types):
        raise CheckError(f"{program.name} takes {len(cts)} cotangents, {original.name} has "
                         f"{len(original.result_types)} results")
    _check_size(f_args, linear)
    args = [None] * len(names)
    for i, x in zip(fixed, inputs):
        args[i] = x
    def pairing(i, j, unit):
        """Re <ct, f(r, unit e_j)>, products without conjugation (JAX's transpose is linear, not an adjoint)."""
        for k in linear:
            args[k] = np.zeros(f_args[k].shape, f_args[k].dtype)
        args[i][j] = unit
        ys = original(args)
        return sum(np.sum(np.asarray(c, np.complex128) * np.asarray(y, np.complex128)) for c, y in zip(cts, ys)).real

    out = []
    for i in linear:
        is_complex = T.is_complex(f_args[i].dtype)
        g = np.zeros(f_args[i].shape, np.complex128 if is_complex else np.float64)
        for j in np.ndindex(*f_args[i].shape):
            # for a complex input, JAX's cotangent is Re<ct, f(e_j)> - i Re<ct, f(i e_j)>: for instance real(z)
            # transposes to ct, imag(z) to -i ct, multiplication by c to ct * c
            g[j] = pairing(i, j, 1) - (1j * pairing(i, j, 1j) if is_complex else 0)
        out.append((f"cotangent of %{names[i]}", g))
    return out


def _check_size(arg_types, which):
    total = sum(int(np.prod(arg_types[i].shape)) for i in which)
    if total > MAX_FD_ELEMENTS:
        raise CheckError(f"--check of a transposed program runs the function once or twice per input element; "
                         f"these inputs have {total} (more than {MAX_FD_ELEMENTS})")


def _batched(original, program, inputs):
    names, f_args = program.arg_names, original.arg_types
    if len(inputs) != len(f_args):
        raise CheckError(f"{program.name} takes {len(inputs)} arguments, {original.name} {len(f_args)}")
    batched = [i for i, n in enumerate(names) if n.startswith("b_")]
    if not batched:
        raise CheckError(f"{program.name} has no batched (b_*) arguments")
    size = program.arg_types[batched[0]].shape[0]
    rows = [original([x[k] if i in batched else x for i, x in enumerate(inputs)]) for k in range(size)]
    return [(f"batched result {r}", np.stack([row[r] for row in rows])) for r in range(len(rows[0]))]


def _labelled(label, arrays):
    return [(f"{label} {i}", a) for i, a in enumerate(arrays)]
