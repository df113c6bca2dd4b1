"""jit's argument handling as JAX 0.10.2's: donation (the donated array is deleted, reading it is a clear
error), and validation of static_argnums/static_argnames/donate_argnums/donate_argnames at jit time (the
messages are JAX's)."""
import warnings

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp


def _f(a, b):
    return a * 2 + b


def test_donated_argument_is_deleted_and_reading_it_says_so():
    f = lintra.jit(_f, donate_argnums=0)
    for _ in range(3):                        # the first call, then the C++ fast path
        x, y = jnp.asarray(np.arange(3, dtype=np.float32)), jnp.asarray(np.ones(3, np.float32))
        out = f(x, y)
        np.testing.assert_array_equal(np.asarray(out), [1, 3, 5])
        assert x.is_deleted() and not y.is_deleted()
        with pytest.raises(RuntimeError, match=r"Array has been deleted with shape=float32\[3\].*donat"):
            np.asarray(x)
        with pytest.raises(RuntimeError, match="deleted"):
            x + 1
        with pytest.raises(RuntimeError, match="deleted"):
            f(x, y)
        assert "deleted" in repr(x)


def test_donate_argnames_and_a_donated_pytree():
    f = lintra.jit(lambda p, s: {"w": p["w"] - s * p["g"], "g": p["g"]}, donate_argnames="p")
    p = {"w": jnp.asarray(np.ones(2, np.float32)), "g": jnp.asarray(np.full(2, 0.5, np.float32))}
    out = f(p, 2.0)
    np.testing.assert_array_equal(np.asarray(out["w"]), [0, 0])
    assert p["w"].is_deleted() and p["g"].is_deleted()


def test_created_scalars_and_copies_are_new_buffers_that_can_be_donated_together():
    # as JAX 0.10.2: jnp.zeros([]) twice, or an array and its copy, are distinct buffers, so both can be
    # donated in one call (optax's schedule_free state holds two jnp.zeros([]) and a copy of the params),
    # and donating one deletes only that one
    f = lintra.jit(lambda a, b, c, d: (a + b, c * d), donate_argnums=(0, 1, 2, 3))
    for _ in range(2):                        # the first call, then the C++ fast path
        w = jnp.asarray(np.ones(2, np.float32))
        args = jnp.zeros([], np.float32), jnp.zeros([], np.float32), w, w.copy()
        assert len({a.unsafe_buffer_pointer() for a in args}) == 4
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # b and d are not usable, as test_unusable_donations_warn_as_jax
            out = f(*args)
        np.testing.assert_array_equal(np.asarray(out[1]), [1, 1])
        # as JAX: a donation is used (and the argument deleted) where an output of its type can take it
        assert [a.is_deleted() for a in args] == [True, False, True, False]
        fresh = jnp.zeros([], np.float32), lintra.device_put(np.float32(0)), jnp.asarray(0.0, np.float32)
        assert not any(a.is_deleted() for a in fresh) and float(fresh[0]) == 0.0
    # every way of making a scalar gives the user a buffer of their own (Lintra shares constants internally)
    for make in (lambda: jnp.zeros([]), lambda: jnp.ones([], np.int32), lambda: jnp.asarray(0.9, np.float32),
                 lambda: jnp.asarray(1.0), lambda: jnp.array(2.0), lambda: jnp.float32(1.5),
                 lambda: lintra.lax.full((), 0.0), lambda: jnp.full((), 3), lambda: jnp.zeros_like(1.0),
                 lambda: jnp.full_like(np.float32(0), 0.0), lambda: lintra.device_put(np.float32(0))):
        assert make().unsafe_buffer_pointer() != make().unsafe_buffer_pointer()
    x = jnp.asarray(np.ones(2, np.float32))
    for c in (x.copy(), jnp.copy(x), jnp.array(x)):
        assert c is not x and c.unsafe_buffer_pointer() != x.unsafe_buffer_pointer()
    assert jnp.asarray(x) is x and jnp.array(x, copy=False) is x
    assert [op.prim for op in lintra.make_ir(lambda x: (jnp.array(x), x.copy(), jnp.asarray(x)))(x).body.ops] == \
        ["copy", "copy"]        # JAX's jaxpr: two `copy` equations


def test_unusable_donations_warn_as_jax():
    # recorded from JAX 0.10.2: a donation is used where a free output has the argument's shape and dtype
    # (weak types aside), or else as many elements; the rest are not donated and named in a warning
    cases = [(lambda a: a.astype(np.float16), [np.ones(3, jnp.bfloat16)], [True], None),
             (lambda a: a.reshape(3, 1) * 2, [np.ones(3, np.float32)], [True], None),
             (lambda a: a.sum(), [np.ones(3, np.float32)], [False], "float32[3]"),
             (lambda a, b: a + b, [np.ones(3, np.float32)] * 2, [True, False], "float32[3]"),
             (lambda a, b, c, d: (a + b, c * d), [np.float32(0)] * 2 + [np.ones(2, np.float32)] * 2,
              [True, False, True, False], "float32[], float32[2]"),
             (lambda a: a * jnp.float32(2), [1.0], [True], None)]
    for f, args, deleted, unused in cases:
        args = [jnp.asarray(a) for a in args]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lintra.jit(f, donate_argnums=tuple(range(len(args))))(*args)
        assert [a.is_deleted() for a in args] == deleted
        assert [str(x.message) for x in w] == ([] if unused is None else [
            f"Some donated buffers were not usable: {unused}.\n"
            f"See an explanation at https://docs.jax.dev/en/latest/faq.html#buffer-donation."])


def test_delete():
    x = jnp.asarray(np.ones(2, np.float32))
    x.delete()
    assert x.is_deleted()
    with pytest.raises(RuntimeError, match="deleted"):
        float(x[0])


@pytest.mark.parametrize("kwargs, message", [
    (dict(static_argnums=3), r"Jitted function has static_argnums=\(3,\), but only accepts 2 positional arguments"),
    (dict(static_argnums=-3), r"static_argnums=\(-3,\), but only accepts 2 positional arguments"),
    (dict(static_argnames="c"), r"Jitted function has invalid argnames \{'c'\} in static_argnames"),
    (dict(donate_argnums=5), r"Jitted function has donate_argnums=\(5,\), but only accepts 2 positional arguments"),
    (dict(donate_argnames="zz"), r"invalid argnames \{'zz'\} in donate_argnames"),
    (dict(static_argnums=0, donate_argnums=0), r"static_argnames and donate_argnames cannot intersect.*\{'a'\}"),
    (dict(static_argnames="a", donate_argnames="a"), "cannot intersect"),
    (dict(static_argnums=0, donate_argnames="a"), "cannot intersect"),
])
def test_argument_validation_matches_jax(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lintra.jit(_f, **kwargs)


def test_argnums_must_be_ints():
    with pytest.raises(TypeError, match="static_argnums must be ints.*'a'"):
        lintra.jit(_f, static_argnums=("a",))


def test_varargs_and_kwargs_accept_any_position_and_name():
    g = lintra.jit(lambda *a, **k: a[0] * k["s"], static_argnums=4, static_argnames="s")
    assert float(g(2.0, 0, 0, 0, "ignored", s=3)) == 6.0


def test_decorator_factory_and_static_values():
    @lintra.jit(static_argnames="n")
    def power(x, n):
        return x ** n
    assert float(power(2.0, n=3)) == 8.0 and float(power(2.0, n=2)) == 4.0
    with pytest.raises(ValueError, match="Non-hashable static arguments are not supported.*list"):   # JAX's words
        power(2.0, n=[1])
