"""The primitive registry: what each primitive computes, its result types and rules.

A primitive is named once with its reference implementation (``impl``: the NumPy
function, operator or ``reference`` helper that defines what it computes) and the
properties passes ask about (``elementwise``, ``allocates``, ``unique``, ``form``). It
carries no spelling: each backend says how it writes each primitive
(``backends.numpy.spellings``), and a test checks that the NumPy backend's spelling
runs this very ``impl``, so what the compiler folds and what generated code runs
cannot disagree. Derivative rules are registered beside it with ``defvjp``: one rule
per argument, cotangent first, then the result, then the primal arguments and params;
``None`` for an argument with no gradient. Rules build IR by calling primitives on
symbolic values, so a gradient program is itself made of primitives and can be
optimised, printed and differentiated again.

Each derivative is written once. ``defjvp`` rules are derived where they follow: from
the primitive itself where it is linear (``deflinear``), from the same seed-times-
partial rule as the VJP where it is elementwise (``defelementwise``, ``defpartials``).
A hand-written ``defjvp`` beside a ``defvjp`` says why it is not derived.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ...errors import AutodiffError, MissingRuleError
from .. import builder
from ..core import Atom, Aval, Var
from . import stand_ins

Rule = Callable[..., Any] | None
AvalRule = Callable[[Sequence[Atom], Mapping[str, Any]], Sequence[Aval]]

REGISTRY: dict[str, Primitive] = {}

# What a primitive's equation is, structurally. Passes and code generators branch on
# this, never on a name: ``apply`` computes its results from its operands; ``region``
# runs nested IR (if, for, while); ``call`` runs another compiled function;
# ``accumulate`` adds its second operand into its first, in place; ``check`` asserts
# (an effect: never removed); ``effect`` is a call made for what it does, not for a
# result (``print``: written as a statement, never removed, run on the forward pass);
# ``alias`` is its operand itself (``stop_gradient``).
FORMS = frozenset(["apply", "region", "call", "accumulate", "check", "effect", "alias"])


class Primitive:
    """One operation of the IR: what it computes (``impl``), its properties and rules.

    ``elementwise``: broadcasts its operands like a ufunc. ``allocates``: its result is
    a new array nothing else refers to (a constructor, ``sigmoid``), which generated
    code may overwrite once dead. ``unique``: each evaluation must be its own object
    (an array a running sum is accumulated into), so two are never merged. ``view``:
    its result may share memory with its first operand, so a write into one is seen
    through the other. ``cheap``: costs next to nothing to evaluate again (a view, a
    shape), so an adjoint recomputes it rather than keeping it on a tape.
    ``scalar_result``: a 0-d result is a NumPy scalar, as ufuncs, reductions and
    products give, not a 0-d array (``np.where``): ``+=`` on a name of it rebinds that
    name, where on a 0-d array it writes memory other names see; ``None``: whichever
    its first operand is (``astype`` of a scalar is a scalar, of an array an array).
    ``registered=False``: a backend's own primitive (numba's fused kernel), which exists
    only in the function that backend writes, so no pass or rule ever sees it.
    """

    def __init__(self, name: str, impl: Callable[..., Any], *, n_out: int | None = 1,
                 aval_rule: AvalRule | None = None, elementwise: bool = False,
                 foldable: bool = True, defaults: Mapping[str, Any] | None = None,
                 form: str = "apply", allocates: bool = False, unique: bool = False,
                 sizes: tuple[int, ...] = (), registered: bool = True) -> None:
        if form not in FORMS:
            raise ValueError(f"unknown form {form!r} of primitive '{name}'")
        self.name = name
        self.impl = impl
        self.n_out = n_out
        self.form = form
        self.elementwise = elementwise
        self.allocates = allocates
        self.unique = unique
        self.view = False
        self.cheap = False
        self.scalar_result = elementwise
        self.random = False  # draws from a random state: evaluating it twice differs
        self.writes: int | None = None  # an effect writing into this operand, in place
        self.refuses_derivatives = False  # (``refuse_derivatives``)
        self.aval_rule = aval_rule or (self._ufunc_avals if elementwise else self._eval_avals)
        self.foldable = foldable
        # operands whose values, not shapes, give the results' shapes (``np.zeros(n)``'s
        # n, ``np.repeat``'s repeats): computed at run time, those shapes are unknown
        self.sizes = sizes
        self.defaults = dict(defaults or {})  # params equal to these are left out
        # For queries answered by the aval alone (``shape(x)`` of a known shape).
        self.static_value: Callable[[Aval], Any] | None = None
        self.differentiable = True
        # observable beyond its results: never removed, moved or merged
        self.effect = form in ("check", "effect")
        self.vjp: Rules | None = None
        self.vjp_all: Callable[..., Any] | None = None  # multi-output rule: g is a tuple
        self.jvp: Rules | None = None
        self.jvp_all: Callable[..., Any] | None = None  # every output's tangent at once
        self.batch: Callable[..., Any] | None = None  # batching rule (``defbatch``)
        if not registered:  # a backend's own, between its ``prepare`` and its code
            return
        if name in REGISTRY:
            raise ValueError(f"primitive '{name}' registered twice")
        REGISTRY[name] = self

    def __call__(self, *args: Any, **params: Any) -> Any:
        return builder.current().bind(self, args, params)

    def __repr__(self) -> str:
        return f"Primitive({self.name})"

    def abstract_eval(self, args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
        out = list(self.aval_rule(args, params))
        return out if out else [Aval()] * self.n_out

    def _eval_avals(self, args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
        """Default: what NumPy gives on stand-ins of the operands (``stand_ins``)."""
        return stand_ins.eval_avals(self, args, params)

    def _ufunc_avals(self, args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
        """Broadcast shapes; the dtype NumPy gives on stand-ins of the operands
        (promotion alone says ``int / int`` and ``sin(int)`` are ints)."""
        (aval,) = _elementwise_avals(args, params)
        if aval.dtype is None:
            return [aval]
        stand_ins = [a.aval.stand_in() for a in args]
        try:
            with np.errstate(all="ignore"):
                dtype = np.asarray(self.impl(*stand_ins, **params)).dtype
        except Exception:  # the promoted dtype, as before
            return [aval]
        return [Aval(aval.shape, dtype, weak=aval.weak)]


def constructor(name: str, impl: Callable[..., Any], **kw: Any) -> Primitive:
    """A primitive that makes a new array (``zeros``, ``eye``, ``copy``): it allocates,
    and each evaluation is its own object, as a running sum may be accumulated into it."""
    return Primitive(name, impl, allocates=True, unique=True, **kw)


def method(name: str) -> Callable[..., Any]:
    """The implementation of a primitive that is a method of its first operand."""
    return lambda x, *args, **kw: getattr(x, name)(*args, **kw)


def attribute(name: str) -> Callable[[Any], Any]:
    """The implementation of a primitive that is an attribute of its operand."""
    return lambda x: getattr(x, name)


def identity(x: Any) -> Any:
    return x


def not_evaluated(*args: Any, **params: Any) -> Any:
    """The ``impl`` of regions, calls and checks: generated code runs them."""
    raise TypeError("control-flow regions are run by generated code, not evaluated")


def _elementwise_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    """Broadcast shapes; NumPy's promotion (with weak Python scalars) for the dtype."""
    avals = [a.aval for a in args]
    shape = None
    if all(a.shape is not None for a in avals):
        try:
            shape = np.broadcast_shapes(*(a.shape for a in avals))
        except ValueError:
            shape = None
    if not all(a.dtype is not None for a in avals):
        return [Aval(shape)]
    weak = all(a.weak for a in avals)
    dtype = np.result_type(*(a.stand_in() for a in avals))
    return [Aval(shape, dtype, weak=weak)]


