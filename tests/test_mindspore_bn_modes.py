"""Which statistics a BatchNorm uses, and when its moving statistics move, in each mode,
against MindSpore 2.10 (CPU, PyNative): ``use_batch_statistics=True`` normalises with
the batch and moves the statistics in eval mode too; ``False`` uses (and keeps) the
moving ones while training; ``Model.eval`` and ``Model.predict`` run in evaluation mode
and ``Model.train`` switches back. The numbers were printed by MindSpore on the same
inputs; gradients are also checked against central finite differences."""
from __future__ import annotations

import numpy as np
import pytest
from autodiff_compiler.train import Model

import autodiff_compiler as ms
from autodiff_compiler import Tensor, nn
from autodiff_compiler import dataset as ds

X1 = np.array([[0.5, 1.0, -0.2], [1.5, 0.3, 0.7], [-0.4, 2.0, 1.1], [0.9, -0.6, 0.2]],
              np.float32)
X2 = (np.arange(2 * 3 * 2 * 2, dtype=np.float32).reshape(2, 3, 2, 2) ** 1.5) / 10
MEAN0, VAR0 = [0.1, -0.2, 0.3], [1.5, 0.5, 2.0]
# MindSpore 2.10: value and first gradient entries of sum(bn(x) * cos(arange)), then the
# moving mean and variance after one value_and_grad call (momentum=0.8).
BATCH_1D = (-0.11027704924345016,
            [1.2154780626296997, 0.3852694034576416, -0.37181153893470764, 0.023625606670975685],
            [0.20500001311302185, -0.02500002086162567, 0.33000001311302185],
            [1.3271666765213013, 0.6418333649635315, 1.6646666526794434])
MOVING_1D = (1.627493143081665,
             [0.8164938688278198, 0.76409512758255, -0.2942594885826111, -0.8083227872848511],
             MEAN0, VAR0)
BATCH_2D = (0.07895412296056747,
            [0.35309091210365295, 0.16274528205394745, -0.23324304819107056, -0.4710560441017151],
            [0.5998597741127014, 0.7041923999786377, 1.5322579145431519],
            [2.5356903076171875, 2.546123504638672, 4.528398036956787])
MOVING_2D = (-1.4431079626083374,
             [0.8164938688278198, 0.44115349650382996, -0.3397813141345978, -0.8083227872848511],
             MEAN0, VAR0)
CASES = [  # layer, input, use_batch_statistics, set_train, MindSpore's numbers
    ("BatchNorm1d", X1, True, False, BATCH_1D),
    ("BatchNorm1d", X1, True, True, BATCH_1D),
    ("BatchNorm1d", X1, False, False, MOVING_1D),
    ("BatchNorm1d", X1, False, True, MOVING_1D),
    ("BatchNorm1d", X1, None, False, MOVING_1D),
    ("BatchNorm1d", X1, None, True, BATCH_1D),
    ("BatchNorm2d", X2, True, False, BATCH_2D),
    ("BatchNorm2d", X2, True, True, BATCH_2D),
    ("BatchNorm2d", X2, False, False, MOVING_2D),
    ("BatchNorm2d", X2, False, True, MOVING_2D),
    ("BatchNorm2d", X2, None, False, MOVING_2D),
    ("BatchNorm2d", X2, None, True, BATCH_2D),
]


def _layer(name: str, use_batch: bool | None, train: bool) -> nn.Cell:
    bn = getattr(nn, name)(3, momentum=0.8, use_batch_statistics=use_batch,
                           moving_mean_init=Tensor(np.array(MEAN0, np.float32)),
                           moving_var_init=Tensor(np.array(VAR0, np.float32)))
    bn.set_train(train)
    return bn


