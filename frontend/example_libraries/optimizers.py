"""lintra.example_libraries.optimizers: jax.example_libraries.optimizers on Lintra.

An optimizer is a triple (init_fun, update_fun, get_params):
  init_fun(params) -> opt_state; update_fun(step, grads, opt_state) -> opt_state; get_params(opt_state) -> params,
with params any pytree of arrays. Each optimizer below is written for one array and lifted to pytrees by the
`optimizer` decorator; its state is an OptimizerState holding the per-leaf states flattened, which is itself a
pytree, so it passes through jit, vmap and friends. step_size may be a number or a schedule: step -> number.
"""
import functools
from collections import namedtuple
from typing import Any, Callable, NamedTuple

from .. import numpy as jnp
from .. import tree
from ..tree_util import register_pytree_node

Array = Any
Params = Any          # a pytree of arrays
State = Any           # the per-array state of one optimizer
Updates = Params      # gradients, shaped like the parameters
Step = int
InitFn = Callable[[Params], "OptimizerState"]
UpdateFn = Callable[[Step, Updates, "OptimizerState"], "OptimizerState"]
ParamsFn = Callable[["OptimizerState"], Params]
Schedule = Callable[[Step], float]

# packed_state: one flat list of state leaves per parameter leaf; tree_def: the parameters' structure;
# subtree_defs: each per-leaf state's structure. Only packed_state holds arrays, the rest is static.
OptimizerState = namedtuple("OptimizerState", ["packed_state", "tree_def", "subtree_defs"])
register_pytree_node(OptimizerState,
                     lambda s: ((s.packed_state,), (s.tree_def, s.subtree_defs)),
                     lambda aux, children: OptimizerState(children[0], *aux))


class Optimizer(NamedTuple):
    init_fn: InitFn
    update_fn: UpdateFn
    params_fn: ParamsFn


def _flatten_each(states):
    pairs = [tree.flatten(s) for s in states]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def optimizer(opt_maker):
    """Decorator: opt_maker(*args) returns (init, update, get_params) for single arrays; the decorated maker
    returns an Optimizer whose functions take pytrees of arrays and an OptimizerState."""
    @functools.wraps(opt_maker)
    def tree_opt_maker(*args, **kwargs):
        init, update, get_params = opt_maker(*args, **kwargs)

        @functools.wraps(init)
        def tree_init(x0_tree):
            x0_flat, treedef = tree.flatten(x0_tree)
            states_flat, subtrees = _flatten_each([init(x0) for x0 in x0_flat])
            return OptimizerState(states_flat, treedef, subtrees)

        @functools.wraps(update)
        def tree_update(i, grad_tree, opt_state):
            states_flat, treedef, subtrees = opt_state
            grad_flat, grad_def = tree.flatten(grad_tree)
            if grad_def != treedef:
                raise TypeError(f"optimizer update function was passed a gradient tree that did not match the "
                                f"parameter tree structure with which it was initialized: parameter tree {treedef} "
                                f"and grad tree {grad_def}.")
            states = [tree.unflatten(d, s) for d, s in zip(subtrees, states_flat)]
            new_flat, new_subtrees = _flatten_each([update(i, g, s) for g, s in zip(grad_flat, states)])
            for before, after in zip(subtrees, new_subtrees):
                if before != after:
                    raise TypeError(f"optimizer update function produced an output structure that did not match "
                                    f"its input structure: input {before} and output {after}.")
            return OptimizerState(new_flat, treedef, subtrees)

        @functools.wraps(get_params)
        def tree_get_params(opt_state):
            states_flat, treedef, subtrees = opt_state
            return tree.unflatten(treedef, [get_params(tree.unflatten(d, s)) for d, s in zip(subtrees, states_flat)])

        return Optimizer(tree_init, tree_update, tree_get_params)
    return tree_opt_maker


def _with_two_moments(x0):
    """The state of an optimizer that keeps two running statistics per parameter, both starting at zero."""
    return x0, jnp.zeros_like(x0), jnp.zeros_like(x0)


def _first(state):
    return state[0]


# Each optimizer: state per array, as a tuple whose first entry is the parameter.

@optimizer
def sgd(step_size):
    """Stochastic gradient descent: x <- x - step_size(i) g."""
    step_size = make_schedule(step_size)
    return Optimizer(lambda x0: x0, lambda i, g, x: x - step_size(i) * g, lambda x: x)


