"""The verifier: checks that IR is well formed, whoever built it.

- every op's result types are what its primitive's type rule derives from the operand types,
  attributes and (for REGION_PRIMITIVES) region signatures; only those primitives have regions;
- SSA: each value is defined once, and every use is of a value defined earlier in the same block
  or an argument of that block;
- regions are closed: inside a region only its own arguments and values are visible.
"""
from .core import Func, Module, Value, is_built
from .primitives import PRIMITIVES, REGION_PRIMITIVES, infer_types
from .printer import _arg_names, _Names, _print_block_body, _print_op
from .types import TensorType


class VerificationError(Exception):
    pass


def verify(x):
    """Raise VerificationError naming the first ill-formed op of a Func or of every Func in a Module."""
    if isinstance(x, Module):
        for name, func in x.funcs.items():
            if not isinstance(func, Func) or func.name != name:
                raise VerificationError(f"module entry '{name}' is not a function named @{name}")
            _Verifier(func).run()
    elif isinstance(x, Func):
        _Verifier(x).run()
    else:
        raise TypeError(f"verify expects a Func or Module, got {type(x).__name__}")


class _Verifier:
    def __init__(self, func):
        self.func = func
        self.home = {}        # value -> the block defining it
        self.parents = {}     # block -> the op whose region it is (None for the body)
        self._names = None

    def run(self):
        self.collect(self.func.body, None)
        self.check_block(self.func.body, [])

    # -- definitions

    def collect(self, block, owner):
        """Record where each value is defined, rejecting values defined twice."""
        self.parents[id(block)] = owner
        for a in block.args:
            self.define(a, block, owner, "an argument")
        for op in block.ops:
            for r in filter(is_built, op.regions):   # an untraced LazyBlock stays untraced
                self.collect(r, op)
            for r in op.results:
                self.define(r, block, op, "a result")

    def define(self, v, block, op, what):
        if not isinstance(v, Value) or not isinstance(v.type, TensorType):
            self.fail(op, f"{what} is {v!r}, not a Value with a TensorType")
        if v in self.home:
            self.fail(op, f"{what} ({self.name(v)}: {v.type}) is already defined elsewhere; SSA values are "
                          "defined once")
        self.home[v] = block

    # -- uses and types

    def check_block(self, block, outer):
        """`outer` lists the enclosing blocks, innermost last."""
        owner = self.parents[id(block)]
        visible = set(block.args)
        for op in block.ops:
            for i, v in enumerate(op.operands):
                self.check_use(v, visible, block, outer, op, f"operand {i}")
            if op.regions and op.prim not in REGION_PRIMITIVES:
                self.fail(op, f"{op.prim} takes no regions, but has {len(op.regions)}")
            for r in filter(is_built, op.regions):
                self.check_block(r, outer + [block])
            self.check_types(op)
            visible.update(op.results)
        for i, v in enumerate(block.results):
            self.check_use(v, visible, block, outer, owner, f"returned value {i}")

    def check_use(self, v, visible, block, outer, op, what):
        if not isinstance(v, Value):
            self.fail(op, f"{what} is {v!r}, not a Value")
        if v in visible:
            return
        home = self.home.get(v)
        if home is block:
            problem = f"({self.name(v)}) is used before it is defined"
        elif any(home is b for b in outer):
            problem = (f"({self.name(v)}) is defined outside this region; regions are closed, so it must be "
                       "passed in as an operand")
        elif home is not None:
            problem = f"({self.name(v)}) is defined inside another op's region and is not visible here"
        else:
            problem = f"({v.type}) is not defined anywhere in @{self.func.name}"
        self.fail(op, f"{what} {problem}")

    def check_types(self, op):
        if op.prim not in PRIMITIVES:
            self.fail(op, f"unknown primitive '{op.prim}'")
        region_types = list(op.regions)
        try:
            expected = infer_types(op.prim, [v.type for v in op.operands], op.attrs, region_types)
        except Exception as e:  # rules may fail in any way on odd attributes
            self.fail(op, f"the type rule rejects it: {type(e).__name__}: {e}")
        actual = [r.type for r in op.results]
        if actual != expected:
            self.fail(op, f"result types ({', '.join(map(str, actual))}) differ from the type rule's "
                          f"({', '.join(map(str, expected))})")

    # -- messages

    def name(self, v):
        return self.names()[v]

    def names(self):
        """The names print_func gives every value, so messages match the printed function."""
        if self._names is None:
            self._names = _Reuse()
            try:
                for a, n in zip(self.func.args, _arg_names(self.func)):
                    self._names.define(a, n)
                _print_block_body(self.func.body, self._names, [], 1)
            except Exception:  # unprintable attributes: some values stay unnamed
                pass
        return self._names

    def fail(self, op, problem):
        if op is None:
            raise VerificationError(f"@{self.func.name}: {problem}")
        try:
            lines = []
            _print_op(op, self.names(), lines, 0)
            shown = lines[0].removesuffix(" {")
        except Exception:
            shown = f"{op.prim} op"
        raise VerificationError(f"in `{shown}` (in @{self.func.name}): {problem}")


class _Reuse(_Names):
    """Printer names that keep a value's first name when it is printed again."""

    def define(self, v, name=None):
        return "%" + self.names[v] if v in self.names else super().define(v, name)
