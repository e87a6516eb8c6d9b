"""Small functions spelling one NumPy call each, for the rule tables of test_rules.py.

The compiler reads functions from source, so each spelling with arguments known when
compiling (an axis, a shape, an index) is a ``def`` of its own.
"""
import numpy as np

from autodiff_compiler.ir import primitives as P
from autodiff_compiler.ir import surface

# ---------------------------------------------------------------------------- elementwise


def arccosh_shifted(x):
    return np.arccosh(x + 1.5)


def method_conj(x):
    return x.conj() * 2.0


def method_conjugate(x):
    return x.conjugate() * 2.0


def attr_real(x):
    return x.real * 2.0


def attr_imag(x):
    return x.imag * 2.0 + x


def mod_op(x, y):
    return x % y


def floordiv_op(x, y):
    return x // y * x + x


def np_floor_divide(x, y):
    return np.floor_divide(x, y) * y + x


def clip_fn(x, lo, hi):
    return np.clip(x, lo, hi)


def clip_constants(x):
    return np.clip(x, -0.5, 0.5)


def clip_method(x):
    return x.clip(-0.5, 0.5)


def clip_lower_only(x):
    return np.clip(x, -0.5, None)


def clip_upper_keyword(x):
    return np.clip(x, a_min=None, a_max=0.5)


# ---------------------------------------------------------------------------- reductions


def sum_ddof1_var(x):
    return np.var(x, axis=0, ddof=1)


def std_ddof1_method(x):
    return x.std(axis=-1, ddof=1, keepdims=True)


def cumsum_fn(x):
    return np.cumsum(x)


def cumsum_axis(x):
    return np.cumsum(x, axis=1)


def cumsum_negative_axis(x):
    return np.cumsum(x, axis=-1)


def cumsum_method(x):
    return x.cumsum(0)


def cumprod_fn(x):
    return np.cumprod(x)


def cumprod_axis(x):
    return np.cumprod(x, axis=0)


def cumprod_method(x):
    return x.cumprod(axis=-1)


def trace_fn(x):
    return np.trace(x)


def trace_offset(x):
    return np.trace(x, offset=1)


def trace_negative_offset(x):
    return np.trace(x, -1)


def trace_axes(x):
    return np.trace(x, axis1=1, axis2=2)


def trace_method(x):
    return x.trace()


def norm_fn(x):
    return np.linalg.norm(x)


def norm_axis(x):
    return np.linalg.norm(x, axis=1)


def norm_keepdims(x):
    return np.linalg.norm(x, axis=-1, keepdims=True)


def norm_fro(x):
    return np.linalg.norm(x, "fro")


def norm_ord1(x):
    return np.linalg.norm(x, 1)


def norm_ord_inf(x):
    return np.linalg.norm(x, np.inf)


def norm_ord_minus_inf_axis(x):
    return np.linalg.norm(x, -np.inf, axis=0)


def norm_ord3_axis(x):
    return np.linalg.norm(x, 3, axis=0)


def norm_ord2_axis(x):
    return np.linalg.norm(x, 2, axis=1)


def matrix_norm_ord1(x):
    return np.linalg.norm(x, 1, axis=(0, 1))


def matrix_norm_inf_keepdims(x):
    return np.linalg.norm(x, np.inf, axis=(1, 2), keepdims=True)


def matrix_norm_minus1(x):
    return np.linalg.norm(x, -1, axis=(-2, -1))


def amax_axis(x):
    return np.amax(x, axis=0)


def amin_axis(x):
    return np.amin(x, axis=-1)


def prod_method(x):
    return x.prod(axis=1)


def max_method(x):
    return x.max(axis=0, keepdims=True)


def min_method(x):
    return x.min()


def var_method(x):
    return x.var(axis=(0, 1))


# ---------------------------------------------------------------------------- shapes


def moveaxis_fn(x):
    return np.moveaxis(x, 0, -1)


def moveaxis_many(x):
    return np.moveaxis(x, (0, 1), (2, 0))


def squeeze_fn(x):
    return np.squeeze(x)


def squeeze_axis(x):
    return np.squeeze(x, axis=1)


def squeeze_method(x):
    return x.squeeze(0)


def ravel_fn(x):
    return np.ravel(x) * np.arange(24.0)


def ravel_method(x):
    return x.ravel()


def flatten_method(x):
    return x.flatten()


def concatenate_fn(x, y):
    return np.concatenate([x, y], axis=1)


def concatenate_default(x, y):
    return np.concatenate((x, y, x))


def concatenate_negative(x, y):
    return np.concatenate([y, x], axis=-1)


def concatenate_flat(x, y):
    return np.concatenate([x, y], axis=None)


def stack_fn(x, y):
    return np.stack([x, y])


def stack_axis(x, y):
    return np.stack([x, y, x], axis=1)


