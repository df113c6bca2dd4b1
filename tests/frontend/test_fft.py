"""lintra.numpy.fft against numpy.fft (n/s, axis/axes, norm, dtypes), its derivatives (check_grads, and the
vector-Jacobian products of every transform against NumPy's linear maps), vmap against a loop over the
batch, lax.fft, and the fft op in text IR.

Each table is evaluated under one jit (one compilation) and compared row by row; a sample also runs
eagerly."""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.ir.parser import parse_func
from lintra.test_util import check_grads

COVERED_AD_PRIMITIVES = {"fft"}
COVERED_BATCH_PRIMITIVES = {"fft"}

RNG = np.random.default_rng(0)
X = RNG.standard_normal((4, 6, 5)).astype(np.float32)
Z = (RNG.standard_normal((4, 6, 5)) + 1j * RNG.standard_normal((4, 6, 5))).astype(np.complex64)




# (function name, input: "x" real or "z" complex, keyword arguments)
CASES = [
    ("fft", "x", {}), ("fft", "z", {"n": 8}), ("fft", "z", {"n": 3, "axis": 0}), ("fft", "x", {"norm": "ortho"}),
    ("ifft", "z", {}), ("ifft", "z", {"axis": 1, "norm": "forward"}), ("ifft", "x", {"n": 7, "norm": "ortho"}),
    ("rfft", "x", {}), ("rfft", "x", {"n": 9, "axis": 1}), ("rfft", "x", {"norm": "forward"}),
    ("irfft", "z", {}), ("irfft", "z", {"n": 7}), ("irfft", "z", {"n": 4, "axis": 0, "norm": "ortho"}),
    ("hfft", "z", {"n": 6}), ("ihfft", "x", {"axis": 0}),
    ("fft2", "z", {}), ("fft2", "x", {"s": (3, 8), "axes": (0, 2)}), ("ifft2", "z", {"norm": "ortho"}),
    ("rfft2", "x", {}), ("rfft2", "x", {"s": (4, 4), "axes": (2, 0)}),
    ("irfft2", "z", {}), ("irfft2", "z", {"s": (5, 9)}),
    ("fftn", "z", {}), ("fftn", "x", {"axes": (1,)}), ("ifftn", "z", {"s": (2, 3, 4), "axes": (0, 1, 2)}),
    ("rfftn", "x", {}), ("irfftn", "z", {"axes": (0, 1)}), ("irfftn", "z", {"s": (3, 6, 7), "axes": (0, 1, 2),
                                                                            "norm": "forward"}),
]


def _ids(cases):
    return [f"{name}-{arg}-{kw}" for name, arg, kw in cases]


def _compare(got, want, rtol, what):
    assert np.shape(got) == want.shape, (what, np.shape(got), want.shape)
    np.testing.assert_allclose(np.asarray(got), want, rtol=rtol, atol=rtol * np.abs(want).max(), err_msg=what)


def test_transforms_match_numpy():
    args = {"x": X, "z": Z}
    outs = lintra.jit(lambda x, z: [getattr(jnp.fft, n)({"x": x, "z": z}[a], **kw) for n, a, kw in CASES])(X, Z)
    for (name, arg, kw), got in zip(CASES, outs):
        want = getattr(np.fft, name)(args[arg], **kw)
        assert got.dtype == (np.float32 if name in ("irfft", "irfft2", "irfftn", "hfft") else np.complex64), name
        _compare(got, want, 2e-5, f"{name}({arg}, {kw})")
    for name, arg, kw in CASES[::7]:      # eagerly too: each eager op compiles, so a sample
        _compare(getattr(jnp.fft, name)(args[arg], **kw), getattr(np.fft, name)(args[arg], **kw), 2e-5, name)


