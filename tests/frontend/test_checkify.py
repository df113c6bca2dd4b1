"""lintra.experimental.checkify against JAX 0.10.2: every expected message below was recorded by running the
same code with jax 0.10.2 (`from jax.experimental import checkify`)."""
import importlib.util
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax
from lintra.experimental import checkify
from lintra.frontend.checkify import errors

U, N, I, D = checkify.user_checks, checkify.nan_checks, checkify.index_checks, checkify.div_checks
ALL = checkify.all_checks
x3 = jnp.array([1., 2., 3.])


def _get(f, errors, *args):
    """The message of checkify(f, errors)(*args)'s error, or None."""
    return checkify.checkify(f, errors=errors)(*args)[0].get()


def _oob(index, axis=0, size=3, shape="(3,)"):
    return (f"out-of-bounds indexing for array of shape {shape}: index {index} is out of bounds for axis {axis} "
            f"with size {size}. ")


def positive(a):
    checkify.check(a > 0, "a must be positive, got {}", a)
    return jnp.log(a)


def body(c, x):
    checkify.check(x < 3, "x too big: {}", x)
    return c + jnp.log(x), c


def in_cond(p, a):
    def t(a):
        checkify.check(a > 0, "true branch {}", a)
        return jnp.log(a)
    return lax.cond(p > -5, t, jnp.sqrt, a)


def in_while(a):
    def cond(c):
        checkify.check(c[1] < 100, "v overflow {}", c[1])
        return c[0] < 5

    def step(c):
        checkify.check(c[0] < 3, "i too big {}", c[0])
        return c[0] + 1, c[1] * 2
    return lax.while_loop(cond, step, (0, a))


def in_fori(a):
    def step(i, v):
        checkify.check(v < 10, "v is {} at {}", v, i)
        return v * 2
    return lax.fori_loop(0, 6, step, a)


@lintra.custom_vjp
def custom_log(a):
    return jnp.log(a)


custom_log.defvjp(lambda a: (jnp.log(a), a), lambda r, g: (g / r,))


@lintra.custom_jvp
def checked_log(a):
    checkify.check(a > 0, "cf {}", a)
    return jnp.log(a)


checked_log.defjvp(lambda p, t: (checked_log(p[0]), t[0] / p[0]))


def all_positive(a):
    checkify.check(jnp.all(a > 0), "neg {}", a)
    return a


def sine_check(a):
    checkify.check(a > 0, "r {}", a)
    return jnp.sin(a)

