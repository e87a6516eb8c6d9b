"""What the NumPy backend's generated code runs in: NumPy, ``math`` for Python floats,
SciPy (imported on first use), the reference helpers of ``ir.reference`` and the
functions registered with ``extend.defprimitive``, which generated code calls as
``ext.<name>``."""
import importlib
import math
import types
from typing import Any

import numpy as np

from ...ir import reference

# Functions registered with ``extend.defprimitive``: generated code calls ``ext.<name>``.
EXTENSIONS = types.SimpleNamespace()



class LazyPackage:
    """A package whose submodules are imported when generated code first reads them
    (``scipy.special.gammaln``): SciPy is optional and slow to import, and only code
    that calls it reads it."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, submodule: str) -> Any:
        module = importlib.import_module(f"{self._name}.{submodule}")
        setattr(self, submodule, module)
        return module

    def __repr__(self) -> str:
        return f"<package {self._name!r}, imported on first use>"


SCIPY = LazyPackage("scipy")

# Generated code's namespace: NumPy, SciPy, the registered functions, ``slice`` for
# indices computed at run time, ``float`` and ``int`` (``x.item()``), ``str``
# (f-strings), and every public helper of ``reference``.
NAMESPACE = {"np": np, "math": math, "scipy": SCIPY, "ext": EXTENSIONS, "slice": slice,
             "float": float, "int": int, "str": str, "bool": bool}
NAMESPACE.update((name, fn) for name, fn in vars(reference).items()
                 if isinstance(fn, types.FunctionType) and fn.__module__ == reference.__name__
                 and not name.startswith("_"))
