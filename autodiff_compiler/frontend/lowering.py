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

import functools
import inspect
import sysconfig
import types
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from .. import trees
from ..errors import AutodiffError, Loc, UnsupportedSyntaxError
from ..ir import primitives as P
from ..ir.builder import Builder, as_atom, building
from ..ir.builder import current as current_builder
from ..ir.core import Aval, Callee, Eqn, Function, Var
from . import (
    augmented,
    bindings,
    boolops,
    comprehensions,
    control,
    exceptions,
    loops,
    nonlocals,
    syntax,
    text,
    unrolled,
)
from .aliasing import Aliases
from .calls import has_var, partial_args
from .captures import Captures, Path
from .cells import is_cell, lower_cell_call
from .scope import LocalFunction, Scope
from .source import UnreadableSourceError, code_signature, definition_loc, parse_function


class Lowering:
    """State shared by every function inlined into one compilation."""

    # The handlers of statements and expressions by node type, from the modules that
    # lower each kind of syntax: Scope.block and Scope.expr dispatch through them.
    statements: dict[type, Callable[[Scope, Any], Any]] = {
        **syntax.STATEMENTS, **control.STATEMENTS, **loops.STATEMENTS, **unrolled.STATEMENTS,
        **bindings.STATEMENTS, **augmented.STATEMENTS, **nonlocals.STATEMENTS,
        **exceptions.STATEMENTS}
    expressions: dict[type, Callable[[Scope, Any], Any]] = {
        **syntax.EXPRESSIONS, **control.EXPRESSIONS, **boolops.EXPRESSIONS,
        **comprehensions.EXPRESSIONS, **text.EXPRESSIONS}

    def __init__(self) -> None:
        self.captures = Captures()
        self.active_calls: list[types.CodeType] = []
        self.lists: list[list] = []  # built by the function itself: it may change them
        self.copy_origin: dict[int, Any] = {}  # a region's copy of one of them -> it
        self.callees: dict[tuple, Callee] = {}  # recursive functions, compiled on their own
        self.aliases = Aliases()  # memory shared by values, and in-place writes
        # arrays an effect wrote into (``ops.assign``): the value each holds now; and
        # for each such value, the array it is held in (which a later write writes)
        self.written: dict[Var, Var] = {}
        # ``obj.name = value`` so far, by ``(id(obj), name)``: ``(obj, value)``
        # (``attribute_writes``)
        self.attributes: dict[tuple[int, str], tuple[Any, Any]] = {}
        self.made_objects: list[Any] = []  # of the user's classes, made inside (local_objects)
        self.memory: dict[Var, Var] = {}
        self.in_library = False  # lowering a function of an installed library
        # the counters of loops whose step count is known, and that count (``windows``)
        self.counted: dict[Var, int] = {}

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
        two names of one list still sharing its copy), the copies the function's own;
        and so are those the attributes it set hold (``attribute_writes``)."""
        own, copies = self.own_lists, {}

        def copy(value: Any) -> Any:
            if isinstance(value, list | dict) and id(value) in own:
                if id(value) not in copies:
                    new: Any = [] if isinstance(value, list) else {}
                    copies[id(value)] = self.new_list(new)
                    self.copy_origin[id(new)] = value  # (``container_identity``)
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

        copied = {name: copy(value) for name, value in env.items()}
        # what attributes hold too, sharing the copies (``self.items = items``)
        self.attributes = {key: (obj, copy(value)) for key, (obj, value)
                           in self.attributes.items()}
        return copied

    def call_function(self, fn: types.FunctionType, args: tuple, kwargs: dict, loc: Loc | None,
                      self_obj: Any = None) -> Any:
        """Inline a Python function compiled from its own source."""
        try:
            parsed = parse_function(fn)
        except UnreadableSourceError as err:
            raise _unreadable_callee(err, fn, loc) from None
        bound_args = (self_obj, *args) if self_obj is not None else args
        library = (fn.__module__ or "").startswith("autodiff_compiler.")  # (None: exec'd)
        scope = Scope(self, fn, parsed, call_loc=loc if library else None)
        signature = code_signature(fn)
        frame = _frame(fn, signature, bound_args, kwargs)
        if frame is not None and frame in self.active_calls:
            return self.recursive_call(frame, fn, signature, bound_args, kwargs, loc)
        if library or loc is None or self.in_library or not _installed(fn):
            return self._inline(scope, frame or fn.__code__, signature, fn.__qualname__,
                                bound_args, kwargs, loc)
        self.in_library = True  # the user's call of an installed library's function
        try:
            return self._inline(scope, frame or fn.__code__, signature, fn.__qualname__,
                                bound_args, kwargs, loc)
        except AutodiffError as err:
            if "internal compiler error" in err.message:
                raise
            raise _refused_library_call(fn, err, loc) from None
        finally:
            self.in_library = False

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
        scope.env.update((name, cell["value"]) for name, cell in local.cells.items()
                         if "value" in cell)  # a comprehension's variable, late bound
        scope.in_local_call = True
        declared = nonlocals.declared(local.node)
        if declared:
            nonlocals.check(scope, local.node, declared, here)
        before = dict(scope.env)
        result = self._inline(scope, local.node, local.signature, local.name, args, kwargs,
                              loc)
        nonlocals.write_back(scope, before, caller if here else None, local, loc)
        return result

    def _inline(self, scope: Scope, key: Any, signature: inspect.Signature, name: str,
                args: tuple, kwargs: dict, loc: Loc | None) -> Any:
        code = key[0] if isinstance(key, tuple) else key
        depth = sum(1 for k in self.active_calls if (k[0] if isinstance(k, tuple) else k) is code)
        if depth >= MAX_RECURSION:
            raise UnsupportedSyntaxError(
                f"'{name}' recursed {MAX_RECURSION} levels deep while compiling", loc,
                hint=f"a recursion on ints known when compiling is unrolled then, at most "
                     f"{MAX_RECURSION} levels deep: write a deeper one as a loop "
                     "(for _ in range(n)), or make it end on a run-time value")
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as err:
            raise AutodiffError(f"bad call to '{name}': {err}", loc,
                                hint=f"its parameters are {name}{signature}") from None
        bound.apply_defaults()
        for param, value in bound.arguments.items():
            if isinstance(value, Var) and not value.hint:
                value.hint = param
            scope.env[param] = value
            passed = trees.flatten(value, lambda v: isinstance(v, Var))[0]
            scope.params.update(passed)
            if not self.active_calls:  # the compiled function's own arguments
                self.aliases.inputs.update(passed)
        self.active_calls.append(key)
        try:
            return scope.run()
        finally:
            self.active_calls.pop()

    def call_entry(self, fn: Any, args: list[Any]) -> Any:
        """Lower the call ``fn(*args)`` that a compilation starts from (``args``: one
        per parameter, keyword-only ones last, as ``split_arguments`` reads them)."""
        if is_cell(fn):
            signature, skip = code_signature(type(fn).construct), 1
        elif hasattr(fn, "__lower_call__") and not hasattr(fn, "__signature__"):
            return fn.__lower_call__(self, list(args), {}, None)  # (binds them itself)
        else:
            signature, skip = code_signature(fn), 0
        return self.call_callable(fn, *split_arguments(signature, args, skip))

    def call_callable(self, fn: Any, positional: tuple, keywords: dict) -> Any:
        """Lower ``fn(*positional, **keywords)`` of a callable a compilation starts
        from, or that a partial of it holds."""
        if is_cell(fn):
            self.captures.name(fn, Path.of_object(fn, type(fn).__name__.lower()), again=True)
            return lower_cell_call(self, fn, positional, keywords, None)
        if hasattr(fn, "__lower_call__"):
            return fn.__lower_call__(self, list(positional), keywords, None)
        if isinstance(fn, types.MethodType) and isinstance(fn.__func__, types.FunctionType):
            self.captures.name(fn.__self__, Path.of_object(fn.__self__, "self"))
            return self.call_function(fn.__func__, positional, keywords, None,
                                      self_obj=fn.__self__)
        if isinstance(fn, types.FunctionType):
            return self.call_function(fn, positional, keywords, None)
        call = inspect.getattr_static(type(fn), "__call__", None)
        if isinstance(call, types.FunctionType):  # an instance of the user's class
            self.captures.name(fn, Path.of_object(fn, "self"))
            return self.call_function(call, positional, keywords, None, self_obj=fn)
        if isinstance(fn, functools.partial):
            # Its keywords that are parameters of the partial came in the call, as
            # defaults (read at every call); those a ``**kwargs`` (or a Cell's
            # ``*args, **kwargs``) takes are read from the partial.
            parameters = code_signature(fn).parameters
            held, absorbed = partial_args(fn, self, [k for k in fn.keywords
                                                     if k not in parameters])
            return self.call_callable(fn.func, (*held, *positional), {**absorbed, **keywords})
        if isinstance(fn, LocalFunction):  # jvp(lambda ...) inside compiled code
            raise AutodiffError(f"'{fn.name}' is a function defined inside the function being "
                                "compiled: this transform takes functions defined on their own",
                                hint="define it at module level (grad, value_and_grad and vmap "
                                     "take such a function)")
        raise AutodiffError(f"cannot compile {fn!r}: not a Python function or Cell",
                            hint="differentiate a def, a lambda, a method or a Cell")


# Where installed libraries live (site-packages, Python's own modules): their functions
# are compiled from source like the user's, but what fails in them is the call's error.
_LIBRARY_DIRS = tuple(sorted({sysconfig.get_paths()[key]
                              for key in ("stdlib", "platstdlib", "purelib", "platlib")}))


def _installed(fn: types.FunctionType) -> bool:
    return fn.__code__.co_filename.startswith(_LIBRARY_DIRS)


def _refused_library_call(fn: types.FunctionType, err: AutodiffError,
                          loc: Loc) -> AutodiffError:
    """What failed inside an installed library's function, reported at the user's call
    of it: the user can register a rule for that function, not fix the library."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    where = f" (at {err.loc})" if err.loc is not None else ""
    return AutodiffError(f"{name}, compiled from its source, cannot be differentiated: "
                         f"{err.message}{where}", loc,
                         hint=f"register a derivative rule for {fn.__qualname__} "
                              "(autodiff_compiler.extend: defprimitive, then defvjp), or wrap "
                              "the call in ops.stop_gradient(...) if no gradient needs to flow "
                              "through it")


