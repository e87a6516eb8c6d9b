"""The array API backend's helpers for products: the VJPs of ``matmul``, ``dot`` and
``tensordot`` for operands of any rank, and NumPy's ``dot``, ``inner``, ``outer``,
``vdot`` and ``linalg.norm`` in the standard's terms (``tensordot``, ``vector_norm``).
"""
from __future__ import annotations

from typing import Any

from .layout import unbroadcast
from .runtime import array_namespace, ndim, shape

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


def as_columns(v: Any, a: Any, b: Any) -> Any:
    """The standard's ``linalg.solve`` takes a 1-D ``b`` as a vector (as NumPy 2 does)."""
    return array_namespace(v).expand_dims(v, axis=-1) if ndim(b) == 1 else v


def from_columns(v: Any, a: Any, b: Any) -> Any:
    return v[..., 0] if ndim(b) == 1 else v


def norm(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``linalg.norm`` without ``ord``: the 2-norm of vectors, Frobenius of
    matrices (both the 2-norm of the entries)."""
    return array_namespace(x).linalg.vector_norm(x, axis=axis, keepdims=keepdims)
