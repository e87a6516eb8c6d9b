"""``hoist_loop_products``: a loop's product of its step's row of an array with a matrix
that does not change is made once, for every row, before the loop.

An RNN's step multiplies its input row by the input weights: ``xs[t] @ u``. Nothing in
that product depends on the loop's state, so the products of all steps are one
``xs @ u`` before the loop (NumPy multiplies the stack of rows in one call, as cuDNN
and PyTorch precompute an RNN's input projections), and the step reads its row of the
result. Measured on this project's RNN benchmark (T=50, 32x16 rows, 16x64 weights):
one stacked product takes 66 us where fifty take 120 us. The values are the same
products of the same numbers.

Only a ``for`` of a known count whose step reads a row at a position it computes
(its index, ``n - 1 - t`` of ``reversed``) of an array whose first axis is as long as
the count qualifies, and only a product in the loop's body proper, which runs at every
iteration (not one inside a branch); the stacked result is at most ``LIMIT`` bytes, as
it holds every step's product at once where the loop held one.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..ir import primitives as P
from ..ir.builder import building
from ..ir.core import Const, Eqn, Function, Var, free_vars, map_regions, same_dtype

LIMIT = 1 << 24  # bytes of the products of all steps: 16 MiB


def hoist_loop_products(fn: Function) -> Function:
    """``fn`` with each loop's products of a row and an unchanging matrix made before it."""
    eqns: list[Eqn] = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, hoist_loop_products)
        count = eqn.invars[0] if eqn.prim is P.loop else None
        if isinstance(count, Const) and int(count.value) > 1:
            before, eqn = _hoisted(eqn, int(count.value))
            eqns.extend(before)
        eqns.append(eqn)
    return replace(fn, eqns=tuple(eqns))


def _hoisted(eqn: Eqn, count: int) -> tuple[list[Eqn], Eqn]:
    """The stacked products to make before ``eqn``, and ``eqn`` reading their rows."""
    body: Function = eqn.params["body"]
    index, outside = body.invars[0], set(free_vars(body))
    rows: dict[Var, tuple[Var, Eqn]] = {}  # xs[t] -> (xs, the getitem)
    reads: dict[Var, Eqn] = {}  # a product's result -> the read of its row of all rows'
    made = {v for e in body.eqns for v in e.outvars} | {index}
    with building(eqn.loc) as b:
        for e in body.eqns:
            if e.prim is P.getitem and _step_position(e.invars[1], made) \
                    and e.invars[0] in outside and _leading(e.invars[0]) == count:
                rows[e.outvars[0]] = (e.invars[0], e)
            elif e.prim in (P.matmul, P.dot) and not e.params:
                product = _stacked_product(e, rows, outside, count)
                if product is not None:
                    row = rows[e.invars[0]][1]  # xs[t]: the same position, of xs @ w
                    reads[e.outvars[0]] = Eqn(e.outvars, P.getitem,
                                              (product, row.invars[1]), row.params, e.loc)
    if not reads:
        return [], eqn
    laid = tuple(reads.get(e.outvars[0], e) if e.outvars else e for e in body.eqns)
    return list(b.eqns), replace(eqn, params={**eqn.params, "body": replace(body, eqns=laid)})


def _stacked_product(e: Eqn, rows: dict[Var, tuple[Var, Eqn]], outside: set[Var],
                     count: int) -> Var | None:
    """``xs @ w`` for ``e`` the product ``xs[t] @ w`` (or ``np.dot``) of a float row (a
    vector or a matrix) and a float matrix ``w`` from outside the loop; None for any
    other."""
    row, matrix = e.invars
    if row not in rows or matrix not in outside or not isinstance(matrix, Var):
        return None
    xs = rows[row][0]
    out = e.outvars[0]
    if matrix.aval.shape is None or len(matrix.aval.shape) != 2 or out.aval.shape is None \
            or not _floats(xs, matrix, out) or len(xs.aval.shape) > 3:
        return None  # (a row of at most 2 axes: np.dot of it is the same product)
    if count * int(np.prod(out.aval.shape)) * out.aval.dtype.itemsize > LIMIT:
        return None
    product = P.matmul(xs, matrix)  # each row times matrix: NumPy's stacked product
    if not isinstance(product, Var) or product.aval.shape != (count, *out.aval.shape) \
            or not same_dtype(product.aval.dtype, out.aval.dtype):
        return None
    if xs.hint and matrix.hint:
        product.hint = f"{xs.hint}_{matrix.hint}"  # xs_u = xs @ u
    return product


def _step_position(position: object, made: set[Var]) -> bool:
    """An integer the loop computes at each step (its index, or ``n - 1 - t`` of a
    ``reversed`` range): a row the step reads, one per step."""
    return isinstance(position, Var) and position in made and position.aval.shape == () \
        and position.aval.dtype is not None and position.aval.dtype.kind in "iu"


def _leading(x: Var) -> int | None:
    shape = x.aval.shape
    return shape[0] if shape else None


def _floats(*values: Var) -> bool:
    return all(v.aval.dtype is not None and v.aval.dtype.kind in "fc" for v in values)
