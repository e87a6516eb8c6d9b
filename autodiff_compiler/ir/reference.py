"""What the primitives NumPy has no one function for compute, written in plain NumPy.

These are the reference semantics of those primitives (``unbroadcast``, ``sigmoid``,
the VJPs of ``matmul``, ``dot`` and ``tensordot``, scatter-adds...): the IR folds
constants and infers result types with them, and the NumPy backend's generated code
calls these very functions as its runtime helpers, so what is folded and what runs
cannot disagree. Each is small and self-contained so a standalone export can copy its
source verbatim. Shape-specialised code rarely needs them: the compiler replaces
``unbroadcast`` by an explicit ``np.sum`` when shapes are known.
"""

import numpy as np


def unbroadcast(g, x):
    """Sum ``g`` down to the shape of ``x``, in the float dtype of ``x``: the adjoint of
    implicit broadcasting and type promotion (the real part, for a real ``x``)."""
    if np.iscomplexobj(g) and not np.iscomplexobj(x):  # (Python numbers too)
        g = np.real(g)
    if hasattr(g, "dtype") and hasattr(x, "dtype") and g.dtype != x.dtype \
            and g.dtype.kind == x.dtype.kind == "f":
        g = g.astype(x.dtype)
    shape = np.shape(x)
    if np.shape(g) == shape:
        return g
    lead = np.ndim(g) - len(shape)
    if lead < 0:  # fewer axes than x: leading ones of length 1, as broadcasting reads it
        g, lead = np.reshape(g, (1,) * -lead + np.shape(g)), 0
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and np.shape(g)[lead + i] != 1)
    summed = np.sum(g, axis=axes, keepdims=True)
    g = np.reshape(summed, np.shape(summed)[lead:])
    if np.shape(g) != shape:  # an axis of length 1 in g, longer in x: NumPy broadcast it
        g = np.array(np.broadcast_to(g, shape))  # there (np.einsum's size-1 labels)
    return g


def sigmoid(x):
    """Logistic function, accurate in both tails (within 20 ulp), never overflowing.

    Up to 64 values, ``exp(-logaddexp(0, -x))``: four ufunc calls, and at that size the
    calls are the cost. Beyond, ``1 / (1 + e^-x)`` in place, about four times faster
    per value; ``e^-x`` is capped just below overflow (709 in float64, 88 in float32,
    11 in float16), past which the true value is below the dtype's smallest normal.
    """
    e = np.negative(x)
    if e.size <= 64:
        return np.exp(-np.logaddexp(0, e))
    if e.dtype.kind in "iu":  # integers: in float64, as np.exp computes them
        e = e.astype(np.float64)
    cap = 709.0 if e.dtype.itemsize >= 8 else 88.0 if e.dtype.itemsize == 4 else 11.0
    np.minimum(e, cap, out=e)  # in place: a fresh large array costs more than the maths
    np.exp(e, out=e)
    e += 1
    return np.reciprocal(e, out=e)


def where_zero(c, x, y):
    """``np.where(c, x, y)`` where ``x`` or ``y`` is a literal zero (a ReLU, the adjoint
    of a selection), bit for bit, two to four times faster on large arrays.

    ``np.where`` costs about 1 ns per value; masking the other operand's bits with
    ``c`` widened to all-ones or all-zeros integers runs at the speed of a
    multiplication, yet, unlike ``x * c``, gives +0 (not nan) where a masked-out value
    is inf or nan, and +0 (not -0) where it is negative, as ``np.where`` does. Anything
    else (broadcasting, a condition that is not boolean, a zero that would change the
    result's dtype, 16-byte complex values) goes to ``np.where``.
    """
    keep = type(y) in (int, float) and y == 0
    a, zero = (x, y) if keep else (y, x)
    ints = {1: np.int8, 2: np.int16, 4: np.int32, 8: np.int64}.get(getattr(a, "itemsize", 0))
    if (ints is None or type(zero) not in (int, float) or zero != 0
            or type(a) is not np.ndarray or type(c) is not np.ndarray
            or c.dtype != np.bool_ or a.shape != c.shape
            or a.dtype.kind not in ("fc" if type(zero) is float else "iufc")):
        return np.where(c, x, y)
    mask = c.view(np.int8).astype(ints)  # 1 where c holds, else 0
    if keep:
        np.negative(mask, out=mask)  # all ones where c holds
    else:
        np.subtract(mask, 1, out=mask)  # all ones where c does not hold
    mask &= a.view(ints)
    return mask.view(a.dtype)


