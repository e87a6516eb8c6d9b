"""Functions without a rule are refused at the user's line; extend registers rules."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy_version import numpy_2_only

import autodiff_compiler as adc
from autodiff_compiler import check_grads, extend, supported
from autodiff_compiler.ir import surface

ROOT = Path(__file__).resolve().parent.parent
X = np.array([0.3, -1.2, 2.0])


def uses_i0(x):
    return np.sum(np.i0(x) * x)


def test_numpy_function_without_rule_names_function_line_and_how_to_register():
    with pytest.raises(adc.AutodiffError) as err:
        adc.grad(uses_i0)(X)
    message = str(err.value)
    assert "np.i0 has no derivative rule" in message
    assert f"{Path(__file__).name}:" in message and "np.sum(np.i0(x) * x)" in message
    assert "extend.defprimitive(np.i0)" in message and "stop_gradient" in message


def log_cosh(x):
    """A function the compiler is not to read (imagine a compiled extension)."""
    return np.log(np.cosh(x))


LOG_COSH = extend.defprimitive(log_cosh, elementwise=True)
extend.defvjp(LOG_COSH, lambda g, ans, x: g * np.tanh(x))
extend.defjvp(LOG_COSH, lambda t, ans, x: t * np.tanh(x))


def uses_log_cosh(x, y):
    return np.sum(log_cosh(x * y) + x)


def test_registered_function_is_differentiated_by_its_rule():
    check_grads(uses_log_cosh, X, 0.5, order=2)
    source = adc.gradient_source(uses_log_cosh, (0, 1))
    assert "ext.log_cosh(" in source and "np.tanh(" in source


def clipped_relu(x):
    return np.minimum(np.maximum(x, 0.0), 1.0)


CLIPPED = extend.defprimitive(clipped_relu, name="clipped_relu_ext", elementwise=True,
                              method="clipped_relu")
extend.defpartials(CLIPPED, lambda ans, x: np.logical_and(x > 0, x < 1))


def uses_clipped(x):
    return np.sum(clipped_relu(x) ** 2)


def test_partials_give_both_rules_of_a_registered_elementwise_function():
    check_grads(uses_clipped, np.array([-0.5, 0.25, 0.5, 2.0]))


def softclip(x, k):
    return x / (1.0 + np.abs(x / k))


SOFTCLIP = extend.defprimitive(softclip, elementwise=True)
extend.defelementwise(SOFTCLIP,
                      lambda d, ans, x, k: d / (1.0 + np.abs(x / k)) ** 2,
                      lambda d, ans, x, k: d * ans ** 2 * np.sign(x / k) / k ** 2)


def uses_softclip(x, k):
    return np.sum(softclip(x, k) * x)


def test_one_rule_per_argument_gives_both_modes_of_an_elementwise_function():
    x, k = np.array([[-1.5, 0.3, 2.0]]), np.array([[0.5], [2.0]])  # broadcast together
    check_grads(uses_softclip, x, k)
    _, tangent = adc.jvp(uses_softclip, (x, k), (np.ones_like(x), np.zeros_like(k)))
    eps = 1e-6
    numeric = (uses_softclip(x + eps, k) - uses_softclip(x - eps, k)) / (2 * eps)
    np.testing.assert_allclose(tangent, numeric, rtol=1e-6)


def parity(x):
    return np.floor(x) % 2


extend.defprimitive(parity, differentiable=False)


def uses_parity(x):
    return np.sum(x * parity(x))


def test_nondifferentiable_registration_passes_no_gradient():
    np.testing.assert_array_equal(adc.grad(uses_parity)(np.array([0.5, 1.5, 2.5])),
                                  [0.0, 1.0, 0.0])


def test_registering_a_different_function_under_a_taken_name_is_refused():
    with pytest.raises(ValueError, match="already registered"):
        extend.defprimitive(lambda x: x, name="log_cosh")
    with pytest.raises(ValueError, match="identifier"):
        extend.defprimitive(lambda x: x, name="not a name")


def test_registered_functions_stay_out_of_the_readme_table():
    assert "log_cosh" not in supported.supported_markdown()
    assert log_cosh in surface.USER_FUNCTIONS


@numpy_2_only  # the README lists NumPy 2's functions
def test_readme_lists_the_generated_surface():
    readme = (ROOT / "README.md").read_text()
    assert supported.supported_markdown() in readme, (
        "README.md is out of date: run "
        "`python -c 'import autodiff_compiler.supported as s; s.write_readme()'`")


def test_the_table_is_the_same_whichever_scipy_module_the_code_used_first():
    """SciPy's families load when the user's code first uses them, and were listed in
    that order: the README differed after a test had differentiated scipy.optimize."""
    import subprocess
    import sys
    pytest.importorskip("scipy")
    script = ("import numpy as np, scipy.optimize as so, autodiff_compiler as adc\n"
              "adc.grad(so.rosen)(np.ones(3))\n"
              "from autodiff_compiler import supported\n"
              "print(supported.supported_markdown(), end='')\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out == supported.supported_markdown()


def test_rendering_the_readme_leaves_it_whole_when_the_table_fails(tmp_path, monkeypatch):
    readme = tmp_path / "README.md"
    readme.write_text((ROOT / "README.md").read_text())

    def broken() -> str:
        raise RuntimeError("table")

    monkeypatch.setattr(supported, "supported_markdown", broken)
    with pytest.raises(RuntimeError):
        supported.write_readme(str(readme))
    assert readme.read_text() == (ROOT / "README.md").read_text()
