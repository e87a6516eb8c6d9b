"""SciPy's special functions and distributions against finite differences and SciPy.

Each special function is a ``test_rules.Row`` checked to second order in both modes, on
the shapes of test_rules (0-d, Python floats, broadcasting); its compiled value must be
SciPy's, bit for bit. ``logsumexp``, ``softmax``, ``log_softmax`` and the
distributions' methods are compiled from this package's NumPy definitions: their
values are checked against SciPy's (inside and outside the support) and their
gradients in every argument against finite differences. The meta-tests of
test_rules.py count these rows.
"""
from __future__ import annotations

import numpy as np
import pytest
from test_rules import (
    BINARY_SHAPES,
    UNARY_SHAPES,
    Row,
    names,
    sample,
    sample_args,
    shape_id,
    shapes_id,
)

import autodiff_compiler as adc
from autodiff_compiler import AutodiffError, check_grads

sp = pytest.importorskip("scipy.special")
st = pytest.importorskip("scipy.stats")


def jv_1_5(x):
    return sp.jv(1.5, x)


def yv_2(x):
    return sp.yv(2.0, x)


def iv_0_5(x):
    return sp.iv(0.5, x)


def kv_1(x):
    return sp.kv(1.0, x)


def ive_1(x):
    return sp.ive(1.0, x)


def kve_2(x):
    return sp.kve(2.0, x)


def polygamma_2(x):
    return sp.polygamma(2, x)


def gammainc_x(x):
    return sp.gammainc(2.5, x)


def gammaincc_x(x):
    return sp.gammaincc(1.5, x)


def digamma(x):
    return sp.digamma(x)


def yn_2(x):
    return sp.yn(2, x)


def betainc_x(x):
    return sp.betainc(2.5, 1.5, x)


def stdtr_t(t):
    return sp.stdtr(3.5, t)


def gammasgn_times_x(x):
    return sp.gammasgn(x) * x


