"""lintra.export, with jax.export's names: a jitted function lowered for fixed argument types to StableHLO, and
serialized so that another process (or machine) calls it without the Python source that made it.

    exp = export(jit(f))(ShapeDtypeStruct((3,), np.float32), 2.0)   # -> Exported
    blob = exp.serialize()                                          # bytes
    deserialize(blob).call(x, 2.0)                                  # runs it, eagerly or inside jit

An Exported carries the StableHLO module as a portable artifact (versioned VHLO bytecode, readable by later
StableHLO versions) and its calling convention: the flat argument and result types (`in_avals`, `out_avals`)
and the pytrees around them. The module's `main` takes exactly the flat arguments and returns the flat
results (JAX's calling convention 10 for one platform, no effects, no shape polymorphism).

Serialization is Lintra's own format (JAX's is a flatbuffer): the 8 bytes b"LINTRAEX", the format version
and the header's length (two little-endian uint32), a JSON header (names, trees, types, lengths), then the
portable artifact and, with vjp_order > 0, the serialized Exported of its VJP."""
import json
import re
import struct

import numpy as np

from ..ir.builder import Builder, constant_attrs, emit_block
from ..ir.callbacks import has_effect
from ..ir.core import Func
from ..ir.ad.util import tangent_type
from ..ir.parser import ParseError, parse_type
from ..ir.types import float0
from ..lowering.lower import artifact_text, portable_artifact
from ..lowering.rules.exported import register_module
from ..runtime.executable import default_device
from . import tree
from .abstract import ShapeDtypeStruct
from .ad import vjp as _vjp
from .api import is_jit, jit
from .core import bind, type_of
from .custom import custom_vjp

__all__ = ["Exported", "export", "deserialize", "symbolic_shape", "default_export_platform",
           "minimum_supported_calling_convention_version", "maximum_supported_calling_convention_version"]

# the module calling convention, as JAX numbers it (10: JAX 0.10.2's default); Lintra writes 10 only
minimum_supported_calling_convention_version = 10
maximum_supported_calling_convention_version = 10
CALLING_CONVENTION_VERSION = 10

MAGIC = b"LINTRAEX"
FORMAT_VERSION = 1          # of Lintra's serialization: bump when the layout or the header's fields change
_PREFIX = struct.Struct("<II")


def default_export_platform() -> str:
    """The platform an export is for when none is named: the platform Lintra runs on ('cpu', 'cuda', ...)."""
    return default_device().platform