def stack_negative(x, y):
    return np.stack((y, x), axis=-1)


def hstack_fn(x, y):
    return np.hstack([x, y])


def vstack_fn(x, y):
    return np.vstack([x, y])


def split_fn(x):
    a, b = np.split(x, 2, axis=1)
    return a * b


def split_indices(x):
    a, b, c = np.split(x, [1, 3])
    return a.sum() + 2.0 * b.sum() + 3.0 * c.sum()


def array_split_fn(x):
    pieces = np.array_split(x, 3, axis=-1)
    return pieces[0].sum() + 2.0 * pieces[1].sum() + 3.0 * pieces[2].sum()


def tile_fn(x):
    return np.tile(x, 2)


def tile_more_dims(x):
    return np.tile(x, (2, 1, 3))


def repeat_fn(x):
    return np.repeat(x, 2)


def repeat_axis(x):
    return np.repeat(x, 3, axis=1)


def repeat_counts(x):
    return np.repeat(x, [1, 0, 2], axis=0)


def repeat_method(x):
    return x.repeat(2, axis=-1)


def flip_fn(x):
    return np.flip(x) * np.arange(12.0).reshape(3, 4)


def flip_axis(x):
    return np.flip(x, 1) * np.arange(12.0).reshape(3, 4)


def fliplr_flipud(x):
    return np.fliplr(x) * np.flipud(x)


def roll_fn(x):
    return np.roll(x, 2, axis=1) * np.arange(12.0).reshape(3, 4)


def roll_flat(x):
    return np.roll(x, -5) * np.arange(12.0).reshape(3, 4)


def pad_fn(x):
    return np.pad(x, 1) * np.arange(30.0).reshape(5, 6)


def pad_widths(x):
    return np.pad(x, ((1, 0), (2, 3)), constant_values=1.5)


def diag_of_vector(x):
    return np.diag(x)


def diag_offset_vector(x):
    return np.diag(x, 1)


def diag_of_matrix(x):
    return np.diag(x)


def diag_below_of_matrix(x):
    return np.diag(x, -1)


def triu_tril(x):
    return np.triu(x, 1) + 2.0 * np.tril(x)


def sort_fn(x):
    return np.sort(x) * np.arange(4.0)


def sort_axis(x):
    return np.sort(x, axis=0) * np.arange(12.0).reshape(3, 4)


def sort_flat(x):
    return np.sort(x, axis=None) * np.arange(12.0)


def atleast_1d_fn(x):
    return np.atleast_1d(x)


def atleast_2d_fn(x):
    return np.atleast_2d(x)


def atleast_3d_fn(x):
    return np.atleast_3d(x)


def take_fn(x):
    return np.take(x, [0, 2, 2], axis=1)


def take_flat(x):
    return np.take(x, [0, 5, 5])


def take_method(x):
    return x.take([1, 1], axis=0)


def take_along_axis_fn(x):
    return np.take_along_axis(x, np.argsort(x, axis=1), axis=1) * np.arange(4.0)


def take_along_axis_broadcast_index(x):
    """An index of length 1 on the other axis reads every entry along it."""
    order = np.array([[2], [0], [1]])  # (3, 1) against x's (3, 4)
    return np.take_along_axis(x, order, axis=0) * np.arange(4.0)


def swapaxes_method(x):
    return x.swapaxes(0, 1)


# ---------------------------------------------------------------------------- indexing


def index_int_array(x, i):
    return x[i]


def index_static_list(x):
    return x[[0, 2, 2]]


def index_rows_then_slice(x, i):
    return x[i, 1:3]


def index_slice_then_array(x, i):
    return x[:, i]


def index_int_ellipsis_array(x, i):
    return x[1, ..., i]


def index_mask(x, mask):
    return x[mask] * 2.0


def index_comparison_mask(x):
    return np.sum(x[x > 0] ** 2)


def index_mask_and_int(x, mask):
    return x[mask, 1]


def index_list_of_runtime_ints(x):
    return x[[np.argmax(x[:, 0]), np.argmin(x[:, 0])]]


def index_slice_object(x):
    return x[slice(1, None), slice(x.shape[1] - 2, None)]


def index_argmax(x):
    return x[np.argmax(x)]


# ---------------------------------------------------------------------------- linear algebra


def tensordot_2(x, y):
    return np.tensordot(x, y, axes=2)


def tensordot_pairs(x, y):
    return np.tensordot(x, y, axes=([1, 2], [2, 1]))


def tensordot_unordered(x, y):
    return np.tensordot(x, y, axes=([2, 0], [1, 2]))


def tensordot_outer(x, y):
    return np.tensordot(x, y, axes=0)


def method_dot(x, y):
    return x.dot(y)


def einsum_matmul(x, y):
    return np.einsum("ij,jk->ik", x, y)