POSITIVE = (0.3, 3.0)
UNIT = (0.05, 0.95)
UNARY = [
    Row("expit", sp.expit, covers=("scipy_expit",)),
    Row("log_expit", sp.log_expit, covers=("scipy_log_expit",)),
    Row("logit", sp.logit, UNIT, covers=("scipy_logit",)),
    Row("erf", sp.erf, covers=("scipy_erf",)),
    Row("erfc", sp.erfc, covers=("scipy_erfc",)),
    Row("erfcx", sp.erfcx, covers=("scipy_erfcx",)),
    Row("erfinv", sp.erfinv, (-0.9, 0.9), covers=("scipy_erfinv",)),
    Row("erfcinv", sp.erfcinv, (0.1, 1.9), covers=("scipy_erfcinv",)),
    Row("dawsn", sp.dawsn, covers=("scipy_dawsn",)),
    Row("ndtr", sp.ndtr, covers=("scipy_ndtr",)),
    Row("log_ndtr", sp.log_ndtr, (-6.0, 3.0), covers=("scipy_log_ndtr",)),
    Row("ndtri", sp.ndtri, UNIT, covers=("scipy_ndtri",)),
    Row("gamma", sp.gamma, POSITIVE, covers=("scipy_gamma",)),
    Row("gammaln", sp.gammaln, POSITIVE, covers=("scipy_gammaln",)),
    Row("loggamma", sp.loggamma, POSITIVE, covers=("scipy_loggamma",)),
    Row("rgamma", sp.rgamma, POSITIVE, covers=("scipy_rgamma",)),
    Row("psi", sp.psi, POSITIVE, covers=("scipy_psi",)),
    Row("digamma", digamma, POSITIVE, covers=("scipy_psi",)),
    Row("polygamma", polygamma_2, POSITIVE, covers=("scipy_polygamma",),
        surface=sp.polygamma),
    Row("gammainc", gammainc_x, POSITIVE, covers=("scipy_gammainc",), surface=sp.gammainc),
    Row("gammaincc", gammaincc_x, POSITIVE, covers=("scipy_gammaincc",),
        surface=sp.gammaincc),
    Row("j0", sp.j0, covers=("scipy_j0",)),
    Row("j1", sp.j1, covers=("scipy_j1",)),
    Row("y0", sp.y0, POSITIVE, covers=("scipy_y0",)),
    Row("y1", sp.y1, POSITIVE, covers=("scipy_y1",)),
    Row("i0", sp.i0, covers=("scipy_i0",)),
    Row("i1", sp.i1, covers=("scipy_i1",)),
    Row("i0e", sp.i0e, covers=("scipy_i0e",)),
    Row("i1e", sp.i1e, covers=("scipy_i1e",)),
    Row("k0", sp.k0, POSITIVE, covers=("scipy_k0",)),
    Row("k1", sp.k1, POSITIVE, covers=("scipy_k1",)),
    Row("k0e", sp.k0e, POSITIVE, covers=("scipy_k0e",)),
    Row("k1e", sp.k1e, POSITIVE, covers=("scipy_k1e",)),
    Row("jv", jv_1_5, POSITIVE, covers=("scipy_jv",), surface=sp.jv),
    Row("yv", yv_2, POSITIVE, covers=("scipy_yv",), surface=sp.yv),
    Row("iv", iv_0_5, POSITIVE, covers=("scipy_iv",), surface=sp.iv),
    Row("kv", kv_1, POSITIVE, covers=("scipy_kv",), surface=sp.kv),
    Row("ive", ive_1, covers=("scipy_ive",), surface=sp.ive),
    Row("kve", kve_2, POSITIVE, covers=("scipy_kve",), surface=sp.kve),
    Row("yn", yn_2, POSITIVE, covers=("scipy_yn",), surface=sp.yn),
    Row("betainc", betainc_x, UNIT, covers=("scipy_betainc",), surface=sp.betainc),
    Row("stdtr", stdtr_t, covers=("scipy_stdtr",), surface=sp.stdtr),
    Row("gammasgn", gammasgn_times_x, covers=("scipy_gammasgn", "mul"), surface=sp.gammasgn),
    Row("exp1", sp.exp1, POSITIVE, covers=("scipy_exp1",)),
    Row("expi", sp.expi, POSITIVE, covers=("scipy_expi",)),
    Row("entr", sp.entr, POSITIVE, covers=("scipy_entr",)),
]
if hasattr(sp, "softplus"):
    UNARY.append(Row("softplus", sp.softplus, covers=("scipy_softplus",)))

BINARY = [
    Row("xlogy", sp.xlogy, ((-2.0, 2.0), POSITIVE), covers=("scipy_xlogy",)),
    Row("xlog1py", sp.xlog1py, ((-2.0, 2.0), (-0.5, 2.0)), covers=("scipy_xlog1py",)),
    Row("rel_entr", sp.rel_entr, (POSITIVE, POSITIVE), covers=("scipy_rel_entr",)),
    Row("kl_div", sp.kl_div, (POSITIVE, POSITIVE), covers=("scipy_kl_div",)),
    Row("beta", sp.beta, (POSITIVE, POSITIVE), covers=("scipy_beta",)),
    Row("betaln", sp.betaln, (POSITIVE, POSITIVE), covers=("scipy_betaln",)),
    Row("huber", sp.huber, (POSITIVE, (-3.0, 3.0)), covers=("scipy_huber",)),
    Row("pseudo_huber", sp.pseudo_huber, (POSITIVE, (-3.0, 3.0)),
        covers=("scipy_pseudo_huber",)),
]



def _spd(a):  # a well-conditioned symmetric positive definite matrix of ``a``
    return a @ np.swapaxes(a, -1, -2) + 3.0 * np.eye(a.shape[-1])


def _sqrtm_of_spd(a):
    import scipy.linalg as la
    return la.sqrtm(_spd(a))


def _logm_of_spd(a):
    import scipy.linalg as la
    return la.logm(_spd(a))


def _sylvester(a, b, q):
    import scipy.linalg as la
    return la.solve_sylvester(_spd(a), _spd(b), q)


def _matrix_function_surface():
    import scipy.linalg as la
    return la.sqrtm, la.logm, la.solve_sylvester


