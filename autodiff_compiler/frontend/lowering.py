"""gast AST -> IR: names, SSA renaming, calls, Cells.

Lowering is a small partial evaluator. Every expression evaluates either to a
symbolic ``Var`` (a runtime value: the program gets an equation) or to a plain
Python value known while compiling (a module, a function, an axis, a shape, a
Cell). Rebinding a name simply points it at a new ``Var``, which is SSA renaming.
Calls to user functions, Cells and this package's own library functions are
compiled from their source and inlined; recursion is refused until calls get their
own forward/backward pair. Branches on values known when compiling are resolved
here; data-dependent control flow raises a located ``UnsupportedSyntaxError``.
"""
from __future__ import annotations

import inspect
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import gast

from .. import trees
from ..errors import AutodiffError, Loc, UnsupportedSyntaxError, internal_errors_at
from ..ir import primitives as P
from ..ir.builder import Builder, as_atom, building
from ..ir.builder import current as current_builder
from ..ir.core import Aval, Callee, Eqn, Function, Var
from .aliasing import Aliases, check_owned, check_subscript_write, root_name
from .calls import apply_builder, call_value, has_var
from .captures import MISSING, Captures, Path
from .cells import is_cell
from .source import ParsedFunction, definition_loc, parse_function

NOT_RETURNED = object()
# Handlers of statements and expressions by node type, filled by lowering_syntax and
# lowering_control: Scope.block and Scope.expr dispatch through them.
STATEMENTS: dict[type, Callable[[Scope, Any], Any]] = {}
EXPRESSIONS: dict[type, Callable[[Scope, Any], Any]] = {}
JUMPED = object()  # a block ended at `break`/`continue`: the rest of its loop body is skipped


