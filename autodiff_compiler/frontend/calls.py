"""Calls met while lowering: NumPy functions, array methods, user functions, Cells.

What is called decides how: a callable in the NumPy surface table builds primitives;
a compiled gradient (``grad(f)`` inside ``f2``) inlines its own IR; a ``Cell`` runs its
``construct``; any other Python function is compiled from its source; a few pure
builtins run while compiling when all their arguments are known. Anything else is
refused with the user's line, never silently treated as a constant.
"""
from __future__ import annotations

import builtins
import dataclasses
import functools
import inspect
import logging
import types
from collections.abc import Callable, Collection, MappingView
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from .. import trees
from ..errors import AutodiffError
from ..ir import primitives as P
from ..ir import surface
from ..ir.core import Var
from . import arguments, local_objects, object_builtins, object_protocols
from .cells import is_cell, lower_cell_call, new_cell, runs_construct
from .container_reads import NOT_READ, read_container
from .library_calls import NOT_LOWERED, lower_library_call
from .list_methods import call_list_method, is_list_method
from .python_builtins import needs_length, python_definition
from .random_draws import MAKERS, draw_source, is_draw, lower_draw, make_state
from .reports import get_logger, is_report, lower_print, lower_report

if TYPE_CHECKING:
    from .scope import Scope


# Builtins that rearrange a Python container holding arrays: they run while compiling
# (the container is Python's; the arrays in it are not touched).
_CONTAINER_BUILTINS = frozenset([tuple, list, dict, zip, reversed, enumerate, iter])


def partial_args(fn: functools.partial, low: Any, keywords: Collection[str] | None = None
                 ) -> tuple[list, dict]:
    """A partial's positional arguments and keywords (those named in ``keywords``, or
    all), read as globals are: an array it holds (at any depth: ``partial(loss,
    params)``, a list of layers) is an input fetched from the partial at every call,
    and a list, dict or number it holds is guarded, so a partial whose contents change
    is never stale. Run-time values (a partial the function built) are taken as they
    are. A partial being differentiated passes the keywords its signature names as
    arguments (read at every call): only the others are read here then."""
    captures = low.captures
    path = captures.path_of(fn)

    def read(at: Any, value: Any) -> Any:
        return value if has_var([value]) else captures.free_value(at, value)

    args = [read(path.attr("args").item(i), v) for i, v in enumerate(fn.args)]
    named = fn.keywords if keywords is None else {k: fn.keywords[k] for k in keywords}
    return args, {k: read(path.attr("keywords").item(k), v) for k, v in named.items()}


def _is_library(fn: Any) -> bool:
    """A NumPy or SciPy function (or one ``extend`` registered), not the user's."""
    try:
        return surface.lookup(fn) is not None or surface.definition(fn) is not None
    except TypeError:  # unhashable: the user's own callable object
        return False


class BoundArrayMethod:
    """``x.sum`` before it is called: a method of a symbolic array (or of one made
    while compiling, a constant). It reads the array when called: a write into it
    before then outdates it (``aliasing``)."""

    holds_array = True

    def __init__(self, var: Var | np.ndarray, name: str) -> None:
        self.var, self.name = var, name


def call_value(scope: Scope, node: gast.AST, func: Any, args: list, kwargs: dict) -> Any:
    """Dispatch a call on what is being called. A function it calls may write into an
    array this scope holds (``ops.assign(p, v)`` on a parameter passed in): this
    scope's names then see what was written, as they would in NumPy."""
    value = _dispatch(scope, node, func, args, kwargs)
    if scope.low.written:
        _see_writes(scope)
    return value


def _see_writes(scope: Scope) -> None:
    """Rebind each name of ``scope`` holding an array written into by an effect to the
    value written (the last, where it was written more than once)."""
    written = scope.low.written
    for name, value in list(scope.env.items()):
        if isinstance(value, Var) and value in written:
            while value in written:
                value = written[value]
            scope.env[name] = value


