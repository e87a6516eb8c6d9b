"""``vmap``: a function mapped over a batch axis, compiled as one vectorised program.

``vmap(fn, in_axes=0, out_axes=0)`` as MindSpore 2.x and JAX spell it. ``in_axes`` is
an int, ``None`` (not batched) or a tuple/list with one entry per positional argument;
an entry may itself be a tuple, list or dict matching a tuple, list or dict argument
(a prefix of its structure, as JAX reads it). ``out_axes`` likewise, per output.
Keyword arguments are not batched. Negative axes count from the end.

The vmapped function is compiled through the same pipeline as ``grad``: its program is
``fn``'s program for one example (``fn`` may itself be a ``grad``, a ``vmap``, ...),
batched by the IR transform ``ad.batching`` and inlined with the batch axes moved
first (``__lower_call__``). Calling it compiles that program once per kind of
arguments (cached as gradients are); inside another compiled function it is inlined,
so ``grad(vmap(f))``, ``vmap(grad(f))`` and ``vmap(vmap(f))`` are each one program.
``vmap(f).source(*args)`` is its generated source.
"""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from . import trees
from .ad import batching_control as _control  # noqa: F401  (registers the region rules)
from .ad.batching import batch
from .api import GradFunction, _signature
from .directional import refuse
from .errors import AutodiffError, AutodiffValueError
from .frontend.captures import is_array
from .ir import primitives as P
from .ir.builder import inline
from .ir.core import Aval, Var
from .ir.surface import evaluated_when_compiling
from .pipeline.compiler import compile_gradient
from .pipeline.kinds import abstract, is_dynamic
from .pipeline.library import as_compilable
from .pipeline.local import bind_local, local_form, local_program
from .pipeline.spec import GradSpec

SPEC = GradSpec(None, False, None, False, False, False, False, primal="vmap")


def _check_axes(axes: Any, what: str) -> Any:
    """``in_axes``/``out_axes`` as given: ints, ``None``, and tuples, lists or dicts of them."""
    if axes is None or (isinstance(axes, int | np.integer) and not isinstance(axes, bool)):
        return None if axes is None else int(axes)
    if isinstance(axes, tuple | list):  # a namedtuple's fields too
        return trees.like(axes, [_check_axes(a, what) for a in axes])
    if isinstance(axes, dict):  # an OrderedDict too
        return {k: _check_axes(a, what) for k, a in axes.items()}
    refuse(f"vmap {what} must be an int, None, or a tuple/list of them, not {axes!r}",
           hint=f"e.g. {what}=0, {what}=None or {what}=(None, 0, 0)")
    raise AssertionError  # unreachable: refuse raised


def _leaf_axes(value: Any, axes: Any, where: str) -> list[tuple[Any, int | None]]:
    """Each dynamic leaf of ``value`` with its axis, ``axes`` read as a prefix of the
    structure of ``value``."""
    if isinstance(axes, tuple | list | dict):
        if isinstance(axes, dict) != isinstance(value, dict) or \
                (isinstance(axes, tuple | list) and not isinstance(value, tuple | list)) or \
                len(axes) != len(value):
            raise AutodiffValueError(f"vmap in_axes {axes!r} does not match the structure of "
                                     f"{where}", None,
                                     hint="give one axis per element, or one int for all")
        if isinstance(value, dict):
            if set(axes) != set(value):
                raise AutodiffValueError(f"vmap in_axes keys {sorted(axes)} do not match "
                                         f"the keys of {where}", None)
            return [p for k, v in value.items() for p in _leaf_axes(v, axes[k], where)]
        return [p for v, a in zip(value, axes) for p in _leaf_axes(v, a, where)]
    if isinstance(value, tuple | list):
        return [p for v in value for p in _leaf_axes(v, axes, where)]
    if isinstance(value, dict):  # an OrderedDict too
        return [p for v in value.values() for p in _leaf_axes(v, axes, where)]
    return [(value, axes)] if is_dynamic(value) else []


def _shape(value: Any) -> tuple[int, ...] | None:
    return value.aval.shape if isinstance(value, Var) else np.shape(value)


