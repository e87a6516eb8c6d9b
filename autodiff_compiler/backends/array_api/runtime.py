"""What the array API backend's generated code runs in: ``array_namespace`` (which its
first line calls), ``slice`` and the helpers below, the array-API twins of
``ir.reference``'s, written with the standard's functions only.

A helper finds its library from its array operands (``array_namespace``); each is
called with at least one array (the code generator passes Python numbers to the
standard's functions only). Where NumPy's helper writes into a copy (``index_add``),
this one does too, at a basic index only: repeated entries of an index array would
need ``np.add.at``, which the standard lacks (``spellings.refusal`` refuses those).
"""
from __future__ import annotations

import math
from typing import Any

from ...errors import AutodiffError

try:
    import array_api_compat
    import array_api_compat.numpy
except ImportError as err:  # an optional dependency: say how to get it
    raise AutodiffError("the array API backend needs array-api-compat",
                        hint="pip install 'autodiff-compiler[array-api]'") from err

_SCALARS = (bool, int, float, complex, type(None), list, tuple, slice)
_BY_TYPES: dict[tuple[type, ...], Any] = {}


def array_namespace(*values: Any) -> Any:
    """The array API namespace of the arrays among ``values`` (array-api-compat's, so
    NumPy, CuPy and PyTorch arrays are spoken to in the standard's terms); NumPy's when
    there is none. Worked out once per combination of types: a dictionary lookup."""
    key = tuple(map(type, values))
    xp = _BY_TYPES.get(key)
    if xp is None:
        arrays = [v for v in values if not isinstance(v, _SCALARS)]
        xp = array_api_compat.array_namespace(*arrays) if arrays else array_api_compat.numpy
        _BY_TYPES[key] = xp
    return xp


def shape(x: Any) -> tuple[int, ...]:
    """``x.shape`` (``()`` for a Python number)."""
    return tuple(x.shape) if hasattr(x, "shape") else ()


def ndim(x: Any) -> int:
    return len(shape(x))


def size(x: Any) -> int:
    return math.prod(shape(x))


def _float(xp: Any, x: Any) -> Any:
    """``x`` as floats: NumPy computes integer operands of ``exp`` in float64."""
    x = xp.asarray(x)
    return x if xp.isdtype(x.dtype, ("real floating", "complex floating")) \
        else xp.astype(x, xp.float64)


def _all(index: Any) -> tuple:
    """An index with ``...`` at its end unless it has one: the remaining axes whole."""
    index = index if isinstance(index, tuple) else (index,)
    return index if any(i is Ellipsis for i in index) else (*index, Ellipsis)


# ---------------------------------------------------------------------------- elementwise


def sigmoid(x: Any) -> Any:
    """Logistic function from ``e^-|x|``: never overflows, accurate in both tails."""
    xp = array_namespace(x)
    x = _float(xp, x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def where(condition: Any, x: Any, y: Any) -> Any:
    """``xp.where``, which takes one Python number among ``x`` and ``y`` at most."""
    xp = array_namespace(condition, x, y)
    if not hasattr(x, "shape") and not hasattr(y, "shape"):  # NumPy's promotion of the two
        kind = type(x + y)
        dtype = {bool: xp.bool, int: xp.int64, float: xp.float64}.get(kind, xp.complex128)
        x = xp.asarray(x, dtype=dtype)
    return xp.where(condition, x, y)


def exp2(x: Any) -> Any:
    return 2.0 ** _float(array_namespace(x), x)


def logaddexp2(x: Any, y: Any) -> Any:
    xp = array_namespace(x, y)
    ln2 = math.log(2.0)
    return xp.logaddexp(x * ln2, y * ln2) / ln2


def reciprocal(x: Any) -> Any:
    return 1.0 / _float(array_namespace(x), x)


def cbrt(x: Any) -> Any:
    xp = array_namespace(x)
    x = _float(xp, x)
    return xp.sign(x) * xp.abs(x) ** (1.0 / 3.0)


def fmax(x: Any, y: Any) -> Any:
    """The larger, ignoring a nan on one side (NumPy's ``fmax``)."""
    xp = array_namespace(x, y)
    return xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.maximum(x, y)))


def fmin(x: Any, y: Any) -> Any:
    xp = array_namespace(x, y)
    return xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.minimum(x, y)))


