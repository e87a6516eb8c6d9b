"""IR -> Python source: with ``naming`` and ``pywriter``, the only code that knows how
Python is written.

Each equation becomes one assignment, except that an unnamed temporary used exactly
once is folded into the expression that uses it, so rule output such as
``g_x = unbroadcast(g_z * y, x)`` reads like hand-written code. Names come from the
user's names; a name is reused once its previous value is dead (``x = x + 1``).
Every adjoint block opens with ``# grad of: <source line>  (file:line)``.
"""
from __future__ import annotations

import builtins
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import gast
import numpy as np

from ...errors import Loc
from ...ir.core import (
    Atom,
    Callee,
    Const,
    Eqn,
    Function,
    Var,
    is_python_float,
    reads,
    regions,
    same_dtype,
    substitute_function,
)
from ...opt import buffers
from ..base import Backend
from .expressions import EMITTERS, Emitter, attr, window_index
from .frees import frees_after_last_use
from .naming import (
    RESERVED,
    Append,
    Assign,
    Check,
    Effect,
    For,
    If,
    InPlace,
    Moves,
    NewList,
    While,
    assign_names,
)
from .pywriter import Writer, string_literal

_AUGMENTED = frozenset(["+", "-", "*", "/", "**"])  # ``t op= x`` updates ``t`` in place
# Forms never written as a plain assignment, so never folded into their use.
_STATEMENT_FORMS = frozenset(["alias", "region", "call", "accumulate", "check", "effect"])
# A chain of single-use values folds into one expression up to this depth, then is
# named: a 300-step recurrence folded whole nested past what Python's own compiler
# (and ``ast``) can recurse through.
MAX_FOLD_DEPTH = 24


# ---------------------------------------------------------------------------- statements


def _as_literal(eqn: Eqn, a: Atom) -> Atom:
    """A NumPy scalar constant (``np.float64(1.0)``) as a plain literal where that gives
    the same dtype: another operand is an array of its dtype, which is the result's (a
    literal is weak, so ``float32_array * 2.0`` is float32; ``np.float64(2.0)`` is not)."""
    if not isinstance(a, Const) or not isinstance(a.value, np.generic):
        return a
    value = a.value.item()
    dtype = a.value.dtype
    if type(value) not in (int, float, complex) or np.result_type(type(value)) != dtype:
        return a
    out = eqn.outvars[0].aval.dtype if len(eqn.outvars) == 1 else None
    if same_dtype(out, dtype) and any(
            isinstance(b, Var) and not b.aval.weak and same_dtype(b.aval.dtype, dtype)
            for b in eqn.invars):
        return Const(value)
    return a


