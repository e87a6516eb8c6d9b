"""Shapes, constructors, broadcasting and the adjoint of broadcasting.

Shapes are operands rather than params so that shape-generic code can compute them
at run time (``np.shape(x)``); when the compiler knows the shape, ``shape(x)`` folds
to a constant tuple at binding time and the code is specialised. Rules whose adjoint
depends on shapes (joining, tiling, padding) emit plain slicing and reshaping when
the shapes are known, and otherwise call a helper (``ir.reference``) that decides at run time.
"""
from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from .. import reference as ref
from ..core import Aval, Var, ndim_of
from .core import (
    NONE_FOR_THE_REST,
    Primitive,
    attribute,
    constructor,
    defjvp,
    deflinear,
    defvjp,
    identity,
    method,
    nondifferentiable,
    per_operand,
)

shape = Primitive("shape", np.shape)
# A size and a rank are Python ints, also where the shape is known only at run time.
_PYTHON_INT = Aval((), np.dtype(np.int64), weak=True)
size = Primitive("size", np.size, aval_rule=lambda args, params: [_PYTHON_INT])
ndim = Primitive("ndim", np.ndim, aval_rule=lambda args, params: [_PYTHON_INT])
reshape = Primitive("reshape", np.reshape, sizes=(1,))
_reshape_avals = reshape.aval_rule


def _reshaped_avals(args: Any, params: Any) -> list[Aval]:
    """A reshape to a shape of known lengths has that shape, whatever is known of the
    operand's (after a mask, ``np.reshape(x[m], (2, 3))``): NumPy raises otherwise.
    To any shape, it keeps the operand's dtype, also where that is known only at run
    time (a recursion's result, compiled shape-generic)."""
    target = args[1].value if len(args) > 1 and not isinstance(args[1], Var) else None
    target = (target,) if isinstance(target, int) else target
    x = args[0].aval
    if isinstance(args[0], Var) and x.shape is None and (
            x.dtype is None or x.dtype != np.dtype(object)):  # (a constant: evaluated)
        known = isinstance(target, tuple) and all(isinstance(n, int) and n >= 0
                                                  for n in target)
        return [Aval(tuple(target) if known else None, x.dtype)]
    return _reshape_avals(args, params)


reshape.aval_rule = _reshaped_avals


def _unbroadcast_avals(args: Any, params: Any) -> list[Aval]:
    """``g`` summed to ``x``'s shape has that shape whatever is known of ``g``'s (the
    cotangent of a value whose length a mask decides, added into a known one): NumPy is
    asked about a ``g`` of ``x``'s shape, which sums to the same dtype (where ``x``'s
    shape is unknown too, about 0-d ones: the dtype does not follow the shapes)."""
    g, x = args[0].aval, args[1].aval
    if g.shape is not None and x.shape is not None:
        return unbroadcast_to._eval_avals(args, params)
    shape = () if x.shape is None else x.shape  # (the dtype, where no shape is known)
    (out,) = unbroadcast_to._eval_avals(
        [Var(Aval(shape, g.dtype, weak=g.weak)), Var(Aval(shape, x.dtype, weak=x.weak))],
        params)
    return [Aval(x.shape, out.dtype)]


def _joined_avals(prim: Primitive) -> Any:
    """Arrays joined (``np.concatenate``, ``np.stack``) promote their dtypes, also where
    a piece's length is known only at run time (a masked selection joined to others):
    its shape is then unknown, its dtype not."""
    default = prim.aval_rule

    def rule(args: Any, params: Any) -> list[Aval]:
        out = default(args, params)
        avals = [a.aval for a in args]
        if out[0].dtype is None and all(a.dtype is not None for a in avals):
            return [Aval(out[0].shape, np.result_type(*(a.stand_in() for a in avals)))]
        return out
    return rule


def _concat_part_avals(args: Any, params: Any) -> list[Aval]:
    """The piece of ``g`` that one of the joined arrays became has that array's shape."""
    return [Aval(args[1 + params["index"]].aval.shape, args[0].aval.dtype)]


broadcast_to = Primitive("broadcast_to", np.broadcast_to, sizes=(1,))
_broadcast_avals = broadcast_to.aval_rule


