"""Batching rules of the primitives that compute on arrays (``defbatch``).

A batched value carries its batch axis first: the per-example value of shape ``s`` is
an array of shape ``(B,) + s``. A rule ``rule(size, dims, *args, **params)`` receives
the operands (``dims[i]``: whether ``args[i]`` is batched) and returns the per-example
results stacked along a new leading axis. One place (``ad.batching``) calls them;
these rules only rewrite axes and operand ranks so that the primitive itself, applied
once to the whole batch, computes every example at once.

Where a rule follows from a declared property it is derived, not written:
``elementwise`` primitives broadcast, so a batched operand of per-example rank ``r``
inside a result of rank ``R`` only needs ``R - r`` unit axes after its batch axis
(``lift``); unbatched operands broadcast from the right as they are. A case a rule does
not cover raises ``NotBatchableError``; the transform then evaluates that one equation per
example in a loop, which is slower but never wrong. A result that is the same for
every example (an array's per-example shape) is returned wrapped in ``Unbatched``.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..core import Var, ndim_of
from . import constructors as K
from . import control as C
from . import effects as EF
from . import elementwise as E
from . import indexing as I
from . import reductions as R
from . import scalars as SC
from .core import defbatch

S = sys.modules[__package__ + ".shape"]  # the package's ``shape`` is the primitive


class NotBatchableError(Exception):
    """This case has no vectorised rule: evaluate the equation per example."""


class Unbatched:
    """A rule's result that is the same for every example (not stacked)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def rank(x: Any, batched: bool) -> int:
    """The per-example rank of an operand (known ranks only)."""
    n = ndim_of(x)
    if n is None:
        raise NotBatchableError
    return n - int(batched)


def example_shape(x: Any, batched: bool) -> tuple[int, ...]:
    shape = x.aval.shape if isinstance(x, Var) else np.shape(x)
    if shape is None:
        raise NotBatchableError
    return tuple(shape[1:] if batched else shape)


def lift(x: Any, to_rank: int) -> Any:
    """A batched ``x`` with unit axes after its batch axis up to per-example rank
    ``to_rank``, so it broadcasts against per-example values of that rank."""
    missing = to_rank - rank(x, True)
    return x if missing <= 0 else S.expand_dims(x, tuple(range(1, 1 + missing)))


def broadcast_batch(x: Any, size: int) -> Any:
    """An unbatched ``x`` given the batch axis (every example the same value); of a
    shape known at run time only (a loop's carry through a slice at its index), to
    ``(size, *x.shape)`` made then."""
    if isinstance(x, Var) and x.aval.shape is None and x.aval.dtype != np.dtype(object):
        from .control import join_tuples
        return S.broadcast_to(x, join_tuples((size,), S.shape(x)))
    return S.broadcast_to(x, (size, *example_shape(x, False)))


def _shift(axis: Any) -> Any:
    """A per-example axis (or tuple of them) on the batched value: non-negative axes
    move one right; negative ones count from the end and stay."""
    if isinstance(axis, tuple | list):
        return tuple(_shift(a) for a in axis)
    if not isinstance(axis, int | np.integer):
        raise NotBatchableError
    return axis + 1 if axis >= 0 else axis


def _all_batched(size: int, dims: tuple, args: tuple) -> list[Any]:
    return [a if d else broadcast_batch(a, size) for a, d in zip(args, dims)]


def elementwise_rule(prim: Any) -> Any:
    """The batching rule every elementwise primitive has: align ranks and apply it."""
    def rule(size, dims, *args, **params):
        if sum(dims) == 1 and all(ndim_of(a) == 0 for a, d in zip(args, dims) if not d):
            return prim(*args, **params)  # one batched operand among scalars: as it is
        top = max(rank(a, d) for a, d in zip(args, dims))
        return prim(*(lift(a, top) if d else a for a, d in zip(args, dims)), **params)
    return rule


# ---------------------------------------------------------------------------- reductions


