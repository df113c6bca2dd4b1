"""The derivative API (JAX's names and signatures) on top of the IR passes.

    trace f -> IR -> jvp -> partial_eval (primals known, tangents unknown) -> transpose -> evaluate

Outside jit, f is traced concretely (tracers carry values), so Python control flow on values works and
the derivative of the path taken is computed. Transformed IR is evaluated with `eval_func`, which binds
each op: eagerly op by op outside any trace, or staged into the enclosing trace (jit, another grad).
"""
import collections
import functools
import hashlib
import threading
import time

import numpy as np

from ..ir import types as T
from ..ir.ad import control_rules, jvp_rules, transpose_rules  # noqa: F401  (fill the rule tables)
from ..ir.ad.jvp import jvp as jvp_pass
from ..ir.ad.partial_eval import partial_eval
from ..ir.ad.transpose import transpose as transpose_pass
from ..ir.ad.util import differentiable, tangent_type
from ..ir.callbacks import has_effect
from ..ir.core import Func, attrs_key, is_built
from ..ir.passes.dce import dce
from ..runtime.executable import Executable, placement
from . import lax, numpy as jnp, tree
from .abstract import ShapeDtypeStruct
from .api import check_leaf, ir_name, trace_flat
from .stages import arg_names
from .batching import vmap
from .config import config
from .core import Trace, Tracer, bind, constant, current_trace, eval_func, is_value, to_array, tracing, type_of


def _name(fun):
    return ir_name(fun)


def _zeros(t):
    return constant(np.zeros(t.shape, t.dtype), weak=t.weak)


class _LinearIR:
    """What the passes make of one traced function: jvp, then partial_eval into a known part (primal
    outputs and residuals) and a linear part (`staged`), and on demand the linear part transposed.

    Outside any trace, grad and vjp trace the function again on every call, mostly to the same IR.
    A repeated trace gets the _LinearIR made for the first one (see _linear_ir), so the passes are not
    redone; and once running its parts op by op has cost about what compiling them would, they run as
    compiled executables."""

    def __init__(self, func, nonzero, n_main, n_all):
        n_in = len(nonzero)
        jfun, out_nz = jvp_pass(func, nonzero)
        # keep the tangents of the main outputs only (aux outputs are not differentiated)
        n_tan = sum(out_nz[:n_main])
        jfun.body.results = jfun.body.results[:n_all + n_tan]
        self.out_nonzero = out_nz[:n_main]
        n_tan_in = sum(nonzero)
        known, staged, _, self.n_res = partial_eval(
            jfun, [False] * n_in + [True] * n_tan_in, instantiate=[False] * n_all + [True] * n_tan)
        self.known, self.staged = dce(known), dce(staged)
        self.n_tan_in, self.uses, self.eager_seconds = n_tan_in, 1, 0.0
        self._transposed, self._executables = None, {}

    def transposed(self):
        if self._transposed is None:
            self._transposed = transpose_pass(self.staged, [False] * self.n_res + [True] * self.n_tan_in)
        return self._transposed

    def run(self, func, args):
        """Evaluate one of this object's functions, op by op (binding each op into the enclosing trace, if
        any) or, outside any trace once that has cost enough, as one compiled executable."""
        if current_trace() is not None or any(isinstance(a, Tracer) for a in args):
            return eval_func(func, args)
        if self.eager_seconds >= _COMPILE_AFTER_SECONDS:
            arrays = [to_array(a) for a in args]
            device, committed = placement(arrays)
            exe = self._executables.get((id(func), device))
            if exe is None:
                exe = self._executables[id(func), device] = Executable(func, device)
            return exe(arrays, committed)
        start = time.perf_counter()
        outs = _eval_eager(func, args)
        if self.uses > 1:     # not the first trace's run: that compiles each new eager op once
            self.eager_seconds += time.perf_counter() - start
        return outs


