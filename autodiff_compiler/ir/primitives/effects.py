"""Primitives that touch state outside the program: writing into a Parameter, and
drawing random numbers from NumPy's global random state.

* ``assign(target, value)``: MindSpore's ``ops.assign``, ``target[...] = value`` in
  place (written ``np.copyto``). An *effect* (``form="effect"``): kept, kept in order,
  never merged, run once on the forward pass and never in an adjoint; no gradient
  flows through it. A ``BatchNorm`` in training updates its moving statistics with it.
* ``write_into(value, new)``: ``assign`` into the array ``value`` is held in. A second
  write in one call (``ops.assign(p, ...)`` then ``ops.assign_add(p, v)``) is given
  ``p`` as the first left it, and computes from that, but writes into the Parameter's
  own array, which the frontend names around the builder (``writing_into``).
* ``written(value)``: the value a Parameter holds after ``assign`` wrote it, as later
  reads see it (an alias of ``value``). MindSpore's PyNative mode does not differentiate
  through ``ops.assign`` (measured in 2.10: ``grad`` of ``assign(p, 2 * x); sum(3 * p)``
  is zero), where the function's derivative is not: a gradient that would flow through
  it raises at the user's line instead of being silently dropped or silently kept.
* ``draw(*operands, method=...)``: any other draw, a method of the global random state
  (``np.random.binomial``) or of the user's own ``RandomState``/``Generator`` (its first
  operand), run at each call on that object's stream, as the user's code would
  (``frontend.random_draws`` says which draws a gradient may pass).
* ``host_call(fn, *values, results=k)``: ``fn(*values)`` called as Python when the
  program runs (a Cell's hook the compiler cannot compile), its results taking the
  places of the last ``k`` values.
* ``report(fn, *values)``: ``fn(*values)`` called as Python for what it does
  (``logger.info``, ``warnings.warn``; ``sets``: the attribute it sets, for
  ``obj.name = value``), as ``print`` is: an effect, a statement of its own, never
  differentiated. Under ``vmap`` it is called once per example, on that
  example's values, which its format (``"%.3f"``) is written for.
* ``random_state(seed)`` and ``default_rng(seed)``: a random state made inside the
  function, anew at each call, whose draws take their numbers from it.
* ``random_uniform(shape)`` and ``random_normal(shape)``: ``np.random.random(shape)``
  and ``np.random.standard_normal(shape)``, from the global state, so
  ``set_seed`` / ``np.random.seed`` repeat it. Each evaluation is its own draw
  (``unique``: never merged; not folded while compiling, which would consume draws),
  it is not differentiable (a dropout mask is a constant of the adjoint), and it is
  ``random``: a checkpointed block is never recomputed through it (a second draw would
  be another mask).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from ..core import Atom, Aval, Const
from .core import Primitive, nondifferentiable, refuse_derivatives

assign = Primitive("assign", np.copyto, form="effect", foldable=False,
                   aval_rule=lambda args, params: [Aval()])
assign.writes = 0
written = Primitive("written", lambda value: value, form="alias")
written.view = True

# the array a value an effect's call was given is held in (``writing_into``)
_HELD_IN: ContextVar[tuple[Any, Any] | None] = ContextVar("held_in", default=None)


@contextmanager
def writing_into(value: Any, array: Any) -> Iterator[None]:
    """While an effect's builder runs: ``value``, what the call was given (what an
    earlier write left), is held in ``array`` (the Parameter's own)."""
    token = _HELD_IN.set((value, array))
    try:
        yield
    finally:
        _HELD_IN.reset(token)


def write_into(value: Any, new: Any) -> None:
    """``assign`` of ``new`` into the array ``value`` is held in."""
    held = _HELD_IN.get()
    assign(held[1] if held is not None and held[0] is value else value, new)


refuse_derivatives(
    written,
    "a gradient would flow through ops.assign: the value written depends on a "
    "differentiated input, and is read afterwards (MindSpore does not differentiate "
    "through the write and gives zero there)",
    hint="write ops.assign(p, ops.stop_gradient(value)) if no gradient should flow, "
         "or compute with the value itself rather than the Parameter")


def _uniform_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    shape = args[0].value if isinstance(args[0], Const) else None
    if isinstance(shape, int):
        shape = (shape,)
    known = isinstance(shape, tuple) and all(isinstance(n, int) for n in shape)
    return [Aval(shape if known else None, np.dtype(np.float64))]


random_uniform = Primitive("random_uniform", np.random.random, foldable=False, unique=True,
                           allocates=True, aval_rule=_uniform_avals)
random_uniform.random = True
random_uniform.effect = True  # (see ``draw``)
# ``np.random.standard_normal(shape)``, the same in every way but the distribution.
random_normal = Primitive("random_normal", np.random.standard_normal, foldable=False,
                          unique=True, allocates=True, aval_rule=_uniform_avals)
random_normal.random = True
random_normal.effect = True
nondifferentiable(assign, random_uniform, random_normal)


def _host_call(fn: Any, *values: Any, results: int) -> Any:
    return fn(*values)


# ``host_call(fn, *values, results=k)``: ``fn(*values)`` run as Python when the program
# runs, giving a result in the place of each of the last ``k`` values, of its aval (a
# Cell's hook that prints, logs or stores what it is given: ``frontend.hooks``). An
# effect: it runs where its results are not read too.
host_call = Primitive("host_call", _host_call, n_out=None, foldable=False, unique=True,
                      aval_rule=lambda args, params: [
                          a.aval for a in args[len(args) - params["results"]:]])
host_call.effect = True
refuse_derivatives(
    host_call,
    "a Cell hook run as Python when the program runs (one the compiler cannot compile: "
    "it prints, logs or stores what it is given) has no derivative, and a gradient "
    "would flow through it here",
    hint="take the higher-order derivative without the hook, or make the hook a function "
         "of its arguments the compiler can compile")


# ``np.random.RandomState(seed)`` and ``np.random.default_rng(seed)`` made inside the
# function: a new state at each call, which its draws (``draw``'s first operand) take
# their numbers from; never made while compiling, never merged.
def _state_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    return [Aval((), np.dtype(object))]


random_state = Primitive("random_state", np.random.RandomState, foldable=False, unique=True,
                         aval_rule=_state_avals)
default_rng = Primitive("default_rng", np.random.default_rng, foldable=False, unique=True,
                        aval_rule=_state_avals)
nondifferentiable(random_state, default_rng)

# Its result is nothing anyone reads; never evaluated while compiling (it would log).
report = Primitive("report", lambda fn, *values, sets=None: fn(*values), form="effect",
                   foldable=False, aval_rule=lambda args, params: [Aval()])
nondifferentiable(report)


DRAW_PARAMS = ("method", "global_state", "keywords", "generator")


def _draw(*operands: Any, method: str, global_state: bool = False, keywords: tuple = (),
          generator: bool = False, **options: Any) -> Any:
    """``source.method(*operands, **options)``: the source is the first operand, or the
    global state; the last ``len(keywords)`` operands are keyword arguments computed at
    run time (``size=y.shape``)."""
    source, operands = (np.random, operands) if global_state else (operands[0], operands[1:])
    if keywords:
        options.update(zip(keywords, operands[len(operands) - len(keywords):]))
        operands = operands[:len(operands) - len(keywords)]
    return getattr(source, method)(*operands, **options)


def _draw_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    """What the same method gives on a stream of its own, on stand-ins of the operands:
    shape and dtype without consuming a draw of the user's stream."""
    options = {k: v for k, v in params.items() if k not in DRAW_PARAMS}
    operands = list(args) if params.get("global_state") else list(args[1:])
    if not all(isinstance(a, Const) or a.aval.known for a in operands):
        return [Aval()]
    source = None if params.get("global_state") or not isinstance(args[0], Const) \
        else args[0].value
    generator = isinstance(source, np.random.Generator) or params.get("generator", False)
    keywords = params.get("keywords", ())
    for stand_in in (Aval.example, _even):  # (zeros are no probabilities: ``choice(p=)``)
        throwaway = np.random.default_rng(0) if generator else np.random.RandomState(0)
        stand_ins = [a.value if isinstance(a, Const) else stand_in(a.aval) for a in operands]
        named = dict(options)
        if keywords:
            named.update(zip(keywords, stand_ins[len(stand_ins) - len(keywords):]))
            stand_ins = stand_ins[:len(stand_ins) - len(keywords)]
        try:
            return [Aval.of(getattr(throwaway, params["method"])(*stand_ins, **named))]
        except Exception:  # (a stand-in the draw refuses: randint(0, 0)) known at run time
            continue
    return [Aval()]


def _even(aval: Aval) -> Any:
    """A stand-in whose float entries are equal and sum to 1 (a probability vector)."""
    example = aval.example()
    if np.ndim(example) == 0 or example.dtype.kind != "f":
        return example
    return np.full_like(example, 1.0 / max(example.size, 1))


draw = Primitive("draw", _draw, foldable=False, unique=True, allocates=True,
                 aval_rule=_draw_avals)
draw.random = True
# A draw advances its state's stream: one the program does not need is made all the
# same, and in order, or the draws after it would take other numbers than the user's
# function takes (a gradient that needs only the last of three draws used the numbers
# of the second).
draw.effect = True
nondifferentiable(draw)  # (frontend.random_draws refuses operands a gradient would cross)
