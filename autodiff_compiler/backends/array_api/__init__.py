"""The array API backend: gradients written in the Python array API standard, so the
same generated code runs on any conforming library (array-api-strict, NumPy, CuPy,
PyTorch through ``array-api-compat``).

Where generated code gets ``xp``: its first line binds it from its inputs, ``xp, x, y =
common_namespace(x, y)`` (``runtime.common_namespace``, array-api-compat's namespace,
looked up once per combination of input types; a NumPy array the function reads from a
global, beside another library's arguments, is moved into that library). The code then
says where its library comes from, runs on whichever library it is called with,
shape-generic code included, and needs nothing bound per specialisation; the cache keys each
specialisation on its arrays' types anyway (``pipeline.kinds.kind_of``). Functions it
calls (recursion) are nested defs that read the ``xp`` of the function around them.
With no array among the inputs (Python floats only), ``xp`` is NumPy's namespace.

Every primitive is spelled with ``xp`` (``spellings``) or a helper (``runtime``,
``layout``, ``products``) written with the standard's functions alone; constants too
(``xp.float64``, ``xp.inf``, an array constant through ``xp.asarray``). Nothing is
written in place (a conforming array may be immutable) and Python floats get no
``math`` spelling. A primitive the standard cannot express is refused before generating,
at the user's line, pointing to the NumPy backend.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import gast
import numpy as np

from ...errors import AutodiffError
from ...ir.core import Const, Function, regions
from ...ir.primitives import RUNTIME_TUPLES
from ...ir.reference import add_tapes, reversed_tape
from ..base import Backend
from ..python.expressions import Emitter, attr
from . import layout, products, runtime
from .promotion import explicit_promotion
from .spellings import keywords, refusal, spell

# Generated code's namespace: the helpers, ``slice`` for indices computed at run time,
# ``s_`` to write a constant index, and ``xp`` (bound by each function's first line;
# here so that no value of the user's is given the name).
NAMESPACE: dict[str, Any] = {
    "xp": None, "slice": slice, "array_namespace": runtime.array_namespace,
    "s_": type("IndexExpression", (), {"__getitem__": lambda self, index: index})(),
    # lists alone, and + of their elements: the same for every library
    "reversed_tape": reversed_tape, "add_tapes": add_tapes,
}
NAMESPACE.update((name, fn) for module in (runtime, layout, products)
                 for name, fn in vars(module).items()
                 if callable(fn) and getattr(fn, "__module__", None) == module.__name__
                 and not name.startswith("_"))


def prologue(params: Sequence[str]) -> list[str]:
    """The line binding ``xp`` from the generated function's inputs (and bringing a
    NumPy array it reads from outside into the arguments' library)."""
    if not params:
        return ["xp = array_namespace()"]
    names = ", ".join(params)
    return [f"xp, {names} = common_namespace({names})"]


def constant(em: Emitter, value: Any) -> gast.expr | None:
    """Constants in the standard's terms: ``xp.inf``, ``xp.float64``, a NumPy scalar as
    a 0-d array of its dtype, a NumPy array through ``xp.asarray``, an index as
    ``s_[1:, 0]``."""
    if type(value) is float and not math.isfinite(value):
        node = attr("xp", "nan" if math.isnan(value) else "inf")
        return gast.UnaryOp(gast.USub(), node) if value < 0 else node
    if isinstance(value, slice) or (isinstance(value, tuple) and any(
            isinstance(v, slice) for v in value)):
        return gast.Subscript(gast.Name("s_", gast.Load(), None, None), em.index(value),
                              gast.Load())
    if isinstance(value, type) and value in (float, int, bool, complex):
        value = np.dtype(value)
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(
            value, np.generic)):
        return attr("xp", np.dtype(value).name)
    if isinstance(value, np.generic):
        return gast.Call(attr("xp", "asarray"), [em.const(value.item())],
                         [gast.keyword("dtype", em.const(value.dtype))])
    if isinstance(value, np.ndarray):  # held by the namespace, made the library's per call
        name = f"const_{len(em.constants)}"
        em.constants[name] = value
        return gast.Call(attr("xp", "asarray"), [gast.Name(name, gast.Load(), None, None)], [])
    return None


def check(fn: Function, seen: set[int] | None = None, tuples: set | None = None) -> None:
    """Refuse, at its line, the first equation the standard cannot express (in ``fn``,
    its regions and the functions it calls)."""
    seen = set() if seen is None else seen
    tuples = set() if tuples is None else tuples
    for eqn in fn.eqns:
        why = refusal(eqn)
        if eqn.prim in RUNTIME_TUPLES or (eqn.prim.name == "getitem" and eqn.invars[0] in tuples
                                        and isinstance(eqn.invars[1], Const)
                                        and isinstance(eqn.invars[1].value, slice)):
            tuples.update(eqn.outvars)  # (a run-time shape, or a slice of one: its entries
            # are Python ints, which the code computes with as Python does)
        elif why is None and eqn.prim.form == "apply" and any(a in tuples for a in eqn.invars) \
                and eqn.prim.name not in ("reshape", "broadcast_to", "zeros", "ones", "full",
                                          "tuples_equal", "truth", "truth_not"):
            why = f"'{eqn.prim.name}' of a run-time shape's numbers (np.prod(y.shape) after a " \
                  "mask) has no spelling in the Python array API standard"
        if why is not None:
            raise AutodiffError(
                f"the array API backend cannot write this: {why}", eqn.loc or fn.loc,
                hint="use the NumPy backend (backend='numpy'), or write the function with "
                     "operations the standard has")
        for _, body in regions(eqn):
            check(body, seen, tuples)
        callee = eqn.params.get("callee")
        if callee is not None and id(callee) not in seen:
            seen.add(id(callee))
            check(callee.fn, seen)


BACKEND = Backend("array_api", spell, NAMESPACE, python_floats=False, check=check,
                  prologue=prologue, keywords=keywords, constant=constant,
                  prepare=explicit_promotion,
                  description="any library of the Python array API standard")