class Exported:
    """A function lowered to StableHLO for fixed argument types, with its calling convention (as jax.export's
    Exported). Fields: fun_name, in_tree, in_avals, out_tree, out_avals (flat tuples of TensorType),
    in_shardings_hlo/out_shardings_hlo (None each: Lintra exports single-device functions), nr_devices,
    platforms, ordered_effects/unordered_effects (empty), disabled_safety_checks, mlir_module_serialized (the
    portable artifact), calling_convention_version, module_kept_var_idx, uses_global_constants."""

    def __init__(self, fun_name, in_tree, in_avals, out_tree, out_avals, mlir_module_serialized, platforms,
                 get_vjp=None):
        self.fun_name, self.in_tree, self.out_tree = fun_name, in_tree, out_tree
        self.in_avals, self.out_avals = tuple(in_avals), tuple(out_avals)
        self.mlir_module_serialized = bytes(mlir_module_serialized)
        self.platforms = tuple(platforms)
        self.nr_devices = 1
        self.in_shardings_hlo = (None,) * len(self.in_avals)
        self.out_shardings_hlo = (None,) * len(self.out_avals)
        self.ordered_effects = self.unordered_effects = self.disabled_safety_checks = ()
        self.calling_convention_version = CALLING_CONVENTION_VERSION
        self.module_kept_var_idx = tuple(range(len(self.in_avals)))
        self.uses_global_constants = False
        self._get_vjp, self._vjp = get_vjp, None
        self._fingerprint = register_module(self.mlir_module_serialized)   # so exported_call ops can name it

    def __str__(self):
        return f"Exported(fun_name={self.fun_name}, ...)"

    __repr__ = __str__

    def mlir_module(self) -> str:
        """The StableHLO module, as text."""
        return artifact_text(self.mlir_module_serialized)

    def has_vjp(self) -> bool:
        return self._vjp is not None or self._get_vjp is not None

    def vjp(self) -> "Exported":
        """The exported VJP: it takes the flat primal arguments, then one cotangent per flat result, and
        returns a tuple of one cotangent per flat primal argument."""
        if self._vjp is None:
            if self._get_vjp is None:
                raise ValueError(f"No VJP is available for the exported function {self.fun_name}: it was "
                                 f"serialized with vjp_order=0")
            self._vjp = self._get_vjp(self)
        return self._vjp

    def serialize(self, vjp_order: int = 0) -> bytes:
        """Lintra's serialized form (see the module's docstring); vjp_order=n also keeps n orders of VJPs, so
        that the deserialized function can be differentiated n times in reverse mode."""
        if not isinstance(vjp_order, int) or vjp_order < 0:
            raise ValueError(f"serialize: vjp_order must be a non-negative int, got {vjp_order!r}")
        vjp_blob = self.vjp().serialize(vjp_order - 1) if vjp_order > 0 else b""
        header = {
            "fun_name": self.fun_name,
            "in_tree": _tree_to_json(self.in_tree, "in_tree"),
            "out_tree": _tree_to_json(self.out_tree, "out_tree"),
            "in_avals": [str(t) for t in self.in_avals],
            "out_avals": [str(t) for t in self.out_avals],
            "platforms": list(self.platforms),
            "nr_devices": self.nr_devices,
            "calling_convention_version": self.calling_convention_version,
            "module_bytes": len(self.mlir_module_serialized),
            "vjp_bytes": len(vjp_blob),
        }
        text = json.dumps(header, sort_keys=True).encode("utf-8")
        return MAGIC + _PREFIX.pack(FORMAT_VERSION, len(text)) + text + self.mlir_module_serialized + vjp_blob

    def call(self, *args, **kwargs):
        """Call the exported function on arguments of the pytree structure, shapes and dtypes it was exported
        for: eagerly, or staged into a trace (jit, grad, vmap) as an `exported_call` op."""
        leaves, in_tree = tree.flatten((args, kwargs))
        if in_tree != self.in_tree:
            raise ValueError(f"The invocation args and kwargs must have the same pytree structure as when the "
                             f"function '{self.fun_name}' was exported: exported with {self.in_tree}, called "
                             f"with {in_tree}")
        platform = default_export_platform()
        if platform not in self.platforms:
            raise ValueError(f"Function '{self.fun_name}' was exported for platforms '{self.platforms}' but it is "
                             f"used on '{(platform,)}'.")
        self._check_types(args, kwargs, leaves)
        return self.out_tree.unflatten(self._flat_call()(*leaves))

    def _check_types(self, args, kwargs, leaves):
        paths = [_path_str(p) for p, _ in tree.flatten_with_path((args, kwargs))[0]]
        for path, x, want in zip(paths, leaves, self.in_avals):
            try:
                got = type_of(x)
            except (TypeError, ValueError):
                raise TypeError(f"Argument {path} of the exported function '{self.fun_name}' is {x!r} of type "
                                f"{type(x).__name__}, not an array; expected {want}") from None
            if got.shape != want.shape:
                raise ValueError(f"Shape mismatch for {path}: expected {want.shape} and called with {got.shape} "
                                 f"(the exported function '{self.fun_name}' has fixed shapes)")
            if got.dtype != want.dtype:
                raise ValueError(f"Dtype mismatch for {path}: expected {np.dtype(want.dtype).name} and called with "
                                 f"{np.dtype(got.dtype).name}")

    def _flat_call(self, float0_as_bool=False):
        """The flat function that binds the op: a custom_vjp calling the exported VJP when there is one. With
        float0_as_bool, float0 arguments are passed as the booleans they are lowered as (a float0 value cannot
        be a constant in a trace)."""
        def arg_dtype(t):
            return np.dtype(np.bool_) if float0_as_bool and t.dtype == float0 else np.dtype(t.dtype)
        attrs = dict(module=self._fingerprint, fun_name=self.fun_name,
                     arg_shapes=tuple(t.shape for t in self.in_avals),
                     arg_dtypes=tuple(arg_dtype(t) for t in self.in_avals),
                     result_shapes=tuple(t.shape for t in self.out_avals),
                     result_dtypes=tuple(np.dtype(t.dtype) for t in self.out_avals))

        def primal(*xs):
            return tuple(bind("exported_call", *xs, **attrs))
        if not self.has_vjp():
            return primal
        flat = custom_vjp(primal)
        n = len(self.in_avals)

        def fwd(*xs):
            return flat(*xs), xs

        def bwd(xs, cts):
            vjp = self.vjp()
            # the cotangent of an integer output comes as zeros of its dtype; the VJP takes float0 there
            cts = [np.zeros(t.shape, np.bool_) if t.dtype == float0 else ct
                   for ct, t in zip(cts, vjp.in_avals[n:])]
            return vjp._flat_call(float0_as_bool=True)(*xs, *cts)
        flat.defvjp(fwd, bwd)
        return flat


