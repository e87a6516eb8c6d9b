"""Discrete Fourier transforms: NumPy's ``np.fft.fftn``, ``ifftn``, ``rfftn`` and
``irfftn``, with ``s`` (the transform's length per axis: input truncated or padded
with zeros to it), ``axes`` (negative, so a batch axis in front changes nothing) and
``norm`` as params; ``fft``, ``fft2`` and their inverses are these with one or two
axes (``surface.signal``).

Derivatives, with the convention of the other rules (a VJP transposes, with no
conjugate; for a real input, its real part):

* ``fftn`` and ``ifftn`` are linear and their matrices symmetric, so each transposes
  to itself with the same ``norm``; the zero-padding or truncation to ``s`` transposes
  to truncation or zero-padding back to the input's length (``fit``).
* ``rfftn`` of a real ``x`` is ``fftn`` keeping the first ``n // 2 + 1`` values of the
  last axis: its transpose pads the cotangent back to ``n`` with zeros, then as
  ``fftn``; the real part is taken, ``x`` being real.
* ``irfftn`` reads a half spectrum as the whole Hermitian one: each value but the
  first (and, for even ``n``, the last) stands for itself and its mirror. The
  cotangent of ``y`` is ``conj(rfftn(g))`` weighted 2 there and 1 at those two, times
  the transform's scale (``1/N`` for ``norm="backward"``, ``1/sqrt N`` for
  ``"ortho"``, 1 for ``"forward"``), fitted to ``y``'s shape.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import Primitive, defbatch, deflinear, defvjp
from .elementwise import _match_complex as match_complex  # real for a real x
from .indexing import getitem

_DEFAULTS = {"s": None, "norm": None}
fftn = Primitive("fftn", np.fft.fftn, defaults=_DEFAULTS)
ifftn = Primitive("ifftn", np.fft.ifftn, defaults=_DEFAULTS)
rfftn = Primitive("rfftn", np.fft.rfftn, defaults=_DEFAULTS)
irfftn = Primitive("irfftn", np.fft.irfftn, defaults=_DEFAULTS)


def fit(g: Any, have: tuple[int, ...], want: tuple[int, ...], axes: tuple[int, ...]) -> Any:
    """``g``, of shape ``have``, truncated or padded with zeros at the end of each of
    ``axes`` to the length ``want`` gives for it (the transpose of a transform's own
    fitting). Shapes come from the forward values: a cotangent's aval may be unknown."""
    index = [slice(None)] * len(have)
    widths = [(0, 0)] * len(have)
    for axis in axes:
        if have[axis] > want[axis]:
            index[axis] = slice(0, want[axis])
        widths[axis] = (0, max(want[axis] - have[axis], 0))
    if any(s != slice(None) for s in index):
        g = getitem(g, tuple(index))
    return np.pad(g, widths) if any(w != (0, 0) for w in widths) else g


def _fitted_back(g: Any, have: tuple[int, ...], x: Any, axes: tuple[int, ...], s: Any
                 ) -> Any:
    """The cotangent of ``x`` from that of its transform (of shape ``have``): fitted
    back to ``x``'s lengths (nothing to fit without ``s``, so shape-generic code needs
    no shape), real for a real ``x``."""
    if s is not None:
        g = fit(g, have, x.aval.shape, axes)
    return match_complex(g, x)


def _scale(norm: str | None, n: int) -> float:
    """What a transform of ``n`` values multiplies by, besides the exponentials,
    in its inverse direction's convention (``1/n`` for an unscaled forward one)."""
    return {None: 1.0 / n, "backward": 1.0 / n, "ortho": 1.0 / math.sqrt(n),
            "forward": 1.0}[norm]


def _fftn_vjp(g, ans, x, axes, s=None, norm=None):
    return _fitted_back(fftn(g, axes=axes, norm=norm), ans.aval.shape, x, axes, s)


def _ifftn_vjp(g, ans, x, axes, s=None, norm=None):
    return _fitted_back(ifftn(g, axes=axes, norm=norm), ans.aval.shape, x, axes, s)


def _rfftn_vjp(g, ans, x, axes, s=None, norm=None):
    n = x.aval.shape[axes[-1]] if s is None else s[-1]
    whole = list(ans.aval.shape)
    whole[axes[-1]] = n
    # the other half of the spectrum, which rfftn leaves out, has no cotangent
    full = fit(g, ans.aval.shape, tuple(whole), axes[-1:])
    return _fitted_back(fftn(full, axes=axes, norm=norm), tuple(whole), x, axes, s)


def _irfftn_vjp(g, ans, y, axes, s=None, norm=None):
    lengths = [ans.aval.shape[a] for a in axes]
    n = lengths[-1]
    half = list(ans.aval.shape)
    half[axes[-1]] = n // 2 + 1
    weights = np.full(n // 2 + 1, 2.0)
    weights[0] = 1.0
    if n % 2 == 0:
        weights[-1] = 1.0
    weights = weights.reshape((-1,) + (1,) * (-1 - axes[-1]))
    cotangent = np.conj(rfftn(g, axes=axes)) * (weights * _scale(norm, math.prod(lengths)))
    return match_complex(fit(cotangent, tuple(half), y.aval.shape, axes), y)


for _prim, _vjp in ((fftn, _fftn_vjp), (ifftn, _ifftn_vjp), (rfftn, _rfftn_vjp),
                    (irfftn, _irfftn_vjp)):
    defvjp(_prim, _vjp)
    deflinear(_prim, 0)


def _batched(prim: Primitive) -> Any:
    """The batch axis is the first; ``axes`` count from the end, so nothing moves."""
    def rule(size, dims, x, **params):
        return prim(x, **params)
    return rule


for _prim in (fftn, ifftn, rfftn, irfftn):
    defbatch(_prim, _batched(_prim))

__all__ = ["fftn", "fit", "ifftn", "irfftn", "rfftn"]
