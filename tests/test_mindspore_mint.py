"""``mint``: its PyTorch-style functions, ``mint.nn`` layers and ``functional``,
``mint.optim`` and the module paths a MindSpore program imports. Values against
NumPy written out here after PyTorch's documented semantics (which ``mint``
follows), gradients against central finite differences in float64 on several
shapes, and a small training loop that learns."""
from __future__ import annotations

import functools
import importlib

import numpy as np
import pytest

import autodiff_compiler as ms
from autodiff_compiler import mint, nn

F = mint.nn.functional

X = np.array([[0.3, -1.2, 2.1, 0.7], [1.5, 0.4, -0.8, -2.2], [-0.6, 1.9, 0.2, 1.1]])
V = np.array([0.9, -1.4, 0.35, 2.2, -0.15])


def _softmax(a, axis):
    e = np.exp(a - a.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# name: (mint's call, the value PyTorch documents, written in NumPy)
VALUES = {
    "mean_dim_keepdim": (lambda: mint.mean(X, 1, True), X.mean(axis=1, keepdims=True)),
    "mean_dims": (lambda: mint.mean(X, dim=(0, 1)), X.mean()),
    "prod": (lambda: mint.prod(X, dim=0), X.prod(axis=0)),
    "max_all": (lambda: mint.max(X), X.max()),
    "max_dim_values": (lambda: mint.max(X, dim=1)[0], X.max(axis=1)),
    "max_dim_indices": (lambda: mint.max(X, 1, True)[1], X.argmax(axis=1)[:, None]),
    "max_of_two": (lambda: mint.max(X, X[::-1]), np.maximum(X, X[::-1])),
    "min_dim_indices": (lambda: mint.min(X, dim=0)[1], X.argmin(axis=0)),
    "amax_all": (lambda: mint.amax(X), X.max()),
    "argmax_flat": (lambda: mint.argmax(X), X.argmax()),
    "std_bessel": (lambda: mint.std(X), X.std(ddof=1)),
    "var_correction_0": (lambda: mint.var(X, 1, correction=0), X.var(axis=1)),
    "std_mean": (lambda: mint.std_mean(X, 0)[1], X.mean(axis=0)),
    "norm_fro": (lambda: mint.norm(X), np.sqrt((X ** 2).sum())),
    "norm_p1_dim": (lambda: mint.norm(X, 1, dim=1), np.abs(X).sum(axis=1)),
    "norm_inf": (lambda: mint.norm(X, float("inf")), np.abs(X).max()),
    "norm_p3_keepdim": (lambda: mint.norm(X, 3, 0, True),
                        (np.abs(X) ** 3).sum(axis=0, keepdims=True) ** (1 / 3)),
    "norm_nuc": (lambda: mint.norm(X, "nuc"), np.linalg.svd(X, compute_uv=False).sum()),
    "vector_norm_0": (lambda: mint.linalg.vector_norm(X, 0), 12.0),
    "matrix_norm": (lambda: mint.linalg.matrix_norm(X), np.linalg.norm(X)),
    "logsumexp": (lambda: mint.logsumexp(X, 1), np.log(np.exp(X).sum(axis=1))),
    "cumsum": (lambda: mint.cumsum(X, 1), X.cumsum(axis=1)),
    "median_all_lower": (lambda: mint.median(V[:4]), np.sort(V[:4])[1]),
    "median_dim": (lambda: mint.median(X, 1)[0], np.sort(X, axis=1)[:, 1]),
    "median_dim_index": (lambda: mint.median(X, 1)[1],
                         np.argsort(X, axis=1, kind="stable")[:, 1]),
    "count_nonzero": (lambda: mint.count_nonzero(np.array([[0, 1], [2, 0]]), 0), [1, 1]),
    "unique": (lambda: mint.unique(np.array([[2, 1], [2, 5]])), [1, 2, 5]),
    "unique_inverse": (lambda: mint.unique(np.array([[2, 1], [2, 5]]), return_inverse=True)[1],
                       [[1, 0], [1, 2]]),
    "unique_counts": (lambda: mint.unique(np.array([2, 1, 2, 5]), return_inverse=True,
                                          return_counts=True)[2], [1, 2, 1]),
    "unique_dim": (lambda: mint.unique(np.array([[1, 2], [0, 3], [1, 2]]), dim=0),
                   [[0, 3], [1, 2]]),
    "bincount": (lambda: mint.bincount(np.array([0, 2, 2, 4])), [1, 0, 2, 0, 1]),
    "bincount_weights": (lambda: mint.bincount(np.array([1, 1, 0]), V[:3], 3),
                         [V[2], V[0] + V[1], 0.0]),
    "cat": (lambda: mint.cat([X, X], dim=1), np.concatenate([X, X], axis=1)),
    "stack": (lambda: mint.stack([V, V], 1), np.stack([V, V], axis=1)),
    "split_sizes": (lambda: mint.split(X, [1, 3], dim=1)[1], X[:, 1:]),
    "chunk": (lambda: mint.chunk(X, 2, 1)[1], X[:, 2:]),
    "permute": (lambda: mint.permute(X[None], (2, 0, 1)), np.transpose(X[None], (2, 0, 1))),
    "transpose_two_axes": (lambda: mint.transpose(X[None], 0, 2), np.swapaxes(X[None], 0, 2)),
    "flatten_all": (lambda: mint.flatten(X[None]), X.reshape(-1)),
    "flatten_from_1": (lambda: mint.flatten(X[None, :, :, None], 1, 2),
                       X.reshape(1, 12, 1)),
    "squeeze_keeps_long_axes": (lambda: mint.squeeze(X[None, :, None], (0, 1, 2)), X),
    "unsqueeze": (lambda: mint.unsqueeze(V, -1), V[:, None]),
    "narrow": (lambda: mint.narrow(X, 1, 1, 2), X[:, 1:3]),
    "tile": (lambda: mint.tile(V, (2,)), np.tile(V, 2)),
    "repeat_interleave": (lambda: mint.repeat_interleave(V, 2, dim=0), np.repeat(V, 2)),
    "diag": (lambda: mint.diag(X, 1), np.diag(X, 1)),
    "cross_first_3_axis": (lambda: mint.cross(X[:, :3], X[::-1, :3]),
                           np.cross(X[:, :3], X[::-1, :3], axis=0)),
    "meshgrid_ij": (lambda: mint.meshgrid(V[:2], V[:3])[0], np.meshgrid(V[:2], V[:3],
                                                                       indexing="ij")[0]),
    "where": (lambda: mint.where(X > 0, X, -X), np.abs(X)),
    "gather_shorter_index": (lambda: mint.gather(X, 1, np.array([[3, 0], [1, 1]])),
                             np.array([[X[0, 3], X[0, 0]], [X[1, 1], X[1, 1]]])),
    "index_select": (lambda: mint.index_select(X, 1, np.array([2, 0])), X[:, [2, 0]]),
    "select": (lambda: mint.select(X, 1, 2), X[:, 2]),
    "take_flat": (lambda: mint.take(X, np.array([[0, 5], [11, 3]])),
                  X.reshape(-1)[[[0, 5], [11, 3]]]),
    "scatter_add": (lambda: mint.scatter_add(np.zeros((2, 3)), 1, np.array([[0, 0], [2, 1]]),
                                             np.array([[1.0, 2.0], [3.0, 4.0]])),
                    np.array([[3.0, 0.0, 0.0], [0.0, 4.0, 3.0]])),
    "topk_values": (lambda: mint.topk(V, 2)[0], np.sort(V)[::-1][:2]),
    "sort_descending": (lambda: mint.sort(X, dim=0, descending=True)[0], -np.sort(-X, axis=0)),
    "argsort": (lambda: mint.argsort(V), np.argsort(V, kind="stable")),
    "add_alpha": (lambda: mint.add(X, V[:4], alpha=2.0), X + 2.0 * V[:4]),
    "sub_alpha": (lambda: mint.sub(X, 1.0, alpha=0.5), X - 0.5),
    "round_decimals": (lambda: mint.round(X, decimals=1), np.round(X, 1)),
    "zeros": (lambda: mint.zeros((2, 3)), np.zeros((2, 3))),
    "full": (lambda: mint.full((2,), 1.5), [1.5, 1.5]),
    "linspace": (lambda: mint.linspace(0.0, 1.0, 5), np.linspace(0.0, 1.0, 5)),
    "softmax": (lambda: mint.softmax(X, 0), _softmax(X, 0)),
    "special_log_softmax": (lambda: mint.special.log_softmax(X, 1), np.log(_softmax(X, 1))),
    "relu": (lambda: F.relu(X), np.maximum(X, 0)),
    "leaky_relu_default_slope": (lambda: F.leaky_relu(X), np.where(X > 0, X, 0.01 * X)),
    "threshold": (lambda: F.threshold(X, 0.5, -1.0), np.where(X > 0.5, X, -1.0)),
    "prelu_per_channel": (lambda: F.prelu(X, np.array([0.1, 0.2, 0.3, 0.4])),
                          np.where(X > 0, X, X * np.array([0.1, 0.2, 0.3, 0.4]))),
    "softmax_implicit_dim_2d": (lambda: F.softmax(X), _softmax(X, 1)),
    "softmax_implicit_dim_1d": (lambda: F.softmax(V), _softmax(V, 0)),
    "linear": (lambda: F.linear(X, X[:2], V[:2]), X @ X[:2].T + V[:2]),
    "normalize": (lambda: F.normalize(X), X / np.linalg.norm(X, axis=1, keepdims=True)),
    "embedding": (lambda: F.embedding(np.array([2, 0]), X), X[[2, 0]]),
    "one_hot": (lambda: F.one_hot(np.array([0, 2])), [[1, 0, 0], [0, 0, 1]]),
    "smooth_l1_mean": (lambda: F.smooth_l1_loss(X, 0 * X),
                       np.where(np.abs(X) < 1, 0.5 * X ** 2, np.abs(X) - 0.5).mean()),
    "kl_div_batchmean": (lambda: F.kl_div(np.log(_softmax(X, 1)), _softmax(2 * X, 1),
                                          reduction="batchmean"),
                         (_softmax(2 * X, 1) * (np.log(_softmax(2 * X, 1))
                                                - np.log(_softmax(X, 1)))).sum() / 3),
    "cross_entropy": (lambda: F.cross_entropy(X, np.array([1, 0, 3])),
                      -np.log(_softmax(X, 1))[[0, 1, 2], [1, 0, 3]].mean()),
    "avg_pool2d_stride_is_kernel": (lambda: F.avg_pool2d(X[None, None], 2),
                                    X[:2].reshape(1, 2, 2, 2).mean(axis=(1, 3))
                                    .reshape(1, 1, 1, 2)),
    "adaptive_avg_pool2d_uneven": (lambda: F.adaptive_avg_pool2d(X[None], (2, 3))[0],
                                   np.array([[X[:2, i0:i1].mean() for i0, i1 in
                                              ((0, 2), (1, 3), (2, 4))],
                                             [X[1:, i0:i1].mean() for i0, i1 in
                                              ((0, 2), (1, 3), (2, 4))]])),
}


@pytest.mark.parametrize("name", sorted(VALUES))
def test_mint_value_is_pytorchs(name):
    call, want = VALUES[name]
    np.testing.assert_allclose(np.asarray(call(), np.float64), np.asarray(want, np.float64),
                               rtol=1e-12, atol=1e-12)


# name: (a scalar loss through the function, shapes to check it on)
GRADIENTS = {
    "mean": (lambda x: mint.mean(x, -1, True).sum(), [(3, 4), (5,)]),
    "prod": (lambda x: mint.prod(x, dim=0).sum(), [(3, 4), (5,)]),
    "max_dim": (lambda x: mint.max(x, dim=-1)[0].sum(), [(3, 4), (5,)]),
    "max_all": (lambda x: mint.max(x) * 2.0, [(3, 4), (5,), ()]),
    "max_of_two": (lambda x: mint.max(x, x * x).sum(), [(3, 4), (5,), ()]),
    "min_dim": (lambda x: mint.min(x, 0, True)[0].sum(), [(3, 4), (5,)]),
    "std": (lambda x: mint.std(x, -1).sum(), [(3, 4), (5,)]),
    "var_mean": (lambda x: sum(mint.var_mean(x, correction=0)), [(3, 4), (5,)]),
    "norm": (lambda x: mint.norm(x, dim=-1).sum(), [(3, 4), (5,)]),
    "norm_p3": (lambda x: mint.norm(x, 3), [(3, 4), (5,)]),
    "norm_nuc": (lambda x: mint.norm(x, "nuc"), [(3, 4)]),
    "vector_norm_inf": (lambda x: mint.linalg.vector_norm(x, float("inf"), dim=0).sum(),
                        [(3, 4), (5,)]),
    "logsumexp": (lambda x: mint.logsumexp(x, -1).sum(), [(3, 4), (5,)]),
    "cumprod": (lambda x: mint.cumprod(x, -1).sum(), [(3, 4), (5,)]),
    "median": (lambda x: mint.median(x), [(3, 4), (5,)]),
    "median_dim": (lambda x: mint.median(x, -1)[0].sum(), [(3, 4), (5,)]),
    "transpose": (lambda x: (mint.transpose(x[None], 0, -1) * np.arange(x.size).reshape(
        (*x.shape[::-1], 1))).sum(), [(3, 4)]),
    "gather": (lambda x: mint.gather(x, 0, np.array([[2, 0, 1], [0, 0, 2]])).sum(), [(3, 4)]),
    "softmax": (lambda x: (mint.softmax(x, -1) * np.cos(x)).sum(), [(3, 4), (5,)]),
    "cross": (lambda x: mint.cross(x[:3], np.cos(x[:3]), dim=0).sum(), [(3, 4), (5,)]),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh").sum(), [(3, 4), (5,), ()]),
    "prelu": (lambda x: F.prelu(x, np.array([0.3])).sum(), [(3, 4), (5,)]),
    "normalize": (lambda x: (F.normalize(x, dim=-1) * np.sin(x)).sum(), [(3, 4), (5,)]),
    "kl_div": (lambda x: F.kl_div(F.log_softmax(x, -1), F.softmax(np.cos(x), -1)),
               [(3, 4), (5,)]),
    "kl_div_log_target": (lambda x: F.kl_div(F.log_softmax(x, -1), F.log_softmax(x * x, -1),
                                             "sum", True), [(3, 4), (5,)]),
    "embedding": (lambda x: (F.embedding(np.array([[0, 2], [2, 1]]), x) ** 2).sum(),
                  [(3, 4)]),
    "adaptive_avg_pool2d": (lambda x: (F.adaptive_avg_pool2d(x[None], 2) ** 2).sum(),
                            [(3, 4)]),
    "unique": (lambda x: (mint.unique(x) ** 2 * np.arange(x.size)).sum(), [(3, 4), (5,)]),
    "unique_inverse_counts": (lambda x: _unique_parts(x), [(3, 4), (5,)]),
    "bincount": (lambda x: (mint.bincount(np.array([0, 2, 2, 1, 4])[:x.size % 5 + 1],
                                          np.ravel(x)[:x.size % 5 + 1]) ** 2).sum(),
                 [(3, 4), (5,)]),
    "nonzero_as_tuple": (lambda x: (x[mint.nonzero(x > 0, as_tuple=True)] ** 3).sum(),
                         [(3, 4), (5,)]),
}


def _unique_parts(x):
    values, inverse, counts = mint.unique(x, return_inverse=True, return_counts=True)
    return (values[inverse] * np.sin(x)).sum() + (values * counts).sum()


def _draw(shape):
    return (np.arange(1, int(np.prod(shape)) + 1) * 0.37 % 1.9 - 0.83).reshape(shape)


@pytest.mark.parametrize("name", sorted(GRADIENTS))
def test_mint_gradients_match_finite_differences(name):
    fn, shapes = GRADIENTS[name]
    for shape in shapes:
        ms.check_grads(fn, _draw(shape), generic=False)


def test_a_padding_rows_embedding_gets_no_gradient():
    table = X.copy()
    g = ms.grad(lambda t: (F.embedding(np.array([0, 2, 2]), t, padding_idx=2) ** 2).sum())(table)
    np.testing.assert_allclose(g[2], 0.0)
    np.testing.assert_allclose(g[0], 2 * X[0])


def test_layers_take_pytorchs_arguments_and_name_their_parameters_so():
    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc = mint.nn.Linear(4, 3, bias=False)
            self.norm = mint.nn.LayerNorm(3, eps=1e-6)
            self.emb = mint.nn.Embedding(5, 4, padding_idx=1)
            self.conv = mint.nn.Conv2d(1, 2, 3, padding=1, groups=1)
            self.act = mint.nn.PReLU()

    net = Net()
    names = {p.name: p.shape for p in net.trainable_params()}
    assert names == {"fc.weight": (3, 4), "norm.weight": (3,), "norm.bias": (3,),
                     "emb.weight": (5, 4), "conv.weight": (2, 1, 3, 3), "conv.bias": (2,),
                     "act.weight": (1,)}
    np.testing.assert_array_equal(net.emb.weight[1], 0.0)
    y = net.norm(net.fc(X))
    z = X @ np.asarray(net.fc.weight).T
    want = (z - z.mean(-1, keepdims=True)) / np.sqrt(z.var(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(y, want, rtol=1e-5)
    assert net.conv(X[None, None].astype(np.float32)).shape == (1, 2, 3, 4)


LAYERS = [
    (mint.nn.GELU(approximate="tanh"), lambda x: F.gelu(x, "tanh")),
    (mint.nn.Softmax(dim=0), lambda x: _softmax(x, 0)),
    (mint.nn.Hardtanh(-0.5, 0.5), lambda x: np.clip(x, -0.5, 0.5)),
    (mint.nn.Threshold(0.1, 20.0), lambda x: np.where(x > 0.1, x, 20.0)),
    (mint.nn.Flatten(0), lambda x: x.reshape(-1)),
    (mint.nn.Identity(7), lambda x: x),
    (mint.nn.ZeroPad2d(1), lambda x: np.pad(x, 1)),
    (mint.nn.ZeroPad1d((1, 2)), lambda x: np.pad(x, ((0, 0), (1, 2)))),
    (mint.nn.ConstantPad2d((1, 0, 0, 2), 3.5),
     lambda x: np.pad(x, ((0, 2), (1, 0)), constant_values=3.5)),
    (mint.nn.ReflectionPad1d(2), lambda x: np.pad(x, ((0, 0), (2, 2)), mode="reflect")),
    # reflection and replication take (C, ...) or (N, C, ...) input, as PyTorch's
    (mint.nn.ReplicationPad2d((0, 1, 2, 0)), lambda x: np.pad(x, ((0, 0), (2, 0), (0, 1)),
                                                              mode="edge"), X[None]),
    (mint.nn.ReflectionPad3d(1), lambda x: np.pad(x, ((0, 0), (1, 1), (1, 1), (1, 1)),
                                                  mode="reflect"), X[None, None]),
    # batched inputs: (N, C, L) for the 1-d pools, (N, C, H, W) for Dropout2d
    (mint.nn.AvgPool1d(2), lambda x: (x[..., 0::2] + x[..., 1::2]) / 2, X[None]),
    (mint.nn.AdaptiveAvgPool1d(2), lambda x: np.stack([x[..., :2].mean(-1),
                                                       x[..., 2:].mean(-1)], -1), X[None]),
    (mint.nn.Dropout2d(0.5), lambda x: x, X[None, None]),  # (not training: the identity)
]


LAYERS = [(*case, X) if len(case) == 2 else case for case in LAYERS]  # X unless given


@pytest.mark.parametrize("layer, want, x", LAYERS, ids=[type(c[0]).__name__ for c in LAYERS])
def test_layer_applies_its_function_with_its_options(layer, want, x):
    np.testing.assert_allclose(layer(x), want(x), rtol=1e-12)


LOSSES = [
    (mint.nn.MSELoss(reduction="sum"), lambda a, b: ((a - b) ** 2).sum()),
    (mint.nn.L1Loss(), lambda a, b: np.abs(a - b).mean()),
    (mint.nn.SmoothL1Loss(beta=0.5), lambda a, b: np.where(
        np.abs(a - b) < 0.5, 0.5 * (a - b) ** 2 / 0.5, np.abs(a - b) - 0.25).mean()),
    (mint.nn.BCEWithLogitsLoss(), lambda a, b: np.mean(
        np.maximum(a, 0) - a * b + np.log1p(np.exp(-np.abs(a))))),
    (mint.nn.KLDivLoss(reduction="sum", log_target=True),
     lambda a, b: (np.exp(b) * (b - a)).sum()),
]


@pytest.mark.parametrize("loss, want", LOSSES, ids=[type(c[0]).__name__ for c in LOSSES])
def test_loss_layer_value_and_gradient(loss, want):
    target = np.abs(np.sin(X * 3.0))
    np.testing.assert_allclose(loss(X, target), want(X, target), rtol=1e-12)
    ms.check_grads(lambda a: loss(a, target), X)


def _adam_reference(p, grads, lr, betas, eps, decay, decoupled, amsgrad=False):
    m, v, vmax = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * decay)
        else:
            g = g + decay * p
        m = betas[0] * m + (1 - betas[0]) * g
        v = betas[1] * v + (1 - betas[1]) * g * g
        vmax = np.maximum(vmax, v)
        denom = np.sqrt(vmax if amsgrad else v) / np.sqrt(1 - betas[1] ** t) + eps
        p = p - lr / (1 - betas[0] ** t) * m / denom
    return p


OPTIMIZERS = [
    ("adamw", lambda ps: mint.optim.AdamW(ps, lr=0.1, weight_decay=0.3),
     lambda p, gs: _adam_reference(p, gs, 0.1, (0.9, 0.999), 1e-8, 0.3, True)),
    ("adam_l2", lambda ps: mint.optim.Adam(ps, lr=0.05, betas=(0.8, 0.9), weight_decay=0.2),
     lambda p, gs: _adam_reference(p, gs, 0.05, (0.8, 0.9), 1e-8, 0.2, False)),
    ("adam_amsgrad", lambda ps: mint.optim.Adam(ps, lr=0.05, amsgrad=True),
     lambda p, gs: _adam_reference(p, gs, 0.05, (0.9, 0.999), 1e-8, 0.0, False, True)),
    ("adamw_group", lambda ps: mint.optim.AdamW([{"params": ps, "betas": (0.5, 0.6)}],
                                                lr=0.1),
     lambda p, gs: _adam_reference(p, gs, 0.1, (0.5, 0.6), 1e-8, 0.01, True)),
    ("sgd_nesterov", lambda ps: mint.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True,
                                               weight_decay=0.1),
     None),
]


def _sgd_nesterov(p, grads):
    buf = None
    for g in grads:
        g = g + 0.1 * p
        buf = g if buf is None else 0.9 * buf + g
        p = p - 0.1 * (g + 0.9 * buf)
    return p


@pytest.mark.parametrize("name, make, reference", OPTIMIZERS, ids=[c[0] for c in OPTIMIZERS])
def test_optimizer_steps_as_pytorchs_algorithm(name, make, reference):
    reference = reference or _sgd_nesterov
    start = X.astype(np.float64)
    w = ms.Parameter(start.copy(), name="w")
    grads = [np.sin(start * k) for k in (1.0, 2.0, 3.0)]
    optimizer = make([w])
    for g in grads:
        optimizer((g,))
    np.testing.assert_allclose(w, reference(start, grads), rtol=1e-12)


def test_a_mint_model_trains_and_its_loss_falls():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    ms.set_seed(0)
    net = nn.SequentialCell(mint.nn.Linear(4, 16), mint.nn.GELU(), mint.nn.LayerNorm(16),
                            mint.nn.Linear(16, 2))
    loss_fn = mint.nn.CrossEntropyLoss()
    optimizer = mint.optim.AdamW(net.trainable_params(), lr=0.05)
    step = ms.value_and_grad(lambda a, b: loss_fn(net(a), b), None, optimizer.parameters)
    losses = []
    for _ in range(40):
        loss, grads = step(x, y)
        optimizer(grads)
        losses.append(float(loss))
    assert losses[-1] < 0.3 * losses[0], losses


@pytest.mark.parametrize("path", ["mint", "mint.nn", "mint.nn.functional", "mint.optim",
                                  "mint.linalg", "mint.special"])
def test_mints_module_paths_import(path):
    module = importlib.import_module(f"autodiff_compiler.{path}")
    assert module is functools.reduce(getattr, path.split("."), ms)


def test_a_bad_parameter_group_key_is_named():
    with pytest.raises(KeyError, match="momentum"):
        mint.optim.AdamW([{"params": [ms.Parameter(X, name="w")], "momentum": 0.9}])


def test_batch_norm_trains_on_batch_statistics_and_moves_the_running_ones_pytorchs_way():
    x = np.stack([X, X[::-1] * 2.0, X * X])  # (N=3, C=3, L=4)
    layer = mint.nn.BatchNorm1d(3, momentum=0.2)
    names = sorted(p.name for p in layer.get_parameters())
    assert names == ["bias", "running_mean", "running_var", "weight"]
    assert sorted(p.name for p in layer.trainable_params()) == ["bias", "weight"]
    layer.set_train()
    value, _ = ms.value_and_grad(lambda a: (layer(a) * np.cos(a)).sum())(x)
    mean, var = x.mean(axis=(0, 2)), x.var(axis=(0, 2))
    normalised = (x - mean[:, None]) / np.sqrt(var[:, None] + 1e-5)
    np.testing.assert_allclose(value, (normalised * np.cos(x)).sum(), rtol=1e-10)
    np.testing.assert_allclose(layer.running_mean, 0.2 * mean, rtol=1e-6)
    np.testing.assert_allclose(layer.running_var, 0.8 + 0.2 * var * 12 / 11, rtol=1e-6)
    ms.check_grads(lambda a: (layer(a) * np.cos(a)).sum(), x, generic=False)
    layer.set_train(False)
    np.testing.assert_allclose(layer(x), (x - layer.running_mean[:, None])
                               / np.sqrt(layer.running_var[:, None] + 1e-5), rtol=1e-6)


def test_batch_norm_without_running_statistics_or_affine_parameters():
    layer = mint.nn.BatchNorm2d(3, affine=False, track_running_stats=False)
    assert list(layer.get_parameters()) == []
    x = np.stack([X, X * 0.5])[:, None].repeat(3, axis=1)  # (2, 3, 3, 4)
    mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    np.testing.assert_allclose(layer(x), (x - mean[:, None, None])
                               / np.sqrt(var[:, None, None] + 1e-5), rtol=1e-10)


def test_group_norm_layer():
    layer = mint.nn.GroupNorm(2, 4)
    x = np.stack([X, X[::-1]])  # (N=2, C=3, ...) is not divisible: use 4 channels
    x = np.concatenate([x, x[:, :1] * 0.5], axis=1)[..., None]  # (2, 4, 4, 1)
    groups = x.reshape(2, 2, -1)
    want = ((groups - groups.mean(-1, keepdims=True))
            / np.sqrt(groups.var(-1, keepdims=True) + 1e-5)).reshape(x.shape)
    np.testing.assert_allclose(layer(x), want, rtol=1e-10)
    ms.check_grads(lambda a: (layer(a) ** 3).sum(), x, generic=False)
    with pytest.raises(ValueError, match="divisible"):
        mint.nn.GroupNorm(3, 4)


def test_mint_nn_lists_every_layer_it_has():
    """``mint.nn.__all__`` is the README's list: every public Cell, and only Cells."""
    cells = {name for name, obj in vars(mint.nn).items() if isinstance(obj, type)
             and issubclass(obj, nn.Cell) and not name.startswith("_")}
    assert set(mint.nn.__all__) == cells - {"Cell", "Dense"}


RANDOM = [
    ("rand", lambda: mint.rand(2, 3), (2, 3), np.float32),
    ("randn_tuple", lambda: mint.randn((4,), dtype=np.float64), (4,), np.float64),
    ("rand_like", lambda: mint.rand_like(X), (3, 4), np.float64),
    ("randint_high", lambda: mint.randint(5, (2, 2)), (2, 2), np.int64),
    ("randint_low_high", lambda: mint.randint(3, 5, (6,)), (6,), np.int64),
    ("randint_like", lambda: mint.randint_like(np.zeros(3, np.int32), 2, 4), (3,), np.int32),
    ("randperm", lambda: mint.randperm(5), (5,), np.int64),
    ("normal_size", lambda: mint.normal(1.0, 2.0, (3,)), (3,), np.float32),
    ("normal_broadcast", lambda: mint.normal(np.zeros((2, 1)), np.ones(3)), (2, 3), np.float64),
    ("bernoulli", lambda: mint.bernoulli(np.full(5, 0.5)), (5,), np.float64),
]


@pytest.mark.parametrize("name, draw, shape, dtype", RANDOM, ids=[c[0] for c in RANDOM])
def test_random_draws_have_pytorchs_shape_and_dtype_and_repeat_after_set_seed(name, draw,
                                                                              shape, dtype):
    ms.set_seed(7)
    first = np.asarray(draw())
    ms.set_seed(7)
    np.testing.assert_array_equal(np.asarray(draw()), first)
    assert first.shape == shape and first.dtype == dtype
    if name.startswith("randint"):
        assert first.min() >= (3 if name == "randint_low_high" else 2 if "like" in name else 0)
    if name == "randperm":
        assert sorted(first) == [0, 1, 2, 3, 4]
    if name == "bernoulli":
        assert set(first) <= {0.0, 1.0}


def test_normal_reparameterises_its_mean_and_std_inside_a_gradient():
    def loss(mu, sigma):
        return np.sum(mint.normal(mu, sigma) ** 2)

    mu, sigma = np.array([0.5, -0.2]), np.array([1.0, 2.0])
    ms.set_seed(0)
    _, (g_mu, g_sigma) = ms.value_and_grad(loss, (0, 1))(mu, sigma)
    ms.set_seed(0)
    z = np.asarray(mint.randn((2,)), np.float64)
    np.testing.assert_allclose(g_mu, 2 * (mu + sigma * z), rtol=1e-6)
    np.testing.assert_allclose(g_sigma, 2 * (mu + sigma * z) * z, rtol=1e-6)


def test_a_generator_is_refused_with_what_to_do_instead():
    with pytest.raises(NotImplementedError, match="set_seed"):
        mint.rand(2, generator=object())


def test_cross_finds_its_axis_while_compiling():
    """``np.broadcast_shapes`` of shapes known when compiling runs then."""
    other = np.cos(X[:3])
    ms.check_grads(lambda x: mint.cross(x, other).sum(), X[:3], generic=False)


def test_conv1d_is_a_sliding_dot_product():
    ms.set_seed(1)
    layer = mint.nn.Conv1d(3, 2, 2, stride=1, padding=1)
    x = X[None]  # (N=1, C=3, L=4)
    w, b = np.asarray(layer.weight, np.float64), np.asarray(layer.bias, np.float64)
    assert w.shape == (2, 3, 2)
    padded = np.pad(x, ((0, 0), (0, 0), (1, 1)))
    want = np.stack([np.einsum("ck,nck->n", w[o], padded[:, :, i:i + 2]) + b[o]
                     for o in range(2) for i in range(5)], axis=1).reshape(1, 2, 5)
    np.testing.assert_allclose(layer(x.astype(np.float32)), want, rtol=1e-5)
    ms.check_grads(lambda a, k: (F.conv1d(a, k, stride=2) ** 2).sum(), x, w, generic=False)


def test_upsample_and_pixel_shuffle():
    image = X[None, None]  # (1, 1, 3, 4)
    upsample = mint.nn.Upsample(scale_factor=2)
    np.testing.assert_allclose(upsample(image), image.repeat(2, axis=2).repeat(2, axis=3))
    ms.check_grads(lambda a: (upsample(a) ** 3).sum(), image, generic=False)
    channels = np.arange(16.0).reshape(1, 4, 2, 2)
    shuffled = mint.nn.PixelShuffle(2)(channels)
    assert shuffled.shape == (1, 1, 4, 4)
    np.testing.assert_allclose(shuffled[0, 0, :2, :2], [[0.0, 4.0], [8.0, 12.0]])


def test_rectifiers_take_pytorchs_derivative_at_zero():
    """0 for relu and relu6 at 0 (a tie of ``np.maximum`` would give 1/2); prelu's slope."""
    x = np.array([-1.0, 0.0, 2.0, 6.0])
    np.testing.assert_array_equal(ms.grad(lambda a: F.relu(a).sum())(x), [0, 0, 1, 1])
    np.testing.assert_array_equal(ms.grad(lambda a: F.relu6(a).sum())(x), [0, 0, 1, 1])
    np.testing.assert_array_equal(
        ms.grad(lambda a: F.prelu(a, np.array([0.25])).sum())(x), [0.25, 0.25, 1, 1])


def test_bincount_and_unique_give_pytorchs_dtypes():
    """Counts and indices are int64; weighted sums keep the weights' dtype."""
    assert np.asarray(mint.bincount(np.array([0, 1]))).dtype == np.int64
    assert np.asarray(mint.bincount(np.array([0]), np.ones(1, np.float32))).dtype == np.float32
    _, inverse, counts = mint.unique(np.array([3.0, 1.0]), return_inverse=True,
                                     return_counts=True)
    assert np.asarray(inverse).dtype == np.int64 and np.asarray(counts).dtype == np.int64


def test_full_of_a_python_float_is_float32_as_mints_documents():
    """``mint.full((T, T), -inf)`` made float64 here, so a causal mask turned float32
    attention scores into float64 (PyTorch, and mint's documentation: float32)."""
    assert mint.full((2, 2), 2.5).dtype == np.float32
    assert mint.full((2,), 2).dtype == np.int64
    assert mint.full((2,), 2.5, dtype=ms.float64).dtype == np.float64
    scores = ms.Tensor(np.zeros((3, 3), np.float32))
    assert (scores + mint.triu(mint.full((3, 3), float("-inf")), diagonal=1)).dtype == \
        np.float32


def test_functional_interpolate_takes_a_scale_factor_in_nearest_mode():
    """MindSpore 2.10's mint (as PyTorch) resizes 4-d input by ``scale_factor=2.0`` in
    ``nearest`` mode, which ``ops.interpolate`` refuses (raised here, a plain
    ValueError); MindSpore's values and gradient of the squares' sum."""
    x = ms.Tensor(np.arange(8, dtype=np.float32).reshape(1, 2, 2, 2))
    functional = mint.nn.functional
    y = functional.interpolate(x, scale_factor=2.0, mode="nearest")
    np.testing.assert_array_equal(y[0, 0], [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 3, 3],
                                            [2, 2, 3, 3]])
    grad = ms.grad(lambda t: (functional.interpolate(t, scale_factor=2.0, mode="nearest")
                              ** 2).sum())
    np.testing.assert_array_equal(grad(x)[0, 0], [[0.0, 8.0], [16.0, 24.0]])
    grid = ms.Tensor(np.array([[[[-0.5, -0.5], [0.5, 0.25]]]], np.float32))
    np.testing.assert_allclose(functional.grid_sample(x, grid).reshape(-1), [0.0, 2.5, 4.0, 6.5])
