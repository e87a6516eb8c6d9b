"""Guards: what a compiled gradient assumed constant, re-checked before each reuse.

The rule (DESIGN decision 11; the README's "How it works" says it for users):

- *Re-read at every call*: the arguments; the defaults of the differentiated
  function's parameters (bound as arguments, from ``__defaults__``/``__kwdefaults__``
  as they are then); every array the code reads from globals, closures or attributes
  (weights, data), fetched along the path it was read.
- *Guarded* (checked at every call; a change recompiles): every other value the code
  read from outside its arguments, along the path it was read (a global, a closure
  cell, an attribute or item of either, an attribute of a user's module): numbers,
  strings and tuples by value, functions and other objects by identity, lists, dicts
  and sets by their contents (recursively); the code and defaults of each function
  it calls; the type, shape and dtype of each array it fetches; the function's own
  code (the fast call path checks it; ``api`` keys on it). An object passed as an
  argument (a default ``act=np.tanh``) is keyed by identity and guarded the same way.
- *Constant*: builtins, and the attributes of NumPy, ``math``/``cmath`` and this
  package (``captures.LIBRARIES``). The source text is checked against the code object
  Python runs once, when compiling (``source``).

A compiled gradient's guards become one generated function, ``holds()``, that reads
each path as a Python expression: a few dozen nanoseconds per guard. It is written
from names it makes up, identifiers checked as such, and ``repr``s of strings, never
from text of the user's, so no name or key can change what it runs.
"""
from __future__ import annotations

import builtins
import keyword
import types
from collections.abc import Callable
from typing import Any

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
                           "getattr": getattr}
    terms = [_term(g, f"{i}", env) for i, g in enumerate(guards)]
    source = ("def holds():\n    try:\n        return (" + "\n                and ".join(terms)
              + ")\n    except Exception:\n        return False\n")
    exec(compile(source, "<autodiff_compiler:guards>", "exec"), env)
    return env["holds"]


def _always() -> bool:
    return True


def _term(guard: Guard, i: str, env: dict[str, Any]) -> str:
    """The Python expression checking one guard; values it needs go into ``env``."""
    now, expected = _path_expression(guard.path, i, env), guard.expected
    env[f"e{i}"], env[f"t{i}"] = expected, type(expected)
    if guard.array:
        env[f"s{i}"], env[f"d{i}"] = tuple(expected.shape), expected.dtype
        return (f"(type(v{i} := {now}) is t{i} and v{i}.shape == s{i} "
                f"and (v{i}.dtype is d{i} or v{i}.dtype == d{i}))")
    if _mutable_inside(expected):
        if not any(type(v) in _CONTAINERS for v in _items(expected)):  # flat: a copy
            env[f"c{i}"] = type(expected)(expected)
            return f"(type(v{i} := {now}) is t{i} and v{i} == c{i})"
        env[f"c{i}"] = contents(expected)
        return f"(type(v{i} := {now}) is t{i} and contents(v{i}) == c{i})"
    if isinstance(expected, types.FunctionType):
        env[f"k{i}"], env[f"p{i}"], env[f"q{i}"] = (
            expected.__code__, expected.__defaults__, expected.__kwdefaults__)
        return (f"((v{i} := {now}) is e{i} and v{i}.__code__ is k{i} "
                f"and v{i}.__defaults__ is p{i} and v{i}.__kwdefaults__ is q{i})")
    if isinstance(expected, _BY_VALUE):
        extra = ""
        if isinstance(expected, types.MethodType) and isinstance(
                expected.__func__, types.FunctionType):  # the method's code and defaults
            func = expected.__func__
            env[f"k{i}"], env[f"p{i}"] = func.__code__, func.__defaults__
            extra = f" and v{i}.__func__.__code__ is k{i} and v{i}.__func__.__defaults__ is p{i}"
        return f"(((v{i} := {now}) is e{i} or (type(v{i}) is t{i} and v{i} == e{i})){extra})"
    return f"({now} is e{i})"


def _path_expression(path: Path, i: str, env: dict[str, Any]) -> str:
    """Python reading ``path`` from its root: made-up names and ``repr``s only."""
    env[f"r{i}"] = path.root
    if path.name is not None:  # a global; absent, a builtin (builtins are constant)
        absent = MISSING if path.name in path.root else getattr(builtins, path.name, MISSING)
        env[f"b{i}"] = absent
        text = f"r{i}.get({path.name!r}, b{i})"
    elif isinstance(path.root, types.CellType):
        text = f"r{i}.cell_contents"
    else:
        text = f"r{i}"
    for j, (kind, key) in enumerate(path.steps):
        if kind == "attr" and _plain_attribute(key):
            text += f".{key}"
        elif kind == "attr":
            env[f"a{i}_{j}"] = key
            text = f"getattr({text}, a{i}_{j})"
        else:
            env[f"a{i}_{j}"] = key
            text += f"[a{i}_{j}]"
    return text


def _plain_attribute(name: Any) -> bool:
    """An attribute spelt ``x.name``: an identifier, not private (which a class body
    would mangle), not a keyword."""
    return isinstance(name, str) and name.isidentifier() and name.isascii() \
        and not keyword.iskeyword(name) and not name.startswith("__")
