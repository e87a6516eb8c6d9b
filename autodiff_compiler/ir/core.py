"""The structured SSA IR: values, equations, functions; a printer and a verifier.

Every ``Var`` is assigned exactly once, by one ``Eqn`` or as a ``Function`` input.
Names are not part of the IR: a ``Var`` carries only a *hint* (the user's name, or
``g_<name>`` for an adjoint) and the printer and codegen make names unique when they
print. Control flow (added by later work) stays structured: a region-carrying
primitive holds its sub-``Function`` bodies in ``params``, as JAX's ``cond`` does, so
every pass that walks equations also walks regions the same way.

What we know statically about a value lives in its ``Aval``: shape and dtype, either
of which may be unknown (``None``). Compiling for concrete arguments knows both and
lets rules and passes specialise; ``gradient_source(fn)`` without arguments knows
neither and yields shape-generic code.
"""
from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import IRVerificationError, Loc
from .arrays import is_foreign_array, shape_and_dtype

# NumPy 2 changed what a few calls mean (NEP 50's weak Python numbers, np.unique's
# inverse shape); where the compiler must follow the running NumPy, it asks this.
NUMPY_2 = np.lib.NumpyVersion(np.__version__) >= "2.0.0"

if TYPE_CHECKING:
    from .primitives.core import Primitive


def same_dtype(a: np.dtype | None, b: np.dtype | None) -> bool:
    """``a`` and ``b`` are one dtype, or both unknown. NumPy's own ``==`` cannot say it:
    it reads ``None`` as the default dtype, so ``np.dtype('float64') == None`` is true,
    and a value whose dtype is decided at run time compared equal to a float64 one (fuzz
    seed 1010073: an ``if`` merging a float64 array with one that may be an int took
    float64 for both)."""
    return a is b or (a is not None and b is not None and a == b)


@dataclass(frozen=True, slots=True, eq=False)
class Aval:
    """Abstract value: what the compiler knows of a runtime value's shape and dtype.

    ``weak`` marks a Python scalar, whose dtype yields to an array's in arithmetic
    (NumPy's NEP 50), so ``float32_array * 2.0`` stays float32.
    """

    shape: tuple[int, ...] | None = None
    dtype: np.dtype | None = None
    weak: bool = False

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Aval):
            return NotImplemented
        return self.shape == other.shape and self.weak == other.weak \
            and same_dtype(self.dtype, other.dtype)

    def __hash__(self) -> int:
        return hash((self.shape, self.dtype, self.weak))

    @property
    def ndim(self) -> int | None:
        return None if self.shape is None else len(self.shape)

    @property
    def known(self) -> bool:
        return self.shape is not None and self.dtype is not None

    @property
    def is_float(self) -> bool:
        """Differentiable dtype (unknown counts as float: never drop a gradient)."""
        return self.dtype is None or np.issubdtype(self.dtype, np.inexact)

    def example(self) -> Any:
        """A stand-in value of this aval, used to let NumPy work out result types."""
        if self.weak:
            return self.dtype.type(0).item()
        return np.zeros(self.shape, self.dtype)

    def counting_example(self) -> Any:
        """A second stand-in, ``1, 2, 3, ...`` (``True`` for booleans): where a result's
        shape differs between this and ``example()``, it depends on the operand's values
        (``np.zeros(n)``, ``np.repeat(x, r)``, ``np.nonzero(m)``, ``np.unique(x)``)."""
        if self.weak:
            return self.dtype.type(1).item()
        size = int(np.prod(self.shape))
        return (np.arange(size) % 100 + 1).astype(self.dtype).reshape(self.shape)

    def minus_ones(self) -> Any:
        """A stand-in of ``-1``s: an index valid on every axis, where ``1, 2, 3...``
        (``counting_example``) may be out of bounds."""
        if self.weak:
            return self.dtype.type(-1).item()
        return np.full(self.shape, -1).astype(self.dtype)

    def stand_in(self) -> Any:
        """A small value NumPy promotes as it promotes this aval's values: a Python scalar
        where weak, a 0-d array where 0-d, else a one-element array of the same rank.
        NumPy 1.x promotes an operation of 0-d values alone as if no value were weak
        (``float32_0d + 1.0`` is float64 there, float32 in NumPy 2), so the rank
        matters; an unknown shape counts as an array's."""
        if self.weak:
            return self.dtype.type(0).item()
        return np.zeros((1,) if self.shape is None else (1,) * len(self.shape), self.dtype)

    def __str__(self) -> str:
        dt = "?" if self.dtype is None else self.dtype.name
        shape = "?" if self.shape is None else ",".join(map(str, self.shape))
        return f"{dt}[{shape}]"

    @staticmethod
    def of(value: Any) -> Aval:
        """The aval of a concrete runtime value."""
        if isinstance(value, np.ndarray | np.generic):  # np.float64 is a float, but strong
            # an ndarray subclass may report its dtype its own way (a Tensor's Float32)
            return Aval(tuple(value.shape), value.dtype if type(value) is np.ndarray
                        else np.dtype(value.dtype))
        if isinstance(value, bool | int | float | complex):
            return Aval((), np.result_type(type(value)), weak=True)
        if is_foreign_array(value):  # another library's (dask's, or any array API one's)
            return Aval(*shape_and_dtype(value))
        return Aval()


