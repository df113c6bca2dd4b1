"""Arguments JAX refuses are refused with a message naming the value; none is silently reinterpreted."""
import pytest

import lintra
import lintra.numpy as jnp
from lintra import lax

@lintra.custom_vjp
def bare_fwd(x):
    return jnp.sin(x)


bare_fwd.defvjp(lambda x: jnp.sin(x), lambda r, g: (g,))


@lintra.custom_jvp
def bare_jvp(x):
    return jnp.sin(x)


bare_jvp.defjvp(lambda p, t: jnp.sin(p[0]))


@lintra.custom_vjp
def bwd_shape(x):
    return jnp.sin(x)


bwd_shape.defvjp(lambda x: (jnp.sin(x), x), lambda r, g: (jnp.ones(3),))

CASES = [
    # (what, call, exception, message pattern): JAX 0.10.2's messages where JAX has a clear one
    ("integer_pow of a float exponent", lambda: lax.integer_pow(2., 1.5), TypeError,
     r"integer_pow: the exponent y must be an integer, got 1.5 of type float"),
    ("a float size", lambda: jnp.ones((2.5,)), TypeError,
     r"Shapes must be 1D sequences of concrete values of integer type, got \(2.5,\)\."),
    ("a float size in full", lambda: jnp.full((2.0,), 1), TypeError, r"got \(2.0,\)"),
    ("a negative size", lambda: jnp.ones((-1,)), TypeError,
     r"broadcast_in_dim shape must have every element be nonnegative, got \(-1,\)\."),
    ("a negative iota", lambda: lax.iota(jnp.int32, -1), TypeError,
     r"iota shape must have every element be nonnegative, got \(-1,\)\."),
    ("a negative broadcast", lambda: jnp.broadcast_to(1., (3, -1)), TypeError,
     r"nonnegative, got \(3, -1\)"),
    ("a negative scan length", lambda: lax.scan(lambda c, x: (c, x), 0., None, length=-1), ValueError,
     r"scan: length must be a non-negative integer, got -1"),
    ("grad of a list", lambda: lintra.grad(lambda x: [x])(1.), TypeError,
     r"gradient only defined for scalar-output functions; output was a list, not an array"),
    ("grad of a vector", lambda: lintra.grad(lambda x: x)(jnp.ones(2)), TypeError,
     r"scalar-output functions; output was \(2,\)"),
    ("static_argnums out of range", lambda: lintra.jit(lambda x: x, static_argnums=(3,))(1.), ValueError,
     r"Jitted function has static_argnums=\(3,\), but only accepts 1 positional arguments\."),
    ("unknown static_argnames", lambda: lintra.jit(lambda x: x, static_argnames=("y",))(1.), ValueError,
     r"invalid argnames \{'y'\} in static_argnames"),
    ("donate_argnums out of range", lambda: lintra.jit(lambda x: x, donate_argnums=(3,))(1.), ValueError,
     r"donate_argnums=\(3,\), but only accepts 1 positional arguments"),
    ("an int cotangent for a float output", lambda: lintra.vjp(jnp.sin, 1.)[1](jnp.int32(1)), ValueError,
     r"unexpected JAX type \(e.g. shape/dtype\) for argument to VJP function: got int32\[\], but expected "
     r"float32\[\] because the corresponding output of the differentiated function had JAX type float32\[\]"),
    ("a cotangent of the wrong shape", lambda: lintra.vjp(jnp.sin, 1.)[1](jnp.ones(3)), ValueError,
     r"got float32\[3\], but expected float32\[\]"),
    ("a custom_vjp fwd returning a bare array", lambda: lintra.grad(bare_fwd)(1.), TypeError,
     r"Custom VJP fwd rule <lambda> for function bare_fwd must produce a pair"),
    ("a custom_jvp rule returning a bare array", lambda: lintra.grad(bare_jvp)(1.), TypeError,
     r"Custom JVP rule <lambda> for function bare_jvp must produce a pair"),
    ("a custom_vjp bwd of the wrong shape", lambda: lintra.grad(bwd_shape)(1.), ValueError,
     r"bwd rule produced an output of type float32\[3\] corresponding to an input of type float32\[\]"),
    ("donated and static", lambda: lintra.jit(lambda x: x, donate_argnums=(0,), static_argnums=(0,))(1.),
     ValueError, r"static_argnames and donate_argnames cannot intersect"),
]


@pytest.mark.parametrize("call,exc,pattern", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_refused_with_a_clear_message(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()