@optimizer
def momentum(step_size: Schedule, mass: float):
    """SGD with heavy-ball momentum: v <- mass v + g; x <- x - step_size(i) v."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, velocity = state
        velocity = mass * velocity + g
        return x - step_size(i) * velocity, velocity
    return (lambda x0: (x0, jnp.zeros_like(x0))), update, _first


@optimizer
def nesterov(step_size: Schedule, mass: float):
    """SGD with Nesterov momentum: v <- mass v + g; x <- x - step_size(i) (mass v + g)."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, velocity = state
        velocity = mass * velocity + g
        return x - step_size(i) * (mass * velocity + g), velocity
    return (lambda x0: (x0, jnp.zeros_like(x0))), update, _first


@optimizer
def adagrad(step_size, momentum=0.9):
    """Adagrad (Duchi et al. 2011) with momentum on the normalised gradient."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, g_sq, m = state
        g_sq = g_sq + jnp.square(g)
        # entries never seen a nonzero gradient get no update instead of 0/0
        inv_sqrt = jnp.where(g_sq > 0, 1. / jnp.sqrt(g_sq), 0.0)
        m = (1. - momentum) * (g * inv_sqrt) + momentum * m
        return x - step_size(i) * m, g_sq, m
    return _with_two_moments, update, _first


@optimizer
def rmsprop(step_size, gamma=0.9, eps=1e-8):
    """RMSProp: a decaying average of squared gradients (decay gamma) scales the step."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, avg_sq = state
        avg_sq = avg_sq * gamma + jnp.square(g) * (1. - gamma)
        return x - step_size(i) * g / jnp.sqrt(avg_sq + eps), avg_sq
    return (lambda x0: (x0, jnp.zeros_like(x0))), update, _first


@optimizer
def rmsprop_momentum(step_size, gamma=0.9, eps=1e-8, momentum=0.9):
    """RMSProp whose scaled steps accumulate in a momentum buffer."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, avg_sq, mom = state
        avg_sq = avg_sq * gamma + jnp.square(g) * (1. - gamma)
        mom = momentum * mom + step_size(i) * g / jnp.sqrt(avg_sq + eps)
        return x - mom, avg_sq, mom
    return _with_two_moments, update, _first


@optimizer
def adam(step_size, b1=0.9, b2=0.999, eps=1e-8):
    """Adam (Kingma & Ba): bias-corrected first and second moment estimates, decay rates b1 and b2."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, m, v = state
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * jnp.square(g) + b2 * v
        # the powers in the parameters' dtype, so a float32 model stays float32 with a traced step
        m_hat = m / (1 - jnp.asarray(b1, m.dtype) ** (i + 1))
        v_hat = v / (1 - jnp.asarray(b2, m.dtype) ** (i + 1))
        return x - step_size(i) * m_hat / (jnp.sqrt(v_hat) + eps), m, v
    return _with_two_moments, update, _first


@optimizer
def adamax(step_size, b1=0.9, b2=0.999, eps=1e-8):
    """AdaMax: Adam with the second moment replaced by a decaying infinity norm of the gradients."""
    step_size = make_schedule(step_size)

    def update(i, g, state):
        x, m, u = state
        m = (1 - b1) * g + b1 * m
        u = jnp.maximum(b2 * u, jnp.abs(g))
        x = x - (step_size(i) / (1 - jnp.asarray(b1, m.dtype) ** (i + 1))) * m / (u + eps)
        return x, m, u
    return _with_two_moments, update, _first


@optimizer
def sm3(step_size, momentum=0.9):
    """SM3 (Anil et al. 2019): Adagrad whose accumulator is covered by one vector per axis (the maxima of the
    accumulator over the other axes), so its memory is the sum, not the product, of the dimensions."""
    step_size = make_schedule(step_size)

    def along(ndim, v, axis):       # v, of the size of axis `axis`, broadcastable against an ndim array
        return jnp.reshape(v, [-1 if d == axis else 1 for d in range(ndim)])

    def init(x0):
        shape = jnp.shape(x0)
        x0 = jnp.atleast_1d(x0)
        return x0, jnp.zeros_like(x0), [jnp.zeros(n, dtype=x0.dtype) for n in x0.shape], shape

    def update(i, g, state):
        x, m, vs, shape = state
        g = jnp.reshape(g, x.shape)       # a scalar parameter is kept as shape (1,)
        accum = functools.reduce(jnp.minimum, [along(g.ndim, v, a) for a, v in enumerate(vs)]) + jnp.square(g)
        inv_sqrt = jnp.where(accum > 0, 1. / jnp.sqrt(accum), 0)
        m = (1. - momentum) * (g * inv_sqrt) + momentum * m
        x = x - step_size(i) * m
        vs = [accum.max(tuple(d for d in range(x.ndim) if d != a)) for a in range(x.ndim)]
        return x, m, vs, shape

    def get_params(state):
        x, _, _, shape = state
        return jnp.reshape(x, shape)
    return init, update, get_params


