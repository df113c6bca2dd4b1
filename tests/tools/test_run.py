"""lintra-run: text IR lowered, compiled and run from the command line; --check and --compare-to fail when
the numbers differ."""
import numpy as np
import pytest

from lintra.ir.ad import elementwise_rules as jvp_rules
from lintra.ir.ad.jvp import JVP_RULES
from lintra.tools import run as run_tool

from .test_cli import one_line_error, run

PROGRAM = """\
func @f(%x: f32[3], %y: f32[3]) -> (f32[3], f32[]) {
  %0 = mul %x, %y : f32[3]
  %1 = sin %0 : f32[3]
  %2 = reduce_sum %1 {axes = [0]} : f32[]
  return %1, %2
}

func @g(%n: i32[], %b: bool[2]) -> (i32[], bool[2]) {
  %0 = mul %n, %n : i32[]
  %1 = not %b : bool[2]
  return %0, %1
}
"""


@pytest.fixture
def program(tmp_path):
    path = tmp_path / "prog.lir"
    path.write_text(PROGRAM)
    return str(path)


def parse_outputs(text):
    """TYPE=VALUE lines -> arrays, through the tool's own --inputs syntax checks (the parser's dense form)."""
    from lintra.ir.parser import parse_attr
    return [parse_attr(f"dense<{v} : {t}>") for t, v in (line.split("=", 1) for line in text.splitlines())]


def test_runs_a_function_on_given_inputs(program):
    proc = run("lintra-run", program, "--function", "f", "--inputs", "f32[3]=[1,2,3];f32[3]=0.5")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split("=")[0] for line in lines] == ["f32[3]", "f32[]"]
    out, total = parse_outputs(proc.stdout)
    want = np.sin(np.float32([0.5, 1.0, 1.5]))
    np.testing.assert_allclose(out, want, rtol=1e-6)
    np.testing.assert_allclose(total, want.sum(), rtol=1e-6)
    proc = run("lintra-run", program, "--function", "g", "--inputs", "i32[]=-7; bool[2]=[true,false]")
    assert proc.stdout == "i32[]=49\nbool[2]=[false, true]\n", proc.stderr


def test_without_function_every_function_runs(program):
    proc = run("lintra-run", program, "--inputs", "i32[]=3;bool[2]=[true,true]")
    assert proc.returncode == 2 and proc.stderr.startswith("lintra-run: input 0 has type i32[], but argument 0 of @f")
    proc = run("lintra-run", program, "--random-inputs", "0")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert [lines[0], lines[3]] == ["// @f", "// @g"] and len(lines) == 6
    n = int(lines[4].removeprefix("i32[]="))
    assert n in {k * k for k in range(-5, 6)}          # random i32 inputs lie in [-5, 5]
    assert lines[5] in ("bool[2]=[false, false]", "bool[2]=[false, true]", "bool[2]=[true, false]",
                        "bool[2]=[true, true]")


def test_printed_outputs_read_back_as_inputs(program):
    first = run("lintra-run", program, "--function", "f", "--random-inputs", "3")
    assert first.returncode == 0, first.stderr
    out, _ = first.stdout.splitlines()
    again = run("lintra-run", program, "--function", "f", "--inputs", f"{out};{out}")
    assert again.returncode == 0, again.stderr
    x = parse_outputs(out)[0]
    np.testing.assert_allclose(parse_outputs(again.stdout.splitlines()[0])[0], np.sin(x * x), rtol=1e-6)


def test_random_inputs_follow_the_seed_and_range(program):
    a = run("lintra-run", program, "--function", "f", "--random-inputs", "1", "--random-range", "2,3")
    b = run("lintra-run", program, "--function", "f", "--random-inputs", "1", "--random-range", "2,3")
    c = run("lintra-run", program, "--function", "f", "--random-inputs", "2", "--random-range", "2,3")
    assert a.returncode == 0 and a.stdout == b.stdout != c.stdout
    out = parse_outputs(a.stdout.splitlines()[0])[0]    # sin of a product of two numbers in [2, 3)
    assert np.all(np.abs(out) <= 1) and not np.allclose(out, 0)


