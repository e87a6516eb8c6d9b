"""The MindSpore-style surface: ops, Tensor, Parameter, Cell, and their gradients."""
import numpy as np
import ops_cases as cases
import pytest

import autodiff_compiler as adc
from autodiff_compiler import Parameter, ParameterTuple, Tensor, check_grads, nn, ops

Z = np.array([[0.5, -1.5, 2.0], [-0.3, 0.8, -2.2]])
T = np.array([[1.0, 0.0, 0.3], [0.0, 1.0, 0.9]])
W = np.array([0.5, 2.0, 1.0])
P = np.array([[1.5], [0.7]])


@pytest.mark.parametrize("fn, args", [
    (cases.bce_plain, (Z, T)),
    (cases.bce_weighted, (Z, T, W, P)),
    (cases.bce_none, (Z, T)),
    (cases.reductions, (Z,)),
    (cases.elementwise, (Z,)),
    (cases.shapes, (Z,)),
], ids=["bce", "bce_weighted", "bce_none", "reductions", "elementwise", "shapes"])
def test_ops_gradients_match_finite_differences(fn, args):
    check_grads(fn, *args)


def test_bce_with_logits_values_match_the_definition():
    np.testing.assert_allclose(cases.bce_plain(Z, T), np.mean(cases.naive_bce(Z, T)))
    np.testing.assert_allclose(cases.bce_weighted(Z, T, W, P),
                               np.sum(cases.naive_bce(Z, T, W, P)))
    np.testing.assert_allclose(ops.binary_cross_entropy_with_logits(Z, T, reduction="none"),
                               cases.naive_bce(Z, T))


def test_bce_with_logits_is_finite_for_huge_logits():
    z = np.array([-1000.0, 1000.0])
    loss = ops.binary_cross_entropy_with_logits(z, np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss, [1000.0, 1000.0])
    grad = adc.grad(cases.bce_plain)(z, np.array([1.0, 0.0]))
    np.testing.assert_allclose(grad, [-0.5, 0.5])


def test_bce_of_saturated_probabilities_is_finite_as_mindspore_measures():
    """MindSpore 2.10 (CPU, measured) adds 1e-12 inside both logarithms, so a Sigmoid
    saturated to exactly 0 or 1 in float32 gives -log(1e-12) = 27.631021, not inf, and
    ``logits = 1e-13`` gives -log(1.1e-12) = 27.535711."""
    p = Tensor(np.array([0.0, 1.0, 1e-13, 0.3, 0.0, 1.0], np.float32))
    y = Tensor(np.array([0.0, 1.0, 1.0, 1.0, 1.0, 0.0], np.float32))
    loss = ops.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(loss, [0.0, 0.0, 27.535711, 1.2039728, 27.631021, 27.631021],
                               rtol=1e-6, atol=1e-7)

    def saturated(z, y):
        return nn.BCELoss()(ops.sigmoid(z), y)

    z = Tensor(np.array([[100.0, -100.0, 0.0], [50.0, 60.0, -80.0]], np.float32))
    t = Tensor(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]], np.float32))
    value, grad = adc.value_and_grad(saturated)(z, t)
    np.testing.assert_allclose(value, 4.7206950, rtol=1e-6)  # MindSpore's, measured
    np.testing.assert_allclose(grad, [[0.0, 0.0, -1 / 12], [0.0, 0.0, 0.0]], atol=1e-7)


def test_bce_gradient_is_its_own_derivative_near_the_ends():
    p = np.array([1e-4, 0.2, 0.9999], np.float64)
    check_grads(lambda p: ops.binary_cross_entropy(p, np.array([0.0, 1.0, 0.3])), p,
                eps=1e-9)


def test_log_softmax_of_large_logits_keeps_its_small_results():
    """Large float32 logits less their logsumexp rounded the result at the logits'
    magnitude (3e-5 off at 1e3); less their peak first, as MindSpore's kernel computes,
    it is exact to float32 (MindSpore 2.10 gives these values)."""
    x = Tensor(np.array([[1000.0, 1000.0, 0.0], [3000.0, 2999.0, 0.0]], np.float32))
    exact = np.array([[-0.6931472, -0.6931472, -1000.6931472],
                      [-0.3132617, -1.3132617, -3000.3132617]])
    got = ops.log_softmax(x, axis=1)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, exact, rtol=2e-7)

    def loss(x):
        return ops.sum(ops.log_softmax(x, axis=1)[:, 0])

    softmax = np.exp(exact)
    np.testing.assert_allclose(adc.grad(loss)(x), np.eye(3)[[0, 0]] - softmax, atol=1e-7)


def test_bce_bad_reduction_is_reported_at_the_call():
    with pytest.raises(adc.AutodiffError, match="reduction must be"):
        adc.grad(cases.bce_bad_reduction)(Z, T)


def test_ops_constructors_default_to_float32():
    assert ops.ones(5).dtype == np.float32 and ops.zeros((2, 3)).dtype == np.float32
    assert ops.ones(5, adc.float64).dtype == np.float64


def test_tensor_is_a_copied_ndarray_subclass():
    data = np.arange(3.0)
    t = Tensor(data, adc.float32)
    assert type(t) is Tensor and isinstance(t, np.ndarray) and t.dtype == np.float32
    data[0] = 7.0
    assert t[0] == 0.0


def test_parameter_is_a_tensor_with_name_and_arithmetic_gives_tensors():
    p = Parameter(Tensor([1.0, 2.0]), name="p")
    assert isinstance(p, Tensor) and p.name == "p" and p.requires_grad
    assert type(p * 2.0) is Tensor and type(np.sum(p)) is Tensor
    assert "name=p" in repr(p)


def test_parameter_tuple_accepts_only_parameters():
    assert len(ParameterTuple([Parameter(np.ones(2), name="a")])) == 1
    with pytest.raises(TypeError):
        ParameterTuple([np.ones(2)])


class Frozen(nn.Cell):
    def __init__(self):
        super().__init__()
        self.w = Parameter(np.array([1.0, -1.0]), name="w")
        self.frozen = Parameter(np.array([3.0, 4.0]), requires_grad=False)

    def construct(self, x):
        return ops.sum(x * self.w + self.frozen)


def test_trainable_params_skip_frozen_and_name_unnamed_parameters():
    cell = Frozen()
    assert [p.name for p in cell.trainable_params()] == ["w"]
    assert cell.frozen.name == "frozen"
    assert cell(np.array([1.0, 2.0])) == pytest.approx(6.0)


def test_parameter_reached_through_a_closure_is_a_weight():
    scale = Parameter(np.array([2.0, 3.0]), name="scale")

    def loss(x):
        return np.sum(np.sin(x) * scale)

    x = np.array([0.1, 0.2])
    (g,) = adc.grad(loss, None, weights=[scale])(x)
    np.testing.assert_allclose(g, np.sin(x))


def test_cell_is_differentiated_with_respect_to_its_input_and_weights():
    cell = Frozen()
    x = np.array([1.0, 2.0])
    gx, (gw,) = adc.grad(cell, 0, weights=cell.trainable_params())(x)
    np.testing.assert_allclose(gx, cell.w)
    np.testing.assert_allclose(gw, x)


def test_unused_weight_gets_zero_gradient():
    unused = Parameter(np.ones((2, 2), np.float32), name="unused")
    gx, (gu,) = adc.grad(cases.bce_plain, 0, weights=[unused])(Z, T)
    np.testing.assert_allclose(gx, adc.grad(cases.bce_plain)(Z, T))
    assert gu.dtype == np.float32 and gu.shape == (2, 2) and not gu.any()
