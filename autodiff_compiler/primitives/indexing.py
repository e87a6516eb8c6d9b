"""Indexing with indices known when compiling (ints, slices, None, ``...``).

The adjoint of ``x[idx]`` adds the cotangent into zeros at ``idx`` with
``np.add.at``, so repeated indices accumulate rather than overwrite.
"""
from __future__ import annotations

from .core import Primitive, defjvp, deflinear, defvjp
from .shape import unbroadcast, zeros_like

getitem = Primitive("getitem", ("index", ""))
index_add = Primitive("index_add", ("call", "index_add"))

defvjp(getitem, lambda g, ans, x, idx: index_add(zeros_like(x), idx, g), None)
defvjp(index_add, lambda g, ans, x, idx, v: g, None,
                  lambda g, ans, x, idx, v: unbroadcast(getitem(g, idx), v))

deflinear(getitem, 0)
defjvp(index_add, lambda t, ans, x, idx, v: t, None,
                  lambda t, ans, x, idx, v: index_add(zeros_like(x), idx, t))
