"""Lowering of Python's straight-line syntax: assignments, returns, expressions.

Each handler takes the scope and one gast node; statements return ``NOT_RETURNED``
or the function's result, expressions return a ``Var`` or a Python value known while
compiling. The tables at the end (``STATEMENTS``, ``EXPRESSIONS``) are collected by
``Lowering``; control flow is in ``control``, ``loops`` and ``unrolled``, comparisons in
``comparisons``, attributes in ``attributes``, statements run for their effect
(``np.add.at``, ``with``) in ``effects``, ``import`` and ``del`` in ``bindings``, f-strings
in ``text``, augmented assignment in ``augmented``.
"""
from __future__ import annotations

import builtins
import functools
import operator
from collections.abc import Callable
from typing import Any

import gast
import numpy as np

from ..errors import UnsupportedSyntaxError
from ..ir import primitives as P
from ..ir.builder import is_read
from ..ir.core import Var, has_effect
from . import index_tricks, object_protocols
from .attribute_writes import stmt_setattr
from .attributes import expr_attribute
from .calls import apply_builder, has_var, runs_for_effect
from .comparisons import array_operands, expr_compare
from .effects import is_ufunc_at, stmt_ufunc_at, stmt_with
from .hooks import RECEIVER_STATEMENTS
from .list_methods import is_list_method
from .local_objects import NOT_STATE, special_method
from .numpy_writes import write_by_function, write_by_method
from .scope import NOT_RETURNED, Scope
from .shapes import entry_of, is_runtime_tuple, tuple_operator
from .windows import windowed

BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    gast.Add: operator.add, gast.Sub: operator.sub, gast.Mult: operator.mul,
    gast.Div: operator.truediv, gast.Pow: operator.pow, gast.MatMult: operator.matmul,
    gast.FloorDiv: operator.floordiv, gast.Mod: operator.mod, gast.BitAnd: operator.and_,
    gast.BitOr: operator.or_, gast.BitXor: operator.xor,
}
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


def as_load(target: gast.expr) -> gast.expr:
    """The same target, read instead of written."""
    if isinstance(target, gast.Name):
        node = gast.Name(target.id, gast.Load(), None, None)
    elif isinstance(target, gast.Subscript):
        node = gast.Subscript(as_load(target.value), target.slice, gast.Load())
    elif isinstance(target, gast.Attribute):
        node = gast.Attribute(as_load(target.value), target.attr, gast.Load())
    else:
        return target
    return gast.copy_location(node, target)


def _stmt_return(scope: Scope, node: gast.Return) -> Any:
    if scope.loop_kind == "structured":
        from .loops import stmt_return_in_loop
        return stmt_return_in_loop(scope, node)
    return None if node.value is None else scope.expr(node.value)


def _stmt_expr(scope: Scope, node: gast.Expr) -> Any:
    if isinstance(node.value, gast.Constant):  # a docstring or a bare literal
        return NOT_RETURNED
    if isinstance(node.value, gast.ListComp):  # [push(v) for v in xs]: for its calls
        scope.expr(node.value)
        return NOT_RETURNED
    call = node.value
    if isinstance(call, gast.Call):
        if write_by_method(scope, call):  # y.fill(v), y.sort()
            return NOT_RETURNED
        if _replaces_its_array(scope, call):  # y.register_hook(f)
            return NOT_RETURNED
        func = scope.expr(call.func)
        if func is builtins.setattr:
            stmt_setattr(scope, call)
            return NOT_RETURNED
        # stack.append(y) on a list the function built, print, ops.assign, code compiled
        # from its source
        if is_list_method(func) or runs_for_effect(func):
            scope.call(call, func)
            return NOT_RETURNED
        if is_ufunc_at(func):
            return stmt_ufunc_at(scope, call, func.__self__)
        if write_by_function(scope, call, func):  # np.copyto(y, v), np.exp(x, out=y)...
            return NOT_RETURNED
        instead = next((hint for f, hint in _EFFECTS_INSTEAD.items() if func is f), None)
        if instead is not None:
            raise UnsupportedSyntaxError(
                f"{getattr(func, '__name__', 'this call')}() is called for its side effects, "
                "which a differentiated function cannot have", scope.loc(node), hint=instead)
    raise UnsupportedSyntaxError(
        "expression statements (calls for their side effects) are not supported yet",
        scope.loc(node), hint="remove the call, or assign its result and use it")


def _replaces_its_array(scope: Scope, call: gast.Call) -> bool:
    """Lower ``y.method(...)`` of ``hooks.RECEIVER_STATEMENTS``: every name holding ``y``
    then holds the value it gives. Say whether it was one."""
    func = call.func
    if not isinstance(func, gast.Attribute) or func.attr not in RECEIVER_STATEMENTS:
        return False
    array = scope.expr(func.value)
    if not isinstance(array, Var) or not array.tensor:
        return False
    if is_read(array):
        raise scope.error(call, f".{func.attr}() of an array already used: it acts on every "
                                "gradient the array receives, those of its earlier uses too",
                          hint=f"call .{func.attr}() right where the array is made")
    args = [scope.expr(a) for a in call.args]
    kwargs = {k.arg: scope.expr(k.value) for k in call.keywords}
    new = RECEIVER_STATEMENTS[func.attr](scope, call, array, args, kwargs)
    for name, value in list(scope.env.items()):
        if value is array:
            scope.env[name] = new
    return True