def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    xp = array_namespace(x)
    info = xp.finfo(x.dtype)
    x = xp.where(xp.isnan(x), nan, x)
    x = xp.where(xp.isinf(x) & (x > 0), info.max if posinf is None else posinf, x)
    return xp.where(xp.isinf(x) & (x < 0), info.min if neginf is None else neginf, x)


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Any:
    """``x``'s shape filled with ``fill_value``, which may be a 0-d array too."""
    xp = array_namespace(x, fill_value)
    dtype = x.dtype if dtype is None else dtype
    if not hasattr(fill_value, "shape"):
        return xp.full_like(x, fill_value, dtype=dtype)
    return xp.zeros_like(x, dtype=dtype) + xp.astype(fill_value, dtype)


def _is_complex(x: Any) -> bool:
    xp = array_namespace(x)
    return xp.isdtype(x.dtype, "complex floating") if hasattr(x, "dtype") else \
        isinstance(x, complex)


def real(x: Any) -> Any:
    """NumPy's ``real``: ``x`` itself when it is real (the standard's takes complex)."""
    return array_namespace(x).real(x) if _is_complex(x) else x


def imag(x: Any) -> Any:
    """NumPy's ``imag``: zeros when ``x`` is real."""
    xp = array_namespace(x)
    return xp.imag(x) if _is_complex(x) else xp.zeros_like(xp.asarray(x))


def conj(x: Any) -> Any:
    return array_namespace(x).conj(x) if _is_complex(x) else x


def match_complex(v: Any, x: Any) -> Any:
    """``v``, or its real part when ``x`` is real: a cotangent matches its primal."""
    xp = array_namespace(v, x)
    real_x = not xp.isdtype(x.dtype, "complex floating") if hasattr(x, "dtype") else \
        not isinstance(x, complex)
    complex_v = isinstance(v, complex) or (
        hasattr(v, "dtype") and xp.isdtype(v.dtype, "complex floating"))
    return xp.real(v) if real_x and complex_v else v


# ---------------------------------------------------------------------------- shapes


def unbroadcast(g: Any, x: Any) -> Any:
    """Sum ``g`` down to the shape of ``x``, in the float dtype of ``x``: the adjoint of
    implicit broadcasting and type promotion."""
    xp = array_namespace(g, x)
    if hasattr(g, "dtype") and hasattr(x, "dtype") and g.dtype != x.dtype \
            and xp.isdtype(g.dtype, "real floating") and xp.isdtype(x.dtype, "real floating"):
        g = xp.astype(g, x.dtype)
    target = shape(x)
    if shape(g) == target:
        return g
    lead = ndim(g) - len(target)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(target) if n == 1 and shape(g)[lead + i] != 1)
    return xp.reshape(xp.sum(g, axis=axes), target)


def reshape(x: Any, newshape: Any) -> Any:
    """``xp.reshape`` for a shape given as one int too."""
    xp = array_namespace(x)
    return xp.reshape(xp.asarray(x), (newshape,) if isinstance(newshape, int) else
                      tuple(newshape))


def transpose(x: Any, axes: Any = None) -> Any:
    """``np.transpose``: the axes reversed unless given (``x.T`` of any rank)."""
    xp = array_namespace(x)
    return xp.permute_dims(x, tuple(reversed(range(ndim(x)))) if axes is None else
                           tuple(axes))


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    axes = list(range(ndim(x)))
    axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
    return array_namespace(x).permute_dims(x, tuple(axes))


def squeeze(x: Any, axis: Any = None) -> Any:
    """``np.squeeze``: every axis of length 1 unless given."""
    if axis is None:
        axis = tuple(i for i, n in enumerate(shape(x)) if n == 1)
    return array_namespace(x).squeeze(x, axis=axis)


def atleast_1d(x: Any) -> Any:
    xp = array_namespace(x)
    x = xp.asarray(x)
    return xp.reshape(x, (1,)) if x.ndim == 0 else x


def atleast_2d(x: Any) -> Any:
    xp = array_namespace(x)
    x = xp.asarray(x)
    return xp.reshape(x, (1,) * (2 - x.ndim) + tuple(x.shape)) if x.ndim < 2 else x


