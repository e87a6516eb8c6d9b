"""Random draws in differentiated code: from NumPy's global state or a state of the user's.

Black-box variational inference, a VAE or a Bayesian network draws its noise inside the
objective: ``rs.randn(n, d)`` on a ``RandomState`` it holds, ``rng.standard_normal``
on a ``Generator``, ``np.random.binomial(1, p, size)`` for a dropout mask. Each is a
``draw`` equation calling that method on that object when the code runs, so the stream
advances as it does in the user's own code, call after call.

The gradient passes a draw three ways:

* a location-scale draw (``normal``, ``uniform``, ``exponential``) is written as the
  standard draw scaled and shifted, as NumPy computes it from the same stream, so its
  parameters' gradients are the reparameterisation's;
* a draw of integers (``binomial``, ``randint``, ``choice`` of a count, ``poisson``)
  is piecewise constant in its parameters: its derivative is zero, as a comparison's;
* any other draw whose parameters carry a gradient (``gamma(shape)``, ``choice`` of
  the rows of a float array) is refused at the line, with the spelling that works.

The global state's draws that ``ir.surface`` writes itself (``np.random.random``,
``randn``, ``normal``, ``uniform``) keep their own rules; this module takes the rest.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from ..ir import primitives as P
from ..ir.core import Var
from ..ir.primitives.coercion import holds_var
from .shapes import is_runtime_tuple

if TYPE_CHECKING:
    from .scope import Scope

_STATES = (np.random.RandomState, np.random.Generator)
# Methods that read or set the state rather than draw from it.
_NOT_DRAWS = frozenset(["seed", "get_state", "set_state", "spawn", "bit_generator",
                        "jumped", "shuffle", "__getstate__", "__setstate__", "__reduce__"])
# The draws written from a standard one (``_reparameterised``): their parameters, with
# NumPy's defaults, in NumPy's order.
_LOCATION_SCALE = {
    "normal": (("loc", 0.0), ("scale", 1.0)),
    "uniform": (("low", 0.0), ("high", 1.0)),
    "exponential": (("scale", 1.0),),
}


class MadeState:
    """A random state the function makes (``rng = np.random.default_rng(0)``): a new
    one at each call, as the user's code makes it, a value of the program (``var``)."""

    def __init__(self, var: Var, generator: bool) -> None:
        self.var, self.generator = var, generator

    def method(self, name: str) -> StateMethod:
        kind = np.random.Generator if self.generator else np.random.RandomState
        if not callable(getattr(kind, name, None)):
            raise AttributeError(f"'{kind.__name__}' object has no attribute '{name}'")
        return StateMethod(self, name)


class StateMethod:
    """``rng.normal`` of a ``MadeState``: what ``draw_source`` reads of a bound method."""

    def __init__(self, state: MadeState, name: str) -> None:
        self.__self__, self.__name__ = state, name


MAKERS = {np.random.RandomState: False, np.random.default_rng: True}


def make_state(scope: Scope, node: gast.AST, maker: Any, args: list, kwargs: dict) -> MadeState:
    """``np.random.RandomState(seed)`` or ``np.random.default_rng(seed)`` in the function."""
    seed = [*args, *kwargs.values()]
    if set(kwargs) - {"seed"} or len(seed) > 1 or holds_var(seed):
        raise scope.error(node, f"{maker.__name__}(...) inside a differentiated function takes "
                                "one seed known when compiling",
                          hint="seed it with a number, or make it outside and pass it in")
    generator = MAKERS[maker]
    made = (P.default_rng if generator else P.random_state)(*seed)
    made.hint = "rng"
    return MadeState(made, generator)


def draw_source(func: Any) -> Any:
    """The random state ``func`` is a method of (NumPy's global one for
    ``np.random.binomial``), or ``None``."""
    source = getattr(func, "__self__", None)
    return source if isinstance(source, (*_STATES, MadeState)) else None


def is_draw(func: Any) -> bool:
    """A method of a random state that draws (not ``seed``, ``shuffle``...)."""
    return draw_source(func) is not None and func.__name__ not in _NOT_DRAWS


def _is_generator(source: Any) -> bool:
    return isinstance(source, np.random.Generator) or \
        (isinstance(source, MadeState) and source.generator)


