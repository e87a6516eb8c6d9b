"""NumPy's ``np.fft``: the transforms (``fft``, ``ifft``, ``fft2``, ``ifft2``, ``fftn``,
``ifftn``, the real ``rfft``... ``irfftn`` and the Hermitian ``hfft`` and ``ihfft``) as
the four primitives of ``primitives.fft``, the shifts as ``np.roll``, the frequencies
as constants.

Each call is turned into its ``n``-dimensional form with explicit, negative ``axes``
(so a ``vmap`` batch axis in front changes nothing) and its lengths ``s`` (``n`` of a
one-dimensional transform; -1 in ``s`` is the axis's own length, as in NumPy 2). That
needs the array's rank when compiling, and ``s`` needs its shape where ``-1`` appears;
shape-generic code knows neither and is refused, as for convolutions. Axes may not
repeat (NumPy transforms a repeated axis twice; nothing here does).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import primitives as P
from ..core import ndim_of
from . import CompileTimeError, UnsupportedArgumentError, _static, _unsupported, register
from .composed import _known_shape, _unknown
from .constructors import _asarray

_NORMS = (None, "backward", "ortho", "forward")


def _axes(a: Any, axes: Any, s: Any, default: tuple[int, ...] | None, what: str
          ) -> tuple[int, ...]:
    """``axes`` as negative ints, ``default`` (or the last ``len(s)``, or all) if None."""
    rank = ndim_of(a)
    if rank is None:
        raise _unknown(what, "rank")
    axes = _static(axes, f"{what}'s axes")
    if axes is None:
        axes = default if default is not None else \
            tuple(range(rank))[-len(s):] if s is not None else tuple(range(rank))
    out = []
    for axis in axes:
        if not -rank <= axis < rank:
            raise CompileTimeError(f"axis {axis} is out of bounds for an array of "
                                   f"{rank} dimensions")
        out.append(axis - rank if axis >= 0 else axis)
    if len(set(out)) != len(out):
        raise UnsupportedArgumentError("repeated axes are not supported")
    return tuple(out)


def _lengths(a: Any, s: Any, axes: tuple[int, ...], what: str) -> tuple[int, ...] | None:
    s = _static(s, f"{what}'s s")
    if s is None:
        return None
    s = tuple(s)
    if len(s) != len(axes):
        raise CompileTimeError("s and axes must have the same length")
    if -1 in s:  # NumPy 2: the axis's own length
        shape = _known_shape(a, what)
        s = tuple(shape[axis] if n == -1 else n for n, axis in zip(s, axes))
    return tuple(int(n) for n in s)


def _check_points(a: Any, s: tuple[int, ...] | None, axes: tuple[int, ...],
                  half_spectrum: bool) -> None:
    """NumPy's error for a transform of no points (a length 0 in ``s``, an empty axis,
    or ``irfft`` of one value, whose default length is ``2 * (1 - 1)``), raised while
    compiling where the lengths are known: the primitives have no value there."""
    shape = P.shape_of(a)
    for i, axis in enumerate(axes):
        if s is not None:
            n = s[i]
        elif not isinstance(shape, tuple):
            continue
        else:
            n = 2 * (shape[axis] - 1) if half_spectrum and i == len(axes) - 1 else \
                shape[axis]
        if n < 1:
            raise ValueError(f"Invalid number of FFT data points ({n}) specified.")


def _transform(prim: P.Primitive, name: str, default: tuple[int, ...] | None,
               one_axis: bool) -> Any:
    what = f"np.fft.{name}"

    def apply(a: Any, s: Any, axes: tuple[int, ...], norm: Any, out: Any) -> Any:
        _unsupported(what, out=out)
        norm = _static(norm, f"{what}'s norm")
        if norm not in _NORMS:
            raise CompileTimeError(f'norm must be "backward", "ortho" or "forward", '
                                   f"not {norm!r}")
        s = _lengths(a, s, axes, what)
        _check_points(a, s, axes, prim is P.irfftn)
        return prim(a, s=s, axes=axes, norm=norm)

    def along_one(a, n=None, axis=-1, norm=None, out=None):
        a = _asarray(a)
        n = _static(n, f"{what}'s n")
        axes = _axes(a, (_static(axis, f"{what}'s axis"),), None, None, what)
        return apply(a, None if n is None else (n,), axes, norm, out)

    def along_several(a, s=None, axes=default, norm=None, out=None):
        a = _asarray(a)
        return apply(a, s, _axes(a, axes, s, default, what), norm, out)

    return along_one if one_axis else along_several


TRANSFORMS = [  # (function, primitive, default axes, one axis)
    (np.fft.fft, P.fftn, None, True), (np.fft.ifft, P.ifftn, None, True),
    (np.fft.fft2, P.fftn, (-2, -1), False), (np.fft.ifft2, P.ifftn, (-2, -1), False),
    (np.fft.fftn, P.fftn, None, False), (np.fft.ifftn, P.ifftn, None, False),
    (np.fft.rfft, P.rfftn, None, True), (np.fft.irfft, P.irfftn, None, True),
    (np.fft.rfft2, P.rfftn, (-2, -1), False), (np.fft.irfft2, P.irfftn, (-2, -1), False),
    (np.fft.rfftn, P.rfftn, None, False), (np.fft.irfftn, P.irfftn, None, False),
]
for _fn, _prim, _default, _one in TRANSFORMS:
    register("linear algebra", _transform(_prim, _fn.__name__, _default, _one), _fn)


# The Hermitian transforms are NumPy's own definitions: ``hfft(a)`` is ``irfft(conj(a))``
# and ``ihfft(a)`` is ``conj(rfft(a))``, each with the normalisation of the other
# direction (so the default scales ``hfft`` by 1, ``ihfft`` by ``1 / n``).
_SWAPPED = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _hermitian(prim: P.Primitive, name: str, conjugate_first: bool) -> Any:
    transform = _transform(prim, name, None, True)

    def build(a, n=None, axis=-1, norm=None, out=None):
        norm = _static(norm, f"np.fft.{name}'s norm")
        if norm not in _NORMS:
            raise CompileTimeError(f'norm must be "backward", "ortho" or "forward", '
                                   f"not {norm!r}")
        a = _asarray(a)
        if conjugate_first:
            return transform(P.conj(a), n, axis, _SWAPPED[norm], out)
        return P.conj(transform(a, n, axis, _SWAPPED[norm], out))
    return build


register("linear algebra", _hermitian(P.irfftn, "hfft", True), np.fft.hfft)
register("linear algebra", _hermitian(P.rfftn, "ihfft", False), np.fft.ihfft)


def _shift(sign: int, name: str) -> Any:
    def build(x, axes=None):
        x = _asarray(x)
        rank = ndim_of(x)
        if rank is None:
            raise _unknown(f"np.fft.{name}", "rank")
        axes = tuple(range(rank)) if axes is None else _static(axes, f"np.fft.{name}'s axes")
        axes = (axes,) if isinstance(axes, int) else tuple(axes)
        shape = _known_shape(x, f"np.fft.{name}")
        shifts = tuple(sign * (shape[axis] // 2) for axis in axes)
        return np.roll(x, shifts, axes)
    return build


register("shapes", _shift(1, "fftshift"), np.fft.fftshift)
register("shapes", _shift(-1, "ifftshift"), np.fft.ifftshift)


def _frequencies(fn: Any) -> Any:
    def build(n, d=1.0, **kw):
        return fn(_static(n, f"{fn.__name__}'s n"), _static(d, f"{fn.__name__}'s d"),
                  **{key: _static(value, key) for key, value in kw.items()})
    return build


register("constructors", _frequencies(np.fft.fftfreq), np.fft.fftfreq)
register("constructors", _frequencies(np.fft.rfftfreq), np.fft.rfftfreq)