class Lowering:
    """State shared by every function inlined into one compilation."""

    def __init__(self) -> None:
        self.captures = Captures()
        self.active_calls: list[types.CodeType] = []
        self.lists: list[list] = []  # built by the function itself: it may change them
        self.callees: dict[tuple, Callee] = {}  # recursive functions, compiled on their own
        self.aliases = Aliases()  # memory shared by values, and in-place writes

    @property
    def builder(self) -> Builder:
        """Where equations go now: the function's body or the region being lowered."""
        return current_builder()

    @property
    def own_lists(self) -> set[int]:
        return {id(lst) for lst in self.lists}

    def new_list(self, items: list[Any]) -> list[Any]:
        self.lists.append(items)
        return items

    def copy_containers(self, env: dict[str, Any]) -> dict[str, Any]:
        """``env`` with the lists and dicts the function built copied (nested ones too,
        two names of one list still sharing its copy), the copies the function's own."""
        own, copies = self.own_lists, {}

        def copy(value: Any) -> Any:
            if isinstance(value, list | dict) and id(value) in own:
                if id(value) not in copies:
                    new: Any = [] if isinstance(value, list) else {}
                    copies[id(value)] = self.new_list(new)
                    items = value.items() if isinstance(value, dict) else enumerate(value)
                    for key, item in items:
                        if isinstance(new, list):
                            new.append(copy(item))
                        else:
                            new[key] = copy(item)
                return copies[id(value)]
            if type(value) is tuple:
                return tuple(copy(v) for v in value)
            return value

        return {name: copy(value) for name, value in env.items()}

    def call_function(self, fn: types.FunctionType, args: tuple, kwargs: dict, loc: Loc | None,
                      self_obj: Any = None) -> Any:
        """Inline a Python function compiled from its own source."""
        parsed = parse_function(fn)
        bound_args = (self_obj, *args) if self_obj is not None else args
        library = fn.__module__.startswith("autodiff_compiler.")
        scope = Scope(self, fn, parsed, call_loc=loc if library else None)
        signature = inspect.signature(fn)
        frame = _frame(fn.__code__, signature, bound_args, kwargs)
        if frame is not None and frame in self.active_calls:
            return self.recursive_call(frame, fn, signature, bound_args, kwargs, loc)
        return self._inline(scope, frame or fn.__code__, signature, fn.__qualname__,
                            bound_args, kwargs, loc)

    def recursive_call(self, frame: tuple, fn: types.FunctionType,
                       signature: inspect.Signature, args: tuple, kwargs: dict,
                       loc: Loc | None) -> Any:
        """A call that recurses with the same compile-time arguments cannot be unrolled:
        it becomes a ``call`` of the function compiled once, on its own (DESIGN 5)."""
        callee = self.callees.get(frame)
        if callee is None:
            callee = self.callees[frame] = _compile_callee(self, frame, fn, signature, args,
                                                           kwargs, loc)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        dynamic = [as_atom(v) for v in bound.arguments.values() if isinstance(v, Var)]
        n_out = len(trees.flatten(callee.skeleton, lambda v: v is trees.LEAF)[0])
        outs = [Var(Aval(), f"{fn.__name__}_out") for _ in range(n_out)]
        self.builder.eqns.append(Eqn(tuple(outs), P.call, tuple(dynamic), {"callee": callee},
                                     self.builder.loc))
        return trees.unflatten(callee.skeleton, outs)

    def call_local(self, local: LocalFunction, args: tuple, kwargs: dict,
                   loc: Loc | None, caller: Scope | None = None) -> Any:
        """Inline a ``def`` or ``lambda`` written inside the function being compiled; it
        sees the names of the scope that defined it as they are when it is called, as a
        closure does (called in a loop or branch of that function, the names as they are
        there: ``g = lambda u: u + x`` reads the ``x`` the loop has reached)."""
        outer = local.scope
        here = caller is not None and caller.fn is outer.fn and caller.parsed is outer.parsed
        scope = Scope(self, outer.fn, replace(outer.parsed, node=local.node), outer.call_loc)
        scope.env = dict((caller if here else outer).env)
        return self._inline(scope, local.node, local.signature, local.name, args, kwargs, loc)

    def _inline(self, scope: Scope, key: Any, signature: inspect.Signature, name: str,
                args: tuple, kwargs: dict, loc: Loc | None) -> Any:
        code = key[0] if isinstance(key, tuple) else key
        depth = sum(1 for k in self.active_calls if (k[0] if isinstance(k, tuple) else k) is code)
        if depth >= MAX_RECURSION:
            raise UnsupportedSyntaxError(
                f"'{name}' recursed {MAX_RECURSION} levels deep while compiling", loc,
                hint="a recursion whose int arguments change at every level is unrolled while "
                     "compiling, so it must reach its base case then (an int that counts down)")
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as err:
            raise AutodiffError(f"bad call to '{name}': {err}", loc) from None
        bound.apply_defaults()
        for param, value in bound.arguments.items():
            if isinstance(value, Var) and not value.hint:
                value.hint = param
            scope.env[param] = value
            scope.params.update(trees.flatten(value, lambda v: isinstance(v, Var))[0])
        self.active_calls.append(key)
        try:
            return scope.run()
        finally:
            self.active_calls.pop()

    def call_entry(self, fn: Any, args: list[Any]) -> Any:
        """Lower the call ``fn(*args)`` that a compilation starts from (``args``: one
        per parameter, keyword-only ones last, as ``split_arguments`` reads them)."""
        if is_cell(fn):
            self.captures.paths[id(fn)] = Path.of_object(fn, type(fn).__name__.lower())
            target = type(fn).construct
            positional, keywords = split_arguments(inspect.signature(target), args, skip=1)
            return self.call_function(target, positional, keywords, None, self_obj=fn)
        if hasattr(fn, "__lower_call__"):
            return fn.__lower_call__(self, list(args), {}, None)
        if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
            self.captures.paths.setdefault(id(fn.__self__), Path.of_object(fn.__self__, "self"))
            positional, keywords = split_arguments(inspect.signature(fn), args)
            return self.call_function(fn.__func__, positional, keywords, None,
                                      self_obj=fn.__self__)
        if isinstance(fn, types.FunctionType):
            return self.call_function(fn, *split_arguments(inspect.signature(fn), args), None)
        raise AutodiffError(f"cannot compile {fn!r}: not a Python function or Cell",
                            hint="differentiate a def, a lambda, a method or a Cell")


