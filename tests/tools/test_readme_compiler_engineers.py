"""README's "For compiler engineers" example runs as written: its shell blocks, in order, in one directory."""
import os
import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def blocks():
    text = README.read_text()
    section = text.split("## For compiler engineers", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", section, re.S)


def test_the_example_runs_as_written(tmp_path):
    found = blocks()
    assert [lang for lang, _ in found] == ["sh", "text", "sh", "sh"]
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])
    outs = []
    for lang, body in found:
        if lang != "sh":
            continue
        proc = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", body], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, f"{body}\n---\n{proc.stdout}\n{proc.stderr}"
        outs.append(proc)
    written_ir = found[1][1]
    assert outs[0].stdout == written_ir                       # the IR the README shows is what it prints
    run = outs[1].stdout.splitlines()
    assert run[0] == "f32[]=2.3183916"                         # sin(.5) + sin(1) + sin(1.5), as commented
    assert [line.split(":")[0] for line in run[2:5]] == ["result 0", "cotangent of %x", "cotangent of %w"]
    assert all(line.endswith(": ok") for line in run[2:5]), outs[1].stdout
    assert "IR Dump After linearize" in outs[2].stderr and "Pass execution timing report" in outs[2].stderr
    assert "func.func @jvp_f(" in outs[2].stdout and "stablehlo.sine" in outs[2].stdout
