"""``simplify``: the algebraic identities that rules and seeds leave behind.

``x * 1``, ``x ** 1``, a cast to the dtype a value has, ``a + -b``, products with
``ones_like``, zeros added into an array (forward mode's JVPs of jointly linear
primitives leave those); it lets elementwise operations broadcast for themselves
instead of consuming ``np.broadcast_to`` views, and folds operations on scalar
constants -- each only where the compiler knows the result keeps exactly its shape and
dtype. The rules stay written as the maths reads; this pass gives generated code its
better spelling.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from ..ir import primitives as P
from ..ir.core import (
    Atom,
    Aval,
    Const,
    Eqn,
    Function,
    Var,
    map_regions,
    ndim_of,
    regions,
    substitute_eqn,
)
from .writes import written_targets


def _is_scalar(atom: Atom, value: float) -> bool:
    if not isinstance(atom, Const) or isinstance(atom.value, bool):
        return False
    v = atom.value
    if isinstance(v, int | float):
        return v == value
    return getattr(v, "shape", None) == () and bool(v == value)


def _same_aval(a: Atom, b: Var) -> bool:
    """``a`` can stand for ``b``: same known shape and dtype."""
    return same_aval_values(a.aval, b.aval)


def _identity_operand(eqn: Eqn, producers: dict[Var, Eqn]) -> Atom | None:
    """The operand ``eqn`` merely reproduces, if any (``x * 1`` is ``x``)."""
    prim, args, out = eqn.prim, eqn.invars, eqn.outvars[0]
    candidates: list[Atom] = []
    if prim is P.mul:
        for i, j in ((0, 1), (1, 0)):
            if _is_scalar(args[j], 1) or _is_ones(args[j], producers):
                candidates.append(args[i])
    elif prim in (P.add,):
        candidates += [args[i] for i, j in ((0, 1), (1, 0)) if _is_scalar(args[j], 0)]
    elif prim in (P.sub, P.div, P.power):
        if _is_scalar(args[1], 0 if prim is P.sub else 1):
            if prim is P.power and isinstance(args[0], Var) and args[0].aval.is_float \
                    and args[1].aval.weak:
                return args[0]  # x ** 1 is x for any float x, whatever its shape
                # (the exponent a Python 1: np.float64(1) would widen a float32 x)
            candidates.append(args[0])
    elif (prim is P.broadcast_to and isinstance(args[1], Const)) \
            or prim in (P.astype, P.astype_discrete):  # a cast to the dtype it has
        candidates.append(args[0])
    elif prim in _ADDS_INTO and _is_zeros(args[_ADDS_INTO[prim]], producers):
        return args[0]  # the result has the aval of the array added into, by definition
    return next((c for c in candidates if _same_aval(c, out)), None)


# Primitives that add one operand into a copy of their first, and which operand:
# adding zeros is the identity. Forward mode's JVPs of these (``deflinear(...,
# jointly=True)``) leave such zeros behind.
_ADDS_INTO = {P.index_add: 2, P.gather_add: 1, P.add_along_axis: 2}


def _is_zeros(atom: Atom, producers: dict[Var, Eqn]) -> bool:
    """``zeros_like(...)``, or a scalar constant 0 (``zeros_like`` of a constant folds)."""
    if isinstance(atom, Const):
        return _is_scalar(atom, 0)
    eqn = producers.get(atom)
    return eqn is not None and eqn.prim is P.zeros_like


def _is_ones(atom: Atom, producers: dict[Var, Eqn]) -> bool:
    eqn = producers.get(atom) if isinstance(atom, Var) else None
    return eqn is not None and eqn.prim is P.ones_like and not eqn.params


def _rewrite(eqn: Eqn, producers: dict[Var, Eqn]) -> Eqn:
    """``a + -b`` is ``a - b``; ``-a * k`` is ``a * -k``; ``ones_like(y) * c`` is
    ``broadcast_to(c, y.shape)``; a broadcast scalar reshaped or broadcast again is
    broadcast to the new shape at once."""
    if eqn.prim is P.mul:
        for i, j in ((0, 1), (1, 0)):
            ones = eqn.invars[i]
            if _is_ones(ones, producers) and ones.aval.shape is not None:
                outer = Eqn(eqn.outvars, P.broadcast_to, (eqn.invars[j], Const(ones.aval.shape)),
                            {}, eqn.loc)
                (aval,) = P.broadcast_to.abstract_eval(outer.invars, {})
                if same_aval_values(aval, eqn.outvars[0].aval):
                    return outer
    if eqn.prim in (P.expand_dims, P.reshape, P.broadcast_to) \
            and eqn.outvars[0].aval.shape is not None:
        source = producers.get(eqn.invars[0]) if isinstance(eqn.invars[0], Var) else None
        if source is not None and source.prim is P.broadcast_to \
                and _is_zero_d(source.invars[0]):
            shape = Const(eqn.outvars[0].aval.shape)  # a broadcast scalar, reshaped
            return Eqn(eqn.outvars, P.broadcast_to, (source.invars[0], shape), {}, eqn.loc)
    if eqn.prim is P.add:
        a, b = eqn.invars
        for x, y in ((a, b), (b, a)):
            neg = producers.get(y) if isinstance(y, Var) else None
            if neg is not None and neg.prim is P.neg:
                return Eqn(eqn.outvars, P.sub, (x, neg.invars[0]), {}, eqn.loc)
    if eqn.prim is P.mul and eqn.outvars[0].aval.is_float:
        for i in (0, 1):
            folded = _fold_scale(eqn, producers.get(eqn.invars[i]), eqn.invars[1 - i])
            if folded is not None:
                return folded
    if eqn.prim in (P.mul, P.div) and eqn.outvars[0].aval.is_float:
        for i, k in enumerate(eqn.invars):
            neg = producers.get(eqn.invars[1 - i]) if isinstance(eqn.invars[1 - i], Var) \
                else None
            if neg is not None and neg.prim is P.neg and _negatable(k) \
                    and (i == 1 or eqn.prim is P.mul):
                operands = [neg.invars[0], Const(-k.value)] if i == 1 else \
                    [Const(-k.value), neg.invars[0]]
                flipped = Eqn(eqn.outvars, eqn.prim, tuple(operands), {}, eqn.loc)
                (aval,) = eqn.prim.abstract_eval(flipped.invars, {})
                if same_aval_values(aval, eqn.outvars[0].aval):
                    return flipped  # -a * k is a * -k: one pass fewer over a
    return eqn


def _fold_scale(eqn: Eqn, inner: Eqn | None, k2: Atom) -> Eqn | None:
    """``(a k1) k2`` is ``a (k1 k2)`` and ``(k1 / a) k2`` is ``(k1 k2) / a``: a pass
    fewer over ``a`` (rules chain such factors: ``g / (1 + x) * 2 * x``)."""
    if inner is None or not _is_real_scalar(k2) or inner.prim not in (P.mul, P.div):
        return None
    slots = (0, 1) if inner.prim is P.mul else (0,)
    for i in slots:
        k1, a = inner.invars[i], inner.invars[1 - i]
        if _is_real_scalar(k1):
            with np.errstate(all="ignore"):
                k = Const(P.mul.impl(k1.value, k2.value))
            operands = (a, k) if inner.prim is P.mul else (k, a)
            folded = Eqn(eqn.outvars, inner.prim, operands, {}, eqn.loc)
            (aval,) = inner.prim.abstract_eval(operands, {})
            if same_aval_values(aval, eqn.outvars[0].aval):
                return folded
    return None


def _is_zero_d(atom: Atom) -> bool:
    """A value known to be 0-d: broadcasting it anywhere gives the same array."""
    return ndim_of(atom) == 0


def _is_real_scalar(atom: Atom) -> bool:
    return isinstance(atom, Const) and ndim_of(atom) == 0 \
        and isinstance(atom.value, int | float | np.integer | np.floating) \
        and not isinstance(atom.value, bool | np.bool_)


def _negatable(atom: Atom) -> bool:
    """A real scalar constant ``k`` with ``-a * k == a * -k``, ``-a / k == a / -k`` to
    the bit: not 0 (an integer 0 has no sign to flip) and not unsigned (``-k`` wraps)."""
    return _is_real_scalar(atom) and atom.value != 0 \
        and not isinstance(atom.value, np.unsignedinteger)


def is_float_scalar(atom: Atom) -> bool:
    return isinstance(atom, Const) and ndim_of(atom) == 0 \
        and isinstance(atom.value, float | np.floating)


def simplify(fn: Function) -> Function:
    """Algebraic identities, each only where shapes and dtypes provably agree."""
    subst: dict[Var, Atom] = {}
    producers: dict[Var, Eqn] = {}
    eqns: list[Eqn] = []
    own_arrays = written_targets(fn)  # (``writes.written_targets``)

    def sub(a: Atom) -> Atom:
        return subst.get(a, a) if isinstance(a, Var) else a

    for eqn in fn.eqns:
        if regions(eqn):
            eqn = map_regions(substitute_eqn(eqn, subst), simplify)
            producers.update((v, eqn) for v in eqn.outvars)
            eqns.append(eqn)
            continue
        eqn = replace(eqn, invars=tuple(sub(a) for a in eqn.invars))
        if len(eqn.outvars) == 1 and eqn.outvars[0] not in own_arrays:
            eqn = _implicit_broadcast(eqn, producers)
            hoisted = _hoist_broadcast(eqn, producers) or _transposed_product(eqn, producers)
            if hoisted is not None:
                inner, eqn = hoisted  # inner is None where eqn broadcasts a constant
                folded = _fold(inner) if inner is not None else None
                if folded is not None:  # the operand the inner equation gave, folded
                    eqn = replace(eqn, invars=tuple(folded if a is inner.outvars[0] else a
                                                    for a in eqn.invars))
                elif inner is not None:
                    producers[inner.outvars[0]] = inner
                    eqns.append(inner)
            folded = _fold(eqn)
            if folded is not None:
                subst[eqn.outvars[0]] = folded
                continue
            same = _identity_operand(eqn, producers)
            if same is None:  # a rewrite may leave one: (x * 0.5) * 2.0 is x * 1.0
                eqn = _rewrite(eqn, producers)
                same = _identity_operand(eqn, producers)
            if same is not None:
                _inherit_hint(same, eqn.outvars[0], producers)
                subst[eqn.outvars[0]] = same
                continue
        producers.update((v, eqn) for v in eqn.outvars)
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns), outvars=tuple(sub(a) for a in fn.outvars))


def _implicit_broadcast(eqn: Eqn, producers: dict[Var, Eqn]) -> Eqn:
    """``broadcast_to(a, s) * b`` is ``a * b`` when that already has the result's aval."""
    if not eqn.prim.elementwise:
        return eqn
    args = list(eqn.invars)
    for i, a in enumerate(args):
        source = producers.get(a) if isinstance(a, Var) else None
        if source is None or source.prim is not P.broadcast_to:
            continue
        trial = [*args[:i], source.invars[0], *args[i + 1:]]
        (aval,) = eqn.prim.abstract_eval(trial, eqn.params)
        if same_aval_values(aval, eqn.outvars[0].aval):
            args = trial
    return replace(eqn, invars=tuple(args))


