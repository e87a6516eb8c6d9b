"""Backends: how IR is written as code of one array library, and what that code needs
at run time.

``python`` holds what every Python-emitting backend shares (the code generator, the
writer, naming); each backend package says how each primitive is spelled and owns its
runtime helpers: ``numpy`` (the default), ``array_api`` (any library of the Python
array API standard), ``dask`` (lazy, chunked arrays computed by a cluster), ``numba``
(NumPy with elementwise work fused into compiled kernels). Imports
the IR and optimisation layers only.
"""
from __future__ import annotations

import importlib

from ..errors import AutodiffError
from .base import Backend

NAMES = ("numpy", "array_api", "dask", "numba")


# The optional extra that installs what each backend needs beyond NumPy.
_EXTRAS = {"array_api": "array-api", "dask": "dask", "numba": "numba"}


def get(name: str) -> Backend:
    """The backend called ``name``; its optional dependencies are imported now, and a
    missing one is named with the extra that installs it."""
    if name not in NAMES:
        raise AutodiffError(f"unknown backend {name!r}",
                            hint=f"choose one of {', '.join(NAMES)}")
    try:
        return importlib.import_module(f".{name}", __name__).BACKEND
    except ModuleNotFoundError as err:
        if err.name is None or err.name.startswith(__name__):
            raise
        raise AutodiffError(f"the {name} backend needs {err.name}, which is not installed",
                            hint=f"pip install 'autodiff-compiler[{_EXTRAS[name]}]'") \
            from None


__all__ = ["NAMES", "Backend", "get"]
