"""Reductions: the cotangent of a reduction is broadcast back over the reduced axes.

Every reduction takes ``axis`` (None, an int or a tuple, negative counting from the
end) and ``keepdims`` as params. ``_spread`` undoes the reduction's shape, the one
place that does. Conventions where the derivative is not unique: ``max``/``min``
share the gradient equally among tied extrema; ``std`` and ``norm`` have gradient 0
where they are 0 (a subgradient, as ``abs`` has at 0); ``prod`` and ``cumprod``
are exact with zeros in the input (``cumprod`` of a length known at run time only
divides by it: a NaN gradient at a zero entry, never a silently wrong one).
"""
from __future__ import annotations

import numpy as np

from ..core import Aval, Const, Var
from .core import Primitive, defjvp, deflinear, defvjp, nondifferentiable
from .shape import (
    astype,
    axis_index,
    broadcast_to,
    dim_of,
    dtype_of,
    expand_dims,
    flip,
    keepdims_like,
    moveaxis,
    ndim_of,
    pad,
    reshape,
    shape_of,
    size,
)

_DEFAULTS = {"axis": None, "keepdims": False}
reduce_sum = Primitive("reduce_sum", np.sum, defaults=_DEFAULTS)
reduce_mean = Primitive("reduce_mean", np.mean, defaults=_DEFAULTS)
reduce_prod = Primitive("reduce_prod", np.prod, defaults=_DEFAULTS)
reduce_max = Primitive("reduce_max", np.max, defaults=_DEFAULTS)
reduce_min = Primitive("reduce_min", np.min, defaults=_DEFAULTS)
var = Primitive("var", np.var, defaults={**_DEFAULTS, "ddof": 0})
std = Primitive("std", np.std, defaults={**_DEFAULTS, "ddof": 0})
norm = Primitive("norm", np.linalg.norm, defaults=_DEFAULTS)
cumsum = Primitive("cumsum", np.cumsum, defaults={"axis": None})
cumprod = Primitive("cumprod", np.cumprod, defaults={"axis": None})
trace = Primitive("trace", np.trace, defaults={"offset": 0, "axis1": 0, "axis2": 1})
reduce_all = Primitive("reduce_all", np.all, defaults=_DEFAULTS)
reduce_any = Primitive("reduce_any", np.any, defaults=_DEFAULTS)
nondifferentiable(reduce_all, reduce_any)
for _prim in (reduce_sum, reduce_mean, reduce_prod, reduce_max, reduce_min, var, std, norm,
              trace, reduce_all, reduce_any):
    _prim.scalar_result = True  # NumPy scalars, not 0-d arrays


def _full_reduction_avals(prim: Primitive):
    """A reduction over every axis is 0-d whatever its operand's shape, also one known
    at run time only (a mask's selection): its dtype is the one NumPy gives on a
    one-entry stand-in, so the code after ``np.sum(x[x > 0])`` is shape-specialised.
    Over some axes of such an operand the shape stays unknown, the dtype (which no axis
    changes) does not. Of an operand whose dtype is unknown too, only a boolean
    result's dtype is known."""
    def rule(args, params):
        x = args[0]
        if not (isinstance(x, Var) and x.aval.shape is None
                and all(isinstance(a, Const) or a.aval.known for a in args[1:])):
            return prim._eval_avals(args, params)
        whole = {k: v for k, v in params.items() if k not in ("axis", "keepdims")}
        stand_ins = [np.zeros(1, x.aval.dtype or np.float64),
                     *(a.value if isinstance(a, Const) else a.aval.example()
                       for a in args[1:])]
        try:
            with np.errstate(all="ignore"):
                dtype = np.asarray(prim.impl(*stand_ins, **whole)).dtype
        except Exception:  # the real call raises again at run time, at the user's line
            dtype = None
        if x.aval.dtype is None and dtype != np.bool_:
            dtype = None
        everything = params.get("axis") is None and not params.get("keepdims", False)
        return [Aval(() if everything else None, dtype)]
    return rule


