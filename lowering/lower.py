"""IR -> StableHLO module. One lowering rule per primitive, in RULES.

A rule is `rule(ctx, op, *operands) -> [mlir values]`; it reads attributes from
`op.attrs` and result types from `op.results`.
"""
import math
import threading
import warnings

import numpy as np

from . import rules  # noqa: F401  (fills RULES)
from .mlir import (deserialize_portable_artifact, func, hlo, ir, new_context, serialize_portable_artifact,
                   tensor_type)
from .registry import RULES
from .rules.sharding import annotate_module, constrain_to_type


class LoweringError(Exception):
    """An op the lowering could not express in StableHLO. On verified IR this is a bug in Lintra (a check
    the verifier lacks); it names the op instead of surfacing the MLIR bindings' own message."""


class LoweringContext:
    def __init__(self, module):
        self.module = module
        self.symbols = {}     # id(block) -> private function name, so a region shared by calls lowers once
        self.names = set()
        self.mesh = None      # ((axis, size), ...), device ids: the mesh sharding constraints name
        self.sharded_types = False   # whether some value's type is sharded over Explicit mesh axes
        self.spmd = False            # whether the module is an SPMD program (partitioned by XLA)

    def note_mesh(self, mesh, device_ids):
        if self.mesh is not None and self.mesh != (mesh, device_ids):
            raise ValueError(f"sharding constraints over two meshes in one program: {self.mesh} and "
                             f"{(mesh, device_ids)}")
        self.mesh = (mesh, device_ids)

    def lower_block(self, block, args):
        env = dict(zip(block.args, args))
        for op in block.ops:
            rule_fn = RULES.get(op.prim)
            if rule_fn is None:
                raise NotImplementedError(f"no lowering rule for primitive '{op.prim}'")
            try:
                outs = rule_fn(self, op, *[env[v] for v in op.operands])
            except (ir.MLIRError, RuntimeError, TypeError) as e:
                if isinstance(e, TypeError) and "incompatible function arguments" not in str(e):
                    raise   # a rule's own message to the user, not the MLIR bindings'
                raise LoweringError(f"{op.prim}: cannot be lowered to StableHLO ({type(e).__name__}: "
                                    f"{str(e).splitlines()[0] if str(e) else ''}); the op: {op}") from e
            if len(outs) != len(op.results):
                raise AssertionError(f"lowering of {op.prim} gave {len(outs)} results, expected {len(op.results)}")
            if op.prim not in _SHARDING_OPS:
                outs = [self.typed(o, r.type) for o, r in zip(outs, op.results)]
            env.update(zip(op.results, outs))
        return [env[v] for v in block.results]

    def typed(self, out, t):
        """An op's result laid out as its type's sharding says (unsharded types: as it is)."""
        if t.sharding is None:
            return out
        self.sharded_types = True
        return constrain_to_type(out, t)

    def function(self, name, block, public=False):
        """Emit `block` as a func.func; returns its symbol name."""
        base, i = name, 0
        while name in self.names:
            i += 1
            name = f"{base}_{i}"
        self.names.add(name)
        ftype = ir.FunctionType.get([tensor_type(a.type) for a in block.args],
                                    [tensor_type(r.type) for r in block.results])
        with ir.InsertionPoint(self.module.body):
            fn = func.FuncOp(name, ftype)
        if not public:
            fn.attributes["sym_visibility"] = ir.StringAttr.get("private")
        entry = fn.add_entry_block()
        with ir.InsertionPoint(entry):
            func.ReturnOp(self.lower_block(block, list(entry.arguments)))
        return name

    def region_function(self, name, block):
        if id(block) not in self.symbols:
            self.symbols[id(block)] = self.function(name, block)
        return self.symbols[id(block)]


_context = None
# one MLIR context serves every thread; building modules in it from two threads at once is not safe
_lock = threading.RLock()


def context():
    global _context
    with _lock:
        if _context is None:
            _context = new_context()
    return _context


