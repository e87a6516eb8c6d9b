"""Which values share memory, and which snapshots an in-place write made out of date.

The IR holds values, not memory: ``acc += v`` binds ``acc`` to a new value. NumPy
writes into the array itself, so every other reference to its memory — another name
for it, a view of it (a row, a reshape, a transpose), the array a loop is walking —
sees the new values. The compiler keeps Python's meaning where it can and refuses,
at the user's line, where it cannot:

- a write is in place when its target is an array (``acc += v``, ``acc[i] = v``),
  0-d ones included (``np.where`` of 0-d values gives one: ``Primitive.scalar_result``),
  and arrays made while compiling (``np.array(2.0)``, held by identity as ``Made``);
  a name holding a Python or NumPy scalar is rebound, as Python rebinds it (a 0-d
  argument, which may be either, counts as an array), and so is
  a name holding an array the function does not own (``x += v`` on an argument), as a
  MindSpore Tensor is: the caller's array is never written;
- after a write, the values of other names that share the array's memory are *stale*:
  reading one later is refused (Python would see the new values, the compiler holds
  the old ones); never reading them again is fine;
- a write into an array that an enclosing loop iterates over (or a view of it) is
  refused: the loop reads its next rows after the write.

Memory is followed through *roots*: the arrays a value may share memory with, found
through view primitives, loop carries and merged branches, and in-place results.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from .. import trees
from ..errors import AutodiffError, Loc
from ..ir.builder import producer_of
from ..ir.core import Const, Eqn, Var

if TYPE_CHECKING:
    from .scope import Scope

HINT = "copy it first, e.g. y = x.copy(), and write into the copy"


def view_of(var: Var, produced: dict[Var, Eqn] | None = None) -> Var | None:
    """The array ``var`` is a view of, if its producer may return one. ``produced``:
    the producers of values made inside regions already lowered (``Aliases.produced``)."""
    eqn = producer_of(var)
    if eqn is None and produced:
        eqn = produced.get(var)
    if eqn is not None and eqn.prim.name in ("astype", "astype_discrete") and \
            isinstance(eqn.invars[0], Var) and eqn.invars[0].aval.dtype is None and \
            len(eqn.invars) > 1 and isinstance(eqn.invars[1], Const):
        return eqn.invars[0]  # a cast to a named dtype that may be its own: may be it
    if eqn is None or not eqn.prim.view or not isinstance(eqn.invars[0], Var):
        return None
    if eqn.prim.name in ("getitem", "gather") and _copies(eqn.invars[1:], var):
        return None
    if eqn.prim.name == "diag" and eqn.invars[0].aval.ndim == 1:
        return None  # np.diag of a vector builds a matrix
    return eqn.invars[0]


def _copies(index: tuple, result: Var) -> bool:
    """Indexing that copies: to a scalar (``x[0]`` of a vector), or advanced indexing."""
    for part in index:
        value = part.value if isinstance(part, Const) else None
        parts = value if isinstance(value, tuple) else (value,)
        if any(isinstance(p, np.ndarray) for p in parts):
            return True
        if isinstance(part, Var) and part.aval.ndim != 0:
            return True
    consts = [p.value for p in index if isinstance(p, Const)]
    ellipsis = any(v is Ellipsis or (isinstance(v, tuple) and Ellipsis in v) for v in consts)
    return result.aval.ndim == 0 and not ellipsis


class Made:
    """An array made while compiling (``a = np.array([1.0, 2.0])``), where memory is
    tracked: the very array, by identity (an ndarray is not hashable). A write into it
    outdates whatever shares its memory (another name, a view, an attribute)."""

    __slots__ = ("array",)

    def __init__(self, array: np.ndarray) -> None:
        self.array = array

    def __hash__(self) -> int:
        return id(self.array)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Made) and other.array is self.array


Memory = Var | Made  # what roots and outdated values are
CURRENT = object()  # ``Aliases.outdated``: no write outdated the value


def memory(value: Var | np.ndarray) -> Memory:
    return Made(value) if isinstance(value, np.ndarray) else value


class Aliases:
    """Memory sharing and stale snapshots of one compilation (see the module doc)."""

    def __init__(self) -> None:
        self.origins: dict[Var, list[Memory]] = {}  # values sharing memory besides views
        self.stale: dict[Memory, Loc | None] = {}  # value -> the write that outdated it
        self.walked: list[list[Var]] = []  # arrays enclosing loops walk row by row
        self.listed: list[list[Any]] = []  # Python sequences enclosing loops walk
        self.inputs: set[Var] = set()  # the arguments of the function compiled
        # the equations of branches and loop bodies lowered so far: a value a region
        # gives (a branch's np.where, a row taken in a loop) is an array or a view by
        # what made it, though the builders no longer hold its equation
        self.produced: dict[Var, Eqn] = {}
        # a generator's or a map's items, computed when it is made (the compiler lists
        # them) where Python computes each when it is read, and the arrays they are
        # computed from; and the items a write into one of those left out of date
        self.lazy: list[tuple[list, set[Memory]]] = []
        self.stale_items: dict[int, tuple[list, Loc | None]] = {}
        self.merged: dict[Var, list[Var]] = {}  # a branch's value -> each path's

    def lazily(self, items: list, sources: Any) -> None:
        """``items`` are a generator's or a map's, computed from the arrays in
        ``sources``: a write into one of them before the items are read outdates them."""
        roots = {r for v in _vars(sources) for r in self.roots(v)}
        roots |= {Made(a) for a in _arrays(sources)}
        if roots:
            self.lazy.append((items, roots))

    def lowered_region(self, eqns: list[Eqn]) -> None:
        """Remember the producers of a region's values (``produced``)."""
        for eqn in eqns:
            for out in eqn.outvars:
                self.produced[out] = eqn

    def producer(self, var: Var) -> Eqn | None:
        return producer_of(var) or self.produced.get(var)

    def view_of(self, var: Var) -> Var | None:
        return view_of(var, self.produced)

    def share(self, var: Var, *others: Any) -> None:
        """``var`` may be the same memory as each of ``others`` (a loop carry and its
        initial value, a branch merge and each branch's value)."""
        found = [memory(o.value if isinstance(o, Const) else o) for o in others
                 if (isinstance(o, Var) and o is not var) or isinstance(o, np.ndarray)
                 or (isinstance(o, Const) and isinstance(o.value, np.ndarray))]
        if found:
            self.origins.setdefault(var, []).extend(found)
        if any(o in self.stale for o in found):
            self.stale[var] = next(self.stale[o] for o in found if o in self.stale)

    def carried(self, out: Var, init: Any, last: Any, stale_before: set) -> None:
        """``out`` is a loop's result: ``init`` if no iteration ran, else ``last``. A
        body writing into its carry in place (``s = np.array(0.0)``, then ``s += v`` in
        the loop) outdates the initial array for its other holders, not for the result:
        with no iteration nothing was written, and after one the result is ``last``,
        outdated only if the body outdated it."""
        self.share(out, init, last)
        first = memory(init.value if isinstance(init, Const) else init)
        if out in self.stale and first not in stale_before and \
                not (isinstance(last, Var) and last in self.stale):
            del self.stale[out]

    def merge(self, var: Var, values: list[Any], stale_on_paths: list[dict]) -> None:
        """``var`` is ``values[i]`` on path ``i`` (a branch merge): it may be the memory
        of each, and is outdated only where a path's own value was outdated on it."""
        self.share(var, *values)
        self.merged[var] = [v for v in values if isinstance(v, Var)]
        self.stale.pop(var, None)
        for value, stale in zip(values, stale_on_paths):
            if isinstance(value, Var | np.ndarray) and memory(value) in stale:
                self.stale[var] = stale[memory(value)]
                return

    def saved(self) -> tuple:
        return {k: list(v) for k, v in self.origins.items()}, dict(self.stale)

    def restore(self, saved: tuple) -> None:
        """Forget what a lowering attempt that was dropped recorded."""
        self.origins, self.stale = {k: list(v) for k, v in saved[0].items()}, dict(saved[1])

    def check_repeated(self, scope: Scope, node: Any, body: list, carried: list[str],
                       outs: list[Any]) -> None:
        """A loop body runs again: the values it reads from before the loop, and the
        values it carries to the next iteration, must not have been outdated by it."""
        read = {n.id for stmt in body for n in gast.walk(stmt)
                if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)}
        for name in sorted(read):
            value = outs[carried.index(name)] if name in carried else scope.env.get(name)
            if self.outdated(value) is not CURRENT:
                raise scope.error(node, f"'{name}' shares memory with an array this loop "
                                        "writes in place: the next iteration would read "
                                        "the new values in NumPy, the old ones here",
                                  hint=HINT)

    def paths_of(self, var: Var) -> list[Var]:
        """The values a run-time branch's merged ``var`` may be, through merges of
        merges (itself if it is no branch's)."""
        if var not in self.merged:
            return [var]
        return [v for value in self.merged[var] for v in self.paths_of(value)]

    def view_in(self, var: Var) -> Var | None:
        """A view of another array that ``var`` may be: itself, or what a branch or an
        in-place write it is the result of gave it."""
        todo, seen = [var], set()
        while todo:
            v = todo.pop()
            if not isinstance(v, Var) or v in seen:
                continue
            seen.add(v)
            if self.view_of(v) is not None:
                return v
            todo.extend(self.origins.get(v, []))
        return None

    def roots(self, var: Var | np.ndarray) -> set[Memory]:
        """The arrays whose memory ``var`` may be (itself, when it is no view)."""
        out: set[Memory] = set()
        todo, seen = [memory(var)], set()
        while todo:
            v = todo.pop()
            if v in seen:
                continue
            seen.add(v)
            base = self.view_of(v) if isinstance(v, Var) else None
            more = ([base] if base is not None else []) + self.origins.get(v, [])
            if not more:
                out.add(v)
            todo.extend(more)
        return out

    def in_place(self, var: Any) -> bool:
        """Whether writing into ``var`` writes memory (an array), not rebinds a scalar."""
        if isinstance(var, np.ndarray | Made):
            return True
        if not isinstance(var, Var):
            return False
        if var.aval.ndim:
            return True
        if var.aval.ndim is None and not var.aval.weak:
            # of unknown rank (shape-generic code): an array, unless the caller passes
            # numbers; taken for one, so that a write outdates its other names (it
            # was taken for a number, and they kept the values from before, silently)
            return True
        eqn = self.producer(var)
        # a new array (a constructor's) is an array even 0-d, and so is what np.where
        # gives; NumPy scalars come out of ufuncs, reductions and products; a cast is
        # what it casts. A region's result is what its paths give (``origins``).
        if eqn is not None and eqn.prim.form == "apply" and eqn.prim.scalar_result is None:
            return self.in_place(eqn.invars[0])
        if eqn is not None and (eqn.prim.unique or self.view_of(var) is not None or (
                eqn.prim.form == "apply" and not eqn.prim.scalar_result)):
            return True
        if var.aval.weak:  # a Python number
            return False
        if var in self.inputs:
            # a 0-d argument: a 0-d array, which NumPy writes into, or a NumPy
            # scalar, which Python rebinds; the IR does not say which, so it is taken
            # for an array: reading another name for it after a write is refused
            # rather than given the value from before
            return True
        return any(self.in_place(o) for o in self.origins.get(var, []))

    def may_be_a_number(self, var: Any) -> bool:
        """Of a rank known only at run time, and made by a primitive that gives a NumPy
        scalar where the result is 0-d (``y[1, 0]``, a product of it): an array, which
        a write changes for all its holders, or a number, which Python rebinds."""
        if not isinstance(var, Var) or var.aval.ndim is not None or var.aval.weak:
            return False
        if var in self.origins:  # a write's result, a carry, a branch's: what it shares
            return any(self.may_be_a_number(o) for o in self.origins[var])
        eqn = self.producer(var)
        if eqn is None or eqn.prim.form != "apply" or eqn.prim.unique \
                or self.view_of(var) is not None:
            return False
        if eqn.prim.scalar_result is None:  # a cast: what it casts
            return self.may_be_a_number(eqn.invars[0])
        return bool(eqn.prim.scalar_result)

    def write(self, scope: Scope, node: Any, old: Var | np.ndarray, new: Var | np.ndarray,
              what: str) -> None:
        """``new`` is ``old`` written in place: check the write, outdate the others."""
        roots = self.roots(old)
        for walked in self.walked:
            if any(self.roots(v) & roots for v in walked):
                raise scope.error(node, f"writing into '{what}' while a loop iterates over it "
                                        "(or over a view of it): NumPy would show the loop the "
                                        "new values in the rows still to come", hint=HINT)
        loc = scope.loc(node)
        for items, read in self.lazy:
            if read & roots:
                self.stale_items[id(items)] = (items, loc)
        held = [value for _, value in scope.low.attributes.values()]  # (an attribute holding
        for value in [*scope.env.values(), *self.listed, *held]:  # the array is followed)
            for v in _vars(value):
                if v is not new and self.roots(v) & roots:
                    self.stale[v] = loc
        for root in roots:  # the memory written, whoever holds it (an attribute, a
            self.stale[root] = loc  # list: a loop's carry is another name for it)
        base = self.view_of(old) if isinstance(old, Var) else None
        while base is not None:  # the array written through a view, wherever it is
            self.stale[base] = loc  # held (a caller's, where a helper writes a view)
            base = self.view_of(base)
        self.stale[memory(old)] = loc
        if isinstance(new, Var):
            self.origins[new] = [memory(old)]

    def check(self, scope: Scope, node: Any, value: Any, name: str) -> None:
        """Refuse reading a value an in-place write outdated."""
        loc = self.outdated(value)
        if loc is not CURRENT:
            raise stale_error(scope, node, name, loc)

    def outdated(self, value: Any) -> Any:
        """Where the write that outdated ``value`` (or a value it holds) is, or
        ``CURRENT``. An array made while compiling is outdated by a write into any array
        sharing its memory (a view of it, the array it views)."""
        if isinstance(value, list) and id(value) in self.stale_items and \
                self.stale_items[id(value)][0] is value:
            return self.stale_items[id(value)][1]
        for v in _vars(value):
            if v in self.stale:
                return self.stale[v]
            base = self.view_of(v)
            while base is not None:  # a view taken before its base was written
                if base in self.stale:
                    return self.stale[base]
                base = self.view_of(base)
        written = [m for m in self.stale if isinstance(m, Made)]
        if written:
            for array in _arrays(value):
                for m in written:
                    if np.may_share_memory(array, m.array):
                        return self.stale[m]
        return CURRENT


