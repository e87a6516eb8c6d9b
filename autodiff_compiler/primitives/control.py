"""Structured control flow: regions that own their bodies, in the style of MLIR's scf.

* ``cond[branches=(then, else)](pred)`` runs one branch; outputs are the phi values.
* ``loop[body](n, *init)``: ``for k in range(n)`` (or ``reversed(range(n))`` with
  ``reverse=True``) over carried values; the body maps ``(k, *carry)`` to
  ``(*carry_next, *ys)``, and each ``y`` is collected into a list output (``n_ys``) —
  the per-iteration tape that the adjoint loop reads back by index.
* ``while_loop[cond, body](*init)``: carried values until ``cond`` is false; with
  ``n_ys`` the body's extra outputs are collected likewise and the trip count is the
  last output.

* ``check(test, message)``: Python's ``assert test, message``, run on forward values
  (so ``python -O`` drops it, as it drops the user's); an *effect*, which no pass removes
  or folds, and no gradient flows through it.

* ``call[callee](*args)``: a function compiled once (``ir.Callee``) and called, for
  recursion that ends on run-time values; generated as a nested ``def``.

Bodies read enclosing values directly (implicit capture), as Python blocks do. The
truth-value operators are Python's ``and``/``or``/``not`` on runtime conditions.
"""
from __future__ import annotations

import numpy as np

from ..ir import Aval
from .core import Primitive, defjvp, defvjp, nondifferentiable

cond = Primitive("cond", ("region", "if"), n_out=None, foldable=False)
loop = Primitive("loop", ("region", "for"), n_out=None, foldable=False)
while_loop = Primitive("while_loop", ("region", "while"), n_out=None, foldable=False)

call = Primitive("call", ("callee", ""), n_out=None, foldable=False)
# ``acc + x``, written ``acc += x`` when ``acc`` is dead after it: a loop's running sum.
# Only the compiler emits it, on sums it owns (never a user's or a shared array).
add_into = Primitive("add_into", ("inplace", "+"), foldable=False)
make_tuple = Primitive("make_tuple", ("tuple", ""))  # a shape such as (n, x.shape[1])
truth_and = Primitive("truth_and", ("boolop", "and"))
truth_or = Primitive("truth_or", ("boolop", "or"))
truth_not = Primitive("truth_not", ("unaryop", "not"))
# zeros for each element of a loop's tape: a tape's cotangent where none flowed
zeros_like_tape = Primitive("zeros_like_tape", ("call", "zeros_like_tape"), foldable=False,
                            aval_rule=lambda args, params: [Aval(None, np.dtype(object))])
check = Primitive("check", ("assert", ""), foldable=False)
check.effect = True
nondifferentiable(truth_and, truth_or, truth_not, make_tuple, zeros_like_tape, check)
defvjp(add_into, lambda g, ans, acc, x: g, lambda g, ans, acc, x: g)
defjvp(add_into, lambda t, ans, acc, x: t, lambda t, ans, acc, x: t)
