"""Stand-ins for modules of JAX's private `jax._src` that libraries import at load time, so that they import
and work on Lintra under the alias. Each holds only the names those libraries read.

- `jax._src.compiler.backend_compile_and_load(backend, module, executable_devices, options, host_callbacks)`:
  chex's `restrict_backends` wraps it to refuse compiling for some platforms. Every compile Lintra does goes
  through whatever function this attribute holds at the time (runtime/pjrt.py's compile_hook), so such a
  wrapper sees, and may refuse, each of Lintra's compiles as it would JAX's. A compile skipped because the
  executable came from the disk cache is not seen, as JAX's persistent cache hits are not."""
import types

from ...runtime import pjrt

compiler = types.ModuleType("jax._src.compiler", "Stand-in for JAX's private compiler module.")
compiler.backend_compile_and_load = pjrt.backend_compile_and_load
# looked up on the module at each compile, so a library's replacement of the attribute takes effect
pjrt.compile_hook = lambda *args: compiler.backend_compile_and_load(*args)

src = types.ModuleType("jax._src", "Stand-in for JAX's private package; holds only what libraries import.")
src.compiler = compiler

MODULES = {"jax._src": src, "jax._src.compiler": compiler}
