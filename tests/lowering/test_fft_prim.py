"""The fft primitive against numpy.fft, bound directly (eagerly, and under jit for a subset) for every
fft_type, for 1 to 3 transformed dimensions behind a batch dimension, at single and double precision; and
its type rule."""
import numpy as np
import pytest

import lintra
from lintra.frontend.core import bind1
from lintra.ir.primitives import infer_types
from lintra.ir.types import TensorType

COVERED_PRIMITIVES = {"fft"}

F32, F64, C64, C128 = (np.dtype(d) for d in ("float32", "float64", "complex64", "complex128"))
TOL = {F32: 2e-5, C64: 2e-5, F64: 1e-12, C128: 1e-12}
LENGTHS = [(8,), (5,), (3, 4), (2, 3, 5)]
BATCH = (2,)

# fft_type -> (input is complex, NumPy's transform over the last len(lengths) axes with those lengths)
REFERENCE = {
    "FFT": (True, lambda x, s: np.fft.fftn(x, s, axes=range(-len(s), 0))),
    "IFFT": (True, lambda x, s: np.fft.ifftn(x, s, axes=range(-len(s), 0))),
    "RFFT": (False, lambda x, s: np.fft.rfftn(x, s, axes=range(-len(s), 0))),
    "IRFFT": (True, lambda x, s: np.fft.irfftn(x, s, axes=range(-len(s), 0))),
}




def _operand(rng, kind, lengths, double):
    complex_in, _ = REFERENCE[kind]
    shape = BATCH + (lengths[:-1] + (lengths[-1] // 2 + 1,) if kind == "IRFFT" else lengths)
    x = rng.standard_normal(shape)
    if complex_in:
        x = x + 1j * rng.standard_normal(shape)
        return x.astype(C128 if double else C64)
    return x.astype(F64 if double else F32)


def _run(kind, lengths, double):
    rng = np.random.default_rng(len(lengths) * 7 + len(kind))
    x = _operand(rng, kind, lengths, double)
    want = REFERENCE[kind][1](x.astype(np.complex128 if x.dtype.kind == "c" else np.float64), lengths)
    out_dtype = {True: {"IRFFT": F64}, False: {"IRFFT": F32}}[double].get(kind, C128 if double else C64)
    outs = [bind1("fft", x, fft_type=kind, fft_lengths=lengths)]
    if len(lengths) == 2:     # and once per type under jit (each run compiles: keep them few)
        outs.append(lintra.jit(lambda v: bind1("fft", v, fft_type=kind, fft_lengths=lengths))(x))
    for got in outs:
        assert got.dtype == out_dtype and got.shape == want.shape, (kind, lengths, got.dtype, got.shape)
        tol = TOL[out_dtype] * np.sqrt(np.prod(lengths))
        np.testing.assert_allclose(np.asarray(got), want, rtol=tol, atol=tol, err_msg=f"{kind} {lengths}")


@pytest.mark.parametrize("kind", list(REFERENCE))
@pytest.mark.parametrize("lengths", LENGTHS, ids=str)
def test_fft_single_precision(kind, lengths):
    _run(kind, lengths, double=False)


@pytest.mark.parametrize("kind", list(REFERENCE))
def test_fft_double_precision(kind, x64):
    _run(kind, (6, 3), double=True)


@pytest.mark.parametrize("kind, operand, lengths, expected", [
    ("FFT", TensorType.of((4, 8), "c64"), (8,), TensorType.of((4, 8), "c64")),
    ("RFFT", TensorType.of((4, 8), "f64"), (4, 8), TensorType.of((4, 5), "c128")),
    ("IRFFT", TensorType.of((3, 5), "c64"), (8,), TensorType.of((3, 8), "f32")),
    ("IRFFT", TensorType.of((3, 5), "c64"), (9,), TensorType.of((3, 9), "f32")),
])
def test_type_rule(kind, operand, lengths, expected):
    assert infer_types("fft", [operand], {"fft_type": kind, "fft_lengths": lengths}) == [expected]


@pytest.mark.parametrize("kind, operand, lengths, message", [
    ("FFT", TensorType.of((8,), "f32"), (8,), "c64 or c128"),
    ("RFFT", TensorType.of((8,), "c64"), (8,), "f32 or f64"),
    ("RFFT", TensorType.of((8,), "f16"), (8,), "f32 or f64"),
    ("FFT", TensorType.of((8,), "c64"), (4,), "must equal fft_lengths"),
    ("IRFFT", TensorType.of((8,), "c64"), (8,), r"must be \[5\]"),
    ("FFT", TensorType.of((2, 2, 2, 2), "c64"), (2, 2, 2, 2), "1 to 3"),
    ("FFT", TensorType.of((8,), "c64"), (), "1 to 3"),
    ("DCT", TensorType.of((8,), "c64"), (8,), "fft_type"),
])
def test_type_rule_errors(kind, operand, lengths, message):
    with pytest.raises(TypeError, match=message):
        infer_types("fft", [operand], {"fft_type": kind, "fft_lengths": lengths})
