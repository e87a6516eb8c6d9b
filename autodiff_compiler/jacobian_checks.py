"""What a Jacobian takes and what it refuses: the positions differentiated, the facts
``jacobians`` reads of a value (its shape and dtype, symbolic or not), and the checks
that stop a Jacobian from answering where its answer would be partial.

The checks raise at the user's call (``directional.refuse``): a position out of range
or named twice, an argument that is not a float array (or a tuple, list or dict of
them), a Jacobian between a real and a complex value, a Hessian of an output that is
not a float.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import trees
from .directional import is_float_value, refuse
from .errors import AutodiffError, AutodiffTypeError, AutodiffValueError
from .ir.core import Var
from .options import grad_positions

if TYPE_CHECKING:
    from .pipeline.compiler import Compiled


def positions_of(grad_position: Any) -> tuple[tuple[int, ...], bool]:
    """``grad_position`` checked as ``grad`` checks it, and whether results are bare."""
    try:
        positions = grad_positions(grad_position)
    except AutodiffError as err:
        refuse(err.message, err.hint, kind=type(err))
    return positions, len(positions) == 1


def is_float(a: Any) -> bool:
    """A value a Jacobian can be taken with respect to (symbolic while compiling)."""
    if isinstance(a, Var):
        return a.aval.dtype is not None and a.aval.is_float
    return is_float_value(a)


def checked_positions(fn: Any, args: Sequence[Any], positions: Sequence[int]) -> tuple[int, ...]:
    """Positions made non-negative, each naming a float argument of the call."""
    out = []
    for p in positions:
        if not -len(args) <= p < len(args):
            refuse(f"grad_position {p} is out of range: {name_of(fn)} was called with "
                   f"{len(args)} arguments", kind=AutodiffValueError)
        p %= len(args)
        if any(isinstance(v, Var) and (v.aval.dtype is None or v.aval.shape is None)
               for v in tree_of(args[p])[0]):
            refuse(f"a Jacobian of {name_of(fn)} inside a differentiated function needs the "
                   "shapes and dtypes of its arguments, which shape-generic code learns "
                   "only at run time",
                   hint="differentiate shape-specialised code (the default)")
        if not is_float_tree(args[p]):
            refuse(f"cannot differentiate {name_of(fn)} with respect to argument {p}: it is "
                   f"{type(args[p]).__name__}, not a float array or float",
                   hint="pass a float array (or a tuple, list or dict of them) at that "
                        "position, or leave it out of grad_position")
        if p in out:  # (0, 0) or (0, -1) of one argument: jacfwd gave one copy zeros
            refuse(f"grad_position {tuple(positions)!r} names argument {p} twice",
                   hint="name each argument once; use its Jacobian twice if you need it "
                        "twice", kind=AutodiffValueError)
        out.append(p)
    return tuple(out)


def is_float_tree(a: Any) -> bool:
    leaves = tree_of(a)[0]
    return bool(leaves) and all(map(is_float, leaves))


def tree_of(a: Any) -> tuple[list[Any], Any]:
    """The leaves of an argument (itself, for an array) and its structure: a Jacobian
    with respect to a tuple, list or dict has that structure, one array per leaf. A
    None in a container is an empty subtree, as JAX takes it: None in the Jacobian."""
    return trees.flatten(a, lambda x: isinstance(x, Var) or not (
        isinstance(x, tuple | list | dict) or (x is None and a is not None)))


def name_of(fn: Any) -> str:
    return getattr(fn, "__qualname__", type(fn).__name__)


def shape_of(value: Any) -> tuple[int, ...]:
    if isinstance(value, Var):
        if value.aval.shape is None:
            raise AutodiffError("a Jacobian needs the shapes of the values it relates, "
                                "and one of them is known only when the code runs",
                                hint="call it on arrays, and make the shapes depend on the "
                                     "arguments' shapes only (not on their values); jvp and "
                                     "vjp give a Jacobian's products without its shape")
        return value.aval.shape
    return np.shape(value)


def dtype_of(value: Any) -> Any:
    if isinstance(value, Var):
        return value.aval.dtype
    return np.result_type(value) if not isinstance(value, float) else np.float64


def is_complex(value: Any, complex_: bool = True) -> bool:
    """Whether ``value`` is known to be complex (with ``complex_=False``: real)."""
    dtype = dtype_of(value)
    return dtype is not None and np.issubdtype(dtype, np.complexfloating) == complex_


def is_real(value: Any) -> bool:
    return is_complex(value, False)


def refuse_real_and_complex(fn: Any, kind: str, outputs: Sequence[Any],
                             inputs: Sequence[Any]) -> None:
    """A Jacobian between a real and a complex value is not a complex matrix: reverse
    mode from a complex output to a real input gives the derivative of the output's real
    part alone, forward mode from a complex input to a real output the derivative along
    the real axis alone. Both would look like the Jacobian; holomorphic complex-to-complex
    functions, and each mode's other direction, are what it computes right."""
    if kind == "jacrev":
        lossy = any(map(is_complex, outputs)) and any(map(is_real, inputs))
        what, other = "a complex output with respect to a real input", "jacfwd"
    else:
        lossy = any(map(is_complex, inputs)) and any(map(is_real, outputs))
        what, other = "a real output with respect to a complex input", "jacrev"
    if lossy:
        refuse(f"{kind} of {name_of(fn)}: the Jacobian of {what} is not a complex matrix, "
               f"and {kind} would give one part of it", kind=AutodiffTypeError,
               hint=f"use {other}, or differentiate the real and imaginary parts "
                    "(np.real, np.imag) as separate real outputs")


def refuse_non_float_outputs(fn: Any, compiled: Compiled) -> None:
    """A Hessian (``jacfwd(jacrev(f))``, as JAX's and torch.func's) is of float
    outputs, of any shape and number (a vector's is a stack of Hessians); one known to
    hold another dtype (an int, a bool) has no second derivative to give."""
    outs = compiled.primal.outvars
    wrong = [o for o in outs if o.aval.dtype is not None and not is_float(o)]
    if wrong:  # (a dtype known only at run time, as eigvals' real or complex, passes)
        refuse(f"hessian needs {name_of(fn)} to return float values, not "
               f"{wrong[0].aval.dtype} of shape {shape_of(wrong[0])}",
               kind=AutodiffTypeError,
               hint="return the float values to differentiate, the others as aux outside")
