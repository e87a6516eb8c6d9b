"""MindSpore's layers beyond ``Dense``: ``nn.Conv2d``, ``MaxPool2d``, ``AvgPool2d``,
``Dropout``, ``Embedding``, ``EmbeddingLookup``, ``PReLU``, ``Identity``, and the
container ``CellList``.

Defaults are MindSpore 2.x's (checked against 2.10): ``Conv2d`` pads ``same`` and has
no bias unless ``has_bias=True``; its weight (out, in, kh, kw) is drawn from
HeUniform(sqrt(5)), i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in * kh * kw,
as its bias is. ``Embedding``'s table is drawn from Normal(0.01), its ``padding_idx``
row zero; ``PReLU``'s slope ``a`` starts at 0.25, one per channel (axis 1). Pooling is
``valid`` with kernel and stride 1 unless given. A Cell is not training until
``set_train()``; ``Dropout`` is the identity then, and while training draws its mask
on the forward pass, in differentiated functions too (``ops_state``).

Each layer also holds the primitive MindSpore's holds under the same name, which
subclasses call in their own ``construct`` (``self.conv2d(x, self.weight)``,
``self.bias_add``, ``self.max_pool``, ``self.gather``, ``self.dropout``), set up with
the layer's settings; the layers' own ``construct`` computes the same without them.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import ops, ops_conv, ops_state
from .dtype import float32
from .initializer import HeUniform, Uniform, initializer
from .nn import Cell
from .tensor import Parameter


class Conv2d(Cell):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any, stride: Any = 1,
                 pad_mode: str = "same", padding: Any = 0, dilation: Any = 1, group: int = 1,
                 has_bias: bool = False, weight_init: Any = None, bias_init: Any = None,
                 data_format: str = "NCHW", dtype: Any = float32) -> None:
        super().__init__()
        if data_format != "NCHW":
            raise ValueError("Conv2d: only data_format='NCHW' is supported")
        if in_channels % group or out_channels % group:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be multiples of group ({group})")
        kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
        self.in_channels, self.out_channels, self.group = in_channels, out_channels, group
        self.kernel_size, self.stride, self.pad_mode = (kh, kw), stride, pad_mode
        self.padding, self.dilation, self.has_bias = padding, dilation, has_bias
        shape = (out_channels, in_channels // group, kh, kw)
        self.weight = Parameter(initializer(HeUniform(math.sqrt(5)) if weight_init is None
                                            else weight_init, shape, dtype), name="weight")
        bound = 1 / math.sqrt(in_channels // group * kh * kw)
        self.bias = Parameter(initializer(Uniform(bound) if bias_init is None else bias_init,
                                          (out_channels,), dtype), name="bias") \
            if has_bias else None
        self.conv2d = ops.Conv2D(out_channels, (kh, kw), 1, pad_mode, padding, stride,
                                 dilation, group, data_format)
        self.bias_add = ops.BiasAdd(data_format)

    def construct(self, x: Any) -> Any:
        return ops_conv.conv2d(x, self.weight, self.bias, self.stride, self.pad_mode,
                               self.padding, self.dilation, self.group)


class Embedding(Cell):
    """Rows of ``embedding_table`` (vocab_size, embedding_size) picked by integer ids:
    the result has the ids' shape and one more axis."""

    def __init__(self, vocab_size: int, embedding_size: int, use_one_hot: bool = False,
                 embedding_table: Any = "normal", dtype: Any = float32,
                 padding_idx: int | None = None) -> None:
        super().__init__()
        self.vocab_size, self.embedding_size = vocab_size, embedding_size
        self.use_one_hot, self.padding_idx = use_one_hot, padding_idx
        table = initializer(embedding_table, (vocab_size, embedding_size), dtype)
        if padding_idx is not None:
            table[padding_idx] = 0
        self.embedding_table = Parameter(table, name="embedding_table")
        self.gather = ops.Gather()

    def construct(self, ids: Any) -> Any:
        return self.embedding_table[ids]