def split_arguments(signature: inspect.Signature, args: Sequence[Any],
                    skip: int = 0) -> tuple[tuple, dict[str, Any]]:
    """A gradient's arguments (one per parameter in order, those ``*args`` gathers in
    its place, keyword-only ones last, as ``GradFunction`` passes them) as positional
    and keyword arguments: keyword-only parameters by name. ``skip`` leaves out
    leading parameters (a method's ``self``)."""
    params = list(signature.parameters.values())[skip:]
    keyword_only = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
    if not keyword_only:
        return tuple(args), {}
    n = len(args) - len(keyword_only)
    return tuple(args[:n]), dict(zip(keyword_only, args[n:]))


def flat_arguments(bound: inspect.BoundArguments) -> tuple[list, str | None, dict]:
    """A call's arguments one per parameter, the values ``*args`` gathers in its place
    and keyword-only ones last (what ``split_arguments`` reads); and the name of
    ``**kwargs`` with what it gathers (which has no place among them)."""
    flat: list = []
    gathered: tuple[str | None, dict] = (None, {})
    for name, value in bound.arguments.items():
        kind = bound.signature.parameters[name].kind
        if kind is inspect.Parameter.VAR_POSITIONAL:
            flat.extend(value)
        elif kind is inspect.Parameter.VAR_KEYWORD:
            gathered = (name, value)
        else:
            flat.append(value)
    return flat, *gathered


