"""``distribute``: common factors taken out of sums, a multiplication fewer each.

Gradients meet sums of products wherever a value reaches the output along several
paths. A scaled seed (a mean's ``1/n``) gives ``k a + k b``; a value used twice gives
its adjoint ``g u + g v`` (``-a * a``: ``g (-a) - g a``), often inside a longer running
sum, ``b + g u - g v``. Each rewrite applies only where every product it removes is
read there alone (else it would be computed anyway) and the values keep their avals.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import replace

from ..ir import primitives as P
from ..ir.core import Atom, Aval, Const, Eqn, Function, Var, map_regions, reads, same_dtype
from .simplify import is_float_scalar, same_aval_values

SUMS = (P.add, P.sub)


def distribute(fn: Function) -> Function:
    """``k a + k b`` is ``k (a + b)`` for a scalar constant ``k``, also when ``k`` sits
    deeper in a product (``(k a) c`` is ``k (a c)``), and ``k a - k b``, ``-k a + k b``
    likewise; ``a + a`` is ``a * 2``; in a running sum, ``... + g u ... - g v`` is
    ``... + g (u - v) ...`` for any value ``g``."""
    uses = Counter(v for eqn in fn.eqns for v in reads(eqn))
    uses.update(a for a in fn.outvars if isinstance(a, Var))
    # a sum read once by another sum is a part of that longer sum, factored with it
    summed = {a for eqn in fn.eqns if eqn.prim in SUMS for a in eqn.invars
              if isinstance(a, Var) and uses[a] == 1}
    producers: dict[Var, Eqn] = {}
    eqns: list[Eqn] = []
    for eqn in fn.eqns:
        eqn = map_regions(eqn, distribute)
        factored = None
        if eqn.prim in SUMS:
            factored = _factor(eqn, producers, uses)
            if factored is None and eqn.outvars[0] not in summed:
                factored = _factor_sum(eqn, producers, uses)
        for new in factored or (eqn,):
            producers.update((v, new) for v in new.outvars)
            eqns.append(new)
    return replace(fn, eqns=tuple(eqns))


def _scaled(atom: Atom, producers: dict[Var, Eqn],
            uses: Counter) -> tuple[Const, Atom, list[Eqn]] | None:
    """``(k, a, eqns)`` if ``atom`` is ``k * a`` for a scalar float constant ``k`` and
    ``eqns`` computing ``a``, when every product on the way is read once."""
    eqn = producers.get(atom) if isinstance(atom, Var) else None
    if eqn is None or eqn.prim is not P.mul or uses[atom] != 1:
        return None
    for k, a in (eqn.invars, reversed(eqn.invars)):
        if is_float_scalar(k):
            return k, a, []
    for inner, other in (eqn.invars, reversed(eqn.invars)):
        found = _scaled(inner, producers, uses)
        if found is not None:
            k, a, made = found
            rest = Eqn((Var(atom.aval, ""),), P.mul, (a, other), {}, eqn.loc)
            if same_aval_values(P.mul.abstract_eval(rest.invars, {})[0], atom.aval):
                return k, rest.outvars[0], [*made, rest]
    return None


def _factor(eqn: Eqn, producers: dict[Var, Eqn], uses: Counter) -> list[Eqn] | None:
    a, b = eqn.invars
    if a is b and eqn.prim is P.add and isinstance(a, Var) and a.aval.is_float:
        doubled = Eqn(eqn.outvars, P.mul, (a, Const(2)), {}, eqn.loc)  # a + a is a * 2
        # but where NumPy 1.x computes a 0-d a * 2 in float64
        same = same_aval_values(P.mul.abstract_eval(doubled.invars, {})[0], eqn.outvars[0].aval)
        return [doubled] if same else None
    left, right = (_scaled(a, producers, uses) for a in eqn.invars)
    if left is None or right is None or type(left[0].value) is not type(right[0].value):
        return None
    (k, a, made_a), (k2, b, made_b) = left, right
    sign = 1 if eqn.prim is P.add else -1
    if k2.value * sign == k.value:
        inner_prim = P.add
    elif k2.value * sign == -k.value and k.value != 0:
        inner_prim = P.sub
    else:
        return None
    (aval,) = inner_prim.abstract_eval((a, b), {})
    if not same_aval_values(aval, eqn.outvars[0].aval):
        return None  # the sum must already have the result's dtype: True + True is True
    if k.value == 1:  # scales that cancel (0.5 a * 2 + 0.5 b * 2): the sum is all
        return [*made_a, *made_b, Eqn(eqn.outvars, inner_prim, (a, b), {}, eqn.loc)]
    inner = Eqn((Var(aval, ""),), inner_prim, (a, b), {}, eqn.loc)
    if not same_aval_values(P.mul.abstract_eval((k, inner.outvars[0]), {})[0],
                            eqn.outvars[0].aval):
        return None
    return [*made_a, *made_b, inner, Eqn(eqn.outvars, P.mul, (k, inner.outvars[0]), {}, eqn.loc)]


def _terms(eqn: Eqn, producers: dict[Var, Eqn], uses: Counter) -> list[tuple[int, Atom]]:
    """The running sum ``eqn`` ends as signed terms in order (``b + p - q``: ``[(1, b),
    (1, p), (-1, q)]``), through the sums read only by it."""
    terms: list[tuple[int, Atom]] = []
    pending: list[tuple[int, Atom | Eqn]] = [(1, eqn)]
    while pending:  # depth first, left to right, without recursion (sums run long)
        sign, item = pending.pop()
        if isinstance(item, Eqn):
            a, b = item.invars
            pending += [(sign if item.prim is P.add else -sign, b), (sign, a)]
            continue
        inner = producers.get(item) if isinstance(item, Var) else None
        if inner is not None and inner.prim in SUMS and uses[item] == 1:
            pending.append((sign, inner))
        else:
            terms.append((sign, item))
    return terms


def _factor_sum(eqn: Eqn, producers: dict[Var, Eqn], uses: Counter) -> list[Eqn] | None:
    """Pairs of terms ``g u``, ``g v`` of the running sum ``eqn`` ends, each product read
    only there and of the same aval, become one term ``g (u ± v)``, in the place of the
    first: every partial sum keeps its aval. The sum is then written out again."""
    terms = _terms(eqn, producers, uses)
    products = {a: producers[a] for _, a in terms if isinstance(a, Var) and uses[a] == 1
                and a in producers and producers[a].prim is P.mul}
    made: list[Eqn] = []
    while (pair := _pair(terms, products)) is not None:
        i, j, g, u, v = pair  # terms[i] is g u, terms[j] is g v
        (sign_i, first), (sign_j, _) = terms[i], terms[j]
        inner = Eqn((Var(_aval(P.add, u, v), ""),), P.add if sign_i == sign_j else P.sub,
                    (u, v), {}, eqn.loc)
        product = Eqn((Var(first.aval, ""),), P.mul, (g, inner.outvars[0]), {}, eqn.loc)
        made += [inner, product]
        products[product.outvars[0]] = product
        terms[i] = (sign_i, product.outvars[0])
        del terms[j]
    if not made or terms[0][0] < 0:
        return None  # nothing to factor, or a sum that would start with a negation
    total = terms[0][1]
    for sign, term in terms[1:-1]:
        partial = Eqn((Var(_aval(P.add, total, term), ""),), P.add if sign > 0 else P.sub,
                      (total, term), {}, eqn.loc)
        made.append(partial)
        total = partial.outvars[0]
    sign, last = terms[-1] if len(terms) > 1 else (1, None)
    if last is None:  # everything factored into one product
        if not same_aval_values(total.aval, eqn.outvars[0].aval):
            return None
        return [*made[:-1], replace(made[-1], outvars=eqn.outvars)]
    final = Eqn(eqn.outvars, P.add if sign > 0 else P.sub, (total, last), {}, eqn.loc)
    if not same_aval_values(_aval(final.prim, total, last), eqn.outvars[0].aval):
        return None
    return [*made, final]


def _pair(terms: list[tuple[int, Atom]],
          products: dict[Var, Eqn]) -> tuple[int, int, Var, Atom, Atom] | None:
    """The first two product terms ``g u`` and ``g v`` with a common factor ``g``, if
    ``u ± v`` rounds no coarser than the products did (a Python scalar's sum rounds in
    double precision)."""
    seen: dict[object, tuple[int, Atom, Atom]] = {}
    for j, (_, term) in enumerate(terms):
        eqn = products.get(term)
        if eqn is None:
            continue
        for factor, v in (eqn.invars, reversed(eqn.invars)):
            if _factor_key(factor) not in seen:
                continue
            i, g, u = seen[_factor_key(factor)]
            inner = _aval(P.add, u, v)
            if same_aval_values(terms[i][1].aval, term.aval) \
                    and (inner.weak or same_dtype(inner.dtype, term.aval.dtype)) \
                    and same_aval_values(_aval(P.mul, g, Var(inner)), term.aval):
                return i, j, g, u, v
        for g, u in (eqn.invars, reversed(eqn.invars)):
            if _factor_key(g) is not None:
                seen.setdefault(_factor_key(g), (j, g, u))
    return None


def _factor_key(atom: Atom) -> object:
    """What two equal factors share: the value, or a scalar float constant's number."""
    if isinstance(atom, Var):
        return atom
    return (type(atom.value), atom.value) if is_float_scalar(atom) else None


def _aval(prim: P.Primitive, a: Atom, b: Atom) -> Aval:
    return prim.abstract_eval((a, b), {})[0]