def lower_draw(scope: Scope, node: gast.AST, func: Any, args: list, kwargs: dict) -> Any:
    """``func(*args, **kwargs)``, a method of ``draw_source(func)``, as the module
    docstring says."""
    source, method = draw_source(func), func.__name__
    if method in _NOT_DRAWS:
        raise scope.error(node, f"{method}() of a random state inside a differentiated "
                                "function", hint="seed or shuffle outside it; draw inside")
    if method in _LOCATION_SCALE and _carries_gradient(args, kwargs):
        return _reparameterised(scope, node, source, method, args, kwargs)
    drawn = _draw(source, method, args, kwargs)
    integers = isinstance(drawn, Var) and drawn.aval.dtype is not None \
        and drawn.aval.dtype.kind in "biu"
    if _carries_gradient(args, kwargs) and not integers:
        raise scope.error(node, f"{method}() with parameters a gradient depends on: its "
                                "derivative with respect to them has no rule",
                          hint="stop_gradient the parameters; draw indices and index the "
                               "array (x[rng.choice(len(x), k)]); or write the draw from a "
                               "standard one (loc + scale * rng.standard_normal(shape))")
    return drawn


def _draw(source: Any, method: str, args: list, kwargs: dict) -> Any:
    """The draw equation; keyword arguments computed at run time (``size=y.shape``) are
    its last operands, named by ``keywords``."""
    late = {k: v for k, v in kwargs.items() if isinstance(v, Var) or holds_var(v)}
    known = {k: v for k, v in kwargs.items() if k not in late}
    operands = [*args, *late.values()]
    if late:
        known["keywords"] = tuple(late)
    if source is np.random.mtrand._rand:
        return P.draw(*operands, method=method, global_state=True, **known)
    if isinstance(source, MadeState):
        return P.draw(source.var, *operands, method=method, generator=source.generator, **known)
    return P.draw(source, *operands, method=method, **known)


def _reparameterised(scope: Scope, node: gast.AST, source: Any, method: str, args: list,
                     kwargs: dict) -> Any:
    """``normal(loc, scale, size)`` as ``loc + scale * standard_normal(size)``: NumPy's
    numbers from the same stream (``uniform`` and ``exponential`` alike)."""
    names = [name for name, _ in _LOCATION_SCALE[method]]
    values = dict(_LOCATION_SCALE[method])
    if len(args) > len(names) + 1 or set(kwargs) - {*names, "size"}:
        raise scope.error(node, f"{method}() takes {', '.join(names)} and size")
    values.update(zip([*names, "size"], args))
    values.update(kwargs)
    size = values.pop("size", None)
    if size is None:
        size = _broadcast_shape(scope, node, list(values.values()))
    if method == "normal":
        return P.add(values["loc"], P.mul(values["scale"],
                                          _draw(source, "standard_normal", [size], {})))
    if method == "exponential":
        return P.mul(values["scale"], _draw(source, "standard_exponential", [size], {}))
    unit = "random" if _is_generator(source) else "random_sample"
    low, high = values["low"], values["high"]
    return P.add(low, P.mul(P.sub(high, low), _draw(source, unit, [size], {})))


def _broadcast_shape(scope: Scope, node: gast.AST, params: list) -> Any:
    """The shape a draw without ``size`` has: its parameters' broadcast (NumPy's); where
    one's shape is known only at run time, the shape of their sum times zero then (no
    derivative reaches a shape)."""
    shapes = [p.aval.shape if isinstance(p, Var) else np.shape(p) for p in params]
    if any(s is None for s in shapes):
        return P.shape(functools.reduce(P.add, [P.mul(p, 0) for p in params]))
    return np.broadcast_shapes(*shapes)


def _carries_gradient(args: list, kwargs: dict) -> bool:
    """Whether a float run-time value is among the draw's parameters (a shape known
    only at run time, ``size=y.shape``, is ints)."""
    def floats(value: Any) -> bool:
        if isinstance(value, Var):
            return value.aval.is_float and not is_runtime_tuple(value)
        if isinstance(value, list | tuple):
            return any(map(floats, value))
        return False
    return any(map(floats, [*args, *kwargs.values()]))
