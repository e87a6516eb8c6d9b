"""A call's arguments as NumPy reads them, before a surface builder sees them.

Two things NumPy does on every call, the compiler does here, once for every mapped
function and array method (never in a builder):

1. **The call must fit the real signature.** Arguments are bound to the callable's own
   ``inspect.signature`` (an array method's is ``np.ndarray.<name>``'s); a call Python or
   NumPy would reject raises the ``TypeError`` it would raise, which lowering reports at
   the user's line. A ufunc takes ``nin`` inputs: a further positional argument is its
   ``out`` array (``np.arctan(b, a)`` writes into ``a``), and ``out`` is refused, as it
   is for every function: the compiled code returns values, it does not fill buffers.
2. **Array-likes become arrays.** A list or tuple holding run-time values, passed where
   NumPy calls ``np.asarray`` on it, is stacked (``primitives.coercion.asarray``), so the
   gradient reaches its elements. Where NumPy converts is read off the signature:
   a ufunc's inputs, and the parameters NumPy's documentation types ``array_like``, which
   NumPy names from a small vocabulary (``a``, ``x``, ``x1``, ``condition``, ...:
   ``ARRAY_NAMES``); a sequence of arrays (``np.concatenate(arrays)``,
   ``np.vstack(tup)``) has each element converted, not the sequence. A test checks the
   vocabulary against the documentation of every NumPy function in the surface, so a
   new function whose array argument has a new name cannot slip by. Only NumPy's own
   callables convert: ``math.exp([x])`` and ``abs([x])`` raise in Python and here. A
   few NumPy functions document an ``ndarray`` and fail on a list by accident of their
   implementation (``np.split``, ``np.take_along_axis`` read ``.shape``): the compiler
   converts there too, computing what NumPy computes on the converted array.

Lists NumPy does not convert keep Python's meaning: shapes, axes, ``einsum``'s sublists
(they hold no run-time values, so nothing here touches them).
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np

from .. import trees
from ..ir import reference
from ..ir.core import Var
from ..ir.primitives.coercion import asarray, holds_var
from .numpy1_signatures import signature_of

# NumPy's names for parameters typed ``array_like`` (``np.ndarray.dot``'s is ``other``).
ARRAY_NAMES = frozenset([
    "a", "b", "x", "y", "x1", "x2", "m", "v", "A", "val", "arr", "array", "ary",
    "object", "condition", "other", "indices", "values", "fill_value", "a_min", "a_max",
    "min", "max", "arys", "operands", "f", "p", "xp", "fp", "weights", "prepend", "append",
    "default", "z", "bins", "sorter", "low", "high", "loc", "scale", "to_end", "to_begin", "ar",
])
# Parameters holding a sequence whose elements are array-likes.
SEQUENCE_NAMES = frozenset(["arrays", "tup", "condlist", "choicelist", "xi"])
# Keywords that never change the values computed (memory layout, placement, checks).
VALUE_NEUTRAL = frozenset(["like", "device", "subok", "copy", "casting"])

Convert = Callable[[Any], Any]


def prepare(func: Any, args: list[Any], kwargs: dict[str, Any], method: str | None = None,
            builder: Callable[..., Any] | None = None) -> tuple[list[Any], dict[str, Any]]:
    """Check a call to ``func`` (or to the array method ``method``, whose first argument
    is the array) against its signature and convert its array-like arguments.

    ``builder`` is the surface builder the call goes to (None for a rule registered with
    ``extend``, which gets the call as written): a keyword it does not name is passed in
    its place as NumPy binds it (``np.outer(a=x, b=y)``), and one it would only collect
    in ``**kw`` is refused unless it cannot change the result."""
    target = getattr(np.ndarray, method, None) if method else func
    signature = numpy_signature(target)
    if signature is None:
        return args, kwargs
    _check_inputs(target, args)
    # a keyword NumPy's signature lacks that the builder names is MindSpore's, which
    # compiled code takes for arrays too (``x.mean(1, keep_dims=True)``,
    # ``x.flatten(start_dim=1)``): it goes to the builder as given
    extra = {k: kwargs[k] for k in kwargs if builder is not None and
             k not in signature.parameters and k in _explicit_names(builder)}
    kwargs = {k: v for k, v in kwargs.items() if k not in extra}
    args, kwargs = _prepared(target, signature, args, kwargs, method, builder)
    return args, {**kwargs, **extra}


def _prepared(target: Any, signature: inspect.Signature, args: list[Any],
              kwargs: dict[str, Any], method: str | None,
              builder: Callable[..., Any] | None) -> tuple[list[Any], dict[str, Any]]:
    # An array method's text signature marks as positional-only what NumPy's argument
    # parser takes by keyword too (``x.take(indices=i)``): it is read leniently.
    bound = _bind(signature, args, kwargs, lenient=method is not None)
    out = bound.arguments.get("out")
    if out is not None and not isinstance(out, bool | np.bool_):  # (a bool: MindSpore's
        # keepdims, x.any(0, True), x.std(0, 1, True), which the builder reads as such)
        raise TypeError("out= is not supported: compiled code returns its results "
                        "(assign the result instead of passing an output array)")
    if getattr(target, "__module__", None) == "math":
        _check_real_numbers(target, [*args, *kwargs.values()])
    if _converts(target):
        converters = _converters(target)
        args = [_convert(converters.positional(i), a) for i, a in enumerate(args)]
        kwargs = {k: _convert(converters.keyword(k), v) for k, v in kwargs.items()}
    if builder is None:
        return args, kwargs
    if any(k not in _explicit_names(builder) for k in kwargs):
        bound = _bind(signature, args, kwargs, lenient=method is not None)
        args, kwargs = list(bound.args), dict(bound.kwargs)
    _check_keywords(signature, builder, kwargs)
    return args, kwargs


def _bind(signature: inspect.Signature, args: list[Any], kwargs: dict[str, Any],
          lenient: bool) -> inspect.BoundArguments:
    try:
        return signature.bind(*args, **kwargs)  # TypeError as Python raises it
    except TypeError:
        if not lenient:
            raise
        return _keywords_allowed(signature).bind(*args, **kwargs)


@cache
def _keywords_allowed(signature: inspect.Signature) -> inspect.Signature:
    """``signature`` with its positional-only parameters after ``self`` taking keywords."""
    params = list(signature.parameters.values())
    return signature.replace(parameters=params[:1] + [
        p.replace(kind=p.POSITIONAL_OR_KEYWORD) if p.kind is p.POSITIONAL_ONLY else p
        for p in params[1:]])


@cache
def _explicit_names(builder: Callable[..., Any]) -> frozenset[str]:
    """The parameters ``builder`` takes by name (not through ``*args``/``**kw``)."""
    try:
        params = inspect.signature(builder).parameters.values()
    except (TypeError, ValueError):
        return frozenset()
    return frozenset(p.name for p in params
                     if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY))


def _check_inputs(target: Any, args: list[Any]) -> None:
    if isinstance(target, np.ufunc) and len(args) > target.nin:
        n = target.nin
        raise TypeError(f"{target.__name__} takes {n} input{'s' * (n > 1)}; its argument "
                        f"{n + 1} would be the out= array it writes into, which is not "
                        f"supported{_sibling_hint(target, len(args))}")


def _sibling_hint(ufunc: np.ufunc, n_args: int) -> str:
    """NumPy's ufunc of the same name ending in 2 that takes this many inputs
    (``np.arctan`` given two: ``np.arctan2``)."""
    sibling = getattr(np, f"{ufunc.__name__}2", None)
    if isinstance(sibling, np.ufunc) and sibling.nin == n_args:
        return f" (did you mean np.{sibling.__name__}?)"
    return ""


def _check_keywords(signature: inspect.Signature, builder: Callable[..., Any],
                    kwargs: dict[str, Any]) -> None:
    """Refuse a keyword the builder would swallow: one it does not name, that is not
    value-neutral, given a value other than NumPy's default (``order='F'``)."""
    named = _named_parameters(builder)
    for key, value in kwargs.items():
        if named is None or key in named or key in VALUE_NEUTRAL:
            continue
        param = signature.parameters.get(key)
        default = param.default if param is not None else inspect.Parameter.empty
        if not (default is not inspect.Parameter.empty and _same(value, default)):
            shown = "..." if isinstance(value, Var) else repr(value)
            raise TypeError(f"{key}={shown} is not supported yet")


