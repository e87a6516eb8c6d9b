"""The emission context: where primitives called on symbolic values append equations.

Lowering and derivative rules both build IR by *calling primitives* on ``Var``s
(``P.sin(x) * g``). Each call binds one equation into the innermost active
``Builder``, stamped with the builder's current source location. Binding also works
out the result's ``Aval`` and folds calls whose inputs are all known scalars.

The stack of active builders is per thread: several threads may compile at once.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import AutodiffError, Loc
from .core import Atom, Const, Eqn, Function, Var

if TYPE_CHECKING:
    from .primitives.core import Primitive



class _Stacks(threading.local):
    """Each thread's builders, innermost last."""

    def __init__(self) -> None:
        self.stack: list[Builder] = []
        self.in_package = False  # lowering this package's own code (``lowering_package``)


_LOCAL = _Stacks()


def active() -> list[Builder]:
    """This thread's active builders, innermost last (empty outside compilation)."""
    return _LOCAL.stack


class Builder:
    """Collects equations in order; ``loc`` is stamped on each one bound."""

    def __init__(self, loc: Loc | None = None) -> None:
        self.eqns: list[Eqn] = []
        self.loc = loc

    def bind(self, prim: Primitive, args: tuple[Any, ...], params: Mapping[str, Any]) -> Any:
        if prim.differentiable and any(_holds_float_var(a) for a in args):
            raise AutodiffError(
                f"{prim.name} was given a list or tuple holding arrays, whose gradient "
                "it cannot carry", self.loc,
                hint="convert it first (np.stack, np.array) where NumPy would not")
        invars = tuple(as_atom(a) for a in args)
        tensor = any(isinstance(a, Var) and a.tensor for a in invars)  # (Var's docstring)
        if any(isinstance(a, Const) and _is_tensor(a.value) for a in invars):
            tensor = True  # a constant Tensor: computed with as a plain array
            invars = tuple(Const(a.value.view(np.ndarray)) if isinstance(a, Const)
                           and _is_tensor(a.value) else a for a in invars)
        if tensor:
            if prim.elementwise:
                invars = _numbers_of_numpy_scalars(invars)
            invars = _as_mindspore_computes(prim.name, invars)
        params = {k: _freeze(v) for k, v in params.items()
                  if k not in prim.defaults or not _equal(prim.defaults[k], v)}
        if prim.static_value is not None:
            value = prim.static_value(invars[0].aval)
            if value is not None:
                return value
        if prim.foldable and all(isinstance(a, Const) for a in invars):
            folded = _try_fold(prim, invars, params)
            if folded is not None:
                return folded
        avals = prim.abstract_eval(invars, params)
        outvars = tuple(Var(aval, tensor=tensor) for aval in avals)
        self.eqns.append(Eqn(outvars, prim, invars, params, self.loc))
        return outvars if prim.n_out != 1 else outvars[0]

    @contextmanager
    def at(self, loc: Loc | None) -> Iterator[None]:
        """Stamp equations bound inside the block with ``loc``."""
        saved, self.loc = self.loc, loc if loc is not None else self.loc
        try:
            yield
        finally:
            self.loc = saved


def _is_tensor(value: Any) -> bool:
    """A MindSpore Tensor (``__plain_array__``: compiled code sees a plain array)."""
    return isinstance(value, np.ndarray) and getattr(type(value), "__plain_array__", False)


def _numbers_of_numpy_scalars(invars: tuple[Atom, ...]) -> tuple[Atom, ...]:
    """Each NumPy scalar constant (``np.sqrt(d)`` of a known ``d``) MindSpore takes for
    a Python number (``promotion.yields_as_a_number``) made one, as eager Tensors do."""
    from .primitives import tensor_promotion as promotion
    arrays = [a.aval.dtype for a in invars if not a.aval.weak and a.aval.dtype is not None
              and not (isinstance(a, Const) and isinstance(a.value, np.generic))]
    return tuple(Const(a.value.item()) if isinstance(a, Const) and isinstance(a.value, np.generic)
                 and promotion.yields_as_a_number(a.value, arrays) else a for a in invars)


