"""Devices follow data, as in JAX: arrays placed on a device are committed to it, computations run where
their committed inputs are (eager ops, jit, grad), uncommitted inputs follow, and conflicting commitments are
an error naming the devices. Four CPU devices need a process of their own (the client is made once)."""
import os
import subprocess
import sys

CHILD = r"""
import numpy as np
import lintra, lintra.numpy as jnp
from lintra import lax

d = lintra.devices()
assert len(d) == 4, d
v = np.arange(3, dtype=np.float32)

u = jnp.asarray(v)                                # no device named: default device, uncommitted
assert u.device == d[0] and not u.committed and u.sharding.device_set == {d[0]}
x = lintra.device_put(v, d[3])
assert x.device == d[3] and x.committed and x.devices() == {d[3]}
assert lintra.device_put(x) is x                  # already placed: stays where it is

def check(out, value, device, committed):
    assert out.device == device, (out.device, device)
    assert out.committed == committed, (out.committed, committed)
    np.testing.assert_allclose(np.asarray(out), value, rtol=1e-6)

check(jnp.sin(x), np.sin(v), d[3], True)                       # eager jnp function
check(lax.add(x, 1.0), v + 1, d[3], True)                       # eager primitive
check(x * u + 2, v * v + 2, d[3], True)                         # uncommitted input follows the committed one
f = lintra.jit(lambda a, b: a * b + b)
for _ in range(3):                                              # the first call, then C++ replays
    check(f(x, v), v * v + v, d[3], True)
    check(f(x, u), v * v + v, d[3], True)
    check(f(u, u), v * v + v, d[0], False)
check(lintra.grad(lambda a: jnp.sum(jnp.sin(a)))(x), np.cos(v), d[3], True)
check(lintra.jit(lintra.grad(lambda a: jnp.sum(jnp.sin(a))))(x), np.cos(v), d[3], True)
check(lintra.vmap(jnp.sin)(x), np.sin(v), d[3], True)

y = lintra.device_put(x, d[1])                                  # device to device
check(y, v, d[1], True)
check(lintra.device_put(u, d[2]) + 1, v + 1, d[2], True)

for bad in (lambda: x + y, lambda: f(x, y), lambda: lax.mul(x, y), lambda: jnp.sin(x) * jnp.cos(y)):
    try:
        bad()
    except ValueError as e:
        assert "cpu:1" in str(e) and "cpu:3" in str(e) and "committed" in str(e), e
    else:
        raise AssertionError("conflicting commitments did not raise")
try:
    lintra.device_put(v, 3)
except TypeError as e:
    assert "device" in str(e) and "int" in str(e), e
else:
    raise AssertionError("device_put to an int did not raise")
print("ok")
"""


def test_devices_follow_data():
    env = dict(os.environ, LINTRA_NUM_CPU_DEVICES="4")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip().endswith("ok"), out.stderr[-3000:]
