"""IR equations as Python expressions: each kind of spelling a backend gives
(``("call", "np.exp")``, ``("binop", "+")``, ...) written as syntax, and the state of
writing one function (values folded into their one use, names still to fill in,
constants the namespace must hold). ``codegen`` arranges these into statements.
"""
from __future__ import annotations

import builtins
import math
import types
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from ...ir.core import Atom, Const, Eqn, Function, Var, is_python_float, regions

_BINOPS = {"+": gast.Add, "-": gast.Sub, "*": gast.Mult, "/": gast.Div, "**": gast.Pow,
           "@": gast.MatMult, "//": gast.FloorDiv, "%": gast.Mod}
_CMPOPS = {"<": gast.Lt, "<=": gast.LtE, ">": gast.Gt, ">=": gast.GtE, "==": gast.Eq,
           "!=": gast.NotEq}
_UNARYOPS = {"-": gast.USub, "+": gast.UAdd, "not": gast.Not}
_BOOLOPS = {"and": gast.And, "or": gast.Or}


@dataclass
class Emitter:
    """State of one ``generate`` call: pending inlined expressions, names, constants."""

    uses: Counter
    pending: dict[Var, tuple[gast.expr, list[Var]]] = field(default_factory=dict)
    name_nodes: list[tuple[gast.Name, Var]] = field(default_factory=list)
    constants: dict[str, Any] = field(default_factory=dict)
    python_floats: bool = True  # Python's operators and ``math`` on Python floats
    spell_constant: Callable[[Emitter, Any], gast.expr | None] | None = None  # the backend's

    def ref(self, atom: Atom, reads: list[Var]) -> gast.expr:
        if isinstance(atom, Const):
            return self.const(atom.value)
        if atom in self.pending:
            expr, inner = self.pending.pop(atom)
            reads.extend(inner)
            return expr
        reads.append(atom)
        return self.name(atom)

    def name(self, var: Var, ctx: Any = None) -> gast.Name:
        node = gast.Name("?", ctx or gast.Load(), None, None)
        self.name_nodes.append((node, var))
        return node

    def const(self, value: Any) -> gast.expr:
        """A constant as Python source; NumPy scalars keep their type (``np.float32(1.0)``),
        since a bare literal is a *weak* Python scalar in NumPy's promotion rules. A
        backend may spell some constants its own way (``Backend.constant``)."""
        if self.spell_constant is not None:
            own = self.spell_constant(self, value)
            if own is not None:
                return own
        if type(value) is float and not math.isfinite(value):
            text = "nan" if math.isnan(value) else "inf"
            node = attr("np", text)
            return gast.UnaryOp(gast.USub(), node) if value < 0 else node
        if _is_index(value):  # slices are only syntax inside [...]: spell np.s_[...]
            return gast.Subscript(attr("np", "s_"), self.index(value), gast.Load())
        if value is None or value is Ellipsis or type(value) in (bool, int, float, str):
            if type(value) in (int, float) and value < 0:
                return gast.UnaryOp(gast.USub(), gast.Constant(-value, None))
            return gast.Constant(value, None)
        if isinstance(value, tuple):
            return gast.Tuple([self.const(v) for v in value], gast.Load())
        if isinstance(value, types.BuiltinFunctionType) and \
                getattr(builtins, value.__name__, None) is value:  # setattr, as written
            return gast.Name(value.__name__, gast.Load(), None, None)
        if _is_dtype(value):
            return attr("np", dtype_attribute(value))
        if isinstance(value, np.generic) and not isinstance(value.item(), np.generic):
            return gast.Call(self.const(value.dtype), [self.const(value.item())], [])
        # a long double's item() is itself (no Python number holds it): a named constant,
        # one name per object (a random state drawn from twice is one state)
        name = next((k for k, v in self.constants.items() if v is value),
                    f"const_{len(self.constants)}")
        self.constants[name] = value
        return gast.Name(name, gast.Load(), None, None)


    def index(self, value: Any) -> gast.expr:
        """An index as written between brackets: slices become ``a:b:c``."""
        if isinstance(value, slice):
            bounds = (value.start, value.stop, value.step)
            return gast.Slice(*(None if p is None else self.const(p) for p in bounds))
        if isinstance(value, tuple):
            return gast.Tuple([self.index(v) for v in value], gast.Load())
        return self.const(value)


def _is_index(value: Any) -> bool:
    if isinstance(value, tuple):
        return any(_is_index(v) for v in value)
    return isinstance(value, slice)


def _is_dtype(value: Any) -> bool:
    is_scalar_type = isinstance(value, type) and issubclass(value, np.generic)
    return isinstance(value, np.dtype) or is_scalar_type


