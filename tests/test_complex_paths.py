"""Real inputs whose derivatives pass through complex values: the gradient is the real
part of the complex cotangent, in the convention where a product's VJP takes no
conjugate and a real function of ``conj(z) z`` takes one (``abs``: ``g conj(z) / |z|``;
``var``, ``std``, ``norm``, the singular values), as autograd and JAX define them.
Checked against central finite differences in float64, in reverse and forward mode, to
second order, on several shapes (0-d and broadcasting included). The decompositions
whose rules are written for real matrices refuse a complex one."""
from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, directional
from autodiff_compiler.testing import check_grads

ROTATION = np.array([1.0 - 0.5j, 0.3 + 2.0j, -1.2 + 0.1j])

CASES = {
    "abs_of_imaginary_multiple": lambda x: np.sum(np.abs(x * 1j + 2.0)),
    "abs_of_complex_product": lambda x: np.sum(np.abs(x * (1.0 + 2.0j) - 0.5j)),
    "abs_squared": lambda x: np.sum(np.abs(x * (0.5 - 1.5j) + 1.0) ** 2),
    "abs_of_complex_sum": lambda x: np.sum(np.abs(x + 2.0j)),
    "abs_of_a_broadcast_product": lambda x: np.sum(np.abs(x[..., None] * ROTATION + 1.0)),
    "abs_of_exp": lambda x: np.sum(np.abs(np.exp(x * (0.3 + 1.0j))) * np.cos(x)),
    "real_and_imag": lambda x: np.sum(np.real(x * (1 + 2j)) ** 2 + np.imag(x * x * 1j)),
    "conjugate_product": lambda x: np.sum(np.real(np.conj(x * (2 - 1j)) * (x + 1j))),
}
SHAPES = [(3,), (2, 3), ()]


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_derivatives_through_complex_values_match_finite_differences(name, shape):
    x = np.linspace(-1.3, 0.9, int(np.prod(shape))).reshape(shape)
    check_grads(CASES[name], x, order=2)


def test_a_complex_output_is_differentiated_by_its_real_part_as_mindspore_does():
    """MindSpore 2.10 (``sens`` of ones) gives [1, 1, 1] for ``sum(complex(x, 2 x))``:
    the real part's gradient, which the README states (JAX refuses)."""
    x = np.array([0.5, 1.0, 1.5])
    np.testing.assert_array_equal(adc.grad(lambda x: np.sum(x + 2j * x))(x), np.ones(3))
    np.testing.assert_array_equal(adc.grad(lambda x: np.sum(x * 1j))(x), np.zeros(3))
    np.testing.assert_allclose(adc.grad(lambda x: np.sum(np.exp(1j * x)))(x), -np.sin(x))


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_real_input_gets_a_real_gradient_without_a_warning(name):
    x = np.array([0.3, -1.2, 0.8])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's ComplexWarning: imaginary part discarded
        gradient = adc.grad(CASES[name])(x)
    assert gradient.dtype == np.float64


def test_gradient_of_abs_at_a_complex_input_is_the_conjugate_direction():
    """autograd's and JAX's ``grad(abs)(z)``: ``conj(z) / |z|``."""
    z = np.array([3.0 + 4.0j, -1.0 + 0.0j, 0.5j])
    np.testing.assert_allclose(adc.grad(lambda z: np.sum(np.abs(z)))(z), np.conj(z) / np.abs(z))


# Complex arrays built from real and imaginary parts, reduced by functions of conj(z) z.
def complex_variance(xr, xi):
    return np.var(xr + 1j * xi)


def complex_std_per_column(xr, xi):
    return np.sum(np.std((xr + 1j * xi) * (0.5 - 2j), axis=0))


def complex_norm(xr, xi):
    return np.linalg.norm(xr + 1j * xi)


def complex_row_norms(xr, xi):
    return np.sum(np.linalg.norm(xr + 1j * xi, axis=-1) ** 2)


def complex_singular_values(xr, xi):
    return np.sum(np.linalg.svd(xr + 1j * xi, compute_uv=False) * np.array([1.0, 0.5]))


def complex_spectral_norm(xr, xi):
    return np.linalg.norm(xr + 1j * xi, 2) + np.linalg.norm(xr - 1j * xi, "nuc")


