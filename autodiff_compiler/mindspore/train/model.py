"""MindSpore's ``Model``: ``train`` and ``eval`` loops over a dataset, with callbacks.

``Model(network, loss_fn, optimizer, metrics)`` trains
``TrainOneStepCell(WithLossCell(network, loss_fn), optimizer)`` (or ``network`` itself
with an optimizer and no loss: it then returns the loss; or, with neither, ``network``
as it is: a training step the user built), one step per batch of the
dataset's columns. ``eval`` runs ``WithEvalCell`` and returns ``{name: value}`` for
the metrics; ``predict`` runs the network. As in MindSpore, ``train`` puts its network
in training mode (``set_train(True)``) and ``eval``/``predict`` theirs in evaluation
mode, tracking which mode the shared backbone is in: an ``eval`` between epochs
normalises a BatchNorm with its moving statistics and leaves them as they are, and the
network stays in evaluation mode until the next ``train``. Data sinking is accepted
and ignored: every step runs here, in Python. ``amp_level`` and the ``loss_scale_manager`` /
``keep_batchnorm_fp32`` keywords go to ``amp.build_train_network``, as in MindSpore; a
manager that drops overflowing steps is told of each step's overflow.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..wrappers import WithEvalCell
from .callbacks import Callback, CallbackParams, RunContext
from .metrics import Loss
from .metrics_extra import get_metrics


class Model:
    def __init__(self, network: Any, loss_fn: Any = None, optimizer: Any = None,
                 metrics: Any = None, eval_network: Any = None, eval_indexes: Any = None,
                 amp_level: str = "O0", **kwargs: Any) -> None:
        self.network, self.loss_fn, self.optimizer = network, loss_fn, optimizer
        from .. import amp  # (amp imports nn, which imports this package)
        self.metrics = get_metrics(metrics)
        for key in kwargs:
            if key not in ("loss_scale_manager", "keep_batchnorm_fp32", "boost_level"):
                raise ValueError("The argument in 'kwargs' should be 'loss_scale_manager' or "
                                 f"'keep_batchnorm_fp32', but got '{key}'.")
        self.loss_scale_manager = kwargs.pop("loss_scale_manager", None)
        if self.loss_scale_manager is not None and optimizer is None:
            raise ValueError("The argument 'optimizer' can not be None when set "
                             "'loss_scale_manager'.")
        if optimizer is None:  # a network that trains itself (a TrainOneStepCell): as it is
            self.train_network = network if loss_fn is None else None
        else:
            if self.loss_scale_manager is not None:
                kwargs["loss_scale_manager"] = self.loss_scale_manager
            self.train_network = amp.build_train_network(
                network, optimizer, loss_fn, level=amp_level,
                boost_level=kwargs.pop("boost_level", "O0"), **kwargs)
        if eval_network is not None:
            if eval_indexes is not None and not (isinstance(eval_indexes, list)
                                                 and len(eval_indexes) == 3):
                raise ValueError("The argument 'eval_indexes' must be a list or None. If "
                                 "'eval_indexes' is a list, length of it must be three. But "
                                 f"got 'eval_indexes' {eval_indexes}")
            self.eval_network, self.eval_indexes = eval_network, eval_indexes
        else:  # (MindSpore's: where the loss, outputs and label are in WithEvalCell's result)
            self.eval_network = WithEvalCell(network, loss_fn, amp_level in ("O2", "O3", "auto")) \
                if loss_fn is not None else None
            self.eval_indexes = [0, 1, 2]
        self._backbone_is_train = True

    def _set_mode(self, network: Any, is_train: bool) -> None:
        """Put ``network`` in ``is_train`` mode at the start of a loop, as MindSpore's
        ``_exec_preprocess`` does whatever mode the backbone was in."""
        network.set_train(is_train)
        self._backbone_is_train = is_train

    def _check_mode(self, network: Any, is_train: bool) -> None:
        """Switch ``network``'s mode only when the backbone is in the other one, as
        MindSpore's ``_check_network_mode`` does before each step and ``predict``."""
        if self._backbone_is_train != is_train:
            self._set_mode(network, is_train)

    def train(self, epoch: int, train_dataset: Any, callbacks: Any = None,
              dataset_sink_mode: bool = False, sink_size: int = -1,
              initial_epoch: int = 0) -> None:
        self._train(epoch, train_dataset, callbacks, initial_epoch, sink=dataset_sink_mode)

    def fit(self, epoch: int, train_dataset: Any, valid_dataset: Any = None,
            valid_frequency: int | list[int] = 1, callbacks: Any = None,
            dataset_sink_mode: bool = False, valid_dataset_sink_mode: bool = False,
            sink_size: int = -1, initial_epoch: int = 0) -> None:
        """``train``, evaluating on ``valid_dataset`` at the end of every
        ``valid_frequency``-th epoch (or of the epochs a list names), as MindSpore's
        does: the metrics and ``eval_loss`` are in ``cb_params.eval_results`` for the
        epoch's ``on_train_epoch_end`` (``EarlyStopping``, ``ReduceLROnPlateau``), and
        the user's callbacks (and ``TimeMonitor``) see the evaluation's stages."""
        if not isinstance(epoch, int) or epoch <= 0:
            raise ValueError(f"For 'Model.fit', 'epoch' must be a positive int, got {epoch!r}")
        if initial_epoch >= epoch:
            raise ValueError("For 'Model.fit', the parameter 'epoch' must bigger than parameter "
                             f"'initial_epoch', but got the parameter 'epoch' is {epoch}, "
                             f"'initial_epoch' is {initial_epoch}.")
        if not isinstance(valid_frequency, int | list):
            raise TypeError("For 'Model.fit', the type of 'valid_frequency' must be a list or an "
                            f"integer, but got type {type(valid_frequency)}.")
        if valid_dataset is not None and (not self.metrics or self.eval_network is None):
            raise ValueError("For 'Model.fit', if valid_dataset is not None, the model argument "
                             "'metrics' can not be None or empty, you should set the argument "
                             "'metrics' for model.")
        _refuse_old_stage_names(_callbacks(callbacks))
        self._train(epoch, train_dataset, callbacks, initial_epoch,
                    None if valid_dataset is None else (valid_dataset, valid_frequency),
                    sink=dataset_sink_mode)

    def _train(self, epoch: int, train_dataset: Any, callbacks: Any, initial_epoch: int,
               valid: tuple[Any, int | list[int]] | None = None, sink: bool = False) -> None:
        if self.train_network is None:
            raise ValueError("Model.train needs an optimizer: Model(network, loss_fn, "
                             "optimizer)")
        callbacks = _callbacks(callbacks)
        cb = CallbackParams(train_network=self.train_network, optimizer=self.optimizer,
                            epoch_num=epoch - initial_epoch,
                            batch_num=train_dataset.get_dataset_size(),
                            cur_epoch_num=initial_epoch, cur_step_num=0, net_outputs=None,
                            train_dataset=train_dataset, mode="train",
                            **self._run_params(callbacks, sink),
                            device_number=1, parallel_mode="stand_alone", initial_step=None,
                            last_save_ckpt_step=None, latest_ckpt_file=None,
                            train_dataset_element=None,
                            loss_fn=self.loss_fn, loss_scale_mananger=self.loss_scale_manager)
        run = RunContext(cb)
        self._set_mode(self.train_network, True)
        _each(callbacks, "on_train_begin", run)
        for cb.cur_epoch_num in range(initial_epoch + 1, epoch + 1):
            _each(callbacks, "on_train_epoch_begin", run)
            for columns in train_dataset.create_tuple_iterator():
                cb.cur_step_num += 1
                cb.train_dataset_element = list(columns)
                _each(callbacks, "on_train_step_begin", run)
                self._check_mode(self.train_network, True)
                cb.net_outputs = self.train_network(*columns)
                manager = self.loss_scale_manager
                if manager is not None and manager.get_drop_overflow_update():
                    manager.update_loss_scale(bool(np.all(np.asarray(cb.net_outputs[1]))))
                _each(callbacks, "on_train_step_end", run)
                if run.get_stop_requested():
                    break
            if valid is not None and _evaluates_after(cb.cur_epoch_num, valid[1]):
                self._eval_in_fit(valid[0], callbacks, cb)
            _each(callbacks, "on_train_epoch_end", run)
            cb.pop("metrics", None)
            cb.pop("eval_results", None)
            if run.get_stop_requested():
                break
        _each(callbacks, "on_train_end", run)

    def _eval_in_fit(self, valid_dataset: Any, callbacks: Sequence[Callback],
                     cb: CallbackParams) -> None:
        """``fit``'s evaluation, on the training run's parameters (restored after it):
        only the user's callbacks and ``TimeMonitor`` see it, as in MindSpore."""
        kept = {key: cb[key] for key in ("cur_step_num", "batch_num", "net_outputs")}
        results = self._evaluate(valid_dataset, [c for c in callbacks if c.runs_in_fit_eval],
                                 cb)
        cb.metrics = dict(results[0])
        cb.eval_results = {**results[0], "eval_loss": results[1]}
        cb.update(kept, mode="train")

    def eval(self, valid_dataset: Any, callbacks: Any = None,
             dataset_sink_mode: bool = False) -> dict[str, float]:
        if self.eval_network is None or not self.metrics:
            raise ValueError("Model.eval needs a loss_fn (or eval_network) and metrics: "
                             "Model(network, loss_fn, optimizer, metrics={'accuracy'})")
        return self._evaluate(valid_dataset, _callbacks(callbacks), CallbackParams())[0]

    def _evaluate(self, valid_dataset: Any, callbacks: Sequence[Callback],
                  cb: CallbackParams) -> tuple[dict[str, float], float]:
        """The metrics over ``valid_dataset``, and the loss of its last batch: what
        MindSpore 2.10's ``fit`` reports as ``eval_loss`` (measured; its loop starts a
        new loss metric at each batch)."""
        for metric in self.metrics.values():
            metric.clear()
        last_loss = float("nan")
        cb.update(eval_network=self.eval_network, valid_dataset=valid_dataset,
                  batch_num=valid_dataset.get_dataset_size(), cur_step_num=0,
                  net_outputs=None, mode="eval")
        cb.setdefault("network", self.network)
        cb.setdefault("list_callback", list(callbacks))
        cb.setdefault("dataset_sink_mode", False)
        run = RunContext(cb)
        _each(callbacks, "on_eval_begin", run)
        self._set_mode(self.eval_network, False)
        _each(callbacks, "on_eval_epoch_begin", run)
        for columns in valid_dataset.create_tuple_iterator():
            cb.cur_step_num += 1
            cb.eval_dataset_element = list(columns)
            _each(callbacks, "on_eval_step_begin", run)
            self._check_mode(self.eval_network, False)
            cb.net_outputs = self.eval_network(*columns)
            _each(callbacks, "on_eval_step_end", run)
            last_loss = self._update_metrics(cb.net_outputs, last_loss)
            if run.get_stop_requested():
                break
        _each(callbacks, "on_eval_epoch_end", run)
        results = {name: metric.eval() for name, metric in self.metrics.items()}
        cb.metrics = results
        _each(callbacks, "on_eval_end", run)
        return results, last_loss

    def _run_params(self, callbacks: Sequence[Callback], sink: bool) -> dict[str, Any]:
        """What MindSpore's run parameters also hold: the user's network, the callbacks
        and whether data sinking was asked for (the keys ``cb_params`` has in 2.10)."""
        return {"network": self.network, "list_callback": list(callbacks),
                "dataset_sink_mode": bool(sink)}

    def _update_metrics(self, outputs: Any, last_loss: float) -> float:
        """Each metric updated as MindSpore's ``_update_metrics`` updates it: with all the
        eval network's outputs, or, with ``eval_indexes`` (``[loss, outputs, label]``
        positions), a ``Loss`` with the loss and the others with outputs and label.
        Returns the batch's loss (``fit``'s ``eval_loss``), where there is one."""
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        indexes = self.eval_indexes
        if indexes is not None and len(outputs) < 3:
            raise ValueError(f"The length of 'outputs' must be >= 3, but got {len(outputs)}")
        for metric in self.metrics.values():
            if indexes is None:
                metric.update(*outputs)
            elif isinstance(metric, Loss):
                metric.update(outputs[indexes[0]])
            else:
                metric.update(outputs[indexes[1]], outputs[indexes[2]])
        return last_loss if indexes is None else float(np.mean(outputs[indexes[0]]))

    @property
    def predict_network(self) -> Any:
        """The network ``predict`` runs (the one given)."""
        return self.network

    def predict(self, *predict_data: Any) -> Any:
        self._check_mode(self.network, False)
        return self.network(*predict_data)


