"""The gather type rule's slice-size checks, as JAX 0.10.2's _gather_shape_rule: slices must fit the operand
unless there are no indices (nothing is read), and operand batching dims have slice size 0 or 1."""
import pytest

from lintra.ir.primitives import infer_types
from lintra.ir.types import TensorType

DN = dict(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,))
BATCHED = dict(offset_dims=(2,), collapsed_slice_dims=(1,), start_index_map=(1,), operand_batching_dims=(0,),
               start_indices_batching_dims=(0,))


def gather(x, idx, **attrs):
    return infer_types("gather", [TensorType.of(x, "f32"), TensorType.of(idx, "i32")], attrs)[0].shape


def test_slices_need_not_fit_when_there_are_no_indices():
    assert gather((0, 4), (0, 1), slice_sizes=(1, 4), **DN) == (0, 4)
    assert gather((0, 4, 4), (0, 2, 1), slice_sizes=(0, 1, 4), **BATCHED) == (0, 2, 4)
    assert gather((0, 4, 4), (0, 2, 1), slice_sizes=(1, 1, 4), **BATCHED) == (0, 2, 4)
    with pytest.raises(TypeError, match=r"slice_sizes \(1, 4\) do not fit the operand"):
        gather((0, 4), (2, 1), slice_sizes=(1, 4), **DN)


def test_collapsed_dims_have_size_1_and_batching_dims_0_or_1():
    assert gather((3, 4, 4), (3, 2, 1), slice_sizes=(1, 1, 4), **BATCHED) == (3, 2, 4)
    with pytest.raises(TypeError, match="batching dims 0 or 1"):
        gather((3, 4, 4), (3, 2, 1), slice_sizes=(2, 1, 4), **BATCHED)
    with pytest.raises(TypeError, match="collapsed dims must have slice size 1"):
        gather((3, 4), (2, 1), slice_sizes=(0, 4), **DN)
