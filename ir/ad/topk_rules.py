"""JVPs of top_k and approx_top_k, as JAX's: the primal op, then the tangent gathered at the selected
indices along the selected dimension (every other dimension a batch dimension of the gather). Neither is
linear, so neither has a transpose rule; the indices have no tangent."""
from .jvp import JVP_RULES
from .jvp_rules import primal


def _take_along(b, t, idx, dim):
    """t[..., idx[..., j, ...], ...] along `dim`: JAX's gather for top_k (take_along_axis for approx_top_k
    gives the same values)."""
    nd = idx.type.ndim
    others = tuple(i for i in range(nd) if i != dim)
    attrs = {"offset_dims": (), "collapsed_slice_dims": (dim,), "start_index_map": (dim,), "slice_sizes": (1,) * nd}
    if others:
        attrs.update(operand_batching_dims=others, start_indices_batching_dims=others)
    at = b.emit1("expand_dims", [idx], {"dimensions": (nd,)})
    return b.emit1("gather", [t, at], attrs)


def _selection(dim_attr):
    def rule(b, op, ps, ts):
        values, idx = primal(b, op, ps)
        return [values, idx], [_take_along(b, ts[0], idx, op.attrs[dim_attr]), None]
    return rule


JVP_RULES["top_k"] = _selection("axis")
JVP_RULES["approx_top_k"] = _selection("reduction_dimension")
