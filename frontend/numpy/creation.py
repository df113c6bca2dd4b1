"""Array creation: asarray/array, zeros/ones/full/empty (and *_like), arange, linspace, eye, identity."""
import numpy as np

from ...ir import types as T
from ...runtime.executable import unshared
from .. import dtypes as _dtypes
from .. import lax
from ..core import ConcretizationError, bind1, concrete_value, constant, is_value, type_of
from ..explicit import with_out_sharding
from ..words import is_words, wordwise
from ._util import (asvalue, broadcast_shapes, broadcast_to, canon_axis, canon_shape, check_arraylike, convert,
                    describe, is_arraylike, np_dtype, result_type_of, to_dtype)
from .manipulation import stack
from .ufuncs import add, equal, floor, log10, multiply, power, sign, subtract, true_divide


def asarray(a, dtype=None, order=None, *, copy=None, out_sharding=None):
    """`a` as a Lintra array. Python scalars give weakly typed arrays; lists and tuples give strong ones.
    out_sharding (a NamedSharding, or a PartitionSpec under set_mesh): laid out so over Explicit mesh axes."""
    return unshared(_asarray(a, dtype, order, copy, out_sharding))


def _asarray(a, dtype, order, copy, out_sharding):
    if out_sharding is not None:
        return with_out_sharding(asarray(a, dtype, order, copy=copy), out_sharding, "asarray")
    if is_words(a) or (isinstance(a, (list, tuple)) and any(is_words(x) for x in _leaves(a))):
        return _words_array(a, dtype)
    dtype = None if dtype is None else to_dtype(dtype)
    if is_value(a):
        return a if dtype is None else convert(a, dtype)
    if isinstance(a, (list, tuple)):
        return _from_sequence(a, dtype)
    if not is_arraylike(a) and hasattr(a, "__array__"):
        a = np.asarray(a)
    if dtype is None:
        return asvalue(a)
    return convert(a, dtype)


def _words_array(a, dtype):
    """A key array (or nested lists of them, stacked) as it is: JAX's jnp.asarray/jnp.array of key<fry> arrays."""
    if dtype is not None and not (is_words(a) and np.dtype(dtype) == a.dtype):
        raise ValueError(f"Cannot convert_element_type from key<fry> to {np.dtype(dtype).name}; "
                         f"lintra.random.key_data gives a key array's uint32 data")
    if is_words(a):
        return a
    return stack([_words_array(x, None) for x in a])


def copy(a, order=None):
    """A copy of `a`: a new buffer, as JAX (the copy can be donated while `a` lives on)."""
    return array(a, copy=True, order=order)


def array(object, dtype=None, copy=True, order="K", ndmin=0, *, out_sharding=None):
    out = asarray(object, dtype)
    if copy and out is object and not is_words(out):   # as JAX: a copy op, so a new buffer, not `object`
        out = bind1("copy", out)
    shape = out.shape if is_words(out) else type_of(out).shape
    if ndmin > len(shape):
        out = lax.reshape(out, (1,) * (ndmin - len(shape)) + shape)
    return out if out_sharding is None else with_out_sharding(out, out_sharding, "array")


def _leaves(a):
    for x in a:
        if isinstance(x, (list, tuple)):
            yield from _leaves(x)
        else:
            yield x


def _from_sequence(a, dtype):
    leaves = list(_leaves(a))
    for x in leaves:
        if not is_arraylike(x):
            raise TypeError(f"asarray: cannot make an array from a sequence holding {x!r} of type "
                            f"{type(x).__name__}; expected arrays and scalars")
    if dtype is None:   # the lattice's answer, as JAX; the result is strongly typed
        dtype = result_type_of(*leaves)[0] if leaves else _dtypes.default_float()
    if not any(is_value(x) for x in leaves):
        return constant(np.array(a, dtype=dtype))
    return _stack_nested(a, dtype)


