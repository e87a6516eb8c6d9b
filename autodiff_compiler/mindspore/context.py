"""MindSpore's ``set_context``/``get_context``, ``set_seed`` and ``jit``.

Everything runs on the CPU through NumPy, whatever the context says. ``mode`` is
recorded (compilation follows GRAPH_MODE's rules either way, see the README) and
checked as MindSpore 2.10 checks it; a ``device_target`` other than CPU is accepted
with a one-time warning, never an error, so a program written for a GPU runs as it is.
Other options MindSpore has are recorded and otherwise ignored; unknown ones raise
``ValueError`` as MindSpore's do.
"""
from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any

import numpy as np

from . import forward_reuse
from .parallel_context import (  # noqa: F401 (``context.set_auto_parallel_context``...)
    ParallelMode,
    get_auto_parallel_context,
    reset_auto_parallel_context,
    set_auto_parallel_context,
)

GRAPH_MODE, PYNATIVE_MODE = 0, 1  # MindSpore's values

_CONTEXT: dict[str, Any] = {"mode": PYNATIVE_MODE, "device_target": "CPU", "device_id": 0,
                            "max_call_depth": 1000, "save_graphs": False,
                            "save_graphs_path": ".", "enable_graph_kernel": False,
                            "jit_level": "O0", "pynative_synchronize": False,
                            "deterministic": "OFF", "jit_config": {}, "max_device_memory": "",
                            "runtime_num_threads": 0, "memory_optimize_level": "O0"}
_TARGETS = ("CPU", "GPU", "Ascend")
_warned: set[str] = set()


def set_context(**kwargs: Any) -> None:
    """Set context options (MindSpore's names); see the module docstring."""
    for key, value in kwargs.items():
        if key not in _CONTEXT:
            raise ValueError(f"For 'context.set_context', the keyword argument {key} is not "
                             f"recognized! Known: {', '.join(sorted(_CONTEXT))}")
        if key == "mode":
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"The parameter 'mode' must be <class 'int'>, but got "
                                f"{type(value)}")
            if value not in (GRAPH_MODE, PYNATIVE_MODE):
                raise ValueError(f"For 'context.set_context', the argument 'mode' should be "
                                 f"context.GRAPH_MODE (0) or context.PYNATIVE_MODE (1), but "
                                 f"got {value}.")
        if key == "device_target":
            value = _device_target(value)
        _CONTEXT[key] = value


def _device_target(value: Any) -> str:
    if not isinstance(value, str) or value.capitalize() not in {t.capitalize()
                                                                 for t in _TARGETS}:
        raise ValueError(f"device_target must be one of {_TARGETS}, not {value!r}")
    target = next(t for t in _TARGETS if t.lower() == value.lower())
    if target != "CPU" and target not in _warned:
        _warned.add(target)
        warnings.warn(f"device_target={target!r}: autodiff_compiler runs everything on the "
                      f"CPU through NumPy; the program runs unchanged, on the CPU",
                      RuntimeWarning, stacklevel=3)
    return target


def get_context(attr_key: str) -> Any:
    """A context option's value (``mode`` is PYNATIVE_MODE unless set)."""
    if attr_key not in _CONTEXT:
        raise ValueError(f"For 'context.get_context', the argument {attr_key} is not "
                         f"recognized!")
    return _CONTEXT[attr_key]


def set_seed(seed: int) -> None:
    """Seed NumPy's global random state, from which initializers draw: the same seed
    gives the same initial weights (not MindSpore's numbers: its generator differs)."""
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative int, not {seed!r}")
    np.random.seed(seed)
    _CONTEXT["seed"] = seed


def get_seed() -> int | None:
    return _CONTEXT.get("seed")


def jit(function: Any = None, *args: Any, **options: Any) -> Any:
    """MindSpore's ``@jit`` (``@ms_function`` before 2.0): compile ``function`` to a
    graph. Here a function is compiled where it is differentiated, from its source,
    under the graph-mode rules either way; called directly it runs as written, except
    that, as in MindSpore's graph, a Cell's call and a gradient of it taken next on the
    same inputs share the forward pass (``forward_reuse.graph_mode``: BatchNorm moves
    once). A Cell's ``construct`` is returned as it is. Any of
    MindSpore's options (``mode``, ``jit_config``, ``capture_mode``...) are accepted and
    ignored, as a bare ``@jit`` or as ``@jit(...)``."""
    if function is None:
        return lambda fn: jit(fn)
    if not callable(function):
        raise TypeError(f"jit decorates a function or a Cell's method, not {function!r}")
    if not inspect.isfunction(function) or function.__name__ == "construct":
        return function  # (a Cell's construct is compiled from its source as it is)
    return JitFunction(function)


