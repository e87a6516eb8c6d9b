"""How the NumPy backend writes each primitive.

A spelling is ``(kind, text)``: ``("call", "np.exp")``, ``("binop", "+")``,
``("unaryop", "-")``, ``("method", "astype")``, ``("attr", "T")``, ``("index", "")``,
``("tuple", "")`` or ``("boolop", "and")``; the Python code generator turns it into
syntax. A primitive not in the table is NumPy's function of its own name
(``exp`` is ``np.exp``). The names generated code calls resolve in ``runtime.NAMESPACE``
to each primitive's own ``impl`` (a test checks it), so what the compiler folds and
what the generated code runs are the same function.

On top of the table, where the operands allow, a faster spelling: ``math`` on Python
floats (ten times faster than a ufunc on a scalar), methods on arrays
(``x.sum(axis=0)`` saves the Python function in front of the method), and
``where_zero`` for ``np.where(c, x, 0)`` on large arrays (a ReLU and its adjoint: a
bit mask instead of a selection, three times faster in float32).
"""
from __future__ import annotations

import math

import numpy as np

from ...ir.core import Const, Eqn, Var, is_python_float, is_python_int, same_dtype
from ...ir.primitives import Primitive
from ..python.expressions import all_python_floats

Spelling = tuple[str, str]

_OPERATORS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "pow": "**", "matmul": "@",
              "floor_divide": "//", "mod": "%", "less": "<", "greater": ">",
              "less_equal": "<=", "greater_equal": ">=", "equal": "==", "not_equal": "!="}
# Runtime helpers (``reference``), called by their own name.
_HELPERS = ("unbroadcast", "keepdims_like", "untile", "unrepeat", "pad", "unpad", "concatenate",
            "stack", "hstack",
            "concat_part", "undiag", "matmul_vjp_x", "matmul_vjp_y", "dot_vjp_a", "dot_vjp_b",
            "tensordot_vjp_a", "tensordot_vjp_b", "as_columns", "from_columns",
            "zeros_like_tape", "reversed_tape", "add_tapes", "sigmoid", "match_complex",
            "index_add", "gather", "gather_add",
            "add_along_axis", "index_update", "gather_update", "slice", "stack_rows",
            "unstack_rows", "window_add", "window_update",
            "adjugate",
            "format_batch")
_CALLS = {"copy": "np.array", "reduce_sum": "np.sum", "reduce_mean": "np.mean",
          "reduce_prod": "np.prod", "reduce_max": "np.max", "reduce_min": "np.min",
          "reduce_all": "np.all", "reduce_any": "np.any", "norm": "np.linalg.norm",
          "inv": "np.linalg.inv", "det": "np.linalg.det", "slogdet": "np.linalg.slogdet",
          "solve": "np.linalg.solve", "cholesky": "np.linalg.cholesky",
          "svd": "np.linalg.svd", "svdvals": "np.linalg.svd", "eigh": "np.linalg.eigh",
          "eigvalsh": "np.linalg.eigvalsh",
          "eig": "np.linalg.eig", "eigvals": "np.linalg.eigvals", "pinv": "np.linalg.pinv",
          "qr": "np.linalg.qr",
          "lstsq": "np.linalg.lstsq",
          "fftn": "np.fft.fftn",
          "ifftn": "np.fft.ifftn", "rfftn": "np.fft.rfftn", "irfftn": "np.fft.irfftn"}

