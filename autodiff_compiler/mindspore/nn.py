"""MindSpore's ``nn.Cell``, its layers, activations and losses, in NumPy.

A ``Cell`` registers the Parameters and sub-Cells assigned to its attributes, in
order, so ``trainable_params()`` lists them as MindSpore does (a sub-Cell's
parameters are named ``<attribute>.<name>``; in a ``SequentialCell``, ``0.weight``);
the Parameters of a ``ParameterTuple`` assigned to one keep their own names (a plain
list of Parameters is not registered, in MindSpore either).
Calling a Cell runs ``construct``; inside a differentiated function the call is
compiled from ``construct``'s source. Layers initialise their Parameters as
MindSpore 2.x does (``Dense``: weight HeUniform(sqrt(5)), i.e. U(-1/sqrt(in),
1/sqrt(in)), and bias U(-1/sqrt(in), 1/sqrt(in)); float32), from NumPy's global
random state.
"""
from __future__ import annotations

import math
from typing import Any

from . import forward_reuse, hooks, ops, precision
from .cell_tree import CellTree, Listing
from .dtype import float32
from .initializer import HeUniform, Uniform, initializer
from .tensor import Parameter, ParameterTuple, Tensor, as_tensor, as_tensors


class Cell(CellTree):
    """Base class of models: subclass it and write ``construct``."""

    __calls_construct__ = True  # calling a Cell runs construct (frontend.cells)
    __cell_hooks__: tuple = ()  # replaced per instance by register_*_hook (hooks)
    __results_as__ = staticmethod(as_tensor)  # gradients come back as Tensors
    __forward_record__ = None  # after a set_grad() Cell's call: the next gradient's

    def __init__(self, auto_prefix: bool = True, flags: Any = None) -> None:
        object.__setattr__(self, "_params", Listing())
        object.__setattr__(self, "_cells", Listing())
        # MindSpore's wrappers pass False: their sub-Cells' Parameters keep their names
        object.__setattr__(self, "_auto_prefix", auto_prefix)

    def __setattr__(self, name: str, value: Any) -> None:
        if "_params" not in self.__dict__:
            Cell.__init__(self)
        held = self._params.get(name)
        if held is not None and value is not None and not isinstance(value, Parameter):
            # the Parameter takes a Tensor's values, cast to its dtype (measured with
            # MindSpore 2.10); anything else is refused, as there
            if not isinstance(value, Tensor):
                raise TypeError(f"Parameter '{name}' already exists in network, can not "
                                f"assign this type: '{type(value)}' as a parameter.")
            held.set_data(value.astype(held.dtype))
            return
        if isinstance(value, Parameter):
            if value.name is None:
                value.name = name
            self._params[name] = value
        elif isinstance(value, ParameterTuple):  # each held under its own name
            for i, param in enumerate(value):
                if param.name is None:
                    param.name = f"{name}.{i}"
                self._params[param.name] = param
        elif isinstance(value, Cell):
            if self._auto_prefix:  # named by their path below value, as MindSpore's
                prefix = self.__dict__.get("_param_prefix", "")  # (a shared Cell's not
                value.update_parameters_name(f"{prefix}{name}.")  # stacked)
            self._cells[name] = value
        if not isinstance(value, Cell):  # ``self.head = None`` drops the sub-Cell
            self._cells.pop(name, None)
        if not isinstance(value, Parameter):
            self._params.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        """``del self.head``: the sub-Cell (or Parameter) leaves the listings too."""
        self.__dict__.get("_cells", {}).pop(name, None)
        self.__dict__.get("_params", {}).pop(name, None)
        object.__delattr__(self, name)

    def construct(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define construct()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if forward_reuse.marked(self):  # set_grad(), @jit: the next gradient reuses it
            return forward_reuse.recorded_call(self, lambda: self._call(args, kwargs),
                                               args, kwargs)
        return self._call(args, kwargs)

    def _call(self, args: tuple, kwargs: dict) -> Any:
        if self.__dict__.get("__compute_dtype__") is not None:  # float16 (``precision``)
            return precision.call_in_compute_dtype(self, self._construct_with_hooks, args, kwargs)
        return self._construct_with_hooks(*args, **kwargs)

    def _construct_with_hooks(self, *args: Any, **kwargs: Any) -> Any:
        if self.__cell_hooks__:  # (a hook's NumPy result handed back as a Tensor)
            return as_tensors(hooks.call(self, args, kwargs))
        return self.construct(*args, **kwargs)

    # Hooks, as MindSpore's PyNative mode runs them (``hooks``); each returns a handle
    # whose ``remove()`` takes the hook off again.

    def register_forward_pre_hook(self, hook_fn: Any, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> hooks.HookHandle:
        return hooks.register(self, "forward_pre", hook_fn, prepend, with_kwargs)

    def register_forward_hook(self, hook_fn: Any, *, prepend: bool = False,
                              with_kwargs: bool = False,
                              always_call: bool = False) -> hooks.HookHandle:
        return hooks.register(self, "forward", hook_fn, prepend, with_kwargs)

    def register_backward_pre_hook(self, hook_fn: Any) -> hooks.HookHandle:
        return hooks.register(self, "backward_pre", hook_fn)

    def register_backward_hook(self, hook_fn: Any) -> hooks.HookHandle:
        return hooks.register(self, "backward", hook_fn)

    def recompute(self, *, use_reentrant: bool = True, output_recompute: bool = False,
                  early_stop: bool = True, context_fn: Any = None, **kwargs: Any) -> None:
        """MindSpore's ``Cell.recompute``: inside a differentiated function, calls of this
        Cell keep only their inputs and recompute ``construct`` in the backward pass
        (``frontend.cells``). The options choose among MindSpore's runtime mechanisms
        and parallel communication; they change no value and have no effect here."""
        known = ("mp_comm_recompute", "parallel_optimizer_comm_recompute",
                 "recompute_slice_activation")
        for key in kwargs:
            if key not in known:
                raise ValueError(f"For 'recompute', keyword '{key}' is not recognized! the key "
                                 f"kwargs must be {', '.join(repr(k) for k in known)}")
        object.__setattr__(self, "__recompute__", True)


class BCEWithLogitsLoss(Cell):
    """Binary cross-entropy on logits; see ``ops.binary_cross_entropy_with_logits``."""

    def __init__(self, reduction: str = "mean", weight: Any = None,
                 pos_weight: Any = None) -> None:
        super().__init__()
        self.reduction, self.weight, self.pos_weight = reduction, weight, pos_weight

    def construct(self, logits: Any, labels: Any) -> Any:
        return ops.binary_cross_entropy_with_logits(logits, labels, self.weight,
                                                    self.pos_weight, self.reduction)


# ---------------------------------------------------------------------------- layers


class Dense(Cell):
    """``activation(x @ weight.T + bias)``, with ``weight`` shaped (out, in)."""

    def __init__(self, in_channels: int, out_channels: int, weight_init: Any = None,
                 bias_init: Any = None, has_bias: bool = True, activation: Any = None,
                 dtype: Any = float32) -> None:
        super().__init__()
        self.in_channels, self.out_channels, self.has_bias = in_channels, out_channels, has_bias
        bound = 1 / math.sqrt(in_channels)
        self.weight = Parameter(initializer(HeUniform(math.sqrt(5)) if weight_init is None
                                            else weight_init, (out_channels, in_channels),
                                            dtype), name="weight")
        self.bias = Parameter(initializer(Uniform(bound) if bias_init is None else bias_init,
                                          (out_channels,), dtype), name="bias") \
            if has_bias else None
        self.activation = get_activation(activation) if isinstance(activation, str) \
            else activation
        # MindSpore's primitives, which subclasses call (``self.matmul(x, self.weight)``)
        self.matmul, self.activation_flag = ops.MatMul(transpose_b=True), activation is not None
        if has_bias:
            self.bias_add = ops.BiasAdd()

    def extend_repr(self) -> str:
        return (f"input_channels={self.in_channels}, output_channels={self.out_channels}, "
                f"has_bias={self.has_bias}")

    def construct(self, x: Any) -> Any:
        out = ops.dense(x, self.weight, self.bias)
        if self.activation is not None:
            out = self.activation(out)
        return out


class SequentialCell(Cell):
    """Cells applied in order; their parameters are named ``<index>.<name>`` (by the
    keys of an ``OrderedDict`` given instead: ``dense.weight``).

    As in MindSpore 2.10, the sequence is the Cell's children (``_cells``): one added by
    ``insert_child_to_cell`` or by setting an attribute counts in ``len``, indexing and
    the next ``append``'s name (``str(len(self))``), and ``construct`` runs the children
    as they were at the last ``append``, ``extend``, item assignment or deletion (its
    ``cell_list``, which those refresh; MindSpore's runs that snapshot too)."""

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], dict):
            named = list(args[0].items())
        else:
            cells = args[0] if len(args) == 1 and isinstance(args[0], list | tuple) else args
            named = [(str(i), cell) for i, cell in enumerate(cells)]
        object.__setattr__(self, "cell_list", ())
        for name, cell in named:
            self._add(name, cell)

    def _add(self, name: str, cell: Cell) -> None:
        setattr(self, name, cell)
        self._refresh()

    def _refresh(self) -> None:
        object.__setattr__(self, "cell_list", tuple(self._cells.values()))

    def append(self, cell: Cell) -> None:
        """Add ``cell`` at the end (named by the number of children)."""
        self._add(str(len(self)), cell)

    def extend(self, cells: Any) -> SequentialCell:
        for cell in cells:
            self.append(cell)
        return self

    def __len__(self) -> int:
        return len(self._cells)

    def __getitem__(self, index: int | slice) -> Any:
        """A Cell, or for a slice a SequentialCell of those Cells under their names
        (``features[:-1]``, a backbone without its head), which leaves their Parameters'
        names as they are."""
        if not isinstance(index, slice):
            return list(self._cells.values())[index]
        part = type(self).__new__(type(self))
        Cell.__init__(part, auto_prefix=False)
        object.__setattr__(part, "cell_list", ())
        for name, cell in list(self._cells.items())[index]:
            part._add(name, cell)
        return part

    def __setitem__(self, index: int, cell: Cell) -> None:
        """Replace a Cell in place (a pretrained head swapped: ``net[-1] = Dense(...)``)."""
        names = list(self._cells)
        setattr(self, names[index], cell)
        self._refresh()

    def __delitem__(self, index: int) -> None:
        name = list(self._cells)[index]
        del self._cells[name]
        object.__delattr__(self, name)
        self._refresh()

    def construct(self, x: Any) -> Any:
        for cell in self.cell_list:
            x = cell(x)
        return x


