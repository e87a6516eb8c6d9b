"""``check_grads``: compare compiled derivatives with central finite differences.

It uses the random-direction inner-product test: for a random input direction ``u``
and output cotangent ``v``, reverse mode must satisfy ``<vjp(v), u> == <v, fd(u)>``
and forward mode ``<v, jvp(u)> == <v, fd(u)>``, where
``fd(u) = (f(x + eps u) - f(x - eps u)) / 2 eps``. Finite differences are taken in
float64 whatever the inputs' dtype, so float32 code is checked too.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import api, directional


def check_grads(f: Callable[..., Any], *args: Any, order: int = 1,
                modes: Sequence[str] = ("rev", "fwd"), eps: float = 1e-6, rtol: float = 1e-5,
                atol: float = 1e-8, seed: int = 0, generic: bool = True) -> None:
    """Raise ``AssertionError`` unless ``f``'s derivatives (up to ``order``) match.

    Each mode is checked in both the code specialised to the arguments' shapes and
    the shape-generic code (what ``gradient_source`` prints); ``generic=False`` leaves
    the latter out, for code that needs shapes when compiling (``np.fft``,
    convolutions).
    """
    positions = [i for i, a in enumerate(args) if _is_float(a)]
    rng = np.random.default_rng(seed)
    directions = {i: _random_like(args[i], rng) for i in positions}
    out_leaves = _leaves(f(*args))
    cotangents = [_random_like(o, rng) for o in out_leaves]
    numeric = _numeric(f, args, positions, directions, cotangents, eps)
    for mode in modes:
        for specialize in (True, False) if generic else (True,):
            analytic = _ANALYTIC[mode](f, args, positions, directions, cotangents, specialize)
            if not np.isclose(analytic, numeric, rtol=rtol, atol=atol):
                code = "shape-specialised" if specialize else "shape-generic"
                shown = ", ".join(f"{type(a).__name__}{np.shape(a)}" for a in args)
                raise AssertionError(
                    f"{mode}-mode derivative of {getattr(f, '__qualname__', f)} does not match "
                    f"finite differences ({code} code)\n  analytic = {analytic!r}\n"
                    f"  numeric  = {numeric!r}\n  arguments: {shown}\n  values: {args!r}")
    if order > 1:
        grad_f = api.grad(f, grad_position=tuple(positions))
        check_grads(grad_f, *args, order=order - 1, modes=modes, eps=eps, rtol=rtol,
                    atol=atol, seed=seed + 1, generic=generic)


def _reverse(f, args, positions, directions, cotangents, specialize) -> float:
    _, vjp_fn = directional.vjp(f, *args, specialize=specialize)
    grads = vjp_fn(*cotangents)
    return sum(_dot(g, directions[i]) for g, i in zip(grads, positions))


def _forward(f, args, positions, directions, cotangents, specialize) -> float:
    out, tangents = directional.jvp(f, args, [directions[i] for i in positions],
                                    specialize=specialize)
    pairs = zip(_leaves(out, keep_all=True), _leaves(tangents, keep_all=True))
    tangent_leaves = [t for o, t in pairs if _is_output_leaf(o)]
    return sum(_dot(c, t) for c, t in zip(cotangents, tangent_leaves))


_ANALYTIC = {"rev": _reverse, "fwd": _forward}


def _numeric(f, args, positions, directions, cotangents, eps) -> float:
    wide = tuple(_to_float64(a) for a in args)

    def shifted(step: float) -> list[np.ndarray]:
        moved = list(wide)
        for i in positions:
            moved[i] = wide[i] + step * directions[i]
            if isinstance(wide[i], np.ndarray):  # a 0-d array stays one, not a NumPy
                moved[i] = np.asarray(moved[i])  # scalar (which MindSpore takes for a number)
        return [np.asarray(o, np.float64) for o in _leaves(f(*moved))]

    plus, minus = shifted(eps), shifted(-eps)
    return sum(_dot(c, (p - m) / (2 * eps)) for c, p, m in zip(cotangents, plus, minus))


def _dot(a: Any, b: Any) -> float:
    return float(np.sum(np.asarray(a, np.float64) * np.asarray(b, np.float64)))


def _is_float(a: Any) -> bool:
    return isinstance(a, float) or (isinstance(a, np.ndarray | np.generic)
                                    and np.issubdtype(a.dtype, np.inexact))


def _to_float64(a: Any) -> Any:
    return np.asarray(a, np.float64) if isinstance(a, np.ndarray | np.generic) and _is_float(a) \
        else a


def _leaves(out: Any, keep_all: bool = False) -> list[Any]:
    """The leaves of an output that carry derivatives: arrays and floats."""
    if isinstance(out, tuple | list):
        return [leaf for o in out for leaf in _leaves(o, keep_all)]
    if isinstance(out, dict):
        return [leaf for o in out.values() for leaf in _leaves(o, keep_all)]
    return [out] if keep_all or _is_output_leaf(out) else []


def _is_output_leaf(value: Any) -> bool:
    return _is_float(value) or isinstance(value, np.ndarray)


def _random_like(a: Any, rng: np.random.Generator) -> Any:
    shape = np.shape(a)
    value = rng.standard_normal(shape)
    return value if shape else float(value)
