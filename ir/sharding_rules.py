"""Sharding-in-types: how each primitive's result shardings follow from its operands' (JAX 0.10.2's
`_*_sharding_rule` functions in jax/_src/lax). A type's sharding (TensorType.sharding) names, per dimension,
the Explicit mesh axes that split it; None means no dimension is split.

A rule takes the operand types, the result types its type rule computed and the op's attributes, and returns
one sharding per result (the canonical tuple form, or None), or raises ShardingTypeError with JAX's message.
Rules run only when some operand is sharded or the op asks for a sharding (`out_sharding`, reshard), so unsharded programs are
typed exactly as before. A primitive without a rule here gives unsharded (replicated) results: the
partitioner moves the data, and the values stay right.

Lintra's types carry axis names but not the mesh's axis sizes, so where JAX checks that a dimension divides
by its shards inside a rule (slices, pads, reshapes that split a sharded dimension), Lintra checks it where the
value meets a mesh (jit's arguments and results, device_put, reshard)."""
from .types import type_sharding


class ShardingTypeError(TypeError):
    """Operands whose shardings leave the result's ambiguous or ill-formed (JAX's ShardingTypeError)."""


SHARDING_RULES = {}   # primitive -> rule(operand types, result types, **attrs) -> [sharding per result]


def sharding_rule(*names):
    def register(fn):
        for n in names:
            SHARDING_RULES[n] = fn
        return fn
    return register


def apply(prim, operand_types, attrs, out_types):
    """out_types with the shardings `prim`'s rule gives them (called only when one is needed)."""
    rule = SHARDING_RULES.get(prim)
    shardings = rule(operand_types, out_types, **attrs) if rule is not None else [None] * len(out_types)
    return [t._replace(sharding=type_sharding(s, t.ndim)) for t, s in zip(out_types, shardings)]


def needs_rule(prim, operand_types, attrs):
    for t in operand_types:
        if t.sharding is not None:
            return True
    return "out_sharding" in attrs or prim == "reshard"


def spec(t):
    """t's sharding as one tuple of axis names per dimension (() for an unsplit one)."""
    return t.sharding if t.sharding is not None else ((),) * t.ndim


def partitions(t):
    """t's sharding as JAX writes a PartitionSpec's partitions in messages: None, 'x' or ('x', 'y')."""
    return tuple(None if not a else a[0] if len(a) == 1 else a for a in spec(t))


# ---- elementwise: JAX's broadcasting_sharding_rule -----------------------------------------------------------

def broadcasting(name, ts):
    """Per dimension: the operands' common sharding; where they differ, the one sharded entry among those
    that are not an unsharded size-1 dimension; two different sharded entries are an error."""
    ranked = [t for t in ts if t.ndim]
    if not ranked:
        return None
    specs = [spec(t) for t in ranked]
    out = []
    for i in range(ranked[0].ndim):
        ss = [s[i] for s in specs]
        if all(s == ss[0] for s in ss):
            out.append(ss[0])
            continue
        nontrivial = {s for s, t in zip(ss, ranked) if not (t.shape[i] == 1 and not s)}
        sharded = {s for s in nontrivial if s}
        if len(sharded) > 1:
            raise ShardingTypeError(f"{name} got incompatible shardings for broadcasting: "
                                    f"{', '.join(str(partitions(t)) for t in ranked)}.")
        out.append(next(iter(sharded), ()))
    return tuple(out)


ELEMENTWISE = (
    "neg", "sign", "square", "exp", "log", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin", "acos",
    "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "log1p", "expm1", "logistic", "exp2", "floor",
    "ceil", "cbrt", "erf", "erfc", "erf_inv", "lgamma", "digamma", "not", "population_count", "clz", "copy",
    "conj", "abs", "round", "is_finite", "integer_pow", "real", "imag",
    "add", "sub", "mul", "mulhi", "div", "pow", "rem", "max", "min", "atan2", "nextafter", "and", "or", "xor",
    "shift_left", "shift_right_arithmetic", "shift_right_logical", "eq", "ne", "lt", "le", "gt", "ge", "complex",
)


def _elementwise(name):
    return lambda ins, outs, **_: [broadcasting(name, ins)] * len(outs)


for _name in ELEMENTWISE:     # each op's errors name it, as JAX's do
    sharding_rule(_name)(_elementwise(_name))


@sharding_rule("convert_element_type", "stop_gradient", "name", "rev", "reduce_precision",
               "slice", "dynamic_slice", "pad")
def _like_operand(ins, outs, **_):
    # slice/pad/dynamic_slice: as JAX, the operand's sharding (its divisibility is checked at the mesh)
    return [ins[0].sharding]


