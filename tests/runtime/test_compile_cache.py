"""The persistent compilation cache: a second process loads executables instead of compiling them; bad
entries are compiled again; LINTRA_CACHE_DIR="" turns it off."""
import glob
import hashlib
import json
import os
import subprocess
import sys

import numpy as np

import lintra
import lintra.numpy as jnp
from lintra.ir.types import TensorType
from lintra.runtime import compile_cache, pjrt
from lintra.runtime.array import Array

# A fresh process: jit a function never compiled before in it, print its result and the cache's counters.
CHILD = """
import json, sys
import numpy as np
import lintra, lintra.numpy as jnp
from lintra.runtime import compile_cache
f = lintra.jit(lambda x, y: jnp.tanh(x @ y) * 3.0 + 1.0)
out = f(np.arange(6, dtype=np.float32).reshape(2, 3) / 6, np.ones((3, 2), np.float32))
print(json.dumps({"out": np.asarray(out).tolist(), "stats": compile_cache.stats}))
"""


def expected():
    x = np.arange(6, dtype=np.float32).reshape(2, 3) / 6
    return np.tanh(x @ np.ones((3, 2), np.float32)) * 3.0 + 1.0


def run_child(cache_dir):
    env = dict(os.environ, LINTRA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(result["out"], expected(), rtol=1e-5)
    return result["stats"]


def entries(d):
    return sorted(glob.glob(os.path.join(d, "*.xla")))


def test_second_process_loads_instead_of_compiling(tmp_path):
    d = str(tmp_path)
    first = run_child(d)
    assert first["misses"] >= 1 and first["hits"] == 0
    assert len(entries(d)) == first["misses"]
    second = run_child(d)
    assert second == {"hits": first["misses"], "misses": 0, "errors": 0}


def damage(path, how):
    data = open(path, "rb").read()
    if how == "truncate":
        data = data[:len(data) // 2]
    elif how == "flip_payload":
        data = data[:-10] + bytes(b ^ 0xFF for b in data[-10:])
    else:   # an intact file whose payload the runtime refuses
        payload = b"not an executable"
        data = compile_cache.MAGIC + hashlib.sha256(payload).digest() + payload
    open(path, "wb").write(data)


def test_bad_entries_are_compiled_again(tmp_path):
    d = str(tmp_path)
    n = run_child(d)["misses"]
    for how in ["truncate", "flip_payload", "refused"]:
        for path in entries(d):
            damage(path, how)
        stats = run_child(d)
        assert stats == {"hits": 0, "misses": n, "errors": n if how == "refused" else 0}, how
    assert run_child(d) == {"hits": n, "misses": 0, "errors": 0}     # each entry was rewritten whole


def test_empty_dir_disables_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LINTRA_CACHE_DIR", "")
    assert compile_cache.cache_dir() is None
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    f = lintra.jit(lambda x: jnp.sin(x) * 7.0 - 2.0)
    np.testing.assert_allclose(np.asarray(f(np.ones(5, np.float32))), np.sin(np.ones(5)) * 7 - 2, rtol=1e-6)
    assert not os.path.exists(os.path.join(str(tmp_path), ".cache", "lintra"))


def test_default_dir_is_the_user_cache(monkeypatch, tmp_path):
    monkeypatch.delenv("LINTRA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compile_cache.cache_dir() == os.path.join(str(tmp_path), "lintra")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert compile_cache.cache_dir() == os.path.join(str(tmp_path), ".cache", "lintra")


def test_key_depends_on_text_options_and_flags(monkeypatch):
    devs = [pjrt.client().devices()[0]]
    opts = pjrt.compile_options().SerializeAsString()
    base = compile_cache.key("module {}", devs, opts)
    assert compile_cache.key("module {}", devs, opts) == base
    assert compile_cache.key("module { }", devs, opts) != base
    assert compile_cache.key("module {}", devs, opts + b"x") != base
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")
    assert compile_cache.key("module {}", devs, opts) != base


def test_in_process_round_trip(tmp_path, monkeypatch):
    """Compiled, written, then read back by the same process: the loaded executable computes the same."""
    monkeypatch.setenv("LINTRA_CACHE_DIR", str(tmp_path))
    text = """module {
  func.func @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {
    %0 = stablehlo.multiply %arg0, %arg0 : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
}"""
    dev = pjrt.client().devices()[0]
    x = pjrt.device_put(np.array([1, -2, 3, 0.5], np.float32), dev)
    hits = compile_cache.stats["hits"]
    for _ in range(2):
        exe = compile_cache.compile(text, [dev])
        handlers = pjrt.result_handlers([((4,), np.dtype(np.float32), False)], dev)
        out, = pjrt.execute(exe, [x], handlers)
        np.testing.assert_array_equal(np.asarray(Array(out, TensorType((4,), np.dtype(np.float32)))),
                                      [1, 4, 9, 0.25])
    assert compile_cache.stats["hits"] == hits + 1
    assert len(entries(str(tmp_path))) == 1
