"""Checkpointing as users ask for it: recompute a block's forward values in the
backward pass instead of keeping them.

* ``checkpoint(fn)`` (JAX's spelling): a call of the result inside a differentiated
  function keeps only its arguments; the backward pass re-runs ``fn`` and then its
  adjoint. Works on a function, a method, a Cell, or another transformed function.
* ``cell.recompute()`` (MindSpore's ``Cell.recompute``): every call of that Cell is
  checkpointed; ``recompute(block, *args)`` (MindSpore's ``mindspore.recompute``)
  checkpoints one call.
* ``for t in checkpointed(range(T), snapshots=None)``: the loop's reverse pass keeps
  its carried values every ``k`` iterations (``k ≈ √T``, or ``T / snapshots``) and
  recomputes each segment while going back (``ad.checkpoint``).

Outside a differentiated function each of these simply runs the block. The default
for ``grad`` stays the full tape; nothing is checkpointed unless asked.
"""
from __future__ import annotations

import functools
import inspect
import sys
import types
from typing import Any

from .errors import AutodiffError, Loc
from .frontend.cells import custom_bprop, is_cell
from .frontend.remat import checkpoint_call, checkpointed
from .frontend.scope import LocalFunction

__all__ = ["Checkpoint", "checkpoint", "checkpointed", "recompute"]


def _caller_loc(depth: int = 2) -> Loc:
    frame = sys._getframe(depth)
    info = inspect.getframeinfo(frame)
    source = (info.code_context or [""])[0].rstrip("\n")
    return Loc(info.filename, info.lineno, 0, None, source, frame.f_code.co_name)


def _name(block: Any) -> str:
    if is_cell(block):
        return type(block).__name__
    if isinstance(block, LocalFunction):
        return block.name
    return getattr(block, "__qualname__", None) or getattr(block, "__name__", "block")


def _check_block(block: Any, what: str, loc: Loc) -> None:
    ok = is_cell(block) or isinstance(block, types.FunctionType | types.MethodType
                                      | LocalFunction) or hasattr(block, "__lower_call__")
    if not ok:
        raise AutodiffError(f"{what} takes a Python function or a Cell, not "
                            f"{type(block).__name__} {block!r:.60}", loc,
                            hint="pass the def (or Cell) whose forward values should be "
                                 "recomputed in the backward pass")
    if is_cell(block) and custom_bprop(block) is not None:
        raise AutodiffError(f"{what}: Cell '{type(block).__name__}' defines bprop, so its "
                            "gradient is the rule's and there is nothing to recompute", loc,
                            hint="checkpoint the Cell without bprop, or drop the checkpoint")


def _lower_block(low: Any, block: Any, args: tuple, kwargs: dict, loc: Loc | None) -> Any:
    """Lower ``block(*args, **kwargs)`` into the current builder (a checkpoint's body)."""
    if is_cell(block):
        return low.call_function(type(block).construct, args, kwargs, loc, self_obj=block)
    if isinstance(block, types.MethodType):
        return low.call_function(block.__func__, args, kwargs, loc, self_obj=block.__self__)
    if isinstance(block, types.FunctionType):
        return low.call_function(block, args, kwargs, loc)
    if isinstance(block, LocalFunction):  # a def or lambda of the compiled function
        return low.call_local(block, args, kwargs, loc)
    return block.__lower_call__(low, list(args), kwargs, loc)


def checkpoint(fn: Any, *, prevent_cse: bool = True, policy: Any = None,
               static_argnums: Any = ()) -> Checkpoint:
    """``fn`` (a function, method or Cell) whose forward values are recomputed in the
    backward pass instead of kept, as ``jax.checkpoint``. Also usable inside compiled
    code, on a local ``def`` or ``lambda``. JAX's keywords: ``prevent_cse`` changes
    nothing (the recomputation is never merged with the values it recomputes);
    ``policy`` and ``static_argnums`` are refused (every value is recomputed)."""
    loc = _caller_loc()
    _check_jax_options(prevent_cse, policy, static_argnums, loc)
    _check_block(fn, "checkpoint", loc)
    return Checkpoint(fn)


def _check_jax_options(prevent_cse: Any, policy: Any, static_argnums: Any, loc: Loc | None
                       ) -> None:
    if not isinstance(prevent_cse, bool):
        raise AutodiffError(f"checkpoint: prevent_cse must be True or False, not "
                            f"{prevent_cse!r}", loc)
    if policy is not None:
        raise AutodiffError("checkpoint: a policy choosing which values to keep is not "
                            "supported", loc,
                            hint="drop policy=: every forward value of the block is "
                                 "recomputed; checkpoint a smaller block to keep more")
    if static_argnums not in ((), None):
        raise AutodiffError("checkpoint: static_argnums is not supported", loc,
                            hint="drop static_argnums: arguments that are not arrays are "
                                 "constants of the compiled code already")


def _lower_checkpoint(low: Any, args: list, kwargs: dict, loc: Loc | None) -> Checkpoint:
    """``checkpoint(fn)`` met while compiling: the wrapper, a value known when compiling."""
    options = dict(kwargs)
    jax_options = [options.pop(k, d) for k, d in
                   (("prevent_cse", True), ("policy", None), ("static_argnums", ()))]
    if len(args) != 1 or options:
        raise AutodiffError("checkpoint takes one function", loc,
                            hint="write checkpoint(fn), then call the result")
    _check_jax_options(*jax_options, loc)
    _check_block(args[0], "checkpoint", loc)
    return Checkpoint(args[0])


checkpoint.__lower_call__ = _lower_checkpoint  # type: ignore[attr-defined]


class Checkpoint:
    """What ``checkpoint(fn)`` returns: calls ``fn``; compiled, a recomputed block."""

    def __init__(self, fn: Any) -> None:
        if isinstance(fn, types.FunctionType):
            functools.update_wrapper(self, fn)
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"checkpoint({_name(self.fn)})"

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
        """Lower a call met while compiling: a block recomputed in the backward pass."""
        name = _name(self.fn)

        def body(a: tuple, k: dict) -> Any:
            return _lower_block(low, self.fn, a, k, loc)

        return checkpoint_call(low, name.replace(".", "_"), tuple(args), dict(kwargs), body,
                               loc, f"checkpoint({name})")


def recompute(block: Any, *args: Any, **kwargs: Any) -> Any:
    """MindSpore's ``mindspore.recompute(block, *args)``: ``block(*args)``, whose forward
    values are recomputed in the backward pass when differentiated. MindSpore takes a
    Cell; a Python function is accepted too. Its keyword options
    (``use_reentrant``, ``output_recompute``, ...) choose between MindSpore's runtime
    mechanisms and change no value; they are accepted and have no effect here."""
    for option in ("use_reentrant", "output_recompute", "early_stop", "context_fn"):
        kwargs.pop(option, None)
    _check_block(block, "recompute", _caller_loc())
    return block(*args, **kwargs)


def _lower_recompute(low: Any, args: list, kwargs: dict, loc: Loc | None) -> Any:
    if not args:
        raise AutodiffError("recompute(block, *args) needs the block to run", loc)
    block, rest = args[0], tuple(args[1:])
    kwargs = {k: v for k, v in kwargs.items()
              if k not in ("use_reentrant", "output_recompute", "early_stop", "context_fn")}
    _check_block(block, "recompute", loc)
    return Checkpoint(block).__lower_call__(low, list(rest), kwargs, loc)


recompute.__lower_call__ = _lower_recompute  # type: ignore[attr-defined]
