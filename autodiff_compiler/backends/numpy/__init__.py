"""The NumPy backend (the default): primitives spelled as NumPy (``spellings``), the
namespace generated code runs in (``runtime``), and NumPy's ufuncs writing into a dead
operand's array (``out=``)."""
from __future__ import annotations

import numpy as np

from ...ir.core import Eqn
from ..base import Backend
from .runtime import NAMESPACE
from .spellings import own_spelling, spell

_BINOP_UFUNCS = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.true_divide,
                 "**": np.power, "//": np.floor_divide, "%": np.remainder}
_UNARYOP_UFUNCS = {"-": np.negative}


def ufunc_name(eqn: Eqn) -> str | None:
    """``"np.multiply"`` if ``eqn`` is a plain call of a NumPy ufunc (which takes ``out=``)."""
    if eqn.params or len(eqn.outvars) != 1 or eqn.prim.form != "apply":
        return None
    kind, text = own_spelling(eqn.prim)
    ufunc = (_BINOP_UFUNCS.get(text) if kind == "binop" else
             _UNARYOP_UFUNCS.get(text) if kind == "unaryop" else
             eqn.prim.impl if kind == "call" else None)
    return f"np.{ufunc.__name__}" if isinstance(ufunc, np.ufunc) else None


BACKEND = Backend("numpy", spell, NAMESPACE, out_function=ufunc_name, python_floats=True,
                  numpy_arrays=True, description="NumPy (the default)")
