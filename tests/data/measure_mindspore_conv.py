"""Measure MindSpore's convolution and pooling: writes mindspore_conv.json (see
measure_mindspore_optim.py for how to run it). For each case it keeps the output's and
the gradients' shape, sum and sum of squares (float64), enough to tell padding and
pooling conventions apart; tests/test_mindspore_layers.py checks values elementwise
against a direct reference."""
import json
from pathlib import Path

import mindspore as ms
import numpy as np
from mindspore import Tensor, nn, ops

RNG = np.random.default_rng(0)
X = RNG.normal(size=(2, 3, 7, 6)).astype(np.float32)
W = RNG.normal(size=(4, 3, 3, 2)).astype(np.float32)


def stats(a):
    a = np.asarray(a.asnumpy(), np.float64)
    return [list(a.shape), float(a.sum()), float((a * a).sum())]


def main():
    out = {}
    for mode, pad in (("valid", 0), ("same", 0), ("pad", 1)):
        for stride in (1, 2):
            for dil in (1, 2):
                def loss(x, w, mode=mode, pad=pad, stride=stride, dil=dil):
                    return (ops.conv2d(x, w, None, stride, mode, pad, dil) ** 2).sum()
                y = ops.conv2d(Tensor(X), Tensor(W), None, stride, mode, pad, dil)
                gx, gw = ms.grad(loss, (0, 1))(Tensor(X), Tensor(W))
                out[f"conv-{mode}-{pad}-{stride}-{dil}"] = [stats(y), stats(gx), stats(gw)]
    for k, s, m in ((2, 2, "valid"), (3, 1, "same"), (3, 2, "valid"), (2, 1, "valid"),
                    (3, 2, "same")):
        for name, layer in (("max", nn.MaxPool2d(k, s, m)), ("avg", nn.AvgPool2d(k, s, m))):
            def loss(x, layer=layer):
                return (layer(x) ** 2).sum()
            out[f"{name}-{k}-{s}-{m}"] = [stats(layer(Tensor(X))),
                                          stats(ms.grad(loss)(Tensor(X)))]
    conv = nn.Conv2d(3, 4, 3)
    out["conv2d_defaults"] = [conv.pad_mode, conv.has_bias,
                              [p.name for p in conv.trainable_params()], list(conv.weight.shape)]
    Path(__file__).with_name("mindspore_conv.json").write_text(json.dumps(out, indent=0))


if __name__ == "__main__":
    main()