def _as_matrices(g, x, y):
    """View 1-D matmul operands (and the product) as matrices, as NumPy does."""
    g = np.expand_dims(g, -1) if np.ndim(y) == 1 else g
    g = np.expand_dims(g, -2) if np.ndim(x) == 1 else g
    x2 = np.expand_dims(x, 0) if np.ndim(x) == 1 else x
    y2 = np.expand_dims(y, -1) if np.ndim(y) == 1 else y
    return g, x2, y2


def matmul_vjp_x(g, x, y):
    """Cotangent of ``x`` in ``x @ y`` for operands of any rank."""
    g, x2, y2 = _as_matrices(g, x, y)
    return np.reshape(unbroadcast(g @ np.swapaxes(y2, -1, -2), x2), np.shape(x))


def matmul_vjp_y(g, x, y):
    """Cotangent of ``y`` in ``x @ y`` for operands of any rank."""
    g, x2, y2 = _as_matrices(g, x, y)
    return np.reshape(unbroadcast(np.swapaxes(x2, -1, -2) @ g, y2), np.shape(y))


def index_add(x, index, v):
    """A copy of ``x`` with ``v`` added at ``x[index]``; repeated indices accumulate.

    A basic index (ints, slices, None, Ellipsis) names each entry once, so there
    ``out[index] += v`` adds exactly what ``np.add.at`` adds, two to three times faster;
    ``np.add.at`` is kept for arrays in the index (repeats) and for values of another
    dtype (whose casting the two may do differently).
    """
    out = np.array(x, copy=True)
    parts = index if type(index) is tuple else (index,)
    basic = all(p is None or p is Ellipsis or type(p) in (int, slice) for p in parts)
    if basic and type(v) is np.ndarray and v.dtype == out.dtype:
        out[index] += v
    else:
        np.add.at(out, index, v)
    return out


def cast(x, dtype):
    """``x.astype(dtype)``, also of a Python number, which has none (a 0-d value's cast:
    its aval says an array where a Python number may come, fuzz seed 680010)."""
    return x.astype(dtype) if hasattr(x, "astype") else np.asarray(x, dtype)


def match_complex(v, x):
    """``v``, or its real part when ``x`` is real: a cotangent matches its primal."""
    return v if np.iscomplexobj(x) else np.real(v)


def concatenate(*arrays, axis=0):
    """``np.concatenate(arrays, axis)``, with the arrays as separate arguments."""
    return np.concatenate(arrays, axis=axis)


def stack(*arrays, axis=0):
    """``np.stack(arrays, axis)``, with the arrays as separate arguments."""
    return np.stack(arrays, axis=axis)


def stack_rows(rows):
    """The examples' results of an equation ``vmap`` ran once per example, stacked: its
    result's shape was known only at run time, so the rows may differ, and then there is
    no batched array to give."""
    shapes = list(dict.fromkeys(np.shape(row) for row in rows))
    if len(shapes) > 1:
        listed = ", ".join(map(str, shapes[:4])) + (", ..." if len(shapes) > 4 else "")
        raise ValueError(
            f"vmap stacks the examples' results into one array, but here they differ in "
            f"shape ({listed}): the result's length depends on each example's data. "
            "Reduce it within the example (np.sum(x[x > 0]) rather than x[x > 0]), or "
            "loop over the examples in Python")
    return np.array(rows)


def unstack_rows(batched):
    """A batched array's rows, listed: the transpose of ``stack_rows``."""
    return list(batched)


def hstack(*arrays):
    """``np.hstack(arrays)``, with the arrays as separate arguments."""
    return np.hstack(arrays)


def concat_part(g, *arrays, index, axis):
    """The piece of ``g`` that ``arrays[index]`` became when they were concatenated
    along ``axis`` (``None``: joined by ``np.hstack``)."""
    shape = np.shape(arrays[index])
    if axis is None:  # np.hstack joins vectors along axis 0, anything else along axis 1
        arrays = [np.atleast_1d(a) for a in arrays]
        axis = 0 if np.ndim(arrays[0]) == 1 else 1
    start = sum(np.shape(a)[axis] for a in arrays[:index])
    stop = start + np.shape(arrays[index])[axis]
    return np.reshape(g[(slice(None),) * (axis % np.ndim(g)) + (slice(start, stop),)], shape)