class _Tree:
    """Builds the statement tree of one generated function from its IR."""

    def __init__(self, em: Emitter, backend: Backend, alias: dict[Var, Atom],
                 into: dict[int, int], folded: set[Var]) -> None:
        self.em, self.backend, self.alias = em, backend, alias
        self.into = into  # equations (by id) writing into an operand: its index
        self.folded = folded  # named values folded into their one use all the same
        self.default_names: dict[Var, str] = {}
        self.pending_locs: dict[Var, Loc | None] = {}
        self.fold_depths: dict[Var, int] = {}  # how deeply a pending expression nests
        self.outer_pending: list[set[Var]] = [set()]  # values enclosing blocks left pending

    def atom(self, a: Atom) -> Atom:
        return self.alias.get(a, a) if isinstance(a, Var) else a

    def ref(self, a: Atom, reads: list[Var]) -> gast.expr:
        return self.em.ref(self.atom(a), reads)

    def block(self, eqns: Sequence[Eqn]) -> list[Any]:
        self.outer_pending.append(set(self.em.pending))
        try:
            return self._block(eqns)
        finally:
            self.outer_pending.pop()

    def _block(self, eqns: Sequence[Eqn]) -> list[Any]:
        stmts: list[Any] = []
        for eqn in eqns:
            form = eqn.prim.form
            if form == "alias":
                self.alias[eqn.outvars[0]] = self.atom(eqn.invars[0])
            elif form == "region":
                self._flush(eqn, stmts)
                stmts.extend(REGIONS[eqn.prim.name](self, eqn))
            elif form == "call":
                self._call(eqn, stmts)
            elif form == "accumulate":
                self._inplace(eqn, stmts)
            elif form == "check":
                reads: list[Var] = []
                test, *message = (self.ref(a, reads) for a in eqn.invars)
                kind = eqn.params.get("exception")
                spelt = None if kind is None else gast.Name(kind.__name__, gast.Load(), None,
                                                            None) \
                    if getattr(builtins, kind.__name__, None) is kind else self.em.const(kind)
                stmts.append(Check(test, message[0] if message else None, reads, eqn.loc,
                                   spelt))
            elif form == "effect":
                self._effect(eqn, stmts)
            elif id(eqn) in self.into:
                self._into(eqn, self.into[id(eqn)], stmts)
            else:
                self._assign(eqn, stmts)
        return stmts

    def _assign(self, eqn: Eqn, stmts: list[Any]) -> None:
        reads: list[Var] = []
        depth = 1 + max((self.fold_depths.get(a, 0) for a in eqn.invars
                         if isinstance(a, Var) and a in self.em.pending), default=0)
        square = self._float_square(eqn)
        args = [self.ref(_as_literal(eqn, a), reads) for a in eqn.invars]
        kind, text = self.backend.spell(eqn, self.em.python_floats)
        params = self.backend.keywords(eqn)
        expr = EMITTERS[kind](self.em, text, args, params) if square is None else \
            gast.BinOp(args[0], gast.Mult(), self.ref(square, reads))
        out = eqn.outvars
        if self.folds(eqn) and depth < MAX_FOLD_DEPTH:
            self.fold_depths[out[0]] = depth
            self.em.pending[out[0]] = (expr, reads)
            self.default_names[out[0]] = eqn.prim.name  # if it must be flushed
            self.pending_locs[out[0]] = eqn.loc  # for the line it is folded into
        else:
            for v in out:
                self.default_names[v] = eqn.prim.name
            stmts.append(Assign(out, expr, reads, eqn.loc, eqn.prim.name))

    def assigned_and_folded(self, eqn: Eqn) -> bool:
        """Whether ``eqn``, unless it writes into another array, is written as an
        assignment folded into its one use: its result is never a named array."""
        return eqn.prim.form not in _STATEMENT_FORMS and self.folds(eqn)

    def folds(self, eqn: Eqn) -> bool:
        """Whether an equation written as an assignment is folded into its one use
        rather than named. A draw from the random state stays a statement, in program
        order: folded into its use, Python could evaluate it after a later draw."""
        out = eqn.outvars
        return len(out) == 1 and self.em.uses[out[0]] == 1 and not eqn.prim.random \
            and (not out[0].hint or out[0] in self.folded)

    def _effect(self, eqn: Eqn, stmts: list[Any]) -> None:
        """A call made for what it does (``print``, ``np.copyto``): a statement of its
        own, in order. Temporaries still to be written that read the array it writes
        into are computed before it (its own operands are, inside the call)."""
        if eqn.prim.writes is not None:
            target, own = self.atom(eqn.invars[eqn.prim.writes]), set(eqn.invars)
            self._flush(eqn, stmts, [v for v, (_, inner) in self.em.pending.items()
                                     if target in inner and v not in own])
        reads: list[Var] = []
        args = [self.ref(_as_literal(eqn, a), reads) for a in eqn.invars]
        kind, text = self.backend.spell(eqn, self.em.python_floats)
        expr = EMITTERS[kind](self.em, text, args, self.backend.keywords(eqn))
        stmts.append(Effect(expr, reads, eqn.loc))

    def _inplace(self, eqn: Eqn, stmts: list[Any]) -> None:
        base = self.atom(eqn.invars[0])
        reads: list[Var] = [base]
        if base in self.em.pending:  # a base still to be computed gets a name first
            expr, inner = self.em.pending.pop(base)
            stmts.append(Assign((base,), expr, inner, eqn.loc, "acc"))
        if len(eqn.invars) == 3:  # at an index: acc[index] += v (or = v), or a copy's
            if eqn.prim.name in ("window_add_into", "window_update_into"):  # (acc, v, t):
                # acc[t:t + k] += v, acc[t:t + k] = v
                value, start = (self.ref(a, reads) for a in eqn.invars[1:])
                params = eqn.params
                index = window_index(start, params["length"], params["axis"])
                operands = [value, start]
            else:
                index, value = (self.ref(a, reads) for a in eqn.invars[1:])
                operands = [index, value]
            # what this block has still to compute is computed before the write: it may
            # read the array's entries through a view (a row copied for a tape)
            self._flush(eqn, stmts, [v for v in self.em.pending
                                     if v not in self.outer_pending[-1]])
            kind, text = self.backend.spell(eqn, self.em.python_floats)
            otherwise = EMITTERS[kind](self.em, text, [self.ref(base, []), *operands],
                                       self.backend.keywords(eqn))
            op = "=" if eqn.prim.name in ("index_update_into", "window_update_into") else "+"
            stmts.append(InPlace(eqn.outvars[0], base, op, value, reads, eqn.loc, index,
                                 otherwise))
            return
        value = self.ref(eqn.invars[1], reads)
        stmts.append(InPlace(eqn.outvars[0], base, "+", value, reads, eqn.loc))

    def _float_square(self, eqn: Eqn) -> Var | None:
        """``x`` if ``eqn`` is ``x ** 2`` of a named Python float, written ``x * x``:
        on floats a product costs half a power."""
        x = self.atom(eqn.invars[0]) if eqn.invars else None
        if self.backend.spell(eqn, False) != ("binop", "**") or not isinstance(x, Var) \
                or not is_python_float(x) or x in self.em.pending:
            return None
        two = eqn.invars[1]
        return x if isinstance(two, Const) and type(two.value) in (int, float) \
            and two.value == 2 else None

    def _into(self, eqn: Eqn, slot: int | Var, stmts: list[Any]) -> None:
        """The result written into operand ``slot``'s array (see ``buffers``): ``t *= x``
        where the operator allows, else ``np.exp(t, out=t)``; or, ``slot`` a dead
        value, into its array: ``u = np.tanh(x, out=t)``."""
        base = slot if isinstance(slot, Var) else self.atom(eqn.invars[slot])
        for v, (expr, inner) in list(self.em.pending.items()):
            if v is base or base in inner:  # computed before its operand is overwritten
                del self.em.pending[v]
                stmts.append(Assign((v,), expr, inner, eqn.loc,
                                    self.default_names.get(v, "value")))
        self.default_names[eqn.outvars[0]] = eqn.prim.name
        kind, text = self.backend.spell(eqn, False)
        reads: list[Var] = [base]
        if kind == "binop" and text in _AUGMENTED and (slot == 0 or text in "+*") \
                and not isinstance(slot, Var):
            value = self.ref(_as_literal(eqn, eqn.invars[1 - slot]), reads)
            stmts.append(InPlace(eqn.outvars[0], base, text, value, reads, eqn.loc))
            return
        args = [self.ref(_as_literal(eqn, a), reads) for a in eqn.invars]
        call = gast.Call(attr(*self.backend.out_function(eqn).split(".")), args,
                         [gast.keyword("out", self.em.name(base))])
        if isinstance(slot, Var):  # a value of its own, in a dead one's array
            stmts.append(Assign(eqn.outvars, call, reads, eqn.loc, eqn.prim.name))
        else:
            stmts.append(InPlace(eqn.outvars[0], base, None, call, reads, eqn.loc))

    def _call(self, eqn: Eqn, stmts: list[Any]) -> None:
        callee = eqn.params["callee"]
        reads: list[Var] = []
        args = [self.ref(a, reads) for a in eqn.invars]
        func = gast.Name(callee.name, gast.Load(), None, None)
        for v in eqn.outvars:
            self.default_names[v] = callee.name
        stmts.append(Assign(eqn.outvars, gast.Call(func, args, []), reads, eqn.loc,
                            callee.name))

    def _flush(self, eqn: Eqn, stmts: list[Any], values: Sequence[Var] | None = None) -> None:
        """Temporaries a region reads (or ``values``) are computed once, before it, not
        in its body."""
        for v in reads(eqn) if values is None else values:
            v = self.atom(v)
            if isinstance(v, Var) and v in self.em.pending:
                expr, inner = self.em.pending.pop(v)
                name = self.default_names.get(v, "value")
                self.default_names[v] = name
                stmts.append(Assign((v,), expr, inner, eqn.loc, name))

    def moves(self, targets: Sequence[Var], sources: Sequence[Atom]) -> Moves:
        reads: list[Var] = []
        exprs = [self.ref(a, reads) for a in sources]
        return Moves(list(targets), exprs, reads, [self.atom(a) for a in sources])


