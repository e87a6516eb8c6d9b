"""Lowering of control flow: ``if`` and conditional expressions (``and``/``or`` are
``boolops``'); and what loops (``loops``, ``unrolled``) share with them: regions,
merging, the jump flags.

Whatever is decided by values known when compiling is resolved here, the way Python
would run it: the taken branch of a static ``if`` is lowered alone. Everything
decided at run time becomes a region equation (``cond``, ``loop``, ``while_loop``)
whose bodies are lowered in forked scopes; the names a region assigns become its
outputs (the phi values). A ``return`` under a data-dependent ``if`` takes the rest
of the function into both branches, so the ``cond`` computes the return value.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import gast
import numpy as np

from .. import trees
from ..errors import UnsupportedSyntaxError
from ..ir import primitives as P
from ..ir.builder import as_atom, building
from ..ir.core import Aval, Eqn, Function, Var, is_python_float
from . import attribute_writes
from .scope import JUMPED, NOT_RETURNED, Scope
from .statements import assigned_names, breaks, contains, jumps, walk


class _Break(BaseException):
    """``break`` reached while unrolling a loop."""


# ---------------------------------------------------------------------------- helpers


def _join(avals: Sequence[Aval]) -> Aval:
    """What is known of a value that is one of these."""
    first = avals[0]
    shape = first.shape if all(a.shape == first.shape for a in avals) else None
    dtype = first.dtype if all(a.dtype == first.dtype for a in avals) else None
    return Aval(shape, dtype, weak=all(a.weak for a in avals))


class _Pending:
    """The function's result while no ``return`` has run yet: it takes the structure of
    the value a ``return`` gives, with ``None`` leaves, where the two meet."""

    def __repr__(self) -> str:
        return "PENDING"


PENDING = _Pending()


def _is_leaf(value: Any) -> bool:
    """What a branch or loop may produce: run-time values, numbers (flags too), arrays
    made while compiling (``n = Tensor(0)`` a loop counts on), ``None``, and ``PENDING``."""
    return value is None or value is PENDING or \
        isinstance(value, Var | int | float | np.generic | np.ndarray)


def fill_pending(values: list[Any]) -> list[Any]:
    """``PENDING`` among computed results becomes their structure with ``None`` leaves
    (never read: the flag that says a ``return`` ran selects the computed one)."""
    known = [v for v in values if v is not PENDING]
    if not known or len(known) == len(values):
        return values
    leaves, skeleton = trees.flatten(known[0], _is_leaf)
    filler = trees.unflatten(skeleton, [None] * len(leaves))
    return [filler if v is PENDING else v for v in values]


def _region(scope: Scope, run: Callable[[Scope], Any]) -> tuple[list[Eqn], Scope, Any]:
    """Lower a region body in a forked scope; its equations, final scope and result.
    The attributes the body leaves set are the child's (``child.attributes``); the
    function's are as they were before it (its caller merges or refuses them)."""
    low = scope.low
    before = low.attributes
    child = scope.fork()  # (low.attributes: the body's copy)
    try:
        with building(low.builder.loc) as b:
            try:
                result = run(child)
            except _Break:
                raise UnsupportedSyntaxError(
                    "'break' in a loop unrolled while compiling (it builds or walks a Python "
                    "list), after a 'continue' on a run-time condition in the same iteration, "
                    "is not supported", low.builder.loc,
                    hint="preallocate an array instead of building a list, so that the loop "
                    "is not unrolled; or break on a flag at the end of the iteration") from None
    finally:
        child.attributes, low.attributes = low.attributes, before
    return b.eqns, child, result


def _merge(scope: Scope, node: gast.AST, values: list[Any], what: str) -> tuple[list, Any]:
    """One output per leaf where region results differ: leaves per branch, skeleton."""
    flat = [trees.flatten(v, _is_leaf) for v in fill_pending(values)]
    skeleton = flat[0][1]
    if any(repr(s) != repr(skeleton) or len(leaves) != len(flat[0][0]) for leaves, s in flat):
        kinds = " and ".join(dict.fromkeys(_kind(v) for v in values))
        raise scope.error(node, f"the branches give {what} of different structure "
                                f"({kinds}), decided only at run time",
                          hint="make every path produce the same kind of value (the same "
                          "nesting of tuples, lists and dicts)")
    return [list(column) for column in zip(*(leaves for leaves, _ in flat))], skeleton


