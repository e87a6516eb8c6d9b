"""Matrix products and contractions.

Adjoints of products depend on the operands' ranks (NumPy treats 1-D operands as
vectors, ``np.dot`` contracts the second-to-last axis of an N-D right operand). With
ranks known, the rules emit the specialised products; with ranks unknown they call
the ``*_vjp_*`` runtime helpers, which decide at run time. The helpers are bilinear,
so their own adjoints are a product and the other helper (grad of grad works).
The inverse and what is computed with it (``det``, ``solve``, ``cholesky``) are in
``inverses``.
"""
from __future__ import annotations

import operator

import numpy as np

from .. import reference as ref
from ..core import shape_known
from .core import (
    Primitive,
    deflinear,
    defvjp,
    per_operand,
)
from .reductions import reduce_sum
from .shape import (
    T,
    broadcast_to,
    expand_dims,
    ndim_of,
    reshape,
    shape_of,
    swapaxes,
    transpose,
    unbroadcast,
)

matmul = Primitive("matmul", operator.matmul)
outer = Primitive("outer", np.outer)
matmul_vjp_x = Primitive("matmul_vjp_x", ref.matmul_vjp_x)
matmul_vjp_y = Primitive("matmul_vjp_y", ref.matmul_vjp_y)
dot = Primitive("dot", np.dot)
dot_vjp_a = Primitive("dot_vjp_a", ref.dot_vjp_a)
dot_vjp_b = Primitive("dot_vjp_b", ref.dot_vjp_b)
vdot = Primitive("vdot", np.vdot)
inner = Primitive("inner", np.inner)
tensordot = Primitive("tensordot", np.tensordot, defaults={"axes": 2})
tensordot_vjp_a = Primitive("tensordot_vjp_a", ref.tensordot_vjp_a, defaults={"axes": 2})
tensordot_vjp_b = Primitive("tensordot_vjp_b", ref.tensordot_vjp_b, defaults={"axes": 2})
einsum = Primitive("einsum", np.einsum)
for _prim in (matmul, dot, vdot, inner, einsum):
    _prim.scalar_result = True  # a full contraction is a NumPy scalar (not tensordot's)


def may_be_complex(x) -> bool:
    """``x``'s dtype is complex, or known only when the program runs."""
    dtype = getattr(getattr(x, "aval", None), "dtype", None)
    return dtype is None or dtype.kind == "c"


def swap_last(a):
    """Swap the last two axes: ``a.T`` for a matrix."""
    return T(a) if ndim_of(a) == 2 else swapaxes(a, -1, -2)


# ---------------------------------------------------------------------------- matmul


def _vjp_matmul_x(g, ans, x, y):
    nx, ny = ndim_of(x), ndim_of(y)
    if nx is None or ny is None:
        return matmul_vjp_x(g, x, y)
    if ny == 1:  # (..., n, k) @ (k,) -> (..., n)
        return unbroadcast(expand_dims(g, axis=-1) * y if nx > 1 else g * y, x)
    if nx == 1:  # (k,) @ (..., k, m) -> (..., m)
        if ny == 2:
            return unbroadcast(y @ g, x)
        return unbroadcast(reduce_sum(y * expand_dims(g, axis=-2), axis=-1), x)
    return unbroadcast(g @ swap_last(y), x)


def _vjp_matmul_y(g, ans, x, y):
    nx, ny = ndim_of(x), ndim_of(y)
    if nx is None or ny is None:
        return matmul_vjp_y(g, x, y)
    if nx == 1:  # (k,) @ (..., k, m) -> (..., m)
        if ny == 2:
            return unbroadcast(outer(x, g), y)
        return unbroadcast(expand_dims(x, axis=-1) * expand_dims(g, axis=-2) if ny > 1
                           else g * x, y)
    if ny == 1:  # (..., n, k) @ (k,) -> (..., n)
        return unbroadcast(g @ x if nx == 2 else expand_dims(g, axis=-1) * x, y)
    return unbroadcast(swap_last(x) @ g, y)


