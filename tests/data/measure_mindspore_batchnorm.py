"""Measure MindSpore's BatchNorm1d/2d: writes mindspore_batchnorm.json (run it with
MindSpore 2.x installed, as measure_mindspore_optim.py says). A Dense -> BatchNorm1d
net and a BatchNorm2d on images, in training mode: the loss, its gradient with respect
to the input and the trainable Parameters (gamma, beta, the Dense's), and the moving
statistics after each of two calls of value_and_grad; then the output in eval mode.
Also the Parameters' names and requires_grad, as a Cell holding a BatchNorm names them;
the five outputs of the ``ops.BatchNorm`` primitive, training (with the moving
statistics it moves) and in inference (NCHW: MindSpore's CPU kernel fails on NHWC);
and a subclass whose construct calls the layer's ``bn_train``.
tests/test_batchnorm.py checks these numbers elementwise."""
import json
from pathlib import Path

import mindspore as ms
import numpy as np
from mindspore import Parameter, Tensor, nn, ops

RNG = np.random.default_rng(1)
X1 = RNG.normal(size=(5, 4)).astype(np.float32)
W1 = RNG.normal(size=(3, 4)).astype(np.float32)
C1 = RNG.normal(size=(5, 3)).astype(np.float32)
X2 = RNG.normal(size=(2, 3, 4, 5)).astype(np.float32)
C2 = RNG.normal(size=(2, 3, 4, 5)).astype(np.float32)
GAMMA2 = RNG.normal(size=3).astype(np.float32)
BETA2 = RNG.normal(size=3).astype(np.float32)
X4 = RNG.normal(size=(4, 3, 2, 2)).astype(np.float32)
SCALE4 = RNG.normal(size=3).astype(np.float32)
BIAS4 = RNG.normal(size=3).astype(np.float32)


def values(t):
    return np.asarray(t.asnumpy(), np.float64).tolist()


class DenseBN(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc = nn.Dense(4, 3, weight_init=Tensor(W1), bias_init="zeros")
        self.bn = nn.BatchNorm1d(3, momentum=0.8)

    def construct(self, x):
        return self.bn(self.fc(x))


class ImageBN(nn.Cell):
    def __init__(self):
        super().__init__()
        self.bn = nn.BatchNorm2d(3, eps=1e-3, gamma_init=Tensor(GAMMA2),
                                 beta_init=Tensor(BETA2))

    def construct(self, x):
        return self.bn(x)


def run(net, x, c):
    net.set_train()
    weights = net.trainable_params()

    def simple(x):
        out = net(x)
        return (out * Tensor(c)).sum() + (out * out).sum() * 0.25

    steps = []
    for _ in range(2):
        value, (gx, gw) = ms.value_and_grad(simple, 0, weights)(Tensor(x))
        steps.append({"loss": float(value.asnumpy()), "grad_x": values(gx),
                      "grad_weights": [values(g) for g in gw],
                      "moving_mean": values(net.bn.moving_mean),
                      "moving_variance": values(net.bn.moving_variance)})
    net.set_train(False)
    names = [[name, p.name, bool(p.requires_grad)] for name, p in net.parameters_and_names()]
    return {"steps": steps, "eval": values(net(Tensor(x))), "names": names,
            "trainable": [p.name for p in weights]}


class CallsBnTrain(nn.BatchNorm2d):
    """A subclass calling the primitive the layer holds, as model code does."""

    def construct(self, x):
        return self.bn_train(x, self.gamma, self.beta, self.moving_mean,
                             self.moving_variance)[0] * 2.0


def primitive():
    """ops.BatchNorm's outputs, training then in inference, and the moving statistics."""
    mean = Parameter(Tensor(np.full(3, 0.5, np.float32)), name="mean")
    variance = Parameter(Tensor(np.full(3, 2.0, np.float32)), name="variance")
    out = {}
    for training in (True, False):
        op = ops.BatchNorm(is_training=training, epsilon=1e-3, momentum=0.2)
        outs = op(Tensor(X4), Tensor(SCALE4), Tensor(BIAS4), mean, variance)
        out["training" if training else "inference"] = [values(o) for o in outs]
        out["moved" if training else "kept"] = [values(mean), values(variance)]
    return out


def main():
    out = {"dense_bn1d": run(DenseBN(), X1, C1), "bn2d": run(ImageBN(), X2, C2)}
    out["primitive"] = primitive()
    net = CallsBnTrain(3)
    net.set_train()
    value, gx = ms.value_and_grad(lambda x: (net(x) ** 2).sum(), 0)(Tensor(X4))
    out["calls_bn_train"] = {"loss": float(value.asnumpy()), "grad_x": values(gx),
                             "moving_mean": values(net.moving_mean)}
    bn = nn.BatchNorm1d(3)
    out["repr"] = repr(bn)
    out["eps_momentum"] = [bn.eps, bn.momentum]
    Path(__file__).with_name("mindspore_batchnorm.json").write_text(json.dumps(out))


if __name__ == "__main__":
    main()
