"""Forward mode: jvp, Hessian-vector products, and a JVP rule for every primitive."""
import adjoint_cases as cases
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.ir import primitives as P

X = np.array([0.1, 0.5, -1.2])
U = np.array([1.0, -0.5, 0.25])


def energy(x):
    return np.sum(np.exp(x) * x + np.sin(x) ** 2)


def hessian_of_energy(x):
    return np.diag(np.exp(x) * (x + 2) + 2 * np.cos(2 * x))


def pair(x, y):
    return {"prod": x * y, "total": np.sum(x), "label": 3}


def test_every_differentiable_primitive_has_a_jvp_rule():
    from autodiff_compiler.ad.forward import REGION_JVPS
    missing = [n for n, p in P.REGISTRY.items()
               if p.differentiable and p.jvp is None and p.jvp_all is None
               and p not in REGION_JVPS]
    assert missing == []


def test_jvp_matches_directional_derivative():
    out, tangent = adc.jvp(cases.fanout, (X,), (U,))
    eps = 1e-6
    expected = (cases.fanout(X + eps * U) - cases.fanout(X - eps * U)) / (2 * eps)
    assert out == pytest.approx(cases.fanout(X))
    assert tangent == pytest.approx(expected, rel=1e-6)


def test_jvp_tangent_mirrors_output_structure():
    y = np.array([2.0, 3.0, 4.0])
    out, tangent = adc.jvp(pair, (X, y), (U, np.zeros(3)))
    assert out["label"] == 3 and tangent["label"] == 0.0
    np.testing.assert_allclose(tangent["prod"], U * y)
    assert tangent["total"] == pytest.approx(np.sum(U))


def complex_sine(z):
    return np.sin(z) * z


@pytest.mark.parametrize("z", [0.4 + 0.1j, np.complex128(0.4 + 0.1j), np.array(0.4 + 0.1j)],
                         ids=["python_complex", "numpy_complex", "array_0d"])
def test_jvp_of_a_complex_number_is_its_complex_directional_derivative(z):
    """A Python complex carries a tangent as a Python float does (it was refused as
    "not a float value" where grad took it)."""
    t, eps = 1.0 + 0.5j, 1e-7
    out, tangent = adc.jvp(complex_sine, (z,), (t,))
    want = (complex_sine(complex(z) + eps * t) - complex_sine(complex(z) - eps * t)) / (2 * eps)
    assert out == pytest.approx(complex_sine(complex(z)))
    assert tangent == pytest.approx(want, rel=1e-7)


def test_hessian_vector_product_is_forward_over_reverse():
    _, hvp = adc.jvp(adc.grad(energy), (X,), (U,))
    np.testing.assert_allclose(hvp, hessian_of_energy(X) @ U, rtol=1e-12)


def test_jvp_needs_one_tangent_per_float_argument():
    with pytest.raises(ValueError, match="one tangent per float argument"):
        adc.jvp(pair, (X, X), (U,))


def test_jvp_source_reads_as_a_forward_sweep():
    source = adc.GradFunction(energy, adc.api.GradSpec(
        (0,), False, None, False, False, False, True, forward=True)).source(X)
    assert source.startswith("def jvp_energy(x, t_x):")
    assert "t_exp = t_x * exp" in source


def join_many(x, y):
    return np.sum(np.stack([x * k + y for k in range(40)]) ** 2)


def concatenate_with_a_constant(x, y):
    return np.concatenate([x, np.ones(2), y * x, x]) * 3.0


def linspace_between(x, y):
    return np.linspace(x, y, 5) ** 2


@pytest.mark.parametrize("fn, joins", [(join_many, "stack("),
                                       (concatenate_with_a_constant, "concatenate("),
                                       (linspace_between, "linspace(")],
                         ids=lambda c: getattr(c, "__name__", c))
def test_tangent_of_a_joint_linear_primitive_is_one_call(fn, joins):
    # joining n arrays, n of them carrying tangents, was n joins of one tangent and
    # zeros summed: seconds to compile and run for a 150-element list
    x, y = np.array([0.3, -0.7, 1.1]), np.array([0.5, 0.2, -0.4])
    source = adc.GradFunction(fn, adc.api.GradSpec(
        (0, 1), False, None, False, False, False, True, forward=True)).source(x, y)
    assert source.count(joins) == 2, source  # the value's and the tangent's
    adc.testing.check_grads(fn, x, y, modes=("fwd",))


def plus_identity(a):
    return a + np.eye(3)


def plus_a_float64(a, c):
    return a * 2.0 + c


def selected_against_float64_zeros(v):
    return np.where(v > 0, v, np.zeros(3))


@pytest.mark.parametrize("fn, args, tangents", [
    (plus_identity, (np.ones((3, 3), np.float32),), (np.ones((3, 3), np.float32),)),
    (plus_a_float64, (np.ones((3, 3), np.float32), np.ones(3)),
     (np.ones((3, 3), np.float32), np.zeros(3))),
    (selected_against_float64_zeros, (np.array([1.0, -1.0, 2.0], np.float32),),
     (np.ones(3, np.float32),)),
], ids=["eye", "float64_argument", "where"])
def test_a_tangent_has_its_values_dtype(fn, args, tangents):
    """float32 operands meeting float64 ones give float64 values (NumPy promotes); their
    tangents came out float32, computed from the float32 tangents. JAX's, and now these,
    are of the value's dtype; so is the forward Jacobian."""
    out, tangent = adc.jvp(fn, args, tangents)
    assert out.dtype == tangent.dtype == np.float64
    wide = [np.asarray(a, np.float64) for a in args]
    step = 1e-6
    moved = [w + step * np.asarray(t, np.float64) for w, t in zip(wide, tangents)]
    back = [w - step * np.asarray(t, np.float64) for w, t in zip(wide, tangents)]
    np.testing.assert_allclose(tangent, (fn(*moved) - fn(*back)) / (2 * step), rtol=1e-5,
                               atol=1e-6)
    assert adc.jacfwd(fn)(*args).dtype == np.float64
