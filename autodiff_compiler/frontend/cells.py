"""The protocol through which the compiler knows the MindSpore surface's classes.

The compiler sits below ``mindspore/`` and never imports it. A class takes part by
declaring a class attribute:

- ``__calls_construct__ = True``: calling an instance runs ``construct`` (a Cell); the
  compiler compiles ``type(obj).construct`` from its source with ``obj`` as ``self``.
- ``__plain_array__ = True``: an ``ndarray`` subclass (a Tensor, a Parameter) that
  generated code receives as a plain ``ndarray`` view, so arithmetic on it is NumPy's and
  no compiled operation dispatches through the subclass. (The API may hand results back
  in the subclass: ``Compiled.wrap``.)
- ``__parameter__ = True``: a trainable array (a Parameter), which ``weights=`` takes.
- ``__results_as__``: how the API hands back results when an instance (a Cell, a Tensor
  or a Parameter) is what was differentiated or passed: a function of one result.

Every place that lowers a Cell call goes through ``lower_cell_call``, which honours
what the Cell asks beyond ``construct``: a class defining ``bprop(self, *inputs, out,
dout)`` gives its own gradient (``lower_cell_with_bprop``, never differentiating
``construct`` in the rule's place, which would be a silently wrong gradient), and an
instance's ``__cell_hooks__`` (``frontend.hooks``) run around it. The hooks are
guarded, so a hook registered after compiling recompiles rather than being skipped.
A Cell on which ``recompute()`` was called sets the instance attribute
``__recompute__ = True``: its ``construct`` is compiled as a checkpointed block
(``frontend.remat``), recomputed in the backward pass. An object whose instance
attribute ``__compute_dtype__`` is a floating dtype (a Cell run in float16 by mixed
precision) has the float arrays read from its attributes cast to it where they are
read (``compute_dtype_cast``), as MindSpore casts a Parameter inside the Cell's graph:
the Parameter stays float32, and its gradient comes back through the cast in float32.
A Cell built inside the function (``nn.MSELoss()``) is built while compiling
(``new_cell``), unless it would make Parameters at each call.
"""
from __future__ import annotations

import inspect
import types
from typing import TYPE_CHECKING, Any

import gast

from ..errors import AutodiffError, Loc
from ..ir import primitives as P
from ..ir.core import Var
from .captures import Guard
from .source import definition_loc

if TYPE_CHECKING:
    from .scope import Scope


def is_cell(obj: Any) -> bool:
    """``obj`` is an instance whose call is its class's ``construct``."""
    return not isinstance(obj, type) and getattr(type(obj), "__calls_construct__", False) is True


def is_plain_array_subclass(obj: Any) -> bool:
    """``obj`` is an instance of an array subclass that asks to be seen as ``ndarray``."""
    return getattr(type(obj), "__plain_array__", False) is True


def is_parameter(obj: Any) -> bool:
    """``obj`` is a trainable array (what ``weights=`` lists)."""
    return getattr(type(obj), "__parameter__", False) is True


def parameter_writer(obj: Any) -> Any:
    """The function writing values into ``obj``, a Parameter (``ops.assign``), or None:
    a Cell setting its Parameter attribute to a Tensor sets the Parameter's values."""
    return getattr(type(obj), "__written_by__", None) if is_parameter(obj) else None


def results_as(obj: Any) -> Any:
    """The function results go back through when ``obj`` takes part in a call, or None."""
    return getattr(type(obj), "__results_as__", None)


def recomputed(cell: Any) -> bool:
    """``cell.recompute()`` was called: its calls are recomputed in the backward pass."""
    return getattr(cell, "__recompute__", False) is True


def lower_recomputed_cell(low: Any, cell: Any, args: tuple, kwargs: dict,
                          loc: Loc | None) -> Any:
    """A call of a Cell marked by ``recompute()``: ``construct`` as a checkpointed block."""
    from .remat import checkpoint_call
    name = type(cell).__name__
    if custom_bprop(cell) is not None:
        raise AutodiffError(f"Cell '{name}' defines bprop and is marked by recompute(): its "
                            "gradient is the bprop rule, which recomputation cannot change", loc,
                            hint="drop recompute(), or the bprop")

    def body(a: tuple, k: dict) -> Any:
        return low.call_function(type(cell).construct, a, k, loc, self_obj=cell)

    return checkpoint_call(low, f"{name}_construct", args, kwargs, body, loc,
                           f"the recomputed Cell '{name}'")


def custom_bprop(cell: Any) -> types.FunctionType | None:
    """The ``bprop`` a Cell's class defines, or None."""
    bprop = getattr(type(cell), "bprop", None)
    return bprop if isinstance(bprop, types.FunctionType) else None


def runs_construct(fn: Any, cell: Any) -> bool:
    """``fn`` is the ``__call__`` that runs ``cell``'s ``construct``: that of the class
    declaring ``__calls_construct__`` (a subclass's own ``__call__`` reaches it by
    ``super().__call__(...)``)."""
    return any(cls.__dict__.get("__calls_construct__") is True
               and cls.__dict__.get("__call__") is fn for cls in type(cell).__mro__)


