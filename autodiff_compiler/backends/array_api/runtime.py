"""The array API backend's run time: ``common_namespace`` (which each generated
function's first line calls), shape queries that take Python numbers too, and the
elementwise helpers -- array-API twins of ``ir.reference``'s, and NumPy functions the
standard lacks or restricts (``exp2``, ``fmax``, ``real`` of a real array) -- written
with the standard's functions only. ``layout`` and ``products`` hold the others.

A helper finds its library from its array operands (``array_namespace``); each is
called with at least one array (the code generator passes Python numbers only where
the standard takes them).
"""
from __future__ import annotations

import math
from typing import Any

from ...errors import AutodiffError

try:
    import array_api_compat
    import array_api_compat.numpy
except ImportError as err:  # an optional dependency: say how to get it
    raise AutodiffError("the array API backend needs array-api-compat",
                        hint="pip install 'autodiff-compiler[array-api]'") from err

_SCALARS = (bool, int, float, complex, type(None), list, tuple, slice)
_NUMBERS = (bool, int, float, complex)
_BY_TYPES: dict[tuple[type, ...], Any] = {}


def array_namespace(*values: Any) -> Any:
    """The array API namespace of the arrays among ``values`` (array-api-compat's, so
    NumPy, CuPy and PyTorch arrays are spoken to in the standard's terms); NumPy's when
    there is none. Worked out once per combination of types: a dictionary lookup."""
    key = tuple(map(type, values))
    xp = _BY_TYPES.get(key)
    if xp is None:
        arrays = [v for v in values if not isinstance(v, _SCALARS)]
        xp = array_api_compat.array_namespace(*arrays) if arrays else array_api_compat.numpy
        _BY_TYPES[key] = xp
    return xp


_CONVERSIONS: dict[tuple[type, ...], tuple[Any, tuple[bool, ...]]] = {}


def common_namespace(*inputs: Any) -> tuple:
    """What a generated function's first line unpacks: the namespace of its inputs,
    then the inputs, a NumPy array among another library's arrays (one the function
    reads from a global, beside PyTorch arguments) moved into that library with
    ``asarray``. Worked out once per combination of types."""
    key = tuple(map(type, inputs))
    entry = _CONVERSIONS.get(key)
    if entry is None:
        arrays = [v for v in inputs if not isinstance(v, _SCALARS)]
        foreign = [v for v in arrays if type(v).__module__.partition(".")[0] != "numpy"]
        xp = array_namespace(*(foreign or arrays))
        convert = tuple(bool(foreign) and not isinstance(v, _SCALARS) and
                        type(v).__module__.partition(".")[0] == "numpy" for v in inputs)
        entry = _CONVERSIONS[key] = (xp, convert)
    xp, convert = entry
    if True in convert:
        inputs = tuple(xp.asarray(v) if c else v for v, c in zip(inputs, convert))
    return (xp, *inputs)


def shape(x: Any) -> tuple[int, ...]:
    """``x.shape`` (``()`` for a Python number)."""
    return tuple(x.shape) if hasattr(x, "shape") else ()


def ndim(x: Any) -> int:
    return len(shape(x))


def size(x: Any) -> int:
    return math.prod(shape(x))


def _float(xp: Any, x: Any) -> Any:
    """``x`` as floats: NumPy computes integer operands of ``exp`` in float64."""
    x = xp.asarray(x)
    return x if xp.isdtype(x.dtype, ("real floating", "complex floating")) \
        else xp.astype(x, xp.float64)


def _all(index: Any) -> tuple:
    """An index with ``...`` at its end unless it has one: the remaining axes whole."""
    index = index if isinstance(index, tuple) else (index,)
    return index if any(i is Ellipsis for i in index) else (*index, Ellipsis)


def within(index: Any, dims: tuple) -> tuple:
    """``_all(index)`` with each slice's bounds clipped to its axis, as NumPy clips them
    (``x[2:100]``, a window ``x[i:i + 3]`` past the end; the standard leaves bounds out
    of range unspecified, and array-api-strict raises)."""
    index = _all(index)
    at = index.index(Ellipsis)
    after = sum(p is not None for p in index[at + 1:])  # (None makes an axis, takes none)
    axis, parts = 0, []
    for k, part in enumerate(index):
        if k == at:
            axis = len(dims) - after
        if part is Ellipsis or part is None:
            parts.append(part)
            continue
        if isinstance(part, slice) and axis < len(dims):
            start, stop, step = part.indices(dims[axis])
            part = slice(start, None if step < 0 and stop < 0 else stop, step)
        parts.append(part)
        axis += 1
    return tuple(parts)


# ---------------------------------------------------------------------------- elementwise


def sigmoid(x: Any) -> Any:
    """Logistic function from ``e^-|x|``: never overflows, accurate in both tails."""
    xp = array_namespace(x)
    x = _float(xp, x)
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))


