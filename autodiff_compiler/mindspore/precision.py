"""Running Cells in float16: ``Cell.to_float`` and the mixed-precision levels of
``amp.auto_mixed_precision`` (O1, O2, O3), as MindSpore 2.10 applies them.

MindSpore runs a Cell in float16 by casting its floating inputs to float16 on entry
and each Parameter to float16 where the Cell's graph reads it; the Parameters stay
float32, so the optimizer updates float32 values with the float32 gradients that come
back through the casts. Here the same three pieces:

- inputs: a forward pre-hook casting floating inputs (``to_float(float32)`` has its
  float32 twin, so switching back recompiles: hooks are guarded);
- Parameters: the Cell's ``__compute_dtype__``, which the compiler honours where the
  Cell's ``construct`` reads an attribute (``frontend.cells.compute_dtype_cast``), and
  which an eager call honours by reading float16 copies of the Cell's own Parameters
  for the length of the call (``call_in_compute_dtype``);
- outputs: MindSpore's ``_OutputTo32``/``_OutputTo16`` wrappers are forward hooks here
  casting floating outputs, so the network keeps its structure and its Parameters'
  names.

The levels: O1 runs MindSpore's white-list Cells (Dense, the convolutions, the RNN
cells) in float16 with float32 outputs; O2 the whole network but its black-list Cells
(BatchNorm, LayerNorm, kept float32 with float16 outputs), each with float32 outputs.
O3 asks for all of it in float16, but MindSpore's CPU kernels compute normalization in
float32 all the same (measured in MindSpore 2.10: ``Model(amp_level="O3")`` trains
exactly as O2 does), so here it is O2. Values are NumPy's float16 arithmetic, which
rounds as MindSpore's CPU kernels do up to the order of accumulation (training runs
measured equal to four digits).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import hooks
from .tensor import as_tensor


def _to_float16(cell: Any, inputs: tuple) -> tuple:
    """``to_float(float16)``'s forward pre-hook: floating inputs as float16. Written
    without ``isinstance`` so the compiler runs it from its source too."""
    return tuple(np.asarray(x).astype(np.float16) if np.asarray(x).dtype.kind == "f" else x
                 for x in inputs)


def _to_float32(cell: Any, inputs: tuple) -> tuple:
    """``to_float(float32)``'s forward pre-hook: floating inputs as float32."""
    return tuple(np.asarray(x).astype(np.float32) if np.asarray(x).dtype.kind == "f" else x
                 for x in inputs)


def _output_to16(cell: Any, inputs: tuple, output: Any) -> Any:
    """MindSpore's ``_OutputTo16`` as a forward hook: floating outputs as float16."""
    if isinstance(output, tuple):
        return tuple(_output_to16(cell, inputs, o) for o in output)
    return output.astype(np.float16) if np.asarray(output).dtype.kind == "f" \
        else output


def _output_to32(cell: Any, inputs: tuple, output: Any) -> Any:
    """MindSpore's ``_OutputTo32`` as a forward hook: floating outputs as float32."""
    if isinstance(output, tuple):
        return tuple(_output_to32(cell, inputs, o) for o in output)
    return output.astype(np.float32) if np.asarray(output).dtype.kind == "f" \
        else output


def float32_if_floating(x: Any) -> Any:
    """``x`` as float32 if it is floating (MindSpore's ``mixed_precision_cast``)."""
    return np.asarray(x).astype(np.float32) if np.asarray(x).dtype.kind == "f" else x


def set_precision(cell: Any, dtype: Any) -> None:
    """``cell`` and every Cell below it computing in ``dtype`` (np.float16, or None for
    float32): their inputs cast on entry, their Parameters where they are read."""
    hook = _to_float16 if dtype is not None else _to_float32
    for _, sub in cell.cells_and_names():
        handle = sub.__dict__.get("_to_float_hook")
        if handle is not None:
            handle.remove()
        object.__setattr__(sub, "_to_float_hook", hooks.register(sub, "forward_pre", hook))
        object.__setattr__(sub, "__compute_dtype__", dtype)


def cast_outputs(cell: Any, dtype: Any) -> None:
    """``cell``'s floating output cast to ``dtype`` (float16 or float32) as it leaves."""
    hooks.register(cell, "forward", _output_to16 if dtype == np.float16 else _output_to32)


def call_in_compute_dtype(cell: Any, call: Any, args: tuple, kwargs: dict) -> Any:
    """An eager call of a Cell running in float16: ``call`` with the Cell's own float
    Parameters read as float16 copies (its sub-Cells do the same for theirs)."""
    with _parameters_as(cell, cell.__dict__["__compute_dtype__"]):
        return call(*args, **kwargs)


@contextlib.contextmanager
def _parameters_as(cell: Any, dtype: Any) -> Iterator[None]:
    held = {name: value for name, value in cell.__dict__.items()
            if getattr(type(value), "__parameter__", False) and value.dtype.kind == "f"
            and value.dtype != dtype}
    try:
        for name, param in held.items():
            object.__setattr__(cell, name, as_tensor(param.view(np.ndarray).astype(dtype)))
        yield
    finally:
        for name, param in held.items():
            object.__setattr__(cell, name, param)


def apply_level(network: Any, level: str, white_list: tuple, black_list: tuple,
                outputs_to32: bool = True) -> Any:
    """``network`` set up for mixed-precision ``level`` (O1, O2 or O3), as MindSpore's
    ``auto_mixed_precision`` sets it up; returns it. ``outputs_to32=False`` leaves the
    network's own output float16 at O2/O3, as ``build_train_network`` leaves it (its loss
    cell casts it)."""
    if level == "O1":
        for _, cell in network.cells_and_names():
            if isinstance(cell, white_list):
                set_precision(cell, np.float16)
                cast_outputs(cell, np.float32)
        return network
    set_precision(network, np.float16)
    if level in ("O2", "O3"):  # O3 too: MindSpore's CPU normalization computes in float32
        for _, cell in network.cells_and_names():  # (measured: O3 trains exactly as O2)
            if isinstance(cell, black_list):
                set_precision(cell, None)
                cast_outputs(cell, np.float16)
    if outputs_to32:
        cast_outputs(network, np.float32)
    return network
