"""--verify-diagnostics' expectations and --split-input-file's chunks, as MLIR defines them (the lit files
tests/lit/opt-*.lir run the whole tool)."""
from lintra.tools.diagnostics import Diagnostic, Source, check, parse_expectations, render
from lintra.tools.split import join_outputs, split_input


def lines_of(expectations):
    return [(e.kind, e.line, e.text) for e in expectations]


def test_designators_name_the_line_the_diagnostic_is_on():
    text = "\n".join([
        "a",                                        # 1
        "b  // expected-error {{same line}}",       # 2
        "// expected-note @+2 {{two below}}",       # 3
        "// expected-warning @-3 {{three above}}",  # 4: line 1
        "c",                                        # 5
        "// expected-remark @above {{above}}",      # 6: line 5 (the last line without an expectation)
        "// expected-error @below {{below}}",       # 7: line 9 (the next line without one)
        "// expected-error @below {{below too}}",   # 8: line 9
        "d",                                        # 9
        "// expected-error @unknown {{nowhere}}",   # 10
    ])
    expected, problems = parse_expectations(text)
    assert problems == []
    assert sorted(lines_of(expected), key=lambda e: e[2]) == sorted([
        ("error", 2, "same line"), ("note", 5, "two below"), ("warning", 1, "three above"),
        ("remark", 5, "above"), ("error", 9, "below"), ("error", 9, "below too"), ("error", 0, "nowhere")],
        key=lambda e: e[2])


def test_designators_that_point_nowhere_are_errors():
    _, problems = parse_expectations("// expected-error @above {{x}}\n// expected-error @-5 {{y}}\n"
                                     "a\n// expected-error @below {{z}}\n")
    assert [p.message for p in problems] == [
        "expected-error @above has no line above it to apply to",
        "expected-error @-5 points before the first line",
        "expected-error @below has no line below it to apply to"]


def test_text_is_a_substring_and_re_pieces_are_regexes():
    (plain,), _ = parse_expectations("x // expected-error {{a.b (c)}}")
    assert plain.matches("zz a.b (c) zz") and not plain.matches("aXb (c)")
    (regex,), _ = parse_expectations("x // expected-error-re {{value %{{[0-9]+}} (at {{.*}})}}")
    assert regex.matches("value %12 (at 3:4) is") and not regex.matches("value %x (at 3:4)")


def test_check_reports_unexpected_missing_and_wrong_kind():
    expected, _ = parse_expectations("a // expected-error {{boom}}\nb // expected-note {{hint}}\nc\n")
    met = check([Diagnostic("error", 1, 3, "a boom here")], expected[:1])
    assert met == []
    failures = check([Diagnostic("error", 2, 1, "a hint"), Diagnostic("error", 3, 7, "surprise")], expected)
    assert [(f.line, f.col, f.message) for f in failures] == [
        (2, 6, "'error' diagnostic emitted when expecting a 'note'"),
        (3, 7, "unexpected error: surprise"),
        (1, 6, 'expected error "boom" was not produced'),
        (2, 6, 'expected note "hint" was not produced')]


def test_locations_read_as_mlir_opt_writes_them():
    d = Diagnostic("error", 4, 2, "bad")
    assert render(Source("t.lir", 1, False), d) == "t.lir:4:2: bad"
    assert render(Source("t.lir", 12, True), d) == "within split at t.lir:12 offset :4:2: bad"
    assert render(Source("t.lir", 1, False), d._replace(kind="note")) == "t.lir:4:2: note: bad"


def test_split_chunks_count_lines_from_their_marker():
    text = "a\nb\n// -----\nc\n  // -----  \nd\ne\n"
    chunks = split_input(text, True)
    assert [(c.first_line, c.text) for c in chunks] == [(1, "a\nb\n"), (3, "\nc\n"), (5, "\nd\ne\n")]
    # line L of a chunk is line first_line + L - 1 of the file
    assert text.splitlines()[5 + 3 - 1 - 1] == "e" and chunks[2].text.splitlines()[3 - 1] == "e"
    assert split_input(text, False) == [(text, 1)]
    assert join_outputs(["x\n", "", "y\n"]) == "x\n// -----\n// -----\ny\n"
