"""lintra.random: JAX's PRNG API on the Threefry-2x32 counter-based generator, bit-for-bit as in JAX.

Keys
----
`key(seed)` returns a typed key array (dtype key<fry>, frontend/prng.py); `PRNGKey(seed)` returns the raw
uint32[2] key JAX's PRNGKey returns. Both hold the same two words. Every function here accepts either kind
(the typed form is unwrapped inside the jitted body, so it costs nothing once compiled) and split/fold_in
return keys of the kind they were given.

Seeding. An integer seed s becomes the key words (s >> 32, s mod 2**32), the high word taken by a logical
shift. A Python int is first made an int64 (so ints beyond 64 bits raise OverflowError); without x64 it
then wraps to int32, so its high word is 0. Seeds of 32 bits or fewer always have a high word of 0 and a low
word equal to the seed's two's-complement bits: PRNGKey(-1) is [0, 0xffffffff] without x64 and
[0xffffffff, 0xffffffff] with it.

The hash
--------
Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11) maps a
key (k0, k1) and a counter (x0, x1) to two words. Key schedule: k2 = k0 ^ k1 ^ 0x1BD11BDA. Start with
x0 += k0, x1 += k1; then five groups of four rounds, each round being

    x0 += x1;  x1 = rotl(x1, r) ^ x0

with rotations r = (13, 15, 26, 6) in groups 0, 2, 4 and (17, 29, 16, 24) in groups 1, 3; after group
i (i = 0..4) inject x0 += k[(i+1) % 3], x1 += k[(i+2) % 3] + (i + 1). All arithmetic is mod 2**32.

How keys and bits use it (`jax_threefry_partitionable`)
--------------------------------------------------------
JAX's flag `jax_threefry_partitionable` selects how counters are laid out; it defaults to True since JAX
0.5.0 (so in JAX 0.10.x, and here: `lintra.config.update("jax_threefry_partitionable", False)` selects
the original scheme). With n = the row-major index of an output element, split into 32-bit words
(hi, lo):

partitionable (default)
    split(key, shape)[i]   = threefry(key, (hi, lo) of i), both output words form the new key
    bits(key, shape)[i]    = y0 ^ y1 of threefry(key, (hi, lo) of i); 8/16-bit bits keep the low bits of
                             that word, 64-bit bits are (y0 << 32) | y1
original
    a block hash of m counters c: pad c to even length with a 0, hash the first half against the second
    half elementwise (x0 from the first, x1 from the second), concatenate the y0s then the y1s, drop the
    pad. split(key, shape) hashes iota(2 * size) and reshapes to shape + (2,); bits of width w hash
    iota(ceil(w * size / 32)): 32-bit bits are those words, 8/16-bit bits unpack each word little-end
    first, 64-bit bits pair word i of the first half (high) with word i of the second half (low).

fold_in(key, data) = threefry(key, (0, uint32(data))) in both schemes; in the partitionable one it thus
equals split(key, n)[data] for data < n.

Distributions
-------------
uniform: take bits of the float's width (8 bits for bfloat16), shift right to keep nmant bits, OR in the
bit pattern of 1.0, bitcast (a float in [1, 2)), subtract 1, then max(minval, f * (maxval - minval) +
minval); XLA's CPU backend contracts that multiply-add into a fused multiply-add, for JAX's identical op
sequence as for this one. normal: uniform in [nextafter(-1, 0), 1), then sqrt(2) * erf_inv(u). randint:
two bit arrays from split(key) combined as (hi mod span) * (2**nbits mod span) + (lo mod span), mod span.
permutation: sort by fresh 32-bit keys, ceil(3 ln(size) / ln(2**32 - 1)) times. The other samplers follow
JAX's formulas op for op too. Integer results (keys, bits, randint, bernoulli, rademacher) reproduce
JAX's published values exactly and float results to the 6-7 digits published (see the tests); JAX
publishes no permutation values, so permutation and choice are checked against a NumPy model of its
algorithm.

gamma (and loggamma, beta, dirichlet, chisquare, t) use Marsaglia and Tsang's rejection method with JAX's
key schedule, but Lintra has no while loop yet: the rejection loop is unrolled into _GAMMA_ROUNDS = 10
proposal rounds of up to _GAMMA_TRIES = 2 normal draws each (JAX redraws while v = 1 + c x <= 0),
evaluated for all elements at once. A round fails with probability < 0.05 (at a in [1, 2), less for larger
a), so an element is left without an accepted proposal with probability < 1e-13; it is then NaN. Whenever
JAX's own loops stop within these bounds (all but ~1e-4 of elements at a ~ 1, far fewer for larger a) the
result equals JAX's. Gradients with respect to a are JAX's implicit reparameterization
(lax.random_gamma_grad: dx/da along the sample's CDF level), also through beta, dirichlet, chisquare and
t. Compiling a gamma sampler costs ~16 unrolled hashes.

multivariate_normal factors cov with a Cholesky decomposition unrolled over the (static) dimension, so
its last bits may differ from JAX's LAPACK-based factor; 'svd' and 'eigh' need linear-algebra primitives
Lintra does not have yet.
"""
import functools
import math
import operator
from collections.abc import Sequence

import ml_dtypes
import numpy as np

from ..ir import types as T
from . import dtypes, lax, prng
from . import numpy as jnp
from .api import jit
from .config import config
from .core import is_value, type_of
from .custom import custom_jvp
from .numpy._util import describe, to_dtype
from .prng import PRNGKeyArray

_U32 = np.dtype(np.uint32)
_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = 0x1BD11BDA
_GAMMA_ROUNDS = 10
_GAMMA_TRIES = 2


# ---- the hash --------------------------------------------------------------------------------------------

def _rotl(x, r):
    return lax.bitwise_or(lax.shift_left(x, r), lax.shift_right_logical(x, 32 - r))


def _threefry2x32(k0, k1, x0, x1):
    """Threefry-2x32 (20 rounds) of counter words (x0, x1) under key words (k0, k1): uint32 arrays of one
    shape. Returns the two output words."""
    ks = (k0, k1, lax.bitwise_xor(lax.bitwise_xor(k0, k1), _PARITY))
    x0, x1 = lax.add(x0, ks[0]), lax.add(x1, ks[1])
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x0 = lax.add(x0, x1)
            x1 = lax.bitwise_xor(x0, _rotl(x1, r))
        x0 = lax.add(x0, ks[(i + 1) % 3])
        x1 = lax.add(lax.add(x1, ks[(i + 2) % 3]), i + 1)
    return x0, x1


def _words(keys):
    """The two words of keys uint32[B..., 2], each uint32[B...]."""
    return tuple(lax.index_in_dim(keys, i, -1, keepdims=False) for i in (0, 1))


def _stack_words(y0, y1):
    return lax.concatenate([lax.expand_dims(y0, (-1,)), lax.expand_dims(y1, (-1,))], -1)