# Schedules: step number -> step size. They use jnp only where the step may be traced.

def constant(step_size) -> Schedule:
    return lambda i: step_size


def exponential_decay(step_size, decay_steps, decay_rate):
    return lambda i: step_size * decay_rate ** (i / decay_steps)


def inverse_time_decay(step_size, decay_steps, decay_rate, staircase=False):
    if staircase:
        return lambda i: step_size / (1 + decay_rate * jnp.floor(i / decay_steps))
    return lambda i: step_size / (1 + decay_rate * i / decay_steps)


def polynomial_decay(step_size, decay_steps, final_step_size, power=1.0):
    def schedule(step_num):
        frac = 1 - jnp.minimum(step_num, decay_steps) / decay_steps
        return frac ** power * (step_size - final_step_size) + final_step_size
    return schedule


def piecewise_constant(boundaries: Any, values: Any):
    """values[0] up to and including step boundaries[0], values[1] up to boundaries[1], ..., values[-1] after."""
    boundaries, values = jnp.array(boundaries), jnp.array(values)
    if not boundaries.ndim == values.ndim == 1:
        raise ValueError(f"piecewise_constant: boundaries and values must be sequences, got arrays of shapes "
                         f"{boundaries.shape} and {values.shape}")
    if boundaries.shape[0] != values.shape[0] - 1:
        raise ValueError(f"piecewise_constant: boundaries length must be one shorter than values length, got "
                         f"{boundaries.shape[0]} boundaries and {values.shape[0]} values")
    return lambda i: values[jnp.sum(i > boundaries)]


def make_schedule(scalar_or_schedule) -> Schedule:
    """A schedule unchanged; a scalar as the constant schedule."""
    if callable(scalar_or_schedule):
        return scalar_or_schedule
    try:
        shape = jnp.shape(scalar_or_schedule)
    except TypeError:
        shape = None
    if shape == ():
        return constant(scalar_or_schedule)
    what = "" if shape is None else f" of shape {shape}"
    raise TypeError(f"step size must be a scalar or a schedule (a callable of the step), got "
                    f"{type(scalar_or_schedule).__name__} {scalar_or_schedule!r:.80}{what}")


# Utilities

def l2_norm(tree_):
    """The l2 norm of a pytree of arrays, all leaves taken as one vector."""
    return jnp.sqrt(sum(jnp.vdot(x, x) for x in tree.leaves(tree_)))


def clip_grads(grad_tree, max_norm):
    """grad_tree scaled down to l2 norm max_norm if its norm is larger."""
    norm = l2_norm(grad_tree)
    return tree.map(lambda g: jnp.where(norm < max_norm, g, g * (max_norm / norm)), grad_tree)


# Serialisation: an OptimizerState as one ordinary pytree, the per-leaf states marked by JoinPoints.

class JoinPoint:
    """Where a per-parameter state subtree joins the parameter tree. Not a pytree node: a leaf."""
    def __init__(self, subtree):
        self.subtree = subtree

    def __iter__(self):     # unpacks like a one-element container
        yield self.subtree


def unpack_optimizer_state(opt_state):
    """OptimizerState -> the parameter tree with a JoinPoint(state subtree) for each parameter."""
    states_flat, treedef, subtrees = opt_state
    return tree.unflatten(treedef, [JoinPoint(tree.unflatten(d, s)) for d, s in zip(subtrees, states_flat)])


def pack_optimizer_state(marked_pytree):
    """The inverse of unpack_optimizer_state."""
    joins, treedef = tree.flatten(marked_pytree)
    bad = [j for j in joins if not isinstance(j, JoinPoint)]
    if bad:
        raise TypeError(f"pack_optimizer_state: expected a pytree whose leaves are all JoinPoints (as "
                        f"unpack_optimizer_state makes), got a leaf of type {type(bad[0]).__name__}: {bad[0]!r}")
    states_flat, subtrees = _flatten_each([j.subtree for j in joins])
    return OptimizerState(states_flat, treedef, subtrees)