_SQRTM, _LOGM, _SYLVESTER = _matrix_function_surface()
# Matrix functions (tests/test_scipy_matrix_functions.py checks them further: stacks,
# complex matrices, second order, vmap)
MATRIX = [
    Row("sqrtm", _sqrtm_of_spd, covers=("scipy_sqrtm",), shapes=((3, 3),), surface=_SQRTM),
    Row("logm", _logm_of_spd, covers=("scipy_logm",), shapes=((3, 3),), surface=_LOGM),
    Row("solve_sylvester", _sylvester, covers=("scipy_solve_sylvester",),
        shapes=((3, 3), (2, 2), (3, 2)), surface=_SYLVESTER, generic=False),
]

ALL_ROWS = UNARY + BINARY + MATRIX  # for test_rules' meta-tests


@pytest.mark.parametrize("row", MATRIX, ids=names(MATRIX))
def test_matrix_function_matches_finite_differences(row):
    args = [RNG_MATRIX.normal(size=s) * 0.5 for s in row.shapes]
    check_grads(lambda *a: np.sum(np.sin(row.fn(*a))), *args, generic=row.generic)


RNG_MATRIX = np.random.default_rng(12)


@pytest.mark.parametrize("shape", UNARY_SHAPES, ids=[shape_id(s) for s in UNARY_SHAPES])
@pytest.mark.parametrize("row", UNARY, ids=names(UNARY))
def test_unary_special_function_matches_finite_differences(row, shape):
    fn, x = row.fn, sample(row.lims, shape)
    check_grads(lambda a: fn(a) * 3.0, x, order=2)


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=[shapes_id(s) for s in BINARY_SHAPES])
@pytest.mark.parametrize("row", BINARY, ids=names(BINARY))
def test_binary_special_function_matches_finite_differences(row, shapes):
    fn, (x, y) = row.fn, sample_args(row, shapes)
    check_grads(lambda a, b: fn(a, b) * 3.0, x, y, order=2)


@pytest.mark.parametrize("row", UNARY + BINARY, ids=names(UNARY + BINARY))
def test_compiled_value_is_scipys(row):
    """The forward value is SciPy's own, bit for bit, float32 kept float32."""
    fn = row.fn
    n = 2 if row in BINARY else 1
    for dtype in (np.float64, np.float32):
        args = [np.asarray(a, dtype) for a in sample_args(row, ((2, 3),) * n)]
        value, _ = adc.value_and_grad(lambda *a: fn(*a).sum(), grad_position=0)(*args)
        expected = fn(*args).sum()
        assert value.dtype == expected.dtype
        np.testing.assert_array_equal(value, expected)


def test_derivative_in_an_order_is_refused_at_the_users_line():
    def bessel(v, x):
        return sp.jv(v, x) * 2.0

    with pytest.raises(AutodiffError, match=r"order v of jv\(v, x\)") as err:
        adc.grad(bessel)(1.5, 2.0)
    assert "test_scipy_rules.py" in str(err.value)
    assert adc.grad(bessel, grad_position=1)(1.5, 2.0) == pytest.approx(
        sp.jvp(1.5, 2.0) * 2.0)


def test_xlogy_at_zero_has_a_zero_partial_in_y():
    def f(x, y):
        return sp.xlogy(x, y).sum()

    x, y = np.array([0.0, 0.0, 2.0]), np.array([0.0, 3.0, 3.0])
    gx, gy = adc.grad(f, grad_position=(0, 1))(x, y)
    np.testing.assert_array_equal(gy, [0.0, 0.0, 2.0 / 3.0])
    np.testing.assert_allclose(gx[1:], np.log([3.0, 3.0]))


def test_generated_code_calls_scipy_by_name():
    def f(x):
        return sp.gammaln(x).sum()

    source = adc.gradient_source(f, args=(np.ones(3),))
    assert "g_x = scipy.special.psi(x)" in source


# ---------------------------------------------------------------------------- composed

RNG = np.random.RandomState(4)


def logsumexp_axis(a, axis, keepdims):
    return sp.logsumexp(a, axis=axis, keepdims=keepdims)


def logsumexp_weighted(a, b):
    return sp.logsumexp(a, axis=-1, b=b)