@contextmanager
def lowering_package(flag: bool) -> Iterator[None]:
    """Bind equations of this package's own code (``flag``: ``ops.*``, ``nn.*``) or of
    the user's: a cast MindSpore makes with its ``Cast`` is one the user wrote."""
    saved, _LOCAL.in_package = _LOCAL.in_package, flag
    try:
        yield
    finally:
        _LOCAL.in_package = saved


# The operations whose integer Tensor operands MindSpore casts to the float type with a
# ``Cast`` (whose gradient it casts back, truncating): measured on MindSpore 2.10. A
# true division by or of a Python number (``x / 2``, ``2 / x``) and ``sqrt`` convert
# inside the operation instead, and give a float gradient: not marked.
_CASTING = frozenset({"add", "sub", "mul"})


def mark_cast(x: Any, out: Any, *, written: bool = False) -> Any:
    """Mark ``out``, ``x`` cast to a float type, as MindSpore's ``Cast`` of an integer
    Tensor (``Var.cast``) where the user's code made it, or ``written`` (``ops.cast``)."""
    if isinstance(x, Var) and isinstance(out, Var) and x.tensor and \
            (written or not _LOCAL.in_package) and x.aval.dtype is not None and \
            x.aval.dtype.kind in "iu" and out.aval.dtype is not None and \
            out.aval.dtype.kind == "f":
        out.cast = True
    return out


def _as_mindspore_computes(name: str, invars: tuple[Atom, ...]) -> tuple[Atom, ...]:
    """``invars`` of an operation on values computed from a MindSpore Tensor, its
    integer operands cast to the float type MindSpore computes it in where that is not
    NumPy's (``primitives.tensor_promotion``); a cast MindSpore makes with its ``Cast``
    marked (``mark_cast``)."""
    from .primitives import tensor_promotion as promotion
    if name not in promotion.PROMOTING:
        return invars
    positions = promotion.promoted_positions(name, len(invars))
    avals = [invars[i].aval for i in positions]
    if any(a.dtype is None for a in avals):
        return invars
    target = promotion.mixed_float([(a.dtype, a.weak) for a in avals], name)
    if target is None:
        return invars
    from .primitives import astype
    casting = name in _CASTING or (name == "div" and not any(a.weak for a in avals))

    def cast(a: Atom) -> Atom:
        out = as_atom(astype(a, target))
        return mark_cast(a, out) if casting else out
    return tuple(cast(a) if i in positions and not a.aval.weak
                 and a.aval.dtype.kind in "biu" else a for i, a in enumerate(invars))


@contextmanager
def building(loc: Loc | None = None) -> Iterator[Builder]:
    builder, stack = Builder(loc), _LOCAL.stack
    stack.append(builder)
    try:
        yield builder
    finally:
        stack.pop()


_UNKNOWN = object()


def constant_value(var: Var, limit: int = 64) -> Any:
    """The value of ``var`` where it is computed from constants alone, by foldable
    primitives (``np.repeat(np.arange(1, n), 2)`` with ``n`` a shape): what compiled
    code would compute, computed now. ``None`` where it is not (an input reaches it, an
    effect or a draw makes it, or more than ``limit`` equations would run)."""
    todo: dict[Var, Any] = {}

    def value(v: Var) -> Any:
        if v in todo:
            return todo[v]
        eqn = producer_of(v)
        if eqn is None or not eqn.prim.foldable or len(todo) >= limit:
            return _UNKNOWN
        args = []
        for a in eqn.invars:
            args.append(a.value if isinstance(a, Const) else value(a))
            if args[-1] is _UNKNOWN:
                return _UNKNOWN
        try:
            with np.errstate(all="ignore"):
                out = eqn.prim.impl(*args, **eqn.params)
        except Exception:  # computed at run time, where the user sees what it raises
            return _UNKNOWN
        todo[v] = out if eqn.prim.n_out == 1 else out[eqn.outvars.index(v)]
        return todo[v]

    known = value(var)
    return None if known is _UNKNOWN else known


def is_read(var: Var) -> bool:
    """Whether an equation built so far (in the function or a region being lowered)
    reads ``var``."""
    return any(any(v is var for v in eqn.invars) for b in _LOCAL.stack for eqn in b.eqns)


