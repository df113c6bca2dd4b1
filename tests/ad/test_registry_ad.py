"""Every primitive is either differentiable (a JVP rule) or has zero derivative (NON_DIFFERENTIABLE);
exactly the linear primitives have transpose rules; every differentiable primitive has a gradient test.

Gradient coverage is declared, not guessed: a test module under tests/ that checks derivatives defines a
module-level COVERED_AD_PRIMITIVES set derived from its own test tables (tests/ad/test_rules.py does, for
the core primitives); this test imports those modules by path and unions the sets."""
import importlib.util
import pathlib
import re

import pytest

from lintra.ir import ad  # noqa: F401  (importing the AD package fills every rule table)
from lintra.ir.ad.jvp import JVP_RULES, NON_DIFFERENTIABLE
from lintra.ir.ad.transpose import TRANSPOSE_RULES
from lintra.ir.ad.transpose_rules import LINEAR
from lintra.ir.primitives import PRIMITIVES

TESTS = pathlib.Path(__file__).parent.parent
DECLARING = sorted(p for p in TESTS.rglob("test_*.py")
                   if re.search(r"^COVERED_AD_PRIMITIVES\s*=", p.read_text(), re.MULTILINE))


def _load(path):
    spec = importlib.util.spec_from_file_location(f"_registry_ad_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def covered():
    """primitive -> the test modules that cover its derivatives."""
    out = {}
    for path in DECLARING:
        for prim in _load(path).COVERED_AD_PRIMITIVES:
            out.setdefault(prim, []).append(str(path.relative_to(TESTS)))
    return out


def test_every_primitive_is_differentiable_or_declared_zero():
    missing = sorted(set(PRIMITIVES) - set(JVP_RULES) - NON_DIFFERENTIABLE)
    assert not missing, f"primitives with neither a JVP rule nor a place in NON_DIFFERENTIABLE: {missing}"


def test_no_primitive_is_both():
    both = sorted(set(JVP_RULES) & NON_DIFFERENTIABLE)
    assert not both, f"primitives with a JVP rule that are also declared NON_DIFFERENTIABLE: {both}"


def test_rules_are_for_primitives():
    unknown = sorted((set(JVP_RULES) | NON_DIFFERENTIABLE | set(TRANSPOSE_RULES) | LINEAR) - set(PRIMITIVES))
    assert not unknown, f"AD rules or declarations for names that are not primitives: {unknown}"


def test_transpose_rules_are_exactly_the_linear_primitives():
    not_linear = sorted(set(TRANSPOSE_RULES) - LINEAR)
    assert not not_linear, f"transpose rules for primitives not declared LINEAR: {not_linear}"
    no_rule = sorted(LINEAR - set(TRANSPOSE_RULES))
    assert not no_rule, f"LINEAR primitives without a transpose rule: {no_rule}"


def test_linear_primitives_are_differentiable():
    zero = sorted(LINEAR & NON_DIFFERENTIABLE)
    assert not zero, f"LINEAR primitives declared NON_DIFFERENTIABLE: {zero}"


def test_every_differentiable_primitive_has_a_gradient_test(covered):
    missing = sorted(set(JVP_RULES) - set(covered))
    assert not missing, (f"differentiable primitives that no COVERED_AD_PRIMITIVES declares: {missing} (declared by "
                         f"{[str(p.relative_to(TESTS)) for p in DECLARING]})")


def test_covered_names_are_differentiable_primitives(covered):
    unknown = {p: mods for p, mods in covered.items() if p not in JVP_RULES}
    assert not unknown, f"COVERED_AD_PRIMITIVES names that have no JVP rule (misspelt or removed?): {unknown}"
