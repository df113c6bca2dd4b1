"""Derivatives of conv_general_dilated, JAX's rules (jax/_src/lax/convolution.py). The convolution is
bilinear: its JVP is conv(t_lhs, rhs) + conv(lhs, t_rhs), and its transposes are convolutions again:

- w.r.t. lhs: the cotangent convolved with the spatially reversed kernel, its in/out features swapped,
  window_strides and lhs_dilation exchanged and the padding that undoes the forward one. Feature groups
  move into the kernel's output features; batch groups are undone by moving features back into the batch.
- w.r.t. rhs: lhs convolved with the cotangent as kernel (batch and feature roles swapped), window_strides
  and rhs_dilation exchanged; feature groups of the forward become batch groups and the other way round.
"""
from ..primitives_conv import dilate_dim
from .jvp import jvp_rule
from .jvp_rules import Emit, primal
from .transpose import is_linear, transpose_rule
from .transpose_rules import LINEAR
from .util import add_tangents, zeros

LINEAR.add("conv_general_dilated")


@jvp_rule("conv_general_dilated")
def _conv_jvp(b, op, ps, ts):
    (lhs, rhs), (t_lhs, t_rhs) = ps, ts
    conv = lambda x, y: b.emit1("conv_general_dilated", [x, y], op.attrs)
    return primal(b, op, ps), [add_tangents(b, t_lhs and conv(t_lhs, rhs), t_rhs and conv(lhs, t_rhs))]


def reshape_axis_into(o, src, dst, x):
    """x with dimension src merged into dimension dst (src major), as jax's _reshape_axis_into."""
    shape = x.type.shape
    perm = [i for i in range(len(shape)) if i != src]
    perm.insert(dst, src)
    if perm != list(range(len(shape))):
        x = o.transpose(x, permutation=tuple(perm))
    new = [n for i, n in enumerate(shape) if i != src]
    new[dst] *= shape[src]
    return o.reshape(x, new_sizes=tuple(new))


def reshape_axis_out_of(o, src, size, x):
    """x with dimension src split into (size, rest)."""
    shape = list(x.type.shape)
    shape[src:src + 1] = [size, shape[src] // size]
    return o.reshape(x, new_sizes=tuple(shape))


def _spatial(shape, spec):
    return [shape[d] for d in spec[2:]]


def _swap(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def vjp_lhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
    pads = []
    for n, k, s, o, (lo, _), ld, rd in zip(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
        before = dilate_dim(k, rd) - lo - 1
        pads.append((before, dilate_dim(n, ld) + dilate_dim(k, rd) - 1 - dilate_dim(o, s) - before))
    return tuple(pads)


def vjp_rhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation, rhs_dilation):
    return tuple((lo, dilate_dim(o, s) - dilate_dim(n, ld) + dilate_dim(k, rd) - lo - 1)
                 for n, k, s, o, (lo, _), ld, rd in zip(in_shape, window, strides, out_shape, padding,
                                                        lhs_dilation, rhs_dilation))


def _convert(o, x, dtype):
    return x if x.type.dtype == dtype else o.convert_element_type(x, new_dtype=dtype, weak_type=False)


def _conv(o, x, y, a, **changes):
    attrs = dict(a, **changes)
    return o.b.emit1("conv_general_dilated", [x, y], attrs)


def transpose_lhs(o, ct, lhs_type, rhs, a):
    lhs_spec, rhs_spec, out_spec = a["dimension_numbers"]
    fgc, bgc = a.get("feature_group_count", 1), a.get("batch_group_count", 1)
    rhs_shape = rhs.type.shape
    if fgc > 1 or bgc > 1:
        rhs = reshape_axis_out_of(o, rhs_spec[0], max(fgc, bgc), rhs)
        rhs = reshape_axis_into(o, rhs_spec[0], rhs_spec[1], rhs)
    padding = vjp_lhs_padding(_spatial(lhs_type.shape, lhs_spec), _spatial(rhs_shape, rhs_spec), a["window_strides"],
                              _spatial(ct.type.shape, out_spec), a["padding"], a["lhs_dilation"], a["rhs_dilation"])
    kernel = _convert(o, o.rev(rhs, dimensions=tuple(rhs_spec[2:])), ct.type.dtype)
    out = _conv(o, ct, kernel, a, window_strides=tuple(a["lhs_dilation"]), padding=padding,
                lhs_dilation=tuple(a["window_strides"]), dimension_numbers=(out_spec, _swap(rhs_spec), lhs_spec),
                feature_group_count=max(fgc, bgc), batch_group_count=1)
    out = _convert(o, out, lhs_type.dtype)
    if bgc > 1:
        out = reshape_axis_out_of(o, lhs_spec[1], bgc, out)
        out = reshape_axis_into(o, lhs_spec[1], lhs_spec[0], out)
    return out


def transpose_rhs(o, ct, lhs, rhs_type, a):
    if ct.type.size == 0:
        return zeros(o.b, rhs_type)
    lhs_spec, rhs_spec, out_spec = a["dimension_numbers"]
    fgc, bgc = a.get("feature_group_count", 1), a.get("batch_group_count", 1)
    padding = vjp_rhs_padding(_spatial(lhs.type.shape, lhs_spec), _spatial(rhs_type.shape, rhs_spec),
                              a["window_strides"], _spatial(ct.type.shape, out_spec), a["padding"], a["lhs_dilation"],
                              a["rhs_dilation"])
    out = _conv(o, _convert(o, lhs, ct.type.dtype), ct, a, window_strides=tuple(a["rhs_dilation"]), padding=padding,
                rhs_dilation=tuple(a["window_strides"]),
                dimension_numbers=(_swap(lhs_spec), _swap(out_spec), _swap(rhs_spec)),
                feature_group_count=bgc, batch_group_count=fgc)
    return _convert(o, out, rhs_type.dtype)


@transpose_rule("conv_general_dilated")
def _conv_transpose(b, op, cts, operands):
    ct, = cts
    lhs, rhs = operands
    if is_linear(lhs) and is_linear(rhs):
        raise TypeError("conv_general_dilated of two linear values is not linear")
    o = Emit(b)
    if is_linear(lhs):
        return [transpose_lhs(o, ct, lhs.type, rhs, op.attrs), None]
    return [None, transpose_rhs(o, ct, lhs, rhs.type, op.attrs)]


