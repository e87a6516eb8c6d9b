"""``float(x)``, ``x.item()`` and ``int(x)`` inside a differentiated function (issue
12): values that carry no gradient convert; a Python number made of one that carries
a gradient raises at its line, where MindSpore 2.10 silently drops that gradient
(measured: ``grad`` of ``sum(x * float(sum(x)))`` at ``[0.5, 1.0]`` is ``[1.5, 1.5]``
there, the true gradient ``[3.0, 3.0]``)."""
from __future__ import annotations

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import Parameter, Tensor, nn, ops
from autodiff_compiler.errors import AutodiffError

X = np.array([0.5, 1.0, -2.0])
LABELS = np.array([1, 0, 2])


def mean_over_positive_labels(x, labels):
    count = float(np.sum(labels > 0))  # not differentiated: a count
    return np.sum(x ** 2) / count


def test_float_of_a_label_count():
    g = adc.grad(mean_over_positive_labels)(X, LABELS)
    np.testing.assert_allclose(g, 2 * X / 2.0)
    assert "float(" in adc.gradient_source(mean_over_positive_labels, args=(X, LABELS))


def shape_scaled(x):
    n = int(x.shape[0])
    return np.sum(x) * n


def test_int_of_a_shape():
    np.testing.assert_allclose(adc.grad(shape_scaled)(X), [3.0, 3.0, 3.0])


def scaled_by_stopped_sum(x):
    a = ops.stop_gradient(np.sum(x)).item()
    return np.sum(x * a)


def test_item_of_a_stop_gradient_value_matches_mindspore():
    # MindSpore 2.10: grad of sum(x * stop_gradient(sum(x)).item()) is sum(x) everywhere
    value, g = adc.value_and_grad(scaled_by_stopped_sum)(X)
    assert value == pytest.approx(np.sum(X) ** 2)
    np.testing.assert_allclose(g, np.full(3, np.sum(X)))


def scaled_by_int(x):
    return np.sum(x * int(np.sum(x)))


def test_int_of_a_differentiated_value_is_a_zero_derivative_as_in_mindspore():
    # int() truncates: its derivative is zero wherever it has one (as np.trunc's);
    # MindSpore 2.10 gives [1, 1] for x = [0.5, 1.0], as here
    np.testing.assert_allclose(adc.grad(scaled_by_int)(np.array([0.5, 1.0])), [1.0, 1.0])


def scaled_by_float(x):
    a = float(np.sum(x))
    return np.sum(x * a)


def scaled_by_item(x):
    a = np.sum(x).item()
    return np.sum(x * a)


def item_in_loop(x):
    s = 0.0
    for i in range(2):
        s = s + x[i].item() * x[i]
    return s


@pytest.mark.parametrize("fn, line", [(scaled_by_float, "a = float(np.sum(x))"),
                                      (scaled_by_item, "a = np.sum(x).item()"),
                                      (item_in_loop, "s = s + x[i].item() * x[i]")])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_number_of_a_differentiated_value_raises_at_its_line(fn, line, mode):
    with pytest.raises(AutodiffError) as err:
        if mode == "grad":
            adc.grad(fn)(X)
        else:
            adc.jvp(fn, (X,), (np.ones(3),))
    text = str(err.value)
    assert "test_item.py:" in text and line in text
    assert "gradient through it would be lost" in text and "ops.stop_gradient(x)" in text


def branch_on_a_float(x):
    if float(np.sum(x)) > 0:  # only picks a branch: no derivative goes through it
        return np.sum(np.sin(x) * np.sum(x))
    return np.sum(x ** 3)


@pytest.mark.parametrize("x", [X, -X], ids=["then", "else"])
def test_a_float_that_only_picks_a_branch_is_fine_in_forward_mode_too(x):
    """jvp, jacfwd and hessian raised as soon as a tangent reached float(...), though
    only the branch's condition reads it; grad never did (no cotangent reaches it)."""
    grad = adc.grad(branch_on_a_float)(x)
    np.testing.assert_allclose(adc.jacfwd(branch_on_a_float)(x), grad, rtol=1e-12)
    tangent = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(adc.jvp(branch_on_a_float, (x,), (tangent,))[1],
                               grad @ tangent, rtol=1e-12)
    hessian = adc.hessian(branch_on_a_float)(x)
    columns = [(adc.grad(branch_on_a_float)(x + 1e-6 * e) -
                adc.grad(branch_on_a_float)(x - 1e-6 * e)) / 2e-6 for e in np.eye(3)]
    np.testing.assert_allclose(hessian, np.stack(columns, axis=-1), rtol=1e-6, atol=1e-8)


def printed_loss(x):
    loss = np.sum(x ** 2)
    print("loss", float(loss))  # read, not differentiated through: no gradient lost
    return loss


def test_float_that_only_reaches_a_print_is_fine(capsys):
    g = adc.grad(printed_loss)(X)
    assert capsys.readouterr().out == f"loss {float(np.sum(X ** 2))}\n"
    np.testing.assert_allclose(g, 2 * X)


class Normalised(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.w = Parameter(Tensor(np.array([1.5, -0.5], np.float32)), name="w")

    def construct(self, x, labels):
        scale = ops.stop_gradient(ops.sum(self.w * self.w)).item()
        count = labels.shape[0]
        return ops.sum(x * self.w) / (scale * count)


def test_cell_with_item_of_a_stopped_weight():
    net = Normalised()
    x = Tensor(np.array([2.0, 3.0], np.float32))
    labels = Tensor(np.array([0, 1, 1]))
    (g,) = adc.grad(net, None, net.trainable_params())(x, labels)
    scale = float(np.sum(np.asarray(net.w) ** 2))
    np.testing.assert_allclose(g, np.asarray(x) / (scale * 3), rtol=1e-6)