def where(condition: Any, x: Any, y: Any) -> Any:
    """``xp.where``, which takes one Python number among ``x`` and ``y`` at most, and
    no Python bool as the condition (``x > 0.1`` of a Python float). Of numbers alone
    it is a number, of the kind NumPy's promotion gives (no array says whose it is)."""
    if not any(hasattr(v, "shape") for v in (condition, x, y)):
        kind = bool if type(x) is bool and type(y) is bool else type(x + y)
        return kind(x if condition else y)
    xp = array_namespace(condition, x, y)
    if not hasattr(condition, "shape"):
        condition = xp.asarray(condition)
    if not hasattr(x, "shape") and not hasattr(y, "shape"):  # NumPy's promotion of the two
        kind = type(x + y)
        dtype = {bool: xp.bool, int: xp.int64, float: xp.float64}.get(kind, xp.complex128)
        x = xp.asarray(x, dtype=dtype)
    return xp.where(condition, x, y)


def exp2(x: Any) -> Any:
    return 2.0 ** _float(array_namespace(x), x)


def logaddexp2(x: Any, y: Any) -> Any:
    xp = array_namespace(x, y)
    ln2 = math.log(2.0)
    return xp.logaddexp(x * ln2, y * ln2) / ln2


def reciprocal(x: Any) -> Any:
    return 1.0 / _float(array_namespace(x), x)


def cbrt(x: Any) -> Any:
    xp = array_namespace(x)
    x = _float(xp, x)
    return xp.sign(x) * xp.abs(x) ** (1.0 / 3.0)


def fmax(x: Any, y: Any) -> Any:
    """The larger, ignoring a nan on one side (NumPy's ``fmax``)."""
    xp = array_namespace(x, y)
    return xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.maximum(x, y)))


def fmin(x: Any, y: Any) -> Any:
    xp = array_namespace(x, y)
    return xp.where(xp.isnan(y), x, xp.where(xp.isnan(x), y, xp.minimum(x, y)))


def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None) -> Any:
    xp = array_namespace(x)
    info = xp.finfo(x.dtype)
    x = xp.where(xp.isnan(x), nan, x)
    x = xp.where(xp.isinf(x) & (x > 0), info.max if posinf is None else posinf, x)
    return xp.where(xp.isinf(x) & (x < 0), info.min if neginf is None else neginf, x)


def zeros_like_any(x: Any, dtype: Any = None) -> Any:
    """``zeros_like`` of a value whose kind only the run tells: an array, a Python
    number (a function returning ``0.25`` on one path and an array on another: its
    type's zero), or ``None`` (what a path not taken left, which nothing reads)."""
    if x is None or isinstance(x, _NUMBERS):
        return None if x is None else type(x)(0)
    return array_namespace(x).zeros_like(x, dtype=dtype)


def ones_like_any(x: Any, dtype: Any = None) -> Any:
    """``ones_like`` of an array or a Python number (see ``zeros_like_any``)."""
    if isinstance(x, _NUMBERS):
        return type(x)(1)
    return array_namespace(x).ones_like(x, dtype=dtype)


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Any:
    """``x``'s shape filled with ``fill_value``, which may be a 0-d array too."""
    xp = array_namespace(x, fill_value)
    dtype = x.dtype if dtype is None else dtype
    if not hasattr(fill_value, "shape"):
        return xp.full_like(x, fill_value, dtype=dtype)
    return xp.zeros_like(x, dtype=dtype) + xp.astype(fill_value, dtype)


def _is_complex(x: Any) -> bool:
    xp = array_namespace(x)
    return xp.isdtype(x.dtype, "complex floating") if hasattr(x, "dtype") else \
        isinstance(x, complex)


def real(x: Any) -> Any:
    """NumPy's ``real``: ``x`` itself when it is real (the standard's takes complex)."""
    return array_namespace(x).real(x) if _is_complex(x) else x


def imag(x: Any) -> Any:
    """NumPy's ``imag``: zeros when ``x`` is real."""
    xp = array_namespace(x)
    return xp.imag(x) if _is_complex(x) else xp.zeros_like(xp.asarray(x))


def conj(x: Any) -> Any:
    return array_namespace(x).conj(x) if _is_complex(x) else x


def match_complex(v: Any, x: Any) -> Any:
    """``v``, or its real part when ``x`` is real: a cotangent matches its primal
    (``v`` may be a Python number)."""
    if not hasattr(x, "dtype"):
        real_x = not isinstance(x, complex)
    else:
        real_x = not array_namespace(x).isdtype(x.dtype, "complex floating")
    if isinstance(v, complex):
        return v.real if real_x else v
    xp = array_namespace(v) if hasattr(v, "dtype") else None
    complex_v = xp is not None and xp.isdtype(v.dtype, "complex floating")
    return xp.real(v) if real_x and complex_v else v


