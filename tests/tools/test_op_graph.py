"""lintra-opt --view-op-graph=FILE: rendered to SVG by Graphviz's `dot` (here a stand-in on PATH that records
how it was called, as Graphviz is not installed where the tests run), a clear message and status 2 without
it, the dot text in FILE.dot. The graph's content is checked by tests/lit/view-op-graph.lir."""
import os
import subprocess
import sys

BIN = os.path.dirname(sys.executable)

IR = """\
func @f(%x: f32[3]) -> (f32[3]) {
  %0 = sin %x : f32[3]
  return %0
}
"""

# a `dot` that keeps its arguments and standard input, and writes a small SVG where -o says
FAKE_DOT = """#!{python}
import json, sys
args = sys.argv[1:]
open({record!r}, "w").write(json.dumps({{"args": args, "stdin": sys.stdin.read()}}))
open(args[args.index("-o") + 1], "w").write("<svg></svg>")
"""


def opt(tmp_path, *args, path=None):
    (tmp_path / "f.lir").write_text(IR)
    script = os.path.join(BIN, "lintra-opt")
    cmd = [script] if os.path.exists(script) else [sys.executable, "-m", "lintra.tools.opt"]
    env = dict(os.environ, PATH=path if path is not None else str(tmp_path / "nowhere"))
    return subprocess.run(cmd + ["f.lir"] + list(args), capture_output=True, text=True, cwd=tmp_path, env=env,
                          timeout=120)


def test_svg_is_rendered_by_dot(tmp_path):
    import json
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "dot").write_text(FAKE_DOT.format(python=sys.executable, record=str(tmp_path / "dot-call.json")))
    (tools / "dot").chmod(0o755)
    p = opt(tmp_path, "--view-op-graph=graph.svg", path=str(tools))
    assert p.returncode == 0, p.stderr
    assert p.stdout == IR                                  # the IR still goes to stdout
    call = json.loads((tmp_path / "dot-call.json").read_text())
    assert call["args"] == ["-Tsvg", "-o", "graph.svg"]
    dot_text = opt(tmp_path, "--view-op-graph").stdout
    assert call["stdin"] == dot_text and dot_text.startswith("digraph module {")
    assert (tmp_path / "graph.svg").read_text() == "<svg></svg>"


def test_missing_dot_is_a_clear_error(tmp_path):
    p = opt(tmp_path, "--view-op-graph=graph.svg")
    assert p.returncode == 2
    assert p.stderr == ("lintra-opt: --view-op-graph=graph.svg renders with Graphviz's `dot` executable, which is "
                        "not on PATH: install Graphviz (e.g. apt-get install graphviz), or give --view-op-graph "
                        "without a file for the dot text\n")
    assert p.stdout == "" and not (tmp_path / "graph.svg").exists()


def test_dot_file_and_bad_names(tmp_path):
    p = opt(tmp_path, "--view-op-graph=graph.dot")
    assert p.returncode == 0 and p.stdout == IR
    assert (tmp_path / "graph.dot").read_text() == opt(tmp_path, "--view-op-graph").stdout
    p = opt(tmp_path, "--view-op-graph=graph.png")
    assert (p.returncode, p.stderr) == (2, "lintra-opt: --view-op-graph=graph.png: expected a FILE.svg (rendered "
                                           "with Graphviz's dot) or FILE.dot (the dot text)\n")
    p = opt(tmp_path, "--view-op-graph=no/such/dir/graph.dot")
    assert (p.returncode, p.stderr) == (2, "lintra-opt: cannot write no/such/dir/graph.dot: No such file or "
                                           "directory\n")