def _reduction(prim: Any, flatten_none: bool = False) -> Any:
    """``axis`` shifted past the batch axis; ``axis=None`` (everything) is every axis
    but the batch axis, or for ``flatten_none`` primitives (argmax, cumsum), and where
    the examples' rank is known only at run time, the axis of the per-example values
    flattened."""
    def rule(size, dims, x, *rest, axis=None, **params):
        if any(dims[1:]):
            raise NotBatchableError
        if axis is None and ndim_of(x) is None and not rest and not params.get("keepdims"):
            # each example's rank known at run time only: its values, flattened (the
            # result's shape said, as a reduction of an unknown shape has none)
            return S.reshape(prim(S.reshape(x, (size, -1)), axis=1, **params), (size,))
        if axis is None:
            r = rank(x, True)
            if flatten_none or prim in (R.norm,):
                if params.get("keepdims"):
                    raise NotBatchableError
                return prim(S.reshape(x, (size, -1)), *rest, axis=1, **params)
            return prim(x, *rest, axis=tuple(range(1, r + 1)), **params)  # () for 0-d
        if prim is R.norm and isinstance(axis, tuple) and len(axis) > 2:
            raise NotBatchableError
        return prim(x, *rest, axis=_shift(axis), **params)
    return rule


for _prim in (R.reduce_sum, R.reduce_mean, R.reduce_prod, R.reduce_max, R.reduce_min,
              R.reduce_all, R.reduce_any, R.var, R.std, R.norm):
    defbatch(_prim, _reduction(_prim))
for _prim in (R.cumsum, R.cumprod, I.argmax, I.argmin):
    defbatch(_prim, _reduction(_prim, flatten_none=True))


def _sorting(prim: Any) -> Any:
    def rule(size, dims, x, *rest, axis=-1, **params):
        if any(dims[1:]) or axis is None:
            raise NotBatchableError
        return prim(x, *rest, axis=_shift(axis), **params)
    return rule


for _prim in (I.sort, I.argsort, I.argpartition):
    defbatch(_prim, _sorting(_prim))


def _trace(size, dims, x, offset=0, axis1=0, axis2=1):
    return R.trace(x, offset=offset, axis1=_shift(axis1), axis2=_shift(axis2))


defbatch(R.trace, _trace)

# ---------------------------------------------------------------------------- shapes


def _reshape(size, dims, x, shape, *rest, **params):
    if any(dims[1:]) or rest:
        raise NotBatchableError
    shape = tuple(shape) if isinstance(shape, tuple | list) else (shape,)
    if not all(isinstance(n, int | np.integer) for n in shape):
        raise NotBatchableError
    return S.reshape(x, (size, *shape), **params)


def _broadcast_to(size, dims, x, shape):
    if dims[1] or not isinstance(shape, tuple | int):
        raise NotBatchableError
    shape = shape if isinstance(shape, tuple) else (shape,)
    return S.broadcast_to(lift(x, len(shape)), (size, *shape))


def _expand_dims(size, dims, x, axis):
    return S.expand_dims(x, _shift(axis))


def _squeeze(size, dims, x, axis=None):
    if axis is None:
        axis = tuple(i for i, n in enumerate(example_shape(x, True)) if n == 1)
    return S.squeeze(x, axis=_shift(axis))


def _transpose(size, dims, x, axes=None):
    r = rank(x, True)
    axes = tuple(reversed(range(r))) if axes is None else tuple(a % r for a in axes)
    return S.transpose(x, axes=(0, *(a + 1 for a in axes)))


def _reversed_axes(size, dims, x):
    return _transpose(size, dims, x)


def _swapaxes(size, dims, x, axis1, axis2):
    return S.swapaxes(x, _shift(axis1), _shift(axis2))


def _moveaxis(size, dims, x, source, destination):
    return S.moveaxis(x, _shift(source), _shift(destination))


def _joining(prim: Any) -> Any:
    def rule(size, dims, *arrays, axis=0):
        if axis is None:
            raise NotBatchableError
        return prim(*_all_batched(size, dims, arrays), axis=_shift(axis))
    return rule


def _flip(size, dims, x, axis=None):
    if axis is None:
        axis = tuple(range(rank(x, True)))
    return S.flip(x, axis=_shift(axis))


