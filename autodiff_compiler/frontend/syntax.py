"""Lowering of Python's straight-line syntax: assignments, returns, expressions.

Each handler takes the scope and one gast node; statements return ``NOT_RETURNED``
or the function's result, expressions return a ``Var`` or a Python value known while
compiling. The tables at the end (``STATEMENTS``, ``EXPRESSIONS``) are collected by
``Lowering``; control flow is in ``control``, ``loops`` and ``unrolled``.
"""
from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..errors import UnsupportedSyntaxError
from ..ir import primitives as P
from ..ir import surface
from ..ir.core import Var
from ..ir.primitives.coercion import asarray, holds_var
from . import index_tricks
from .aliasing import check_subscript_write, is_callers, root_name
from .calls import BoundArrayMethod, apply_builder, has_var, runs_for_effect
from .scope import NOT_RETURNED, Scope

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
    gast.Div: operator.truediv, gast.Pow: operator.pow, gast.MatMult: operator.matmul,
    gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod, gast.BitAnd: operator.and_,
    gast.BitOr: operator.or_, gast.BitXor: operator.xor,
}
_CMPOPS: dict[type, Callable[[Any, Any], Any]] = {
    gast.Lt: operator.lt, gast.LtE: operator.le, gast.Gt: operator.gt, gast.GtE: operator.ge,
    gast.Eq: operator.eq, gast.NotEq: operator.ne, gast.Is: operator.is_,
    gast.IsNot: operator.is_not, gast.In: lambda a, b: a in b,
    gast.NotIn: lambda a, b: a not in b,
}
_SYMBOLIC_CMP = {gast.Lt: P.less, gast.LtE: P.less_equal, gast.Gt: P.greater,
                 gast.GtE: P.greater_equal, gast.Eq: P.equal, gast.NotEq: P.not_equal}

# ---------------------------------------------------------------------------- statements


def _stmt_assign(scope: Scope, node: gast.Assign) -> Any:
    value = scope.expr(node.value)
    for target in node.targets:
        scope.assign(target, value)
    return NOT_RETURNED


def _stmt_annassign(scope: Scope, node: gast.AnnAssign) -> Any:
    if node.value is not None:
        scope.assign(node.target, scope.expr(node.value))
    return NOT_RETURNED


def _stmt_augassign(scope: Scope, node: gast.AugAssign) -> Any:
    """``x += v`` and ``y[index] += v``: computed, then assigned (NumPy's buffered
    semantics: a repeated index adds once, as ``y[[0, 0]] += 1`` does)."""
    if not isinstance(node.target, gast.Name | gast.Subscript):
        raise UnsupportedSyntaxError("augmented assignment to attributes is not supported",
                                     scope.loc(node), hint="compute a new value and return it")
    load = _as_load(node.target)
    old = scope.expr(load)
    value = _binop(scope, node, node.op, old, scope.expr(node.value))
    if isinstance(value, Var) and isinstance(node.target, gast.Name):
        rebinds = is_callers(scope, old)  # never written into: rebound, as in MindSpore
        if scope.low.aliases.in_place(old) and not rebinds:  # written: it keeps its kind
            value = _stored(scope, node, old, value)
        value.hint = node.target.id
        scope.write_in_place(node, old, value, node.target.id, rebinds)
    scope.assign(node.target, value)
    return NOT_RETURNED


def _stored(scope: Scope, node: gast.AugAssign, old: Var, value: Var) -> Var:
    """What ``acc += v`` leaves in the array ``acc``: NumPy writes the result into it, so
    the shape stays (a larger result raises) and the dtype too (cast as ``same_kind``)."""
    name = node.target.id
    if None not in (old.aval.shape, value.aval.shape) and old.aval.shape != value.aval.shape:
        raise scope.error(node, f"the result has shape {value.aval.shape}, which NumPy cannot "
                                f"write into '{name}' of shape {old.aval.shape}",
                          hint=f"write {name} = {name} {_OPS.get(type(node.op), 'op')} ... "
                               "for a new array of the broadcast shape")
    have, want = value.aval.dtype, old.aval.dtype
    if have is None or want is None or have == want:
        return value
    if not np.can_cast(have, want, "same_kind"):
        raise scope.error(node, f"the result is {have}, which NumPy cannot write into "
                                f"'{name}' of dtype {want} (casting rule 'same_kind')",
                          hint=f"convert '{name}' first, e.g. {name} = {name}.astype({have})")
    return P.astype(value, want)


