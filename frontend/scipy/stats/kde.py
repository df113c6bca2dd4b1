"""gaussian_kde: a Gaussian kernel density estimate (jax.scipy.stats.gaussian_kde), a pytree of its
arrays, with the covariance factor by Scott's or Silverman's rule, a scalar, or a callable."""
import numpy as np

from ... import numpy as jnp
from ... import random
from ...core import type_of
from ...numpy._util import check_arraylike, describe
from ...tree_util import register_pytree_node_class
from ..linalg import cho_factor, cho_solve, cholesky
from ..special import logsumexp, ndtr
from ._util import inexact_dtype


def _weighted_cov(x, w):
    """numpy.cov(x, aweights=w) for w summing to 1 (rows are variables, ddof 1)."""
    mean = jnp.sum(x * w, axis=1, keepdims=True)
    xc = x - mean
    return jnp.matmul(xc * w, xc.T) / (1 - jnp.sum(w * w))


@register_pytree_node_class
class gaussian_kde:
    __slots__ = ("neff", "dataset", "weights", "covariance", "inv_cov")

    def __init__(self, dataset, bw_method=None, weights=None):
        check_arraylike("gaussian_kde", dataset)
        dataset = jnp.atleast_2d(jnp.asarray(dataset))
        if np.issubdtype(type_of(dataset).dtype, np.complexfloating):
            raise NotImplementedError("gaussian_kde does not support complex data")
        if not type_of(dataset).size > 1:
            raise ValueError(f"gaussian_kde: `dataset` input should have multiple elements, got {describe(dataset)}")
        d, n = type_of(dataset).shape
        if weights is not None:
            check_arraylike("gaussian_kde", weights)
            dataset, weights = inexact_dtype("gaussian_kde", dataset, weights)
            weights = jnp.atleast_1d(weights)
            if type_of(weights).ndim != 1 or type_of(weights).shape[0] != n:
                raise ValueError(f"gaussian_kde: `weights` should be one-dimensional of length {n}, got "
                                 f"{describe(weights)}")
            weights = weights / jnp.sum(weights)
        else:
            dataset, = inexact_dtype("gaussian_kde", dataset)
            weights = jnp.full(n, 1.0 / n, dtype=type_of(dataset).dtype)
        self.dataset, self.weights = dataset, weights
        self.neff = neff = 1 / jnp.sum(weights ** 2)
        bw_method = "scott" if bw_method is None else bw_method
        if isinstance(bw_method, str) and bw_method == "scott":
            factor = neff ** (-1. / (d + 4))
        elif isinstance(bw_method, str) and bw_method == "silverman":
            factor = (neff * (d + 2) / 4.0) ** (-1. / (d + 4))
        elif not isinstance(bw_method, str) and not callable(bw_method) and np.ndim(bw_method) == 0:
            factor = bw_method
        elif callable(bw_method):
            factor = bw_method(self)
        else:
            raise ValueError(f"`bw_method` should be 'scott', 'silverman', a scalar, or a callable, got {bw_method!r}")
        data_cov = jnp.atleast_2d(_weighted_cov(dataset, weights))
        self.covariance = data_cov * factor ** 2
        self.inv_cov = jnp.linalg.inv(data_cov) / factor ** 2

    def tree_flatten(self):
        return (self.neff, self.dataset, self.weights, self.covariance, self.inv_cov), None

    @classmethod
    def tree_unflatten(cls, aux, children):
        kde = cls.__new__(cls)
        kde.neff, kde.dataset, kde.weights, kde.covariance, kde.inv_cov = children
        return kde

    @property
    def d(self):
        return type_of(self.dataset).shape[0]

    @property
    def n(self):
        return type_of(self.dataset).shape[1]

    def _points(self, points):
        check_arraylike("gaussian_kde", points)
        points = jnp.atleast_2d(jnp.asarray(points))
        if np.issubdtype(type_of(points).dtype, np.complexfloating):
            raise NotImplementedError("gaussian_kde does not support complex coordinates")
        d, m = type_of(points).shape
        if d != self.d:
            if d == 1 and m == self.d:
                return jnp.reshape(points, (self.d, 1))
            raise ValueError(f"points have dimension {d}, dataset has dimension {self.d}")
        return points

    def _log_kernels(self, points):
        """log(weight_j) + log N(x_i; data_j, covariance) for every point i and data point j: [m, n]."""
        points, data, inv_cov = inexact_dtype("gaussian_kde", points, self.dataset, self.inv_cov)
        whitening = cholesky(inv_cov, lower=True)
        p, x = jnp.matmul(points.T, whitening), jnp.matmul(data.T, whitening)
        log_norm = jnp.sum(jnp.log(jnp.diagonal(whitening))) - 0.5 * self.d * np.log(2 * np.pi)
        sq = jnp.sum((p[:, None, :] - x[None, :, :]) ** 2, axis=-1)
        return jnp.log(self.weights)[None, :] + log_norm - 0.5 * sq

    def evaluate(self, points):
        return jnp.sum(jnp.exp(self._log_kernels(self._points(points))), axis=1)

    __call__ = pdf = evaluate

    def logpdf(self, x):
        return logsumexp(self._log_kernels(self._points(x)), axis=1)

    def _convolve(self, chol, norm, target, weights, mean):
        diff = target - mean[:, None]
        arg = 0.5 * jnp.sum(diff * cho_solve(chol, diff), axis=0)
        return norm * jnp.sum(jnp.exp(-arg) * weights)

    def integrate_gaussian(self, mean, cov):
        """The integral of the estimate times the density N(mean, cov)."""
        mean, cov = jnp.atleast_1d(jnp.squeeze(jnp.asarray(mean))), jnp.atleast_2d(jnp.asarray(cov))
        if type_of(mean).shape != (self.d,):
            raise ValueError(f"mean does not have dimension {self.d}")
        if type_of(cov).shape != (self.d, self.d):
            raise ValueError(f"covariance does not have dimension {self.d}")
        chol = cho_factor(self.covariance + cov)
        norm = 1.0 / (np.sqrt(2 * np.pi) ** self.d * jnp.prod(jnp.diagonal(chol[0])))
        return self._convolve(chol, norm, self.dataset, self.weights, mean)

    def integrate_box_1d(self, low, high):
        """The estimate's mass on [low, high] (one-dimensional data)."""
        if self.d != 1:
            raise ValueError("integrate_box_1d() only handles 1D pdfs")
        if np.ndim(low) != 0 or np.ndim(high) != 0:
            raise ValueError("the limits of integration in integrate_box_1d must be scalars")
        sigma = jnp.squeeze(jnp.sqrt(self.covariance))
        lo, hi = jnp.squeeze((low - self.dataset) / sigma), jnp.squeeze((high - self.dataset) / sigma)
        return jnp.sum(self.weights * (ndtr(hi) - ndtr(lo)))

    def integrate_kde(self, other):
        """The integral of the product of two estimates."""
        if other.d != self.d:
            raise ValueError("KDEs are not the same dimensionality")
        chol = cho_factor(self.covariance + other.covariance)
        norm = 1.0 / (np.sqrt(2 * np.pi) ** self.d * jnp.prod(jnp.diagonal(chol[0])))
        small, large = (self, other) if self.n < other.n else (other, self)
        parts = jnp.stack([self._convolve(chol, norm, large.dataset, large.weights, small.dataset[:, j])
                           for j in range(small.n)])
        return jnp.sum(parts * small.weights)

    def resample(self, key, shape=()):
        """Draws of shape (d, *shape): a data point by weight, plus N(0, covariance) noise."""
        ind_key, eps_key = random.split(key)
        ind = random.choice(ind_key, self.n, shape=shape, p=self.weights)
        eps = random.multivariate_normal(eps_key, jnp.zeros(self.d, type_of(self.covariance).dtype),
                                         self.covariance, shape=shape, dtype=type_of(self.dataset).dtype)
        return self.dataset[:, ind] + jnp.moveaxis(eps, -1, 0)

    def integrate_box(self, low_bounds, high_bounds, maxpts=None):
        raise NotImplementedError("only 1D box integrations are supported; use `integrate_box_1d` (as in JAX)")

    def set_bandwidth(self, bw_method=None):
        raise NotImplementedError("dynamically changing the bandwidth method is not supported (as in JAX)")