def _kind(value: Any) -> str:
    """How a value's structure reads in a message: ``tuple of 2``, ``array``, ``None``."""
    if value is None:
        return "None"
    if isinstance(value, tuple | list | dict):
        return f"{type(value).__name__} of {len(value)}"
    return "array or number" if _is_leaf(value) else type(value).__name__


# ---------------------------------------------------------------------------- if / ifexp


def stmt_if(scope: Scope, node: gast.If) -> Any:
    test = scope.expr(node.test)
    if not isinstance(test, Var):
        return scope.block(node.body if test else node.orelse)
    for raising, other, holds in ((node.body, node.orelse, False),
                                  (node.orelse, node.body, True)):
        if raising and isinstance(raising[-1], gast.Raise) \
                and all(isinstance(s, gast.Assign | gast.AnnAssign) for s in raising[:-1]):
            guard_raise(scope, raising, test if holds else P.truth_not(P.truth(test)))
            return scope.block(other)
    returns = contains(node.body + node.orelse, (gast.Return,))
    if scope.loop_kind == "unrolled" and not returns and jumps(node.body + node.orelse) \
            and merged_break(scope, node, test):
        return after_merged_break(scope)
    if scope.loop_kind == "unrolled" and (returns or breaks(node.body + node.orelse)):
        return _jump_out_of_unrolled(scope, node, test, returns)
    structured_return = scope.loop_kind == "structured" and returns
    if scope.in_loop and (jumps(node.body + node.orelse) or structured_return):
        # the rest of the loop body runs only on the paths that do not jump
        rest, after_iteration = rest_of_loop_body(scope)
        _cond(scope, node, test, [lambda c: c.block(node.body + rest),
                                  lambda c: c.block(node.orelse + rest)], returns=False,
              names=assigned_names(node.body + node.orelse + rest))
        if scope.jump_branch and scope.loop_kind == "unrolled":  # rest of the function
            return lower_rest(scope, after_iteration)
        return JUMPED
    if returns:
        return _rest_in_branches(scope, node, test)
    _cond(scope, node, test, [lambda c: c.block(node.body), lambda c: c.block(node.orelse)],
          returns=False)
    return NOT_RETURNED


def guard_raise(scope: Scope, branch: list[gast.stmt], passes: Var) -> None:
    """``if test: ...; raise E(message)`` on a run-time ``test``: the code after it
    runs only where ``test`` is false, so it is a check, ``if not passes: raise
    E(message)`` in the generated code, in place of the branch. The branch's other
    statements, assignments (the message's parts), are computed whatever the test
    says; a branch that does more (prints, loops) before raising is not a check."""
    attributes = scope.low.attributes
    child = scope.fork()  # (its copy of what attributes hold: the message's parts only)
    child.block(branch[:-1])
    scope.low.attributes = attributes
    node = branch[-1]
    if node.exc is None:
        raise scope.error(node, "a bare 'raise' outside an 'except' block")
    exc, args = node.exc, []
    if isinstance(exc, gast.Call):
        if exc.keywords or len(exc.args) > 1:
            raise child.error(node, "raise of an exception made with keywords or several "
                                    "arguments on a run-time condition",
                              hint="give the exception one message: raise E(f'...')")
        args = [child.expr(a) for a in exc.args]
        exc = exc.func
    kind = child.expr(exc)
    if isinstance(kind, BaseException):
        kind, args = type(kind), [str(kind)] if str(kind) else []
    if not (isinstance(kind, type) and issubclass(kind, BaseException)):
        raise child.error(node, f"raise of a {type(kind).__name__}: exceptions must derive "
                                "from BaseException")
    message = [a if isinstance(a, Var | str) else str(a) for a in args]
    P.check(passes, *message, exception=kind)


