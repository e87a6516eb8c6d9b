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

* ``print[sep, end, flush](*values)``: Python's ``print`` inside a differentiated
  function, run once per call on the forward values (MindSpore's PyNative mode runs
  it); an *effect* like ``check``, written as a statement, read by no adjoint.

* ``call[callee](*args)``: a function compiled once (``ir.Callee``) and called, for
  recursion that ends on run-time values; generated as a nested ``def``.

Bodies read enclosing values directly (implicit capture), as Python blocks do. The
truth-value operators are Python's ``and``/``or``/``not`` on runtime conditions.
"""
from __future__ import annotations

import operator

import numpy as np

from .. import reference as ref
from ..core import Aval
from .core import Primitive, defjvp, defvjp, nondifferentiable, not_evaluated

cond, loop, while_loop = (Primitive(name, not_evaluated, form="region", n_out=None, foldable=False)
                          for name in ("cond", "loop", "while_loop"))

call = Primitive("call", not_evaluated, form="call", n_out=None, foldable=False)
# ``acc + x``, written ``acc += x`` when ``acc`` is dead after it: a loop's running sum.
# Only the compiler emits it, on sums it owns (never a user's or a shared array).
add_into = Primitive("add_into", operator.add, form="accumulate", foldable=False)
# ``acc`` with ``v`` added at ``acc[index]`` (a basic index: each entry at most once),
# written ``acc[index] += v`` when ``acc`` is dead after it: a loop's running sum of the
# cotangents of the rows it read (``opt.scatters``).
index_add_into = Primitive("index_add_into", ref.index_add, form="accumulate",
                           foldable=False)
# ``acc`` with ``acc[index] = v``, written so when ``acc`` is dead after it: a loop's
# writes into an array it owns and carries (``opt.row_writes``; its rules are
# ``index_update``'s, in ``indexing``).
index_update_into = Primitive("index_update_into", ref.index_update, form="accumulate",
                              foldable=False)
make_tuple = Primitive("make_tuple", lambda *items: items)  # a shape such as (n, x.shape[1])
# ``x.shape + (n,)`` and ``x.shape * 2`` where the shape is known only at run time: Python's
# tuple operators, which join and repeat (``add`` and ``mul`` would add and scale)
join_tuples = Primitive("join_tuples", operator.add)
repeat_tuple = Primitive("repeat_tuple", operator.mul)
tuples_equal = Primitive("tuples_equal", operator.eq,
                         aval_rule=lambda args, params: [Aval.of(True)])  # one truth value
truth_and = Primitive("truth_and", lambda a, b: a and b)
truth_or = Primitive("truth_or", lambda a, b: a or b)
truth_not = Primitive("truth_not", operator.not_)
truth = Primitive("truth", bool)  # bool(x): a single value's truth
# zeros for each element of a loop's tape: a tape's cotangent where none flowed
zeros_like_tape = Primitive("zeros_like_tape", ref.zeros_like_tape, foldable=False,
                            aval_rule=lambda args, params: [Aval(None, np.dtype(object))])
# a tape read backwards; linear, its own transpose (the adjoint of a loop lists the
# cotangents of a tape read in iteration order last element first: ``ad.control``)
reversed_tape = Primitive("reversed_tape", ref.reversed_tape, foldable=False,
                          aval_rule=lambda args, params: [Aval(None, np.dtype(object))])
defvjp(reversed_tape, lambda g, ans, tape: reversed_tape(g))
defjvp(reversed_tape, lambda t, ans, tape: reversed_tape(t))
# two cotangents of a tape two loops read, added element by element
add_tapes = Primitive("add_tapes", ref.add_tapes, foldable=False,
                      aval_rule=lambda args, params: [Aval(None, np.dtype(object))])
defvjp(add_tapes, lambda g, ans, a, b: g, lambda g, ans, a, b: g)
defjvp(add_tapes, lambda t, ans, a, b: t, lambda t, ans, a, b: t)
check = Primitive("check", not_evaluated, form="check", foldable=False)
# Its result is nothing anyone reads; never evaluated while compiling (it would print).
print_ = Primitive("print", print, form="effect", foldable=False,
                   aval_rule=lambda args, params: [Aval()],
                   defaults={"sep": " ", "end": "\n", "flush": False})
nondifferentiable(truth, truth_and, truth_or, truth_not, make_tuple, join_tuples, repeat_tuple,
                  tuples_equal, zeros_like_tape, check, print_)
# Not ``defelementwise``: its VJP would ``unbroadcast``, and the compiler only adds
# into a running sum a term of the sum's own shape.
defvjp(add_into, lambda g, ans, acc, x: g, lambda g, ans, acc, x: g)
defjvp(add_into, lambda t, ans, acc, x: t, lambda t, ans, acc, x: t)


# An optimised gradient differentiated again (grad of grad) or batched meets
# ``index_add_into``: its derivatives are those of ``index_add``, written with it (so
# that no tangent or cotangent is ever added into in place).
def _row_of(g, idx):
    from .indexing import getitem
    return getitem(g, idx)


def _scattered(t, acc, idx):
    from .indexing import index_add
    from .shape import zeros_like
    return index_add(zeros_like(acc), idx, t)


defvjp(index_add_into, lambda g, ans, acc, idx, v: g, None,
       lambda g, ans, acc, idx, v: _row_of(g, idx))
defjvp(index_add_into, lambda t, ans, acc, idx, v: t, None,
       lambda t, ans, acc, idx, v: _scattered(t, acc, idx))