def split_arguments(signature: inspect.Signature, args: Sequence[Any],
                    skip: int = 0) -> tuple[tuple, dict[str, Any]]:
    """A gradient's arguments (one per parameter, in order, as ``GradFunction`` passes
    them) as positional and keyword arguments: keyword-only parameters by name.
    ``skip`` leaves out leading parameters (a method's ``self``)."""
    params = list(signature.parameters.values())[skip:]
    keyword_only = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
    if not keyword_only or any(p.kind is p.VAR_POSITIONAL for p in params):
        return tuple(args), {}
    n = len(args) - len(keyword_only)
    return tuple(args[:n]), dict(zip(keyword_only, args[n:]))


MAX_RECURSION = 64


def _frame(code: types.CodeType, signature: inspect.Signature, args: tuple,
           kwargs: dict) -> tuple | None:
    """A call's identity for recursion: the code and its compile-time arguments."""
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError:
        return None
    bound.apply_defaults()
    static = []
    for name, value in bound.arguments.items():
        if isinstance(value, Var):
            continue
        if isinstance(value, list | tuple | dict) and has_var(value):
            return None  # containers of run-time values: recursion unrolls
        try:
            hash(value)
        except TypeError:
            value = id(value)
        static.append((name, value))
    return (code, tuple(static))


def _compile_callee(low: Lowering, frame: tuple, fn: types.FunctionType,
                    signature: inspect.Signature, args: tuple, kwargs: dict,
                    loc: Loc | None) -> Callee:
    bound = signature.bind(*args, **kwargs)
    bound.apply_defaults()
    callee = Callee(fn.__name__)
    low.callees[frame] = callee
    callee.skeleton = trees.LEAF  # a guess for calls met inside its own body
    for _ in range(2):
        scope = Scope(low, fn, parse_function(fn))
        invars = []
        for name, value in bound.arguments.items():
            if isinstance(value, Var):
                value = Var(Aval(), name)  # shape-generic: each level may see other shapes
                invars.append(value)
            scope.env[name] = value
        with building(loc) as b:
            low.active_calls.append(frame)
            try:
                result = scope.run()
            finally:
                low.active_calls.pop()
        leaves, skeleton = trees.flatten(result, lambda v: isinstance(v, Var))
        settled = repr(skeleton) == repr(callee.skeleton)
        callee.skeleton = skeleton
        if settled:
            break
    callee.define(Function(fn.__name__, tuple(invars), tuple(b.eqns),
                           tuple(as_atom(v) for v in leaves), definition_loc(fn)))
    return callee

