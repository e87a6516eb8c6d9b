"""What a pullback's run starts from. ``vjp(f, x)`` runs ``f`` when called, and each call
of its ``vjp_fn`` runs the compiled program, whose forward pass runs again: where that
forward pass changes state it reads, it would read the state the first run left. A
random state it draws from would give other numbers (the gradient of another dropout
mask than the value's), an attribute it sets (``self.h = self.h * x``) or a Parameter
it assigns (a BatchNorm's moving mean) its new value, and the change would be made
twice.

``Replay`` finds that state in the program (the random states of its draws, the
objects and names of its attribute stores, the Parameters of its assigns), takes it
before the first run, and puts it back around each later run: the run starts where the
first did, and leaves the state as it found it.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..ir.core import Const, Eqn, Function, Var, regions
from .compiler import Compiled

_MISSING = object()
_GLOBAL_DRAWS = ("random_uniform", "random_normal")  # np.random.random, np.random.normal


def _eqns(fn: Function) -> Iterator[Eqn]:
    for eqn in fn.eqns:
        yield eqn
        for _, body in regions(eqn):
            yield from _eqns(body)


class Replay:
    """The state a program's forward pass both changes and reads, for one call's
    arguments (``inputs``: what the generated function takes for them)."""

    def __init__(self, compiled: Compiled, inputs: Sequence[Any]) -> None:
        if compiled.replay_plan is None:  # (found once per program)
            compiled.replay_plan = _plan(compiled.ir)
        self.global_random, self.states, self.attributes, assigned = compiled.replay_plan
        self.arrays = [inputs[i] for i in assigned if isinstance(inputs[i], np.ndarray)]

    def __bool__(self) -> bool:
        return self.global_random or bool(self.states or self.attributes or self.arrays)

    def take(self, copies: bool = True) -> tuple:
        """The state as it is now (the attributes' arrays copied, or the very arrays
        where nothing will write into them before ``put``)."""
        held = [getattr(obj, name, _MISSING) for obj, name in self.attributes]
        return (np.random.get_state() if self.global_random else None,
                [_random_state(s) for s in self.states],
                [_copied(v) for v in held] if copies else held,
                [a.copy() for a in self.arrays])

    def run_from(self, before: tuple, run: Callable[[], Any]) -> Any:
        """``run()`` from the state ``before`` (``take``'s), the state then put back as
        it was: a later run of the program starts where the first did."""
        if not self:
            return run()
        now = self.take(copies=False)  # (what the run changes, it replaces: not written)
        self.put(before)
        try:
            return run()
        finally:
            self.put(now)

    def put(self, taken: tuple) -> None:
        """Put back the state ``take`` took."""
        global_state, states, attributes, arrays = taken
        if global_state is not None:
            np.random.set_state(global_state)
        for state, value in zip(self.states, states):
            _set_random_state(state, value)
        for (obj, name), value in zip(self.attributes, attributes):
            if value is _MISSING:
                if hasattr(obj, name):
                    delattr(obj, name)
            else:
                setattr(obj, name, value)
        for array, value in zip(self.arrays, arrays):
            np.copyto(array, value)


def _plan(fn: Function) -> tuple[bool, list[Any], list[tuple[Any, str]], list[int]]:
    """Whether it draws from NumPy's global random state; the random states it draws
    from; the (object, name) its attribute stores set; the positions of the inputs
    (Parameters) its assigns write."""
    global_random, states, attributes, assigned = False, [], [], []
    for eqn in _eqns(fn):
        name = eqn.prim.name
        if name in _GLOBAL_DRAWS or (name == "draw" and eqn.params.get("global_state")):
            global_random = True
        elif name == "draw" and isinstance(eqn.invars[0], Const):
            state = eqn.invars[0].value
            if not any(s is state for s in states):
                states.append(state)
        elif name == "report" and eqn.params.get("sets"):
            store = eqn.invars[0].value if isinstance(eqn.invars[0], Const) else None
            target = eqn.invars[1].value if store is setattr else getattr(store, "target",
                                                                          None)
            if target is not None and not any(
                    t is target and n == eqn.params["sets"] for t, n in attributes):
                attributes.append((target, eqn.params["sets"]))
        elif name == "assign" and isinstance(eqn.invars[0], Var) and eqn.invars[0] in fn.invars:
            position = list(fn.invars).index(eqn.invars[0])
            if position not in assigned:
                assigned.append(position)
    return global_random, states, attributes, assigned


def _random_state(state: Any) -> Any:
    if isinstance(state, np.random.Generator):
        return copy.deepcopy(state.bit_generator.state)
    return state.get_state()


def _set_random_state(state: Any, value: Any) -> None:
    if isinstance(state, np.random.Generator):
        state.bit_generator.state = value
    else:
        state.set_state(value)


def _copied(value: Any) -> Any:
    """An attribute's value, its arrays copied (the run may write into them)."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple | list):
        return type(value)(map(_copied, value)) if type(value) in (tuple, list) else value
    return value