UNKNOWN = Aval()
# A loop's index, ``k`` of ``for k in range(n)``: a Python int, whose dtype yields to an
# array's in arithmetic (``x32 * (k + 1)`` stays float32).
LOOP_INDEX = Aval((), np.dtype(np.int64), weak=True)


@dataclass(slots=True, eq=False)
class Var:
    """An SSA value. Identity is the value; ``hint`` only guides naming. A ``made_up``
    hint is the compiler's (``g_add``, the adjoint of an unnamed temporary), not after
    a name of the user's: code generation folds such a value into its one use.
    ``tensor``: computed from a MindSpore Tensor, whose methods where NumPy's differ
    (``x.max(1)``) are the Tensor's (``surface.TENSOR_ATTRIBUTES``), as they are eagerly.
    ``cast``: an integer Tensor cast to a float type where MindSpore casts it with its
    ``Cast`` (``ops.cast``, ``x.astype``, or its promotion of an operand of ``+``, ``-``,
    ``*`` or of ``/`` of two Tensors, written in the user's code), whose gradient
    MindSpore casts back to the integer type (``ad.reverse``, ``builder.mark_cast``)."""

    aval: Aval = UNKNOWN
    hint: str = ""
    made_up: bool = False
    tensor: bool = False
    cast: bool = False

    def __repr__(self) -> str:
        return f"Var({self.hint or '_'}:{self.aval})"


@dataclass(frozen=True, slots=True, eq=False)
class Const:
    """A value known when compiling: a Python scalar, tuple, dtype, or small array."""

    value: Any

    @property
    def aval(self) -> Aval:
        return Aval.of(self.value)

    def __repr__(self) -> str:
        return f"Const({self.value!r})"


Atom = Var | Const


def is_python_float(atom: Atom) -> bool:
    """A value that is a Python float when the code runs: a float constant, or a weak
    float64 0-d value (``math.exp(x)`` of a float argument), which has neither indexing
    nor array attributes, where NumPy's scalar has both."""
    aval = atom.aval
    return aval.weak and aval.shape == () and aval.dtype == np.float64


def is_python_int(atom: Atom) -> bool:
    """A value that is a Python int when the code runs (a loop's index, a count)."""
    aval = atom.aval
    return aval.weak and aval.shape == () and aval.dtype == np.int64


def shape_known(x: Any) -> tuple[int, ...] | None:
    """The shape of ``x`` when the compiler knows it, else ``None``, as ``ndim_of`` the
    rank: an IR value's from its aval, a value a rule holds NumPy's."""
    if isinstance(x, Var | Const):
        return x.aval.shape
    return np.shape(x)


def ndim_of(x: Any) -> int | None:
    """The rank of ``x`` when the compiler knows it, else ``None``: the one way the IR
    layer, its rules and the transforms ask. ``x`` is an IR value or a value a rule
    holds: an array, a list, a scalar (NumPy's rank, 0 for any object). A tuple is a
    shape or an index to the compiler, not an array: it has no rank."""
    if isinstance(x, Var):
        return x.aval.ndim
    value = x.value if isinstance(x, Const) else x
    return None if isinstance(value, tuple) else np.ndim(value)