def _hash(keys, c0, c1):
    """Threefry of counters (c0, c1) of shape S under every key of keys[B..., 2]: two uint32[B + S]."""
    k0, k1 = _words(keys)
    b, s = type_of(k0).shape, type_of(c0).shape
    full = b + s
    kb = [lax.broadcast_in_dim(k, full, tuple(range(len(b)))) for k in (k0, k1)]
    cb = [lax.broadcast_in_dim(c, full, tuple(range(len(b), len(full)))) for c in (c0, c1)]
    return _threefry2x32(kb[0], kb[1], cb[0], cb[1])


def _hash_block(keys, counts):
    """The original scheme's block hash of counts uint32[n] under keys[B..., 2]: uint32[B + (n,)]."""
    n = type_of(counts).shape[0]
    m = n + n % 2
    if n % 2:
        counts = lax.concatenate([counts, lax.full((1,), 0, _U32)], 0)
    half = m // 2
    y0, y1 = _hash(keys, lax.slice_in_dim(counts, 0, half), lax.slice_in_dim(counts, half, m))
    out = lax.concatenate([y0, y1], -1)
    return lax.slice_in_dim(out, 0, n, axis=-1)


def _threefry_2x32_impl(keypair, count):
    shape = type_of(count).shape
    return lax.reshape(_hash_block(keypair, lax.reshape(count, (math.prod(shape),))), shape)


_threefry_2x32_jit = jit(_threefry_2x32_impl)


def threefry_2x32(keypair, count):
    """JAX's block hash (jax.extend.random.threefry_2x32): flatten the uint32 `count`, pad it to even length,
    hash its first half against its second half under keypair (two uint32 words) and concatenate the two
    output halves; the result has count's shape."""
    keypair = jnp.asarray(keypair if is_value(keypair) else np.asarray(keypair, _U32))
    count = jnp.asarray(count if is_value(count) else np.asarray(count, _U32))
    for what, v in (("keypair", keypair), ("count", count)):
        if type_of(v).dtype != _U32:
            raise TypeError(f"threefry_2x32 requires uint32 arguments, got {what} {describe(v)}")
    if type_of(keypair).shape != (2,):
        raise TypeError(f"threefry_2x32: keypair must be two uint32 words, got {describe(keypair)}")
    return _threefry_2x32_jit(keypair, count)


def _iota_2x32(shape):
    """(hi, lo) words of each element's row-major index, as uint32 arrays of `shape`."""
    n = math.prod(shape)
    if n >= 2 ** 32:
        raise ValueError(f"random: cannot generate {n} values (shape {shape}); at most 2**32 - 1 are supported")
    lo = lax.reshape(lax.iota(_U32, n), shape) if shape else lax.full((), 0, _U32)
    return lax.full(shape, 0, _U32), lo


def _partitionable():
    return bool(config.threefry_partitionable)


def _opaque(x):
    """x, unchanged, behind a fusion barrier. XLA fuses cheap integer producers into their consumers and
    re-emits a whole hash for each key word a consumer reads, so chains of splits grow compile time
    multiplicatively. Sorting by an iota (an identity) is something XLA does not fuse through; Lintra has no
    optimization_barrier primitive yet."""
    t = type_of(x)
    order = lax.broadcasted_iota(np.int32, t.shape, t.ndim - 1)
    return lax.sort((order, x), t.ndim - 1, num_keys=1)[1]


def _split(keys, shape, part, barrier=True):
    """keys[B..., 2] -> new keys[B + shape + (2,)]. With `barrier`, the new keys are opaque to fusion (for
    small key arrays that feed further hashes)."""
    if part:
        out = _stack_words(*_hash(keys, *_iota_2x32(shape)))
    else:
        batch = type_of(keys).shape[:-1]
        out = lax.reshape(_hash_block(keys, lax.iota(_U32, 2 * math.prod(shape))), batch + shape + (2,))
    return _opaque(out) if barrier else out


