"""``custom_jvp``: a function whose derivative, in every mode, is the user's JVP rule.

JAX's spelling, for users who know it::

    @adc.custom_jvp
    def f(x, y): ...

    @f.defjvp                      # or f.defjvp(f_jvp)
    def f_jvp(primals, tangents):  # -> (primal_out, tangent_out), linear in tangents
        x, y = primals
        x_dot, y_dot = tangents
        return f(x, y), np.cos(x) * x_dot * y + np.sin(x) * y_dot

    f.defjvps(jvp_x, jvp_y)        # or one rule per argument: jvp_x(x_dot, ans, x, y)

Inside a compiled function a call of ``f`` is compiled as a call whose value is
``f``'s and whose rule is ``f_jvp``, compiled from its source
(``frontend.custom_jvp``). Forward mode (jvp, jacfwd) binds the rule in the call's
place; reverse mode (grad, vjp, jacrev) binds the rule transposed in its tangents
(``ad.custom_jvp``), as JAX does; vmap batches the call of ``f`` itself, and a
gradient inside vmap batches the rule like any code. ``f`` called in its own rule is
the custom function again, so higher orders apply the rule again (JAX's semantics).
Outside any transform, ``f(x)`` just runs ``f``.

Arguments may hold arrays in tuples, namedtuples, lists and dicts; the rule gets each
one's tangent in the same containers. Not supported: JAX's ``nondiff_argnums``
(refused where the function is wrapped: a non-array argument may simply be passed,
and gets a zero tangent).
"""
from __future__ import annotations

import functools
import inspect
import threading
import types
from collections.abc import Sequence
from typing import Any

from . import trees
from .errors import AutodiffError
from .frontend.custom_jvp import custom_jvp_call
from .frontend.source import definition_loc
from .ir.core import Var

_MAX_DEPTH = 32  # custom_jvp calls nested while compiling (a body calling itself)