def complex_cholesky(xr, xi):
    a = xr + 1j * xi
    factor = np.linalg.cholesky(a @ np.conj(a.T) + 3.0 * np.eye(3))
    return np.sum(np.abs(factor) ** 2 * np.arange(1.0, 10.0).reshape(3, 3)) + \
        np.sum(np.real(factor * (1.0 - 2.0j)))


UPPER = "upper" in inspect.signature(np.linalg.cholesky).parameters  # NumPy 2


def complex_cholesky_of_a_triangle(xr, xi):
    """NumPy reads the lower triangle and its diagonal's real part: the upper triangle
    and the diagonal's imaginary part get no gradient (upper=True: the other way)."""
    total = np.sum(np.abs(np.linalg.cholesky(xr + 1j * xi + 4.0 * np.eye(3))) ** 3)
    if UPPER:
        upper = np.linalg.cholesky(xr + 1j * xi + 4.0 * np.eye(3), upper=True)
        total = total + np.sum(np.imag(upper * np.arange(9.0).reshape(3, 3)))
    return total


PARTS = {"variance": (complex_variance, [(3,), (2, 3)], 2),
         "cholesky": (complex_cholesky, [(3, 3)], 2),
         "cholesky_of_a_triangle": (complex_cholesky_of_a_triangle, [(3, 3)], 1),
         "std_per_column": (complex_std_per_column, [(3, 2)], 2),
         "norm": (complex_norm, [(3,), (2, 2)], 2),
         "row_norms": (complex_row_norms, [(3, 2), (2,)], 2),
         "singular_values": (complex_singular_values, [(3, 2)], 1),
         "spectral_norm": (complex_spectral_norm, [(3, 2)], 1)}


def _specialised_derivatives_match(fn, xr, xi):
    """Reverse and forward mode of shape-specialised code against central differences
    (the matrix norms need the rank, which shape-generic code does not know)."""
    gradient = adc.grad(fn, grad_position=(0, 1))(xr, xi)
    rng = np.random.default_rng(1)
    directions = (rng.standard_normal(xr.shape), rng.standard_normal(xi.shape))
    eps = 1e-6
    numeric = (fn(xr + eps * directions[0], xi + eps * directions[1])
               - fn(xr - eps * directions[0], xi - eps * directions[1])) / (2 * eps)
    analytic = sum(np.sum(g * d) for g, d in zip(gradient, directions))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6)
    _, tangent = adc.jvp(fn, (xr, xi), directions)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-6)


@pytest.mark.parametrize("name", sorted(PARTS))
def test_real_functions_of_complex_arrays_match_finite_differences(name):
    fn, shapes, order = PARTS[name]
    rng = np.random.default_rng(0)
    for shape in shapes:
        xr, xi = rng.standard_normal(shape), rng.standard_normal(shape)
        if len(shape) == 2 and name in ("singular_values", "spectral_norm"):
            _specialised_derivatives_match(fn, xr, xi)
        else:
            check_grads(fn, xr, xi, order=order)


def complex_pseudo_inverse(xr, xi):
    return np.sum(np.abs(np.linalg.pinv(xr + 1j * xi)))


def test_pseudo_inverse_of_a_complex_matrix_is_refused():
    """Its rule is written for real matrices: refused when compiling where the dtype is
    known, by a check at run time in shape-generic code. (``eigh`` and ``svd`` of
    complex matrices differentiate: ``test_complex_decompositions``.)"""
    xr, xi = np.eye(3) + 0.1, np.full((3, 3), 0.2)
    with pytest.raises(AutodiffError, match="complex matrix is not supported") as err:
        adc.grad(complex_pseudo_inverse, grad_position=(0, 1))(xr, xi)
    assert "test_complex_paths.py" in str(err.value)
    _, vjp_fn = directional.vjp(complex_pseudo_inverse, xr, xi, specialize=False)
    with pytest.raises(AssertionError, match="complex matrix is not supported"):
        vjp_fn(1.0)


def imaginary_part(xr, xi):
    return np.imag(xr + 1j * xi) * xr


