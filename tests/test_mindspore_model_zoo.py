"""What MindSpore model-zoo code reaches for beyond the tutorials: a ``TrainOneStepCell``
subclass using ``self.grad`` and ``self.grad_reducer``, ``HyperMap`` over gradients,
``ops.assign_add``, ``load_checkpoint``'s selections, learning rates as Tensors,
``Tensor.mean(keep_dims=True)`` in a differentiated function, and the names such code
imports (``P.AssignAdd``, ``nn.BiDense``, ``ops.unsorted_segment_sum``...). Values are
checked against NumPy formulas; types and selections against what MindSpore 2.7.1
gives (measured there)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import Parameter, Tensor, check_grads, mint, nn, ops

C, F, P = ops.composite, ops.functional, ops.operations  # MindSpore's older homes

RNG = np.random.default_rng(5)
X = Tensor(RNG.standard_normal((6, 3)).astype(np.float32))
Y = Tensor(RNG.standard_normal((6, 2)).astype(np.float32))

clip_grad = C.MultitypeFuncGraph("clip_grad")


@clip_grad.register("Number", "Tensor")
def _clip_grad(clip_value, grad):
    return ops.clip_by_value(grad, -clip_value, clip_value)


class ClippedStep(nn.TrainOneStepCell):
    """The model zoo's step: the loss's cotangent given, gradients reduced and clipped."""

    def construct(self, x, y):
        loss = self.network(x, y)
        sens = ops.fill(loss.dtype, loss.shape, self.sens)
        grads = self.grad(self.network, self.weights)(x, y, sens)
        grads = self.grad_reducer(grads)
        grads = C.HyperMap()(F.partial(clip_grad, 0.05), grads)
        self.optimizer(grads)
        return loss


def _network(seed):
    net = nn.Dense(3, 2)
    rng = np.random.default_rng(seed)
    for p in net.trainable_params():
        p.set_data(Tensor(rng.standard_normal(p.shape).astype(np.float32)))
    return nn.WithLossCell(net, nn.MSELoss())


def test_train_one_step_subclass_uses_grad_and_grad_reducer():
    """Clipping at 0.05 in the subclass equals clipping by hand after the plain step's
    gradient: the same losses step after step."""
    clipped = ClippedStep(net := _network(1), nn.SGD(net.trainable_params(), 0.1))
    reference = _network(1)
    grad_fn = ms.value_and_grad(reference, None, reference.trainable_params())
    for step in range(3):
        got = clipped(X, Y)
        want, grads = grad_fn(X, Y)
        if step == 0:  # the clipping bites: the test would see a step that skipped it
            assert max(np.abs(g.asnumpy()).max() for g in grads) > 0.05
        for p, g in zip(reference.trainable_params(), grads):
            p.set_data(Tensor(p.asnumpy() - 0.1 * np.clip(g.asnumpy(), -0.05, 0.05)))
        np.testing.assert_allclose(got.asnumpy(), want.asnumpy(), rtol=1e-6)


def test_mean_with_keep_dims_is_differentiated():
    x = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    gradient = ms.grad(lambda x: (x.mean(axis=0, keep_dims=True) * x).sum())(x)
    want = np.broadcast_to(2 * x.asnumpy().mean(axis=0, keepdims=True), (2, 3))
    np.testing.assert_allclose(gradient.asnumpy(), want, rtol=1e-6)


def test_learning_rates_are_float32_tensors():
    rate = nn.CosineDecayLR(0.01, 0.1, 4)(Tensor(1, ms.int32))
    assert isinstance(rate, Tensor) and rate.dtype == np.float32 and rate.shape == ()
    np.testing.assert_allclose(rate.asnumpy(), 0.01 + 0.045 * (1 + np.cos(np.pi / 4)), rtol=1e-6)
    opt = nn.SGD(_network(0).trainable_params(), learning_rate=0.1)
    assert isinstance(opt.get_lr(), Tensor)
    np.testing.assert_allclose(opt.get_lr().asnumpy(), 0.1)


@pytest.mark.parametrize(("kwargs", "want"), [
    ({"choice_func": lambda name: name.startswith("w")}, ["weight"]),
    ({"specify_prefix": "b"}, ["bias"]),
    ({"filter_prefix": "b"}, ["weight"]),
    ({"specify_prefix": "w", "choice_func": lambda name: name.startswith("b")}, ["weight"]),
], ids=["choice_func", "specify_prefix", "filter_prefix", "prefix_over_choice_func"])
def test_load_checkpoint_selects_as_mindspore_does(tmp_path, kwargs, want):
    path = str(tmp_path / "dense.ckpt")
    ms.save_checkpoint(nn.Dense(2, 2), path)
    assert sorted(ms.load_checkpoint(path, **kwargs)) == want


def test_load_checkpoint_refuses_a_selection_left_empty_by_prefixes(tmp_path):
    path = str(tmp_path / "dense.ckpt")
    ms.save_checkpoint(nn.Dense(2, 2), path)
    with pytest.raises(ValueError, match="empty after filter or specify"):
        ms.load_checkpoint(path, specify_prefix="w", filter_prefix="w")


def test_grad_with_no_weights_still_pairs_the_gradients():
    relu = nn.ReLU()
    x = Tensor(np.array([1.0, -2.0], np.float32))
    inputs, weights = ms.grad(relu, grad_position=0, weights=relu.trainable_params())(x)
    np.testing.assert_array_equal(inputs.asnumpy(), [1.0, 0.0])
    assert weights == ()


def test_mint_argmax_gives_an_int64_tensor():
    x = Tensor(np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]], np.float32))
    for got, want in [(mint.argmax(x, dim=1), [1, 0]), (mint.argmin(x), 5),
                      (mint.argmax(x, dim=0, keepdim=True), [[1, 1, 0]])]:
        assert isinstance(got, Tensor) and got.dtype == np.int64
        np.testing.assert_array_equal(got.asnumpy(), want)


def test_assign_add_writes_the_parameter_eagerly_and_when_compiled():
    counter = Parameter(Tensor(np.ones(2, np.float32)), name="counter")
    P.AssignAdd()(counter, Tensor(np.array([1.0, 2.0], np.float32)))
    F.assign_sub(counter, Tensor(np.array([0.5, 0.5], np.float32)))
    np.testing.assert_array_equal(counter.asnumpy(), [1.5, 2.5])

    step = Tensor(np.array([1.0, 1.0], np.float32))

    def loss(x):  # a step counter kept in a Parameter, as training loops keep one
        ops.assign_add(counter, step)
        return (x * counter).sum()
    value, gradient = ms.value_and_grad(loss)(Tensor(np.array([2.0, 3.0], np.float32)))
    np.testing.assert_array_equal(counter.asnumpy(), [2.5, 3.5])
    np.testing.assert_allclose(value.asnumpy(), 2.0 * 2.5 + 3.0 * 3.5)
    np.testing.assert_allclose(gradient.asnumpy(), [2.5, 3.5])  # counter read as written


def test_argsort_clip_by_norm_and_unsorted_segment_sum_follow_their_formulas():
    x = Tensor(np.array([[3.0, 1.0, 2.0], [0.5, 4.0, 0.5]], np.float32))
    order = ops.argsort(x, axis=-1, descending=True)
    assert order.dtype == np.int32
    np.testing.assert_array_equal(order.asnumpy(), [[0, 2, 1], [1, 0, 2]])
    norm = np.linalg.norm(x.asnumpy())
    np.testing.assert_allclose(ops.clip_by_norm(x, 2.0).asnumpy(), x.asnumpy() * 2.0 / norm,
                               rtol=1e-5)
    pair = ops.clip_by_norm((x, x * 2), 2.0)
    np.testing.assert_allclose(pair[1].asnumpy(), 2 * x.asnumpy() * 2.0 / (norm * np.sqrt(5)),
                               rtol=1e-5)
    ids = Tensor(np.array([1, 0], np.int32))
    want = np.zeros((3, 3), np.float32)
    np.add.at(want, ids.asnumpy(), x.asnumpy())
    np.testing.assert_allclose(ops.unsorted_segment_sum(x, ids, 3).asnumpy(), want)
    gradient = ms.grad(lambda x: (ops.unsorted_segment_sum(x, ids, 3) ** 2).sum())(x)
    np.testing.assert_allclose(gradient.asnumpy(), 2 * x.asnumpy(), rtol=1e-6)


def test_bidense_is_a_bilinear_form_with_mindsporess_parameters():
    layer = nn.BiDense(3, 4, 2)
    assert [p.name for p in layer.trainable_params()] == ["weight", "bias"]
    assert layer.weight.shape == (2, 3, 4) and np.abs(layer.weight.asnumpy()).max() <= 3 ** -0.5
    a = Tensor(RNG.standard_normal((5, 3)).astype(np.float32))
    b = Tensor(RNG.standard_normal((5, 4)).astype(np.float32))
    want = np.einsum("ni,oij,nj->no", a.asnumpy(), layer.weight.asnumpy(), b.asnumpy())
    np.testing.assert_allclose(layer(a, b).asnumpy(), want + layer.bias.asnumpy(), rtol=1e-5)
    (grad_a, _), (grad_w, _) = ms.grad(lambda a, b: layer(a, b).sum(), (0, 1),
                                       layer.trainable_params())(a, b)
    np.testing.assert_allclose(grad_w.asnumpy(), np.broadcast_to(
        np.einsum("ni,nj->ij", a.asnumpy(), b.asnumpy()), (2, 3, 4)), rtol=1e-5)
    np.testing.assert_allclose(grad_a.asnumpy(), b.asnumpy() @ layer.weight.asnumpy().sum(
        axis=0).T, rtol=1e-5)


def test_operators_of_older_code():
    x = Tensor(np.array([[1.0, np.inf, 3.0], [4.0, 5.0, 6.0]], np.float32))
    np.testing.assert_array_equal(P.IsFinite()(x).asnumpy(), np.isfinite(x.asnumpy()))
    np.testing.assert_array_equal(P.Slice()(x, (0, 1), (2, -1)).asnumpy(), x.asnumpy()[:, 1:])
    assert not P.ReduceAll()(P.IsFinite()(x)) and P.ReduceAll(keep_dims=True)(
        P.IsFinite()(x), 1).shape == (2, 1)
    assert F.dtype(x) == ms.float32 and ops.identity(x) is not x


def grouped_conv_energy(x, w):
    return np.sum(ops.conv2d(x, w, pad_mode="pad", padding=1, groups=2) ** 2)


def test_grouped_convolution_is_each_groups_and_differentiates():
    x = RNG.standard_normal((2, 4, 5, 5))
    w = RNG.standard_normal((6, 2, 3, 3))
    got = ops.conv2d(x, w, groups=2)
    halves = [ops.conv2d(x[:, 2 * g:2 * g + 2], w[3 * g:3 * g + 3]) for g in (0, 1)]
    np.testing.assert_allclose(got, np.concatenate(halves, axis=1), rtol=1e-12)
    ms.check_grads(grouped_conv_energy, x, w, generic=False)
    layer = nn.Conv2d(4, 6, 3, group=2, has_bias=True)
    assert layer.weight.shape == (6, 2, 3, 3)
    out = layer(Tensor(x.astype(np.float32)))
    want = ops.conv2d(x.astype(np.float32), layer.weight.asnumpy(), groups=2, pad_mode="same")
    np.testing.assert_allclose(out.asnumpy(), want + layer.bias.asnumpy()[:, None, None],
                               rtol=1e-5)


def strided_loss(x):
    picked = P.StridedSlice(shrink_axis_mask=1)(x, (1, 0, 0), (2, 3, 4), (1, 1, 2))
    return (picked ** 2).sum() + P.Unstack(axis=2)(x)[1].sum()


def test_strided_slice_masks_and_unstack_as_mindspore():
    """Shapes as MindSpore 2.7.1 gives them (measured), values as NumPy's slicing."""
    x = Tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    a = x.asnumpy()
    cases = [(P.StridedSlice(), (0, 1, 0), (2, 3, 4), (1, 1, 2), a[0:2, 1:3, 0:4:2]),
             (P.StridedSlice(begin_mask=1, end_mask=2), (1, 1, 0), (2, 2, 4), (1, 1, 1),
              a[:2, 1:, 0:4]),
             (P.StridedSlice(shrink_axis_mask=1), (1, 0, 0), (2, 3, 4), (1, 1, 1), a[1]),
             (P.StridedSlice(new_axis_mask=2), (0, 0, 0), (2, 1, 3), (1, 1, 1),
              a[0:2, None, 0:3]),
             (P.StridedSlice(ellipsis_mask=2), (1, 0, 1), (2, 0, 3), (1, 1, 1), a[1:2, ..., 1:3])]
    for op, begin, end, strides, want in cases:
        np.testing.assert_array_equal(op(x, begin, end, strides).asnumpy(), want)
    pieces = P.Unstack(axis=1)(x)
    assert len(pieces) == 3 and pieces[2].shape == (2, 4)
    want = np.zeros_like(a)
    want[1, :, 0::2] = 2 * a[1, :, 0::2]
    want[:, :, 1] += 1
    np.testing.assert_allclose(ms.grad(strided_loss)(x).asnumpy(), want)


