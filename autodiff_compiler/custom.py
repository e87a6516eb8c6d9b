"""``custom_vjp``: a function whose reverse-mode gradient is the user's rule.

JAX's spelling, for users who know it::

    f = adc.custom_vjp(f)          # or @adc.custom_vjp over the def
    f.defvjp(f_fwd, f_bwd)         # f_fwd(*args) -> (out, residuals)
                                   # f_bwd(residuals, g) -> one cotangent per argument

Inside a differentiated function a call of ``f`` is compiled as a call whose value
is ``f``'s and whose adjoint is ``f_bwd``, compiled from its source like any user
function (so it shows in ``gradient_source``); the mechanism is the one a Cell's
``bprop`` uses (``frontend.custom``, ``ad.custom``). As in JAX, a second derivative
differentiates ``f_bwd`` and ``f_fwd`` as code, where ``f`` called in them (``ans =
f(x)`` in ``f_fwd``) is the custom call again, whose derivative is the rule once more
(grad of a function taking ``value_and_grad(f)``'s value is the rule's, not that of
``f``'s body); and forward mode (jvp) through ``f`` gives the tangent the rule implies
(``f_bwd`` transposed in its cotangent, ``ad.custom``) rather than differentiating
``f`` itself, which would ignore the rule.

MindSpore's spelling, ``@custom_vjp`` then ``f.defbwd(bprop)`` with ``bprop(*args, out,
dout)`` returning one cotangent per argument, is the rule a Cell's ``bprop`` gives:
the forward is the call itself, and the rule reads the inputs and the output.
"""
from __future__ import annotations

import functools
import inspect
import threading
import types
from collections.abc import Sequence
from typing import Any

from .errors import AutodiffError
from .frontend.custom import call_again, custom_call
from .frontend.source import definition_loc
from .pullbacks import InlinedPullback


