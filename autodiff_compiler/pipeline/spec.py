"""What a compilation is asked for: which inputs to differentiate, what to return, and
the backend to generate code for. The API builds it from MindSpore's options; it is
part of every cache key."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class GradSpec:
    """What to differentiate and what to return, in MindSpore's terms."""

    positions: tuple[int, ...] | None
    bare_position: bool
    weights: tuple[Any, ...] | None  # Parameters
    bare_weight: bool
    has_aux: bool
    return_ids: bool
    with_value: bool
    cotangent_inputs: bool = False
    specialize: bool = True  # compile for the arguments' shapes and dtypes
    forward: bool = False  # tangents in, tangents out (``jvp``)
    backend: str = "numpy"  # whose code is generated (``backends.get``)
    # no derivative: the function's own value, as a program named ``<primal>_<name>``
    # (``vmap`` compiles the batched function through the pipeline this way)
    primal: str | None = None

    def key(self) -> tuple:
        weights = None if self.weights is None else tuple(id(w) for w in self.weights)
        return (self.positions, self.bare_position, weights, self.bare_weight, self.has_aux,
                self.return_ids, self.with_value, self.cotangent_inputs, self.specialize,
                self.forward, self.backend, self.primal)
