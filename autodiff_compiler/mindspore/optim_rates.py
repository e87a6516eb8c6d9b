"""An optimizer's learning rates as MindSpore 2.10 holds them, so its checkpoints match.

MindSpore keeps a fixed rate as a float32 Parameter named ``learning_rate``, a list of
per-step rates as an ``_IteratorLearningRate`` Cell holding the whole list as a
Parameter of that name, and a schedule as the schedule Cell (no Parameter); grouped
parameters give each group with its own ``lr`` a Parameter ``learning_rate_group_<i>``.
Holding them so (rather than as Python numbers) puts them in ``save_checkpoint``'s file
under MindSpore's names, and a checkpoint loaded back with ``load_param_into_net``
sets the rate the next steps use. This module also splits the ``params`` argument
into Parameters, rates and weight decays.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .lr import LearningRateSchedule
from .nn import Cell
from .tensor import Parameter, Tensor


class _IteratorLearningRate(Cell):
    """A list of per-step rates: called with the global step, the rate of that step."""

    def __init__(self, rates: Any, name: str) -> None:
        super().__init__()
        self.learning_rate = Parameter(np.asarray(rates, np.float32), name=name,
                                       requires_grad=False)

    def construct(self, global_step: Any) -> Tensor:
        step = np.asarray(global_step)
        return Tensor(self.learning_rate[step.astype(np.int64)])


def rate_holder(lr: Any, name: str) -> Any:
    """What MindSpore holds for the rate ``lr``: a schedule as it is, a list in an
    ``_IteratorLearningRate``, a number as a float32 Parameter ``name``."""
    if isinstance(lr, LearningRateSchedule | _IteratorLearningRate):
        return lr
    if isinstance(lr, list | tuple) or (isinstance(lr, np.ndarray) and lr.ndim == 1):
        return _IteratorLearningRate(lr, name)
    if isinstance(lr, Parameter):
        return lr
    return exact_scalar(float(lr), name)


def exact_scalar(value: float, name: str) -> Parameter:
    """A float32 Parameter holding ``value``, as MindSpore keeps a hyperparameter, that
    remembers the number given: ``scalar_value`` reads that number at its full precision
    (float64 Parameters step as they did with a Python float) until something, such as
    a loaded checkpoint, writes another value."""
    param = Parameter(np.float32(value), name=name, requires_grad=False)
    param.given = value
    return param


def scalar_value(param: Any) -> float:
    """The number a scalar Parameter holds: the one given, while it still holds it."""
    given = getattr(param, "given", None)
    if given is not None and np.float32(given) == np.asarray(param):
        return given
    return float(param)


def rate_at(holder: Any, step: int) -> float:
    """The rate a holder gives at step ``step`` (counted from 0)."""
    if isinstance(holder, LearningRateSchedule):
        # called with a global step as MindSpore's optimizers call it: int32, shape [1]
        rate = np.asarray(holder(Tensor(np.array([step], np.int32))))
        if rate.size != 1:
            raise ValueError(f"{type(holder).__name__} gave {rate.size} learning rates for "
                             "one step")
        return float(rate.reshape(()))
    if isinstance(holder, _IteratorLearningRate):
        rates = holder.learning_rate
        if step >= len(rates):
            raise ValueError(f"the learning-rate list has {len(rates)} steps; step {step + 1} "
                             "asks for one more")
        return float(rates[step])
    return scalar_value(holder)


def decays_at(decays: list[Any], global_step: Any) -> list[float]:
    """Each Parameter's weight decay for the step about to be taken. A decay that is a
    Cell is MindSpore's dynamic weight decay: its ``construct`` takes the global step
    (int32, shape [1], before this step advances it, as MindSpore's optimizers call
    ``get_weight_decay`` first), and a Cell shared by several Parameters is called once."""
    values: dict[int, float] = {}
    for d in decays:
        if isinstance(d, Cell) and id(d) not in values:
            value = np.asarray(d(Tensor(np.asarray(global_step, np.int32).reshape(1))))
            if value.size != 1:
                raise ValueError(f"the weight-decay Cell {type(d).__name__} gave {value.size} "
                                 "values for one step")
            values[id(d)] = float(value.reshape(()))
    return [values[id(d)] if isinstance(d, Cell) else d for d in decays]


def check_decay(weight_decay: Any) -> Any:
    """``weight_decay`` as MindSpore accepts it: a number of at least 0, or a Cell."""
    if isinstance(weight_decay, Cell):
        return weight_decay
    if isinstance(weight_decay, bool) or not isinstance(weight_decay, float | int):
        raise TypeError("For 'Optimizer', the argument 'weight_decay' must be int, float or "
                        f"Cell, but got {type(weight_decay).__name__}")
    if weight_decay < 0:
        raise ValueError(f"weight_decay must be at least 0.0, not {weight_decay}")
    return float(weight_decay)


def split_groups(parameters: Any, learning_rate: Any, weight_decay: Any
                 ) -> tuple[list[Parameter], list[Any], list[Any]]:
    """The Parameters in gradient order, and each one's learning rate (the optimizer's
    own, or a group's ``lr`` as a holder named ``learning_rate_group_<i>``) and weight
    decay (a float, or a Cell computing it from the global step). The optimizer's own
    rate is returned as ``learning_rate`` itself."""
    weight_decay = check_decay(weight_decay)
    items = list(parameters)
    if not items:
        raise ValueError("an optimizer needs at least one Parameter")
    if not all(isinstance(item, dict) for item in items):
        for p in items:
            if not isinstance(p, Parameter):
                raise TypeError(f"an optimizer takes Parameters or group dicts, not "
                                f"{type(p).__name__}")
        return items, [learning_rate] * len(items), \
            [weight_decay if _decays(p) else 0.0 for p in items]
    params, lrs, decays, order = [], [], [], None
    for i, group in enumerate(items):
        unknown = set(group) - {"params", "lr", "weight_decay", "grad_centralization",
                                "order_params"}
        if unknown:
            raise KeyError(f"unknown keys in a parameter group: {sorted(unknown)}")
        if "order_params" in group:
            order = list(group["order_params"])
            continue
        lr = rate_holder(group["lr"], f"learning_rate_group_{i}") if "lr" in group \
            else learning_rate
        for p in group["params"]:
            params.append(p)
            lrs.append(lr)
            decays.append(check_decay(group.get("weight_decay", weight_decay)))
    if order is not None:
        index = {id(p): i for i, p in enumerate(params)}
        missing = [p.name for p in order if id(p) not in index]
        if missing:
            raise ValueError(f"order_params names Parameters in no group: {missing}")
        params, lrs, decays = ([seq[index[id(p)]] for p in order] for seq in (params, lrs, decays))
    return params, lrs, decays


def _decays(p: Parameter) -> bool:
    name = p.name or ""
    return "beta" not in name and "gamma" not in name