def _named_parameters(builder: Callable[..., Any]) -> frozenset[str] | None:
    """The keywords ``builder`` names; None when it takes no ``**kw`` (it then raises
    on an unknown keyword itself)."""
    try:
        params = inspect.signature(builder).parameters.values()
    except (TypeError, ValueError):
        return None
    if not any(p.kind is p.VAR_KEYWORD for p in params):
        return None
    return frozenset(p.name for p in params if p.kind is not p.VAR_KEYWORD)


def _same(value: Any, default: Any) -> bool:
    try:
        return type(value) is type(default) and bool(value == default)
    except Exception:  # an array compared with a default
        return False


def _check_real_numbers(target: Any, values: list[Any]) -> None:
    """``math``'s functions take one real number per argument, never a sequence or an
    array of more than one element."""
    for value in values:
        if isinstance(value, list | tuple):
            raise TypeError(f"math.{target.__name__} needs a real number, not a "
                            f"{type(value).__name__} (use the NumPy function)")
        shape = value.aval.shape if isinstance(value, Var) else np.shape(value)
        if shape is not None and math.prod(shape) != 1:
            raise TypeError(f"math.{target.__name__} needs a real number, not an array of "
                            f"shape {shape}: only length-1 arrays convert to Python scalars "
                            "(use the NumPy function)")