MAX_RECURSION = 256


def _frame(fn: types.FunctionType, signature: inspect.Signature, args: tuple,
           kwargs: dict) -> tuple | None:
    """A call's identity for recursion: the code, its compile-time arguments and the
    closure's cells. Closures a factory made (``make(make(None, 2.0), 3.0)``, ``compose``
    nested) share their code but not their cells, which hold other values: one calling
    another is not a recursion (a recursive ``def`` reaches itself through the same cell,
    or through a global)."""
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
    return (fn.__code__, tuple(static), tuple(map(id, fn.__closure__ or ())))


def _unreadable_callee(err: AutodiffError, fn: types.FunctionType, loc: Loc | None
                       ) -> AutodiffError:
    """``err`` at the line that calls ``fn`` (its own place is no line of the user's: a
    frozen module's ``<frozen _collections_abc>:771`` for ``os.environ.get``)."""
    if loc is None:
        return err
    frozen = fn.__code__.co_filename.startswith("<")
    return AutodiffError(
        f"{err.message}, which this line calls", loc,
        hint="compute the value outside the differentiated function and pass it in, or "
             "read it into a module-level constant" if frozen else err.hint)


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
                scope.params.add(value)  # compiled apart: a write into it cannot reach
                low.aliases.inputs.add(value)  # the caller's array, and is refused
            scope.env[name] = value
        with building(loc) as b:
            low.active_calls.append(frame)
            try:
                result = scope.run()
            finally:
                low.active_calls.pop()
        leaves, skeleton = trees.flatten(result, lambda v: isinstance(v, Var))
        settled = trees.same_structure(skeleton, callee.skeleton)
        callee.skeleton = skeleton
        if settled:
            break
    callee.define(Function(fn.__name__, tuple(invars), tuple(b.eqns),
                           tuple(as_atom(v) for v in leaves), definition_loc(fn)))
    return callee