def test_more_than_three_axes_and_dtypes():
    x4 = RNG.standard_normal((2, 3, 2, 4, 3)).astype(np.float32)
    spectrum = np.fft.rfftn(x4).astype(np.complex64)
    outs = lintra.jit(lambda a, s, i: [jnp.fft.fftn(a), jnp.fft.rfftn(a), jnp.fft.irfftn(s, x4.shape),
                                       jnp.fft.ifftn(a, axes=(0, 1, 2, 3)), jnp.fft.fft(i), jnp.fft.rfft(i)])(
        x4, spectrum, np.arange(6, dtype=np.int8))
    wants = [np.fft.fftn(x4), np.fft.rfftn(x4), x4, np.fft.ifftn(x4, axes=(0, 1, 2, 3)), np.fft.fft(np.arange(6)),
             np.fft.rfft(np.arange(6))]
    for k, (got, want) in enumerate(zip(outs, wants)):
        _compare(got, want, 1e-4, f"output {k}")
    assert outs[4].dtype == np.complex64 and outs[5].dtype == np.complex64


def test_double_precision(x64):
    x, z = X.astype(np.float64), Z.astype(np.complex128)
    outs = lintra.jit(lambda x, z: [jnp.fft.rfft(x), jnp.fft.ifft2(z), jnp.fft.irfftn(z, axes=(1, 2))])(x, z)
    for got, want in zip(outs, [np.fft.rfft(x), np.fft.ifft2(z), np.fft.irfftn(z, axes=(1, 2))]):
        assert got.dtype in (np.float64, np.complex128)
        _compare(got, want, 1e-12, str(want.dtype))


def test_frequencies_and_shifts():
    outs = lintra.jit(lambda v: [jnp.fft.fftshift(v), jnp.fft.ifftshift(v), jnp.fft.fftshift(v, axes=1),
                                 jnp.fft.ifftshift(v, axes=(0,))])(X[0])
    for got, want in zip(outs, [np.fft.fftshift(X[0]), np.fft.ifftshift(X[0]), np.fft.fftshift(X[0], axes=1),
                                np.fft.ifftshift(X[0], axes=(0,))]):
        np.testing.assert_array_equal(np.asarray(got), want)
    for n, d in ((1, 1.0), (6, 0.5), (7, 2.0)):
        np.testing.assert_allclose(jnp.fft.fftfreq(n, d), np.fft.fftfreq(n, d), rtol=1e-6)
        np.testing.assert_allclose(jnp.fft.rfftfreq(n, d), np.fft.rfftfreq(n, d), rtol=1e-6)
    assert jnp.fft.fftfreq(4).dtype == np.float32
    np.testing.assert_allclose(lintra.jit(lambda d: jnp.fft.fftfreq(5, d))(np.float32(0.1)), np.fft.fftfreq(5, 0.1),
                               rtol=1e-6)


# ---- derivatives -------------------------------------------------------------------------------------------

# Every transform is linear: its VJP must be the (unconjugated, as JAX) transpose of NumPy's map, checked as
# <t, conj(vjp(conj(ct)))> == <f(t), ct> (the convention of lintra.test_util.check_vjp).
VJP_CASES = [c for c in CASES if c[0] not in ("hfft", "ihfft")] + [("hfft", "z", {"n": 6}), ("ihfft", "x", {})]


def test_vjps_are_transposes_of_numpy_maps():
    args = {"x": X, "z": Z}
    outs = [getattr(np.fft, n)(args[a], **kw) for n, a, kw in VJP_CASES]
    cts = [(RNG.standard_normal(o.shape) + (1j * RNG.standard_normal(o.shape) if o.dtype.kind == "c" else 0))
           .astype(np.complex64 if o.dtype.kind == "c" else np.float32) for o in outs]

    def vjps(x, z, cts):
        res = []
        for (n, a, kw), ct in zip(VJP_CASES, cts):
            f = lambda v, n=n, kw=kw: getattr(jnp.fft, n)(v, **kw)
            res.append(lintra.vjp(f, {"x": x, "z": z}[a])[1](jnp.conj(ct))[0])
        return res
    got = lintra.jit(vjps)(X, Z, cts)
    for (name, arg, kw), ct, g in zip(VJP_CASES, cts, got):
        t = (RNG.standard_normal(args[arg].shape) + (1j * RNG.standard_normal(args[arg].shape) if arg == "z" else 0))
        lhs = np.vdot(t.ravel(), np.conj(np.asarray(g, np.complex128)).ravel()).real
        rhs = np.vdot(getattr(np.fft, name)(t, **kw).ravel(), ct.astype(np.complex128).ravel()).real
        np.testing.assert_allclose(lhs, rhs, rtol=1e-4, atol=1e-4 * np.abs(rhs), err_msg=f"{name}({arg}, {kw})")