@pytest.mark.parametrize("name, x, use_batch, train, measured", CASES)
def test_use_batch_statistics_in_each_mode(name, x, use_batch, train, measured):
    bn = _layer(name, use_batch, train)
    weights = np.cos(np.arange(x.size, dtype=np.float32)).reshape(x.shape)
    value, grad = ms.value_and_grad(lambda x: (bn(x) * Tensor(weights)).sum())(Tensor(x))
    want_value, want_grad, want_mean, want_var = measured
    np.testing.assert_allclose(float(value), want_value, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(grad.asnumpy().ravel()[:4], want_grad, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.asnumpy(), want_mean, rtol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.asnumpy(), want_var, rtol=1e-6)
    # central differences in float64 (the moving statistics do not reach the output in
    # either mode, so the extra calls' updates change nothing measured here)
    x64, eps = x.astype(np.float64), 1e-6
    fd = np.empty_like(x64)
    for i in np.ndindex(x.shape):
        up, down = x64.copy(), x64.copy()
        up[i] += eps
        down[i] -= eps
        fd[i] = ((np.asarray(bn(up)) - np.asarray(bn(down))) * weights).sum() / (2 * eps)
    np.testing.assert_allclose(grad.asnumpy(), fd, rtol=1e-3, atol=1e-4)


def test_use_batch_statistics_must_be_a_bool_or_none():
    with pytest.raises(ValueError, match="'use_batch_statistics' must be a boolean value"):
        nn.BatchNorm1d(3, use_batch_statistics=1)


class DenseBN(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Dense(3, 2, weight_init="ones", bias_init="zeros")
        self.fc.weight.set_data(Tensor(np.array([[0.3, -0.2, 0.5], [-0.4, 0.6, 0.1]],
                                                np.float32)))
        self.bn = nn.BatchNorm1d(2)

    def construct(self, x):
        return self.bn(self.fc(x))


# MindSpore 2.10: after each Model.train epoch and each Model.eval (SGD, lr 0.1): the
# eval loss, whether the network is training, the moving mean and variance.
MODEL_STEPS = [
    ("train", None, True, [0.027750004082918167, 0.019999999552965164],
     [0.9167691469192505, 0.9919266700744629]),
    ("eval", 0.6975791454315186, False, [0.027750004082918167, 0.019999999552965164],
     [0.9167691469192505, 0.9919266700744629]),
    ("train", None, True, [0.0475805401802063, 0.040439166128635406],
     [0.8479358553886414, 0.9852327108383179]),
    ("eval", 0.6839689612388611, False, [0.0475805401802063, 0.040439166128635406],
     [0.8479358553886414, 0.9852327108383179]),
]
PREDICTED = [[-0.2844228744506836, 0.34602078795433044], [0.6438906788825989, -0.302668035030365],
             [-0.37129783630371094, 1.4746557474136353], [0.5269293189048767, -0.698016345500946]]
# predict after the user's own set_train(True): the mode MindSpore's Model believes the
# network is in is eval, so it leaves the network training (batch statistics, moved)
PREDICTED_TRAINING = [[-0.8197240233421326, 0.1689661145210266],
                      [1.0193591117858887, -0.6030265092849731],
                      [-0.9918320775032043, 1.5121338367462158],
                      [0.7876467704772949, -1.0735234022140503]]


def test_model_eval_and_predict_run_in_evaluation_mode():
    y = np.array([0, 1, 1, 0], np.int32)
    data = ds.NumpySlicesDataset({"image": X1, "label": y}, shuffle=False).batch(4)
    net = DenseBN()
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    model = Model(net, loss, nn.SGD(net.trainable_params(), 0.1), metrics={"loss"})
    for stage, want_loss, training, mean, var in MODEL_STEPS:
        if stage == "train":
            model.train(1, data, dataset_sink_mode=False)
        else:
            got = model.eval(data, dataset_sink_mode=False)
            np.testing.assert_allclose(got["loss"], want_loss, rtol=1e-5)
        assert net.training is training and net.bn.training is training
        np.testing.assert_allclose(net.bn.moving_mean.asnumpy(), mean, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(net.bn.moving_variance.asnumpy(), var, rtol=1e-6)
    np.testing.assert_allclose(model.predict(Tensor(X1)).asnumpy(), PREDICTED, rtol=1e-5)
    assert net.training is False
    net.set_train(True)
    np.testing.assert_allclose(model.predict(Tensor(X1)).asnumpy(), PREDICTED_TRAINING,
                               rtol=1e-5)
    assert net.training is True
    np.testing.assert_allclose(net.bn.moving_mean.asnumpy(),
                               [0.06072076037526131, 0.0611150898039341], rtol=1e-5)


def test_float16_batch_norm_updates_its_moving_statistics_in_training_mode():
    # (MindSpore 2.10 on CPU leaves them unchanged for float16; float32 updates them alike)
    x = np.random.default_rng(0).normal(size=(4, 3))
    bn = nn.BatchNorm1d(3, momentum=0.9, dtype=ms.float16)
    bn.moving_mean.set_data(Tensor(np.array([0.5, -0.3, 0.1], np.float16)))
    bn.moving_variance.set_data(Tensor(np.array([1.2, 0.8, 1.0], np.float16)))
    bn.set_train(True)
    bn(Tensor(x.astype(np.float16)))
    np.testing.assert_allclose(bn.moving_mean.asnumpy(),
                               0.9 * np.array([0.5, -0.3, 0.1]) + 0.1 * x.mean(0), atol=2e-3)
    np.testing.assert_allclose(bn.moving_variance.asnumpy(),
                               0.9 * np.array([1.2, 0.8, 1.0]) + 0.1 * x.var(0, ddof=1),
                               atol=2e-3)
    assert bn.moving_mean.dtype == ms.float16
