"""The IR printed like a jaxpr: one equation per line, names chosen as generated code
chooses them, regions indented under the equation that owns them."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .core import Atom, Const, Function, Var, _is_region, free_vars, python_name, regions


class _Namer:
    """Deterministic names for printing, chosen as generated code chooses them: the
    value's hint as a Python name (``self.w`` is ``self_w``), else the name of the
    primitive that made it (``tanh``), numbered when taken (``tanh_1``). Generated code
    also reuses a dead value's name, which SSA text cannot."""

    def __init__(self) -> None:
        self.names: dict[Var, str] = {}
        self.taken: set[str] = set()
        self.made_by: dict[Var, str] = {}  # unnamed values: their primitive's name

    def __call__(self, atom: Atom) -> str:
        if isinstance(atom, Const):
            return _const_str(atom.value)
        if atom not in self.names:
            base = python_name(atom.hint or self.made_by.get(atom, "t"))
            name, n = base, 0
            while name in self.taken:
                n += 1
                name = f"{base}_{n}"
            self.taken.add(name)
            self.names[atom] = name
        return self.names[atom]


def _const_str(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"array{list(value.shape)}:{value.dtype}"
    if isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic)):
        return np.dtype(value).name
    return repr(value)


def _params_str(params: Mapping[str, Any]) -> str:
    shown = {k: v for k, v in params.items() if not _is_region(v)}
    if not shown:
        return ""
    return "[" + ", ".join(f"{k}={_const_str(v)}" for k, v in shown.items()) + "]"


def _pretty_lines(fn: Function, namer: _Namer, indent: str, comments: bool) -> list[str]:
    ins = " ".join(namer(v) for v in fn.invars)
    lines = [f"{{ lambda {ins}. let"]
    for eqn in fn.eqns:
        namer.made_by.update((v, eqn.prim.name) for v in eqn.outvars)
        args = " ".join(namer(a) for a in eqn.invars)
        outs = " ".join(namer(v) for v in eqn.outvars)
        text = f"    {outs} = {eqn.prim.name}{_params_str(eqn.params)} {args}".rstrip()
        if comments and eqn.loc is not None:
            tag = "grad of " if eqn.loc.adjoint else ""
            text = f"{text:<40}  # {tag}{eqn.loc}  {eqn.loc.source.strip()}".rstrip()
        lines.append(text)
        for key, body in regions(eqn):
            captured = " ".join(namer(v) for v in free_vars(body))
            inner = _pretty_lines(body, namer, "", comments)
            header = f"{key} captures {captured} " if captured else f"{key} "
            lines.append(f"      {header}{inner[0]}")
            lines.extend(f"      {line}" for line in inner[1:])
    outs = ", ".join(namer(a) for a in fn.outvars)
    lines.append(f"  in ({outs}{',' if len(fn.outvars) == 1 else ''}) }}")
    return [indent + line for line in lines]


def pretty(fn: Function, *, comments: bool = True) -> str:
    """Print like a jaxpr: one equation per line, names chosen here, never ``id()``s.
    Region bodies print indented under the equation that owns them, each headed by the
    outer values it reads (``body captures x w { lambda i y. let``): a region reads its
    enclosing scope implicitly, and the header makes that visible."""
    return "\n".join(_pretty_lines(fn, _Namer(), "", comments))
