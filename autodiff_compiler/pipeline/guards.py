"""Guards: what a compiled gradient assumed constant, re-checked before each reuse.

The rule (DESIGN decision 11; the README's "How it works" says it for users):

- *Re-read at every call*: the arguments; the defaults of the differentiated
  function's parameters (bound as arguments, from ``__defaults__``/``__kwdefaults__``
  as they are then); every array the code reads from globals, closures or attributes
  (weights, data), or from a list, tuple or dict held there, fetched along the path it
  was read.
- *Guarded* (checked at every call; a change recompiles): every other value the code
  read from outside its arguments, along the path it was read (a global, a closure
  cell, an attribute or item of either, an attribute of a user's module): numbers,
  strings and tuples by value, functions and other objects by identity, lists, dicts
  and sets by their contents (recursively); whether an object has an attribute the
  code asked ``hasattr`` about (a path's ``has`` step); the code and defaults of each
  function it calls; the type, shape and dtype of each array it fetches; the function's own
  code (the fast call path checks it; ``api`` keys on it). An object passed as an
  argument (a default ``act=np.tanh``) is keyed by identity and guarded the same way.
- *Constant*: builtins, and the attributes of NumPy, ``math``/``cmath`` and this
  package (``captures.LIBRARIES``). The source text is checked against the code object
  Python runs once, when compiling (``source``).

A compiled gradient's guards become one generated function, ``holds()``, that reads
each path as a Python expression: a few dozen nanoseconds per guard. It is built as a
syntax tree (``backends.python.syntax``) and printed by the generated gradients'
printer, from names it makes up; a global's name is a string constant the printer
quotes, an attribute is spelt ``.name`` only where it reads back as itself, and every
other key is a value in the function's globals: no name or key can change what it runs.
"""
from __future__ import annotations

import ast
import builtins
import keyword
import types
from collections.abc import Callable
from typing import Any

from ..backends.python import syntax as S
from ..backends.python.pywriter import source as print_source
from ..frontend.captures import MISSING, Guard, Path

_BY_VALUE = (int, float, complex, str, bytes, tuple, types.MethodType, types.BuiltinMethodType)
_CONTAINERS = (list, dict, set, frozenset, tuple)


def contents(value: Any) -> Any:
    """A container's items, recursively, as nested tuples (compared with ``==``)."""
    kind = type(value)
    if kind is dict:
        return (dict, tuple((k, contents(v)) for k, v in value.items()))
    if kind is set or kind is frozenset:
        return (kind, frozenset(value))
    if kind is list or kind is tuple:
        return (kind, tuple(contents(v) if type(v) in _CONTAINERS else v for v in value))
    return value


def _items(container: Any) -> Any:
    return container.values() if isinstance(container, dict) else container


def _mutable_inside(value: Any) -> bool:
    return isinstance(value, list | dict | set) or (
        isinstance(value, tuple) and any(_mutable_inside(v) for v in value))


def compile_guards(guards: list[Guard]) -> Callable[[], bool]:
    """One function checking every guard: True while all of them hold."""
    if not guards:
        return _always
    env: dict[str, Any] = {"M": MISSING, "contents": contents, "type": type,
                           "getattr": getattr, "hasattr": hasattr}
    terms = [_term(g, f"{i}", env) for i, g in enumerate(guards)]
    check = S.try_([S.returns(S.all_of(terms))],
                   S.except_(S.name("Exception"), [S.returns(S.const(False))]))
    source = print_source([S.function("holds", S.parameters(), [check])])
    exec(compile(source, "<autodiff_compiler:guards>", "exec"), env)
    return env["holds"]


def _always() -> bool:
    return True