def test_multitype_func_graph_dispatches_on_the_arguments_kinds():
    scale = C.MultitypeFuncGraph("scale")
    scale.register("RowTensor", "Tensor")(lambda r, t: "sparse")  # a kind never met here
    scale.register("Number", "Tensor")(lambda n, t: t * n)
    scale.register("Tensor", "Tensor")(lambda s, t: s + t)
    t = Tensor(np.ones(2, np.float32))
    np.testing.assert_array_equal(scale(3.0, t).asnumpy(), [3.0, 3.0])
    np.testing.assert_array_equal(scale(t, t).asnumpy(), [2.0, 2.0])
    mapped = C.HyperMap(scale)((t, [t]), (t, [t]))
    assert isinstance(mapped, tuple) and isinstance(mapped[1], list)
    np.testing.assert_array_equal(mapped[1][0].asnumpy(), [2.0, 2.0])
    with pytest.raises(TypeError, match="no function registered for \\(str, Tensor\\)"):
        scale("x", t)


def test_the_model_zoos_clip_grad_pieces():
    """``F.tuple_to_array`` clip bounds (float32 Tensors) and ``nn.ClipByNorm``, as
    MindSpore 2.10 computes them; the clipped gradient checked against central
    differences."""
    from autodiff_compiler import ops as F
    bounds, counts = F.tuple_to_array((-1.0,)), F.tuple_to_array((1, 2))
    assert isinstance(bounds, Tensor) and isinstance(counts, Tensor)
    assert bounds.dtype == np.float32 and counts.dtype == np.int64
    g = Tensor(np.array([3.0, -4.0], np.float32))
    np.testing.assert_allclose(nn.ClipByNorm()(g, Tensor(np.array([1.0], np.float32))),
                               [0.6, -0.8], rtol=1e-6)
    np.testing.assert_array_equal(nn.ClipByNorm()(g * 0, np.float32(1.0)), [0.0, 0.0])
    check_grads(lambda x: np.sum(nn.ClipByNorm(axis=1)(x, 1.0) * np.arange(6.0).reshape(2, 3)),
                np.array([[0.3, -0.4, 0.5], [0.1, 0.2, -0.2]]))
    # with an axis every slice is clipped by its own norm, as documented (MindSpore 2.10's
    # CPU kernel scales only the first row right)
    rows = np.array([[3.0, 4.0], [0.0, 2.0], [0.3, 0.4]], np.float32)
    clipped = nn.ClipByNorm(axis=1)(Tensor(rows), Tensor(np.float32(1.0))).asnumpy()
    np.testing.assert_allclose(clipped, [[0.6, 0.8], [0.0, 1.0], [0.3, 0.4]], rtol=1e-6)


