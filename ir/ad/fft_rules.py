"""Derivatives of the fft primitive. It is linear, so its JVP is the fft of the tangent; the transpose
rules are JAX's (jax/_src/lax/fft.py), transposes without conjugation as everywhere in Lintra:

- FFT and IFFT: the DFT matrix is symmetric, so each transposes to itself.
- RFFT keeps only the non-negative frequencies of a Hermitian spectrum. Its transpose is
  N * IRFFT(conj(ct) / mask), where mask is 1 at the frequencies that appear once in the full spectrum
  (zero and, for even n, Nyquist) and 2 at those whose mirror image RFFT dropped.
- IRFFT transposes to conj(mask * RFFT(ct) / N), the same mask counting each kept frequency's mirror.
"""
import numpy as np

from .jvp import JVP_RULES
from .jvp_rules import Emit, linear_in
from .transpose import transpose_rule
from .transpose_rules import LINEAR

JVP_RULES["fft"] = linear_in()
LINEAR.add("fft")


def _hermitian_mask(o, like, n, inverse):
    """mask (or 1/mask when inverse) along the last dimension of `like`, for a last fft length n."""
    m = like.type.shape[-1]
    mask = np.full(m, 2.0)
    mask[0] = 1.0
    if n % 2 == 0:
        mask[-1] = 1.0
    c = o.b.constant((1 / mask if inverse else mask).astype(like.type.dtype))
    nd = like.type.ndim
    return o.broadcast_in_dim(c, shape=like.type.shape, broadcast_dimensions=(nd - 1,))


@transpose_rule("fft")
def _fft(b, op, cts, operands):
    ct, = cts
    o = Emit(b)
    kind, lengths = op.attrs["fft_type"], tuple(op.attrs["fft_lengths"])
    size = int(np.prod(lengths))
    if kind in ("FFT", "IFFT"):
        return [o.fft(ct, fft_type=kind, fft_lengths=lengths)]
    if kind == "RFFT":
        scaled = o.mul(o.conj(ct), _hermitian_mask(o, ct, lengths[-1], inverse=True))
        out = o.fft(scaled, fft_type="IRFFT", fft_lengths=lengths)
        return [o.mul(out, o.c(out, size))]
    spectrum = o.fft(ct, fft_type="RFFT", fft_lengths=lengths)
    masked = o.mul(spectrum, _hermitian_mask(o, spectrum, lengths[-1], inverse=False))
    return [o.conj(o.mul(masked, o.c(masked, 1 / size)))]