def own_call(cell: Any) -> types.FunctionType | None:
    """The ``__call__`` a Cell's class wrote in place of the one that runs ``construct``
    (which it may call: ``super().__call__(*args) * 2``), or None."""
    call = inspect.getattr_static(type(cell), "__call__", None)
    return call if isinstance(call, types.FunctionType) and not runs_construct(call, cell) \
        else None


def lower_cell_call(low: Any, cell: Any, args: tuple, kwargs: dict, loc: Loc | None,
                    as_written: bool = True) -> Any:
    """A call of ``cell`` inside a differentiated function (``low`` a ``Lowering``):
    its class's own ``__call__`` where it wrote one (``as_written``), else ``construct``."""
    call = own_call(cell) if as_written else None
    if call is not None:
        return low.call_function(call, args, kwargs, loc, self_obj=cell)
    hooks = getattr(cell, "__cell_hooks__", ())
    low.captures.guard(Guard(low.captures.path_of(cell).attr("__cell_hooks__"), hooks))

    def lower_construct(args: tuple, kwargs: dict) -> Any:
        if recomputed(cell):
            return lower_recomputed_cell(low, cell, args, kwargs, loc)
        if custom_bprop(cell) is not None:
            return lower_cell_with_bprop(low, cell, args, kwargs, loc)
        return low.call_function(type(cell).construct, args, kwargs, loc, self_obj=cell)

    if not hooks:
        return lower_construct(args, kwargs)
    from .hooks import lower_hooked  # hooks lowers through the Lowering, above this
    return lower_hooked(low, cell, args, kwargs, loc, lower_construct)


def lower_cell_with_bprop(low: Any, cell: Any, args: tuple, kwargs: dict,
                          loc: Loc | None) -> Any:
    """A call of a Cell that defines ``bprop``, as MindSpore differentiates it: the
    value is ``construct``'s; the gradient of the inputs is
    ``bprop(*inputs, out, dout)``, and the Cell's own Parameters get none from it."""
    from .custom import custom_call  # custom lowers through the Lowering, above this
    construct, bprop = type(cell).construct, custom_bprop(cell)
    name = type(cell).__name__
    try:
        bound = inspect.signature(construct).bind(cell, *args, **kwargs)
    except TypeError as err:
        raise AutodiffError(f"bad call to '{name}': {err}", loc) from None
    bound.apply_defaults()
    inputs = tuple(bound.arguments.values())[1:]

    def primal(ins: tuple) -> Any:
        return low.call_function(construct, ins, {}, loc, self_obj=cell)

    def backward(residuals: Any, dout: Any) -> Any:
        ins, out = residuals
        return low.call_function(bprop, (*ins, out, dout), {}, loc, self_obj=cell)

    return custom_call(low, f"{name}_construct", inputs, primal, None, backward, loc,
                       definition_loc(bprop), f"Cell '{name}'.bprop")


def compute_dtype_cast(owner: Any, value: Any) -> Any:
    """``value``, read from ``owner``, cast to the ``__compute_dtype__`` ``owner`` asks
    for, if it is a float array of another dtype. (A Cell's precision changes with the
    hook that casts its inputs, and its hooks are guarded: it recompiles.)"""
    dtype = getattr(owner, "__compute_dtype__", None)
    if dtype is None or not isinstance(value, Var) or value.aval.dtype is None:
        return value
    if value.aval.dtype.kind != "f" or value.aval.dtype == dtype:
        return value
    return P.astype(value, dtype)


def new_cell(scope: Scope, node: gast.AST, cls: type, args: list, kwargs: dict) -> Any:
    """``nn.MSELoss()`` inside a differentiated function: a Cell built from values known
    when compiling is built then, once, and its calls compiled as any Cell's. One that
    makes Parameters is refused: each call would make new ones, which no gradient of
    the caller's arguments can see. One that only holds Cells it was given
    (``Wrap(inner)``) reads their Parameters, as calling them would."""
    from .calls import has_var  # (calls dispatches here)
    if has_var([*args, *kwargs.values()]):
        raise scope.error(node, f"{cls.__name__}(...) takes array values here: a Cell is "
                                "built from settings known when compiling",
                          hint="build the Cell outside the function and call it inside")
    try:
        cell = cls(*args, **kwargs)
    except Exception as err:
        raise scope.error(node, f"{cls.__name__}(...) failed: {err}") from None
    given: set[int] = set()
    for value in [*args, *kwargs.values()]:
        parameters_of(value, given, set())
    made: set[int] = set()
    parameters_of(cell, made, set())
    if made - given:
        raise scope.error(node, f"{cls.__name__}(...) makes Parameters each time the "
                                "function runs",
                          hint="build the Cell once, outside the function, and call it "
                               "inside (its Parameters are then weights you can "
                               "differentiate)")
    return cell


def parameters_of(obj: Any, found: set[int], seen: set[int]) -> None:
    """Add the ids of the Parameters ``obj`` holds (a Cell's, at any depth; a list's or
    a tuple's) to ``found``."""
    if id(obj) in seen:
        return
    seen.add(id(obj))
    if is_parameter(obj):
        found.add(id(obj))
    elif isinstance(obj, list | tuple | dict):
        for item in obj.values() if isinstance(obj, dict) else obj:
            parameters_of(item, found, seen)
    elif is_cell(obj):
        for value in vars(obj).values():
            parameters_of(value, found, seen)
