"""A random program as a tree of statements, so it can be printed and shrunk.

A ``Stmt`` is one line, or a block header (``for ...:``) with a body and, for ``if``,
an ``else`` body. A ``Program`` is helpers at module level, the body of ``f`` and its
final ``return`` (a sum of terms, each of which the shrinker may drop), plus the
arguments it is called with: everything needed to run it again, derived from its seed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

HEADER = """import functools
import math

import numpy as np
import scipy.special

import autodiff_compiler as adc
from autodiff_compiler import ops
"""


@dataclass(frozen=True)
class Stmt:
    """A line of code, or a block: ``text`` is the header when ``body`` is not None."""

    text: str
    body: tuple[Stmt, ...] | None = None
    orelse: tuple[Stmt, ...] | None = None
    keep: bool = False  # never dropped when shrinking (a while loop's step)

    def lines(self, indent: int) -> list[str]:
        pad = "    " * indent
        out = [pad + self.text]
        if self.body is not None:
            out += [line for s in self.body or (Stmt("pass"),) for line in s.lines(indent + 1)]
        if self.orelse is not None:
            out.append(pad + "else:")
            out += [line for s in self.orelse or (Stmt("pass"),)
                    for line in s.lines(indent + 1)]
        return out


@dataclass(frozen=True)
class Program:
    """A whole program: ``f(*params)`` returning ``sum(terms)`` (and ``aux``)."""

    seed: int
    params: tuple[str, ...]
    args: tuple[Any, ...]
    helpers: tuple[Stmt, ...]
    body: tuple[Stmt, ...]
    terms: tuple[str, ...]
    aux: str | None = None
    hessian: bool = False
    features: frozenset[str] = field(default_factory=frozenset)

    @property
    def positions(self) -> tuple[int, ...]:
        """The arguments differentiated: every float argument."""
        return tuple(i for i, a in enumerate(self.args) if not isinstance(a, int))

    def function_source(self) -> str:
        lines = [f"def f({', '.join(self.params)}):"]
        lines += [line for s in self.body for line in s.lines(1)]
        value = " + ".join(self.terms)
        lines.append(f"    return {value}" + (f", {self.aux}" if self.aux else ""))
        return "\n".join(lines) + "\n"

    def source(self) -> str:
        """The module: header, helpers, ``f``, and ``f_probe`` (the gradient of ``f``
        in the direction of its extra arguments: its own gradient is a Hessian-vector
        product)."""
        helpers = "\n\n\n".join("\n".join(h.lines(0)) for h in self.helpers)
        return "\n\n".join(part for part in (HEADER, helpers, self.function_source(),
                                              self._probe_source()) if part) + "\n"

    def _probe_source(self) -> str:
        """``f_probe`` and ``f_probe2``, the gradient of ``f_probe`` in the direction
        of further arguments (its own gradient: third derivatives)."""
        pos = self.positions
        us = [f"u{i}" for i in range(len(pos))]
        vs = [f"v{i}" for i in range(len(pos))]
        has_aux = ", has_aux=True" if self.aux else ""
        unpack = "grads, _ = " if self.aux else "grads = "
        return (f"grad_f = adc.grad(f, grad_position={pos!r}{has_aux})\n\n\n"
                f"def f_probe({', '.join([*self.params, *us])}):\n"
                f"    {unpack}grad_f({', '.join(self.params)})\n"
                f"    return {_dots(us)}\n\n\n"
                f"grad_probe = adc.grad(f_probe, grad_position={pos!r})\n\n\n"
                f"def f_probe2({', '.join([*self.params, *us, *vs])}):\n"
                f"    grads = grad_probe({', '.join([*self.params, *us])})\n"
                f"    return {_dots(vs)}\n")

    def without(self, **changes: Any) -> Program:
        return replace(self, **changes)


def _dots(directions: list[str]) -> str:
    """The sum of ``grads`` times ``directions``, entry by entry (one position: ``grad``
    gives its gradient bare)."""
    if len(directions) == 1:
        return f"np.sum(grads * {directions[0]})"
    return " + ".join(f"np.sum(grads[{k}] * {d})" for k, d in enumerate(directions))