_OPS = {gast.Add: "+", gast.Sub: "-", gast.Mult: "*", gast.Div: "/", gast.Pow: "**",
        gast.FloorDiv: "//", gast.Mod: "%", gast.MatMult: "@"}


def _as_load(target: gast.expr) -> gast.expr:
    """The same target, read instead of written."""
    if isinstance(target, gast.Name):
        node = gast.Name(target.id, gast.Load(), None, None)
    elif isinstance(target, gast.Subscript):
        node = gast.Subscript(_as_load(target.value), target.slice, gast.Load())
    else:
        return target
    return gast.copy_location(node, target)


def _stmt_return(scope: Scope, node: gast.Return) -> Any:
    if scope.loop_kind == "structured":
        from .loops import stmt_return_in_loop
        return stmt_return_in_loop(scope, node)
    return None if node.value is None else scope.expr(node.value)


_LIST_METHODS = frozenset(["append", "extend", "insert", "pop", "remove", "clear", "reverse"])


def _stmt_expr(scope: Scope, node: gast.Expr) -> Any:
    if isinstance(node.value, gast.Constant):  # a docstring or a bare literal
        return NOT_RETURNED
    call = node.value
    if isinstance(call, gast.Call) and not (isinstance(call.func, gast.Attribute)
                                            and call.func.attr in _LIST_METHODS):
        func = scope.expr(call.func)
        if runs_for_effect(func):  # print, ops.assign, code compiled from its source
            scope.call(call, func)
            return NOT_RETURNED
        if _is_ufunc_at(func):
            return _stmt_ufunc_at(scope, call, func.__self__)
    if isinstance(call, gast.Call) and isinstance(call.func, gast.Attribute) \
            and call.func.attr in _LIST_METHODS:
        target = scope.expr(call.func.value)
        if isinstance(target, list) and id(target) in scope.low.own_lists:
            args = [scope.expr(a) for a in call.args]  # a list this function built:
            getattr(target, call.func.attr)(*args)     # update it while compiling
            return NOT_RETURNED
        if isinstance(target, list):
            raise scope.error(node, "changing a list the function did not create",
                              hint="build a new list (ys = xs + [y]) instead of mutating one "
                                   "passed in or global")
    raise UnsupportedSyntaxError(
        "expression statements (calls for their side effects) are not supported yet",
        scope.loc(node), hint="remove the call, or assign its result and use it")


def _is_ufunc_at(func: Any) -> bool:
    return getattr(func, "__name__", None) == "at" and \
        isinstance(getattr(func, "__self__", None), np.ufunc)


def _stmt_ufunc_at(scope: Scope, call: gast.Call, ufunc: np.ufunc) -> Any:
    """``np.add.at(y, index, v)`` (and ``np.subtract.at``): ``v`` added into ``y`` at
    ``index``, a repeated index adding each time (the ``index_add`` primitive, whose
    adjoint is indexing). Written into ``y`` as ``y[index] += v`` is: an array the
    function made itself, the caller's never."""
    if ufunc not in (np.add, np.subtract) or call.keywords or len(call.args) != 3:
        raise scope.error(call, f"np.{ufunc.__name__}.at(...) is not supported yet",
                          hint="np.add.at(a, indices, b) and np.subtract.at(a, indices, b) "
                               "are; or build the result with np.where or indexing")
    target = call.args[0]
    array, index, values = (scope.expr(a) for a in call.args)
    if not isinstance(target, gast.Name | gast.Subscript) or not isinstance(array, Var):
        raise scope.error(call, f"np.{ufunc.__name__}.at into something other than an array "
                                "the function made and named",
                          hint="copy it first (y = np.zeros(...) or y = x.copy()), then "
                               "write into y")
    check_subscript_write(scope, target, array)
    if isinstance(index, list):  # NumPy takes a list as an array of indices, here too
        index = asarray(index) if has_var(index) else np.asarray(index)
    if ufunc is np.subtract:
        values = apply_builder(scope, call, P.neg, [values], {}, "np.subtract.at")
    updated = apply_builder(scope, call, P.index_add, [array, index, values], {},
                            f"np.{ufunc.__name__}.at")
    scope.write_in_place(call, array, updated, root_name(target))
    scope.assign(target, updated)
    return NOT_RETURNED