# (name, function returning err.get(), JAX 0.10.2's message)
CASES = [
    # user checks: eagerly, under jit (inside and outside), vmap (both orders), grad, jvp, control flow
    ("user", lambda: _get(positive, U, jnp.array(-3.)), "a must be positive, got -3.0 (`check` failed)"),
    ("user ok", lambda: checkify.checkify(positive)(jnp.array(3.))[0].get(), None),
    ("user kwargs", lambda: checkify.checkify(lambda a: checkify.check(a[0] > 5, "x {} {y}", a, y=a[0]))(
        jnp.array([1., 2.]))[0].get(), "x [1. 2.] 1.0 (`check` failed)"),
    ("user int bool", lambda: checkify.checkify(lambda a: checkify.check(a > 5, "a is {} / {}", a, a > 1))(
        jnp.array(3))[0].get(), "a is 3 / True (`check` failed)"),
    ("python bool pred", lambda: checkify.checkify(lambda a: checkify.check(False, "x {}", a))(
        jnp.array([1., 2.]))[0].get(), "x [1. 2.] (`check` failed)"),
    ("jit(checkify)", lambda: lintra.jit(checkify.checkify(positive))(jnp.array(-2.))[0].get(),
     "a must be positive, got -2.0 (`check` failed)"),
    ("checkify(jit)", lambda: checkify.checkify(lintra.jit(positive))(jnp.array(-2.))[0].get(),
     "a must be positive, got -2.0 (`check` failed)"),
    ("checkify(vmap)", lambda: checkify.checkify(lintra.vmap(positive))(jnp.array([1., -2., 3., -4.]))[0].get(),
     "a must be positive, got -4.0 (`check` failed)"),
    ("checkify(vmap) last", lambda: checkify.checkify(lintra.vmap(positive))(jnp.array([-1., -2., 3., 4.]))[0].get(),
     "a must be positive, got -2.0 (`check` failed)"),
    ("vmap(checkify)", lambda: lintra.vmap(checkify.checkify(positive))(jnp.array([1., -2., 3., -4.]))[0].get(),
     "at mapped index 1: a must be positive, got -2.0 (`check` failed)\n"
     "at mapped index 3: a must be positive, got -4.0 (`check` failed)"),
    ("vmap(vmap(checkify))", lambda: lintra.vmap(lintra.vmap(checkify.checkify(positive)))(
        jnp.array([[1., -2.], [3., -4.]]))[0].get(),
     "at mapped index 0, 1: a must be positive, got -2.0 (`check` failed)\n"
     "at mapped index 1, 1: a must be positive, got -4.0 (`check` failed)"),
    ("checkify(grad)", lambda: checkify.checkify(lintra.grad(positive))(jnp.array(-2.))[0].get(),
     "a must be positive, got -2.0 (`check` failed)"),
    ("grad(checkify) aux", lambda: lintra.grad(lambda a: checkify.checkify(positive)(a)[::-1], has_aux=True)(
        jnp.array(-2.))[1].get(), "a must be positive, got -2.0 (`check` failed)"),
    ("jvp(checkify)", lambda: lintra.jvp(checkify.checkify(positive), (jnp.array(-2.),), (jnp.array(1.),))[0][0].get(),
     "a must be positive, got -2.0 (`check` failed)"),
    ("checkify(jvp)", lambda: checkify.checkify(lambda a: lintra.jvp(positive, (a,), (a,)))(jnp.array(-3.))[0].get(),
     "a must be positive, got -3.0 (`check` failed)"),
    ("scan", lambda: checkify.checkify(lambda xs: lax.scan(body, 0., xs))(jnp.arange(5.))[0].get(),
     "x too big: 3.0 (`check` failed)"),
    # the check made first while tracing is reported, even when a NaN came earlier at run time (as JAX)
    ("scan all", lambda: checkify.checkify(lambda xs: lax.scan(body, 0., xs), errors=ALL)(
        jnp.array([1., -1., 5.]))[0].get(), "x too big: 5.0 (`check` failed)"),
    ("checkify(vmap(scan))", lambda: checkify.checkify(lintra.vmap(lambda xs: lax.scan(body, 0., xs)))(
        jnp.array([[1., 2.], [5., 1.], [1., 4.]]))[0].get(), "x too big: 5.0 (`check` failed)"),
    ("vmap(checkify(scan))", lambda: lintra.vmap(checkify.checkify(lambda xs: lax.scan(body, 0., xs)))(
        jnp.array([[1., 2.], [5., 1.], [1., 4.]]))[0].get(),
     "at mapped index 1: x too big: 5.0 (`check` failed)\nat mapped index 2: x too big: 4.0 (`check` failed)"),
    ("cond true", lambda: checkify.checkify(in_cond)(jnp.array(0.), jnp.array(-1.))[0].get(),
     "true branch -1.0 (`check` failed)"),
    ("cond false nan", lambda: checkify.checkify(in_cond, errors=ALL)(jnp.array(-7.), jnp.array(-7.))[0].get(),
     "nan generated by primitive: sqrt."),
    ("cond ok", lambda: checkify.checkify(in_cond, errors=ALL)(jnp.array(7.), jnp.array(7.))[0].get(), None),
    ("while body", lambda: checkify.checkify(in_while)(jnp.array(1.))[0].get(), "i too big 3 (`check` failed)"),
    ("while cond", lambda: checkify.checkify(in_while)(jnp.array(60.))[0].get(), "v overflow 120.0 (`check` failed)"),
    ("while cond first", lambda: checkify.checkify(in_while)(jnp.array(600.))[0].get(),
     "v overflow 600.0 (`check` failed)"),
    ("fori", lambda: checkify.checkify(in_fori)(jnp.array(1.))[0].get(), "v is 16.0 at 4 (`check` failed)"),
    ("jit fori", lambda: lintra.jit(checkify.checkify(in_fori))(jnp.array(1.))[0].get(),
     "v is 16.0 at 4 (`check` failed)"),
    ("debug_check", lambda: checkify.checkify(lambda a: checkify.debug_check(a > 0, "neg!"))(jnp.array(-1.))[0].get(),
     "neg! (`check` failed)"),
    ("debug_check jit", lambda: lintra.jit(checkify.checkify(lambda a: checkify.debug_check(a > 0, "neg!")))(
        jnp.array(-1.))[0].get(), "neg! (`check` failed)"),
    ("nested inner", lambda: checkify.checkify(checkify.checkify(in_cond))(jnp.array(0.), jnp.array(-1.))[1][0].get(),
     "true branch -1.0 (`check` failed)"),
    ("nested outer", lambda: checkify.checkify(checkify.checkify(in_cond))(jnp.array(0.), jnp.array(-1.))[0].get(),
     None),
    ("custom_jvp", lambda: checkify.checkify(checked_log)(jnp.array(-1.))[0].get(), "cf -1.0 (`check` failed)"),
    ("custom_jvp jit all", lambda: lintra.jit(checkify.checkify(checked_log, errors=ALL))(jnp.array(-1.))[0].get(),
     "cf -1.0 (`check` failed)"),
    ("remat", lambda: _get(lintra.checkpoint(sine_check), U, jnp.array(-1.)), "r -1.0 (`check` failed)"),
    ("grad remat", lambda: checkify.checkify(lintra.grad(lintra.checkpoint(sine_check)))(jnp.array(-1.))[0].get(),
     "r -1.0 (`check` failed)"),
    ("jit(vmap(checkify))", lambda: lintra.jit(lintra.vmap(checkify.checkify(sine_check)))(
        jnp.array([-1., 2.]))[0].get(),
     "at mapped index 0: r -1.0 (`check` failed)"),
    ("checkify(jit(vmap))", lambda: _get(lintra.jit(lintra.vmap(sine_check)), U, jnp.array([-1., 2.])),
     "r -1.0 (`check` failed)"),
    ("lax.map", lambda: checkify.checkify(lambda xs: lax.map(lambda a: (checkify.check(a > 0, "m {}", a), a)[1], xs))(
        jnp.array([1., -2., -3.]))[0].get(), "m -2.0 (`check` failed)"),
    ("closure under jit", lambda: lintra.jit(lambda a: checkify.checkify(lambda y: all_positive(y + a))(a)[0])(
        jnp.array(-1.)).get(), "neg -2.0 (`check` failed)"),
    ("pytree argument", lambda: _get(lambda d: all_positive(d["a"]) + d["b"], U,
                                     {"a": jnp.array(-1.), "b": jnp.array(2.)}), "neg -1.0 (`check` failed)"),
    ("checkify in scan", lambda: lax.scan(lambda c, a: (c, checkify.checkify(all_positive)(a)[0]), 0.,
                                          jnp.array([1., -2., 3.]))[1].get(),
     "at mapped index 1: neg -2.0 (`check` failed)"),
    ("python control flow", lambda: _get(lambda a, n: all_positive(a) if n > 1 else a, U, jnp.array(-2.), 3),
     "neg -2.0 (`check` failed)"),
    ("checkify(vmap(vmap))", lambda: _get(lintra.vmap(lintra.vmap(all_positive)), U, jnp.array([[1., -1.], [-2., 3.]])),
     "neg -2.0 (`check` failed)"),
    # nan_checks
    ("nan log", lambda: _get(jnp.log, N, jnp.array(-1.)), "nan generated by primitive: log."),
    ("nan sin", lambda: _get(jnp.sin, N, jnp.array(np.inf)), "nan generated by primitive: sin."),
    ("nan sum", lambda: checkify.checkify(jnp.sum, errors=N)(jnp.array([np.inf, -np.inf]))[0].get(),
     "nan generated by primitive: reduce_sum."),
    ("nan mul of nan", lambda: checkify.checkify(lambda a: a * 2., errors=N)(jnp.array(np.nan))[0].get(),
     "nan generated by primitive: mul."),
    ("nan int", lambda: checkify.checkify(lambda a: a * 2, errors=N)(jnp.array(3))[0].get(), None),
    ("nan first op", lambda: _get(lambda a: jnp.log(a) + jnp.sin(a), N, jnp.array(-np.inf)),
     "nan generated by primitive: log."),
    ("nan off", lambda: checkify.checkify(jnp.log)(jnp.array(-1.))[0].get(), None),
    ("nan jit", lambda: lintra.jit(checkify.checkify(jnp.log, errors=N))(jnp.array([1., -1.]))[0].get(),
     "nan generated by primitive: log."),
    ("nan checkify(jit)", lambda: checkify.checkify(lintra.jit(jnp.log), errors=N)(jnp.array(-2.))[0].get(),
     "nan generated by primitive: log."),
    ("nan checkify(vmap)", lambda: checkify.checkify(lintra.vmap(jnp.log), errors=N)(jnp.array([1., -2.]))[0].get(),
     "nan generated by primitive: log."),
    ("nan vmap(checkify)", lambda: lintra.vmap(checkify.checkify(jnp.log, errors=N))(
        jnp.array([1., -2., 3., -4.]))[0].get(),
     "at mapped index 1: nan generated by primitive: log.\nat mapped index 3: nan generated by primitive: log."),
    ("nan grad", lambda: checkify.checkify(lintra.grad(jnp.sqrt), errors=N)(jnp.array(-2.))[0].get(),
     "nan generated by primitive: sqrt."),
    ("nan grad backward", lambda: checkify.checkify(lintra.grad(lambda a: jnp.sin(a) * a), errors=N)(
        jnp.array(np.inf))[0].get(), "nan generated by primitive: sin."),
    ("nan while", lambda: checkify.checkify(lambda a: lax.while_loop(
        lambda c: c[0] < 3, lambda c: (c[0] + 1, jnp.log(c[1] - 2.)), (0, a)), errors=N)(jnp.array(5.))[0].get(),
     "nan generated by primitive: log."),
    ("nan fori", lambda: checkify.checkify(lambda a: lax.fori_loop(0, 3, lambda i, c: jnp.sqrt(c - 3.), a), errors=N)(
        jnp.array(5.))[0].get(), "nan generated by primitive: sqrt."),
    ("nan scan", lambda: checkify.checkify(lambda xs: lax.scan(body, 0., xs), errors=N)(jnp.arange(-1., 4.))[0].get(),
     "nan generated by primitive: log."),
    ("nan cond untaken", lambda: checkify.checkify(lambda p, a: lax.cond(p, jnp.sqrt, jnp.exp, a), errors=N)(
        jnp.array(False), jnp.array(-5.))[0].get(), None),
    ("nan remat", lambda: checkify.checkify(lintra.checkpoint(jnp.log), errors=N)(jnp.array(-1.))[0].get(),
     "nan generated by primitive: log."),
    ("nan custom_jvp", lambda: checkify.checkify(lambda a: lintra.nn.softplus(a) + jnp.log(a), errors=N)(
        jnp.array(-1.))[0].get(), "nan generated by primitive: log."),
    ("nan custom_vjp", lambda: checkify.checkify(custom_log, errors=N)(jnp.array(-1.))[0].get(),
     "nan generated by primitive: log."),
    ("nan checkify(grad(scan))", lambda: checkify.checkify(lintra.grad(
        lambda xs: lax.scan(lambda c, a: (c * jnp.log(a), None), 1., xs)[0]), errors=N)(jnp.array([1., -2.]))[0].get(),
     "nan generated by primitive: log."),
    ("float hessian", lambda: _get(lintra.hessian(lambda a: jnp.sum(jnp.sqrt(a))), checkify.float_checks,
                                   jnp.array([1., 0.])), "division by zero"),
    # div_checks
    ("div int", lambda: checkify.checkify(lambda a, b: a // b, errors=D)(jnp.array(3), jnp.array(0))[0].get(),
     "division by zero"),
    ("div float", lambda: checkify.checkify(lambda a, b: a / b, errors=D)(jnp.array(3.), jnp.array(0.))[0].get(),
     "division by zero"),
    ("div before nan", lambda: checkify.checkify(lambda a, b: a / b, errors=checkify.float_checks)(
        jnp.array(0.), jnp.array(0.))[0].get(), "division by zero"),
    ("rem unchecked", lambda: _get(lambda a, b: a % b, D, jnp.array(3), jnp.array(0)), None),
    ("div jit", lambda: lintra.jit(checkify.checkify(lambda a, b: a // b, errors=D))(
        jnp.array([3, 4]), jnp.array([1, 0]))[0].get(), "division by zero"),
    ("div vmap", lambda: lintra.vmap(checkify.checkify(lambda a, b: a // b, errors=D))(
        jnp.array([3, 4]), jnp.array([1, 0]))[0].get(), "at mapped index 1: division by zero"),
    ("nan jit(scan(cond))", lambda: _get(lintra.jit(lambda a: lax.scan(lambda c, y: (lax.cond(
        y > 0, lambda z: z, jnp.log, c + y), None), 0., a)[0]), N, jnp.array([1., -3., 1.])),
     "nan generated by primitive: log."),
    ("div checkify(vmap)", lambda: checkify.checkify(lintra.vmap(lambda a, b: a // b), errors=D)(
        jnp.array([3, 4]), jnp.array([1, 0]))[0].get(), "division by zero"),
    ("div grad", lambda: _get(lintra.grad(lambda a, b: a / b), D, jnp.array(3.), jnp.array(0.)),
     "division by zero"),
    ("div grad backward", lambda: checkify.checkify(lintra.grad(jnp.log), errors=D)(jnp.array(0.))[0].get(),
     "division by zero"),
    ("div custom_vjp backward", lambda: checkify.checkify(lintra.grad(custom_log), errors=D)(jnp.array(0.))[0].get(),
     "division by zero"),
    ("div scan", lambda: checkify.checkify(lambda a, b: lax.scan(lambda c, y: (c // y, c), a, b), errors=D)(
        jnp.array(100), jnp.array([2, 5, 0, 1]))[0].get(), "division by zero"),
    # index_checks (traced indices; see test_static_out_of_bounds_indices_are_clamped_statically)
    ("gather", lambda: checkify.checkify(lambda a, i: a[i], errors=I)(x3, jnp.array(5))[0].get(), _oob(5)),
    ("gather negative", lambda: checkify.checkify(lambda a, i: a[i], errors=I)(x3, jnp.array(-5))[0].get(), _oob(-2)),
    ("gather negative ok", lambda: checkify.checkify(lambda a, i: a[i], errors=I)(x3, jnp.array(-1))[0].get(), None),
    ("gather 2d", lambda: _get(lambda a, i, j: a[i, j], I, jnp.ones((3, 4)), jnp.array(1), jnp.array(6)),
     _oob(6, 1, 4, "(3, 4)")),
    ("gather row", lambda: checkify.checkify(lambda a, i: a[i], errors=I)(jnp.ones((3, 4)), jnp.array(4))[0].get(),
     _oob(4, 0, 3, "(3, 4)")),
    ("take", lambda: checkify.checkify(lambda a, i: jnp.take(a, i), errors=I)(x3, jnp.array([1, 3]))[0].get(), _oob(3)),
    ("dynamic_slice", lambda: _get(lambda a, i: lax.dynamic_slice(a, (i,), (2,)), I, x3, 2),
     _oob(2)),
    ("dynamic_update_slice", lambda: checkify.checkify(
        lambda a, i: lax.dynamic_update_slice(a, jnp.ones(2), (i,)), errors=I)(x3, jnp.array(-1))[0].get(), _oob(2)),
    ("scatter", lambda: checkify.checkify(lambda a, i: a.at[i].set(1.), errors=I)(x3, 4)[0].get(), _oob(4)),
    ("scatter_add", lambda: _get(lambda a, i: a.at[i].add(1.), I, x3, jnp.array(-7)), _oob(-4)),
    ("index jit", lambda: lintra.jit(checkify.checkify(lambda a, i: a[i], errors=I))(x3, jnp.array(5))[0].get(),
     _oob(5)),
    ("index checkify(jit)", lambda: _get(lintra.jit(lambda a, i: a[i]), I, x3, jnp.array(5)),
     _oob(5)),
    ("index vmap", lambda: lintra.vmap(checkify.checkify(lambda a, i: a[i], errors=I), in_axes=(None, 0))(
        x3, jnp.array([0, 4, 1, 9]))[0].get(), "at mapped index 1: " + _oob(4) + "\nat mapped index 3: " + _oob(9)),
    # a batched gather is one gather: its first out-of-bounds index is reported
    ("index checkify(vmap)", lambda: checkify.checkify(lintra.vmap(lambda a, i: a[i], in_axes=(None, 0)), errors=I)(
        x3, jnp.array([0, 4, 1, 9]))[0].get(), _oob(4)),
    ("index grad", lambda: _get(lintra.grad(lambda a, i: a[i]), I, x3, jnp.array(5)), _oob(5)),
    ("index fori", lambda: checkify.checkify(lambda a, n: lax.fori_loop(0, n, lambda i, v: v + jnp.arange(3.)[i], a),
                                             errors=I)(jnp.array(1.), 5)[0].get(), _oob(3)),
    ("index switch", lambda: _get(lambda i, a: lax.switch(i, [jnp.log, jnp.sin, lambda a: a[None][jnp.int32(2)]], a),
                                  ALL, 2, jnp.array(-1.)),
     _oob(2, 0, 1, "(1,)")),
    ("all vmap mixed", lambda: lintra.vmap(checkify.checkify(lambda a, i: jnp.log(a) + jnp.arange(3.)[i], errors=ALL))(
        jnp.array([1., -1., 2.]), jnp.array([0, 1, 7]))[0].get(),
     "at mapped index 1: nan generated by primitive: log.\nat mapped index 2: " + _oob(7)),
]


@pytest.mark.parametrize("name,run,expected", CASES, ids=[c[0] for c in CASES])
def test_messages_match_jax(name, run, expected):
    assert run() == expected


def test_error_sets_are_jax_s():
    assert checkify.user_checks == {errors.FailedCheckError} and checkify.nan_checks == {errors.NaNError}
    assert checkify.index_checks == {errors.OOBError} and checkify.div_checks == {errors.DivisionByZeroError}
    assert checkify.float_checks == checkify.nan_checks | checkify.div_checks
    assert checkify.automatic_checks == checkify.float_checks | checkify.index_checks
    assert checkify.all_checks == checkify.automatic_checks | checkify.user_checks
    assert checkify.all_checks - checkify.nan_checks == \
        checkify.div_checks | checkify.index_checks | checkify.user_checks
    assert len(checkify.all_checks) == 4
    # only the enabled sets report
    f = lambda a: jnp.log(a) / a  # noqa: E731
    assert checkify.checkify(f, errors=checkify.all_checks - checkify.nan_checks)(jnp.array(0.))[0].get() == \
        "division by zero"
    assert checkify.checkify(f, errors=checkify.index_checks)(jnp.array(0.))[0].get() is None


def test_error_object():
    err, out = checkify.checkify(positive)(jnp.array(-3.))
    assert str(err) == "Error(a must be positive, got -3.0 (`check` failed))"
    assert type(err.get_exception()).__name__ == "FailedCheckError"
    with pytest.raises(checkify.JaxRuntimeError, match=r"a must be positive, got -3.0 \(`check` failed\)"):
        err.throw()
    assert issubclass(checkify.JaxRuntimeError, ValueError)
    ok, _ = checkify.checkify(positive)(jnp.array(3.))
    assert ok.get() is None and ok.get_exception() is None and ok.throw() is None
    assert checkify.init_error.get() is None
    # a pytree: its leaves are the predicate, the code and the payload; it passes through jit
    leaves = lintra.tree_util.tree_leaves(err)
    assert [np.asarray(v).dtype for v in leaves] == [np.bool_, np.int32, np.float32]
    err2 = lintra.jit(lambda e: e)(err)
    assert err2.get() == err.get()


def _weak(err):
    return [(str(v.dtype), v.shape, v.weak_type) for v in lintra.tree_util.tree_leaves(err)]


def test_error_codes_are_weakly_typed_as_jax_s():
    # JAX 0.10.2 makes the codes from Python ints: weak scalars of the default int type, which promote as a
    # Python int would (recorded: jax.tree.leaves(err) dtypes and weak types, and the promotions below)
    f = checkify.checkify(positive, errors=ALL)
    a = jnp.array(-3.)
    assert _weak(f(a)[0]) == _weak(lintra.jit(f)(a)[0]) == [("bool", (), False), ("bool", (), False),
                                                            ("int32", (), True), ("int32", (), True),
                                                            ("float32", (), True)]
    assert _weak(checkify.checkify(lambda y, i: y[i], errors=I)(x3, 5)[0]) == \
        [("bool", (), False), ("int32", (), True), ("int32", (3,), False)]
    assert _weak(lintra.vmap(checkify.checkify(positive))(jnp.array([1., -2.]))[0]) == \
        [("bool", (2,), False), ("int32", (2,), True), ("float32", (2,), False)]
    assert _weak(checkify.checkify(in_cond, errors=ALL)(jnp.array(0.), jnp.array(-1.))[0]) == \
        [("bool", (), False), ("bool", (), False), ("int32", (), True), ("int32", (), True), ("float32", (), False)]
    assert _weak(checkify.checkify(_doubling)(jnp.array(1.))[0]) == \
        [("bool", (), False), ("int32", (), True), ("float32", (), False)]
    code = lintra.tree_util.tree_leaves(f(a)[0])[2]
    assert (code + jnp.int8(1)).dtype == np.int8 and (code * 1.5).dtype == np.float32
    assert jnp.add(code, jnp.uint8(2)).dtype == np.uint8 and (code + jnp.float16(1)).dtype == np.float16
    assert "-> (bool[], ~i32[], ~f32[], ~f32[])" in str(lintra.make_jaxpr(checkify.checkify(positive))(a))


def test_error_codes_follow_x64_as_jax_s():
    lintra.config.update("enable_x64", True)
    try:       # recorded with JAX_ENABLE_X64=1: the codes are weak int64
        err = checkify.checkify(positive, errors=ALL)(jnp.array(-3.))[0]
        assert _weak(err)[2:4] == [("int64", (), True), ("int64", (), True)]
        assert err.get() == "a must be positive, got -3.0 (`check` failed)"
        err = checkify.checkify(lambda y, i: y[i], errors=I)(jnp.arange(3.), 5)[0]
        assert _weak(err)[1:] == [("int64", (), True), ("int32", (3,), False)] and err.get() == _oob(5)
    finally:
        lintra.config.update("enable_x64", False)


def test_batched_error_throws_the_last_failing_member():
    err, _ = lintra.vmap(checkify.checkify(positive))(jnp.array([1., -2., 3., -4.]))
    assert type(err.get_exception()).__name__ == "BatchedError"
    with pytest.raises(checkify.JaxRuntimeError, match=r"got -4.0"):
        err.throw()
    np.testing.assert_array_equal(np.asarray(lintra.tree_util.tree_leaves(err)[0]), [False, True, False, True])


def test_jit_repeated_calls_report_their_own_values():
    f = lintra.jit(checkify.checkify(lambda a: (checkify.check(a < 2, "a={a}", a=a), a)[1]))
    assert f(jnp.array(1.))[0].get() is None
    assert f(jnp.array(5.))[0].get() == "a=5.0 (`check` failed)"
    assert f(jnp.array(7.))[0].get() == "a=7.0 (`check` failed)"


def test_outputs_and_gradients_are_unchanged():
    err, out = checkify.checkify(lambda a, b=None: {"s": jnp.sin(a) + b}, errors=ALL)(jnp.array(1.), b=jnp.array(2.))
    assert err.get() is None
    np.testing.assert_allclose(out["s"], np.sin(1.) + 2., rtol=1e-6)
    g = lintra.grad(lambda a: checkify.checkify(positive, errors=ALL)(a)[1])(jnp.array(2.))
    np.testing.assert_allclose(g, 0.5, rtol=1e-6)
    err, g = checkify.checkify(lintra.grad(lambda a: jnp.sum(lintra.nn.relu(a) * a)), errors=ALL)(x3)
    assert err.get() is None
    np.testing.assert_allclose(g, 2 * np.asarray(x3), rtol=1e-6)


# ---- check outside checkify ------------------------------------------------------------------------------

def _no_check(a):
    checkify.check(a > 0, "neg!")
    return a


def test_check_outside_checkify_raises_eagerly_and_under_grad_and_vmap():
    with pytest.raises(checkify.JaxRuntimeError, match=r"^neg! \(`check` failed\)$"):
        _no_check(jnp.array(-1.))
    assert float(_no_check(jnp.array(1.))) == 1.
    with pytest.raises(checkify.JaxRuntimeError, match=r"^neg! \(`check` failed\)$"):
        lintra.grad(_no_check)(jnp.array(-1.))
    with pytest.raises(checkify.JaxRuntimeError, match=r"^neg! \(`check` failed\)$"):
        lintra.vmap(_no_check)(jnp.array([1., -1.]))
    with pytest.raises(checkify.JaxRuntimeError, match=r"^pos -3.0 \(`check` failed\)$"):
        lintra.vmap(lambda a: (checkify.check(a > 0, "pos {}", a), a)[1])(jnp.array([1., -2., -3., 4.]))
    with pytest.raises(checkify.JaxRuntimeError, match=r"^nope 3 \(`check` failed\)$"):
        checkify.check(False, "nope {}", jnp.array(3))
    assert checkify.check(jnp.array(True), "fine") is None


FUNCTIONALIZATION = ("Cannot abstractly evaluate a checkify.check which was not functionalized. This probably means "
                     "you tried to stage (jit/scan/pmap/...) a `check` without functionalizing it through "
                     "`checkify.checkify`.")


def test_check_under_jit_without_checkify_is_jax_s_error():
    for arg in (-1., 1.):
        with pytest.raises(ValueError) as info:
            lintra.jit(_no_check)(jnp.array(arg))
        assert str(info.value) == FUNCTIONALIZATION


def test_debug_check_is_dropped_outside_checkify():
    f = lambda a: (checkify.debug_check(a > 0, "neg!"), a)[1]  # noqa: E731
    assert float(f(jnp.array(-1.))) == -1.
    assert float(lintra.jit(f)(jnp.array(-1.))) == -1.


def test_check_error():
    def inner(a):
        err, out = checkify.checkify(lambda y: (checkify.check(y > 0, "inner {}", y), y)[1])(a)
        checkify.check_error(err)
        return out
    with pytest.raises(checkify.JaxRuntimeError, match=r"^inner -1.0 \(`check` failed\)$"):
        inner(jnp.array(-1.))
    assert float(inner(jnp.array(1.))) == 1.
    assert checkify.checkify(inner)(jnp.array(-1.))[0].get() == "inner -1.0 (`check` failed)"
    with pytest.raises(ValueError, match="Cannot abstractly evaluate"):
        lintra.jit(inner)(jnp.array(-1.))
    with pytest.raises(ValueError, match="Cannot abstractly evaluate"):      # Error.throw stages a check too
        lintra.jit(lambda a: checkify.checkify(all_positive)(a)[0].throw())(jnp.array(-2.))
    assert lintra.jit(lambda a: checkify.check_error(checkify.init_error))(jnp.array(3.)) is None
    with pytest.raises(TypeError, match=r"^check_error takes an Error as argument, got type <class 'int'> instead.$"):
        checkify.check_error(3)


def test_bad_arguments_are_jax_s_type_errors():
    with pytest.raises(TypeError, match=r"^check takes a scalar pred as argument, got "):
        checkify.checkify(lambda a: checkify.check(a > 0, "x"))(jnp.array([1., 2.]))
    with pytest.raises(TypeError, match=r"^check takes a scalar pred as argument, got 1$"):
        checkify.check(1, "x")
    with pytest.raises(TypeError, match=r"^debug_check takes a scalar pred as argument, got 1.0$"):
        checkify.debug_check(1.0, "x")
    with pytest.raises(TypeError, match=r"^Formatting arguments to checkify.check need to be PyTrees of arrays, but "
                                        r"got 3 of type <class 'int'>.$"):
        checkify.checkify(lambda a: checkify.check(a[0] > 5, "x {}", 3))(jnp.array([1., 2.]))


def test_grad_of_checkify_keeps_custom_rules():
    np.testing.assert_allclose(lintra.grad(lambda a: checkify.checkify(checked_log)(a)[1])(jnp.array(2.)), 0.5)


def _doubling(a):
    def step(c):
        checkify.check(c < 10, "c big {}", c)
        return c * 2
    return lax.while_loop(lambda c: c < 20, step, a)


def test_vmapped_while_with_a_batched_predicate():
    # Beyond JAX, which refuses checkify of a vmapped while loop: members that are done (30.0 never enters
    # the loop) do not fail their checks; of the others the first error made (in iteration 3, member 1)
    # is kept, as JAX keeps the first error in a loop.
    xs = jnp.array([1., 3., 30.])
    assert checkify.checkify(lintra.vmap(_doubling))(xs)[0].get() == "c big 12.0 (`check` failed)"
    assert lintra.vmap(checkify.checkify(_doubling))(xs)[0].get() == \
        "at mapped index 0: c big 16.0 (`check` failed)\nat mapped index 1: c big 12.0 (`check` failed)"
    assert checkify.checkify(lintra.vmap(_doubling))(jnp.array([1., 30.]))[0].get() == "c big 16.0 (`check` failed)"
    assert checkify.checkify(lintra.vmap(_doubling))(jnp.array([30., 40.]))[0].get() is None


def test_static_out_of_bounds_indices_are_gathered():
    # as JAX: an in-bounds static index is a slice, an out-of-bounds one is gathered (and clamped), so
    # index_checks sees it
    assert _get(lambda a: a[5], I, x3) == _oob(5)
    assert _get(lambda a: a[-5], I, x3) == _oob(-2)
    assert _get(lambda a: a[1, 6], I, jnp.ones((3, 4))) == _oob(6, 1, 4, "(3, 4)")
    assert _get(lambda a: a[2] + a[-3], I, x3) is None
    assert float(x3[5]) == 3. and float(x3[-5]) == 1.


def test_importable_as_jax_s_module():
    import lintra.experimental.checkify as mod
    assert mod is checkify and lintra.experimental.checkify is checkify
    for name in ("Error", "ErrorCategory", "JaxRuntimeError", "all_checks", "automatic_checks", "check",
                 "check_error", "checkify", "debug_check", "div_checks", "float_checks", "index_checks",
                 "init_error", "nan_checks", "user_checks"):
        assert hasattr(checkify, name), name


CHEX = textwrap.dedent("""
    import lintra.compat
    lintra.compat.alias_jax()
    import chex, jax, jax.numpy as jnp

    @chex.chexify
    @jax.jit
    def log_abs(x):
        chex.assert_tree_all_finite(x)
        return jnp.log(jnp.abs(x) + 1)
    print(log_abs(jnp.ones(2)))
    try:
        log_abs(jnp.array([jnp.nan, 3.]))
        chex.block_until_chexify_assertions_complete()
    except AssertionError as e:
        print(str(e))

    def g(x):
        chex.assert_tree_all_finite(x)
        return x * 2
    print(chex.chexify(g, async_check=False)(jnp.array([1., 2.])))
""")


@pytest.mark.skipif(importlib.util.find_spec("chex") is None, reason="chex is not installed")
def test_chex_chexify():
    r = subprocess.run([sys.executable, "-c", CHEX], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    # as chex 0.1.92 on JAX 0.10.2 prints them: chex's message and location, then checkify's suffix
    lines = r.stdout.splitlines()
    assert lines[0] == "[0.6931472 0.6931472]" and lines[2] == "[2. 4.]"
    assert re.fullmatch(r"\[Chex\] chexify assertion 'assert_tree_all_finite' failed: Tree contains non-finite "
                        r"value: nan\. \[failed at: <string>:\d+\] \(`check` failed\)", lines[1]), lines[1]
