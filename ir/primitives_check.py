"""checkify's `check` op: a functionalizable assertion (JAX's check_p).

    check %pred..., %code..., %payload... {err_tree = 4, payloads = [1, 0], debug = false}

Its operands are the leaves of a checkify Error, in the order the Error flattens to: one bool predicate per
error kind, then one code per kind (the default int: i32, or i64 with x64; weak, as JAX's), then each kind's payload arrays (`payloads` counts them per kind).
`err_tree` names the Error's tree structure (which carries the message templates) by its id in this
module's registry, as a callback op names its function: IR stays text. The op has no results and is never
removed; checkify turns it back into an Error value (it "discharges" it), and anything that would run it
un-discharged under jit is refused when lowered (JAX's functionalization error)."""
import itertools

import numpy as np

from .primitive_table import fail, primitive

_trees = {}               # id -> the tree structure of an Error (an opaque object here)
_ids = itertools.count()


def register_tree(treedef) -> int:
    i = next(_ids)
    _trees[i] = treedef
    return i


def lookup_tree(i: int):
    try:
        return _trees[i]
    except KeyError:     # text IR read by lintra-opt: the structure lives in the process that traced it
        raise ValueError(f"check: error structure {i} is not registered in this process: a check op names its "
                         "error's structure by its id in the process that traced it") from None


def layout(payloads):
    """[(pred index, code index, [payload indices])] per error kind, for operands laid out as above."""
    n, start, out = len(payloads), 2 * len(payloads), []
    for k, count in enumerate(payloads):
        out.append((k, n + k, list(range(start, start + count))))
        start += count
    return out


@primitive("check")
def _check(*leaves, err_tree, payloads, debug=False):
    n = len(payloads)
    if any(c < 0 for c in payloads) or len(leaves) != 2 * n + sum(payloads):
        fail("check", f"payloads {list(payloads)} do not fit {len(leaves)} operands", *leaves)
    for p, c, _ in layout(payloads):
        if leaves[p].shape != () or leaves[p].dtype != np.bool_ or leaves[c].shape != () or \
                leaves[c].dtype not in (np.int32, np.int64):
            fail("check", "each error kind needs a bool[] predicate and an i32[] (or i64[]) code", *leaves)
    return []
