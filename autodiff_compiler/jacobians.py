"""Jacobians and Hessians: ``jacfwd``, ``jacrev`` (MindSpore 2.x), ``hessian`` and ``hvp``.

Each is one compiled program: ``jacrev`` is the reverse-mode (``vjp``) program batched
(``ad.batching``) over the rows of the identity as cotangents, ``jacfwd`` the
forward-mode (``jvp``) program batched over the identity's columns as tangents, and
``hessian`` is ``jacfwd(jacrev(f))``, forward over reverse. A Jacobian function has
``__lower_call__`` as ``grad`` has: inside a compiled function it is inlined, so
``jacfwd(jacrev(f))``, ``jacrev(jacrev(f))`` and ``vmap(jacrev(f))`` compose for any
``f``, through control flow. ``jacrev(f).source(*args)`` prints the program.

Shapes follow MindSpore's (measured on 2.x): the Jacobian of an output of shape ``S``
with respect to an input of shape ``I`` has shape ``S + I``; several positions give a
tuple over positions (one position, even as ``(0,)``, gives the array alone); several
outputs give a tuple over outputs, each holding the positions' part. With
``has_aux`` the first output is differentiated and ``(jacobian, aux)`` is returned,
``aux`` being the second output alone or the rest as a tuple.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from . import trees
from .ad import batching_control as _control  # noqa: F401  (registers the region rules)
from .ad.batching import batch
from .api import GradFunction, _signature, grad, shared_gradient
from .directional import (
    call_site,
    check_flag,
    directional_derivative,
    float_outputs,
    split_aux,
)
from .errors import AutodiffError
from .inlined_jvp import lower_jvp
from .ir import primitives as P
from .ir.builder import inline
from .ir.core import Var
from .ir.surface import evaluated_when_compiling
from .jacobian_checks import (
    checked_positions,
    dtype_of,
    is_float,
    name_of,
    positions_of,
    refuse_non_float_outputs,
    refuse_real_and_complex,
    shape_of,
    tree_of,
)
from .options import grad_spec, jax_spellings
from .pipeline.compiler import Compiled, compile_gradient
from .pipeline.kinds import abstract, dynamic_leaves
from .pipeline.library import as_compilable
from .pipeline.local import bind_local, local_derivative, local_form
from .pipeline.outputs import refuse_non_numbers
from .pipeline.spec import GradSpec
from .vectorize import SPEC


def _arrange(jac: list[list[Any]], outputs: Any, bare: bool) -> Any:
    """``jac[output leaf][position]`` shaped as MindSpore returns it: in the structure of
    the outputs (a tuple over a tuple's outputs, a dict over a dict's), each holding the
    positions' parts (a tuple of them, or the one alone)."""
    return trees.unflatten(outputs, [row[0] if bare else tuple(row) for row in jac])


