"""``linearize``: a function's value at a point and its linear map there, JAX's and
torch.func's spelling of forward mode for several tangents at one point.

``out, f_jvp = linearize(f, x, y)`` gives ``f(x, y)`` and ``f_jvp(tx, ty)``, the
directional derivative along ``(tx, ty)``: ``jvp(f, (x, y), (tx, ty))``'s tangent, one
compiled forward-mode program called at the point held. JAX evaluates the linear map
alone (its partial evaluation splits the primal work out); here each call computes the
primal values it needs again, so a call costs a ``jvp``, from the state the first call
started from (its random draws the same). ``f_jvp`` is an ordinary
function of the tangents, so ``vmap(f_jvp)`` is the Jacobian times a batch of tangents,
one program. With ``has_aux=True``, ``f`` returns ``(out, aux)``, and linearize gives
``(out, f_jvp, aux)``, as JAX's.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import trees
from .directional import check_flag, forward_program, is_float_tree, jvp, refuse
from .errors import AutodiffTypeError
from .inlined_jvp import lower_linearize
from .pipeline.replay import Replay


def linearize(fn: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """``(fn(*primals), f_jvp)`` with ``f_jvp(*tangents)`` the tangent of the output
    along ``tangents`` (one per primal, shaped like it), as the module says."""
    has_aux = check_flag("has_aux", has_aux)
    if not primals:
        refuse("linearize needs the point: linearize(f, x, ...)")
    point = trees.snapshot(primals[0] if len(primals) == 1 else primals)  # unmoved by later writes
    # each call runs the forward pass again: from the state this call's started from
    # (its draws, the attributes and Parameters it sets: ``pipeline.replay``)
    positions = tuple(i for i, a in enumerate(primals) if is_float_tree(a))
    bound, compiled = forward_program(fn, primals, positions)
    replay = Replay(compiled, compiled.inputs(bound))
    before = replay.take() if replay else None

    def f_jvp(*tangents: Any) -> Any:
        if len(tangents) != len(primals):
            refuse(f"the linear map takes one tangent per primal ({len(primals)}), got "
                   f"{len(tangents)}", kind=AutodiffTypeError)
        return replay.run_from(before, lambda: jvp(
            fn, point, tangents[0] if len(tangents) == 1 else tangents, has_aux=has_aux)[1])

    value = fn(*primals)
    if not has_aux:
        return value, f_jvp
    if not (isinstance(value, tuple) and len(value) == 2):
        refuse("linearize(..., has_aux=True) needs the function to return (out, aux)")
    return value[0], f_jvp, value[1]


linearize.__lower_call__ = lower_linearize  # type: ignore[attr-defined]  (inside compiled code)