def _stmt_raise(scope: Scope, node: gast.Raise) -> Any:
    exc = scope.expr(node.exc) if node.exc is not None else None
    what = f"{type(exc).__name__}: {exc}" if isinstance(exc, BaseException) else repr(exc)
    raise scope.error(node, f"raised while compiling, for these arguments: {what}",
                      hint="the function raises this for the arguments given; fix the call")


def _stmt_assert(scope: Scope, node: gast.Assert) -> Any:
    """``assert test, message``: checked as Python checks it. A test known when compiling
    is checked now; one computed at run time stays an ``assert`` in the generated code,
    on the forward values (so ``python -O`` drops it as it drops the user's)."""
    if not __debug__:
        return NOT_RETURNED
    test = scope.expr(node.test)
    if not isinstance(test, Var):
        if not test:
            message = "" if node.msg is None else f": {scope.expr(node.msg)}"
            raise scope.error(node, f"assertion failed while compiling, for these "
                                    f"arguments{message}",
                              hint="the function fails this assert for the arguments given")
        return NOT_RETURNED
    message = () if node.msg is None else (scope.expr(node.msg),)
    if message and not isinstance(message[0], Var | str | int | float | bool):
        message = (str(message[0]),)  # what AssertionError would print
    P.check(test, *message)
    return NOT_RETURNED


def _stmt_with(scope: Scope, node: gast.With) -> Any:
    """``with np.errstate(...)`` and ``with contextlib.nullcontext(value) as name``: the
    body, as it is. Neither changes a value: ``np.errstate`` that only silences or shows
    floating-point warnings (the generated code may show some the body silenced), a
    ``nullcontext`` nothing at all. Any other manager -- one that opens a resource,
    catches exceptions, or makes NumPy raise -- is refused."""
    for item in node.items:
        manager = _context_manager(scope, item.context_expr)
        if isinstance(manager, contextlib.nullcontext):
            if item.optional_vars is not None:
                scope.assign(item.optional_vars, manager.enter_result)
        elif isinstance(manager, np.errstate) and item.optional_vars is None:
            if not _only_warnings(manager):
                raise scope.error(item.context_expr, "np.errstate that makes NumPy raise (or "
                                                     "call a function) inside a differentiated "
                                                     "function", hint="check the values with "
                                                     "an assert, or set np.errstate around "
                                                     "the call of the gradient")
        else:
            raise scope.error(item.context_expr, f"'with' of a {type(manager).__name__}: only "
                                                 "np.errstate and contextlib.nullcontext are "
                                                 "compiled", hint="open resources and catch "
                                                 "exceptions outside the differentiated "
                                                 "function")
    return scope.block(node.body)


def _context_manager(scope: Scope, node: gast.expr) -> Any:
    """The manager ``node`` gives, made while compiling where it is one of those
    compiled (any other call is not made: it could open a file)."""
    if not isinstance(node, gast.Call):
        return scope.expr(node)
    func = scope.expr(node.func)
    if func not in (np.errstate, contextlib.nullcontext):
        name = getattr(func, "__qualname__", type(func).__name__)
        raise scope.error(node, f"'with' of {name}(...): only np.errstate and "
                                "contextlib.nullcontext are compiled",
                          hint="open resources and catch exceptions outside the "
                               "differentiated function")
    args = [scope.expr(a) for a in node.args]
    kwargs = {kw.arg: scope.expr(kw.value) for kw in node.keywords if kw.arg is not None}
    settings = [*args, *kwargs.values()]
    if len(kwargs) != len(node.keywords) or (func is np.errstate and has_var(settings)):
        raise scope.error(node, "the settings of np.errstate must be known when compiling")
    return func(*args, **kwargs)


_ERRSTATE_KINDS = ("all", "divide", "over", "under", "invalid")


def _only_warnings(manager: np.errstate) -> bool:
    """Whether ``np.errstate`` only ignores, warns or prints (NumPy 1 keeps its settings
    in ``kwargs``, NumPy 2 in attributes)."""
    settings = getattr(manager, "kwargs", None)
    if settings is None:
        settings = {kind: getattr(manager, f"_{kind}", None) for kind in _ERRSTATE_KINDS}
    call = getattr(manager, "call", getattr(manager, "_call", None))
    return callable(call) is False and all(
        value in (None, "ignore", "warn", "print") for key, value in settings.items()
        if key != "call")


