"""The persistent compilation cache: serialized executables on disk, so a second process skips XLA.

An entry's key is a fingerprint of everything that decides the compiled code: the StableHLO text, the
backend platform and its version, jaxlib's version, the compile options, XLA_FLAGS, the devices, and
(on CPU, where the code is native) the host CPU's model and feature flags. Entries live in
$LINTRA_CACHE_DIR, by default the user's cache directory (~/.cache/lintra); LINTRA_CACHE_DIR="" turns
the cache off.

A file holds a magic line, a SHA-256 checksum, then a header naming the key it was stored under (with the
platform and jaxlib version) and the payload, both covered by the checksum. An entry that is truncated,
corrupt, stored under another key (a copied or swapped file) or refused by the runtime is deleted,
compiled again and rewritten.

The directory is kept under $LINTRA_CACHE_MAX_BYTES (default 1 GiB): each write evicts the least
recently used entries, by modification time, which a hit refreshes. Processes may share the directory.
"""
import hashlib
import logging
import os
import platform
import re
import tempfile
import threading
import time

from ..ir import callbacks
from ..lowering.lower import parse_module
from . import pjrt

MAGIC = b"lintra-executable-v2\n"
_TMP = ".tmp-"
_STALE_TMP_S = 600     # a temp file this old was left by a writer that died; a younger one may be mid-write
_host = None


def cache_dir():
    """The cache directory, or None when the cache is off."""
    d = os.environ.get("LINTRA_CACHE_DIR")
    if d is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "lintra")
    return d or None


def _host_fingerprint():
    """The host CPU (native code compiled for one CPU may not run on another sharing the cache)."""
    global _host
    if _host is None:
        lines = []
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith(("model name", "flags")):
                        lines.append(line)
                    if len(lines) >= 2:
                        break
        except OSError:
            pass
        _host = platform.machine() + "".join(lines)
    return _host


def key(text: str, devices, options_bytes: bytes) -> str:
    h = hashlib.sha256()
    backend = pjrt.backend_info(devices)
    for part in (text, backend, pjrt.JAXLIB_VERSION, os.environ.get("XLA_FLAGS", ""),
                 _host_fingerprint() if devices[0].platform == "cpu" else ""):
        h.update(part.encode() + b"\0")
    h.update(options_bytes)
    return h.hexdigest()


def _header(k, platform_name):
    return f"{k} {platform_name} {pjrt.JAXLIB_VERSION}\n".encode()


def _pack(header, payload):
    body = header + payload
    return MAGIC + hashlib.sha256(body).digest() + body


def _unpack(data, header):
    """The payload of an entry's bytes; ValueError unless they are intact and stored under `header`."""
    digest, body = data[len(MAGIC):len(MAGIC) + 32], data[len(MAGIC) + 32:]
    if data[:len(MAGIC)] != MAGIC or hashlib.sha256(body).digest() != digest:
        raise ValueError("damaged cache entry")
    if not body.startswith(header):
        raise ValueError("cache entry stored under another key")
    return body[len(header):]


def _remove(path):
    """Delete `path` if this process can (another may have just evicted it); True if this call did."""
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