defvjp(matmul, _vjp_matmul_x, _vjp_matmul_y)
# The helpers are bilinear: their adjoints are a product and the other helper.
defvjp(matmul_vjp_x, lambda h, ans, g, x, y: broadcast_to(h @ y, shape_of(g)), None,
                     lambda h, ans, g, x, y: matmul_vjp_y(g, h, y))
defvjp(matmul_vjp_y, lambda h, ans, g, x, y: broadcast_to(x @ h, shape_of(g)),
                     lambda h, ans, g, x, y: matmul_vjp_x(g, x, h), None)
# np.outer flattens its operands: (m,) x (n,) -> (m, n) after ravel.
defvjp(outer, lambda g, ans, x, y: reshape(g @ reshape(y, -1), shape_of(x)),
              lambda g, ans, x, y: reshape(reshape(x, -1) @ g, shape_of(y)))

deflinear(matmul, 0, 1)
deflinear(outer, 0, 1)
deflinear(matmul_vjp_x, 0, 2)
deflinear(matmul_vjp_y, 0, 1)

# ---------------------------------------------------------------------------- tensordot


def _contracted(na: int, nb: int, axes) -> tuple[list[int], list[int]]:
    """``np.tensordot``'s axes as two lists of non-negative axes."""
    if isinstance(axes, int):
        return list(range(na - axes, na)), list(range(axes))
    a, b = ([ax] if isinstance(ax, int) else list(ax) for ax in axes)
    return [ax % na for ax in a], [ax % nb for ax in b]


def _in_order(out, perm):
    return out if perm == sorted(perm) else transpose(out, axes=tuple(np.argsort(perm).tolist()))


def _vjp_tensordot_a(g, ans, a, b, axes=2):
    na, nb = ndim_of(a), ndim_of(b)
    if na is None or nb is None:
        return tensordot_vjp_a(g, a, b, axes=axes)
    ca, cb = _contracted(na, nb, axes)
    free_a = [i for i in range(na) if i not in ca]
    free_b = [i for i in range(nb) if i not in cb]
    out = tensordot(g, b, axes=(tuple(range(len(free_a), len(free_a) + len(free_b))),
                                tuple(free_b)))
    return unbroadcast(_in_order(out, free_a + [ca[cb.index(j)] for j in sorted(cb)]), a)


def _vjp_tensordot_b(g, ans, a, b, axes=2):
    na, nb = ndim_of(a), ndim_of(b)
    if na is None or nb is None:
        return tensordot_vjp_b(g, a, b, axes=axes)
    ca, cb = _contracted(na, nb, axes)
    free_a = [i for i in range(na) if i not in ca]
    free_b = [i for i in range(nb) if i not in cb]
    out = tensordot(a, g, axes=(tuple(free_a), tuple(range(len(free_a)))))
    return unbroadcast(_in_order(out, [cb[ca.index(i)] for i in sorted(ca)] + free_b), b)


defvjp(tensordot, _vjp_tensordot_a, _vjp_tensordot_b)
defvjp(tensordot_vjp_a, lambda h, ans, g, a, b, axes=2: tensordot(h, b, axes=axes), None,
                        lambda h, ans, g, a, b, axes=2: tensordot_vjp_b(g, h, b, axes=axes))
defvjp(tensordot_vjp_b, lambda h, ans, g, a, b, axes=2: tensordot(a, h, axes=axes),
                        lambda h, ans, g, a, b, axes=2: tensordot_vjp_a(g, a, h, axes=axes), None)
deflinear(tensordot, 0, 1)
deflinear(tensordot_vjp_a, 0, 2)
deflinear(tensordot_vjp_b, 0, 1)

# ---------------------------------------------------------------------------- dot, inner, vdot
# np.dot is matmul for operands of rank 1 or 2, a product with a scalar, and otherwise
# a tensordot over the last axis of a and the second-to-last of b.


def _dot_axes(na: int, nb: int):
    return ((na - 1,), (0 if nb == 1 else nb - 2,))


