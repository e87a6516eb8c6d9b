"""MindSpore's options of ``grad`` and its kin, checked as MindSpore checks them, and
turned into the ``GradSpec`` a compilation is asked for. A wrong option raises from
the user's call."""
from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

import numpy as np

from . import backends
from .errors import AutodiffError, AutodiffTypeError, AutodiffValueError, call_site
from .frontend.cells import is_parameter
from .pipeline.spec import GradSpec


def grad_spec(grad_position: Any, weights: Any, has_aux: bool, return_ids: bool,
          with_value: bool, cotangent_inputs: bool = False,
          backend: str = "numpy", listed: bool = False) -> GradSpec:
    """MindSpore's options checked; a wrong one raises from the user's call.
    ``listed``: positions given as JAX's tuple ``argnums``, whose gradients are a tuple."""
    try:
        spec = _checked_spec(grad_position, weights, has_aux, return_ids, with_value,
                             cotangent_inputs)
        if listed:
            spec = replace(spec, bare_position=False)
        if backend not in backends.NAMES:
            raise AutodiffError(f"unknown backend {backend!r}",
                                hint=f"choose one of {', '.join(map(repr, backends.NAMES))}")
        return replace(spec, backend=backend)
    except AutodiffError as err:
        err.loc = err.loc or call_site()  # the user's grad(...) call
        raise err.with_traceback(None) from None


def jax_spellings(grad_position: Any, argnums: Any, holomorphic: Any) -> tuple[Any, bool]:
    """JAX's keywords taken beside MindSpore's: ``argnums`` in place of ``grad_position``,
    and whether its positions were a tuple (JAX then gives a tuple of gradients even for
    one position, where MindSpore's ``grad_position=(0,)`` gives the gradient bare).
    ``holomorphic`` is checked and changes nothing: the derivative of a complex output
    is its vjp with a cotangent of ones, which is what JAX's ``holomorphic=True`` gives
    (compared with JAX 0.4 on holomorphic and non-holomorphic functions)."""
    try:
        _flag("holomorphic", holomorphic)
        if argnums is None:
            return grad_position, False
        if not (_is_int(grad_position) and grad_position == 0):
            raise AutodiffValueError(
                f"grad_position={grad_position!r} and argnums={argnums!r} both given",
                hint="argnums is JAX's name for grad_position: give one of them")
        listed = isinstance(argnums, tuple | list)
        return (tuple(argnums) if listed else argnums), listed
    except AutodiffError as err:
        err.loc = err.loc or call_site()
        raise err.with_traceback(None) from None


def _checked_spec(grad_position: Any, weights: Any, has_aux: bool, return_ids: bool,
                  with_value: bool, cotangent_inputs: bool) -> GradSpec:
    if grad_position is None and weights is None:
        raise ValueError("grad_position and weights cannot both be None: "
                         "say what to differentiate with respect to")
    has_aux, return_ids = _flag("has_aux", has_aux), _flag("return_ids", return_ids)
    positions = None if grad_position is None else _mindspore_positions(grad_position)
    bare_weight, params = is_parameter(weights), None
    if weights is not None:
        iterable = isinstance(weights, Iterable) and not isinstance(weights, np.ndarray)
        params = (weights,) if bare_weight or not iterable else tuple(weights)
        for w in params:
            if not is_parameter(w):
                raise AutodiffTypeError(
                    f"weights must be Parameters, not {type(w).__name__}",
                    hint="wrap the array: Parameter(array, name='w'), or pass it as an "
                         "argument and use grad_position")
    # one position's gradient comes bare; with return_ids MindSpore 2.10 gives the
    # (position, gradient) pair bare for position 0 only, in a 1-tuple for any other
    # (measured: grad_position=1 or (1,) gives ((1, g),), 0 or (0,) gives (0, g))
    bare_position = positions is not None and len(positions) == 1 and \
        (not return_ids or positions == (0,))
    return GradSpec(positions, bare_position, params, bare_weight, has_aux, return_ids,
                    with_value, cotangent_inputs)


def grad_positions(grad_position: Any) -> tuple[int, ...]:
    """``grad_position`` as a tuple of ints: an int (NumPy's too) or a non-empty tuple or
    list of them. Negative positions count from the end, as Python indexes; whether a
    position exists is checked against the arguments of each call."""
    items = grad_position if isinstance(grad_position, tuple | list) else (grad_position,)
    if not items or not all(_is_int(p) for p in items):
        raise AutodiffTypeError(
            f"grad_position must be an int or a tuple of ints, not {grad_position!r}",
            hint="e.g. grad_position=0, or grad_position=(0, 2) for several arguments")
    return tuple(operator.index(p) for p in items)


def _mindspore_positions(grad_position: Any) -> tuple[int, ...]:
    """``grad_position`` of ``grad``/``value_and_grad``, held to MindSpore 2.10's rules:
    an int or a tuple (a list is a TypeError there), no position below 0 and none twice
    (ValueErrors there)."""
    if isinstance(grad_position, list):
        raise AutodiffTypeError(
            f"grad_position must be an int or a tuple of ints, not the list {grad_position!r}",
            hint=f"write it as a tuple: grad_position={tuple(grad_position)!r}")
    positions = grad_positions(grad_position)
    if any(p < 0 for p in positions):
        raise AutodiffValueError(
            f"grad_position must be >= 0, not {grad_position!r}",
            hint="count positions from the first argument (0), as MindSpore does")
    if len(set(positions)) != len(positions):
        raise AutodiffValueError(
            f"grad_position {grad_position!r} names a position twice",
            hint="name each argument once; use the gradient twice if you need it twice")
    return positions


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def _flag(name: str, value: Any) -> bool:
    """A yes/no option: a bool, as MindSpore checks (a truthy string is no answer)."""
    if not isinstance(value, bool | np.bool_):
        raise AutodiffTypeError(f"{name} must be True or False, not {value!r}")
    return bool(value)