def _load(path, header, devices, options):
    """The executable stored at `path`, or None; a bad entry is deleted and counted in stats['errors']."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    try:
        exe = pjrt.deserialize(_unpack(data, header), devices, options)
    except Exception:         # _unpack's refusals, an incompatible runtime, or damage past the checksum
        stats["errors"] += 1
        _remove(path)
        return None
    try:
        os.utime(path)        # recency, for eviction
    except OSError:
        pass
    return exe


# A scan stats every entry (~6 us each: 60 ms for 10,000 entries), so each process scans on its first write,
# then only when its running estimate (the last scan plus its own writes) passes the cap, or after
# _RESCAN_WRITES writes, which bounds what other processes' writes can add unseen.
_RESCAN_WRITES = 256
_estimates = {}          # directory -> [bytes at the last scan plus own writes since, writes since]
_estimates_lock = threading.Lock()


def _maybe_evict(directory, keep, size, cap):
    with _estimates_lock:
        est = _estimates.get(directory)
        if est is not None:
            est[0] += size
            est[1] += 1
            if est[0] <= cap and est[1] < _RESCAN_WRITES:
                return
        _estimates[directory] = [_evict(directory, keep, cap), 0]


def _evict(directory, keep, cap):
    """Delete least recently used entries, never `keep`, until the directory's entries fit in `cap`;
    returns the bytes left."""
    entries, total, now = [], 0, time.time()
    with os.scandir(directory) as it:
        for e in it:
            try:
                st = e.stat()
            except FileNotFoundError:     # evicted or renamed by another process meanwhile
                continue
            if e.name.endswith(".xla"):
                total += st.st_size
                if e.path != keep:
                    entries.append((st.st_mtime, st.st_size, e.path))
            elif e.name.startswith(_TMP) and now - st.st_mtime > _STALE_TMP_S:
                _remove(e.path)
    for _, size, path in sorted(entries):
        if total <= cap:
            break
        if _remove(path):
            stats["evictions"] += 1
        total -= size         # gone either way when another process removed it first
    return total


def _write(directory, path, data):
    """Write atomically (readers in other processes see the whole entry or none), then evict to the cap."""
    cap = int(os.environ.get("LINTRA_CACHE_MAX_BYTES", 1 << 30))
    if len(data) > cap:
        return
    tmp = None
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=_TMP)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        tmp = None
        _maybe_evict(directory, path, len(data), cap)
    except OSError:           # a read-only or full disk only costs the next process a compile
        if tmp is not None:
            _remove(tmp)


_log = logging.getLogger("lintra")
stats = {"hits": 0, "misses": 0, "errors": 0, "evictions": 0}


_CALLBACK_TARGET = "@xla_ffi_python_cpu_callback"


def _host_callbacks(text):
    """The functions the module's callback custom calls name, at their `index`: each call carries its
    registry id (see lowering/rules/callback.py); one that threads a token gets it back with its results."""
    found = {}
    for line in text.splitlines():
        if _CALLBACK_TARGET in line:
            index = int(re.search(r"index = (\d+) : ui64", line).group(1))
            fn = callbacks.lookup(int(re.search(r"lintra.callback_id = (\d+)", line).group(1)))
            found[index] = _threading_token(fn) if "!stablehlo.token" in line else fn
    return [found[i] for i in range(len(found))]


def _threading_token(fn):
    return lambda token, *args: (token, *fn(*args))


def _compile(module, devices, options, name, host_callbacks=()):
    """XLA's compile, logged as JAX logs it under jax_log_compiles."""
    start = time.perf_counter()
    exe = pjrt.compile(module, devices, options, host_callbacks)
    if pjrt.log_compiles.value:
        _log.warning("Finished XLA compilation of jit(%s) in %.9f sec", name, time.perf_counter() - start)
    return exe


def compile(text: str, devices, options=None, name="main"):
    """Compile StableHLO `text` (of the function `name`) for `devices` (with xla_client CompileOptions
    `options`), through the disk cache when it is on."""
    if options is None:
        options = pjrt.compile_options(devices)
    if _CALLBACK_TARGET in text:
        # its host callbacks are Python objects of this process: never cached on disk (as JAX)
        return _compile(parse_module(text), devices, options, name, _host_callbacks(text))
    directory = cache_dir()
    if directory is None:
        return _compile(text, devices, options, name)
    k = key(text, devices, options.SerializeAsString())
    path, header = os.path.join(directory, k + ".xla"), _header(k, devices[0].platform)
    exe = _load(path, header, devices, options)
    if exe is not None:
        stats["hits"] += 1
        return exe
    stats["misses"] += 1
    exe = _compile(text, devices, options, name)
    try:
        payload = pjrt.serialize(exe)
    except Exception:          # a backend that cannot serialize still runs
        return exe
    _write(directory, path, _pack(header, payload))
    return exe