@sharding_rule("clamp")
def _clamp(ins, outs, **_):
    return [ins[1].sharding]


@sharding_rule("bitcast_convert_type")
def _bitcast(ins, outs, **_):
    x, = ins
    if outs[0].ndim == x.ndim:
        return [x.sharding]
    if outs[0].ndim > x.ndim:             # a new minor dimension, never split
        return [spec(x) + ((),)]
    if spec(x)[-1]:
        raise ShardingTypeError(f"bitcast_convert_type removes the sharded minor dimension of {x}")
    return [spec(x)[:-1]]


@sharding_rule("select_n")
def _select_n(ins, outs, **_):
    which, *cases = ins
    s = broadcasting("select_n", cases)
    if which.ndim and which.sharding is not None and s is not None and which.sharding != s:
        raise ShardingTypeError(f"select `which` must be scalar or have the same sharding as cases, got `which` "
                                f"sharding {partitions(which)} but case sharding {partitions(cases[0])}.")
    return [s]


# ---- shape ---------------------------------------------------------------------------------------------------

@sharding_rule("broadcast_in_dim")
def _broadcast_in_dim(ins, outs, *, shape, broadcast_dimensions, out_sharding=None):
    if out_sharding is not None:
        return [out_sharding]
    x, = ins
    of = dict(zip(broadcast_dimensions, spec(x)))
    return [tuple(of.get(i, ()) for i in range(len(shape)))]


@sharding_rule("transpose")
def _transpose(ins, outs, *, permutation):
    s = spec(ins[0])
    return [tuple(s[p] for p in permutation)]


@sharding_rule("squeeze")
def _squeeze(ins, outs, *, dimensions):
    return [tuple(a for i, a in enumerate(spec(ins[0])) if i not in set(dimensions))]


@sharding_rule("expand_dims")
def _expand_dims(ins, outs, *, dimensions):
    it = iter(spec(ins[0]))
    return [tuple(() if i in set(dimensions) else next(it) for i in range(outs[0].ndim))]


def reshape_error(x, new_sizes):
    return ShardingTypeError(f"This reshape is not supported. Please specify the sharding of the output via the "
                             f"`out_sharding` argument of jax.lax.reshape. Got operand type: {x}, new sizes: "
                             f"{tuple(new_sizes)}")


def _groups(old, new):
    """Match dimensions of two shapes of equal size into groups [(old dims, new dims)] whose products agree,
    or None when the shapes do not line up that way."""
    groups, i, j = [], 0, 0
    while i < len(old) or j < len(new):
        gi, gj = [i] if i < len(old) else [], [j] if j < len(new) else []
        a = old[i] if i < len(old) else 1
        b = new[j] if j < len(new) else 1
        i, j = i + bool(gi), j + bool(gj)
        while a != b:
            if a < b and i < len(old):
                gi.append(i)
                a *= old[i]
                i += 1
            elif b < a and j < len(new):
                gj.append(j)
                b *= new[j]
                j += 1
            else:
                return None
        groups.append((gi, gj))
    return groups


@sharding_rule("reshape")
def _reshape(ins, outs, *, new_sizes, out_sharding=None):
    """As JAX: size-1 dimensions may come and go; one dimension may split into several (its axes go to the
    first, major, new dimension) or several merge into one (the merged dimensions' axes, major first, with
    no unsplit dimension before a split one). Anything else needs an explicit out_sharding."""
    if out_sharding is not None:
        return [out_sharding]
    x, = ins
    new_sizes = tuple(new_sizes)
    groups = _groups(x.shape, new_sizes) if x.size else None
    if groups is None:
        raise reshape_error(x, new_sizes)
    s, out = spec(x), [()] * len(new_sizes)
    for old_dims, new_dims in groups:
        old_dims = [d for d in old_dims if x.shape[d] != 1 or s[d]]
        new_dims = [d for d in new_dims if new_sizes[d] != 1] or new_dims[:1]
        axes = [s[d] for d in old_dims]
        if not any(axes) or not new_dims:
            continue
        if len(old_dims) == 1:
            out[new_dims[0]] = axes[0]      # equal, or split: the major new dimension takes the axes
        elif len(new_dims) == 1:
            while axes and not axes[-1]:
                axes.pop()
            if any(not a for a in axes):
                raise reshape_error(x, new_sizes)
            out[new_dims[0]] = tuple(a for a_s in axes for a in a_s)
        else:
            raise reshape_error(x, new_sizes)
    return [tuple(out)]


@sharding_rule("concatenate")
def _concatenate(ins, outs, *, dimension):
    shardings = {t.sharding for t in ins if t.sharding is not None}
    if len(shardings) > 1:
        raise ShardingTypeError(f"All operands should have the same sharding. Got shardings "
                                f"{', '.join(str(partitions(t)) for t in ins)}")
    return [next(iter(shardings))]