def predicate_avals(args: Sequence[Atom], params: Mapping[str, Any]) -> list[Aval]:
    """Comparisons and logical functions: broadcast shapes, boolean dtype."""
    return [Aval(_elementwise_avals(args, params)[0].shape, np.dtype(np.bool_))]


# ---------------------------------------------------------------------------- rules


class PerOperand:
    """The rules of every operand from one position on, however many a variadic
    primitive (``concatenate``, ``einsum``) is given: ``rule_at(k)`` for the ``k``-th."""

    def __init__(self, rule_at: Callable[[int], Rule]) -> None:
        self.rule_at = rule_at
        self.made: dict[int, Rule] = {}

    def __getitem__(self, k: int) -> Rule:
        if k not in self.made:
            self.made[k] = self.rule_at(k)
        return self.made[k]


# Last in ``defvjp``/``defjvp``: the operands from here on (indices, arrays read only
# for their shapes) have no derivative, however many there are.
NONE_FOR_THE_REST = PerOperand(lambda k: None)


class Rules(tuple):
    """One rule (or ``None``: no derivative) per operand position; a ``PerOperand``
    last covers every position from there on. A position past the rules has no rule
    at all: ``rule_of`` refuses it rather than reading it as ``None``."""

    def __new__(cls, rules: tuple) -> Rules:
        tail = rules[-1] if rules and isinstance(rules[-1], PerOperand) else None
        made = super().__new__(cls, rules[:-1] if tail is not None else rules)
        made.tail = tail
        return made