def _emit_if(tree: _Tree, eqn: Eqn) -> list[Any]:
    reads: list[Var] = []
    test = tree.ref(eqn.invars[0], reads)
    branches = []
    for body in eqn.params["branches"]:
        stmts = tree.block(body.eqns)
        stmts.append(tree.moves(eqn.outvars, body.outvars))
        branches.append(stmts)
    return [If(test, reads, branches, eqn.loc)]


def _emit_for(tree: _Tree, eqn: Eqn) -> list[Any]:
    body = eqn.params["body"]
    index, carry = body.invars[0], list(body.invars[1:])
    n_carry = len(carry)
    tapes = eqn.outvars[n_carry:]
    before = [tree.moves(carry, eqn.invars[1:])] + [NewList(t) for t in tapes]
    reads: list[Var] = []
    count = tree.ref(eqn.invars[0], reads)
    stmts = _body_with_tapes(tree, body, tapes, n_carry)
    stmts.append(tree.moves(carry, body.outvars[:n_carry]))
    loop = For(index, count, reads, eqn.params.get("reverse", False), stmts, eqn.loc,
               carry, list(eqn.outvars[:n_carry]))
    return [*before, loop]


def _emit_while(tree: _Tree, eqn: Eqn) -> list[Any]:
    body = eqn.params["body"]
    carry = list(body.invars)
    n_carry = len(carry)
    cond = substitute_function(eqn.params["cond"], dict(zip(eqn.params["cond"].invars, carry)))
    tapes = eqn.outvars[n_carry:]
    before = [tree.moves(carry, eqn.invars)] + [NewList(t) for t in tapes]
    cond_stmts = tree.block(cond.eqns)
    reads: list[Var] = []
    test = tree.ref(cond.outvars[0], reads)
    stmts = _body_with_tapes(tree, body, tapes, n_carry)
    stmts.append(tree.moves(carry, body.outvars[:n_carry]))
    return [*before, While(cond_stmts, test, reads, stmts, eqn.loc, carry,
                           list(eqn.outvars[:n_carry]))]