class custom_vjp:  # noqa: N801 -- JAX's name, which its users will look for
    """Wrap ``fn`` so that its gradient is given by ``defvjp(fwd, bwd)``."""

    def __init__(self, fn: types.FunctionType, nondiff_argnums: Sequence[int] = ()) -> None:
        if not isinstance(fn, types.FunctionType):
            raise AutodiffError(f"custom_vjp takes a Python function, not {fn!r}",
                                hint="decorate a def with @custom_vjp")
        if tuple(nondiff_argnums):
            raise AutodiffError(f"custom_vjp({fn.__qualname__}, nondiff_argnums="
                                f"{tuple(nondiff_argnums)}): nondiff_argnums is not "
                                "supported", definition_loc(fn),
                                hint="drop nondiff_argnums: pass the value as an ordinary "
                                     "argument (bwd returns None for it), or close over it")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.fwd: types.FunctionType | None = None
        self.bwd: types.FunctionType | None = None
        self.bprop: types.FunctionType | None = None  # (MindSpore's ``defbwd``)
        self._in_rule = threading.local()  # (``__lower_call__``)

    def defvjp(self, fwd: types.FunctionType, bwd: types.FunctionType) -> None:
        """``fwd(*args) -> (out, residuals)``; ``bwd(residuals, g)`` returns a tuple with
        one cotangent (or None, meaning zeros) per argument of the function."""
        for what, rule in (("fwd", fwd), ("bwd", bwd)):
            if not isinstance(rule, types.FunctionType):
                raise AutodiffError(f"{self.fn.__qualname__}.defvjp: {what} must be a "
                                    f"Python function, not {rule!r}",
                                    hint="pass a def or a lambda for each rule")
        self._check_unset(fwd)
        self.fwd, self.bwd = fwd, bwd

    def defbwd(self, bprop: types.FunctionType) -> None:
        """MindSpore's rule: ``bprop(*args, out, dout)`` returns a tuple with one
        cotangent per argument of the function (``out`` is its value)."""
        if not isinstance(bprop, types.FunctionType):
            raise AutodiffError(f"{self.fn.__qualname__}.defbwd: the rule must be a Python "
                                f"function, not {bprop!r}",
                                hint="pass a def taking (*inputs, out, dout)")
        self._check_unset(bprop)
        self.bprop = bprop

    def _check_unset(self, rule: types.FunctionType) -> None:
        if self.fwd is not None or self.bprop is not None:  # compiled gradients are cached
            raise AutodiffError(f"{self.fn.__qualname__}: its gradient rule is already given",
                                definition_loc(rule),
                                hint="wrap the function in a new custom_vjp for another rule")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"custom_vjp({self.fn.__qualname__})"

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        """Lower a call met while compiling: ``fn``'s value, the user's gradient."""
        name = self.fn.__qualname__
        fwd, bwd = self.fwd, self.bwd
        try:
            bound = inspect.signature(self.fn).bind(*args, **kwargs)
        except TypeError as err:
            raise AutodiffError(f"bad call to '{name}': {err}", loc) from None
        bound.apply_defaults()
        made = getattr(self._in_rule, "made", None)
        if made is not None:
            # fwd or bwd calling the function (JAX's ``ans = f(x)`` in fwd): the call
            # being made, again (lowering its rule again would never end); the
            # function's body where the arguments are of other kinds
            again = call_again(low, *made, tuple(bound.arguments.values()), loc)
            return low.call_function(self.fn, tuple(args), kwargs, loc) \
                if again is None else again
        if self.bprop is not None:
            return self._lower_bprop(low, tuple(bound.arguments.values()), loc)
        if fwd is None or bwd is None:
            raise AutodiffError(f"custom_vjp function '{name}' is differentiated before "
                                "its rule is given", loc or definition_loc(self.fn),
                                hint=f"call {self.fn.__name__}.defvjp(fwd, bwd) (or MindSpore's "
                                     f"{self.fn.__name__}.defbwd(bprop)) first")
        what = f"the custom_vjp rule of '{name}'"

        def primal(ins: tuple) -> Any:
            return low.call_function(self.fn, ins, {}, loc)

        being_made: list[tuple] = []  # (callee, body, its parameters): ``custom_call``'s

        def in_rule(rule: types.FunctionType, args: tuple) -> Any:
            outer = getattr(self._in_rule, "made", None)  # (a rule lowered in a rule's)
            self._in_rule.made = being_made[0]
            try:
                return low.call_function(rule, args, {}, loc)
            finally:
                self._in_rule.made = outer

        def augmented(ins: tuple) -> tuple[Any, Any]:
            result = in_rule(fwd, ins)
            if not (isinstance(result, tuple) and len(result) == 2):
                raise AutodiffError(f"{what}: fwd must return (out, residuals)",
                                    definition_loc(fwd),
                                    hint="return the function's value and what bwd reads")
            if _holds_a_pullback(result[1]):
                raise AutodiffError(f"{what}: fwd returns a vjp_fn among its residuals; one "
                                    "made while compiling reads values of fwd that bwd does "
                                    "not have", definition_loc(fwd),
                                    hint="return the values bwd needs (the vjp's inputs) "
                                         "and take the vjp there")
            return result

        def backward(residuals: Any, g: Any) -> Any:
            return in_rule(bwd, (residuals, g))

        return custom_call(low, name, tuple(bound.arguments.values()), primal, augmented,
                           backward, loc, definition_loc(bwd), what, containers=True,
                           made=lambda *callee: being_made.append(callee))

    def _lower_bprop(self, low: Any, inputs: tuple, loc: Any) -> Any:
        """A call whose rule ``defbwd`` gave: as a Cell's ``bprop``, the forward is the call
        and the rule gets the inputs, the output and its cotangent."""
        name, bprop = self.fn.__qualname__, self.bprop
        being_made: list[tuple] = []

        def primal(ins: tuple) -> Any:
            return low.call_function(self.fn, ins, {}, loc)

        def backward(residuals: Any, dout: Any) -> Any:
            ins, out = residuals
            outer = getattr(self._in_rule, "made", None)
            self._in_rule.made = being_made[0]  # (the rule calling the function itself)
            try:
                return low.call_function(bprop, (*ins, out, dout), {}, loc)
            finally:
                self._in_rule.made = outer

        return custom_call(low, name, inputs, primal, None, backward, loc,
                           definition_loc(bprop), f"the bprop of '{name}' (defbwd)",
                           containers=True, made=lambda *callee: being_made.append(callee))


def _holds_a_pullback(value: Any) -> bool:
    """Whether ``value`` holds a ``vjp_fn`` made while compiling (``InlinedPullback``)."""
    if isinstance(value, tuple | list):
        return any(map(_holds_a_pullback, value))
    if isinstance(value, dict):
        return any(map(_holds_a_pullback, value.values()))
    return isinstance(value, InlinedPullback)
