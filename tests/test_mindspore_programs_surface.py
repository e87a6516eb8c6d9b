"""What MindSpore programs import and call around the maths, found by running MindSpore's
tutorials and unit tests with the import swapped: module paths (``ops.composite``,
``ops.functional``), the top-level callbacks, metrics and helpers, ``ModelCheckpoint``
(its files as MindSpore 2.7.1 names and keeps them, measured), ``Tensor.view`` as a
reshape, ``Tensor.argmax`` as a Tensor, ``init_data`` and ``init_parameters_data``."""
from __future__ import annotations

import os

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn


def test_mindspores_old_module_paths_import():
    from autodiff_compiler.ops import composite as C
    from autodiff_compiler.ops import functional as F
    from autodiff_compiler.ops import get_grad
    from autodiff_compiler.ops.functional import jvp
    assert C.GradOperation is ms.ops.GradOperation and F.jvp is jvp is ms.jvp
    assert get_grad is ms.get_grad


# MindSpore 2.10's nn submodules and names models-zoo code imports from each (all there in
# 2.10, measured; LearningRateSchedule is in no ``nn.__all__``, so only this path has it).
NN_PATHS = [
    ("nn.learning_rate_schedule", ["LearningRateSchedule", "PolynomialDecayLR", "WarmUpLR",
                                   "CosineDecayLR"]),
    ("nn.dynamic_lr", ["polynomial_decay_lr", "warmup_lr", "piecewise_constant_lr"]),
    ("nn.loss", ["LossBase", "MSELoss", "SoftmaxCrossEntropyWithLogits", "FocalLoss"]),
    ("nn.layer", ["Dense", "Conv2d", "LayerNorm", "Embedding", "LSTM", "get_activation"]),
    ("nn.wrap", ["TrainOneStepCell", "WithLossCell", "TrainOneStepWithLossScaleCell"]),
    ("nn.wrap.loss_scale", ["TrainOneStepWithLossScaleCell", "DynamicLossScaleUpdateCell"]),
    ("nn.wrap.cell_wrapper", ["TrainOneStepCell", "WithEvalCell"]),
    ("nn.optim", ["Optimizer", "Adam", "Momentum"]),
    ("nn.optim.optimizer", ["Optimizer"]),
    ("nn.cell", ["Cell"]),
]


@pytest.mark.parametrize("path, names", NN_PATHS, ids=[p for p, _ in NN_PATHS])
def test_nn_submodule_paths_import_with_mindspores_names(path, names):
    import importlib
    module = importlib.import_module(f"autodiff_compiler.{path}")
    dotted = ms
    for part in path.split("."):
        dotted = getattr(dotted, part)
    assert dotted is module
    for name in names:
        assert getattr(module, name) is getattr(ms.nn, name, None) or name == \
            "LearningRateSchedule"


def test_schedule_imported_from_its_mindspore_path_runs():
    from autodiff_compiler.nn.learning_rate_schedule import LearningRateSchedule, WarmUpLR
    assert issubclass(WarmUpLR, LearningRateSchedule)
    assert float(WarmUpLR(0.1, 4)(Tensor(np.int32(2)))) == pytest.approx(0.05)  # 2.10's


@pytest.mark.parametrize("name", ["LossMonitor", "TimeMonitor", "Callback", "RunContext",
                                  "CheckpointConfig", "ModelCheckpoint", "LambdaCallback",
                                  "Accuracy", "Precision", "Top1CategoricalAccuracy",
                                  "FixedLossScaleManager", "build_train_network",
                                  "from_numpy", "is_tensor", "tensor", "manual_seed", "mutable",
                                  "constexpr", "set_device", "double", "float_"])
def test_top_level_names_of_mindspore(name):
    assert getattr(ms, name) is not None


def test_set_recursion_limit_checks_its_argument_as_mindspore():
    ms.set_recursion_limit(2000)
    assert ms.get_context("recursion_limit") == 2000
    with pytest.raises(ValueError, match="must > 0"):
        ms.set_recursion_limit(0)
    with pytest.raises(TypeError, match="must be int"):
        ms.set_recursion_limit(1.5)
    ms.set_recursion_limit()


def test_star_import_does_not_shadow_builtins():
    scope: dict = {}
    exec("from autodiff_compiler import *", scope)
    assert "float" not in scope and "int" not in scope and "bool" not in scope


def _train(epochs, directory, prefix="net", **config):
    net = nn.Dense(3, 1)
    data = ms.dataset.NumpySlicesDataset(
        {"x": np.ones((8, 3), np.float32), "y": np.zeros((8, 1), np.float32)},
        shuffle=False).batch(2)
    model = ms.Model(net, nn.MSELoss(), nn.SGD(net.trainable_params(), 0.1))
    config = ms.CheckpointConfig(**({"save_checkpoint_steps": 3, "keep_checkpoint_max": 2}
                                    | config))
    callback = ms.ModelCheckpoint(prefix=prefix, directory=str(directory), config=config)
    model.train(epochs, data, callbacks=[callback])
    return callback


