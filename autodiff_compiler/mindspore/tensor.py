"""MindSpore's ``Tensor``, ``Parameter`` and ``ParameterTuple``, as NumPy arrays.

``Tensor`` is an ``ndarray`` subclass: NumPy computes with it as with any array, and
arithmetic on Tensors gives Tensors, so ``(x * 2).asnumpy()`` works as in MindSpore.
It prints as MindSpore prints (``dtype=Float32``; its ``dtype`` attribute stays
NumPy's, which NumPy itself relies on), and Python floats become float32
(``Tensor(1.0)``), as MindSpore makes them.
``Parameter`` is a Tensor with a ``name`` and ``requires_grad``.

Both declare ``__plain_array__`` (``frontend.cells``): compiled code receives them as
plain ``ndarray`` views, so the generated gradients never dispatch through a subclass.
The API hands its results back through ``as_tensor`` (a ``view``, never a copy).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..ir import surface
from ..ir.core import NUMPY_2
from ..ir.primitives import tensor_promotion as promotion
from ..pipeline import leaf_hooks
from . import dtype as mstype
from . import tensor_overloads as overloads
from .tensor_format import tensor_repr
from .tensor_methods import (
    install,
    install_constructor,
    install_source_methods,
    install_table,
)
from .tensor_operands import (
    defers_to,
    mindspore_operands,
    numbers_of_numpy_scalars,
    weak_numbers,
)


def _as_array(data: Any, dtype: Any) -> np.ndarray:
    """A new array of ``data``, with MindSpore's dtype rules: a given dtype wins; NumPy
    arrays and scalars keep theirs; Python floats (and lists of them) are float32,
    ints int64, bools bool."""
    if dtype is not None:
        return np.array(np.asarray(data), dtype=np.dtype(dtype))
    if isinstance(data, np.ndarray | np.generic):
        return np.array(data.view(np.ndarray) if isinstance(data, np.ndarray) else data)
    array = np.array(data)
    if array.dtype == np.float64:
        return array.astype(np.float32)
    return array


def _plain(values: tuple | list) -> list:
    """``values`` with each Tensor in them (a tuple's, a list's, a dict's values too)
    viewed as a plain ``ndarray``, sharing its memory (an ``out=`` Tensor is written
    through). Written for speed: every NumPy function on a Tensor passes here."""
    return [v.view(np.ndarray) if isinstance(v, Tensor) else
            v if type(v) not in _NESTED else _plain_nested(v) for v in values]


_NESTED = (tuple, list, dict)


def _plain_nested(value: Any) -> Any:
    if type(value) is dict:
        return dict(zip(value, _plain(list(value.values()))))
    return type(value)(_plain(value))


def as_tensors(value: Any) -> Any:
    """``value`` with every plain array in it (a tuple's, a list's) viewed as a Tensor."""
    if type(value) is np.ndarray:
        return value.view(Tensor)
    if type(value) in (tuple, list):
        return type(value)(as_tensors(v) for v in value)
    return value


def _results(value: Any) -> Any:
    """A NumPy function's results on plain views, as Tensors: arrays and NumPy scalars
    (``np.sum(t)``, 0-d Tensors, as NumPy gave them while Tensors went in)."""
    if isinstance(value, np.generic) and not isinstance(value, np.str_ | np.bytes_):
        return np.asarray(value).view(Tensor)
    if type(value) in (tuple, list):
        return type(value)(_results(v) for v in value)
    if isinstance(value, tuple):  # a NamedTuple (np.linalg.svd's)
        return type(value)(*(_results(v) for v in value))
    return as_tensors(value)


class Tensor(np.ndarray):
    """MindSpore's Tensor: ``Tensor(input_data, dtype)``, or ``Tensor(shape=..., dtype=...,
    init=...)`` drawn by an initializer."""

    __plain_array__ = True  # generated code sees a plain ndarray (frontend.cells)
    # every array of a MindSpore program is a Tensor: ``isinstance(x, Tensor)`` of a
    # run-time array holds while compiling (frontend.calls; not so for Parameter)
    __every_array_is_one__ = True
    # results of a call a Tensor takes part in come back as Tensors (frontend.cells)
    __results_as__ = staticmethod(lambda value: as_tensor(value))

    def __new__(cls, input_data: Any = None, dtype: Any = None, shape: Any = None,
                init: Any = None, const_arg: bool = False) -> Tensor:
        if init is not None:
            from .initializer import initializer
            return initializer(init, shape, mstype.float32 if dtype is None else dtype) \
                .view(cls)
        if input_data is None:
            if shape is None:
                raise ValueError("Tensor needs input_data, or shape and init")
            # a dynamic-shape placeholder (Tensor(shape=[None, 3], dtype=...) for
            # set_inputs): an axis of any length is an empty one here
            shape = [0 if d is None or d == -1 else d for d in np.atleast_1d(shape).tolist()] \
                if not isinstance(shape, int) else shape
            input_data = np.zeros(shape, np.float32 if dtype is None else np.dtype(dtype))
        return _as_array(input_data, dtype).view(cls)

    @property
    def mT(self) -> Any:  # noqa: N802 (MindSpore's name)
        """The last two axes swapped (NumPy 2's ``ndarray.mT``; NumPy 1 has none)."""
        return np.swapaxes(self, -1, -2)

    def __array_wrap__(self, array: np.ndarray, context: Any = None,
                       return_scalar: bool = False) -> Any:
        """Results of NumPy on Tensors are Tensors (a reduction's too, 0-d), as
        MindSpore's operators return Tensors; never Parameters."""
        return array.view(Tensor)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """MindSpore computes integer and float operands in the float's type, float32
        for a Python float or a true division of integers (``promotion.mixed_float``:
        compiled code applies the same rule). It keeps a Tensor's dtype in arithmetic
        with a Python number (``loss.sum() / 2`` stays float32), as NumPy 2 does; NumPy
        1.x computes a 0-d Tensor with a number in float64: there the number takes the
        Tensors' dtype first where NumPy 2 would (a float with float Tensors, an int
        with int ones)."""
        if any(defers_to(a) for a in inputs):
            return NotImplemented  # another type's own ufunc handling (compiled code's values)
        inputs = numbers_of_numpy_scalars(inputs)
        if method == "__call__" and ufunc.__name__ in promotion.UFUNCS:
            inputs = mindspore_operands(promotion.UFUNCS[ufunc.__name__], inputs)
        if not NUMPY_2:
            inputs = weak_numbers(inputs)
        inputs = tuple(a.view(np.ndarray) if isinstance(a, Tensor) else a for a in inputs)
        if ufunc is np.power and method == "__call__" and not kwargs:  # (x ** -1 of ints)
            from .integer_dtypes import integer_power  # (it imports this module)
            if (power := integer_power(*inputs)) is not None:
                return power.view(Tensor)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, Tensor) else o
                                  for o in out)
        result = getattr(ufunc, method)(*inputs, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        if isinstance(result, tuple):  # np.divmod, np.modf
            return tuple(np.asarray(r).view(Tensor) for r in result)
        return None if result is None else np.asarray(result).view(Tensor)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """NumPy's other functions (``np.where``, ``np.concatenate``...) compute on plain
        views of the Tensors given, so that NumPy's code inside them never calls a
        method whose meaning MindSpore changed (``np.unique`` sorts with ``ar.sort()``,
        ``tensor_overloads``); their array results are Tensors, so that
        ``ops.relu(x).asnumpy()`` works as in MindSpore. An ``axis`` given as a list is
        read as the tuple NumPy takes, as MindSpore reads it (``ops.ReduceSum()(x, [1, 2,
        3])``, ``ops.amax(x, [1, 2])``), eagerly as in compiled code."""
        plain = dict(zip(kwargs, _plain(list(kwargs.values())))) if kwargs else kwargs
        if isinstance(plain.get("axis"), list):
            plain["axis"] = tuple(plain["axis"])
        if (func is np.where and len(args) == 3) or (func is np.clip and len(args) == 3):
            args = mindspore_operands(func.__name__, numbers_of_numpy_scalars(args))
        return _results(func._implementation(*_plain(args), **plain))

    def register_hook(self, hook: Any) -> Any:
        """Eagerly, on a leaf: ``hook`` runs on this Tensor's gradient wherever it is an
        input or a weight differentiated (``pipeline.leaf_hooks``); inside a
        differentiated function, ``gradient_hooks`` lowers the call."""
        if not callable(hook):
            raise TypeError(f"register_hook takes a function, not {type(hook).__name__}")
        return leaf_hooks.register(self, hook)

    def __getitem__(self, key: Any) -> Any:
        out = np.ndarray.__getitem__(self, key)
        if isinstance(out, np.ndarray):
            return out if type(out) is Tensor else out.view(Tensor)
        return np.asarray(out).view(Tensor)  # one element: a 0-d Tensor, as in MindSpore

    __hash__ = object.__hash__  # Tensors are hashed by identity, as MindSpore's are

    def __repr__(self) -> str:
        return tensor_repr(self.view(np.ndarray), str(mstype.of(self.dtype)))

    def __str__(self) -> str:
        return str(self.view(np.ndarray))

    def __format__(self, spec: str) -> str:
        """``f"{loss}"`` is ``str(loss)``, as in MindSpore (``1.2345678``, the float32's
        shortest digits, where NumPy formats a 0-d array's ``item()``, a Python float:
        ``1.2345677614212036``). A format spec (``f"{loss:.4f}"``) is NumPy's, where
        MindSpore raises ``TypeError``."""
        return str(self) if not spec else self.view(np.ndarray).__format__(spec)

    # ------------------------------------------------------------------ MindSpore methods

    def asnumpy(self) -> np.ndarray:
        """The data as a NumPy array, sharing memory (as MindSpore's does on CPU)."""
        return self.view(np.ndarray)

    def set_dtype(self, dtype: Any) -> Tensor:
        """Refused: a Tensor here is a NumPy array, whose dtype is fixed in place."""
        raise TypeError(f"a {type(self).__name__} cannot change its dtype in place (it is a "
                        f"NumPy array here): make a new one, x.astype(dtype) (a Parameter: "
                        f"Parameter(p.astype(dtype), name=p.name), assigned where p was)")

    @staticmethod
    def from_numpy(array: np.ndarray) -> Tensor:
        """A Tensor sharing ``array``'s memory, keeping its dtype."""
        return np.asarray(array).view(Tensor)

    def value(self) -> Tensor:
        return self

    def init_data(self, slice_index: Any = None, shape: Any = None,
                  opt_shape: Any = None) -> Tensor:
        """A Tensor made by an initializer holds its data already: itself."""
        return self

    def argmax(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The index of the maximum: a Tensor, also of the whole array (NumPy's method
        gives a scalar there, without ``asnumpy``). Compiled code keeps NumPy's."""
        return as_tensor(np.asarray(np.ndarray.argmax(self, axis=axis, keepdims=keepdims)))

    def view(self, *shape: Any, **kwargs: Any) -> Any:
        """MindSpore's ``x.view(*shape)`` is a reshape (ints, or one tuple of them);
        NumPy's ``x.view(dtype)`` / ``x.view(type)`` keeps its meaning."""
        if not shape or not isinstance(shape[0], int | np.integer | tuple | list):
            return np.ndarray.view(self, *shape, **kwargs)  # (first: the common call)
        if len(shape) == 1 and isinstance(shape[0], tuple | list):
            shape = tuple(shape[0])
        if shape and not kwargs and all(isinstance(n, int | np.integer) for n in shape):
            return np.reshape(self, shape)
        return np.ndarray.view(self, *shape, **kwargs)

    def argmin(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """The index of the minimum, as ``argmax``."""
        return as_tensor(np.asarray(np.ndarray.argmin(self, axis=axis, keepdims=keepdims)))

    def repeat(self, *repeats: Any, **keywords: Any) -> Any:  # type: ignore[override]
        """MindSpore 2.10's ``x.repeat(*repeats)``: tiled, as documented
        (``tensor_methods_shapes.repeat``); ``axis=`` keeps NumPy's meaning."""
        from .tensor_methods_shapes import repeat  # (it imports ops, which imports this)
        return as_tensor(np.asarray(repeat(self.view(np.ndarray), *repeats, **keywords)))

    def mean(self, axis: Any = None, keep_dims: bool = False,  # type: ignore[override]
             dtype: Any = None, out: Any = None, keepdims: Any = np._NoValue,
             **kwargs: Any) -> Any:
        """MindSpore's ``mean(axis, keep_dims)``; NumPy's keywords still work. Of
        integers (no ``dtype`` nor ``out``), MindSpore's integer mean (``ops.mean``)."""
        keep = keep_dims if keepdims is np._NoValue else keepdims
        if dtype is None and out is None and not kwargs and self.dtype.kind in "iu":
            from . import ops  # (ops imports this module)
            return as_tensor(np.asarray(ops.integer_mean(self.view(np.ndarray), _axis(axis),
                                                         bool(keep))))
        result = np.mean(self.view(np.ndarray), axis=_axis(axis), dtype=dtype, out=out,
                         keepdims=keep, **kwargs)
        return result if out is not None else np.asarray(result).view(Tensor)

    def flatten(self, order: Any = "C", last: Any = None, *, start_dim: int = 0,
                end_dim: int = -1) -> Tensor:
        """MindSpore's ``flatten``: the axes from ``start_dim`` to ``end_dim`` merged into
        one (all of them by default, as NumPy's ``flatten``, which NumPy calls too); also
        by position, ``x.flatten(1)`` (in ``order``'s place)."""
        if isinstance(order, int):
            start_dim, end_dim, order = order, -1 if last is None else last, "C"
        if start_dim == 0 and end_dim == -1:
            return np.ndarray.flatten(self, order)
        rank = max(self.ndim, 1)
        return np.ndarray.flatten(self, order).reshape(
            (*self.shape[:start_dim % rank], -1, *self.shape[end_dim % rank + 1:]))


install(Tensor)  # x.tanh(), x.neg(), x.pow(2), ... (tensor_methods)
install_constructor(Tensor, _as_array)  # Tensor(...) inside differentiated functions
install_table(Tensor)  # x.matmul(w), x.float(), x.add_(y), ... (tensor_methods_table)


def _axis(axis: Any) -> Any:
    return tuple(axis) if isinstance(axis, list) else axis


def _precedence(dtype: np.dtype) -> tuple[int, int]:
    """MindSpore's order of implicit conversion: bool, integers, floats, complex; wider
    after narrower."""
    return {"b": 0, "i": 1, "u": 1, "f": 2, "c": 3}.get(dtype.kind, 4), dtype.itemsize


def as_tensor(value: Any) -> Any:
    """A result of compiled code as MindSpore returns it: an array as a Tensor view (no
    copy), a NumPy scalar as a 0-d Tensor; anything else as it is."""
    if type(value) is np.ndarray:
        return value.view(Tensor)
    if isinstance(value, np.generic):
        return np.asarray(value).view(Tensor)
    return value


# The version of every Cell's listing of its Parameters and sub-Cells (``cell_tree``),
# and of which Parameters are trainable: what compiled code that listed them is guarded on
STRUCTURE = surface.Structure()


class Parameter(Tensor):
    """A trainable Tensor: a ``name`` (set from the attribute it is assigned to in a Cell
    when not given) and ``requires_grad``."""

    __parameter__ = True  # what weights= takes (frontend.cells)

    name: str | None

    @property
    def requires_grad(self) -> bool:
        return self.__dict__.get("_requires_grad", True)

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        """Freezing a Parameter changes ``trainable_params()``, which compiled code may
        have listed (``STRUCTURE``)."""
        if self.__dict__.get("_requires_grad", True) != value:
            STRUCTURE.changed()
        self.__dict__["_requires_grad"] = value

    def __new__(cls, default_input: Any, name: str | None = None, requires_grad: bool = True,
                layerwise_parallel: bool = False, parallel_optimizer: bool = True
                ) -> Parameter:
        if isinstance(default_input, bool):
            raise ValueError("Parameter data can not be `bool`")  # MindSpore's message
        obj = _as_array(default_input, None).view(cls)
        obj.name, obj.__dict__["_requires_grad"] = name, requires_grad  # (new: in no listing)
        return obj

    def __array_finalize__(self, obj: Any) -> None:
        self.name = getattr(obj, "name", None)
        self.__dict__["_requires_grad"] = getattr(obj, "requires_grad", True)

    def __reduce__(self) -> tuple:  # pickling (checkpoints) keeps the name
        constructor, args, state = super().__reduce__()
        return constructor, args, (state, self.name, self.requires_grad)

    def __setstate__(self, state: tuple) -> None:
        base, self.name, self.__dict__["_requires_grad"] = state
        super().__setstate__(base)

    def __repr__(self) -> str:
        return (f"Parameter (name={self.name}, shape={self.shape}, "
                f"dtype={mstype.of(self.dtype)}, requires_grad={self.requires_grad})")

    __str__ = __repr__  # MindSpore prints a Parameter the same way

    @property
    def data(self) -> Parameter:  # type: ignore[override]
        """The Parameter itself, as MindSpore's ``Parameter.data`` is."""
        return self

    def value(self) -> Tensor:
        """The Parameter's data as a Tensor (sharing memory)."""
        return self.view(Tensor)

    def set_data(self, data: Any, slice_shape: bool = False) -> Parameter:
        """Replace the values in place; returns self. As MindSpore's: a Tensor of a
        dtype above this Parameter's (float64 data for a float32 Parameter) is refused,
        other data is cast to its dtype. The shape must stay (a NumPy array cannot
        change shape in place)."""
        new = np.asarray(data)
        if isinstance(data, Tensor) and _precedence(new.dtype) > _precedence(self.dtype):
            raise TypeError(  # (MindSpore's first sentence)
                f"Can not change the Parameter dtype. Current dtype is "
                f"{mstype.of(self.dtype)}, and incoming is {mstype.of(new.dtype)}. Cast the "
                f"data (data.astype(mindspore.{self.dtype.name})), or make a new Parameter")
        if new.shape != self.shape:
            raise ValueError(f"set_data: Parameter '{self.name}' has shape {self.shape}, "
                             f"the new data {new.shape}; create a new Parameter to change "
                             f"its shape")
        self.view(np.ndarray)[...] = new
        return self

    def clone(self, init: Any = "same") -> Parameter:
        """A new Parameter of the same name: a copy of the data (``init="same"``), or
        drawn by ``init`` (an initializer or its name) in this shape and dtype."""
        if isinstance(init, str) and init == "same":
            data: Any = np.array(self.view(np.ndarray))
        else:
            from .initializer import initializer
            data = initializer(init, self.shape, self.dtype)
        return Parameter(data, self.name, self.requires_grad)


class ParameterTuple(tuple):
    """A tuple of Parameters with distinct names, as ``Cell.trainable_params()`` gives."""

    def __new__(cls, iterable: Iterable[Any] = ()) -> ParameterTuple:
        params = tuple(iterable)
        names: dict[str, int] = {}
        for p in params:
            if not isinstance(p, Parameter):
                raise TypeError(f"ParameterTuple holds Parameters, got {type(p).__name__}")
            # the same Parameter twice is accepted, as MindSpore accepts it
            if p.name is not None and names.setdefault(p.name, id(p)) != id(p):
                raise ValueError(f"The value {p!r} , its name '{p.name}' already "
                                 f"exists. Please set a unique name for the parameter.")
        return super().__new__(cls, params)

    def clone(self, prefix: str, init: Any = "same") -> ParameterTuple:
        """Copies named ``<prefix>.<name>``, each a copy or drawn by ``init``."""
        if not isinstance(prefix, str) or not prefix:
            raise ValueError("ParameterTuple.clone needs a non-empty string prefix")
        clones = []
        for p in self:
            c = p.clone(init)
            c.name = f"{prefix}.{p.name}"
            clones.append(c)
        return ParameterTuple(clones)


def is_tensor(obj: Any) -> bool:
    """MindSpore's ``is_tensor``: whether ``obj`` is a Tensor (a Parameter is one)."""
    return isinstance(obj, Tensor)


surface.TENSOR_CLASSES.extend([Tensor, Parameter])  # (hasattr of a Tensor, compiled)
from_numpy = Tensor.from_numpy  # MindSpore's top-level ``from_numpy`` too


def tensor(input_data: Any = None, dtype: Any = None, shape: Any = None, init: Any = None,
           const_arg: bool = False, device: Any = None) -> Tensor:
    """MindSpore's ``tensor``: the Tensor constructor as a function, which MindSpore 2.x
    gives so graph mode knows the result's type; its arguments are ``Tensor``'s, and
    ``device`` is accepted because everything here runs on the CPU. (Inside a
    differentiated function it compiles as ``Tensor(data, dtype)`` does.)"""
    if shape is None and init is None:
        return Tensor(input_data, dtype)
    return Tensor(input_data, dtype, shape, init, const_arg)


def _view_compiled(self: Any, *shape: Any) -> Any:
    """``x.view(*shape)`` inside a differentiated function: MindSpore's reshape; with
    no shape (or ``np.ndarray``), NumPy's ``x.view()``: a view of the whole array."""
    if not shape or (len(shape) == 1 and shape[0] is np.ndarray):
        return np.reshape(self, np.shape(self))
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        shape = tuple(shape[0])
    return np.reshape(self, shape)


install_source_methods(Tensor, {"view": Tensor.view}, compiled={"view": _view_compiled})
overloads.TENSOR = Tensor
for _name, _method in overloads.METHODS.items():  # x.sort(), x.max(1): MindSpore's meaning
    setattr(Tensor, _name, _method)
install_source_methods(Tensor, {name: overloads.METHODS[name] for name in overloads.COMPILED},
                       compiled=overloads.COMPILED)
