"""The persistent compilation cache: serialized executables on disk, so a second process skips XLA.

An entry's key is a fingerprint of everything that decides the compiled code: the StableHLO text, the
backend platform and its version, jaxlib's version, the compile options, XLA_FLAGS, the devices, and
(on CPU, where the code is native) the host CPU's model and feature flags. Entries live in
$LINTRA_CACHE_DIR, by default the user's cache directory (~/.cache/lintra); LINTRA_CACHE_DIR="" turns
the cache off. A file holds a magic line, the SHA-256 of its payload, then the payload; an entry that
is truncated, corrupt or refused by the runtime is compiled again and overwritten.
"""
import hashlib
import os
import platform
import tempfile

from . import pjrt

MAGIC = b"lintra-executable-v1\n"
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


def _read(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    head, digest, payload = data[:len(MAGIC)], data[len(MAGIC):len(MAGIC) + 32], data[len(MAGIC) + 32:]
    if head != MAGIC or hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def _write(directory, path, payload):
    """Write atomically: readers in other processes see the whole entry or none."""
    tmp = None
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)
    except OSError:           # a read-only or full disk only costs the next process a compile
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


stats = {"hits": 0, "misses": 0, "errors": 0}


def compile(text: str, devices):
    """Compile StableHLO `text` for `devices`, through the disk cache when it is on."""
    directory = cache_dir()
    if directory is None:
        return pjrt.compile(text, devices)
    options = pjrt.compile_options()
    path = os.path.join(directory, key(text, devices, options.SerializeAsString()) + ".xla")
    payload = _read(path)
    if payload is not None:
        try:
            exe = pjrt.deserialize(payload, devices, options)
            stats["hits"] += 1
            return exe
        except Exception:     # written by an incompatible runtime, or damaged past the checksum's reach
            stats["errors"] += 1
    stats["misses"] += 1
    exe = pjrt.compile(text, devices, options)
    try:
        payload = pjrt.serialize(exe)
    except Exception:          # a backend that cannot serialize still runs
        return exe
    _write(directory, path, payload)
    return exe