def _term(guard: Guard, i: str, env: dict[str, Any]) -> ast.expr:
    """The Python expression checking one guard; values it needs go into ``env``."""
    now, expected = _path_expression(guard.path, i, env), guard.expected
    env[f"e{i}"], env[f"t{i}"] = expected, type(expected)
    value, got = S.name(f"v{i}"), S.walrus(f"v{i}", now)  # ``got`` reads, ``value`` after

    def names(*bases: str) -> list[ast.Name]:
        return [S.name(f"{base}{i}") for base in bases]

    if guard.array:
        env[f"s{i}"], env[f"d{i}"] = tuple(expected.shape), expected.dtype
        kind, shape, dtype = names("t", "s", "d")
        return S.all_of([_type_is(got, kind), S.equal(S.attr(value, "shape"), shape),
                         S.any_of([S.is_(S.attr(value, "dtype"), dtype),
                                   S.equal(S.attr(value, "dtype"), dtype)])])
    if _mutable_inside(expected):
        kind, copy = names("t", "c")
        if not any(type(v) in _CONTAINERS for v in _items(expected)):  # flat: a copy
            env[f"c{i}"] = type(expected)(expected)
            return S.all_of([_type_is(got, kind), S.equal(value, copy)])
        env[f"c{i}"] = contents(expected)
        return S.all_of([_type_is(got, kind),
                         S.equal(S.call(S.name("contents"), value), copy)])
    if isinstance(expected, types.FunctionType):
        env[f"k{i}"], env[f"p{i}"], env[f"q{i}"] = (
            expected.__code__, expected.__defaults__, expected.__kwdefaults__)
        same, code, defaults, kwdefaults = names("e", "k", "p", "q")
        return S.all_of([S.is_(got, same), S.is_(S.attr(value, "__code__"), code),
                         S.is_(S.attr(value, "__defaults__"), defaults),
                         S.is_(S.attr(value, "__kwdefaults__"), kwdefaults)])
    if isinstance(expected, _BY_VALUE):
        same, kind = names("e", "t")
        equal = S.any_of([S.is_(got, same),
                          S.all_of([_type_is(value, kind), S.equal(value, same)])])
        if isinstance(expected, types.MethodType) and isinstance(
                expected.__func__, types.FunctionType):  # the method's code and defaults
            func = expected.__func__
            env[f"k{i}"], env[f"p{i}"] = func.__code__, func.__defaults__
            code, defaults = names("k", "p")
            return S.all_of([equal, S.is_(S.attr(value, "__func__", "__code__"), code),
                             S.is_(S.attr(value, "__func__", "__defaults__"), defaults)])
        return equal
    return S.is_(now, S.name(f"e{i}"))


def _type_is(value: ast.expr, kind: ast.expr) -> ast.expr:
    return S.is_(S.call(S.name("type"), value), kind)


def _path_expression(path: Path, i: str, env: dict[str, Any]) -> ast.expr:
    """Python reading ``path`` from its root: made-up names, a global's name as a
    string constant, plain attribute names; any other key is read from ``env``."""
    env[f"r{i}"] = path.root
    root = S.name(f"r{i}")
    if path.name is not None:  # a global; absent, a builtin (builtins are constant)
        absent = MISSING if path.name in path.root else getattr(builtins, path.name, MISSING)
        env[f"b{i}"] = absent
        expr = S.call(S.attr(root, "get"), S.const(path.name), S.name(f"b{i}"))
    elif isinstance(path.root, types.CellType):
        expr = S.attr(root, "cell_contents")
    else:
        expr = root
    for j, (kind, key) in enumerate(path.steps):
        if kind == "attr" and _plain_attribute(key):
            expr = S.attr(expr, key)
        elif kind in ("attr", "has"):
            env[f"a{i}_{j}"] = key
            expr = S.call(S.name("getattr" if kind == "attr" else "hasattr"), expr,
                          S.name(f"a{i}_{j}"))
        else:
            env[f"a{i}_{j}"] = key
            expr = S.item(expr, S.name(f"a{i}_{j}"))
    return expr


def _plain_attribute(name: Any) -> bool:
    """An attribute spelt ``x.name``: an identifier, not private (which a class body
    would mangle), not a keyword."""
    return isinstance(name, str) and name.isidentifier() and name.isascii() \
        and not keyword.iskeyword(name) and not name.startswith("__")
