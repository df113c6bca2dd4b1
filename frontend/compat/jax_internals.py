"""Stand-ins for the JAX modules outside JAX's public API that libraries import (found by importing chex
0.1.92 and flax 0.12.8 under the alias): only the names they use, each doing what it does in JAX 0.10.2 as far
as Lintra can. The alias hook (compat/__init__.py) loads one as `jax.<name>` when Lintra has no module of that
name, so the import system binds it on its parent as for any module.

| JAX module                    | what libraries use                                | here                         |
|-------------------------------|---------------------------------------------------|------------------------------|
| jax._src.compiler             | backend_compile_and_load (chex.restrict_backends) | every Lintra compile calls it|
| jax._src.traceback_util       | api_boundary, register_exclusion, _exclude_paths  | Lintra filters no frames:    |
| jax.extend.source_info_util   | register_exclusion                                | the paths are only recorded  |
| jax.extend.core               | get_opaque_trace_state                            | Lintra's innermost trace     |
| jax._src.core                 | ShapedArray, ...                                  | lintra.core                  |
| jax._src.dtypes               | extended, ExtendedDType, DType, finfo, supports_inf| lintra.dtypes and a base    |
| jax.experimental.layout       | Format, Layout (isinstance checks)                | records, held not applied    |
| jax.extend.linear_util,       | wrap_init, PartialVal, trace_to_jaxpr_nounits     | refused when called: Lintra  |
| jax.interpreters.partial_eval | (flax.linen.scan's broadcast bodies)              | has no JAX tracing machinery |

jax._src.compiler: chex's `restrict_backends` wraps `backend_compile_and_load` to refuse compiling for some
platforms. Every compile Lintra does goes through whatever function this attribute holds at the time
(runtime/pjrt.py's compile_hook), so such a wrapper sees, and may refuse, each of Lintra's compiles as it would
JAX's. A compile skipped because the executable came from the disk cache is not seen, as JAX's persistent
cache hits are not.
"""
import abc
import types

import ml_dtypes
import numpy as np

from ...runtime import pjrt
from .. import core as _core
from .. import core_public, dtypes_public


def _module(name, doc, package=False, **names):
    module = types.ModuleType(name, doc)
    if package:        # importing a submodule it lacks reaches the alias hook, whose error names it
        module.__path__ = []
    module.__dict__.update(names)

    def missing(attr):
        raise AttributeError(f"module {name!r} (Lintra's stand-in, which has only what libraries were found to use) "
                             f"has no attribute {attr!r}")
    module.__getattr__ = missing
    return module


def _unsupported(what):
    def refuse(*args, **kwargs):
        raise NotImplementedError(f"{what} is JAX tracing machinery that Lintra does not have (Lintra's stand-in "
                                  f"exists so that libraries importing it load)")
    refuse.__name__ = what.rsplit(".", 1)[-1]
    return refuse


# ---- jax._src.traceback_util, jax.extend.source_info_util ---------------------------------------------------

_exclude_paths = []


def api_boundary(fun=None, *, repro_api_name=None, repro_user_func=False):
    """JAX filters its own frames out of tracebacks raised through `fun`; Lintra filters none: `fun` itself."""
    if fun is None:
        return lambda f: f
    return fun


def register_exclusion(path):
    _exclude_paths.append(path)


# ---- jax.extend.core ----------------------------------------------------------------------------------------

class OpaqueTraceState:
    """Equal to another only when both were taken inside the same trace (or both outside any)."""
    __slots__ = ("_trace",)

    def __init__(self, trace):
        self._trace = trace

    def __eq__(self, other):
        return isinstance(other, OpaqueTraceState) and self._trace is other._trace

    def __hash__(self):
        return id(self._trace)


def get_opaque_trace_state(convention=None):
    return OpaqueTraceState(_core.current_trace())


# ---- jax._src.dtypes, jax.experimental.layout ---------------------------------------------------------------

class ExtendedDType(abc.ABC):
    """The base of JAX's extended dtypes, as flax subclasses it (Lintra's only extended dtype is the key's)."""
    _rules = None

    @property
    @abc.abstractmethod
    def type(self):
        ...


_FLOAT8_WITHOUT_INF = {ml_dtypes.float8_e4m3b11fnuz, ml_dtypes.float8_e4m3fn, ml_dtypes.float8_e4m3fnuz,
                       ml_dtypes.float8_e5m2fnuz}


def supports_inf(dtype):
    return np.dtype(dtype).type not in _FLOAT8_WITHOUT_INF and dtypes_public.issubdtype(dtype, np.inexact)


class Layout:
    """jax.experimental.layout.Layout(major_to_minor, ...): a device-local memory layout. Lintra lays arrays
    out by XLA's default only, so it is only held."""

    def __init__(self, major_to_minor, tiling=(), sub_byte_element_size_in_bits=0):
        self.major_to_minor, self.tiling = tuple(major_to_minor), tuple(tiling)
        self.sub_byte_element_size_in_bits = sub_byte_element_size_in_bits

    def __repr__(self):
        return f"Layout(major_to_minor={self.major_to_minor})"


class Format:
    """jax.experimental.layout.Format(layout, sharding): Lintra takes no layouts; the pair is only held."""

    def __init__(self, layout=None, sharding=None):
        self.layout, self.sharding = layout, sharding

    def __repr__(self):
        return f"Format({self.layout}, {self.sharding})"


_unknown_pval = _unsupported("jax.interpreters.partial_eval.PartialVal.unknown")

compiler = _module("jax._src.compiler", "Stand-in for JAX's private compiler module.",
                   backend_compile_and_load=pjrt.backend_compile_and_load)
# looked up on the module at each compile, so a library's replacement of the attribute takes effect
pjrt.compile_hook = lambda *args: compiler.backend_compile_and_load(*args)

_STAND_INS = [
    _module("jax._src", "Stand-in for JAX's private package.", package=True),
    compiler,
    _module("jax._src.traceback_util", "Stand-in", api_boundary=api_boundary, register_exclusion=register_exclusion,
            _exclude_paths=_exclude_paths),
    _module("jax._src.core", "Stand-in for jax._src.core", **{n: getattr(core_public, n) for n in core_public.__all__}),
    _module("jax._src.dtypes", "Stand-in for jax._src.dtypes", ExtendedDType=ExtendedDType, supports_inf=supports_inf,
            DType=np.dtype, **{n: getattr(dtypes_public, n) for n in dir(dtypes_public) if not n.startswith("__")}),
    _module("jax.extend", "Stand-in for jax.extend", package=True),
    _module("jax.extend.core", "Stand-in", get_opaque_trace_state=get_opaque_trace_state),
    _module("jax.extend.source_info_util", "Stand-in", register_exclusion=register_exclusion),
    _module("jax.extend.linear_util", "Stand-in", wrap_init=_unsupported("jax.extend.linear_util.wrap_init")),
    _module("jax.interpreters", "Stand-in for jax.interpreters", package=True),
    _module("jax.interpreters.partial_eval", "Stand-in", PartialVal=types.SimpleNamespace(unknown=_unknown_pval),
            trace_to_jaxpr_nounits=_unsupported("jax.interpreters.partial_eval.trace_to_jaxpr_nounits")),
    _module("jax.experimental.layout", "Stand-in", Format=Format, Layout=Layout),
]
MODULES = {module.__name__: module for module in _STAND_INS}
