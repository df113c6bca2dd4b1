"""lintra-dump --mesh/--in-shardings/--out-shardings: the IR headed by its shardings, StableHLO with Shardy's
attributes, XLA's partitioned HLO; mistakes (too few devices, bad specs) are one line with status 2."""
import os
import subprocess
import sys

import pytest

BIN = os.path.dirname(sys.executable)

LAYER = """\
import lintra.numpy as jnp

def layer(x, w):
    return jnp.tanh(x @ w).sum()
"""
ARGS = ["--args", "f32[16,8],f32[8,4]", "--mesh", "data=4,model=2", "--in-shardings", "P(data),P(None,'model')"]


def dump(tmp_path, *args, devices="8"):
    (tmp_path / "layer.py").write_text(LAYER)
    script = os.path.join(BIN, "lintra-dump")
    cmd = [script] if os.path.exists(script) else [sys.executable, "-m", "lintra.tools.dump"]
    env = dict(os.environ, LINTRA_NUM_CPU_DEVICES=devices, TF_CPP_MIN_LOG_LEVEL="3")
    return subprocess.run(cmd + ["layer.py:layer"] + list(args), capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=300)


def test_ir_is_headed_by_mesh_and_shardings(tmp_path):
    p = dump(tmp_path, *ARGS)
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines()[:4] == [
        "// mesh: data=4, model=2 (devices [0, 1, 2, 3, 4, 5, 6, 7])",
        "// in_shardings: %x: P('data',), %w: P(None, 'model')",
        "// out_shardings: %0: chosen by XLA",
        "func @layer(%x: f32[16,8], %w: f32[8,4]) -> (f32[]) {"]


def test_stablehlo_carries_sdy_shardings(tmp_path):
    p = dump(tmp_path, *ARGS, "--out-shardings", "P()", "--stage", "stablehlo")
    assert p.returncode == 0, p.stderr
    assert "mhlo.num_partitions = 8 : i32" in p.stdout
    assert 'sdy.mesh @mesh = <["data"=4, "model"=2]>' in p.stdout
    assert '%arg0: tensor<16x8xf32> {sdy.sharding = #sdy.sharding<@mesh, [{"data"}, {}]>}' in p.stdout
    assert '%arg1: tensor<8x4xf32> {sdy.sharding = #sdy.sharding<@mesh, [{}, {"model"}]>}' in p.stdout
    assert "(tensor<f32> {sdy.sharding = #sdy.sharding<@mesh, []>})" in p.stdout


def test_hlo_is_the_partitioned_program(tmp_path):
    p = dump(tmp_path, *ARGS, "--out-shardings", "P()", "--stage", "hlo")
    assert p.returncode == 0, p.stderr
    assert "num_partitions=8" in p.stdout
    assert "(param: f32[4,8], param.1: f32[8,2]) -> f32[]" in p.stdout      # per-device shapes
    assert "all-reduce(" in p.stdout


@pytest.mark.parametrize("args, devices, message", [
    (ARGS, "1", "lintra-dump: --mesh data=4,model=2 needs 8 devices, but this process has 1: set "
                "LINTRA_NUM_CPU_DEVICES=8 (CPU)"),
    (["--args", "f32[16,8]", "--in-shardings", "P(data)"], "8",
     "lintra-dump: --in-shardings and --out-shardings need --mesh (e.g. --mesh data=8)"),
    (["--args", "f32[16,8]", "--mesh", "data"], "8",
     "lintra-dump: bad mesh axis 'data' in --mesh: expected NAME=SIZE, e.g. data=4,model=2"),
    (["--args", "f32[16,8],f32[8,4]", "--mesh", "data=8", "--in-shardings", "data,P()"], "8",
     "lintra-dump: bad partition spec 'data' in --in-shardings: expected P(...), e.g. P(data,None)"),
    (["--args", "f32[16,8],f32[8,4]", "--mesh", "data=8", "--in-shardings", "P(data)"], "8",
     "lintra-dump: --in-shardings has 1 spec, but the traced function has 2 arguments"),
    (["--args", "f32[16,8],f32[8,4]", "--mesh", "data=8", "--in-shardings", "P(model),P()"], "8",
     "lintra-dump: --in-shardings: Resource axis: model of P('model',) is not found in mesh: ('data',)."),
])
def test_mistakes_are_one_line_with_status_2(tmp_path, args, devices, message):
    p = dump(tmp_path, *args, devices=devices)
    assert (p.returncode, p.stdout, p.stderr.strip()) == (2, "", message)
