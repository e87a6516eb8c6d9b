"""SciPy's special functions (``scipy.special``'s ufuncs) as primitives, with their
derivatives.

Each is a primitive whose ``impl`` is SciPy's own ufunc, so compiled code computes
SciPy's values to the last bit, and generated code calls it by its name
(``scipy.special.gammaln(x)``). A derivative is the partial of the textbook, written
with these same functions, so it can be differentiated again:

* ``erf``, ``erfc``, ``erfcx``, ``dawsn``, their inverses, and the normal CDF ``ndtr``
  with ``log_ndtr`` and ``ndtri``: from ``d erf(x) = 2/sqrt(pi) exp(-x^2)`` (the
  logarithm's as ``exp(-x^2/2 - log_ndtr(x))``, which does not overflow in the tail);
* ``gamma``, ``gammaln``, ``loggamma``, ``rgamma``, ``psi`` (``digamma``) and
  ``polygamma``: ``d log Gamma = psi`` and ``d polygamma(n, x) = polygamma(n + 1, x)``;
  ``beta`` and ``betaln`` likewise;
* ``gammainc``/``gammaincc`` and ``betainc`` in ``x`` (the integrand over ``Gamma(a)``
  or ``B(a, b)``), Student's ``stdtr`` in ``t`` (the density); ``gammasgn`` is
  piecewise constant;
* the Bessel functions from the recurrences ``2 J'_v = J_{v-1} - J_{v+1}`` (``I``, ``K``,
  ``Y`` and the scaled ``ive``/``kve`` alike); the orders 0 and 1 (``j0``, ``i1e``...)
  the same way, so no ``1/x`` appears and the derivative at 0 is finite;
* ``xlogy``, ``xlog1py``, ``entr``, ``rel_entr``, ``kl_div``, ``huber``,
  ``pseudo_huber``, ``expit``, ``logit``, ``log_expit``, ``exp1``, ``expi``.

A derivative with respect to an order or a shape parameter (``v`` of ``jv``, ``a`` of
``gammainc``) has no closed form in these functions: it is refused at the user's line,
and a constant order is fine. ``xlogy(0, y)`` is 0 for every ``y``, so its partial in
``y`` is 0 there (also at ``y = 0``, where ``x / y`` would be nan).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import scipy.special as sp

from ..backends.numpy import spellings
from ..errors import AutodiffError
from ..ir import builder, surface
from ..ir.primitives import Primitive, defpartials, nondifferentiable
from ..ir.surface.arithmetic import ufunc

FAMILY = "scipy.special"
_TWO_OVER_ROOT_PI = 2.0 / math.sqrt(math.pi)
_HALF_ROOT_PI = math.sqrt(math.pi) / 2.0
_ROOT_TWO_PI = math.sqrt(2.0 * math.pi)


def _no_derivative(what: str) -> Callable[..., Any]:
    """A partial that refuses: the derivative with respect to ``what`` has no rule."""
    def refuse(*args: Any, **params: Any) -> Any:
        loc = builder.current().loc
        raise AutodiffError(f"the derivative with respect to {what} has no rule",
                            None if loc is None else replace(loc, adjoint=False),
                            hint=f"pass {what} as a constant, or wrap it in "
                                 "ops.stop_gradient(...)")
    return refuse


def _where_zero(condition: Any, value: Any) -> Any:
    return np.where(condition, 0.0, value)


def _polygamma(n: Any, x: Any) -> Any:
    """``polygamma`` is a Python function, not a ufunc: symbolic operands reach it
    through its primitive."""
    return PRIMITIVES["polygamma"](n, x)


# name -> the partial derivative with respect to each operand, as (ans, *operands);
# None: no gradient flows through it at all
PARTIALS: dict[str, tuple[Callable[..., Any] | None, ...] | None] = {
    # logistic
    "expit": (lambda ans, x: ans * (1.0 - ans),),
    "log_expit": (lambda ans, x: sp.expit(-x),),
    "logit": (lambda ans, x: 1.0 / (x * (1.0 - x)),),
    # error functions and the normal distribution
    "erf": (lambda ans, x: _TWO_OVER_ROOT_PI * np.exp(-(x * x)),),
    "erfc": (lambda ans, x: -_TWO_OVER_ROOT_PI * np.exp(-(x * x)),),
    "erfcx": (lambda ans, x: 2.0 * x * ans - _TWO_OVER_ROOT_PI,),
    "erfinv": (lambda ans, x: _HALF_ROOT_PI * np.exp(ans * ans),),
    "erfcinv": (lambda ans, x: -_HALF_ROOT_PI * np.exp(ans * ans),),
    "dawsn": (lambda ans, x: 1.0 - 2.0 * x * ans,),
    "ndtr": (lambda ans, x: np.exp(-0.5 * x * x) / _ROOT_TWO_PI,),
    "log_ndtr": (lambda ans, x: np.exp(-0.5 * x * x - ans) / _ROOT_TWO_PI,),
    "ndtri": (lambda ans, x: _ROOT_TWO_PI * np.exp(0.5 * ans * ans),),
    # gamma and beta
    "gamma": (lambda ans, x: ans * sp.psi(x),),
    "gammaln": (lambda ans, x: sp.psi(x),),
    "loggamma": (lambda ans, x: sp.psi(x),),
    "rgamma": (lambda ans, x: -ans * sp.psi(x),),
    "psi": (lambda ans, x: _polygamma(1, x),),
    "polygamma": (None, lambda ans, n, x: _polygamma(n + 1, x)),
    "beta": (lambda ans, a, b: ans * (sp.psi(a) - sp.psi(a + b)),
             lambda ans, a, b: ans * (sp.psi(b) - sp.psi(a + b))),
    "betaln": (lambda ans, a, b: sp.psi(a) - sp.psi(a + b),
               lambda ans, a, b: sp.psi(b) - sp.psi(a + b)),
    "gammainc": (_no_derivative("a of gammainc(a, x)"),
                 lambda ans, a, x: np.exp(sp.xlogy(a - 1.0, x) - x - sp.gammaln(a))),
    "gammaincc": (_no_derivative("a of gammaincc(a, x)"),
                  lambda ans, a, x: -np.exp(sp.xlogy(a - 1.0, x) - x - sp.gammaln(a))),
    "betainc": (_no_derivative("a of betainc(a, b, x)"), _no_derivative("b of betainc(a, b, x)"),
                lambda ans, a, b, x: np.exp(sp.xlogy(a - 1.0, x) + sp.xlog1py(b - 1.0, -x)
                                            - sp.betaln(a, b))),
    "stdtr": (_no_derivative("the degrees of freedom of stdtr(df, t)"),
              lambda ans, df, t: np.exp(sp.gammaln(0.5 * (df + 1.0)) - sp.gammaln(0.5 * df)
                                        - 0.5 * np.log(df * math.pi)
                                        - 0.5 * (df + 1.0) * np.log1p(t * t / df))),
    "gammasgn": None,  # piecewise constant
    # Bessel functions
    "j0": (lambda ans, x: -sp.j1(x),),
    "j1": (lambda ans, x: 0.5 * (sp.j0(x) - sp.jv(2, x)),),
    "y0": (lambda ans, x: -sp.y1(x),),
    "y1": (lambda ans, x: 0.5 * (sp.y0(x) - sp.yv(2, x)),),
    "i0": (lambda ans, x: sp.i1(x),),
    "i1": (lambda ans, x: 0.5 * (sp.i0(x) + sp.iv(2, x)),),
    "i0e": (lambda ans, x: sp.i1e(x) - np.sign(x) * ans,),
    "i1e": (lambda ans, x: 0.5 * (sp.i0e(x) + sp.ive(2, x)) - np.sign(x) * ans,),
    "k0": (lambda ans, x: -sp.k1(x),),
    "k1": (lambda ans, x: -0.5 * (sp.k0(x) + sp.kv(2, x)),),
    "k0e": (lambda ans, x: ans - sp.k1e(x),),
    "k1e": (lambda ans, x: ans - 0.5 * (sp.k0e(x) + sp.kve(2, x)),),
    "yn": (None, lambda ans, n, x: 0.5 * (sp.yn(n - 1, x) - sp.yn(n + 1, x))),
    "jv": (_no_derivative("the order v of jv(v, x)"),
           lambda ans, v, x: 0.5 * (sp.jv(v - 1.0, x) - sp.jv(v + 1.0, x))),
    "yv": (_no_derivative("the order v of yv(v, x)"),
           lambda ans, v, x: 0.5 * (sp.yv(v - 1.0, x) - sp.yv(v + 1.0, x))),
    "iv": (_no_derivative("the order v of iv(v, x)"),
           lambda ans, v, x: 0.5 * (sp.iv(v - 1.0, x) + sp.iv(v + 1.0, x))),
    "kv": (_no_derivative("the order v of kv(v, x)"),
           lambda ans, v, x: -0.5 * (sp.kv(v - 1.0, x) + sp.kv(v + 1.0, x))),
    "ive": (_no_derivative("the order v of ive(v, x)"),
            lambda ans, v, x: 0.5 * (sp.ive(v - 1.0, x) + sp.ive(v + 1.0, x))
            - np.sign(x) * ans),
    "kve": (_no_derivative("the order v of kve(v, x)"),
            lambda ans, v, x: ans - 0.5 * (sp.kve(v - 1.0, x) + sp.kve(v + 1.0, x))),
    # exponential integrals
    "exp1": (lambda ans, x: -np.exp(-x) / x,),
    "expi": (lambda ans, x: np.exp(x) / x,),
    # information theory and robust losses
    "xlogy": (lambda ans, x, y: np.log(y), lambda ans, x, y: _where_zero(np.equal(x, 0.0), x / y)),
    "xlog1py": (lambda ans, x, y: np.log1p(y),
                lambda ans, x, y: _where_zero(np.equal(x, 0.0), x / (1.0 + y))),
    "entr": (lambda ans, x: -(np.log(x) + 1.0),),
    "rel_entr": (lambda ans, x, y: np.log(x / y) + 1.0, lambda ans, x, y: -x / y),
    "kl_div": (lambda ans, x, y: np.log(x / y), lambda ans, x, y: 1.0 - x / y),
    "huber": (lambda ans, delta, r: np.where(np.abs(r) <= delta, 0.0, np.abs(r) - delta),
              lambda ans, delta, r: np.where(np.abs(r) <= delta, r, delta * np.sign(r))),
    "pseudo_huber": (
        lambda ans, delta, r: 2.0 * ans / delta - r * r / (delta * np.sqrt(
            1.0 + (r / delta) ** 2)),
        lambda ans, delta, r: r / np.sqrt(1.0 + (r / delta) ** 2)),
}
PARTIALS["softplus"] = (lambda ans, x: sp.expit(x),)  # SciPy 1.15 and later

PRIMITIVES: dict[str, Primitive] = {}


def register() -> None:
    """Make each function of the table a primitive: its rules, its spelling in generated
    code, and its entry in the surface (the aliases ``digamma`` of ``psi`` included)."""
    for name in PARTIALS:
        fn = getattr(sp, name, None)
        if fn is None:  # an older SciPy
            continue
        prim = Primitive(f"scipy_{name}", fn, elementwise=True)
        spellings.register(prim, ("call", f"scipy.special.{name}"))
        PRIMITIVES[name] = prim
        if fn not in surface.USER_FUNCTIONS:  # a rule the user registered stays theirs
            surface.register(FAMILY, ufunc(prim), fn)
    for name, prim in PRIMITIVES.items():
        if PARTIALS[name] is None:
            nondifferentiable(prim)
        else:
            defpartials(prim, *PARTIALS[name])