def _hoist_broadcast(eqn: Eqn, producers: dict[Var, Eqn]) -> tuple[Eqn, Eqn] | None:
    """``broadcast_to(a, s) / 3`` is ``broadcast_to(a / 3, s)``: compute on the small
    value, broadcast once (consumers may then broadcast implicitly)."""
    if not eqn.prim.elementwise:
        return None
    sources, shapes, broadcast = [], set(), []
    for a in eqn.invars:
        producer = producers.get(a) if isinstance(a, Var) else None
        if producer is not None and producer.prim is P.broadcast_to \
                and isinstance(producer.invars[1], Const):
            sources.append(producer.invars[0])
            shapes.add(producer.invars[1].value)
            broadcast.append(True)
        elif isinstance(a, Const) and ndim_of(a) == 0:
            sources.append(a)
            broadcast.append(False)
        else:
            return None
    if len(shapes) != 1:
        return None
    (aval,) = eqn.prim.abstract_eval(sources, eqn.params)
    small = Var(aval, "")
    inner = Eqn((small,), eqn.prim, tuple(sources), eqn.params, eqn.loc)
    if all(isinstance(a, Const) for a in sources):
        element = _element_of_broadcast(inner, broadcast)
        if element is not None:  # one element of what the broadcast computes
            small, inner = element, None
    outer = Eqn(eqn.outvars, P.broadcast_to, (small, Const(shapes.pop())), {}, eqn.loc)
    out_aval = P.broadcast_to.abstract_eval(outer.invars, {})[0]
    return (inner, outer) if same_aval_values(out_aval, eqn.outvars[0].aval) else None


