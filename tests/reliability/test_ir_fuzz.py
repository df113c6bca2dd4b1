"""Seeded mutation fuzzing of the lit files' IR through parse -> verify -> lower (ir_mutations.py): every
mutant is rejected by the parser or the verifier with their own errors, or lowers. Bounded in time; the
seeds make a failure reproducible (`python tests/reliability/ir_mutations.py SECONDS SEED`)."""
import os
import re
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ir_mutations  # noqa: E402


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mutated_ir_is_rejected_cleanly_or_lowers(seed):
    counts, failures = ir_mutations.fuzz(seconds=10, seed=seed)
    assert counts["lowered"] > 0 and counts["parse"] > 0, counts
    assert not failures, "\n\n".join(f"{name}: {type(e).__name__}: {e}\n{text}" for name, text, e in failures[:3])


# Regressions the fuzzer found: each was verified, then failed inside the MLIR bindings or XLA.
REGRESSIONS = {
    "a float sort dimension": ("%0, %1 = sort %k, %v {dimension = -0.0, is_stable = true, num_keys = 1}"
                               " : f32[4], i32[4]", "sort: attribute dimension must be an integer, got -0.0"),
    "a float num_keys": ("%0, %1 = sort %k, %v {dimension = 0, is_stable = true, num_keys = 1.5} : f32[4], i32[4]",
                         "sort: attribute num_keys must be an integer, got 1.5"),
    "a bool cumsum axis": ("%0 = cumsum %k {axis = true, reverse = false} : f32[4]",
                           "cumsum: attribute axis must be an integer, got True"),
    "a float slice start": ("%0 = slice %k {limit_indices = [2], start_indices = [-0.0], strides = [1]} : f32[2]",
                            "slice: attribute start_indices must be a list of integers, got [-0.0]"),
    "repeated gather dims": ("%0 = gather %x, %i {collapsed_slice_dims = [0, 0], offset_dims = [], "
                             "slice_sizes = [1, 1], start_index_map = [0, 1]} : f32[2]",
                             "collapsed_slice_dims [0, 0] must be sorted and unique"),
    "a negative gather dim": ("%0 = gather %x, %i {collapsed_slice_dims = [-1], offset_dims = [1], "
                              "slice_sizes = [1, 3], start_index_map = [0, 1]} : f32[2,3]",
                              "collapsed_slice_dims [-1] must be in [0, 2)"),
    "a huge scatter dim": ("%0 = scatter_add %x, %i, %u {inserted_window_dims = [0], scatter_dims_to_operand_dims"
                           " = [0, 1], update_window_dims = [99]} : f32[4,3]",
                           "update_window_dims [99] must be in [0, 2)"),
}


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_fuzzer_regressions_are_verification_errors(name):
    from lintra.ir.parser import ParseError, parse_module
    from lintra.ir.verifier import VerificationError, verify
    body, message = REGRESSIONS[name]
    text = ("func @f(%k: f32[4], %v: i32[4], %x: f32[4,3], %i: i32[2,2], %u: f32[2,3]) -> () {\n  "
            + body + "\n  return\n}\n")
    with pytest.raises((ParseError, VerificationError), match=re.escape(message)):
        verify(parse_module(text))