for _prim in (reduce_sum, reduce_mean, reduce_prod, reduce_max, reduce_min, var, std, norm,
              reduce_all, reduce_any):
    _prim.aval_rule = _full_reduction_avals(_prim)


def _kept(v, axis, keepdims, x):
    """``v`` (a reduction of ``x`` over ``axis``) with the reduced axes restored as
    length 1; of a 0-d ``x``, which NumPy reduces over axis 0 or -1, there are none.
    Where the rank is not known when compiling, that is decided when the code runs."""
    if axis is None or keepdims or ndim_of(x) == 0:
        return v
    if ndim_of(x) is None:
        return keepdims_like(v, x, axis=axis)
    return expand_dims(v, axis=axis)


def _spread(g, x, axis, keepdims):
    """Undo a reduction's shape: restore reduced axes, then broadcast to ``x``."""
    return broadcast_to(_kept(g, axis, keepdims, x), shape_of(x))


def _count(x, ans, axis):
    """How many entries each result of a reduction of ``x`` over ``axis`` summarises
    (0 where there are no results, so nothing is divided by it: 0 / 0 would raise on
    Python ints)."""
    n, m = size(x), 1 if axis is None else size(ans)
    if isinstance(m, int):
        return 0.0 if m == 0 else n if m == 1 and not isinstance(n, int) else n / m
    from .elementwise import maximum
    return n / maximum(m, 1)


def _nonzero(v):
    """``v`` with zeros replaced by ones, to divide by where ``v`` may be 0."""
    from .elementwise import equal, where
    return where(equal(v, 0), 1, v)


def defreduction(prim: Primitive, partial, real_valued: bool = False) -> None:
    """Register both rules of a reduction from ``partial(ans, x, axis, keepdims,
    **params)``, the derivative of each result with respect to each entry it reduces
    (shaped like ``x``): the VJP is ``spread(g) * partial``, the JVP ``sum(t * partial)``.

    ``real_valued``: the result is real even for complex ``x`` (``var``, ``std``,
    ``norm``), a function of ``conj(x) x``. Its differential is then
    ``Re(sum(conj(p) t))`` for the ``partial`` p written for real ``x``, so for complex
    ``x`` the VJP takes ``conj(p)`` (a product's VJP takes no conjugate, so this is the
    convention the other rules keep) and the JVP the real part."""
    from .elementwise import conj, real

    def conjugated(ans, x, axis, keepdims, **params):
        p = partial(ans, x, axis, keepdims, **params)
        return p if not real_valued or _is_real(x) else conj(p)

    def vjp(g, ans, x, axis=None, keepdims=False, **params):
        return _spread(g, x, axis, keepdims) * conjugated(ans, x, axis, keepdims, **params)

    def jvp(t, ans, x, axis=None, keepdims=False, **params):
        out = reduce_sum(t * conjugated(ans, x, axis, keepdims, **params), axis=axis,
                         keepdims=keepdims)
        return out if not real_valued or _is_real(x) else real(out)

    defvjp(prim, vjp)
    defjvp(prim, jvp)


def _is_real(x) -> bool:
    """Whether ``x``'s dtype is known when compiling and is not complex."""
    dtype = dtype_of(x)
    return isinstance(dtype, np.dtype) and dtype.kind != "c"


