"""``import autodiff_compiler as mindspore`` resolves the transforms where MindSpore 2.x
has them. Measured on MindSpore 2.10: jvp, vjp, jacfwd, jacrev, grad, value_and_grad
and vmap are in both ``mindspore`` and ``mindspore.ops`` (the same objects there);
hessian, custom_vjp and custom_jvp are in neither (ours are extensions, top level only)."""
import importlib
import logging

import numpy as np
import pytest

import autodiff_compiler as mindspore
from autodiff_compiler import ops

X = np.array([0.5, -1.0, 2.0])
V = np.array([1.0, 0.0, -2.0])


def cube(x):
    return x ** 3


def loss(x):
    return ops.sum(x ** 3)


# name -> (call through the transform, expected value)
TABLE = {
    "grad": (lambda t: t(loss)(X), 3 * X ** 2),
    "value_and_grad": (lambda t: t(loss)(X)[1], 3 * X ** 2),
    "jvp": (lambda t: t(cube, X, V)[1], 3 * X ** 2 * V),
    "vjp": (lambda t: t(cube, X)[1](V)[0], 3 * X ** 2 * V),
    "jacfwd": (lambda t: t(cube)(X), np.diag(3 * X ** 2)),
    "jacrev": (lambda t: t(cube)(X), np.diag(3 * X ** 2)),
}
BATCHING = pytest.mark.skipif(not hasattr(mindspore, "vmap"),
                              reason="the batching transform (vmap) is not in this tree yet")


@pytest.mark.parametrize("name", [*TABLE, pytest.param("vmap", marks=BATCHING)])
def test_transform_is_at_the_top_level_and_in_ops_as_one_object(name):
    top = getattr(mindspore, name)
    assert getattr(mindspore.ops, name) is top
    if name in TABLE:
        call, want = TABLE[name]
        np.testing.assert_allclose(call(getattr(mindspore.ops, name)), want, rtol=1e-12)


@pytest.mark.parametrize("name", ["hessian", "hvp", "custom_vjp", "custom_jvp"])
def test_extensions_stay_out_of_ops(name):
    assert hasattr(mindspore, name) and not hasattr(mindspore.ops, name)


def test_ops_stop_gradient_is_the_top_level_one():
    assert mindspore.ops.stop_gradient is mindspore.stop_gradient


def test_every_name_of_the_modules_nn_gathers_is_on_nn_in_a_fresh_interpreter():
    """``nn`` re-exports its sibling modules with star imports; a module imported first
    through another path (``amp`` reads ``loss_scale``) must not reach ``nn`` half made,
    which leaves its names out of ``nn`` without an error."""
    import subprocess
    import sys
    script = (
        "import importlib, autodiff_compiler as ms\n"
        "missing = [f'{m}.{n}' for m in ('loss_scale', 'losses_extra', 'layers_image',\n"
        "           'layers_functional',\n"
        "           'layers_small', 'normalization_groups', 'transformer', 'wrappers_extra',\n"
        "           'optim_extra', 'train.metrics_extra')\n"
        "           for n in importlib.import_module(f'autodiff_compiler.mindspore.{m}').__all__\n"
        "           if not hasattr(ms.nn, n)]\n"
        "assert not missing, missing\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_ops_range_is_mindspores_and_leaves_the_builtin_to_the_module():
    np.testing.assert_array_equal(mindspore.ops.range(0, 5, 2).asnumpy(), [0, 2, 4])
    assert mindspore.ops.range(0.0, 1.0, 0.25).dtype == mindspore.float32
    pieces = mindspore.ops.split(mindspore.Tensor(np.arange(6.0)), 2)  # uses builtins.range
    assert [p.asnumpy().tolist() for p in pieces] == [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]


# where MindSpore 2.10 exports these training names too (measured: each is there)
TRAINING_HOMES = [("train", "build_train_network", "amp"),
                  ("", "EarlyStopping", "train"), ("", "ReduceLROnPlateau", "train"),
                  ("", "LearningRateScheduler", "train"), ("", "SummaryCollector", "train")]


@pytest.mark.parametrize("home, name, origin", TRAINING_HOMES)
def test_training_names_are_where_mindspore_exports_them(home, name, origin):
    module = getattr(mindspore, home) if home else mindspore
    assert getattr(module, name) is getattr(getattr(mindspore, origin), name)


# import lines of model zoo scripts (each imports in MindSpore 2.10, measured)
SCRIPT_IMPORTS = [
    ("train.loss_scale_manager", "FixedLossScaleManager", "amp"),
    ("train.loss_scale_manager", "DynamicLossScaleManager", "amp"),
    ("nn.metrics", "Accuracy", "nn"), ("nn.loss.loss", "LossBase", "nn"),
    ("ops.primitive", "constexpr", "ops"), ("train.callback._callback", "Callback", "train"),
    ("common.seed", "set_seed", ""),
]


@pytest.mark.parametrize("path, name, origin", SCRIPT_IMPORTS,
                         ids=[f"{p}.{n}" for p, n, _ in SCRIPT_IMPORTS])
def test_model_zoo_import_paths_import(path, name, origin):
    module = importlib.import_module(f"autodiff_compiler.{path}")
    home = getattr(mindspore, origin) if origin else mindspore
    assert getattr(module, name) is getattr(home, name)


def test_mindspore_log_is_a_logger_named_mindspore(caplog):
    from autodiff_compiler import log as logger
    with caplog.at_level(logging.INFO, logger="mindspore"):
        logger.info("epoch %d", 3)
        logger.warning("lr is %s", 0.1)
    assert [r.getMessage() for r in caplog.records] == ["epoch 3", "lr is 0.1"]
    assert logger.get_logger().name == "mindspore"
