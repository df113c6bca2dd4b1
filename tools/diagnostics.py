"""Diagnostics and --verify-diagnostics: expected diagnostics written as comments, checked as mlir-opt does.

    %1 = add %0, %y : f32[3]   // expected-error {{operands must have the same shape}}
    // expected-error @+1 {{use of undefined value %z}}
    %2 = mul %1, %z : f32[3]

A comment `expected-KIND[-re] [@+N | @-N | @above | @below | @unknown] {{TEXT}}` expects a diagnostic of
KIND (error, warning, note, remark) on its own line, N lines below or above it, on the nearest line above or
below that holds no expectation, or with no location. TEXT is a substring of the message; with `-re`, the
parts of TEXT in `{{...}}` are regular expressions. Every diagnostic must be expected and every expectation
met: otherwise the failure is reported at the diagnostic (`unexpected error: ...`) or at the comment
(`expected error "TEXT" was not produced`), and the tool exits 1. Lintra's tools emit errors only.
"""
import re
from typing import NamedTuple


class Diagnostic(NamedTuple):
    kind: str      # error, warning, note, remark
    line: int      # within the chunk; 0 for no location
    col: int
    message: str


class Source(NamedTuple):
    """Where a chunk comes from, to name locations as mlir-opt does."""
    name: str          # the file as the user gave it, or <stdin>
    first_line: int    # the whole file's line that is the chunk's line 1
    split: bool        # part of a --split-input-file run

    def where(self, line, col):
        file = f"within split at {self.name}:{self.first_line} offset " if self.split else self.name
        return f"{file}:{line}:{col}" if line else file


def render(source: Source, diag: Diagnostic) -> str:
    """One diagnostic as a line of text: `FILE:LINE:COL: message` (warnings and notes say what they are)."""
    label = "" if diag.kind == "error" else f"{diag.kind}: "
    return f"{source.where(diag.line, diag.col)}: {label}{diag.message}"


# ---- expectations ----------------------------------------------------------------------------------------

_EXPECTED = re.compile(r"expected-(error|note|remark|warning)(-re)? *(@([+-][0-9]+|above|below|unknown))? *"
                       r"\{\{(.*)\}\}\s*$")


class Expected(NamedTuple):
    kind: str
    line: int             # the line the diagnostic is expected on (0: no location)
    comment_line: int     # where the expectation is written, for reporting it
    comment_col: int
    text: str
    pattern: re.Pattern   # what the message must contain

    def matches(self, message):
        return self.pattern.search(message) is not None


def _pattern(text, is_regex):
    if not is_regex:
        return re.compile(re.escape(text))
    parts, pos = [], 0   # literal text, with the {{...}} pieces as regular expressions
    for m in re.finditer(r"\{\{(.*?)\}\}", text):
        parts.append(re.escape(text[pos:m.start()]) + f"(?:{m.group(1)})")
        pos = m.end()
    return re.compile("".join(parts) + re.escape(text[pos:]))


def parse_expectations(text: str):
    """The expectations written in a chunk, and the problems with them (as Diagnostics)."""
    out, problems, below, last_plain = [], [], [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        m = _EXPECTED.search(line)
        if m is None:
            last_plain = number
            for e in below:                  # @below designators apply to the next line without one
                out.append(e._replace(line=number))
            below = []
            continue
        kind, is_regex, where, body = m.group(1), m.group(2), m.group(4), m.group(5)
        try:
            pattern = _pattern(body, bool(is_regex))
        except re.error as err:
            problems.append(Diagnostic("error", number, m.start() + 1, f"invalid regex in expected-{kind}-re: {err}"))
            continue
        e = Expected(kind, number, number, m.start() + 1, body, pattern)
        if where is None:
            out.append(e)
        elif where[0] in "+-":
            target = number + int(where)
            if target < 1:
                problems.append(Diagnostic("error", number, m.start() + 1,
                                           f"expected-{kind} @{where} points before the first line"))
                continue
            out.append(e._replace(line=target))
        elif where == "above":
            if not last_plain:
                problems.append(Diagnostic("error", number, m.start() + 1,
                                           f"expected-{kind} @above has no line above it to apply to"))
                continue
            out.append(e._replace(line=last_plain))
        elif where == "below":
            below.append(e)
        else:   # unknown
            out.append(e._replace(line=0))
    for e in below:
        problems.append(Diagnostic("error", e.comment_line, e.comment_col,
                                   f"expected-{e.kind} @below has no line below it to apply to"))
    return out, problems


def check(diagnostics, expectations):
    """Diagnostics (errors) for every diagnostic not expected and every expectation not met, as mlir-opt's
    verifier reports them. An expectation may match several diagnostics."""
    failures, met = [], set()
    for d in diagnostics:
        near_miss = None
        for i, e in enumerate(expectations):
            if e.line == d.line and e.matches(d.message):
                if e.kind == d.kind:
                    met.add(i)
                    break
                near_miss = e
        else:
            if near_miss is not None:
                failures.append(Diagnostic("error", near_miss.comment_line, near_miss.comment_col,
                                           f"'{d.kind}' diagnostic emitted when expecting a '{near_miss.kind}'"))
            else:
                failures.append(Diagnostic("error", d.line, d.col, f"unexpected {d.kind}: {d.message}"))
    for i, e in enumerate(expectations):
        if i not in met:
            failures.append(Diagnostic("error", e.comment_line, e.comment_col,
                                       f"expected {e.kind} \"{e.text}\" was not produced"))
    return failures
