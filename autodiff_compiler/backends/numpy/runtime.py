"""What the NumPy backend's generated code runs in: NumPy, ``math`` for Python floats,
the reference helpers of ``ir.reference`` and the functions registered with
``extend.defprimitive``, which generated code calls as ``ext.<name>``."""
import math
import types

import numpy as np

from ...ir import reference

# Functions registered with ``extend.defprimitive``: generated code calls ``ext.<name>``.
EXTENSIONS = types.SimpleNamespace()

# Generated code's namespace: NumPy, the registered functions, ``slice`` for indices
# computed at run time, ``float`` and ``int`` (``x.item()``), ``str`` (f-strings), and
# every public helper of ``reference``.
NAMESPACE = {"np": np, "math": math, "ext": EXTENSIONS, "slice": slice, "float": float,
             "int": int, "str": str, "bool": bool}
NAMESPACE.update((name, fn) for name, fn in vars(reference).items()
                 if isinstance(fn, types.FunctionType) and fn.__module__ == reference.__name__
                 and not name.startswith("_"))