def _eval_eager(func, args):
    """eval_func outside any trace, except that a call of a custom_vjp bwd not traced yet runs the user's
    bwd as Python on the values: as in JAX, once per call of the vjp function, able to print or branch on
    its residuals."""
    env = dict(zip(func.args, args))
    for op in func.body.ops:
        ins = [env[v] for v in op.operands]
        body = op.regions[0] if op.prim == "call" else None
        if body is not None and not is_built(body) and getattr(body, "eager", None) is not None:
            outs = [_as_type(o, t) for o, t in zip(body.eager(*ins), body.result_types)]
        elif op.prim == "constant":
            outs = [constant(op.attrs["value"], weak=op.attrs.get("weak", False))]
        elif op.prim == "checkpoint" and has_effect(op):
            # op by op, as JAX runs a remat: its debug prints keep program order (compiled, they need not)
            outs = _eval_eager(Func("checkpoint", op.regions[0]), ins)
        else:
            outs = bind(op.prim, *ins, regions=op.regions, **op.attrs)
        env.update(zip(op.results, outs))
    return [env[v] for v in func.results]


def _differentiated(fun):
    """fun, marking the trace it runs in as one that grad/jvp/vjp will differentiate: custom_jvp and
    custom_vjp functions called in it trace only their rules (frontend/custom.py)."""
    def traced(*args):
        current_trace().differentiated = True
        return fun(*args)
    return traced


_linear_irs = collections.OrderedDict()    # the last few top-level traces' _LinearIRs, by _ir_key
_linear_irs_lock = threading.Lock()
_LINEAR_IRS_KEPT = 32
_CONSTANT_BYTES_KEPT = 1 << 20   # a trace that embeds more (NumPy data closed over) is not kept
# compiling the parts costs ~0.1-0.3 s of XLA: worth it for a function differentiated again and again (a
# training loop), not for one differentiated a few times (a test)
_COMPILE_AFTER_SECONDS = 0.2


def _linear_ir(func, nonzero, n_main, n_all):
    if current_trace() is not None:          # inside jit or another transformation: traced once anyway
        return _LinearIR(func, nonzero, n_main, n_all)
    key = _ir_key(func)
    if key is None:
        return _LinearIR(func, nonzero, n_main, n_all)
    key = (key, tuple(nonzero), n_main, n_all, config.enable_x64)
    with _linear_irs_lock:
        hit = _linear_irs.get(key)
        if hit is not None:
            hit.uses += 1
            _linear_irs.move_to_end(key)
            return hit
    ir = _LinearIR(func, nonzero, n_main, n_all)
    with _linear_irs_lock:      # another thread may evict or add entries meanwhile
        _linear_irs[key] = ir
        while len(_linear_irs) > _LINEAR_IRS_KEPT:
            _linear_irs.popitem(last=False)
    return ir


def _ir_key(func):
    """A hashable value equal for two functions exactly when their IR text is equal (without printing:
    constants count by a digest of their bytes), or None for IR not worth keeping (large constants) or
    that cannot be compared so (custom rules still untraced: their bodies are Python functions yet)."""
    ids = {}
    constant_bytes = 0

    def block_key(block):
        nonlocal constant_bytes
        for a in block.args:
            ids[a] = len(ids)
        parts = [tuple(a.type for a in block.args)]
        for op in block.ops:
            regions = []
            for r in op.regions:
                if not is_built(r):
                    raise LookupError
                regions.append(block_key(r))
            if op.prim == "constant":
                v = op.attrs["value"]
                constant_bytes += v.nbytes
                if constant_bytes > _CONSTANT_BYTES_KEPT:
                    raise LookupError
                attrs = (v.dtype.str, v.shape, op.attrs.get("weak", False), hashlib.blake2b(v.tobytes()).digest())
            else:
                attrs = attrs_key(op.attrs)
            parts.append((op.prim, tuple(ids[v] for v in op.operands), attrs,
                          tuple(r.type for r in op.results), tuple(regions)))
            for r in op.results:
                ids[r] = len(ids)
        parts.append(tuple(ids[v] for v in block.results))
        return tuple(parts)
    try:
        key = block_key(func.body)
        hash(key)
    except (LookupError, TypeError):     # an untraced rule, or an attribute with no hashable stand-in
        return None
    return key