def _stack_nested(a, dtype):
    if not isinstance(a, (list, tuple)):
        return convert(a, dtype)
    parts = [_stack_nested(x, dtype) for x in a]
    if not parts:
        return constant(np.zeros((0,), dtype))
    shapes = {type_of(p).shape for p in parts}
    if len(shapes) > 1:
        raise ValueError(f"asarray: a sequence of arrays of different shapes {sorted(shapes)} cannot form an "
                         f"array (inhomogeneous shape)")
    shape, = shapes
    parts = [bind1("reshape", p, new_sizes=(1,) + shape) for p in parts]
    return parts[0] if len(parts) == 1 else bind1("concatenate", *parts, dimension=0)


def full(shape, fill_value, dtype=None, *, out_sharding=None):
    """An array of `shape` filled with `fill_value` (weakly typed when fill_value is a Python scalar), laid out
    as out_sharding says (a NamedSharding, or a PartitionSpec under set_mesh) over Explicit mesh axes."""
    return unshared(with_out_sharding(_full(shape, fill_value, dtype), out_sharding, "full"))


def _full(shape, fill_value, dtype):
    shape = canon_shape(shape)
    check_arraylike("full", fill_value)
    if type_of(fill_value).ndim:
        return broadcast_to(asarray(fill_value, dtype), shape, "full")
    d, weak = type_of(fill_value).dtype, type_of(fill_value).weak
    if dtype is not None:
        d, weak = to_dtype(dtype), False
    return broadcast_to(convert(fill_value, d, weak), shape, "full")


def zeros(shape, dtype=None, *, out_sharding=None):
    return full(shape, 0, to_dtype(dtype) if dtype is not None else _dtypes.default_float(), out_sharding=out_sharding)


def ones(shape, dtype=None, *, out_sharding=None):
    return full(shape, 1, to_dtype(dtype) if dtype is not None else _dtypes.default_float(), out_sharding=out_sharding)


empty = zeros   # XLA arrays are immutable: there is nothing to gain from leaving them uninitialised


@wordwise()
def full_like(a, fill_value, dtype=None, shape=None, *, out_sharding=None):
    """As full, with a's shape and dtype (and weak type) unless given."""
    if hasattr(a, "shape") and hasattr(a, "dtype") and not is_arraylike(a):
        # duck-typed, as JAX: a ShapeDtypeStruct or anything else with a shape and a dtype
        t = T.TensorType.of(a.shape, a.dtype, getattr(a, "weak_type", False))
    else:
        check_arraylike("full_like", a)
        t = type_of(a)
    shape = t.shape if shape is None else canon_shape(shape)
    d, weak = (t.dtype, t.weak) if dtype is None else (to_dtype(dtype), False)
    fill = convert(fill_value, d, weak)
    if out_sharding is None and t.sharding is not None and shape == t.shape and not type_of(fill).ndim:
        # as JAX: laid out like `a`, whose type says how
        out = bind1("broadcast_in_dim", fill, shape=shape, broadcast_dimensions=(), out_sharding=t.sharding)
    else:
        out = with_out_sharding(broadcast_to(fill, shape, "full_like"), out_sharding, "full_like")
    # inside shard_map with check_vma it varies as `a` does (JAX's _full_like_insert_pvary)
    more = tuple(sorted(t.vma - type_of(out).vma))
    return bind1("pvary", out, axes=more) if more else unshared(out)


@wordwise()
def zeros_like(a, dtype=None, shape=None, *, out_sharding=None):
    return full_like(a, 0, dtype, shape, out_sharding=out_sharding)


@wordwise()
def ones_like(a, dtype=None, shape=None, *, out_sharding=None):
    return full_like(a, 1, dtype, shape, out_sharding=out_sharding)


empty_like = zeros_like


def _static_scalar(name, what, x):
    if not (is_value(x) or isinstance(x, np.ndarray)):
        return x
    value = concrete_value(x)
    if value is None:
        raise ConcretizationError(f"{name}: {what} must be a concrete value, got a traced {describe(x)}; "
                                  f"mark it static (static_argnums) or build the array outside jit")
    if type_of(x).ndim:
        raise ValueError(f"{name}: {what} must be a scalar, got {describe(x)}")
    return np.asarray(value).item()