def _broadcast_to_avals(args: Any, params: Any) -> list[Aval]:
    """Broadcasting keeps the dtype, also to a shape known at run time only."""
    (out,) = _broadcast_avals(args, params)
    x = args[0].aval
    return [Aval(out.shape, x.dtype, weak=x.weak) if out.dtype is None else out]


broadcast_to.aval_rule = _broadcast_to_avals
expand_dims = Primitive("expand_dims", np.expand_dims)
transpose = Primitive("transpose", np.transpose, defaults={"axes": None})
T = Primitive("T", attribute("T"))  # all axes reversed: a matrix's transpose, spelled x.T
swapaxes = Primitive("swapaxes", np.swapaxes)
unbroadcast_to = Primitive("unbroadcast", ref.unbroadcast, aval_rule=_unbroadcast_avals)
keepdims_like = Primitive("keepdims_like", ref.keepdims_like)  # where ranks are unknown
ones_like = constructor("ones_like", np.ones_like, defaults={"dtype": None})
zeros_like = constructor("zeros_like", np.zeros_like, defaults={"dtype": None})
ones = constructor("ones", np.ones, defaults={"dtype": None}, sizes=(0,))
zeros = constructor("zeros", np.zeros, defaults={"dtype": None}, sizes=(0,))
# the operand itself: whatever is known of it (a shape whose dtype is not) stays known
stop_gradient = Primitive("stop_gradient", identity, form="alias",
                          aval_rule=lambda args, params: [args[0].aval])
copy = constructor("copy", np.array, defaults={"ndmin": 0})
stack_rows = constructor("stack_rows", ref.stack_rows)  # vmap's rows of run-time shape
# its transpose: a batched array's rows as the list ``stack_rows`` read (the cotangent
# of that list, which the loop over examples that wrote it reads row by row)
unstack_rows = Primitive("unstack_rows", ref.unstack_rows, foldable=False,
                         aval_rule=lambda args, params: [Aval(None, np.dtype(object))])
dtype = Primitive("dtype", attribute("dtype"))
result_type = Primitive("result_type", np.result_type)
for _prim in (shape, size, ndim, dtype, result_type):
    _prim.scalar_result = True  # Python objects, never arrays
astype = Primitive("astype", method("astype"))
astype_discrete = Primitive("astype_discrete", method("astype"))
astype.scalar_result = astype_discrete.scalar_result = None  # as the value cast
moveaxis = Primitive("moveaxis", np.moveaxis)
squeeze = Primitive("squeeze", np.squeeze, defaults={"axis": None})
flip = Primitive("flip", np.flip, defaults={"axis": None})
roll = Primitive("roll", np.roll, defaults={"axis": None})
atleast_1d, atleast_2d, atleast_3d = (Primitive(n, getattr(np, n))
                                      for n in ("atleast_1d", "atleast_2d", "atleast_3d"))
triu = Primitive("triu", np.triu, defaults={"k": 0})
tril = Primitive("tril", np.tril, defaults={"k": 0})
tile = Primitive("tile", np.tile, sizes=(1,))
untile = Primitive("untile", ref.untile)
repeat = Primitive("repeat", np.repeat, defaults={"axis": None}, sizes=(1,))
unrepeat = Primitive("unrepeat", ref.unrepeat, defaults={"axis": None})
pad = Primitive("pad", ref.pad, sizes=(1,))
unpad = Primitive("unpad", ref.unpad, sizes=(1,))
concatenate = Primitive("concatenate", ref.concatenate, defaults={"axis": 0})
stack = Primitive("stack", ref.stack, defaults={"axis": 0})
hstack = Primitive("hstack", ref.hstack)
concat_part = Primitive("concat_part", ref.concat_part, aval_rule=_concat_part_avals)
for _prim in (concatenate, stack, hstack):
    _prim.aval_rule = _joined_avals(_prim)
diag = Primitive("diag", np.diag, defaults={"k": 0})
undiag = Primitive("undiag", ref.undiag, defaults={"k": 0})

nondifferentiable(shape, size, ndim, ones_like, zeros_like, ones, zeros, stop_gradient, dtype,
                  result_type, astype_discrete)


def _static(attr: str):
    """``shape``/``size``/``ndim`` of a value whose shape is known are constants."""
    def value(aval: Aval) -> Any:
        return None if aval.shape is None else getattr(np.empty(aval.shape, np.int8), attr)
    return value