class _Linearized:
    """f's primal outputs and residuals, and its linear part as IR (tangents in, tangents out)."""

    def __init__(self, fun, primals, has_aux=False, evaluate=True):
        """With evaluate=False, f is traced on abstract values and only the IR is built (residual_bytes)."""
        leaves, self.in_tree = tree.flatten(primals)
        for x in leaves:
            if evaluate or not isinstance(x, ShapeDtypeStruct):
                check_leaf(x, _name(fun))
        self.in_types = [type_of(x) for x in leaves]
        if not evaluate:
            leaves = [ShapeDtypeStruct.of_type(t) for t in self.in_types]
        func, out_tree, captured, _ = trace_flat(_differentiated(fun), leaves, self.in_tree, _name(fun))
        if has_aux:
            if out_tree.num_nodes == 1 or len(out_tree.children()) != 2:
                raise TypeError(f"has_aux=True requires {_name(fun)} to return a pair (output, aux); got {out_tree}")
            main_tree, aux_tree = out_tree.children()
        else:
            main_tree, aux_tree = out_tree, None
        n_main, n_all = main_tree.num_leaves, out_tree.num_leaves
        self.out_tree, self.aux_tree = main_tree, aux_tree
        self.out_types = [r.type for r in func.results[:n_main]]
        self.nonzero = [differentiable(t) for t in self.in_types]
        self.ir = _linear_ir(func, self.nonzero + [False] * len(captured), n_main, n_all)
        self.staged, self.n_res, self.out_nonzero = self.ir.staged, self.ir.n_res, self.ir.out_nonzero
        if not evaluate:
            return
        outs = self.ir.run(self.ir.known, list(leaves) + captured)
        self.out_leaves, self.aux_leaves = outs[:n_main], outs[n_main:n_all]
        self.residuals = outs[n_all:]

    def outputs(self):
        return tree.unflatten(self.out_tree, self.out_leaves)

    def residual_types(self):
        """The types of the residuals the linear part uses, each value once (the primal part may hand the
        same value over as several residuals)."""
        used = set(self.staged.results)
        for op in self.staged.body.ops:
            used.update(op.operands)
        known = self.ir.known.results
        values = {}
        for arg, value in zip(self.staged.args[:self.n_res], known[len(known) - self.n_res:]):
            if arg in used:
                values.setdefault(value, arg.type)
        return list(values.values())

    def aux(self):
        return tree.unflatten(self.aux_tree, self.aux_leaves)


def residual_bytes(fun, *args):
    """The bytes the linear part of fun at args keeps (what vjp(fun, *args) holds on to between the forward
    and the backward pass): the sum over its residuals of size * itemsize. fun is traced on abstract
    values of the args' types (ShapeDtypeStructs may be passed), so nothing is computed."""
    lin = _Linearized(fun, args, evaluate=False)
    return sum(t.size * np.dtype(t.dtype).itemsize for t in lin.residual_types())


def saved_residuals(fun, *args, **kwargs):
    """[(type, where it comes from)] for each value the linear part of fun at these arguments keeps, in JAX's
    order (literals, constants, arguments, then op outputs in program order) and words, without JAX's source
    locations (Lintra's IR has none). fun is traced on abstract values: nothing is computed."""
    lin = _Linearized(lambda a, k: fun(*a, **k), (args, kwargs), evaluate=False)
    known = lin.ir.known
    used = set(lin.staged.results)
    for op in lin.staged.body.ops:
        used.update(op.operands)
    saved = {v for a, v in zip(lin.staged.args[:lin.n_res], known.results[len(known.results) - lin.n_res:])
             if a in used}
    n_args, names = len(lin.in_types), arg_names(fun, args, kwargs)
    literals, consts, arguments, outputs = [], [], [], []
    for i, a in enumerate(known.args):
        if a in saved and i >= n_args:
            consts.append((a.type, "from a constant"))
        elif a in saved:
            arguments.append((a.type, f"from the argument {names[i]}" if i < len(names) and names[i] else
                              f"from the argument at flattened index {i}"))
    for op in known.body.ops:
        for r in op.results:
            if r not in saved:
                continue
            if op.prim == "constant":
                (literals if r.type.ndim == 0 else consts).append(
                    (r.type, "from a literal" if r.type.ndim == 0 else "from a constant"))
            elif op.prim == "name":
                outputs.append((r.type, f"named '{op.attrs['name']}'"))
            elif op.prim == "call":
                outputs.append((r.type, f"output of jitted function '{op.attrs['callee']}'"))
            else:
                outputs.append((r.type, f"output of {op.prim}"))
    return literals + consts + arguments + outputs