def _dispatch(scope: Scope, node: gast.AST, func: Any, args: list, kwargs: dict) -> Any:
    low, loc = scope.low, scope.loc(node)
    if isinstance(func, BoundArrayMethod):
        builder = surface.METHODS.get(func.name)
        if builder is None:
            raise scope.error(node, f"array method '.{func.name}()' has no derivative rule",
                              hint=_rule_hint(f"np.{func.name}"))
        return apply_builder(scope, node, builder, [func.var, *args], kwargs, f".{func.name}()",
                             method=func.name)
    stateful, args = object_protocols.builtin_call(scope, node, func, args)
    if stateful is local_objects.NOT_STATE and not kwargs:
        stateful = local_objects.call_on_state(scope, node, func, args)
    if stateful is not local_objects.NOT_STATE:  # len(obj) of an object the function set
        return stateful
    if func is len and len(args) == 1 and surface.structure_of(args[0]) is not None:
        low.captures.listed(args[0])  # len(self.layers) of a CellList: guarded
        return len(args[0])
    if func is builtins.print:
        return lower_print(scope, node, args, kwargs)
    from .text import formatted  # (which imports this module)
    text = formatted(func, args, kwargs)
    if text is not None:  # "{:.3f}".format(loss), str(loss): formatted when it runs
        return text
    if is_report(func):  # logger.info(...), warnings.warn(...)
        return lower_report(scope, node, func, args, kwargs)
    if func is logging.getLogger:
        return get_logger(scope, node, args, kwargs)
    if is_list_method(func):  # stack.pop(), on a list the function built
        return call_list_method(scope, node, func, args, kwargs)
    if trees.is_namedtuple_type(func):
        return func(*args, **kwargs)  # a namedtuple: a container, of run-time values too
    if func is functools.partial and args and _made_here(args[0]):
        from .partials import LocalPartial  # (which imports ``scope``, importing this)
        return LocalPartial(args[0], args[1:], kwargs)
    if func is functools.partial and args and not has_var(args[:1]):
        return functools.partial(*args, **kwargs)  # a Python object, of run-time values too
    if isinstance(func, functools.partial):
        held, keywords = partial_args(func, scope.low)
        return _dispatch(scope, node, func.func, [*held, *args], {**keywords, **kwargs})
    if any(func is maker for maker in MAKERS):  # rng = np.random.default_rng(0)
        return make_state(scope, node, func, args, kwargs)
    if draw_source(func) is not None and func not in surface.FUNCTIONS:
        return lower_draw(scope, node, func, args, kwargs)  # rs.randn(n, d), np.random.rand
    builder = surface.lookup(func)
    if builder is not None:
        writes = surface.is_effect(func) and bool(args) and isinstance(args[0], Var)
        if not writes:
            return apply_builder(scope, node, builder, args, kwargs, _callable_name(func),
                                 func=func)
        # computed from the value an earlier write left (``held``), written into the
        # array itself (a second ops.assign_add in one call added to the value before
        # the first, silently)
        held = args[0]
        array = low.memory.get(held, held)
        with P.writing_into(held, array):
            result = apply_builder(scope, node, builder, args, kwargs, _callable_name(func),
                                   func=func)
        _rebind(scope, held, result)
        if isinstance(result, Var):
            low.memory[result] = array
        return result
    if func is builtins.super and not kwargs and not has_var(args):
        return object_builtins.super_of(scope, node, args)
    if func is builtins.hasattr and len(args) == 2 and not has_var(args):
        return object_builtins.hasattr_of(scope, *args)  # guarded: set at run time, maybe
    if func in (builtins.hasattr, builtins.getattr) and len(args) in (2, 3) and not kwargs \
            and isinstance(args[0], Var) and isinstance(args[1], str):
        from .attributes import array_getattr, array_hasattr  # (which imports this)
        if func is builtins.hasattr and len(args) == 2:
            return array_hasattr(scope, node, *args)
        if func is builtins.getattr:
            return array_getattr(scope, node, *args)
    if func is dataclasses.replace:
        return local_objects.replaced(scope, node, args, kwargs)
    if _is_static_call(func, args, kwargs):
        try:
            value = func(*args, **kwargs)
        except Exception as err:
            message = f"{_callable_name(func)}(...) failed: {err}"
            if any(map(_made_here, [*args, *kwargs.values()])):  # (a function of the one
                raise scope.error(node, message) from None  # compiled: no Python callable)
            raise scope.raised(node, err, message) from None
        if func in (list, dict, sorted):  # a new container: the function's own, to change
            return low.new_list(value)
        # (len(self.layers), self.trainable_params(): a listing of Cells, guarded)
        low.captures.listed(getattr(func, "__self__", None), *args, *kwargs.values())
        return _captured(low, value) if getattr(func, "__evaluated_when_compiling__", False) \
            else value  # NumPy's static calls (np.triu_indices) make constants
    if func is builtins.getattr and len(args) in (2, 3) and not kwargs \
            and not has_var(args[0]) and isinstance(args[1], str):
        return object_builtins.getattr_of(scope, node, *args)
    if func is builtins.isinstance and len(args) == 2 and not kwargs and not has_var(args[1]):
        known = _known_isinstance(*args)
        if known is not None:
            return known
        raise scope.error(node, "isinstance of a run-time value whose type is not known "
                                "when compiling (a 0-d value may be a NumPy scalar or an "
                                "array, a number a Python float or a NumPy one)",
                          hint="test np.ndim(x) or the dtype instead")
    if func is builtins.callable and len(args) == 1 and not kwargs:
        from .scope import LocalFunction  # a function defined in compiled code is one
        value = args[0]
        return isinstance(value, LocalFunction) or (not isinstance(value, Var)
                                                    and callable(value))
    read = read_container(scope, node, func, args, kwargs)  # d.items(), sorted(d)...
    if read is not NOT_READ:
        return read
    replacement = surface.definition(func)  # SciPy's logsumexp: compiled from ours
    if isinstance(replacement, functools.partial):  # an np.vectorize object's call
        return _dispatch(scope, node, replacement, args, kwargs)
    if replacement is not None:
        return low.call_function(replacement, tuple(args), kwargs, loc)
    definition = python_definition(func)  # max, min, sum, reduce of run-time values
    if definition is not None:
        if needs_length(func, args):
            name = _callable_name(func)
            raise scope.error(node, f"{name}() of a value whose length is known only when "
                                    "the code runs (a mask's or a run-time slice's shape, "
                                    "or shape-generic code)",
                              hint="use NumPy's reduction (np.max, np.min, np.prod, ...)")
        result = low.call_function(definition, tuple(map(_indexable, args)), kwargs, loc)
        if func is builtins.map:  # its items, computed when Python reads them
            low.aliases.lazily(result, args[1:])
        return result
    from .scope import LocalFunction
    if isinstance(func, LocalFunction):
        return low.call_local(func, tuple(args), kwargs, loc, caller=scope)
    if isinstance(func, type) and hasattr(func, "__lower_call__"):  # custom_jvp(f) here
        raise scope.error(node, f"{func.__name__}(...) made inside a compiled function is "
                                "not supported: it wraps a function compiled on its own",
                          hint=f"make it at module level (@{func.__name__} on a def there), "
                               "and call it here")
    if hasattr(func, "__lower_call__"):
        return func.__lower_call__(low, args, kwargs, loc)
    if is_cell(func):
        return lower_cell_call(low, func, tuple(args), kwargs, loc)
    if isinstance(func, type) and getattr(func, "__calls_construct__", False) is True:
        return new_cell(scope, node, func, args, kwargs)
    if isinstance(func, types.MethodType) and runs_construct(func.__func__, func.__self__):
        return lower_cell_call(low, func.__self__, tuple(args), kwargs, loc, as_written=False)
    if isinstance(func, types.FunctionType) and args and runs_construct(func, args[0]):
        return lower_cell_call(low, args[0], tuple(args[1:]), kwargs, loc, as_written=False)
    if isinstance(func, types.MethodType) and isinstance(func.__func__, types.FunctionType):
        low.captures.name(func.__self__, low.captures.path_of(func.__self__))
        return low.call_function(func.__func__, tuple(args), kwargs, loc, self_obj=func.__self__)
    if isinstance(func, types.FunctionType):
        return low.call_function(func, tuple(args), kwargs, loc)
    call = next((vars(k)["__call__"] for k in type(func).__mro__ if "__call__" in vars(k)),
                None)
    if isinstance(call, types.FunctionType):  # an instance of a user class with __call__
        return low.call_function(call, tuple(args), kwargs, loc, self_obj=func)
    if func is bool and len(args) == 1 and not kwargs and isinstance(args[0], Var):
        return P.truth(args[0])  # raises at run time for an array of several values
    if func is len and len(args) == 1:
        return len(args[0]) if isinstance(args[0], list | tuple) else _static_len(scope, node,
                                                                                   args[0])
    if func is builtins.reversed and len(args) == 1 and not kwargs \
            and isinstance(args[0], Var):  # an array's rows, last first
        return P.getitem(args[0], slice(None, None, -1))
    if func is range and has_var(args):  # (a for loop over range(n) is a loop region)
        raise scope.error(node, "range() of a run-time value outside a for loop's header: "
                                "the items would be known only at run time",
                          hint="loop with `for i in range(n)`, or pass the count as a "
                               "value known when compiling (shape-specialised code knows "
                               "shapes)")
    if func in (list, tuple) and len(args) == 1 and not kwargs and isinstance(args[0], Var):
        rows = scope.items_of(node, args[0])  # an array's rows, as Python iterates it
        return low.new_list(list(rows)) if func is list else rows
    if func in _CONTAINER_BUILTINS and (not kwargs or func is dict) and \
            all(isinstance(a, list | tuple | dict | MappingView) or
                surface.structure_of(a) is not None for a in args):  # of arrays, of Cells
        low.captures.listed(*args)  # (reversed(self.layers): a CellList's, guarded)
        value = func(*args, **kwargs)  # (and dict(a=x, b=y))
        return low.new_list(value) if isinstance(value, list | dict) else value
    if not callable(func):  # (None passed where a function may be: an if on a run-time
        # value compiles both branches, so a call only one of them makes is compiled too)
        raise scope.error(node, f"{type(func).__name__} is not callable: this call raises "
                                "TypeError wherever it runs",
                          hint="where a branch chosen at run time calls a value that may not "
                               "be a function, test the value itself first, in an if of its "
                               "own (`if inner is None:`): that test is made when compiling")
    if func is type and len(args) == 1 and isinstance(args[0], Var):
        raise scope.error(node, "type() of an array computed at run time: compiled code knows "
                                "its shape and dtype, not which Python type it will be",
                          hint="test isinstance(x, np.ndarray), or x.ndim / x.dtype")
    lowered = lower_library_call(scope, node, func, args, kwargs)  # time.perf_counter()
    if lowered is not NOT_LOWERED:
        return lowered
    if local_objects.can_make(func):  # Affine(w, b), Ridge(alpha): made while compiling
        return local_objects.make(scope, node, func, args, kwargs)
    if isinstance(func, type) and inspect.isfunction(getattr(func, "__init__", None)):
        raise scope.error(node, f"making an instance of {func.__qualname__} inside a "
                                "differentiated function: its class has a __new__ of its own, "
                                "or is an exception", hint="make the object outside the "
                                "function and pass it in (its arrays are read at every call)")
    raise scope.error(node, f"cannot differentiate a call to '{_callable_name(func)}': "
                            "it has no derivative rule", hint=_rule_hint(_callable_name(func)))