@dataclass(frozen=True, slots=True, eq=False)
class Eqn:
    """``outvars = prim[params](*invars)``, with the user's source location."""

    outvars: tuple[Var, ...]
    prim: Primitive
    invars: tuple[Atom, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    loc: Loc | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Function:
    """A straight-line (or region-structured) SSA program."""

    name: str
    invars: tuple[Var, ...]
    eqns: tuple[Eqn, ...]
    outvars: tuple[Atom, ...]
    loc: Loc | None = None

    def __str__(self) -> str:
        from .printer import pretty  # the printer reads this module's types
        return pretty(self)


def _is_region(value: Any) -> bool:
    return isinstance(value, Function) or (
        isinstance(value, tuple) and bool(value) and all(isinstance(v, Function) for v in value))


def has_effect(eqns: Iterable[Eqn]) -> bool:
    """Whether any of ``eqns`` (or a region in one) asserts, prints, writes or draws:
    it must run only where, and as often as, the program would run it."""
    return any(eqn.prim.effect or any(has_effect(body.eqns) for _, body in regions(eqn))
               for eqn in eqns)


def regions(eqn: Eqn) -> list[tuple[str, Function]]:
    """The nested bodies of a control-flow equation, with their param names."""
    out = []
    for key, value in eqn.params.items():
        if isinstance(value, Function):
            out.append((key, value))
        elif _is_region(value):
            out.extend((f"{key}[{i}]", fn) for i, fn in enumerate(value))
    return out


def map_regions(eqn: Eqn, fn_pass: Callable[[Function], Function]) -> Eqn:
    """``eqn`` with ``fn_pass`` applied to each of its nested bodies."""
    if not regions(eqn):
        return eqn
    params = dict(eqn.params)
    for key, value in eqn.params.items():
        if isinstance(value, Function):
            params[key] = fn_pass(value)
        elif _is_region(value):
            params[key] = tuple(fn_pass(f) for f in value)
    return replace(eqn, params=params)


def free_vars(fn: Function) -> list[Var]:
    """Values ``fn`` reads from enclosing scopes (regions capture implicitly), in order."""
    defined = set(fn.invars)
    free: dict[Var, None] = {}
    for eqn in fn.eqns:
        for a in reads(eqn):
            if a not in defined:
                free[a] = None
        defined.update(eqn.outvars)
    for a in fn.outvars:
        if isinstance(a, Var) and a not in defined:
            free[a] = None
    return list(free)


def reads(eqn: Eqn) -> list[Var]:
    """Every value an equation reads: its operands and what its regions capture."""
    out = [a for a in eqn.invars if isinstance(a, Var)]
    for _, body in regions(eqn):
        out.extend(free_vars(body))
    callee = eqn.params.get("callee")
    if callee is not None:
        out.extend(callee.free)
    return out


def python_name(text: str, default: str = "t") -> str:
    """``text`` as a Python name that means itself: normalised as Python reads names
    (NFKC), each character a name cannot hold replaced by ``_``, a leading digit
    prefixed and a keyword suffixed with ``_``. Whatever ``text`` holds (a crafted
    ``__name__``, a dict key), the result is one identifier and nothing else."""
    text = unicodedata.normalize("NFKC", text)
    out = "".join(c if ("_" + c).isidentifier() else "_" for c in text) or default
    if not out.isidentifier():  # a leading digit (or mark)
        out = "_" + out
    if unicodedata.normalize("NFKC", out) != out or not out.isidentifier():
        out = "".join(c if c.isascii() and ("_" + c).isidentifier() else "_" for c in out)
        out = out if out.isidentifier() else "_" + out
    return out + "_" if keyword.iskeyword(out) else out


class Callee:
    """A function compiled once and called, rather than inlined: how recursion that
    ends on run-time values is compiled. Its body may call it again, so it is held by
    reference and filled in when its lowering ends."""

    def __init__(self, name: str) -> None:
        self.name = python_name(name, "fn")
        self.fn: Function | None = None
        self.free: list[Var] = []  # enclosing values the body reads
        self.skeleton: Any = None  # the structure of its result
        self.derived: dict[str, Any] = {}  # its forward/backward/tangent versions

    def define(self, fn: Function) -> None:
        self.fn = fn
        self.free = free_vars(fn)

    def __repr__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------- verifying


def verify(fn: Function) -> Function:
    """Check the SSA invariants, in region bodies too; raise ``IRVerificationError``
    with a window of IR around the offending equation."""
    _verify(fn, fn, set())
    return fn


def _verify(top: Function, fn: Function, outer: set[Var]) -> None:
    defined = set(outer)

    def fail(index: int, what: str) -> None:
        from .printer import pretty  # the printer reads this module's types
        lines = pretty(fn, comments=False).splitlines()
        lo, hi = max(0, index - 2), min(len(lines), index + 5)
        window = "\n".join(("--> " if i == index + 1 else "    ") + lines[i] for i in range(lo, hi))
        raise IRVerificationError(f"invalid IR in '{top.name}': {what}\n{window}",
                                  hint="this is a compiler bug; please report it with the function")

    for v in fn.invars:
        if v in defined:
            fail(-1, f"input {v!r} listed twice")
        defined.add(v)
    for i, eqn in enumerate(fn.eqns):
        for a in eqn.invars:
            if not isinstance(a, Var | Const):
                fail(i, f"operand {a!r} is neither a value nor a constant")
            if isinstance(a, Var) and a not in defined:
                fail(i, f"{a!r} used before it is defined")
        for _, body in regions(eqn):
            _verify(top, body, defined)
        if eqn.prim.n_out is not None and len(eqn.outvars) != eqn.prim.n_out:
            fail(i, f"'{eqn.prim.name}' must define {eqn.prim.n_out} values")
        for v in eqn.outvars:
            if v in defined:
                fail(i, f"{v!r} assigned twice (SSA)")
            defined.add(v)
    for a in fn.outvars:
        if isinstance(a, Var) and a not in defined:
            fail(len(fn.eqns), f"output {a!r} is never defined")


def substitute(eqns: Sequence[Eqn], mapping: Mapping[Var, Any]) -> list[Eqn]:
    """Equations reading ``mapping[v]`` wherever they read ``v`` (in regions too); a
    Python value in the mapping becomes a ``Const``."""
    if not mapping:
        return list(eqns)
    mapping = _as_atoms(mapping)
    return [substitute_eqn(e, mapping) for e in eqns]


def substitute_function(fn: Function, mapping: Mapping[Var, Any]) -> Function:
    return _substitute_function(fn, _as_atoms(mapping))


def substitute_eqn(eqn: Eqn, mapping: Mapping[Var, Atom]) -> Eqn:
    """``eqn`` reading ``mapping[v]`` for ``v`` (in its regions too), for a mapping of
    atoms: a pass that rewrites equations one by one while its mapping grows calls this
    per equation, at the cost of that equation, not of the mapping."""
    invars = tuple(mapping.get(a, a) if isinstance(a, Var) else a for a in eqn.invars)
    eqn = map_regions(eqn, lambda f: _substitute_function(f, mapping))
    return Eqn(eqn.outvars, eqn.prim, invars, eqn.params, eqn.loc)


def _substitute_function(fn: Function, mapping: Mapping[Var, Atom]) -> Function:
    return Function(fn.name, fn.invars, tuple(substitute_eqn(e, mapping) for e in fn.eqns),
                    tuple(mapping.get(a, a) if isinstance(a, Var) else a for a in fn.outvars),
                    fn.loc)


def _as_atoms(mapping: Mapping[Var, Any]) -> dict[Var, Atom]:
    return {k: v if isinstance(v, Var | Const) else Const(v) for k, v in mapping.items()}


def renamed(eqns: Sequence[Eqn], env: dict[Var, Atom]) -> list[Eqn]:
    """A copy of ``eqns`` reading ``env[v]`` for ``v`` and defining a fresh ``Var`` for
    every value they define, in regions too (``env`` records them): a program inlined
    twice, or inside one it was derived from, stays SSA and shares no values."""
    out = []
    for eqn in eqns:
        invars = tuple(env.get(a, a) if isinstance(a, Var) else a for a in eqn.invars)
        params = map_regions(eqn, lambda f: _renamed_function(f, env)).params
        outvars = tuple(_fresh(v, env) for v in eqn.outvars)
        out.append(Eqn(outvars, eqn.prim, invars, params, eqn.loc))
    return out


def _renamed_function(fn: Function, env: dict[Var, Atom]) -> Function:
    inner = dict(env)
    invars = tuple(_fresh(v, inner) for v in fn.invars)
    eqns = renamed(fn.eqns, inner)
    outvars = tuple(inner.get(a, a) if isinstance(a, Var) else a for a in fn.outvars)
    return Function(fn.name, invars, tuple(eqns), outvars, fn.loc)


def _fresh(v: Var, env: dict[Var, Atom]) -> Var:
    new = env[v] = Var(v.aval, v.hint, v.made_up)
    return new