shape.static_value = _static("shape")
size.static_value = _static("size")
ndim.static_value = _static("ndim")
dtype.static_value = lambda aval: aval.dtype
result_type.static_value = lambda aval: aval.dtype


def dtype_of(x: Any) -> Any:
    """The dtype of ``x`` (an array or a Python scalar): an ``np.dtype`` when known,
    else an ``np.result_type(x)`` equation."""
    return result_type(x)


def dim_of(x: Any, axis: int) -> Any:
    """The length of ``x`` along ``axis``: an int when known, else an equation."""
    from .indexing import getitem
    dims = shape_of(x)
    return dims[axis] if isinstance(dims, tuple) else getitem(dims, axis)


def axis_index(axis: int, index: Any) -> tuple:
    """The index that applies ``index`` (an int or a slice) along ``axis`` whatever the
    rank: ``x[:, :, index]`` for ``axis=2``, ``x[..., index, :]`` for ``axis=-2``."""
    if axis >= 0:
        return (slice(None),) * axis + (index,)
    return (Ellipsis, index) + (slice(None),) * (-axis - 1)


def shape_of(x: Any) -> Any:
    """The shape of ``x``: a tuple when known, else a ``shape`` equation."""
    return shape(x)


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to ``x``'s shape, in ``x``'s float dtype: the one place NumPy's
    implicit broadcasting and type promotion are undone (a float32 input combined with
    a float64 constant gets a float32 gradient).

    With both shapes known this is an explicit ``np.sum`` over the broadcast axes (or
    nothing at all); otherwise the ``unbroadcast`` runtime helper decides at run time.
    """
    gs, xs = _aval(g).shape, _aval(x).shape
    if gs is None or xs is None:
        return unbroadcast_to(g, x)
    lead = len(gs) - len(xs)
    if lead < 0:  # ``x`` has leading axes more, all of length 1 (``y[4] = w[None, :]``:
        g, gs, lead = reshape(g, xs[:-lead] + gs), xs[:-lead] + gs, 0  # NumPy drops them)
    if lead:
        from .reductions import reduce_sum
        g = reduce_sum(g, axis=tuple(range(lead)) if lead > 1 else 0)
    kept = tuple(i for i, n in enumerate(xs) if n == 1 and gs[lead + i] != 1)
    if kept:
        from .reductions import reduce_sum
        g = reduce_sum(g, axis=kept if len(kept) > 1 else kept[0], keepdims=True)
    return _in_dtype_of(g, x)


def _in_dtype_of(g: Any, x: Any) -> Any:
    """``g`` cast to ``x``'s dtype when both are known floats of different precision;
    the real part of a complex ``g`` when ``x`` is real (a real value's cotangent is
    real, and the imaginary part must not flow on into complex values upstream), also
    of a ``g`` whose dtype is known at run time only (a branch's result whose paths give
    different dtypes): ``np.real`` of a real array is that array. Where ``x``'s dtype
    is the one known at run time only, a ``g`` that is or may be complex is matched to
    it when the program runs (``match_complex``)."""
    ga, xa = _aval(g), _aval(x)
    if xa.dtype is not None and xa.dtype.kind in "fiub" and (
            ga.dtype.kind == "c" if ga.dtype is not None else isinstance(g, Var)):
        from .elementwise import real
        g = real(g)
        ga = _aval(g)
    elif xa.dtype is None and (ga.dtype.kind == "c" if ga.dtype is not None
                               else isinstance(g, Var)):
        from .elementwise import match_complex
        return match_complex(g, x)
    floats = all(a.dtype is not None and a.dtype.kind == "f" for a in (ga, xa))
    if floats and not xa.weak and not ga.weak and ga.dtype != xa.dtype:
        return astype(g, xa.dtype)
    return g


def _aval(x: Any) -> Aval:
    return x.aval if isinstance(x, Var) else Aval.of(np.asarray(x) if isinstance(x, list) else x)


def _vjp_transpose(g, ans, x, axes=None):
    if axes is None:
        return T(g)
    return transpose(g, axes=tuple(np.argsort([a % len(axes) for a in axes]).tolist()))


defvjp(reshape, lambda g, ans, x, new_shape: reshape(g, shape_of(x)), None)
defvjp(broadcast_to, lambda g, ans, x, new_shape: unbroadcast(g, x), None)
defvjp(expand_dims, lambda g, ans, x, axis: reshape(g, shape_of(x)))
defvjp(transpose, _vjp_transpose)
defvjp(swapaxes, lambda g, ans, x, axis1, axis2: swapaxes(g, axis1, axis2))
# (``order``, a memory layout the optimiser asks for, changes no value: fuzz seed 140757)
defvjp(copy, lambda g, ans, x, ndmin=0, order="K": reshape(g, shape_of(x)) if ndmin else g)
defvjp(unbroadcast_to, lambda g, ans, x, like: broadcast_to(g, shape_of(x)), None)
defvjp(keepdims_like, lambda g, ans, v, x, axis: reshape(g, shape_of(v)), None)

defvjp(T, lambda g, ans, x: T(g))
defvjp(stack_rows, lambda g, ans, rows: unstack_rows(g))
defvjp(unstack_rows, lambda g, ans, x: stack_rows(g))
deflinear(unstack_rows, 0)
for _linear in (reshape, broadcast_to, expand_dims, transpose, T, swapaxes, unbroadcast_to,
                keepdims_like, copy):
    deflinear(_linear, 0)
deflinear(stack_rows, 0)

# ---------------------------------------------------------------------------- casts
# A cast to a float dtype carries the gradient back in the source's dtype; a cast to
# an integer or boolean dtype (``astype_discrete``) carries none.

defvjp(astype, lambda g, ans, x, dtype: astype(g, dtype_of(x)), None)
deflinear(astype, 0)

# ---------------------------------------------------------------------------- rearranging
# Each of these only moves entries, so its adjoint moves them back.


def _restore_shape(g, ans, x, *args, **params):
    return reshape(g, shape_of(x))


def _vjp_roll(g, ans, x, shift, axis=None):
    back = tuple(-s for s in shift) if isinstance(shift, tuple) else -shift
    return roll(g, back, axis=axis)


defvjp(moveaxis, lambda g, ans, x, source, destination: moveaxis(g, destination, source))
defvjp(squeeze, _restore_shape)
defvjp(flip, lambda g, ans, x, axis=None: flip(g, axis=axis))
defvjp(roll, _vjp_roll)
def _triangle_vjp(triangle: Primitive) -> Any:
    """``triangle(g)``, summed back over the rows of a 1-d ``x`` (NumPy broadcasts it to a
    square, each row ``x``)."""
    def vjp(g, ans, x, k=0):
        kept = triangle(g, k=k)
        return kept if _aval(x).ndim not in (None, 1) else unbroadcast(kept, x)
    return vjp


defvjp(triu, _triangle_vjp(triu))
defvjp(tril, _triangle_vjp(tril))
for _prim in (atleast_1d, atleast_2d, atleast_3d):
    defvjp(_prim, _restore_shape)
for _linear in (moveaxis, squeeze, flip, roll, triu, tril, atleast_1d, atleast_2d, atleast_3d):
    deflinear(_linear, 0)

# ---------------------------------------------------------------------------- copying
# Adjoints of copying sum over the copies.


def _vjp_tile(g, ans, x, reps):
    xs = _aval(x).shape
    if xs is None:
        return untile(g, x, reps)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    n = max(len(xs), len(reps))
    padded, reps = (1,) * (n - len(xs)) + xs, (1,) * (n - len(reps)) + reps
    pairs = tuple(d for pair in zip(reps, padded) for d in pair)
    from .reductions import reduce_sum
    return reshape(reduce_sum(reshape(g, pairs), axis=tuple(range(0, 2 * n, 2))), xs)


def _vjp_repeat(g, ans, x, repeats, axis=None):
    xs = _aval(x).shape
    if xs is None or not isinstance(repeats, int):
        return unrepeat(g, x, repeats, axis=axis)
    from .reductions import reduce_sum
    if axis is None:  # the count spelled out: -1 cannot be inferred when repeats is 0
        return reshape(reduce_sum(reshape(g, (math.prod(xs), repeats)), axis=1), xs)
    axis = axis % len(xs)
    split = (*xs[:axis], xs[axis], repeats, *xs[axis + 1:])
    return reduce_sum(reshape(g, split), axis=axis + 1)


defvjp(tile, _vjp_tile, None)
defvjp(untile, lambda h, ans, g, x, reps: tile(h, reps), None, None)
defvjp(repeat, _vjp_repeat, None)
defvjp(unrepeat, lambda h, ans, g, x, repeats, axis=None: repeat(h, repeats, axis=axis),
       None, None)
for _linear in (tile, untile, repeat, unrepeat):
    deflinear(_linear, 0)

# ---------------------------------------------------------------------------- joining
# The adjoint of joining arrays cuts the cotangent back into pieces: plain slices when
# the pieces' lengths are known, else the ``concat_part`` helper.


def _vjp_concatenate_at(i: int):
    def rule(g, ans, *arrays, axis=0):
        from .indexing import getitem
        shapes = [_aval(a).shape for a in arrays]
        if any(s is None for s in shapes):
            return concat_part(g, *arrays, index=i, axis=axis)
        start = sum(s[axis] for s in shapes[:i])
        return unbroadcast(getitem(g, axis_index(axis, slice(start, start + shapes[i][axis]))),
                           arrays[i])
    return rule


def _vjp_stack_at(i: int):
    def rule(g, ans, *arrays, axis=0):
        from .indexing import getitem
        return unbroadcast(getitem(g, axis_index(axis, i)), arrays[i])
    return rule


def _vjp_concat_part(h, ans, g, *arrays, index, axis):
    pieces = [h if j == index else zeros_like(a) for j, a in enumerate(arrays)]
    return hstack(*pieces) if axis is None else concatenate(*pieces, axis=axis)


defvjp(concatenate, per_operand(_vjp_concatenate_at))
defvjp(stack, per_operand(_vjp_stack_at))
defvjp(hstack, per_operand(lambda i: lambda g, ans, *arrays:
                           concat_part(g, *arrays, index=i, axis=None)))
for _prim in (concatenate, stack, hstack):  # linear in all operands together
    deflinear(_prim, jointly=True, rest_from=0)
defvjp(concat_part, _vjp_concat_part, NONE_FOR_THE_REST)  # the others give shapes only
deflinear(concat_part, 0)

# ---------------------------------------------------------------------------- padding, diagonals


def _vjp_pad(g, ans, x, pad_width, constant_values=0):
    rank = ndim_of(x)
    if rank is None:
        return unpad(g, pad_width)
    from .indexing import getitem
    widths = np.broadcast_to(np.asarray(pad_width, dtype=int), (rank, 2)).tolist()
    return getitem(g, tuple(slice(lo, -hi or None) for lo, hi in widths))


def _vjp_diag(g, ans, x, k=0):
    return diag(g, k=k) if ndim_of(x) == 1 else undiag(g, x, k=k)


defvjp(pad, _vjp_pad, None)
# Not derived: the padding value is a parameter, not an operand, and a tangent is
# padded with zeros whatever it is.
defjvp(pad, lambda t, ans, x, pad_width, constant_values=0: pad(t, pad_width))
defvjp(unpad, lambda h, ans, g, pad_width: pad(h, pad_width), None)
defvjp(diag, _vjp_diag)
defvjp(undiag, lambda h, ans, g, x, k=0: diag(h, k=k), None)
for _linear in (unpad, diag, undiag):
    deflinear(_linear, 0)


def split_bounds(n: Any, sections: Any, uneven: bool, what: str) -> list[tuple[Any, Any]]:
    """(start, stop) of each piece when ``np.split`` (``uneven``: ``np.array_split``)
    cuts an axis of length ``n`` into ``sections`` pieces or at the indices listed. A
    length known only at run time gives bounds that are equations."""
    if not isinstance(sections, int):
        cuts = list(sections)
        return list(zip([0, *cuts], [*cuts, None]))
    if isinstance(n, int) and not uneven and n % sections:
        raise ValueError(f"{what}: an axis of length {n} does not split into {sections} "
                         "equal pieces")
    if isinstance(n, int):
        size, extra = divmod(n, sections)
        starts = [i * size + min(i, extra) for i in range(sections + 1)]
    else:
        from .elementwise import minimum
        size, extra = n // sections, n % sections
        starts = [i * size + minimum(i, extra) for i in range(sections + 1)]
    return list(itertools.pairwise(starts))
