"""MindSpore's ops and nn surface: gradients against finite differences, values against
the definitions, Parameters initialised as MindSpore does."""
from __future__ import annotations

import math

import mindspore_cases as cases
import numpy as np
import pytest
from numpy_version import only_on_numpy_2

import autodiff_compiler as adc
from autodiff_compiler import Parameter, check_grads, nn, ops

RNG = np.random.RandomState(3)
X = RNG.uniform(-2, 2, (3, 4))
Y = RNG.uniform(-2, 2, (3, 4))
LABELS = np.array([0, 3, 1])


def check_specialised(fn, *args, eps=1e-6, rtol=1e-5):
    """``check_grads`` for code that branches on shapes or dtypes, which only compiles
    for concrete arguments: reverse and forward mode, shape-specialised code only."""
    rng = np.random.default_rng(0)
    floats = [i for i, a in enumerate(args) if np.issubdtype(np.asarray(a).dtype, np.floating)]
    direction = {i: rng.standard_normal(np.shape(args[i])) for i in floats}
    out = fn(*args)
    cotangent = rng.standard_normal(np.shape(out))

    def shifted(step):
        moved = [a + step * direction[i] if i in direction else a for i, a in enumerate(args)]
        return fn(*moved)

    numeric = np.sum(cotangent * (shifted(eps) - shifted(-eps)) / (2 * eps))
    _, vjp_fn = adc.vjp(fn, *args)
    reverse = sum(np.sum(g * direction[i]) for g, i in zip(vjp_fn(cotangent), floats))
    _, tangent = adc.jvp(fn, args, [direction[i] for i in floats])
    forward = np.sum(cotangent * tangent)
    np.testing.assert_allclose([reverse, forward], [numeric, numeric], rtol=rtol, atol=1e-8)


# ---------------------------------------------------------------------------- ops

OPS = [
    ("softmax", cases.softmax_last, (X,)),
    ("softmax_axis0", cases.softmax_axis0, (X,)),
    ("log_softmax", cases.log_softmax_fn, (X,)),
    ("logsumexp", cases.logsumexp_fn, (X,)),
    ("logsumexp_keep_dims", cases.logsumexp_keep, (X,)),
    ("activations", cases.activations, (X,)),
    ("softplus_beta", cases.softplus_beta, (X,)),
    ("arithmetic", cases.arithmetic, (X, Y)),
    ("reductions", cases.reductions, (X,)),
    ("gather", cases.gather_fn, (X,)),
    ("dense", cases.dense_fn, (X, RNG.uniform(-1, 1, (2, 4)), RNG.uniform(-1, 1, 2))),
    ("mse_loss", cases.mse, (X, Y)),
    ("l1_loss", cases.l1_sum, (X, Y)),
    ("binary_cross_entropy", cases.bce, (RNG.uniform(0.1, 0.9, (3, 4)), (Y > 0) * 1.0,
                                         RNG.uniform(0.5, 1.5, 4))),
]


@pytest.mark.parametrize("fn, args", [c[1:] for c in OPS], ids=[c[0] for c in OPS])
def test_ops_gradients_match_finite_differences(fn, args):
    check_grads(fn, *args)


# These branch on shapes or on the labels' dtype: compiled for concrete arguments.
SPECIALISED = [
    ("shapes", cases.shapes, (X,)),
    ("one_hot", cases.one_hot_weighted, (X,)),
    ("cross_entropy", cases.cross_entropy_indices, (X, LABELS)),
    ("cross_entropy_weighted", cases.cross_entropy_weighted, (X, LABELS,
                                                              np.array([1.0, 2.0, 0.5, 3.0]))),
    ("cross_entropy_smoothed", cases.cross_entropy_smoothed, (X, LABELS)),
    ("cross_entropy_probabilities", cases.cross_entropy_probabilities,
     (X, ops.softmax(Y))),
    ("nll_loss", cases.nll, (X, LABELS)),
]


@pytest.mark.parametrize("fn, args", [c[1:] for c in SPECIALISED],
                         ids=[c[0] for c in SPECIALISED])
def test_shape_dependent_ops_gradients_match_finite_differences(fn, args):
    check_specialised(fn, *args)


def test_relu_has_derivative_zero_at_zero_as_in_mindspore():
    grad = adc.grad(lambda x: np.sum(ops.relu(x)))(np.array([-1.0, 0.0, 2.0]))
    np.testing.assert_array_equal(grad, [0.0, 0.0, 1.0])