def check_unpacked(scope: Scope, target: Any, value: Any) -> None:
    """Refuse assigning an item of a tuple assignment that a write by an earlier target
    of the same assignment outdated."""
    if scope.low.aliases.outdated(value) is not CURRENT:
        raise scope.error(target, "this item of the right-hand side shares memory with an "
                                  "array an earlier target of the assignment wrote into: "
                                  "NumPy would assign the new values, the compiled code the "
                                  "old", hint=f"{HINT}; or swap by fancy indexing: "
                                              "y[:, [0, 1]] = y[:, [1, 0]]")


def is_callers(scope: Scope, array: Any) -> bool:
    """Whether ``array`` is memory the function does not own: an argument, a global or
    a captured array. A helper's parameter holding an array its caller made is the
    caller's own: written, the caller sees the write (``Scope.write_in_place``)."""
    return _passed_in(scope, array) or \
        any(array is v for v in scope.low.captures.vars.values())


def _passed_in(scope: Scope, array: Any) -> bool:
    """An argument of this function that is (a view of) an argument of the function
    compiled, or of a function compiled apart (a callee's: no write reaches back)."""
    aliases = scope.low.aliases
    return any(array is v for v in scope.params) and \
        any(root in aliases.inputs for root in aliases.roots(array))


def check_owned(scope: Scope, target: Any, array: Var | np.ndarray) -> None:
    """Refuse writing into memory the function does not own (an array made while
    compiling is the function's)."""
    if isinstance(array, np.ndarray):
        return
    if _passed_in(scope, array):
        raise scope.error(target, "writing into an array the caller passed in would "
                                  "change the caller's array", hint=HINT)
    if any(array is v for v in scope.low.captures.vars.values()):
        raise scope.error(target, "writing into a global or captured array would change "
                                  "it for everyone", hint=HINT)


