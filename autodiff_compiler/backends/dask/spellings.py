"""How the dask backend writes each primitive: the NumPy backend's spelling, with
``np.<name>`` turned into ``da.<name>`` where ``dask.array`` has that function.

A ``da.`` function takes NumPy operands too and returns a dask array, so a gradient
whose inputs mix dask and NumPy arrays stays one lazy graph. A NumPy ufunc dask has
no wrapper for stays ``np.<name>``: on a dask array it dispatches lazily through
``__array_ufunc__``. Operators, methods (``astype``) and attributes (``T``) are the
same on both. Anything else is not spelled at all: ``refusals`` rejects it first.
"""
from __future__ import annotations

import dask.array as da
import numpy as np

from ...ir.core import Eqn
from ...ir.primitives import Primitive
from ..numpy.spellings import own_spelling

Spelling = tuple[str, str]

# Primitives whose dask form is a helper of ``runtime``, called by this name.
_OWN = {"cholesky": ("call", "cholesky"), "copy": ("call", "da.asarray"),
        "norm": ("call", "norm"), "reshape": ("call", "reshape"), "eye": ("call", "eye"),
        "pad": ("call", "pad"), "scipy_polygamma": ("call", "polygamma")}
# NumPy functions that only read metadata (shape, dtype): nothing to compute.
_METADATA = frozenset(["shape", "ndim", "size", "result_type"])


def dask_spelling(prim: Primitive) -> Spelling | None:
    """The primitive's dask spelling, or None where there is no lazy one."""
    if prim.name in _OWN:
        return _OWN[prim.name]
    kind, text = own_spelling(prim)
    if kind != "call" or not text.startswith("np."):
        return kind, text  # an operator, method, attribute or runtime helper
    name = text[len("np."):]
    module, _, leaf = name.rpartition(".")
    dask_module = da.linalg if module == "linalg" else da if not module else None
    if dask_module is not None and callable(getattr(dask_module, leaf, None)):
        return "call", f"da.{name}"
    if not module and (leaf in _METADATA or isinstance(getattr(np, leaf, None), np.ufunc)):
        return kind, text  # dispatched lazily by dask's __array_ufunc__
    return None


def spell(eqn: Eqn, python_floats: bool = False) -> Spelling:
    """How ``eqn`` is written (``python_floats`` is ignored: no ``math`` on values
    that may be dask arrays)."""
    spelling = dask_spelling(eqn.prim)
    if spelling is None:  # refusals.check ran first; reaching here is a compiler bug
        raise AssertionError(f"no dask spelling for {eqn.prim.name}")
    return spelling