def _element_of_broadcast(eqn: Eqn, broadcast: list[bool]) -> Const | None:
    """The value of each element of ``eqn`` applied to scalar constants, those marked
    ``broadcast`` broadcast to arrays: the operation with those as one-element arrays,
    so that NumPy promotes as it does for the arrays (NumPy 1.x computes
    ``np.float32(1) / 3.0`` in float64, an array of such ones in float32). ``None``
    where a broadcast constant has more than one element (its elements may differ)."""
    if any(wide and np.size(a.value) != 1 for a, wide in zip(eqn.invars, broadcast)):
        return None
    values = [np.reshape(a.value, (1,)) if wide else a.value
              for a, wide in zip(eqn.invars, broadcast)]
    with np.errstate(all="ignore"):
        try:
            result = eqn.prim.impl(*values, **eqn.params)
        except (ArithmeticError, ValueError, TypeError):
            return None
    return Const(result[0]) if isinstance(result, np.ndarray) and result.shape == (1,) else None


def _matrix_transpose_of(atom: Atom, producers: dict[Var, Eqn]) -> Atom | None:
    """``p`` where ``atom`` is ``p.T`` (or the swap of its two axes) of a matrix."""
    eqn = producers.get(atom) if isinstance(atom, Var) else None
    return _transposed_matrix(eqn) if eqn is not None else None


