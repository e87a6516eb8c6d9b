"""The state of lowering one function: its names (``Scope``), and the functions it
defines inside itself (``LocalFunction``).

``Scope.block`` and ``Scope.expr`` dispatch each statement and expression, by node
type, to the handlers the ``Lowering`` holds (``syntax``, ``control``, ``loops``,
``unrolled`` each give a table of theirs); a node with no handler is refused at its
line.
"""
from __future__ import annotations

import inspect
import types
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from ..errors import AutodiffError, Loc, UnsupportedSyntaxError, internal_errors_at
from ..ir import primitives as P
from ..ir.builder import current, lowering_package
from ..ir.core import Var
from .aliasing import check_owned, check_subscript_write, check_unpacked, root_name, spelt
from .attribute_writes import assign_attribute, container_changed, follow_write
from .calls import apply_builder, call_value, has_var
from .captures import MISSING, Path
from .container_identity import containers_hold
from .windows import window_written

if TYPE_CHECKING:
    from .lowering import Lowering
    from .source import ParsedFunction

NOT_RETURNED = object()  # a block ran to its end without `return`
JUMPED = object()  # a block ended at `break`/`continue`: the rest of its loop body is skipped


@dataclass
class LocalFunction:
    """A ``def`` or ``lambda`` inside the function being compiled, with the scope that
    defined it (its closure) and its signature (defaults evaluated when defined)."""

    node: gast.FunctionDef | gast.Lambda
    scope: Scope
    signature: inspect.Signature
    name: str
    # the variables of the comprehensions it was made in: each a cell holding the value
    # the comprehension gave it last, which Python's closure reads when it is called
    cells: dict[str, dict] = field(default_factory=dict)


