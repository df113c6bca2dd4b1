"""lintra.experimental.checkify, as JAX 0.10.2's jax.experimental.checkify: functionalized run-time checks.

`check(pred, msg, *fmt_args, **fmt_kwargs)` stages a `check` op (eagerly it raises at once);
`checkify(f, errors=)` traces f to IR and runs the interpreter (interpreter.py) over it, which threads an
Error value through the ops: user checks are discharged into it, and the enabled automatic checks
(rules.py, control_rules.py, shard_map_rule.py) add theirs. The Error is a pytree, so it passes out of jit and vmap."""
import functools

import numpy as np

from ...runtime.array import Array
from .. import numpy as jnp, tree
from ..api import ir_name, trace_to_ir
from ..core import Tracer
from . import control_rules, rules, shard_map_rule  # noqa: F401  (fill the rule table)
from .errors import (BatchedError, DivisionByZeroError, Error, ErrorEffect, FailedCheckError,  # noqa: F401
                     JaxException, JaxRuntimeError, NaNError, OOBError, all_checks, assert_func, automatic_checks,
                     check_error_value, div_checks, float_checks, functionalizing, index_checks, init_error,
                     nan_checks, user_checks)
from .interpreter import checkify_block

ErrorCategory = type   # JAX's alias for the error classes (type[JaxException])


def checkify(f, errors=user_checks):
    """f, functionalized: it returns (error, f's output), where error.get() is the message of the first
    failed check among the enabled ones (`errors`: a set of error classes, e.g. float_checks | user_checks)
    or None. As JAX, f's arguments are closed over: Python values stay Python values while f is traced."""
    enabled = frozenset(errors)

    @functools.wraps(f)
    def checked_fun(*args, **kwargs):
        functionalizing.depth += 1
        try:
            func, out_tree, captured = trace_to_ir(lambda: f(*args, **kwargs), [], tree.structure(((), {})),
                                                   ir_name(f))
        finally:
            functionalizing.depth -= 1
        error, outs = checkify_block(func.body, enabled, init_error, captured)
        return error, tree.unflatten(out_tree, outs)
    return checked_fun


def _is_scalar_pred(pred):
    return isinstance(pred, bool) or (isinstance(pred, (Array, Tracer)) and pred.shape == ()
                                      and pred.dtype == np.dtype(bool))


def _check(pred, msg, debug, *fmt_args, **fmt_kwargs):
    if not _is_scalar_pred(pred):
        raise TypeError(f"{'debug_check' if debug else 'check'} takes a scalar pred as argument, got {pred}")
    for arg in tree.leaves((fmt_args, fmt_kwargs)):
        if not isinstance(arg, (Array, Tracer, np.ndarray)):
            raise TypeError("Formatting arguments to checkify.check need to be PyTrees of arrays, but got "
                            f"{arg!r} of type {type(arg)}.")
    new_error = FailedCheckError(None, msg, *fmt_args, **fmt_kwargs)
    check_error_value(assert_func(init_error, jnp.logical_not(pred), new_error), debug=debug)


def check(pred, msg, *fmt_args, debug=False, **fmt_kwargs):
    """Add an error with message `msg` (formatted with the arrays fmt_args, fmt_kwargs) where the scalar
    bool `pred` is False. Under jit it must be functionalized by checkify; eagerly it raises at once."""
    _check(pred, msg, debug, *fmt_args, **fmt_kwargs)


def debug_check(pred, msg, *fmt_args, **fmt_kwargs):
    """check, but dropped (a no-op) unless functionalized by checkify."""
    _check(pred, msg, True, *fmt_args, **fmt_kwargs)


def check_error(error):
    """Raise JaxRuntimeError if `error` holds a failure: checkify's inverse, itself functionalizable by it."""
    if not isinstance(error, Error):
        raise TypeError(f"check_error takes an Error as argument, got type {type(error)} instead.")
    check_error_value(error)


__all__ = ["Error", "ErrorCategory", "JaxRuntimeError", "all_checks", "automatic_checks", "check", "check_error",
           "checkify", "debug_check", "div_checks", "float_checks", "index_checks", "init_error", "nan_checks",
           "user_checks"]
