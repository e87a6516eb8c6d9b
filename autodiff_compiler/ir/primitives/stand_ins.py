"""Result types by evaluation: a primitive's impl run on stand-in values.

Most primitives need no aval rule of their own: NumPy, called on zero-filled arrays of
the operands' shapes and dtypes, says what the result's shape and dtype are. A
stand-in's values are not the run-time values, though, and some results' shapes
follow the values (``np.zeros(n)``, ``np.repeat(x, r)``): there the shape is left
unknown, where a primitive declares the operand a size (``Primitive.sizes``) or, as a
net under the declarations, where other stand-in values give another shape.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..core import Atom, Aval, Const

if TYPE_CHECKING:
    from .core import Primitive


def eval_avals(prim: Primitive, args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    """The results' avals, from ``prim.impl`` on zero-filled stand-ins when the operands'
    shapes are known. Where only shapes are (a branch whose paths give float32 and
    float64), float64 stand-ins give the results' shapes, their dtypes left unknown."""
    if not all(isinstance(a, Const) or a.aval.shape is not None for a in args):
        return [Aval()] * prim.n_out
    dtypes_known = all(isinstance(a, Const) or a.aval.dtype is not None for a in args)
    avals = [a.aval if isinstance(a, Const) or a.aval.dtype is not None
             else Aval(a.aval.shape, np.dtype(np.float64)) for a in args]
    try:
        try:
            result = _call(prim, args, [Aval.example] * len(args), avals, params)
        except np.linalg.LinAlgError:  # zeros are singular: identities are not
            result = _call(prim, args, [_identities] * len(args), avals, params)
    except Exception:  # the real call raises again at run time, with the user's line
        return [Aval()] * prim.n_out
    out = _result_avals(prim, result)
    if _shapes_vary(prim, args, avals, out, params):
        out = [replace(a, shape=None) for a in out]
    return out if dtypes_known else [Aval(a.shape) for a in out]


def _shapes_vary(prim: Primitive, args: Sequence[Atom], avals: Sequence[Aval],
                 out: Sequence[Aval], params: Mapping[str, Any]) -> bool:
    """Whether the results' shapes depend on the run-time operands' values: a declared
    size is one, or, as a net under the declarations, the call with the operands that
    could be sizes or masks (0-d, integer, boolean) given other values (``1, 2, 3...``,
    else ``-1``: an index valid on every axis) gives other shapes. Where neither can be
    computed, no shape is trusted."""
    if any(not isinstance(args[i], Const) for i in prim.sizes if i < len(args)):
        return True
    varied = [not isinstance(a, Const) and _may_size(v) for a, v in zip(args, avals)]
    if not any(varied):
        return False
    for fill in (Aval.counting_example, Aval.minus_ones):
        try:
            result = _call(prim, args, [fill if vary else Aval.example for vary in varied],
                           avals, params)
        except np.linalg.LinAlgError:  # singular: a solver's shapes are its operands'
            return False
        except Exception:
            continue
        return [a.shape for a in _result_avals(prim, result)] != [a.shape for a in out]
    return True


def _call(prim: Primitive, args: Sequence[Atom], fills: Sequence[Callable[[Aval], Any]],
          avals: Sequence[Aval], params: Mapping[str, Any]) -> Any:
    """``prim.impl`` on the constants as they are and each other operand's stand-in."""
    with np.errstate(all="ignore"):
        return prim.impl(*(a.value if isinstance(a, Const) else fill(v)
                           for a, fill, v in zip(args, fills, avals)), **params)


def _result_avals(prim: Primitive, result: Any) -> list[Aval]:
    results = result if prim.n_out != 1 else (result,)
    return [Aval.of(np.asarray(r)) if not isinstance(r, bool | int | float | tuple)
            else Aval.of(r) for r in results]


def _may_size(aval: Aval) -> bool:
    """Whether a value could give a result's shape: a count or a bound (0-d), repeats
    or indices (integers), a mask (booleans); a float array's values never do."""
    return aval.shape == () or aval.dtype.kind in "biu"


def _identities(aval: Aval) -> Any:
    """A stand-in of ``aval`` that ``np.linalg`` takes: identity matrices where its
    last two axes are square (zeros elsewhere)."""
    x = aval.example()
    if np.ndim(x) >= 2 and x.shape[-1] == x.shape[-2]:
        x = x + np.eye(x.shape[-1], dtype=x.dtype)
    return x