@pytest.mark.parametrize("f, arg", [
    (lambda x: jnp.fft.rfft(x, n=7), X[0, 0]),
    (lambda z: jnp.fft.irfft2(z, s=(3, 5)), Z[0, :3, :3]),
    (lambda z: jnp.fft.fft(z, norm="ortho", axis=0), Z[0]),
    (lambda x: jnp.fft.ifftn(jnp.sin(x)).real * x, X[0, :3]),
], ids=["rfft", "irfft2", "fft-ortho", "ifftn-nonlinear"])
def test_check_grads(f, arg):
    check_grads(lintra.jit(f), (arg,), order=1)


def test_second_order_through_irfft():
    f = lintra.jit(lambda x: jnp.sum(jnp.fft.irfft(jnp.fft.rfft(x) ** 2, n=5)))
    check_grads(f, (X[0, 0],), order=2, modes=("rev",))


# ---- batching ----------------------------------------------------------------------------------------------

def test_vmap_matches_a_loop():
    """The batch dimension leading, among the transformed dimensions (it must move), and unbatched."""
    b = np.moveaxis(Z, 0, 2)                       # batch of 4 at axis 2 (a transformed axis of fft2)
    funs = [(lambda v: jnp.fft.fft2(v), 2), (lambda v: jnp.fft.rfft(v.real, n=4), 0), (lambda v: jnp.fft.irfft(v), 1),
            (lambda v: jnp.fft.ifftn(v, axes=(0,)), -1)]
    for k, (f, axis) in enumerate(funs):
        batched = np.moveaxis(b, 2, axis)
        got = lintra.jit(lintra.vmap(f, in_axes=axis))(batched)
        loop = np.stack([np.asarray(f(np.take(batched, i, axis=axis))) for i in range(batched.shape[axis])])
        _compare(got, loop, 2e-5, f"function {k} batched at {axis}")
    shared = lintra.vmap(lambda x, s: jnp.fft.fft(x) * s, in_axes=(None, 0))(X[0, 0], np.arange(3.0, dtype=np.float32))
    _compare(shared, np.fft.fft(X[0, 0])[None] * np.arange(3)[:, None], 2e-5, "unbatched operand")


# ---- lax.fft, IR, errors -------------------------------------------------------------------------------------

def test_lax_fft_and_ir_text():
    f = lambda x: lax.fft(x, lax.FftType.RFFT, (6, 5))
    func = lintra.make_ir(f)(X)
    text = str(func)
    assert 'fft %x {fft_lengths = [6, 5], fft_type = "RFFT"} : c64[4,6,3]' in text
    assert str(parse_func(text)) == text
    _compare(lintra.jit(f)(X), np.fft.rfftn(X, axes=(1, 2)), 2e-5, "lax.fft")
    _compare(lax.fft(Z, "ifft", (5,)), np.fft.ifft(Z), 2e-5, "lax.fft('ifft')")
    assert lax.fft(Z, "fft", ()).dtype == np.complex64


@pytest.mark.parametrize("call, error, message", [
    (lambda: jnp.fft.fft(X, norm="unitary"), ValueError, "invalid norm"),
    (lambda: jnp.fft.fftn(X, axes=(0, 0)), ValueError, "repeated axes"),
    (lambda: jnp.fft.fftn(X, s=(2, 2), axes=(0,)), ValueError, "different lengths"),
    (lambda: jnp.fft.fft(X, n=0), ValueError, "positive"),
    (lambda: jnp.fft.irfft(Z[:, :, :1]), ValueError, "invalid number of data points"),
    (lambda: jnp.fft.fft2(X, axes=(0,)), ValueError, "exactly 2 axes"),
    (lambda: jnp.fft.fft(X, axis=3), np.exceptions.AxisError, "axis 3"),
    (lambda: lax.fft(Z, "rfft", (5,)), TypeError, "RFFT takes real input"),
    (lambda: lax.fft(X, "dct", (5,)), ValueError, "unknown FFT type"),
    (lambda: jnp.fft.fft([1.0, 2.0]), TypeError, "jnp.asarray"),
])
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
