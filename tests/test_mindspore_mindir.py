"""``mindspore.export``/``load`` and ``nn.GraphCell``: the save-and-load ending of
MindSpore's tutorials, run unchanged (the file is the package's own graph)."""
import zipfile

import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as ms
from autodiff_compiler import nn, ops
from autodiff_compiler.errors import AutodiffError


class Dense(nn.Cell):
    def __init__(self):
        super().__init__()
        self.dense = nn.Dense(4, 3)
        self.relu = nn.ReLU()

    def construct(self, x):
        return self.relu(self.dense(x)) * 2.0


class SmallConv(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3, pad_mode="valid")
        self.norm = nn.BatchNorm2d(2)
        self.flatten = nn.Flatten()
        self.dense = nn.Dense(2 * 4 * 4, 3)

    def construct(self, x):
        return self.dense(self.flatten(ops.tanh(self.norm(self.conv(x)))))


class TwoOutputs(nn.Cell):
    def construct(self, x, y):
        return x + y, (x * y, ops.sin(x))


def _saved(net, args, path, name="model"):
    ms.export(net, *args, file_name=str(path / name), file_format="MINDIR")
    stem = name.removesuffix(".mindir")
    return nn.GraphCell(ms.load(str(path / f"{stem}.mindir")))


@pytest.mark.parametrize("net, shape", [(Dense, (2, 4)), (SmallConv, (2, 1, 6, 6))],
                         ids=["dense", "conv-batchnorm"])
def test_the_loaded_graph_computes_what_the_network_did(net, shape, tmp_path):
    ms.set_seed(1)
    net = net()
    net.set_train(False)  # (BatchNorm: its moving statistics, as exported)
    x = ms.Tensor(np.random.default_rng(0).normal(size=shape).astype(np.float32))
    graph = _saved(net, (x,), tmp_path)
    out = graph(x)
    assert isinstance(out, ms.Tensor) and out.dtype == np.float32
    np.testing.assert_allclose(out.asnumpy(), net(x).asnumpy(), rtol=1e-6)
    other = ms.Tensor(np.ones((5, *shape[1:]), np.float32))  # another batch size
    if len(shape) == 2:  # the dense network compiles shape-generic: any, as in MindSpore
        np.testing.assert_allclose(graph(other).asnumpy(), net(other).asnumpy(), rtol=1e-6)
    else:  # a convolution compiles for the exported shapes alone
        with pytest.raises(ValueError, match="export it with inputs like those"):
            graph(other)


def test_the_graph_keeps_the_parameters_it_was_exported_with(tmp_path):
    net = Dense()
    x = ms.Tensor(np.linspace(-1.0, 1.0, 8, dtype=np.float32).reshape(2, 4))
    before = net(x).asnumpy()
    graph = _saved(net, (x,), tmp_path)
    net.dense.weight.set_data(ms.Tensor(np.zeros((3, 4), np.float32)))
    np.testing.assert_allclose(graph(x).asnumpy(), before, rtol=1e-6)
    assert not np.allclose(net(x).asnumpy(), before)


def test_a_file_name_with_its_suffix_and_nested_outputs(tmp_path):
    x = ms.Tensor(np.array([0.5, -1.0, 2.0], np.float32))
    graph = _saved(TwoOutputs(), (x, x), tmp_path, name="two.mindir")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two.mindir"]
    total, (product, sine) = graph(x, 2 * x)
    np.testing.assert_allclose(total.asnumpy(), 3 * x.asnumpy())
    np.testing.assert_allclose(product.asnumpy(), 2 * x.asnumpy() ** 2)
    np.testing.assert_allclose(sine.asnumpy(), np.sin(x.asnumpy()), rtol=1e-6)


def test_a_loaded_graph_is_differentiable(tmp_path):
    net = Dense()
    x = np.array([[0.3, -0.2, 0.5, 1.0], [-0.7, 0.4, 0.1, -0.3]])
    graph = _saved(net, (ms.Tensor(x.astype(np.float32)),), tmp_path)

    def loss(x):
        return ops.sum(graph(x) ** 2)

    weight = net.dense.weight.asnumpy().astype(np.float64)
    bias = net.dense.bias.asnumpy().astype(np.float64)

    def plain(x):
        return np.sum((2.0 * np.maximum(x @ weight.T + bias, 0.0)) ** 2)

    np.testing.assert_allclose(ms.grad(loss)(x), central_differences(plain, x), rtol=1e-5)


def test_what_cannot_be_written_or_read_is_refused_at_the_call(tmp_path):
    net, x = Dense(), ms.Tensor(np.ones((2, 4), np.float32))
    with pytest.raises(AutodiffError, match="file_format 'ONNX'") as info:
        ms.export(net, x, file_name=str(tmp_path / "m"), file_format="ONNX")
    assert "test_mindspore_mindir.py" in str(info.value)
    garbage = tmp_path / "garbage.mindir"
    garbage.write_bytes(b"\x08\x01 not a zip")
    with pytest.raises(AutodiffError, match="not a graph this package exported"):
        ms.load(str(garbage))
    with zipfile.ZipFile(tmp_path / "other.mindir", "w") as archive:
        archive.writestr("meta.json", '{"format": "something else"}')
        archive.writestr("forward.py", "")
        archive.writestr("parameters.npz", b"")
    with pytest.raises(AutodiffError, match="it holds 'something else'"):
        ms.load(str(tmp_path / "other.mindir"))
    graph = ms.load(str(_export_path(net, x, tmp_path)))
    with pytest.raises(AutodiffError, match="params_init"):
        nn.GraphCell(graph, params_init={"dense.weight": np.zeros((3, 4))})


def _export_path(net, x, path):
    ms.export(net, x, file_name=str(path / "ok"))
    return path / "ok.mindir"


def test_a_graph_compiled_for_its_shapes_differentiates_as_its_network(tmp_path):
    ms.set_seed(2)
    net = SmallConv()
    net.set_train(False)
    x = ms.Tensor(np.random.default_rng(1).normal(size=(2, 1, 6, 6)).astype(np.float32))
    graph = _saved(net, (x,), tmp_path)

    def through_graph(x):
        return ops.sum(graph(x) ** 2)

    def through_net(x):
        return ops.sum(net(x) ** 2)

    np.testing.assert_allclose(ms.grad(through_graph)(x), ms.grad(through_net)(x), rtol=1e-6)
