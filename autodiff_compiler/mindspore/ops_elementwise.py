"""MindSpore's remaining elementwise ``ops``: small differentiable ones (``tanhshrink``,
``threshold``, ``prelu``, ``bias_add``, ``addn``, ``sgn``, ``truncate_div``/``_mod``,
``ldexp``, ``swiglu``...), complex parts (``real``, ``imag``, ``conj``, ``angle``,
``polar``, ``view_as_real``...) and dtype predicates; the integer ops are in
``ops_integer``, the special functions in ``ops_special_functions``. All are
re-exported by ``ops``.

Written in NumPy, so a differentiated function compiles them from this source. Their
dtypes follow MindSpore 2.7.1 (measured): the checks and casts that need an operand's
dtype read it while compiling (``_dtype``); in shape-generic code, where a dtype is
known only at run time, they are skipped and NumPy's promotion decides. Where MindSpore
refuses a dtype or a shape it is refused here too, with its ``TypeError``/``ValueError``.
``prelu`` and ``bias_add`` line a vector up with axis 1, and ``sgn`` branches on
complex input: they need the rank or the dtype while compiling, so shape-generic code
refuses them at the user's line.

``truncate_div`` is ``floor_divide`` moved one towards zero where the signs differ and
the division is inexact, which serves ints and floats alike (no gradient);
``truncate_mod`` is C's ``fmod``, with MindSpore's gradients 1 and ``-trunc(x / y)``.
An int Tensor with a float one computes in the float's dtype, as MindSpore promotes
(NumPy would take float64).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import AutodiffError
from ..ir import builder, surface
from ..ir import primitives as P
from ..ir.core import Var
from ..ir.reference import sigmoid
from .tensor import Tensor

__all__ = ["tanhshrink", "threshold", "prelu", "bias_add", "addn", "accumulate_n",
           "sgn", "truncate_div", "truncate_mod", "ldexp", "swiglu", "deepcopy",
           "real", "imag", "conj", "angle", "polar", "view_as_real", "is_complex", "isreal",
           "is_floating_point", "is_tensor"]

_FLOAT64 = np.dtype(np.float64)

# ---------------------------------------------------------------------------- dtypes and shapes


def _dtype(x: Any) -> Any:
    """``x``'s dtype (an array's, a NumPy scalar's), or ``None`` for a Python number and,
    in shape-generic code, for a value whose dtype is known only at run time."""
    return x.dtype if isinstance(x, np.ndarray | np.generic) else None


def _compile_dtype(x: Any) -> Any:
    if isinstance(x, Var):
        dtype = P.dtype_of(x)
        return dtype if isinstance(dtype, np.dtype) else None
    return _dtype(x)


def _shape(x: Any) -> Any:
    """``np.shape(x)``, or ``None`` where shape-generic code knows it only at run time."""
    return np.shape(x)


def _compile_shape(x: Any) -> Any:
    shape = P.shape_of(x) if isinstance(x, Var) else np.shape(x)
    known = isinstance(shape, tuple) and all(isinstance(n, int) for n in shape)
    return shape if known else None


def _rank(x: Any, name: str) -> int:
    """``np.ndim(x)``, which ``name`` lines its channels up with: refused where it is
    known only at run time (shape-generic code)."""
    return np.ndim(x)


def _compile_rank(x: Any, name: str) -> int:
    shape = P.shape_of(x) if isinstance(x, Var) else np.shape(x)
    if not isinstance(shape, tuple):
        raise AutodiffError(f"ops.{name} needs the rank of its input when compiling, which "
                            "shape-generic code knows only at run time",
                            builder.current().loc,
                            hint="differentiate shape-specialised code (grad's default, "
                                 "specialize=True)")
    return len(shape)


def _known_dtype(x: Any, name: str) -> Any:
    """``x``'s dtype, which ``name``'s answer is: refused where it is known only at run
    time (shape-generic code)."""
    return np.result_type(x)


def _compile_known_dtype(x: Any, name: str) -> Any:
    dtype = _compile_dtype(x) if isinstance(x, Var) else np.result_type(x)
    if dtype is None:
        raise AutodiffError(f"ops.{name} needs the dtype of its input when compiling, which "
                            "shape-generic code knows only at run time",
                            builder.current().loc,
                            hint="differentiate shape-specialised code (grad's default, "
                                 "specialize=True)")
    return dtype


for _fn, _build in ((_dtype, _compile_dtype), (_shape, _compile_shape),
                    (_rank, _compile_rank), (_known_dtype, _compile_known_dtype)):
    surface.FUNCTIONS[_fn] = _build
    surface.USER_FUNCTIONS.add(_fn)  # tested with this module


def _kind(dtype: Any) -> str:
    """The kind of ``dtype`` (``"f"``, ``"c"``...), ``""`` where it is unknown."""
    return "" if dtype is None else np.dtype(dtype).kind


def _check(dtype: Any, kinds: str, name: str, what: str, arg: str = "input") -> None:
    """A ``TypeError`` unless ``dtype`` (``None``: unknown) is of one of ``kinds``."""
    if dtype is not None and np.dtype(dtype).kind not in kinds:
        raise TypeError(f"ops.{name}: '{arg}' must be a Tensor of {what}, but got "
                        f"{np.dtype(dtype)}")


def _float_target(dtype: Any, name: str) -> Any:
    """The float dtype an op of floats computes in: float32 for integers and bools,
    ``None`` (as it is) for floats or an unknown dtype; complex is refused."""
    _check(dtype, "biuf", name, "real numbers")
    return np.dtype(np.float32) if dtype is not None and dtype.kind in "biu" else None


def _mixed_target(dx: Any, dy: Any) -> Any:
    """The float dtype of an int Tensor with a float one (MindSpore's promotion, where
    NumPy's would be float64), else ``None``."""
    if dx is None or dy is None:
        return None
    if dx.kind in "biu" and dy.kind == "f":
        return dy
    if dy.kind in "biu" and dx.kind == "f":
        return dx
    return None


def _ldexp_target(dx: Any, dy: Any) -> Any:
    """float64 if either operand is, else float32 (``None`` if neither is known)."""
    if dx is None and dy is None:
        return None
    return _FLOAT64 if _FLOAT64 in (dx, dy) else np.dtype(np.float32)


def _same_dtypes(dtypes: tuple, name: str, what: str) -> None:
    known = {np.dtype(d) for d in dtypes if d is not None}
    if len(known) > 1:
        raise TypeError(f"ops.{name}: the {what} must have the same dtype, but got "
                        f"{sorted(str(d) for d in known)}")


def _same_shapes(shapes: tuple, name: str, what: str) -> None:
    known = {tuple(s) for s in shapes if s is not None}
    if len(known) > 1:
        raise ValueError(f"ops.{name}: the {what} must have the same shape (no "
                         f"broadcasting), but got {sorted(known)}")


def _channels(shape: Any, ndim: int, weight_shape: Any, name: str, what: str) -> tuple:
    """The shape ``(C, 1, ...)`` that lines a vector up with axis 1 of an array of
    ``ndim`` axes (``()`` for fewer than 2), after checking its length."""
    if weight_shape is not None and len(weight_shape) != 1:
        raise ValueError(f"ops.{name}: '{what}' must be 1-d, but got shape {weight_shape}")
    if shape is not None and weight_shape is not None:
        channels = shape[1] if ndim >= 2 else 1
        allowed = {1, channels} if name == "prelu" else {channels}
        if weight_shape[0] not in allowed:
            raise ValueError(f"ops.{name}: the length of '{what}' must be the number of "
                             f"channels (axis 1 of shape {shape}): {channels}, but got "
                             f"{weight_shape[0]}")
    return (-1,) + (1,) * (ndim - 2) if ndim >= 2 else ()


def _check_rank(ndim: int, low: int, high: int, name: str) -> None:
    if not low <= ndim <= high:
        raise ValueError(f"ops.{name}: the rank of the input must be in [{low}, {high}], "
                         f"but got {ndim}")


def _check_halves(shape: Any, dim: int, name: str) -> None:
    if shape is not None and shape[dim] % 2:
        raise ValueError(f"ops.{name}: axis {dim} of shape {shape} must have an even length "
                         "to be split in halves")


def _check_summands(count: int, name: str) -> None:
    if count == 0:
        raise ValueError(f"ops.{name}: 'x' must hold at least one Tensor")


for _fn in (_kind, _check, _float_target, _mixed_target, _ldexp_target, _same_dtypes, _same_shapes,
            _channels, _check_rank, _check_halves, _check_summands):
    _fn.__evaluated_when_compiling__ = True  # pure functions of dtypes and shapes


def _cast(x: Any, dtype: Any) -> Any:
    return x if dtype is None else x.astype(dtype)


def _as_float(x: Any, name: str) -> Any:
    return _cast(x, _float_target(_dtype(x), name))


# ---------------------------------------------------------------------------- differentiable


def tanhshrink(input: Any) -> Any:  # noqa: A002 (MindSpore's name)
    """``input - tanh(input)`` (float32 for integers)."""
    x = _as_float(input, "tanhshrink")
    return x - np.tanh(x)


def threshold(input: Any, thr: Any, value: Any) -> Any:  # noqa: A002
    """``input`` where it is above ``thr``, ``value`` elsewhere, in ``input``'s dtype;
    the gradient flows where ``input > thr``."""
    return _cast(np.where(input > thr, input, value), _dtype(input))


def prelu(input: Any, weight: Any) -> Any:  # noqa: A002
    """``input`` where positive, ``weight * input`` elsewhere (at 0 too, so the gradient
    there is ``weight``'s); ``weight`` has one value, or one per channel (axis 1)."""
    dtypes = (_dtype(input), _dtype(weight))
    _check(dtypes[0], "f", "prelu", "floats")
    _check(dtypes[1], "f", "prelu", "floats", "weight")
    _same_dtypes(dtypes, "prelu", "input and weight")
    w = np.reshape(weight, _channels(_shape(input), _rank(input, "prelu"), _shape(weight),
                                     "prelu", "weight"))
    return np.where(input > 0, input, w * input)


def bias_add(input_x: Any, bias: Any) -> Any:
    """``input_x`` (of 2 to 5 axes) plus ``bias``, one value per channel (axis 1)."""
    ndim = _rank(input_x, "bias_add")
    _check_rank(ndim, 2, 5, "bias_add")
    _same_dtypes((_dtype(input_x), _dtype(bias)), "bias_add", "input_x and bias")
    return input_x + np.reshape(bias, _channels(_shape(input_x), ndim, _shape(bias),
                                                "bias_add", "bias"))


def addn(x: Any) -> Any:
    """The sum of the Tensors of ``x`` (a list or tuple), which must share a shape and
    a dtype."""
    _check_summands(len(x), "addn")
    _same_dtypes(tuple([_dtype(t) for t in x]), "addn", "Tensors of 'x'")
    _same_shapes(tuple([_shape(t) for t in x]), "addn", "Tensors of 'x'")
    total = x[0]
    for t in x[1:]:
        total = total + t
    return total


def accumulate_n(x: Any) -> Any:
    """``addn`` (MindSpore's accumulating variant has the same value)."""
    return addn(x)


def sgn(input: Any) -> Any:  # noqa: A002
    """The sign of reals (0 for 0 and NaN, no gradient); ``z / |z|`` of complex numbers
    (0 at 0)."""
    if np.dtype(_known_dtype(input, "sgn")).kind == "c":
        size = np.abs(input)
        zero = size == 0
        return np.where(zero, 0, input / np.where(zero, 1, size))
    return np.where(np.isnan(input), 0, np.sign(input))


def _mixed(x: Any, y: Any) -> tuple:
    target = _mixed_target(_dtype(x), _dtype(y))
    return _cast(x, target), _cast(y, target)


def truncate_div(x: Any, y: Any) -> Any:
    """``x / y`` rounded towards zero (ints stay ints); no gradient."""
    x, y = _mixed(x, y)
    floor = np.floor_divide(x, y)
    up = np.logical_and(np.fmod(x, y) != 0, (x < 0) != (y < 0))
    return np.where(up, floor + 1, floor)


def truncate_mod(x: Any, y: Any) -> Any:
    """The remainder of ``truncate_div``, with ``x``'s sign (C's ``fmod``); its
    gradients are 1 and ``-trunc(x / y)``."""
    x, y = _mixed(x, y)
    return np.fmod(x, y)


def ldexp(x: Any, other: Any) -> Any:
    """``x * 2 ** other``, in float64 if either is float64, else float32 (``other`` may
    be a float: its gradient is ``x 2^other log 2``)."""
    target = _ldexp_target(_dtype(x), _dtype(other))
    if target is not None:
        x, other = x.astype(target), np.asarray(other, target)
    return x * np.exp2(other)


def swiglu(input: Any, dim: int = -1) -> Any:  # noqa: A002
    """``swish(a) * b``, ``a`` and ``b`` the halves of ``input`` along ``dim``, with
    ``swish(a) = a sigmoid(a)``."""
    _check(_dtype(input), "f", "swiglu", "floats")
    _check_halves(_shape(input), dim, "swiglu")
    a, b = np.split(input, 2, axis=dim)
    return a * sigmoid(a) * b


def deepcopy(input_x: Any) -> Any:
    """A copy of ``input_x``; the gradient passes through."""
    return input_x.copy()


# ---------------------------------------------------------------------------- complex parts


def real(input: Any) -> Any:  # noqa: A002
    """The real part (a real Tensor as it is)."""
    return np.real(input)


def imag(input: Any) -> Any:  # noqa: A002
    """The imaginary part (zeros of a real Tensor's dtype)."""
    return np.imag(input)


def conj(input: Any) -> Any:  # noqa: A002
    """The complex conjugate (a real Tensor as it is)."""
    return np.conj(input)


def angle(input: Any) -> Any:  # noqa: A002
    """The argument of complex numbers, in ``(-pi, pi]``, as float32 (float64 of
    complex128)."""
    _check(_dtype(input), "c", "angle", "complex numbers")
    return np.angle(input)


def polar(abs: Any, angle: Any) -> Any:  # noqa: A002 (MindSpore's names)
    """The complex numbers ``abs * (cos(angle) + i sin(angle))``; both Tensors of one
    float dtype (float32 gives complex64) and one shape."""
    dtypes = (_dtype(abs), _dtype(angle))
    _check(dtypes[0], "f", "polar", "float32 or float64", "abs")
    _check(dtypes[1], "f", "polar", "float32 or float64", "angle")
    _same_dtypes(dtypes, "polar", "abs and angle")
    _same_shapes((_shape(abs), _shape(angle)), "polar", "abs and angle")
    return abs * np.cos(angle) + 1j * (abs * np.sin(angle))


def view_as_real(input: Any) -> Any:  # noqa: A002
    """A complex Tensor's real and imaginary parts, side by side on a new last axis."""
    _check(_dtype(input), "c", "view_as_real", "complex numbers")
    return np.stack([np.real(input), np.imag(input)], axis=-1)


def is_complex(input: Any) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is complex (a Python bool)."""
    return np.dtype(_known_dtype(input, "is_complex")).kind == "c"


def isreal(input: Any) -> Any:  # noqa: A002
    """Where the imaginary part is 0 (everywhere, for a real Tensor)."""
    return np.isreal(input)


def is_floating_point(input: Any) -> bool:  # noqa: A002
    """Whether ``input``'s dtype is a real float (a Python bool)."""
    return np.dtype(_known_dtype(input, "is_floating_point")).kind == "f"


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a Tensor (a NumPy array is not). Inside a differentiated
    function the arguments are arrays: ask outside it."""
    return isinstance(obj, Tensor)
