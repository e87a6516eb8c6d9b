"""What the dask backend refuses, at compile time and at the user's line.

Dask builds a graph and computes nothing until asked; generated code must keep it
so. Refused, with the NumPy backend suggested instead:

- primitives with no lazy form in dask: scatter-adds and writes into a copy
  (``np.add.at``, ``x[i] = v``: the adjoints of fancy indexing, ``np.repeat``,
  ``np.take_along_axis``, ``np.diag`` of a matrix), sorting, and the linear-algebra
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


def check(fn: Function) -> None:
    """Raise an ``AutodiffError`` at the first equation of ``fn`` (or of a region or
    function it calls) that the dask backend cannot write lazily."""
    for eqn in _equations(fn, set()):
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
        test = eqn.invars[0] if prim.name != "while_loop" else None
        if test is None or not _python_scalar(test):
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
