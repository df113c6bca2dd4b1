"""jax.named_scope: names the operations traced inside it. In JAX the name reaches only the compiled program's
op metadata (profiles, HLO dumps); Lintra's IR keeps no such names, so the scope checks its name and is
otherwise inert: results, derivatives and compiled programs are the same with or without it."""
import contextlib


@contextlib.contextmanager
def named_scope(name):
    """Context manager (and decorator) as JAX 0.10.2's `jax.named_scope(name)`."""
    if not isinstance(name, str):
        raise TypeError("named_scope name argument must be a string.")
    yield