SPELLINGS: dict[str, Spelling] = {
    **{name: ("binop", op) for name, op in _OPERATORS.items()},
    **{name: ("call", name) for name in _HELPERS},
    **{name: ("call", text) for name, text in _CALLS.items()},
    "neg": ("unaryop", "-"), "truth_not": ("unaryop", "not"), "truth": ("call", "bool"),
    "truth_and": ("boolop", "and"), "truth_or": ("boolop", "or"),
    "T": ("attr", "T"), "dtype": ("attr", "dtype"),
    "astype": ("method", "astype"), "astype_discrete": ("method", "astype"),
    "getitem": ("index", ""), "make_tuple": ("tuple", ""),
    "join_tuples": ("binop", "+"), "repeat_tuple": ("binop", "*"),
    "tuples_equal": ("binop", "=="), "draw": ("draw", ""), "print": ("call", "print"),
    "index_add_into": ("call", "index_add"),  # acc[i] += v; this where acc lives on
    "window": ("window", ""),  # x[t:t + k]
    "window_add_into": ("call", "window_add"),  # acc[t:t + k] += v; this where acc lives on
    "window_update_into": ("call", "window_update"),  # acc[t:t + k] = v; likewise
    "index_update_into": ("call", "index_update"),  # y[i] = v; this where y lives on
    "float": ("call", "float"), "int": ("call", "int"), "format_text": ("call", "str.format"),
    "assign": ("call", "np.copyto"), "random_uniform": ("call", "np.random.random"),
    "random_normal": ("call", "np.random.standard_normal"),
    "host_call": ("call_operand", ""), "report": ("call_operand", ""),
    "random_state": ("call", "np.random.RandomState"),
    "default_rng": ("call", "np.random.default_rng"),
}


def register(prim: Primitive, spelling: Spelling) -> None:
    """How a primitive defined outside the package (``extend``) is written."""
    SPELLINGS[prim.name] = spelling


def own_spelling(prim: Primitive) -> Spelling:
    """The primitive's spelling whatever its operands: the table's, or ``np.<name>``."""
    return SPELLINGS.get(prim.name) or ("call", f"np.{prim.name}")


# ---------------------------------------------------------------------------- faster ones


# On Python floats, ``math`` is ten times faster than NumPy's ufuncs, and Python's
# operators than NumPy's scalars. Where NumPy returns inf or nan (with a warning) they
# raise instead (ZeroDivisionError, OverflowError, a math domain error): code so spelled
# has a twin spelled with NumPy (``python_floats=False``), run on float64 scalars where
# the fast one raised (see ``pipeline.compiler.Compiled``), so that both give NumPy's
# answers.
_MATH = {"sin": "sin", "cos": "cos", "tan": "tan", "exp": "exp", "log": "log",
         "log1p": "log1p", "expm1": "expm1", "sqrt": "sqrt", "tanh": "tanh", "sinh": "sinh",
         "cosh": "cosh", "arcsin": "asin", "arccos": "acos", "arctan": "atan",
         "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh", "arctan2": "atan2",
         "hypot": "hypot", "log2": "log2", "log10": "log10", "exp2": "exp2", "cbrt": "cbrt"}
# ``x.sum(axis=0)`` costs a microsecond less than ``np.sum(x, axis=0)``, a Python
# function in front of that method (``np.outer`` likewise, in front of a ufunc's):
# on small arrays, that is the cost.
_METHODS = {"reduce_sum": "sum", "reduce_mean": "mean", "reduce_prod": "prod",
            "reduce_max": "max", "reduce_min": "min", "reduce_all": "all", "reduce_any": "any"}


def _direct_spelling(eqn: Eqn) -> Spelling | None:
    """``x.sum()`` for ``np.sum(x)`` where ``x`` is known to be an array of at least one
    dimension (a 0-d value may be a Python float at run time), ``np.multiply.outer(x, y)``
    for ``np.outer(x, y)`` of vectors."""
    arrays = all(isinstance(a, Var) and a.aval.known and len(a.aval.shape) >= 1
                 for a in eqn.invars)
    if not arrays or not eqn.invars:
        return None
    if eqn.prim.name == "outer":
        vectors = all(len(a.aval.shape) == 1 for a in eqn.invars)
        return ("call", "np.multiply.outer") if vectors else None
    name = _METHODS.get(eqn.prim.name)
    return ("method", name) if name else None


# ``np.where`` costs about 1 ns per value, ``where_zero`` 0.3-0.5 ns but a few calls
# more: measured, it pays from about 4,096 values of 4 bytes, 8,192 of 8 bytes.
_WHERE_ZERO_FROM = {1: 4096, 2: 4096, 4: 4096, 8: 8192}