def print_saved_residuals(fun, *args, **kwargs):
    """Print what saved_residuals finds, one line per residual, as JAX does ('f32[3] from the argument x',
    'f32[3] output of cos'), without source locations."""
    for t, src in saved_residuals(fun, *args, **kwargs):
        print(f"{t.strong()} {src}")


def _check_cotangents(ct, lin, fname):
    ct_leaves, ct_tree = tree.flatten(ct)
    if ct_tree != lin.out_tree:
        raise TypeError(f"{fname}: cotangent tree structure {ct_tree} does not match the primal output "
                        f"structure {lin.out_tree}")
    for c, t in zip(ct_leaves, lin.out_types):
        ct_t = type_of(c)
        expected = tangent_type(t)
        if ct_t.shape != t.shape or (T.is_inexact(expected.dtype) and ct_t.dtype != expected.dtype):
            raise ValueError(f"unexpected JAX type (e.g. shape/dtype) for argument to VJP function: got "
                             f"{_jax_type(ct_t)}, but expected {_jax_type(expected)} because the corresponding "
                             f"output of the differentiated function had JAX type {_jax_type(t)}")
    return ct_leaves


def _jax_type(t):
    """float32[3], as JAX writes types in its messages."""
    return f"{np.dtype(t.dtype).name}[{','.join(map(str, t.shape))}]"


def vjp(fun, *primals, has_aux=False):
    """(primals_out, vjp_fun[, aux]) with vjp_fun(cotangents) -> a tuple of cotangents, one per primal."""
    lin = _Linearized(fun, primals, has_aux)
    transposed = lin.ir.transposed()

    def vjp_fun(ct):
        ct_leaves = _check_cotangents(ct, lin, "vjp")
        cts = [_as_type(c, t) for c, t, nz in zip(ct_leaves, lin.out_types, lin.out_nonzero) if nz]
        in_cts = iter(lin.ir.run(transposed, list(lin.residuals) + cts))
        outs = [next(in_cts) if nz else _zeros(tangent_type(t)) for t, nz in zip(lin.in_types, lin.nonzero)]
        return tuple(tree.unflatten(lin.in_tree, outs))

    if has_aux:
        return lin.outputs(), vjp_fun, lin.aux()
    return lin.outputs(), vjp_fun


def _as_type(x, t):
    """A cotangent x as dtype t.dtype; weakly typed if x was (a Python scalar too), as JAX's vjp keeps it."""
    xt = type_of(x)
    if xt.dtype != t.dtype:
        x = bind("convert_element_type", x, new_dtype=t.dtype, weak_type=xt.weak)[0]
    return x if is_value(x) else constant(np.asarray(x, t.dtype), weak=xt.weak)


def linearize(fun, *primals):
    """(primals_out, f_jvp) where f_jvp(*tangents) evaluates the linear map (no primal recomputation)."""
    lin = _Linearized(fun, primals)
    return lin.outputs(), _linear_map(lin, "linearize")


def _linear_map(lin, fname):
    """The linear part of `lin` as a function of the tangents (no primal recomputation)."""
    def f_jvp(*tangents):
        t_leaves = _check_tangents(lin, tangents, fname)
        outs = iter(eval_func(lin.staged, list(lin.residuals) + [t for t, nz in zip(t_leaves, lin.nonzero) if nz]))
        return tree.unflatten(lin.out_tree, [next(outs) if nz else _zeros(tangent_type(t))
                                             for t, nz in zip(lin.out_types, lin.out_nonzero)])
    return f_jvp