_RUN_TIME_TYPES = (np.ndarray, np.generic, float, int, bool, complex)
# What a value that is not a Python number may be: NumPy's scalars are no Python
# ``int`` (nor ``bool``), but ``np.float64`` is a ``float`` and ``np.complex128`` a
# ``complex``.
_ARRAY_TYPES = (np.ndarray, np.generic, np.float64, np.complex128)


def _known_isinstance(value: Any, classes: Any) -> bool | None:
    """``isinstance`` where the answer is known when compiling although ``value``
    holds run-time values: a list, tuple or dict is what it is, whatever is in it, and
    a run-time array or number is none of ``classes`` unrelated to arrays and numbers
    (``isinstance(state, tuple)``), and an array or NumPy scalar is no Python ``int``
    (``isinstance(dim, int)``: an axis, or a second array)."""
    if isinstance(value, list | tuple | dict):
        return isinstance(value, classes)
    if isinstance(value, Var):
        classes = classes.__args__ if isinstance(classes, types.UnionType) else classes
        classes = classes if isinstance(classes, tuple) else (classes,)
        if any(_holds_every_array(c, value) for c in classes):
            return True
        possible = _RUN_TIME_TYPES if value.aval.weak else _ARRAY_TYPES
        if all(isinstance(c, type) and not any(issubclass(t, c) for t in possible)
               for c in classes):
            return False
    return None


