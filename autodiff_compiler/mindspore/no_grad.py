"""MindSpore's ``_no_grad`` (``from mindspore import _no_grad``): what is computed under
it carries no gradient, as MindSpore 2.x's PyNative mode records nothing there.

- ``with _no_grad(): m = y * w`` inside a differentiated function: every name the block
  binds holds its value with the gradient stopped after the block
  (``frontend.effects`` lowers it: the manager says so by ``__stops_gradients__``).
- ``@_no_grad()`` on a function or a Cell's ``construct``: its result is
  ``ops.stop_gradient``'s of what it returns.
- Outside a differentiated function it does nothing: there is no gradient to stop.

MindSpore raises when a gradient is asked for inside the block (``grad`` there); here
the gradient is computed, and what it gives carries none further.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..ir.surface import stop_gradient


class _no_grad:  # noqa: N801 (MindSpore's name)
    """A context manager (and decorator) under which no gradient is recorded."""

    __stops_gradients__ = True

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return False

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def without_gradient(*args: Any, **kwargs: Any) -> Any:
            return stop_gradient(fn(*args, **kwargs))
        return without_gradient


__all__ = ["_no_grad"]