def _check_tangents(lin_or_types, tangents, fname):
    in_types, in_tree = lin_or_types.in_types, lin_or_types.in_tree
    t_leaves, t_tree = tree.flatten(tuple(tangents))
    if t_tree != in_tree:
        raise TypeError(f"{fname}: tangent tree structure {t_tree} does not match the primal structure {in_tree}")
    for t, pt in zip(t_leaves, in_types):
        tt = type_of(t)
        if tt.shape != pt.shape or tt.dtype != tangent_type(pt).dtype:
            raise TypeError(f"{fname}: primal and tangent arguments must have matching shapes and tangent dtypes; "
                            f"got primal {pt} and tangent {tt} (expected tangent {tangent_type(pt).strong()})")
    return t_leaves


def jvp(fun, primals, tangents, has_aux=False):
    """(primals_out, tangents_out[, aux]): forward-mode derivative of fun at primals along tangents."""
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"jvp: primals and tangents must be tuples or lists; got {type(primals).__name__} "
                        f"and {type(tangents).__name__}")
    if len(primals) != len(tangents):
        raise TypeError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    leaves, in_tree = tree.flatten(tuple(primals))
    for x in leaves:
        check_leaf(x, "jvp")
    in_types = [type_of(x) for x in leaves]
    t_leaves = _check_tangents(_Types(in_types, in_tree), tangents, "jvp")
    func, out_tree, captured, _ = trace_flat(_differentiated(fun), leaves, in_tree, _name(fun))
    main_tree = out_tree.children()[0] if has_aux else out_tree
    n_main, n_all = main_tree.num_leaves, out_tree.num_leaves
    nonzero = [differentiable(t) for t in in_types]
    jfun, out_nz = jvp_pass(func, nonzero + [False] * len(captured))
    outs = eval_func(jfun, list(leaves) + captured + [t for t, nz in zip(t_leaves, nonzero) if nz])
    tans = iter(outs[n_all:])
    t_out = [next(tans) if nz else _zeros(tangent_type(r.type)) for r, nz in zip(func.results, out_nz)]
    primals_out = tree.unflatten(main_tree, outs[:n_main])
    tangents_out = tree.unflatten(main_tree, t_out[:n_main])
    if has_aux:
        return primals_out, tangents_out, tree.unflatten(out_tree.children()[1], outs[n_main:n_all])
    return primals_out, tangents_out


class _Types:
    def __init__(self, in_types, in_tree):
        self.in_types, self.in_tree = in_types, in_tree


def _argnums_tuple(argnums, nargs, fname):
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for i in nums:
        if not -nargs <= i < nargs:
            raise TypeError(f"{fname}: argnums {argnums!r} out of range for {nargs} positional arguments")
    return tuple(i % nargs for i in nums)


def _check_input_dtypes(fname, x_leaves, holomorphic, allow_int):
    for x in x_leaves:
        t = type_of(x)
        if holomorphic and not T.is_complex(t.dtype):
            raise TypeError(f"{fname} with holomorphic=True requires inputs with complex dtype, but got "
                            f"{np.dtype(t.dtype).name} (value of shape {t.shape})")
        if not allow_int and not T.is_inexact(t.dtype):
            raise TypeError(f"{fname} requires real- or complex-valued inputs (input dtype that is a sub-dtype of "
                            f"np.inexact), but got {np.dtype(t.dtype).name} (value of shape {t.shape}). If you want "
                            f"to use integer-valued inputs, use vjp or set allow_int to True.")


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """value_and_grad(f)(*args) -> (f(*args), gradient w.r.t. args[argnums]); ((value, aux), grad) with has_aux."""
    fname = f"grad({_name(fun)})"

    @functools.wraps(fun, updated=())
    def wrapped(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), fname)
        diff = tuple(args[i] for i in nums)
        _check_input_dtypes(fname, tree.leaves(diff), holomorphic, allow_int)

        def f_partial(*d):
            full = list(args)
            for i, v in zip(nums, d):
                full[i] = v
            return fun(*full, **kwargs)
        res = vjp(f_partial, *diff, has_aux=has_aux)
        out, vjp_fun = res[0], res[1]
        if not (is_value(out) or isinstance(out, (float, int, complex))):
            raise TypeError(f"{fname}: gradient only defined for scalar-output functions; output was a "
                            f"{type(out).__name__}, not an array")
        if type_of(out).shape != ():
            raise TypeError(f"{fname}: gradient only defined for scalar-output functions; output was "
                            f"{type_of(out).shape}")
        t = type_of(out)
        if T.is_complex(t.dtype) and not holomorphic:
            raise TypeError(f"{fname} requires real-valued outputs (output dtype that is a sub-dtype of "
                            f"np.floating), but got {np.dtype(t.dtype).name}. For holomorphic differentiation, "
                            f"pass holomorphic=True.")
        if not T.is_inexact(t.dtype):
            raise TypeError(f"{fname} requires real-valued outputs, but got {np.dtype(t.dtype).name}")
        g = vjp_fun(constant(np.ones((), t.dtype), weak=t.weak))   # weak for a weak output, as JAX's seed
        g = g[0] if isinstance(argnums, int) else g
        return ((out, res[2]) if has_aux else out), g
    return wrapped