# NumPy's calls made for their side effects, and what to write instead.
_EFFECTS_INSTEAD = {
    np.random.shuffle: "shuffle a copy: x = np.random.permutation(x)",
    np.random.seed: "seed outside the differentiated function (np.random.seed(0) before "
                    "calling it); its draws then follow",
}



def _stmt_raise(scope: Scope, node: gast.Raise) -> Any:
    exc = scope.expr(node.exc) if node.exc is not None else None
    if isinstance(exc, type) and issubclass(exc, BaseException):
        try:
            exc = exc()  # ``raise KeyError``: an instance, as Python makes
        except TypeError:  # (one whose constructor needs arguments: Python's TypeError)
            raise scope.error(node, f"raise {exc.__name__}: it takes arguments") from None
    what = f"{type(exc).__name__}: {exc}" if isinstance(exc, BaseException) else repr(exc)
    message = f"raised while compiling, for these arguments: {what}"
    hint = "the function raises this for the arguments given; fix the call"
    if isinstance(exc, BaseException):
        raise scope.raised(node, exc, message, hint)
    raise scope.error(node, message, hint=hint)


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
    message = () if node.msg is None else (_assert_message(scope, node.msg),)
    if message and not isinstance(message[0], Var | str | int | float | bool):
        message = (str(message[0]),)  # what AssertionError would print
    P.check(test, *message)
    return NOT_RETURNED


def _assert_message(scope: Scope, msg: gast.expr) -> Any:
    """An ``assert``'s message, which Python computes only when the test fails. The
    compiled code computes its values before the test: where that has an effect (a
    random draw, which advances the stream every later draw reads; a print), it would
    run at every call, so the message is not computed and says so (fuzz seed 390572)."""
    eqns = scope.low.builder.eqns
    start = len(eqns)
    value = scope.expr(msg)
    if has_effect(eqns[start:]):
        del eqns[start:]
        return "(the assertion's message is not computed here: computing it has an " \
               "effect, such as a random draw)"
    return value



def _stmt_pass(scope: Scope, node: gast.Pass) -> Any:
    return NOT_RETURNED


def _stmt_def(scope: Scope, node: gast.FunctionDef) -> Any:
    scope.env[node.name] = scope.local_function(node)
    return NOT_RETURNED


# The statements handled here, by node type (``Lowering.statements`` holds them all).
STATEMENTS = {
    gast.Assign: _stmt_assign, gast.AnnAssign: _stmt_annassign,
 gast.Return: _stmt_return, gast.Expr: _stmt_expr,
    gast.Raise: _stmt_raise, gast.Assert: _stmt_assert, gast.Pass: _stmt_pass,
    gast.FunctionDef: _stmt_def, gast.With: stmt_with,
}


# ---------------------------------------------------------------------------- expressions


def binop(scope: Scope, node: gast.AST, op: gast.operator, left: Any, right: Any) -> Any:
    fn = BINOPS.get(type(op))
    try:
        if fn is None:
            raise TypeError
        joined = tuple_operator(op, left, right)  # a shape known only at run time
        if joined is not NotImplemented:
            return joined
        stateful = object_protocols.binary(scope, node, fn.__name__.strip("_"), left, right)
        if stateful is not NOT_STATE:  # Rep(x) + Rep(y): its __add__
            return stateful
        left, right = array_operands(left, right)
        result = fn(left, right)
        if isinstance(result, list) and result is not left and result is not right:
            scope.low.new_list(result)  # ``[a] * n``, ``xs + ys``: the function's own
        return result
    except TypeError:
        if any(isinstance(v, tuple | list) for v in (left, right)) and any(
                isinstance(v, Var) and v.aval.dtype is not None and v.aval.dtype.kind in "iu"
                for v in (left, right)):
            raise scope.error(
                node, "a tuple or list and an integer known only at run time (such as the "
                      "rank or a length of an array whose shape its values decide: a "
                      "selection x[mask])",
                hint="keep the shape where the mask selects: weight the entries by it, "
                     "np.sum(np.where(mask, loss, 0.0)) / np.sum(mask), or a loss with "
                     "reduction='none' weighted so") from None
        symbol = type(op).__name__
        raise scope.error(node, f"operator {symbol} is not supported on these operands",
                          hint="use + - * / ** @ on arrays") from None
    except ArithmeticError as err:  # on values known when compiling: the user's error
        raise scope.error(node, f"this raises {type(err).__name__}: {err}",
                          hint="Python raises it too, running the function with these "
                               "arguments") from None


