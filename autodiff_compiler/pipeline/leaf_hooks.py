"""MindSpore's leaves: gradient hooks on an input or a weight itself (``register_hook``
called on a Tensor passed in or a Parameter, before the gradient is asked for), and
one Tensor passed at several differentiated positions (``at_leaves``).

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

import functools
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import trees
from ..frontend.cells import is_plain_array_subclass

if TYPE_CHECKING:
    from .compiler import Compiled

# id(array) -> (a weak reference to it, its hooks in the order registered)
HOOKED: dict[int, tuple[weakref.ref, list[Callable[[Any], Any]]]] = {}


class HookHandle:
    """What ``register_hook`` returns: ``remove()`` takes the hook off (again: no-op)."""

    def __init__(self, array: Any, hook: Callable[[Any], Any]) -> None:
        self._key, self._hook = id(array), hook

    def remove(self) -> None:
        """Take the hook off. Called inside a compiled function (``self.handle.remove()``
        in a ``construct``, as MindSpore's hook tests do) it runs while compiling, before
        the call's gradient is taken, as it runs before MindSpore's backward pass; a
        hook registered again later is not removed by that compiled call."""
        entry = HOOKED.get(self._key)
        if entry is None:
            return
        hooks = entry[1]
        if any(h is self._hook for h in hooks):
            hooks.remove(next(h for h in hooks if h is self._hook))
        if not hooks:
            del HOOKED[self._key]

    remove.__evaluated_when_compiling__ = True  # type: ignore[attr-defined]


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


def at_leaves(compiled: Compiled, flat: Sequence[Any], args: Sequence[Any]) -> list[Any]:
    """MindSpore's gradients of its leaves (measured in 2.10): one Tensor passed at
    several differentiated positions is one leaf, whose whole gradient each of them
    gets; and a leaf's gradient passes through the hooks registered on it, once. A
    position holding a container is left as it is."""
    spec, flat = compiled.spec, list(flat)
    leaves: list[Any] = []
    for i, p in enumerate(spec.positions or ()):
        if compiled.position_trees is None or compiled.position_trees[i] is trees.LEAF:
            leaves.append(args[p] if is_plain_array_subclass(args[p]) else None)
        else:
            n = len(trees.flatten(compiled.position_trees[i], lambda t: t is trees.LEAF)[0])
            leaves += [None] * n
    n_positions = len(leaves)
    leaves += list(spec.weights or ())  # (a weight passed in too already has its whole)
    same: dict[int, list[int]] = {}
    for k, leaf in enumerate(leaves):
        if leaf is not None:
            same.setdefault(id(leaf), []).append(k)
    start = compiled.n_values
    for ks in same.values():
        at = [k for k in ks if k < n_positions]
        if len(at) > 1:
            whole = functools.reduce(np.add, (flat[start + k] for k in at))
            for k in at:
                flat[start + k] = whole
        if HOOKED:
            through = hooked(leaves[ks[0]], flat[start + ks[0]])
            for k in ks:
                flat[start + k] = through
    return flat
