"""``COOTensor`` and ``CSRTensor``: MindSpore's sparse tensors, as its Tensor tutorial
makes and reads them.

A sparse tensor here is its parts, Tensors held as attributes, and NumPy reading them:
``to_dense`` scatters the values into zeros, ``mm``/``mv`` multiply row by row through
the compressed rows. Written in plain Python and NumPy, the classes compile like any
user class: a loss that builds one from a differentiated ``values`` and reads it back
(``to_dense``, ``mv``) has that gradient. MindSpore's CPU kernels take ``indptr`` and
``indices`` of int32 only for ``mm``/``mv`` and ``sum``; these take any integers.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Tensor

__all__ = ["COOTensor", "CSRTensor"]


def _tensor(value: Any) -> Any:
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value))


class _Sparse:
    """What both forms read off their values and shape."""

    values: Any
    shape: tuple

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    @property
    def size(self) -> int:
        return int(np.shape(self.values)[0])

    @property
    def ndim(self) -> int:
        return len(self.shape)


class COOTensor(_Sparse):
    """``values[k]`` at row ``indices[k]`` of an array of ``shape``, zeros elsewhere
    (``indices``: ``(N, ndim)`` integers)."""

    def __init__(self, indices: Any = None, values: Any = None, shape: Any = None,
                 coo_tensor: Any = None) -> None:
        if coo_tensor is not None:
            indices, values, shape = coo_tensor.indices, coo_tensor.values, coo_tensor.shape
        self.indices = _tensor(indices)
        self.values = _tensor(values)
        self.shape = tuple(int(n) for n in shape)

    def to_dense(self) -> Any:
        dense = np.zeros(self.shape, self.values.dtype)
        dense[tuple(np.asarray(self.indices).T)] = self.values
        return _tensor(dense)

    def to_tuple(self) -> tuple:
        return self.indices, self.values, self.shape

    def astype(self, dtype: Any) -> COOTensor:
        return COOTensor(self.indices, self.values.astype(dtype), self.shape)

    def abs(self) -> COOTensor:
        return COOTensor(self.indices, np.abs(self.values), self.shape)

    def __neg__(self) -> COOTensor:
        return COOTensor(self.indices, -self.values, self.shape)

    def __mul__(self, other: Any) -> COOTensor:
        """Times a dense Tensor (broadcast to ``shape``): the values times its entries
        at their indices."""
        dense = np.broadcast_to(other, self.shape)
        return COOTensor(self.indices, self.values * dense[tuple(np.asarray(self.indices).T)],
                         self.shape)

    def to_csr(self) -> CSRTensor:
        """The same 2-D tensor with compressed rows (entries sorted by row, then column)."""
        rows, cols = np.asarray(self.indices).T
        order = np.lexsort((cols, rows))
        indptr = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=self.shape[0]))])
        return CSRTensor(indptr.astype(np.asarray(self.indices).dtype), cols[order],
                         self.values[order], self.shape)

    def __repr__(self) -> str:
        return (f"COOTensor(shape={list(self.shape)}, dtype={self.dtype}, "
                f"indices={self.indices!r}, values={self.values!r})")


class CSRTensor(_Sparse):
    """Compressed rows: row ``i``'s entries are ``values[indptr[i]:indptr[i + 1]]`` at
    columns ``indices[indptr[i]:indptr[i + 1]]``."""

    def __init__(self, indptr: Any = None, indices: Any = None, values: Any = None,
                 shape: Any = None, csr_tensor: Any = None) -> None:
        if csr_tensor is not None:
            indptr, indices = csr_tensor.indptr, csr_tensor.indices
            values, shape = csr_tensor.values, csr_tensor.shape
        self.indptr = _tensor(indptr)
        self.indices = _tensor(indices)
        self.values = _tensor(values)
        self.shape = tuple(int(n) for n in shape)

    def _rows(self) -> np.ndarray:
        """Each entry's row, from the compressed offsets."""
        return np.repeat(np.arange(self.shape[0]), np.diff(np.asarray(self.indptr)))

    def to_dense(self) -> Any:
        dense = np.zeros(self.shape, self.values.dtype)
        dense[self._rows(), np.asarray(self.indices)] = self.values
        return _tensor(dense)

    def to_coo(self) -> COOTensor:
        indices = np.stack([self._rows(), np.asarray(self.indices)], axis=1)
        return COOTensor(indices.astype(np.asarray(self.indices).dtype), self.values,
                         self.shape)

    def to_tuple(self) -> tuple:
        return self.indptr, self.indices, self.values, self.shape

    def astype(self, dtype: Any) -> CSRTensor:
        return CSRTensor(self.indptr, self.indices, self.values.astype(dtype), self.shape)

    def abs(self) -> CSRTensor:
        return CSRTensor(self.indptr, self.indices, np.abs(self.values), self.shape)

    def __neg__(self) -> CSRTensor:
        return CSRTensor(self.indptr, self.indices, -self.values, self.shape)

    def mv(self, dense_vector: Any) -> Any:
        """The matrix times a vector: each entry times the vector at its column, summed
        by row."""
        products = self.values * np.take(dense_vector, np.asarray(self.indices))
        out = np.zeros(self.shape[0], np.result_type(products))
        np.add.at(out, self._rows(), products)
        return _tensor(out)

    def mm(self, dense_matrix: Any) -> Any:
        """The matrix times a dense matrix, row by row."""
        products = self.values[:, None] * np.take(dense_matrix, np.asarray(self.indices), axis=0)
        out = np.zeros((self.shape[0], np.shape(dense_matrix)[1]), np.result_type(products))
        np.add.at(out, self._rows(), products)
        return _tensor(out)

    def sum(self, axis: int) -> Any:
        """Summed along ``axis`` (kept, as MindSpore keeps it)."""
        return _tensor(np.sum(self.to_dense(), axis=axis, keepdims=True))

    def __mul__(self, other: Any) -> CSRTensor:
        dense = np.broadcast_to(other, self.shape)
        return CSRTensor(self.indptr, self.indices,
                         self.values * dense[self._rows(), np.asarray(self.indices)], self.shape)

    def __truediv__(self, other: Any) -> CSRTensor:
        dense = np.broadcast_to(other, self.shape)
        return CSRTensor(self.indptr, self.indices,
                         self.values / dense[self._rows(), np.asarray(self.indices)], self.shape)

    def __repr__(self) -> str:
        return (f"CSRTensor(shape={list(self.shape)}, dtype={self.dtype}, "
                f"indptr={self.indptr!r}, indices={self.indices!r}, values={self.values!r})")