def arange(start, stop=None, step=None, dtype=None, *, out_sharding=None):
    """Evenly spaced values in [start, stop); start, stop and step must be concrete (the size is static)."""
    return with_out_sharding(_arange(start, stop, step, dtype), out_sharding, "arange")


def _arange(start, stop, step, dtype):
    args = [a for a in (start, stop, step) if a is not None]
    check_arraylike("arange", *args)
    d = to_dtype(dtype) if dtype is not None else result_type_of(*args)[0]
    if stop is None and step is None:
        start, stop = 0, start
    start, stop, step = (None if a is None else _static_scalar("arange", w, a)
                         for w, a in zip(("start", "stop", "step"), (start, stop, step)))
    if start == 0 and step is None and not T.is_complex(d) and not T.is_bool(d):
        n = max(int(np.ceil(stop)), 0)
        if n == 0:
            return constant(np.zeros((0,), d))
        return bind1("iota", dtype=d, shape=(n,), dimension=0)
    try:
        values = np.arange(start, stop, step, dtype=d)
    except TypeError:   # dtypes NumPy cannot step in (bfloat16): step in float32 then narrow
        values = np.arange(start, stop, step, dtype=np.float32).astype(d)
    return constant(values)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced samples from start to stop (start and stop may be arrays; they may be traced)."""
    num = int(num)
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    check_arraylike("linspace", start, stop)
    d = to_dtype(dtype) if dtype is not None else result_type_of(start, stop)[0]
    if dtype is None and not T.is_inexact(d):
        d = _dtypes.default_float()
    comp = d if T.is_inexact(d) else _dtypes.default_float()
    start, stop = convert(start, comp), convert(stop, comp)
    bounds = list(broadcast_shapes("linspace", start, stop))
    start, stop = broadcast_to(start, bounds), broadcast_to(stop, bounds)
    axis = canon_axis(axis, len(bounds) + 1)
    shape = bounds[:axis] + [1] + bounds[axis:]
    div = num - 1 if endpoint else num
    if num > 1:
        delta = true_divide(subtract(stop, start), convert(div, comp))
        real = T.real_dtype(comp)
        frac = true_divide(bind1("iota", dtype=real, shape=(div,), dimension=0), convert(div, real))
        out_shape = tuple(bounds[:axis] + [div] + bounds[axis:])
        frac = bind1("broadcast_in_dim", convert(frac, comp), shape=out_shape, broadcast_dimensions=(axis,))
        lo, hi = (broadcast_to(bind1("reshape", v, new_sizes=tuple(shape)), out_shape) for v in (start, stop))
        # start*(1-t) + stop*t recovers both end points exactly
        out = add(multiply(lo, subtract(convert(1, comp), frac)), multiply(hi, frac))
        if endpoint:
            out = bind1("concatenate", out, bind1("reshape", stop, new_sizes=tuple(shape)), dimension=axis)
    elif num == 1:
        delta = constant(np.array(np.nan, comp)) if endpoint else bind1("sub", stop, start)
        out = bind1("reshape", start, new_sizes=tuple(shape))
    else:
        delta = constant(np.array(np.nan, comp))
        out = constant(np.zeros(bounds[:axis] + [0] + bounds[axis:], comp))
    if T.is_int(d):
        out = floor(out)
    out = convert(out, d)
    return (out, delta) if retstep else out


def eye(N, M=None, k=0, dtype=None):
    """A 2-D array with ones on the k-th diagonal."""
    N = int(N)
    M = N if M is None else int(M)
    if N < 0 or M < 0:
        raise ValueError(f"eye: negative dimensions are not allowed, got N={N}, M={M}")
    d = to_dtype(dtype) if dtype is not None else _dtypes.default_float()
    if N == 0 or M == 0:
        return constant(np.zeros((N, M), d))
    rows = bind1("iota", dtype=np.dtype(np.int32), shape=(N, M), dimension=0)
    cols = bind1("iota", dtype=np.dtype(np.int32), shape=(N, M), dimension=1)
    on_diag = equal(add(rows, convert(int(k), np.int32)), cols)
    return convert(on_diag, d)


def identity(n, dtype=None):
    return eye(n, dtype=dtype)


def _key_or_np_dtype(d):
    return d if isinstance(d, _dtypes.KeyTy) else np_dtype(d)


def astype(x, dtype, copy=False):
    """x converted to `dtype` (narrowed to 32 bits unless x64 is on); the result is strongly typed."""
    if is_words(x):
        # JAX 0.10.2: a key array converts only to its own dtype (itself); nothing converts to or from keys
        if dtype == x.dtype:
            return x
        raise ValueError(f"Cannot convert_element_type from {x.dtype} to {_key_or_np_dtype(dtype)}")
    check_arraylike("astype", x)
    if isinstance(dtype, _dtypes.KeyTy):
        raise ValueError(f"Cannot convert_element_type from {type_of(x).dtype} to {dtype}")
    return convert(asvalue(x), to_dtype(dtype))


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """base ** linspace(start, stop): `num` samples evenly spaced on a log scale."""
    check_arraylike("logspace", start, stop, base)
    d = to_dtype(dtype) if dtype is not None else result_type_of(start, stop, base)[0]
    comp = d if T.is_inexact(d) else _dtypes.default_float()
    exponents = linspace(start, stop, num, endpoint=endpoint, dtype=comp, axis=axis)
    base = convert(base, comp)
    if type_of(base).ndim:    # an array base broadcasts like start and stop, along the new axis too
        base = bind1("expand_dims", base, dimensions=(canon_axis(axis, type_of(exponents).ndim),))
    out = power(broadcast_to(base, broadcast_shapes("logspace", base, exponents)), exponents)
    return convert(out, d)   # NumPy's astype: integers truncate


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """`num` samples evenly spaced on a log scale from start to stop (a geometric progression); start and
    stop must be non-zero and of one sign. The end points are exactly start and stop."""
    check_arraylike("geomspace", start, stop)
    for v, what in ((start, "start"), (stop, "stop")):
        value = concrete_value(v) if is_value(v) else np.asarray(v)
        if value is not None and np.any(np.asarray(value) == 0):
            raise ValueError(f"geomspace: a geometric sequence cannot include zero ({what} is {describe(v)})")
    d = to_dtype(dtype) if dtype is not None else result_type_of(start, stop, 1.0)[0]
    comp = d if T.is_inexact(d) else _dtypes.default_float()
    if T.is_complex(comp):
        raise TypeError("geomspace: complex start or stop are not supported")
    start, stop = convert(start, comp), convert(stop, comp)
    shape = broadcast_shapes("geomspace", start, stop)
    start, stop = broadcast_to(start, shape), broadcast_to(stop, shape)
    sgn = sign(start)
    lo, hi = log10(multiply(start, sgn)), log10(multiply(stop, sgn))
    out = logspace(lo, hi, num, endpoint=endpoint, dtype=comp, axis=axis)
    ax = canon_axis(axis, len(shape) + 1)
    if num > 0:       # put the exact end points back, as NumPy does
        n = type_of(out).shape[ax]
        pieces = [bind1("expand_dims", multiply(start, sgn), dimensions=(ax,))]
        inner_hi = n - 1 if endpoint and num > 1 else n
        if inner_hi > 1:
            pieces.append(lax.slice_in_dim(out, 1, inner_hi, axis=ax))
        if endpoint and num > 1:
            pieces.append(bind1("expand_dims", multiply(stop, sgn), dimensions=(ax,)))
        out = pieces[0] if len(pieces) == 1 else bind1("concatenate", *pieces, dimension=ax)
    out = multiply(bind1("expand_dims", sgn, dimensions=(ax,)), out)
    return convert(out, d)
