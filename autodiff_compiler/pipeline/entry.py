"""The fast call path: a ``GradFunction.__call__`` specialised to one kind of arguments.

The general path binds the arguments, looks the compiled gradient up and checks its
guards (about 6 us). Once a kind of arguments has compiled, ``GradFunction`` takes as
its ``__call__`` an *entry* generated for that kind: it checks each argument's type,
shape and dtype (or value), that the function's code is still the one compiled, and
the guards, all inline, then calls the generated gradient directly; anything else goes
back to the general path, which may recompile.

Where the function takes plain parameters only, the entry takes the same ones, so
Python binds keywords itself and no ``*args, **kwargs`` are packed per call; an omitted
parameter is filled from the function's defaults as they are *now* (defaults are
arguments, re-read at every call). Every other name the entry uses -- the gradient,
expected shapes and values, the guard check, even ``type`` and ``Exception`` -- is
made up so as to differ from all the user's parameter names, and lives in the entry's
own globals: no parameter name can shadow it. The entry is built as a syntax tree
(``backends.python.syntax``) and printed by the generated gradients' printer: its names
are those made-up names and the user's parameter names (checked to read back as
themselves), a parameter's name as a key is a string constant the printer quotes.
"""
from __future__ import annotations

import ast
import functools
import inspect
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..backends.python import syntax as S
from ..backends.python.pywriter import source as print_source
from ..frontend.cells import is_cell, is_plain_array_subclass
from ..ir.arrays import array_library
from . import leaf_hooks
from .compiler import note_user_line

if TYPE_CHECKING:
    from .compiler import Compiled

MISSING = object()  # an omitted argument
_KINDS = inspect.Parameter
_DTYPE_OF = np.ndarray.dtype.__get__  # an array's NumPy dtype, whatever a subclass reports
_PLAIN = (_KINDS.POSITIONAL_ONLY, _KINDS.POSITIONAL_OR_KEYWORD, _KINDS.KEYWORD_ONLY)


