"""optax's own tests, shipped in its wheel, run unchanged on Lintra under `lintra.compat.alias_jax()`: a fixed
selection of test files (CI's time budget), each expected to pass every case except those listed with the
reason. The counts over all of optax's test files, beside JAX 0.10.2's, are in the README."""
import importlib.util
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

RUNNER = "import sys, lintra.compat; lintra.compat.alias_jax(); import pytest; sys.exit(pytest.main(sys.argv[1:]))"

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


def _cases(xml_path):
    results = {}
    for case in ET.parse(xml_path).iter("testcase"):
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        failed = [c for c in case if c.tag in ("failure", "error")]
        skipped = [c for c in case if c.tag == "skipped"]
        results[name] = "fail" if failed else "skip" if skipped else "pass"
        if failed:
            results[name] = "fail: " + (failed[0].get("message") or "")[:300]
    return results


@pytest.mark.parametrize("path", sorted(SELECTION))
def test_optax_test_file_passes_on_lintra(path, tmp_path):
    test_file = os.path.join(_optax_dir(), path)
    xml = tmp_path / "results.xml"
    p = subprocess.run([sys.executable, "-c", RUNNER, test_file, "-q", "-p", "no:cacheprovider",
                        f"--rootdir={tmp_path}", f"--junitxml={xml}"],
                       cwd=tmp_path, capture_output=True, text=True, timeout=900,
                       env={**os.environ, "JAX_PLATFORMS": "cpu"})
    assert xml.exists(), f"pytest did not run {path}:\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}"
    cases = _cases(xml)
    assert cases, f"no test cases ran in {path}:\n{p.stdout[-3000:]}"
    expected = SELECTION[path]
    failing = {name: r for name, r in cases.items() if r.startswith("fail")}
    unexpected = {name: r for name, r in failing.items() if name not in expected}
    assert not unexpected, f"{len(unexpected)} of {len(cases)} cases of {path} fail on Lintra:\n" + \
        "\n".join(f"  {name}: {r}" for name, r in sorted(unexpected.items())[:30])
    fixed = sorted(name for name in expected if cases.get(name) == "pass")
    assert not fixed, f"listed as failing but now pass (remove them from SELECTION): {fixed}"
