"""MindSpore's primitive classes (``ops.MatMul()``, ``ops.ReduceMean(keep_dims=True)``,
``from mindspore.ops import operations as P``): operator objects whose call is one of
the ``ops`` functions.

Every class is made from one table: its name, the ``ops`` (or NumPy) function it calls,
the attributes its constructor takes, and how those attributes and the call's inputs
become that function's arguments. An instance is an ordinary object, so inside a
differentiated function its ``__call__`` is compiled from this source like a method of
the user's (its attributes are settings known when compiling), and the gradient is the
function's: no rule of its own.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from . import ops
from .integer_dtypes import in_dtype_of, summed_in
from .ops_special import gelu_tanh
from .tensor import Tensor


class _OnTheClass:
    """True read on a class, False on its instances."""

    def __get__(self, instance: Any, owner: type) -> bool:
        return instance is None


class PrimitiveOp:
    """A MindSpore operator object: its settings, then ``op(*inputs)``."""

    attributes: tuple[tuple[str, Any], ...] = ()  # (name, default) the constructor takes
    # made inside a compiled function (``ops.Split(1, 2)(x)``): made while compiling,
    # its settings being known then; its call is compiled (a Dropout draws per call)
    __evaluated_when_compiling__ = _OnTheClass()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = [name for name, _ in self.attributes]
        if len(args) > len(names) or set(kwargs) - set(names):
            raise TypeError(f"{type(self).__name__} takes the settings {names}, got "
                            f"{args} {sorted(kwargs)}")
        values = dict(self.attributes) | dict(zip(names, args)) | kwargs
        for name, value in values.items():
            setattr(self, name, value)

    def __call__(self, *inputs: Any) -> Any:
        return self.apply(*inputs)

    def apply(self, *inputs: Any) -> Any:
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{n}={getattr(self, n)!r}" for n, _ in self.attributes)
        return f"Prim[{type(self).__name__}]" + (f"<{settings}>" if settings else "")


def _all_if_empty(axis: Any) -> Any:
    """Every axis for ``()`` or ``[]``; a list of axes as NumPy's tuple (MindSpore takes
    either: ``ops.ReduceSum()(x, [1, 2, 3])``)."""
    if axis == () or axis == []:
        return None
    return tuple(axis) if isinstance(axis, list) else axis


class _Reduce(PrimitiveOp):
    attributes = (("keep_dims", False),)
    reduce: Any = None

    def apply(self, x: Any, axis: Any = ()) -> Any:
        return self.reduce(x, _all_if_empty(axis), keepdims=self.keep_dims)


class MatMul(PrimitiveOp):
    attributes = (("transpose_a", False), ("transpose_b", False))

    def apply(self, a: Any, b: Any) -> Any:
        a = np.swapaxes(a, -1, -2) if self.transpose_a else a
        b = np.swapaxes(b, -1, -2) if self.transpose_b else b
        return np.matmul(a, b)


class BatchMatMul(MatMul):
    pass


class Softmax(PrimitiveOp):
    attributes = (("axis", -1),)

    def apply(self, x: Any) -> Any:
        return ops.softmax(x, self.axis)


class LogSoftmax(Softmax):
    def apply(self, x: Any) -> Any:
        return ops.log_softmax(x, self.axis)


class Concat(PrimitiveOp):
    attributes = (("axis", 0),)

    def apply(self, tensors: Any) -> Any:
        return np.concatenate(tensors, axis=self.axis)


class Stack(Concat):
    def apply(self, tensors: Any) -> Any:
        return np.stack(tensors, axis=self.axis)


class Squeeze(PrimitiveOp):
    attributes = (("axis", ()),)

    def apply(self, x: Any) -> Any:
        return np.squeeze(x, _all_if_empty(self.axis))


class Argmax(PrimitiveOp):
    attributes = (("axis", -1), ("output_type", np.int32))

    def apply(self, x: Any) -> Any:
        return np.argmax(x, axis=self.axis).astype(self.output_type)


class OneHot(PrimitiveOp):
    attributes = (("axis", -1),)

    def apply(self, indices: Any, depth: int, on_value: Any, off_value: Any) -> Any:
        return ops.one_hot(indices, depth, on_value, off_value, self.axis)


class Split(PrimitiveOp):
    """``output_num`` equal pieces along ``axis``, as a tuple."""

    attributes = (("axis", 0), ("output_num", 1))

    def apply(self, x: Any) -> Any:
        return tuple(np.split(x, self.output_num, axis=self.axis))


class CumProd(PrimitiveOp):
    """The running product along ``axis`` (given with the input), ``exclusive`` of each
    entry itself (a product of none is 1), or from the end (``reverse``)."""

    attributes = (("exclusive", False), ("reverse", False))

    def apply(self, x: Any, axis: int) -> Any:
        y = np.flip(x, axis) if self.reverse else x
        total = np.cumprod(y, axis=axis, dtype=summed_in(y))
        if self.exclusive:
            n = np.shape(y)[axis]
            total = np.concatenate([np.ones_like(np.take(y, [0], axis=axis)),
                                    np.take(total, np.arange(n - 1), axis=axis)], axis=axis)
        return np.flip(total, axis) if self.reverse else total


class Shape(PrimitiveOp):
    def apply(self, x: Any) -> Any:
        return np.shape(x)


class Fill(PrimitiveOp):
    def apply(self, dtype: Any, shape: Any, value: Any) -> Any:
        return Tensor(np.full(shape, value, dtype=dtype))  # a Tensor, as MindSpore's


class _Constructor(PrimitiveOp):
    make: Any = None

    def apply(self, shape: Any, dtype: Any = np.float32) -> Any:
        return Tensor(self.make(shape, dtype))


class Argmin(Argmax):
    def apply(self, x: Any) -> Any:
        return np.argmin(x, axis=self.axis).astype(self.output_type)


class ArgMaxWithValue(PrimitiveOp):
    """``(index, value)`` of the maximum along ``axis`` (the index int64, as MindSpore
    2.7 gives it)."""

    attributes = (("axis", 0), ("keep_dims", False))
    pick: Any = staticmethod(np.argmax)

    def apply(self, x: Any) -> Any:
        index = self.pick(x, axis=self.axis, keepdims=True)
        value = np.take_along_axis(x, index, axis=self.axis)
        if not self.keep_dims:
            index, value = np.squeeze(index, self.axis), np.squeeze(value, self.axis)
        return index.astype(np.int64), value


class ArgMinWithValue(ArgMaxWithValue):
    pick = staticmethod(np.argmin)


class CumSum(PrimitiveOp):
    """The running sum along ``axis`` (given with the input), ``exclusive`` of each entry
    itself, or from the end (``reverse``)."""

    attributes = (("exclusive", False), ("reverse", False))

    def apply(self, x: Any, axis: int) -> Any:
        y = np.flip(x, axis) if self.reverse else x
        total = np.cumsum(y, axis=axis, dtype=summed_in(y))
        if self.exclusive:
            total = total - y
        return np.flip(total, axis) if self.reverse else total


class TopK(PrimitiveOp):
    attributes = (("sorted", True),)

    def apply(self, x: Any, k: int) -> Any:
        return ops.topk(x, k, sorted=self.sorted)


class Sort(PrimitiveOp):
    attributes = (("axis", -1), ("descending", False))

    def apply(self, x: Any) -> Any:
        return ops.sort(x, self.axis, self.descending)


class Einsum(PrimitiveOp):
    attributes = (("equation", ""),)

    def apply(self, operands: Any) -> Any:
        return np.einsum(self.equation, *operands)


class BroadcastTo(PrimitiveOp):
    attributes = (("shape", ()),)

    def apply(self, x: Any) -> Any:
        return ops.broadcast_to(x, self.shape)


class Meshgrid(PrimitiveOp):
    attributes = (("indexing", "xy"),)

    def apply(self, inputs: Any) -> Any:
        return tuple(np.meshgrid(*inputs, indexing=self.indexing))


class Pad(PrimitiveOp):
    """Zeros around ``x``: ``paddings`` a (before, after) pair per axis."""

    attributes = (("paddings", ()),)

    def apply(self, x: Any) -> Any:
        return np.pad(x, self.paddings)


class Flatten(PrimitiveOp):
    def apply(self, x: Any) -> Any:
        return np.reshape(x, (np.shape(x)[0], -1))


class Eye(PrimitiveOp):
    def apply(self, n: int, m: int, t: Any) -> Any:
        return Tensor(np.eye(n, m, dtype=t))


class Tril(PrimitiveOp):
    attributes = (("diagonal", 0),)

    def apply(self, x: Any) -> Any:
        return ops.tril(x, self.diagonal)


class Triu(Tril):
    def apply(self, x: Any) -> Any:
        return ops.triu(x, self.diagonal)


class ReverseV2(PrimitiveOp):
    """The input reversed along ``axis`` (MindSpore's older ``flip``)."""

    attributes = (("axis", ()),)

    def apply(self, x: Any) -> Any:
        return ops.flip(x, tuple(self.axis))


class Roll(PrimitiveOp):
    attributes = (("shifts", 0), ("dims", None))

    def apply(self, x: Any) -> Any:
        return ops.roll(x, self.shifts, self.dims)


class Print(PrimitiveOp):
    """Prints each input on a line of its own, where the program runs (inside a
    differentiated function too); its value is to be ignored, as MindSpore's."""

    def apply(self, *inputs: Any) -> None:
        for value in inputs:
            print(value)


class MatrixInverse(PrimitiveOp):
    """The inverse of each matrix of ``x`` (of its conjugate transpose, ``adjoint``)."""

    attributes = (("adjoint", False),)

    def apply(self, x: Any) -> Any:
        return np.linalg.inv(np.conj(np.swapaxes(x, -1, -2)) if self.adjoint else x)


class ReverseSequence(PrimitiveOp):
    """``ops.reverse_sequence``: each batch entry's first ``seq_lengths[i]`` steps reversed."""

    attributes = (("seq_dim", None), ("batch_dim", 0))

    def apply(self, x: Any, seq_lengths: Any) -> Any:
        return ops.reverse_sequence(x, seq_lengths, self.seq_dim, self.batch_dim)


class _Summary(PrimitiveOp):
    """A summary for MindInsight (``ops.ScalarSummary()("loss", loss)``): accepted and
    not recorded (no summary files are written here)."""

    def apply(self, name: str, value: Any) -> None:
        return None


class _Stateless(PrimitiveOp):
    """An operator with no settings whose call is a function of its inputs."""

    function: Any = None

    def apply(self, *inputs: Any) -> Any:
        return self.function(*inputs)


def stateless_classes(table: list[tuple[str, Any]], module: str) -> dict[str, type]:
    """One operator class with no settings per ``(name, function)`` of ``table``, named
    as MindSpore names it, in ``module`` (for its ``repr`` and pickling)."""
    made = {name: type(name, (_Stateless,), {"function": staticmethod(fn)})
            for name, fn in table}
    for cls in made.values():
        cls.__module__, cls.__qualname__ = module, cls.__name__
    return made


# Operators with no settings: (class name, the function their call is). MindSpore's
# GeLU operator is the tanh form (ops.gelu's default is the exact one).
STATELESS = [
    ("Abs", np.abs), ("Neg", np.negative), ("Exp", np.exp), ("Log", np.log),
    ("Log1p", np.log1p), ("Expm1", np.expm1), ("Sqrt", np.sqrt), ("Rsqrt", ops.rsqrt),
    ("Square", np.square), ("Sin", np.sin), ("Cos", np.cos), ("Tan", np.tan),
    ("Tanh", np.tanh), ("Sinh", np.sinh), ("Cosh", np.cosh), ("Sigmoid", ops.sigmoid),
    ("ReLU", ops.relu), ("Reciprocal", np.reciprocal), ("Sign", np.sign),
    ("Floor", np.floor), ("Ceil", np.ceil), ("OnesLike", np.ones_like),
    ("ZerosLike", np.zeros_like), ("Add", np.add), ("Sub", np.subtract),
    ("Mul", np.multiply), ("Div", np.divide), ("RealDiv", np.divide), ("Pow", np.power),
    ("Maximum", np.maximum), ("Minimum", np.minimum), ("Atan2", np.arctan2),
    ("Equal", np.equal), ("NotEqual", np.not_equal), ("Greater", np.greater),
    ("GreaterEqual", np.greater_equal), ("Less", np.less), ("LessEqual", np.less_equal),
    ("Reshape", np.reshape), ("Transpose", np.transpose), ("ExpandDims", np.expand_dims),
    ("Tile", np.tile), ("Select", np.where), ("Cast", ops.cast),
    ("Gather", ops.gather), ("StopGradient", ops.stop_gradient), ("Erf", ops.erf),
    ("GeLU", gelu_tanh), ("Softplus", ops.softplus), ("Depend", ops.depend),
    ("LogicalAnd", np.logical_and), ("LogicalOr", np.logical_or),
    ("LogicalNot", np.logical_not), ("FloorDiv", np.floor_divide), ("Round", np.round),
    ("SquaredDifference", lambda x, y: np.square(x - y)), ("Identity", np.copy),
    ("Size", np.size), ("Rank", np.ndim), ("DType", lambda x: x.dtype),
    ("Trace", ops.trace), ("Softsign", ops.softsign), ("ReLU6", ops.relu6),
    ("HSwish", ops.hardswish), ("HSigmoid", ops.hardsigmoid), ("SeLU", ops.selu),
    ("Mish", ops.mish), ("GatherD", ops.gather_d), ("Assign", ops.assign),
    ("ScatterNd", ops.scatter_nd), ("TensorScatterUpdate", ops.tensor_scatter_update),
    ("TensorScatterAdd", ops.tensor_scatter_add), ("AssignAdd", ops.assign_add),
    ("AssignSub", ops.assign_sub), ("IsFinite", np.isfinite), ("IsNan", np.isnan),
    ("Slice", lambda x, begin, size: x[tuple(
        slice(b, None if n == -1 else b + n) for b, n in zip(begin, size))]),
    ("PReLU", ops.prelu), ("FastGeLU", ops.fast_gelu), ("GatherNd", ops.gather_nd),
    ("UnsortedSegmentSum", ops.unsorted_segment_sum),
    ("UnsortedSegmentMax", ops.unsorted_segment_max), ("MaskedFill", ops.masked_fill),
    ("LinSpace", ops.linspace), ("Unique", ops.unique), ("Erfinv", ops.erfinv),
    ("Lgamma", ops.lgamma), ("Digamma", ops.digamma),
    ("AddN", ops.addn), ("UnsortedSegmentMin", ops.unsorted_segment_min), ("Erfc", ops.erfc),
    ("ACos", np.arccos), ("Asin", np.arcsin), ("Atan", np.arctan), ("Asinh", np.arcsinh),
    ("Acosh", np.arccosh), ("Atanh", np.arctanh), ("IsInf", np.isinf), ("Trunc", np.trunc),
    ("MaskedSelect", ops.masked_select), ("Diag", ops.diag), ("Inv", np.reciprocal),
    ("MatrixDeterminant", ops.matrix_determinant), ("Invert", np.invert),
    ("LogMatrixDeterminant", ops.log_matrix_determinant), ("Mod", np.fmod),
    ("FloorMod", np.mod), ("TruncateDiv", ops.truncate_div), ("Xdivy", ops.xdivy),
    ("Xlogy", ops.xlogy), ("Lerp", ops.lerp), ("Addcdiv", ops.addcdiv),
    ("Addcmul", ops.addcmul),
]
# Reductions: (class name, NumPy reduction); each takes ``keep_dims``, then (x, axis).
def _reduce_mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return ops.mean(x, axis, keepdims)  # (integers: MindSpore's integer mean)


def _reduce_sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    return in_dtype_of(np.sum(x, axis=axis, keepdims=keepdims), x)  # int32: int32


REDUCTIONS = [("ReduceSum", _reduce_sum), ("ReduceMean", _reduce_mean), ("ReduceMax", np.max),
              ("ReduceMin", np.min), ("ReduceProd", np.prod), ("ReduceAll", np.all),
              ("ReduceAny", np.any)]
CONSTRUCTORS = [("Ones", np.ones), ("Zeros", np.zeros)]
SUMMARIES = ["ScalarSummary", "ImageSummary", "TensorSummary", "HistogramSummary"]

_made = stateless_classes(STATELESS, __name__)
_made |= {name: type(name, (_Reduce,), {"reduce": staticmethod(fn)}) for name, fn in REDUCTIONS}
_made |= {name: type(name, (_Constructor,), {"make": staticmethod(fn)})
          for name, fn in CONSTRUCTORS}
_made |= {name: type(name, (_Summary,), {}) for name in SUMMARIES}
for _cls in _made.values():
    _cls.__module__ = __name__
    _cls.__qualname__ = _cls.__name__
globals().update(_made)

__all__ = ["PrimitiveOp", "MatMul", "BatchMatMul", "Softmax", "LogSoftmax", "Concat", "Stack",
           "Squeeze", "Argmax", "Argmin", "ArgMaxWithValue", "ArgMinWithValue", "CumSum", "CumProd",
           "TopK", "Sort", "Einsum", "BroadcastTo", "Meshgrid", "Pad", "Flatten", "Eye",
           "Shape", "Fill", "OneHot", "Split", "Tril", "Triu", "ReverseV2", "Roll", "Print",
           "MatrixInverse", "ReverseSequence", *_made]

from .operations_ctc import CTCLoss  # noqa: E402  (a subclass of PrimitiveOp)
from .operations_math import *  # noqa: E402, F403  (every class of operations_math.__all__)
from .operations_math import __all__ as _math  # noqa: E402
from .operations_more import *  # noqa: E402, F403  (every class of operations_more.__all__)
from .operations_more import __all__ as _more  # noqa: E402
from .operations_nn import *  # noqa: E402, F403  (every class of operations_nn.__all__)
from .operations_nn import __all__ as _nn  # noqa: E402
from .operations_nn_more import *  # noqa: E402, F403  (every class of its __all__)
from .operations_nn_more import __all__ as _nn_more  # noqa: E402
from .operations_slicing import StridedSlice, Unstack  # noqa: E402  (subclasses of PrimitiveOp)
from .operations_state import *  # noqa: E402, F403  (every class of operations_state.__all__)
from .operations_state import __all__ as _writing  # noqa: E402

__all__ += ["StridedSlice", "Unstack", "CTCLoss", *_nn, *_writing, *_math, *_more, *_nn_more]


def __getattr__(name: str) -> Any:
    """``P.HookBackward`` and ``P.InsertGradientOf`` (MindSpore's own spelling is
    ``mindspore.ops.operations``'s), made on first use: they are Cells, and ``nn``
    imports this module."""
    if name in ("HookBackward", "InsertGradientOf"):
        from . import gradient_hooks
        return getattr(gradient_hooks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