def _bits(keys, width, shape, part):
    """Random uint{width}[B + shape] from keys[B..., 2]."""
    batch = type_of(keys).shape[:-1]
    dtype = np.dtype(f"uint{width}")
    if part:
        y0, y1 = _hash(keys, *_iota_2x32(shape))
        if width == 64:
            return lax.bitwise_or(lax.shift_left(lax.convert_element_type(y0, dtype), 32),
                                  lax.convert_element_type(y1, dtype))
        bits = lax.bitwise_xor(y0, y1)
        return bits if width == 32 else lax.convert_element_type(bits, dtype)
    size = math.prod(shape)
    count = -(-width * size // 32)
    if count >= 2 ** 32:
        raise ValueError(f"random: cannot generate {size} values of {width} bits (shape {shape}) in the "
                         f"original (non-partitionable) scheme")
    bits = _hash_block(keys, lax.iota(_U32, count))
    if width == 64:
        hi, lo = (lax.convert_element_type(lax.slice_in_dim(bits, a, b, axis=-1), dtype)
                  for a, b in ((0, count // 2), (count // 2, count)))
        bits = lax.bitwise_or(lax.shift_left(hi, 32), lo)
    elif width < 32:
        per = 32 // width
        spread = lax.broadcast_in_dim(bits, batch + (count, per), tuple(range(len(batch) + 1)))
        shifts = lax.broadcast_in_dim(lax.mul(lax.iota(_U32, per), width), batch + (count, per),
                                      (len(batch) + 1,))
        parts = lax.bitwise_and(lax.shift_right_logical(spread, shifts), 2 ** width - 1)
        flat = lax.reshape(parts, batch + (count * per,))
        bits = lax.convert_element_type(lax.slice_in_dim(flat, 0, size, axis=-1), dtype)
    return lax.reshape(bits, batch + shape)


def _fold_in(key, data):
    k = lax.reshape(key, (1, 2))
    y0, y1 = _hash(k, lax.full((), 0, _U32), data)
    return lax.reshape(_stack_words(y0, y1), (2,))


# ---- argument checks --------------------------------------------------------------------------------------

def _check_key(name, key, allow_batched=False):
    if isinstance(key, PRNGKeyArray):
        if key.shape and not allow_batched:
            raise ValueError(f"{name} accepts a single key, but was given a key array of shape {key.shape} != (). "
                             f"Use vmap for batching.")
        return key
    if not is_value(key):
        if isinstance(key, (np.ndarray, np.generic, list, tuple)):
            key = jnp.asarray(np.asarray(key))
        else:
            raise TypeError(f"{name}: expected a PRNG key (from key, PRNGKey, split or fold_in), "
                            f"got {key!r} of type {type(key).__name__}")
    t = type_of(key)
    if t.dtype != _U32 or not t.shape or t.shape[-1] != 2 or (t.ndim != 1 and not allow_batched):
        want = "uint32[..., 2] keys" if allow_batched else "a single PRNG key, a uint32[2] array"
        hint = "; use vmap for batches of keys" if t.dtype == _U32 and t.shape[-1:] == (2,) else ""
        raise TypeError(f"{name}: expected {want} (from PRNGKey, key, split or fold_in), got {describe(key)}{hint}")
    return key


def _kjit(body, static_argnums=(), keys_out=False):
    """jit of body(raw_key, *args), callable with a typed or a raw key as its first argument. The conversion
    happens inside the trace (free once compiled); with keys_out, key results come back in the key's form."""
    @functools.wraps(body)
    def run(key, *args):
        typed = isinstance(key, PRNGKeyArray)
        out = body(prng.data(key) if typed else key, *args)
        return prng.wrap(out) if typed and keys_out else out
    return jit(run, static_argnums=static_argnums)


def _shape(name, shape):
    if isinstance(shape, (int, np.integer)) or not isinstance(shape, Sequence) and not hasattr(shape, "__len__"):
        raise TypeError(f"{name}: shape must be a sequence of integers, got {shape!r}")
    try:
        out = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"{name}: shape must be a sequence of integers, got {shape!r}") from None
    if any(d < 0 for d in out):
        raise ValueError(f"{name}: shape {out} has a negative dimension")
    return out


def _check_shape(name, shape, *param_shapes):
    """As JAX: parameters must broadcast to exactly `shape`."""
    try:
        common = np.broadcast_shapes(shape, *param_shapes)
    except ValueError:
        common = None
    if common != shape:
        raise ValueError(f"{name}: parameter shapes {', '.join(map(str, param_shapes))} must broadcast to the shape "
                         f"argument {shape}, but broadcasting gives {common if common is not None else 'an error'}")


def _float_dtype(name, dtype):
    d = to_dtype(dtype)
    if not T.is_float(d):
        raise ValueError(f"dtype argument to `{name}` must be a float dtype, got {d.name}")
    return d


def _shape_of(x):
    return type_of(x).shape if is_value(x) else np.shape(x)


def _full(x, shape):
    """x (array or scalar) broadcast to `shape`."""
    t = type_of(x)
    return lax.broadcast_in_dim(x, shape, tuple(range(len(shape) - t.ndim, len(shape))))


def _as_dtype(x, dtype, shape):
    return _full(lax.convert_element_type(x, dtype), shape)


# ---- keys ------------------------------------------------------------------------------------------------

def _seed_words(seed):
    t = type_of(seed)
    if t.dtype.itemsize == 8:
        hi = lax.convert_element_type(lax.shift_right_logical(seed, 32), _U32)
        lo = lax.convert_element_type(lax.bitwise_and(seed, 0xFFFFFFFF), _U32)
    else:
        hi = lax.full((), 0, _U32)
        wide = np.dtype(np.int32) if T.is_signed(t.dtype) else _U32
        lo = lax.convert_element_type(lax.convert_element_type(seed, wide), _U32)
    return _stack_words(hi, lo)


def PRNGKey(seed, *, impl=None):
    """A raw uint32[2] key from an integer seed (see the module docstring for how seeds map to keys)."""
    return _seed("PRNGKey", seed, impl)


def key(seed, *, impl=None):
    """A typed key (a scalar key<fry> array) from an integer seed; its data is PRNGKey(seed)."""
    return _seed("key", seed, impl, typed=True)


_seed_jit = jit(_seed_words)
_seed_typed_jit = jit(lambda seed: prng.wrap(_seed_words(seed)))


def _seed(name, seed, impl, typed=False):
    if impl not in (None, "threefry2x32"):
        raise ValueError(f"{name}: unsupported PRNG implementation {impl!r}; Lintra has only 'threefry2x32'")
    if isinstance(seed, (bool, np.bool_)) or isinstance(seed, (float, complex, np.inexact)):
        raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
    if isinstance(seed, int):
        seed = np.asarray(np.int64(seed))   # as JAX: int64 first, then (without x64) wrapped to int32
        seed = seed.astype(dtypes.canonicalize_dtype(seed.dtype))
    elif not is_value(seed):
        seed = np.asarray(seed)
    t = type_of(seed)
    if t.shape:
        raise TypeError(f"{name} accepts a scalar seed, but was given an array of shape {t.shape} != (). "
                        f"Use vmap for batching")
    if not T.is_int(t.dtype):
        raise TypeError(f"PRNG key seed must be an integer; got {describe(seed)}")
    return (_seed_typed_jit if typed else _seed_jit)(seed)


def key_data(keys):
    """The uint32[..., 2] data of keys: of a typed key array, its words; a raw key array is its own data."""
    keys = _check_key("key_data", keys, allow_batched=True)
    return prng.data(keys) if isinstance(keys, PRNGKeyArray) else keys


def wrap_key_data(key_bits_array, *, impl=None):
    """A typed key array of shape S from its uint32[*S, 2] data."""
    if impl not in (None, "threefry2x32"):
        raise ValueError(f"wrap_key_data: unsupported PRNG implementation {impl!r}; Lintra has only 'threefry2x32'")
    if isinstance(key_bits_array, PRNGKeyArray):
        raise TypeError("wrap_key_data: the argument is already a typed key array; pass key_data(keys)")
    raw = key_bits_array if is_value(key_bits_array) else jnp.asarray(key_bits_array)
    return prng.wrap(prng.check_data(raw))


def key_impl(keys):
    """The name of the PRNG implementation of keys, typed or raw: 'threefry2x32' (Lintra's only one)."""
    _check_key("key_impl", keys, allow_batched=True)
    return prng.IMPL


def clone(key):
    """key itself: keys are immutable arrays, so there is nothing to copy."""
    return key


_split_jit = _kjit(_split, static_argnums=(1, 2), keys_out=True)


def split(key, num=2):
    """`num` new keys (num may be a shape) from one: uint32[*shape, 2]."""
    key = _check_key("split", key)
    shape = _shape("split", num) if isinstance(num, Sequence) else (operator.index(num),)
    if any(d < 0 for d in shape):
        raise ValueError(f"split: num must be non-negative, got {num!r}")
    return _split_jit(key, shape, _partitionable())


_fold_in_jit = _kjit(_fold_in, keys_out=True)


def fold_in(key, data):
    """A new key from `key` and the 32-bit integer `data`."""
    key = _check_key("fold_in", key)
    if is_value(data):
        t = type_of(data)
        if t.shape or not (T.is_int(t.dtype) or T.is_bool(t.dtype)):
            raise TypeError(f"fold_in accepts an integer scalar, but was given {describe(data)}. Use vmap for "
                            f"batching")
        data = lax.convert_element_type(data, _U32)
    else:
        if np.ndim(data):
            raise TypeError(f"fold_in accepts a scalar, but was given an array of shape {np.shape(data)} != (). "
                            f"Use vmap for batching")
        data = jnp.asarray(data, _U32)
    return _fold_in_jit(key, data)


# ---- bits and uniform ------------------------------------------------------------------------------------

_bits_jit = _kjit(_bits, static_argnums=(1, 2, 3))


def bits(key, shape=(), dtype=None):
    """Uniform random bits as unsigned integers (uint64 with x64, else uint32, by default)."""
    key = _check_key("bits", key)
    d = to_dtype(np.uint64 if dtype is None else dtype)
    if not (T.is_int(d) and not T.is_signed(d)):
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {d.name}")
    return _bits_jit(key, d.itemsize * 8, _shape("bits", shape), _partitionable())


def _uniform(keys, shape, dtype, minval, maxval, part):
    """Uniform [minval, maxval) of `dtype` and shape B + shape from keys[B..., 2]."""
    out_shape = type_of(keys).shape[:-1] + shape
    fi = ml_dtypes.finfo(dtype)
    nbits, nmant = fi.bits, fi.nmant
    if nbits not in (16, 32, 64):
        raise TypeError(f"uniform accepts 16-, 32- or 64-bit float dtypes, got {dtype.name}")
    rng_bits = 8 if nmant < 8 else nbits
    uint = np.dtype(f"uint{nbits}")
    raw = _bits(keys, rng_bits, shape, part)
    if rng_bits != nbits:
        raw = lax.convert_element_type(raw, uint)
    one = int(np.array(1.0, dtype).view(uint))
    mantissa = lax.bitwise_or(lax.shift_right_logical(raw, rng_bits - nmant), one)
    floats = lax.sub(lax.bitcast_convert_type(mantissa, dtype), 1.0)
    lo, hi = _as_dtype(minval, dtype, out_shape), _as_dtype(maxval, dtype, out_shape)
    return lax.max(lo, lax.add(lax.mul(floats, lax.sub(hi, lo)), lo))


def _uniform_impl(key, shape, dtype, minval, maxval, part):
    _check_shape("uniform", shape, _shape_of(minval), _shape_of(maxval))
    return _uniform(key, shape, dtype, minval, maxval, part)


_uniform_jit = _kjit(_uniform_impl, static_argnums=(1, 2, 5))


def uniform(key, shape=(), dtype=float, minval=0., maxval=1.):
    """Uniform floats in [minval, maxval)."""
    key = _check_key("uniform", key)
    return _uniform_jit(key, _shape("uniform", shape), _float_dtype("uniform", dtype), minval, maxval,
                        _partitionable())


# ---- normal and friends ------------------------------------------------------------------------------------

def _normal_real(keys, shape, dtype, part):
    lo = np.nextafter(np.array(-1., dtype), np.array(0., dtype), dtype=dtype)
    u = _uniform(keys, shape, dtype, lo, 1., part)
    return lax.mul(lax.full_like(u, np.sqrt(2)), lax.erf_inv(u))


def _normal_impl(key, shape, dtype, part):
    if not T.is_complex(dtype):
        return _normal_real(key, shape, dtype, part)
    ks = _split(key, (2,), part)
    real = T.real_dtype(dtype)
    re, im = (jnp.astype(_normal_real(ks[i], shape, real, part), dtype) for i in (0, 1))
    return jnp.divide(jnp.add(re, jnp.multiply(1j, im)), np.array(np.sqrt(2), dtype))


_normal_jit = _kjit(_normal_impl, static_argnums=(1, 2, 3))


def normal(key, shape=(), dtype=float):
    """Standard normal values (complex dtypes: real and imaginary parts each with variance 1/2)."""
    key = _check_key("normal", key)
    d = to_dtype(dtype)
    if not T.is_inexact(d):
        raise ValueError(f"dtype argument to `normal` must be a float or complex dtype, got {d.name}")
    return _normal_jit(key, _shape("normal", shape), d, _partitionable())


def _truncated_normal_impl(key, lower, upper, shape, dtype, part):
    if shape is None:
        shape = np.broadcast_shapes(_shape_of(lower), _shape_of(upper))
    else:
        _check_shape("truncated_normal", shape, _shape_of(lower), _shape_of(upper))
    sqrt2 = np.array(np.sqrt(2), dtype)
    lower, upper = (lax.convert_element_type(v, dtype) for v in (lower, upper))
    a, b = (lax.erf(jnp.divide(v, sqrt2)) for v in (lower, upper))
    u = _uniform(key, shape, dtype, a, b, part)
    out = jnp.multiply(sqrt2, lax.erf_inv(u))
    # the open interval (lower, upper): rounding, or u == a, could land on a bound
    return jnp.clip(out, lax.nextafter(lax.stop_gradient(lower), lax.full_like(lower, np.inf)),
                    lax.nextafter(lax.stop_gradient(upper), lax.full_like(upper, -np.inf)))


_truncated_normal_jit = _kjit(_truncated_normal_impl, static_argnums=(3, 4, 5))


def truncated_normal(key, lower, upper, shape=None, dtype=float):
    """Standard normal values conditioned on lower < x < upper."""
    key = _check_key("truncated_normal", key)
    shape = None if shape is None else _shape("truncated_normal", shape)
    return _truncated_normal_jit(key, lower, upper, shape, _float_dtype("truncated_normal", dtype),
                                 _partitionable())


def _bernoulli_impl(key, p, shape, part):
    shape = type_of(p).shape if shape is None else shape
    _check_shape("bernoulli", shape, type_of(p).shape)
    return lax.lt(_uniform(key, shape, type_of(p).dtype, 0., 1., part), _full(p, shape))


_bernoulli_jit = _kjit(_bernoulli_impl, static_argnums=(2, 3))


def bernoulli(key, p=np.float32(0.5), shape=None):
    """Booleans that are True with probability p."""
    key = _check_key("bernoulli", key)
    d = dtypes.canonicalize_dtype(type_of(p).dtype)
    if not T.is_float(d):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {describe(p)}")
    shape = None if shape is None else _shape("bernoulli", shape)
    return _bernoulli_jit(key, lax.convert_element_type(p, d), shape, _partitionable())


def _simple(name, body):
    """A sampler of signature (key, shape=(), dtype=float) whose values are body(key, shape, dtype, part)."""
    compiled = _kjit(body, static_argnums=(1, 2, 3))

    def sampler(key, shape=(), dtype=float):
        key = _check_key(name, key)
        return compiled(key, _shape(name, shape), _float_dtype(name, dtype), _partitionable())
    sampler.__name__ = name
    return sampler


def _tiny(dtype):
    return ml_dtypes.finfo(dtype).tiny


def _exponential(key, shape, dtype, part):
    # log1p(-u): 1 - u lies in (0, 1], so the log is finite
    return lax.neg(lax.log1p(lax.neg(_uniform(key, shape, dtype, 0., 1., part))))


exponential = _simple("exponential", _exponential)
exponential.__doc__ = "Exponential(1) values: -log(1 - u)."


def _gumbel(key, shape, dtype, part):
    u = _uniform(key, shape, dtype, np.asarray(_tiny(dtype), dtype), 1., part)
    return lax.neg(lax.log(lax.neg(lax.log(u))))


gumbel = _simple("gumbel", _gumbel)
gumbel.__doc__ = "Standard Gumbel values: -log(-log(u)) with u in [tiny, 1)."


def _laplace(key, shape, dtype, part):
    u = _uniform(key, shape, dtype, np.asarray(-1. + ml_dtypes.finfo(dtype).epsneg, dtype), 1., part)
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


laplace = _simple("laplace", _laplace)
laplace.__doc__ = "Standard Laplace values: sign(u) log(1 - |u|) with u in (-1, 1)."


def _logistic(key, shape, dtype, part):
    x = _uniform(key, shape, dtype, np.asarray(ml_dtypes.finfo(dtype).eps, dtype), 1., part)
    return lax.log(lax.div(x, lax.sub(lax.full_like(x, 1), x)))


logistic = _simple("logistic", _logistic)
logistic.__doc__ = "Standard logistic values: log(u / (1 - u))."


def _cauchy(key, shape, dtype, part):
    u = _uniform(key, shape, dtype, np.asarray(ml_dtypes.finfo(dtype).eps, dtype), 1., part)
    return lax.tan(lax.mul(lax.full_like(u, np.pi), lax.sub(u, lax.full_like(u, 0.5))))


cauchy = _simple("cauchy", _cauchy)
cauchy.__doc__ = "Standard Cauchy values: tan(pi (u - 1/2))."


def _maxwell(key, shape, dtype, part):
    x = _normal_real(key, shape + (3,), dtype, part)
    return lax.sqrt(lax.reduce_sum(lax.mul(x, x), (len(shape),)))


maxwell = _simple("maxwell", _maxwell)
maxwell.__doc__ = "One-sided Maxwell values: the length of a standard normal 3-vector."


def _rademacher_impl(key, shape, dtype, part):
    b = jnp.astype(lax.lt(_uniform(key, shape, dtypes.default_float(), 0., 1., part), 0.5), dtype)
    return jnp.astype(jnp.subtract(jnp.multiply(2, b), 1), dtype)


_rademacher_jit = _kjit(_rademacher_impl, static_argnums=(1, 2, 3))


def rademacher(key, shape=(), dtype=int):
    """-1 or 1 with equal probability."""
    key = _check_key("rademacher", key)
    return _rademacher_jit(key, _shape("rademacher", shape), to_dtype(dtype), _partitionable())


def _double_sided_maxwell_impl(key, loc, scale, shape, dtype, part):
    params = np.broadcast_shapes(_shape_of(loc), _shape_of(scale))
    shape = (shape or params) + params
    ks = _split(key, (2,), part)
    rvs = _maxwell(ks[0], shape, dtype, part)
    sign = _rademacher_impl(ks[1], shape, dtype, part)
    return jnp.add(jnp.multiply(jnp.multiply(sign, rvs), scale), loc)


_double_sided_maxwell_jit = _kjit(_double_sided_maxwell_impl, static_argnums=(3, 4, 5))


def double_sided_maxwell(key, loc, scale, shape=(), dtype=float):
    """Double-sided Maxwell values with location loc and scale `scale` (shape is prepended to theirs)."""
    key = _check_key("double_sided_maxwell", key)
    return _double_sided_maxwell_jit(key, loc, scale, _shape("double_sided_maxwell", shape),
                                     _float_dtype("double_sided_maxwell", dtype), _partitionable())


def _pareto_impl(key, b, shape, dtype, part):
    shape = _shape_of(b) if shape is None else shape
    _check_shape("pareto", shape, _shape_of(b))
    return lax.exp(jnp.divide(_exponential(key, shape, dtype, part), lax.convert_element_type(b, dtype)))


_pareto_jit = _kjit(_pareto_impl, static_argnums=(2, 3, 4))


def pareto(key, b, shape=None, dtype=float):
    """Pareto values with shape parameter b: exp(Exponential / b)."""
    key = _check_key("pareto", key)
    shape = None if shape is None else _shape("pareto", shape)
    return _pareto_jit(key, b, shape, _float_dtype("pareto", dtype), _partitionable())


def _weibull_min_impl(key, scale, concentration, shape, dtype, part):
    u = _uniform(key, shape, dtype, 0, 1, part)
    return jnp.multiply(jnp.power(jnp.negative(jnp.log1p(jnp.negative(u))), 1.0 / concentration), scale)


_weibull_min_jit = _kjit(_weibull_min_impl, static_argnums=(3, 4, 5))


def weibull_min(key, scale, concentration, shape=(), dtype=float):
    """Weibull values: scale * (-log(1 - u)) ** (1 / concentration)."""
    key = _check_key("weibull_min", key)
    return _weibull_min_jit(key, scale, concentration, _shape("weibull_min", shape),
                            _float_dtype("weibull_min", dtype), _partitionable())


# ---- integers, permutations, choices ---------------------------------------------------------------------

def _clip_convert(x, dtype):
    """x (integer) in `dtype`, clipped to its range rather than wrapped."""
    src = type_of(x).dtype
    lo = max(int(T.iinfo(dtype).min), int(T.iinfo(src).min))
    hi = min(int(T.iinfo(dtype).max), int(T.iinfo(src).max))
    return lax.convert_element_type(lax.clamp(lax.full_like(x, lo), x, lax.full_like(x, hi)), dtype)


def _randint(key, shape, minval, maxval, dtype, part):
    info = T.iinfo(dtype)
    if info.bits < 32:      # as JAX: narrower integers are drawn as int32 (less biased), then converted
        i32 = np.dtype(np.int32)
        minval = jnp.clip(jnp.astype(jnp.asarray(minval), i32), int(info.min), int(info.max))
        maxval = jnp.clip(jnp.astype(jnp.asarray(maxval), i32), int(info.min), int(info.max) + 1)
        return lax.convert_element_type(_randint(key, shape, minval, maxval, i32, part), dtype)
    minval, maxval = jnp.asarray(minval), jnp.asarray(maxval)
    minval, maxval = (v if T.is_int(type_of(v).dtype) else jnp.astype(v, int) for v in (minval, maxval))
    top = _clip_convert(lax.full((), info.max, dtype), type_of(maxval).dtype)
    out_of_range = _full(lax.gt(maxval, _full(top, type_of(maxval).shape)), shape)
    lo, hi = _full(_clip_convert(minval, dtype), shape), _full(_clip_convert(maxval, dtype), shape)
    nbits = dtype.itemsize * 8
    both = _bits(_split(key, (2,), part), nbits, shape, part)   # one hash for both keys of split(key)
    higher, lower = both[0], both[1]
    unsigned = np.dtype(f"uint{nbits}")
    span = lax.convert_element_type(lax.sub(hi, lo), unsigned)
    # maxval <= minval gives minval (span 1); an out-of-range maxval widens the span by one (wrapping to
    # 0 for the full range, where the remainders below then do nothing)
    span = lax.select(lax.le(hi, lo), lax.full_like(span, 1), span)
    span = lax.select(lax.bitwise_and(out_of_range, lax.gt(hi, lo)), lax.add(span, 1), span)
    # (hi * 2**nbits + lo) mod span without overflow: 2**nbits mod span is (2**(nbits/2) mod span)**2 mod span
    multiplier = lax.rem(lax.full_like(span, 2 ** (nbits // 2)), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.add(lax.mul(lax.rem(higher, span), multiplier), lax.rem(lower, span))
    offset = lax.rem(offset, span)
    return lax.add(lo, lax.convert_element_type(offset, dtype))


def _randint_impl(key, shape, minval, maxval, dtype, part):
    _check_shape("randint", shape, _shape_of(minval), _shape_of(maxval))
    return _randint(key, shape, minval, maxval, dtype, part)


_randint_jit = _kjit(_randint_impl, static_argnums=(1, 4, 5))


def randint(key, shape, minval, maxval, dtype=int):
    """Integers uniform in [minval, maxval) (slightly biased when the span is not a power of 2, as in JAX)."""
    key = _check_key("randint", key)
    d = to_dtype(dtype)
    if not T.is_int(d):
        raise TypeError(f"randint only accepts integer dtypes, got {d.name}")
    for v in (minval, maxval):
        if not (is_value(v) or isinstance(v, (int, float, np.ndarray, np.generic))) or isinstance(v, bool):
            raise TypeError(f"randint: minval and maxval must be integers or integer arrays, got {v!r}")
    return _randint_jit(key, _shape("randint", shape), minval, maxval, d, _partitionable())


def _shuffle(key, x, axis, part):
    size = math.prod(type_of(x).shape)
    # sorting by random 32-bit keys is exact unless keys collide; ~size**2 / 2**32 collisions are made
    # negligible by re-sorting this many times (tjablin's heuristic, as in JAX and TensorFlow)
    rounds = int(np.ceil(3 * np.log(max(1, size)) / np.log(np.iinfo(np.uint32).max)))
    for _ in range(rounds):
        ks = _split(key, (2,), part)
        key = ks[0]
        _, x = lax.sort_key_val(_bits(ks[1], 32, type_of(x).shape, part), x, axis)
    return x


def _take(x, ind, axis):
    """x indexed by the integer array `ind` along `axis` (indices known to be in bounds)."""
    xt, it = type_of(x), type_of(ind)
    sizes = tuple(1 if d == axis else n for d, n in enumerate(xt.shape))
    offset = tuple(range(axis)) + tuple(range(axis + it.ndim, xt.ndim - 1 + it.ndim))
    dn = lax.GatherDimensionNumbers(offset_dims=offset, collapsed_slice_dims=(axis,), start_index_map=(axis,))
    return lax.gather(x, lax.expand_dims(ind, (it.ndim,)), dn, sizes, mode="promise_in_bounds")


def _permutation_impl(key, x, axis, independent, part):
    if independent or type_of(x).ndim == 1:
        return _shuffle(key, x, axis, part)
    n = type_of(x).shape[axis]
    ind = _shuffle(key, lax.iota(dtypes.default_int(), n), 0, part)
    return _take(x, ind, axis)


_permutation_jit = _kjit(_permutation_impl, static_argnums=(2, 3, 4))


def permutation(key, x, axis=0, independent=False):
    """A random permutation of range(x) (x an int) or of x along `axis` (each slice independently when
    `independent`)."""
    key = _check_key("permutation", key)
    if not (is_value(x) or isinstance(x, (int, np.integer, np.ndarray))) or isinstance(x, bool):
        raise TypeError(f"permutation: x must be an integer or an array, got {x!r}")
    t = type_of(x)
    if not t.ndim:
        if not T.is_int(t.dtype):
            raise TypeError(f"permutation: x must be an integer or at least 1-dimensional, got {describe(x)}")
        x, axis = jnp.arange(operator.index(x)), 0
    else:
        axis = operator.index(axis)
        if not -t.ndim <= axis < t.ndim:
            raise ValueError(f"permutation: axis {axis} is out of bounds for {describe(x)}")
        axis %= t.ndim
    return _permutation_jit(key, x, axis, bool(independent), _partitionable())


def _choice_impl(key, arr, p, shape, replace, axis, n_inputs, scalar, part):
    n_draws = math.prod(shape)
    if p is None:
        if replace:
            ind = _randint(key, shape, 0, n_inputs, dtypes.default_int(), part)
            result = ind if scalar else _take(arr, ind, axis)
        else:
            x = lax.iota(dtypes.default_int(), n_inputs) if scalar else arr
            result = lax.slice_in_dim(_permutation_impl(key, x, 0 if scalar else axis, False, part), 0, n_draws,
                                      axis=0 if scalar else axis)
    else:
        if replace:
            cum = lax.cumsum(p, 0)
            total = lax.index_in_dim(cum, n_inputs - 1, keepdims=False)
            r = jnp.multiply(total, jnp.subtract(1, _uniform(key, shape, type_of(p).dtype, 0., 1., part)))
            # searchsorted(cum, r, side='left') is the number of cumulative sums below r
            wide = shape + (n_inputs,)
            below = lax.lt(_full(cum, wide), lax.broadcast_in_dim(r, wide, tuple(range(len(shape)))))
            ind = jnp.sum(below, axis=-1, dtype=dtypes.default_int())
        else:   # the Gumbel top-k trick
            g = jnp.subtract(jnp.negative(_gumbel(key, (n_inputs,), type_of(p).dtype, part)), jnp.log(p))
            _, order = lax.sort((g, lax.iota(dtypes.default_int(), n_inputs)), 0, num_keys=1)
            ind = lax.slice_in_dim(order, 0, n_draws)
        result = ind if scalar else _take(arr, ind, axis)
    at = type_of(arr).shape
    return jnp.reshape(result, shape if scalar else at[:axis] + shape + at[axis + 1:])


_choice_jit = _kjit(_choice_impl, static_argnums=(3, 4, 5, 6, 7, 8))


def choice(key, a, shape=(), replace=True, p=None, axis=0):
    """Samples from a (or range(a) when a is an int), uniformly or with probabilities p, with or without
    replacement. Without replacement and with p, the Gumbel top-k trick is used."""
    key = _check_key("choice", key)
    shape = _shape("choice", shape)
    arr = jnp.asarray(a)
    scalar = type_of(arr).ndim == 0
    if scalar:
        n_inputs = operator.index(a) if not is_value(a) else int(a)
    else:
        axis = operator.index(axis)
        if not -type_of(arr).ndim <= axis < type_of(arr).ndim:
            raise ValueError(f"choice: axis {axis} is out of bounds for {describe(arr)}")
        axis %= type_of(arr).ndim
        n_inputs = type_of(arr).shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, type_of(arr).dtype)
    if n_inputs <= 0:
        raise ValueError("choice: a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"choice: cannot take a larger sample (size {n_draws}) than population (size {n_inputs}) "
                         f"when replace=False")
    if p is not None:
        p = jnp.asarray(p)
        if not T.is_inexact(type_of(p).dtype):
            p = jnp.astype(p, dtypes.default_float())
        if type_of(p).shape != (n_inputs,):
            raise ValueError(f"choice: p must be None or a 1D vector with the same size as a.shape[axis] "
                             f"({n_inputs}); got {describe(p)}")
    return _choice_jit(key, arr, p, shape, bool(replace), axis, n_inputs, scalar, _partitionable())


def _categorical_impl(key, logits, axis, shape, part):
    lt = type_of(logits)
    batch = tuple(n for i, n in enumerate(lt.shape) if i != axis)
    shape = batch if shape is None else shape
    _check_shape("categorical", shape, batch)
    prefix = shape[:len(shape) - len(batch)]
    noise_shape = list(shape[len(shape) - len(batch):])
    noise_shape.insert(axis, lt.shape[axis])
    noise = _gumbel(key, prefix + tuple(noise_shape), lt.dtype, part)
    scores = jnp.add(noise, jnp.expand_dims(logits, tuple(range(len(prefix)))) if prefix else logits)
    return lax.argmax(scores, len(prefix) + axis, dtypes.default_int())


_categorical_jit = _kjit(_categorical_impl, static_argnums=(2, 3, 4))


def categorical(key, logits, axis=-1, shape=None):
    """Indices drawn with probabilities softmax(logits, axis), by the Gumbel-max trick."""
    key = _check_key("categorical", key)
    logits = jnp.asarray(logits)
    lt = type_of(logits)
    if not T.is_float(lt.dtype):
        raise TypeError(f"categorical: logits must be floating point, got {describe(logits)}")
    axis = operator.index(axis)
    if not -lt.ndim <= axis < lt.ndim:
        raise ValueError(f"categorical: axis {axis} is out of bounds for logits {describe(logits)}")
    shape = None if shape is None else _shape("categorical", shape)
    return _categorical_jit(key, logits, axis % lt.ndim, shape, _partitionable())


# ---- gamma and what is built on it -------------------------------------------------------------------------

def _gamma_batch(keys, alpha, log_space, part):
    """Marsaglia-Tsang gamma (or log-gamma) samples for keys[N, 2] and alpha[N], with JAX's key schedule and
    its rejection loops unrolled (see the module docstring)."""
    dtype, n = type_of(alpha).dtype, type_of(alpha).shape[0]
    full = lambda v: lax.full((n,), v, dtype)
    boost = lax.ge(alpha, full(1))
    a = lax.select(boost, alpha, lax.add(alpha, full(1)))
    d = lax.sub(a, full(1 / 3))
    c = lax.div(full(1 / 3), lax.sqrt(d))
    ks = _split(keys, (2,), part, barrier=False)
    key, subkey = ks[:, 0], ks[:, 1]
    x_keys, u_keys = [], []
    for _ in range(_GAMMA_ROUNDS):   # the outer loop: key, x_key, U_key = split(key, 3)
        ks = _split(key, (3,), part, barrier=False)
        key = ks[:, 0]
        x_keys.append(ks[:, 1])
        u_keys.append(ks[:, 2])
    x_key = jnp.stack(x_keys, axis=1)                          # [N, R, 2]
    subs = []
    for _ in range(_GAMMA_TRIES):     # the inner loop: x_key, subkey = split(x_key); x = normal(subkey)
        ks = _split(x_key, (2,), part, barrier=False)
        x_key = ks[:, :, 0]
        subs.append(ks[:, :, 1])
    x = _normal_real(jnp.stack(subs, axis=2), (), dtype, part)  # [N, R, T]
    v = lax.add(lax.full_like(x, 1), lax.mul(x, lax.broadcast_in_dim(c, type_of(x).shape, (0,))))
    # the rounds' U draws and the final boost draw share one hash
    u = _uniform(jnp.stack(u_keys + [subkey], axis=1), (), dtype, 0., 1., part)   # [N, R + 1]
    half, squeeze = full(0.5), full(0.0331)
    done = lax.full((n,), False, np.bool_)
    V = full(1)
    for r in range(_GAMMA_ROUNDS):
        xr, vr = x[:, r, 0], v[:, r, 0]
        found = lax.gt(vr, full(0))
        for i in range(1, _GAMMA_TRIES):
            xr = lax.select(found, xr, x[:, r, i])
            vr = lax.select(found, vr, v[:, r, i])
            found = lax.bitwise_or(found, lax.gt(vr, full(0)))
        X = lax.mul(xr, xr)
        Vr = lax.mul(lax.mul(vr, vr), vr)
        ur = u[:, r]
        reject = lax.bitwise_and(
            lax.ge(ur, lax.sub(full(1), lax.mul(squeeze, lax.mul(X, X)))),
            lax.ge(lax.log(ur), lax.add(lax.mul(X, half), lax.mul(d, lax.add(lax.sub(full(1), Vr), lax.log(Vr))))))
        V = lax.select(done, V, Vr)
        # a round whose normal draws all gave v <= 0 counts as rejected (JAX would keep drawing)
        done = lax.bitwise_or(done, lax.bitwise_and(found, lax.bitwise_not(reject)))
    u_boost = u[:, _GAMMA_ROUNDS]
    if log_space:
        log_u = lax.neg(lax.neg(lax.log1p(lax.neg(u_boost))))
        log_boost = lax.select(lax.bitwise_or(boost, lax.eq(log_u, full(0))), full(0),
                               lax.mul(log_u, lax.div(full(1), alpha)))
        out = lax.add(lax.add(lax.log(d), lax.log(V)), log_boost)
    else:
        scale = lax.select(boost, full(1), lax.pow(lax.sub(full(1), u_boost), lax.div(full(1), alpha)))
        out = lax.mul(lax.mul(d, V), scale)
    return lax.select(done, out, full(np.nan))


@functools.partial(custom_jvp, nondiff_argnums=(2, 3))
def _gamma_reparam(keys, alpha, log_space, part):
    return _gamma_batch(keys, alpha, log_space, part)


@_gamma_reparam.defjvp
def _gamma_reparam_jvp(log_space, part, primals, tangents):
    """A sample x = F^-1(u; a) moves with a along u = F(x; a) = const: dx/da = random_gamma_grad(a, x); in log
    space d log x = dx / x, with x = exp(log x) kept above 0 (as JAX)."""
    (keys, alpha), (_, t_alpha) = primals, tangents
    out = _gamma_reparam(keys, alpha, log_space, part)
    if log_space:
        x = lax.exp(out)
        x = lax.select(lax.eq(x, lax.full_like(x, 0)), lax.full_like(x, np.finfo(type_of(x).dtype).tiny), x)
        grad = lax.div(lax.random_gamma_grad(alpha, x), x)
    else:
        grad = lax.random_gamma_grad(alpha, out)
    return out, lax.mul(t_alpha, grad)


def _gammas(keys, params, shape, dtype, log_space, part):
    """One gamma array of `shape` per key of keys[M, 2] and parameter in `params` (sampled in one batch, as
    each element's draws depend only on its own key): [M, *shape]."""
    m, n = len(params), math.prod(shape)
    alphas = [lax.reshape(_as_dtype(lax.convert_element_type(p, dtype), dtype, shape), (1, n))
              for p in params]
    alpha = lax.reshape(lax.concatenate(alphas, 0) if m > 1 else alphas[0], (m * n,))
    elem_keys = lax.reshape(_split(keys, (n,), part, barrier=False), (m * n, 2))
    return lax.reshape(_gamma_reparam(elem_keys, alpha, log_space, part), (m,) + shape)


def _gamma(key, a, shape, dtype, log_space, part):
    shape = _shape_of(a) if shape is None else shape
    _check_shape("gamma", shape, _shape_of(a))
    return lax.reshape(_gammas(lax.reshape(key, (1, 2)), [a], shape, dtype, log_space, part), shape)


_gamma_jit = _kjit(_gamma, static_argnums=(2, 3, 4, 5))


def _gamma_family(name, log_space):
    def sampler(key, a, shape=None, dtype=float):
        key = _check_key(name, key)
        shape = None if shape is None else _shape(name, shape)
        return _gamma_jit(key, a, shape, _float_dtype(name, dtype), log_space, _partitionable())
    sampler.__name__ = name
    return sampler


gamma = _gamma_family("gamma", False)
gamma.__doc__ = ("Gamma(a, 1) values (Marsaglia-Tsang; see the module docstring for the unrolled rejection loop "
                 "and its failure probability). Differentiable in a (implicit reparameterization, as JAX).")
loggamma = _gamma_family("loggamma", True)
loggamma.__doc__ = "log of Gamma(a, 1) values, computed in log space (accurate for small a)."


def _beta_impl(key, a, b, shape, dtype, part):
    shape = np.broadcast_shapes(_shape_of(a), _shape_of(b)) if shape is None else shape
    _check_shape("beta", shape, _shape_of(a), _shape_of(b))
    la, lb = (_gammas(_split(key, (2,), part), [a, b], shape, dtype, True, part)[i] for i in (0, 1))
    top = lax.max(la, lb)
    ga, gb = lax.exp(lax.sub(la, top)), lax.exp(lax.sub(lb, top))
    return lax.div(ga, lax.add(ga, gb))


_beta_jit = _kjit(_beta_impl, static_argnums=(3, 4, 5))


def beta(key, a, b, shape=None, dtype=float):
    """Beta(a, b) values, from two log-gamma samples."""
    key = _check_key("beta", key)
    shape = None if shape is None else _shape("beta", shape)
    return _beta_jit(key, a, b, shape, _float_dtype("beta", dtype), _partitionable())


def _dirichlet_impl(key, alpha, shape, dtype, part):
    at = _shape_of(alpha)
    if len(at) < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha of shape {at}")
    shape = at[:-1] if shape is None else shape
    _check_shape("dirichlet", shape, at[:-1])
    logs = _gamma(key, alpha, shape + at[-1:], dtype, True, part)
    top = lax.stop_gradient(jnp.max(logs, axis=-1, keepdims=True))
    e = jnp.exp(jnp.subtract(logs, top))
    return jnp.divide(e, jnp.sum(e, axis=-1, keepdims=True))


_dirichlet_jit = _kjit(_dirichlet_impl, static_argnums=(2, 3, 4))


def dirichlet(key, alpha, shape=None, dtype=float):
    """Dirichlet(alpha) values over alpha's last axis (shape is the batch shape)."""
    key = _check_key("dirichlet", key)
    shape = None if shape is None else _shape("dirichlet", shape)
    return _dirichlet_jit(key, alpha, shape, _float_dtype("dirichlet", dtype), _partitionable())


def _chisquare(key, df, shape, dtype, part):
    shape = _shape_of(df) if shape is None else shape
    _check_shape("chisquare", shape, _shape_of(df))
    half = jnp.divide(lax.convert_element_type(df, dtype), np.array(2, dtype))
    return jnp.multiply(jnp.exp(_gamma(key, half, shape, dtype, True, part)), np.array(2, dtype))


_chisquare_jit = _kjit(_chisquare, static_argnums=(2, 3, 4))


def chisquare(key, df, shape=None, dtype=float):
    """Chi-square values with df degrees of freedom: 2 Gamma(df / 2)."""
    key = _check_key("chisquare", key)
    shape = None if shape is None else _shape("chisquare", shape)
    return _chisquare_jit(key, df, shape, _float_dtype("chisquare", dtype), _partitionable())


def _t_impl(key, df, shape, dtype, part):
    _check_shape("t", shape, _shape_of(df))
    ks = _split(key, (2,), part)
    n = _normal_real(ks[0], shape, dtype, part)
    half = jnp.divide(lax.convert_element_type(df, dtype), np.array(2, dtype))
    g = _gamma(ks[1], half, shape, dtype, False, part)
    return jnp.multiply(n, jnp.sqrt(jnp.divide(half, g)))


_t_jit = _kjit(_t_impl, static_argnums=(2, 3, 4))


def t(key, df, shape=(), dtype=float):
    """Student's t values with df degrees of freedom."""
    key = _check_key("t", key)
    return _t_jit(key, df, _shape("t", shape), _float_dtype("t", dtype), _partitionable())


# ---- multivariate normal ------------------------------------------------------------------------------------

def _cholesky(a):
    """Lower Cholesky factor of a[..., n, n], column by column (n is static); NaN where a is not positive
    definite."""
    at = type_of(a)
    n, batch = at.shape[-1], at.shape[:-2]
    row = lax.broadcasted_iota(np.int32, batch + (n,), len(batch))
    cols = []
    for j in range(n):
        v = lax.index_in_dim(a, j, -1, keepdims=False)                      # a[..., :, j]
        for col in cols:
            v = lax.sub(v, lax.mul(col, _full_last(lax.index_in_dim(col, j, -1), n)))
        diag = lax.sqrt(lax.index_in_dim(v, j, -1))
        col = lax.div(v, _full_last(diag, n))
        col = lax.select(lax.eq(row, j), _full_last(diag, n), col)
        cols.append(lax.select(lax.lt(row, j), lax.full_like(col, 0), col))
    return jnp.stack(cols, axis=-1)


def _full_last(x, n):
    """x[..., 1] repeated to x[..., n]."""
    t = type_of(x)
    return lax.broadcast_in_dim(lax.reshape(x, t.shape[:-1]), t.shape[:-1] + (n,), tuple(range(t.ndim - 1)))


def _multivariate_normal_impl(key, mean, cov, shape, dtype, part):
    mt, ct = type_of(mean), type_of(cov)
    if mt.ndim < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {mt.ndim}")
    if ct.ndim < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {ct.ndim}")
    n = mt.shape[-1]
    if ct.shape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, but got cov.shape == "
                         f"{ct.shape}")
    if shape is None:
        shape = np.broadcast_shapes(mt.shape[:-1], ct.shape[:-2])
    else:
        _check_shape("multivariate_normal", shape, mt.shape[:-1], ct.shape[:-2])
    factor = _cholesky(cov)
    z = _normal_real(key, shape + (n,), dtype, part)
    return jnp.add(mean, jnp.squeeze(jnp.matmul(factor, jnp.expand_dims(z, -1)), -1))


_multivariate_normal_jit = _kjit(_multivariate_normal_impl, static_argnums=(3, 4, 5))


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Normal vectors with the given mean[..., n] and positive definite cov[..., n, n]; the result has shape
    shape + (n,) (shape defaults to the broadcast batch shape of mean and cov)."""
    key = _check_key("multivariate_normal", key)
    if method not in ("cholesky", "svd", "eigh"):
        raise ValueError(f"multivariate_normal: method must be one of 'svd', 'eigh', 'cholesky'; got {method!r}")
    if method != "cholesky":
        raise ValueError(f"multivariate_normal: method={method!r} needs an {method} primitive, which Lintra does not "
                         f"have yet; use method='cholesky' (cov must then be positive definite)")
    mean, cov = jnp.asarray(mean), jnp.asarray(cov)
    common = jnp.result_type(mean, cov)
    common = common if T.is_inexact(common) else dtypes.default_float()
    mean, cov = jnp.astype(mean, common), jnp.astype(cov, common)
    d = common if dtype is None else _float_dtype("multivariate_normal", dtype)
    shape = None if shape is None else _shape("multivariate_normal", shape)
    return _multivariate_normal_jit(key, mean, cov, shape, d, _partitionable())