def _stmt_pass(scope: Scope, node: gast.Pass) -> Any:
    return NOT_RETURNED


def _stmt_def(scope: Scope, node: gast.FunctionDef) -> Any:
    scope.env[node.name] = scope.local_function(node)
    return NOT_RETURNED


# The statements handled here, by node type (``Lowering.statements`` holds them all).
STATEMENTS = {
    gast.Assign: _stmt_assign, gast.AnnAssign: _stmt_annassign,
    gast.AugAssign: _stmt_augassign, gast.Return: _stmt_return, gast.Expr: _stmt_expr,
    gast.Raise: _stmt_raise, gast.Assert: _stmt_assert, gast.Pass: _stmt_pass,
    gast.FunctionDef: _stmt_def, gast.With: _stmt_with,
}


# ---------------------------------------------------------------------------- expressions


def _binop(scope: Scope, node: gast.AST, op: gast.operator, left: Any, right: Any) -> Any:
    fn = _BINOPS.get(type(op))
    try:
        if fn is None:
            raise TypeError
        left, right = _array_operands(left, right)
        return fn(left, right)
    except TypeError:
        symbol = type(op).__name__
        raise scope.error(node, f"operator {symbol} is not supported on these operands",
                          hint="use + - * / ** @ on arrays") from None
    except ArithmeticError as err:  # on values known when compiling: the user's error
        raise scope.error(node, f"this raises {type(err).__name__}: {err}",
                          hint="Python raises it too, running the function with these "
                               "arguments") from None


def _array_operands(left: Any, right: Any) -> tuple[Any, Any]:
    """An array operator converts a list or tuple on its other side with ``np.asarray``
    (``x * [a, b]``, ``[a, b] @ W``); a list and a Python value keep Python's meaning
    (``[a] + [b]`` joins, ``2 * [a]`` repeats, ``0.5 * [a]`` raises)."""
    if _is_array(left) and holds_var(right):
        return left, asarray(right)
    if _is_array(right) and holds_var(left):
        return asarray(left), right
    for scalar, sequence in ((left, right), (right, left)):
        if isinstance(scalar, Var) and isinstance(sequence, list | tuple):
            raise TypeError  # a Python number and a list: Python refuses (or repeats it
            # by an int known only at run time, which a compiled list cannot follow)
    return left, right


def _is_array(value: Any) -> bool:
    """An ndarray or NumPy scalar (not a Python scalar) when the code runs."""
    if isinstance(value, Var):
        return not value.aval.weak
    return isinstance(value, np.ndarray | np.generic)


def _expr_binop(scope: Scope, node: gast.BinOp) -> Any:
    return _binop(scope, node, node.op, scope.expr(node.left), scope.expr(node.right))


def _expr_unaryop(scope: Scope, node: gast.UnaryOp) -> Any:
    value = scope.expr(node.operand)
    if isinstance(node.op, gast.USub):
        return -value
    if isinstance(node.op, gast.UAdd):
        return value
    if isinstance(node.op, gast.Not):
        return P.truth_not(value) if isinstance(value, Var) else not value
    return ~value  # on masks, logical not


def _expr_compare(scope: Scope, node: gast.Compare) -> Any:
    """Comparisons as Python chains them: ``a < b < c`` is ``a < b and b < c``, each
    operand evaluated once; a run-time comparison is an array (``x < y``) alone, a
    truth value (``and``) in a chain, where each one must be a single value."""
    left, result = scope.expr(node.left), True
    for op, comparator in zip(node.ops, node.comparators):
        right = scope.expr(comparator)
        if type(op) in _SYMBOLIC_CMP and (isinstance(left, Var) or isinstance(right, Var)):
            try:
                operands = _array_operands(left, right)
            except TypeError:
                raise scope.error(node, "comparison of a Python number with a list",
                                  hint="compare arrays, or numbers") from None
            outcome = _SYMBOLIC_CMP[type(op)](*operands)
        elif type(op) in (gast.In, gast.NotIn) and (has_var(left) or has_var(right)):
            outcome = _contains(scope, node, right, left)
            outcome = P.truth_not(outcome) if isinstance(op, gast.NotIn) else outcome
        else:
            outcome = _CMPOPS[type(op)](left, right)
        if len(node.ops) == 1:
            return outcome
        result = outcome if result is True else P.truth_and(result, outcome)
        if not isinstance(result, Var) and not result:
            return result  # Python stops at the first false comparison
        left = right
    return result


