"""Jacobians and Hessians: ``jacfwd``, ``jacrev`` (MindSpore 2.x), ``hessian`` and ``hvp``.

Each is built on one compiled program — the forward-mode program of ``jvp``, the
reverse-mode program of ``vjp``, or the forward-over-reverse program of ``jvp`` of
``grad`` — compiled once per kind of arguments and evaluated once per basis vector
(a column of the Jacobian for ``jacfwd``, a row for ``jacrev``). A batching transform
of the IR will make each of them one call of one vectorised program; the results and
their shapes will not change.

Shapes follow MindSpore's (measured on 2.x): the Jacobian of an output of shape ``S``
with respect to an input of shape ``I`` has shape ``S + I``; several positions give a
tuple over positions (one position, even as ``(0,)``, gives the array alone); several
outputs give a tuple over outputs, each holding the positions' part. With
``has_aux`` the first output is differentiated and ``(jacobian, aux)`` is returned,
``aux`` being the second output alone or the rest as a tuple.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .api import grad
from .directional import (
    check_flag,
    float_outputs,
    forward_program,
    is_float_value,
    jvp,
    refuse,
    reverse_program,
    split_aux,
)
from .errors import AutodiffError, AutodiffValueError
from .options import grad_positions


def _positions(grad_position: Any) -> tuple[tuple[int, ...], bool]:
    """``grad_position`` checked as ``grad`` checks it, and whether results are bare."""
    try:
        positions = grad_positions(grad_position)
    except AutodiffError as err:
        refuse(err.message, err.hint, kind=type(err))
    return positions, len(positions) == 1


def _checked(fn: Any, args: tuple, positions: Sequence[int]) -> tuple[int, ...]:
    """Positions made non-negative, each naming a float argument of the call."""
    out = []
    for p in positions:
        if not -len(args) <= p < len(args):
            refuse(f"grad_position {p} is out of range: {_name(fn)} was called with "
                   f"{len(args)} arguments", kind=AutodiffValueError)
        p %= len(args)
        if not is_float_value(args[p]):
            refuse(f"cannot differentiate {_name(fn)} with respect to argument {p}: it is "
                   f"{type(args[p]).__name__}, not a float array or float",
                   hint="pass a float array at that position, or leave it out of "
                        "grad_position")
        out.append(p)
    return tuple(out)


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", type(fn).__name__)


def _outputs(out: Any) -> tuple[list[Any], bool]:
    """The outputs as a list, and whether the function returned a tuple of several."""
    if isinstance(out, tuple | list):
        return list(out), True
    return [out], False


def _arrange(jac: list[list[np.ndarray]], several_outputs: bool, bare: bool) -> Any:
    """``jac[output][position]`` shaped as MindSpore returns it."""
    per_output = [row[0] if bare else tuple(row) for row in jac]
    return tuple(per_output) if several_outputs else per_output[0]


def _basis(shape: tuple[int, ...], dtype: Any) -> Any:
    """Unit arrays of ``shape``, one per element in C order (a float for 0-d floats)."""
    size = int(np.prod(shape, dtype=np.int64))
    for k in range(size):
        e = np.zeros(size, dtype=dtype)
        e[k] = 1
        yield e.reshape(shape)


def _dtype(value: Any) -> Any:
    return np.result_type(value) if not isinstance(value, float) else np.float64


def jacfwd(fn: Callable[..., Any], grad_position: Any = 0, has_aux: bool = False) \
        -> Callable[..., Any]:
    """The Jacobian of ``fn`` by forward mode: one tangent per input element, so it is
    the cheaper one for wide outputs and few inputs. MindSpore's signature and shapes
    (module docstring). The jvp program is compiled once and evaluated per column; a
    batching transform will make it one call."""
    positions, bare = _positions(grad_position)
    has_aux = check_flag("has_aux", has_aux)

    def jacobian(*args: Any) -> Any:
        fn_ = _composable(fn, args)
        wrt = _checked(fn_, args, positions)
        bound, compiled = forward_program(fn_, args, wrt)
        zeros = [np.zeros_like(args[p], dtype=_dtype(args[p])) for p in wrt]
        columns: list[list[list[np.ndarray]]] = []  # [position][column][output]
        out = full = None
        for j, p in enumerate(wrt):
            cols = []
            for e in _basis(np.shape(args[p]), _dtype(args[p])):
                tangents = list(zeros)
                tangents[j] = e
                full, tangent = compiled.finish(compiled.run(bound, tuple(tangents)))
                out = full
                if has_aux:
                    out, tangent = split_aux(full)[0], split_aux(tangent)[0]
                cols.append(_outputs(tangent)[0])
            columns.append(cols)
        if full is None:  # every position is empty (size 0): the value is still needed
            full = fn_(*args)
            out = split_aux(full)[0] if has_aux else full
        outs, several = _outputs(out)
        jac = [[_stack([c[i] for c in columns[j]], np.shape(o), np.shape(args[p]), -1)
                for j, p in enumerate(wrt)] for i, o in enumerate(outs)]
        result = _arrange(jac, several, bare)
        return (result, split_aux(full)[1]) if has_aux else result

    jacobian.__name__ = jacobian.__qualname__ = f"jacfwd_{getattr(fn, '__name__', 'fn')}"
    jacobian.__jacobian_of__ = ("jacfwd", fn, positions, has_aux)  # type: ignore[attr-defined]
    return jacobian


def jacrev(fn: Callable[..., Any], grad_position: Any = 0, has_aux: bool = False) \
        -> Callable[..., Any]:
    """The Jacobian of ``fn`` by reverse mode: one cotangent per output element, so it is
    the cheaper one for few outputs and wide inputs. MindSpore's signature and shapes
    (module docstring). The vjp program is compiled once and evaluated per row; a
    batching transform will make it one call."""
    positions, bare = _positions(grad_position)
    has_aux = check_flag("has_aux", has_aux)

    def jacobian(*args: Any) -> Any:
        fn_ = _composable(fn, args)
        wrt = _checked(fn_, args, positions)
        bound, compiled = reverse_program(fn_, args, wrt, has_aux=has_aux)
        out = fn_(*args)
        value, aux = split_aux(out) if has_aux else (out, None)
        outs, several = _outputs(value)
        takes = [is_float_value(o) for o in outs]
        shapes = [o.aval.shape for o in float_outputs(compiled)]
        zeros = [np.zeros(s, dtype=o.aval.dtype) for s, o in zip(shapes, float_outputs(compiled))]
        jac, k = [], 0
        for o, takes_one in zip(outs, takes):
            rows: list[tuple] = []
            if takes_one:
                for e in _basis(np.shape(o), _dtype(o)):
                    cotangents = list(zeros)
                    cotangents[k] = e
                    rows.append(compiled.finish(compiled.run(bound, cotangents))[1])
                k += 1
            jac.append([_stack([r[j] for r in rows], np.shape(o), np.shape(args[p]), 0)
                        if takes_one else np.zeros(np.shape(o) + np.shape(args[p]))
                        for j, p in enumerate(wrt)])
        result = _arrange(jac, several, bare)
        return (result, aux) if has_aux else result

    jacobian.__name__ = jacobian.__qualname__ = f"jacrev_{getattr(fn, '__name__', 'fn')}"
    jacobian.__jacobian_of__ = ("jacrev", fn, positions, has_aux)  # type: ignore[attr-defined]
    return jacobian


def _composable(fn: Any, args: tuple) -> Any:
    """``fn`` itself, or for a Jacobian of a scalar function (``jacrev(f)``, as in
    ``jacfwd(jacrev(f))``) the compiled ``grad`` it equals in value and structure, which
    compiled transforms can differentiate again. A Jacobian of anything else is refused:
    a Jacobian is evaluated per basis vector in Python, which no transform can trace
    until the batching transform makes it one program."""
    inner = getattr(fn, "__jacobian_of__", None)
    if inner is None:
        return fn
    kind, f, positions, has_aux = inner
    out = f(*args)
    if not has_aux and np.ndim(out) == 0 and is_float_value(np.asarray(out)):
        return grad(f, grad_position=positions)
    refuse(f"cannot differentiate {kind}({_name(f)}) again: that is supported for a "
           f"function returning one float scalar without has_aux, and "
           f"{_name(f)} returns {'aux' if has_aux else f'shape {np.shape(out)}'}",
           hint="for second derivatives of a scalar loss use hessian(f) or hvp(f, x, v); "
                "for a vector function differentiate grad or jvp forms instead")
    raise AssertionError  # unreachable: refuse raised


def _stack(parts: list[Any], out_shape: tuple, in_shape: tuple, axis: int) -> np.ndarray:
    """Columns (``axis=-1``) or rows (``axis=0``) into an array of ``out_shape + in_shape``."""
    if not parts:
        return np.zeros(out_shape + in_shape)
    flat = [np.broadcast_to(np.asarray(p), in_shape if axis == 0 else out_shape).ravel()
            for p in parts]
    return np.stack(flat, axis=axis).reshape(out_shape + in_shape)


def hessian(fn: Callable[..., Any], grad_position: Any = 0) -> Callable[..., Any]:
    """The Hessian of a scalar ``fn``: ``jacfwd(jacrev(fn))`` in meaning and shape
    (``H[i][j]`` of shape ``x_i.shape + x_j.shape`` for several positions). Computed
    forward over reverse: the ``jvp`` program of the compiled ``grad``, compiled once per
    kind of arguments and evaluated per basis vector (a batching transform will make it
    one call). A function returning anything but one float scalar is refused: the
    gradient of the sum of its outputs would look like an answer."""
    positions, bare = _positions(grad_position)

    def hess(*args: Any) -> Any:
        wrt = _checked(fn, args, positions)
        out = fn(*args)
        if not (np.ndim(out) == 0 and is_float_value(np.asarray(out))):
            refuse(f"hessian needs {_name(fn)} to return one float scalar, not "
                   f"{type(out).__name__} of shape {np.shape(out)}",
                   hint="sum the output first, or take jacfwd(jacrev(f)) of a scalar part")
        gradient = grad(_composable(fn, args), grad_position=positions)
        floats = [i for i, a in enumerate(args) if is_float_value(a)]
        bound, compiled = forward_program(gradient, args, floats)
        zeros = {i: np.zeros_like(args[i], dtype=_dtype(args[i])) for i in floats}
        cols = []  # cols[j][k][i]: d grad_i / d x_j along the k-th basis vector of x_j
        for p in wrt:
            per_col = []
            for e in _basis(np.shape(args[p]), _dtype(args[p])):
                tangents = tuple(e if i == p else zeros[i] for i in floats)
                tangent = compiled.finish(compiled.run(bound, tangents))[1]
                per_col.append([tangent] if len(wrt) == 1 else list(tangent))
            cols.append(per_col)
        rows = [[_stack([c[i] for c in cols[j]], np.shape(args[p]), np.shape(args[q]), -1)
                 for j, q in enumerate(wrt)] for i, p in enumerate(wrt)]
        return rows[0][0] if bare else tuple(tuple(r) for r in rows)

    hess.__name__ = hess.__qualname__ = f"hessian_{getattr(fn, '__name__', 'fn')}"
    return hess


def hvp(fn: Callable[..., Any], primals: Any, v: Any, grad_position: Any = 0) -> Any:
    """``H @ v`` for a scalar ``fn`` at ``primals`` without forming ``H``: the tangent of
    ``grad(fn)`` along ``v`` (forward over reverse), as one compiled program costing a
    few evaluations of ``fn``. ``primals``/``v`` as ``jvp`` takes them; the result is
    shaped like the argument at ``grad_position`` (a tuple for several positions)."""
    positions, _ = _positions(grad_position)
    return jvp(grad(fn, grad_position=positions), primals, v)[1]
