"""Lintra in one page: trace a function to IR, lower it to StableHLO, run it jitted and eagerly."""
import numpy as np

import lintra
import lintra.numpy as jnp


def predict(w, x):
    return jnp.sum(jnp.tanh(jnp.multiply(w, x)))


w = np.linspace(-1.0, 1.0, 4, dtype=np.float32)
x = np.arange(4, dtype=np.float32)

print("== Lintra IR ==")
print(lintra.make_ir(predict)(w, x))
print("== StableHLO ==")
print(lintra.jit(predict).lower(w, x).as_text())
print("== results ==")
jitted = lintra.jit(predict)(w, x)
eager = predict(jnp.asarray(w), jnp.asarray(x))
print("jit:  ", jitted)
print("eager:", eager)
print("numpy:", np.sum(np.tanh(w * x)))
assert np.asarray(jitted) == np.asarray(eager), "eager and jit must agree on the same backend"