def dtype_attribute(dtype: Any) -> str:
    """The attribute of ``np`` that names ``dtype``: ``bool_`` for booleans, the one
    spelling NumPy 1.x and 2.x both have (``np.bool`` is 2.x only)."""
    dtype = np.dtype(dtype)
    return "bool_" if dtype.kind == "b" else dtype.name


def attr(module: str, name: str) -> gast.expr:
    node: gast.expr = gast.Name(module, gast.Load(), None, None)
    for part in name.split("."):
        node = gast.Attribute(node, part, gast.Load())
    return node


# ---------------------------------------------------------------------------- spellings


def _kw(em: Emitter, params: dict[str, Any]) -> list[gast.keyword]:
    return [gast.keyword(k, em.const(v)) for k, v in params.items()]


def emit_call(em, text, args, params):
    module, _, name = text.partition(".")
    func = attr(module, name) if name else gast.Name(module, gast.Load(), None, None)
    return gast.Call(func, args, _kw(em, params))


def emit_binop(em, text, args, params):
    if text in _CMPOPS:
        return gast.Compare(args[0], [_CMPOPS[text]()], [args[1]])
    return gast.BinOp(args[0], _BINOPS[text](), args[1])


def emit_unaryop(em, text, args, params):
    return gast.UnaryOp(_UNARYOPS[text](), args[0])


def emit_method(em, text, args, params):
    return gast.Call(gast.Attribute(args[0], text, gast.Load()), args[1:], _kw(em, params))


def emit_attr(em, text, args, params):
    return gast.Attribute(args[0], text, gast.Load())


def emit_index(em, text, args, params):
    index = args[1]
    if isinstance(index, gast.Subscript) and _is_s_(index.value):
        index = index.slice  # x[np.s_[1:, 0]] reads better as x[1:, 0]
    return gast.Subscript(args[0], index, gast.Load())


def window_index(start: gast.expr, length: int, axis: int) -> gast.expr:
    """``:, t:t + k``: the index of a window (``ir.primitives.windows``) of ``length``
    entries from ``start`` along ``axis``."""
    stop = gast.BinOp(start, gast.Add(), gast.Constant(length, None))  # (one node twice:
    # naming writes the start's name into it)
    part = gast.Slice(start, stop, None)
    if not axis:
        return part
    return gast.Tuple([*(gast.Slice(None, None, None) for _ in range(axis)), part],
                      gast.Load())


def emit_window(em, text, args, params):
    """``x[t:t + k]``, ``x[:, t:t + k]``: a window at a run-time start."""
    return gast.Subscript(args[0], window_index(args[1], params["length"], params["axis"]),
                          gast.Load())


def _is_s_(node: gast.expr) -> bool:
    """``np.s_`` or a backend's own ``s_``: an index written as subscript syntax."""
    return (isinstance(node, gast.Attribute) and node.attr == "s_") or (
        isinstance(node, gast.Name) and node.id == "s_")


def emit_index_all(em, text, args, params):
    """``x[i, ...]``: an index that says the remaining axes are whole (the array API
    standard asks for the ``...`` NumPy assumes)."""
    node = emit_index(em, text, args, params)
    parts = node.slice.elts if isinstance(node.slice, gast.Tuple) else [node.slice]
    node.slice = gast.Tuple([*parts, gast.Constant(Ellipsis, None)], gast.Load())
    return node


def emit_call_on_array(em, text, args, params):
    """A call whose first operand, a Python number, and any number written as a literal
    are made arrays first (``xp.exp(xp.asarray(x))``): array API functions take arrays.
    ``xp:sigmoid`` calls the helper ``sigmoid`` on arrays made by ``xp.asarray``."""
    module, colon, helper = text.partition(":")
    module = module if colon else text.partition(".")[0]
    arrays = [gast.Call(attr(module, "asarray"), [a], [])
              if i == 0 or _is_number_literal(a) else a for i, a in enumerate(args)]
    return emit_call(em, helper if colon else text, arrays, params)


def emit_call_on_float_array(em, text, args, params):
    """``xp.cos(xp.asarray(t, dtype=xp.float64))``: each Python number among the
    operands (their positions after ``#``) made an array of the dtype of the first
    other operand, or float64 where all are numbers. A ``?`` at the end: that operand
    may be a number too when the code runs (``float_dtype`` then gives float64)."""
    text, _, numbers = text.partition("#")
    module = text.partition(".")[0]
    maybe_number = numbers.endswith("?")
    at = {int(i) for i in numbers.rstrip("?")}
    like = next((a for i, a in enumerate(args) if i not in at), None)
    if like is None:
        dtype = attr(module, "float64")
    elif maybe_number:
        dtype = gast.Call(gast.Name("float_dtype", gast.Load(), None, None),
                          [gast.Name(module, gast.Load(), None, None), like], [])
    else:
        dtype = gast.Attribute(like, "dtype", gast.Load())
    arrays = [gast.Call(attr(module, "asarray"), [a], [gast.keyword("dtype", dtype)])
              if i in at else a for i, a in enumerate(args)]
    return emit_call(em, text, arrays, params)