class EmbeddingLookup(Cell):
    """Rows of ``embedding_table`` (drawn from ``param_init``) picked by ids, as
    MindSpore's ``target='CPU'`` lookup does (``ops.EmbeddingLookup`` with offset 0:
    an id outside the table gives zeros); ``max_norm`` scales each looked-up row whose
    2-norm is above it down to it (MindSpore's documented clip; its 2.10 CPU kernel
    gives other numbers). The sharding settings change no value on one device."""

    def __init__(self, vocab_size: int, embedding_size: int, param_init: Any = "normal",
                 target: str = "CPU", slice_mode: str = "batch_slice",
                 manual_shapes: Any = None, max_norm: float | None = None,
                 sparse: bool = True, dtype: Any = float32) -> None:
        super().__init__()
        if target not in ("CPU", "DEVICE"):
            raise ValueError(f"For 'EmbeddingLookup', 'target' must be 'CPU' or 'DEVICE', "
                             f"not {target!r}")
        if not sparse and target == "CPU":
            raise ValueError("For 'EmbeddingLookup', 'sparse' must be True when 'target' "
                             f"is \"CPU\", but got 'sparse': {sparse}")
        self.vocab_size, self.embedding_size = vocab_size, embedding_size
        self.target, self.sparse, self.max_norm = target, sparse, max_norm
        self.embedding_table = Parameter(initializer(param_init, (vocab_size, embedding_size),
                                                     dtype), name="embedding_table")
        self.embeddinglookup, self.gatherv2 = ops.EmbeddingLookup(), ops.Gather()

    def construct(self, indices: Any) -> Any:
        out = self.embeddinglookup(self.embedding_table, indices, 0)
        if self.max_norm is not None:
            norm = np.sqrt(np.sum(out * out, axis=-1, keepdims=True))
            out = out * (self.max_norm / np.maximum(norm, self.max_norm))
        return out


class PReLU(Cell):
    """``x`` above 0, ``a x`` below, with a learnt slope ``a`` per channel (axis 1)."""

    def __init__(self, channel: int = 1, w: Any = 0.25) -> None:
        super().__init__()
        self.channel = channel
        self.w = Parameter(initializer(w, (channel,), float32), name="a")

    def construct(self, x: Any) -> Any:
        slope = self.w if x.ndim < 2 or self.channel == 1 else \
            self.w.reshape((-1,) + (1,) * (x.ndim - 2))
        return np.where(x > 0, x, slope * x)


class Identity(Cell):
    def construct(self, x: Any) -> Any:
        return x


class MaxPool2d(Cell):
    def __init__(self, kernel_size: Any = 1, stride: Any = 1, pad_mode: str = "valid",
                 padding: Any = 0, dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False, data_format: str = "NCHW") -> None:
        super().__init__()
        self.kernel_size, self.stride, self.pad_mode = kernel_size, stride, pad_mode.lower()
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode
        if (return_indices or ceil_mode) and self.pad_mode != "pad":
            raise ValueError("MaxPool2d: return_indices and ceil_mode need pad_mode 'pad', "
                             "as MindSpore's")
        if self.pad_mode != "pad":  # (MindSpore's pad mode holds MaxPool3DWithArgmax)
            self.max_pool = ops.MaxPool(kernel_size, stride, pad_mode, data_format)

    def construct(self, x: Any) -> Any:
        return ops_conv.max_pool2d(x, self.kernel_size, self.stride, self.padding,
                                   self.dilation, self.return_indices, self.ceil_mode,
                                   pad_mode=self.pad_mode)


class AvgPool2d(Cell):
    def __init__(self, kernel_size: Any = 1, stride: Any = 1, pad_mode: str = "valid",
                 padding: Any = 0, ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: Any = None, data_format: str = "NCHW") -> None:
        super().__init__()
        self.kernel_size, self.stride, self.pad_mode = kernel_size, stride, pad_mode.lower()
        self.padding, self.divisor = padding, divisor_override or 0
        self.count_include_pad, self.ceil_mode = count_include_pad, ceil_mode
        if ceil_mode and self.pad_mode == "same":
            raise ValueError("AvgPool2d: ceil_mode needs pad_mode 'pad' or 'valid'")

    def construct(self, x: Any) -> Any:
        return ops_conv.avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                                   ceil_mode=self.ceil_mode,
                                   count_include_pad=self.count_include_pad,
                                   divisor_override=self.divisor, pad_mode=self.pad_mode)


