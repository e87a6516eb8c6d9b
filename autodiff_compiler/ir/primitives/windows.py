"""Windows: ``x[t:t + k]`` at a run-time ``t`` whose length ``k`` is known.

A slice with computed bounds is ``gather``, whose result's shape is known only when
the code runs: ``x[t:t + 2]`` may select fewer than two entries at the array's end, or
wrap around from a negative start. Where the frontend proves that every value the
bounds take (a loop's index over a range known when compiling) selects ``k`` entries
starting at ``t``, the read is ``window(x, t, length=k, axis=a)``: JAX's
``dynamic_slice``, with the same shape for every ``t``, so code after it keeps
shapes (a loop's carry, its tape) and vmap batches it as any array. Its adjoint adds
into the same ``k`` places, ``window_add``: a basic slice, never ``np.add.at``; a write
``y[t:t + k] = v`` is ``window_update``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import reference as ref
from ..core import Atom, Aval
from .core import Primitive, defjvp, defjvp_all, deflinear, defvjp
from .indexing import FUNCTIONAL_FORM
from .shape import unbroadcast, zeros_like


def _window_aval(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    x = args[0].aval
    if x.shape is None:
        return [Aval(None, x.dtype)]
    shape = list(x.shape)
    shape[params["axis"]] = params["length"]
    return [Aval(tuple(shape), x.dtype)]


window = Primitive("window", ref.window, aval_rule=_window_aval)
window_add = Primitive("window_add", ref.window_add,
                       aval_rule=lambda args, params: [args[0].aval])
# ``acc`` with ``v`` added at its window, written ``acc[t:t + k] += v`` when ``acc`` is
# dead after it: a loop's running sum of its windows' cotangents (``opt.scatters``).
window_add_into = Primitive("window_add_into", ref.window_add, form="accumulate",
                            foldable=False, aval_rule=lambda args, params: [args[0].aval])
# ``x`` with its window overwritten by ``v`` (``y[t:t + k] = v``), and the same written
# into ``acc`` itself where the loop owns it (``opt.row_writes``)
window_update = Primitive("window_update", ref.window_update,
                          aval_rule=lambda args, params: [args[0].aval])
window_update_into = Primitive("window_update_into", ref.window_update, form="accumulate",
                               foldable=False, aval_rule=lambda args, params: [args[0].aval])
FUNCTIONAL_FORM.update({window_add_into: window_add, window_update_into: window_update})
defvjp(window, lambda g, ans, x, start, length, axis:
       window_add(zeros_like(x), g, start, length=length, axis=axis), None)
# (``window_add_into``'s are ``window_add``'s: no tangent or cotangent is added in place)
for _prim in (window_add, window_add_into):
    defvjp(_prim, lambda g, ans, x, v, start, length, axis: unbroadcast(g, x),
           lambda g, ans, x, v, start, length, axis:
           unbroadcast(window(g, start, length=length, axis=axis), v), None)  # (start: an int)
deflinear(window, 0)
deflinear(window_add, 0, 1, jointly=True)
defjvp_all(window_add_into, window_add.jvp_all)
# Overwriting the window: what was there gets no cotangent, ``v`` the window's. (As
# ``index_update``'s, the tangent of the overwritten places is the literal 0 where ``v``
# has none, not ``v``'s zeros.)
for _prim in (window_update, window_update_into):
    defvjp(_prim, lambda g, ans, x, v, start, length, axis:
           window_update(unbroadcast(g, x), 0, start, length=length, axis=axis),
           lambda g, ans, x, v, start, length, axis:
           unbroadcast(window(g, start, length=length, axis=axis), v), None)
    defjvp(_prim, lambda t, ans, x, v, start, length, axis:
           window_update(t, 0, start, length=length, axis=axis),
           lambda t, ans, x, v, start, length, axis:
           window_update(zeros_like(x), t, start, length=length, axis=axis), None)
