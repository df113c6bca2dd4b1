"""The persistent compilation cache: a second process loads executables instead of compiling them; bad,
copied or swapped entries are compiled again; the directory stays under its size cap; LINTRA_CACHE_DIR=""
turns it off."""
import glob
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import lintra
import lintra.numpy as jnp
from lintra.runtime import compile_cache, pjrt

# A fresh process: jit the functions named on its command line (never compiled before in it), print their
# results and the cache's counters.
CHILD = """
import json, sys
import numpy as np
import lintra, lintra.numpy as jnp
from lintra.runtime import compile_cache
x = np.array([0.5, 1.0, 2.0], np.float32)
m = np.arange(6, dtype=np.float32).reshape(2, 3) / 6
calls = {"sin": lambda: lintra.jit(jnp.sin)(x), "cos": lambda: lintra.jit(jnp.cos)(x),
         "mlp": lambda: lintra.jit(lambda a, b: jnp.tanh(a @ b) * 3.0 + 1.0)(m, np.ones((3, 2), np.float32))}
outs = {name: np.asarray(calls[name]()).tolist() for name in sys.argv[1:]}
print(json.dumps({"outs": outs, "stats": compile_cache.stats}))
"""
X = np.array([0.5, 1.0, 2.0], np.float32)
EXPECTED = {"sin": np.sin(X), "cos": np.cos(X),
            "mlp": np.tanh(np.arange(6, dtype=np.float32).reshape(2, 3) / 6 @ np.ones((3, 2))) * 3.0 + 1.0}


def run_child(cache_dir, *names):
    names = names or ("mlp",)
    env = dict(os.environ, LINTRA_CACHE_DIR=cache_dir)
    out = subprocess.run([sys.executable, "-c", CHILD, *names], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    for name in names:
        np.testing.assert_allclose(result["outs"][name], EXPECTED[name], rtol=1e-5, err_msg=name)
    return result["stats"]


def counts(hits=0, misses=0, errors=0, evictions=0):
    return {"hits": hits, "misses": misses, "errors": errors, "evictions": evictions}


def entries(d):
    return sorted(glob.glob(os.path.join(d, "*.xla")))


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def test_second_process_loads_instead_of_compiling(tmp_path):
    d = str(tmp_path)
    first = run_child(d)
    assert first["misses"] >= 1 and first["hits"] == 0
    assert len(entries(d)) == first["misses"]
    assert run_child(d) == counts(hits=first["misses"])


def damage(path, how):
    data = read(path)
    if how == "truncate":
        data = data[:len(data) // 2]
    elif how == "flip_payload":
        data = data[:-10] + bytes(b ^ 0xFF for b in data[-10:])
    else:   # an intact entry, stored under its own key, whose payload the runtime refuses
        k = os.path.basename(path)[:-len(".xla")]
        data = compile_cache._pack(compile_cache._header(k, "cpu"), b"not an executable")
    write(path, data)


def test_bad_entries_are_compiled_again(tmp_path):
    d = str(tmp_path)
    n = run_child(d)["misses"]
    for how in ["truncate", "flip_payload", "refused"]:
        for path in entries(d):
            damage(path, how)
        assert run_child(d) == counts(misses=n, errors=n), how
    assert run_child(d) == counts(hits=n)     # each entry was rewritten whole


@pytest.mark.parametrize("a, b", [("sin", "cos"), ("sin", "mlp")])    # the same signature, and another
def test_swapped_entries_are_compiled_again(tmp_path, a, b):
    """Intact entries under each other's names (a poisoned or hand-copied cache) never answer for each other."""
    d = str(tmp_path)
    path = {}
    for name in (a, b):
        before = set(entries(d))
        assert run_child(d, name) == counts(misses=1)
        path[name], = set(entries(d)) - before
    data = {name: read(p) for name, p in path.items()}
    write(path[a], data[b])
    write(path[b], data[a])
    assert run_child(d, a, b) == counts(misses=2, errors=2)       # and the results checked in run_child
    assert read(path[a]) != data[b] and read(path[b]) != data[a]
    assert run_child(d, a, b) == counts(hits=2)


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
    opts = pjrt.compile_options(devs).SerializeAsString()
    base = compile_cache.key("module {}", devs, opts)
    assert compile_cache.key("module {}", devs, opts) == base
    assert compile_cache.key("module { }", devs, opts) != base
    assert compile_cache.key("module {}", devs, opts + b"x") != base
    monkeypatch.setenv("XLA_FLAGS", "--xla_cpu_enable_fast_math=true")
    assert compile_cache.key("module {}", devs, opts) != base


def scale(c):
    """StableHLO for x * c, x: f32[4] (entries of one size, for c not 1 or 2, which XLA simplifies)."""
    return f"""module {{
  func.func @main(%arg0: tensor<4xf32>) -> tensor<4xf32> {{
    %0 = stablehlo.constant dense<{c}> : tensor<4xf32>
    %1 = stablehlo.multiply %arg0, %0 : tensor<4xf32>
    return %1 : tensor<4xf32>
  }}
}}"""


def test_in_process_round_trip(tmp_path, monkeypatch):
    """Compiled, written, then read back by the same process: the loaded executable computes the same."""
    monkeypatch.setenv("LINTRA_CACHE_DIR", str(tmp_path))
    hits = compile_cache.stats["hits"]
    for _ in range(2):
        f = lintra.jit(lambda x: x * x)        # a new jit each time: no executable held in memory
        np.testing.assert_array_equal(np.asarray(f(np.array([1, -2, 3, 0.5], np.float32))), [1, 4, 9, 0.25])
    assert compile_cache.stats["hits"] == hits + 1
    assert len(entries(str(tmp_path))) == 1


def test_least_recently_used_entries_are_evicted(tmp_path, monkeypatch):
    d = str(tmp_path)
    monkeypatch.setenv("LINTRA_CACHE_DIR", d)
    devs = [pjrt.client().devices()[0]]

    def path(c):
        return os.path.join(d, compile_cache.key(scale(c), devs, pjrt.compile_options(devs).SerializeAsString())
                            + ".xla")

    def use(c):
        compile_cache.compile(scale(c), devs)
        time.sleep(0.05)        # apart in mtime, whose clock is coarse

    def usage():
        return sum(os.path.getsize(p) for p in entries(d))

    use(3.0)
    size = usage()
    cap = int(size * 2.5)
    monkeypatch.setenv("LINTRA_CACHE_MAX_BYTES", str(cap))
    before = dict(compile_cache.stats)
    use(4.0)
    use(5.0)
    assert entries(d) == sorted([path(4.0), path(5.0)]) and usage() <= cap
    use(4.0)                    # a hit: now 5.0 is the least recently used
    young, stale = os.path.join(d, ".tmp-young"), os.path.join(d, ".tmp-stale")
    write(young, bytes(cap))    # another process's write in flight: neither counted nor removed
    write(stale, b"")
    os.utime(stale, (time.time() - 3600,) * 2)
    use(6.0)
    assert entries(d) == sorted([path(4.0), path(6.0)]) and usage() <= cap
    assert os.path.exists(young) and not os.path.exists(stale)
    assert {k: compile_cache.stats[k] - before[k] for k in before} == counts(hits=1, misses=3, evictions=2)

    monkeypatch.setenv("LINTRA_CACHE_MAX_BYTES", str(size // 2))
    use(7.0)                    # larger than the cap alone: not kept, and evicts nothing
    assert entries(d) == sorted([path(4.0), path(6.0)])
