"""What a fused kernel computes per element: each primitive's scalar spelling, and how
an equation reads its operands inside a loop nest.

A kernel evaluates an equation once per element of its result, so a primitive is
written as the scalar expression NumPy's ufunc evaluates per element (``np.exp(a)``
on a float is what numba compiles to the C library's ``exp``). Operands arrive
already converted to the dtype the equation computes in (see ``kernels``), so these
spellings never promote. A primitive missing from ``SCALAR`` is not fused: it stays a
NumPy call between kernels.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...ir.core import Const, Eqn, Var
from ..python.expressions import dtype_attribute

Spell = Callable[[Sequence[str]], str]


def _operator(symbol: str) -> Spell:
    return lambda a: f"{a[0]} {symbol} {a[1]}"


def _ufunc(name: str) -> Spell:
    return lambda a: f"np.{name}({', '.join(a)})"


# NumPy ufuncs numba compiles on scalars with NumPy's semantics (nan where NumPy gives
# nan: kernels are compiled with ``error_model="numpy"``).
_UFUNCS = ("exp", "log", "sin", "cos", "tan", "tanh", "sinh", "cosh", "arcsin", "arccos",
           "arctan", "arcsinh", "arccosh", "arctanh", "arctan2", "hypot", "sqrt", "log1p",
           "expm1", "log2", "log10", "exp2", "cbrt", "sign", "floor", "ceil", "trunc",
           "rint", "logaddexp", "logaddexp2", "maximum", "minimum", "fmax", "fmin",
           "isfinite", "isinf", "isnan", "abs", "fmod", "copysign")
_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "less": "<", "greater": ">",
              "less_equal": "<=", "greater_equal": ">=", "equal": "==", "not_equal": "!="}

SCALAR: dict[str, Spell] = {
    **{name: _ufunc(name) for name in _UFUNCS},
    **{name: _operator(op) for name, op in _OPERATORS.items()},
    "neg": lambda a: f"-{a[0]}",
    "square": lambda a: f"{a[0]} * {a[0]}",
    "reciprocal": lambda a: f"1 / {a[0]}",
    "sigmoid": lambda a: f"sigmoid({a[0]})",
    # NumPy's meaning at inf and at zero results (``runtime``; numba's differ there)
    "floor_divide": lambda a: f"floor_divide({a[0]}, {a[1]})",
    "mod": lambda a: f"mod({a[0]}, {a[1]})",
    "logical_and": lambda a: f"{a[0]} and {a[1]}",
    "logical_or": lambda a: f"{a[0]} or {a[1]}",
    "logical_xor": lambda a: f"{a[0]} != {a[1]}",
    "logical_not": lambda a: f"not {a[0]}",
    # ``&``, ``|``, ``^`` and ``~`` of bools (``computes`` admits no other: an integer
    # result is not a kernel's)
    "bitwise_and": lambda a: f"{a[0]} and {a[1]}",
    "bitwise_or": lambda a: f"{a[0]} or {a[1]}",
    "bitwise_xor": lambda a: f"{a[0]} != {a[1]}",
    "invert": lambda a: f"not {a[0]}",
    "where": lambda a: f"{a[1]} if {a[0]} else {a[2]}",
    "clip": lambda a: f"np.minimum(np.maximum({a[0]}, {a[1]}), {a[2]})",
    "pow": lambda a: f"{a[0]} ** {a[1]}",
    "broadcast_to": lambda a: a[0],
    "astype": lambda a: a[0],  # the conversion is the operand's (see ``kernels``)
}

# Faster versions of C library functions for float64 loops (see ``runtime``), each
# exact only while its argument's magnitude is within a limit, which a kernel checks:
# the function's name and the limit's.
FAST_SPELLINGS = {"sin": ("fast_sin", "SINCOS_LIMIT"), "cos": ("fast_cos", "SINCOS_LIMIT"),
                  "exp": ("fast_exp", "EXP_LIMIT"), "sigmoid": ("fast_sigmoid", "EXP_LIMIT"),
                  "tanh": ("fast_tanh", "TANH_LIMIT")}
# What a kernel's module imports from ``runtime``.
RUNTIME_NAMES = frozenset(["item", "sigmoid", "floor_divide", "mod",
                           *(name for names in FAST_SPELLINGS.values() for name in names)])

# Spellings whose result has their operands' dtype in numba as in NumPy, once the
# operands are converted to it (float32 arithmetic stays float32): no cast around them.
KEEPS_DTYPE = frozenset(["add", "sub", "mul", "div", "neg", "square", "maximum", "minimum",
                         "where", "broadcast_to", "astype", "clip", "abs"])

# Operands that are not values the equation computes with: the dtype of ``astype``,
# the shape of ``broadcast_to``.
STATIC_OPERANDS = {"astype": 1, "broadcast_to": 1}
_LOGIC = frozenset(["logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
                    "bitwise_or", "bitwise_xor", "invert"])
# Predicates of a number's class: they read their operand as it is.
_CLASSIFY = frozenset(["isfinite", "isinf", "isnan"])


def computes(eqn: Eqn) -> bool:
    """Whether a kernel can evaluate ``eqn`` per element exactly as NumPy does: a
    primitive in ``SCALAR``, no params but what its spelling reads, every value's
    shape and dtype known and not empty, a float32, float64 or bool result (a cast
    only to a float: NumPy's float-to-bool test is not a conversion)."""
    name = eqn.prim.name
    if name not in SCALAR or len(eqn.outvars) != 1:
        return False
    if eqn.params and name != "astype":
        return False
    out = eqn.outvars[0].aval
    if not out.known or 0 in out.shape or not (_is_float(out.dtype) or out.dtype.kind == "b"):
        return False
    if name == "astype" and not _is_float(out.dtype):
        return False
    return all(_readable(a) for a in value_operands(eqn))


def _is_float(dtype: np.dtype) -> bool:
    return dtype in (np.float32, np.float64)


def _readable(a: Any) -> bool:
    """A value a kernel reads as NumPy would: a bool, an integer or a float32/float64
    (not float16 or complex, which numba computes differently or not at all)."""
    if isinstance(a, Const):
        value = a.value
        if type(value) is int:
            return abs(value) < 2 ** 53
        return type(value) in (bool, float) or (
            isinstance(value, np.generic) and (value.dtype.kind in "bi" or _is_float(value.dtype)))
    aval = a.aval
    return aval.known and 0 not in aval.shape and (
        (aval.dtype.kind in "bi" and aval.dtype.itemsize <= 8) or _is_float(aval.dtype))


def value_operands(eqn: Eqn) -> tuple[Any, ...]:
    """The operands a kernel computes with (not ``astype``'s dtype)."""
    n_static = STATIC_OPERANDS.get(eqn.prim.name)
    return eqn.invars[:n_static] if n_static else eqn.invars


def compute_dtype(eqn: Eqn) -> np.dtype | None:
    """The dtype ``eqn`` computes in, as NumPy chooses it: the result's for arithmetic
    and logic; for a comparison, what its operands promote to (a Python number yields
    to an array's dtype, NEP 50); None for ``isnan`` and its kin, which read their
    operand as it is."""
    out = eqn.outvars[0].aval.dtype
    if eqn.prim.name in _CLASSIFY:
        return None
    if out.kind != "b" or eqn.prim.name in _LOGIC:
        return out
    strong = [a.aval.dtype for a in eqn.invars if isinstance(a, Var) and not a.aval.weak]
    strong += [a.value.dtype for a in eqn.invars
               if isinstance(a, Const) and isinstance(a.value, np.generic)]
    if strong:
        return np.result_type(*strong)
    return np.result_type(*(a.value if isinstance(a, Const) else a.aval.example()
                            for a in eqn.invars))


def fast_spelling(eqn: Eqn) -> tuple[str, str] | None:
    """The names of ``runtime``'s faster version of ``eqn``'s function and of the limit
    of its arguments' magnitude, if it has one for the dtype ``eqn`` computes in."""
    names = FAST_SPELLINGS.get(eqn.prim.name)
    return names if names and compute_dtype(eqn) == np.float64 else None


def power_spelling(eqn: Eqn) -> Spell | None:
    """``x ** 2`` as ``x * x``, ``x ** 0.5`` as ``sqrt(x)``, ``x ** -1`` as ``1 / x``:
    the fast paths NumPy's ``power`` takes for these constant exponents (exact squares,
    correctly rounded roots), taken here too so both agree to the last bit."""
    if eqn.prim.name != "pow" or not isinstance(eqn.invars[1], Const):
        return None
    n = eqn.invars[1].value
    if type(n) not in (int, float):
        return None
    return {2: SCALAR["square"], 0.5: _ufunc("sqrt"), -1: SCALAR["reciprocal"]}.get(n)


def dtype_name(dt: np.dtype) -> str:
    """How a kernel spells ``dt`` (``np.float32``)."""
    return f"np.{dtype_attribute(dt)}"


def literal(value: Any, dtype: np.dtype) -> str:
    """A constant as a kernel writes it in ``dtype``."""
    if isinstance(value, np.generic):
        value = value.item()
    if dtype.kind == "b":
        return repr(bool(value))
    if dtype.kind == "f":
        value = float(value)
        text = repr(value) if np.isfinite(value) else \
            ("np.nan" if np.isnan(value) else "np.inf" if value > 0 else "-np.inf")
        return text if dtype == np.float64 else f"{dtype_name(dtype)}({text})"
    return repr(int(value))


def own_dtype(a: Any) -> np.dtype:
    """The dtype of an operand as it is, before any conversion."""
    return a.aval.dtype if isinstance(a, Var) else np.result_type(a.value)


def converted(expr: str, have: np.dtype, want: np.dtype) -> str:
    """``expr`` (of dtype ``have``) converted to ``want``, where they differ."""
    return expr if have == want else f"{dtype_name(want)}({expr})"