def rule_of(rules: Rules | tuple, i: int, eqn: Any) -> Rule:
    """The rule of operand ``i``; an operand no rule covers raises (a variadic rule
    table too short would otherwise drop that operand's derivative without a word)."""
    if i < len(rules):
        return rules[i]
    tail = getattr(rules, "tail", None)
    if tail is not None:
        return tail[i - len(rules)]
    raise MissingRuleError(f"'{eqn.prim.name}' has no derivative rule for its operand {i}",
                           eqn.loc, hint="register one rule per operand (extend.defvjp, "
                                         "extend.defjvp), or a PerOperand for the rest")


def defvjp(prim: Primitive, *rules: Rule | PerOperand) -> None:
    """Register one VJP rule per argument: ``rule(g, ans, *args, **params)``; a
    ``PerOperand`` last gives the rules of all further arguments."""
    prim.vjp = Rules(rules)


def defjvp(prim: Primitive, *rules: Rule | PerOperand) -> None:
    """Register one JVP rule per argument: ``rule(t, ans, *args, **params)`` is that
    argument's contribution to the result's tangent; ``None`` contributes nothing; a
    ``PerOperand`` last gives the rules of all further arguments."""
    prim.jvp = Rules(rules)


def defbatch(prim: Primitive, rule: Callable[..., Any]) -> None:
    """Register the batching rule of ``prim``: ``rule(size, dims, *args, **params)``
    gets the operands, batched ones carrying a leading batch axis of ``size`` (``dims``
    says which), and returns what ``prim`` gives per example stacked along a leading
    axis (``ir.primitives.batching`` says more). Elementwise primitives need none."""
    prim.batch = rule


