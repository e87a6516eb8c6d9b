"""Run many seeds, count outcomes, shrink and report failures."""
from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from . import known
from .checker import INTERNAL, OK, REFUSED, SKIP, SLOW, WRONG, Outcome, check
from .generator import generate
from .program import Program
from .shrink import shrink


@dataclass
class Failure:
    program: Program  # shrunk
    outcome: Outcome
    known: str | None

    def report(self) -> str:
        mark = f" (known: {self.known})" if self.known else ""
        return (f"=== {self.outcome.category} in check '{self.outcome.stage}'{mark}, "
                f"seed {self.program.seed}\n"
                f"reproduce: python -m tests.fuzz --seed {self.program.seed} --programs 1\n"
                f"arguments: {self.program.args!r}\n"
                f"{self.program.source()}\n{self.outcome.detail}\n")


@dataclass
class Summary:
    counts: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)

    @property
    def unexpected(self) -> list[Failure]:
        return [f for f in self.failures if f.known is None]

    def line(self) -> str:
        order = [OK, SKIP, WRONG, INTERNAL, REFUSED, SLOW, "known"]
        return ", ".join(f"{k}: {self.counts[k]}" for k in order)


def run(seeds: Iterable[int], do_shrink: bool = True,
        report: Callable[[Failure], object] | None = None) -> Summary:
    """Check the program of each seed; failures are shrunk, classified, and handed to
    ``report`` as they are found."""
    summary = Summary()
    with tempfile.TemporaryDirectory(prefix="adc_fuzz_") as workdir:
        for seed in seeds:
            program = generate(seed)
            outcome = check(program, workdir)
            if outcome.category in (OK, SKIP):
                summary.counts[outcome.category] += 1
                continue
            mark = known.classify(program, outcome)
            if do_shrink and mark is None:  # (a known refusal needs no smaller example:
                # shrinking one recompiled it dozens of times, minutes with numba)
                program = shrink(program, lambda p, o=outcome: check(p, workdir).signature
                                 == o.signature)
                outcome = check(program, workdir)
                mark = known.classify(program, outcome)
            summary.counts["known" if mark else outcome.category] += 1
            failure = Failure(program, outcome, mark)
            summary.failures.append(failure)
            if report is not None:
                report(failure)
    return summary