class Scope:
    """One function being lowered: its local names and where its code lives."""

    def __init__(self, low: Lowering, fn: types.FunctionType, parsed: ParsedFunction,
                 call_loc: Loc | None = None) -> None:
        self.low, self.fn, self.parsed, self.call_loc = low, fn, parsed, call_loc
        self.env: dict[str, Any] = {}
        # Statements that run after the current block (outer blocks' remainders): a
        # data-dependent `if` containing `return` lowers them into both branches.
        self.continuation: tuple[list[gast.stmt], ...] = ()
        self.in_loop = False
        self.loop_kind: str | None = None  # "structured" or "unrolled": what `break` does
        self.params: set[Var] = set()  # values the caller passed in
        # The continuation runs to the end of the function (not so in a region body,
        # but for a branch that took the rest of the function in); `jump_branch`: such
        # a branch, where a `break` of an unrolled loop lowers what follows the loop.
        self.reaches_end, self.jump_branch = True, False
        # Names bound only where they may not have run (a loop of run-time length): why
        # names without a value here that Python would give one on some runs: what to
        # say when one is read (where it is bound, and what to write instead)
        self.unbound: dict[str, tuple[str, str]] = {}
        self.comprehension_cells: dict[str, dict] = {}  # (LocalFunction.cells)
        # a region body's: the attributes it left set (``control._region``)
        self.attributes: dict[tuple[int, str], tuple[Any, Any]] = {}
        self.in_local_call = False  # a def of the function's, inlined (``nonlocals``)

    def fork(self) -> Scope:
        """A scope for a region body: same function, its own copy of the names and of
        the lists and dicts the function built (what one branch appends is its own)."""
        child = Scope(self.low, self.fn, self.parsed, self.call_loc)
        child.env, child.in_loop, child.loop_kind = dict(self.env), self.in_loop, self.loop_kind
        child.env = self.low.copy_containers(child.env)
        child.params, child.reaches_end = self.params, False
        child.in_local_call = self.in_local_call
        child.unbound = dict(self.unbound)
        child.comprehension_cells = self.comprehension_cells
        return child

    def loc(self, node: gast.AST) -> Loc:
        return self.call_loc or self.parsed.loc(node)

    def error(self, node: gast.AST, message: str, hint: str | None = None) -> AutodiffError:
        return AutodiffError(message, self.loc(node), hint)

    def raised(self, node: gast.AST, error: BaseException, message: str,
               hint: str | None = None) -> AutodiffError:
        """The refusal of ``error``, an exception of the user's program raised while
        compiling, with the builder of the code it was raised in: a ``try`` there may
        catch it (``exceptions.stmt_try``)."""
        refusal = self.error(node, message, hint)
        refusal.python_error, refusal.raised_in = error, current()
        return refusal

    def local_function(self, node: gast.FunctionDef | gast.Lambda) -> LocalFunction:
        if getattr(node, "decorator_list", None):
            raise UnsupportedSyntaxError("decorated functions inside a compiled function are "
                                         "not supported yet", self.loc(node),
                                         hint="define the decorated function at module level")
        args = node.args
        kinds = inspect.Parameter
        params: list[inspect.Parameter] = []
        positional = [*args.posonlyargs, *args.args]
        defaults = [self.expr(d) for d in args.defaults]
        first_default = len(positional) - len(defaults)
        for i, a in enumerate(positional):
            kind = kinds.POSITIONAL_ONLY if a in args.posonlyargs else kinds.POSITIONAL_OR_KEYWORD
            default = defaults[i - first_default] if i >= first_default else kinds.empty
            params.append(kinds(a.id, kind, default=default))
        if args.vararg is not None:
            params.append(kinds(args.vararg.id, kinds.VAR_POSITIONAL))
        for a, d in zip(args.kwonlyargs, args.kw_defaults):
            default = kinds.empty if d is None else self.expr(d)
            params.append(kinds(a.id, kinds.KEYWORD_ONLY, default=default))
        if args.kwarg is not None:
            params.append(kinds(args.kwarg.id, kinds.VAR_KEYWORD))
        name = node.name if isinstance(node, gast.FunctionDef) else "<lambda>"
        return LocalFunction(node, self, inspect.Signature(params), name,
                             dict(self.comprehension_cells))

    def run(self) -> Any:
        node = self.parsed.node
        if isinstance(node, gast.Lambda):
            with self.low.builder.at(self.loc(node.body)), \
                    lowering_package(self.call_loc is not None):
                return self.expr(node.body)
        result = self.block(node.body)
        return None if result is NOT_RETURNED else result

    # ------------------------------------------------------------------ statements

    def block(self, body: list[gast.stmt]) -> Any:
        """Lower statements in order; the returned value, or ``NOT_RETURNED``."""
        outer = self.continuation
        try:
            for i, stmt in enumerate(body):
                handler = self.low.statements.get(type(stmt))
                if handler is None:
                    raise _unsupported_statement(self, stmt)
                self.continuation = (body[i + 1:], *outer)
                with self.low.builder.at(self.loc(stmt)), internal_errors_at(self.loc(stmt)), \
                        lowering_package(self.call_loc is not None):
                    result = handler(self, stmt)
                if result is not NOT_RETURNED:
                    return result
            return NOT_RETURNED
        finally:
            self.continuation = outer

    def assign(self, target: gast.expr, value: Any) -> None:
        if isinstance(target, gast.Name):
            if isinstance(value, Var) and not value.hint:
                value.hint = target.id
            self.env[target.id] = value
            self.unbound.pop(target.id, None)
        elif isinstance(target, gast.Tuple | gast.List):
            self.assign_each(target, self.unpack(target, value, target.elts))
        elif isinstance(target, gast.Subscript):
            self.assign_item(self.merged_subscript(target), value)
        elif isinstance(target, gast.Attribute):
            assign_attribute(self, target, value)
        else:
            raise UnsupportedSyntaxError(
                f"assignment to {type(target).__name__.lower()} targets is not supported yet",
                self.loc(target), hint="assign to a plain name")

    def merged_subscript(self, target: gast.Subscript) -> gast.Subscript:
        """``y[i][j] = v`` writes through the view ``y[i]`` into ``y`` (CS231n's
        ``out[n][f][h][w] += ...``): where each index but the last is integers, it is
        ``y[i, j] = v``, a write into ``y`` itself."""
        indices, node = [], target
        while isinstance(node, gast.Subscript):
            indices.append(node.slice)
            node = node.value
        if len(indices) == 1 or not isinstance(node, gast.Name | gast.Attribute) or \
                not isinstance(self.expr(node), Var):  # (a list's items are not views)
            return target
        merged: list[gast.expr] = []
        for index in reversed(indices):
            parts = index.elts if isinstance(index, gast.Tuple) else [index]
            if index is not indices[0] and not all(_is_integer(self.expr(p)) for p in parts):
                return target
            merged.extend(parts)
        subscript = gast.Subscript(node, gast.Tuple(merged, gast.Load()), gast.Store())
        return gast.copy_location(subscript, target)

    def assign_each(self, target: gast.Tuple | gast.List, items: list[Any]) -> None:
        """``a, b = items``, left to right, as Python assigns. An item still to assign
        is a value the function holds: a write by an earlier target outdates it where it
        shares that memory (``y[:, 0], y[:, 1] = y[:, 1], y[:, 0]`` swaps nothing in
        NumPy: the second item is a view of the column the first target overwrote)."""
        aliases, pending = self.low.aliases, list(items)
        aliases.listed.append(pending)
        try:
            for elt, item in zip(target.elts, items):
                pending.pop(0)
                check_unpacked(self, elt, item)
                self.assign(elt.value if isinstance(elt, gast.Starred) else elt, item)
        finally:
            aliases.listed.remove(pending)

    def assign_item(self, target: gast.Subscript, value: Any) -> None:
        """``y[index] = v``: an array gets a new value, ``setitem(y, index, v)``, bound to
        the same name (the caller's array is never written); a list or dict the function
        built is updated while compiling."""
        if isinstance(target.value, gast.Attribute) and target.value.attr == "flat":
            owner = self.expr(target.value.value)
            if isinstance(owner, Var):  # y.flat[i] = v: y's entries in row-major order
                self._assign_flat(target, owner, value)
                return
        container = self.expr(target.value)
        index = self.expr(target.slice)
        if isinstance(container, list | dict) and id(container) in self.low.own_lists:
            if has_var(index):
                raise self.error(target, "indexing a Python list with a run-time value",
                                 hint="index with values known when compiling")
            container[index] = value
            container_changed(self, container)
            return
        if isinstance(container, float | np.generic | np.ndarray) and np.ndim(container) == 0:
            # a 0-d array made while compiling (np.ones(())), folded to its number: the
            # name is given the array written (Python refuses a float's item assignment)
            array = np.array(container)
            if has_var(index) or has_var(value):
                array = apply_builder(self, target, P.setitem, [array, index, value], {},
                                      "assignment")
            else:
                array[index] = value
            self.assign(target.value, array)
            return
        if isinstance(container, np.ndarray):  # made while compiling: a constant
            raise self.error(target, "cannot assign into an array made from constants "
                                     "(its values are part of the compiled code)",
                             hint="make it with np.zeros/np.full and assign its entries, or "
                                  "list its values: np.array([x[0], 2.0])")
        if not isinstance(container, Var):
            raise self.error(target, f"cannot assign into a {type(container).__name__} the "
                                     "function did not create",
                             hint="build a new value instead of changing one passed in")
        check_subscript_write(self, target, container)
        updated = apply_builder(self, target, self._item_writer, [container, index, value],
                                {}, "assignment")
        base = target.value.value if isinstance(target.value, gast.Subscript) else None
        if isinstance(base, gast.Name | gast.Attribute) and isinstance(self.expr(base), Var):
            # ``y[[1, 2]][0] = v``: NumPy writes into the copy advanced indexing made
            # (a view would have been refused above), which nothing holds: y is unchanged
            return
        self.assign(target.value, updated)  # first: ``buf["a"][1] = v`` reads ``buf``
        self.write_in_place(target, container, updated, root_name(target))

    def _item_writer(self, array: Var, index: Any, value: Any) -> Any:
        """``array`` with ``array[index] = value``: a window's where ``index`` is one
        proven (``windows``), NumPy's assignment otherwise."""
        written = window_written(self.low.counted, array, index, value)
        return P.setitem(array, index, value) if written is None else written

    def _assign_flat(self, target: gast.Subscript, array: Var, value: Any) -> None:
        """``y.flat[index] = v`` writes ``y`` (NumPy's flat iterator is no array of its
        own): its entries in row-major order set, then ``y`` is that, written."""
        check_subscript_write(self, target, array)
        flat = P.reshape(array, (-1,))
        written = apply_builder(self, target, P.setitem, [flat, self.expr(target.slice),
                                                          value], {}, "assignment")
        shape = array.aval.shape if array.aval.shape is not None else P.shape_of(array)
        updated = P.reshape(written, shape)
        self.assign(target.value.value, updated)
        self.write_in_place(target, array, updated, spelt(target.value.value))

    def write_in_place(self, node: gast.AST, old: Any, new: Any, name: str,
                       rebinds: bool = False) -> None:
        """``new`` replaces ``old`` by a write into its memory when ``old`` is an array
        (``acc += v``, ``acc[i] = v``): checked, and its other holders outdated. Where
        the name is ``rebinds`` instead (``x += v`` on an argument), its other holders
        are outdated all the same: NumPy would have changed them."""
        aliases = self.low.aliases
        if isinstance(new, Var | np.ndarray) and aliases.in_place(old):
            if not rebinds:
                check_owned(self, node, old)
            aliases.write(self, node, old, new, name)
            # (a value that may be a NumPy scalar, which the write rebinds, leaves its
            # holders outdated: reading them is refused; following it, an attribute got
            # the new value where the run rebinds a number, fuzz seed 721080)
            follows = not aliases.may_be_a_number(old)
            if follows:
                follow_write(self, node, old, new)
            if not rebinds and follows:
                containers_hold(self, old, new)
                if isinstance(old, np.ndarray) or (old.aval.ndim or 0) >= 1:
                    for other, value in self.env.items():  # ``b = acc; acc *= 2``: the
                        if value is old:  # very array, which NumPy shows written
                            self.env[other] = new
                if isinstance(old, Var) and old in self.params:  # a helper's argument,
                    self.low.written[old] = new  # the caller's array: its names see it
                    # (written in a branch: forgotten at its end, ``control._region``)

    def unpack(self, node: gast.AST, value: Any, targets: list[gast.expr]) -> list[Any]:
        """The values ``targets = value`` binds, one per target, as Python unpacks: a
        starred target takes a new list of what the others leave."""
        items = self.items_of(node, value)
        starred = [i for i, t in enumerate(targets) if isinstance(t, gast.Starred)]
        if not starred:
            if len(items) != len(targets):
                raise self.error(node, f"expected {len(targets)} values to unpack, got "
                                       f"{len(items)}")
            return list(items)
        at, after = starred[0], len(targets) - starred[0] - 1
        if len(items) < len(targets) - 1:
            raise self.error(node, f"expected at least {len(targets) - 1} values to unpack, "
                                   f"got {len(items)}")
        rest = self.low.new_list(list(items[at:len(items) - after]))
        return [*items[:at], rest, *items[len(items) - after:]]

    def items_of(self, node: gast.AST, value: Any) -> tuple:
        """What iterating ``value`` gives (for unpacking and ``*value``): a sequence's
        items, or an array's rows, as many as its first axis is long."""
        from .object_protocols import iterated  # (which imports this module)
        value = iterated(self, node, value)  # an object the function set: its __iter__
        if isinstance(value, Var):
            shape = value.aval.shape
            if shape is None:
                raise self.error(node, "unpacking a value whose length is known only when "
                                       "the code runs (the shape of a value selected by a "
                                       "mask or a slice with run-time bounds, or "
                                       "shape-generic code)",
                                 hint="index it explicitly (a, b = x[0], x[1])")
            if not shape:
                raise self.error(node, "cannot unpack a 0-d array (iteration over a 0-d "
                                       "array)", hint="unpack an array of one or more axes")
            return tuple(P.getitem(value, i) for i in range(shape[0]))
        try:
            return tuple(value)
        except TypeError:
            raise self.error(node, f"cannot unpack a {type(value).__name__}") from None

    # ------------------------------------------------------------------ expressions

    def expr(self, node: gast.expr) -> Any:
        handler = self.low.expressions.get(type(node))
        if handler is None:
            raise UnsupportedSyntaxError(
                f"{type(node).__name__} expressions are not supported yet", self.loc(node),
                hint="rewrite the expression with arithmetic, NumPy calls and names")
        value = handler(self, node)
        array = isinstance(value, np.ndarray) or (isinstance(value, Var) and not value.tensor)
        if self.low.aliases.stale and array and \
                isinstance(node, gast.Attribute | gast.Subscript | gast.Name):
            # an array read again from a global, an attribute or a container, after
            # ``r = self.a; r += v`` rebound ``r``: NumPy would show the new values (a
            # MindSpore Tensor's ``+=`` leaves ``self.a`` as it was)
            self.low.aliases.check(self, node, value, spelt(node))
        return value

    def name(self, node: gast.Name) -> Any:
        if node.id in self.env:
            value = self.env[node.id]
            if self.low.aliases.stale:
                self.low.aliases.check(self, node, value, node.id)
            return value
        if node.id in self.unbound:
            where, hint = self.unbound[node.id]
            raise self.error(node, f"'{node.id}' is {where}", hint=hint)
        if node.id in self.parsed.assigned_names:  # not the global of that name
            raise self.error(node, f"local variable '{node.id}' has no value here (Python "
                                   "raises UnboundLocalError)",
                             hint=f"assign '{node.id}' before reading it: a name the function "
                                  "assigns anywhere is local all through it")
        code = self.fn.__code__
        if node.id in code.co_freevars:
            cell = self.fn.__closure__[code.co_freevars.index(node.id)]
            try:
                value = cell.cell_contents
            except ValueError:
                raise self.error(node, f"free variable '{node.id}' has no value yet") from None
            return self.low.captures.free_value(Path.of_cell(cell, node.id), value)
        path = Path.of_global(self.fn.__globals__, node.id)
        value = path.resolve()
        if value is MISSING:
            raise self.error(node, f"name '{node.id}' is not defined",
                             hint="define it before the function is first called")
        return self.low.captures.free_value(path, value)

    def call(self, node: gast.Call, func: Any = NOT_RETURNED) -> Any:
        """``node`` called; ``func``, when given, is its callee already evaluated."""
        from .comprehensions import folded_items  # (imports this module)
        func = self.expr(node.func) if func is NOT_RETURNED else func
        if isinstance(func, np.ufunc) and any(kw.arg == "out" for kw in node.keywords):
            from .numpy_writes import written_by_ufunc  # (imports this module)
            return written_by_ufunc(self, node, func)
        args: list[Any] = []
        for i, a in enumerate(node.args):
            if isinstance(a, gast.Starred):
                args.extend(self.items_of(a, self.expr(a.value)))
            else:  # sum(v for v in x if v > 0): the first argument may filter at run time
                args.append(folded_items(self, a, func) if i == 0 else self.expr(a))
        kwargs = {}
        for kw in node.keywords:
            # name=value, or **options: a dict known when compiling
            mapping = {kw.arg: self.expr(kw.value)} if kw.arg else self.expr(kw.value)
            if not isinstance(mapping, dict) or not all(isinstance(k, str) for k in mapping):
                kind = "array" if isinstance(mapping, Var) else type(mapping).__name__
                raise self.error(kw.value, f"**{kind} in a call: only a dict with string keys "
                                           "can be unpacked",
                                 hint="pass a dict built while compiling, or name each "
                                      "argument")
            for key in mapping:
                if key in kwargs:
                    raise self.error(kw.value, f"got multiple values for keyword argument "
                                               f"'{key}'")
            kwargs.update(mapping)
        return call_value(self, node, func, args, kwargs)


def _unsupported_statement(scope: Scope, stmt: gast.stmt) -> UnsupportedSyntaxError:
    kind = type(stmt).__name__
    hints = {
        "Try": "let errors propagate, or check the condition before the operation",
        "Match": "a mapping pattern's **rest, a class pattern's positional sub-patterns "
                 "(but a built-in type's one, int(n)) and alternatives that capture names "
                 "are not supported: write those cases as if/elif",
        "Nonlocal": "return the new value instead of assigning an enclosing variable",
        "AsyncFunctionDef": "compile a plain (not async) function",
    }
    what = "a pattern of this 'match' statement is" if kind == "Match" else \
        f"'{kind.lower()}' statements are"  # (the others are branches: match_statements)
    return UnsupportedSyntaxError(f"{what} not supported yet", scope.loc(stmt),
                                  hint=hints.get(kind, "rewrite without it"))


def _is_integer(value: Any) -> bool:
    """One integer, known or computed (an index that picks, never a slice or a mask)."""
    if isinstance(value, Var):
        return value.aval.ndim == 0 and value.aval.dtype is not None \
            and value.aval.dtype.kind in "iu"
    return isinstance(value, int | np.integer) and not isinstance(value, bool)
