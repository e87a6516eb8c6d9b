"""MindSpore's Tensor methods that reshape and select (``x.permute(0, 2, 1)``,
``x.split(2, 1)``, ``x.gather(dim, index)``, ``x.masked_fill(m, 0)``...): each calls its
``ops`` function with MindSpore's argument names and order; ``tensor_methods_table``
installs them with the others (its docstring says how they compile).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops


def permute(self: Any, *dims: Any) -> Any:
    """``x.permute(0, 2, 1)`` or ``x.permute((0, 2, 1))``."""
    if len(dims) == 1 and isinstance(dims[0], tuple | list):
        dims = tuple(dims[0])
    return ops.permute(self, tuple(dims))


def broadcast_to(self: Any, *shape: Any) -> Any:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = tuple(shape[0])
    return ops.broadcast_to(self, tuple(shape))


def flip(self: Any, dims: Any) -> Any:
    return ops.flip(self, dims)


def rot90(self: Any, k: int, dims: Any) -> Any:
    return ops.rot90(self, k, dims)


def roll(self: Any, shifts: Any, dims: Any = None) -> Any:
    return ops.roll(self, shifts, dims)


def tile(self: Any, dims: Any) -> Any:
    return ops.tile(self, dims)


def split(self: Any, split_size: Any, dim: int = 0, *, axis: Any = None) -> Any:
    """``x.split(split_size, dim)`` (or MindSpore's older ``axis=``): a tuple."""
    return tuple(ops.split(self, split_size, dim if axis is None else axis))


def chunk(self: Any, chunks: int, dim: int = 0, *, axis: Any = None) -> Any:
    return ops.chunk(self, chunks, dim if axis is None else axis)


def tensor_split(self: Any, indices_or_sections: Any, axis: int = 0) -> Any:
    return ops.tensor_split(self, indices_or_sections, axis)


def _splitter(name: str) -> Any:
    def method(self: Any, indices_or_sections: Any) -> Any:
        return getattr(ops, name)(self, indices_or_sections)
    return method


def unbind(self: Any, dim: int = 0) -> Any:
    return ops.unbind(self, dim)


def moveaxis(self: Any, source: Any, destination: Any) -> Any:
    return ops.moveaxis(self, source, destination)


def swapdims(self: Any, dim0: int, dim1: int) -> Any:
    return ops.swapdims(self, dim0, dim1)


def narrow(self: Any, dim: int, start: int, length: int) -> Any:
    return ops.narrow(self, dim, start, length)


def gather(self: Any, dim: Any, index: Any, batch_dims: int = 0) -> Any:
    """``x.gather(dim, index)`` (``gather_elements``), or the older
    ``x.gather(input_indices, axis, batch_dims)`` when the first argument is not an int."""
    if isinstance(dim, int):
        return gather_elements(self, dim, index)
    return gather_indices(self, dim, index, batch_dims)


def gather_indices(self: Any, input_indices: Any, axis: int, batch_dims: int = 0) -> Any:
    return ops.gather(self, input_indices, axis, batch_dims)


def gather_elements(self: Any, dim: int, index: Any) -> Any:
    """``x[..., index[i, j], ...]`` along ``dim``; ``index`` may be shorter than ``x`` on
    the other axes (MindSpore reads the leading part of ``x`` there)."""
    ndim = np.ndim(self)
    axis = dim % ndim
    lead = tuple([slice(None) if d == axis else slice(0, np.shape(index)[d])
                  for d in range(ndim)])
    return ops.gather_elements(self[lead], dim, index)


def index_select(self: Any, axis: int, index: Any) -> Any:
    return ops.index_select(self, axis, index)


def masked_fill(self: Any, mask: Any, value: Any) -> Any:
    return ops.masked_fill(self, mask, value)


def masked_select(self: Any, mask: Any) -> Any:
    return ops.masked_select(self, mask)


def diag(self: Any) -> Any:
    return ops.diag(self)


def diagflat(self: Any, offset: int = 0) -> Any:
    return ops.diagflat(self, offset)


def topk(self: Any, k: int, dim: Any = None, largest: bool = True,
         sorted: bool = True) -> Any:  # noqa: A002
    return ops.topk(self, k, dim, largest, sorted)


def top_k(self: Any, k: int, sorted: bool = True) -> Any:  # noqa: A002
    """The ``k`` largest along the last axis, as ``(values, indices)``."""
    return ops.topk(self, k, -1, True, sorted)


def msort(self: Any) -> Any:
    """Sorted along the first axis."""
    return np.sort(self, axis=0)


def unique(self: Any) -> Any:
    return ops.unique(self)


def repeat(self: Any, *repeats: Any, axis: Any = None, **keywords: Any) -> Any:
    """MindSpore 2.10's ``x.repeat(*repeats)`` (or ``repeats=(...)``): the Tensor tiled,
    ``repeats[i]`` copies along axis ``i``, leading axes added where ``repeats`` is
    longer (its documentation; its CPU has no kernel). Fewer entries than axes is
    refused, as documented. ``axis=`` (older MindSpore's and NumPy's spelling) repeats
    each entry along that axis instead."""
    if "repeats" in keywords:
        repeats = (keywords.pop("repeats"),)
    if keywords or not repeats:
        raise TypeError("Tensor.repeat takes the repetitions per axis: x.repeat(2, 1)")
    if axis is not None:
        return np.repeat(self, repeats[0], axis=axis)
    if len(repeats) == 1 and isinstance(repeats[0], tuple | list):
        repeats = tuple(repeats[0])
    if len(repeats) < np.ndim(self):
        raise RuntimeError(f"Tensor.repeat: {len(repeats)} repetitions for a Tensor of "
                           f"{np.ndim(self)} axes; give one per axis (x.repeat(2, 1)), or "
                           "use repeat_interleave to repeat each entry")
    return np.tile(self, tuple(repeats))


def repeat_interleave(self: Any, repeats: Any, dim: Any = None) -> Any:
    return ops.repeat_interleave(self, repeats, dim)


def select(self: Any, dim: Any, index: Any) -> Any:
    """``x.select(dim, index)``: the slice at ``index`` along ``dim``, that axis removed;
    or the older ``x.select(condition, y)``: ``ops.select(condition, x, y)``."""
    if isinstance(dim, int):
        return select_slice(self, dim, index)
    return select_where(self, dim, index)


def select_slice(self: Any, dim: int, index: int) -> Any:
    return np.take(self, index, axis=dim)


def select_where(self: Any, condition: Any, y: Any) -> Any:
    return ops.select(condition, self, y)


def _by_first_argument(if_int: Any, otherwise: Any) -> Any:
    """The function compiled for a call: the first argument's kind is known while
    compiling (a Python int, or an array), though an array's values are not."""
    def pick(args: list, kwargs: dict) -> Any:
        first = args[0] if args else next(iter(kwargs.values()), None)
        return if_int if isinstance(first, int) else otherwise
    return pick


gather.__compiled_form__ = _by_first_argument(gather_elements, gather_indices)  # type: ignore
select.__compiled_form__ = _by_first_argument(select_slice, select_where)  # type: ignore


def _along(dim: int, ndim: int, values: Any) -> Any:
    """A vector laid along axis ``dim`` of an array of rank ``ndim``, to broadcast."""
    axis = dim % ndim
    return np.reshape(values, tuple([-1 if d == axis else 1 for d in range(ndim)]))


def index_add(self: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
    """``alpha`` times the slices of ``source`` added to those of ``x`` along ``dim`` that
    ``index`` names, a repeated index adding each time: a product with the 0/1 matrix
    of ``index``, so the gradient of each is that of a product."""
    n = np.shape(self)[dim]
    hits = np.expand_dims(index, -1) == np.arange(n)  # (len(index), n)
    moved = np.moveaxis(source, dim, -1)  # (..., len(index))
    added = np.moveaxis(np.matmul(moved, hits.astype(moved.dtype)), -1, dim)
    return self + alpha * added


def index_fill(self: Any, axis: int, index: Any, value: Any) -> Any:
    """``value`` in the slices along ``axis`` that ``index`` names."""
    n = np.shape(self)[axis]
    hit = np.any(np.expand_dims(index, -1) == np.arange(n), axis=0)
    return np.where(_along(axis, np.ndim(self), hit), value, self).astype(self.dtype)


def fill_diagonal(self: Any, fill_value: Any, wrap: bool = False) -> Any:
    """A copy with ``fill_value`` on the main diagonal (every index equal), as
    ``np.fill_diagonal`` places it: every ``step``-th entry of the flattened array,
    restarting below a tall matrix's square part only with ``wrap``."""
    shape = np.shape(self)
    if len(shape) == 2:
        step, end = shape[1] + 1, shape[0] * shape[1] if wrap else shape[1] * shape[1]
    else:
        step, end = 1 + int(np.sum(np.cumprod(shape[:-1]))), int(np.prod(shape))
    flat = np.arange(int(np.prod(shape)))
    on = (flat % step == 0) & (flat < end)
    return np.where(np.reshape(on, shape), fill_value, self).astype(self.dtype)


def sum_to_size(self: Any, *size: Any) -> Any:
    """The sum down to ``size``, as a gradient is unbroadcast: over the leading axes
    ``size`` lacks, and (kept) over those it gives as 1."""
    if len(size) == 1 and isinstance(size[0], tuple | list):
        size = tuple(size[0])
    shape = np.shape(self)
    lead = len(shape) - len(size)
    out = np.sum(self, axis=tuple(range(lead))) if lead > 0 else self
    ones = tuple(i for i, (d, s) in enumerate(zip(shape[lead:], size)) if s == 1 and d != 1)
    return np.sum(out, axis=ones, keepdims=True) if ones else out