def logsumexp_signed(a, b):
    value, sign = sp.logsumexp(a, axis=0, b=b, return_sign=True)
    return value * sign


def softmax_axis(x, axis):
    return sp.softmax(x, axis=axis)


def log_softmax_axis(x, axis):
    return sp.log_softmax(x, axis=axis)


AXES = [None, 0, -1, (0, 1)]


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("fn", [logsumexp_axis, softmax_axis, log_softmax_axis],
                         ids=lambda f: f.__name__)
def test_logsumexp_family_matches_scipy_and_finite_differences(fn, axis, keepdims):
    if fn is not logsumexp_axis and keepdims:
        pytest.skip("softmax has no keepdims")
    a = RNG.normal(size=(2, 3, 4)) * 3.0
    extra = (keepdims,) if fn is logsumexp_axis else ()
    scipy_fn = {logsumexp_axis: sp.logsumexp, softmax_axis: sp.softmax,
                log_softmax_axis: sp.log_softmax}[fn]
    kw = {"keepdims": keepdims} if fn is logsumexp_axis else {}
    value, _ = adc.value_and_grad(lambda x: fn(x, axis, *extra).sum())(a)
    np.testing.assert_allclose(value, scipy_fn(a, axis=axis, **kw).sum(), rtol=1e-13)
    check_grads(lambda x: fn(x, axis, *extra), a, order=2)


def test_logsumexp_weights_sign_and_infinities():
    a, b = RNG.normal(size=(3, 4)), RNG.uniform(0.5, 2.0, size=(3, 4))
    check_grads(logsumexp_weighted, a, b)
    signed_b = b * np.array([1.0, -1.0, 1.0, -1.0])
    value, sign = sp.logsumexp(a, axis=0, b=signed_b, return_sign=True)
    compiled, _ = adc.value_and_grad(lambda x, w: logsumexp_signed(x, w).sum())(a, signed_b)
    np.testing.assert_allclose(compiled, (value * sign).sum(), rtol=1e-13)
    check_grads(logsumexp_signed, a, signed_b)
    with_inf = np.array([[-np.inf, 0.0], [-np.inf, -np.inf]])
    grad = adc.grad(lambda x: sp.logsumexp(x, axis=1)[0])(with_inf)
    np.testing.assert_array_equal(grad[0], [0.0, 1.0])  # (0 * inf in the row of -inf)


def test_logsumexp_gradient_is_softmax_even_at_ties():
    a = np.array([2.0, 2.0, 1.0])
    grad = adc.grad(lambda x: sp.logsumexp(x))(a)
    np.testing.assert_allclose(grad, sp.softmax(a), rtol=1e-14)


# ---------------------------------------------------------------------------- stats


def positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def unit(*shape):
    return RNG.uniform(0.1, 0.9, shape)


def normal(*shape):
    return RNG.normal(size=shape)


