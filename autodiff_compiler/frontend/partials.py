"""``functools.partial`` made inside the function being compiled, of a function defined
there (``partial(lambda w, x: ..., w)``) or holding its run-time values
(``partial(predict, weights)``): a local function, as a ``def`` of that function is.

A Python partial of a function compiled on its own and of values known when compiling
is an ordinary object, compiled like the function it wraps. One holding run-time values
cannot be: they exist only in the program being built. So the partial is kept as what
it binds, and a call of it -- or a transform's (``jvp(partial(predict, w), ...)``,
``vmap``, ``grad``), which ``pipeline.local`` makes where it is called -- lowers the
call of the function with the bound values first, as Python calls a partial.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any

from ..errors import AutodiffError, Loc
from .scope import LocalFunction


class LocalPartial:
    """``partial(func, *args, **keywords)`` of a local function or of run-time values:
    called where it is, as the partial would be (module docstring)."""

    __local__ = True  # made where a transform of it is called (``pipeline.local``)

    def __init__(self, func: Any, args: tuple, keywords: dict) -> None:
        self.func, self.args, self.keywords = func, tuple(args), dict(keywords)
        self.name = f"partial_{getattr(func, 'name', None) or getattr(func, '__name__', 'fn')}"
        base = getattr(func, "signature", None)
        self.signature = _bound_signature(base, len(self.args), self.keywords) \
            if isinstance(base, inspect.Signature) else \
            inspect.signature(functools.partial(func, *self.args, **self.keywords))

    def __repr__(self) -> str:
        return f"<partial of {self.name[len('partial_'):]}>"

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
        positional, named = (*self.args, *args), {**self.keywords, **kwargs}
        if isinstance(self.func, LocalFunction):
            return low.call_local(self.func, positional, named, loc)
        if hasattr(self.func, "__lower_call__"):
            return self.func.__lower_call__(low, list(positional), named, loc)
        try:
            self.signature.bind(*args, **kwargs)
        except TypeError as err:
            raise AutodiffError(f"bad call to '{self.name}': {err}", loc) from None
        return low.call_callable(self.func, positional, named)


def _bound_signature(signature: inspect.Signature, n_args: int,
                     keywords: dict) -> inspect.Signature:
    """``signature`` with its first ``n_args`` parameters given, and those named in
    ``keywords`` given by name (keyword-only thereafter, as ``functools.partial`` makes
    them)."""
    params = list(signature.parameters.values())[n_args:]
    out, named = [], False
    for p in params:
        if p.name in keywords:
            named = True
            out.append(p.replace(kind=p.KEYWORD_ONLY, default=keywords[p.name]))
        elif named and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            out.append(p.replace(kind=p.KEYWORD_ONLY))
        else:
            out.append(p)
    return signature.replace(parameters=out)
