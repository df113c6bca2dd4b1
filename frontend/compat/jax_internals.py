"""Stand-ins for the JAX modules beyond Lintra's public API that libraries import at load time: JAX's
private `jax._src`, `jax.interpreters`, the extension API `jax.extend` and `jax.experimental.layout`, so that
those libraries import and work on Lintra under the alias. Each holds only the names they read; any other
name of a stand-in is an AttributeError saying so.

- `jax._src.compiler.backend_compile_and_load(backend, module, executable_devices, options, host_callbacks)`:
  chex's `restrict_backends` wraps it to refuse compiling for some platforms. Every compile Lintra does goes
  through whatever function this attribute holds at the time (runtime/pjrt.py's compile_hook), so such a
  wrapper sees, and may refuse, each of Lintra's compiles as it would JAX's. A compile skipped because the
  executable came from the disk cache is not seen, as JAX's persistent cache hits are not.
- For flax.linen:

| module | names | used by flax for |
|---|---|---|
| jax._src.core | ShapedArray | linen.fp8_ops class bodies |
| jax._src.dtypes | DType, ExtendedDType, extended, finfo, supports_inf | linen.fp8_ops class bodies |
| jax._src.traceback_util | api_boundary (identity), register_exclusion, _exclude_paths | flax.traceback_util |
| jax.extend.source_info_util | register_exclusion | flax.traceback_util |
| jax.extend.core | get_opaque_trace_state | core.tracers: a Scope records the trace it was made in |
| jax.extend.linear_util, jax.interpreters.partial_eval | PartialVal (in a signature) | core.axes_scan (nn.scan) |
| jax.experimental.layout | Format, Layout (held, not applied) | core.spmd: isinstance checks |

Lintra filters no tracebacks, so registered exclusions are only recorded."""
import dataclasses
import types
import weakref

import numpy as np

from ...runtime import pjrt
from .. import core_public, dtypes_public
from ..core import current_trace


def _module(name, doc, names):
    """A module `name` holding `names`; other attributes raise an AttributeError naming Lintra's limit."""
    module = types.ModuleType(name, doc)
    module.__dict__.update(names)

    def __getattr__(attr):
        raise AttributeError(f"module {name!r} has no attribute {attr!r}: Lintra, aliased as jax, stands in only "
                             f"for the parts of this JAX module that libraries are known to use")
    module.__getattr__ = __getattr__
    return module


# ---- jax._src.compiler --------------------------------------------------------------------------------------

compiler = types.ModuleType("jax._src.compiler", "Stand-in for JAX's private compiler module.")
compiler.backend_compile_and_load = pjrt.backend_compile_and_load
# looked up on the module at each compile, so a library's replacement of the attribute takes effect
pjrt.compile_hook = lambda *args: compiler.backend_compile_and_load(*args)


# ---- jax._src.traceback_util, jax.extend.source_info_util -------------------------------------------------

_exclude_paths = []


def api_boundary(fun=None, *, repro_api_name=None, repro_user_func=False):
    """JAX marks where its traceback filtering starts; Lintra filters nothing, so fun is returned as is."""
    return fun if fun is not None else (lambda f: f)


def register_exclusion(path):
    _exclude_paths.append(path)


# ---- jax._src.dtypes -------------------------------------------------------------------------------------

class ExtendedDType:
    """Base of the dtype classes libraries define for jax.dtypes.extended (flax's fp8 metadata dtype)."""


def supports_inf(dtype):
    """Whether dtype has infinities: inexact and not one of the float8 formats without them."""
    return bool(dtypes_public.issubdtype(dtype, np.inexact)
                and np.isinf(np.array(np.inf, np.float32).astype(dtype)))


# ---- jax.extend.core ---------------------------------------------------------------------------------------

class OpaqueTraceState:
    """Which trace was current: equal exactly when taken under the same trace (JAX compares weak references
    to its trace objects; "no transformation" is one state too)."""

    def __init__(self, trace):
        self._ref = None if trace is None else weakref.ref(trace)

    def __eq__(self, other):
        return isinstance(other, OpaqueTraceState) and self._ref == other._ref

    def __hash__(self):
        return hash(self._ref)


def get_opaque_trace_state(convention=None):
    del convention
    return OpaqueTraceState(current_trace())


# ---- jax.interpreters.partial_eval ----------------------------------------------------------------------

class PartialVal(tuple):
    """Named in signatures only: Lintra's partial evaluation is an IR pass (ir/ad/), not JAX's tracer."""

    def __new__(cls, *args):
        raise NotImplementedError("jax.interpreters.partial_eval.PartialVal: Lintra does not emulate JAX's "
                                  "partial evaluation tracer")
    known = unknown = classmethod(__new__)


# ---- jax.experimental.layout --------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Layout:
    """A device-local memory layout; Lintra lays arrays out by XLA's default only, so this only holds it."""
    major_to_minor: tuple
    tiling: tuple = None
    sub_byte_element_size_in_bits: int = 0


@dataclasses.dataclass(frozen=True)
class Format:
    """A layout with a sharding, as jax.experimental.layout.Format; held, not applied, by Lintra."""
    layout: object = None
    sharding: object = None


# ---- the modules, by name; a package holds its stand-in submodules as attributes --------------------------

_core = _module("jax._src.core", "Stand-in for jax._src.core.", {"ShapedArray": core_public.ShapedArray})
_dtypes = _module("jax._src.dtypes", "Stand-in for jax._src.dtypes.", {
    "DType": np.dtype, "ExtendedDType": ExtendedDType, "extended": dtypes_public.extended,
    "finfo": dtypes_public.finfo, "supports_inf": supports_inf})
_traceback_util = _module("jax._src.traceback_util", "Stand-in for jax._src.traceback_util.", {
    "api_boundary": api_boundary, "register_exclusion": register_exclusion, "_exclude_paths": _exclude_paths})
src = _module("jax._src", "Stand-in for JAX's private package; holds only what libraries import.", {
    "compiler": compiler, "core": _core, "dtypes": _dtypes, "traceback_util": _traceback_util})

_extend_core = _module("jax.extend.core", "Stand-in for jax.extend.core.", {
    "get_opaque_trace_state": get_opaque_trace_state, "OpaqueTraceState": OpaqueTraceState})
_linear_util = _module("jax.extend.linear_util", "Stand-in for jax.extend.linear_util (nothing emulated).", {})
_source_info_util = _module("jax.extend.source_info_util", "Stand-in for jax.extend.source_info_util.", {
    "register_exclusion": register_exclusion})
extend = _module("jax.extend", "Stand-in for jax.extend.", {
    "core": _extend_core, "linear_util": _linear_util, "source_info_util": _source_info_util})

_partial_eval = _module("jax.interpreters.partial_eval", "Stand-in for jax.interpreters.partial_eval.", {
    "PartialVal": PartialVal})
interpreters = _module("jax.interpreters", "Stand-in for jax.interpreters.", {"partial_eval": _partial_eval})

_layout = _module("jax.experimental.layout", "jax.experimental.layout: Format and Layout, held not applied.", {
    "Format": Format, "Layout": Layout})

MODULES = {m.__name__: m for m in [src, compiler, _core, _dtypes, _traceback_util, extend, _extend_core,
                                    _linear_util, _source_info_util, interpreters, _partial_eval, _layout]}
