"""jvp and vjp, as MindSpore 2.x spells them (and the JAX-style forms that do not clash).

MindSpore's ``jvp(fn, inputs, v, has_aux=False)`` takes one Tensor or a tuple of them
for ``inputs`` and ``v``; JAX's ``jvp(fn, primals, tangents)`` takes sequences. A tuple
means the same to both, so one function serves both: a bare array or float is one
input. ``vjp(fn, *inputs, weights=None, has_aux=False)`` is the same call in both; its
``vjp_fn`` takes the cotangents as one tuple (MindSpore) or one argument each (JAX).

Both compile once per kind of arguments through ``GradFunction`` (same cache as
``grad``); the Jacobian transforms (``jacobians``) reuse the compiled program per basis
vector through ``forward_program`` and ``reverse_program``.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .api import GradFunction
from .errors import AutodiffError, AutodiffTypeError, AutodiffValueError, Loc
from .frontend.captures import is_array
from .ir.core import Aval
from .options import grad_spec
from .pipeline.compiler import Compiled
from .pipeline.spec import GradSpec

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def call_site() -> Loc | None:
    """The user's line that called into the package: where a bad argument came from."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return None
    import linecache
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    return Loc(frame.f_code.co_filename, frame.f_lineno, 0, None, line, frame.f_code.co_name)


def refuse(message: str, hint: str | None = None, kind: type = AutodiffTypeError) -> None:
    """Raise a bad-argument error located at the user's call, with no package frames."""
    raise kind(message, call_site(), hint=hint).with_traceback(None) from None


def is_float_value(a: Any) -> bool:
    """A value that can carry a tangent: a Python float or a float (or complex) array."""
    return isinstance(a, float) or (is_array(a) and Aval.of(a).is_float)


def _as_inputs(inputs: Any, what: str) -> tuple:
    """MindSpore's ``inputs``/``v``: a tuple or list of values, or one bare value."""
    if isinstance(inputs, tuple | list):
        return tuple(inputs)
    if is_array(inputs) or isinstance(inputs, float | int | complex):
        return (inputs,)
    refuse(f"jvp {what} must be an array, a float or a tuple of them, not "
           f"{type(inputs).__name__}", hint="e.g. jvp(f, x, v) or jvp(f, (x, y), (vx, vy))")
    raise AssertionError  # unreachable: refuse raised


def check_flag(name: str, value: Any) -> bool:
    """A yes/no option: a bool, as MindSpore checks (a truthy string is no answer)."""
    if not isinstance(value, bool | np.bool_):
        refuse(f"{name} must be True or False, not {value!r}")
    return bool(value)


def split_aux(out: Any) -> tuple[Any, Any]:
    """``(output, aux)`` of a ``has_aux`` function as MindSpore splits it: the first
    output, and the second alone or the rest as a tuple."""
    if not (isinstance(out, tuple | list) and len(out) >= 2):
        refuse("has_aux=True needs the function to return more than one output "
               "(output, aux...)", hint="return (output, aux), or drop has_aux=True",
               kind=AutodiffValueError)
    return out[0], (out[1] if len(out) == 2 else tuple(out[1:]))


# ---------------------------------------------------------------------------- forward


def forward_program(fn: Callable[..., Any], args: tuple, positions: Sequence[int],
                    specialize: bool = True) -> tuple[tuple, Compiled]:
    """The compiled forward-mode program of ``fn`` at ``args`` for tangents at
    ``positions``, and the arguments bound (defaults as arguments); evaluate it with
    ``compiled.finish(compiled.run(bound, tangents))``."""
    spec = GradSpec(tuple(positions), False, None, False, False, False, True,
                    specialize=specialize, forward=True)
    grad_fn = GradFunction(fn, spec)
    bound = grad_fn._bind(args, {})
    return bound, grad_fn.compiled_for(bound)


def jvp(fn: Callable[..., Any], inputs: Any, v: Any, has_aux: bool = False,
        specialize: bool = True) -> tuple:
    """``(outputs, jvp_outputs)`` by forward mode, or ``(outputs, jvp_outputs, aux)``
    with ``has_aux`` (the tangent of the first output only).

    ``inputs``: one array or float, or a tuple/list of arguments; ``v``: the tangent of
    each, shaped like it (a tuple for a tuple). Tangents may also be given for the float
    arguments only, as earlier versions took them; a non-float argument's tangent must
    be ``None`` or zeros. ``specialize=False`` compiles shape-generic code.
    """
    has_aux = check_flag("has_aux", has_aux)
    primals = _as_inputs(inputs, "inputs")
    tangents = _as_inputs(v, "v") if not (len(primals) == 1 and is_array(v)) else (v,)
    positions = tuple(i for i, a in enumerate(primals) if is_float_value(a))
    if len(tangents) == len(primals) != len(positions):
        for i, t in enumerate(tangents):
            if i not in positions and t is not None and np.any(t):
                refuse(f"jvp: argument {i} is not a float value, so its tangent must be "
                       f"None or zeros", hint="differentiate only float arguments")
        tangents = tuple(tangents[i] for i in positions)
    if len(tangents) != len(positions):
        refuse(f"jvp needs one tangent per float argument ({len(positions)}), got "
               f"{len(tangents)}", kind=AutodiffValueError,
               hint="pass v with the same structure as inputs")
    _check_shapes("tangent", tangents, [np.shape(primals[i]) for i in positions],
                  "float argument")
    bound, compiled = forward_program(fn, primals, positions, specialize)
    out, tangent = compiled.finish(compiled.run(bound, tuple(tangents)))
    if not has_aux:
        return out, tangent
    value, aux = split_aux(out)
    return value, split_aux(tangent)[0], aux