def _transposed_matrix(eqn: Eqn) -> Atom | None:
    """The matrix ``eqn`` transposes, if it is a transpose of a matrix."""
    if ndim_of(eqn.outvars[0]) != 2:
        return None
    if eqn.prim is P.T:
        return eqn.invars[0]
    if eqn.prim is P.swapaxes and len(eqn.invars) == 3 and \
            all(isinstance(a, Const) for a in eqn.invars[1:]) and \
            {eqn.invars[1].value % 2, eqn.invars[2].value % 2} == {0, 1}:
        return eqn.invars[0]
    return None


def _transposed_product(eqn: Eqn, producers: dict[Var, Eqn]) -> tuple[Eqn, Eqn] | None:
    """``(p.T @ b).T`` is ``b.T @ p`` (and ``(a @ q.T).T`` is ``q @ a.T``): the same
    product, written so that it comes out in row-major order. A weight's gradient
    (``swapaxes(x.T @ g)`` from a layer computing ``x @ w.T``) is then contiguous, which
    every later use of it (an optimizer's update) reads several times faster."""
    if _transposed_matrix(eqn) is None:
        return None
    product = producers.get(eqn.invars[0]) if isinstance(eqn.invars[0], Var) else None
    if product is None or product.prim is not P.matmul:
        return None
    a, b = product.invars
    if ndim_of(a) != 2 or ndim_of(b) != 2:
        return None
    p, q = _matrix_transpose_of(a, producers), _matrix_transpose_of(b, producers)
    if p is not None:
        flipped, left, right = b, None, p  # b.T @ p
    elif q is not None:
        flipped, left, right = a, q, None  # q @ a.T
    else:
        return None
    (aval,) = P.T.abstract_eval([flipped], {})
    transposed = Var(aval, "")
    inner = Eqn((transposed,), P.T, (flipped,), {}, eqn.loc)
    operands = (transposed, right) if left is None else (left, transposed)
    outer = Eqn(eqn.outvars, P.matmul, operands, {}, eqn.loc)
    (out,) = P.matmul.abstract_eval(list(operands), {})
    return (inner, outer) if same_aval_values(out, eqn.outvars[0].aval) else None