def atleast_3d(x: Any) -> Any:
    """NumPy's ``atleast_3d``: (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    xp = array_namespace(x)
    x = xp.asarray(x)
    new = {0: (1, 1, 1), 1: (1, *x.shape, 1), 2: (*x.shape, 1)}.get(x.ndim)
    return x if new is None else xp.reshape(x, new)


def concatenate(*arrays: Any, axis: Any = 0) -> Any:
    """``xp.concat(arrays, axis=axis)``, with the arrays as separate arguments."""
    return array_namespace(*arrays).concat(arrays, axis=axis)


def stack(*arrays: Any, axis: int = 0) -> Any:
    xp = array_namespace(*arrays)
    return xp.stack([xp.asarray(a) for a in arrays], axis=axis)


def hstack(*arrays: Any) -> Any:
    """``np.hstack``: vectors joined along axis 0, anything else along axis 1."""
    arrays = tuple(atleast_1d(a) for a in arrays)
    return concatenate(*arrays, axis=0 if ndim(arrays[0]) == 1 else 1)


def concat_part(g: Any, *arrays: Any, index: int, axis: Any) -> Any:
    """The piece of ``g`` that ``arrays[index]`` became when they were joined along
    ``axis`` (``None``: by ``hstack``)."""
    xp = array_namespace(g, *arrays)
    target = shape(arrays[index])
    if axis is None:
        arrays = tuple(atleast_1d(a) for a in arrays)
        axis = 0 if ndim(arrays[0]) == 1 else 1
    start = sum(shape(a)[axis] for a in arrays[:index])
    stop = start + shape(arrays[index])[axis]
    part = g[(slice(None),) * (axis % ndim(g)) + (slice(start, stop), Ellipsis)]
    return xp.reshape(part, target)


def cumsum(x: Any, axis: int | None = None) -> Any:
    """NumPy's ``cumsum``: of the flattened array unless an axis is given."""
    xp = array_namespace(x)
    return xp.cumulative_sum(xp.reshape(x, (-1,)) if axis is None else x,
                             axis=0 if axis is None else axis)


def cumprod(x: Any, axis: int | None = None) -> Any:
    xp = array_namespace(x)
    return xp.cumulative_prod(xp.reshape(x, (-1,)) if axis is None else x,
                              axis=0 if axis is None else axis)


def untile(g: Any, x: Any, reps: Any) -> Any:
    """Sum ``g`` over the copies ``tile(x, reps)`` made: its adjoint."""
    xp = array_namespace(g, x)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    n = max(ndim(x), len(reps))
    shape_ = (1,) * (n - ndim(x)) + shape(x)
    reps = (1,) * (n - len(reps)) + reps
    interleaved = tuple(d for pair in zip(reps, shape_) for d in pair)
    return xp.reshape(xp.sum(xp.reshape(g, interleaved), axis=tuple(range(0, 2 * n, 2))),
                      shape(x))


def unrepeat(g: Any, x: Any, repeats: Any, axis: Any = None) -> Any:
    """Sum ``g`` over the copies ``repeat(x, repeats, axis)`` made, for a whole number
    of repeats (each entry's copies are next to each other)."""
    xp = array_namespace(g, x)
    if axis is None:
        flat = xp.reshape(xp.asarray(x), (-1,))
        return xp.reshape(unrepeat(g, flat, repeats, 0), shape(x))
    if not isinstance(repeats, int):
        raise NotImplementedError("unrepeat: repeats given per entry")
    axis %= ndim(g)
    split = (*shape(g)[:axis], shape(x)[axis], repeats, *shape(g)[axis + 1:])
    return xp.sum(xp.reshape(g, split), axis=axis + 1)


