"""lintra-opt and lintra-dump, run as the user runs them: subprocesses of the installed entry points."""
import os
import subprocess
import sys
import textwrap

import pytest

BIN = os.path.dirname(sys.executable)


def run(tool, *args, stdin=None, cwd=None):
    script = os.path.join(BIN, tool)
    cmd = [script] if os.path.exists(script) else [sys.executable, "-m", f"lintra.tools.{tool.split('-')[1]}"]
    return subprocess.run(cmd + list(args), input=stdin, capture_output=True, text=True, cwd=cwd, timeout=300)


def one_line_error(proc, code):
    assert proc.returncode == code, proc
    assert proc.stdout == "" and "Traceback" not in proc.stderr, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    return lines[0]


# ---- lintra-opt --------------------------------------------------------------------------------------

IR = """\
func @f(%x: f32[3], %y: f32[3]) -> (f32[3]) {
  %0 = mul %x, %y : f32[3]
  %1 = mul %x, %y : f32[3]
  %2 = add %0, %1 : f32[3]
  %3 = neg %2 : f32[3]
  %4 = neg %3 : f32[3]
  %5 = sin %x : f32[3]
  return %4
}

func @g(%x: i32[]) -> (i32[]) {
  %0 = constant {value = dense<2 : i32[]>} : i32[]
  %1 = constant {value = dense<3 : i32[]>} : i32[]
  %2 = mul %0, %1 : i32[]
  %3 = add %x, %2 : i32[]
  return %3
}
"""

OPTIMISED = """\
func @f(%x: f32[3], %y: f32[3]) -> (f32[3]) {
  %0 = mul %x, %y : f32[3]
  %1 = add %0, %0 : f32[3]
  return %1
}

func @g(%x: i32[]) -> (i32[]) {
  %0 = constant {value = dense<6 : i32[]>} : i32[]
  %1 = add %x, %0 : i32[]
  return %1
}
"""


@pytest.fixture
def ir_file(tmp_path):
    path = tmp_path / "prog.lir"
    path.write_text(IR)
    return str(path)


def test_opt_runs_passes_on_every_function(ir_file):
    proc = run("lintra-opt", ir_file, "--passes", "verify,canonicalize,cse,dce")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout == OPTIMISED


def test_opt_reads_stdin_accepts_passes_equals_and_prints_after_each_pass():
    proc = run("lintra-opt", "-", "--passes=cse,canonicalize", "--print-ir-after-all", stdin=IR)
    assert proc.returncode == 0 and proc.stdout == OPTIMISED
    headers = [line for line in proc.stderr.splitlines() if line.startswith("//")]
    assert headers == ["// -----// IR Dump After cse //----- //", "// -----// IR Dump After canonicalize //----- //"]
    assert proc.stderr.endswith(OPTIMISED)


def test_opt_without_passes_round_trips(ir_file):
    proc = run("lintra-opt", ir_file)
    assert proc.returncode == 0 and proc.stdout == IR


def test_opt_reports_parse_errors_at_file_line_col(tmp_path):
    path = tmp_path / "bad.lir"
    path.write_text(IR.replace("%2 = add %0, %1 : f32[3]", "%2 = add %0, %q : f32[3]"))
    line = one_line_error(run("lintra-opt", str(path), "--passes=dce"), 1)
    assert line == f"{path}:4:16: use of undefined value %q"
    line = one_line_error(run("lintra-opt", "-", stdin="func @f() -> () {\n  return\n}\nfunc"), 1)
    assert line.startswith("<stdin>:4:5: ")


def test_opt_reports_type_errors_at_file_line_col(tmp_path):
    path = tmp_path / "bad.lir"
    path.write_text(IR.replace("%0 = mul %x, %y : f32[3]", "%0 = mul %x, %y : f32[4]"))
    line = one_line_error(run("lintra-opt", str(path), "--passes=verify"), 1)
    assert line.startswith(f"{path}:2:") and "f32[4]" in line and "mul" in line


def test_opt_unknown_pass_lists_known_passes(ir_file):
    from lintra.ir.passes import PASSES
    line = one_line_error(run("lintra-opt", ir_file, "--passes=cse,fold_everything"), 2)
    assert line == f"lintra-opt: unknown pass 'fold_everything'; known passes: {', '.join(PASSES)}"
    assert {"verify", "dce", "cse", "canonicalize", "inline", "jvp", "linearize", "transpose", "batch"} <= set(PASSES)


def test_opt_missing_file(tmp_path):
    line = one_line_error(run("lintra-opt", str(tmp_path / "nope.lir")), 1)
    assert line.startswith("lintra-opt: cannot read ") and "nope.lir" in line


# ---- lintra-dump -------------------------------------------------------------------------------------

MODEL = textwrap.dedent("""\
    from lintra import lax

    def f(x, y):
        z = lax.mul(lax.add(x, y), lax.add(x, y))
        return lax.reshape(lax.reshape(z, (3, 1)), (3,))

    def scale(x, s):
        return lax.mul(x, lax.broadcast_in_dim(s, x.shape, ()))

    not_a_function = 3
    """)


@pytest.fixture
def model(tmp_path):
    (tmp_path / "mymodel.py").write_text(MODEL)
    return tmp_path


