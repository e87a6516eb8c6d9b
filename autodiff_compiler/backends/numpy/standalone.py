"""What NumPy code needs to run as a module of its own: its constants written as
literals that rebuild them exactly with NumPy alone, and the runtime helpers it calls
(the ``ir.reference`` functions, copied by source with the helpers they call). The
``export`` command assembles a standalone module from these.
"""
from __future__ import annotations

import dis
import types
from typing import Any

import numpy as np

from ...errors import AutodiffError
from ...ir import reference
from ..python.expressions import dtype_attribute


def constant_lines(constants: dict[str, Any]) -> list[str]:
    """``name = <literal>`` for each constant the module's code reads."""
    return [f"{name} = {literal(value)}" for name, value in constants.items()]


def literal(value: Any) -> str:
    """Python source that rebuilds ``value`` exactly with only NumPy."""
    if isinstance(value, complex):
        return f"complex({value.real!r}, {value.imag!r})"
    if callable(value):  # (``host_call``'s)
        raise AutodiffError("cannot export a program that calls Python when it runs (a "
                            "Cell hook the compiler could not compile, run as Python)",
                            hint="remove the hook before exporting, or write it as one the "
                                 "compiler compiles (arrays in, arrays or None out)")
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biufc":
        raise AutodiffError(f"cannot export a constant of type {type(value).__name__}",
                            hint="compute it inside the function from arrays and numbers")
    dtype = f"np.{dtype_attribute(value.dtype)}"
    finite = value.dtype.kind not in "fc" or bool(np.isfinite(value).all())
    if finite and value.dtype.byteorder in "=|":
        return f"np.array({value.tolist()!r}, dtype={dtype})"
    data = np.ascontiguousarray(value).astype(value.dtype.newbyteorder("<")).tobytes().hex()
    return (f"np.frombuffer(bytes.fromhex({data!r}), dtype=np.dtype({dtype}).newbyteorder('<'))"
            f".reshape({value.shape!r}).astype({dtype})")


def runtime_helpers(functions: list[str]) -> list[types.FunctionType]:
    """The runtime helpers the generated code calls, with what they call, in the
    order ``ir/reference.py`` defines them."""
    wanted: set[str] = set()
    todo = [name for f in functions for name in global_names(compile(f, "<export>", "exec"))]
    while todo:
        name = todo.pop()
        obj = getattr(reference, name, None)
        if name in wanted or not _is_helper(obj):
            continue
        wanted.add(name)
        todo.extend(global_names(obj.__code__))
    found = [getattr(reference, name) for name in wanted]
    return sorted(found, key=lambda f: f.__code__.co_firstlineno)


def _is_helper(obj: Any) -> bool:
    return isinstance(obj, types.FunctionType) and obj.__module__ == reference.__name__


def global_names(code: types.CodeType) -> set[str]:
    """Names ``code`` (and any code nested in it) reads as globals."""
    names = {i.argval for i in dis.get_instructions(code)
             if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= global_names(const)
    return names