def grad(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """grad(f)(*args): the gradient of scalar-valued f with respect to args[argnums] (JAX's conventions)."""
    vg = value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)

    @functools.wraps(fun, updated=())
    def wrapped(*args, **kwargs):
        (value, g) = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapped


def linear_transpose(fun, *primals):
    """The transpose of the linear function `fun`, traced at the types of `primals`."""
    leaves, in_tree = tree.flatten(primals)
    in_types = [type_of(x) for x in leaves]
    abstract = [ShapeDtypeStruct.of_type(t) for t in in_types]
    with tracing(Trace()) as trace:
        tracers = [trace.new_arg(a.type) for a in abstract]
        out_leaves, out_tree = tree.flatten(fun(*in_tree.unflatten(tracers)))
        func = trace.finish(_name(fun), out_leaves)
    captured = trace.captured()
    f_t = transpose_pass(func, [True] * len(leaves) + [False] * len(captured))
    # transpose puts non-linear (captured) inputs first
    out_types = [r.type for r in func.results]

    def transposed(*cts):
        ct_leaves, ct_tree = tree.flatten(cts[0] if len(cts) == 1 else cts)
        if ct_tree != out_tree:
            raise TypeError(f"linear_transpose: cotangent structure {ct_tree} does not match the output "
                            f"structure {out_tree}")
        ct_leaves = [_as_type(c, t) for c, t in zip(ct_leaves, out_types)]
        return tuple(tree.unflatten(in_tree, eval_func(f_t, captured + ct_leaves)))
    return transposed


def _partial_argnums(fun, args, kwargs, nums):
    def f_partial(*d):
        full = list(args)
        for i, v in zip(nums, d):
            full[i] = v
        return fun(*full, **kwargs)
    return f_partial


def _std_basis(types):
    """The standard basis of the space of all `types` together, as one stacked array per type: leaf i
    gets shape (N,) + shape_i with N the total size, holding the identity block for its own entries."""
    sizes = [t.size for t in types]
    n = sum(sizes)
    out, offset = [], 0
    for t, k in zip(types, sizes):
        dt = t.dtype if T.is_inexact(t.dtype) else np.float32
        block = jnp.eye(n, k, -offset, dtype=dt)
        out.append(jnp.reshape(block, (n,) + t.shape))
        offset += k
    return out


def _split_blocks(stacked, axis_types, lead_shape, at_end, like):
    """Split the basis axis of `stacked` (size N) into one block per type, reshaped to lead_shape + shape_i
    (at_end) or shape_i + lead_shape, and cast as JAX casts them: to the dtype and weak type of `like` (the
    output leaf for jacfwd, the input leaf for jacrev), the real part if `like` is real."""
    blocks, offset = [], 0
    for t in axis_types:
        part = lax.slice_in_dim(stacked, offset, offset + t.size, axis=-1 if at_end else 0)
        block = jnp.reshape(part, lead_shape + t.shape if at_end else t.shape + lead_shape)
        if T.is_inexact(type_of(block).dtype) and T.is_inexact(like.dtype):     # not float0 ones
            if T.is_complex(type_of(block).dtype) and not T.is_complex(like.dtype):
                block = jnp.real(block)
            if (type_of(block).dtype, type_of(block).weak) != (like.dtype, like.weak):
                block = bind("convert_element_type", block, new_dtype=like.dtype, weak_type=like.weak)[0]
        blocks.append(block)
        offset += t.size
    return blocks