def test_dump_ir_of_a_file_function_after_the_default_pipeline(model):
    proc = run("lintra-dump", str(model / "mymodel.py") + ":f", "--args", "f32[3],f32[3]")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == textwrap.dedent("""\
        func @f(%x: f32[3], %y: f32[3]) -> (f32[3]) {
          %0 = add %x, %y : f32[3]
          %1 = mul %0, %0 : f32[3]
          return %1
        }
        """)


def test_dump_print_after_all_shows_the_trace_and_each_pass(model):
    proc = run("lintra-dump", "mymodel:f", "--args=f32[3],f32[3]", "--print-after-all", cwd=model)
    assert proc.returncode == 0, proc.stderr
    headers = [line for line in proc.stdout.splitlines() if line.startswith("// -----//")]
    assert headers == ["// -----// IR Dump After trace //----- //", "// -----// IR Dump After canonicalize //----- //",
                       "// -----// IR Dump After cse //----- //", "// -----// IR Dump After dce //----- //",
                       "// -----// ir //----- //"]
    traced = proc.stdout.split("// -----// IR Dump After canonicalize")[0]
    assert traced.count("add %x, %y") == 2 and traced.count("reshape") == 2


def test_dump_stablehlo_and_hlo_with_a_weak_scalar_argument(model):
    proc = run("lintra-dump", "mymodel:scale", "--args", "f32[2,3],~f32[]", "--stage", "stablehlo", cwd=model)
    assert proc.returncode == 0, proc.stderr
    assert "func.func @main(%arg0: tensor<2x3xf32>, %arg1: tensor<f32>) -> tensor<2x3xf32>" in proc.stdout
    assert "stablehlo.multiply" in proc.stdout
    proc = run("lintra-dump", "mymodel:scale", "--args", "f32[2,3],f32[]", "--stage=hlo", "--transform", "none",
               cwd=model)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("HloModule ") and "ENTRY" in proc.stdout and "multiply" in proc.stdout


@pytest.mark.parametrize("target,args,message", [
    ("no_such_module:f", "f32[3]", "lintra-dump: cannot import module 'no_such_module': no module named 'no_such_module'"),
    ("missing/dir/model.py:f", "f32[3]", "lintra-dump: cannot import module 'missing/dir/model.py': no such file"),
    ("mymodel:g", "f32[3]", "lintra-dump: module 'mymodel' has no function 'g'"),
    ("mymodel:not_a_function", "f32[3]", "lintra-dump: 'not_a_function' in module 'mymodel' is a int, not a function"),
    ("mymodel", "f32[3]", "lintra-dump: expected MODULE:FUNCTION (e.g. mymodel:loss or path/to/file.py:f), got 'mymodel'"),
    ("mymodel:f", "f32[3],q32[3]", "lintra-dump: bad type 'q32[3]' for argument 1 in --args: unknown dtype 'q32'"),
    ("mymodel:f", "f32[3],f32[3", "lintra-dump: bad type 'f32[3' for argument 1 in --args: expected ',' or ']'"),
    ("mymodel:f", "f32[2,3]", "lintra-dump: f cannot be called with 1 argument from --args: "
                              "missing a required argument: 'y'"),
])
def test_dump_user_errors_are_one_line_with_status_2(model, target, args, message):
    line = one_line_error(run("lintra-dump", target, "--args", args, cwd=model), 2)
    assert line.startswith(message), line


def test_dump_transform_choices_come_from_the_registry(model):
    from lintra.tools.dump import TRANSFORMS
    assert "none" in TRANSFORMS
    proc = run("lintra-dump", "mymodel:f", "--args", "f32[3],f32[3]", "--transform", "no_such_transform", cwd=model)
    assert proc.returncode == 2 and "invalid choice: 'no_such_transform'" in proc.stderr
    assert "'none'" in proc.stderr


BROKEN = {
    "at_import.py": ("import math\nraise RuntimeError('no data file')\ndef f(x):\n    return x\n",
                     "at_import.py:2: RuntimeError: no data file"),
    "syntax.py": ("def f(x):\n    return x +\n", "syntax.py:2: SyntaxError: invalid syntax"),
    "in_trace.py": ("import lintra.numpy as jnp\ndef f(x):\n    y = jnp.ones(4)\n    return x + y\n",
                    "in_trace.py:4: ValueError: add: incompatible shapes for broadcasting: f32[3], f32[4] (NumPy "
                    "broadcasting: trailing dimensions must be equal or 1)"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_dump_failures_in_user_code_are_one_line_naming_the_user_line(tmp_path, name):
    source, message = BROKEN[name]
    (tmp_path / name).write_text(source)
    line = one_line_error(run("lintra-dump", f"{tmp_path / name}:f", "--args", "f32[3]"), 2)
    assert line == f"lintra-dump: error: {tmp_path}{os.sep}{message}", line


def test_dump_traceback_flag_shows_the_whole_traceback(tmp_path):
    (tmp_path / "in_trace.py").write_text(BROKEN["in_trace.py"][0])
    proc = run("lintra-dump", f"{tmp_path / 'in_trace.py'}:f", "--args", "f32[3]", "--traceback")
    assert proc.returncode == 1 and "Traceback (most recent call last)" in proc.stderr
    assert "in_trace.py\", line 4" in proc.stderr
