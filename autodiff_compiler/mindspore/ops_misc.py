"""More of MindSpore's ``ops`` that model-zoo code reaches for: ``identity`` (the
gradient reducer of a single device), ``partial``, ``dtype``, ``argsort``,
``clip_by_norm``, ``unsorted_segment_sum``, and ``assign_add``/``assign_sub``, which
write into a Parameter as ``assign`` does (an effect when compiled). Values and dtypes
as MindSpore 2.7.1 gives them (measured).
"""
from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ..ir import primitives as P
from ..ir import surface
from .integer_dtypes import as_float32, integers
from .ops_state import _compile_assign, assign
from .tensor import Tensor

__all__ = ["identity", "partial", "dtype", "argsort", "clip_by_norm", "unsorted_segment_sum",
           "assign_add", "assign_sub", "tuple_to_array", "scalar_to_tensor", "tensor_div",
           "print_"]

print_ = print  # ``F.print_``: printed where the program runs (``print`` compiled)

partial = functools.partial


def identity(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """Its input: a copy of a Tensor, a tuple of gradients as it is (what
    ``TrainOneStepCell.grad_reducer`` is on one device)."""
    return input if isinstance(input, tuple | list) else input.copy()


def dtype(input: Any) -> Any:  # noqa: A002
    return input.dtype


def argsort(input: Any, axis: int = -1, descending: bool = False) -> Any:  # noqa: A002
    """The indices that sort ``input`` along ``axis`` (int32, ties in order)."""
    order = np.argsort(-input if descending else input, axis=axis, kind="stable")
    return order.astype(np.int32)


def clip_by_norm(x: Any, max_norm: float, norm_type: float = 2.0,
                 error_if_nonfinite: bool = False) -> Any:
    """``x`` (a Tensor, or a tuple of them taken together) scaled by
    ``min(1, max_norm / (norm + 1e-6))``, ``norm`` of order ``norm_type``. Integers give
    float32, their norm rounded toward zero first (``[3, 4, 1]``: sqrt(26) is 5), as
    MindSpore 2.10 computes them where it clips. (Where the norm is at most
    ``max_norm`` MindSpore returns the integers themselves: a dtype that depends on the
    values, which a compiled function cannot have; float32 here.)"""
    tensors = tuple(x) if isinstance(x, tuple | list) else (x,)
    whole = integers(tensors[0])
    tensors = tuple([as_float32(t) for t in tensors])
    if norm_type == float("inf"):
        norm = np.max(np.stack([np.max(np.abs(t)) for t in tensors]))
    else:
        norm = sum([np.sum(np.abs(t) ** norm_type) for t in tensors]) ** (1.0 / norm_type)
    if whole:
        norm = np.trunc(norm)
    if error_if_nonfinite and not np.isfinite(norm):
        raise RuntimeError("clip_by_norm: the total norm is not finite")
    scale = np.minimum(max_norm / (norm + 1e-6), 1.0)
    clipped = tuple([(t * scale).astype(t.dtype) for t in tensors])
    return clipped if isinstance(x, tuple | list) else clipped[0]


def tuple_to_array(input_x: Any) -> Any:
    """A tuple of numbers as an array: of floats, float32 (MindSpore's default); of
    ints, int64 (the model zoo's ``F.tuple_to_array((1.0,))`` clip bounds)."""
    values = np.asarray(input_x)
    return Tensor(values.astype(np.float32) if values.dtype.kind == "f" else values)


def unsorted_segment_sum(input_x: Any, segment_ids: Any, num_segments: int) -> Any:
    """The sum of ``input_x``'s entries (along ``segment_ids``'s axes) in each of
    ``num_segments`` segments; an id outside ``[0, num_segments)`` adds nowhere. A
    one-hot contraction, so its gradient is each entry's segment's."""
    ids = np.asarray(segment_ids)
    member = (np.expand_dims(ids, -1) == np.arange(num_segments)).astype(input_x.dtype)
    axes = tuple(range(ids.ndim))
    return np.tensordot(np.moveaxis(member, -1, 0), input_x,
                        axes=(tuple(a + 1 for a in axes), axes))


def assign_add(variable: Any, value: Any) -> Any:
    """``variable += value`` into a Parameter, in place; returns it."""
    return assign(variable, variable + value)


def assign_sub(variable: Any, value: Any) -> Any:
    """``variable -= value`` into a Parameter, in place; returns it."""
    return assign(variable, variable - value)


surface.FUNCTIONS[assign_add] = lambda variable, value: _compile_assign(
    variable, P.add(variable, value))
surface.FUNCTIONS[assign_sub] = lambda variable, value: _compile_assign(
    variable, P.sub(variable, value))
surface.EFFECTS.update({assign_add, assign_sub})


def scalar_to_tensor(input_x: Any, dtype: Any = np.float32) -> Tensor:
    """A Python number as a 0-d Tensor of ``dtype`` (float32 unless given), as
    MindSpore's ``ops.scalar_to_tensor``/``F.scalar_to_tensor`` makes one."""
    return Tensor(np.asarray(input_x, dtype=dtype))


def tensor_div(x: Any, y: Any) -> Any:
    """``F.tensor_div``: MindSpore's older name of ``x / y``."""
    return x / y