def emit_call_with_weak_numbers(em, text, args, params):
    """``fmax(xp.asarray(x), number_beside(xp, -0.5, x))``: each Python number among a
    helper's operands (their positions after ``#``) made the array NumPy's promotion
    makes of it beside the first other operand (``runtime.number_beside``), each other
    operand an array (it may be a number when the code runs)."""
    text, _, numbers = text.partition("#")
    at = {int(i) for i in numbers}
    like = next(a for i, a in enumerate(args) if i not in at)
    xp = gast.Name("xp", gast.Load(), None, None)
    arrays = [gast.Call(gast.Name("number_beside", gast.Load(), None, None), [xp, a, like], [])
              if i in at else gast.Call(attr("xp", "asarray"), [a], [])
              for i, a in enumerate(args)]
    return emit_call(em, text, arrays, params)


def _is_number_literal(node: gast.expr) -> bool:
    if isinstance(node, gast.UnaryOp):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) in (int, float, complex)


def emit_tuple(em, text, args, params):
    return gast.Tuple(args, gast.Load())


def emit_boolop(em, text, args, params):
    return gast.BoolOp(_BOOLOPS[text](), args)


def emit_call_first(em, text, args, params):
    """A function of the first operand alone (``math.sqrt(x)`` for ``x ** 0.5``)."""
    return emit_call(em, text, args[:1], {})


def emit_call_operand(em, text, args, params):
    """``fn(*rest)``: a call of the first operand, a Python callable the program holds."""
    return gast.Call(args[0], list(args[1:]), [])


def emit_on_array(em, text, args, params):
    """``np.asarray(x)[()]``, ``np.asarray(x).T``: a spelling (``kind:text``) that reads
    an attribute of, or indexes, its first operand, which is a Python float at run time
    and has neither (NumPy's scalar, which the user's code had, has both)."""
    kind, _, inner = text.partition(":")
    first = gast.Call(attr("np", "asarray"), [args[0]], [])
    return EMITTERS[kind](em, inner, [first, *args[1:]], params)


def emit_draw(em, text, args, params):
    """``np.random.binomial(1, 0.5, size=3)``, ``rs.randn(5, 2)``: a draw from the global
    random state, or a method of the random state that is the first operand."""
    options = {k: v for k, v in params.items() if k not in ("method", "global_state",
                                                             "keywords", "generator")}
    named = params.get("keywords", ())
    args, late = (args[:len(args) - len(named)], args[len(args) - len(named):]) if named \
        else (args, [])
    if params.get("global_state"):
        call = emit_call(em, f"np.random.{params['method']}", args, options)
    else:
        call = emit_method(em, params["method"], args, options)
    call.keywords += [gast.keyword(k, v) for k, v in zip(named, late)]  # (run-time ones)
    return call


EMITTERS = {"call": emit_call, "call_first": emit_call_first, "binop": emit_binop,
            "unaryop": emit_unaryop, "method": emit_method, "attr": emit_attr, "index": emit_index,
            "window": emit_window,
            "boolop": emit_boolop, "tuple": emit_tuple, "index_all": emit_index_all,
            "call_on_array": emit_call_on_array, "on_array": emit_on_array, "draw": emit_draw,
            "call_on_float_array": emit_call_on_float_array,
            "call_with_weak_numbers": emit_call_with_weak_numbers,
            "call_operand": emit_call_operand}


# Python operators that raise on some floats where NumPy does not.
_RAISING_OPS = frozenset(["/", "//", "%", "**"])


def may_raise_on_floats(fn: Function, spell: Callable[[Eqn], tuple[str, str]]) -> bool:
    """Whether code generated for ``fn`` (each equation written as ``spell`` says)
    computes on Python floats with ``math`` or an operator that raises where NumPy
    gives inf or nan (in ``fn``, its regions or the functions it calls)."""
    seen: set[int] = set()
    todo = [fn]
    while todo:
        body = todo.pop()
        for eqn in body.eqns:
            if eqn.prim.form == "apply":  # regions, calls and effects are statements
                kind, text = spell(eqn)
                if (kind == "call" and text.startswith("math.")) or (
                        kind == "binop" and text in _RAISING_OPS and all_python_floats(eqn)):
                    return True
            todo.extend(region for _, region in regions(eqn))
            callee = eqn.params.get("callee")
            if callee is not None and id(callee) not in seen:
                seen.add(id(callee))
                todo.append(callee.fn)
    return False


def all_python_floats(eqn: Eqn) -> bool:
    return bool(eqn.invars) and all(map(is_python_float, eqn.invars))
