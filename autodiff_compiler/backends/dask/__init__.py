"""The dask backend: gradients as lazy ``dask.array`` graphs that a ``dask.distributed``
cluster (or dask's local scheduler) computes.

Decisions:

- *Spelling* (``spellings``): the NumPy backend's spelling with ``np.<f>`` as
  ``da.<f>`` where dask has ``f`` (dask's reductions are tree reductions over chunks,
  its ``@`` and ``tensordot`` contract block by block and sum the partial products),
  NumPy ufuncs dask does not wrap as ``np.<f>`` (they dispatch lazily), no ``math``
  (``python_floats=False``: a value may be a dask array where NumPy's code would have
  had a Python float).
- *Runtime* (``runtime``): the reference helpers that build only graph on dask
  arrays, ``sigmoid`` mapped over blocks. Nothing in generated code calls
  ``compute``, ``np.asarray`` or ``bool`` on a dask array.
- *Extensions*: a function registered with ``extend.defprimitive`` is called as it is,
  on dask arrays: lazy if it is written with functions dask arrays dispatch
  (``np.exp``, ``@``), computed otherwise; the compiler cannot tell which.
- *No in-place writes* (``out_function`` is None): dask arrays are immutable.
- *Refusals* (``refusals.check``): what would force a computation while the graph is
  built, or has no lazy form, is an ``AutodiffError`` at the user's line before any
  code is written, suggesting the NumPy backend.
- *Separable losses*: nothing is special-cased. A mean or sum over rows of a per-row
  loss differentiates into elementwise work on row chunks and contractions over the
  row axis (``X.T @ g``), which dask already writes as a map over chunks and a tree
  reduction; data is never gathered on one worker. A loss that is not separable runs
  too, as whatever graph dask makes of it.
- *Inputs*: dask arrays, NumPy arrays and Python scalars, mixed; a NumPy operand
  becomes a one-chunk dask array where it meets a ``da.`` function. Results are dask
  arrays (or NumPy values for gradients no dask input reaches).
"""
from __future__ import annotations

from ..base import Backend
from .refusals import check
from .runtime import NAMESPACE
from .spellings import spell

BACKEND = Backend("dask", spell, NAMESPACE, python_floats=False, check=check,
                  description="dask.array: lazy, chunked, computed by a dask cluster")