def test_softmax_and_logsumexp_do_not_overflow():
    big = np.array([[1000.0, 0.0, -1000.0]])
    np.testing.assert_allclose(ops.softmax(big), [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(ops.logsumexp(big, 1), [1000.0])
    grad = adc.grad(lambda x: ops.logsumexp(x, 1)[0])(big)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, ops.softmax(big))


def test_cross_entropy_values_match_the_definition():
    picked, w = cases.naive_cross_entropy(X, LABELS)
    np.testing.assert_allclose(ops.cross_entropy(X, LABELS), np.mean(picked))
    weight = np.array([1.0, 2.0, 0.5, 3.0])
    picked, w = cases.naive_cross_entropy(X, LABELS, weight)
    np.testing.assert_allclose(ops.cross_entropy(X, LABELS, weight), np.sum(picked) / np.sum(w))
    ignored = ops.cross_entropy(X, LABELS, weight, ignore_index=3, reduction="none")
    np.testing.assert_allclose(ignored, picked * (LABELS != 3))
    soft = np.eye(4)[LABELS]
    np.testing.assert_allclose(ops.cross_entropy(X, soft), ops.cross_entropy(X, LABELS))


def test_ops_max_returns_values_and_indices():
    values, indices = ops.max(X, axis=1)
    np.testing.assert_array_equal(values, X.max(axis=1))
    np.testing.assert_array_equal(indices, X.argmax(axis=1))


TIED = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]], np.float32)


@pytest.mark.parametrize("reduce, want", [
    # measured in MindSpore 2.10: along an axis (ArgMaxWithValue/ArgMinWithValue) the
    # first of tied entries takes the whole gradient; over the whole array
    # (ReduceMax) they share it
    (lambda x: ops.max(x, axis=1)[0], [[0, 1, 0], [1, 0, 0]]),
    (lambda x: ops.max(x, -1, True)[0] * np.array([[1.0], [2.0]], np.float32),
     [[0, 1, 0], [2, 0, 0]]),
    (lambda x: ops.min(x, 0)[0], [[1, 0, 0], [0, 1, 1]]),
    (lambda x: x.argmax_with_value(axis=1)[0], [[0, 1, 0], [1, 0, 0]]),
    (lambda x: ops.max(x)[0], [[0, 0.5, 0.5], [0, 0, 0]]),
    (lambda x: adc.mint.max(x, 1)[0], [[0, 1, 0], [1, 0, 0]]),
    (lambda x: adc.mint.min(x, 0, True)[0], [[1, 0, 0], [0, 1, 1]]),
    (lambda x: adc.mint.max(x), [[0, 0.5, 0.5], [0, 0, 0]]),
], ids=["max-axis", "max-keepdims", "min-axis", "argmax_with_value", "max-all", "mint-max-dim",
        "mint-min-dim", "mint-max-all"])
def test_ops_max_and_min_along_an_axis_give_ties_gradient_at_their_index(reduce, want):
    got = adc.grad(lambda x: reduce(x).sum())(adc.Tensor(TIED))
    np.testing.assert_array_equal(got, np.array(want, np.float32))


def test_ops_split_takes_piece_sizes():
    pieces = ops.split(np.arange(10.0), [3, 7])
    assert [len(p) for p in pieces] == [3, 7]
    assert [len(p) for p in ops.split(np.arange(10.0), 4)] == [4, 4, 2]


# ---------------------------------------------------------------------------- nn


def test_dense_parameters_are_initialised_as_mindspore_does():
    np.random.seed(0)
    dense = nn.Dense(400, 30)
    assert dense.weight.shape == (30, 400) and dense.bias.shape == (30,)
    assert dense.weight.dtype == np.float32 and dense.bias.dtype == np.float32
    bound = 1 / math.sqrt(400)  # HeUniform(sqrt(5)) on fan_in, and Uniform(1/sqrt(fan_in))
    assert 0.99 * bound < np.abs(dense.weight).max() <= bound
    assert np.abs(dense.bias).max() <= bound and dense.bias.std() > 0.3 * bound
    assert [p.name for p in dense.trainable_params()] == ["weight", "bias"]


def test_dense_accepts_initializers_and_activation_names():
    dense = nn.Dense(3, 2, weight_init="zeros", bias_init=adc.Constant(0.5), has_bias=True,
                     activation="relu")
    np.testing.assert_array_equal(dense(np.ones((1, 3))), [[0.5, 0.5]])
    assert isinstance(dense.activation, nn.ReLU)
    assert nn.Dense(3, 2, has_bias=False).trainable_params()[0].name == "weight"


def test_sequential_cell_names_parameters_by_position():
    np.random.seed(0)
    model = cases.MLP()
    names = [p.name for p in model.trainable_params()]
    assert names == ["body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias"]
    assert len(model.body) == 3 and isinstance(model.body[1], nn.ReLU)


