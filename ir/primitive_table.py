"""The table of primitives and the decorator that fills rule tables. Type rules live in ir/primitives.py and,
for families that are big enough to be a file of their own, in ir/primitives_*.py, each registering here."""

PRIMITIVES = {}             # name -> type rule
REGION_PRIMITIVES = set()   # primitives whose type rule also receives the op's regions


def registrar(table):
    """A decorator for a rule table keyed by primitive: `@rule("add", "sub")` registers fn for both."""
    def decorator(*names):
        def register(fn):
            for n in names:
                table[n] = fn
            return fn
        return register
    return decorator


primitive = registrar(PRIMITIVES)


def fail(prim, msg, *types):
    shown = ", ".join(str(t) for t in types)
    raise TypeError(f"{prim}: {msg} (operand types: {shown})")
