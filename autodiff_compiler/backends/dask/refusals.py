"""What the dask backend refuses, at compile time and at the user's line.

Dask builds a graph and computes nothing until asked; generated code must keep it
so. Refused, with the NumPy backend suggested instead:

- primitives with no lazy form in dask: scatter-adds and writes into a copy at an
  index array (``np.add.at``, ``x[idx] = v``: the adjoints of fancy indexing,
  ``np.repeat``, ``np.take_along_axis``, ``np.diag`` of a matrix; at a basic index,
  ints, slices, ``None`` and ``...``, dask writes them lazily), sorting, and the linear-algebra
  functions ``dask.array.linalg`` lacks (``det``, ``slogdet``, ``eigh``, ``pinv``;
  ``svd``, whose dask form takes other arguments);
- indexing with a boolean array (``z[z > 0]``), ``np.nonzero`` and ``np.bincount`` (and
  what is built on them: ``np.unique``, ``np.compress``...): the result's shape depends
  on the data;
- a size taken from an array's value (``np.zeros(np.sum(mask))``): dask needs it to
  build the graph;
- branching or looping on an array's value (``if``/``while`` on a value that is not a
  Python scalar, an ``assert``): the test needs the value, which would compute it on
  the caller's machine in the middle of building the graph.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ...errors import AutodiffError
from ...ir.core import Eqn, Function, Var, regions
from .spellings import dask_spelling

_NO_LAZY_FORM = {
    "adjugate": "dask.array has no SVD of a stack of square matrices (det's gradient)",
    "index_add": "adds into an array at indices (np.add.at)",
    "gather_add": "adds into an array at indices (np.add.at)",
    "add_along_axis": "adds into an array at indices (np.add.at)",
    "unrepeat": "adds into an array at indices (np.add.at)",
    "index_update": "writes into a copy of an array (x[i] = v)",
    "gather_update": "writes into a copy of an array (x[i] = v)",
    "svd": "dask.array.linalg.svd takes other arguments than NumPy's",
    "svdvals": "dask.array.linalg.svd takes other arguments than NumPy's",
    "nonzero": "the indices of the nonzero entries are as many as the data has",
    "flatnonzero": "the indices of the nonzero entries are as many as the data has",
    "bincount": "np.bincount's length is the largest entry plus one, known once computed",
}
_HINT = "use the numpy backend (the default) for this function, on NumPy arrays"


# where the index of a scatter-add or a write begins: at a basic index (ints, slices,
# None, Ellipsis: each entry named once) dask writes it lazily (``runtime.index_add``)
_AT_AN_INDEX = {"index_add": slice(1, 2), "index_update": slice(1, 2),
                "gather_add": slice(2, None), "gather_update": slice(2, None)}


def check(fn: Function) -> None:
    """Raise an ``AutodiffError`` at the first equation of ``fn`` (or of a region or
    function it calls) that the dask backend cannot write lazily."""
    equations = list(_equations(fn, set()))
    slices, numbers = _made(equations, _is_slice), _made(equations, _of_numbers)
    for eqn in equations:
        index = _AT_AN_INDEX.get(eqn.prim.name)
        if index is not None and all(_basic(a, slices) for a in eqn.invars[index]):
            continue
        if eqn.prim.name == "cond" and eqn.invars[0] in numbers:
            continue  # an ``if`` on a loop's index: no array's value tested
        reason = _refusal(eqn)
        if reason is not None:
            raise AutodiffError(f"the dask backend cannot compute this lazily: {reason}",
                                eqn.loc, hint=_HINT)


def _equations(fn: Function, seen: set[int]) -> Iterator[Eqn]:
    """Every equation of ``fn``, of its regions and of the functions it calls."""
    for eqn in fn.eqns:
        yield eqn
        for _, body in regions(eqn):
            yield from _equations(body, seen)
        callee = eqn.params.get("callee")
        if callee is not None and callee.fn is not None and id(callee) not in seen:
            seen.add(id(callee))
            yield from _equations(callee.fn, seen)


def _refusal(eqn: Eqn) -> str | None:
    """Why ``eqn`` has no lazy dask form (None: it has one)."""
    prim = eqn.prim
    if prim.form in ("region", "check"):
        if prim.name == "loop":
            return None  # a for loop over a range known when it starts
        on_host = _counted_on_host(eqn) if prim.name == "while_loop" else \
            _python_scalar(eqn.invars[0])
        if not on_host:
            what = "an assertion" if prim.form == "check" else f"'{_keyword(prim.name)}'"
            return f"{what} on an array's value needs that value computed"
        return None
    if prim.form == "effect":
        return f"'{prim.name}' of an array's value needs that value computed"
    if prim.form != "apply":
        return None
    if prim.name in _NO_LAZY_FORM:
        return _NO_LAZY_FORM[prim.name]
    if prim.name in ("getitem", "gather") and any(_mask(a) for a in eqn.invars[1:]):
        return "indexing with a boolean array gives a shape known only once computed"
    if any(_array(eqn.invars[i]) for i in prim.sizes if i < len(eqn.invars)):
        return f"np.{prim.name}'s size is an array's value, needed to build the graph"
    if prim.name == "undiag" and not _vector(eqn.invars[1]):
        return "the adjoint of np.diag of a matrix writes into an array (x[i, i] = v)"
    if dask_spelling(prim) is None:
        return f"dask.array has no {prim.name}"
    return None


def _basic(part: object, slices: set[Var]) -> bool:
    """An index (or a gather's part of one) naming each entry at most once: ints,
    slices, ``None`` and ``...``, known when compiling, or a Python int or a slice
    computed at run time (a loop's index); an array of indices may repeat one, a mask
    is data, and a 0-d array's value is known only once computed."""
    if isinstance(part, Var):
        return part in slices or (part.aval.weak and part.aval.shape == ()
                                  and part.aval.dtype is not None
                                  and part.aval.dtype.kind in "iu")
    value = getattr(part, "value", part)
    parts = value if isinstance(value, tuple) else (value,)
    return all(p is None or p is Ellipsis or isinstance(p, slice)
               or (isinstance(p, int | np.integer) and not isinstance(p, bool)) for p in parts)


def _made(equations: list[Eqn], makes: Any) -> set[Var]:
    """The values ``makes(eqn, found)`` says an equation gives (slices, Python numbers),
    and the tapes of them a loop lists (read back by the gradient's loop: twice over,
    as the tape is read after the loop that writes it)."""
    found: set[Var] = set()
    for _ in range(2):
        for eqn in equations:
            if makes(eqn, found):
                found.update(eqn.outvars)
            if eqn.prim.name in ("loop", "while_loop"):
                body = eqn.params["body"]
                n_carry = len(body.invars) - (eqn.prim.name == "loop")
                found.update(lst for y, lst in zip(body.outvars[n_carry:],
                                                   eqn.outvars[n_carry:]) if y in found)
    return found


def _is_slice(eqn: Eqn, slices: set[Var]) -> bool:
    """``eqn`` makes a slice (of run-time bounds), or reads one back from a tape."""
    return eqn.prim.name == "slice" or (eqn.prim.name == "getitem" and eqn.invars[0] in slices)


def _of_numbers(eqn: Eqn, numbers: set[Var]) -> bool:
    """Whether ``eqn`` computes a Python number from Python numbers (a loop's index, an
    int argument, constants): no array, so no value to compute while building."""
    return eqn.prim.form == "apply" and not eqn.prim.allocates and not any(regions(eqn)) \
        and all(o.aval.shape == () for o in eqn.outvars) \
        and all(not isinstance(a, Var) or a.aval.weak or a in numbers for a in eqn.invars)


def _counted_on_host(eqn: Eqn) -> bool:
    """Whether a ``while`` tests only Python scalars: carried values that start as one
    and that the body keeps so (``i = 0 ... i += 1``), to a fixed point."""
    body, cond = eqn.params["body"], eqn.params["cond"]
    host = {j for j, a in enumerate(eqn.invars) if _python_scalar(a)}
    while True:
        made = _from_scalars(body, {body.invars[j] for j in host})
        kept = {j for j in host if not isinstance(body.outvars[j], Var) or body.outvars[j] in made}
        if kept == host:
            break
        host = kept
    test = cond.outvars[0]
    return not isinstance(test, Var) or test in _from_scalars(cond, {cond.invars[j] for j in host})


def _from_scalars(fn: Function, scalars: set[Var]) -> set[Var]:
    """The values of ``fn`` computed from ``scalars``, Python numbers (an argument's, a
    loop's index) and constants alone."""
    made = set(scalars)
    for eqn in fn.eqns:
        if _of_numbers(eqn, made):
            made.update(eqn.outvars)
    return made


def _python_scalar(a: object) -> bool:
    """A value known to be a Python scalar, never a dask array (a constant, or a
    Python number passed as an argument)."""
    return not isinstance(a, Var) or a.aval.weak


def _array(a: object) -> bool:
    """A value known to be an array (a tuple of sizes, or a Python int, is none)."""
    return isinstance(a, Var) and a.aval.shape is not None and not a.aval.weak


def _mask(a: object) -> bool:
    """A boolean array used as an index (a Python bool or a 0-d one selects nothing
    data-dependent)."""
    return isinstance(a, Var) and a.aval.dtype == bool and a.aval.ndim != 0


def _vector(a: object) -> bool:
    return isinstance(a, Var) and a.aval.ndim == 1


def _keyword(name: str) -> str:
    return {"cond": "if", "while_loop": "while"}.get(name, name)
