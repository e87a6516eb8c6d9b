"""IR -> Python source: the only module that knows how Python is written.

Each equation becomes one assignment, except that an unnamed temporary used exactly
once is folded into the expression that uses it, so rule output such as
``g_x = unbroadcast(g_z * y, x)`` reads like hand-written code. Names come from the
user's names; a name is reused once its previous value is dead (``x = x + 1``).
Every adjoint block opens with ``# grad of: <source line>  (file:line)``.
"""
from __future__ import annotations

import keyword
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import astor
import gast
import numpy as np

from .errors import Loc
from .ir import Atom, Const, Eqn, Function, Var
from .runtime import NAMESPACE

RESERVED = frozenset(keyword.kwlist) | frozenset(NAMESPACE) | {"self"}
_BINOPS = {"+": gast.Add, "-": gast.Sub, "*": gast.Mult, "/": gast.Div, "**": gast.Pow,
           "@": gast.MatMult, "//": gast.FloorDiv, "%": gast.Mod}
_CMPOPS = {"<": gast.Lt, "<=": gast.LtE, ">": gast.Gt, ">=": gast.GtE, "==": gast.Eq,
           "!=": gast.NotEq}
_UNARYOPS = {"-": gast.USub, "+": gast.UAdd}


@dataclass
class _Stmt:
    targets: tuple[Var, ...]
    expr: gast.expr
    reads: list[Var]
    loc: Loc | None
    default_name: str


@dataclass
class _Emitter:
    """State of one ``generate`` call: pending inlined expressions, names, constants."""

    uses: Counter
    pending: dict[Var, tuple[gast.expr, list[Var]]] = field(default_factory=dict)
    name_nodes: list[tuple[gast.Name, Var]] = field(default_factory=list)
    constants: dict[str, Any] = field(default_factory=dict)

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
        since a bare literal is a *weak* Python scalar in NumPy's promotion rules."""
        if type(value) is float and not math.isfinite(value):
            text = "nan" if math.isnan(value) else "inf"
            node = _attr("np", text)
            return gast.UnaryOp(gast.USub(), node) if value < 0 else node
        if _is_index(value):  # slices are only syntax inside [...]: spell np.s_[...]
            return gast.Subscript(_attr("np", "s_"), self.index(value), gast.Load())
        if value is None or value is Ellipsis or type(value) in (bool, int, float, str):
            if type(value) in (int, float) and value < 0:
                return gast.UnaryOp(gast.USub(), gast.Constant(-value, None))
            return gast.Constant(value, None)
        if isinstance(value, tuple):
            return gast.Tuple([self.const(v) for v in value], gast.Load())
        if _is_dtype(value):
            return _attr("np", np.dtype(value).name)
        if isinstance(value, np.generic):
            return gast.Call(self.const(value.dtype), [self.const(value.item())], [])
        name = f"const_{len(self.constants)}"
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


def _attr(module: str, name: str) -> gast.expr:
    node: gast.expr = gast.Name(module, gast.Load(), None, None)
    for part in name.split("."):
        node = gast.Attribute(node, part, gast.Load())
    return node


# ---------------------------------------------------------------------------- spellings


def _kw(em: _Emitter, params: dict[str, Any]) -> list[gast.keyword]:
    return [gast.keyword(k, em.const(v)) for k, v in params.items()]


def emit_call(em, text, args, params):
    module, _, name = text.partition(".")
    func = _attr(module, name) if name else gast.Name(module, gast.Load(), None, None)
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
    if isinstance(index, gast.Subscript) and isinstance(index.value, gast.Attribute) \
            and index.value.attr == "s_":
        index = index.slice  # x[np.s_[1:, 0]] reads better as x[1:, 0]
    return gast.Subscript(args[0], index, gast.Load())


EMITTERS = {"call": emit_call, "binop": emit_binop, "unaryop": emit_unaryop,
            "method": emit_method, "attr": emit_attr, "index": emit_index}


# ---------------------------------------------------------------------------- statements


def _strip_aliases(fn: Function) -> tuple[list[Eqn], tuple[Atom, ...]]:
    """Drop ``identity`` equations (``stop_gradient``), renaming their uses."""
    alias: dict[Var, Atom] = {}

    def sub(a: Atom) -> Atom:
        return alias.get(a, a) if isinstance(a, Var) else a

    eqns = []
    for eqn in fn.eqns:
        if eqn.prim.spelling[0] == "identity":
            alias[eqn.outvars[0]] = sub(eqn.invars[0])
        else:
            eqns.append(Eqn(eqn.outvars, eqn.prim, tuple(sub(a) for a in eqn.invars),
                            eqn.params, eqn.loc))
    return eqns, tuple(sub(a) for a in fn.outvars)


