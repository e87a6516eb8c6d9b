"""Callbacks ``Model.train``/``eval`` run at each stage, as MindSpore 2.10 names them.

``run_context.original_args()`` gives the run's parameters: a dict that also reads as
attributes (``cb_params.cur_epoch_num``, ``cur_step_num``, ``batch_num``,
``net_outputs``, ``train_network``, ``network``, ``optimizer``, ``loss_fn``, ``epoch_num``,
``train_dataset_element``: the batch's columns, and the rest of MindSpore 2.10's keys).
``LossMonitor``
prints ``epoch: E step: S, loss is L`` with ``S`` counted within the epoch, as MindSpore
does; ``TimeMonitor`` prints each epoch's time and time per step.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np


class CallbackParams(dict):
    """The run's parameters, by key or as attributes."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value


class RunContext:
    """What a callback gets: the run's parameters, and a way to stop it."""

    def __init__(self, params: CallbackParams) -> None:
        self._params, self._stop = params, False

    def original_args(self) -> CallbackParams:
        return self._params

    def request_stop(self) -> None:
        self._stop = True

    def get_stop_requested(self) -> bool:
        return self._stop


class Callback:
    """Override the stages you need; the old names (``step_end``...) are called too, in
    training and in evaluation."""

    # ``Model.fit``'s evaluation runs the user's callbacks; of MindSpore's own, only
    # ``TimeMonitor`` (the others say False)
    runs_in_fit_eval = True

    def on_train_begin(self, run_context: RunContext) -> None:
        self.begin(run_context)

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self.epoch_begin(run_context)

    def on_train_step_begin(self, run_context: RunContext) -> None:
        self.step_begin(run_context)

    def on_train_step_end(self, run_context: RunContext) -> None:
        self.step_end(run_context)

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        self.epoch_end(run_context)

    def on_train_end(self, run_context: RunContext) -> None:
        self.end(run_context)

    # evaluation's stages call the old names too, as MindSpore 2.10's do (a 1.x-style
    # callback's step_end also runs at each evaluation step)
    def on_eval_begin(self, run_context: RunContext) -> None:
        self.begin(run_context)

    def on_eval_epoch_begin(self, run_context: RunContext) -> None:
        self.epoch_begin(run_context)

    def on_eval_step_begin(self, run_context: RunContext) -> None:
        self.step_begin(run_context)

    def on_eval_step_end(self, run_context: RunContext) -> None:
        self.step_end(run_context)

    def on_eval_epoch_end(self, run_context: RunContext) -> None:
        self.epoch_end(run_context)

    def on_eval_end(self, run_context: RunContext) -> None:
        self.end(run_context)

    def begin(self, run_context: RunContext) -> None: ...
    def epoch_begin(self, run_context: RunContext) -> None: ...
    def step_begin(self, run_context: RunContext) -> None: ...
    def step_end(self, run_context: RunContext) -> None: ...
    def epoch_end(self, run_context: RunContext) -> None: ...
    def end(self, run_context: RunContext) -> None: ...


def loss_value(outputs: Any) -> float:
    """The loss among a train network's outputs (the first of a tuple)."""
    if isinstance(outputs, tuple | list):
        outputs = outputs[0]
    return float(np.mean(outputs))


class LossMonitor(Callback):
    """Print the loss every ``per_print_times`` steps."""

    runs_in_fit_eval = False

    def __init__(self, per_print_times: int = 1) -> None:
        if not isinstance(per_print_times, int) or per_print_times < 0:
            raise ValueError(f"per_print_times must be an int of at least 0, not "
                             f"{per_print_times!r}")
        self.per_print_times = per_print_times

    def on_train_step_end(self, run_context: RunContext) -> None:
        cb = run_context.original_args()
        loss = loss_value(cb.net_outputs)
        step = (cb.cur_step_num - 1) % cb.batch_num + 1
        if np.isnan(loss) or np.isinf(loss):
            raise ValueError(f"In epoch: {cb.cur_epoch_num} step: {step}, loss is NAN or INF, "
                             "training process cannot continue, terminating training.")
        if self.per_print_times and cb.cur_step_num % self.per_print_times == 0:
            print(f"epoch: {cb.cur_epoch_num} step: {step}, loss is {loss}", flush=True)


class TimeMonitor(Callback):
    """Print each epoch's wall time and time per step."""

    def __init__(self, data_size: int | None = None, data_time: bool = False) -> None:
        self.data_size = data_size

    def on_train_epoch_begin(self, run_context: RunContext) -> None:
        self.started = time.perf_counter()

    def on_train_epoch_end(self, run_context: RunContext) -> None:
        cb = run_context.original_args()
        elapsed = (time.perf_counter() - self.started) * 1000
        steps = self.data_size or cb.batch_num
        print(f"epoch time: {elapsed:.3f} ms, per step time: {elapsed / max(steps, 1):.3f} ms",
              flush=True)


class History(Callback):
    """MindSpore's record of each epoch, kept as MindSpore keeps it: ``epoch`` is
    ``{"epoch": [1, 2, ...]}`` (made anew when a run begins), ``history["net_output"]``
    the mean of the epoch's last output (of its first element, for a tuple) as a NumPy
    scalar, and, under ``Model.fit``, each metric of that epoch's evaluation under its
    name (``history`` is kept across runs)."""

    runs_in_fit_eval = False

    def __init__(self) -> None:
        self.history: dict[str, list[Any]] = {}
        self.epoch: dict[str, list[int]] | None = None

    def begin(self, run_context: RunContext) -> None:
        self.epoch = {"epoch": []}

    def epoch_end(self, run_context: RunContext) -> None:
        cb = run_context.original_args()
        if self.epoch is None:
            self.epoch = {"epoch": []}
        self.epoch["epoch"].append(cb.get("cur_epoch_num", 1))
        output = cb.net_outputs
        if isinstance(output, tuple | list) and isinstance(output[0], np.ndarray):
            output = output[0]
        if isinstance(output, np.ndarray):
            output = np.mean(np.asarray(output))
        for key, value in {"net_output": output, **(cb.get("metrics") or {})}.items():
            self.history.setdefault(key, []).append(value)


class SummaryCollector(Callback):
    """MindSpore's collector of summaries for MindInsight: accepted, and nothing is
    collected or written (there is no MindInsight here); training runs as without it.
    ``summary_dir`` is kept, as MindSpore keeps it."""

    def __init__(self, summary_dir: str, collect_freq: int = 10, **options: Any) -> None:
        self.summary_dir, self.collect_freq, self.options = summary_dir, collect_freq, options
