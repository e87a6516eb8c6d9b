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
own globals: no parameter name can shadow it. The source interpolates only those
made-up names and the user's parameter names (identifiers, checked).
"""
from __future__ import annotations

import inspect
import keyword
import types
import unicodedata
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..frontend.captures import is_array
from ..frontend.cells import is_cell
from .compiler import note_user_line

if TYPE_CHECKING:
    from .compiler import Compiled

MISSING = object()  # an omitted argument
_KINDS = inspect.Parameter
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


def make_entry(compiled: Compiled, fn: Any, args: Sequence[Any],
               parameters: Sequence[inspect.Parameter]) -> Callable[..., Any] | None:
    """The ``__call__`` for arguments of the kind of ``args``; None where no inline
    check is possible (containers, more than 16 arguments)."""
    if compiled.flat_positions is None or len(args) > 16:
        return None
    mirrored = len(parameters) == len(args) and all(
        p.kind in _PLAIN and _spelt_as_is(p.name) for p in parameters)
    params = [p.name for p in parameters] if mirrored else [f"a{i}" for i in range(len(args))]
    n = _Names(set(params))
    missing = n.bind("M", MISSING)
    checks = _argument_checks(params, args, n)
    if checks is None:
        return None
    self_ = n.reserve("self")
    if hasattr(fn, "__code__"):  # the code compiled is still the function's
        checks.append(f"{self_}.fn.__code__ is {n.bind('code', fn.__code__)}")
    if compiled.guards:
        checks.append(f"{n.bind('holds', compiled.holds)}()")
    call = _call(compiled, params, n, n.bind("fn", compiled.fn))
    edges = ""
    if compiled.numpy_twin is not None:  # NumPy's inf or nan where Python floats raise
        at_edges = f"{n.bind('at_edges', compiled.at_edges)}()"
        edges = (f"        except ({n.bind('ArithmeticError', ArithmeticError)}, "
                 f"{n.bind('ValueError', ValueError)}):\n"
                 f"            return {_call(compiled, params, n, at_edges)}\n")
    error = n.reserve("err")
    if mirrored:
        signature = _signature(parameters, missing)
        fill = _fill_defaults(fn, parameters, self_, missing, n)
        fallback = f"{n.bind('general', _general(parameters))}({self_}, {_tuple(params)})"
    else:
        rest, kwargs = n.reserve("rest"), n.reserve("kwargs")
        signature = ", ".join(f"{p}={missing}" for p in params) + f", /, *{rest}, **{kwargs}"
        fill = []
        checks.insert(0, f"not {rest} and not {kwargs}")
        fallback = (f"{self_}._call(*[a for a in {_tuple(params)} if a is not {missing}], "
                    f"*{rest}, **{kwargs})")
    source = (f"def __call__({self_}, {signature}):\n" + "".join(fill) +
              f"    if {' and '.join(checks) or 'True'}:\n"
              f"        try:\n            return {call}\n{edges}"
              f"        except {n.bind('Exception', Exception)} as {error}:\n"
              f"            {n.bind('note', note_user_line)}({error})\n            raise\n"
              f"    return {fallback}\n")
    exec(compile(source, f"<autodiff_compiler:entry:{compiled.ir.name}>", "exec"), n.env)
    return n.env["__call__"]


def _spelt_as_is(name: str) -> bool:
    """A name Python reads back as itself: an identifier, not a keyword, NFKC-normal
    (a made-up ``__signature__`` may hold anything else)."""
    return name.isidentifier() and not keyword.iskeyword(name) \
        and unicodedata.normalize("NFKC", name) == name


def _argument_checks(params: list[str], args: Sequence[Any], n: _Names) -> list[str] | None:
    """A test per argument that it is of the kind of ``args``: an array's type, shape and
    dtype, a float's type, a static value's type and value (None: no test possible)."""
    ndarray, type_ = n.bind("ndarray", np.ndarray), n.bind("type", type)
    checks = []
    for i, (name, value) in enumerate(zip(params, args)):
        if type(value) is np.ndarray:
            shape, dtype = n.bind(f"s{i}", value.shape), n.bind(f"d{i}", value.dtype)
            checks.append(f"{type_}({name}) is {ndarray} and {name}.shape == {shape} "
                          f"and {name}.dtype is {dtype}")
        elif is_array(value) and not isinstance(value, np.ndarray | np.generic):  # dask's
            kind, shape = n.bind(f"t{i}", type(value)), n.bind(f"s{i}", value.shape)
            dtype = n.bind(f"d{i}", value.dtype)
            checks.append(f"{type_}({name}) is {kind} and {name}.shape == {shape} "
                          f"and {name}.dtype == {dtype}")
        elif type(value) is float:
            checks.append(f"{type_}({name}) is {n.bind('float', float)}")
        elif type(value) in (int, bool, str) or value is None:
            kind, expected = n.bind(f"t{i}", type(value)), n.bind(f"v{i}", value)
            checks.append(f"{type_}({name}) is {kind} and {name} == {expected}")
        else:
            return None
    return checks


def _tuple(names: list[str]) -> str:
    return "(" + "".join(f"{name}, " for name in names) + ")"


def _fill_defaults(fn: Any, parameters: Sequence[inspect.Parameter], self_: str,
                   missing: str, n: _Names) -> list[str]:
    """Lines giving each omitted parameter its default as the function has it now: read
    from ``__defaults__`` (counted from its end, as Python aligns it) or
    ``__kwdefaults__`` of a function or method; through ``default`` otherwise. A
    default gone missing leaves the parameter missing: the general path raises."""
    out, error = [], n.bind("Exception", Exception)
    direct = isinstance(fn, types.FunctionType | types.MethodType)
    positional = [p.name for p in parameters if p.kind is not _KINDS.KEYWORD_ONLY]
    for p in parameters:
        if p.default is p.empty:
            continue
        if not direct:
            read = f"{n.bind('default', default)}({self_}.fn, {p.name!r})"
        elif p.kind is _KINDS.KEYWORD_ONLY:
            read = f"{self_}.fn.__kwdefaults__[{p.name!r}]"
        else:
            read = f"{self_}.fn.__defaults__[{positional.index(p.name) - len(positional)}]"
        out.append(f"    if {p.name} is {missing}:\n        try:\n"
                   f"            {p.name} = {read}\n"
                   f"        except {error}:\n            pass\n")
    return out


def _call(compiled: Compiled, params: list[str], n: _Names, gradient: str) -> str:
    """The call of the generated ``gradient``, its outputs arranged as ``finish`` says."""
    inputs = [params[i] for i in compiled.flat_positions or ()]
    for j, (path, _) in enumerate(compiled.capture_objects):
        inputs.append(f"{n.bind(f'c{j}', path.resolve)}()")
    call = f"{gradient}({', '.join(inputs)})"
    if compiled.plain_grads:
        return call
    finish = n.bind("finish", compiled.finish)
    if len(compiled.ir.outvars) != 1:
        return f"{finish}({n.bind('list', list)}({call}))"
    return f"{finish}([{call}])"


def _signature(parameters: Sequence[inspect.Parameter], missing: str) -> str:
    """The function's parameter list, each parameter defaulting to ``missing``."""
    only = [p.name for p in parameters if p.kind is _KINDS.POSITIONAL_ONLY]
    either = [p.name for p in parameters if p.kind is _KINDS.POSITIONAL_OR_KEYWORD]
    named = [p.name for p in parameters if p.kind is _KINDS.KEYWORD_ONLY]
    return ", ".join([*(f"{p}={missing}" for p in only), *(["/"] if only else []),
                      *(f"{p}={missing}" for p in either), *(["*"] if named else []),
                      *(f"{p}={missing}" for p in named)])


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
    fn = type(fn).construct if is_cell(fn) else getattr(fn, "__func__", fn)
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