def _vjp_dot_a(g, ans, a, b):
    na, nb = ndim_of(a), ndim_of(b)
    if na is None or nb is None:
        return dot_vjp_a(g, a, b)
    if na == 0 or nb == 0:
        return unbroadcast(g * b, a)
    if na <= 2 and nb <= 2:
        return _vjp_matmul_x(g, ans, a, b)
    return _vjp_tensordot_a(g, ans, a, b, _dot_axes(na, nb))


def _vjp_dot_b(g, ans, a, b):
    na, nb = ndim_of(a), ndim_of(b)
    if na is None or nb is None:
        return dot_vjp_b(g, a, b)
    if na == 0 or nb == 0:
        return unbroadcast(g * a, b)
    if na <= 2 and nb <= 2:
        return _vjp_matmul_y(g, ans, a, b)
    return _vjp_tensordot_b(g, ans, a, b, _dot_axes(na, nb))


def _inner_axes(a, b):
    na, nb = ndim_of(a), ndim_of(b)
    return ((-1,), (-1,)) if na is None or nb is None else ((na - 1,), (nb - 1,))


def _vjp_inner(i):
    """np.inner is a product with a scalar, or a tensordot over both last axes."""
    def rule(g, ans, a, b):
        x, other = (a, b) if i == 0 else (b, a)
        if ndim_of(a) == 0 or ndim_of(b) == 0:
            return unbroadcast(g * other, x)
        vjp = _vjp_tensordot_a if i == 0 else _vjp_tensordot_b
        return vjp(g, ans, a, b, _inner_axes(a, b))
    return rule


defvjp(dot, _vjp_dot_a, _vjp_dot_b)
defvjp(dot_vjp_a, lambda h, ans, g, a, b: dot(h, b), None,
                  lambda h, ans, g, a, b: dot_vjp_b(g, h, b))
defvjp(dot_vjp_b, lambda h, ans, g, a, b: dot(a, h),
                  lambda h, ans, g, a, b: dot_vjp_a(g, a, h), None)
defvjp(inner, _vjp_inner(0), _vjp_inner(1))
# np.vdot flattens both operands (of equal size) and sums conj(a) b: a's cotangent is
# conj(g b) (the transpose of conj, conj), b's g conj(a).


def _conj_if_complex(x):
    from .elementwise import conj
    return conj(x) if may_be_complex(x) else x


defvjp(vdot, lambda g, ans, a, b: unbroadcast(reshape(_conj_if_complex(g * b), shape_of(a)), a),
             lambda g, ans, a, b: unbroadcast(reshape(g * _conj_if_complex(a), shape_of(b)), b))
for _bilinear in (dot, inner, vdot):
    deflinear(_bilinear, 0, 1)
deflinear(dot_vjp_a, 0, 2)
deflinear(dot_vjp_b, 0, 1)

# ---------------------------------------------------------------------------- einsum
# einsum(subscripts, *operands) with explicit output ("ij,jk->ik"); lowering of the
# user's call makes implicit outputs explicit. The adjoint of an operand is another
# einsum of the cotangent with the other operands, producing that operand's
# subscripts; letters it alone sums over get a ones vector, and a repeated letter
# (a diagonal, "ii") gets a boolean identity that puts the result on the diagonal.

_FRESH = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def explicit_subscripts(subscripts: str, ranks: list[int | None]) -> str:
    """``np.einsum`` subscripts with an explicit output (``"ij,jk"`` is ``"ij,jk->ik"``)
    and, when the operands' ranks are known, the ellipsis spelled out in letters."""
    subscripts = subscripts.replace(" ", "")
    ins, _, out = subscripts.partition("->")
    if "->" not in subscripts:
        letters = ins.replace(",", "").replace(".", "")
        out = ("..." if "..." in ins else "") + "".join(
            sorted(c for c in set(letters) if letters.count(c) == 1))
    parts = ins.split(",")
    if "..." not in subscripts or any(r is None for r in ranks):
        return ",".join(parts) + "->" + out
    spare = iter(c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in subscripts)
    extra = [r - len(p.replace("...", "")) for p, r in zip(parts, ranks)]
    width = max(n for p, n in zip(parts, extra) if "..." in p)
    batch = "".join(next(spare) for _ in range(width))
    parts = [p.replace("...", batch[width - n:]) for p, n in zip(parts, extra)]
    return ",".join(parts) + "->" + out.replace("...", batch)


