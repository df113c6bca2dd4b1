"""Passes over IR functions, each `Func -> Func`, and a pass manager that runs them by name."""
from .. import ad
from ..batch import batch_pass
from ..core import Func
from ..verifier import verify
from .canonicalize import canonicalize
from .cse import cse
from .dce import dce
from .inline import inline
from .remat import remat


def verify_pass(func: Func) -> Func:
    verify(func)   # raises VerificationError
    return func


# name -> pass; a new pass is registered with one line here.
PASSES = {
    "verify": verify_pass,
    "dce": dce,
    "cse": cse,
    "canonicalize": canonicalize,
    "inline": inline,
    "jvp": ad.jvp_pass,
    "linearize": ad.linearize_pass,      # one function in, [primal, linear] out
    "transpose": ad.transpose_pass,
    "batch": batch_pass,                 # options: batch{size=N[,axis_name=NAME]}; batches the `b_*` arguments
    "remat": remat,                      # the body in one checkpoint; options: remat{policy=P[,names=a+b]}
}

DEFAULT_PIPELINE = ("canonicalize", "cse", "dce")


def run_passes(func: Func, names, verify=True, print_after_all=None):
    """Run the passes `names` (a list, or a string "a,b,c") in order. With `verify`, the IR is verified
    after each pass; with a text stream `print_after_all`, the IR is printed to it after each pass, under a
    header naming the pass. A pass may split a function in several (linearize): later passes then run on
    each, and the result is a list of functions."""
    if isinstance(names, str):
        names = [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in names if n not in PASSES]
    if unknown:
        raise ValueError(f"unknown pass {unknown[0]!r}; known passes: {', '.join(PASSES)}")
    funcs = [func]
    for name in names:
        funcs = [g for f in funcs for g in _as_list(PASSES[name](f))]
        for f in funcs:
            if verify and name != "verify":
                verify_pass(f)
        if print_after_all is not None:
            print(f"// -----// IR Dump After {name} //----- //", file=print_after_all)
            for f in funcs:
                print(f, end="", file=print_after_all)
    return funcs[0] if len(funcs) == 1 else funcs


def _as_list(result):
    return result if isinstance(result, list) else [result]
