"""Batching rules of jax.lax's special functions against a loop over the batch, with the batch on either
operand, on both, and at a non-leading dimension."""
import numpy as np
import pytest

import lintra
from lintra import lax

rng = np.random.default_rng(7)
POS = rng.uniform(0.3, 4.0, (3, 4)).astype(np.float32)
POS2 = rng.uniform(0.3, 4.0, (3, 4)).astype(np.float32)
UNIT = rng.uniform(0.05, 0.95, (3, 4)).astype(np.float32)

CASES = {
    "igamma": (lax.igamma, (POS, POS2)),
    "igammac": (lax.igammac, (POS, POS2)),
    "igamma_grad_a": (lax.igamma_grad_a, (POS, POS2)),
    "random_gamma_grad": (lax.random_gamma_grad, (POS, POS2)),
    "polygamma": (lambda m, x: lax.polygamma(lax.floor(m), x), (POS, POS2)),
    "zeta": (lambda x, q: lax.zeta(x + 1.0, q), (POS, POS2)),
    "regularized_incomplete_beta": (lax.betainc, (POS, POS2, UNIT)),
    "bessel_i0e": (lax.bessel_i0e, (POS - 2.0,)),
    "bessel_i1e": (lax.bessel_i1e, (POS - 2.0,)),
}
COVERED_BATCH_PRIMITIVES = set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_vmap_matches_a_loop(name):
    fun, args = CASES[name]
    n = len(args)
    for in_axes in {(0,) * n, (0,) + (None,) * (n - 1), (None,) * (n - 1) + (1,), (1,) * n}:
        axis = next(a for a in in_axes if a is not None)
        # an unbatched operand is one example (of the batched operands' per-example shape)
        xs = [x if a is not None else np.take(x, 0, axis=axis) for x, a in zip(args, in_axes)]
        want = np.stack([np.asarray(fun(*[np.take(x, i, axis=a) if a is not None else x
                                          for x, a in zip(xs, in_axes)])) for i in range(args[0].shape[axis])])
        got = lintra.vmap(fun, in_axes=in_axes)(*xs)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6, atol=1e-6, equal_nan=True)