class _Names:
    """Made-up names that differ from the user's (``taken``) and from each other."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = set(taken)
        self.env: dict[str, Any] = {}
        self.bound: dict[str, tuple[Any, str]] = {}

    def reserve(self, base: str) -> str:
        name = base
        while name in self.taken:
            name += "_"
        self.taken.add(name)
        return name

    def bind(self, base: str, value: Any) -> str:
        """A global name holding ``value`` (the same name for the same object again)."""
        if base in self.bound and self.bound[base][0] is value:
            return self.bound[base][1]
        name = self.reserve(base)
        self.env[name] = value
        self.bound[base] = (value, name)
        return name

    def ref(self, base: str, value: Any) -> ast.Name:
        """A read of the global name ``bind`` gives ``value``."""
        return S.name(self.bind(base, value))


def make_entry(compiled: Compiled, fn: Any, args: Sequence[Any],
               parameters: Sequence[inspect.Parameter]) -> Callable[..., Any] | None:
    """The ``__call__`` for arguments of the kind of ``args``; None where no inline
    check is possible (containers, more than 16 arguments)."""
    if compiled.flat_positions is None or len(args) > 16:
        return None
    kinds = {p.kind for p in parameters}
    if _KINDS.VAR_POSITIONAL in kinds and _KINDS.KEYWORD_ONLY in kinds:
        return None  # its arguments are not the call's positional ones: ``_bind`` sorts them
    mirrored = len(parameters) == len(args) and all(
        p.kind in _PLAIN and S.spelt_as_is(p.name) for p in parameters)
    params = [p.name for p in parameters] if mirrored else [f"a{i}" for i in range(len(args))]
    n = _Names(set(params))
    missing = n.bind("M", MISSING)
    checks = _argument_checks(params, args, n)
    if checks is None:
        return None
    views = frozenset(i for i, a in enumerate(args) if is_plain_array_subclass(a))
    self_ = n.reserve("self")
    if hasattr(fn, "__code__"):  # the code compiled is still the function's
        checks.append(S.is_(S.attr(S.name(self_), "fn", "__code__"),
                            n.ref("code", fn.__code__)))
    if is_cell(fn):  # no set_grad() call to reuse (GradFunction._call)
        checks.append(S.is_(S.attr(S.name(self_), "fn", "__forward_record__"),
                            n.ref("none", None)))
    if compiled.guards:
        checks.append(S.call(n.ref("holds", compiled.holds)))
    if compiled.wrap is not None and not compiled.spec.forward:  # MindSpore's leaves
        checks += _distinct_leaves(compiled, params, args, n)  # (``leaf_hooks.at_leaves``)
    call = _call(compiled, params, n, n.ref("fn", compiled.fn), views)
    handlers = []
    if compiled.numpy_twin is not None:  # NumPy's inf or nan where Python floats raise
        at_edges = S.call(n.ref("at_edges", compiled.at_edges))
        kinds = S.tuple_of([n.ref("ArithmeticError", ArithmeticError),
                            n.ref("ValueError", ValueError)])
        handlers.append(S.except_(kinds, [S.returns(_call(compiled, params, n, at_edges, views))]))
    error = n.reserve("err")
    if mirrored:
        signature = _signature(self_, parameters, S.name(missing))
        fill = _fill_defaults(fn, parameters, self_, missing, n)
        fallback = S.call(n.ref("general", _general(parameters)), S.name(self_),
                          _tuple(params))
    else:  # anything else is handed on: no argument left out, none by keyword
        rest, kwargs = n.reserve("rest"), n.reserve("kwargs")
        signature = S.parameters([self_, *params], defaults=[S.name(missing)] * len(params),
                                 rest=rest, mapping=kwargs)
        fill = []
        checks[:0] = [S.not_(S.name(rest)), S.not_(S.name(kwargs))]
        given = S.filtered("a", _tuple(params), S.is_not(S.name("a"), S.name(missing)))
        fallback = S.call_with(S.attr(S.name(self_), "_call"),
                               [S.starred(given), S.starred(S.name(rest))], S.name(kwargs))
    note = S.do(S.call(n.ref("note", note_user_line), S.name(error)))
    handlers.append(S.except_(n.ref("Exception", Exception), [note, S.reraise()], error))
    body = [*fill, S.if_(S.all_of(checks), [S.try_([S.returns(call)], *handlers)]),
            S.returns(fallback)]
    source = print_source([S.function("__call__", signature, body)])
    exec(compile(source, f"<autodiff_compiler:entry:{compiled.ir.name}>", "exec"), n.env)
    return n.env["__call__"]


def _argument_checks(params: list[str], args: Sequence[Any], n: _Names
                     ) -> list[ast.expr] | None:
    """Tests, all to hold, that each argument is of the kind of ``args``: an array's
    type, shape and dtype, a float's type, a static value's type and value (None: no
    test possible)."""
    ndarray, type_ = n.ref("ndarray", np.ndarray), n.ref("type", type)
    checks: list[ast.expr] = []
    for i, (name, value) in enumerate(zip(params, args)):
        kind = S.call(type_, S.name(name))
        if type(value) is np.ndarray:
            checks += [S.is_(kind, ndarray),
                       S.equal(S.attr(S.name(name), "shape"), n.ref(f"s{i}", value.shape)),
                       S.is_(S.attr(S.name(name), "dtype"), n.ref(f"d{i}", value.dtype))]
        elif is_plain_array_subclass(value):  # a Tensor: its class, shape, NumPy dtype
            checks += [S.is_(kind, n.ref(f"t{i}", type(value))),
                       S.equal(S.attr(S.name(name), "shape"), n.ref(f"s{i}", value.shape)),
                       S.is_(S.call(n.ref("dtype_of", _DTYPE_OF), S.name(name)),
                             n.ref(f"d{i}", _DTYPE_OF(value)))]
        elif array_library(value) == "dask":  # its type, shape and dtype, from metadata
            checks += [S.is_(kind, n.ref(f"t{i}", type(value))),
                       S.equal(S.attr(S.name(name), "shape"), n.ref(f"s{i}", value.shape)),
                       S.equal(S.attr(S.name(name), "dtype"), n.ref(f"d{i}", value.dtype))]
        elif type(value) is float:
            checks.append(S.is_(kind, n.ref("float", float)))
        elif type(value) in (int, bool, str) or value is None:
            expected_type = n.ref(f"t{i}", type(value))
            checks += [S.is_(kind, expected_type),
                       S.equal(S.name(name), n.ref(f"v{i}", value))]
        else:
            return None
    return checks


def _distinct_leaves(compiled: Compiled, params: list[str], args: Sequence[Any], n: _Names
                     ) -> list[ast.expr]:
    """Tests that no leaf has a gradient hook and that the Tensors differentiated are
    distinct objects: else the general path gives MindSpore's gradients."""
    tensors = [params[p] for p in compiled.spec.positions or ()
               if p < len(args) and is_plain_array_subclass(args[p])]
    return [S.not_(n.ref("hooked", leaf_hooks.HOOKED)),
            *(S.is_not(S.name(a), S.name(b))
              for i, a in enumerate(tensors) for b in tensors[i + 1:])]


def _tuple(names: list[str]) -> ast.Tuple:
    return S.tuple_of([S.name(name) for name in names])