def _prod_partial(ans, x, axis, keepdims):
    """The product of the other entries, exact when ``x`` holds zeros, and so are its
    derivatives (a Hessian's, a third derivative's): each branch is an identity in ``x``
    near the point, not only a value there. With ``N`` the product of the nonzero
    entries and ``Z`` that of the zero ones (0, with its derivative), a nonzero entry's
    is ``Z N / x_i``; a zero entry's ``N`` times the product of the other zeros, made
    with products only (``_product_of_the_others``: a running product from each side).
    Where the reduced axes' lengths are known when the code runs only, the other zeros'
    product is 1 for one zero, the other's value for two (their sum less its own), and
    0 from three on: exact to second order (a third derivative through three zeros of
    one product, ``np.prod`` of ``x`` repeated, would miss a term)."""
    from .elementwise import equal, greater, where
    zero = equal(x, 0)
    nonzero_product = reduce_prod(where(zero, 1, x), axis=axis, keepdims=True)
    zero_product = reduce_prod(where(zero, x, 1), axis=axis, keepdims=True)
    other_zeros = _product_of_the_others(where(zero, x, 1), axis)
    if other_zeros is None:
        zeros = reduce_sum(zero, axis=axis, keepdims=True)
        other_zero = reduce_sum(where(zero, x, 0), axis=axis, keepdims=True) - x
        other_zeros = where(equal(zeros, 1), 1, where(greater(zeros, 2), 0, other_zero))
    return where(zero, other_zeros * nonzero_product,
                 zero_product * nonzero_product / _nonzero(x))


def _product_of_the_others(y, axis):
    """For each entry of ``y``, the product of the others along the reduced ``axis``:
    the running product of those before it times that of those after it (the reduced
    axes moved last and made one), with no division; None where the rank or a length
    is known when the code runs only."""
    from .shape import transpose
    rank = ndim_of(y)
    if rank is None or any(not isinstance(dim_of(y, a), int) for a in range(rank)):
        return None
    if rank == 0:
        return 1.0
    axes = range(rank) if axis is None else axis if isinstance(axis, tuple) else (axis,)
    reduced = sorted({a % rank for a in axes})
    order = [a for a in range(rank) if a not in reduced] + reduced
    moved = transpose(y, tuple(order))
    shape = tuple(dim_of(moved, a) for a in range(rank))
    kept = rank - len(reduced)
    length = int(np.prod(shape[kept:], dtype=np.int64))
    if length == 0:
        return None  # (no entries: no partials either)
    rows, last = reshape(moved, (*shape[:kept], length)), kept

    def running_before(v):  # the product of the entries before each one (1 for the first)
        return _shifted(cumprod(v, axis=last), last, 1, 1, kept + 1)
    others = running_before(rows) * flip(running_before(flip(rows, axis=last)), axis=last)
    return transpose(reshape(others, shape), tuple(int(i) for i in np.argsort(order)))


def _extremum_partial(ans, x, axis, keepdims):
    """1/k at each of the k entries equal to the extremum, 0 elsewhere."""
    from .elementwise import equal
    hit = astype(equal(x, _kept(ans, axis, keepdims, x)), dtype_of(x))
    return hit / reduce_sum(hit, axis=axis, keepdims=True)


def _centred(x, axis):
    return x - reduce_mean(x, axis=axis, keepdims=True)


def _var_partial(ans, x, axis, keepdims, ddof=0):
    dof = _count(x, ans, axis) - ddof
    if isinstance(dof, int | float) and dof != 0:
        return _centred(x, axis) * (2 / dof)
    # divided by an array: nan (0 / 0) without degrees of freedom, as NumPy's var
    return _centred(x, axis) * 2 / dof


def _std_partial(ans, x, axis, keepdims, ddof=0):
    dof = _count(x, ans, axis) - ddof
    return _centred(x, axis) / (dof * _kept(_nonzero(ans), axis, keepdims, x))


def _norm_partial(ans, x, axis, keepdims):
    return x / _kept(_nonzero(ans), axis, keepdims, x)


defvjp(reduce_sum, lambda g, ans, x, axis=None, keepdims=False:
       _spread(g, x, axis, keepdims))
defvjp(reduce_mean, lambda g, ans, x, axis=None, keepdims=False:
       _spread(g, x, axis, keepdims) / _count(x, ans, axis))
deflinear(reduce_sum, 0)
deflinear(reduce_mean, 0)
defreduction(reduce_prod, _prod_partial)
defreduction(reduce_max, _extremum_partial)
defreduction(reduce_min, _extremum_partial)
defreduction(var, _var_partial, real_valued=True)
defreduction(std, _std_partial, real_valued=True)
defreduction(norm, _norm_partial, real_valued=True)

