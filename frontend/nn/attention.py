"""jax.nn.dot_product_attention: softmax(Q K^T * scale + bias, masked) V, JAX's 'xla' implementation.

Shapes use JAX's letters: B batch, T query length, S key/value length, N query heads, K key/value heads
(N a multiple of K: grouped-query attention), G = N // K, H head size. The logits are computed in
promote(query dtype, float32) and the softmax always in float32, as JAX does, so bfloat16 and float16
inputs keep a float32 softmax. Masked-out logits become a large negative finite number (-0.7 * the dtype's
largest value), not -inf, so a row with no allowed key gives a uniform average rather than NaN.
"""
import numpy as np

from ...ir import types as T
from .. import numpy as jnp
from ..lax import stop_gradient
from .reductions import logsumexp, softmax

__all__ = ["dot_product_attention"]

_IMPLEMENTATIONS = (None, "xla")


def _ensure_4d(x):
    x = jnp.asarray(x)
    return jnp.expand_dims(x, tuple(range(4 - x.ndim))) if x.ndim < 4 else x


def _check(name, t, shape, dtype):
    """t has len(shape) dims, each equal to shape's (-1: any), and dtype (None: any), or a ValueError."""
    if t is None:
        return
    if t.ndim != len(shape):
        raise ValueError(f"dot_product_attention: {name} ndim should be {len(shape)}, but got {t.ndim} "
                         f"(shape {t.shape})")
    if dtype is not None and t.dtype != dtype:
        raise ValueError(f"dot_product_attention: {name} dtype should be {np.dtype(dtype).name}, but got "
                         f"{t.dtype.name}")
    if any(want != -1 and got != want for got, want in zip(t.shape, shape)):
        raise ValueError(f"dot_product_attention: {name} shape should be {tuple(shape)} (-1: any), but got "
                         f"{t.shape}")


def _grouped(t, K, G):
    """A (tB, tN, tT, tS) bias or mask as (tB, K, G, tT, tS), or (tB, 1, 1, tT, tS) when tN is 1."""
    if t is None:
        return None
    tB, tN, tT, tS = t.shape
    if tN == 1:
        return jnp.reshape(t, (tB, 1, 1, tT, tS))
    if tN != K * G:
        raise ValueError(f"dot_product_attention: a bias or mask of shape {t.shape} must have 1 or {K * G} "
                         f"heads in its second dimension")
    return jnp.reshape(t, (tB, K, G, tT, tS))


def _large_negative(dtype):
    # the softmax runs in float32, so the fill value must stay finite there even for float64 logits
    big = min(float(jnp.finfo(dtype).max), float(jnp.finfo(np.float32).max))
    return jnp.asarray(-0.7 * big, dtype=dtype)


def _mask(T_, S, mask, is_causal, q_seqlen, kv_seqlen, window):
    """The combined boolean mask (broadcastable to B, K, G, T, S), or None when nothing is masked."""
    parts = [] if mask is None else [mask]
    q_pos = jnp.arange(T_)[:, None]
    k_pos = jnp.arange(S)[None, :]
    if is_causal:
        parts.append(jnp.greater_equal(q_pos, k_pos)[None, None, None])
    if window is not None:
        left, right = window
        inside = jnp.logical_and(jnp.less_equal(q_pos, jnp.add(k_pos, left)),
                                 jnp.greater_equal(q_pos, jnp.subtract(k_pos, right)))
        parts.append(inside[None, None, None])
    if q_seqlen is not None:
        parts.append(jnp.less(jnp.arange(T_)[None, :, None], q_seqlen[:, None, None])[:, None, None])
    if kv_seqlen is not None:
        parts.append(jnp.less(jnp.arange(S)[None, None, :], kv_seqlen[:, None, None])[:, None, None])
    if not parts:
        return None
    out = parts[0]
    for p in parts[1:]:
        out = jnp.logical_and(out, p)
    return out