def export(fun_jit, *, platforms=None, disabled_checks=()):
    """export(jit(f))(*args, **kwargs) -> Exported: f lowered for arguments like these (arrays, scalars or
    ShapeDtypeStructs, in any pytree)."""
    if not is_jit(fun_jit):
        raise ValueError(f"Function to be exported must be the result of `jit` but is: {fun_jit!r}")
    here = default_export_platform()
    if platforms is not None and tuple(platforms) != (here,):
        raise ValueError(f"Lintra exports for the platform it runs on ({here!r}); got platforms={platforms!r}. "
                         f"Export on a machine of the target platform instead")
    if disabled_checks:
        raise ValueError(f"Lintra's exports have no safety checks to disable; got disabled_checks="
                         f"{disabled_checks!r}")

    def do_export(*args, **kwargs) -> Exported:
        traced = fun_jit.trace(*args, **kwargs)
        t = traced._traced
        if t.ir_mesh is not None or any(s is not None for s in traced._shardings):
            raise ValueError(f"cannot export {traced.fun_name}: it is sharded over a mesh, and Lintra exports "
                             f"single-device functions only")
        func = _with_constants(t.func, t.captured)
        effects = [op for op in func.body.walk() if has_effect(op) or op.prim == "callback"]
        if effects:
            raise ValueError(f"cannot export {traced.fun_name}: it calls a host callback (pure_callback, "
                             f"io_callback or debug.print), which runs Python code of this process")
        in_avals = [a.type for a in func.args]
        out_avals = [r.type for r in func.results]
        return Exported(traced.fun_name, traced.in_tree, in_avals, traced.out_tree, out_avals,
                        portable_artifact(func), (here,), _vjp_exporter(fun_jit, traced.in_tree))
    return do_export


def _with_constants(func, captured):
    """`func` with the values it closes over (its trailing arguments) embedded as constants: an exported
    module takes exactly the function's arguments."""
    if not captured:
        return func
    n = len(func.args) - len(captured)
    b = Builder()
    args = [b.arg(a.type) for a in func.args[:n]]
    consts = [b.emit1("constant", (), constant_attrs(np.asarray(c), weak=a.type.weak))
              for c, a in zip(captured, func.args[n:])]
    b.ret(*emit_block(b, func.body, args + consts))
    return Func(func.name, b.block, (func.arg_names or [])[:n] or None)


def _vjp_exporter(fun_jit, in_tree):
    """How an Exported of fun_jit makes the Exported of its VJP (when asked: it traces and lowers again)."""
    def get_vjp(exp):
        n = len(exp.in_avals)

        def flat_fun(*xs):
            a, k = in_tree.unflatten(list(xs))
            return tree.leaves(fun_jit(*a, **k))

        def fun_vjp(*primals_and_cts):
            _, pullback = _vjp(flat_fun, *primals_and_cts[:n])
            return tuple(pullback(list(primals_and_cts[n:])))
        fun_vjp.__name__ = f"{exp.fun_name}_vjp"
        specs = [ShapeDtypeStruct(t.shape, t.dtype) for t in exp.in_avals] + \
            [ShapeDtypeStruct(t.shape, tangent_type(t).dtype) for t in exp.out_avals]
        return export(jit(fun_vjp), platforms=exp.platforms)(*specs)
    return get_vjp