def _body_with_tapes(tree: _Tree, body: Function, tapes: Sequence[Var], n_carry: int
                     ) -> list[Any]:
    """The body, recording its tape: values the body receives are appended first,
    before the body reassigns them, values it computes at the end (referred to once
    the body is written: a value read only by the tape is folded into its append)."""
    def append(tape: Var, value: Atom) -> Append:
        reads: list[Var] = [tape]
        return Append(tape, tree.ref(value, reads), reads)

    pairs = list(zip(tapes, body.outvars[n_carry:]))
    first = [append(t, v) for t, v in pairs if v in body.invars]
    stmts = tree.block(body.eqns)
    return first + stmts + [append(t, v) for t, v in pairs if v not in body.invars]


REGIONS = {"cond": _emit_if, "loop": _emit_for, "while_loop": _emit_while}


@dataclass(frozen=True)
class Generated:
    """Generated source, the constants its namespace must hold, and for each line of
    code the user's source location it came from (for runtime errors); ``support``:
    the backend's code the source calls (``Backend.support``), to show with it."""

    source: str
    constants: dict[str, Any]
    line_locs: dict[int, Loc]
    support: str = ""


def _aliases(fn: Function, alias: dict[Var, Atom]) -> dict[Var, Atom]:
    """What each ``identity`` result (``stop_gradient``) stands for, resolved."""
    for eqn in fn.eqns:
        if eqn.prim.form == "alias":
            source = eqn.invars[0]
            alias[eqn.outvars[0]] = alias.get(source, source) if isinstance(source, Var) \
                else source
        for _, body in regions(eqn):
            _aliases(body, alias)
    return alias


def _uses(fn: Function, alias: dict[Var, Atom]) -> Counter:
    """How often each value is read, reads of an alias counting for what it stands for."""
    def resolved(atoms: Any) -> list[Var]:
        out = [alias.get(a, a) if isinstance(a, Var) else a for a in atoms]
        return [a for a in out if isinstance(a, Var)]

    uses: Counter = Counter()
    for eqn in fn.eqns:
        if eqn.prim.form != "alias":
            uses.update(resolved(eqn.invars))
        for _, body in regions(eqn):
            uses.update(_uses(body, alias))
    uses.update(resolved(fn.outvars))
    return uses


def _foldable_floats(fn: Function, uses: Counter) -> set[Var]:
    """Named Python floats that are folded into their one use all the same: adjoints
    of the compiler's temporaries (``made_up`` names such as ``g_add``), and each
    partial sum of a gradient summed in several steps (``g_y = g_y + ...``) but the
    last, so the sum is one expression. On floats a statement costs as much as the
    arithmetic; arrays keep their steps (a deferred sum would keep its terms alive)."""
    partial = {a for eqn in fn.eqns if eqn.prim.name in ("add", "sub") for a in eqn.invars
               if isinstance(a, Var) and a.hint and a.hint == eqn.outvars[0].hint}
    return {v for eqn in fn.eqns for v in eqn.outvars
            if uses[v] == 1 and is_python_float(v) and (v.made_up or v in partial)}


def _callees(fn: Function) -> list[Callee]:
    """Every compiled function ``fn`` calls, directly or through those it calls."""
    found: dict[Callee, None] = {}
    todo = [fn]
    while todo:
        for eqn in todo.pop().eqns:
            callee = eqn.params.get("callee")
            if callee is not None and callee not in found:
                found[callee] = None
                todo.append(callee.fn)
            todo.extend(body for _, body in regions(eqn))
    return list(found)


