"""Host callbacks: Python functions that compiled programs call (debug.print, pure_callback, io_callback).

A `callback` op names its function by an integer id into this registry, so IR stays text and the lowering
can hand the functions to the compiler. A registered function takes NumPy arrays and returns a tuple of
them (already checked against the op's result types). Entries live as long as the process: a compiled
executable may call them at any time, as JAX keeps its callbacks alive with the executable."""
import itertools

from .core import Block, Op, is_built

_registry = {}        # id -> (function, the same checked against its result shapes and dtypes)
_ids = itertools.count()


def register(fn, shapes=(), dtypes=()) -> int:
    """Register `fn`, whose results must have these shapes and dtypes; returns its id."""
    i = next(_ids)
    _registry[i] = fn, checked(fn, [tuple(s) for s in shapes], list(dtypes))
    return i


def lookup(i: int):
    """The function `i`, checking what it returns (a wrong shape must not reach XLA's buffers)."""
    return _entry(i)[1]


def unchecked(i: int):
    return _entry(i)[0]


def _entry(i):
    try:
        return _registry[i]
    except KeyError:   # e.g. text IR read by lintra-opt: the function lives in the process that traced it
        raise ValueError(f"callback {i} is not registered in this process: a callback op names a Python function "
                         "by its id in the process that traced it") from None


def checked(fn, shapes, dtypes):
    def call(*args):
        outs = fn(*args)
        if len(outs) != len(shapes):
            raise RuntimeError("Mismatched number of outputs from callback. "
                               f"Expected: {len(shapes)}, Actual: {len(outs)}")
        for i, (o, shape, dtype) in enumerate(zip(outs, shapes, dtypes)):
            if o.shape != shape:
                raise RuntimeError(f"Incorrect output shape for return value #{i}: "
                                   f"Expected: {shape}, Actual: {o.shape}")
            if o.dtype != dtype:
                raise RuntimeError(f"Incorrect output dtype for return value #{i}: "
                                   f"Expected: {dtype}, Actual: {o.dtype}")
        return outs
    return call


def has_effect(op) -> bool:
    """Whether `op` must run even when its results are unused, and may not merge with an equal op: a
    debug or io callback, or an op whose regions hold one."""
    if op.prim == "callback":
        return op.attrs["kind"] != "pure"
    if op.prim == "check":          # checkify's assertion: an effect until checkify discharges it
        return True
    return any(has_effect(o) for r in op.regions if is_built(r) for o in r.ops)


def is_debug_callback(op) -> bool:
    return op.prim == "callback" and op.attrs["kind"] == "debug"


def without_debug_callbacks(regions):
    """The regions, with their debug callbacks and checkify checks (at any depth) left out: what a concrete
    trace runs to get an op's values at trace time, since the traced program, run afterwards, prints them
    (once, as JAX) and checks them."""
    if not any(has_effect(o) for r in regions if is_built(r) for o in r.ops):
        return regions
    return [_strip(r) if is_built(r) else r for r in regions]


def _strip(block):
    ops = [Op(o.prim, o.operands, o.results, o.attrs, [_strip(r) if is_built(r) else r for r in o.regions])
           for o in block.ops if not (is_debug_callback(o) or o.prim == "check")]
    return Block(block.args, ops, block.results)