def keepdims_like(v, x, axis):
    """``v``, a reduction of ``x`` over ``axis``, shaped as ``keepdims=True`` would have
    left it. A 0-d ``x`` (which NumPy reduces over axis 0 or -1) has no axis to restore:
    code written before ranks are known cannot tell the two cases apart."""
    return v if np.ndim(x) == 0 else np.expand_dims(v, axis)


def untile(g, x, reps):
    """Sum ``g`` over the copies ``np.tile(x, reps)`` made: its adjoint."""
    reps = (reps,) if np.ndim(reps) == 0 else tuple(reps)
    n = max(np.ndim(x), len(reps))
    shape = (1,) * (n - np.ndim(x)) + np.shape(x)
    reps = (1,) * (n - len(reps)) + reps
    interleaved = [d for pair in zip(reps, shape) for d in pair]
    return np.reshape(np.sum(np.reshape(g, interleaved), axis=tuple(range(0, 2 * n, 2))),
                      np.shape(x))


def unrepeat(g, x, repeats, axis=None):
    """Sum ``g`` over the copies ``np.repeat(x, repeats, axis)`` made: its adjoint."""
    if axis is None or np.ndim(x) == 0:  # (a 0-d x is repeated as shape (1,))
        return np.reshape(unrepeat(g, np.ravel(x), repeats, 0), np.shape(x))
    n = np.shape(x)[axis]
    moved = np.moveaxis(g, axis, 0)
    out = np.zeros((n, *moved.shape[1:]), moved.dtype)
    np.add.at(out, np.repeat(np.arange(n), repeats), moved)
    return np.moveaxis(out, 0, axis)


def pad(x, pad_width, constant_values=0):
    """``np.pad(x, pad_width, constant_values=...)`` (mode ``constant``) without its
    cost per call (about 10 us, most of a small gradient's): where the widths are one
    pair per axis and the value one number, the result is filled with the value by
    assignment (cast to ``x``'s dtype, as ``np.pad`` does) and ``x`` written in."""
    x = np.asarray(x)
    if not (isinstance(pad_width, tuple) and len(pad_width) == x.ndim
            and all(isinstance(pair, tuple) and len(pair) == 2 for pair in pad_width)
            and np.ndim(constant_values) == 0):  # ((1,), (2,)), (1, 2): NumPy's spellings
        return np.pad(x, pad_width, constant_values=constant_values)
    shape, inner = [], []
    for n, (before, after) in zip(x.shape, pad_width):
        shape.append(before + n + after)
        inner.append(slice(before, before + n))
    out = np.empty(shape, x.dtype)
    out[...] = constant_values
    out[tuple(inner)] = x
    return out


def unpad(g, pad_width):
    """The inner part of ``g`` that ``np.pad(x, pad_width)`` surrounded: its adjoint."""
    widths = np.broadcast_to(pad_width, (np.ndim(g), 2))
    return g[tuple(slice(lo, n - hi) for (lo, hi), n in zip(widths, np.shape(g)))]


def adjugate(a):
    """adj(a) of each matrix, det(a) inv(a) where ``a`` is invertible and finite where
    it is not: from ``a = U S V^H``, ``adj(a) = det(U) det(V^H) V adj(S) U^H``,
    ``adj(S)`` diagonal with the product of the other singular values (no division by
    one). (Of a complex matrix, V and U^H are conjugate transposes: plain ones gave a
    wrong determinant's derivative.)"""
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    others = np.where(np.eye(n, dtype=bool), 1, s[..., None, :])
    scale = (np.linalg.det(u) * np.linalg.det(vh))[..., None, None]
    return scale * (_adjoint(vh) @ (np.prod(others, axis=-1)[..., :, None] * _adjoint(u)))


def _adjoint(a):
    """The conjugate transpose of the last two axes."""
    a = np.swapaxes(a, -1, -2)
    return a.conj() if np.iscomplexobj(a) else a


def undiag(g, x, k=0):
    """The adjoint of ``np.diag(x, k)``: extract a diagonal of ``g``, or (for a matrix
    ``x``) put ``g`` on the ``k``-th diagonal of zeros shaped like ``x``."""
    if np.ndim(x) == 1:
        return np.diag(g, k)
    out = np.zeros(np.shape(x), np.result_type(g))
    rows = np.arange(np.size(g)) + max(-k, 0)
    out[rows, rows + k] = g
    return out


