"""What a backend is: everything the Python code generator asks of one array library.

The code generator (``backends.python``) is shared; a backend supplies how each
equation is spelled, the namespace generated code runs in, and whether a result may be
written into a dead operand's array (``out=``, NumPy's ufuncs; a library whose arrays
are immutable has no such thing). ``backends.get(name)`` finds one by name.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..ir.core import Eqn, Function

Spelling = tuple[str, str]


def _never(eqn: Eqn) -> str | None:
    return None


def _no_lines(params: Sequence[str]) -> list[str]:
    return []


def _own_params(eqn: Eqn) -> dict[str, Any]:
    return dict(eqn.params)


def _as_is(fn: Function) -> Function:
    return fn


def _nothing(fn: Function) -> str:
    return ""


@dataclass(frozen=True)
class Backend:
    """One target of code generation.

    ``spell(eqn, python_floats)`` says how ``eqn`` is written (``python_floats``: the
    backend may use ``math`` and Python operators on values known to be Python floats).
    ``namespace`` holds the globals generated code reads. ``out_function(eqn)`` names
    the function that writes ``eqn``'s result into an array given as ``out=`` (None:
    it cannot). ``check(fn)`` raises a located ``AutodiffError`` for an equation the
    backend cannot write, before any code is generated. ``prologue(params)`` are lines
    that open every generated function, given its parameters' names (binding the array
    namespace, say); the names they bind belong in ``namespace`` too, so that no value
    of the user's is given them. ``keywords(eqn)`` are the keyword arguments ``eqn`` is
    written with (its params, renamed where the library's names differ).
    ``constant(emitter, value)`` writes a constant the backend spells its own way (an
    expression), or None for the code generator's spelling. ``prepare(fn)`` is ``fn``
    as this backend needs it written (casts made explicit, say), before ``check``.
    ``support(fn)`` is source the prepared ``fn`` relies on that is not in its own
    function (numba's kernels), shown above it; generated code reaches it through
    ``namespace``. ``fuses``: elementwise work runs in fused loops, where a function
    call costs nothing, so the optimiser leaves out rewrites that trade arithmetic for
    fewer NumPy calls (``opt.small``). ``numpy_arrays``: arrays are NumPy's, in memory
    in an order its BLAS reads faster one way (a loop's transposed operand is worth
    copying into row-major order, ``opt.layout``) and writable in place (a loop's
    running sum takes a row's cotangent as ``acc[t] += g``, ``opt.scatters``); lazy
    and standard arrays have neither.
    """

    name: str
    spell: Callable[[Eqn, bool], Spelling]
    namespace: Mapping[str, Any]
    out_function: Callable[[Eqn], str | None] = _never
    python_floats: bool = False
    check: Callable[[Function], None] = field(default=lambda fn: None)
    description: str = ""
    prologue: Callable[[Sequence[str]], list[str]] = _no_lines
    keywords: Callable[[Eqn], dict[str, Any]] = _own_params
    constant: Callable[[Any, Any], Any] | None = None
    prepare: Callable[[Function], Function] = _as_is
    support: Callable[[Function], str] = _nothing
    fuses: bool = False
    numpy_arrays: bool = False

    @property
    def in_place(self) -> bool:
        """Whether results may be written into dead operands (see ``opt.buffers``)."""
        return self.out_function is not _never

    @property
    def reserved(self) -> frozenset[str]:
        """Names generated code cannot give its own values: the namespace's."""
        return frozenset(self.namespace)