@cache
def numpy_signature(target: Any) -> inspect.Signature | None:
    if target is None or isinstance(target, type):
        return None  # a class (slice, np.float32): its constructor checks its arguments
    try:
        return inspect.signature(target)
    except (TypeError, ValueError):
        return signature_of(target)  # NumPy 1.x publishes none for most of its own


def _converts(target: Any) -> bool:
    """NumPy's callables convert array-likes, and so do the NumPy functions generated
    code calls from ``reference`` (``ops.sigmoid``); Python's (``math``, builtins) do not."""
    if isinstance(target, np.ufunc):
        return True
    module = getattr(target, "__module__", None) or ""
    return module in ("numpy", reference.__name__) or module.startswith("numpy.") or \
        getattr(target, "__objclass__", None) is np.ndarray


class _Converters:
    """Which conversion each positional slot and keyword of one callable gets."""

    def __init__(self, target: Any) -> None:
        self.slots: list[Convert | None] = []
        self.rest: Convert | None = None  # for ``*args`` (``np.atleast_1d(*arys)``)
        self.names: dict[str, Convert | None] = {}
        if isinstance(target, np.ufunc):
            self.slots = [asarray] * target.nin
            return
        if target is np.block:  # its nesting says the axes: only the leaves convert
            self.slots, self.names = [_leaves], {"arrays": _leaves}
            return
        for param in numpy_signature(target).parameters.values():
            convert = _convert_for(param.name)
            if param.kind is param.VAR_POSITIONAL:
                self.rest = convert
            elif param.kind is not param.VAR_KEYWORD:
                if param.kind is not param.KEYWORD_ONLY:
                    self.slots.append(convert)
                self.names[param.name] = convert  # by keyword too, where binding allowed it

    def positional(self, i: int) -> Convert | None:
        return self.slots[i] if i < len(self.slots) else self.rest

    def keyword(self, name: str) -> Convert | None:
        return self.names.get(name)


def _convert_for(name: str) -> Convert | None:
    if name in ARRAY_NAMES:
        return asarray
    if name in SEQUENCE_NAMES:
        return _each
    return None


def _each(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return trees.like(value, [asarray(v) for v in value])
    return value


def _leaves(value: Any) -> Any:
    """Nested lists kept as they are, each thing in them that is no list converted."""
    return [_leaves(v) for v in value] if isinstance(value, list) else asarray(value)


@cache
def _converters(target: Any) -> _Converters:
    return _Converters(target)


def _convert(convert: Convert | None, value: Any) -> Any:
    return convert(value) if convert is not None and holds_var(value) else value
