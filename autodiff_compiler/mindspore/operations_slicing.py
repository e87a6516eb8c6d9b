"""MindSpore's slicing operators of older code: ``StridedSlice``, whose masks say which
of ``begin``/``end`` to ignore and where an ellipsis, a new axis or a single index
(``shrink_axis_mask``) stands, bit ``i`` for position ``i``, as TensorFlow's; and
``Unstack``, the tensors along an axis. Shapes as MindSpore 2.7.1 gives them
(measured)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .operations import PrimitiveOp


class StridedSlice(PrimitiveOp):
    attributes = (("begin_mask", 0), ("end_mask", 0), ("ellipsis_mask", 0),
                  ("new_axis_mask", 0), ("shrink_axis_mask", 0))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the positions each mask names, worked out here (the call may be compiled)
        self.positions = {name: tuple(i for i in range(64) if getattr(self, name) >> i & 1)
                          for name, _ in self.attributes}

    def apply(self, x: Any, begin: Any, end: Any, strides: Any) -> Any:
        at = self.positions
        index = []
        for i, (start, stop, step) in enumerate(zip(begin, end, strides)):
            if i in at["ellipsis_mask"]:
                index.append(Ellipsis)
            elif i in at["new_axis_mask"]:
                index.append(None)
            elif i in at["shrink_axis_mask"]:
                index.append(start)
            else:
                index.append(slice(None if i in at["begin_mask"] else start,
                                   None if i in at["end_mask"] else stop, step))
        return x[tuple(index)]


class Unstack(PrimitiveOp):
    """The tensors along ``axis``, as a tuple."""

    attributes = (("axis", 0), ("num", None))

    def apply(self, x: Any) -> Any:
        return tuple([np.take(x, i, axis=self.axis) for i in range(np.shape(x)[self.axis])])