def _expr_binop(scope: Scope, node: gast.BinOp) -> Any:
    return binop(scope, node, node.op, scope.expr(node.left), scope.expr(node.right))


_UNARY = {gast.USub: "__neg__", gast.UAdd: "__pos__", gast.Invert: "__invert__"}


def _expr_unaryop(scope: Scope, node: gast.UnaryOp) -> Any:
    value = scope.expr(node.operand)
    if isinstance(node.op, gast.Not):
        truth = object_protocols.truth(scope, node, value)
        value = value if truth is NOT_STATE else truth
    else:
        stateful = object_protocols.unary(scope, node, _UNARY[type(node.op)], value)
        if stateful is not NOT_STATE:  # -Rep(x): its __neg__
            return stateful
    if isinstance(node.op, gast.USub):
        return -value
    if isinstance(node.op, gast.UAdd):
        return value
    if isinstance(node.op, gast.Not):
        return P.truth_not(value) if isinstance(value, Var) else not value
    return ~value  # on masks, logical not


def _expr_subscript(scope: Scope, node: gast.Subscript) -> Any:
    value, index = scope.expr(node.value), scope.expr(node.slice)
    method = special_method(scope, value, "__getitem__")
    if method is not None:  # of an object whose attributes the function set
        return scope.low.call_function(method, (index,), {}, scope.loc(node), self_obj=value)
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
        if isinstance(value, dict) and has_var(value):  # (its values cannot be one constant)
            raise scope.error(node, "indexing a dict of arrays with a key computed at run "
                                    "time", hint="index with a key known when compiling (a "
                                    "loop over a range of known length is unrolled)")
        return entry_of(value, index, apply_builder(scope, node, _item_reader(scope),
                                                    [value, index], {}, "indexing"))
    try:
        item = value[index]
    except (TypeError, IndexError, KeyError) as err:
        raise scope.raised(node, err, f"indexing failed: {err!r}") from None
    if isinstance(value, np.ndarray):  # made while compiling: its items are constants too
        return item
    path = scope.low.captures.path_of(value).item(index)
    item = scope.low.captures.free_value(path, item)
    if isinstance(value, list) and isinstance(index, slice):  # ``xs[:]``: a new list
        return scope.low.new_list(list(item))
    return item


def _item_reader(scope: Scope) -> Any:
    """``x[index]``: a window of known length where the index's computed slices are
    proven to select one (``windows``), NumPy's indexing otherwise."""
    def read(value: Any, index: Any) -> Any:
        window = windowed(scope.low.counted, value, index)
        return P.getitem(value, index) if window is None else window
    return read


def _may_carry_gradient(items: list | tuple) -> bool:
    """Whether a container holds a run-time value that may be differentiable: a float
    one, or one whose dtype is not known when compiling (shape-generic code)."""
    return any(_may_carry_gradient(v) if isinstance(v, list | tuple)
               else isinstance(v, Var) and v.aval.is_float for v in items)


def _expr_slice(scope: Scope, node: gast.Slice) -> Any:
    parts = [None if p is None else scope.expr(p) for p in (node.lower, node.upper, node.step)]
    return slice(*parts)  # bounds may be run-time ints: indexing takes them as operands


def _elements(scope: Scope, elts: list[gast.expr]) -> list[Any]:
    out: list[Any] = []
    for e in elts:
        if isinstance(e, gast.Starred):
            out.extend(scope.items_of(e, scope.expr(e.value)))
        else:
            out.append(scope.expr(e))
    return out


def _expr_tuple(scope: Scope, node: gast.Tuple) -> Any:
    """A tuple display. ``*shape`` of a shape known only at run time (``(*y.shape, 1)``
    after a mask) is joined with the items around it, as ``y.shape + (1,)`` is: the
    display is then a tuple the code builds when it runs."""
    pieces: list[Any] = []
    loose: list[Any] = []
    for e in node.elts:
        value = scope.expr(e.value if isinstance(e, gast.Starred) else e)
        if not isinstance(e, gast.Starred):
            loose.append(value)
        elif is_runtime_tuple(value):
            pieces += [tuple(loose), value] if loose else [value]
            loose = []
        else:
            loose.extend(scope.items_of(e, value))
    if not pieces:
        return tuple(loose)
    if loose:
        pieces.append(tuple(loose))
    return functools.reduce(P.join_tuples, pieces)


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
    gast.BinOp: _expr_binop, gast.UnaryOp: _expr_unaryop, gast.Compare: expr_compare,
    gast.Call: lambda scope, node: scope.call(node),
    gast.Attribute: expr_attribute, gast.Subscript: _expr_subscript, gast.Slice: _expr_slice,
    gast.NamedExpr: _expr_namedexpr,
    gast.Tuple: _expr_tuple,
    gast.List: lambda scope, node: scope.low.new_list(_elements(scope, node.elts)),
    gast.Dict: lambda scope, node: scope.low.new_list(_entries(scope, node)),
}