def _attention_xla(query, key, value, bias, mask, is_causal, scale, q_seqlen, kv_seqlen, window,
                   return_residual):
    B, T_, N, H = query.shape
    _, S, K, _ = key.shape
    G = N // K
    q = jnp.reshape(query, (B, T_, K, G, H))
    logits_dtype = jnp.promote_types(query.dtype, np.float32)
    logits = jnp.einsum("BTKGH,BSKH->BKGTS", q, key, preferred_element_type=logits_dtype)
    logits = jnp.multiply(logits, jnp.asarray(scale, dtype=logits.dtype))
    if bias is not None:
        logits = jnp.add(logits, _grouped(bias, K, G)).astype(logits.dtype)
    combined = _mask(T_, S, _grouped(mask, K, G), is_causal, q_seqlen, kv_seqlen, window)
    if combined is not None:
        logits = jnp.where(combined, logits, _large_negative(logits.dtype))
    logits = logits.astype(np.float32)   # the softmax is always carried out in float32
    probs = softmax(logits, axis=-1).astype(key.dtype)
    encoded = jnp.einsum("BKGTS,BSKH->BTKGH", probs, value)
    encoded = jnp.reshape(encoded, (B, T_, N, H))
    if q_seqlen is not None:
        valid = jnp.less(jnp.arange(T_)[None, :], q_seqlen[:, None])[:, :, None, None]
        encoded = jnp.multiply(encoded, valid.astype(encoded.dtype))
    if not return_residual:
        return encoded
    lse = logsumexp(logits, axis=-1).astype(key.dtype)             # B K G T
    lse = jnp.reshape(jnp.moveaxis(lse, 3, 1), (B, T_, N))           # B T N
    return encoded, stop_gradient(lse)


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None, is_causal=False,
                          query_seq_lengths=None, key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual=False):
    """softmax(query . key^T * scale + bias) . value per head, with the optional boolean `mask` (True:
    attend), a causal mask, a local window (left, right), and per-batch query / key-value lengths.

    query (B, T, N, H) or (T, N, H); key and value (B, S, K, H) or (S, K, H) with N a multiple of K; bias and
    mask broadcastable to (B, N, T, S); scale defaults to 1 / sqrt(H). Returns an array of query's shape, and
    with return_residual=True also the logsumexp of the logits, of shape (B, T, N) (or (T, N))."""
    if implementation not in _IMPLEMENTATIONS:
        if implementation == "cudnn":
            raise ValueError("dot_product_attention: implementation='cudnn' needs cuDNN, which Lintra does "
                             "not use; pass implementation=None or 'xla'")
        raise ValueError(f"dot_product_attention: unsupported implementation option: {implementation!r}; "
                         f"expected None, 'xla' or 'cudnn'")
    output_shape = jnp.shape(query)
    q, k, v = _ensure_4d(query), _ensure_4d(key), _ensure_4d(value)
    bias = None if bias is None else _ensure_4d(bias)
    mask = None if mask is None else _ensure_4d(mask)
    q_len = None if query_seq_lengths is None else jnp.asarray(query_seq_lengths)
    kv_len = None if key_value_seq_lengths is None else jnp.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)
    B, S, K, H = k.shape
    _check("value", v, (B, S, K, H), k.dtype)
    _check("query", q, (B, -1, -1, H), k.dtype)
    _check("mask", mask, (-1,) * 4, np.dtype(bool))
    _check("bias", bias, (-1,) * 4, None)
    _check("query_seq_lengths", q_len, (B,), np.dtype(np.int32))
    _check("key_value_seq_lengths", kv_len, (B,), np.dtype(np.int32))
    if not T.is_inexact(k.dtype):
        raise ValueError(f"dot_product_attention: query, key and value must be floating point, got "
                         f"{k.dtype.name}")
    if q.shape[-2] % K:
        raise ValueError(f"dot_product_attention: the number of query heads must be a multiple of key/value "
                         f"heads, but got {q.shape[-2]} vs {K}")
    scale = 1.0 / np.sqrt(H) if scale is None else scale
    out = _attention_xla(q, k, v, bias, mask, is_causal, scale, q_len, kv_len, local_window_size,
                         return_residual)
    if return_residual:
        out, residual = out
        return jnp.reshape(out, output_shape), jnp.reshape(residual, output_shape[:-1])
    return jnp.reshape(out, output_shape)
