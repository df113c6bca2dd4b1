"""Stand-ins for modules of JAX's private `jax._src` that libraries import at load time, so that they import
on Lintra under the alias. Each holds only the names those imports read.

- `jax._src.compiler` (chex's restrict_backends wraps `compiler.backend_compile` to refuse compiling for some
  platforms): Lintra compiles through its own runtime, never through this function, so chex's restriction
  has no effect on Lintra."""
import types


def _backend_compile(backend, *args, **kwargs):
    raise NotImplementedError("jax._src.compiler.backend_compile is a stand-in: Lintra compiles through "
                              "lintra.runtime, not through JAX's compiler module")


compiler = types.ModuleType("jax._src.compiler", "Stand-in for JAX's private compiler module.")
compiler.backend_compile = _backend_compile

src = types.ModuleType("jax._src", "Stand-in for JAX's private package; holds only what libraries import.")
src.compiler = compiler

MODULES = {"jax._src": src, "jax._src.compiler": compiler}
