"""Calls of functions outside NumPy and SciPy that have no derivative rule and need
none, lowered instead of refused:

* a clock (``t0 = time.perf_counter()`` in a timing decorator) is read when the code
  runs, as Python reads it, each call (read while compiling, ``elapsed`` would be the
  time since the compilation);
* a memoizing wrapper (``functools.lru_cache``, ``functools.cache``) is compiled
  through to the function it wraps: caching is invisible where the function is pure,
  which memoizing it asserts (a cached difference operator ``D(n)``).
"""
from __future__ import annotations

import functools
import time
import types
from typing import Any

import gast

from .. import trees
from ..ir import primitives as P
from ..ir.core import Var

NOT_LOWERED = object()

_CLOCKS = frozenset([time.time, time.perf_counter, time.monotonic, time.process_time,
                     time.thread_time])
_NANOSECOND_CLOCKS = frozenset([time.time_ns, time.perf_counter_ns, time.monotonic_ns,
                                time.process_time_ns, time.thread_time_ns])


def lower_library_call(scope: Any, node: gast.AST, func: Any, args: list, kwargs: dict
                       ) -> Any:
    """The call lowered, or ``NOT_LOWERED`` where it is none of the above."""
    if (func in _CLOCKS or func in _NANOSECOND_CLOCKS) and not args and not kwargs:
        return _read_clock(func)
    wrapped = getattr(func, "__wrapped__", None)
    if isinstance(func, functools._lru_cache_wrapper) and \
            isinstance(wrapped, types.FunctionType):
        if any(isinstance(leaf, Var) and not leaf.aval.weak
               for leaf in trees.flatten((args, kwargs), lambda v: isinstance(v, Var))[0]):
            raise scope.error(node, f"{wrapped.__qualname__} is memoized "
                                    "(functools.lru_cache), and an array is no key of its "
                                    "cache: Python raises TypeError (unhashable) here",
                              hint="call the function it wraps, or pass what it needs as "
                                   "numbers known when compiling (x.shape[0])")
        return scope.low.call_function(wrapped, tuple(args), kwargs, scope.loc(node))
    return NOT_LOWERED


def _read_clock(clock: Any) -> Any:
    """``clock()`` when the program runs: a Python float (an int in nanoseconds), which
    no gradient reaches (``host_call``'s result takes its stand-in's place and type)."""
    def read(_: Any) -> Any:
        return clock()

    out = P.host_call(read, 0 if clock in _NANOSECOND_CLOCKS else 0.0, results=1)
    return out[0] if isinstance(out, tuple) else out
