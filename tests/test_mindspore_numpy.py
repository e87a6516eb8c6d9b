"""``mindspore.numpy`` as ``autodiff_compiler.numpy``: outputs, dtypes, result types and
gradients against MindSpore 2.7.1's on the same draws (``data/mindspore_numpy.json``,
written by ``data/measure_mindspore_numpy.py`` from ``mindspore_numpy_cases``), gradients
against central finite differences in float64 (several shapes, 0-d and broadcasting, both
shape-specialised and shape-generic code through ``check_grads``), the import paths,
the constructors' dtypes, and clear refusals where compiled code cannot follow."""
from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import autodiff_compiler.numpy as mnp
import mindspore_numpy_cases
import numpy as np
import pytest
from measured_fixture import measured_fixture

import autodiff_compiler as ms
from autodiff_compiler import Tensor

MEASURED = json.loads((Path(__file__).parent / "data" / "mindspore_numpy.json").read_text())


ours = measured_fixture(lambda: mindspore_numpy_cases.measure(ms))


# MindSpore 2.7.1's CPU gradient of ``mnp.flip(a, 1)`` is wrong (a first column of zeros,
# the rest shifted); ours is the flipped cotangent (finite differences below).
NOT_COMPARED = {"mindspore", "names", "flip.grad0"}


@pytest.mark.parametrize("name", sorted(k for k in MEASURED if k not in NOT_COMPARED))
def test_matches_mindspore(ours, name):
    if name.split(".")[1].startswith(("dtype", "type")):
        assert ours[name] == MEASURED[name]
    else:
        np.testing.assert_allclose(ours[name], MEASURED[name], rtol=2e-5, atol=2e-6)


def test_every_case_was_measured(ours):
    assert set(ours) == set(MEASURED) - {"mindspore", "names"}


# ---------------------------------------------------------------- import paths


def test_import_paths_name_one_module():
    from autodiff_compiler import numpy as by_from
    assert mnp is by_from is ms.numpy is sys.modules["autodiff_compiler.numpy"]
    assert importlib.import_module("autodiff_compiler.numpy") is mnp
    assert mnp.exp is np.exp and mnp.concatenate is np.concatenate