SPD = (lambda m: m @ m.T + 3.0 * np.eye(3))(RNG.normal(size=(3, 3)))
# (method, arguments inside the support); the first is broadcast against the others
STATS = [
    *[(getattr(st.norm, m), (normal(4), normal(), positive()))
      for m in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")],
    (st.norm.ppf, (unit(4), normal(), positive())),
    (st.norm.isf, (unit(2, 3), normal(3), positive(2, 1))),
    (st.t.logpdf, (normal(4), positive() + 2.0, normal(), positive())),
    (st.t.pdf, (normal(2, 3), positive(3) + 2.0, normal(), positive())),
    # a shape parameter without a closed-form derivative: an int, held constant
    *[(getattr(st.t, m), (normal(4), 3, normal(), positive())) for m in ("cdf", "sf", "logcdf")],
    (st.chi2.logpdf, (positive(4) + 0.5, positive() + 2.0, normal() * 0.1, positive())),
    (st.chi2.pdf, (positive(4) + 0.5, positive(4) + 2.0)),
    (st.chi2.cdf, (positive(4) + 0.5, 3, normal() * 0.1, positive())),
    (st.chi2.sf, (positive(4) + 0.5, 4)),
    (st.beta.cdf, (unit(4), 2, 3, normal() * 0.05, positive() * 0.2 + 1.0)),
    (st.gamma.logpdf, (positive(4) + 1.0, positive() + 1.0, normal() * 0.1, positive())),
    (st.gamma.pdf, (positive(4) + 1.0, positive() + 1.0)),
    (st.gamma.cdf, (positive(4) + 1.0, 3, 0.2, positive())),  # an int a: held constant
    (st.gamma.sf, (positive(4) + 1.0, 2)),
    (st.beta.logpdf, (unit(4), positive() + 1.0, positive() + 1.0)),
    (st.beta.pdf, (unit(4) * 0.5 + 1.0, positive() + 1.0, positive() + 1.0, 1.0, 0.7)),
    *[(getattr(st.expon, m), (positive(4) + 1.0, normal() * 0.1, positive()))
      for m in ("logpdf", "pdf", "cdf", "sf")],
    *[(getattr(st.laplace, m), (normal(4), normal(), positive()))
      for m in ("logpdf", "pdf", "cdf")],
    *[(getattr(st.logistic, m), (normal(4) * 3.0, normal(), positive()))
      for m in ("logpdf", "pdf", "cdf", "sf")],
    *[(getattr(st.cauchy, m), (normal(4), normal(), positive()))
      for m in ("logpdf", "pdf", "cdf")],
    (st.poisson.logpmf, (np.array([0.0, 1.0, 3.0, 7.0]), positive() * 2.0)),
    (st.poisson.pmf, (np.array([0.0, 2.0, 5.0]), positive(3) * 2.0)),
    (st.poisson.cdf, (np.array([-1.0, 0.0, 2.5, 5.0]), positive() * 2.0)),
    (st.multivariate_normal.entropy, (normal(3), SPD)),
    (st.multivariate_normal.entropy, (normal(3), positive(3))),
    (st.multivariate_normal.entropy, (normal(2), positive())),
    (st.multivariate_normal.logpdf, (normal(5, 3), normal(3), SPD)),
    (st.multivariate_normal.logpdf, (normal(3), normal(3), SPD)),
    (st.multivariate_normal.pdf, (normal(2, 4, 3), normal(3), positive(3))),
    (st.multivariate_normal.logpdf, (normal(5, 3), normal(3), positive())),
    (st.multivariate_normal.logpdf, (normal(5), 0.5, positive())),
    # points on the simplex (SciPy refuses others): ints, so held constant
    (st.dirichlet.logpdf, (np.array([1, 1, 2]) / 4, positive(3) + 0.5)),
    (st.dirichlet.pdf, (np.array([[1, 3], [1, 1], [2, 4]]) / np.array([4, 8]),
                        positive(3) + 0.5)),
]


def stats_id(case):
    method, args = case
    shapes = "-".join("x".join(map(str, np.shape(a))) or "0d" for a in args if a is not None)
    return f"{type(method.__self__).__name__.removesuffix('_gen')}.{method.__name__}-{shapes}"


@pytest.mark.parametrize("case", STATS, ids=[stats_id(c) for c in STATS])
def test_distribution_matches_scipy_and_finite_differences(case):
    method, args = case
    held = {0} if method.__self__ in (st.poisson, st.dirichlet) else set()  # counts, simplex
    floats = [i for i, a in enumerate(args) if i not in held and a is not None
              and np.asarray(a).dtype.kind == "f"]

    def total(*chosen):
        full = list(args)
        for i, value in zip(floats, chosen):
            full[i] = value
        return np.sum(method(*full))

    chosen = [args[i] for i in floats]
    value, _ = adc.value_and_grad(total, grad_position=tuple(range(len(floats))))(*chosen)
    np.testing.assert_allclose(value, np.sum(method(*args)), rtol=1e-12)
    check_grads(total, *chosen)


OUTSIDE = [  # values outside the support, as SciPy gives
    (st.gamma.logpdf, (np.array([-1.0, 0.0, 2.0]), 1.0)),
    (st.gamma.logpdf, (np.array([-1.0, 0.5, 2.0]), 2.5)),
    (st.gamma.cdf, (np.array([-1.0, 0.0, 2.0]), 2.5)),
    (st.beta.logpdf, (np.array([-0.5, 0.5, 1.5]), 2.0, 3.0)),
    (st.expon.logpdf, (np.array([-1.0, 0.0, 2.0]),)),
    (st.expon.cdf, (np.array([-1.0, 0.0, 2.0]),)),
    (st.poisson.logpmf, (np.array([-1.0, 0.5, 2.0]), 1.5)),
    (st.laplace.cdf, (np.array([-800.0, 0.0, 800.0]),)),
    (st.logistic.logpdf, (np.array([-800.0, 0.0, 800.0]),)),
]


@pytest.mark.parametrize("case", OUTSIDE, ids=[stats_id(c) for c in OUTSIDE])
def test_distribution_outside_its_support_gives_scipys_values(case):
    method, args = case

    def f(x):
        return method(x, *args[1:])

    def finite_part(x):
        value = f(x)
        return np.sum(np.where(np.isfinite(value), value, 0.0))

    compiled = adc.jvp(f, (args[0],), (np.zeros_like(args[0]),))[0]
    np.testing.assert_allclose(compiled, method(*args), rtol=1e-12)
    assert np.all(np.isfinite(adc.grad(finite_part)(args[0])))


@pytest.mark.parametrize("method", [st.norm.logpdf, st.norm.cdf, st.t.logpdf, st.gamma.logpdf,
                                    st.expon.sf, st.laplace.logpdf],
                         ids=lambda m: f"{m.__self__.name}.{m.__name__}")
def test_distribution_at_a_non_positive_scale_is_nan_as_scipys(method):
    shape = (3.0,) if method.__self__ in (st.t, st.gamma) else ()

    def f(x, scale):
        return method(x, *shape, 0.0, scale)

    x, scale = np.array([0.5, 1.0, 1.5]), np.array([1.0, 0.0, -1.0])
    compiled = adc.jvp(f, (x, scale), (np.zeros(3), np.zeros(3)))[0]
    np.testing.assert_allclose(compiled, method(x, *shape, 0.0, scale), rtol=1e-12)


SINGULAR = np.diag([2.0, 0.5, 0.0, 0.0])  # rank 2: its density lives on a plane
ROTATION = np.linalg.qr(np.random.RandomState(11).normal(size=(4, 4)))[0]
SPD4 = (lambda m: m @ m.T + np.eye(4))(np.random.RandomState(12).normal(size=(4, 4)))


def mvn_singular(x, mean, cov):
    return np.sum(st.multivariate_normal.logpdf(x, mean, cov, allow_singular=True))


@pytest.mark.parametrize("basis", [np.eye(4)[:, :2], ROTATION[:, :2]],
                         ids=["diagonal", "rotated"])
def test_multivariate_normal_allowed_singular_matches_scipy(basis):
    """SciPy's pseudo-determinant and rank (autograd's test_mvn_sing_cov raised
    LinAlgError from the generated code); points and means on the plane the density
    lives on, moved along it by the differences."""
    cov = basis @ np.diag([2.0, 0.5]) @ basis.T

    def on_plane(points, centre):
        return mvn_singular(points @ basis.T, centre @ basis.T, cov)

    points, centre = np.array([[0.3, -0.2], [1.0, 0.4]]), np.array([0.1, 0.5])
    value = adc.jvp(on_plane, (points, centre), (np.zeros_like(points), None))[0]
    np.testing.assert_allclose(value, on_plane(points, centre), rtol=1e-10)
    check_grads(on_plane, points, centre)


def test_multivariate_normal_allowed_singular_of_a_regular_matrix_is_the_density():
    x, mean = normal(3, 4), normal(4)
    value = adc.jvp(mvn_singular, (x, mean, SPD4), (np.zeros_like(x), None, None))[0]
    np.testing.assert_allclose(value, mvn_singular(x, mean, SPD4), rtol=1e-10)
    check_grads(mvn_singular, x, mean, SPD4)


def test_multivariate_normal_allowed_singular_is_zero_off_its_support():
    x = np.array([[0.3, -0.2, 0.0, 0.0], [0.3, -0.2, 0.1, 0.0]])
    got = adc.jvp(lambda x: st.multivariate_normal.logpdf(x, None, SINGULAR, allow_singular=True),
                  (x,), (np.zeros_like(x),))[0]
    np.testing.assert_array_equal(np.isinf(got), [False, True])
    np.testing.assert_allclose(got, st.multivariate_normal.logpdf(x, None, SINGULAR,
                                                                  allow_singular=True))


def test_multigammaln_matches_scipy_and_finite_differences():
    def f(a):
        return sp.multigammaln(a, 3)

    a = RNG.uniform(2.0, 4.0, (2, 3))
    np.testing.assert_allclose(adc.jvp(f, (a,), (np.zeros_like(a),))[0], f(a), rtol=1e-13)
    check_grads(f, a, order=2)


# ---------------------------------------------------------------------------- linalg

la = pytest.importorskip("scipy.linalg")
SQUARE = (lambda m: m @ m.T + 3.0 * np.eye(3))(RNG.normal(size=(3, 3)))
SQUARE_C = SQUARE + 1j * np.triu(RNG.normal(size=(3, 3)), 1)
SQUARE_C = SQUARE_C + np.conj(np.triu(SQUARE_C, 1)).T  # Hermitian, positive definite
LOWER = np.tril(RNG.normal(size=(3, 3))) + 3.0 * np.eye(3)


def solve_lower(a, b):
    return la.solve_triangular(a, b, lower=True)


def solve_upper_transposed(a, b):
    return la.solve_triangular(a, b, trans="T")


def solve_unit_conjugate(a, b):
    return la.solve_triangular(a, b, trans=2, lower=True, unit_diagonal=True)


def upper_factor(a):
    return la.cholesky(a)


def lower_factor(a):
    return la.cholesky(a, lower=True)


def factor_then_solve(a, b):
    return la.cho_solve(la.cho_factor(a), b)


def factor_lower_then_solve(a, b):
    return la.cho_solve(la.cho_factor(a, lower=True), b)


def cho_factor_values(a):
    return la.cho_factor(a)[0]


def solve_general(a, b):
    return la.solve(a, b)


def solve_positive(a, b):
    return la.solve(a, b, assume_a="pos", lower=True)


def solve_symmetric(a, b):
    return la.solve(a, b, assume_a="sym")


def solve_transposed(a, b):
    return la.solve(a, b, transposed=True)


def inverse_and_determinant(a):
    return la.inv(a) * la.det(a)


# Each reads what SciPy reads, so even a matrix whose other triangle is anything (the
# second argument a random matrix, not symmetric) gives SciPy's values and gradients.
NOISE = RNG.normal(size=(3, 3)) * 0.3
LINALG = [
    (solve_lower, (LOWER + np.triu(NOISE, 1), RNG.normal(size=(3, 2)))),
    (solve_upper_transposed, (LOWER.T + np.tril(NOISE, -1), RNG.normal(size=3))),
    (solve_unit_conjugate, (LOWER + 0.5j * np.tril(NOISE, -1), RNG.normal(size=(3, 2)))),
    (upper_factor, (SQUARE + np.tril(NOISE, -1),)),
    (lower_factor, (SQUARE + np.triu(NOISE, 1),)),
    (upper_factor, (SQUARE_C,)),
    (factor_then_solve, (SQUARE + np.tril(NOISE, -1), RNG.normal(size=(3, 2)))),
    (factor_lower_then_solve, (SQUARE + np.triu(NOISE, 1), RNG.normal(size=3))),
    (cho_factor_values, (SQUARE + NOISE,)),
    (solve_general, (SQUARE + NOISE, RNG.normal(size=(3, 2)))),
    (solve_positive, (SQUARE + np.triu(NOISE, 1), RNG.normal(size=(3, 2)))),
    (solve_symmetric, (SQUARE + np.tril(NOISE, -1), RNG.normal(size=3))),
    (solve_transposed, (SQUARE + NOISE, RNG.normal(size=3))),
    (inverse_and_determinant, (SQUARE + NOISE,)),
]


@pytest.mark.parametrize("case", LINALG,
                         ids=[f"{fn.__name__}-{'x'.join(map(str, np.shape(args[-1])))}"
                              + ("-complex" if np.iscomplexobj(args[0]) else "")
                              for fn, args in LINALG])
def test_linalg_matches_scipy_and_finite_differences(case):
    fn, args = case
    zeros = tuple(np.zeros_like(a) for a in args)
    compiled = adc.jvp(fn, args, zeros)[0]
    np.testing.assert_allclose(compiled, fn(*args), rtol=1e-12, atol=1e-14)
    if not any(np.iscomplexobj(a) for a in args):
        check_grads(fn, *args)


def solve_tridiagonal(ab, b):
    return la.solve_banded((1, 1), ab, b)


def solve_lower_banded(ab, b):
    return la.solve_banded((2, 0), ab, b)


def sylvester(a, b, q):
    return la.solve_sylvester(a, b, q)


BAND = np.random.RandomState(13).normal(size=(3, 5)) + np.array([[0.0], [6.0], [0.0]])
SHAPED = [  # their layouts are computed from the shapes: shape-specialised code only
    (solve_tridiagonal, (BAND, np.random.RandomState(14).normal(size=(5, 2)))),
    (solve_lower_banded, (BAND[::-1] * [[6.0], [1.0], [1.0]] + [[1.0], [0.0], [0.0]],
                          np.random.RandomState(15).normal(size=5))),
    (sylvester, (SQUARE + NOISE, np.array([[2.0, 0.3], [-0.4, 3.0]]),
                 np.random.RandomState(16).normal(size=(3, 2)))),
]


@pytest.mark.parametrize("case", SHAPED, ids=[fn.__name__ for fn, _ in SHAPED])
def test_banded_and_sylvester_solvers_match_scipy_and_finite_differences(case):
    """autograd's tests call them; they had no rule."""
    fn, args = case
    compiled = adc.jvp(fn, args, tuple(np.zeros_like(a) for a in args))[0]
    np.testing.assert_allclose(compiled, fn(*args), rtol=1e-12, atol=1e-14)
    check_grads(fn, *args, generic=False)


@pytest.mark.parametrize("n", [2, 3, 7])
def test_rosenbrock_and_its_derivatives_are_scipys(n):
    """scipy.optimize.rosen (and rosen_der...) were refused: SciPy functions are
    compiled from this package's definitions only."""
    import scipy.optimize as so
    rng = np.random.default_rng(n)
    x, p = rng.normal(size=n), rng.normal(size=n)
    assert adc.value_and_grad(so.rosen)(x)[0] == so.rosen(x)  # bit for bit
    np.testing.assert_allclose(adc.grad(so.rosen)(x), so.rosen_der(x), rtol=1e-12)
    np.testing.assert_allclose(adc.hessian(so.rosen)(x), so.rosen_hess(x), rtol=1e-12)
    np.testing.assert_allclose(adc.jacrev(so.rosen_der)(x), so.rosen_hess(x), rtol=1e-12)
    np.testing.assert_allclose(adc.jacfwd(lambda v: so.rosen_hess_prod(v, p))(x),
                               adc.jacrev(lambda v: so.rosen_hess(v) @ p)(x), rtol=1e-12)
    check_grads(lambda v: so.rosen(v) + np.sum(so.rosen_hess_prod(v, v)), x, order=2)
    integers = np.arange(3)  # computed in float64, as SciPy promotes them
    assert adc.value_and_grad(lambda v: so.rosen(integers) * np.sum(v))(x)[0] == \
        so.rosen(integers) * np.sum(x)


def test_logsumexp_of_a_0d_value_with_keepdims_has_the_installed_scipys_shape():
    """SciPy 1.17 gives shape (1,) there; the compiled value had shape ()."""
    x = np.array(0.3)
    want = sp.logsumexp(x, keepdims=True)
    value, grad = adc.value_and_grad(lambda v: sp.logsumexp(v, keepdims=True) * 2.0)(x)
    assert np.shape(value) == np.shape(want)
    np.testing.assert_allclose(value, 2.0 * want)
    np.testing.assert_allclose(grad, 2.0)
    assert np.shape(adc.jacrev(lambda v: sp.logsumexp(v, keepdims=True))(x)) == np.shape(want)