def _contains(scope: Scope, node: gast.AST, container: Any, item: Any) -> Any:
    """``item in container`` with run-time values: an array holds it if any entry
    equals it (NumPy's ``(container == item).any()``); a list or tuple if one of its
    items is it or equals it (Python's test, item by item, stopping at the first)."""
    if isinstance(container, Var):
        return surface.FUNCTIONS[np.any](P.equal(container, item))
    if not isinstance(container, list | tuple):
        raise scope.error(node, f"'in' of a run-time value and a {type(container).__name__}",
                          hint="test membership in a list, a tuple or an array")
    found: Any = False
    for candidate in container:
        if candidate is item:
            return True
        equal = P.equal(*_array_operands(candidate, item)) \
            if isinstance(candidate, Var) or isinstance(item, Var) else candidate == item
        found = equal if found is False else P.truth_or(found, equal)
        if found is True:
            return True
    return found


def _expr_attribute(scope: Scope, node: gast.Attribute) -> Any:
    obj = scope.expr(node.value)
    if isinstance(obj, Var):
        return _array_attribute(scope, node, obj)
    if isinstance(obj, np.ndarray):
        return _constant_array_attribute(scope, node, obj)
    try:
        value = getattr(obj, node.attr)
    except AttributeError as err:
        raise scope.error(node, str(err)) from None
    path = scope.low.captures.path_of(obj).attr(node.attr)
    return scope.low.captures.free_value(path, value)


def _constant_array_attribute(scope: Scope, node: gast.Attribute, array: np.ndarray) -> Any:
    """An attribute of an array made while compiling (``np.array([0.25, 2.0])``; an
    array read from a global or an object is a ``Var``): its data (``.T``, ``.shape``)
    is a constant too, its methods are those of any array."""
    if node.attr in surface.METHODS:
        return BoundArrayMethod(array, node.attr)
    missing = object()
    value = getattr(array, node.attr, missing)
    if value is missing or callable(value):
        raise _unsupported_attribute(scope, node)
    return value


def _array_attribute(scope: Scope, node: gast.Attribute, var: Var) -> Any:
    if node.attr in surface.ATTRIBUTES:
        return surface.ATTRIBUTES[node.attr](var)
    if node.attr == "dtype" and var.aval.dtype is not None:
        return var.aval.dtype
    if node.attr in surface.METHODS:
        return BoundArrayMethod(var, node.attr)
    raise _unsupported_attribute(scope, node)


def _unsupported_attribute(scope: Scope, node: gast.Attribute) -> Exception:
    return scope.error(node, f"array attribute '.{node.attr}' is not supported here",
                       hint="use the NumPy function form, e.g. np.sum(x) for x.sum()")


def _expr_subscript(scope: Scope, node: gast.Subscript) -> Any:
    value, index = scope.expr(node.value), scope.expr(node.slice)
    trick = None if isinstance(value, Var) else index_tricks.subscript_builder(value)
    if trick is not None:
        return apply_builder(scope, node, trick, [index], {}, "indexing")
    if isinstance(value, Var) or has_var(index):
        if isinstance(value, list | tuple) and _may_carry_gradient(value):
            raise scope.error(node, f"indexing a {type(value).__name__} of arrays with a "
                                    "run-time index: the gradient would not reach the item "
                                    "taken", hint="index with a value known when compiling "
                                                  "(a loop over a range of known length is "
                                                  "unrolled), or np.stack the items first")
        return apply_builder(scope, node, P.getitem, [value, index], {}, "indexing")
    try:
        item = value[index]
    except (TypeError, IndexError, KeyError) as err:
        raise scope.error(node, f"indexing failed: {err!r}") from None
    if isinstance(value, np.ndarray):  # made while compiling: its items are constants too
        return item
    path = scope.low.captures.path_of(value).item(index)
    return scope.low.captures.free_value(path, item)