def promoted_like(x: Any, like: Any) -> Any:
    """``x`` as NumPy promotes it against ``like``, a float or complex array, where the
    standard does not (its dtype was decided at run time: a Python number on one path,
    an array on another): a number made an array of ``like``'s dtype, as NumPy's weak
    numbers take the array's; an integer or bool array cast to it. Anything else is
    left to the standard's promotion."""
    if not hasattr(like, "dtype"):  # (a number: the standard promotes it as NumPy)
        return x
    xp = array_namespace(like)
    if not xp.isdtype(like.dtype, ("real floating", "complex floating")):
        return x
    if isinstance(x, bool | int | float):
        return xp.asarray(x, dtype=like.dtype)
    if hasattr(x, "dtype") and xp.isdtype(x.dtype, ("bool", "integral")):
        return xp.astype(x, like.dtype)
    return x


KINDS = ("bool", "integral", "real floating", "complex floating")  # the standard's, lowest first
_NUMBER_KIND = {bool: 0, int: 1, float: 2, complex: 3}


def number_beside(xp: Any, number: Any, like: Any) -> Any:
    """A Python number as the array NumPy's promotion makes of it beside ``like``
    (NEP 50: a number takes the array's dtype where its kind fits in it, ``-0.5`` beside
    float32 is float32; a float beside integers is float64, a complex beside float32
    complex64). The standard's functions take arrays, and ``xp.asarray(number)`` alone
    is float64, which made ``np.fmax(float32_x, -0.5)`` float64."""
    if not hasattr(like, "dtype"):  # (a number itself when the code runs)
        return xp.asarray(number)
    kind = next(k for k, name in enumerate(KINDS) if xp.isdtype(like.dtype, name))
    wanted = _NUMBER_KIND.get(type(number), 2)
    if wanted <= kind:
        return xp.asarray(number, dtype=like.dtype)
    if wanted == 3 and kind == 2:
        return xp.asarray(number, dtype=xp.complex64 if like.dtype == xp.float32
                          else xp.complex128)
    return xp.asarray(number)


def float_dtype(xp: Any, like: Any) -> Any:
    """The dtype a Python number takes beside ``like`` in a function of floats:
    ``like``'s, or float64 where ``like`` is a number itself when the code runs."""
    return like.dtype if hasattr(like, "dtype") else xp.float64


def floating(x: Any) -> Any:
    """``x`` (an array: ``xp.asarray`` of the operand) for a function of floats
    (``cos``, ``exp``...) as NumPy computes it: integers and bools in float64, floats as
    they are (the dtype was decided at run time: an int on one path, a float on
    another)."""
    xp = array_namespace(x)
    return xp.astype(x, xp.float64) if xp.isdtype(x.dtype, ("bool", "integral")) else x


def round(x: Any, decimals: int = 0) -> Any:  # noqa: A001  (NumPy's name)
    """NumPy's ``round`` to ``decimals``: scaled, rounded half to even, scaled back."""
    xp = array_namespace(x)
    if decimals == 0:
        return xp.round(x)
    scale = 10.0 ** decimals
    return xp.round(x * scale) / scale


def eigh(x: Any, UPLO: str = "L") -> Any:  # noqa: N803  (NumPy's name)
    """NumPy's ``linalg.eigh`` of the lower or upper triangle: the upper one of ``x`` is
    the lower one of its conjugate transpose."""
    xp = array_namespace(x)
    return xp.linalg.eigh(x if UPLO == "L" else _adjoint(xp, x))


def eigvalsh(x: Any, UPLO: str = "L") -> Any:  # noqa: N803
    xp = array_namespace(x)
    return xp.linalg.eigvalsh(x if UPLO == "L" else _adjoint(xp, x))


def adjugate(x: Any) -> Any:
    """``reference.adjugate`` (det's gradient, finite where ``x`` is singular) in the
    standard's functions."""
    xp = array_namespace(x)
    u, s, vh = xp.linalg.svd(x)
    n = s.shape[-1]
    others = xp.where(xp.eye(n, dtype=xp.bool), xp.ones_like(s[..., None, :]),
                      s[..., None, :])
    scale = (xp.linalg.det(u) * xp.linalg.det(vh))[..., None, None]
    return scale * (_adjoint(xp, vh) @ (xp.prod(others, axis=-1)[..., :, None]
                                        * _adjoint(xp, u)))


def _adjoint(xp: Any, x: Any) -> Any:
    x = xp.matrix_transpose(x)
    return xp.conj(x) if xp.isdtype(x.dtype, "complex floating") else x


def zeros_like_tape(tape: Any) -> Any:
    """Zeros for each element of a loop's tape: the cotangent of a tape none reached
    (``None`` for a slice, which has no derivative: ``reference.zeros_like_tape``)."""
    if not isinstance(tape, list):
        return None
    return [zeros_like_tape(e) if isinstance(e, list) else None
            if e is None or isinstance(e, slice) else 0.0 * e if isinstance(e, float | int)
            else array_namespace(e).zeros_like(e) for e in tape]