def _rest_in_branches(scope: Scope, node: gast.If, test: Var) -> Any:
    """Each branch takes the rest of the function in; the ``cond`` gives its result."""
    rest = [stmt for block in scope.continuation for stmt in block]

    def branch(stmts: list[gast.stmt]) -> Callable[[Scope], Any]:
        def run(child: Scope) -> Any:
            child.reaches_end, child.jump_branch = True, scope.loop_kind == "unrolled"
            return child.block(stmts + rest)
        return run

    return _cond(scope, node, test, [branch(node.body), branch(node.orelse)], returns=True)


def _jump_out_of_unrolled(scope: Scope, node: gast.If, test: Var, returns: bool) -> Any:
    """``return`` (or a ``break`` that ``merged_break`` could not take) on a run-time
    condition in a loop unrolled while compiling: the rest of the function goes into
    the branches."""
    if not resumable(scope):
        what = "'return'" if returns else "'break'"
        raise UnsupportedSyntaxError(
            f"{what} on a run-time condition in a loop unrolled while compiling (it builds "
            "or walks a Python list), where the rest of the function cannot follow the "
            "jump: after a 'continue' on a run-time condition, or inside a loop of run-time "
            "length, is not supported", scope.loc(node),
            hint="preallocate an array instead of building a list, so that the loop is not "
            "unrolled; or assign a result, break with a flag, and return after the loops")
    return _rest_in_branches(scope, node, test)


def rest_of_loop_body(scope: Scope) -> tuple[list[gast.stmt], list[gast.stmt]]:
    """What is left of the innermost loop's body after the statement being lowered, in
    every block that holds it (an ``if`` known when compiling, a ``with``), and what
    comes after that: the body of a loop region is a scope of its own, so its rest is
    the whole continuation; an unrolled iteration's ends at its ``_Resume``."""
    if scope.loop_kind == "unrolled":
        return split_at_resume(scope)
    return [stmt for block in scope.continuation for stmt in block], []


def expr_ifexp(scope: Scope, node: gast.IfExp) -> Any:
    test = scope.expr(node.test)
    if not isinstance(test, Var):
        return scope.expr(node.body if test else node.orelse)
    refuse_binding(scope, [node.body, node.orelse], "in a branch of a conditional expression "
                                                    "on a run-time value: the name would be "
                                                    "bound on one path only")
    return _cond(scope, node, test, [lambda c: c.expr(node.body), lambda c: c.expr(node.orelse)],
                 returns=True)


def _cond(scope: Scope, node: gast.AST, test: Var, branches: list[Callable[[Scope], Any]],
          returns: bool, names: list[str] | None = None) -> Any:
    lowered, stale, attributes = _lower_branches(scope, branches)
    if returns:
        values = [None if r is NOT_RETURNED else r for _, _, r in lowered]
        columns, skeleton = _merge(scope, node, values, "results")
        written, written_columns = _merged_attributes(scope, node, attributes)
        outs = _emit_cond(scope, node, test, lowered, stale, columns + written_columns,
                          ["out"] * len(columns) + ["value"] * len(written_columns))
        _bind_attributes(scope, written, outs[len(columns):])
        return trees.unflatten(skeleton, outs[:len(columns)])
    merged, columns, skeletons = [], [], []
    candidates = assigned_names(node.body + node.orelse) if names is None else names
    candidates = list(dict.fromkeys([*candidates, *_flags(scope), *_containers(scope)]))
    for name in candidates:
        values = [child.env.get(name, _UNBOUND) for _, child, _ in lowered]
        if any(v is _UNBOUND for v in values):
            scope.env.pop(name, None)  # bound on some paths only: unusable afterwards
        elif all(v is values[0] for v in values):
            scope.env[name] = values[0]
        elif all(_same_contents(v, values[0]) for v in values):
            if not _same_contents(values[0], scope.env.get(name, _UNBOUND)):
                scope.env[name] = values[0]  # (else the branches' copies are the original)
        else:
            cols, skeleton = _merge(scope, node, values, f"'{name}'")
            merged.append((name, len(cols)))
            columns.extend(cols)
            skeletons.append(skeleton)
    written, written_columns = _merged_attributes(scope, node, attributes)
    outs = _emit_cond(scope, node, test, lowered, stale, columns + written_columns,
                      [_hint(name) for name, n in merged for _ in range(n)]
                      + ["value"] * len(written_columns))
    outs = _bind_attributes(scope, written, outs, len(columns))
    for (name, n), skeleton in zip(merged, skeletons):
        scope.env[name], outs = trees.unflatten(skeleton, outs[:n]), outs[n:]
        _own_containers(scope, scope.env[name])
    return NOT_RETURNED


