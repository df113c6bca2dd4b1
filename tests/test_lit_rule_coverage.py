"""Every primitive's JVP, transpose and batching rule runs in at least one lit test (tests/lit/*.lir).

A rule counts as covered when a RUN line of a lit file runs a pipeline (lintra-opt --passes, or lintra-run
--passes) whose pass calls that rule on the file's IR, and the line checks the result (FileCheck,
--verify-diagnostics, or lintra-run --check / --compare-to). The rules are found by running those pipelines here with each rule
table wrapped in a recorder, so coverage is what the passes really did, not what the files mention.
"""
import pathlib
import re
import shlex

import pytest

from lintra.ir import callbacks
from lintra.ir.ad.jvp import JVP_RULES
from lintra.ir.ad.transpose import TRANSPOSE_RULES
from lintra.ir.batch.batch import BATCH_RULES
from lintra.ir.core import Module
from lintra.ir.parser import ParseError, parse_module
from lintra.tools.opt import parse_pipeline
from lintra.tools.pipeline import PassFailure, run_pipeline
from lintra.tools.split import split_input

LIT = pathlib.Path(__file__).parent / "lit"
TABLES = {"jvp": JVP_RULES, "transpose": TRANSPOSE_RULES, "batch": BATCH_RULES}

# Rules no lit file runs yet. This list only shrinks: add a FileCheck case for a primitive, then delete it
# here (test_allowlist_is_current fails while a listed rule is covered).
NOT_YET_COVERED = {
    # callback: batching it needs the Python function, which text IR cannot carry (rules-callback.lir)
    "jvp": set(),
    "transpose": set(),
    "batch": {"callback"},
}


def run_lines(path):
    """(argv of the tool before any pipe, checked?) for each RUN line that runs a pipeline on the file."""
    for line in path.read_text().splitlines():
        m = re.match(r"\s*//\s*RUN:\s*(.*)", line)
        if not m:
            continue
        command, *rest = m.group(1).split("|")
        argv = shlex.split(command)
        if argv[:1] == ["not"]:
            argv = argv[1:]
        if argv[:1] not in (["lintra-opt"], ["lintra-run"]) or "%s" not in argv:
            continue
        checked = any("filecheck" in r for r in rest) or \
            any(flag in argv for flag in ("--check", "--compare-to", "--verify-diagnostics"))
        yield argv, checked


def option(argv, name):
    for i, a in enumerate(argv):
        if a == name and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(name + "="):
            return a[len(name) + 1:]
    return None


@pytest.fixture(scope="module")
def covered():
    seen = {name: set() for name in TABLES}
    saved = {name: dict(table) for name, table in TABLES.items()}

    def recorder(pass_name, prim, rule):
        def record(*args, **kwargs):
            seen[pass_name].add(prim)
            return rule(*args, **kwargs)
        return record

    # as in a fresh lintra-opt process: no Python callbacks registered by earlier tests in this one
    registered = dict(callbacks._registry)
    callbacks._registry.clear()
    try:
        for name, table in TABLES.items():
            for prim, rule in saved[name].items():
                table[prim] = recorder(name, prim, rule)
        for path in sorted(LIT.glob("*.lir")):
            text = path.read_text()
            for argv, checked in run_lines(path):
                spec = option(argv, "--passes")
                if not checked or not spec:
                    continue
                for chunk in split_input(text, "--split-input-file" in argv):
                    try:
                        module = parse_module(chunk.text)
                    except ParseError:
                        continue                # a diagnostics case
                    function = option(argv, "--function")
                    if function is not None:
                        module = Module({function: module.funcs[function]})
                    before = {name: set(found) for name, found in seen.items()}
                    try:
                        run_pipeline(module, parse_pipeline(spec))
                    except PassFailure:
                        # a failure counts only as the expected diagnostic of a rule (nextafter's JVP is an
                        # error, as in JAX); otherwise the rules it ran are not checked by this line
                        if "--verify-diagnostics" not in argv:
                            for name in seen:
                                seen[name] = before[name]
    finally:
        for name, table in TABLES.items():
            table.clear()
            table.update(saved[name])
        callbacks._registry.update(registered)
    return seen


@pytest.mark.parametrize("pass_name", sorted(TABLES))
def test_every_rule_has_a_lit_case(covered, pass_name):
    missing = sorted(set(TABLES[pass_name]) - covered[pass_name] - NOT_YET_COVERED[pass_name])
    assert not missing, f"{pass_name} rules that no lit test runs: {missing}"


@pytest.mark.parametrize("pass_name", sorted(TABLES))
def test_allowlist_is_current(covered, pass_name):
    stale = sorted(NOT_YET_COVERED[pass_name] & covered[pass_name])
    assert not stale, f"now covered by a lit test; delete from NOT_YET_COVERED[{pass_name!r}]: {stale}"
    unknown = sorted(NOT_YET_COVERED[pass_name] - set(TABLES[pass_name]))
    assert not unknown, f"NOT_YET_COVERED[{pass_name!r}] names primitives without such a rule: {unknown}"