def _donate(fn, func_ir, donated, spmd):
    """Mark donated arguments as JAX 0.10.2's _set_up_aliases does: aliased to a free output of the same
    shape and dtype; else (or in an SPMD program) a buffer donor where a free output has as many elements;
    else not donated, with JAX's warning. XLA may then reuse their buffers, and PJRT deletes the arrays."""
    results = [(r.type.shape, r.type.dtype) for r in func_ir.results]
    free = list(range(len(results)))
    entries = [{} for _ in func_ir.args]
    left = []
    for i, a in enumerate(func_ir.args):
        if i in donated:
            out = next((j for j in free if results[j] == (a.type.shape, a.type.dtype)), None)
            if out is None:
                left.append(i)
            else:
                free.remove(out)
                entries[i]["tf.aliasing_output"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(32), out)
    unused = []
    for i in left:
        size = math.prod(func_ir.args[i].type.shape)
        out = next((j for j in free if math.prod(results[j][0]) == size), None)
        if out is not None:
            free.remove(out)
        if out is not None or spmd:
            entries[i]["jax.buffer_donor"] = ir.BoolAttr.get(True)
        else:
            t = func_ir.args[i].type
            unused.append(f"{np.dtype(t.dtype).name}[{','.join(map(str, t.shape))}]")   # as JAX's str_short
    if unused:
        warnings.warn(f"Some donated buffers were not usable: {', '.join(unused)}.\n"
                      f"See an explanation at https://docs.jax.dev/en/latest/faq.html#buffer-donation.")
    fn.arg_attrs = ir.ArrayAttr.get([ir.DictAttr.get(e) for e in entries])


_SHARDING_OPS = ("sharding_constraint", "reshard", "shard_map")    # ops whose lowering places their results


def constraint_mesh(func_ir):
    """(mesh axes, device ids) of the sharding constraints and shard_maps in `func_ir`, or None when it has
    none."""
    for op in func_ir.body.walk():
        if op.prim in _SHARDING_OPS:
            return op.attrs["mesh"], op.attrs["device_ids"]
    return None


def lower(func_ir, name="main", donated=(), spmd=None):
    """Lower an IR function to a verified StableHLO `ir.Module` whose entry point is `main`; the arguments
    at positions `donated` are donated. `spmd` = (mesh axes, device ids, argument specs, result specs) makes
    it an SPMD program (a spec of None: the partitioner chooses); one with sharding constraints is one too."""
    with _lock, context(), ir.Location.unknown():
        module = ir.Module.create()
        ctx = LoweringContext(module)
        ctx.spmd = spmd is not None or constraint_mesh(func_ir) is not None
        ctx.function(name, func_ir.body, public=True)
        main = next(op for op in module.body.operations if op.name.value == name)
        if donated:
            _donate(main, func_ir, set(donated), ctx.spmd)
        if ctx.sharded_types and spmd is None and ctx.mesh is None:
            raise ValueError(f"@{func_ir.name} has values of sharded types but names no mesh: lower it as an SPMD "
                             f"program over the mesh of its arguments (spmd=)")
        if spmd is not None or ctx.mesh is not None:
            mesh, device_ids, in_specs, out_specs = spmd or (*ctx.mesh, [None] * len(func_ir.args),
                                                             [None] * len(func_ir.results))
            if ctx.mesh is not None and ctx.mesh != (mesh, device_ids):
                raise ValueError(f"sharding constraints name the mesh {ctx.mesh}, the program's arguments and "
                                 f"results {(mesh, device_ids)}")
            annotate_module(module, main, mesh, in_specs, out_specs)
        if not module.operation.verify():
            raise RuntimeError(f"lowered module of @{func_ir.name} does not verify")
        return module


def to_text(module) -> str:
    with _lock, context():
        return str(module)


def lower_text(func_ir, name="main", donated=(), spmd=None) -> str:
    with _lock:
        return to_text(lower(func_ir, name, donated, spmd))


def parse_module(text: str):
    """StableHLO text back as an `ir.Module` (jaxlib compiles a module with host callbacks only in that
    form)."""
    with _lock, context():
        return ir.Module.parse(text)


def portable_artifact(func_ir) -> bytes:
    """`func_ir` lowered and written as a StableHLO portable artifact (what lintra.export serializes)."""
    with _lock, context():
        return serialize_portable_artifact(lower(func_ir))


def artifact_text(payload: bytes) -> str:
    """A portable artifact's module as StableHLO text."""
    with _lock, context():
        return str(deserialize_portable_artifact(payload, context()))