def _containers(scope: Scope) -> list[str]:
    """Names holding lists or dicts the function built: each branch changes its copy."""
    own = scope.low.own_lists

    def holds(value: Any) -> bool:
        if isinstance(value, list | dict):
            return id(value) in own or any(map(holds, _items(value)))
        return type(value) is tuple and any(map(holds, value))

    return [name for name, value in scope.env.items() if holds(value)]


def _items(value: list | dict) -> list:
    return list(value.values()) if isinstance(value, dict) else value


def _same_contents(a: Any, b: Any) -> bool:
    """The same structure holding the very same values."""
    if b is _UNBOUND:
        return False
    (la, sa), (lb, sb) = trees.flatten(a, _is_leaf), trees.flatten(b, _is_leaf)
    return repr(sa) == repr(sb) and len(la) == len(lb) and all(x is y for x, y in zip(la, lb))


def _own_containers(scope: Scope, value: Any) -> None:
    """The lists and dicts of a merged value are the function's: it may change them."""
    if isinstance(value, list | dict):
        scope.low.new_list(value)
        for item in _items(value):
            _own_containers(scope, item)
    elif type(value) is tuple:
        for item in value:
            _own_containers(scope, item)


_UNBOUND = object()


def _lower_branches(scope: Scope, branches: list[Callable[[Scope], Any]]
                    ) -> tuple[list[tuple[list[Eqn], Scope, Any]], list[dict], list[dict]]:
    """Each branch lowered in turn, outdated only by its own in-place writes (what one
    branch writes into is current on the other's path); afterwards, what any of them
    outdated. Also what each outdated, for the values the branches give, and the
    attributes of objects each path leaves (``attribute_writes``), each from the state
    before the branch."""
    low = scope.low
    before, lowered, stale = low.aliases.stale, [], []
    for run in branches:
        low.aliases.stale = dict(before)
        lowered.append(_region(scope, run))
        stale.append(low.aliases.stale)
    low.aliases.stale = {v: loc for outdated in stale for v, loc in outdated.items()}
    attributes = [child.attributes for _, child, _ in lowered]
    # what every path left as it was keeps its own object (a list a name holds too);
    # what they left alike, the first path's; what differs, the caller merges
    low.attributes = {key: low.attributes[key] if key in low.attributes and
                      attribute_writes.same(entry[1], low.attributes[key][1]) else entry
                      for key, entry in attributes[0].items()}
    return lowered, stale, attributes


def _merged_attributes(scope: Scope, node: gast.AST, states: list[dict]
                       ) -> tuple[list[tuple[tuple, Any, Any]], list]:
    """The attributes the paths left different: for each, its key, object and
    skeleton, and the columns of their leaves (one output of the branch each)."""
    written, columns = [], []
    for key in attribute_writes.merge_targets(states):
        entries = [state.get(key) or attribute_writes.before_branch(scope, key, states)
                   for state in states]
        values = [value for _, value in entries]
        if any(v is attribute_writes.SOME_PATHS for v in values):
            written.append((key, entries[0][0], None))
            continue
        cols, skeleton = _merge(scope, node, values, f"'.{key[1]}'")
        written.append((key, entries[0][0], (skeleton, len(cols))))
        columns.extend(cols)
    return written, columns