def test_mlp_gradients_with_respect_to_weights_match_finite_differences():
    np.random.seed(1)
    model = cases.MLP()
    x, y = RNG.uniform(-1, 1, (5, 3)), RNG.uniform(-1, 1, (5, 2))
    params = model.trainable_params()
    grads = adc.grad(model, None, weights=params)(x, y)
    eps = 1e-3
    for p, g in zip(params, grads):
        assert g.dtype == np.float32 and g.shape == p.shape
        direction = np.random.default_rng(0).standard_normal(p.shape).astype(np.float32)
        saved = p.copy()
        p[...] = saved + eps * direction
        plus = float(model(x, y))
        p[...] = saved - eps * direction
        minus = float(model(x, y))
        p[...] = saved
        np.testing.assert_allclose(np.sum(g * direction), (plus - minus) / (2 * eps),
                                   rtol=2e-2, atol=1e-4)


LOSSES = [
    ("mse", nn.MSELoss(), Y),
    ("l1", nn.L1Loss(reduction="sum"), Y),
    ("cross_entropy", nn.CrossEntropyLoss(), LABELS),
    ("softmax_cross_entropy_sparse", nn.SoftmaxCrossEntropyWithLogits(sparse=True,
                                                                      reduction="mean"), LABELS),
    ("softmax_cross_entropy", nn.SoftmaxCrossEntropyWithLogits(), ops.softmax(Y)),
    ("bce_with_logits", nn.BCEWithLogitsLoss(), (Y > 0) * 1.0),
]


@pytest.mark.parametrize("loss, target", [c[1:] for c in LOSSES], ids=[c[0] for c in LOSSES])
def test_loss_cells_differentiate_through_a_dense_layer(loss, target):
    model = cases.Classifier(loss)
    x = RNG.uniform(-1, 1, (3, 3))
    out = target[:, :4] if target.ndim == 2 else target
    check_specialised(lambda a: model(a, out), x)


def test_softmax_cross_entropy_sparse_equals_one_hot():
    sparse = nn.SoftmaxCrossEntropyWithLogits(sparse=True)(X, LABELS)
    dense = nn.SoftmaxCrossEntropyWithLogits()(X, np.eye(4)[LABELS])
    np.testing.assert_allclose(sparse, dense)
    np.testing.assert_allclose(sparse, cases.naive_cross_entropy(X, LABELS)[0])


def test_bce_loss_cell_matches_the_definition():
    p, t = RNG.uniform(0.1, 0.9, (2, 3)), (RNG.uniform(size=(2, 3)) > 0.5) * 1.0
    expected = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    np.testing.assert_allclose(nn.BCELoss()(p, t), expected)


def test_activation_cells_match_ops():
    for cell, fn in [(nn.ReLU(), ops.relu), (nn.Sigmoid(), ops.sigmoid), (nn.Tanh(), ops.tanh),
                     (nn.Softmax(), ops.softmax), (nn.LogSoftmax(), ops.log_softmax)]:
        np.testing.assert_allclose(cell(X), fn(X))


def test_unknown_activation_and_reduction_are_refused():
    with pytest.raises(ValueError, match="unknown activation"):
        nn.Dense(2, 2, activation="swishy")
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss(reduction="average")


def test_initializer_accepts_names_numbers_and_arrays():
    assert adc.initializer("ones", (2, 3)).dtype == np.float32
    np.testing.assert_array_equal(adc.initializer(2.5, 3), [2.5, 2.5, 2.5])
    with pytest.raises(ValueError, match="shape"):
        adc.initializer(np.ones(3), (2, 3))
    p = Parameter(adc.initializer(adc.Normal(0.02), (100, 100)), name="w")
    assert 0.015 < p.std() < 0.025