def deflinear(prim: Primitive, *positions: int, jointly: bool = False,
              rest_from: int | None = None) -> None:
    """Derive the JVP of ``prim`` from ``prim`` itself where it is linear.

    By default ``prim`` is linear in each argument at ``positions`` when the others are
    held fixed (``reshape`` in ``x``, ``matmul`` in either operand; not ``add``, which is
    affine): the tangent of one of them contributes ``prim`` applied to that tangent in
    its place. ``jointly``: linear in those arguments taken together (joining arrays,
    ``linspace`` in its end points, ``index_add`` in the array and the values added),
    so the tangent is ``prim`` applied once to the tangents, zeros in the places of
    arguments no tangent reaches: one call, where a sum of one call per tangent would
    make joining ``n`` arrays cost ``n`` joins. ``rest_from``: linear in every argument
    from that position on too, however many (a variadic primitive)."""
    def linear_in(j: int) -> bool:
        return j in positions or (rest_from is not None and j >= rest_from)

    if jointly:
        def joint_rule(ts, ans, *args, **params):
            if not any(t is not None for j, t in enumerate(ts) if linear_in(j)):
                return (None,)
            from .shape import zeros_like
            args = tuple(a if not linear_in(j) else zeros_like(a) if ts[j] is None
                         else ts[j] for j, a in enumerate(args))
            return (prim(*args, **params),)
        prim.jvp_all = joint_rule
        return

    def rule_at(i: int) -> Rule:
        def rule(t, ans, *args, **params):
            return prim(*args[:i], t, *args[i + 1:], **params)
        return rule
    n = max(positions, default=-1) + 1 if rest_from is None else rest_from
    rules = tuple(rule_at(i) if i in positions else None for i in range(n))
    rest = NONE_FOR_THE_REST if rest_from is None else \
        PerOperand(lambda k: rule_at(rest_from + k))  # the others are held fixed
    prim.jvp = Rules((*rules, rest))


def defvjp_all(prim: Primitive, rule: Callable[..., Any]) -> None:
    """Register one rule for a multi-output primitive: ``rule(gs, ans, *args, **params)``
    returns one cotangent (or None) per argument; ``gs`` has one entry per output."""
    prim.vjp_all = rule


def defjvp_all(prim: Primitive, rule: Callable[..., Any]) -> None:
    """Register the forward rule of a multi-output (or jointly linear) primitive:
    ``rule(ts, ans, *args, **params)`` returns one tangent (or None) per output; ``ts``
    holds one tangent (or None) per argument and ``ans`` the outputs."""
    prim.jvp_all = rule


# Variadic primitives (concatenate, einsum) take any number of operands; lists longer
# than this are joined in pieces (``coercion``), which keeps generated lines short.
MAX_OPERANDS = 64


def per_operand(rule_at: Callable[[int], Rule]) -> PerOperand:
    """The rules of a variadic primitive's operands, from where it stands in ``defvjp``
    on: ``rule_at(k)`` for the ``k``-th of them."""
    return PerOperand(rule_at)


def defelementwise(prim: Primitive, *rules: Rule, sum_unary: bool = False) -> None:
    """Register both rules of an elementwise primitive from one rule per argument.

    ``rule(d, ans, *args, **params)`` is a seed ``d`` times d ans / d arg, written the
    way the maths reads best (``d / x`` for ``log``, not ``d * (1 / x)``); ``None``: no
    derivative. The JVP is the rule applied to the tangent. The VJP is the rule applied
    to the cotangent, summed back to the argument's shape (``unbroadcast``) -- except
    for a primitive of one operand, whose cotangent already has that operand's shape,
    unless ``sum_unary``."""
    from .shape import unbroadcast

    def vjp(i: int, rule: Rule) -> Rule:
        if len(rules) == 1 and not sum_unary:
            return rule
        return lambda g, ans, *args, **kw: unbroadcast(rule(g, ans, *args, **kw), args[i])

    prim.vjp = Rules(tuple(None if r is None else vjp(i, r) for i, r in enumerate(rules)))
    prim.jvp = Rules(rules)


def defpartials(prim: Primitive, *partials: Rule) -> None:
    """``defelementwise`` from the partial derivatives themselves, when the product
    with the seed needs no better spelling than ``d * partial``.

    ``partial(ans, *args, **params)`` is d ans / d arg (``None``: no derivative), so a
    rule reads like the table of derivatives it comes from. The VJP of a one-operand
    primitive registered here still passes through ``unbroadcast`` (which then only
    matches dtypes): generated code has always read so, and dropping it is a change
    of the generated code of its own."""
    def times(partial: Rule) -> Rule:
        return lambda d, ans, *args, **kw: d * partial(ans, *args, **kw)

    defelementwise(prim, *(None if p is None else times(p) for p in partials),
                   sum_unary=True)


