"""Max pooling of an integer Tensor with padding: the padding counted as -inf, which an
int32 array cannot hold (``OverflowError: cannot convert float infinity to integer``
from inside ``np.pad``); it now counts as the dtype's least value, so padding never
wins a window, as for floats. MindSpore 2.10 (CPU) pools int32 with ``pad_mode='pad'``
(its ``'same'`` kernel refuses integers) and agrees but where a window holds padding and
only negative values: there it gives 0 (measured: the last entry below)."""
import numpy as np

from autodiff_compiler import Tensor, nn, ops

X = np.array([[3, -1, 2], [1, 0, -4]], np.int32).reshape(1, 1, 2, 3)


def test_integer_max_pool_with_padding_runs_and_keeps_its_dtype():
    out = nn.MaxPool2d(2, 1, padding=1, pad_mode="pad")(Tensor(X))
    assert out.dtype == np.int32
    # MindSpore 2.10: [[3, 3, 2, 2], [3, 3, 2, 2], [1, 1, 0, 0]]
    np.testing.assert_array_equal(out.asnumpy()[0, 0], [[3, 3, 2, 2], [3, 3, 2, 2],
                                                       [1, 1, 0, -4]])
    floats = nn.MaxPool2d(2, 1, padding=1, pad_mode="pad")(Tensor(X.astype(np.float32)))
    np.testing.assert_array_equal(out.asnumpy(), floats.asnumpy().astype(np.int32))


def test_integer_max_pool2d_with_indices_and_ceil_mode_runs():
    values, indices = ops.max_pool2d(Tensor(X), 2, 1, padding=1, return_indices=True,
                                     ceil_mode=True)
    assert values.dtype == np.int32
    np.testing.assert_array_equal(values.asnumpy()[0, 0, 0], [3, 3, 2, 2])
    np.testing.assert_array_equal(indices.asnumpy()[0, 0, 0], [0, 0, 2, 2])
