"""The `batch` pass of lintra-opt (`--passes=batch{size=N}`: arguments named b_* are batched), pass options in
lintra-opt, and lintra-dump's `vmap` transform."""
import pytest

from lintra.ir.batch import batch_pass
from lintra.ir.parser import parse_module
from lintra.tools import dump, opt

IR = """\
func @f(%b_x: f32[3], %w: f32[3], %b_i: i32[]) -> (f32[3], f32[]) {
  %0 = mul %b_x, %w : f32[3]
  %1 = reduce_sum %w {axes = [0]} : f32[]
  return %0, %1
}
"""


def test_parse_pipeline_with_options():
    assert opt.parse_pipeline("batch{size=8, axis_name=i},cse, dce") == [
        ("batch", {"size": 8, "axis_name": "i"}), ("cse", {}), ("dce", {})]
    assert opt.parse_pipeline("") == []


@pytest.mark.parametrize("spec,message", [
    ("batch{size=8},fold", "unknown pass 'fold'"),
    ("batch{size}", "bad option 'size' for pass 'batch': expected key=value"),
    ("batch{size=8", "bad pass 'batch{size=8'"),
    ("dce{size=8}", "pass 'dce' does not take option(s) size; its options: none"),
    ("batch{width=8}", "pass 'batch' does not take option(s) width; its options: size, axis_name"),
])
def test_bad_pipelines_are_usage_errors(spec, message):
    with pytest.raises(opt.UsageError) as e:
        opt.parse_pipeline(spec)
    assert message in str(e.value)


def test_batch_pass_batches_b_arguments_at_dimension_0():
    func = parse_module(IR).funcs["f"]
    out = batch_pass(func, size=4)
    assert out.arg_names == ["b_x", "w", "b_i"]
    assert [str(a.type) for a in out.args] == ["f32[4,3]", "f32[3]", "i32[4]"]
    assert [str(r.type) for r in out.results] == ["f32[4,3]", "f32[4]"]     # all results batched at 0


def test_batch_pass_needs_a_size():
    with pytest.raises(TypeError, match=r"batch\{size=N\}"):
        batch_pass(parse_module(IR).funcs["f"])
    with pytest.raises(TypeError, match="integer size"):
        batch_pass(parse_module(IR).funcs["f"], size="four")


def test_opt_runs_the_batch_pass_with_options(tmp_path, capsys):
    path = tmp_path / "f.lir"
    path.write_text(IR)
    assert opt.main([str(path), "--passes=batch{size=2},verify"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("func @batched_f(%b_x: f32[2,3], %w: f32[3], %b_i: i32[2]) -> (f32[2,3], f32[2]) {")
    assert opt.main([str(path), "--passes=batch"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"{path}:1:1: @f: pass 'batch' failed: the batch pass needs a batch size: run it as "
                   f"--passes=batch{{size=N}}"]
    assert opt.main([str(path), "--passes=batch{size=2,colour=red}"]) == 2
    assert "does not take option(s) colour" in capsys.readouterr().err


def test_dump_vmap_transform_maps_a_new_leading_axis_of_size_4(tmp_path):
    (tmp_path / "model.py").write_text("from lintra import lax\n\ndef f(x, s):\n"
                                       "    return lax.mul(x, lax.broadcast_in_dim(s, x.shape, ()))\n")
    types = dump.parse_arg_types("f32[3],f32[]")
    text = dump.dump(f"{tmp_path / 'model.py'}:f", types, transform="vmap")
    assert text.startswith("func @f(%x: f32[4,3], %s: f32[4]) -> (f32[4,3]) {")
    assert "broadcast_in_dim %s {broadcast_dimensions = [0], shape = [4, 3]}" in text