class JitFunction:
    """A ``@jit`` function: called, it runs in ``forward_reuse.graph_mode``; inside a
    compiled function, or differentiated, it is the function itself."""

    def __init__(self, fn: Any) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with forward_reuse.graph_mode():
            return self.fn(*args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        """``fn``'s: ``inspect`` reads an object with ``__get__`` as a builtin's method,
        whose signature it cannot find (a transform of it asks)."""
        return inspect.signature(self.fn, follow_wrapped=False)

    def __transform_key__(self) -> tuple:  # (compiled as ``fn``, keyed as a transform)
        return ("jit",)

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        return low.call_function(self.fn, tuple(args), kwargs, loc)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        """A Cell's method (``@jit def train_step(self, ...)``): bound to ``instance``."""
        return self if instance is None else _BoundJit(self.fn, instance)


class _BoundJit:
    """A ``@jit`` method of an instance: called, it runs in ``graph_mode``."""

    def __init__(self, fn: Any, instance: Any) -> None:
        functools.update_wrapper(self, fn)
        self.fn, self.instance = fn, instance

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        with forward_reuse.graph_mode():
            return self.fn(self.instance, *args, **kwargs)

    @property
    def __signature__(self) -> inspect.Signature:
        """The method's, without ``self``."""
        return inspect.signature(functools.partial(self.fn, self.instance),
                                 follow_wrapped=False)

    def __lower_call__(self, low: Any, args: list, kwargs: dict, loc: Any) -> Any:
        return low.call_function(self.fn, tuple(args), kwargs, loc, self_obj=self.instance)


ms_function = jit


def jit_class(cls: type) -> type:
    """MindSpore's ``@jit_class``: lets graph mode use a class's instances, which
    compiled code here always may; returns ``cls``."""
    if not isinstance(cls, type):
        raise TypeError(f"jit_class decorates a class, not {cls!r}")
    return cls


class JitConfig:
    """MindSpore's ``JitConfig(jit_level=..., exc_mode=..., jit_syntax_level=...)``:
    options for ``jit``, recorded and otherwise ignored (see ``jit``)."""

    def __init__(self, **options: Any) -> None:
        self.jit_config_dict = dict(options)


def manual_seed(seed: int) -> None:
    """MindSpore 2.x's ``manual_seed``: ``set_seed``."""
    set_seed(seed)


def seed() -> int:
    """A fresh seed from the operating system, set as ``set_seed`` sets one."""
    fresh = int(np.random.SeedSequence().entropy % 2**31)
    set_seed(fresh)
    return fresh


def initial_seed() -> int | None:
    """The seed last set (``None`` before any)."""
    return get_seed()


def _as_is(function: Any = None, **options: Any) -> Any:
    """A decorator MindSpore's graph compiler reads (``@constexpr``, ``@lazy_inline``,
    ``@no_inline``): the function itself here, with or without options."""
    return (lambda fn: fn) if function is None else function


constexpr = lazy_inline = no_inline = _as_is


def mutable(input_data: Any, dynamic_len: bool = False) -> Any:
    """MindSpore's ``mutable``: marks a graph input as variable, which every input of
    a compiled function here is; returns ``input_data``."""
    return input_data


def set_device(device_target: str, device_id: Any = None) -> None:
    """``set_context(device_target=...)``: CPU only here."""
    set_context(device_target=device_target)


def set_deterministic(deterministic: bool) -> None:
    """NumPy's kernels are deterministic already; recorded for ``get_context``."""
    _CONTEXT["deterministic"] = "ON" if deterministic else "OFF"


def set_recursion_limit(recursion_limit: int = 1000) -> None:
    """MindSpore's limit on nested calls before compiling a graph, checked as MindSpore
    2.10 checks it and recorded: calls here are inlined while compiling, as deep as
    Python's own stack allows (``sys.setrecursionlimit``)."""
    if isinstance(recursion_limit, bool) or not isinstance(recursion_limit, int):
        raise TypeError(f"The input value must be int, but got "
                        f"'{type(recursion_limit).__name__}'")
    if recursion_limit <= 0:
        raise ValueError(f"The input value must be int and must > 0, but got "
                         f"'{recursion_limit}' with type 'int'.")
    _CONTEXT["recursion_limit"] = recursion_limit


__all__ = ["GRAPH_MODE", "PYNATIVE_MODE", "set_context", "get_context", "set_seed", "get_seed",
           "jit", "ms_function", "jit_class", "JitConfig", "manual_seed", "seed",
           "initial_seed", "constexpr", "lazy_inline", "no_inline", "mutable", "set_device",
           "set_deterministic", "set_recursion_limit"]