class custom_jvp:  # noqa: N801 -- JAX's name, which its users will look for
    """Wrap ``fn`` so that its derivative is given by ``defjvp(rule)`` or ``defjvps``."""

    def __init__(self, fn: types.FunctionType, nondiff_argnums: Sequence[int] = ()) -> None:
        if not isinstance(fn, types.FunctionType):
            raise AutodiffError(f"custom_jvp takes a Python function, not {fn!r}",
                                hint="decorate a def with @custom_jvp")
        if tuple(nondiff_argnums):
            raise AutodiffError(f"custom_jvp({fn.__qualname__}, nondiff_argnums="
                                f"{tuple(nondiff_argnums)}): nondiff_argnums is not "
                                "supported", definition_loc(fn),
                                hint="drop nondiff_argnums: pass the value as an ordinary "
                                     "argument (the rule gets it among the primals, with a "
                                     "zero tangent), or close over it")
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.jvp: types.FunctionType | None = None
        self.jvps: tuple[types.FunctionType | None, ...] | None = None
        self._state = threading.local()  # calls being compiled (``__lower_call__``)

    def defjvp(self, jvp: types.FunctionType) -> types.FunctionType:
        """``jvp(primals, tangents) -> (primal_out, tangent_out)``, one tangent per
        argument in, the output's tangent (linear in them) out. Returns ``jvp``, so
        that it can decorate the rule's def."""
        self._check_rule("defjvp", jvp)
        self._set(jvp=jvp)
        return jvp

    def defjvps(self, *jvps: types.FunctionType | None) -> None:
        """One rule per argument, ``jvp_i(tangent_i, primal_out, *primals)``; the output's
        tangent is their sum (``None``: that argument contributes nothing)."""
        for jvp in jvps:
            if jvp is not None:
                self._check_rule("defjvps", jvp)
        self._set(jvps=tuple(jvps))

    def _check_rule(self, method: str, rule: Any) -> None:
        if not isinstance(rule, types.FunctionType):
            raise AutodiffError(f"{self.fn.__qualname__}.{method}: a rule must be a Python "
                                f"function, not {rule!r}", definition_loc(self.fn),
                                hint="pass a def or a lambda")

    def _set(self, jvp: types.FunctionType | None = None,
             jvps: tuple[types.FunctionType | None, ...] | None = None) -> None:
        if self.jvp is not None or self.jvps is not None:  # compiled derivatives are cached
            raise AutodiffError(f"{self.fn.__qualname__}: the JVP rule is already given",
                                self._rule_loc(),
                                hint="wrap the function in a new custom_jvp for another rule")
        self.jvp, self.jvps = jvp, jvps

    def _rule_loc(self) -> Any:
        """Where the rule is defined (the function, for defjvps with only Nones)."""
        rules = [self.jvp] if self.jvp is not None else [r for r in self.jvps or () if r]
        return definition_loc(rules[0] if rules else self.fn)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"custom_jvp({self.fn.__qualname__})"

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        """Lower a call met while compiling: ``fn``'s value, the user's derivative."""
        name = self.fn.__qualname__
        if self.jvp is None and self.jvps is None:
            raise AutodiffError(f"custom_jvp function '{name}' is compiled before its rule "
                                "is given", loc or definition_loc(self.fn),
                                hint=f"call {self.fn.__name__}.defjvp(rule) first")
        try:
            bound = inspect.signature(self.fn).bind(*args, **kwargs)
        except TypeError as err:
            raise AutodiffError(f"bad call to '{name}': {err}", loc) from None
        bound.apply_defaults()
        inputs = tuple(bound.arguments.values())
        what = f"the custom_jvp rule of '{name}'"
        depth = getattr(self._state, "depth", 0)
        if depth >= _MAX_DEPTH:
            raise AutodiffError(f"custom_jvp function '{name}' calls itself while compiling "
                                f"({_MAX_DEPTH} levels deep)", loc,
                                hint="a custom_jvp function may call itself in its rule, "
                                     "not in its own body")
        pending = self._pending(low)
        self._state.depth = depth + 1
        try:
            return custom_jvp_call(
                low, name, inputs, lambda ins: low.call_function(self.fn, ins, {}, loc),
                lambda primals, tangents: self._rule(low, primals, tangents, loc),
                pending, loc, self._rule_loc(), what)
        finally:
            self._state.depth = depth

    def _pending(self, low: Any) -> dict:
        """This function's calls whose rule is being compiled, in this compilation."""
        per_compilation = getattr(self._state, "pending", None)
        if per_compilation is None:
            per_compilation = self._state.pending = {}
        return per_compilation.setdefault(id(low), {})

    def _rule(self, low: Any, primals: tuple, tangents: tuple, loc: Any) -> Any:
        """The rule lowered on ``primals`` and ``tangents``: ``(out, tangent_out)``."""
        if self.jvp is not None:
            return low.call_function(self.jvp, (primals, tangents), {}, loc)
        if len(self.jvps) != len(primals):
            raise AutodiffError(f"{self.fn.__qualname__}.defjvps got {len(self.jvps)} rules "
                                f"for {len(primals)} arguments", definition_loc(self.fn),
                                hint="give one rule (or None) per argument")
        ans = self.__lower_call__(low, list(primals), {}, loc)  # the call being compiled
        total = None
        for jvp, t in zip(self.jvps, tangents):
            if jvp is not None:
                part = low.call_function(jvp, (t, ans, *primals), {}, loc)
                total = part if total is None else _tree_add(total, part)
        return ans, total if total is not None else _nones_like(ans)


def _tree_add(a: Any, b: Any) -> Any:
    """Leafwise sum of two results of the same structure (the tangents of ``defjvps``)."""
    def is_leaf(v: Any) -> bool:
        return not isinstance(v, tuple | list | dict)
    leaves_a, skeleton = trees.flatten(a, is_leaf)
    leaves_b = trees.flatten(b, is_leaf)[0]
    return trees.unflatten(skeleton, [x + y for x, y in zip(leaves_a, leaves_b)])


def _nones_like(ans: Any) -> Any:
    """A zero tangent (``None`` leaves) for each output."""
    leaves, skeleton = trees.flatten(ans, lambda v: isinstance(v, Var))
    return trees.unflatten(skeleton, [None] * len(leaves))