# ---------------------------------------------------------------------------- running totals


def _reverse_cumsum(g, axis):
    return flip(cumsum(flip(g, axis=axis), axis=axis), axis=axis)


def _vjp_cumsum(g, ans, x, axis=None):
    if axis is None or ndim_of(x) is None:  # (a 0-d x runs along axis 0 as shape (1,))
        return reshape(_reverse_cumsum(g, 0 if axis is None else axis), shape_of(x))
    return _reverse_cumsum(g, axis)


def _along(axis, x):
    """``cumprod``'s operand as the running product sees it, and the axis it runs
    along, counted from the start: flattened for ``axis=None`` (a 0-d one too). None
    where its rank or that axis's length is known at run time only."""
    if axis is None or ndim_of(x) == 0:
        x, axis = reshape(x, (-1,)), 0
    if ndim_of(x) is None:
        return None
    axis %= ndim_of(x)
    return (x, axis) if isinstance(dim_of(x, axis), int) else None


def _shifted(x, axis, d, fill, rank):
    """``x`` (of ``rank`` axes) moved ``d`` places along ``axis``: forward (``d > 0``)
    with ``fill`` in the first ``d`` places, or back (``d < 0``) with ``fill`` in the
    last ``-d``."""
    from .indexing import getitem
    kept = slice(None, -d) if d > 0 else slice(-d, None)
    widths = [(0, 0)] * rank
    widths[axis] = (d, 0) if d > 0 else (0, -d)
    return pad(getitem(x, axis_index(axis, kept)), tuple(widths), constant_values=fill)


def _running_products(x, axis):
    """The levels of a product scan (Hillis and Steele's): level ``l + 1`` multiplies
    each entry of level ``l`` by the one ``2**l`` places before it, so the last level
    is ``cumprod(x)``. Written with products only, its derivative has no division:
    exact at zeros, and so is the derivative of that (a Hessian's)."""
    levels, n, d = [x], dim_of(x, axis), 1
    while d < n:
        levels.append(levels[-1] * _shifted(levels[-1], axis, d, 1, ndim_of(x)))
        d *= 2
    return levels


def _vjp_cumprod(g, ans, x, axis=None):
    along = _along(axis, x)
    if along is None:  # divide (NaN at a zero entry)
        return _vjp_cumsum(g * ans, ans, x, axis) / x
    flat, axis = along
    levels, rank = _running_products(flat, axis), ndim_of(flat)
    for level in reversed(range(len(levels) - 1)):  # each level's step, transposed
        p, d = levels[level], 2 ** level
        g = g * _shifted(p, axis, d, 1, rank) + _shifted(g * p, axis, -d, 0, rank)
    return g if flat is x else reshape(g, shape_of(x))


def _jvp_cumprod(t, ans, x, axis=None):
    along = _along(axis, x)
    if along is None:
        return cumsum(t / x, axis=axis) * ans
    flat, axis = along
    t = t if flat is x else reshape(t, (-1,))
    levels, rank = _running_products(flat, axis), ndim_of(flat)
    for level, p in enumerate(levels[:-1]):  # d(p q) = dp q + p dq, level by level
        d = 2 ** level
        t = t * _shifted(p, axis, d, 1, rank) + p * _shifted(t, axis, d, 0, rank)
    return t


defvjp(cumsum, _vjp_cumsum)
defvjp(cumprod, _vjp_cumprod)
deflinear(cumsum, 0)
defjvp(cumprod, _jvp_cumprod)

# ---------------------------------------------------------------------------- trace


def _vjp_trace(g, ans, x, offset=0, axis1=0, axis2=1):
    from .constructors import eye
    mask = eye(dim_of(x, axis1), dim_of(x, axis2), k=offset, dtype=np.bool_)
    if ndim_of(x) == 2:
        return g * mask
    return moveaxis(expand_dims(g, axis=(-2, -1)) * mask, (-2, -1), (axis1, axis2))


defvjp(trace, _vjp_trace)
deflinear(trace, 0)