def _callbacks(callbacks: Any) -> Sequence[Callback]:
    if callbacks is None:
        return []
    callbacks = list(callbacks) if isinstance(callbacks, list | tuple) else [callbacks]
    for c in callbacks:
        if not isinstance(c, Callback):
            raise TypeError(f"callbacks must be Callback instances, not {type(c).__name__}")
    return callbacks


_OLD_STAGES = {"begin", "end", "epoch_begin", "epoch_end", "step_begin", "step_end"}


def _refuse_old_stage_names(callbacks: Sequence[Callback]) -> None:
    """``fit`` refuses a user's callback defining the 1.x stage names, as MindSpore's."""
    for c in callbacks:
        if not type(c).__module__.startswith(__package__):
            old = set(vars(type(c))) & _OLD_STAGES
            if old:
                raise ValueError(f"For {type(c).__name__} callback, {old} methods may not be "
                                 "supported in later version, Use methods prefixed with "
                                 "'on_train' or 'on_eval' instead when using customized "
                                 "callbacks.")


def _evaluates_after(epoch: int, frequency: int | list[int]) -> bool:
    return epoch % frequency == 0 if isinstance(frequency, int) else epoch in frequency


def _each(callbacks: Sequence[Callback], stage: str, run: RunContext) -> None:
    for c in callbacks:
        getattr(c, stage)(run)