def same_aval_values(a: Aval, b: Aval) -> bool:
    return a.known and b.known and (a.shape, a.dtype, a.weak) == (b.shape, b.dtype, b.weak)


def _fold(eqn: Eqn) -> Const | None:
    """An elementwise operation on scalar constants is a constant of the same dtype."""
    if not (eqn.prim.elementwise and all(isinstance(a, Const) for a in eqn.invars)):
        return None
    values = [a.value for a in eqn.invars]
    if not all(ndim_of(v) == 0 for v in values):
        return None
    with np.errstate(all="ignore"):
        try:
            value = eqn.prim.impl(*values, **eqn.params)
        except (ArithmeticError, ValueError):  # Python floats: 1 / 0.0, math.log(0.0)
            value = _as_numpy_does(eqn, values)
            if value is None:
                return None
    folded = Const(value)
    return folded if same_aval_values(folded.aval, eqn.outvars[0].aval) else None


def _as_numpy_does(eqn: Eqn, values: list[Any]) -> Any:
    """What NumPy computes where Python raises (inf or nan), still a Python scalar
    where the operands were: as the generated code computes it (``Compiled.at_edges``).
    None where it raises all the same (``1 // 0`` on ints: left to raise at run time,
    as the user's Python does)."""
    try:
        value = eqn.prim.impl(*(np.array(v) if type(v) is float else v for v in values),
                              **eqn.params)
    except (ArithmeticError, ValueError):
        return None
    weak = all(type(v) in (bool, int, float, complex) for v in values)
    return value.item() if weak and isinstance(value, np.ndarray | np.generic) else value


def _inherit_hint(kept: Atom, dropped: Var, producers: dict[Var, Eqn]) -> None:
    """An unnamed value standing in for a named one takes its name, unless it is a
    forward value standing in for a gradient (``tanh(c)`` for ``g_x = tanh(c) * 1``)."""
    if not isinstance(kept, Var) or kept.hint:
        return
    made_by = producers.get(kept)
    forward = made_by is not None and made_by.loc is not None and not made_by.loc.adjoint
    if not (forward and dropped.hint.startswith("g_")):
        kept.hint, kept.made_up = dropped.hint, dropped.made_up


def float_literals(fn: Function) -> Function:
    """``t * 2`` is ``t * 2.0`` where ``t`` is a float: the same number, spelled so that
    CPython runs it as float-by-float arithmetic, which it specialises (``1 - t * t`` on
    Python floats takes a third longer than ``1.0 - t * t``). Rules write their integers
    as the maths does; only an integer that the float's dtype holds exactly changes."""
    eqns = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, float_literals)
        if eqn.prim in (P.add, P.sub, P.mul, P.div) and len(eqn.invars) == 2:
            spelled = tuple(_as_float_literal(a, other)
                            for a, other in zip(eqn.invars, reversed(eqn.invars)))
            (aval,) = eqn.prim.abstract_eval(spelled, eqn.params)
            if same_aval_values(aval, eqn.outvars[0].aval):
                eqn = replace(eqn, invars=spelled)
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns))


def _as_float_literal(atom: Atom, other: Atom) -> Atom:
    dtype = other.aval.dtype
    if not (isinstance(atom, Const) and type(atom.value) is int and isinstance(other, Var)
            and dtype is not None and np.issubdtype(dtype, np.floating)):
        return atom
    with np.errstate(all="ignore"):
        as_float = dtype.type(atom.value)
    return Const(float(atom.value)) if as_float == atom.value and float(as_float) == \
        atom.value else atom
