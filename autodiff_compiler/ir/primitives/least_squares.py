"""``np.linalg.lstsq``: NumPy's own solver as a primitive (its four results, values
bit for bit), with the derivative of the solution.

The solution is ``x = pinv(a) b`` (the minimum-norm least-squares solution, at any
rank), so its rules are the pseudo-inverse's applied to ``b`` plus ``pinv(a)`` applied
to ``b``'s tangent: ``dx = dpinv(a) b + pinv(a) db``, and transposed, ``bbar = pinv(a)^T
xbar`` and ``abar`` the pseudo-inverse's cotangent for ``xbar b^T``.

The residuals are empty or not depending on the rank found at run time, so no shape
for their derivative is known when compiling; the singular values have a rule of
their own (``np.linalg.svd(a, compute_uv=False)``). A gradient through either is
refused at the user's line; in forward mode their tangents are NaN, so a use of them
shows rather than reading as a zero derivative. The rank is an integer.
"""
from __future__ import annotations

import numpy as np

from ...errors import AutodiffError
from ..core import Aval, Const
from .constructors import full_like
from .core import Primitive, defjvp_all, defvjp_all
from .decompositions import _absent, _jvp_pinv, _real_only, _vjp_pinv, pinv
from .inverses import as_columns
from .linalg import swap_last
from .shape import expand_dims

lstsq = Primitive("lstsq", np.linalg.lstsq, n_out=4, defaults={"rcond": None})


def _lstsq_avals(args, params):
    """NumPy's shapes and dtypes on stand-ins, but for the residuals' shape: it depends
    on the rank found at run time (zeros, the stand-ins, have rank 0)."""
    if not all(isinstance(a, Const) or a.aval.known for a in args):
        return [Aval()] * 4
    x, residuals, rank, s = np.linalg.lstsq(
        *(a.value if isinstance(a, Const) else a.aval.example() for a in args), **params)
    return [Aval.of(x), Aval(None, residuals.dtype), Aval.of(np.asarray(rank)), Aval.of(s)]


lstsq.aval_rule = _lstsq_avals


def _as_columns(v, a, b):
    """``v`` as a column where ``b`` is a vector (decided at run time if unknown)."""
    if b.aval.ndim is None:
        return as_columns(v, a, b)
    return expand_dims(v, -1) if b.aval.ndim == 1 else v


def _vjp_lstsq(gs, ans, a, b, rcond=None):
    _real_only(a, "np.linalg.lstsq")
    g_x, g_res, _, g_s = gs
    if not (_absent(g_res) and _absent(g_s)):
        raise AutodiffError("the derivative of np.linalg.lstsq's residuals or singular "
                            "values is not supported",
                            hint="compute np.sum((b - a @ x) ** 2, axis=0) from the solution "
                                 "x, or take np.linalg.svd(a, compute_uv=False)")
    a_plus = pinv(a)
    g_b = swap_last(a_plus) @ g_x
    g_a = _vjp_pinv(_as_columns(g_x, a, b) @ swap_last(_as_columns(b, a, b)), a_plus, a)
    return g_a, g_b


def _jvp_lstsq(ts, ans, a, b, rcond=None):
    _real_only(a, "np.linalg.lstsq")
    t_a, t_b = ts
    a_plus = pinv(a)
    dx = None
    if t_a is not None:
        dx = _jvp_pinv(t_a, a_plus, a) @ b
    if t_b is not None:
        dx = a_plus @ t_b if dx is None else dx + a_plus @ t_b
    not_known = [full_like(v, np.nan) for v in (ans[1], ans[3])]
    return dx, not_known[0], None, not_known[1]


defvjp_all(lstsq, _vjp_lstsq)
defjvp_all(lstsq, _jvp_lstsq)
