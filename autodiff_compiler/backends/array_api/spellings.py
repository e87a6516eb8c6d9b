"""How the array API backend writes each primitive, in the standard's own terms.

``SPELLINGS`` maps a primitive to a spelling of the shared code generator
(``("call", "xp.acos")``, ``("binop", "@")``, ...) and ``RENAMED`` the params whose
name differs in the standard (``ddof`` is ``correction``). Where a primitive is the
standard's function but only for some params (``np.round`` to ``decimals``), ``ALLOWED``
says which values the standard can express; a primitive outside ``SPELLINGS`` or with
a param it cannot express is refused before any code is generated (``refusal``), at
the user's line. Helpers called by their own name are ``runtime``'s, written with the
standard's functions only.

Everything is spelled through ``xp``, the namespace each generated function binds
from its inputs on its first line (see the package's docstring).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ...ir import reference
from ...ir.core import Const, Eqn, Var, ndim_of
from ...ir.primitives import Primitive
from .promotion import FLOAT_FUNCTIONS

Spelling = tuple[str, str]

_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "matmul": "@",
              "floor_divide": "//", "mod": "%", "less": "<", "greater": ">",
              "less_equal": "<=", "greater_equal": ">=", "equal": "==", "not_equal": "!="}
# NumPy's name -> the standard's, for the functions whose name differs.
_RENAMED_FUNCTIONS = {
    "arccos": "acos", "arccosh": "acosh", "arcsin": "asin", "arcsinh": "asinh",
    "arctan": "atan", "arctan2": "atan2", "arctanh": "atanh", "invert": "bitwise_invert",
    "rint": "round", "copy": "asarray", "reduce_sum": "sum", "reduce_mean": "mean",
    "reduce_prod": "prod", "reduce_max": "max", "reduce_min": "min", "reduce_all": "all",
    "reduce_any": "any", "cumsum": "cumulative_sum", "cumprod": "cumulative_prod",
    "astype": "astype", "astype_discrete": "astype", "moveaxis": "moveaxis",
    "inv": "linalg.inv", "det": "linalg.det", "slogdet": "linalg.slogdet",
    "solve": "linalg.solve", "cholesky": "linalg.cholesky", "svd": "linalg.svd",
    "svdvals": "linalg.svdvals", "eigh": "linalg.eigh", "eigvalsh": "linalg.eigvalsh",
    "pinv": "linalg.pinv",
}
# The standard's functions of the same name as NumPy's.
_SAME = ("abs", "ceil", "cos", "cosh", "exp", "expm1", "floor", "hypot",
         "isfinite", "isinf", "isnan", "log", "log10", "log1p", "log2", "logaddexp",
         "logical_and", "logical_not", "logical_or", "logical_xor", "maximum", "minimum",
         "round", "sign", "sin", "sinh", "sqrt", "square", "tan", "tanh", "trunc",
         "bitwise_and", "bitwise_or", "bitwise_xor", "clip", "expand_dims",
         "broadcast_to", "flip", "roll", "repeat", "tril", "triu", "std", "var",
         "sort", "argsort", "argmax", "argmin", "take_along_axis", "tensordot", "zeros",
         "ones", "eye", "zeros_like", "ones_like", "full", "arange", "linspace",
         "result_type", "copysign", "searchsorted")
# Helpers computing elementwise: given only numbers, they could not tell which
# library's array to return, so a number among their operands is made one of ``xp``'s.
_ELEMENTWISE_HELPERS = frozenset(["sigmoid", "exp2", "logaddexp2", "fmax", "fmin",
                                  "reciprocal", "cbrt", "nan_to_num", "real", "imag", "conj",
                                  # not elementwise, but of a number as well: the
                                  # namespace is the function's, not the number's
                                  "atleast_1d", "atleast_2d", "atleast_3d"])
# ``runtime``'s helpers, called by their own name.
_HELPERS = ("unbroadcast", "keepdims_like", "sigmoid", "matmul_vjp_x", "matmul_vjp_y",
            "match_complex",
            "concatenate", "stack", "hstack", "concat_part", "untile", "unrepeat", "unpad",
            "index_add", "index_update", "gather", "dot", "dot_vjp_a", "dot_vjp_b", "inner",
            "outer", "vdot", "tensordot_vjp_a", "tensordot_vjp_b", "as_columns",
            "from_columns", "zeros_like_tape", "reversed_tape", "add_tapes", "transpose",
            "swapaxes", "squeeze", "shape",
            "size", "ndim", "reshape", "exp2", "logaddexp2", "fmax", "fmin", "reciprocal",
            "cbrt", "nan_to_num", "trace", "diag", "undiag", "atleast_1d", "atleast_2d",
            "atleast_3d", "norm", "slice", "where", "full_like", "tile", "real", "imag",
            "conj", "getitem", "adjugate", "pad", "gather_add", "gather_update",
            "promoted_like", "floating", "window", "window_add",
            "window_update")

SPELLINGS: dict[str, Spelling] = {
    **{name: ("binop", op) for name, op in _OPERATORS.items()},
    **{name: ("call", f"xp.{name}") for name in _SAME},
    **{name: ("call", f"xp.{std}") for name, std in _RENAMED_FUNCTIONS.items()},
    **{name: ("call", name) for name in _HELPERS},
    "neg": ("unaryop", "-"), "truth_not": ("unaryop", "not"), "truth": ("call", "bool"),
    "truth_and": ("boolop", "and"), "truth_or": ("boolop", "or"),
    "T": ("call", "transpose"), "dtype": ("attr", "dtype"),
    "getitem": ("index", ""), "make_tuple": ("tuple", ""),
    "join_tuples": ("binop", "+"), "repeat_tuple": ("binop", "*"),
    "tuples_equal": ("binop", "=="), "draw": ("draw", ""),
    "float": ("call", "float"), "int": ("call", "int"),  # arrays' __float__, __int__
    "format_text": ("call", "str.format"),
    "report": ("call_operand", ""),  # logger.info(...): the callable is the first operand
}

# NumPy's param name -> the standard's.
RENAMED: dict[str, dict[str, str]] = {
    "std": {"ddof": "correction"}, "var": {"ddof": "correction"},
}

# Params the standard's function takes only at some values: the values it can express.
_ANY = object()
ALLOWED: dict[str, dict[str, Any]] = {
    **{name: {"axis": _ANY, "keepdims": _ANY} for name in (
        "reduce_sum", "reduce_mean", "reduce_prod", "reduce_max", "reduce_min", "reduce_all",
        "reduce_any", "argmax", "argmin", "norm")},
    "std": {"axis": _ANY, "keepdims": _ANY, "ddof": _ANY},
    "var": {"axis": _ANY, "keepdims": _ANY, "ddof": _ANY},
    "sort": {"axis": _ANY}, "argsort": {"axis": _ANY, "kind": ("stable", "mergesort")},
    "svd": {"full_matrices": _ANY}, "svdvals": {"compute_uv": (False,)},
    "cumsum": {"axis": _ANY}, "cumprod": {"axis": _ANY},
    "copy": {}, "take_along_axis": {"axis": _ANY},
}
# The param a NumPy spelling needs but the standard has no name for: dropped.
_DROPPED = {"svdvals": ("compute_uv",), "argsort": ("kind",)}

# Constructors whose dtype defaults to the library's (float32 in PyTorch): the dtype
# the IR inferred is written out.
_CONSTRUCTORS = frozenset(["zeros", "ones", "full", "arange", "linspace", "eye"])


_LOGICAL = {"add": "xp.logical_or", "mul": "xp.logical_and",
            "reduce_min": "xp.all", "reduce_max": "xp.any"}  # min and max of truth values
# Functions of arrays only, whose operands NumPy also takes as numbers.
_PRODUCTS = frozenset(["tensordot", "matmul"])


def register(prim: Primitive, spelling: Spelling) -> None:
    """How a primitive defined outside the package (``extend``) is written."""
    SPELLINGS[prim.name] = spelling


def refusal(eqn: Eqn) -> str | None:
    """Why ``eqn`` has no array-API spelling (None: it has one)."""
    name = eqn.prim.name
    if eqn.prim.writes is not None:
        return f"'{name}' writes into an array in place, which the Python array API " \
               "standard does not provide"
    if eqn.prim.form != "apply":  # control flow, calls, checks: the code generator's own
        return None
    if name not in SPELLINGS:
        return f"'{name}' has no spelling in the Python array API standard"
    made = [v.aval.dtype for v in eqn.outvars if v.aval.dtype is not None] + [
        np.dtype(p) for p in eqn.params.values() if _names_a_dtype(p)]
    outside = [d for d in made if d.kind != "O" and d not in STANDARD_DTYPES]
    if outside:
        return f"'{name}' makes {outside[0].name} values, a dtype the Python array API " \
               "standard lacks"
    allowed = ALLOWED.get(name)
    for param, value in eqn.params.items() if allowed is not None else ():
        if param not in allowed or (allowed[param] is not _ANY and value not in allowed[param]):
            return (f"'{name}' with {param}={value!r} has no spelling in the Python array "
                    f"API standard")
    if name in ("repeat", "unrepeat") and not (
            isinstance(eqn.invars[-1], Const) and type(eqn.invars[-1].value) is int):
        return f"'{name}' with a count per entry has no spelling in the Python array API " \
               "standard"
    if name == "solve" and _numpys_solve_differs(*eqn.invars):
        return "'solve' of a stack of vectors b (NumPy 1.x's reading of b with one axis " \
               "fewer than a) has no spelling in the Python array API standard, whose b " \
               "is a vector only when 1-D"
    index = eqn.invars[1:2] if name in ("index_add", "index_update") else \
        eqn.invars[2:] if name in ("gather_add", "gather_update") else ()
    if not all(_basic_index(part) for part in index):
        return f"'{name}' at an index holding arrays (repeated entries accumulate) or " \
               "slices computed at run time has no spelling in the Python array API standard"
    return None


# The standard's dtypes (float16 and NumPy's long doubles are NumPy's alone).
STANDARD_DTYPES = frozenset(np.dtype(t) for t in (
    np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
    np.uint64, np.float32, np.float64, np.complex64, np.complex128))


def _names_a_dtype(value: Any) -> bool:
    return isinstance(value, np.dtype) or (isinstance(value, type)
                                           and issubclass(value, np.generic))


def _numpys_solve_differs(a: Any, b: Any) -> bool:
    """Whether the running NumPy reads ``solve(a, b)``'s ``b`` otherwise than the standard
    (NumPy 1.x: vectors where ``b`` has one axis fewer than ``a``), or may."""
    a_rank, b_rank = ndim_of(a), ndim_of(b)
    if a_rank is None or b_rank is None:
        return not reference.solves_vectors(3, 2)  # NumPy 1.x: unknown ranks may differ
    return reference.solves_vectors(a_rank, b_rank) != (b_rank == 1)


def _basic_index(index: Any) -> bool:
    """An index of ints, slices, None and Ellipsis, known when compiling, or a Python
    int computed at run time (a loop's index; a 0-d integer array is no index the
    standard takes among others)."""
    if not isinstance(index, Const):
        aval = getattr(index, "aval", None)
        return aval is not None and aval.weak and aval.shape == () \
            and aval.dtype is not None and aval.dtype.kind in "iu"
    parts = index.value if isinstance(index.value, tuple) else (index.value,)
    return all(p is None or p is Ellipsis or isinstance(p, int | slice) for p in parts)


def keywords(eqn: Eqn) -> dict[str, Any]:
    """``eqn``'s params as the standard names them; a constructor's dtype written out."""
    name = eqn.prim.name
    renamed = RENAMED.get(name, {})
    dropped = _DROPPED.get(name, ())
    params = {renamed.get(k, k): v for k, v in eqn.params.items() if k not in dropped}
    if name == "argsort" and "kind" in eqn.params:
        params["stable"] = True
    if name == "copy":  # NumPy's np.array copies; the standard's asarray may not
        params["copy"] = True
    if name in _CONSTRUCTORS and params.get("dtype") is None and eqn.outvars[0].aval.dtype:
        params["dtype"] = eqn.outvars[0].aval.dtype
    return params


# Functions whose result is a float whatever their operands: of a Python number (an int
# too: ``math.cos(t)`` of a loop's index), the number is an array of the other
# operand's dtype, as NumPy's promotion takes it, or float64 (the standard's functions
# refuse integers, and mixed kinds).



def _weak(atom: Any) -> bool:
    """A Python number (a literal, or a value that is one at run time)."""
    if isinstance(atom, Const):  # NumPy scalars too: written as literals where they can
        return type(atom.value) in (bool, int, float, complex) or isinstance(
            atom.value, np.generic)
    return isinstance(atom, Var) and atom.aval.weak


def _python_int(atom: Any) -> bool:
    if isinstance(atom, Const):
        return type(atom.value) in (bool, int)
    return isinstance(atom, Var) and atom.aval.weak and atom.aval.dtype is not None \
        and atom.aval.dtype.kind in "biu"


def _maybe_number(atom: Any) -> bool:
    """A Python number, or a 0-d value that may be one when the code runs (a sum a loop
    starts from ``0.0`` is that float when the loop runs no step)."""
    return _weak(atom) or (isinstance(atom, Var) and atom.aval.shape == ())


def _like_of_unknown(eqn: Eqn) -> bool:
    """``zeros_like(x)`` where ``x``'s rank is not known: it may be a Python number (a
    function returning ``0.25`` on one path and an array on another), or ``None``."""
    first = eqn.invars[0]
    return eqn.prim.name in ("zeros_like", "ones_like") \
        and isinstance(first, Var) and first.aval.shape is None


def _needs_ellipsis(x: Any, index: Any) -> bool:
    """Whether ``x[index]`` needs the ``...`` the standard asks for where NumPy assumes
    it: an index written as a constant, or one integer known at run time (a loop's
    index), into anything but a Python list (a loop's tape)."""
    if isinstance(x, Var) and x.aval.dtype == np.dtype(object):
        return False
    if isinstance(index, Const):
        return not _has_ellipsis(index.value)
    return isinstance(index, Var) and index.aval.shape == () and index.aval.dtype is not None \
        and index.aval.dtype.kind in "iu"


def _past_an_end(x: Any, index: Any) -> bool:
    """A slice of ``index`` (known when compiling) reaching past its axis of ``x``:
    written through ``getitem``, which clips it as NumPy does (``runtime.within``)."""
    parts = index.value if isinstance(index, Const) else ()
    parts = parts if isinstance(parts, tuple) else (parts,)
    if not any(isinstance(p, slice) for p in parts) or Ellipsis in parts:
        return any(isinstance(p, slice) for p in parts)  # (after ..., by the helper too)
    axes = iter(x.aval.shape)
    for part in parts:
        if part is None:
            continue
        n = next(axes, None)
        if isinstance(part, slice) and n is not None and any(
                b is not None and not -n <= b <= n for b in (part.start, part.stop)):
            return True
    return False


def spell(eqn: Eqn, python_floats: bool = False) -> Spelling:
    """How ``eqn`` is written (``python_floats`` is never asked for: array API
    functions take arrays, so none is spelled with ``math``)."""
    if eqn.prim.name == "floating":  # (of a Python number too: made the function's array)
        return ("call_on_array", "xp:floating")
    kind, text = SPELLINGS.get(eqn.prim.name) or ("call", eqn.prim.name)  # control flow
    if eqn.prim.name in _LOGICAL and all(
            isinstance(a, Var) and a.aval.dtype == np.bool_ for a in eqn.invars):
        return ("call", _LOGICAL[eqn.prim.name])  # NumPy's sum and product of truth values
    if kind == "index" and _needs_ellipsis(*eqn.invars[:2]):
        known = isinstance(eqn.invars[0], Var) and eqn.invars[0].aval.shape is not None \
            and not _past_an_end(*eqn.invars[:2])
        return ("index_all", "") if known else ("call", "getitem")
    if eqn.prim.name in ("maximum", "minimum") and all(map(_python_int, eqn.invars)):
        return ("call", eqn.prim.name[:3])  # max(size(x), 1): the standard's need arrays
    if _like_of_unknown(eqn):
        return ("call", f"{eqn.prim.name}_any")
    if kind == "call" and eqn.prim.name in FLOAT_FUNCTIONS and any(map(_weak, eqn.invars)):
        numbers = "".join(str(i) for i, a in enumerate(eqn.invars) if _weak(a))
        like = next((a for a in eqn.invars if not _weak(a)), None)
        maybe = "?" if like is not None and _maybe_number(like) else ""  # (a 0-d value)
        return ("call_on_float_array", f"{text}#{numbers}{maybe}")
    if kind == "call" and eqn.prim.name in _ELEMENTWISE_HELPERS and any(
            map(_maybe_number, eqn.invars)):
        numbers = "".join(str(i) for i, a in enumerate(eqn.invars) if _weak(a))
        if numbers and len(numbers) < len(eqn.invars):  # fmax(x, -0.5): -0.5 of x's dtype
            return ("call_with_weak_numbers", f"{text}#{numbers}")
        return ("call_on_array", f"xp:{text}")  # sigmoid(xp.asarray(x)): xp's, not NumPy's
    if kind == "call" and text.startswith("xp.") and eqn.invars and (
            _maybe_number(eqn.invars[0])
            or (eqn.prim.name in _PRODUCTS and any(map(_weak, eqn.invars))))\
            and eqn.prim.name not in _CONSTRUCTORS:
        return ("call_on_array", text)
    if eqn.prim.name in ("cumsum", "cumprod") and eqn.params.get("axis") is None \
            and eqn.invars[0].aval.ndim != 1:
        return ("call", eqn.prim.name)  # of the flattened array: ``runtime``'s
    if eqn.prim.name in ("eigh", "eigvalsh", "round") and eqn.params:
        return ("call", eqn.prim.name)  # the upper triangle, or decimals: ``runtime``'s
    if eqn.prim.name == "reshape" and isinstance(eqn.invars[1], Const) \
            and isinstance(eqn.invars[1].value, tuple):  # (of a number: made an array)
        return ("call_on_array" if _maybe_number(eqn.invars[0]) else "call", "xp.reshape")
    return (kind, text)


def _has_ellipsis(index: Any) -> bool:
    if isinstance(index, tuple):
        return Ellipsis in index
    if isinstance(index, np.ndarray) and index.dtype == np.bool_:
        return True  # a mask is the whole index: no `...` after it
    return index is Ellipsis