def declare(*prims: Primitive, **properties: bool) -> None:
    """Set declared properties (``view=True``, ``cheap=True``) of several primitives at
    once, where a property is best read as one list."""
    for prim in prims:
        for name, value in properties.items():
            if name not in ("view", "cheap"):
                raise ValueError(f"'{name}' is not a property declared in lists")
            setattr(prim, name, value)


def nondifferentiable(*prims: Primitive) -> None:
    """Outputs of these primitives never carry gradient (comparisons, shapes, ...)."""
    for prim in prims:
        prim.differentiable = False


def refuse_derivatives(prim: Primitive, message: str, hint: str) -> None:
    """A derivative through ``prim`` would be wrong, not zero: both rules raise an
    ``AutodiffError`` at the user's line being differentiated (the forward line)."""
    def refuse(*args: Any, **params: Any) -> Any:
        loc = builder.current().loc
        raise AutodiffError(message, None if loc is None else replace(loc, adjoint=False),
                            hint=hint)

    defvjp(prim, per_operand(lambda k: refuse))  # through every operand
    defjvp(prim, per_operand(lambda k: refuse))
    prim.refuses_derivatives = True  # (forward mode raises where the tangent is read)


# ---------------------------------------------------------------------------- operators


def _install_operators() -> None:
    """Give ``Var`` Python's arithmetic so rules read like the maths (``g * y``)."""
    from . import elementwise as E
    from .linalg import matmul

    def binary(prim: Primitive, reflected: bool = False) -> Callable[[Var, Any], Any]:
        if reflected:
            return lambda self, other: prim(other, self)
        return lambda self, other: prim(self, other)

    for name, prim in [("add", E.add), ("sub", E.sub), ("mul", E.mul), ("truediv", E.div),
                       ("pow", E.power), ("matmul", matmul), ("floordiv", E.floor_divide),
                       ("mod", E.mod)]:
        setattr(Var, f"__{name}__", binary(prim))
        setattr(Var, f"__r{name}__", binary(prim, reflected=True))
    for name, prim in [("lt", E.less), ("gt", E.greater), ("le", E.less_equal),
                       ("ge", E.greater_equal)]:
        setattr(Var, f"__{name}__", binary(prim))
    for name, prim in [("and", E.bitwise_and), ("or", E.bitwise_or), ("xor", E.bitwise_xor)]:
        setattr(Var, f"__{name}__", binary(prim))
        setattr(Var, f"__r{name}__", binary(prim, reflected=True))
    Var.__invert__ = lambda self: E.invert(self)
    Var.__neg__ = lambda self: E.neg(self)
    Var.__pos__ = lambda self: self
    Var.__abs__ = lambda self: E.abs_(self)
    Var.__array_ufunc__ = _array_ufunc
    Var.__array_function__ = _array_function
    Var.__bool__ = _no_truth_value


def _no_truth_value(self: Var) -> bool:
    """A run-time value has no truth value while compiling: code run then that asks
    for one (Python's ``max`` handed hidden run-time values) must fail, not take
    every such value as true."""
    raise TypeError("the truth value of a run-time value is not known when compiling")


def _array_ufunc(self: Var, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """``np.cos(x)`` on a symbolic value builds IR through the NumPy surface, so rules
    (and ``np.float32(2) * x``) may use NumPy functions on symbolic values."""
    if method != "__call__" or not builder.active():
        return NotImplemented
    return _surface_call(ufunc, inputs, kwargs)


def _array_function(self: Var, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
    if not builder.active():
        return NotImplemented
    return _surface_call(func, args, kwargs)


def _surface_call(func: Any, args: Any, kwargs: Any) -> Any:
    from .. import surface
    build = surface.lookup(func)
    if build is None:
        raise TypeError(f"{surface.display_name(func)} has no derivative rule")
    return build(*args, **kwargs)
