"""MindSpore's checkpoint callback: ``CheckpointConfig`` and ``ModelCheckpoint``, and
``LambdaCallback``.

``ModelCheckpoint(prefix, directory, config)`` writes the train network's Parameters
(``save_checkpoint``, MindSpore's own format) every ``save_checkpoint_steps`` steps, and
after the last step if that one was not written, as ``<prefix>-<epoch>_<step>.ckpt``
(the step counted within the epoch), keeping the newest ``keep_checkpoint_max`` files.
When files of that prefix are already in the directory, the prefix becomes
``<prefix>_1`` (``_2``...), as MindSpore 2.7.1 renames it (measured: two runs of
two and one epochs, four steps each, save every 3 steps, keep 2, leave ``net-2_2``,
``net-2_4``, ``net_1-1_3``, ``net_1-1_4``). Time-based saving
(``save_checkpoint_seconds``, ``keep_checkpoint_per_n_minutes``) is MindSpore's too;
with neither steps nor seconds nothing is written, as in MindSpore 2.10 (whose
``save_checkpoint_epochs`` is gone: an unknown keyword, ignored). ``append_info``
(``"epoch_num"``, ``"step_num"``, one dict of values) adds those entries to each file,
the epoch and the step counted from the start of training.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from .callbacks import Callback, RunContext
from .serialization import save_checkpoint

__all__ = ["CheckpointConfig", "ModelCheckpoint", "LambdaCallback"]


class CheckpointConfig:
    """When ``ModelCheckpoint`` writes, and how many files it keeps."""

    def __init__(self, save_checkpoint_steps: int = 1, save_checkpoint_seconds: int = 0,
                 keep_checkpoint_max: int = 5, keep_checkpoint_per_n_minutes: int = 0,
                 integrated_save: bool = True, async_save: bool = False,
                 saved_network: Any = None, append_info: Any = None, enc_key: Any = None,
                 enc_mode: str = "AES-GCM", exception_save: bool = False,
                 **kwargs: Any) -> None:
        for name, value in (("save_checkpoint_steps", save_checkpoint_steps),
                            ("save_checkpoint_seconds", save_checkpoint_seconds),
                            ("keep_checkpoint_max", keep_checkpoint_max),
                            ("keep_checkpoint_per_n_minutes", keep_checkpoint_per_n_minutes)):
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ValueError(f"For 'CheckpointConfig', '{name}' must be an int of at "
                                 f"least 0, but got {value!r}.")
        if not (save_checkpoint_steps or save_checkpoint_seconds or keep_checkpoint_max
                or keep_checkpoint_per_n_minutes):
            raise ValueError("For 'CheckpointConfig', the input arguments "
                             "'save_checkpoint_steps', 'save_checkpoint_seconds', "
                             "'keep_checkpoint_max' and 'keep_checkpoint_per_n_minutes' "
                             "can't be all None or 0.")
        self.save_checkpoint_steps = save_checkpoint_steps or None
        self.save_checkpoint_seconds = None if save_checkpoint_steps else \
            (save_checkpoint_seconds or None)
        self.keep_checkpoint_max = keep_checkpoint_max or None
        self.keep_checkpoint_per_n_minutes = None if keep_checkpoint_max else \
            (keep_checkpoint_per_n_minutes or None)
        self.integrated_save, self.async_save = integrated_save, async_save
        self.saved_network, self.append_info = saved_network, append_info
        self.append_dict = _append_dict(append_info)
        self.exception_save = exception_save


def _append_dict(append_info: Any) -> dict[str, Any] | None:
    """``append_info`` as the entries each checkpoint gets: ``epoch_num`` and
    ``step_num`` (filled in when it is written) and the one dict's items."""
    if append_info is None or append_info == []:
        return None
    if not isinstance(append_info, list):
        raise TypeError("For 'CheckpointConfig', the type of 'append_info' must be list,"
                        f"but got {type(append_info)}.")
    entries = {name: 0 for name in ("epoch_num", "step_num") if name in append_info}
    dicts = [e for e in append_info if isinstance(e, dict)]
    for element in append_info:
        if not isinstance(element, str | dict):
            raise TypeError("For 'CheckpointConfig', the type of 'append_info' element must be "
                            f"str or dict,but got {type(element)}.")
        if isinstance(element, str) and element not in ("epoch_num", "step_num"):
            raise ValueError("For 'CheckpointConfig', the value of element in the argument "
                             f"'append_info' must be in ['epoch_num', 'step_num'], but got "
                             f"{element}.")
    if len(dicts) > 1:
        raise TypeError("For 'CheckpointConfig', the element of 'append_info' must has only "
                        f"one dict, but got {len(dicts)}")
    for key, value in (dicts[0] if dicts else {}).items():
        if not isinstance(key, str) or not isinstance(value, int | float | bool | str | np.ndarray):
            raise TypeError("For 'CheckpointConfig', the key type of the dict 'append_info' "
                            "must be string, the value type must be int or float or bool, but "
                            f"got key type {type(key)}, value type {type(value)}")
        entries[key] = value
    return entries


