"""named_scope(name): JAX's context manager (and decorator) naming the operations traced inside it.

JAX appends the name to a name stack that ends up in the compiled program's op metadata (profiler and HLO
dumps). Lintra's IR carries no such metadata, so here the scope leaves the program unchanged; it checks its
name and behaves as JAX's does in Python: it nests, and it decorates functions. `with ... as v` gives the
name (JAX gives its internal NameStack object)."""
import contextlib


class named_scope(contextlib.ContextDecorator):
    def __init__(self, name):
        if not isinstance(name, str):
            raise TypeError("named_scope name argument must be a string.")
        self.name = name

    def __enter__(self):
        return self.name

    def __exit__(self, *exc_info):
        return False
