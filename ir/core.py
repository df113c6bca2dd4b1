"""SSA IR: values, ops, blocks (regions), functions and modules.

Regions are closed: an op's region refers only to its own block arguments and
the values defined inside it; whatever it needs from outside is passed as an
operand. That makes every region a small function that passes can treat alone.
"""
from dataclasses import dataclass, field

import numpy as np

from .types import TensorType


class Value:
    """An SSA value: defined once (by an op or as a block argument), typed statically."""
    __slots__ = ("type", "__weakref__")

    def __init__(self, type: TensorType):
        self.type = type

    aval = property(lambda self: self.type, doc="The type, under the name JAX's Var gives it")

    def __repr__(self):
        return f"<Value {self.type} at {id(self):#x}>"


class Op:
    __slots__ = ("prim", "operands", "results", "attrs", "regions")

    def __init__(self, prim: str, operands, results, attrs=None, regions=()):
        self.prim = prim
        self.operands = list(operands)
        self.results = list(results)
        self.attrs = dict(attrs or {})
        self.regions = list(regions)

    def __repr__(self):
        from .printer import print_op
        return print_op(self)


class Block:
    """A list of ops with typed arguments, ending in the values it returns."""
    __slots__ = ("args", "ops", "results")

    def __init__(self, args=(), ops=(), results=()):
        self.args = list(args)
        self.ops = list(ops)
        self.results = list(results)

    @property
    def arg_types(self):
        return [a.type for a in self.args]

    @property
    def result_types(self):
        return [r.type for r in self.results]

    def walk(self):
        """Every op in this block and, depth first, in its ops' built regions."""
        for op in self.ops:
            yield op
            for r in op.regions:
                if is_built(r):
                    yield from r.walk()


def _built(name):
    """Block's slot `name`, read once the thunk has built the block. (A property, not __getattr__: an
    AttributeError raised by the user's code in the thunk must reach the user, not read as a missing
    attribute.)"""
    slot = getattr(Block, name)

    def get(self):
        if self._thunk is not None:
            thunk, self._thunk = self._thunk, None
            try:
                block = thunk()
            except BaseException:
                self._thunk = thunk
                raise
            for n in ("args", "ops", "results"):
                getattr(Block, n).__set__(self, getattr(block, n))
        return slot.__get__(self)
    return property(get, slot.__set__)


class LazyBlock(Block):
    """A block built on first use by `thunk() -> Block`: custom derivative rules are traced only when a
    pass needs them, so a rule may call the function it differentiates."""
    __slots__ = ("_thunk", "_types", "eager")
    args, ops, results = _built("args"), _built("ops"), _built("results")

    def __init__(self, thunk, types=None, eager=None):
        """types: (argument types, result types) when known before tracing, so type rules can read them
        without tracing (which would run the user's function). eager: the rule as a Python function on
        values, which an evaluator may call instead of tracing the block (custom_vjp's bwd outside jit)."""
        self._thunk, self._types, self.eager = thunk, types, eager

    @property
    def arg_types(self):
        return list(self._types[0]) if self._thunk is not None and self._types else Block.arg_types.fget(self)

    @property
    def result_types(self):
        return list(self._types[1]) if self._thunk is not None and self._types else Block.result_types.fget(self)


def known_types(block):
    """(argument types, result types) of a block, or None where reading them would trace a lazy one."""
    if is_built(block):
        return block.arg_types, block.result_types
    return (list(block._types[0]), list(block._types[1])) if block._types else None


def is_built(block) -> bool:
    """False for a LazyBlock not yet traced: passes leave those alone (tracing them could recurse)."""
    return not (isinstance(block, LazyBlock) and block._thunk is not None)


class Func:
    """A named block: the unit that is printed, parsed, transformed and lowered."""
    __slots__ = ("name", "body", "arg_names")

    def __init__(self, name: str, body: Block, arg_names=None):
        self.name = name
        self.body = body
        self.arg_names = list(arg_names) if arg_names else None

    @property
    def args(self):
        return self.body.args

    @property
    def results(self):
        return self.body.results

    def __str__(self):
        from .printer import print_func
        return print_func(self)

    __repr__ = __str__


@dataclass
class Module:
    funcs: dict = field(default_factory=dict)

    def add(self, func: Func):
        self.funcs[func.name] = func
        return func

    def __str__(self):
        from .printer import print_module
        return print_module(self)


def attr_key(v):
    """A hashable stand-in for an attribute value (arrays are not hashable)."""
    if isinstance(v, np.ndarray):
        return ("dense", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, (tuple, list)):
        return tuple(attr_key(x) for x in v)
    if isinstance(v, dict):
        return tuple(sorted((k, attr_key(x)) for k, x in v.items()))
    if isinstance(v, float) and v != v:
        return ("nan",)
    return (type(v).__name__, v)


def attrs_key(attrs: dict):
    return tuple(sorted((k, attr_key(v)) for k, v in attrs.items()))
