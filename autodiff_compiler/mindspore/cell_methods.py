"""The ``nn.Cell`` methods MindSpore training scripts call beyond listing and calling:
flags, names, buffers, ``state_dict``, ``to_float``, and the graph-mode settings.

As MindSpore 2.7.1 does them (measured, tests/test_mindspore_training_surface.py):

- ``add_flags(**flags)`` records the flags (``get_flags()``) and sets them as attributes;
  ``add_flags_recursive`` on every sub-Cell too. ``set_boost("less_bn")`` is
  ``add_flags_recursive(less_bn=True)``.
- ``apply(fn)`` calls ``fn`` on every sub-Cell, children before their parent, then on
  the Cell itself; returns it.
- ``update_parameters_name(prefix)`` renames each Parameter ``prefix + <its path>``.
- ``insert_param_to_cell(name, param)`` adds a Parameter (named ``name`` when unnamed);
  a name with ``.`` or one already taken by another attribute is a KeyError.
- ``register_buffer(name, tensor, persistent=True)``: a Tensor that is state but not a
  Parameter; ``buffers``/``named_buffers`` list them, ``get_buffer("a.b")`` finds one.
- ``state_dict()``: each Cell's Parameters then its persistent buffers, Cell by Cell
  from the top, by path; ``load_state_dict(d, strict=True)`` copies the values in and
  returns ``(missing_keys, unexpected_keys)``, a RuntimeError under ``strict``.
- ``to_float(float16)`` runs the Cell and every sub-Cell in float16, ``to_float(float32)``
  in float32, with the ``fp16``/``fp32`` flags set as MindSpore sets them: inputs are
  cast on entry, Parameters where they are read (``precision``). NumPy has no
  bfloat16, which is refused.
- ``cast_inputs`` only warns and returns None in MindSpore 2.7.1 (it is deprecated);
  so it does here.
- ``set_grad``, ``set_inputs``, ``set_jit_config`` and ``shard`` (without a parallel
  group, MindSpore's ``shard`` returns at once) change no value on CPU; they record
  what they are given and return what MindSpore returns.
"""
from __future__ import annotations

import warnings
from collections import OrderedDict, namedtuple
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from . import dtype as mstype
from . import precision
from .tensor import Parameter

__all__ = ["CellMethods", "IncompatibleKeys"]


class IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns."""

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()


class CellMethods:
    """Methods ``nn.Cell`` gets from here (``CellTree`` derives from this)."""

    # ---------------------------------------------------------------- names and flags

    @property
    def cls_name(self) -> str:
        return type(self).__name__

    @property
    def param_prefix(self) -> str:
        return self.__dict__.get("_param_prefix", "")

    def get_flags(self) -> dict[str, Any]:
        if "_func_graph_flags" not in self.__dict__:
            object.__setattr__(self, "_func_graph_flags", {})
        return self.__dict__["_func_graph_flags"]

    def add_flags(self, **flags: Any) -> CellMethods:
        self.get_flags().update(flags)
        for name, value in flags.items():
            object.__setattr__(self, name, value)
        return self

    def add_flags_recursive(self, **flags: Any) -> CellMethods:
        self.add_flags(**flags)
        for cell in self.__dict__.get("_cells", {}).values():
            cell.add_flags_recursive(**flags)
        return self

    def set_boost(self, boost_type: str) -> CellMethods:
        if boost_type not in ("less_bn",):
            raise ValueError("For 'set_boost', the argument 'boost_type' must be 'less_bn', "
                             f"but got {boost_type}.")
        return self.add_flags_recursive(less_bn=True)

    def apply(self, fn: Callable[[Any], Any]) -> CellMethods:
        for cell in self.__dict__.get("_cells", {}).values():
            cell.apply(fn)
        fn(self)
        return self

    def get_sub_cell(self, target: str) -> Any:
        """The sub-Cell at ``target`` (``"seq.0"``); ``""`` is the Cell itself."""
        cell = self
        for item in target.split(".") if target else ():
            if not hasattr(cell, item):
                raise AttributeError(f"{type(cell).__name__} has no attribute `{item}`")
            cell = getattr(cell, item)
            if not isinstance(cell, CellMethods):
                raise AttributeError(f"`{item}` is not an nn.Cell")
        return cell

    def update_parameters_name(self, prefix: str = "", recurse: bool = True) -> None:
        """Name each Parameter ``prefix`` + its path below this Cell. Each Cell keeps the
        prefix its own Parameters got (MindSpore's ``param_prefix``), so a Cell added
        later below it (``self.head.append(layer)``) is named by the whole path."""
        if not isinstance(prefix, str):
            raise TypeError(f"The prefix must be a str, not {type(prefix).__name__}")
        for name, param in list(self.parameters_and_names(expand=recurse)):
            param.name = prefix + name
        for name, cell in self.cells_and_names() if recurse else [("", self)]:
            object.__setattr__(cell, "_param_prefix", f"{prefix}{name}." if name else prefix)

    def insert_param_to_cell(self, param_name: str, param: Parameter | None,
                             check_name_contain_dot: bool = True) -> None:
        if not param_name:
            raise KeyError("For 'insert_param_to_cell', the argument 'param_name' should not "
                           "be None.")
        if check_name_contain_dot and "." in param_name:
            raise KeyError("For 'insert_param_to_cell', the argument 'param_name' should not "
                           "contain'.' ")
        if "_params" not in self.__dict__:
            raise AttributeError("For 'insert_param_to_cell', please call Cell.__init__() "
                                 "firstly.")
        if hasattr(self, param_name) and param_name not in self._params:
            raise KeyError(f"For 'insert_param_to_cell', the {param_name} parameter already "
                           "exists in the network.Cannot insert another parameter with the "
                           "same name.")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError("For 'insert_param_to_cell', the argument 'param' must be "
                            f"'Parameter' if not None, but got {type(param)}.")
        if param is not None and param.name is None:
            param.name = param_name
        self._params[param_name] = param
        object.__setattr__(self, param_name, param)

    # ---------------------------------------------------------------- buffers and state

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"buffer name must be a non-empty str without '.', not {name!r}")
        if hasattr(self, name) and name not in self.__dict__.get("_buffers", {}):
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, np.ndarray):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer "
                            f"'{name}' (Tensor or None required)")
        if "_buffers" not in self.__dict__:
            object.__setattr__(self, "_buffers", {})
        self._buffers[name] = persistent  # the value stays the attribute's, if reassigned
        object.__setattr__(self, name, tensor)

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        seen: set[int] = set()
        cells = self.cells_and_names(name_prefix=prefix) if recurse else [(prefix, self)]
        for path, cell in cells:
            for name in cell.__dict__.get("_buffers", {}):
                value = getattr(cell, name)
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{path}.{name}" if path else name), value

    def buffers(self, recurse: bool = True) -> Iterator[Any]:
        for _, value in self.named_buffers(recurse=recurse):
            yield value

    def get_buffer(self, target: str) -> Any:
        path, _, name = target.rpartition(".")
        cell = self.get_sub_cell(path)
        if name not in cell.__dict__.get("_buffers", {}):
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(cell, name)

    def state_dict(self, *args: Any, destination: Any = None, prefix: str = "",
                   keep_vars: bool = False) -> OrderedDict[str, Any]:
        """Parameters and persistent buffers by path, each Cell's own before its
        children's."""
        out = OrderedDict() if destination is None else destination
        for path, cell in self.cells_and_names():
            head = f"{prefix}{path}." if path else prefix
            for name, param in cell.__dict__.get("_params", {}).items():
                if param is not None:
                    out[head + name] = param
            for name, persistent in cell.__dict__.get("_buffers", {}).items():
                if persistent and getattr(cell, name) is not None:
                    out[head + name] = getattr(cell, name)
        return out

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True
                        ) -> IncompatibleKeys:
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict()
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):
            errors = []
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " +
                              ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.append("Missing key(s) in state_dict: " +
                              ", ".join(f'"{k}"' for k in missing) + ". ")
            raise RuntimeError(f"Error(s) in loading state_dict for {type(self).__name__}:\n\t"
                               + "\n\t".join(errors))
        for key, target in own.items():
            if key in state_dict:
                value = np.asarray(state_dict[key])
                if value.shape != target.shape:
                    raise RuntimeError(f"size mismatch for {key}: copying a param with shape "
                                       f"{value.shape}, the shape in current model is "
                                       f"{target.shape}.")
                target.view(np.ndarray)[...] = value
        return IncompatibleKeys(missing, unexpected)

    # ---------------------------------------------------------------- precision, graph mode

    def to_float(self, dst_type: Any) -> CellMethods:
        """This Cell and those below it computing in ``dst_type`` (``precision``):
        float16 inputs and Parameters (read as float16, kept float32), or float32."""
        if dst_type == mstype.float32 or dst_type == mstype.float16:
            precision.set_precision(self, np.float16 if dst_type == mstype.float16 else None)
            fp16 = dst_type == mstype.float16
            return self.add_flags_recursive(fp16=fp16, fp32=not fp16, bf16=False)
        if str(dst_type) == "BFloat16":
            raise NotImplementedError(
                "to_float(bfloat16): NumPy has no bfloat16; use float16 or float32")
        raise ValueError("For 'to_float', the argument 'dst_type' must be mstype.float32, "
                         f"mstype.float16 or mstype.bfloat16, but got {dst_type}.")

    def cast_inputs(self, inputs: Any, dst_type: Any) -> None:
        """Deprecated in MindSpore 2.7.1, where it only warns (and returns None)."""
        warnings.warn("'cast_inputs' will be deprecated in future versions.",
                      DeprecationWarning, stacklevel=2)

    def init_parameters_data(self, auto_parallel_mode: bool = False) -> dict:
        """Parameters here hold their data from the start: nothing to replace (MindSpore
        returns the replaced ones, by Parameter)."""
        return {}

    def set_grad(self, requires_grad: bool = True) -> CellMethods:
        """MindSpore builds a backward graph for such Cells; gradients here are compiled
        on demand, so this only records the flag."""
        object.__setattr__(self, "requires_grad", requires_grad)
        return self

    def set_inputs(self, *inputs: Any, **kwargs: Any) -> None:
        """Dynamic-shape placeholders for graph compilation: recorded (``get_inputs``)."""
        if inputs and kwargs:
            raise ValueError("For Cell, set_inputs should only set inputs or kwargs(inputs: "
                             f"{inputs}, kwargs: {kwargs})!")
        object.__setattr__(self, "_dynamic_shape_inputs", inputs or kwargs)

    def get_inputs(self) -> Any:
        return self.__dict__.get("_dynamic_shape_inputs")

    def set_jit_config(self, jit_config: Any) -> None:
        """Graph-compiler options: recorded once (MindSpore ignores a second setting)."""
        if "_jit_config_dict" not in self.__dict__:
            object.__setattr__(self, "_jit_config_dict",
                               getattr(jit_config, "jit_config_dict", jit_config))

    @property
    def jit_config_dict(self) -> Any:
        return self.__dict__.get("_jit_config_dict", {})

    def shard(self, in_strategy: Any, out_strategy: Any = None,
              parameter_plan: Any = None) -> None:
        """Operator-parallel layout: without a parallel group (one device) MindSpore returns
        at once, and so does this."""