def _holds_every_array(cls: Any, value: Var) -> bool:
    """Whether every run-time ``value`` is an instance of ``cls``: an array of rank 1 or
    more is an ``np.ndarray`` (a 0-d one may be a NumPy scalar), and any array of a
    MindSpore program is a ``Tensor`` (a Python number is neither)."""
    if not isinstance(cls, type) or value.aval.weak:
        return False
    if cls is np.ndarray:
        return value.aval.shape is not None and len(value.aval.shape) >= 1
    return vars(cls).get("__every_array_is_one__", False)


def _captured(low: Any, value: Any) -> Any:
    """What a function marked ``evaluated_when_compiling`` gave, with the arrays in it
    captured: the Parameters ``self.trainable_params()`` lists are read at each call,
    and differentiated, as ``self.weight`` is (a generator is listed first)."""
    from .captures import Path, holds_arrays
    if isinstance(value, types.GeneratorType):
        value = list(value)
    if isinstance(value, dict) and type(value) is not dict:  # ``name_cells()``'s
        value = dict(value)  # OrderedDict: a plain dict in compiled code (``free_value``)
    if not holds_arrays(value):
        return value
    return low.captures.free_value(Path.of_object(value), value)


def _rebind(scope: Scope, old: Var, new: Any) -> None:
    """After ``ops.assign(p, v)`` wrote into ``p``'s array, reading ``p`` again (along
    the path it was read, or through a name holding it) gives what was written, as it
    does when the code runs eagerly. (Reads that came before keep the old value:
    ``opt.writes``.)"""
    scope.low.written[old] = new  # for the callers' names (``call_value``)
    scope.low.captures.rebind(old, new)
    for name, value in list(scope.env.items()):
        if value is old:
            scope.env[name] = new


