"""MindSpore's special functions: ``lgamma``, ``digamma``, ``polygamma``, ``zeta``,
``igamma``/``igammac``, ``erfinv``, ``mvlgamma`` and the Bessel functions of orders 0
and 1 (``i0``, ``bessel_j0``, ``bessel_k1e``...); re-exported by ``ops``.

Each calls SciPy's function (``scipy.special.gammaln``...), which the compiler maps to a
primitive whose derivative ``scipy_rules.special`` gives, so inside a differentiated
function these compile like user code calling SciPy. SciPy is optional: it is imported
on the first call (``_special``), and without it these raise an ``ImportError`` saying
to install it. ``zeta`` has no rule there: it is a primitive of its own here, with
``d zeta(x, q) / dq = -x zeta(x + 1, q)``. A derivative with respect to ``x`` of
``zeta``, or ``input`` (the shape ``a``) of ``igamma``/``igammac``, has no closed form
and is refused at the user's line (MindSpore gives 0 for ``zeta``'s and a series for
``igamma``'s): pass those as constants or through ``ops.stop_gradient``.

Dtypes as MindSpore 2.7.1's (measured): float16, float32 and float64 are kept (SciPy
computes float16 in float32, cast back); ``lgamma`` of integers is float32; other
integer inputs are a ``TypeError``, as are ``polygamma``'s ``n`` unless an integer
(a Python int or a 0-d int Tensor). ``mvlgamma`` refuses (``ValueError``) a value not
above ``(p - 1) / 2``, also when the code runs compiled. At negative arguments, where
the Bessel functions ``Y`` and ``K`` are complex, MindSpore gives ``-inf`` and ``inf``
where SciPy gives NaN: followed here (with no gradient there).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import extend
from ..errors import AutodiffError
from ..ir import builder
from .ops_elementwise import _cast, _check, _dtype, _same_dtypes, _shape
from .tensor import Tensor

__all__ = ["lgamma", "digamma", "polygamma", "zeta", "igamma", "igammac", "erfinv",
           "mvlgamma", "i0", "bessel_i0", "bessel_i0e", "bessel_i1", "bessel_i1e",
           "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "bessel_k0", "bessel_k0e",
           "bessel_k1", "bessel_k1e"]

_LOG_PI = math.log(math.pi)


def _special(name: str, op: str) -> Any:
    """``scipy.special.<name>``, for ``ops.<op>``; SciPy is imported here, when first
    needed (while compiling, inside a differentiated function)."""
    try:
        import scipy.special
    except ImportError:
        raise ImportError(f"ops.{op} needs SciPy (scipy.special.{name}), which is not "
                          "installed: pip install scipy") from None
    return getattr(scipy.special, name)


def _float_dtype(dtype: Any, op: str, ints: bool = False) -> Any:
    """The dtype of ``op``'s result: a float input's own, float32 for integers where
    ``ints`` (else a ``TypeError``); ``None`` where it is unknown."""
    if dtype is None:
        return None
    if ints and dtype.kind in "iu":
        return np.dtype(np.float32)
    _check(dtype, "f", op, "float16, float32 or float64")
    return dtype


def _check_order(dtype: Any, shape: Any) -> None:
    if dtype is not None and dtype.kind not in "iu":
        raise TypeError(f"ops.polygamma: 'n' must be an integer, but got {dtype}")
    if shape is not None and len(shape) != 0:
        raise ValueError(f"ops.polygamma: 'n' must be a 0-d Tensor, but got shape {shape}")


def _check_p(p: Any) -> None:
    if not isinstance(p, int) or isinstance(p, bool) or p < 1:
        raise ValueError(f"ops.mvlgamma: 'p' must be an int greater than 0, but got {p!r}")


for _fn in (_special, _float_dtype, _check_order, _check_p):
    _fn.__evaluated_when_compiling__ = True  # pure functions of names, dtypes and shapes


def _unary(name: str, op: str, x: Any, ints: bool = False) -> Any:
    """``scipy.special.<name>(x)`` in ``op``'s result dtype."""
    return _cast(_special(name, op)(x), _float_dtype(_dtype(x), op, ints))


def _binary(name: str, op: str, a: Any, b: Any) -> Any:
    """``scipy.special.<name>(a, b)`` of two floats of one dtype, in that dtype."""
    dtypes = (_dtype(a), _dtype(b))
    _float_dtype(dtypes[0], op)
    _float_dtype(dtypes[1], op)
    _same_dtypes(dtypes, op, "inputs")
    return _cast(_special(name, op)(a, b), dtypes[0])


# ---------------------------------------------------------------------------- gamma family