@dataclass
class LocalFunction:
    """A ``def`` or ``lambda`` inside the function being compiled, with the scope that
    defined it (its closure) and its signature (defaults evaluated when defined)."""

    node: gast.FunctionDef | gast.Lambda
    scope: Scope
    signature: inspect.Signature
    name: str


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

    def fork(self) -> Scope:
        """A scope for a region body: same function, its own copy of the names and of
        the lists and dicts the function built (what one branch appends is its own)."""
        child = Scope(self.low, self.fn, self.parsed, self.call_loc)
        child.env, child.in_loop, child.loop_kind = dict(self.env), self.in_loop, self.loop_kind
        child.env = self.low.copy_containers(child.env)
        child.params, child.reaches_end = self.params, False
        return child

    def loc(self, node: gast.AST) -> Loc:
        return self.call_loc or self.parsed.loc(node)

    def error(self, node: gast.AST, message: str, hint: str | None = None) -> AutodiffError:
        return AutodiffError(message, self.loc(node), hint)

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
        return LocalFunction(node, self, inspect.Signature(params), name)

    def run(self) -> Any:
        node = self.parsed.node
        if isinstance(node, gast.Lambda):
            with self.low.builder.at(self.loc(node.body)):
                return self.expr(node.body)
        result = self.block(node.body)
        return None if result is NOT_RETURNED else result

    # ------------------------------------------------------------------ statements

    def block(self, body: list[gast.stmt]) -> Any:
        """Lower statements in order; the returned value, or ``NOT_RETURNED``."""
        outer = self.continuation
        try:
            for i, stmt in enumerate(body):
                handler = STATEMENTS.get(type(stmt))
                if handler is None:
                    raise _unsupported_statement(self, stmt)
                self.continuation = (body[i + 1:], *outer)
                with self.low.builder.at(self.loc(stmt)), internal_errors_at(self.loc(stmt)):
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
        elif isinstance(target, gast.Tuple | gast.List):
            values = self.unpack(target, value, len(target.elts))
            for elt, item in zip(target.elts, values):
                self.assign(elt, item)
        elif isinstance(target, gast.Subscript):
            self.assign_item(target, value)
        else:
            raise UnsupportedSyntaxError(
                f"assignment to {type(target).__name__.lower()} targets is not supported yet",
                self.loc(target), hint="assign to a plain name")

    def assign_item(self, target: gast.Subscript, value: Any) -> None:
        """``y[index] = v``: an array gets a new value, ``setitem(y, index, v)``, bound to
        the same name (the caller's array is never written); a list or dict the function
        built is updated while compiling."""
        container = self.expr(target.value)
        index = self.expr(target.slice)
        if isinstance(container, list | dict) and id(container) in self.low.own_lists:
            if has_var(index):
                raise self.error(target, "indexing a Python list with a run-time value",
                                 hint="index with values known when compiling")
            container[index] = value
            return
        if not isinstance(container, Var):
            raise self.error(target, f"cannot assign into a {type(container).__name__} the "
                                     "function did not create",
                             hint="build a new value instead of changing one passed in")
        check_subscript_write(self, target, container)
        updated = apply_builder(self, target, P.setitem, [container, index, value], {},
                                "assignment")
        self.write_in_place(target, container, updated, root_name(target))
        self.assign(target.value, updated)

    def write_in_place(self, node: gast.AST, old: Any, new: Any, name: str,
                       rebinds: bool = False) -> None:
        """``new`` replaces ``old`` by a write into its memory when ``old`` is an array
        (``acc += v``, ``acc[i] = v``): checked, and its other holders outdated. Where
        the name is ``rebinds`` instead (``x += v`` on an argument), its other holders
        are outdated all the same: NumPy would have changed them."""
        aliases = self.low.aliases
        if isinstance(new, Var) and aliases.in_place(old):
            if not rebinds:
                check_owned(self, node, old)
            aliases.write(self, node, old, new, name)

    def unpack(self, node: gast.AST, value: Any, n: int) -> tuple:
        if isinstance(value, Var):
            raise self.error(node, "cannot unpack an array into names",
                             hint="index the array explicitly (a, b = x[0], x[1])")
        try:
            items = tuple(value)
        except TypeError:
            raise self.error(node, f"cannot unpack a {type(value).__name__}") from None
        if len(items) != n:
            raise self.error(node, f"expected {n} values to unpack, got {len(items)}")
        return items

    # ------------------------------------------------------------------ expressions

    def expr(self, node: gast.expr) -> Any:
        handler = EXPRESSIONS.get(type(node))
        if handler is None:
            raise UnsupportedSyntaxError(
                f"{type(node).__name__} expressions are not supported yet", self.loc(node),
                hint="rewrite the expression with arithmetic, NumPy calls and names")
        return handler(self, node)

    def name(self, node: gast.Name) -> Any:
        if node.id in self.env:
            value = self.env[node.id]
            if self.low.aliases.stale:
                self.low.aliases.check(self, node, value, node.id)
            return value
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

    def call(self, node: gast.Call) -> Any:
        func = self.expr(node.func)
        args: list[Any] = []
        for a in node.args:
            if isinstance(a, gast.Starred):
                args.extend(self.unpack(a, self.expr(a.value), len(self.expr(a.value))))
            else:
                args.append(self.expr(a))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise UnsupportedSyntaxError("**kwargs in calls is not supported yet", self.loc(kw))
            kwargs[kw.arg] = self.expr(kw.value)
        return call_value(self, node, func, args, kwargs)


def _unsupported_statement(scope: Scope, stmt: gast.stmt) -> UnsupportedSyntaxError:
    kind = type(stmt).__name__
    hints = {
        "Try": "let errors propagate, or check the condition before the operation",
        "With": "open resources outside the differentiated function",
        "Global": "return the new value instead of assigning a global",
        "Nonlocal": "return the new value instead of assigning an enclosing variable",
        "AsyncFunctionDef": "compile a plain (not async) function",
    }
    return UnsupportedSyntaxError(f"'{kind.lower()}' statements are not supported yet",
                                  scope.loc(stmt), hint=hints.get(kind, "rewrite without it"))




from . import control as _control  # noqa: E402,F401  (registers its handlers)
from . import syntax as _syntax  # noqa: E402,F401  (registers its handlers)