def _roll(size, dims, x, shift, axis=None):
    if dims[1] or axis is None:
        raise NotBatchableError
    return S.roll(x, shift, axis=_shift(axis))


def _triangle(prim: Any) -> Any:
    def rule(size, dims, x, k=0):
        if rank(x, True) < 2:
            raise NotBatchableError
        return prim(x, k=k)
    return rule


def _same(prim: Any, at_least: int = 0) -> Any:
    """A primitive acting on the last axes (or elementwise on one operand): applied to
    the batch as it is, when only its first operand is batched."""
    def rule(size, dims, x, *rest, **params):
        if any(dims[1:]) or (at_least and rank(x, True) < at_least):
            raise NotBatchableError
        return prim(x, *rest, **params)
    return rule


def _unbroadcast(size, dims, g, x):
    """``g`` summed to ``x``'s shape, example by example: with the batch axis moved
    last on both, the runtime helper sums the same axes (it counts from the end)."""
    if dims[1]:
        like = S.moveaxis(x, 0, -1)
    else:
        dtype = x.aval.dtype if isinstance(x, Var) else np.result_type(x)
        like = S.zeros((*example_shape(x, False), size), dtype)
    g = S.moveaxis(g, 0, -1) if dims[0] else E.mul(S.expand_dims(g, -1), S.ones(size))
    return S.moveaxis(S.unbroadcast_to(g, like), -1, 0)


def _unbatched(prim: Any) -> Any:
    """Queries whose answer is the same for every example (a dtype)."""
    def rule(size, dims, *args, **params):
        return Unbatched(prim(*args, **params))
    return rule


def _shape(size, dims, x):
    return Unbatched(example_shape(x, True))


def _ndim(size, dims, x):
    return Unbatched(rank(x, True))


def _size(size, dims, x):
    return Unbatched(int(np.prod(example_shape(x, True), dtype=np.int64)))


for _prim, _rule in [(S.reshape, _reshape), (S.broadcast_to, _broadcast_to),
                     (S.expand_dims, _expand_dims), (S.squeeze, _squeeze),
                     (S.transpose, _transpose), (S.T, _reversed_axes), (S.swapaxes, _swapaxes),
                     (S.moveaxis, _moveaxis), (S.concatenate, _joining(S.concatenate)),
                     (S.stack, _joining(S.stack)), (S.flip, _flip), (S.roll, _roll),
                     (S.triu, _triangle(S.triu)), (S.tril, _triangle(S.tril)),
                     (S.shape, _shape), (S.ndim, _ndim), (S.size, _size),
                     (S.dtype, _unbatched(S.dtype)), (S.unbroadcast_to, _unbroadcast),
                     (S.result_type, _unbatched(S.result_type))]:
    defbatch(_prim, _rule)
for _prim in (S.astype, S.astype_discrete, S.stop_gradient, S.ones_like,
              K.full_like, C.zeros_like_tape, C.reversed_tape):
    defbatch(_prim, _same(_prim))


def _zeros_like(size, dims, x, **params):
    """Zeros of the batch's shape, made without reading ``x`` where that shape is known.
    ``x`` may be a stand-in on some examples' path (a residual an ``if`` builds on the
    other path only: ``None`` given a batch axis), whose zero cotangent an adjoint's
    branch still makes; the select that merges the branches' results needs it of the
    value's shape, which the stand-in's is not (fuzz seed 940817)."""
    aval = x.aval if isinstance(x, Var) else None
    if aval is None or not aval.known or aval.weak or params.get("dtype") is not None:
        return _same(S.zeros_like)(size, dims, x, **params)
    return S.zeros(aval.shape, aval.dtype)


