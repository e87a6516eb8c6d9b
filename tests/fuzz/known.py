"""Refusals the README lists as unsupported, recognised so that they are counted apart.

The generator writes some programs no compiler of this design can take as they are
(a Python list built in a loop of run-time length has a run-time length), and the
README says so. Such a program is refused at the user's line with a hint; the
fuzzer counts it as ``known`` rather than failing. Everything else that is refused
fails the campaign, so a new refusal is either fixed or added to the README and here,
deliberately. Each entry names the README's wording and recognises the refusal by its
category and message.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .checker import INTERNAL, REFUSED, Outcome
from .program import Program

Match = Callable[[Program, Outcome], bool]


@dataclass(frozen=True)
class Known:
    name: str
    matches: Match


def _refused(pattern: str) -> Match:
    return lambda p, o: o.category == REFUSED and re.search(pattern, o.detail) is not None


KNOWN: list[Known] = [
    Known("a Python list built in a loop whose length or while condition is known only "
          "at run time", _refused(r"building a Python list in a (while )?loop whose")),
    Known("a return or break on a run-time condition in a loop unrolled while compiling, "
          "inside a loop of run-time length or after a run-time continue",
          _refused(r"in a loop unrolled while compiling")),
    Known("a list changed on some run-time paths only, or paths giving a name or the "
          "result different structures", _refused(r"of different structure \(")),
    Known("vmap of a value whose shape is known only at run time (an if whose branches "
          "give arrays of different shapes)",
          _refused(r"vmap cannot (batch|place the batch axis of) .* known only at run time")),
    Known("a view assigned by a tuple assignment after an earlier target wrote into it",
          _refused(r"an earlier target of the assignment wrote into")),
    Known("a comprehension over a number of items known only at run time",
          _refused(r"a comprehension over a number of items known only at run time")),
    Known("vmap through a return (or the gradient of a break) inside a loop, on a "
          "condition that differs between examples",
          _refused(r"vmap cannot batch '(cond|loop|while_loop)' here: .* not an array")),
    Known("vmap of a loop reading a record kept per example (a loop whose number of "
          "iterations differs between examples)",
          _refused(r"vmap cannot batch .* on a list of batched values")),
    Known("vmap of a function that sets an attribute of an object made outside it",
          _refused(r"vmap of a function that sets '\.\w+' on an object made outside it")),
    Known("a call whose result depends on a rank the branch a run-time condition takes "
          "decides (np.nonzero of a value of rank 0 on one path and 1 on another)",
          _refused(r"depends on the rank of its operand, which is not known when compiling "
                   r"\(shape-generic code, or a value whose shape depends on the branch")),
    Known("None on some paths of a run-time branch and a value on others",
          _refused(r"None on some paths .* and a value on others")),
    Known("a while condition known when compiling at first and a run-time value later, "
          "in a loop unrolled while compiling (it builds a list, or returns)",
          _refused(r"this while condition became a run-time value after starting")),
]


def _ragged_vmap(program: Program, outcome: Outcome) -> bool:
    return outcome.category == INTERNAL and outcome.stage == "vmap" \
        and "vmap stacks the examples' results into one array, but here they differ " \
            "in shape" in outcome.detail


KNOWN.append(Known("vmap of a result whose shape differs between examples (x[x > 0]): "
                   "refused at the user's line when the program runs", _ragged_vmap))


def classify(program: Program, outcome: Outcome) -> str | None:
    """The README-listed refusal this outcome is, if it is one."""
    return next((k.name for k in KNOWN if k.matches(program, outcome)), None)