def add_along_axis(x, indices, v, axis):
    """A copy of ``x`` with ``v`` added at the places ``np.take_along_axis(x, indices,
    axis)`` reads; repeated indices accumulate. Its other axes broadcast as
    ``take_along_axis`` broadcasts them: a length-1 axis of ``indices`` reads every
    entry along it, and one of ``x`` is read by every index along it (each such
    entry's sum is added once). ``axis=None`` reads the flattened ``x``."""
    if axis is None:
        return np.reshape(add_along_axis(np.ravel(x), indices, v, 0), np.shape(x))
    out = np.array(x, copy=True)
    axis %= np.ndim(out)
    shape = np.broadcast_shapes(np.shape(indices), np.shape(v))
    indices = np.broadcast_to(indices, shape)
    grid = list(np.indices(shape, sparse=True))
    grid[axis] = indices
    read = (*shape[:axis], out.shape[axis], *shape[axis + 1:])
    if read == out.shape and shape[axis] == 1:
        # one index a lane (an argmax's): no entry twice, so no np.add.at (ten times
        # slower than the write)
        np.put_along_axis(out, indices, np.take_along_axis(out, indices, axis) + v, axis)
        return out
    if read == out.shape:
        np.add.at(out, tuple(grid), v)
        return out
    spread = np.zeros(read, out.dtype)  # x broadcast along its length-1 axes, then summed
    np.add.at(spread, tuple(grid), v)
    out += unbroadcast(spread, out)
    return out


def gather(x, *index):
    """``x[index]`` for an index whose parts are computed at run time."""
    return x[index]


def gather_add(x, v, *index):
    """A copy of ``x`` with ``v`` added at ``x[index]``; repeated indices accumulate."""
    out = np.array(x, copy=True)
    np.add.at(out, index, v)
    return out


def window(x, start, length, axis):
    """``x[start:start + length]`` along ``axis`` (``start`` known to leave room)."""
    return x[(slice(None),) * axis + (slice(start, start + length),)]


def window_add(x, v, start, length, axis):
    """A copy of ``x`` with ``v`` added at ``window(x, start, length, axis)``."""
    return index_add(x, (slice(None),) * axis + (slice(start, start + length),), v)


def window_update(x, v, start, length, axis):
    """A copy of ``x`` with ``v`` written at ``window(x, start, length, axis)``."""
    return index_update(x, (slice(None),) * axis + (slice(start, start + length),), v)


def index_update(x, index, v):
    """A copy of ``x`` with ``x[index] = v``."""
    out = np.array(x, copy=True)
    out[index] = v
    return out


def gather_update(x, v, *index):
    """A copy of ``x`` with ``x[index] = v``, for an index computed at run time."""
    out = np.array(x, copy=True)
    out[index] = v
    return out


def _contracted(ndim_a, ndim_b, axes):
    """``np.tensordot``'s axes as two lists of non-negative axes. A scalar operand
    contracts nothing, as ``np.inner`` and ``np.dot`` treat scalars."""
    if ndim_a == 0 or ndim_b == 0:
        return [], []
    if np.ndim(axes) == 0:
        return list(range(ndim_a - axes, ndim_a)), list(range(axes))
    a, b = ([ax] if np.ndim(ax) == 0 else list(ax) for ax in axes)
    return [ax % ndim_a for ax in a], [ax % ndim_b for ax in b]


def tensordot_vjp_a(g, a, b, axes=2):
    """Cotangent of ``a`` in ``np.tensordot(a, b, axes)`` for operands of any rank."""
    ca, cb = _contracted(np.ndim(a), np.ndim(b), axes)
    free_a = [i for i in range(np.ndim(a)) if i not in ca]
    free_b = [i for i in range(np.ndim(b)) if i not in cb]
    out = np.tensordot(g, b, axes=(list(range(len(free_a), np.ndim(g))), free_b))
    return np.transpose(out, np.argsort(free_a + [ca[cb.index(j)] for j in sorted(cb)]).tolist())


def tensordot_vjp_b(g, a, b, axes=2):
    """Cotangent of ``b`` in ``np.tensordot(a, b, axes)`` for operands of any rank."""
    ca, cb = _contracted(np.ndim(a), np.ndim(b), axes)
    free_a = [i for i in range(np.ndim(a)) if i not in ca]
    free_b = [i for i in range(np.ndim(b)) if i not in cb]
    out = np.tensordot(a, g, axes=(free_a, list(range(len(free_a)))))
    return np.transpose(out, np.argsort([cb[ca.index(i)] for i in sorted(ca)] + free_b).tolist())