def test_model_checkpoint_names_and_keeps_files_as_mindspore(tmp_path):
    """Every 3rd step and the last, the newest 2 kept; a second run of the same prefix
    becomes net_1 (MindSpore 2.7.1's files for these two runs)."""
    _train(2, tmp_path)
    second = _train(1, tmp_path)
    assert sorted(os.listdir(tmp_path)) == ["net-2_2.ckpt", "net-2_4.ckpt",
                                           "net_1-1_3.ckpt", "net_1-1_4.ckpt"]
    assert second.latest_ckpt_file_name == str(tmp_path / "net_1-1_4.ckpt")
    restored = ms.load_checkpoint(second.latest_ckpt_file_name)
    assert "weight" in restored and "bias" in restored


def test_model_checkpoint_appends_info_and_writes_nothing_without_steps_or_seconds(tmp_path):
    """MindSpore 2.10 (measured): ``append_info`` puts the epoch, the step counted from
    the start and the dict's values in each file (ints int64, floats float32); without
    ``save_checkpoint_steps`` nor seconds (its ``save_checkpoint_epochs`` is gone, an
    ignored keyword) nothing is written, not even after the last step."""
    kept = _train(5, tmp_path / "a", save_checkpoint_steps=4,
                  append_info=["epoch_num", "step_num", {"lr": 0.01}])
    assert sorted(os.listdir(tmp_path / "a")) == ["net-4_4.ckpt", "net-5_4.ckpt"]
    restored = ms.load_checkpoint(kept.latest_ckpt_file_name)
    assert int(restored["epoch_num"]) == 5 and int(restored["step_num"]) == 20
    assert restored["epoch_num"].dtype == np.int64
    assert restored["lr"].dtype == np.float32 and float(restored["lr"]) == pytest.approx(0.01)
    none = _train(2, tmp_path / "b", save_checkpoint_steps=None, save_checkpoint_epochs=1)
    assert os.listdir(tmp_path / "b") == [] and none.latest_ckpt_file_name == ""
    with pytest.raises(ValueError, match="epoch_num"):
        ms.CheckpointConfig(append_info=["epochs"])


def test_lambda_callback_runs_its_functions():
    seen = []
    net = nn.Dense(3, 1)
    data = ms.dataset.NumpySlicesDataset(
        {"x": np.ones((4, 3), np.float32), "y": np.zeros((4, 1), np.float32)},
        shuffle=False).batch(2)
    model = ms.Model(net, nn.MSELoss(), nn.SGD(net.trainable_params(), 0.1))
    model.train(1, data, callbacks=[ms.LambdaCallback(
        on_train_step_end=lambda rc: seen.append(rc.original_args().cur_step_num))])
    assert seen == [1, 2]


class Reshaping(nn.Cell):
    def construct(self, x):
        return (x.view(2, 3) * x.view((2, 3))).sum()


def test_tensor_view_is_a_reshape_eagerly_and_compiled():
    t = Tensor(np.arange(6, dtype=np.float32))
    assert t.view(2, 3).shape == (2, 3) and t.view((3, 2)).shape == (3, 2)
    assert t.view(np.int32).dtype == np.int32 and type(t.view(np.ndarray)) is np.ndarray
    np.testing.assert_allclose(ms.grad(Reshaping())(t), 2 * np.arange(6))


def test_argmax_of_a_whole_tensor_is_a_tensor():
    t = Tensor(np.array([1.0, 5.0, 3.0], np.float32))
    assert type(t.argmax()) is Tensor and int(t.argmax().asnumpy()) == 1
    assert int(t.argmin().asnumpy()) == 0


def test_data_initialised_already():
    weights = ms.initializer("ones", (2,), ms.float32)
    assert weights.init_data() is weights
    assert nn.Dense(2, 1).init_parameters_data() == {}


def test_a_refusal_in_a_library_cell_names_the_users_call():
    """``grad(nn.ReLU())(int_tensor)``: the place to fix is the user's call, not the
    Cell's ``construct`` in this package (which the message still names). MindSpore
    2.10 gives int32 [1, 0] there, computed in its ReLU's own way: refused."""
    with pytest.raises(ms.AutodiffError, match="integer Tensor converted") as err:
        ms.grad(nn.ReLU())(Tensor(np.array([1, -2]), ms.int32))
    assert "test_mindspore_programs_surface.py" in str(err.value).splitlines()[0]
    assert "nn.py" in str(err.value)


class _TableFromColumnZero(nn.Cell):
    """A literal's rows written from column 0 inside an indented ``construct``."""

    def construct(self, x):
        w = Tensor(np.array([[1.0, 2.0],
[3.0, -4.0]], np.float32))
        return (ms.ops.matmul(x, w) ** 2).sum()


def test_a_construct_whose_literal_rows_start_at_column_zero_compiles():
    x = Tensor(np.array([[1.0, -1.0]], np.float32))
    w = np.array([[1.0, 2.0], [3.0, -4.0]], np.float32)
    g = ms.grad(_TableFromColumnZero())(x)
    np.testing.assert_allclose(g.asnumpy(), 2 * (x.asnumpy() @ w) @ w.T)  # [[-28, 68]]