def einsum_parts(subscripts: str) -> tuple[list[str], str]:
    ins, out = subscripts.replace(" ", "").split("->")
    return ins.split(","), out


def _vjp_einsum_at(i: int):
    def rule(g, ans, subscripts, *operands):
        from .constructors import eye
        from .shape import dim_of, ones, ones_like
        ins, out = einsum_parts(subscripts)
        x, own = operands[i], ins[i]
        specs, args = [out], [g]
        for j, (spec, op) in enumerate(zip(ins, operands)):
            if j != i:
                specs.append(spec)
                args.append(op)
        seen = set("".join(specs))
        unused = iter(c for c in _FRESH if c not in subscripts)
        target = ""
        for pos, letter in enumerate(own.replace("...", ".")):
            if letter == ".":
                if "." not in seen:
                    specs.append(own)
                    args.append(ones_like(x, dtype=np.bool_))
                    seen.add(".")
                target += "..."
            elif letter in target:  # a diagonal: a fresh letter, tied by an identity
                fresh = next(unused)
                specs.append(letter + fresh)
                args.append(eye(dim_of(x, _axis(own, pos)), dtype=np.bool_))
                target += fresh
            else:
                if letter not in seen:
                    specs.append(letter)
                    args.append(ones(dim_of(x, _axis(own, pos)), dtype=np.bool_))
                    seen.add(letter)
                target += letter
        if "." in seen and "..." not in target:
            # NumPy cannot sum over an ellipsis: keep its axes, unbroadcast sums them
            target = "..." + target
        if "..." in own and not target.startswith("..."):
            return _fill_broadcast_axes(
                _unbroadcast_inner_ellipsis(",".join(specs), target, args, x), x)
        return _fill_broadcast_axes(
            unbroadcast(einsum(",".join(specs) + "->" + target, *args), x), x)
    return rule


def _fill_broadcast_axes(g, x):
    """``g`` broadcast to ``x``'s shape: a letter whose axis is 1 in every other operand
    and longer in ``x`` (``"i,i->"`` of shapes (1,) and (3,)) is NumPy's broadcast, and
    the einsum giving ``x``'s cotangent leaves that axis 1."""
    gs, xs = shape_known(g), shape_known(x)
    if gs is None or xs is None or tuple(gs) == tuple(xs):
        return g  # (shapes known at run time only: ``unbroadcast`` broadcasts there)
    return broadcast_to(g, xs)


def _unbroadcast_inner_ellipsis(specs: str, target: str, args: list, x):
    """The cotangent of an operand whose ellipsis (of unknown rank: shape-generic code)
    stands after some of its letters (``"j...k"``). The ellipsis of the einsum's result
    spans every operand's, and ``unbroadcast`` sums leading axes: so the result is
    computed with its ellipsis first, summed down to ``x`` with its leading letters
    moved to the end, and those moved back."""
    from .shape import moveaxis
    before, after = target.split("...")
    p, q = len(before), len(after)
    front, back = tuple(range(p)), tuple(range(-(p + q), -q))
    moved = unbroadcast(einsum(specs + "->..." + before + after, *args),
                        moveaxis(x, front, back))
    return moveaxis(moved, back, front)


def _axis(spec: str, pos: int) -> int:
    """The axis of the letter at ``pos`` of ``spec`` (with "..." shortened to ".")."""
    compact = spec.replace("...", ".")
    if "." not in compact[:pos]:
        return pos
    return pos - len(compact)  # after an ellipsis: count from the end


defvjp(einsum, None, per_operand(_vjp_einsum_at))
deflinear(einsum, rest_from=1)