def check_subscript_write(scope: Scope, target: Any, array: Var) -> None:
    """``y[i] = v`` is refused outright where NumPy would show it elsewhere for sure:
    into memory not the function's, into a view of another array, or into an array
    that another name or container also holds."""
    check_owned(scope, target, array)
    aliases = scope.low.aliases
    view = aliases.view_in(array)
    if view is not None:
        raise scope.error(target, f"writing into a view ({aliases.producer(view).prim.name} "
                                  "of another array) would change that array too", hint=HINT)
    for value in aliases.paths_of(array):  # a branch's value may be the caller's
        check_owned(scope, target, value)


def root_name(target: Any) -> str:
    """The name written into by ``y[i][j] = v``."""
    while isinstance(target, gast.Subscript):
        target = target.value
    return target.id if isinstance(target, gast.Name) else "the array"


def spelt(node: Any) -> str:
    """How the user wrote a read of names, attributes and subscripts (``self.cache[...]``)."""
    if isinstance(node, gast.Name):
        return node.id
    if isinstance(node, gast.Attribute):
        return f"{spelt(node.value)}.{node.attr}"
    if isinstance(node, gast.Subscript):
        return f"{spelt(node.value)}[...]"
    return "..."


def stale_error(scope: Scope, node: Any, name: str, loc: Loc | None) -> AutodiffError:
    where = f" at line {loc.line}" if loc is not None and loc.line else ""
    return scope.error(node, f"'{name}' shares memory with an array written in place{where}: "
                             "NumPy would show the new values here, the compiled code the old",
                       hint=HINT)


def _vars(value: Any) -> list[Var]:
    """The arrays computed at run time that ``value`` is or holds: in containers, and
    what a partial or a bound method holds (``functools.partial(np.dot, y)``, ``y.sum``
    read ``y`` when called)."""
    if isinstance(value, Var):
        return [value]
    if isinstance(value, list | tuple | dict):
        return trees.flatten(value, lambda v: isinstance(v, Var))[0]
    if isinstance(value, functools.partial):
        return _vars([value.args, value.keywords])
    if getattr(value, "holds_array", False):  # ``calls.BoundArrayMethod``
        return _vars(value.var)
    return []


def _arrays(value: Any) -> list[np.ndarray]:
    """The arrays made while compiling that ``value`` is or holds."""
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, list | tuple | dict):
        return trees.flatten(value, lambda v: isinstance(v, np.ndarray))[0]
    return []