# ---------------------------------------------------------------------------- norms of any order
# The 2-norm (and the Frobenius norm) is the primitive ``norm``; NumPy's other orders
# are written with primitives, as NumPy defines them, so their rules come for free.


def norm_of_order(x, ord, axis, keepdims):  # noqa: A002 (NumPy's name)
    """``np.linalg.norm(x, ord, axis, keepdims)`` with ``ord``, ``axis`` and ``keepdims``
    known when compiling."""
    rank = ndim_of(x) if axis is None else len(axis) if isinstance(axis, tuple) else 1
    if ord is None or ord == "fro" or (ord == 2 and rank == 1):
        return norm(x, axis=axis, keepdims=keepdims)
    if rank == 2:
        return _matrix_norm(x, ord, (0, 1) if axis is None else axis, keepdims)
    if rank == 1:
        return _vector_norm(x, ord, axis, keepdims)
    if keepdims or ord in (2, -2, "nuc"):
        raise ValueError(f"np.linalg.norm(x, ord={ord!r}) needs axis= when the rank of x is "
                         "unknown when compiling (vector and matrix norms differ)")
    return _any_rank_norm(x, ord)


def _any_rank_norm(x, ord):  # noqa: A002
    """A norm of a vector or a matrix, whichever ``x`` turns out to be: NumPy's vector
    norms of order 1 and inf are its matrix norms of ``x`` as a column."""
    from .elementwise import abs_
    from .shape import atleast_2d, transpose
    if ord in (1, -1):
        sums = reduce_sum(abs_(x), axis=0)
    elif ord in (np.inf, -np.inf):
        column = transpose(atleast_2d(transpose(x)))  # (n,) -> (n, 1); a matrix stays
        sums = reduce_sum(abs_(column), axis=1)
    else:
        return _vector_norm(x, ord, None, False)
    return (reduce_max if ord > 0 else reduce_min)(sums)


def _vector_norm(x, ord, axis, keepdims):  # noqa: A002
    from .elementwise import abs_, not_equal
    magnitude = abs_(x)
    if ord == np.inf:
        return reduce_max(magnitude, axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return reduce_min(magnitude, axis=axis, keepdims=keepdims)
    if ord == 0:
        return reduce_sum(not_equal(x, 0), axis=axis, keepdims=keepdims)
    if ord == 1:
        return reduce_sum(magnitude, axis=axis, keepdims=keepdims)
    return reduce_sum(magnitude ** ord, axis=axis, keepdims=keepdims) ** (1.0 / ord)


def _matrix_norm(x, ord, axis, keepdims):  # noqa: A002
    from .elementwise import abs_
    from .shape import squeeze
    rows, cols = axis
    if ord in (2, -2, "nuc"):
        return _singular_value_norm(x, ord, rows, cols, keepdims)
    if ord in (1, -1):
        inner, outer = rows, cols
    elif ord in (np.inf, -np.inf):
        inner, outer = cols, rows
    else:
        raise ValueError(f"Invalid norm order {ord!r} for matrices")
    sums = reduce_sum(abs_(x), axis=inner, keepdims=True)
    result = (reduce_max if ord > 0 else reduce_min)(sums, axis=outer, keepdims=True)
    return result if keepdims else squeeze(result, axis=tuple(sorted((rows, cols))))


def _singular_value_norm(x, ord, rows, cols, keepdims):  # noqa: A002
    """NumPy's: the largest (2), smallest (-2) or sum ('nuc') of the singular values."""
    from .decompositions import svdvals
    from .shape import expand_dims, moveaxis
    values = svdvals(moveaxis(x, (rows, cols), (-2, -1)), compute_uv=False)
    reduce = {2: reduce_max, -2: reduce_min, "nuc": reduce_sum}[ord]
    result = reduce(values, axis=-1)
    if not keepdims:
        return result
    rank = ndim_of(x)
    if rank is not None:
        rows, cols = rows % rank, cols % rank
    return expand_dims(result, axis=tuple(sorted((rows, cols))))
