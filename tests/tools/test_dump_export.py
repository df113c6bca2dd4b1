"""lintra-dump --export OUT.bin: the function (transformed or not) exported and serialized; lintra.export
loads it here and it computes what the function does."""
import os
import subprocess
import sys

import numpy as np

import lintra

BIN = os.path.dirname(sys.executable)

MODEL = """\
import lintra.numpy as jnp

def loss(x, w):
    return jnp.tanh(x @ w).sum()
"""


def dump(tmp_path, *args):
    (tmp_path / "model.py").write_text(MODEL)
    script = os.path.join(BIN, "lintra-dump")
    cmd = [script] if os.path.exists(script) else [sys.executable, "-m", "lintra.tools.dump"]
    return subprocess.run(cmd + ["model.py:loss", "--args", "f32[2,3],f32[3,4]"] + list(args), capture_output=True,
                          text=True, cwd=tmp_path, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"), timeout=300)


X = np.linspace(-1, 1, 6).astype(np.float32).reshape(2, 3)
W = np.linspace(0, 2, 12).astype(np.float32).reshape(3, 4)


def test_export_writes_a_serialized_exported(tmp_path):
    p = dump(tmp_path, "--export", "loss.bin")
    assert p.returncode == 0, p.stderr
    size = (tmp_path / "loss.bin").stat().st_size
    assert p.stdout == (f"// exported loss(f32[2,3], f32[3,4]) -> (f32[]) to loss.bin: {size} bytes, format version 1, "
                        f"calling convention 10\n")
    exp = lintra.export.deserialize((tmp_path / "loss.bin").read_bytes())
    np.testing.assert_allclose(exp.call(X, W), np.tanh(X @ W).sum(), rtol=1e-5)


def test_export_of_the_gradient(tmp_path):
    p = dump(tmp_path, "--export", "grad.bin", "--transform", "grad")
    assert p.returncode == 0, p.stderr
    exp = lintra.export.deserialize((tmp_path / "grad.bin").read_bytes())
    want = (1 - np.tanh(X @ W) ** 2) @ W.T         # d/dx sum(tanh(x @ w))
    np.testing.assert_allclose(exp.call(X, W), want, rtol=1e-5)


def test_export_mistakes_are_one_line(tmp_path):
    p = dump(tmp_path, "--export", "a.bin", "--stage", "hlo")
    assert (p.returncode, p.stderr) == (2, "lintra-dump: --export writes the exported function only: drop --mesh, "
                                           "--stage and --print-after-all\n")
    p = dump(tmp_path, "--export", "no/such/dir/a.bin")
    assert (p.returncode, p.stderr) == (2, "lintra-dump: cannot write no/such/dir/a.bin: No such file or directory\n")