class VmapFunction:
    """``fn`` mapped over a batch axis (module docstring): call it like ``fn``."""

    def __init__(self, fn: Callable[..., Any], in_axes: Any = 0, out_axes: Any = 0,
                 positional: int | None = None, chunk_size: int | None = None) -> None:
        self.in_axes = _check_axes(in_axes, "in_axes")
        self.out_axes = _check_axes(out_axes, "out_axes")
        if chunk_size is not None and (not isinstance(chunk_size, int | np.integer)
                                       or isinstance(chunk_size, bool) or chunk_size < 1):
            refuse(f"vmap chunk_size must be a positive int or None, not {chunk_size!r}",
                   kind=AutodiffValueError)
        self.chunk_size = None if chunk_size is None else int(chunk_size)
        # how many arguments a call gives by position (None: all it gives): only those
        # are batched; one given by keyword, or a default, is the same for every example
        self.positional = positional
        self._by_position: dict[int, VmapFunction] = {}
        local = local_form(fn)
        if local is not None:  # defined in a function being compiled: batched where called
            self.fn, self.__name__ = local, local.name
            self.__qualname__, self.__doc__, self._program = local.name, None, None
            # a local function itself, to a transform of it (vmap of vmap)
            self.__local__, self.name = True, f"vmap_{local.name}"
            return
        if not callable(fn):
            refuse(f"vmap needs a function or a Cell, not {fn!r}")
        self.fn = fn = as_compilable(fn)  # np.dot: a function calling it
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)
        self.__qualname__ = getattr(fn, "__qualname__", self.__name__)
        self.__doc__ = getattr(fn, "__doc__", None)
        self._program = GradFunction(self, SPEC)

    def __repr__(self) -> str:
        return f"<vmap of {self.__qualname__}>"

    def __transform_key__(self) -> tuple:
        """What the compiled program depends on besides ``fn`` (the cache key)."""
        return ("vmap", repr(self.in_axes), repr(self.out_axes), self.positional)

    @functools.cached_property
    def __signature__(self) -> inspect.Signature:
        if local_form(self.fn) is not None:
            return self.fn.signature
        return getattr(self.fn, "__signature__", None) or _signature(self.fn)

    @property
    def signature(self) -> inspect.Signature:  # (how ``pipeline.local`` binds a call)
        return self.__signature__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.positional is None and (kwargs or self._omits(len(args))):
            mapped = self._by_position.get(len(args))
            if mapped is None:  # one program per number of positional arguments
                mapped = self._by_position[len(args)] = VmapFunction(
                    self.fn, self.in_axes, self.out_axes, len(args), self.chunk_size)
            return mapped(*args, **kwargs)
        size = self._sizes(args, refuse_at_call=True)
        if self.chunk_size is None or size <= self.chunk_size:
            return self._program(*args, **kwargs)
        axes = self.in_axes if isinstance(self.in_axes, tuple | list) else \
            [self.in_axes] * len(args)
        parts = [self._program(*(_sliced(a, ax, start, start + self.chunk_size)
                                 for a, ax in zip(args, axes)), **kwargs)
                 for start in range(0, size, self.chunk_size)]
        return _joined(parts, self.out_axes)

    def _omits(self, given: int) -> bool:
        """Whether a call giving ``given`` arguments by position leaves one with a
        default to it (bound as the function has it now, not batched)."""
        parameters = list(self.__signature__.parameters.values())[given:]
        return any(p.kind is p.POSITIONAL_OR_KEYWORD and p.default is not p.empty
                   for p in parameters)

    def source(self, *args: Any, **kwargs: Any) -> str:
        """The generated source of the batched program, for these arguments."""
        self._sizes(args, refuse_at_call=True)
        return self._program.source(*args, **kwargs)

    def _axes_of(self, args: tuple | list) -> list[tuple[Any, int | None]]:
        """Each dynamic leaf of the positional arguments with its batch axis."""
        axes = self.in_axes
        if isinstance(axes, tuple | list):
            if len(axes) != len(args):
                raise AutodiffValueError(
                    f"vmap in_axes has {len(axes)} entries but {self.__qualname__} was "
                    f"called with {len(args)} positional arguments", None,
                    hint="give one entry per positional argument (None: not batched)")
            return [p for i, (a, ax) in enumerate(zip(args, axes))
                    for p in _leaf_axes(a, ax, f"argument {i}")]
        return [p for i, a in enumerate(args) for p in _leaf_axes(a, axes, f"argument {i}")]

    def _sizes(self, args: tuple | list, refuse_at_call: bool = False) -> int:
        """The batch size every batched argument agrees on (``ValueError`` else)."""
        try:
            pairs = self._axes_of(args)
            sizes = {}
            for leaf, axis in pairs:
                if axis is None:
                    continue
                shape = _shape(leaf)
                if shape is None:
                    raise AutodiffError("vmap needs the shapes of its batched arguments",
                                        None)
                if not -len(shape) <= axis < len(shape):
                    raise AutodiffValueError(
                        f"vmap in_axes {axis} is out of range for an argument of shape "
                        f"{tuple(shape)}", None, hint="batch an axis the argument has")
                sizes[shape[axis]] = shape
            if len(sizes) > 1:
                raise AutodiffValueError(
                    "vmap got arguments of different batch sizes: "
                    + ", ".join(f"{n} (shape {s})" for n, s in sizes.items()), None,
                    hint="batched axes must all have the same length")
            if not sizes:
                raise AutodiffValueError("vmap needs at least one batched argument "
                                         "(every in_axes is None)", None,
                                         hint="give in_axes=0 (or an axis) for an argument")
        except AutodiffError as err:
            if refuse_at_call:
                refuse(err.message, err.hint, kind=type(err))
            raise
        return next(iter(sizes))

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        """Inline the batched program of ``fn`` into a function being compiled."""
        local = local_form(self.fn) is not None  # (pipeline/local.py)
        given = len(args) if self.positional is None else self.positional
        args = bind_local(self.fn, args, kwargs, loc) if local \
            else list(self._program._bind(tuple(args), kwargs))
        # what was passed by keyword, a partial's keywords and defaults are bound after
        # the arguments given by position, and are not batched
        keyword_only = sum(p.kind is p.KEYWORD_ONLY for p in self.__signature__.parameters.values())
        n_pos = min(given, len(args) - keyword_only) if not isinstance(self.in_axes, tuple | list) \
            else len(self.in_axes)
        try:
            size = self._sizes(args[:n_pos])
        except AutodiffError as err:
            raise type(err)(err.message, loc, hint=err.hint) from None
        pairs = self._axes_of(args[:n_pos])
        axes = [ax for _, ax in pairs] + [None] * sum(
            1 for a in args[n_pos:] for _ in _leaf_axes(a, None, ""))
        leaves = [leaf for leaf, _ in pairs] + [leaf for a in args[n_pos:]
                                               for leaf, _ in _leaf_axes(a, None, "")]
        axes = [None if ax is None else ax % len(_shape(leaf)) for leaf, ax in zip(leaves, axes)]
        examples = iter([_per_example(leaf, ax) for leaf, ax in zip(leaves, axes)])
        stand_ins = [_replace_leaves(abstract(a), examples) for a in args]
        compiled = local_program(low, self.fn, SPEC, stand_ins, loc) if local \
            else compile_gradient(self.fn, SPEC, stand_ins)
        inputs = [leaf if ax in (None, 0) else P.moveaxis(leaf, ax, 0)
                  for leaf, ax in zip(leaves, axes)]
        captured = [low.captures.free_value(path, obj) for path, obj in compiled.capture_objects]
        for guard in compiled.guards:  # what the inner function read, the outer one guards
            low.captures.guard(guard)
        flags = [ax is not None for ax in axes] + [False] * len(captured)
        program, out_flags = batch(compiled.ir, flags, size)
        outs = inline(program, inputs + captured)
        batched = {id(o) for o, f in zip(outs, out_flags) if f}
        result = compiled.finish(outs)
        return _place_outputs(result, self.out_axes, batched, size, loc)