def _may_carry_gradient(items: list | tuple) -> bool:
    """Whether a container holds a run-time value that may be differentiable: a float
    one, or one whose dtype is not known when compiling (shape-generic code)."""
    return any(_may_carry_gradient(v) if isinstance(v, list | tuple)
               else isinstance(v, Var) and v.aval.is_float for v in items)


def _expr_slice(scope: Scope, node: gast.Slice) -> Any:
    parts = [None if p is None else scope.expr(p) for p in (node.lower, node.upper, node.step)]
    return slice(*parts)  # bounds may be run-time ints: indexing takes them as operands


def _expr_joinedstr(scope: Scope, node: gast.JoinedStr) -> Any:
    """An f-string: text when compiling; with run-time values, ``str.format`` of a
    template at run time (for ``print`` and ``assert`` messages)."""
    template, values = [], []
    for part in node.values:
        if isinstance(part, gast.FormattedValue):
            value = scope.expr(part.value)
            if isinstance(value, Var):
                spec = "" if part.format_spec is None else scope.expr(part.format_spec)
                if not isinstance(spec, str):
                    raise scope.error(part, "a format spec computed at run time",
                                      hint="write the spec as a literal")
                conversion = {115: "!s", 114: "!r", 97: "!a"}.get(part.conversion, "")
                template.append("{" + conversion + (":" + spec if spec else "") + "}")
                values.append(value)
                continue
            if has_var(value):
                raise scope.error(part, "an f-string of a list or tuple holding array values",
                                  hint="format the arrays one by one")
            text = _expr_formatted(scope, part)
        else:
            text = str(scope.expr(part))
        template.append(text.replace("{", "{{").replace("}", "}}"))
    text = "".join(template)
    return P.format_text(text, *values) if values else text.replace("{{", "{").replace("}}", "}")


def _expr_formatted(scope: Scope, node: gast.FormattedValue) -> Any:
    value = scope.expr(node.value)
    if isinstance(value, Var):
        return value
    spec = "" if node.format_spec is None else scope.expr(node.format_spec)
    conversion = {115: str, 114: repr, 97: ascii}.get(node.conversion, lambda v: v)
    return format(conversion(value), spec)


def _elements(scope: Scope, elts: list[gast.expr]) -> list[Any]:
    out: list[Any] = []
    for e in elts:
        if isinstance(e, gast.Starred):
            out.extend(scope.items_of(e, scope.expr(e.value)))
        else:
            out.append(scope.expr(e))
    return out


def _entries(scope: Scope, node: gast.Dict) -> dict[Any, Any]:
    """A dict display's entries in order; ``**other`` (no key) merges another dict."""
    out: dict[Any, Any] = {}
    for key, value in zip(node.keys, node.values):
        if key is not None:
            out[scope.expr(key)] = scope.expr(value)
            continue
        other = scope.expr(value)
        if not isinstance(other, dict):
            raise scope.error(value, f"'{type(other).__name__}' object is not a mapping",
                              hint="unpack a dict with **")
        out.update(other)
    return out


def _expr_namedexpr(scope: Scope, node: gast.NamedExpr) -> Any:
    """``(name := value)``: bound, then the expression's value."""
    value = scope.expr(node.value)
    scope.assign(node.target, value)
    return value


# The expressions handled here, by node type (``Lowering.expressions``).
EXPRESSIONS = {
    gast.Constant: lambda scope, node: node.value,
    gast.Lambda: lambda scope, node: scope.local_function(node),
    gast.Name: lambda scope, node: scope.name(node),
    gast.BinOp: _expr_binop, gast.UnaryOp: _expr_unaryop, gast.Compare: _expr_compare,
    gast.Call: lambda scope, node: scope.call(node),
    gast.Attribute: _expr_attribute, gast.Subscript: _expr_subscript, gast.Slice: _expr_slice,
    gast.JoinedStr: _expr_joinedstr, gast.FormattedValue: _expr_formatted,
    gast.NamedExpr: _expr_namedexpr,
    gast.Tuple: lambda scope, node: tuple(_elements(scope, node.elts)),
    gast.List: lambda scope, node: scope.low.new_list(_elements(scope, node.elts)),
    gast.Dict: lambda scope, node: scope.low.new_list(_entries(scope, node)),
}
