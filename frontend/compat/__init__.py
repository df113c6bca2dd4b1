"""Running code written for JAX on Lintra, unchanged.

`alias_jax()` makes `import jax` and every `import jax.X` in this process resolve to Lintra's modules
(`lintra`, `lintra.X`), through an import hook placed first on sys.meta_path, so an installed `jax` package
is never imported. `python -m lintra.compat SCRIPT.py [ARGS...]` runs a script with the alias on.

Stand-ins for JAX internals that widely used libraries reach into live in this package too, and only here
(the README lists them)."""
import importlib
import importlib.abc
import importlib.util
import sys


class _JaxAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds `jax` and `jax.*`; loading one puts the Lintra module in its place in sys.modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "jax" and not fullname.startswith("jax."):
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        name = module.__name__
        target = "lintra" + name[len("jax"):]
        try:
            lintra_module = importlib.import_module(target)
        except ModuleNotFoundError as e:
            if e.name is not None and target.startswith(e.name):
                raise ModuleNotFoundError(f"No module named '{name}': Lintra, aliased as jax, has no {target}",
                                          name=name) from None
            raise
        # the import system returns what sys.modules holds under the name once the loader is done
        sys.modules[name] = lintra_module


_alias = _JaxAlias()
_INTERNAL = {"frontend", "runtime", "ir", "lowering", "tools"}     # Lintra's layers: no JAX module is one


def alias_jax():
    """From now on in this process, `import jax` (and jax.numpy, jax.lax, jax.experimental.*, ...) gives
    Lintra's modules. Refused if the real jax package has already been imported."""
    import lintra
    real = sys.modules.get("jax")
    if real is not None and real is not lintra:
        raise RuntimeError("lintra.compat.alias_jax(): the jax package was imported before the alias was set "
                           f"up (from {getattr(real, '__file__', '?')}); call alias_jax() before anything imports "
                           "jax, or run the script with `python -m lintra.compat SCRIPT.py`")
    if _alias not in sys.meta_path:
        sys.meta_path.insert(0, _alias)
    from .jax_internals import MODULES      # stand-ins for jax._src modules libraries import
    for name, module in MODULES.items():
        sys.modules.setdefault(name, module)
    # Lintra's modules already loaded, namespaces included (lintra.scipy holds lintra.scipy.special without
    # being a package), are found by name without a finder
    for name, module in list(sys.modules.items()):
        parts = name.split(".")
        if parts[0] == "lintra" and (len(parts) == 1 or parts[1] not in _INTERNAL):
            sys.modules.setdefault("jax" + name[len("lintra"):], module)
