"""The IR layer: values, equations and regions (``core``), the builder that records
equations while a rule or the frontend runs, the primitive registry with every
primitive's rules (``primitives``), and the NumPy surface (``surface``): what each
NumPy function means as primitives.

Everything above builds on this layer; it imports nothing of the package but
``errors`` and ``trees``. The core names are re-exported here, so ``from ..ir import
Var`` reads as the layer's vocabulary.
"""
from .core import (
    UNKNOWN,
    Atom,
    Aval,
    Callee,
    Const,
    Eqn,
    Function,
    Var,
    free_vars,
    map_regions,
    ndim_of,
    python_name,
    reads,
    regions,
    renamed,
    substitute,
    substitute_function,
    verify,
)
from .printer import pretty

__all__ = ["UNKNOWN", "Atom", "Aval", "Callee", "Const", "Eqn", "Function", "Var",
           "free_vars", "map_regions", "ndim_of", "pretty", "python_name", "reads", "regions",
           "renamed", "substitute", "substitute_function", "verify"]
