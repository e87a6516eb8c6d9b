"""What a differentiated function returned: the outputs to differentiate, the aux
values, and the check that there is a float to differentiate at all.

MindSpore's ``grad`` differentiates the sum of every output (ones as the sensitivity),
or, with ``has_aux``, of the first; constants beside them contribute nothing. An output
holding no float (``None``, an int, a str, an integer array) has no gradient to give:
a ``TypeError`` at the function's ``def``, as JAX and MindSpore raise, rather than a
gradient of zeros that looks like an answer.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import trees
from ..errors import AutodiffTypeError, Loc
from ..ir.core import Var

if TYPE_CHECKING:
    from .spec import GradSpec


def seeds_of(out: Any, spec: GradSpec, loc: Loc | None, *, integers: bool = False
             ) -> tuple[list[Var], list[Var], Any]:
    """Outputs to differentiate (sum of all, or the first with ``has_aux``) and aux.
    With ``integers`` (an integer Tensor differentiated) MindSpore's integer Tensor
    outputs are differentiated too, as MindSpore does (int ones as the sensitivity)."""
    if spec.has_aux and not (isinstance(out, tuple | list) and len(out) >= 2):
        raise AutodiffTypeError(
            f"has_aux=True needs the function to return a tuple (output, aux...), but it "
            f"returned {_describe(out)}", loc,
            hint="return (loss, aux), or drop has_aux=True")
    loss = out[0] if spec.has_aux else out
    def seeded(v: Var) -> bool:
        return v.aval.is_float or (integers and v.tensor and v.aval.dtype.kind in "iu")
    # (nothing differentiated -- no positions, an empty list of weights -- asks for no
    # float: MindSpore's answer is ``()`` whatever the function returns)
    if not (spec.forward or spec.cotangent_inputs) and (spec.positions or spec.weights) and \
            not _has_float(loss) and not (
            integers and any(map(seeded, trees.flatten(loss, _is_var)[0]))):
        what = "its first output is" if spec.has_aux else "it returned"
        raise AutodiffTypeError(
            f"cannot differentiate the function: {what} {_describe(loss)}, not a float "
            f"value", loc,
            hint="return the loss as a float: a Python float, a float array or np.sum(...) "
                 "of one; return other values as aux with has_aux=True")
    seeds = [v for v in trees.flatten(loss, _is_var)[0] if seeded(v)]
    if not spec.has_aux:
        return seeds, [], None
    aux_leaves, aux_skeleton = trees.flatten(tuple(out[1:]), _is_var)
    return seeds, aux_leaves, aux_skeleton


def refuse_non_numbers(out: Any, transform: str, name: str, loc: Loc | None) -> None:
    """A Jacobian or a vjp of an output holding something that is not a number (``None``,
    a str): it has no derivative at all, where a constant number's is zero. Refused as
    ``grad`` refuses it, rather than answered with zeros that look like an answer."""
    leaves = trees.flatten(out, lambda x: isinstance(x, Var) or not isinstance(
        x, tuple | list | dict))[0]
    if any(not isinstance(leaf, Var | bool | int | float | complex | np.ndarray | np.generic)
           for leaf in leaves):
        raise AutodiffTypeError(
            f"cannot take {transform} of {name}: it returned {_describe(out)}, and only "
            "numbers have derivatives", loc,
            hint="return numbers only (arrays, floats), and other values outside the "
                 "function, or as aux with has_aux=True")


def _has_float(out: Any) -> bool:
    """Whether a (nested) output holds a float or complex value: something a gradient
    can be taken of (a constant one has a zero gradient)."""
    if isinstance(out, Var):
        return out.aval.is_float
    if isinstance(out, tuple | list):
        return any(_has_float(v) for v in out)
    if isinstance(out, dict):
        return any(_has_float(v) for v in out.values())
    if isinstance(out, bool):
        return False
    return isinstance(out, float | complex) or (
        isinstance(out, np.ndarray | np.generic) and np.issubdtype(out.dtype, np.inexact))


def _describe(out: Any) -> str:
    """What a function returned, for an error message: ``None``, ``an int``, ``an int64
    array``, ``a tuple of (an int, None)``."""
    if out is None:
        return "None"
    if isinstance(out, Var):
        if out.aval.dtype is None:  # (shape-generic code: not known when compiling)
            return "a scalar" if out.aval.shape == () else "an array"
        return _a(f"{out.aval} array" if out.aval.shape else f"{out.aval.dtype} scalar")
    if isinstance(out, tuple | list):
        return f"a {type(out).__name__} of ({', '.join(map(_describe, out))})"
    return _a(type(out).__name__)


def _a(noun: str) -> str:
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _is_var(x: Any) -> bool:
    return isinstance(x, Var)
