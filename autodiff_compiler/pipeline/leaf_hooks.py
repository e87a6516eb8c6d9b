"""Gradient hooks on an input or a weight itself: MindSpore's ``Tensor.register_hook``
called on a leaf (a Tensor passed in, a Parameter) before the gradient is asked for.

MindSpore runs such a hook on the leaf's gradient when it is known, and its result,
unless ``None``, is the gradient returned; several run in the order registered, each
on what the one before gave; ``handle.remove()`` takes one off (measured in 2.10).
Inside a differentiated function a hook on a value computed there is lowered instead
(``mindspore.gradient_hooks``); a leaf is no value of the function, so its hooks run
on the call's results: ``Compiled.finish`` applies them, and no call takes the fast
path (``entry``) while any hook is registered.

Hooks are held by the array's identity while it lives (a weak reference: a Tensor
dropped takes its hooks with it).
"""
from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

# id(array) -> (a weak reference to it, its hooks in the order registered)
HOOKED: dict[int, tuple[weakref.ref, list[Callable[[Any], Any]]]] = {}


class HookHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook off (again: no-op)."""

    def __init__(self, array: Any, hook: Callable[[Any], Any]) -> None:
        self._key, self._hook = id(array), hook

    def remove(self) -> None:
        entry = HOOKED.get(self._key)
        if entry is None:
            return
        hooks = entry[1]
        if any(h is self._hook for h in hooks):
            hooks.remove(next(h for h in hooks if h is self._hook))
        if not hooks:
            del HOOKED[self._key]


def register(array: Any, hook: Callable[[Any], Any]) -> HookHandle:
    """Run ``hook`` on ``array``'s gradient wherever it is a leaf that is differentiated."""
    key = id(array)
    entry = HOOKED.get(key)
    if entry is None or entry[0]() is not array:
        entry = HOOKED[key] = (weakref.ref(array, lambda _, k=key: HOOKED.pop(k, None)), [])
    entry[1].append(hook)
    return HookHandle(array, hook)


def hooked(array: Any, grad: Any) -> Any:
    """``grad`` through the hooks registered on ``array`` (itself if there are none)."""
    entry = HOOKED.get(id(array))
    if entry is None or entry[0]() is not array:
        return grad
    for hook in list(entry[1]):
        replaced = hook(grad)
        if replaced is not None:
            grad = replaced
    return grad
