"""``COOTensor`` and ``CSRTensor``: MindSpore's Tensor tutorial, the products against
the dense ones, and gradients of their values against central differences."""
import numpy as np
import pytest
from differences import central_differences

import autodiff_compiler as mindspore
from autodiff_compiler import COOTensor, CSRTensor, Tensor


def test_the_tensor_tutorials_sparse_tensors():
    """MindSpore 2.10's tutorial, its printed results (measured): the dtypes after
    ``astype`` are Float64, the dense forms the entries at their places."""
    csr = CSRTensor(Tensor([0, 1, 2]), Tensor([0, 1]), Tensor([1, 2], dtype=mindspore.float32),
                    (2, 4))
    assert csr.astype(mindspore.float64).dtype == np.float64
    np.testing.assert_array_equal(csr.to_dense(), [[1, 0, 0, 0], [0, 2, 0, 0]])
    assert (csr.shape, csr.dtype, csr.size, csr.ndim) == ((2, 4), np.float32, 2, 2)
    coo = COOTensor(Tensor([[0, 1], [1, 2]], dtype=mindspore.int32),
                    Tensor([1, 2], dtype=mindspore.float32), (3, 4))
    np.testing.assert_array_equal(coo.values, [1.0, 2.0])
    np.testing.assert_array_equal(coo.indices, [[0, 1], [1, 2]])
    assert coo.shape == (3, 4) and coo.astype(mindspore.float64).dtype == np.float64
    np.testing.assert_array_equal(coo.to_dense(), [[0, 1, 0, 0], [0, 0, 2, 0], [0, 0, 0, 0]])
    np.testing.assert_array_equal((-coo).values, [-1.0, -2.0])
    np.testing.assert_array_equal((coo * Tensor(np.full((3, 4), 2.0, np.float32))).values,
                                  [2.0, 4.0])
    indices, values, shape = coo.to_tuple()
    assert shape == (3, 4) and indices.dtype == np.int32 and values.dtype == np.float32


RNG = np.random.default_rng(4)
DENSE = np.where(RNG.random((4, 5)) < 0.4, RNG.normal(size=(4, 5)), 0.0)  # a row of zeros:
DENSE[2] = 0.0  # an empty row in the compressed offsets


def _coo_of(dense):
    rows, cols = np.nonzero(dense)
    order = RNG.permutation(len(rows))  # any order: COO need not be sorted
    return COOTensor(np.stack([rows, cols], axis=1)[order], dense[rows, cols][order],
                     dense.shape)


def test_the_two_forms_convert_and_multiply_as_the_dense_matrix():
    coo = _coo_of(DENSE)
    csr = coo.to_csr()
    np.testing.assert_array_equal(csr.to_dense(), DENSE)
    np.testing.assert_array_equal(csr.to_coo().to_dense(), DENSE)
    np.testing.assert_array_equal(np.diff(csr.indptr), np.count_nonzero(DENSE, axis=1))
    v, m = RNG.normal(size=5), RNG.normal(size=(5, 3))
    np.testing.assert_allclose(csr.mv(v), DENSE @ v, rtol=1e-12)
    np.testing.assert_allclose(csr.mm(m), DENSE @ m, rtol=1e-12)
    np.testing.assert_allclose(csr.sum(1), DENSE.sum(axis=1, keepdims=True), rtol=1e-12)
    scale = RNG.uniform(1.0, 2.0, size=(4, 5))
    np.testing.assert_allclose((csr * scale).to_dense(), DENSE * scale, rtol=1e-12)
    np.testing.assert_allclose((csr / scale).to_dense(), DENSE / scale, rtol=1e-12)
    np.testing.assert_array_equal(csr.abs().to_dense(), np.abs(DENSE))


def _csr_loss(values, vector, matrix):
    csr = CSRTensor(Tensor([0, 1, 1, 3]), Tensor([2, 0, 3]), values, (3, 4))
    return (np.sum(np.tanh(csr.mv(vector)) ** 2) + np.sum(csr.mm(matrix) * matrix[:3])
            + np.sum(csr.to_dense() ** 3))


def _coo_loss(values, scale):
    coo = COOTensor(Tensor([[0, 1], [2, 2], [1, 0]]), values, (3, 3))
    return np.sum(np.sin((coo * scale).to_dense()) * scale) + np.sum((-coo).abs().values)


@pytest.mark.parametrize("loss, args", [
    (_csr_loss, (np.array([0.5, -1.2, 0.8]), RNG.normal(size=4), RNG.normal(size=(4, 4)))),
    (_coo_loss, (np.array([0.3, 1.5, -0.6]), RNG.uniform(0.5, 1.5, size=(3, 3)))),
], ids=["csr", "coo"])
def test_gradients_of_the_values_match_central_differences(loss, args):
    grads = mindspore.grad(loss, grad_position=tuple(range(len(args))))(*args)
    for k, g in enumerate(grads):
        def along(a, k=k):
            return loss(*args[:k], a, *args[k + 1:])
        np.testing.assert_allclose(g, central_differences(along, args[k]), rtol=1e-6,
                                   atol=1e-9)