def deserialize(blob) -> Exported:
    """An Exported back from `Exported.serialize()`'s bytes (made by this or another process)."""
    blob = bytes(blob)
    if not blob.startswith(MAGIC):
        raise ValueError(f"not a serialized Lintra Exported: it starts with {blob[:8]!r}, expected {MAGIC!r}")
    if len(blob) < len(MAGIC) + _PREFIX.size:
        raise ValueError(f"serialized Exported is truncated: {len(blob)} bytes")
    version, n_header = _PREFIX.unpack_from(blob, len(MAGIC))
    if version != FORMAT_VERSION:
        raise ValueError(f"serialized Exported has format version {version}; this Lintra reads version "
                         f"{FORMAT_VERSION}")
    start = len(MAGIC) + _PREFIX.size
    try:
        header = json.loads(blob[start:start + n_header].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"serialized Exported has a damaged header: {e}") from None
    module_start = start + n_header
    vjp_start = module_start + header["module_bytes"]
    if vjp_start + header["vjp_bytes"] != len(blob):
        raise ValueError(f"serialized Exported is {len(blob)} bytes, but its header describes "
                         f"{vjp_start + header['vjp_bytes']}: truncated or damaged")
    cc = header["calling_convention_version"]
    if not minimum_supported_calling_convention_version <= cc <= maximum_supported_calling_convention_version:
        raise ValueError(f"serialized Exported uses calling convention {cc}; this Lintra supports "
                         f"{minimum_supported_calling_convention_version}..{maximum_supported_calling_convention_version}")
    exp = Exported(header["fun_name"], _tree_from_json(header["in_tree"]), _types(header["in_avals"]),
                   _tree_from_json(header["out_tree"]), _types(header["out_avals"]),
                   blob[module_start:vjp_start], header["platforms"])
    if header["vjp_bytes"]:
        exp._vjp = deserialize(blob[vjp_start:])
    return exp


def symbolic_shape(shape_spec, *, constraints=(), scope=None, like=None):
    """A shape from its text, e.g. symbolic_shape("8, 3") -> (8, 3). Lintra's types are static, so symbolic
    dimensions (JAX's shape polymorphism, "b, 3") are not supported: such a spec is a ValueError."""
    if not isinstance(shape_spec, str):
        raise TypeError(f"symbolic_shape expects a string, e.g. 'b, 3'; got {shape_spec!r} of type "
                        f"{type(shape_spec).__name__}")
    text = shape_spec.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    dims = [d.strip() for d in text.split(",") if d.strip()]
    for d in dims:
        if not re.fullmatch(r"\d+", d):
            raise ValueError(f"symbolic_shape({shape_spec!r}): dimension {d!r} is symbolic, and Lintra exports "
                             f"fixed shapes only (its IR types are static). Export once per concrete shape, e.g. "
                             f"with ShapeDtypeStruct((8, 3), dtype)")
    return tuple(int(d) for d in dims)


# ---- pytrees and types in the header ----------------------------------------------------------------------

class _Leaf:
    pass


def _tree_to_json(treedef, what):
    """A pytree structure as JSON: "*" a leaf, null None, {"tuple": [...]}, {"list": [...]},
    {"dict": [[key, child], ...]} (string or int keys). Other node types are an error."""
    def encode(x):
        if isinstance(x, _Leaf):
            return "*"
        if x is None:
            return None
        if type(x) is tuple:
            return {"tuple": [encode(c) for c in x]}
        if type(x) is list:
            return {"list": [encode(c) for c in x]}
        if type(x) is dict:
            bad = [k for k in x if not isinstance(k, (str, int)) or isinstance(k, bool)]
            if bad:
                raise ValueError(f"cannot serialize the {what} of an Exported: dict key {bad[0]!r} of type "
                                 f"{type(bad[0]).__name__} (keys must be str or int)")
            return {"dict": [[k, encode(c)] for k, c in x.items()]}
        raise ValueError(f"cannot serialize the {what} of an Exported: it holds a {type(x).__name__} node; "
                         f"Lintra serializes tuples, lists, dicts and None")
    return encode(treedef.unflatten([_Leaf() for _ in range(treedef.num_leaves)]))


def _tree_from_json(data):
    def decode(x):
        if x == "*":
            return 0
        if x is None:
            return None
        if "tuple" in x:
            return tuple(decode(c) for c in x["tuple"])
        if "list" in x:
            return [decode(c) for c in x["list"]]
        return {k: decode(c) for k, c in x["dict"]}
    return tree.structure(decode(data))


def _types(texts):
    try:
        return [parse_type(t) for t in texts]
    except ParseError as e:
        raise ValueError(f"serialized Exported has a bad type: {e}") from None


def _path_str(path) -> str:
    """JAX's name for a leaf of (args, kwargs): args[0], kwargs['x'][1], ..."""
    head, rest = path[0], path[1:]
    return ("args" if getattr(head, "idx", 0) == 0 else "kwargs") + tree.keystr(rest)