def test_orthogonal_identity_dirac_and_variance_scaling_initializers():
    """As MindSpore 2.10 draws them (measured: the same orthogonality, gain, identity,
    Dirac positions and deviations; its ``truncated_normal`` is a uniform there)."""
    init = adc.common.initializer
    q = np.asarray(init.initializer(init.Orthogonal(gain=2.0), (3, 5)), np.float64)
    np.testing.assert_allclose(q @ q.T, 4 * np.eye(3), atol=1e-5)
    q = np.asarray(init.initializer("orthogonal", (6, 2, 2)), np.float64).reshape(6, 4)
    np.testing.assert_allclose(q.T @ q, np.eye(4), atol=1e-5)
    np.testing.assert_array_equal(init.initializer("identity", (2, 3)), np.eye(2, 3))
    assert np.argwhere(init.initializer(init.Dirac(), (2, 2, 3, 3))).tolist() == \
        [[0, 0, 1, 1], [1, 1, 1, 1]]
    assert np.argwhere(init.initializer(init.Dirac(groups=2), (4, 1, 3))).tolist() == \
        [[0, 0, 1], [2, 0, 1]]
    for distribution, bound in (("uniform", np.sqrt(3 * 2 / 300)),
                                ("truncated_normal", 2 * np.sqrt(2 / 300) / 0.8796256610),
                                ("untruncated_normal", None)):
        w = init.initializer(init.VarianceScaling(2.0, "fan_in", distribution), (400, 300))
        assert abs(np.std(w) - np.sqrt(2 / 300)) < 0.03 * np.sqrt(2 / 300)
        assert bound is None or np.abs(w).max() <= bound * (1 + 1e-6)
    with pytest.raises(ValueError, match=r"dimension .* should be 2"):
        init.initializer(init.Identity(), (2, 3, 3))
    assert nn.Dense(3, 4, weight_init="orthogonal").weight.shape == (4, 3)


LABELS_I32 = np.array([1, 2], np.int32)


@pytest.mark.parametrize("on, off, dtype", [
    # measured in MindSpore 2.10
    pytest.param(1.0, 0.0, np.float32, id="python-floats"),
    pytest.param(1, 0, np.int64, id="python-ints"),
    pytest.param(1.0, 0, np.float32, id="float-and-int"),
    # (NumPy 1's value-based casting counts 0-d arrays as weak as Python floats)
    *only_on_numpy_2(pytest.param(adc.Tensor(np.float64(2.0)), adc.Tensor(np.float64(0.0)),
                                  np.float64, id="float64-tensors")),
])
def test_one_hot_values_take_mindspores_dtypes(on, off, dtype):
    hot = ops.one_hot(adc.Tensor(LABELS_I32), 3, on, off)
    assert hot.dtype == dtype
    np.testing.assert_array_equal(hot, np.where(np.eye(3)[LABELS_I32] == 1, on, off))


def _smoothed(logits, eps):
    return (logits * ops.one_hot(adc.Tensor(LABELS_I32), 3, 1.0 - eps, eps / 2)).sum()


def test_a_sparse_softmax_cross_entropy_of_float32_logits_is_float32():
    """``SoftmaxCrossEntropyWithLogits(sparse=True)`` one-hots its labels with Python
    floats: float32 values, so a float32 loss (it was float64), as in MindSpore."""
    logits = adc.Tensor(np.random.default_rng(0).normal(size=(2, 3)).astype(np.float32))
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    assert loss(logits, adc.Tensor(LABELS_I32)).dtype == np.float32
    grad = adc.grad(_smoothed)(logits, 0.1)  # run-time floats: float32 too
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, np.where(np.eye(3)[LABELS_I32] == 1, 0.9, 0.05), rtol=1e-6)


PE = adc.Tensor(np.arange(6, dtype=np.float32).reshape(1, 3, 2))


def _positional_encoding(x):
    return (x * ops.broadcast_to(PE, (x.shape[0], -1, -1))).sum()


def test_broadcast_to_keeps_an_axis_given_as_minus_one():
    """The Transformer tutorial's ``ops.broadcast_to(pe, (batch, -1, -1))``: -1 keeps the
    input's size there, as in MindSpore (NumPy refuses negative sizes)."""
    x = adc.Tensor(np.ones((4, 3, 2), np.float32))
    assert ops.broadcast_to(PE, (4, -1, -1)).shape == (4, 3, 2)
    assert ops.broadcast_to(np.ones(2), (3, -1)).shape == (3, 2)
    np.testing.assert_array_equal(adc.grad(_positional_encoding)(x),
                                  np.broadcast_to(PE, (4, 3, 2)))


class _Layered(nn.Cell):
    """A construct asking ``hasattr`` and naming its layers with ``str.format``."""

    def __init__(self):
        super().__init__()
        self.layer0 = nn.Dense(2, 2, weight_init="ones", bias_init="zeros")

    def construct(self, x):
        y = getattr(self, "layer{}".format(0))(x)  # noqa: UP032 (the user's spelling)
        if hasattr(self, "layer0") and not hasattr(self, "layer1"):
            y = y * 2
        return y.sum()


def test_hasattr_and_string_methods_run_while_compiling():
    """Measured in MindSpore 2.10: both are constants of the program there; here they
    were refused as calls without a derivative rule."""
    grad = adc.grad(_Layered(), 0)(adc.Tensor(np.ones((1, 2), np.float32)))
    np.testing.assert_array_equal(grad, [[4.0, 4.0]])
