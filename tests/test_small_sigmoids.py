"""``opt.small.small_sigmoids``: ``sigmoid`` of a few values written out in the IR as
the helper computes it, ``exp(-logaddexp(0, -x))``, so a softplus's or a log-loss's
derivative, ``sigmoid(-z)``, costs three NumPy calls instead of a Python call and six."""
import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler.ir import primitives as P
from autodiff_compiler.ir.builder import building
from autodiff_compiler.ir.core import Aval, Function, Var
from autodiff_compiler.ir.reference import sigmoid
from autodiff_compiler.opt import passes


def _code(source):
    return "\n".join(line for line in source.splitlines() if not line.strip().startswith("#"))


def softplus_loss(z, y):
    return np.mean(np.logaddexp(0, z) - y * z)


def softplus_of_minus(z, y):
    return np.mean(np.logaddexp(0, -z) + y * z)


def _inputs(n, dtype):
    rng = np.random.default_rng(0)
    z = np.concatenate([[-800.0, -40.0, 0.0, 40.0, 800.0], rng.standard_normal(n - 5) * 5])
    return z.astype(dtype), rng.uniform(size=n).astype(dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_derivative_of_softplus_on_few_values_has_no_helper_call(dtype):
    z, y = _inputs(12, dtype)
    code = _code(adc.gradient_source(softplus_loss, args=(z, y)))
    assert "sigmoid(" not in code and "np.exp(-np.logaddexp(0.0, -z))" in code
    code = _code(adc.gradient_source(softplus_of_minus, args=(z, y)))
    assert "sigmoid(" not in code and "np.exp(-np.logaddexp(0.0, z))" in code
    assert "-z" not in code  # neither negation of z is left
    with np.errstate(all="ignore"):
        got = adc.grad(softplus_loss)(z, y), adc.grad(softplus_of_minus)(z, y)
    n = np.asarray(z.size, dtype)
    for g, want in zip(got, ((sigmoid(z) - y) / n, (y - sigmoid(-z)) / n)):
        assert g.dtype == np.dtype(dtype)
        np.testing.assert_allclose(g, want, rtol=4 * np.finfo(dtype).eps, atol=0)


@pytest.mark.parametrize("n", [1, 64])
def test_written_out_sigmoid_is_the_helper_bit_for_bit(n):
    x = Var(Aval((n,), np.dtype("float32")), "x")
    with building() as b:
        out = P.sigmoid(x), P.sigmoid(-x)
    fn = Function("p", (x,), tuple(b.eqns), out)
    written = passes.dce(passes.small_sigmoids(fn))
    assert P.sigmoid not in [e.prim for e in written.eqns]
    value = np.linspace(-100, 100, n, dtype=np.float32)
    from autodiff_compiler.backends.numpy import BACKEND as NUMPY
    from autodiff_compiler.backends.python import codegen
    from autodiff_compiler.pipeline import compiler
    run = compiler._load("p", codegen.generate(written, backend=NUMPY), NUMPY)
    got = run(value)
    with np.errstate(all="ignore"):
        for g, want in zip(got, (sigmoid(value), sigmoid(-value))):
            assert g.dtype == want.dtype and g.tobytes() == want.tobytes()


def test_sigmoid_of_many_values_stays_the_helper():
    """Past 64 values the helper computes ``1 / (1 + e^-x)`` in place, faster."""
    z, y = _inputs(65, "float64")
    assert "sigmoid(" in _code(adc.gradient_source(softplus_loss, args=(z, y)))