def _statements(em: _Emitter, eqns: list[Eqn], outvars: tuple[Atom, ...]) -> list[_Stmt]:
    stmts = []
    for eqn in eqns:
        reads: list[Var] = []
        args = [em.ref(a, reads) for a in eqn.invars]
        kind, text = eqn.prim.spelling
        expr = EMITTERS[kind](em, text, args, dict(eqn.params))
        out = eqn.outvars
        if len(out) == 1 and not out[0].hint and em.uses[out[0]] == 1:
            em.pending[out[0]] = (expr, reads)
        else:
            stmts.append(_Stmt(out, expr, reads, eqn.loc, eqn.prim.name))
    return stmts


def _assign_names(fn: Function, stmts: list[_Stmt], ret_reads: list[Var]) -> dict[Var, str]:
    last_use: dict[Var, int] = {}
    for i, stmt in enumerate(stmts):
        for v in stmt.reads:
            last_use[v] = i
    for v in ret_reads:
        last_use[v] = len(stmts)
    names: dict[Var, str] = {}
    holder: dict[str, Var] = {}

    def pick(var: Var, base: str, now: int) -> None:
        base = _identifier(base)
        name, n = base, 0
        while name in RESERVED or (name in holder and last_use.get(holder[name], -1) > now):
            n += 1
            name = f"{base}_{n}"
        names[var], holder[name] = name, var

    for v in fn.invars:
        pick(v, v.hint or "arg", -1)
        last_use.setdefault(v, 0)
        last_use[v] = max(last_use[v], 0)
    for i, stmt in enumerate(stmts):
        for v in stmt.targets:
            pick(v, v.hint or stmt.default_name, i)
    return names


def _identifier(text: str) -> str:
    text = "".join(c if c.isalnum() or c == "_" else "_" for c in text) or "t"
    return f"_{text}" if text[0].isdigit() else text


def _to_source(node: gast.stmt) -> str:
    tree = gast.gast_to_ast(gast.Module([node], []))
    return astor.to_source(tree, pretty_source="".join).rstrip("\n")


def _comment(loc: Loc) -> str:
    return f"# grad of: {loc.source.strip()}  ({loc})"


@dataclass(frozen=True)
class Generated:
    """Generated source, the constants its namespace must hold, and for each line of
    code the user's source location it came from (for runtime errors)."""

    source: str
    constants: dict[str, Any]
    line_locs: dict[int, Loc]


def generate(fn: Function, doc: str | None = None) -> Generated:
    """Python source of ``fn``."""
    eqns, outvars = _strip_aliases(fn)
    uses = Counter(a for e in eqns for a in e.invars if isinstance(a, Var))
    uses.update(a for a in outvars if isinstance(a, Var))
    em = _Emitter(uses)
    stmts = _statements(em, eqns, outvars)
    ret_reads: list[Var] = []
    rets = [em.ref(a, ret_reads) for a in outvars]
    names = _assign_names(fn, stmts, ret_reads)
    for node, var in em.name_nodes:
        node.id = names[var]
    params = ", ".join(names[v] for v in fn.invars)
    lines = [f"def {fn.name}({params}):"]
    if doc:
        lines.append(f'    """{doc}"""')
    prev: tuple[str, int] | None = None
    line_locs: dict[int, Loc] = {}
    for stmt in stmts:
        loc = stmt.loc
        if loc is not None and loc.adjoint and (loc.file, loc.line) != prev:
            lines.append(f"    {_comment(loc)}")
        prev = (loc.file, loc.line) if loc is not None and loc.adjoint else None
        target = [gast.Name(names[v], gast.Store(), None, None) for v in stmt.targets]
        lhs = target[0] if len(target) == 1 else gast.Tuple(target, gast.Store())
        lines.append("    " + _to_source(gast.Assign([lhs], stmt.expr, None)))
        if loc is not None:
            line_locs[len(lines)] = loc
    value = rets[0] if len(rets) == 1 else gast.Tuple(rets, gast.Load())
    lines.append("    " + _to_source(gast.Return(value)))
    return Generated("\n".join(lines) + "\n", em.constants, line_locs)