def _bind_attributes(scope: Scope, written: list, outs: list[Var], start: int = 0
                     ) -> list[Var]:
    """Each merged attribute takes its outputs (those from ``start``); ``outs`` without
    them."""
    rest = list(outs[start:])
    for key, obj, merged in written:
        if merged is None:
            scope.low.attributes[key] = (obj, attribute_writes.SOME_PATHS)
            continue
        skeleton, n = merged
        scope.low.attributes[key] = (obj, trees.unflatten(skeleton, rest[:n]))
        _own_containers(scope, scope.low.attributes[key][1])
        rest = rest[n:]
    return list(outs[:start])


def _as_numpy_values(atoms: list[list[Any]], lowered: list) -> None:
    """Where one branch gives a Python float and another an array, the float is made a
    NumPy value in its branch (``np.array(v)``, as ``np.exp(x)`` is one in NumPy): the
    merged value is indexed and transposed as an array (``v[None]``), which a float is
    not."""
    for column in atoms:
        if not any(isinstance(a, Var) and not a.aval.weak for a in column):
            continue
        for i, atom in enumerate(column):
            if is_python_float(atom):
                made = Var(Aval((), np.dtype(np.float64)), "value")
                lowered[i][0].append(Eqn((made,), P.copy, (atom,), {}, None))
                column[i] = made


def _emit_cond(scope: Scope, node: gast.AST, test: Var, lowered: list, stale: list[dict],
               columns: list, hints: list[str]) -> list[Var]:
    atoms = [[as_atom(v) for v in column] for column in columns]
    _as_numpy_values(atoms, lowered)
    outs = [Var(_join([a.aval for a in col]), hint,
                tensor=any(isinstance(a, Var) and a.tensor for a in col))
            for col, hint in zip(atoms, hints)]
    for out, column in zip(outs, atoms):
        scope.low.aliases.merge(out, column, stale)  # the memory of the branch taken
    bodies = tuple(Function(f"branch{i}", (), tuple(eqns), tuple(col[i] for col in atoms))
                   for i, (eqns, _, _) in enumerate(lowered))
    scope.low.builder.eqns.append(
        Eqn(tuple(outs), P.cond, (test,), {"branches": bodies}, scope.loc(node)))
    return outs


def refuse_binding(scope: Scope, nodes: Sequence[gast.AST], where: str) -> None:
    """Refuse ``(name := value)`` ``where`` the code is lowered as a region whose
    bindings do not reach the code after it (a branch, a loop's test)."""
    for node in walk(nodes):
        if isinstance(node, gast.NamedExpr):
            raise scope.error(node, f"an assignment expression (:=) {where}",
                              hint="assign the name in a statement of its own")


# ---------------------------------------------------------------------------- flags


# A loop whose body may `break` on a run-time condition carries a stop flag: once set,
# the remaining iterations skip the body (a `while` stops), and `else` runs only if
# it never was. `continue` and `break` end the body's block early: what follows them
# is lowered into the other branch of the `if` that holds them (as for `return`).
# A `return` in such a loop sets the flag too, and keeps its value for after the loop.
STOP, RETURNED, RESULT = "<stop>", "<returned>", "<result>"
_HINTS = {STOP: "stop", RETURNED: "returned", RESULT: "result"}


def _hint(name: str) -> str:
    return _HINTS.get(name, name)


def _flags(scope: Scope) -> list[str]:
    return [n for n in (STOP, RETURNED, RESULT) if n in scope.env]


# The statements handled here, by node type (``Lowering.statements`` holds them all).
STATEMENTS = {gast.If: stmt_if}
# The expressions handled here, by node type (``Lowering.expressions``).
EXPRESSIONS = {gast.IfExp: expr_ifexp}

from .unrolled import (  # noqa: E402
    after_merged_break,
    lower_rest,
    merged_break,
    resumable,
    split_at_resume,
)