class ModelCheckpoint(Callback):
    """Write the network's Parameters while it trains (see the module docstring)."""

    runs_in_fit_eval = False

    def __init__(self, prefix: Any = "CKP", directory: Any = None,
                 config: CheckpointConfig | None = None) -> None:
        if not callable(prefix) and (not isinstance(prefix, str) or "/" in prefix):
            raise ValueError("For 'ModelCheckpoint', the argument 'prefix' for checkpoint "
                             "file name is invalid, it must be callable or string that does "
                             f"not contain '/', but got {prefix}.")
        if config is not None and not isinstance(config, CheckpointConfig):
            raise TypeError("For 'ModelCheckpoint', the type of argument 'config' should be "
                            f"'CheckpointConfig', but got {type(config)}.")
        self._prefix_given, self._directory_given = prefix, directory
        self._config = config or CheckpointConfig()
        self._latest_ckpt_file_name = ""
        self._written: list[str] = []
        self._last_step = 0
        self._last_time = time.time()

    @property
    def latest_ckpt_file_name(self) -> str:
        return self._latest_ckpt_file_name

    def on_train_begin(self, run_context: RunContext) -> None:
        directory = self._directory_given
        directory = directory(run_context.original_args()) if callable(directory) else directory
        self._directory = os.path.abspath(directory if directory is not None else ".")
        os.makedirs(self._directory, exist_ok=True)
        prefix = self._prefix_given
        prefix = prefix(run_context.original_args()) if callable(prefix) else prefix
        self._prefix = _unused_prefix(self._directory, prefix)
        self._last_time = time.time()

    def on_train_step_end(self, run_context: RunContext) -> None:
        cb = run_context.original_args()
        steps, seconds = self._config.save_checkpoint_steps, self._config.save_checkpoint_seconds
        due = (steps and cb.cur_step_num % steps == 0) or \
            (seconds and time.time() - self._last_time >= seconds)
        if due:
            self._save(cb)

    def on_train_end(self, run_context: RunContext) -> None:
        cb = run_context.original_args()
        saving = self._config.save_checkpoint_steps or self._config.save_checkpoint_seconds
        if saving and self._last_step != cb.cur_step_num:
            self._save(cb)

    def _save(self, cb: Any) -> None:
        step = (cb.cur_step_num - 1) % cb.batch_num + 1
        path = os.path.join(self._directory, f"{self._prefix}-{cb.cur_epoch_num}_{step}.ckpt")
        network = self._config.saved_network or cb.train_network
        append = self._config.append_dict
        if append is not None:
            append = {**append, **{k: v for k, v in (("epoch_num", cb.cur_epoch_num),
                                                      ("step_num", cb.cur_step_num))
                                   if k in append}}
        save_checkpoint(network, path, append_dict=append)
        self._written.append(path)
        keep = self._config.keep_checkpoint_max
        while keep and len(self._written) > keep:
            os.remove(self._written.pop(0))
        self._latest_ckpt_file_name, self._last_step = path, cb.cur_step_num
        self._last_time = time.time()


def _unused_prefix(directory: str, prefix: str) -> str:
    """``prefix``, or ``prefix_<n>`` with the smallest ``n`` no checkpoint there uses."""
    taken = {match.group(1) for name in os.listdir(directory)
             if (match := re.match(r"(.+)-\d+_\d+\.ckpt$", name))}
    if prefix not in taken:
        return prefix
    n = 1
    while f"{prefix}_{n}" in taken:
        n += 1
    return f"{prefix}_{n}"


class LambdaCallback(Callback):
    """A callback from functions, one per stage (each takes the ``run_context``)."""

    runs_in_fit_eval = False

    def __init__(self, on_train_epoch_begin: Callable | None = None,
                 on_train_epoch_end: Callable | None = None,
                 on_train_step_begin: Callable | None = None,
                 on_train_step_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_eval_epoch_begin: Callable | None = None,
                 on_eval_epoch_end: Callable | None = None,
                 on_eval_step_begin: Callable | None = None,
                 on_eval_step_end: Callable | None = None,
                 on_eval_begin: Callable | None = None,
                 on_eval_end: Callable | None = None) -> None:
        for stage, fn in locals().items():
            if stage.startswith("on_") and fn is not None:
                setattr(self, stage, fn)