class Flatten(Cell):
    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def construct(self, x: Any) -> Any:
        return ops.flatten(x, start_dim=self.start_dim, end_dim=self.end_dim)


# ---------------------------------------------------------------------------- activations


class ReLU(Cell):
    def construct(self, x: Any) -> Any:
        return ops.relu(x)


class Sigmoid(Cell):
    def construct(self, x: Any) -> Any:
        return ops.sigmoid(x)


class Tanh(Cell):
    def construct(self, x: Any) -> Any:
        return ops.tanh(x)


class SiLU(Cell):
    def construct(self, x: Any) -> Any:
        return ops.silu(x)


class GELU(Cell):
    """``approximate=True`` (MindSpore's default): the tanh form; False: the exact one."""

    def __init__(self, approximate: bool = True) -> None:
        super().__init__()
        self.approximate = "tanh" if approximate else "none"

    def construct(self, x: Any) -> Any:
        return ops.gelu(x, self.approximate)


class ELU(Cell):
    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def construct(self, x: Any) -> Any:
        return ops.elu(x, self.alpha)


class Softmax(Cell):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis
        self.softmax = ops.Softmax(axis)  # MindSpore's primitive, for subclasses

    def construct(self, x: Any) -> Any:
        return ops.softmax(x, self.axis)