def jacfwd(fun, argnums=0, has_aux=False, holomorphic=False):
    """The Jacobian by forward mode: the linearized function pushed forward over the standard basis of
    the inputs, as one vmap. Each output leaf of shape S gets, per input leaf of shape R, a block S + R."""

    def jac(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "jacfwd")
        diff = tuple(args[i] for i in nums)
        _check_input_dtypes("jacfwd", tree.leaves(diff), holomorphic, False)
        x_leaves, x_tree = tree.flatten(diff)
        x_types = [type_of(x) for x in x_leaves]
        f = _partial_argnums(fun, args, kwargs, nums)
        if has_aux:
            out, f_jvp, aux = _linearize_aux(f, diff)
        else:
            out, f_jvp = linearize(f, *diff)
        out_leaves, out_tree = tree.flatten(out)
        basis = tree.unflatten(x_tree, _std_basis(x_types))
        pushed = tree.leaves(vmap(lambda ts: f_jvp(*ts), out_axes=-1)(basis))
        blocks = [_split_blocks(p, x_types, type_of(o).shape, True, type_of(o)) for p, o in zip(pushed, out_leaves)]
        result = _assemble(blocks, out_tree, x_tree, nums, argnums)
        return (result, aux) if has_aux else result
    return jac


def _linearize_aux(f, diff):
    lin = _Linearized(f, diff, has_aux=True)
    return lin.outputs(), _linear_map(lin, "jacfwd"), lin.aux()


def _assemble(blocks, out_tree, x_tree, nums, argnums):
    per_out = [tree.unflatten(x_tree, row) for row in blocks]
    if isinstance(argnums, int):
        per_out = [p[0] for p in per_out]
    return tree.unflatten(out_tree, per_out)


def jacrev(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """The Jacobian by reverse mode: the VJP pulled back over the standard basis of the outputs, as one
    vmap (same layout as jacfwd)."""

    def jac(*args, **kwargs):
        nums = _argnums_tuple(argnums, len(args), "jacrev")
        diff = tuple(args[i] for i in nums)
        _check_input_dtypes("jacrev", tree.leaves(diff), holomorphic, allow_int)
        x_leaves, x_tree = tree.flatten(diff)
        x_types = [type_of(x) for x in x_leaves]
        res = vjp(_partial_argnums(fun, args, kwargs, nums), *diff, has_aux=has_aux)
        out, vjp_fun = res[0], res[1]
        out_leaves, out_tree = tree.flatten(out)
        out_types = [type_of(o) for o in out_leaves]
        basis = tree.unflatten(out_tree, _std_basis(out_types))
        pulled = tree.leaves(vmap(vjp_fun)(basis))          # per input leaf: (M,) + shape_i
        per_input = [_split_blocks(p, out_types, t.shape, False, t) for p, t in zip(pulled, x_types)]
        blocks = [[per_input[i][j] for i in range(len(x_leaves))] for j in range(len(out_leaves))]
        result = _assemble(blocks, out_tree, x_tree, nums, argnums)
        return (result, res[2]) if has_aux else result
    return jac


def jacobian(fun, argnums=0, has_aux=False, holomorphic=False, allow_int=False):
    """jax.jacobian: the Jacobian by reverse mode (jacrev)."""
    return jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic, allow_int=allow_int)


def hessian(fun, argnums=0, has_aux=False, holomorphic=False):
    """Forward-over-reverse Hessian: jacfwd(jacrev(fun))."""
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic), argnums, has_aux=has_aux,
                  holomorphic=holomorphic)