class Dropout(Cell):
    """Zero each value with probability ``p`` (``1 - keep_prob``) and scale the rest by
    ``1 / (1 - p)`` while training; the identity otherwise."""

    def __init__(self, keep_prob: float | None = None, p: float | None = None,
                 dtype: Any = float32) -> None:
        super().__init__()
        self.p = p if p is not None else 1 - (0.5 if keep_prob is None else keep_prob)
        self.keep_prob = keep_prob if p is None else None  # how repr names it
        if not 0 <= self.p < 1:
            raise ValueError(f"Dropout: p must be in [0, 1), not {self.p}")
        self.training = False
        self.dropout = ops.Dropout(1.0 - self.p)

    def extend_repr(self) -> str:
        return f"p={self.p}" if self.keep_prob is None else f"keep_prob={self.keep_prob}"

    def construct(self, x: Any) -> Any:
        return ops_state.dropout(x, self.p, self.training)


class CellList(Cell):
    """Cells in a list, indexed and iterated; their Parameters are named
    ``<index>.<name>``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        object.__setattr__(self, "cell_list", [])
        for cell in (args[0] if args else []):
            self.append(cell)

    def append(self, cell: Cell) -> CellList:
        setattr(self, str(len(self.cell_list)), cell)
        self.cell_list.append(cell)
        return self

    def __vmap__(self, in_axes: Any = 0, out_axes: Any = 0) -> Cell:
        """``vmap(cell_list)``: cell ``i`` on example ``i`` (``ensemble``)."""
        from .ensemble import CellListMap
        return CellListMap(self, in_axes, out_axes)

    def extend(self, cells: Any) -> CellList:
        for cell in cells:
            self.append(cell)
        return self

    def insert(self, index: int, cell: Cell) -> None:
        """Put ``cell`` at ``index``: the cells after it move up one place, and their
        Parameters' names with them (``1.weight`` becomes ``2.weight``), as MindSpore's."""
        if not -len(self.cell_list) <= index <= len(self.cell_list):
            raise IndexError(f"index {index} out of range for a CellList of "
                             f"{len(self.cell_list)}")
        cells = list(self.cell_list)
        cells.insert(index % (len(cells) + 1) if index < 0 else index, cell)
        self._renumbered(cells)

    def __setitem__(self, index: int, cell: Cell) -> None:
        """Replace the Cell at ``index`` (its Parameters take that index's names)."""
        cells = list(self.cell_list)
        cells[index] = cell
        self._renumbered(cells)

    def __delitem__(self, index: int) -> None:
        """Remove the Cell at ``index``: the cells after it move down one place."""
        cells = list(self.cell_list)
        del cells[index]
        self._renumbered(cells)

    def _renumbered(self, cells: list) -> None:
        """Hold ``cells`` in order, each named by its index, its Parameters too."""
        prefix = self._prefix()
        for name in list(self._cells):
            del self._cells[name]
            object.__delattr__(self, name)
        for i, each in enumerate(cells):
            if self._auto_prefix:
                for name, param in list(each.parameters_and_names()):
                    param.name = f"{prefix}{i}.{name}"
            self._cells[str(i)] = each
            object.__setattr__(self, str(i), each)
        self.cell_list[:] = cells

    def _prefix(self) -> str:
        """What the names of this list's Parameters start with before the index (the
        path to the list, where a Cell holding it prefixed them)."""
        for i, each in enumerate(self.cell_list):
            for name, param in each.parameters_and_names():
                own = f"{i}.{name}"
                if param.name and param.name.endswith(own):
                    return param.name[:-len(own)]
        return ""

    def __getitem__(self, index: int) -> Cell:
        return self.cell_list[index]

    def __len__(self) -> int:
        return len(self.cell_list)

    def __iter__(self) -> Any:
        return iter(self.cell_list)


LAYERS = ["Conv2d", "MaxPool2d", "AvgPool2d", "Dropout", "CellList", "EmbeddingLookup"]
__all__ = LAYERS