defbatch(S.zeros_like, _zeros_like)
# element by element: a batched list's elements carry the batch axis first, which an
# unbatched one's (the examples' shared rows) broadcast against
defbatch(C.add_tapes, lambda size, dims, a, b: C.add_tapes(a, b))
# rows (an inner vmap's, a Jacobian's basis's) each carrying the batch axis first:
# stacked, the rows' axis comes first, and the batch axis is moved back in front
defbatch(S.stack_rows, lambda size, dims, rows: S.moveaxis(S.stack_rows(rows), 1, 0))
defbatch(S.unstack_rows, lambda size, dims, x: S.unstack_rows(S.moveaxis(x, 0, 1)))
defbatch(S.copy, lambda size, dims, x, **params: (S.copy(x) if not params
                                                   else _raise()))
# ---------------------------------------------------------------------------- truth values


def _truth(prim: Any) -> Any:
    def rule(size, dims, *args):
        top = max(rank(a, d) for a, d in zip(args, dims))
        return prim(*(lift(a, top) if d else a for a, d in zip(args, dims)))
    return rule


defbatch(C.truth_and, _truth(E.logical_and))
defbatch(C.truth_or, _truth(E.logical_or))
defbatch(C.truth_not, _truth(E.logical_not))
defbatch(C.truth, _truth(lambda x: E.not_equal(x, 0)))


def _match_complex(size, dims, v, x):
    """The value is ``v``'s; ``x`` is read for its dtype, which every example shares."""
    matched = E.match_complex(v, x)
    return matched if dims[0] else Unbatched(matched)


defbatch(E.match_complex, _match_complex)


def _check(size, dims, test, *rest, **params):
    if any(dims[1:]):
        raise NotBatchableError
    return Unbatched(C.check(R.reduce_all(test), *rest, **params))


def _format_text(size, dims, template, *values, batch_axes=()):
    """An f-string of batched values under ``vmap`` (an assert's or a print's message)
    shows each value with its batch axes: one text for the whole batch, a format spec
    applied to each example's number."""
    axes = [*batch_axes, *[0] * (len(values) - len(batch_axes))]
    return Unbatched(SC.format_batch(template, *values,
                                     batch_axes=tuple(k + int(d) for k, d in zip(axes, dims[1:]))))


def _print(size, dims, *values, **params):
    """``print`` under ``vmap`` prints each value as it is, the batched ones with their
    batch axis: one print per call, as the program runs once for the whole batch."""
    return Unbatched(C.print_(*values, **params))


def _assign(size, dims, target, value):
    """Writing a batched value into a Parameter (a BatchNorm's moving statistics while
    training): no example's value is the one to keep."""
    from ...errors import AutodiffError
    raise AutodiffError("vmap of a write into a Parameter (ops.assign; a BatchNorm "
                        "updating its moving statistics while training) is not supported",
                        hint="call set_train(False) on the network, or map outside vmap")


def _random_draws(prim):
    def rule(size, dims, shape):
        """A draw per example: one draw of ``(size, *shape)``, which takes the same
        numbers from the random state as ``size`` draws of ``shape`` one after the other."""
        if not isinstance(shape, tuple) or not all(isinstance(n, int) for n in shape):
            raise NotBatchableError
        return prim((size, *shape))
    return rule


def _report(size, dims, fn, *values, sets=None):
    """A log runs once per example, with that example's values (the examples one at a
    time: a format such as "%.4f" is written for one). (``vmap`` refuses a function
    setting attributes before batching it: ``ad.batching``.)"""
    raise NotBatchableError


def _add_into(size, dims, acc, x):
    if not dims[0]:
        return E.add(acc, lift(x, rank(acc, False)))
    return C.add_into(acc, lift(x, rank(acc, True)) if dims[1] else x)


defbatch(C.add_into, _add_into)


def _raise() -> Any:
    raise NotBatchableError


defbatch(C.check, _check)
defbatch(SC.format_text, _format_text)
defbatch(SC.format_batch, _format_text)
defbatch(C.print_, _print)
defbatch(EF.report, _report)
defbatch(EF.assign, _assign)
defbatch(EF.random_uniform, _random_draws(EF.random_uniform))
defbatch(EF.random_normal, _random_draws(EF.random_normal))
defbatch(EF.written, _same(EF.written))

# the rules of products, linear algebra and indexing, registered on import
from . import batching_products as _products  # noqa: E402,F401