def test_model_trains_a_training_step_the_user_built():
    """``Model(TrainOneStepCell(...)).train(...)``: no loss or optimizer given, the
    network is the step (MindSpore 2.10's losses 4.0 and 0.64, weights 0.44)."""
    import autodiff_compiler.dataset as ds
    from autodiff_compiler.train import Model
    net = nn.Dense(2, 1, weight_init="ones", bias_init="zeros")
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()),
                               nn.SGD(net.trainable_params(), 0.1))
    data = ds.NumpySlicesDataset((np.ones((4, 2), np.float32), np.zeros((4, 1), np.float32)),
                                 ["x", "y"], shuffle=False).batch(2)
    Model(step).train(1, data)
    np.testing.assert_allclose(net.weight, [[0.44, 0.44]], rtol=1e-6)


@pytest.mark.parametrize("container", [tuple, list])
def test_clip_by_value_clips_a_tuple_or_list_tensor_by_tensor(container):
    """MindSpore 2.10 clips each Tensor of a tuple or list and returns a tuple; in a
    gradient, each clipped value passes none, and one on a bound half."""
    grads = container([Tensor(np.array([0.5, -0.3, 0.01], np.float32)),
                       Tensor(np.array([0.04, -1.0], np.float32))])
    clipped = ops.clip_by_value(grads, -0.02, 0.02)
    assert isinstance(clipped, tuple) and [t.dtype for t in clipped] == [np.float32] * 2
    for got, g in zip(clipped, grads):
        np.testing.assert_array_equal(got.asnumpy(), np.clip(g.asnumpy(), -0.02, 0.02))
    lower_only = ops.clip_by_value(grads, Tensor(-0.02, ms.float32), None)
    np.testing.assert_array_equal(lower_only[1].asnumpy(), np.float32([0.04, -0.02]))

    def energy(a, b):
        a2, b2 = ops.clip_by_value(container([a, b]), -0.1, 0.1)
        return (a2 * Tensor(np.array([1.0, 2.0], np.float32))).sum() + (b2 * 3).sum()

    ga, gb = ms.grad(energy, (0, 1))(Tensor(np.array([0.5, 0.05], np.float32)),
                                     Tensor(np.array([-0.3, 0.1], np.float32)))
    np.testing.assert_array_equal(ga.asnumpy(), [0.0, 2.0])
    np.testing.assert_array_equal(gb.asnumpy(), [0.0, 1.5])  # MindSpore's, on the bound
    check_grads(energy, Tensor(np.array([0.5, 0.05])), Tensor(np.array([-0.3, 0.02])))