def _where_zero_spelling(eqn: Eqn) -> Spelling | None:
    """``where_zero(c, x, 0)`` for ``np.where(c, x, 0)`` (or ``(c, 0, x)``) on large
    arrays: a ReLU and the adjoint of any selection. Only where the condition and the
    kept operand are known to have the result's shape, and the kept operand its dtype
    (the helper falls back to ``np.where`` otherwise, so this is a question of speed)."""
    if eqn.prim.name != "where" or len(eqn.invars) != 3 or eqn.params:
        return None
    c, x, y = eqn.invars
    zero, kept = (y, x) if isinstance(y, Const) else (x, y)
    out = eqn.outvars[0].aval
    if not (isinstance(zero, Const) and type(zero.value) in (int, float) and zero.value == 0
            and isinstance(kept, Var) and isinstance(c, Var) and out.known):
        return None
    least = _WHERE_ZERO_FROM.get(out.dtype.itemsize)
    if (least is None or math.prod(out.shape) < least or kept.aval.shape != out.shape
            or c.aval.shape != out.shape or not same_dtype(kept.aval.dtype, out.dtype)
            or c.aval.dtype != np.bool_):
        return None
    return ("call", "where_zero")


def _scalar_spelling(eqn: Eqn) -> Spelling | None:
    """``math.sin(x)`` for ``np.sin(x)`` when every operand is a Python float;
    ``math.pow(x, y)`` for ``x ** y`` unless ``y`` is a whole number (Python's ``**``
    gives a complex number for a negative ``x``, where NumPy gives nan), and
    ``math.sqrt(x)`` for ``x ** 0.5``, as NumPy computes it (nan at -inf, -0 at -0)."""
    if not all_python_floats(eqn):
        if eqn.invars and all(is_python_float(a) or is_python_int(a) for a in eqn.invars) and \
                hasattr(math, _MATH.get(eqn.prim.name, "")) and not eqn.params:
            return ("call", f"math.{_MATH[eqn.prim.name]}")  # math.cos(t) of a loop's t:
        return None  # a Python float, as in Python (NumPy's float64 would promote)
    if eqn.prim.name == "pow":
        y = eqn.invars[1]
        y = y.value if isinstance(y, Const) and type(y.value) in (int, float) else None
        if y == 0.5:
            return ("call_first", "math.sqrt")
        whole = y is not None and math.isfinite(y) and y == int(y)
        return None if whole else ("call", "math.pow")
    name = _MATH.get(eqn.prim.name)
    if name is None or eqn.params or not hasattr(math, name):
        return None
    return ("call", f"math.{name}")


def _maybe_python_number(x: object) -> bool:
    """A 0-d value, which may be a Python number when the code runs although its aval
    says an array (the seed 1.0 carried into a loop's adjoint as a 0-d array's
    cotangent, fuzz seed 680010): ``reference.cast`` casts any."""
    aval = getattr(x, "aval", None)
    return aval is not None and aval.shape == ()


def spell(eqn: Eqn, python_floats: bool = True) -> Spelling:
    """How ``eqn`` is written: its primitive's own spelling, or a faster one where the
    operands are known to allow it (``math`` on floats, methods on arrays, masks)."""
    if python_floats and eqn.prim.name in ("astype", "astype_discrete") \
            and is_python_float(eqn.invars[0]):
        return ("call", "np.asarray")  # a float has no astype: np.asarray(x, np.float32)
    if eqn.prim.name in ("astype", "astype_discrete") and _maybe_python_number(eqn.invars[0]):
        return ("call", "cast")  # (keeps a NumPy scalar one and a 0-d array one)
    fast = _scalar_spelling(eqn) if python_floats else None
    kind, text = (fast or _direct_spelling(eqn) or _where_zero_spelling(eqn)
                  or own_spelling(eqn.prim))
    if python_floats and kind in ("index", "attr", "method") and eqn.invars \
            and is_python_float(eqn.invars[0]) and not hasattr(float, text):
        return ("on_array", f"{kind}:{text}")  # t[()] and t.T of a float: of np.asarray(t)
    return kind, text