@pytest.mark.parametrize("specialize", [True, False], ids=["specialised", "generic"])
def test_python_float_inputs_through_complex_values_get_real_gradients(specialize):
    _, vjp_fn = directional.vjp(imaginary_part, 0.3, 0.2, specialize=specialize)
    gradients = vjp_fn(2.0)
    np.testing.assert_allclose(gradients, (0.4, 0.6))
    assert not any(np.iscomplexobj(g) for g in gradients)


def float32_or_float64_branch(x):
    """The branch's result is float32 on one path and float64 on the other, so its dtype
    is known at run time only; the loop's carry still takes the real part of the
    complex cotangent (found by the fuzzer as a ComplexWarning, seed 20438)."""
    if np.sum(x) > 10.0:
        return x[0] * 2.0
    acc = np.full(3, 1.5) * np.sum(x)  # float64
    for _ in range(2):
        acc = acc + np.tanh(np.logaddexp(acc, np.max(x)))
    return np.abs(np.var(np.sin(acc)) * (0.6 - 0.8j) + 0.3j)


def _branch_of_two_dtypes(x):
    """float32 on one path, float64 on the other: a dtype known at run time only."""
    if np.sum(x) > 10.0:
        return x * 2.0
    return np.full(3, 1.5) * x


def _complex_loss(v):
    return np.sum(np.abs(v * (0.6 - 0.8j) + 0.3j) + np.real(v * (1.5 + 0.5j)))


def picked_by_index(x):
    return _complex_loss(_branch_of_two_dtypes(x)[1])


def picked_by_indices(x):
    return _complex_loss(_branch_of_two_dtypes(x)[np.array([0, 2, 2])])


def picked_along_an_axis(x):
    return _complex_loss(np.take_along_axis(_branch_of_two_dtypes(x), np.array([2, 0]), 0))


@pytest.mark.parametrize("fn", [float32_or_float64_branch, picked_by_index, picked_by_indices,
                                picked_along_an_axis], ids=lambda f: f.__name__)
def test_a_complex_cotangent_of_a_run_time_dtype_is_made_real_for_a_real_value(fn):
    """A cotangent coming back complex from complex arithmetic to a value whose dtype is
    known at run time only is matched to it when the program runs: a loop's carry
    (seed 20438), or ``p[i]`` added into zeros like ``p`` (seed 1951), would otherwise
    drop the imaginary part with a ComplexWarning."""
    x = np.array([0.3, -0.4, 0.2], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's ComplexWarning: imaginary part discarded
        gradient = adc.grad(fn)(x)
    assert gradient.dtype == np.float32
    check_grads(fn, x.astype(np.float64), generic=False)


def branch_of_two_dtypes_stacked(x, y):
    """A cotangent matched to a value of run-time dtype, in a gradient that vmap batches
    (fuzzer seed 2475): the match keeps the cotangent's shape, not the value's."""
    picked = y if np.min(y) > -0.5 else np.zeros(3) + np.mean(np.sin(x))
    return np.sum(np.stack([np.broadcast_to(x[0, 1], (3,)), picked]) * 0.5)


def test_vmap_of_a_gradient_matched_to_a_run_time_dtype_is_each_examples():
    xs = np.random.default_rng(4).standard_normal((3, 2, 4)).astype(np.float32)
    ys = np.random.default_rng(5).standard_normal((3, 3)).astype(np.float32)
    gradient = adc.grad(branch_of_two_dtypes_stacked, (0, 1))
    got = adc.vmap(gradient)(xs, ys)
    for k in range(3):
        for g, w in zip(got, gradient(xs[k], ys[k])):
            np.testing.assert_allclose(g[k], w, rtol=1e-6)


def real_part_summed(z):
    return np.sum(np.real(z))


@pytest.mark.parametrize("z", [1.0j, np.complex128(0.5 - 1.0j), np.array([1.0j, 2.0])],
                         ids=["python", "numpy_scalar", "array"])
def test_the_gradient_of_a_complex_input_read_through_real_is_complex(z):
    """autograd's test_real_type: the cotangent of a complex value is complex. Through
    ``np.real`` alone a Python complex's was a real 0-d array."""
    grad = adc.grad(real_part_summed)(z)
    assert np.iscomplexobj(grad)
    np.testing.assert_array_equal(grad, np.ones(np.shape(z)))
