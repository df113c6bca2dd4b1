"""Every primitive has the rules and tests it needs.

Numerical coverage is declared, not guessed: each numerical test module under tests/lowering/ defines a
module-level `COVERED_PRIMITIVES` set, derived from its own test tables (so a primitive counts as covered only
if a table row actually runs it). This test imports those modules by path and unions the sets.
"""
import importlib.util
import pathlib

import pytest

from lintra.ir.primitives import PRIMITIVES
from lintra.lowering import rules as _rules  # noqa: F401  (importing the rules fills RULES)
from lintra.lowering.lower import RULES

NUMERICAL_TESTS = sorted((pathlib.Path(__file__).parent / "lowering").glob("test_*.py"))


def _load(path):
    spec = importlib.util.spec_from_file_location(f"_registry_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def coverage():
    """primitive -> names of the test modules whose tables cover it; and the modules that declare nothing."""
    covered, undeclared = {}, []
    for path in NUMERICAL_TESTS:
        declared = getattr(_load(path), "COVERED_PRIMITIVES", None)
        if declared is None:
            undeclared.append(path.name)
            continue
        for prim in declared:
            covered.setdefault(prim, []).append(path.name)
    return covered, undeclared


def test_every_primitive_has_a_lowering_rule():
    missing = sorted(set(PRIMITIVES) - set(RULES))
    assert not missing, f"primitives without a lowering rule in lintra.lowering.lower.RULES: {missing}"


def test_every_lowering_rule_is_for_a_primitive():
    unknown = sorted(set(RULES) - set(PRIMITIVES))
    assert not unknown, f"lowering rules for names that are not primitives in ir.primitives.PRIMITIVES: {unknown}"


def test_every_primitive_has_a_numerical_test(coverage):
    covered, undeclared = coverage
    missing = sorted(set(PRIMITIVES) - set(covered))
    assert not missing, (f"primitives no numerical test covers: {missing}. Scanned "
                         f"{[p.name for p in NUMERICAL_TESTS]} for COVERED_PRIMITIVES"
                         + (f"; these define none: {undeclared}" if undeclared else ""))


def test_covered_names_are_primitives(coverage):
    covered, _ = coverage
    unknown = {p: mods for p, mods in covered.items() if p not in PRIMITIVES}
    assert not unknown, f"COVERED_PRIMITIVES names that are not primitives (misspelt or removed?): {unknown}"
