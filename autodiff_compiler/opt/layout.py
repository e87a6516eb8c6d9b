"""``row_major_loop_operands``: a matrix a loop multiplies by transposed is laid out in
row-major order once, before the loop.

BLAS multiplies ``a @ b`` fastest with ``b`` in row-major order: a transposed right
operand takes its slower kernel. Every backward pass through ``x @ w`` multiplies by
``w.T``, and an RNN's does so once a step. Measured with OpenBLAS on this project's
benchmark machine (AMD EPYC, NumPy 2.4), ``g @ w.T`` against ``g @ w_t`` with ``w_t``
row-major: 8.1 against 5.6 us for 32x64 by 64x64, 435 against 381 us for 64x512 by
512x512, 1.1 against 0.9 us for 8x8 by 8x8. A left operand transposed costs nothing
(the kernels read it in either order). Outside a loop the copy costs about what it
saves; in a loop it is paid once and saved at every iteration.

So where a loop body multiplies by the transpose of a float matrix defined outside the
loop, the transpose is copied into row-major order before the loop and the body
multiplies by the copy: the same product of the same values, only the operand's memory
order differs. Loops known to run at most once are left alone, as is anything under
two dimensions or of integers (which NumPy multiplies without BLAS).
"""
from __future__ import annotations

from dataclasses import replace

from ..ir import primitives as P
from ..ir.builder import building
from ..ir.core import Const, Eqn, Function, Var, free_vars, map_regions

_TRANSPOSES = (P.T, P.transpose, P.swapaxes)


def row_major_loop_operands(fn: Function) -> Function:
    """``fn`` with each loop's transposed right operands of products, where they are
    matrices from outside the loop, copied into row-major order before it."""
    eqns: list[Eqn] = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, row_major_loop_operands)
        if eqn.prim in (P.loop, P.while_loop) and _repeats(eqn):
            before, eqn = _laid_out(eqn)
            eqns.extend(before)
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns))


def _repeats(eqn: Eqn) -> bool:
    """The loop may run more than once (a ``for`` of a known count of 0 or 1 does not)."""
    if eqn.prim is P.loop and isinstance(eqn.invars[0], Const):
        return int(eqn.invars[0].value) > 1
    return True


def _laid_out(eqn: Eqn) -> tuple[list[Eqn], Eqn]:
    """The copies to make before ``eqn``, and ``eqn`` with its body multiplying by them."""
    body: Function = eqn.params["body"]
    outside = set(free_vars(body))
    transposes = {e.outvars[0]: e for e in body.eqns if e.prim in _TRANSPOSES
                  and _matrix_transpose(e) and e.invars[0] in outside}
    copies: dict[Var, Var] = {}
    with building(eqn.loc) as b:
        for e in body.eqns:
            right = e.invars[1] if e.prim is P.matmul else None
            if right in transposes and right not in copies:
                source = transposes[right]
                copy = P.copy(source.prim(*source.invars, **source.params), order="C")
                matrix = source.invars[0]
                if isinstance(copy, Var) and matrix.hint:
                    copy.hint = f"{matrix.hint}_t"  # w_t: w transposed, laid out
                copies[right] = copy
    if not copies:
        return [], eqn
    laid = tuple(replace(e, invars=(e.invars[0], copies[e.invars[1]]))
                 if e.prim is P.matmul and e.invars[1] in copies else e for e in body.eqns)
    return list(b.eqns), replace(eqn, params={**eqn.params,
                                              "body": replace(body, eqns=laid)})


def _matrix_transpose(e: Eqn) -> bool:
    """``e`` transposes a float matrix of known shape (BLAS's operand)."""
    x = e.invars[0]
    if not isinstance(x, Var) or x.aval.shape is None or len(x.aval.shape) != 2 \
            or x.aval.dtype is None or x.aval.dtype.kind not in "fc":
        return False
    if e.prim is P.transpose:
        return e.params.get("axes") in (None, (1, 0), [1, 0])
    if e.prim is P.swapaxes:  # its axes are params (axis1, axis2)
        axes = (e.params.get("axis1"), e.params.get("axis2"))
        return all(isinstance(a, int) for a in axes) and len({a % 2 for a in axes}) == 2
    return True