def _per_example(leaf: Any, axis: int | None) -> Any:
    if axis is None:
        return abstract(leaf)
    aval = leaf.aval if isinstance(leaf, Var) else Aval.of(leaf)
    shape = aval.shape[:axis] + aval.shape[axis + 1:]
    return Var(Aval(shape, aval.dtype))


def _replace_leaves(tree: Any, examples: Any) -> Any:
    leaves, skeleton = trees.flatten(tree, lambda v: isinstance(v, Var))
    return trees.unflatten(skeleton, [next(examples) for _ in leaves])


def _place_outputs(result: Any, out_axes: Any, batched: set[int], size: int,
                   loc: Any) -> Any:
    """Each output with its batch axis at ``out_axes`` (a prefix of the result's
    structure); an output the batch does not reach is broadcast along it."""
    if isinstance(out_axes, tuple | list | dict):
        if isinstance(out_axes, dict):
            if not isinstance(result, dict) or set(result) != set(out_axes):
                raise AutodiffValueError("vmap out_axes does not match the structure of "
                                         "the function's result", loc)
            return {k: _place_outputs(result[k], out_axes[k], batched, size, loc)
                    for k in result}
        if not isinstance(result, tuple | list) or len(result) != len(out_axes):
            raise AutodiffValueError(
                f"vmap out_axes has {len(out_axes)} entries, but the function returns "
                f"{len(result) if isinstance(result, tuple | list) else 'one value'}", loc,
                hint="give one entry per output, or one int for all")
        return trees.like(result, [_place_outputs(r, a, batched, size, loc)
                                   for r, a in zip(result, out_axes)])
    if isinstance(result, tuple | list):
        return trees.like(result, [_place_outputs(r, out_axes, batched, size, loc)
                                   for r in result])
    if isinstance(result, dict):
        return {k: _place_outputs(v, out_axes, batched, size, loc) for k, v in result.items()}
    if result is None or not (isinstance(result, Var) or is_array(result) or
                              isinstance(result, int | float | complex | np.generic)):
        return result
    is_batched = isinstance(result, Var) and id(result) in batched
    if out_axes is None:
        if is_batched:
            raise AutodiffValueError(
                "vmap out_axes is None for an output that depends on the batched "
                "arguments", loc, hint="give that output an axis, e.g. out_axes=0")
        return result
    if is_batched and out_axes == 0:
        return result
    if _shape(result) is None:
        raise AutodiffError("vmap cannot place the batch axis of an output whose shape "
                            "is known only at run time", loc,
                            hint="give it out_axes=0, and keep it batched")
    if not is_batched:
        value = result if isinstance(result, Var) else np.asarray(result)
        result = P.broadcast_to(value, (size, *_shape(value)))
        rank = len(_shape(value)) + 1  # (the broadcast's own shape may not be inferred)
    else:
        rank = len(_shape(result))
    if not -rank <= out_axes < rank:
        raise AutodiffValueError(f"vmap out_axes {out_axes} is out of range for an output "
                                 f"of rank {rank}", loc)
    axis = out_axes % rank
    return result if axis == 0 else P.moveaxis(result, 0, axis)


