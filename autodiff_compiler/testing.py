"""``check_grads``: compare compiled gradients with central finite differences.

It uses the random-direction inner-product test: for a random input direction ``u``
and output cotangent ``v``, the compiled VJP must satisfy
``<vjp(v), u> == <v, (f(x + eps u) - f(x - eps u)) / 2 eps>``. Finite differences are
taken in float64 whatever the inputs' dtype, so float32 code is checked too.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import api


def check_grads(f: Callable[..., Any], *args: Any, order: int = 1, eps: float = 1e-6,
                rtol: float = 1e-5, atol: float = 1e-8, seed: int = 0) -> None:
    """Raise ``AssertionError`` unless ``f``'s gradient (up to ``order``) matches.

    Both the code specialised to the arguments' shapes and the shape-generic code (what
    ``gradient_source`` prints) are checked.
    """
    for specialize in (True, False):
        _check_vjp(f, args, eps, rtol, atol, np.random.default_rng(seed), specialize)
    if order > 1:
        positions = tuple(i for i, a in enumerate(args) if _is_float(a))
        check_grads(api.grad(f, grad_position=positions), *args, order=order - 1, eps=eps,
                    rtol=rtol, atol=atol, seed=seed + 1)


def _check_vjp(f: Callable[..., Any], args: tuple, eps: float, rtol: float, atol: float,
               rng: np.random.Generator, specialize: bool) -> None:
    wide = tuple(_to_float64(a) for a in args)
    positions = [i for i, a in enumerate(args) if _is_float(a)]
    out, vjp_fn = api.vjp(f, *args, specialize=specialize)
    out_leaves = _leaves(out)
    cotangents = [_random_like(o, rng) for o in out_leaves]
    directions = {i: _random_like(args[i], rng) for i in positions}
    grads = vjp_fn(*cotangents)
    analytic = sum(float(np.sum(np.asarray(g, np.float64) * directions[i]))
                   for g, i in zip(grads, positions))

    def shifted(step: float) -> list[np.ndarray]:
        moved = list(wide)
        for i in positions:
            moved[i] = wide[i] + step * directions[i]
        return [np.asarray(o, np.float64) for o in _leaves(f(*moved))]

    plus, minus = shifted(eps), shifted(-eps)
    numeric = sum(float(np.sum(c * (p - m) / (2 * eps)))
                  for c, p, m in zip(cotangents, plus, minus))
    if not np.isclose(analytic, numeric, rtol=rtol, atol=atol):
        shown = ", ".join(f"{type(a).__name__}{np.shape(a)}" for a in args)
        raise AssertionError(
            f"gradient of {getattr(f, '__qualname__', f)} does not match finite differences "
            f"({'shape-specialised' if specialize else 'shape-generic'} code)\n"
            f"  analytic (compiled VJP) = {analytic!r}\n  numeric (central diff.) = {numeric!r}\n"
            f"  arguments: {shown}\n  values: {args!r}")


def _is_float(a: Any) -> bool:
    return isinstance(a, float) or (isinstance(a, np.ndarray | np.generic)
                                    and np.issubdtype(a.dtype, np.inexact))


def _to_float64(a: Any) -> Any:
    return np.asarray(a, np.float64) if isinstance(a, np.ndarray | np.generic) and _is_float(a) \
        else a


def _leaves(out: Any) -> list[Any]:
    if isinstance(out, tuple | list):
        return [leaf for o in out for leaf in _leaves(o)]
    if isinstance(out, dict):
        return [leaf for o in out.values() for leaf in _leaves(o)]
    return [out] if _is_float(out) or isinstance(out, np.ndarray) else []


def _random_like(a: Any, rng: np.random.Generator) -> Any:
    shape = np.shape(a)
    value = rng.standard_normal(shape)
    return value if shape else float(value)