def lgamma(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """``log |Gamma(input)|`` (``inf`` at 0 and the negative integers)."""
    return _unary("gammaln", "lgamma", input, ints=True)


def digamma(input: Any) -> Any:  # noqa: A002
    """``psi = d log Gamma / dx``."""
    return _unary("psi", "digamma", input)


def polygamma(n: Any, input: Any) -> Any:  # noqa: A002
    """The ``n``-th derivative of ``digamma`` (``n`` an integer, no gradient)."""
    _check_order(_dtype(n), _shape(n))
    values = _special("polygamma", "polygamma")(n, input)  # SciPy's is no ufunc: an array
    return Tensor(_cast(values, _float_dtype(_dtype(input), "polygamma")))


def igamma(input: Any, other: Any) -> Any:  # noqa: A002
    """The regularized lower incomplete gamma function ``P(a, x)``, ``a = input``."""
    return _binary("gammainc", "igamma", input, other)


def igammac(input: Any, other: Any) -> Any:  # noqa: A002
    """The regularized upper incomplete gamma function ``Q(a, x) = 1 - P(a, x)``."""
    return _binary("gammaincc", "igammac", input, other)


def _mvlgamma_domain(x: Any, p: int) -> Any:
    """``x``, once every value is above ``(p - 1) / 2`` (a ``ValueError`` otherwise)."""
    if not np.all(np.asarray(x) > (p - 1) / 2):
        raise ValueError(f"ops.mvlgamma: every value of 'input' must be greater than "
                         f"(p - 1) / 2 = {(p - 1) / 2}")
    return x


_DOMAIN = extend.defprimitive(_mvlgamma_domain, "ops_mvlgamma_domain")
extend.defvjp(_DOMAIN, lambda g, ans, x, p: g, None)
extend.defjvp(_DOMAIN, lambda t, ans, x, p: t, None)


def mvlgamma(input: Any, p: int) -> Any:  # noqa: A002
    """The multivariate log-gamma function of dimension ``p``:
    ``p (p - 1) / 4 log(pi)`` plus ``lgamma(input - j / 2)`` for ``j < p``."""
    _check_p(p)
    x = _mvlgamma_domain(input, p)
    gammaln = _special("gammaln", "mvlgamma")
    total = gammaln(x)
    for j in range(1, p):
        total = total + gammaln(x - 0.5 * j)
    return _cast(total + 0.25 * p * (p - 1) * _LOG_PI, _float_dtype(_dtype(input), "mvlgamma"))


# ---------------------------------------------------------------------------- zeta


def _zeta_values(x: Any, q: Any) -> Any:
    return _special("zeta", "zeta")(x, q)


def _refuse_exponent(*args: Any, **params: Any) -> Any:
    loc = builder.current().loc
    raise AutodiffError("ops.zeta(x, q) has no derivative rule with respect to x",
                        loc, hint="pass x as a constant, or wrap it in ops.stop_gradient(...)")


_ZETA = extend.defprimitive(_zeta_values, "ops_zeta", elementwise=True)
extend.defelementwise(_ZETA, _refuse_exponent,
                      lambda d, ans, x, q: d * (-x * _ZETA(x + 1.0, q)))


def zeta(input: Any, other: Any) -> Any:  # noqa: A002
    """The Hurwitz zeta function ``sum over k >= 0 of (other + k) ** -input`` (NaN for
    ``input < 1``)."""
    dtypes = (_dtype(input), _dtype(other))
    _check(dtypes[0], "f", "zeta", "float32 or float64")
    _check(dtypes[1], "f", "zeta", "float32 or float64", "other")
    _same_dtypes(dtypes, "zeta", "input and other")
    return _cast(_zeta_values(input, other), dtypes[0])


# ---------------------------------------------------------------------------- error function


def erfinv(input: Any) -> Any:  # noqa: A002
    """The inverse of ``erf`` on ``[-1, 1]`` (``-inf`` and ``inf`` at the ends)."""
    return _unary("erfinv", "erfinv", input)


# ---------------------------------------------------------------------------- Bessel functions


def bessel_i0(x: Any) -> Any:
    """The modified Bessel function of the first kind, order 0."""
    return _unary("i0", "bessel_i0", x)


def i0(input: Any) -> Any:  # noqa: A002
    """``bessel_i0`` under its other name."""
    return _unary("i0", "i0", input)


def bessel_i0e(x: Any) -> Any:
    """``exp(-|x|) I0(x)``, which does not overflow."""
    return _unary("i0e", "bessel_i0e", x)


def bessel_i1(x: Any) -> Any:
    return _unary("i1", "bessel_i1", x)


def bessel_i1e(x: Any) -> Any:
    """``exp(-|x|) I1(x)``."""
    return _unary("i1e", "bessel_i1e", x)


def bessel_j0(x: Any) -> Any:
    """The Bessel function of the first kind, order 0."""
    return _unary("j0", "bessel_j0", x)


def bessel_j1(x: Any) -> Any:
    return _unary("j1", "bessel_j1", x)


def bessel_y0(x: Any) -> Any:
    """The Bessel function of the second kind, order 0 (``-inf`` for ``x <= 0``)."""
    return np.where(x < 0, -np.inf, _unary("y0", "bessel_y0", x))


def bessel_y1(x: Any) -> Any:
    """Order 1 of the second kind (``-inf`` at 0 and for ``x < 0``)."""
    return np.where(x < 0, -np.inf, _unary("y1", "bessel_y1", x))


def bessel_k0(x: Any) -> Any:
    """The modified Bessel function of the second kind, order 0 (``inf`` for
    ``x <= 0``)."""
    return np.where(x < 0, np.inf, _unary("k0", "bessel_k0", x))


def bessel_k0e(x: Any) -> Any:
    """``exp(x) K0(x)``."""
    return np.where(x < 0, np.inf, _unary("k0e", "bessel_k0e", x))


def bessel_k1(x: Any) -> Any:
    return np.where(x < 0, np.inf, _unary("k1", "bessel_k1", x))


def bessel_k1e(x: Any) -> Any:
    """``exp(x) K1(x)``."""
    return np.where(x < 0, np.inf, _unary("k1e", "bessel_k1e", x))
