"""Failures whose causes are being fixed elsewhere, recognised so CI stays green.

Each entry names the cause and how to recognise it: the outcome's category and
check, text of its message, and the constructs the (shrunk) program uses. Remove an
entry when its fix lands; the fuzzer then reports that cause again if it remains.
Causes and minimal programs are written up in ``fuzz-findings.md`` of the issue.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .checker import REFUSED, Outcome
from .program import Program

Match = Callable[[Program, Outcome], bool]


@dataclass(frozen=True)
class Known:
    name: str
    matches: Match


def _all(*tests: Match) -> Match:
    return lambda p, o: all(t(p, o) for t in tests)


def _category(*names: str) -> Match:
    return lambda p, o: o.category in names


def _message(pattern: str) -> Match:
    return lambda p, o: re.search(pattern, o.detail) is not None


def _source(pattern: str) -> Match:
    return lambda p, o: re.search(pattern, p.function_source()) is not None


KNOWN: list[Known] = [
    Known("refused: break/continue/return under a run-time condition in a loop unrolled "
          "because it builds a list",
          _all(_category(REFUSED), _message(r"in a loop that is unrolled"))),
    Known("refused: return inside a run-time loop of a function returning a tuple "
          "(has_aux)",
          _all(_category(REFUSED), _message(r"branches give .* of different structure"),
               _source(r"\b(for|while)\b"))),
    Known("refused: return inside a while loop under a run-time condition",
          _all(_category(REFUSED), _message(r"'return' inside a loop under a condition"))),
    Known("refused: return in a loop nested in another loop of run-time length",
          _all(_category(REFUSED), _message(r"'return' in a loop nested in another loop"))),
    Known("refused: a Python list built in a while loop with a run-time condition",
          _all(_category(REFUSED), _message(r"building a Python list in a while loop"))),
]


def classify(program: Program, outcome: Outcome) -> str | None:
    """The known cause of this failure, if it is one."""
    return next((k.name for k in KNOWN if k.matches(program, outcome)), None)
