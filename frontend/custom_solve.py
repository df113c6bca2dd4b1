"""lax.custom_root and lax.custom_linear_solve (JAX's names, signatures and semantics): derivatives of a
solution by the implicit function theorem, never by differentiating the solver's iterations, so a solver may
be any function (a while_loop, say) and still have exact first and higher derivatives.
"""
import operator

from . import lax, tree
from .ad import jvp, linear_transpose, linearize
from .control import _Body, _type_str
from .core import bind, current_trace, eval_func, type_of
from .custom import custom_jvp


def _check_tree(what, where, out_tree, out_types, want_tree, want_types):
    if out_tree != want_tree:
        raise TypeError(f"{what}() output pytree structure must match {where}, got {out_tree} and {want_tree}.")
    bad = [(a, b) for a, b in zip(out_types, want_types) if a.shape != b.shape or a.dtype != b.dtype]
    if bad:
        a, b = bad[0]
        raise TypeError(f"{what}() output shapes and dtypes must match {where}, got {_type_str(a)} and "
                        f"{_type_str(b)}.")


def _split_aux(body, has_aux, what):
    """(main tree, aux tree or None) of a traced solver's output."""
    if not has_aux:
        return body.out_tree, None
    if body.out_tree.num_nodes == 1 or len(body.out_tree.children()) != 2:
        raise TypeError(f"{what}() with has_aux=True must return a pair (solution, aux); got {body.out_tree}")
    return tuple(body.out_tree.children())


# ---- custom_root -----------------------------------------------------------------------------------------

def custom_root(f, initial_guess, solve, tangent_solve, has_aux=False):
    """The solution x of f(x) = 0 found by solve(f, initial_guess), differentiated implicitly: for the values
    f closes over (its parameters p), dx = -(df/dx)^-1 (df/dp dp), the inverse applied by
    tangent_solve(g, y), which solves the linear equation g(z) = y for z (g is f's JVP at the solution; e.g.
    `lambda g, y: y / g(1.0)` for scalars). For reverse mode tangent_solve must be transposable (built from
    linear ops or lax.custom_linear_solve). With has_aux, solve returns (solution, aux) and aux gets no
    derivative."""
    if current_trace() is None:      # nothing differentiates it: just solve
        return solve(f, initial_guess)
    g_leaves, g_tree = tree.flatten(initial_guess)
    types = [type_of(x) for x in g_leaves]
    f_body = _Body(f, types, tree.structure((initial_guess,)), "f", consts_first=False)
    _check_tree("f", "initial_guess", f_body.out_tree, f_body.out_types, g_tree, types)
    s_body = _Body(lambda x: solve(f, x), types, tree.structure((initial_guess,)), "solve", consts_first=False)
    sol_tree, aux_tree = _split_aux(s_body, has_aux, "solve")
    n = len(g_leaves)
    _check_tree("solve", "initial_guess", sol_tree, s_body.out_types[:n], g_tree, types)

    def linearize_and_solve(x, rhs):
        _, f_jvp = linearize(f, x)
        return tangent_solve(f_jvp, rhs)
    ls_body = _Body(linearize_and_solve, types + types, tree.structure((initial_guess, initial_guess)),
                    "tangent_solve", consts_first=False)
    _check_tree("tangent_solve", "initial_guess", ls_body.out_tree, ls_body.out_types, g_tree, types)
    # the values the three close over become explicit arguments, so f's can be differentiated
    consts, index = [], {}
    for body in (f_body, s_body, ls_body):
        for c in body.consts:
            index.setdefault(id(c), len(consts))
            if index[id(c)] == len(consts):
                consts.append(c)
    f_at, s_at, ls_at = ([index[id(c)] for c in body.consts] for body in (f_body, s_body, ls_body))
    nc = len(consts)

    def run(body, at, cs, args):
        return eval_func(body.func, list(args) + [cs[i] for i in at])

    @custom_jvp
    def root(*args):
        return run(s_body, s_at, args[:nc], args[nc:])

    @root.defjvp
    def root_jvp(primals, tangents):
        cs, cs_dot = primals[:nc], tangents[:nc]
        out = root(*primals)
        sol = out[:n]
        # f(p, x(p)) = 0, so  df/dp dp + df/dx dx = 0:  dx = -(df/dx)^-1 (df/dp dp)
        _, rhs = jvp(lambda *p: run(f_body, range(len(f_at)), p, sol), [cs[i] for i in f_at],
                     [cs_dot[i] for i in f_at])
        sol_dot = [operator.neg(d) for d in run(ls_body, ls_at, cs, list(sol) + list(rhs))]
        return out, sol_dot + [lax.zeros_like_array(a) for a in out[n:]]

    out = root(*consts, *g_leaves)
    solution = g_tree.unflatten(out[:n])
    return (solution, aux_tree.unflatten(out[n:])) if has_aux else solution


# ---- custom_linear_solve ------------------------------------------------------------------------------------

def custom_linear_solve(matvec, b, solve, transpose_solve=None, symmetric=False, has_aux=False):
    """x = solve(matvec, b) for the linear map matvec, differentiated implicitly (one linear_solve op): the
    JVP solves A dx = db - dA x, and reverse mode transposes it to transpose_solve(vecmat, ct), vecmat being
    matvec's transpose (with symmetric=True, solve and matvec themselves). transpose_solve is needed for
    reverse mode only. With has_aux, solve (and transpose_solve) return (x, aux); the result is then
    (x, aux), aux getting no derivative."""
    if current_trace() is None:
        return solve(matvec, b)
    b_leaves, b_tree = tree.flatten(b)
    types = [type_of(x) for x in b_leaves]
    in_tree = tree.structure((b,))
    mv = _Body(matvec, types, in_tree, "matvec")
    _check_tree("matvec", "b", mv.out_tree, mv.out_types, b_tree, types)

    def solver(fun, vec_map, what):
        body = _Body(lambda x: fun(vec_map, x), types, in_tree, what)
        x_tree, _ = _split_aux(body, has_aux, what)
        _check_tree(what, "b", x_tree, body.out_types[:len(types)], b_tree, types)
        return body
    sv = solver(solve, matvec, "solve")
    bodies = [mv, sv]
    if symmetric or transpose_solve is not None:
        if symmetric:
            vecmat, t_solve = matvec, solve
        else:
            transposed = linear_transpose(matvec, b)
            vecmat, t_solve = (lambda y: transposed(y)[0]), transpose_solve
        bodies += [_Body(vecmat, types, in_tree, "vecmat"), solver(t_solve, vecmat, "transpose_solve")]
    outs = bind("linear_solve", *[c for body in bodies for c in body.consts], *b_leaves,
                regions=[body.block for body in bodies], const_lengths=tuple(len(body.consts) for body in bodies))
    x = b_tree.unflatten(outs[:len(types)])
    if has_aux:
        return x, _split_aux(sv, True, "solve")[1].unflatten(outs[len(types):])
    return x