def _dot_axes(a, b):
    """``np.dot(a, b)`` as ``np.tensordot(a, b, axes)`` (0 for a scalar operand)."""
    if np.ndim(a) == 0 or np.ndim(b) == 0:
        return 0
    return ([-1], [0 if np.ndim(b) == 1 else -2])


def dot_vjp_a(g, a, b):
    """Cotangent of ``a`` in ``np.dot(a, b)`` for operands of any rank."""
    if np.ndim(a) == 0:
        return np.sum(g * b)
    return tensordot_vjp_a(g, a, b, _dot_axes(a, b))


def dot_vjp_b(g, a, b):
    """Cotangent of ``b`` in ``np.dot(a, b)`` for operands of any rank."""
    if np.ndim(b) == 0:
        return np.sum(g * a)
    return tensordot_vjp_b(g, a, b, _dot_axes(a, b))


def solves_vectors(a_ndim: int, b_ndim: int) -> bool:
    """Whether ``np.linalg.solve(a, b)`` takes ``b`` as a vector, or a stack of vectors:
    NumPy 2 where ``b`` is 1-D, NumPy 1.x where ``b`` has one axis fewer than ``a``."""
    return b_ndim == 1 if np.__version__ >= "2" else b_ndim == a_ndim - 1


def as_columns(v, a, b):
    """``v`` with a trailing axis where ``np.linalg.solve(a, b)`` takes ``b`` as vectors:
    its right side, and its solution, as matrices."""
    return np.expand_dims(v, -1) if solves_vectors(np.ndim(a), np.ndim(b)) else v


def from_columns(v, a, b):
    """Undo ``as_columns``: drop the trailing axis again where ``b`` is vectors."""
    return v[..., 0] if solves_vectors(np.ndim(a), np.ndim(b)) else v


def zeros_like_tape(tape):
    """Zeros for each element of a loop's tape (arrays, numbers, tapes, or ``None`` for
    a value a branch not taken left): the cotangent of a tape none reached. A slice
    (``x[t:t + 2]``'s, taped and read back) has no derivative: ``None``."""
    if not isinstance(tape, list):  # the tape of a branch not taken, or a slice
        return None
    return [zeros_like_tape(e) if isinstance(e, list) else None
            if e is None or isinstance(e, slice) else np.zeros_like(e) for e in tape]


def reversed_tape(tape):
    """A loop's tape (or a list of its elements' cotangents) last element first:
    ``None``, the tape of a branch not taken, stays ``None``."""
    return None if tape is None else tape[::-1]


def add_tapes(a, b):
    """Two cotangents of one tape (two loops read it) added element by element; ``None``
    (no cotangent, or the tape of a branch not taken) adds nothing."""
    if a is None or b is None:
        return b if a is None else a
    return [add_tapes(x, y) if isinstance(x, list) or isinstance(y, list)
            else y if x is None else x if y is None else x + y for x, y in zip(a, b)]


def format_batch(template, *values, batch_axes=()):
    """``str.format`` of a text whose values carry ``vmap``'s batch axes (an f-string
    in a print, a log or an assert's message; ``batch_axes``: how many each value has,
    a list of rows kept per example being one): a format spec written for an example's
    number is applied to each entry, ``{v:.3f}`` of ``[5, 25]`` reading
    ``[5.000 25.000]``; for an example's array NumPy refuses it, as without vmap."""
    def field(value, spec, axes):
        if spec and isinstance(value, list) and axes:
            return "[" + ", ".join(field(v, spec, axes - 1) for v in value) + "]"
        if spec and axes and isinstance(value, np.ndarray) and value.ndim == axes:
            return np.array2string(value, separator=" ",
                                   formatter={"all": lambda entry: format(entry, spec)})
        return format(value, spec)

    class Shown:
        def __init__(self, value, axes):
            self.value, self.axes = value, axes

        def __format__(self, spec):
            return field(self.value, spec, self.axes)

        def __str__(self):
            return str(self.value)

        def __repr__(self):
            return repr(self.value)

    axes = list(batch_axes) + [0] * (len(values) - len(batch_axes))
    return template.format(*(Shown(v, k) if k else v for v, k in zip(values, axes)))
