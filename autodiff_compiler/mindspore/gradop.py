"""MindSpore's older gradient interface: ``ops.GradOperation`` and ``get_grad``.

``GradOperation(get_all, get_by_list, sens_param)(fn, weights)`` is ``grad`` with its
options spelt otherwise (measured in MindSpore 2.10):

- neither flag: the gradient of the first input, alone;
- ``get_all``: a tuple with the gradient of every input (of one input too);
- ``get_by_list``: a tuple with the gradient of each of ``weights``;
- both: ``(inputs' gradients, weights' gradients)``;
- ``sens_param``: the last argument is the output's cotangent (a "sensitivity"), so a
  non-scalar output is weighted by it: the gradient is that of ``sum(fn(...) * sens)``
  with ``sens`` held constant.

The result is built while compiling when it is made inside a Cell's ``construct``
(``self.grad_op(self.net)(x, y)``), and its call is compiled into the caller's program
like ``grad``'s.
"""
from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ..api import grad
from ..ir.core import Const
from ..sensitivity import weighted


class GradOperation:
    """A maker of gradient functions (MindSpore's ``ops.GradOperation``)."""

    __evaluated_when_compiling__ = True  # made and applied while compiling (surface)

    def __init__(self, get_all: bool = False, get_by_list: bool = False,
                 sens_param: bool = False) -> None:
        for name, value in (("get_all", get_all), ("get_by_list", get_by_list),
                            ("sens_param", sens_param)):
            if not isinstance(value, bool | np.bool_):
                raise TypeError(f"GradOperation: {name} must be a bool, not {value!r}")
        self.get_all, self.get_by_list, self.sens_param = get_all, get_by_list, sens_param

    def __call__(self, fn: Any, weights: Any = None) -> GradOperationFunction:
        if self.get_by_list and weights is None:
            if not hasattr(fn, "trainable_params"):
                raise TypeError("GradOperation(get_by_list=True) needs the weights: "
                                "grad_op(net, weights)")
            weights = fn.trainable_params()  # a Cell's, as MindSpore's PyNative takes
        return GradOperationFunction(self, fn, weights if self.get_by_list else None)


class GradOperationFunction:
    """``GradOperation(...)(fn, weights)``: a ``grad`` per number of arguments."""

    def __init__(self, op: GradOperation, fn: Any, weights: Any) -> None:
        self.op, self.fn, self.weights = op, fn, weights
        self.target = weighted(fn) if op.sens_param else fn
        self._by_arity: dict[int, Any] = {}

    def _gradient(self, args: Any) -> tuple[Any, int]:
        """The ``grad`` for these arguments, and how many inputs it differentiates."""
        n_args = len(args)
        inputs = n_args - 1 if self.op.sens_param else n_args
        if inputs < 0:
            raise TypeError(f"GradOperation(sens_param=True) of {_name(self.fn)} takes the "
                            "inputs and then the sensitivity")
        # ``get_all`` leaves out a Python int, bool, string or None (a loop count, a
        # flag), as MindSpore 2.10 leaves out its non-Tensor inputs: ``grad_all(net)(x,
        # 3)`` is ``(dx,)``; Python floats are differentiated (README).
        skipped = tuple(i for i in range(inputs) if _not_differentiable(args[i])) \
            if self.op.get_all else ()
        key = (n_args, skipped)
        if key not in self._by_arity:
            if inputs == 0 and not _takes_no_inputs(self.fn):
                raise TypeError(f"the gradient of {_name(self.fn)} needs its inputs"
                                + (" and then the sensitivity" if self.op.sens_param else ""))
            positions = tuple(i for i in range(inputs) if i not in skipped)
            if not (positions if self.op.get_all else inputs) and not self.op.get_by_list:
                self._by_arity[key] = NO_INPUTS, 0
            elif self.op.get_all:  # (none with get_by_list: the weights' gradients only)
                self._by_arity[key] = grad(self.target, positions or None,
                                           self.weights), len(positions)
            else:
                self._by_arity[key] = grad(self.target, None if self.op.get_by_list else 0,
                                           self.weights), 1
        return self._by_arity[key]

    def __call__(self, *args: Any) -> Any:
        record = getattr(self.fn, "__forward_record__", None)  # (``forward_reuse``)
        if record is not None:
            inputs = args[:-1] if self.op.sens_param else args
            return record.replayed(self.fn, lambda: self._call(args), inputs)
        return self._call(args)

    def _call(self, args: tuple) -> Any:
        gradient, count = self._gradient(args)
        return self._arranged(gradient(*args), count)

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        gradient, count = self._gradient(args)
        return self._arranged(gradient.__lower_call__(low, args, kwargs, loc), count)

    def _arranged(self, result: Any, count: int) -> Any:
        """``get_all`` gives the inputs' gradients as a tuple, also of one input, where
        ``grad`` gives one position's alone (measured in MindSpore 2.10)."""
        if self.op.get_all and self.op.get_by_list and count == 0:
            return (), result
        if not self.op.get_all or count != 1:
            return result
        return ((result[0],), result[1]) if self.op.get_by_list else (result,)


def _not_differentiable(arg: Any) -> bool:
    """A Python int, bool, string or None, or one known when compiling (``Const``)."""
    value = arg.value if isinstance(arg, Const) else arg
    return value is None or isinstance(value, int | str | np.integer | np.bool_)


class _NoInputs:
    """The inputs' gradients of a function called with none: ``()``, as MindSpore 2.10
    gives them (nothing is differentiated)."""

    def __call__(self, *args: Any) -> tuple:
        return ()

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> tuple:
        return ()


NO_INPUTS = _NoInputs()


def _takes_no_inputs(fn: Any) -> bool:
    """Whether ``fn`` (a Cell: its ``construct``) may be called with no arguments."""
    try:
        inspect.signature(getattr(fn, "construct", fn)).bind()
    except TypeError:
        return False
    except ValueError:  # no signature to read: let the call decide
        return True
    return True


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", type(fn).__name__)


def get_grad(gradients: Any, identifier: Any) -> Any:
    """The gradient of one input (its position) or Parameter in what ``grad(...,
    return_ids=True)`` returned."""
    key = identifier if isinstance(identifier, int) else getattr(identifier, "name", identifier)
    for item in _pairs(gradients):
        if item[0] == key:
            return item[1]
    raise RuntimeError(f"Can not find the gradient for position or Parameter {key}")


def _pairs(tree: Any) -> Any:
    """The ``(id, gradient)`` pairs in nested tuples."""
    if isinstance(tree, tuple) and len(tree) == 2 and isinstance(tree[0], int | str) \
            and not isinstance(tree[1], tuple):
        yield tree
    elif isinstance(tree, tuple | list):
        for item in tree:
            yield from _pairs(item)
