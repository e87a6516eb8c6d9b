"""The project's differential fuzzer: random whole programs, each checked three ways.

``generator`` draws a program from a seed, ``checker`` compiles and runs it and
compares with plain Python, finite differences and the unoptimised pipeline,
``shrink`` reduces a failure to a minimal program, ``known`` recognises causes being
fixed elsewhere, ``runner`` ties them together; ``python -m tests.fuzz`` runs it.
"""
from .generator import generate
from .runner import run

__all__ = ["generate", "run"]