def producer_of(var: Var) -> Eqn | None:
    """The equation that defines ``var`` in the IR being built, if any."""
    for builder in reversed(_LOCAL.stack):
        for eqn in reversed(builder.eqns):
            if var in eqn.outvars:
                return eqn
    return None


def current() -> Builder:
    stack = _LOCAL.stack
    if not stack:
        raise AutodiffError("a primitive was applied to a symbolic value outside compilation",
                            hint="symbolic values only exist while a function is compiled")
    return stack[-1]


def inline(fn: Function, args: Sequence[Any]) -> list[Any]:
    """Bind a copy of ``fn``'s equations on ``args`` (fresh ``Var``s keep SSA, in its
    regions too), its writes in place as the functional operations they stand for."""
    from .core import renamed
    env: dict[Var, Atom] = {v: as_atom(a) for v, a in zip(fn.invars, args)}
    current().eqns.extend(_functional(renamed(fn.eqns, env)))
    outs = [env.get(a, a) if isinstance(a, Var) else a for a in fn.outvars]
    return [a.value if isinstance(a, Const) else a for a in outs]


def _functional(eqns: Sequence[Eqn]) -> list[Eqn]:
    from .core import map_regions
    from .primitives import FUNCTIONAL_FORM

    def pure(fn: Function) -> Function:
        return replace(fn, eqns=tuple(_functional(fn.eqns)))
    return [map_regions(replace(e, prim=FUNCTIONAL_FORM.get(e.prim, e.prim)), pure)
            for e in eqns]


def as_atom(value: Any) -> Atom:
    """An operand: a ``Var``, a constant, or a tuple holding run-time values (packed by
    a ``make_tuple`` equation, e.g. the shape ``(n, x.shape[1])``)."""
    if isinstance(value, Var | Const):
        return value
    if isinstance(value, list | tuple) and _holds_var(value):
        from .primitives.control import make_tuple
        return make_tuple(*(v if not isinstance(v, list | tuple) else as_atom(v) for v in value))
    return Const(_freeze(value))


def _holds_float_var(value: Any) -> bool:
    """A list or tuple holding a value known to carry a gradient (a float array or
    number): never an operand's shape or index, which hold ints."""
    return isinstance(value, list | tuple) and any(
        _holds_float_var(v) if isinstance(v, list | tuple) else
        isinstance(v, Var) and v.aval.dtype is not None and np.issubdtype(v.aval.dtype,
                                                                             np.inexact)
        for v in value)


def _holds_var(value: Any) -> bool:
    return any(isinstance(v, Var) or (isinstance(v, list | tuple) and _holds_var(v))
               for v in value)


def adjoint_loc(loc: Loc | None) -> Loc | None:
    return None if loc is None else replace(loc, adjoint=True)


def _equal(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _freeze(value: Any) -> Any:
    """Lists become tuples so params compare and print stably."""
    if isinstance(value, list | tuple):
        return tuple(_freeze(v) for v in value)
    return value


def _try_fold(prim: Primitive, invars: tuple[Const, ...], params: Mapping[str, Any]) -> Any:
    """Evaluate a call on known Python scalars now; arrays stay in the program."""
    values = [c.value for c in invars]
    if any(isinstance(v, np.ndarray) for v in values):
        return None
    try:
        with np.errstate(all="ignore"):
            result = prim.impl(*values, **params)
    except Exception:  # let the program raise it at run time, where the user sees it
        return None
    if isinstance(result, np.ndarray):
        # a 0-d array (``np.zeros(())``, ``np.array(0.0)``) is memory ``+=`` writes
        # into, seen through its every name; a Python number would be rebound
        return None
    if isinstance(result, np.generic) and \
            not any(isinstance(v, np.generic) for v in values):
        # NumPy on Python scalars stays a (weak) Python scalar, but for NumPy's bool,
        # whose ~ is logical (np.isnan(x) of a float: Python's ~True would be -2)
        result = np.bool_(result) if np.asarray(result).dtype == bool else result.item()
    if isinstance(result, bool | int | float | tuple | str | np.bool_ | type(None)):
        return result
    return None