def runs_for_effect(func: Any) -> bool:
    """Whether a call to ``func`` may stand alone as a statement: ``print``, a function
    whose builder emits an effect (``ops.assign``), or code compiled from its source
    (your functions, methods and Cells, and objects whose ``__call__`` is Python code:
    ``ops.ScatterUpdate()(queue, i, v)``), in which whatever has an effect is itself
    compiled or refused. NumPy's functions and array methods called for what they do
    (``np.copyto``, ``x.sort()``) write in place: refused."""
    from .scope import LocalFunction
    if func is builtins.print or is_report(func) or surface.is_effect(func) \
            or is_draw(func):  # a draw advances its stream: rng.random() skips one
        return True
    if isinstance(func, BoundArrayMethod) or surface.lookup(func) is not None:
        return False
    if isinstance(func, types.MethodType):
        func = func.__func__
    own_call = callable(func) and not isinstance(func, type) \
        and isinstance(type(func).__call__, types.FunctionType)
    return isinstance(func, LocalFunction | types.FunctionType) or is_cell(func) or own_call


def apply_builder(scope: Scope, node: gast.AST, builder: Callable, args: list, kwargs: dict,
                  what: str, func: Any = None, method: str | None = None) -> Any:
    """Build IR for a surface call, turning bad arguments into errors at the user's line.

    A call to ``func`` (or to the array method ``method``) is first read as NumPy reads
    it (``arguments.prepare``): checked against its signature, array-likes converted."""
    try:
        if func is not None or method is not None:
            user_rule = func in surface.USER_FUNCTIONS if method is None \
                else method in surface.USER_METHODS
            args, kwargs = arguments.prepare(func, list(args), dict(kwargs), method,
                                             None if user_rule else builder)
        return builder(*args, **kwargs)
    except AutodiffError:
        raise
    except surface.UnsupportedArgumentError as err:
        raise scope.error(node, f"{what}: {err}", hint="write it with the operations the "
                          "README lists: np.where(mask, x, ...) for where=, an assignment of "
                          "the result for out=") from None
    except surface.CompileTimeError as err:
        raise scope.error(node, f"{what}: {err}", hint="use a literal, a module constant or "
                          "an int argument, so the value is known when compiling") from None
    except (TypeError, ValueError) as err:
        raise scope.error(node, f"{what}: {err}") from None


def _indexable(value: Any) -> Any:
    """An iterable known when compiling (``d.values()``, ``zip(...)``) as the tuple it
    yields, for the definitions in ``python_builtins``, which slice off the first item."""
    if isinstance(value, Var | list | tuple | range | str) or not hasattr(value, "__iter__"):
        return value
    return tuple(value)


def _static_len(scope: Scope, node: gast.AST, var: Var) -> int:
    shape = P.shape(var)
    if isinstance(shape, tuple) and shape:
        return shape[0]
    raise scope.error(node, "len() of an array whose shape is unknown when compiling",
                      hint="call the gradient with concrete arguments")


def _is_static_call(func: Any, args: list, kwargs: dict) -> bool:
    values = [*args, *kwargs.values()]
    if not surface.is_static_call(func) or any(has_var(v) for v in values):
        return False
    # a lambda of the function is no Python callable: sorted(..., key=it) cannot run it
    return func not in _CALLING_A_KEY or not _made_here(kwargs.get("key"))


_CALLING_A_KEY = (builtins.sorted, builtins.min, builtins.max)  # (of values known now)


def _made_here(func: Any) -> bool:
    """A function defined in the function being compiled, or a transform of one: not a
    Python callable (a partial of it is a ``partials.LocalPartial``)."""
    from .scope import LocalFunction
    return isinstance(func, LocalFunction) or getattr(func, "__local__", False) is True


def has_var(value: Any) -> bool:
    if isinstance(value, Var):
        return True
    if isinstance(value, list | tuple | MappingView):  # d.values(), d.items() too
        return any(has_var(v) for v in value)
    if isinstance(value, dict):
        return any(has_var(v) for v in value.values())
    return False


def _callable_name(func: Any) -> str:
    try:
        return surface.display_name(func)
    except TypeError:  # unhashable callables
        return getattr(func, "__qualname__", None) or repr(func)


def _rule_hint(name: str) -> str:
    return surface.missing_rule_hint(name)