@evaluated_when_compiling
def vmap(fn: Callable[..., Any], in_axes: Any = 0, out_axes: Any = 0, *,
         chunk_size: int | None = None, axis_name: Any = None) -> Callable[..., Any]:
    """``fn`` mapped over the batch axis ``in_axes`` of its arguments, results stacked
    along ``out_axes`` (MindSpore 2.x / JAX semantics): one vectorised program.
    ``chunk_size`` (torch.func's): a call runs the program on at most that many examples
    at a time and joins the results, bounding the memory it takes (inside a compiled
    function, the batch is one program). ``axis_name`` (JAX's) names the axis for
    collectives, which NumPy code has none of: it changes nothing. An object whose
    class defines ``__vmap__(fn, in_axes, out_axes)`` maps itself (MindSpore's CellList:
    one cell per example, its model ensembling)."""
    own = getattr(type(fn), "__vmap__", None)
    if own is not None:
        return own(fn, in_axes, out_axes)
    return VmapFunction(fn, in_axes, out_axes, chunk_size=chunk_size)


def _sliced(value: Any, axes: Any, start: int, stop: int) -> Any:
    """``value`` with each batched leaf cut to examples ``start:stop`` (``axes`` read as
    a prefix of its structure, as ``_leaf_axes`` reads it)."""
    if isinstance(value, tuple | list | dict):
        if isinstance(value, dict):
            items = {k: _sliced(v, axes[k] if isinstance(axes, dict) else axes, start, stop)
                     for k, v in value.items()}
            return type(value)(items) if type(value) is not dict else items
        inner = axes if isinstance(axes, tuple | list) else [axes] * len(value)
        return trees.like(value, [_sliced(v, a, start, stop) for v, a in zip(value, inner)])
    if axes is None or not is_dynamic(value):
        return value
    index = [slice(None)] * np.ndim(value)
    index[axes] = slice(start, stop)
    return value[tuple(index)]


def _joined(parts: list[Any], axes: Any) -> Any:
    """The results of the chunks joined along their batch axes (``out_axes``); an output
    not batched (``out_axes`` None) is the first chunk's."""
    first = parts[0]
    if isinstance(first, tuple | list | dict):
        if isinstance(first, dict):
            return {k: _joined([p[k] for p in parts], axes[k] if isinstance(axes, dict)
                               else axes) for k in first}
        inner = axes if isinstance(axes, tuple | list) else [axes] * len(first)
        return trees.like(first, [_joined([p[i] for p in parts], a)
                                  for i, a in enumerate(inner)])
    if axes is None or not is_dynamic(first):
        return first
    return np.concatenate(parts, axis=axes)
