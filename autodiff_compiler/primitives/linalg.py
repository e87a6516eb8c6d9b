"""Matrix products.

``matmul``'s adjoint depends on the operands' ranks (NumPy treats 1-D operands as
vectors). With ranks known, the rule emits the specialised products; with ranks
unknown it calls the ``matmul_vjp_*`` runtime helpers, which decide at run time.
"""
from __future__ import annotations

from .core import Primitive, deflinear, defvjp
from .reductions import reduce_sum
from .shape import broadcast_to, expand_dims, reshape, shape_of, swapaxes, unbroadcast

matmul = Primitive("matmul", ("binop", "@"))
outer = Primitive("outer", ("call", "np.outer"))
matmul_vjp_x = Primitive("matmul_vjp_x", ("call", "matmul_vjp_x"))
matmul_vjp_y = Primitive("matmul_vjp_y", ("call", "matmul_vjp_y"))


def _swap_last(a):
    """Swap the last two axes (``a.T`` for a matrix)."""
    return swapaxes(a, -1, -2)


def _vjp_matmul_x(g, ans, x, y):
    nx, ny = x.aval.ndim, _ndim(y)
    if nx is None or ny is None:
        return matmul_vjp_x(g, x, y)
    if ny == 1:  # (..., n, k) @ (k,) -> (..., n)
        return unbroadcast(expand_dims(g, axis=-1) * y, x) if nx > 1 else g * y
    if nx == 1:  # (k,) @ (..., k, m) -> (..., m)
        if ny == 2:
            return y @ g
        return unbroadcast(reduce_sum(y * expand_dims(g, axis=-2), axis=-1), x)
    return unbroadcast(g @ _swap_last(y), x)


def _vjp_matmul_y(g, ans, x, y):
    nx, ny = _ndim(x), y.aval.ndim
    if nx is None or ny is None:
        return matmul_vjp_y(g, x, y)
    if nx == 1:  # (k,) @ (..., k, m) -> (..., m)
        if ny == 2:
            return outer(x, g)
        return unbroadcast(expand_dims(x, axis=-1) * expand_dims(g, axis=-2), y) \
            if ny > 1 else g * x
    if ny == 1:  # (..., n, k) @ (k,) -> (..., n)
        return g @ x if nx == 2 else unbroadcast(expand_dims(g, axis=-1) * x, y)
    return unbroadcast(_swap_last(x) @ g, y)


def _ndim(a):
    return a.aval.ndim if hasattr(a, "aval") else 0


defvjp(matmul, _vjp_matmul_x, _vjp_matmul_y)
# The helpers are bilinear: their adjoints are a product and the other helper.
defvjp(matmul_vjp_x, lambda h, ans, g, x, y: broadcast_to(h @ y, shape_of(g)), None,
                     lambda h, ans, g, x, y: matmul_vjp_y(g, h, y))
defvjp(matmul_vjp_y, lambda h, ans, g, x, y: broadcast_to(x @ h, shape_of(g)),
                     lambda h, ans, g, x, y: matmul_vjp_x(g, x, h), None)
# np.outer flattens its operands: (m,) x (n,) -> (m, n) after ravel.
defvjp(outer, lambda g, ans, x, y: reshape(g @ reshape(y, -1), shape_of(x)),
              lambda g, ans, x, y: reshape(reshape(x, -1) @ g, shape_of(y)))

deflinear(matmul, 0, 1)
deflinear(outer, 0, 1)
deflinear(matmul_vjp_x, 0, 2)
deflinear(matmul_vjp_y, 0, 1)