@sharding_rule("dynamic_update_slice")
def _dynamic_update_slice(ins, outs, **_):
    x, update = ins[:2]
    if x.sharding != update.sharding:
        raise ShardingTypeError(f"dynamic_update_slice operand sharding must be equal to update sharding, got "
                                f"operand sharding {x} and update sharding {update}.")
    return [x.sharding]


# ---- reductions ----------------------------------------------------------------------------------------------

@sharding_rule("reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or", "reduce_xor",
               "argmax", "argmin")
def _reduce(ins, outs, *, axes, **_):
    # the reduced dimensions' sharding goes; the partitioner adds the cross-device reduction
    return [tuple(a for i, a in enumerate(spec(ins[0])) if i not in set(axes))]


@sharding_rule("cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp")
def _cumulative(ins, outs, *, axis, reverse=False):
    x, = ins
    if spec(x)[axis]:
        raise ShardingTypeError(f"Input should be unsharded over the axis being reduced. Got input type={x} and "
                                f"axis={axis}")
    return [x.sharding]


@sharding_rule("top_k")
def _top_k(ins, outs, *, axis, **_):
    x, = ins
    if spec(x)[axis]:
        raise ShardingTypeError(f"The input should be unsharded over the axis along which to compute the top_k "
                                f"values. Got input type={x} and axis={axis}")
    return [x.sharding] * 2


@sharding_rule("approx_top_k")
def _approx_top_k(ins, outs, *, reduction_dimension, **_):
    x, = ins
    if spec(x)[reduction_dimension]:
        raise ShardingTypeError(f"reduction dimension {reduction_dimension} in operand {x} should be unsharded i.e. "
                                f"the spec of that dim should be `None`.")
    return [x.sharding] * 2


@sharding_rule("sort")
def _sort(ins, outs, *, dimension, **_):
    for t in ins:
        if spec(t)[dimension]:
            raise ShardingTypeError(f"Arguments to sort must be unsharded over the sorting dimension. Got arg "
                                    f"sharding={partitions(t)} and sorting dimension={dimension}")
    return [broadcasting("sort", ins)] * len(outs)


# ---- contraction: JAX's _dot_general_sharding_rule ---------------------------------------------------------

@sharding_rule("dot_general")
def _dot_general(ins, outs, *, lhs_contracting, rhs_contracting, lhs_batch=(), rhs_batch=(), out_sharding=None,
                 **_):
    if out_sharding is not None:
        return [out_sharding]
    lhs, rhs = ins
    lp, rp = partitions(lhs), partitions(rhs)
    lb, rb = tuple(lp[i] for i in lhs_batch), tuple(rp[i] for i in rhs_batch)
    lc, rc = tuple(lp[i] for i in lhs_contracting), tuple(rp[i] for i in rhs_contracting)
    if any(a is not None and b is not None and a != b for a, b in zip(lb, rb)):
        raise ShardingTypeError(f"dot_general requires lhs batch dimensions and rhs batch dimensions to have the "
                                f"consistent sharding, got {lb} and {rb}.")
    if any(a is not None and b is not None and a != b for a, b in zip(lc, rc)):
        raise ShardingTypeError(f"dot_general requires contracting dimensions to have consistent sharding, got "
                                f"{lc} and {rc}.")
    if any(a is not None and b is not None for a, b in zip(lc, rc)):
        raise ShardingTypeError(f"Contracting dimensions are sharded and it is ambiguous how the output should be "
                                f"sharded. Please specify the output sharding via the `out_sharding` parameter. "
                                f"Got lhs_contracting_spec={lc} and rhs_contracting_spec={rc}")
    ls, rs = spec(lhs), spec(rhs)
    used_l, used_r = set(lhs_contracting) | set(lhs_batch), set(rhs_contracting) | set(rhs_batch)
    out = ([ls[i] for i in lhs_batch] + [a for i, a in enumerate(ls) if i not in used_l]
           + [a for i, a in enumerate(rs) if i not in used_r])
    named = [a for axes in out for a in axes]
    if len(set(named)) != len(named):
        raise ShardingTypeError(f"dot_general's result would be split over a mesh axis twice: lhs {lhs}, rhs {rhs}; "
                                f"give it an out_sharding")
    return [tuple(out)]


# ---- sharding ------------------------------------------------------------------------------------------------

@sharding_rule("reshard")
def _reshard(ins, outs, *, spec, **_):
    return [spec]


@sharding_rule("sharding_constraint")
def _sharding_constraint(ins, outs, **_):
    # a hint to the partitioner about auto axes: the type is the operand's
    return [ins[0].sharding]