def test_the_alias_shadows_no_numpy_in_a_fresh_interpreter():
    """``import autodiff_compiler.numpy as mnp`` first, then NumPy is still NumPy, and
    ``from autodiff_compiler import *`` binds no ``numpy``."""
    code = ("import autodiff_compiler.numpy as mnp\nimport numpy\n"
            "assert numpy.__name__ == 'numpy' and mnp.__name__.endswith('numpy_api')\n"
            "ns = {}\nexec('from autodiff_compiler import *', ns)\nassert 'numpy' not in ns\n"
            "print(repr(mnp.arange(3)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=Path(__file__).parent, check=True)
    assert done.stdout.strip() == "Tensor(shape=[3], dtype=Int32, value= [0, 1, 2])"


def test_every_public_name_of_mindspore_numpy_is_here():
    """``mindspore.numpy.__all__`` of MindSpore 2.7.1 (measured: its ``dir`` has 273
    names with its submodules), each here: functions callable, types MindSpore's."""
    names = MEASURED["names"]
    assert len(names) == 249 and set(names) <= set(mnp.__all__)
    for name in names:
        value = getattr(mnp, name)
        assert callable(value) or isinstance(value, ms.dtype.Type) or name in ("mgrid", "ogrid")


# ---------------------------------------------------------------- dtypes and result types

DTYPES = [  # (call, MindSpore 2.7.1's dtype), beyond the measured table
    (lambda: mnp.randint(0, 5, (3,)), np.int32),
    (lambda: mnp.rand(2, 3), np.float32),
    (lambda: mnp.randn((2,)), np.float32),
    (lambda: mnp.array(np.array([1.0])), np.float64),  # MindSpore refuses NumPy arrays
    (lambda: mnp.asfarray(np.array([1.0])), np.float32),
    (lambda: mnp.searchsorted(mnp.arange(5), 2), np.int32),
    (lambda: mnp.digitize(mnp.array([0.5, 2.0]), mnp.array([1.0, 3.0])), np.int32),
    (lambda: mnp.argmax(mnp.array([1, 3, 2])), np.int64),
]


@pytest.mark.parametrize("index", range(len(DTYPES)), ids=str)
def test_constructor_and_index_dtypes(index):
    call, dtype = DTYPES[index]
    out = call()
    assert type(out) is Tensor and out.dtype == dtype


def test_mindspore_types_and_constants():
    assert mnp.float_ == np.float32 and mnp.int_ == np.int32 and mnp.uint == np.uint32
    assert str(mnp.promote_types(mnp.int32, mnp.float32)) == "Float32"
    assert str(mnp.result_type(mnp.array([1.0]), mnp.float16)) == "Float32"
    assert (mnp.pi, mnp.PINF, mnp.NINF) == (np.pi, np.inf, -np.inf)


def test_asarray_keeps_a_tensor_and_array_copies_it():
    t = mnp.ones(3)
    assert mnp.asarray(t) is t
    copied = mnp.array(t)
    assert copied is not t and type(copied) is Tensor and copied.dtype == np.float32


def test_results_of_tensors_are_tensors():
    t = mnp.array([[1.0, 2.0], [3.0, 5.0]])
    for out in (mnp.exp(t), mnp.sum(t), mnp.argmax(t), mnp.trace(t), mnp.dot(t[0], t[1]),
                mnp.norm(t), mnp.where(t > 2, t, 0.0), mnp.concatenate((t, t)),
                mnp.count_nonzero(t), mnp.array_equal(t, t), *mnp.split(t, 2)):
        assert type(out) is Tensor


# ---------------------------------------------------------------- finite differences

X = np.array([[-1.3, 0.2, 0.7, 1.9], [2.0, -0.4, 0.05, -0.8], [0.6, -1.7, 1.1, 0.3]])
Y = np.array([[0.9, -1.1, 0.45, 1.6], [-0.7, 1.3, -2.2, 0.35], [1.4, 0.8, -0.6, -1.9]])

UNARY = {  # a loss of one array of any shape, in MindSpore's spelling
    "exp_log": lambda x: mnp.sum(mnp.exp(x) + mnp.log(mnp.square(x) + 1.0)),
    "tanh_sqrt": lambda x: mnp.sum(mnp.tanh(x) * mnp.sqrt(mnp.abs(x) + 1.0)),
    "sum_keepdims": lambda x: mnp.sum(mnp.sum(x, None, None, True) * x),
    "sum_initial": lambda x: mnp.sum(x * x, initial=2.0),
    "mean_std_var": lambda x: mnp.mean(x) * mnp.std(x) + mnp.var(x, None, 0, True).sum(),
    "max_min_ptp": lambda x: mnp.max(x) * mnp.min(x) + mnp.ptp(x) ** 2,
    "nan_reductions": lambda x: mnp.nansum(x ** 2) + mnp.nanmean(x) * mnp.nanmax(x),
    "clip_where": lambda x: mnp.sum(mnp.clip(x, -0.5, 0.5) ** 2 + mnp.where(x > 0, x, 0.5)),
    "norm": lambda x: mnp.norm(x) ** 3,
    "ones_full": lambda x: mnp.sum(x * mnp.ones(1, mnp.float64)
                                   + mnp.full((1,), 2.0, mnp.float64) * x ** 2),
    "like": lambda x: mnp.sum(mnp.ones_like(x) * x + mnp.full_like(x, 0.5) * x ** 3),
    "asarray_array": lambda x: mnp.sum(mnp.asarray(x) ** 3 + mnp.array(x) ** 2),
    "count": lambda x: mnp.sum(x) * mnp.count_nonzero(x > 0),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@pytest.mark.parametrize("shape", [(3, 4), (4,), ()], ids=str)
def test_unary_gradients_match_finite_differences(name, shape):
    x = X.ravel()[:int(np.prod(shape))].reshape(shape)
    ms.check_grads(UNARY[name], x)


BINARY = {  # a loss of two arrays broadcast against each other
    "add_multiply": lambda x, y: mnp.sum(mnp.multiply(mnp.add(x, y), y)),
    "divide_power": lambda x, y: mnp.sum(mnp.divide(x, y * y + 0.5) + mnp.power(x * x + 1, y)),
    "maximum_arctan2": lambda x, y: mnp.sum(mnp.maximum(x, y) * mnp.arctan2(x, y)),
    "where": lambda x, y: mnp.sum(mnp.where(x > y, x * y, y) ** 2),
    "hypot_logaddexp": lambda x, y: mnp.sum(mnp.hypot(x, y) + mnp.logaddexp(x, y)),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((1, 4), (3, 1)),
                                    ((), (4,))], ids=str)
def test_binary_gradients_match_finite_differences(name, shapes):
    x = X.ravel()[:int(np.prod(shapes[0]))].reshape(shapes[0])
    y = Y.ravel()[:int(np.prod(shapes[1]))].reshape(shapes[1])
    ms.check_grads(BINARY[name], x, y)


def _matrix_losses() -> dict:
    weights = mnp.arange(12.0).reshape(3, 4)
    return {
        "mean_keepdims": lambda m: mnp.sum(mnp.mean(m, 1, True) * m),
        "std_ddof_axis": lambda m: mnp.sum(mnp.std(m, 0, 1) ** 2),
        "amax_axis": lambda m: mnp.sum(mnp.amax(m, 1) ** 2) + mnp.sum(mnp.amin(m, 0, True)),
        "concat_stack": lambda m: mnp.sum(mnp.concatenate((m, m * 2), axis=1) ** 2)
        + mnp.sum(mnp.stack([m, m ** 2]) * 0.5),
        "dot_matmul": lambda m: mnp.sum(mnp.dot(m, m.T) ** 2) + mnp.dot(m[0], m[1])
        + mnp.sum(mnp.matmul(m.T, m)) + mnp.inner(m[0], m[2]),
        "eye_identity": lambda m: mnp.sum(mnp.dot(m, mnp.eye(4)) ** 2)
        + mnp.trace(mnp.dot(m.T, m) * mnp.identity(4)),
        "arange_linspace": lambda m: mnp.sum(m * mnp.arange(4)) + mnp.sum(m * mnp.linspace(0, 1, 4))
        + mnp.sum(m * mnp.arange(0.0, 2.0, 0.5)) + mnp.sum(m * mnp.logspace(0, 1, 4)),
        "array_of_rows": lambda m: mnp.sum(mnp.array([m[0], m[1]]) ** 3)
        + mnp.sum(m * mnp.array([1.0, 2.0, 3.0, 4.0])) + mnp.sum(m * mnp.array([1, 2, 3, 4])),
        "array_ndmin": lambda m: mnp.sum(mnp.array(m[0], ndmin=2) ** 3),
        "take": lambda m: mnp.sum(mnp.take(m, mnp.array([0, -1, 20, 3])) ** 2)
        + mnp.sum(mnp.take(m, mnp.array([-1, 1]), 1) ** 3),
        "argmax_take": lambda m: mnp.sum(mnp.take_along_axis(m, mnp.argmax(m, 1)[:, None], 1)),
        "shapes": lambda m: mnp.sum(mnp.reshape(m, (4, 3)) * weights.reshape(4, 3))
        + mnp.sum(mnp.tile(m, 2) ** 3) + mnp.sum(mnp.split(m, 2, axis=1)[1] ** 3)
        + mnp.sum(mnp.transpose(m) ** 2),
        "cumsum_diff": lambda m: mnp.sum(mnp.cumsum(m, 1) ** 2) + mnp.sum(mnp.diff(m) ** 2),
        "tri_tril": lambda m: mnp.sum(m * mnp.tri(3, 4)) + mnp.sum(mnp.tril(m) ** 2),
        "geomspace": lambda m: mnp.sum(m * mnp.geomspace(1, 8, 4)),
        "flip_roll": lambda m: mnp.sum(mnp.flip(m, 1) * weights) + mnp.sum(mnp.roll(m, 1, 0) ** 3),
        "average_weights": lambda m: mnp.sum(mnp.average(m, 1, mnp.array([1.0, 2.0, 3.0, 4.0]))),
    }


MATRIX = _matrix_losses()
SPECIALISED_ONLY = {"average_weights"}  # needs the rank when compiling


@pytest.mark.parametrize("name", sorted(set(MATRIX) - SPECIALISED_ONLY))
def test_matrix_gradients_match_finite_differences(name):
    ms.check_grads(MATRIX[name], X)


@pytest.mark.parametrize("name", sorted(SPECIALISED_ONLY))
def test_rank_dependent_calls_differentiate_specialised_and_refuse_generic(name):
    loss = MATRIX[name]
    from differences import central_differences
    np.testing.assert_allclose(ms.grad(loss)(X), central_differences(loss, X),
                               rtol=1e-6, atol=1e-8)
    with pytest.raises(ms.AutodiffError, match=r"test_mindspore_numpy\.py"):
        ms.vjp(loss, X, specialize=False)


# ---------------------------------------------------------------- a MindSpore-style program


class Net(ms.nn.Cell):
    """A Cell written against ``mindspore.numpy``."""

    def __init__(self) -> None:
        super().__init__()
        self.w = ms.Parameter(mnp.full((4, 2), 0.1), name="w")

    def construct(self, x):
        h = mnp.tanh(mnp.dot(x, self.w))
        scores = mnp.concatenate((h, mnp.ones((x.shape[0], 1))), axis=1)
        return mnp.mean(mnp.square(scores - mnp.mean(scores, 1, True)))


def test_a_cell_written_with_mnp_trains_in_both_kinds_of_code():
    net = Net()
    x = Tensor(X.astype(np.float32))
    loss, grads = ms.value_and_grad(net, None, net.trainable_params())(x)
    assert type(loss) is Tensor and grads[0].dtype == np.float32

    def as_function(w, inputs):
        h = mnp.tanh(mnp.dot(inputs, w))
        scores = mnp.concatenate((h, mnp.ones((inputs.shape[0], 1))), axis=1)
        return mnp.mean(mnp.square(scores - mnp.mean(scores, 1, True)))

    w = np.full((4, 2), 0.1)
    np.testing.assert_allclose(grads[0], ms.grad(as_function)(w, X), rtol=1e-5, atol=1e-7)
    for specialize in (True, False):
        _, pullback = ms.vjp(as_function, w, X, specialize=specialize)
        np.testing.assert_allclose(pullback(1.0)[0], ms.grad(as_function)(w, X), rtol=1e-12)


def random_integers(x):
    return mnp.sum(x * mnp.randint(0, 5, (3, 4)))


def maximum_from(x):
    return mnp.sum(mnp.amax(x, axis=1, initial=0.5)) + \
        mnp.sum(mnp.amin(x, 0, False, 1.0, x > -0.5))


def test_random_integers_are_drawn_at_each_call_inside_a_gradient():
    """A draw of integers (eager only before) is the global state's at each call: the
    gradient of sum(x * draws) is the draws, as eagerly with the same seed."""
    np.random.seed(3)
    want = np.random.randint(0, 5, (3, 4)).astype(np.float64)
    np.random.seed(3)
    np.testing.assert_array_equal(ms.grad(random_integers)(X), want)
    assert not np.array_equal(ms.grad(random_integers)(X), want)  # the next draw


def test_amax_and_amin_with_initial_and_where_differentiate():
    """``initial=`` and ``where=`` compile (they were eager only)."""
    ms.check_grads(maximum_from, X)


@pytest.mark.parametrize("values, distinct, inverse", [
    ([3, 1, 3, 2], [3, 1, 2], [0, 1, 0, 2]),
    ([[5, 2], [2, 9]], [5, 2, 9], [0, 1, 1, 2]),  # flattened first, the inverse too
], ids=["vector", "matrix"])
def test_unique_keeps_the_order_of_first_appearance(values, distinct, inverse):
    """Measured on MindSpore 2.10 (CPU): not NumPy's sorted order, which gave a
    vocabulary's or labels' remapping other ids."""
    x = ms.Tensor(np.array(values, np.int32))
    got, positions = mnp.unique(x, return_inverse=True)
    assert got.tolist() == distinct and mnp.unique(x).tolist() == distinct
    assert positions.tolist() == inverse and positions.dtype == np.int32


def test_unique_compiles_inside_a_gradient():
    """Its values are entries of x: each distinct one carries its entry's gradient."""
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    np.testing.assert_allclose(ms.grad(lambda x: mnp.sum(mnp.unique(x) ** 3))(x), 3 * x * x)


def test_rand_draws_inside_a_gradient():
    """``mnp.rand`` compiles (NumPy's global state): the gradient is the draw."""
    np.random.seed(3)
    g = ms.grad(lambda x: mnp.sum(x * mnp.rand(3, 4)))(X)
    np.random.seed(3)
    np.testing.assert_allclose(g, mnp.rand(3, 4), rtol=1e-6)


def test_splits_give_tuples_and_meshgrid_a_list_as_mindspore():
    """Measured in MindSpore 2.10 (NumPy's are the other way round)."""
    x = mnp.arange(12).reshape(3, 4).astype(mnp.float32)
    for parts in (mnp.split(x, 3), mnp.array_split(x, 2), mnp.hsplit(x, 2), mnp.vsplit(x, 3),
                  mnp.dsplit(x.reshape(3, 2, 2), 2)):
        assert type(parts) is tuple
    assert type(mnp.meshgrid(mnp.arange(2), mnp.arange(3))) is list

    def loss(x):
        a, b = mnp.hsplit(x, 2)
        g1, g2 = mnp.meshgrid(a[0], b[1])
        return (g1 * g2).sum() + mnp.split(x, 3)[1].sum()
    np.testing.assert_array_equal(ms.grad(loss)(x), [[13, 13, 0, 0], [1, 1, 2, 2], [0, 0, 0, 0]])
