"""Registering derivative rules for functions the compiler does not know.

A function the compiler cannot read (a NumPy or SciPy function, a compiled
extension) becomes differentiable by making it a primitive and giving it rules::

    import scipy.special
    from autodiff_compiler import extend

    spence = extend.defprimitive(scipy.special.spence, elementwise=True)
    extend.defelementwise(spence, lambda d, ans, x: d * np.log(x) / (1 - x))

after which ``scipy.special.spence(x)`` in a differentiated function is compiled as a
call to it, and its gradient by the rule: for an elementwise function one rule per
argument, a seed ``d`` times the partial derivative, gives both modes (the cotangent
summed back over broadcasting). Otherwise ``defvjp`` and ``defjvp`` register each
mode's rule. A rule gets the cotangent ``g`` (forward
rules: the tangent ``t``), the result ``ans``, then the arguments and keyword params;
it returns the gradient for its argument (``None`` for none). Rules work on symbolic
values: write them with Python operators and with the NumPy functions of the README's
table (``np.cos(x)``, ``np.sum(g, axis=0)``), or with ``primitives`` (``P.cos(x)``);
``unbroadcast(g, x)`` sums a broadcast cotangent back to ``x``'s shape. Because rules
build IR, a registered function works in grad-of-grad too when its rules are written
with differentiable operations.

Generated code reaches a registered function as ``ext.<name>``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .backends.numpy import spellings
from .backends.numpy.runtime import EXTENSIONS
from .ir import primitives, surface
from .ir.primitives import (
    Primitive,
    defelementwise,
    defjvp,
    deflinear,
    defpartials,
    defvjp,
    defvjp_all,
)
from .ir.primitives import nondifferentiable as _mark_nondifferentiable
from .ir.primitives.shape import unbroadcast

_EXTENDED: dict[str, Primitive] = {}  # the primitives registered here, by name

__all__ = ["defprimitive", "defvjp", "defjvp", "defelementwise", "defpartials", "deflinear",
           "defvjp_all", "nondifferentiable", "unbroadcast", "primitives", "Primitive"]


def defprimitive(fn: Callable[..., Any], name: str | None = None, *,
                 elementwise: bool = False, method: str | None = None,
                 differentiable: bool = True) -> Primitive:
    """Make calls to ``fn`` in differentiated code one primitive, named ``name``
    (default ``fn.__name__``), then register its rules with ``defvjp``/``defjvp`` (or
    ``defpartials`` when it is elementwise). ``elementwise`` declares that it
    broadcasts its arguments like a ufunc; ``method`` also maps the array method of that
    name (``x.<method>(...)``) to it; ``differentiable=False`` declares that no
    gradient flows through it (an integer-valued or piecewise-constant function)."""
    name = name or getattr(fn, "__name__", None)
    if not name or not name.isidentifier():
        raise ValueError(f"give {fn!r} a name= that is a Python identifier")
    if hasattr(EXTENSIONS, name) and getattr(EXTENSIONS, name) is not fn:
        raise ValueError(f"a different function is already registered as {name!r}")
    setattr(EXTENSIONS, name, fn)
    prim = _EXTENDED.get(name)
    if prim is None:
        prim = Primitive(name, fn, elementwise=elementwise)
        spellings.register(prim, ("call", f"ext.{name}"))  # generated code calls ext.<name>
        _EXTENDED[name] = prim
    if not differentiable:
        _mark_nondifferentiable(prim)
    surface.register(surface.EXTENDED, _builder(prim), fn, methods=(method,) if method else ())
    surface.USER_FUNCTIONS.add(fn)
    if method:
        surface.USER_METHODS.add(method)
    return prim


def nondifferentiable(*prims: Primitive) -> None:
    """Declare that no gradient flows through these primitives."""
    _mark_nondifferentiable(*prims)


def _builder(prim: Primitive) -> Callable[..., Any]:
    def build(*args: Any, **params: Any) -> Any:
        return prim(*args, **params)
    return build