@dataclass
class _Written:
    """A function's statement tree, return values and names, ready to write."""

    fn: Function
    body: list[Any]
    rets: list[gast.expr]
    names: dict[Var, str]
    ret_loc: Loc | None  # where a value computed on the `return` line comes from
    returned: list[Var]  # what the `return` statement reads


def _prepare(fn: Function, backend: Backend, constants: dict[str, Any],
             fixed: dict[Var, str], reserved: frozenset[str], in_place: bool,
             python_floats: bool) -> _Written:
    alias = _aliases(fn, {})
    em = Emitter(_uses(fn, alias), constants=constants, python_floats=python_floats,
                 spell_constant=backend.constant)
    tree = _Tree(em, backend, alias, {}, _foldable_floats(fn, em.uses))
    if in_place:
        tree.into = buffers.reusable(fn, alias, backend.out_function, tree.assigned_and_folded)
    body = tree.block(fn.eqns)
    returned: list[Var] = []
    rets = [tree.ref(a, returned) for a in fn.outvars]
    names = assign_names(list(fn.invars), body, returned, tree.default_names, fixed,
                         reserved | backend.reserved)
    for node, var in em.name_nodes:
        node.id = names[var]
    ret_loc = next((tree.pending_locs[a] for a in fn.outvars
                    if isinstance(a, Var) and tree.pending_locs.get(a)), None)
    return _Written(fn, body, rets, names, ret_loc, returned)


def _write_function(writer: Writer, w: _Written, indent: int, doc: str | None) -> None:
    writer.names = w.names
    writer.add(indent, f"def {w.fn.name}({', '.join(w.names[v] for v in w.fn.invars)}):")
    if doc:
        writer.add(indent + 1, string_literal(doc))
    writer.block(w.body, indent + 1, empty_ok=True)
    value = w.rets[0] if len(w.rets) == 1 else gast.Tuple(w.rets, gast.Load())
    writer.statement(gast.Return(value), indent + 1, w.ret_loc)


def generate(fn: Function, doc: str | None = None, *, backend: Backend,
             in_place: bool = True, python_floats: bool = True) -> Generated:
    """Python source of ``fn`` in ``backend``'s spelling; functions it calls
    (recursion) are nested defs at its top, reading the enclosing function's values by
    their names there. ``in_place``: large temporaries may be overwritten where nothing
    else sees them (``buffers``), if the backend can. ``python_floats=False`` spells
    everything with the array library, for float64 scalars where Python floats would be
    (see ``expressions.may_raise_on_floats``)."""
    fn = backend.prepare(fn)
    backend.check(fn)
    in_place = in_place and backend.in_place
    python_floats = python_floats and backend.python_floats
    constants: dict[str, Any] = {}
    callees = _callees(fn)
    reserved = RESERVED | backend.reserved
    taken: set[str] = set()  # nor another nested def (two blocks of one name)
    for c in callees:  # a nested def must not hide what generated code calls (np)
        while c.name in reserved or c.name == fn.name or c.name in taken:
            c.name += "_"
        taken.add(c.name)
    def_names = frozenset(c.name for c in callees)  # taken by the nested defs
    top = _prepare(fn, backend, constants, {}, def_names, in_place, python_floats)
    prepared = [replace(backend.prepare(c.fn), name=c.name) for c in callees]
    nested = [_prepare(f, backend, constants, {v: top.names[v] for v in c.free}, def_names,
                       in_place, python_floats) for f, c in zip(prepared, callees)]
    writer = Writer(top.names)
    params = [top.names[v] for v in fn.invars]
    writer.add(0, f"def {fn.name}({', '.join(params)}):")
    if doc:
        writer.add(1, string_literal(doc))
    for line in backend.prologue(params):
        writer.add(1, line)
    for inner in nested:
        _write_function(writer, inner, 1, None)
    writer.names = top.names
    writer.block(top.body, 1, empty_ok=True,
                 frees=frees_after_last_use(top.body, top.names, fn.invars, top.returned))
    value = top.rets[0] if len(top.rets) == 1 else gast.Tuple(top.rets, gast.Load())
    writer.statement(gast.Return(value), 1, top.ret_loc)
    support = "\n\n".join(dict.fromkeys(filter(None, (backend.support(f)
                                                        for f in [fn, *prepared]))))
    return Generated("\n".join(writer.lines) + "\n", constants, writer.line_locs, support)