def _fill_defaults(fn: Any, parameters: Sequence[inspect.Parameter], self_: str,
                   missing: str, n: _Names) -> list[ast.stmt]:
    """Statements giving each omitted parameter its default as the function has it now:
    read from ``__defaults__`` (counted from its end, as Python aligns it) or
    ``__kwdefaults__`` of a function or method; through ``default`` otherwise. A
    default gone missing leaves the parameter missing: the general path raises."""
    out, error = [], n.ref("Exception", Exception)
    direct = isinstance(fn, types.FunctionType | types.MethodType)
    positional = [p.name for p in parameters if p.kind is not _KINDS.KEYWORD_ONLY]
    own = S.attr(S.name(self_), "fn")
    for p in parameters:
        if p.default is p.empty:
            continue
        if not direct:
            read = S.call(n.ref("default", default), own, S.const(p.name))
        elif p.kind is _KINDS.KEYWORD_ONLY:
            read = S.item(S.attr(own, "__kwdefaults__"), S.const(p.name))
        else:
            at = positional.index(p.name) - len(positional)
            read = S.item(S.attr(own, "__defaults__"), S.const(at))
        out.append(S.if_(S.is_(S.name(p.name), S.name(missing)),
                         [S.try_([S.assign(p.name, read)], S.except_(error, []))]))
    return out


def _call(compiled: Compiled, params: list[str], n: _Names, gradient: ast.expr,
          views: frozenset[int]) -> ast.expr:
    """The call of the generated ``gradient``, its outputs arranged as ``finish`` says;
    the arguments at ``views`` (array subclasses) passed as plain ``ndarray`` views."""
    ndarray = n.ref("ndarray", np.ndarray)
    inputs = [S.call(S.attr(S.name(params[i]), "view"), ndarray) if i in views
              else S.name(params[i]) for i in compiled.flat_positions or ()]
    for j, (path, obj) in enumerate(compiled.capture_objects):
        read = S.call(n.ref(f"c{j}", path.resolve))  # a Parameter: its plain view (guarded)
        inputs.append(S.call(S.attr(read, "view"), ndarray) if is_plain_array_subclass(obj)
                      else read)
    call = S.call(gradient, *inputs)
    if compiled.plain_grads and compiled.wrap is None:
        return call
    if compiled.plain_grads and len(compiled.ir.outvars) == 1 and compiled.spec.bare_position:
        return S.call(n.ref("wrap", compiled.wrap), call)  # one gradient, bare
    finish = n.ref("finish", compiled.finish)
    if len(compiled.ir.outvars) != 1:
        return S.call(finish, S.call(n.ref("list", list), call))
    return S.call(finish, S.list_of([call]))


def _signature(self_: str, parameters: Sequence[inspect.Parameter], missing: ast.expr
               ) -> ast.arguments:
    """The function's parameter list after ``self_``, each parameter defaulting to
    ``missing``."""
    only = [p.name for p in parameters if p.kind is _KINDS.POSITIONAL_ONLY]
    either = [p.name for p in parameters if p.kind is _KINDS.POSITIONAL_OR_KEYWORD]
    named = [p.name for p in parameters if p.kind is _KINDS.KEYWORD_ONLY]
    if only:
        only = [self_, *only]
    else:
        either = [self_, *either]
    return S.parameters(only, either, named, defaults=[missing] * (len(only) + len(either) - 1),
                        keyword_defaults=[missing] * len(named))


def _general(parameters: Sequence[inspect.Parameter]) -> Callable[..., Any]:
    """Pass an entry's arguments on to the general path as they were given: positional-
    only ones by position, the others by name, omitted ones not at all."""
    only = sum(p.kind is _KINDS.POSITIONAL_ONLY for p in parameters)
    names = [p.name for p in parameters][only:]

    def general(grad_fn: Any, values: tuple) -> Any:
        positional = [v for v in values[:only] if v is not MISSING]
        named = {k: v for k, v in zip(names, values[only:]) if v is not MISSING}
        return grad_fn._call(*positional, **named)

    return general


def default(fn: Any, name: str) -> Any:
    """The default of parameter ``name`` as ``fn`` has it now (``MISSING`` if it has
    none, or is not a plain Python function: the general path sorts that out)."""
    while isinstance(fn, functools.partial) or hasattr(fn, "__transform_key__"):
        if isinstance(fn, functools.partial) and name in fn.keywords:
            return fn.keywords[name]  # a partial's keywords, then its function's defaults
        fn = fn.func if isinstance(fn, functools.partial) else fn.fn  # (vmap's: its fn's)
    fn = type(fn).construct if is_cell(fn) else getattr(fn, "__func__", fn)
    call = inspect.getattr_static(type(fn), "__call__", None)
    if not isinstance(fn, types.FunctionType) and isinstance(call, types.FunctionType):
        fn = call  # an instance of the user's class: its __call__'s defaults
    try:
        kwdefaults = fn.__kwdefaults__
        if kwdefaults and name in kwdefaults:
            return kwdefaults[name]
        code, defaults = fn.__code__, fn.__defaults__ or ()
        names = code.co_varnames[:code.co_argcount]
        i = names.index(name) - (len(names) - len(defaults))
        return defaults[i] if i >= 0 else MISSING
    except (AttributeError, ValueError, TypeError):
        return MISSING