def _size(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _basis(values: Sequence[Any]) -> tuple[int, list[Any], list[int]]:
    """The identity split among ``values``: its size ``N``, and for each value an array
    of shape ``(N,) + shape`` whose row ``r`` is the ``r``-th unit vector's part in it
    (a plain array of the value's shape when ``N`` is 1), with each part's offset."""
    sizes = [_size(shape_of(v)) for v in values]
    total = sum(sizes)
    parts, offsets, offset = [], [], 0
    for v, n in zip(values, sizes):
        offsets.append(offset)
        if total == 1:
            parts.append(np.ones(shape_of(v), dtype_of(v)))
        else:
            part = P.eye(total, dtype=dtype_of(v))
            if n != total:
                part = P.getitem(part, (slice(None), slice(offset, offset + n)))
            parts.append(_reshaped(part, (total, *shape_of(v))))
        offset += n
    return total, parts, offsets


def _reshaped(value: Any, shape: tuple[int, ...]) -> Any:
    """``value`` reshaped, where its shape is not already ``shape``."""
    return value if shape_of(value) == shape else P.reshape(value, shape)


def _rows(value: Any, offset: int, n: int, total: int, batched: set[int]) -> Any:
    """Rows ``offset:offset + n`` of a batched result (of shape ``(total,) + s``). With
    one basis vector the result is unbatched: its one row, or none for a value with no
    entries (an empty piece of ``np.array_split``) beside the one that has it."""
    if total == 1:
        return value if n else np.zeros((0, *shape_of(value)), dtype_of(value))
    if id(value) not in batched:  # the same for every basis vector
        value = P.broadcast_to(value, (total, *shape_of(value)))
    return value if (offset, n) == (0, total) else \
        P.getitem(value, slice(offset, offset + n))


class Jacobian:
    """``jacfwd``/``jacrev`` of ``fn``: call it like ``fn`` (module docstring)."""

    def __init__(self, kind: str, fn: Callable[..., Any], positions: tuple[int, ...],
                 bare: bool, has_aux: bool, float_only: bool = False,
                 label: str | None = None) -> None:
        # a def of the function being compiled (or a transform of one): made where it is
        # called, its closure the enclosing program's values (``pipeline.local``)
        local = local_form(fn)
        self.__local__ = local is not None
        fn = local if self.__local__ else as_compilable(fn)  # np.tanh: a function calling it
        self.kind, self.fn, self.positions = kind, fn, positions
        self.bare, self.has_aux, self.float_only = bare, has_aux, float_only
        self.label = label or kind
        name = getattr(fn, "__name__", None) or getattr(fn, "name", "fn")
        self.__name__ = self.__qualname__ = self.name = f"{self.label}_{name}"
        self._program = None if self.__local__ else \
            GradFunction(self, replace(SPEC, primal=self.label))

    def __repr__(self) -> str:
        return f"<{self.kind} of {name_of(self.fn)}>"

    def __transform_key__(self) -> tuple:
        return (self.kind, self.positions, self.bare, self.has_aux, self.float_only)

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        if self.__local__:
            return self.fn.signature
        return getattr(self.fn, "__signature__", None) or _signature(self.fn)

    @property
    def signature(self) -> inspect.Signature:  # (how ``pipeline.local`` binds a call)
        return self.__signature__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:  # (by keyword too, as fn's)
        bound = self._program._bind(args, kwargs) if kwargs else args  # (no bind per call)
        checked_positions(self.fn, bound, self.positions)
        return self._program(*args, **kwargs)

    def source(self, *args: Any, **kwargs: Any) -> str:
        """The generated source of the one program computing the Jacobian."""
        checked_positions(self.fn, self._program._bind(args, kwargs), self.positions)
        return self._program.source(*args, **kwargs)

    def _inner(self, low: Any, args: list, spec: GradSpec, loc: Any
               ) -> tuple[Compiled, list[Any]]:
        if self.__local__:
            return local_derivative(low, self.fn, spec, args, loc)
        compiled = compile_gradient(self.fn, spec, [abstract(a) for a in args])
        inputs = [leaf for a in args for leaf in dynamic_leaves(a)]
        inputs += [low.captures.free_value(path, obj) for path, obj in compiled.capture_objects]
        for guard in compiled.guards:
            low.captures.guard(guard)
        return compiled, inputs

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        args = bind_local(self.fn, args, kwargs, loc) if self.__local__ else \
            list(self._program._bind(tuple(args), kwargs))
        wrt = checked_positions(self.fn, args, self.positions)
        if self.kind == "jacrev":
            return self._reverse(low, args, wrt, loc)
        return self._forward(low, args, wrt, loc)

    def _run(self, compiled: Compiled, inputs: list, seeds: list, total: int
             ) -> tuple[Any, set[int]]:
        """The program run on every basis vector at once: batched over ``seeds``."""
        if total == 1:
            return compiled.finish(inline(compiled.ir, inputs + seeds)), set()
        flags = [False] * len(inputs) + [True] * len(seeds)
        program, out_flags = batch(compiled.ir, flags, total, draws=False)  # one mask
        outs = inline(program, inputs + seeds)
        # the values do not depend on the seeds, but a region batched as a loop over the
        # basis (a branch whose arms differ in shape, a recursion) gives them a batch
        # axis all the same: any row of it is the value
        values = compiled.n_values
        outs = [P.getitem(o, 0) if f and i < values else o
                for i, (o, f) in enumerate(zip(outs, out_flags))]
        batched = {id(o) for i, (o, f) in enumerate(zip(outs, out_flags)) if f and i >= values}
        return compiled.finish(outs), batched

    def _reverse(self, low: Any, args: list, wrt: tuple[int, ...], loc: Any) -> Any:
        """Rows of the Jacobian: the vjp program on every unit cotangent at once."""
        spec = grad_spec(wrt, None, self.has_aux, False, with_value=True, cotangent_inputs=True)
        compiled, inputs = self._inner(low, args, replace(spec, bare_position=False), loc)
        floats = float_outputs(compiled)
        if self.float_only:
            refuse_non_float_outputs(self.fn, compiled)
        refuse_real_and_complex(self.fn, self.kind, floats,
                                 [leaf for p in wrt for leaf in tree_of(args[p])[0]])
        total, cotangents, offsets = _basis(floats)
        if total == 0:
            zeros = [np.zeros(shape_of(o), dtype_of(o)) for o in floats]
            (value, grads), batched = compiled.finish(inline(compiled.ir, inputs + zeros)), set()
        else:
            (value, grads), batched = self._run(compiled, inputs, cotangents, total)
        value, aux = split_aux(value) if self.has_aux else (value, None)
        refuse_non_numbers(value, self.label, name_of(self.fn), call_site())
        outs, structure = tree_of(value)
        jac, k = [], 0
        for o in outs:
            takes = isinstance(o, Var) and o.aval.is_float
            row = []
            for j, p in enumerate(wrt):
                leaves, skeleton = tree_of(args[p])
                parts = []
                for leaf, g in zip(leaves, tree_of(grads[j])[0]):
                    shape = shape_of(o) + shape_of(leaf)
                    if not takes or total == 0:
                        parts.append(np.zeros(shape, dtype_of(o) if takes else np.float64))
                        continue
                    part = _rows(g, offsets[k], _size(shape_of(o)), total, batched)
                    parts.append(_reshaped(part, shape))
                row.append(trees.unflatten(skeleton, parts))
            k += takes
            jac.append(row)
        result = _arrange(jac, structure, self.bare)
        return (result, aux) if self.has_aux else result

    def _forward(self, low: Any, args: list, wrt: tuple[int, ...], loc: Any) -> Any:
        """Columns of the Jacobian: the jvp program on every unit tangent at once."""
        spec = GradSpec(wrt, False, None, False, False, False, True, forward=True)
        compiled, inputs = self._inner(low, args, spec, loc)
        flat = [leaf for p in wrt for leaf in tree_of(args[p])[0]]
        refuse_real_and_complex(self.fn, self.kind, float_outputs(compiled), flat)
        total, tangents, offsets = _basis(flat)
        if total == 0:
            zeros = [np.zeros(shape_of(leaf), dtype_of(leaf)) for leaf in flat]
            (value, tangent), batched = compiled.finish(inline(compiled.ir, inputs + zeros)), set()
        else:
            (value, tangent), batched = self._run(compiled, inputs, tangents, total)
        aux = None
        if self.has_aux:
            (value, aux), tangent = split_aux(value), split_aux(tangent)[0]
        refuse_non_numbers(value, self.label, name_of(self.fn), call_site())
        outs, structure = tree_of(value)
        jac = []
        for o, t in zip(outs, tree_of(tangent)[0]):
            row, k = [], 0
            for p in wrt:
                leaves, skeleton = tree_of(args[p])
                parts = []
                for leaf in leaves:
                    shape = shape_of(o) + shape_of(leaf)
                    if total == 1 and t is not None and not isinstance(t, Var):
                        # one input entry: its seed is the constant 1, and a tangent
                        # that is the seed (f(x) = x + 0.0) is a constant too
                        part = np.array(np.broadcast_to(t, shape))
                        weak = isinstance(o, Var) and o.aval.weak and shape == ()
                        parts.append(part.item() if weak else part)  # a float's: a float
                    elif total == 0 or not isinstance(t, Var):
                        parts.append(np.zeros(shape, dtype_of(o) if is_float(o) else np.float64))
                    else:
                        part = _rows(t, offsets[k], _size(shape_of(leaf)), total, batched)
                        parts.append(_reshaped(part if total == 1 else P.moveaxis(part, 0, -1),
                                               shape))
                    k += 1
                row.append(trees.unflatten(skeleton, parts))
            jac.append(row)
        result = _arrange(jac, structure, self.bare)
        return (result, aux) if self.has_aux else result


@evaluated_when_compiling
def jacfwd(fn: Callable[..., Any], grad_position: Any = 0, has_aux: bool = False, *,
           argnums: Any = None, holomorphic: bool = False) -> Jacobian:
    """The Jacobian of ``fn`` by forward mode: one tangent per input element, all of
    them at once, so it is the cheaper one for wide outputs and few inputs.
    MindSpore's signature and shapes (module docstring)."""
    positions, bare = _positions(grad_position, argnums, holomorphic)
    return Jacobian("jacfwd", fn, positions, bare, check_flag("has_aux", has_aux))


@evaluated_when_compiling
def jacrev(fn: Callable[..., Any], grad_position: Any = 0, has_aux: bool = False, *,
           argnums: Any = None, holomorphic: bool = False) -> Jacobian:
    """The Jacobian of ``fn`` by reverse mode: one cotangent per output element, all of
    them at once, so it is the cheaper one for few outputs and wide inputs.
    MindSpore's signature and shapes (module docstring)."""
    positions, bare = _positions(grad_position, argnums, holomorphic)
    return Jacobian("jacrev", fn, positions, bare, check_flag("has_aux", has_aux))


@evaluated_when_compiling
def hessian(fn: Callable[..., Any], grad_position: Any = 0, has_aux: bool = False, *,
            argnums: Any = None, holomorphic: bool = False) -> Jacobian:
    """The Hessian of ``fn``: ``jacfwd(jacrev(fn))``, forward over reverse, as one
    program (``H[i][j]`` of shape ``out.shape + x_i.shape + x_j.shape`` for several
    positions; of a scalar ``fn``, ``x_i.shape + x_j.shape``), as JAX's and torch.func's.
    With ``has_aux``, ``fn`` returns ``(out, aux)`` and the Hessian is ``(H, aux)``, as
    JAX's. An output known to be of another dtype than float is refused."""
    positions, bare = _positions(grad_position, argnums, holomorphic)
    has_aux = check_flag("has_aux", has_aux)
    inner = Jacobian("jacrev", fn, positions, bare, has_aux, float_only=True)
    return Jacobian("jacfwd", inner, positions, bare, has_aux, label="hessian")


def _positions(grad_position: Any, argnums: Any, holomorphic: Any) -> tuple[tuple[int, ...], bool]:
    """The positions differentiated, MindSpore's or JAX's spelling, and whether the
    result is bare (one position, not spelt as JAX's tuple ``argnums``)."""
    grad_position, listed = jax_spellings(grad_position, argnums, holomorphic)
    positions, bare = positions_of(grad_position)
    return positions, bare and not listed


def hvp(fn: Callable[..., Any], primals: Any, v: Any, grad_position: Any = 0) -> Any:
    """``H @ v`` for a scalar ``fn`` at ``primals`` without forming ``H``: the tangent of
    ``grad(fn)`` along ``v`` (forward over reverse), as one compiled program costing a
    few evaluations of ``fn``. ``primals``/``v`` as ``jvp`` takes them; the result is
    shaped like the argument at ``grad_position`` (a tuple for several positions). The
    program returns the tangent alone, so the gradient itself is not computed."""
    positions, _ = positions_of(grad_position)
    spec = grad_spec(positions, None, False, False, with_value=False)
    return directional_derivative(shared_gradient(fn, spec), primals, v)


def _lower_hvp(low: Any, args: list, kwargs: dict, loc: Any) -> Any:
    """``hvp(fn, primals, v)`` inside a differentiated function: ``jvp`` of ``grad(fn)``
    inlined (forward over reverse), as it is computed outside."""
    try:
        bound = inspect.signature(hvp).bind(*args, **kwargs)
    except TypeError as err:
        raise AutodiffError(f"hvp: {err}", loc) from None
    fn, primals, v = (bound.arguments[k] for k in ("fn", "primals", "v"))
    gradient = grad(fn, grad_position=bound.arguments.get("grad_position", 0))
    return lower_jvp(low, [gradient, primals, v], {}, loc)[1]


hvp.__lower_call__ = _lower_hvp  # type: ignore[attr-defined]  (frontend.calls)