def einsum_implicit(x, y):
    return np.einsum("ij,jk", x, y)


def einsum_trace(x):
    return np.einsum("ii", x)


def einsum_diagonal(x):
    return np.einsum("ii->i", x)


def einsum_total(x):
    return np.einsum("ij->", x)


def einsum_repeated_operand(x):
    return np.einsum("i,i->", x, x)


def einsum_outer(x, y):
    return np.einsum("i,j->ij", x, y)


def einsum_batched(x, y):
    return np.einsum("...ij,...jk->...ik", x, y)


def einsum_one_side_ellipsis(x, y):
    return np.einsum("...ij,jk->...ik", x, y)


def einsum_inner_ellipsis(x, y):
    return np.einsum("j...k,lj...->lk...", x, y)


def einsum_trailing_ellipsis(x, y):
    return np.einsum("jk...,lj...->lk...", x, y)


def einsum_batch_total(x):
    return np.einsum("...i->...", x)


def einsum_three(x, y):
    return np.einsum("ij,jk,kl->il", x, y, y.T)


def einsum_interleaved(x, y):
    return np.einsum(x, [0, 1], y, [1, 2], [0, 2])


def einsum_interleaved_implicit(x, y):
    return np.einsum(x, [0, 30], y, [30, 2])


def einsum_interleaved_ellipsis(x, y):
    return np.einsum(x, [Ellipsis, 0, 1], y, [Ellipsis, 1, 2], [Ellipsis, 0, 2])


def slogdet_logdet(x):
    sign, logdet = np.linalg.slogdet(x)
    return logdet * sign


def cholesky_of_gram(x):
    return np.linalg.cholesky(x @ x.T + np.eye(3))


def cholesky_upper(x):
    return np.linalg.cholesky(x @ x.T + np.eye(3), upper=True)


def cholesky_upper_reads_upper(x):
    """Only the upper triangle is read: the lower one, not symmetric, gets no gradient."""
    return np.linalg.cholesky(x @ x.T + np.eye(3) + np.tril(x, -1), upper=True)


# ---------------------------------------------------------------------------- constructors


def full_fn(x):
    return np.full((2, 3), x)


def full_like_fn(x, v):
    return np.full_like(x, v) * x


def eye_fn(x):
    return x * np.eye(3, 4)


def eye_offset(x):
    return x * np.eye(3, k=1)


def identity_fn(x):
    return x @ np.identity(4)


def arange_fn(x):
    return x * np.arange(4)


def arange_runtime(x):
    return x * np.arange(x.shape[-1], dtype=np.float64)


def linspace_fn(start, stop):
    return np.linspace(start, stop, 5)


def linspace_open(start, stop):
    return np.linspace(start, stop, 4, endpoint=False)


def linspace_along_an_axis_with_its_step(start, stop):
    """axis= and retstep=: they were refused as unsupported."""
    samples, step = np.linspace(start, stop, 4, axis=-1, retstep=True)
    _, open_step = np.linspace(start, stop, 3, endpoint=False, axis=1, retstep=True)
    return samples * step[..., None] + open_step[..., None]


def array_of_scalars(a, b):
    return np.array([a, b, 1.0]) * 2.0


def array_of_arrays(a, b):
    return np.array([[a, b], [b, a]])


def asarray_fn(x):
    return np.asarray(x) * 2.0


def contiguous_fn(x):
    return np.ascontiguousarray(x.T) * np.asfortranarray(x.T, dtype=np.float64)


def contiguous_of_0d(x):
    return np.ascontiguousarray(x[0, 1] * 2.0)  # (1,), as NumPy makes it


def require_fn(x):
    return np.require(x, requirements="W") * 2.0


def array_copy(x):
    return np.array(x) * 2.0


def copy_fn(x):
    return np.copy(x) + x.copy()


def astype_float64(x):
    return x.astype(np.float64) * 2.0


def float64_cast(x):
    return np.float64(x) * 2.0


def float32_of_float64(x):
    return x.astype(np.float32).astype(np.float64) * 0.0 + x


def zeros_like_float(x):
    return x + np.zeros_like(x, dtype=np.float64)


# ---------------------------------------------------------------------------- assignment
# ``P.setitem`` is what lowering binds for ``y[index] = v``; until it does, a stand-in
# function mapped to it reaches it.


def assigned(x, index, v):
    """``x`` with ``x[index] = v``, as lowering will compile ``y[index] = v``."""
    out = np.array(x, copy=True)
    out[index] = v
    return out


surface.register(surface.EXTENDED, P.setitem, assigned)
surface.USER_FUNCTIONS.add(assigned)


def assigned_rows(x, i, v):
    return assigned(x, i, v) ** 2


def assigned_columns(x, i, v):
    return assigned(x, (slice(None), i), v) ** 2