@pytest.mark.parametrize("args,message", [
    (["--function", "f", "--inputs", "f32[3]=[1,2,3]"],
     "lintra-run: --inputs gives 1 value, but @f takes 2 arguments (f32[3], f32[3])"),
    (["--function", "f", "--inputs", "f32[3]=[1,2,3];f32[2]=[1,2]"],
     "lintra-run: input 1 has type f32[2], but argument 1 of @f is f32[3]"),
    (["--function", "f", "--inputs", "f32[3]=[1,2];f32[3]=1"],
     "lintra-run: input 0 'f32[3]=[1,2]': bad value '[1,2]' for f32[3]: expected 3 elements along dimension 0, got 2"),
    (["--function", "f", "--inputs", "f32[3]:1;f32[3]=1"],
     "lintra-run: input 0 'f32[3]:1': expected TYPE=VALUE, e.g. f32[3]=[1,2,3]"),
    (["--function", "h", "--random-inputs", "0"], "lintra-run: "),
    (["--function", "f", "--random-inputs", "0", "--random-range", "3,1"],
     "lintra-run: bad --random-range '3,1': LO must be below HI"),
    (["--function", "f", "--random-inputs", "0", "--passes", "jvp,nope"], "lintra-run: unknown pass 'nope'"),
])
def test_command_line_mistakes_are_one_line_with_status_2(program, args, message):
    line = one_line_error(run("lintra-run", program, *args), 2)
    assert line.startswith(message), line
    if args[:2] == ["--function", "h"]:
        assert line.endswith("has no function @h; it has f, g")


def test_errors_in_the_ir_are_reported_at_their_line(tmp_path):
    path = tmp_path / "bad.lir"
    path.write_text(PROGRAM.replace("sin %0", "sin %q"))
    line = one_line_error(run("lintra-run", str(path), "--function", "f", "--random-inputs", "0"), 1)
    assert line == f"{path}:3:12: use of undefined value %q"
    path.write_text("func @f(%t_x: f32[3]) -> (f32[3]) {\n  %0 = mul %t_x, %t_x : f32[3]\n  return %0\n}\n")
    line = one_line_error(run("lintra-run", str(path), "--random-inputs", "0", "--passes=transpose"), 1)
    assert line.startswith(f"{path}:1:1: @f: pass 'transpose' failed")


def test_compare_to_reports_the_largest_difference_and_fails_beyond_tolerance(program, tmp_path):
    other = tmp_path / "other.lir"
    other.write_text(PROGRAM.replace("%1 = sin %0", "%1 = cos %0").replace("sin", "cos"))
    same = run("lintra-run", program, "--function", "f", "--random-inputs", "0", "--compare-to", program)
    assert same.returncode == 0, same.stdout + same.stderr
    assert "result 0: max |difference| 0 " in same.stdout and "largest difference: 0\n" in same.stdout
    differ = run("lintra-run", program, "--function", "f", "--inputs", "f32[3]=0;f32[3]=0",
                 "--compare-to", str(other))
    assert differ.returncode == 1
    assert "result 0: max |difference| 1 (atol 1e-06, rtol 1e-05): MISMATCH" in differ.stdout   # sin 0 vs cos 0
    assert "largest difference: 3\n" in differ.stdout                                         # 0 vs 3 cos 0
    loose = run("lintra-run", program, "--function", "f", "--inputs", "f32[3]=0;f32[3]=0",
                "--compare-to", str(other), "--atol", "3")
    assert loose.returncode == 0, loose.stdout


def test_check_fails_when_a_rule_is_wrong(program, monkeypatch, capsys):
    argv = [program, "--function", "f", "--random-inputs", "0", "--passes=jvp", "--check"]
    assert run_tool.main(argv) == 0
    assert "MISMATCH" not in capsys.readouterr().out
    # sin' = sin instead of cos: finite differences disagree
    monkeypatch.setitem(JVP_RULES, "sin", jvp_rules.elementwise(lambda o, x, y: o.sin(x)))
    assert run_tool.main(argv) == 1
    out = capsys.readouterr().out
    assert "result 0: max |difference| 0 " in out and "tangent 0: " in out and "MISMATCH" in out