class LogSoftmax(Softmax):
    def construct(self, x: Any) -> Any:
        return ops.log_softmax(x, self.axis)


class LeakyReLU(Cell):
    def __init__(self, alpha: float = 0.2) -> None:
        super().__init__()
        self.alpha = alpha

    def construct(self, x: Any) -> Any:
        return ops.leaky_relu(x, self.alpha)


class Softplus(Cell):
    def __init__(self, beta: float = 1, threshold: float = 20) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def construct(self, x: Any) -> Any:
        return ops.softplus(x, self.beta, self.threshold)


_ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax,
                "logsoftmax": LogSoftmax, "leakyrelu": LeakyReLU, "softplus": Softplus,
                "silu": SiLU, "gelu": GELU, "elu": ELU}


def get_activation(name: str) -> Cell:
    """The activation Cell MindSpore names ``name`` (``"relu"``, ``"sigmoid"``, ...)."""
    try:
        return _ACTIVATIONS[name.lower().replace("_", "")]()
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {sorted(_ACTIVATIONS)}") from None


# ---------------------------------------------------------------------------- losses


# Optimizers, learning rates and training wrappers are Cells too, and metrics live in
# MindSpore's nn as well; they import Cell from here, so they are re-exported last
# (``nn.SGD``, ``nn.optim.SGD``, ``nn.ExponentialDecayLR``, ``nn.TrainOneStepCell``...).
from . import cell_grad as grad  # noqa: E402, F401  (nn.grad.Vjp, MindSpore's path)
from . import lr, optim  # noqa: E402, F401
from .cell_grad import Jvp, Vjp  # noqa: E402, F401
from .image_quality import *  # noqa: E402, F403  (PSNR, SSIM, MSSSIM)
from .layers import (  # noqa: E402, F401
    AvgPool2d,
    CellList,
    Conv2d,
    Dropout,
    Embedding,
    EmbeddingLookup,
    Identity,
    MaxPool2d,
    PReLU,
)
from .layers_1d import *  # noqa: E402, F403  (every name of layers_1d.__all__)
from .layers_3d import *  # noqa: E402, F403  (and of layers_3d.__all__)
from .layers_functional import *  # noqa: E402, F403  (and of layers_functional.__all__)
from .layers_image import *  # noqa: E402, F403  (and of layers_image.__all__)
from .layers_small import *  # noqa: E402, F403  (and of layers_small.__all__)
from .loss_scale import *  # noqa: E402, F403  (and of loss_scale.__all__)
from .losses import *  # noqa: E402, F403  (LossBase and the common losses)
from .losses_extra import *  # noqa: E402, F403  (and of losses_extra.__all__)
from .lr import (  # noqa: E402, F401
    CosineDecayLR,
    ExponentialDecayLR,
    InverseDecayLR,
    LearningRateSchedule,
    NaturalExpDecayLR,
    PolynomialDecayLR,
    WarmUpLR,
    cosine_decay_lr,
    exponential_decay_lr,
    inverse_decay_lr,
    natural_exp_decay_lr,
    piecewise_constant_lr,
    polynomial_decay_lr,
    warmup_lr,
)
from .mindir import GraphCell  # noqa: E402, F401  (a graph mindspore.load read)
from .nn_extra import *  # noqa: E402, F403  (and of nn_extra.__all__)
from .nn_extra import ACTIVATIONS as _MORE_ACTIVATIONS  # noqa: E402
from .normalization import (  # noqa: E402, F401
    BatchNorm1d,
    BatchNorm2d,
    BatchNorm3d,
    LayerNorm,
    SyncBatchNorm,
)
from .normalization_groups import *  # noqa: E402, F403  (and of its __all__)
from .optim import *  # noqa: E402, F403  (every optimizer: optim.__all__)
from .recurrent import *  # noqa: E402, F403  (every name of recurrent.__all__)
from .train.metrics import MAE, MSE, Accuracy, Loss, Metric  # noqa: E402, F401
from .train.metrics_extra import *  # noqa: E402, F403  (and of metrics_extra.__all__)
from .transformer import *  # noqa: E402, F403  (every name of transformer.__all__)
from .wrappers import TrainOneStepCell, WithEvalCell, WithLossCell  # noqa: E402, F401
from .wrappers_extra import *  # noqa: E402, F403  (and of wrappers_extra.__all__)

_ACTIVATIONS.update(_MORE_ACTIVATIONS)  # get_activation("hswish")