def _check_shapes(what: str, values: Sequence[Any], shapes: Sequence[Any], of: str) -> None:
    """Each tangent or cotangent shaped like its primal (``None``: not known), as
    MindSpore and JAX check: a wrong shape would broadcast into a wrong answer."""
    for i, (value, shape) in enumerate(zip(values, shapes)):
        if shape is not None and np.shape(value) != tuple(shape):
            refuse(f"{what} {i} has shape {np.shape(value)}, but {of} {i} has shape "
                   f"{tuple(shape)}", kind=AutodiffValueError,
                   hint=f"give each {what} the shape of its {of}")


# ---------------------------------------------------------------------------- reverse


def reverse_program(fn: Callable[..., Any], args: tuple, positions: Sequence[int],
                    weights: Any = None, has_aux: bool = False,
                    specialize: bool = True) -> tuple[tuple, Compiled]:
    """The compiled reverse-mode program of ``fn`` taking cotangents as inputs, and the
    arguments bound; ``compiled.finish(compiled.run(bound, cotangents))`` gives
    ``(value, gradients)``. Cotangents go to the float outputs (of the first output
    with ``has_aux``), in order."""
    try:
        spec = grad_spec(tuple(positions) if positions else None, weights, has_aux, False,
                         with_value=True, cotangent_inputs=True)
    except AutodiffError as err:
        refuse(err.message, err.hint, kind=type(err))
    spec = replace(spec, bare_position=False, specialize=specialize)
    grad_fn = GradFunction(fn, spec)
    bound = grad_fn._bind(args, {})
    return bound, grad_fn.compiled_for(bound)


def float_outputs(compiled: Compiled) -> list:
    """The outputs a cotangent goes to, as IR variables (shape and dtype)."""
    outs = compiled.primal.outvars
    if compiled.spec.has_aux:
        outs = outs[:_first_output_size(compiled)]
    return [v for v in outs if v.aval.is_float]


def _first_output_size(compiled: Compiled) -> int:
    """How many leaves the first output has (the value skeleton marks them ``LEAF``)."""
    from . import trees
    first = compiled.value_skeleton[0]
    return len(trees.flatten(first, lambda node: node is trees.LEAF)[0])


def vjp(fn: Callable[..., Any], *inputs: Any, weights: Any = None, has_aux: bool = False,
        specialize: bool = True) -> tuple:
    """``(outputs, vjp_fn)``, or ``(outputs, vjp_fn, aux)`` with ``has_aux`` (then the
    first output is the one differentiated).

    ``vjp_fn(v)`` takes one cotangent per float output (a tuple of them when there are
    several, or one argument each) and returns a tuple with one gradient per float
    argument; with ``weights`` (Parameters), ``(input gradients, weight gradients)``,
    the latter bare for one bare Parameter, as MindSpore returns them.
    """
    has_aux = check_flag("has_aux", has_aux)
    positions = tuple(i for i, a in enumerate(inputs) if is_float_value(a))
    if not positions and weights is None:
        refuse("vjp needs at least one float argument to differentiate",
               hint="pass float arrays (or Python floats), or weights=[Parameters]")
    bound, compiled = reverse_program(fn, inputs, positions, weights, has_aux, specialize)
    outputs = float_outputs(compiled)
    name = getattr(fn, "__qualname__", type(fn).__name__)

    def vjp_fn(*cotangents: Any) -> tuple:
        if len(cotangents) == 1 and isinstance(cotangents[0], tuple | list) and \
                (len(outputs) != 1 or len(cotangents[0]) == 1):
            cotangents = tuple(cotangents[0])  # MindSpore: one tuple of cotangents
        if len(cotangents) != len(outputs):
            refuse(f"vjp_fn takes one cotangent per float output of {name} "
                   f"({len(outputs)}), got {len(cotangents)}",
                   hint="pass a tuple of cotangents shaped like the outputs")
        _check_shapes("cotangent", cotangents, [o.aval.shape for o in outputs], "output")
        return compiled.finish(compiled.run(bound, cotangents))[1]

    out = fn(*inputs)
    if not has_aux:
        return out, vjp_fn
    value, aux = split_aux(out)
    return value, vjp_fn, aux