def _scaled_step(i, v):
    return v * 1.1 + i


def _small(v):
    return v.sum() < 20.0


def _doubled(v):
    return v * 2.0 + 1.0


def _through_loops(a):
    fori = ops.ForiLoop()(0, 3, _scaled_step, a)
    return (fori + ops.WhileLoop()(_small, _doubled, a * a)).sum()


def _batched_transpose(a):
    return (a.mT @ a).sum() * 0.5


def test_fori_and_while_loops_and_the_matrix_transpose():
    """ops.ForiLoop, ops.WhileLoop and Tensor.mT were missing (mT refused in compiled
    code). MindSpore 2.10: ForiLoop(0, 3, v * 1.1 + i) of [1, -2, 0.5] sums to 8.6345
    with gradient 1.331; WhileLoop(sum < 20, 2 v + 1) of it gives [31, -17, 23]."""
    x = Tensor(np.array([1.0, -2.0, 0.5], np.float32))
    fori = ops.ForiLoop()(0, 3, _scaled_step, x)
    assert float(fori.sum()) == pytest.approx(8.6345, rel=1e-5)
    np.testing.assert_allclose(ops.WhileLoop()(_small, _doubled, x), [31.0, -17.0, 23.0])
    np.testing.assert_allclose(ms.grad(lambda a: ops.ForiLoop()(0, 3, _scaled_step, a).sum())(x),
                               [1.331] * 3, rtol=1e-5)
    check_grads(_through_loops, np.array([1.0, -2.0, 0.5]))
    stack = np.arange(12.0).reshape(2, 3, 2) / 5
    assert np.shape(Tensor(stack).mT) == (2, 2, 3)
    row_sums = np.broadcast_to(stack.sum(axis=2, keepdims=True), stack.shape)
    np.testing.assert_allclose(ms.grad(_batched_transpose)(Tensor(stack)), row_sums)
