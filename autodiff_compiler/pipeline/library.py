"""A library function handed straight to a transform: ``grad(np.sin)``,
``vmap(np.dot)``, ``hessian(scipy.special.logsumexp)``.

The compiler reads the function it transforms from its source, and NumPy's and
SciPy's functions have none it can compile: a ufunc is C, and ``np.sum`` is Python
reaching into NumPy's internals. A *call* to one inside compiled code is what the
surface maps to primitives, so such a function is transformed as a Python function
that calls it -- one per library function, so every transform of it shares one
cache entry.
"""
from __future__ import annotations

import builtins
import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from ..ir import surface

_WRAPPERS: dict[Any, Callable[..., Any]] = {}
_LOCK = threading.Lock()


def as_compilable(fn: Any) -> Any:
    """``fn``, or for a function of the surface (a NumPy or SciPy function, or one
    registered with ``extend``) a Python function calling it."""
    inner = fn
    while isinstance(inner, functools.partial):  # partial(np.sum, axis=0): np.sum's call
        inner = inner.func
    try:
        known = surface.lookup(inner) is not None or surface.definition(inner) is not None \
            or inner in _BUILTINS
    except TypeError:  # an unhashable callable: the user's own object
        return fn
    if not known:
        return fn
    with _LOCK:
        wrapper = _WRAPPERS.get(fn)
        if wrapper is None:
            wrapper = _WRAPPERS[fn] = _calling(fn)
    return wrapper


# Python's builtins that compiled code computes with: grad(max) is grad of a function
# calling max (they have no source to read, and max no signature).
_BUILTINS = frozenset([builtins.max, builtins.min, builtins.sum, builtins.abs, builtins.pow])


def _calling(library_fn: Any) -> Callable[..., Any]:
    """A function calling ``library_fn``, its required operands named ``x``, ``y``, ``z``
    (what generated code and ``grad_position`` then speak of), then any others
    positionally (``grad(np.sum)(x, 0)``; options by keyword need a function of
    the user's)."""
    arity = _arity(library_fn)
    if arity == 1:
        def call(x, *args):
            return library_fn(x, *args)
    elif arity == 2:
        def call(x, y, *args):
            return library_fn(x, y, *args)
    elif arity == 3:
        def call(x, y, z, *args):
            return library_fn(x, y, z, *args)
    else:
        def call(*args):
            return library_fn(*args)
    call.__name__ = getattr(library_fn, "__name__", call.__name__)
    call.__qualname__ = surface.display_name(library_fn)
    call.__doc__ = getattr(library_fn, "__doc__", None)
    call.library_fn = library_fn  # (a keyword it cannot take is refused saying so)
    return call


def _arity(fn: Any) -> int:
    """The number of operands ``fn`` requires (0: unknown)."""
    if isinstance(fn, np.ufunc):
        return fn.nin
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature (max: one or more)
        return 1 if fn in _BUILTINS else 0
    return sum(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
               for p in parameters)
