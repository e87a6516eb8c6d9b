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

from .checker import INTERNAL, REFUSED, WRONG, Outcome
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


def _stage(*names: str) -> Match:
    return lambda p, o: o.stage in names


def _message(pattern: str) -> Match:
    return lambda p, o: re.search(pattern, o.detail) is not None


def _source(pattern: str) -> Match:
    return lambda p, o: re.search(pattern, p.function_source()) is not None


# NumPy functions given Python lists/tuples of arrays (the forms expressions.LISTED writes)
_LISTED = r"np\.(sum|max)\(\[.*\], axis=0\)|np\.mean\(\(.*\), axis=0\)|np\.add\(\*\[|np\.array\(\["

KNOWN: list[Known] = [
    Known("lists and tuples of arrays passed to NumPy functions (issue item 1)",
          _all(_category(WRONG, INTERNAL, REFUSED), _source(_LISTED))),
    Known("0-d and float loop carries under grad: KeyError in codegen",
          _all(_category(INTERNAL), _message(r"KeyError: (np\.float\d+\()?-?[\d.]+\)?"))),
    Known("grad of grad through if and loops",
          _all(_category(INTERNAL, REFUSED), _stage("hessian", "hessian-fd"),
               _source(r"\b(if|for|while)\b"))),
    Known("refused (README): return/break on a run-time condition in an unrolled loop "
          "inside a loop of run-time length, or after a run-time continue",
          _all(_category(REFUSED), _message(r"in a loop unrolled while compiling"))),
    Known("refused (README): a list changed on some run-time paths only, or paths giving "
          "different structures",
          _all(_category(REFUSED), _message(r"of different structure \("))),
    Known("grad of grad through a call to a helper function: invalid IR",
          _all(_category(INTERNAL), _stage("hessian", "hessian-fd"),
               _message(r"invalid IR in 'f_probe'"), lambda p, o: bool(p.helpers))),
    Known("refused: a Python list built in a while loop with a run-time condition",
          _all(_category(REFUSED), _message(r"building a Python list in a while loop"))),
]


def classify(program: Program, outcome: Outcome) -> str | None:
    """The known cause of this failure, if it is one."""
    return next((k.name for k in KNOWN if k.matches(program, outcome)), None)
