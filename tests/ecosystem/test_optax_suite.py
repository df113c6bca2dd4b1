"""optax's own tests, shipped in its wheel, run unchanged on Lintra under `lintra.compat.alias_jax()`: a fixed
selection of test files (CI's time budget), each expected to pass every case except those listed with the
reason. The counts over all of optax's test files, beside JAX 0.10.2's, are in the README (optax_suite.py
makes them)."""
import importlib.util
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optax_suite  # noqa: E402

# optax test file -> {test case id: why it fails on Lintra}. The selection covers every optimizer
# (alias_test), the transformations, schedules, losses and tree utilities; it leaves out the files needing
# flax and the slowest ones (the README's table has all 52). The listed failures fail under JAX 0.10.2 too.
SELECTION = {
    "_src/alias_test.py": {},
    "_src/base_test.py": {},
    "_src/combine_test.py": {},
    "_src/factorized_test.py": {},
    "_src/float64_test.py": {},
    "_src/lookahead_test.py": {},
    "_src/numerics_test.py": {},
    "_src/transform_test.py": {},
    "_src/update_test.py": {},
    "_src/utils_test.py": {},
    "contrib/_muon_test.py": {},
    "contrib/_schedule_free_test.py": {},
    "losses/_classification_test.py": {},
    "losses/_regression_test.py": {},
    "projections/_projections_test.py": {},
    "schedules/_inject_test.py": {},
    "schedules/_schedule_test.py": {},
    "transforms/_clipping_test.py": {
        "ClippingTest::test_clip_by_block_rms": "assertAlmostEqual(1.0, 0.9999999) to 7 places: float32 rounding "
                                                "(JAX 0.10.2 fails it the same way)"},
    "transforms/_combining_test.py": {},
    "transforms/_conditionality_test.py": {},
    "transforms/_freezing_test.py": {
        "FreezeTest::test_bad_structure_raises": "expects the message 'Dict key mismatch'; Lintra's tree_map "
                                                 "raises JAX 0.10.2's pytree structure error, which fails the "
                                                 "same way under JAX",
        "SelectiveTransformTest::test_selective_bad_structure": "the same"},
    "transforms/_masking_test.py": {},
    "tree_utils/_random_test.py": {},
    "tree_utils/_tree_math_test.py": {},
}


def _optax_dir():
    spec = importlib.util.find_spec("optax")     # without importing it: that needs the alias
    if spec is None:
        pytest.skip("optax is not installed: pip install --no-deps -r tests/ecosystem/requirements.txt")
    return os.path.dirname(spec.origin)


@pytest.mark.parametrize("path", sorted(SELECTION))
def test_optax_test_file_passes_on_lintra(path, tmp_path):
    xml = tmp_path / "results.xml"
    p = optax_suite.run_file(os.path.join(_optax_dir(), path), str(xml), str(tmp_path), timeout=900)
    assert xml.exists(), f"pytest did not run {path}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    cases = optax_suite.cases(str(xml))
    assert cases, f"no test cases ran in {path}:\n{p.stdout[-3000:]}"
    expected = SELECTION[path]
    failing = {name: r for name, r in cases.items() if r.startswith("fail")}
    unexpected = {name: r for name, r in failing.items() if name not in expected}
    assert not unexpected, f"{len(unexpected)} of {len(cases)} cases of {path} fail on Lintra:\n" + \
        "\n".join(f"  {name}: {r}" for name, r in sorted(unexpected.items())[:30])
    fixed = sorted(name for name in expected if cases.get(name) == "pass")
    assert not fixed, f"listed as failing but now pass (remove them from SELECTION): {fixed}"
