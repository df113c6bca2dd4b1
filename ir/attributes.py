"""The kinds of primitive attributes, by name: names mean the same thing on every primitive that has them,
so one table checks all of them. Type rules may assume these kinds (a float `dimension` or a bool `axis`
would otherwise reach the lowering)."""
import numpy as np

INT = {"axis", "axis_size", "body_nconsts", "callback", "concat_axis", "cond_nconsts", "dimension", "exponent_bits",
       "k", "length", "mantissa_bits", "num_args", "num_carry", "num_consts", "num_keys", "num_out", "num_res",
       "reduction_dimension", "reduction_input_size_override", "rounding_method", "scatter_dimension",
       "split_axis"}
BOOL = {"aggregate_to_topk", "compute_left_eigenvectors", "compute_right_eigenvectors", "compute_uv", "conjugate_a",
        "differentiated", "enable_eigvec_derivs", "full_matrices", "indices_are_sorted", "is_max_k", "is_stable",
        "left_side", "lower", "ordered", "pivoting", "prevent_cse", "reverse", "tiled", "transpose_a",
        "unique_indices", "unit_diagonal", "weak", "weak_type"}
INTS = {"axes", "broadcast_dimensions", "collapsed_slice_dims", "dimensions", "fft_lengths",
        "inserted_window_dims", "lhs_batch", "lhs_contracting", "limit_indices", "new_sizes", "offset_dims",
        "operand_batching_dims", "permutation", "rhs_batch", "rhs_contracting", "scatter_dims_to_operand_dims",
        "scatter_indices_batching_dims", "shape", "slice_sizes", "start_index_map", "start_indices",
        "start_indices_batching_dims", "strides", "update_window_dims"}
NESTED_INTS = {"padding_config", "perm"}      # lists of integer tuples
OTHER_MEANING = {("pvary", "axes")}            # (primitive, name) where the name means something else: axis names


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _ints(v, depth=1):
    return isinstance(v, (tuple, list)) and all(_ints(e, depth - 1) if depth else _is_int(e) for e in v)


def check_attributes(prim, attrs):
    """A TypeError naming the attribute when one of a known name has the wrong kind."""
    for name, v in attrs.items():
        if (prim, name) in OTHER_MEANING:
            continue
        if name in INT and not _is_int(v):
            expected = "an integer"
        elif name in BOOL and not isinstance(v, (bool, np.bool_)):
            expected = "a boolean"
        elif name in INTS and v is not None and not _ints(v, 0):
            expected = "a list of integers"
        elif name in NESTED_INTS and not _ints(v, 1):
            expected = "a list of integer lists"
        else:
            continue
        raise TypeError(f"{prim}: attribute {name} must be {expected}, got "
                        f"{list(v) if isinstance(v, tuple) else v!r}")
