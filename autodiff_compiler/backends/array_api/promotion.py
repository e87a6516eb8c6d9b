"""NumPy's mixed-kind promotion made explicit, for libraries that do not promote.

NumPy computes ``x * (x > 0)`` (a bool mask times floats), ``np.sum(mask)`` and
``int_array * 0.5`` by promoting the bool or integer operand; the array API standard
leaves mixed kinds undefined (array-api-strict raises), and derivative rules write such
masks everywhere. Before code is generated, each operand of an arithmetic primitive
whose dtype is of another kind than the result's gets an explicit ``astype`` to the
result's dtype: ``g * xp.astype(greater, xp.float64)``. Same-kind promotion (float32
with float64) the standard defines, and is left alone. Where an operand's dtype is
decided only when the code runs (an ``if`` giving an int on one path and a float on the
other), so is its promotion (``runtime.promoted_like``, ``runtime.floating``).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ...ir.core import Aval, Const, Eqn, Function, Var, map_regions
from ...ir.primitives import REGISTRY, Primitive

# Primitives that compute numbers from numbers: the standard asks for numeric operands
# of one kind (comparisons, where's condition and logical ones take bools as they are).
NUMERIC = frozenset([
    "add", "sub", "mul", "div", "pow", "floor_divide", "mod", "neg", "abs", "square",
    "maximum", "minimum", "reduce_sum", "reduce_mean", "reduce_prod", "cumsum", "cumprod",
    "matmul", "dot", "inner", "outer", "tensordot", "vdot", "sign", "exp", "log", "sqrt",
    "sin", "cos", "tanh", "sigmoid", "clip", "where", "hypot", "arctan2", "logaddexp",
    "copysign", "fmax", "fmin", "logaddexp2",
])
# Reductions of truth values: their result dtype in NumPy.
_COUNTS = {"reduce_sum": "int64", "reduce_prod": "int64", "cumsum": "int64",
           "cumprod": "int64", "reduce_mean": "float64"}
_KIND_ORDER = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}


def explicit_promotion(fn: Function) -> Function:
    """``fn`` with a cast before each operand NumPy would promote to another kind."""
    return _promoted(fn, {})


def _promoted(fn: Function, known: dict[Var, np.dtype]) -> Function:
    """``explicit_promotion``; ``known``: dtypes of values the IR leaves unknown."""
    eqns: list[Eqn] = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, lambda body: _promoted(body, known))
        _note_dtype(eqn, known)
        if eqn.prim.name in NUMERIC and len(eqn.outvars) == 1:
            invars = list(eqn.invars)
            first = 1 if eqn.prim.name == "where" else 0  # the condition stays bool
            for i in range(first, len(invars)):
                casts = _cast(invars[i], eqn, invars[first:], known)
                if casts:
                    eqns.extend(casts)
                    invars[i] = casts[-1].outvars[0]
            eqn = replace(eqn, invars=tuple(invars))
        if eqn.prim.name in FLOAT_FUNCTIONS:
            eqn = replace(eqn, invars=tuple(_floating(a, eqn, eqns, known)
                                            for a in eqn.invars))
        elif eqn.prim.name in _COMPARISONS and any(map(_python_float, eqn.invars)):
            eqn = replace(eqn, invars=tuple(_compared_with_a_float(a, eqn, eqns, known)
                                            for a in eqn.invars))
        elif eqn.prim.name in _JOINS and any(map(_maybe_number, eqn.invars)):
            eqn = replace(eqn, invars=tuple(_as_array(a, eqn, eqns) for a in eqn.invars))
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns))


# Joins of arrays: numbers among their operands become arrays of the function's own
# namespace first (with numbers alone, a helper could not tell which library's).
_JOINS = frozenset(["stack", "concatenate", "hstack"])


def _number(atom: object) -> bool:
    if isinstance(atom, Const):
        return type(atom.value) in (bool, int, float, complex)
    return isinstance(atom, Var) and atom.aval.weak


def _maybe_number(atom: object) -> bool:
    """A number, or a 0-d value that may be one when the code runs (``np.where`` of
    Python numbers alone is one here: no array says whose it is, fuzz seed 1010540)."""
    return _number(atom) or (isinstance(atom, Var) and atom.aval.shape == ())


def _as_array(atom: object, eqn: Eqn, eqns: list[Eqn]) -> object:
    """``xp.asarray(atom)`` where ``atom`` may be a number, ``atom`` itself otherwise."""
    if not _maybe_number(atom):
        return atom
    out = Var(replace(atom.aval, weak=False), atom.hint if isinstance(atom, Var) else "")
    eqns.append(Eqn((out,), REGISTRY["copy"], (atom,), {}, eqn.loc))
    return out


# Functions of floats, which the standard gives no integer operand, and the backend's
# own primitive making an operand whose dtype is decided at run time a float as NumPy
# would (``runtime.floating``: an int on one path of an ``if``, a float on another).
FLOAT_FUNCTIONS = frozenset([
    "sin", "cos", "tan", "exp", "log", "log1p", "expm1", "sqrt", "tanh", "sinh", "cosh",
    "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "arctan2", "hypot",
    "log2", "log10", "logaddexp", "div"])  # (and true division: NumPy's int / int)
FLOATING = Primitive("floating", lambda x: x, registered=False)


def _floating(atom: object, eqn: Eqn, eqns: list[Eqn], known: dict[Var, np.dtype]) -> object:
    """``floating(atom)`` where a function of floats gets an operand whose dtype is
    decided at run time (shape-specialised code: in shape-generic code, where no dtype
    is known, the operands are the caller's floats)."""
    if not isinstance(atom, Var) or _dtype(atom, known) is not None or atom.aval.shape is None:
        return atom
    made = Var(Aval(atom.aval.shape), atom.hint)
    eqns.append(Eqn((made,), FLOATING, (atom,), {}, eqn.loc))
    return made


_COMPARISONS = frozenset(["less", "greater", "less_equal", "greater_equal", "equal",
                          "not_equal"])


def _compared_with_a_float(atom: object, eqn: Eqn, eqns: list[Eqn],
                           known: dict[Var, np.dtype]) -> object:
    """An integer or bool array compared with a Python float, made float64 first, as
    NumPy compares them (the standard leaves a float with integers undefined, and
    array-api-strict raises): by ``floating`` where its dtype is decided at run time
    (``sum(...)`` of a generator, the int 0 where nothing passes, fuzz seed 1010091)."""
    if not isinstance(atom, Var) or atom.aval.weak:
        return atom
    dtype = _dtype(atom, known)
    if dtype is None:
        return _floating(atom, eqn, eqns, known)
    if dtype.kind not in "biu":
        return atom
    out = Var(Aval(atom.aval.shape, np.dtype(np.float64)), atom.hint)
    eqns.append(Eqn((out,), REGISTRY["astype"], (atom, Const(np.dtype(np.float64))), {},
                    eqn.loc))
    return out


# ``runtime.promoted_like``: an operand whose dtype is decided at run time, promoted as
# NumPy would against a float operand (a backend's own primitive, spelled by its name).
PROMOTED_LIKE = Primitive("promoted_like", lambda x, like: x, registered=False)


def _promoted_at_run_time(atom: Var, eqn: Eqn, operands: list,
                          known: dict[Var, np.dtype]) -> list[Eqn]:
    """An operand of unknown dtype (an ``if`` giving a Python int on one path and a
    float on another) beside one of a known float or complex dtype, or a Python float:
    promoted when the code runs, as the standard leaves an integer with a float
    undefined."""
    like = next((a for a in operands if isinstance(a, Var) and not a.aval.weak
                 and (_dtype(a, known) or np.dtype(np.int8)).kind in "fc"), None)
    if like is None and atom.aval.shape is not None:  # (shape-specialised code: beside
        # another of a dtype decided at run time, either may be the float)
        like = next((a for a in operands if isinstance(a, Var) and a is not atom
                     and not a.aval.weak and _dtype(a, known) is None
                     and a.aval.shape is not None), None)
    out = Var(Aval(atom.aval.shape), atom.hint)  # (its dtype: still decided at run time)
    if like is not None:
        return [Eqn((out,), PROMOTED_LIKE, (atom, like), {}, eqn.loc)]
    if any(_python_float(a) for a in operands):  # ``g * 0.5``: NumPy's float64
        return [Eqn((out,), FLOATING, (atom,), {}, eqn.loc)]
    return []


def _python_float(atom: object) -> bool:
    """A Python float or complex (a constant, also a NumPy float64 one, written as a
    literal; or a number the code computes)."""
    if isinstance(atom, Const):
        return isinstance(atom.value, float | complex)
    return isinstance(atom, Var) and atom.aval.weak and atom.aval.dtype is not None \
        and atom.aval.dtype.kind in "fc"


def _python_bool(atom: object) -> bool:
    """A Python ``True``/``False`` (a constant, or a truth value the code computes)."""
    if isinstance(atom, Const):
        return type(atom.value) is bool
    return isinstance(atom, Var) and atom.aval.weak and atom.aval.dtype == np.bool_


# Truth-valued primitives: their results are bool even where shapes are not known.
_TRUTHS = frozenset(["less", "greater", "less_equal", "greater_equal", "equal", "not_equal",
                     "logical_and", "logical_or", "logical_not", "logical_xor", "isnan",
                     "isinf", "isfinite"])

def _note_dtype(eqn: Eqn, known: dict[Var, np.dtype]) -> None:
    """The dtype of ``eqn``'s result where its aval lacks one but the equation says it:
    a comparison's bool, a constructor's ``dtype=``."""
    if len(eqn.outvars) != 1 or eqn.outvars[0].aval.dtype is not None:
        return
    dtype = np.dtype(np.bool_) if eqn.prim.name in _TRUTHS else eqn.params.get("dtype")
    if dtype is not None:
        known[eqn.outvars[0]] = np.dtype(dtype)


def _dtype(atom: Var, known: dict[Var, np.dtype]) -> np.dtype | None:
    return atom.aval.dtype if atom.aval.dtype is not None else known.get(atom)


def _cast(atom: object, eqn: Eqn, operands: list, known: dict[Var, np.dtype]) -> list[Eqn]:
    """An ``astype`` of ``atom`` to the result's dtype when it is an array of a lower
    kind. Where the result's dtype is not known (shape-generic code), a bool array takes
    the dtype of an operand whose dtype is not known either, read at run time: any
    dtype promotes a bool to itself. A Python bool (``x * (not done)``), which the
    standard promotes with bool arrays alone, becomes an array of the result's dtype."""
    target = eqn.outvars[0].aval.dtype
    if _python_bool(atom) and target != np.bool_:  # (of a dtype known, or another operand's)
        other = next((a for a in operands if isinstance(a, Var) and not _python_bool(a)), None)
        if target is None and other is None:
            return []
        made = Var(Aval((), np.dtype(np.bool_)), atom.hint if isinstance(atom, Var) else "")
        out = Var(Aval((), target), made.hint)
        cast = [Eqn((made,), REGISTRY["copy"], (atom,), {}, eqn.loc)]
        if target is not None:
            return [*cast, Eqn((out,), REGISTRY["astype"], (made, Const(target)), {}, eqn.loc)]
        dtype = Var(Aval(), "dtype")
        return [*cast, Eqn((dtype,), REGISTRY["dtype"], (other,), {}, eqn.loc),
                Eqn((out,), REGISTRY["astype"], (made, dtype), {}, eqn.loc)]
    if isinstance(atom, Var) and _dtype(atom, known) is None:
        return _promoted_at_run_time(atom, eqn, operands, known)
    if not isinstance(atom, Var) or atom.aval.weak:
        return []
    have_dtype = _dtype(atom, known)
    target = eqn.outvars[0].aval.dtype
    if target is None and have_dtype == np.bool_ and eqn.prim.name in _COUNTS:
        target = np.dtype(_COUNTS[eqn.prim.name])  # NumPy's sum of bools: an int64
    out = Var(Aval(atom.aval.shape, target), atom.hint)
    if target is None:
        other = next((a for a in operands if isinstance(a, Var) and _dtype(a, known) is None), None)
        if have_dtype != np.bool_ or other is None:
            return []
        dtype = Var(Aval(), "dtype")
        return [Eqn((dtype,), REGISTRY["dtype"], (other,), {}, eqn.loc),
                Eqn((out,), REGISTRY["astype"], (atom, dtype), {}, eqn.loc)]
    have, want = _KIND_ORDER.get(have_dtype.kind), _KIND_ORDER.get(target.kind)
    if have is None or want is None or have >= want:
        return []
    return [Eqn((out,), REGISTRY["astype"], (atom, Const(target)), {}, eqn.loc)]