def unpad(g: Any, pad_width: Any) -> Any:
    """The inner part of ``g`` that padding surrounded: its adjoint."""
    n = ndim(g)
    if isinstance(pad_width, int):
        widths = [(pad_width, pad_width)] * n
    else:
        widths = list(pad_width) if len(pad_width) == n and not isinstance(
            pad_width[0], int) else [tuple(pad_width) * (2 // len(pad_width))] * n
    return g[tuple(slice(lo, size_ - hi) for (lo, hi), size_ in zip(widths, shape(g)))]


# ---------------------------------------------------------------------------- indexing


def getitem(x: Any, index: Any) -> Any:
    """``x[index]``, with ``...`` at the end of an array's index (the standard asks for
    it where NumPy assumes it); a tuple (a shape) is indexed as it is."""
    return x[_all(index)] if hasattr(x, "shape") else x[index]


def tile(x: Any, reps: Any) -> Any:
    """``xp.tile``, for a count given as one int too."""
    return array_namespace(x).tile(x, (reps,) if isinstance(reps, int) else tuple(reps))


def gather(x: Any, *index: Any) -> Any:
    """``x[index]`` for an index whose parts are computed at run time."""
    return x[_all(index)]


def index_add(x: Any, index: Any, v: Any) -> Any:
    """A copy of ``x`` with ``v`` added at the basic index ``index``."""
    xp = array_namespace(x, v)
    out = xp.asarray(x, copy=True)
    index = _all(index)
    if any(i is None for i in index):  # new axes of length 1: not in ``x``, nor written
        index = tuple(i for i in index if i is not None)
        v = xp.reshape(v, shape(out[index])) if hasattr(v, "shape") else v
    out[index] = out[index] + v
    return out


def index_update(x: Any, index: Any, v: Any) -> Any:
    """A copy of ``x`` with ``x[index] = v``."""
    xp = array_namespace(x, v)
    out = xp.asarray(x, copy=True)
    out[_all(index)] = v
    return out


def diag(x: Any, k: int = 0) -> Any:
    """NumPy's ``diag``: a matrix's ``k``-th diagonal, or a vector on one of zeros."""
    xp = array_namespace(x)
    if ndim(x) == 2:
        return xp.linalg.diagonal(x, offset=k)
    n = shape(x)[0] + abs(k)
    return _on_diagonal(x, n, n, k)


def _on_diagonal(v: Any, n_rows: int, n_cols: int, k: int) -> Any:
    """Zeros of shape ``(n_rows, n_cols)`` with ``v`` on the ``k``-th diagonal: entry
    ``(i, i + k)`` holds ``v[i]`` above the main diagonal, ``v[i + k]`` below."""
    xp = array_namespace(v)
    rows = xp.reshape(xp.arange(n_rows), (n_rows, 1))
    cols = xp.reshape(xp.arange(n_cols), (1, n_cols))
    n = n_rows if k >= 0 else n_cols
    values = xp.concat((v, xp.zeros((n - shape(v)[0],), dtype=v.dtype)))
    values = xp.reshape(values, (n, 1) if k >= 0 else (1, n))
    return xp.where(cols - rows == k, values, xp.zeros((), dtype=v.dtype))


def undiag(g: Any, x: Any, k: int = 0) -> Any:
    """The adjoint of ``diag(x, k)``: a diagonal of ``g``, or (for a matrix ``x``) ``g``
    on the ``k``-th diagonal of zeros shaped like ``x``."""
    if ndim(x) == 1:
        return diag(g, k)
    return _on_diagonal(g, *shape(x), k)


def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    xp = array_namespace(x)
    rest = [i for i in range(ndim(x)) if i not in (axis1 % ndim(x), axis2 % ndim(x))]
    moved = xp.permute_dims(x, (*rest, axis1 % ndim(x), axis2 % ndim(x)))
    return xp.sum(xp.linalg.diagonal(moved, offset=offset), axis=-1)


# ---------------------------------------------------------------------------- products


def _as_matrices(g: Any, x: Any, y: Any) -> tuple[Any, Any, Any]:
    """View 1-D matmul operands (and the product) as matrices."""
    xp = array_namespace(g, x, y)
    g = xp.expand_dims(g, axis=-1) if ndim(y) == 1 else g
    g = xp.expand_dims(g, axis=-2) if ndim(x) == 1 else g
    x2 = xp.expand_dims(x, axis=0) if ndim(x) == 1 else x
    y2 = xp.expand_dims(y, axis=-1) if ndim(y) == 1 else y
    return g, x2, y2


def matmul_vjp_x(g: Any, x: Any, y: Any) -> Any:
    """Cotangent of ``x`` in ``x @ y`` for operands of any rank."""
    xp = array_namespace(g, x, y)
    g, x2, y2 = _as_matrices(g, x, y)
    return xp.reshape(unbroadcast(g @ xp.matrix_transpose(y2), x2), shape(x))


def matmul_vjp_y(g: Any, x: Any, y: Any) -> Any:
    """Cotangent of ``y`` in ``x @ y`` for operands of any rank."""
    xp = array_namespace(g, x, y)
    g, x2, y2 = _as_matrices(g, x, y)
    return xp.reshape(unbroadcast(xp.matrix_transpose(x2) @ g, y2), shape(y))


def outer(a: Any, b: Any) -> Any:
    """NumPy's ``outer``: of the flattened operands."""
    xp = array_namespace(a, b)
    return xp.reshape(xp.asarray(a), (-1, 1)) * xp.reshape(xp.asarray(b), (1, -1))


def inner(a: Any, b: Any) -> Any:
    """NumPy's ``inner``: over the last axes (a product with a scalar)."""
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return array_namespace(a, b).tensordot(a, b, axes=([-1], [-1]))


def vdot(a: Any, b: Any) -> Any:
    xp = array_namespace(a, b)
    return xp.sum(xp.conj(xp.reshape(a, (-1,))) * xp.reshape(b, (-1,)))


def _contracted(ndim_a: int, ndim_b: int, axes: Any) -> tuple[list[int], list[int]]:
    """``tensordot``'s axes as two lists of non-negative axes."""
    if ndim_a == 0 or ndim_b == 0:
        return [], []
    if isinstance(axes, int):
        return list(range(ndim_a - axes, ndim_a)), list(range(axes))
    a, b = ([ax] if isinstance(ax, int) else list(ax) for ax in axes)
    return [ax % ndim_a for ax in a], [ax % ndim_b for ax in b]


def _argsort(values: list[int]) -> tuple[int, ...]:
    return tuple(sorted(range(len(values)), key=values.__getitem__))


def tensordot_vjp_a(g: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    """Cotangent of ``a`` in ``tensordot(a, b, axes)`` for operands of any rank."""
    xp = array_namespace(g, a, b)
    ca, cb = _contracted(ndim(a), ndim(b), axes)
    free_a = [i for i in range(ndim(a)) if i not in ca]
    free_b = [i for i in range(ndim(b)) if i not in cb]
    out = xp.tensordot(g, b, axes=(list(range(len(free_a), ndim(g))), free_b))
    return xp.permute_dims(out, _argsort(free_a + [ca[cb.index(j)] for j in sorted(cb)]))


def tensordot_vjp_b(g: Any, a: Any, b: Any, axes: Any = 2) -> Any:
    """Cotangent of ``b`` in ``tensordot(a, b, axes)`` for operands of any rank."""
    xp = array_namespace(g, a, b)
    ca, cb = _contracted(ndim(a), ndim(b), axes)
    free_a = [i for i in range(ndim(a)) if i not in ca]
    free_b = [i for i in range(ndim(b)) if i not in cb]
    out = xp.tensordot(a, g, axes=(free_a, list(range(len(free_a)))))
    return xp.permute_dims(out, _argsort([cb[ca.index(i)] for i in sorted(ca)] + free_b))


def _dot_axes(a: Any, b: Any) -> Any:
    if ndim(a) == 0 or ndim(b) == 0:
        return 0
    return ([-1], [0 if ndim(b) == 1 else -2])


def dot(a: Any, b: Any) -> Any:
    """NumPy's ``dot``: a product with a scalar, else over ``a``'s last axis and
    ``b``'s second-to-last."""
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return array_namespace(a, b).tensordot(a, b, axes=_dot_axes(a, b))


def dot_vjp_a(g: Any, a: Any, b: Any) -> Any:
    if ndim(a) == 0:
        return array_namespace(g, b).sum(g * b)
    return tensordot_vjp_a(g, a, b, _dot_axes(a, b))


def dot_vjp_b(g: Any, a: Any, b: Any) -> Any:
    if ndim(b) == 0:
        return array_namespace(g, a).sum(g * a)
    return tensordot_vjp_b(g, a, b, _dot_axes(a, b))


def as_columns(v: Any, b: Any) -> Any:
    return array_namespace(v).expand_dims(v, axis=-1) if ndim(b) == 1 else v


def from_columns(v: Any, b: Any) -> Any:
    return v[..., 0] if ndim(b) == 1 else v


def norm(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``linalg.norm`` without ``ord``: the 2-norm of vectors, Frobenius of
    matrices (both the 2-norm of the entries)."""
    return array_namespace(x).linalg.vector_norm(x, axis=axis, keepdims=keepdims)


def zeros_like_tape(tape: Any) -> Any:
    """Zeros for each element of a loop's tape: the cotangent of a tape none reached."""
    if tape is None:
        return None
    return [None if e is None else zeros_like_tape(e) if isinstance(e, list)
            else 0.0 * e if isinstance(e, float | int) else array_namespace(e).zeros_like(e)
            for e in tape]
