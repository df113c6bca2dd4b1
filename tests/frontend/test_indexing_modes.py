"""Out-of-bounds and negative indices in every mode, as JAX 0.10.2 has them: x[idx], x.at[idx].get/set/add/...,
jnp.take, jnp.take_along_axis; eagerly, under jit (traced indices), under vmap and under grad.

The expected values in CASES were recorded by running each expression with JAX 0.10.2 (jax.numpy as jnp).
Defaults: reads clamp (static integers too), updates drop, take/take_along_axis fill; negative indices count
from the end once, so -11 on length 10 is out of bounds (clamped to 0, or filled/dropped).
"""
import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.test_util import check_grads

NAN = float("nan")
ARGS = dict(x=np.arange(10, dtype=np.float32), X=np.arange(12, dtype=np.float32).reshape(3, 4),
            i4=np.arange(4, dtype=np.int32), A=np.array([1, 11, -1, -11, -20, 10], np.int32),
            T=np.array([[0, 5, -1], [-5, 1, 2], [3, 3, 9]], np.int32), U=np.array([[0, 5, -1, -4]], np.int32))

# (expression, JAX 0.10.2's dtype, JAX 0.10.2's value)
CASES = [
    ('x[11]', 'float32', 9.0),
    ('x[10]', 'float32', 9.0),
    ('x[-11]', 'float32', 0.0),
    ('x[-1]', 'float32', 9.0),
    ('x[np.int32(11)]', 'float32', 9.0),
    ('x[jnp.array(11)]', 'float32', 9.0),
    ('x[jnp.array(-11)]', 'float32', 0.0),
    ('x[np.array([1, 11, -1, -11, -20, 10])]', 'float32', [1.0, 9.0, 9.0, 0.0, 0.0, 9.0]),
    ('x[A]', 'float32', [1.0, 9.0, 9.0, 0.0, 0.0, 9.0]),
    ('X[5]', 'float32', [8.0, 9.0, 10.0, 11.0]),
    ('X[1, 7]', 'float32', 7.0),
    ('X[5, -9]', 'float32', 8.0),
    ('X[:, 7]', 'float32', [3.0, 7.0, 11.0]),
    ('X[..., -7]', 'float32', [0.0, 4.0, 8.0]),
    ('X[None, 5]', 'float32', [[8.0, 9.0, 10.0, 11.0]]),
    ('X[1:2, 9]', 'float32', [7.0]),
    ('X[A[:2], 9]', 'float32', [7.0, 11.0]),
    ('X[9, A[:3]]', 'float32', [9.0, 11.0, 11.0]),
    ('X[::2, 9]', 'float32', [3.0, 11.0]),
    ('i4[7]', 'int32', 3),
    ('i4[A]', 'int32', [1, 3, 3, 0, 0, 3]),
    ('jnp.zeros((3, 0))[5]', 'float32', []),
    ('x.at[11].get(mode=None)', 'float32', 9.0),
    ('x.at[-11].get(mode=None)', 'float32', 0.0),
    ('x.at[10].get(mode=None)', 'float32', 9.0),
    ('x.at[-1].get(mode=None)', 'float32', 9.0),
    ('x.at[A].get(mode=None)', 'float32', [1.0, 9.0, 9.0, 0.0, 0.0, 9.0]),
    ('X.at[A[:3], 2].get(mode=None)', 'float32', [6.0, 10.0, 10.0]),
    ('X.at[1, A].get(mode=None)', 'float32', [5.0, 7.0, 7.0, 4.0, 4.0, 7.0]),
    ('X.at[7].get(mode=None)', 'float32', [8.0, 9.0, 10.0, 11.0]),
    ('X.at[1:2, 5].get(mode=None)', 'float32', [7.0]),
    ('i4.at[A].get(mode=None)', 'int32', [1, 3, 3, 0, 0, 3]),
    ('x.at[A].set(3., mode=None)', 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ('x.at[A].add(3., mode=None)', 'float32', [0.0, 4.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 12.0]),
    ('x.at[A].multiply(3., mode=None)', 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 27.0]),
    ('x.at[A].min(3., mode=None)', 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ('x.at[A].max(3., mode=None)', 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ('x.at[A].subtract(3., mode=None)', 'float32', [0.0, -2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 6.0]),
    ('x.at[A].divide(3., mode=None)', 'float32', [0.0, 0.33333334, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ('x.at[A].power(3., mode=None)', 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 729.0]),
    ('x.at[11].set(100., mode=None)', 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ('x.at[-11].set(100., mode=None)', 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ('X.at[5, 1].set(-1., mode=None)', 'float32', [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]),
    ('X.at[7].set(-1., mode=None)', 'float32', [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]),
    ('X.at[:, A].add(1., mode=None)', 'float32', [[0.0, 2.0, 2.0, 4.0], [4.0, 6.0, 6.0, 8.0], [8.0, 10.0, 10.0, 12.0]]),
    ('x.at[jnp.array([1, 11, -20])].apply(jnp.sin, mode=None)', 'float32',
     [0.0, 0.84147096, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ('jnp.take_along_axis(X, T, axis=1, mode=None)', 'float32', [[0.0, NAN, 3.0], [NAN, 5.0, 6.0], [11.0, 11.0, NAN]]),
    ('jnp.take_along_axis(X, U, axis=0, mode=None)', 'float32', [[0.0, NAN, 10.0, NAN]]),
    ("x.at[11].get(mode='clip')", 'float32', 9.0),
    ("x.at[-11].get(mode='clip')", 'float32', 0.0),
    ("x.at[10].get(mode='clip')", 'float32', 9.0),
    ("x.at[-1].get(mode='clip')", 'float32', 9.0),
    ("x.at[A].get(mode='clip')", 'float32', [1.0, 9.0, 9.0, 0.0, 0.0, 9.0]),
    ("X.at[A[:3], 2].get(mode='clip')", 'float32', [6.0, 10.0, 10.0]),
    ("X.at[1, A].get(mode='clip')", 'float32', [5.0, 7.0, 7.0, 4.0, 4.0, 7.0]),
    ("X.at[7].get(mode='clip')", 'float32', [8.0, 9.0, 10.0, 11.0]),
    ("X.at[1:2, 5].get(mode='clip')", 'float32', [7.0]),
    ("i4.at[A].get(mode='clip')", 'int32', [1, 3, 3, 0, 0, 3]),
    ("x.at[A].set(3., mode='clip')", 'float32', [3.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].add(3., mode='clip')", 'float32', [6.0, 4.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 18.0]),
    ("x.at[A].multiply(3., mode='clip')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 243.0]),
    ("x.at[A].min(3., mode='clip')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].max(3., mode='clip')", 'float32', [3.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("x.at[A].subtract(3., mode='clip')", 'float32', [-6.0, -2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 0.0]),
    ("x.at[A].divide(3., mode='clip')", 'float32', [0.0, 0.33333334, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 0.33333334]),
    ("x.at[A].power(3., mode='clip')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 5.8149736e+25]),
    ("x.at[11].set(100., mode='clip')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 100.0]),
    ("x.at[-11].set(100., mode='clip')", 'float32', [100.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("X.at[5, 1].set(-1., mode='clip')", 'float32',
     [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, -1.0, 10.0, 11.0]]),
    ("X.at[7].set(-1., mode='clip')", 'float32',
     [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [-1.0, -1.0, -1.0, -1.0]]),
    ("X.at[:, A].add(1., mode='clip')", 'float32',
     [[2.0, 2.0, 2.0, 6.0], [6.0, 6.0, 6.0, 10.0], [10.0, 10.0, 10.0, 14.0]]),
    ("x.at[jnp.array([1, 11, -20])].apply(jnp.sin, mode='clip')", 'float32',
     [0.0, 0.84147096, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 0.4121185]),
    ("jnp.take_along_axis(X, T, axis=1, mode='clip')", 'float32',
     [[0.0, 3.0, 3.0], [4.0, 5.0, 6.0], [11.0, 11.0, 11.0]]),
    ("jnp.take_along_axis(X, U, axis=0, mode='clip')", 'float32', [[0.0, 9.0, 10.0, 3.0]]),
    ("x.at[11].get(mode='fill')", 'float32', NAN),
    ("x.at[-11].get(mode='fill')", 'float32', NAN),
    ("x.at[10].get(mode='fill')", 'float32', NAN),
    ("x.at[-1].get(mode='fill')", 'float32', 9.0),
    ("x.at[A].get(mode='fill')", 'float32', [1.0, NAN, 9.0, NAN, NAN, NAN]),
    ("X.at[A[:3], 2].get(mode='fill')", 'float32', [6.0, NAN, 10.0]),
    ("X.at[1, A].get(mode='fill')", 'float32', [5.0, NAN, 7.0, NAN, NAN, NAN]),
    ("X.at[7].get(mode='fill')", 'float32', [NAN, NAN, NAN, NAN]),
    ("X.at[1:2, 5].get(mode='fill')", 'float32', [NAN]),
    ("i4.at[A].get(mode='fill')", 'int32', [1, -2147483648, 3, -2147483648, -2147483648, -2147483648]),
    ("x.at[A].set(3., mode='fill')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].add(3., mode='fill')", 'float32', [0.0, 4.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 12.0]),
    ("x.at[A].multiply(3., mode='fill')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 27.0]),
    ("x.at[A].min(3., mode='fill')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].max(3., mode='fill')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("x.at[A].subtract(3., mode='fill')", 'float32', [0.0, -2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 6.0]),
    ("x.at[A].divide(3., mode='fill')", 'float32', [0.0, 0.33333334, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].power(3., mode='fill')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 729.0]),
    ("x.at[11].set(100., mode='fill')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("x.at[-11].set(100., mode='fill')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("X.at[5, 1].set(-1., mode='fill')", 'float32',
     [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]),
    ("X.at[7].set(-1., mode='fill')", 'float32', [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]),
    ("X.at[:, A].add(1., mode='fill')", 'float32',
     [[0.0, 2.0, 2.0, 4.0], [4.0, 6.0, 6.0, 8.0], [8.0, 10.0, 10.0, 12.0]]),
    ("x.at[jnp.array([1, 11, -20])].apply(jnp.sin, mode='fill')", 'float32',
     [0.0, 0.84147096, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("jnp.take_along_axis(X, T, axis=1, mode='fill')", 'float32',
     [[0.0, NAN, 3.0], [NAN, 5.0, 6.0], [11.0, 11.0, NAN]]),
    ("jnp.take_along_axis(X, U, axis=0, mode='fill')", 'float32', [[0.0, NAN, 10.0, NAN]]),
    ("x.at[11].get(mode='drop')", 'float32', NAN),
    ("x.at[-11].get(mode='drop')", 'float32', NAN),
    ("x.at[10].get(mode='drop')", 'float32', NAN),
    ("x.at[-1].get(mode='drop')", 'float32', 9.0),
    ("x.at[A].get(mode='drop')", 'float32', [1.0, NAN, 9.0, NAN, NAN, NAN]),
    ("X.at[A[:3], 2].get(mode='drop')", 'float32', [6.0, NAN, 10.0]),
    ("X.at[1, A].get(mode='drop')", 'float32', [5.0, NAN, 7.0, NAN, NAN, NAN]),
    ("X.at[7].get(mode='drop')", 'float32', [NAN, NAN, NAN, NAN]),
    ("X.at[1:2, 5].get(mode='drop')", 'float32', [NAN]),
    ("i4.at[A].get(mode='drop')", 'int32', [1, -2147483648, 3, -2147483648, -2147483648, -2147483648]),
    ("x.at[A].set(3., mode='drop')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].add(3., mode='drop')", 'float32', [0.0, 4.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 12.0]),
    ("x.at[A].multiply(3., mode='drop')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 27.0]),
    ("x.at[A].min(3., mode='drop')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].max(3., mode='drop')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("x.at[A].subtract(3., mode='drop')", 'float32', [0.0, -2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 6.0]),
    ("x.at[A].divide(3., mode='drop')", 'float32', [0.0, 0.33333334, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].power(3., mode='drop')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 729.0]),
    ("x.at[11].set(100., mode='drop')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("x.at[-11].set(100., mode='drop')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("X.at[5, 1].set(-1., mode='drop')", 'float32',
     [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]),
    ("X.at[7].set(-1., mode='drop')", 'float32', [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]),
    ("X.at[:, A].add(1., mode='drop')", 'float32',
     [[0.0, 2.0, 2.0, 4.0], [4.0, 6.0, 6.0, 8.0], [8.0, 10.0, 10.0, 12.0]]),
    ("x.at[jnp.array([1, 11, -20])].apply(jnp.sin, mode='drop')", 'float32',
     [0.0, 0.84147096, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("jnp.take_along_axis(X, T, axis=1, mode='drop')", 'float32',
     [[0.0, NAN, 3.0], [NAN, 5.0, 6.0], [11.0, 11.0, NAN]]),
    ("jnp.take_along_axis(X, U, axis=0, mode='drop')", 'float32', [[0.0, NAN, 10.0, NAN]]),
    ("x.at[11].get(mode='promise_in_bounds')", 'float32', 9.0),
    ("x.at[-11].get(mode='promise_in_bounds')", 'float32', 0.0),
    ("x.at[10].get(mode='promise_in_bounds')", 'float32', 9.0),
    ("x.at[-1].get(mode='promise_in_bounds')", 'float32', 9.0),
    ("x.at[A].get(mode='promise_in_bounds')", 'float32', [1.0, 9.0, 9.0, 0.0, 0.0, 9.0]),
    ("X.at[A[:3], 2].get(mode='promise_in_bounds')", 'float32', [6.0, 10.0, 10.0]),
    ("X.at[1, A].get(mode='promise_in_bounds')", 'float32', [5.0, 7.0, 7.0, 4.0, 4.0, 7.0]),
    ("X.at[7].get(mode='promise_in_bounds')", 'float32', [8.0, 9.0, 10.0, 11.0]),
    ("X.at[1:2, 5].get(mode='promise_in_bounds')", 'float32', [7.0]),
    ("i4.at[A].get(mode='promise_in_bounds')", 'int32', [1, 3, 3, 0, 0, 3]),
    ("x.at[A].set(3., mode='promise_in_bounds')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].add(3., mode='promise_in_bounds')", 'float32', [0.0, 4.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 12.0]),
    ("x.at[A].multiply(3., mode='promise_in_bounds')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 27.0]),
    ("x.at[A].min(3., mode='promise_in_bounds')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].max(3., mode='promise_in_bounds')", 'float32', [0.0, 3.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("x.at[A].subtract(3., mode='promise_in_bounds')", 'float32', [0.0, -2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 6.0]),
    ("x.at[A].divide(3., mode='promise_in_bounds')", 'float32',
     [0.0, 0.33333334, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 3.0]),
    ("x.at[A].power(3., mode='promise_in_bounds')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 729.0]),
    ("x.at[11].set(100., mode='promise_in_bounds')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("x.at[-11].set(100., mode='promise_in_bounds')", 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("X.at[5, 1].set(-1., mode='promise_in_bounds')", 'float32',
     [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]),
    ("X.at[7].set(-1., mode='promise_in_bounds')", 'float32',
     [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0], [8.0, 9.0, 10.0, 11.0]]),
    ("X.at[:, A].add(1., mode='promise_in_bounds')", 'float32',
     [[0.0, 2.0, 2.0, 4.0], [4.0, 6.0, 6.0, 8.0], [8.0, 10.0, 10.0, 12.0]]),
    ("x.at[jnp.array([1, 11, -20])].apply(jnp.sin, mode='promise_in_bounds')", 'float32',
     [0.0, 0.84147096, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("jnp.take_along_axis(X, T, axis=1, mode='promise_in_bounds')", 'float32',
     [[0.0, 3.0, 0.0], [4.0, 5.0, 6.0], [11.0, 11.0, 11.0]]),
    ("jnp.take_along_axis(X, U, axis=0, mode='promise_in_bounds')", 'float32', [[0.0, 9.0, 2.0, 3.0]]),
    ('jnp.take(x, A, mode=None)', 'float32', [1.0, NAN, 9.0, NAN, NAN, NAN]),
    ('jnp.take(X, A, axis=1, mode=None)', 'float32',
     [[1.0, NAN, 3.0, NAN, NAN, NAN], [5.0, NAN, 7.0, NAN, NAN, NAN], [9.0, NAN, 11.0, NAN, NAN, NAN]]),
    ('jnp.take(i4, A, mode=None)', 'int32', [1, -2147483648, 3, -2147483648, -2147483648, -2147483648]),
    ("jnp.take(x, A, mode='clip')", 'float32', [1.0, 9.0, 0.0, 0.0, 0.0, 9.0]),
    ("jnp.take(X, A, axis=1, mode='clip')", 'float32',
     [[1.0, 3.0, 0.0, 0.0, 0.0, 3.0], [5.0, 7.0, 4.0, 4.0, 4.0, 7.0], [9.0, 11.0, 8.0, 8.0, 8.0, 11.0]]),
    ("jnp.take(i4, A, mode='clip')", 'int32', [1, 3, 0, 0, 0, 3]),
    ("jnp.take(x, A, mode='fill')", 'float32', [1.0, NAN, 9.0, NAN, NAN, NAN]),
    ("jnp.take(X, A, axis=1, mode='fill')", 'float32',
     [[1.0, NAN, 3.0, NAN, NAN, NAN], [5.0, NAN, 7.0, NAN, NAN, NAN], [9.0, NAN, 11.0, NAN, NAN, NAN]]),
    ("jnp.take(i4, A, mode='fill')", 'int32', [1, -2147483648, 3, -2147483648, -2147483648, -2147483648]),
    ("jnp.take(x, A, mode='wrap')", 'float32', [1.0, 1.0, 9.0, 9.0, 0.0, 0.0]),
    ("jnp.take(X, A, axis=1, mode='wrap')", 'float32',
     [[1.0, 3.0, 3.0, 1.0, 0.0, 2.0], [5.0, 7.0, 7.0, 5.0, 4.0, 6.0], [9.0, 11.0, 11.0, 9.0, 8.0, 10.0]]),
    ("jnp.take(i4, A, mode='wrap')", 'int32', [1, 3, 3, 1, 0, 2]),
    ("x.at[A].get(mode='fill', fill_value=-5)", 'float32', [1.0, -5.0, 9.0, -5.0, -5.0, -5.0]),
    ("X.at[7].get(mode='fill', fill_value=-5)", 'float32', [-5.0, -5.0, -5.0, -5.0]),
    ("i4.at[A].get(mode='fill', fill_value=-5)", 'int32', [1, -5, 3, -5, -5, -5]),
    ('x.at[1].get(fill_value=3)', 'float32', 1.0),
    ("jnp.ones(4, 'int32').at[jnp.array([1, 11])].get(mode='fill')", 'int32', [1, -2147483648]),
    ("jnp.ones(4, 'uint8').at[jnp.array([1, 11])].get(mode='fill')", 'uint8', [1, 255]),
    ("jnp.ones(4, 'bool').at[jnp.array([1, 11])].get(mode='fill')", 'bool', [True, True]),
    ("jnp.ones(4, 'int8').at[jnp.array([1, 11])].get(mode='fill')", 'int8', [1, -128]),
    ("jnp.ones(4, 'float16').at[jnp.array([1, 11])].get(mode='fill')", 'float16', [1.0, NAN]),
    ("jnp.ones(4, 'complex64').at[jnp.array([1, 11])].get(mode='fill')", 'complex64',
     [complex(1.0, 0.0), complex(NAN, 0.0)]),
    ("jnp.ones(4, 'uint32').at[jnp.array([1, 11])].get(mode='fill')", 'uint32', [1, 4294967295]),
    ("jnp.ones(4, 'bfloat16').at[jnp.array([1, 11])].get(mode='fill')", 'bfloat16', [1.0, NAN]),
    ("jnp.take(x, A, mode='fill', fill_value=7.)", 'float32', [1.0, 7.0, 9.0, 7.0, 7.0, 7.0]),
    ("jnp.take_along_axis(X, T, axis=1, mode='fill', fill_value=-2.)", 'float32',
     [[0.0, -2.0, 3.0], [-2.0, 5.0, 6.0], [11.0, 11.0, -2.0]]),
    ("jnp.take_along_axis(X, T, axis=1, mode='fill', wrap_negative_indices=False)", 'float32',
     [[0.0, NAN, NAN], [NAN, 5.0, 6.0], [11.0, 11.0, NAN]]),
    ("jnp.take_along_axis(X, T, axis=1, mode='promise_in_bounds', wrap_negative_indices=True)", 'float32',
     [[0.0, 3.0, 3.0], [4.0, 5.0, 6.0], [11.0, 11.0, 11.0]]),
    ('x.at[jnp.array([1, 3, 12])].set(5., indices_are_sorted=True, unique_indices=True)', 'float32',
     [0.0, 5.0, 2.0, 5.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ('x.at[jnp.array([1, 3, 12])].get(indices_are_sorted=True, unique_indices=True)', 'float32', [1.0, 3.0, 9.0]),
    ("x.at[jnp.array([1, -1])].get(mode='fill', wrap_negative_indices=False)", 'float32', [1.0, NAN]),
    ('x.at[jnp.array([1, -1])].set(5., wrap_negative_indices=False)', 'float32',
     [0.0, 5.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
    ("x.at[-1].get(mode='fill', wrap_negative_indices=False)", 'float32', NAN),
    ('x.at[8:12].set(1.)', 'float32', [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 1.0, 1.0]),
    ('x.at[jnp.array([2, 2, 15])].add(1.)', 'float32', [0.0, 1.0, 4.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]),
]


def _evaluate(expr, **arrays):
    return eval(expr, {"jnp": jnp, "np": np}, arrays)


def _check(got, dtype, want):
    got = np.asarray(got)
    assert str(got.dtype) == dtype
    np.testing.assert_allclose(got.astype(np.complex128 if "complex" in dtype else np.float64),
                               np.asarray(want, got.dtype).astype(np.complex128 if "complex" in dtype else np.float64),
                               rtol=1e-6, equal_nan=True)


@pytest.mark.parametrize("expr,dtype,want", CASES, ids=[c[0] for c in CASES])
def test_eager_matches_jax(expr, dtype, want):
    _check(_evaluate(expr, **{k: jnp.asarray(v) for k, v in ARGS.items()}), dtype, want)


def test_jit_with_traced_operands_and_indices_matches_jax():
    """All cases in one jit: the arrays (so the index arrays) are traced, Python integers stay static."""
    outs = lintra.jit(lambda arrays: [_evaluate(e, **arrays) for e, _, _ in CASES])(ARGS)
    for (expr, dtype, want), got in zip(CASES, outs):
        _check(got, dtype, want)


def test_traced_scalar_indices_wrap_and_clamp_under_jit():
    x = jnp.arange(10.)
    f = lintra.jit(lambda x, i: (x[i], x.at[i].get(mode="fill"), x.at[i].add(1.), x.at[i].set(1., mode="clip")))
    for i, read, filled, added_at, set_at in [(11, 9., NAN, None, 9), (-1, 9., 9., 9, 9), (-11, 0., NAN, None, 0),
                                              (3, 3., 3., 3, 3)]:
        got = f(x, i)
        np.testing.assert_array_equal(got[0], read)
        np.testing.assert_array_equal(got[1], filled)
        np.testing.assert_array_equal(got[2], np.arange(10.) + (np.arange(10) == added_at))
        np.testing.assert_array_equal(got[3], np.where(np.arange(10) == set_at, 1., np.arange(10.)))


def test_integer_index_into_an_empty_axis_raises_as_jax():
    for f in (lambda: jnp.zeros(0)[0], lambda: jnp.zeros(0)[jnp.array(0)], lambda: jnp.zeros((3, 0))[:, 0],
              lambda: lintra.jit(lambda z: z[0])(jnp.zeros(0))):
        with pytest.raises(IndexError, match="index is out of bounds for axis . with size 0"):
            f()
    assert jnp.zeros((3, 0))[5].shape == (0,)    # the axis indexed is not empty: clamped


def test_invalid_modes():
    x = jnp.arange(4.)
    for f in (lambda: x.at[1].get(mode="wrap"), lambda: x.at[1].set(1., mode="xx"),
              lambda: jnp.take(x, jnp.array([1]), mode="xx"), lambda: jnp.take_along_axis(x, jnp.array([1]), 0, "one")):
        with pytest.raises(ValueError, match="mode"):
            f()


def test_vmap_over_indices_and_operands():
    x = np.arange(10, dtype=np.float32)
    I = np.array([[1, 11], [-1, -11], [-20, 10]], np.int32)
    xs = np.stack([x, 2 * x, -x])

    def f(x, i):
        return (x[i], x.at[i].get(mode="fill", fill_value=-1.), x.at[i].add(1.), x.at[i].set(0., mode="clip"),
                jnp.take(x, i), jnp.take_along_axis(x, i, 0, mode="clip"))

    for in_axes, args, per in [((None, 0), (x, I), lambda k: (x, I[k])), ((0, 0), (xs, I), lambda k: (xs[k], I[k])),
                               ((0, None), (xs, I[0]), lambda k: (xs[k], I[0]))]:
        batched = lintra.vmap(f, in_axes=in_axes)(*[jnp.asarray(a) for a in args])
        for k in range(3):
            for got, want in zip(batched, f(*[jnp.asarray(a) for a in per(k)])):
                np.testing.assert_array_equal(got[k], want)
    # a static out-of-bounds integer inside vmap
    np.testing.assert_array_equal(lintra.vmap(lambda r: r[12])(jnp.asarray(xs)), xs[:, 9])
    np.testing.assert_array_equal(lintra.vmap(lambda r: r.at[-11].get(mode="fill"))(jnp.asarray(xs)), [NAN] * 3)


A = np.array([1, 11, -1, -11, 3], np.int32)
IN = np.array([1, 9, 9, 0, 3])                   # where each index of A reads with 'clip'
OK = np.array([1, 0, 1, 0, 1], np.float32)       # which indices of A are in bounds (after counting from the end)


def test_grads_closed_form():
    x, u = jnp.arange(10.), jnp.arange(1., 6.)
    w = np.arange(1., 6., dtype=np.float32)
    clip = np.zeros(10, np.float32)
    np.add.at(clip, IN, w)
    fill = np.zeros(10, np.float32)
    np.add.at(fill, IN[OK == 1], w[OK == 1])
    for jit in (False, True):
        g = (lambda f: lintra.jit(lintra.grad(f, argnums=(0, 1)))) if jit else \
            (lambda f: lintra.grad(f, argnums=(0, 1)))
        gx, _ = g(lambda x, u: jnp.sum(x[A] * w))(x, u)
        np.testing.assert_allclose(gx, clip)                                  # clamped reads
        gx, _ = g(lambda x, u: jnp.sum(x.at[A].get(mode="fill", fill_value=0.) * w))(x, u)
        np.testing.assert_allclose(gx, fill)                                  # filled reads: no gradient
        gx, _ = g(lambda x, u: jnp.sum(x[11] * w))(x, u)
        np.testing.assert_allclose(gx, np.eye(10)[9] * w.sum())               # a static index, clamped
        gx, gu = g(lambda x, u: jnp.sum(x.at[A].add(u) * np.arange(10.)))(x, u)
        np.testing.assert_allclose(gx, np.arange(10.))
        np.testing.assert_allclose(gu, np.where(OK == 1, IN, 0))               # dropped updates: no gradient
        gx, gu = g(lambda x, u: jnp.sum(x.at[A].set(u, mode="clip") * np.arange(10.)))(x, u)
        np.testing.assert_allclose(gx, np.where(np.isin(np.arange(10), IN), 0, np.arange(10.)))  # overwritten: 0
        gu = np.asarray(gu)   # 11 and -1 both clamp to 9: one of them wins (unspecified which), the other gets 0
        np.testing.assert_allclose(gu[[0, 3, 4]], IN[[0, 3, 4]])
        assert sorted(gu[1:3].tolist()) == [0, 9]
        gx, gu = g(lambda x, u: jnp.sum(x.at[jnp.array([2, 12, -12])].set(u[:3]) ** 2))(x, u)
        np.testing.assert_allclose(gx, np.where(np.arange(10) == 2, 0, 2 * np.arange(10.)))
        np.testing.assert_allclose(gu, [2 * 1., 0, 0, 0, 0])


@pytest.mark.parametrize("mode", [None, "clip", "fill", "drop", "promise_in_bounds"])
def test_grads_against_finite_differences(mode):
    x = jnp.asarray(np.linspace(-1, 2, 10, dtype=np.float32))
    u = jnp.asarray(np.linspace(0.5, 1.5, 5, dtype=np.float32))
    fill = 0. if mode in ("fill", "drop") else None

    def f(x, u):
        got = x.at[A].get(mode=mode, fill_value=fill)
        y = x.at[A].add(u * got, mode=mode)
        y = y.at[jnp.array([0, 4, 12])].max(u[:3], mode=mode).at[jnp.array([5, -1, 20])].min(u[2:], mode=mode)
        y = y.at[-11].set(u[0], mode=mode).at[A[2:]].multiply(u[2:], mode=mode, unique_indices=True)
        return jnp.sin(y) + jnp.take(x, A, mode="clip" if mode == "clip" else None, fill_value=0.).sum()

    check_grads(f, (x, u), order=1)
    check_grads(lintra.jit(f), (x, u), order=1, modes=("rev",))


def test_vmap_of_grad_of_modes():
    x = jnp.asarray(np.linspace(-1, 2, 10, dtype=np.float32))
    I = jnp.asarray(np.array([[1, 11], [-1, -11], [3, 12]], np.int32))
    f = lambda x, i: jnp.sum(jnp.sin(x.at[i].get(mode="fill", fill_value=0.)) + x.at[i].add(x[i] ** 2).sum())
    batched = lintra.vmap(lintra.grad(f), in_axes=(None, 0))(x, I)
    for k in range(3):
        np.testing.assert_allclose(batched[k], lintra.grad(f)(x, I[k]), rtol=1e-6)
