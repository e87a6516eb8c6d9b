"""MindSpore's spelling of the functional transforms that differ from the package's own:
``ops.linearize(fn, inputs)``.

MindSpore 2.10 gives ``(fn(*inputs), jvp_fn)`` where ``inputs`` is one Tensor or a
tuple/list of them and ``jvp_fn(v)`` takes the tangents the same way (one Tensor, or a
tuple/list with one per input), where the package's ``linearize`` (JAX's) takes the
primals and the tangents as separate arguments. This adapts the one to the other: the
linear map is the package's, compiled once and replayed at the point held.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..linearize import linearize as _linearize
from .tensor import Tensor


def _as_tuple(value: Any, what: str) -> tuple:
    if isinstance(value, tuple | list):
        return tuple(value)
    if isinstance(value, Tensor):
        return (value,)
    raise TypeError(f"linearize: {what} must be a Tensor or a tuple or list of Tensors, "
                    f"not {type(value).__name__}")


def linearize(fn: Callable[..., Any], inputs: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``(fn(*inputs), jvp_fn)``: ``jvp_fn(v)`` is the tangent of ``fn``'s output along
    ``v`` (shaped like ``inputs``), as MindSpore's ``ops.linearize``."""
    primals = _as_tuple(inputs, "inputs")
    output, f_jvp = _linearize(fn, *primals)

    def jvp_fn(v: Any) -> Any:
        return f_jvp(*_as_tuple(v, "the tangents"))

    return output, jvp_fn
