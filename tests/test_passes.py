"""Optimisation passes: each identity fires only where shapes and dtypes agree."""
import numpy as np
import pytest
import tutorial_model

import autodiff_compiler as adc
from autodiff_compiler.backends.numpy import BACKEND as NUMPY
from autodiff_compiler.backends.python import codegen
from autodiff_compiler.ir import primitives as P
from autodiff_compiler.ir.builder import building
from autodiff_compiler.ir.core import Aval, Function, Var
from autodiff_compiler.opt import passes
from autodiff_compiler.options import grad_spec
from autodiff_compiler.pipeline import compiler
from autodiff_compiler.pipeline.kinds import abstract

F64 = np.dtype("float64")


def _program(build, *avals):
    invars = tuple(Var(a, f"a{i}") for i, a in enumerate(avals))
    with building() as b:
        out = build(*invars)
    return Function("p", invars, tuple(b.eqns), (out,))


def _simplified(fn):
    return passes.dce(passes.simplify(fn))


def _prims(fn):
    return [e.prim.name for e in fn.eqns]


def _run(fn, *args):
    """Run an IR program through the code generator."""
    return compiler._load(fn.name, codegen.generate(fn, backend=NUMPY), NUMPY)(*args)


@pytest.mark.parametrize("build", [
    lambda x: x * 1.0, lambda x: 1 * x, lambda x: x + 0, lambda x: x - 0.0, lambda x: x / 1,
    lambda x: x ** 1, lambda x: P.broadcast_to(x, (2, 3)),
], ids=["mul1", "rmul1", "add0", "sub0", "div1", "pow1", "broadcast_same"])
def test_identity_is_removed_when_avals_agree(build):
    fn = _simplified(_program(build, Aval((2, 3), F64)))
    assert fn.eqns == () and fn.outvars == fn.invars


def test_product_with_ones_like_becomes_at_most_a_broadcast():
    same = _simplified(_program(lambda x, y: P.ones_like(y) * x,
                                    Aval((3,), F64), Aval((3,), F64)))
    assert same.eqns == ()
    widened = _simplified(_program(lambda x, y: P.ones_like(y) * x,
                                       Aval((3,), F64), Aval((2, 3), F64)))
    assert _prims(widened) == ["broadcast_to"]
    assert widened.eqns[0].invars[1].value == (2, 3)


@pytest.mark.parametrize("aval", [Aval((3,), np.dtype("int64")), Aval()],
                         ids=["int-dtype-changes", "unknown-aval"])
def test_identity_is_kept_when_it_may_change_dtype_or_shape(aval):
    fn = _simplified(_program(lambda x: x * 1.0, aval))
    assert _prims(fn) == ["mul"]


def test_shape_of_an_elementwise_result_is_its_one_wide_operands():
    """Of a run-time shape (a mask's selection): ``shape(x ** 2 * 3)`` needs no
    ``x ** 2 * 3``; with two operands of unknown shape the broadcast decides, so it
    stays."""
    unknown = Aval(None, F64)
    fn = passes.dce(passes.shape_sources(_program(lambda x: P.shape(P.power(x, 2) * 3.0),
                                                  unknown)))
    assert _prims(fn) == ["shape"] and fn.eqns[0].invars[0] is fn.invars[0]
    both = passes.dce(passes.shape_sources(_program(lambda x, y: P.shape(x + y), unknown,
                                                    unknown)))
    assert _prims(both) == ["add", "shape"]
    x = Var(unknown, "x")
    with building() as b:  # read elsewhere: computed anyway, its shape stays its own
        square = P.power(x, 2)
        dims = P.shape(square)
    kept = passes.dce(passes.shape_sources(Function("p", (x,), tuple(b.eqns), (dims, square))))
    assert _prims(kept) == ["pow", "shape"] and kept.eqns[1].invars[0] is square


def test_add_of_negation_becomes_subtraction():
    fn = _simplified(_program(lambda a, b: a + -b, Aval((2,), F64), Aval((2,), F64)))
    assert _prims(fn) == ["sub"]


def test_outputs_never_alias_inputs_constants_or_views():
    fn = passes.optimize(_program(lambda x: P.broadcast_to(x * 1.0, (2, 3)), Aval((3,), F64)))
    assert _prims(fn) == ["broadcast_to", "copy"]
    same = passes.optimize(_program(lambda x: x * 1.0, Aval((3,), F64)))
    assert _prims(same) == ["copy"] and same.outvars[0] is not same.invars[0]


def test_scalar_seed_is_folded_through_broadcasts():
    fn = _simplified(_program(lambda y: P.broadcast_to(2.0, (3,)) / 4.0 * y, Aval((3,), F64)))
    assert _prims(fn) == ["mul"] and fn.eqns[0].invars[0].value == 0.5


def test_dce_drops_unused_equations():
    fn = passes.dce(_program(lambda x: (P.exp(x), P.sin(x))[1], Aval((2,), F64)))
    assert _prims(fn) == ["sin"]


def test_optimised_and_unoptimised_gradients_agree(monkeypatch):
    args = tutorial_model.make_inputs("rng")
    optimised = adc.grad(tutorial_model.function_with_logits, (2, 3))(*args)
    monkeypatch.setattr(passes, "PIPELINE", [passes.dce])
    adc.api._CACHE.clear()
    plain = adc.grad(tutorial_model.function_with_logits, (2, 3))(*args)
    for a, b in zip(optimised, plain):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    adc.api._CACHE.clear()


def test_cse_merges_repeated_work_but_not_new_arrays():
    def build(x):
        a = P.sin(x) * P.sin(x)
        return a + P.zeros_like(x) + P.zeros_like(x)
    fn = passes.dce(passes.cse(_program(build, Aval((3,), F64))))
    assert _prims(fn).count("sin") == 1
    assert _prims(fn).count("zeros_like") == 2


@pytest.mark.parametrize(("dtype", "merged"), [(F64, True), (np.dtype("int64"), False)],
                         ids=["float-one-is-one", "int-minus-float-differs"])
def test_pipeline_merges_an_int_literal_with_the_float_it_equals(dtype, merged):
    """A rule's ``1 - t`` and the user's ``1.0 - t`` are one equation on a float ``t``
    (``float_literals`` runs before ``cse``); on an int ``t`` they differ in dtype."""
    fn = passes.optimize(_program(lambda t: (1 - t) * (1.0 - t), Aval((3,), dtype)))
    assert _prims(fn).count("sub") == (1 if merged else 2)
    t = np.array([1, 2, 5], dtype=dtype)
    np.testing.assert_array_equal(_run(fn, t), (1 - t) * (1.0 - t))


def test_gradient_with_and_without_cse_agree():
    import adjoint_cases
    x, y = np.linspace(-1, 1, 6).reshape(2, 3), np.array([0.5, -0.25, 1.5])
    with_cse = adc.grad(adjoint_cases.broadcast_chain, (0, 1))(x, y)
    fn = adc.api.compile_gradient(adjoint_cases.broadcast_chain,
                                  grad_spec((0, 1), None, False, False, False),
                                  [abstract(x), abstract(y)], optimize=False)
    for a, b in zip(with_cse, fn.finish(fn.run((x, y)))):
        np.testing.assert_allclose(a, b)


K = 0.25


@pytest.mark.parametrize("build, inner", [
    (lambda a, b: K * a + K * b, "add"), (lambda a, b: a * K - b * K, "sub"),
    (lambda a, b: -K * a + K * b, "sub"), (lambda a, b: K * a - -K * b, "add"),
    (lambda a, b: (K * a) * b + K * b, "add"),
], ids=["sum", "difference", "negated_sum", "negated_difference", "nested_product"])
def test_common_scalar_factor_is_taken_out_of_sums(build, inner):
    fn = passes.dce(passes.distribute(_program(build, Aval((3,), F64), Aval((3,), F64))))
    assert _prims(fn)[-2:] == [inner, "mul"] and _prims(fn).count("mul") == len(fn.eqns) - 1
    a, b = np.array([0.5, -2.0, 3.0]), np.array([1.5, 0.25, -1.0])
    np.testing.assert_allclose(_run(fn, a, b), build(a, b))


@pytest.mark.parametrize("build", [
    lambda a, b: K * a + 0.5 * b,                            # different factors
    lambda a, b: (lambda m: m + m * b)(K * a),               # a product read twice
    lambda a, b: K * P.greater(a, 0) + K * P.greater(b, 0),  # True + True is True
], ids=["different_factors", "shared_product", "booleans"])
def test_common_factor_stays_where_taking_it_out_saves_nothing_or_changes_the_value(build):
    program = _program(build, Aval((3,), F64), Aval((3,), F64))
    assert passes.distribute(program).eqns == program.eqns


F32 = np.dtype("float32")


@pytest.mark.parametrize("build, muls", [
    (lambda g, u, v: g * u - g * v, 1),
    (lambda g, u, v: v + g * u - g * v, 1),          # inside a running sum
    (lambda g, u, v: g * u + v - v * g, 1),          # the factor on either side
    (lambda g, u, v: u - g * u - g * v + g * g, 1),  # three products of g: one
    (lambda g, u, v: v + K * u - K * v, 1),          # a constant factor in a running sum
    (lambda g, u, v: g * u + u * v + g * v, 2),      # only the pair sharing a factor
], ids=["difference", "running_sum", "either_side", "three_products", "constant", "pair"])
def test_common_factor_is_taken_out_of_running_sums(build, muls):
    fn = passes.dce(passes.distribute(_program(build, *[Aval((3,), F64)] * 3)))
    assert _prims(fn).count("mul") == muls
    args = np.array([0.5, -2.0, 3.0]), np.array([1.5, 0.25, -1.0]), np.array([2.0, 0.5, 0.0])
    np.testing.assert_allclose(_run(fn, *args), build(*args), rtol=1e-15)


@pytest.mark.parametrize("build, avals", [
    (lambda g, u, v: (lambda p: v + p - g * v + P.exp(p))(g * u), [Aval((3,), F64)] * 3),
    (lambda g, u, v: g * u + g * v, [Aval((3,), F64), Aval((3,), F64), Aval((2, 3), F64)]),
    (lambda g, u, v: g * u + g * v, [Aval((3,), F64), Aval((3,), F32), Aval((3,), F32)]),
], ids=["product_read_twice", "products_of_different_shapes", "sum_rounded_coarser"])
def test_common_factor_stays_where_taking_it_out_adds_work_or_rounding(build, avals):
    program = _program(build, *avals)
    assert _prims(passes.dce(passes.distribute(program))) == _prims(passes.dce(program))


@pytest.mark.parametrize("dtype, constant, spelled", [
    (F64, 2, 2.0), (F32, 3, 3.0), (np.dtype("float16"), 4097, 4097),
    (np.dtype("int64"), 2, 2), (np.dtype("complex128"), 2, 2),
], ids=["float64", "float32", "not_exact_in_float16", "int", "complex"])
def test_integer_constants_beside_floats_are_spelled_as_floats(dtype, constant, spelled):
    fn = passes.float_literals(_program(lambda x: constant - x * constant, Aval((3,), dtype)))
    assert [e.invars[i].value for e, i in zip(fn.eqns, (1, 0))] == [spelled, spelled]
    assert all(type(e.invars[i].value) is type(spelled) for e, i in zip(fn.eqns, (1, 0)))


def test_scalar_gradient_is_float_arithmetic():
    """CPython specialises float-by-float operators only: no ``1 - t`` on floats."""
    def f(x):
        return np.tanh(x) * 3
    source = adc.grad(f).source(0.5)
    code = "\n".join(line for line in source.splitlines() if "#" not in line)
    assert "(1.0 - " in code and "3.0 * " in code and " 3 " not in code
    np.testing.assert_allclose(adc.grad(f)(0.5), 3 * (1 - np.tanh(0.5) ** 2), rtol=1e-15)


def half_x_one_plus_tanh_doubled(x):
    return np.sum(0.5 * x * (1.0 + np.tanh(x)) * 2.0)


def gelu_doubled(x):
    return np.sum(0.5 * x * (1.0 + np.tanh(0.8 * x)) * 2.0 + np.sin(x))


@pytest.mark.parametrize("fn", [half_x_one_plus_tanh_doubled, gelu_doubled],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("x", [np.array([0.3, -1.2, 2.0]), 0.7], ids=["array", "float"])
def test_scales_that_cancel_leave_no_multiplication_by_one(fn, x):
    """``(g * 0.5) * 2.0`` folds to ``g * 1.0``, and ``0.5 a * 2 + 0.5 b * 2`` factors to
    ``1.0 * (a + b)``: both are the value itself."""
    code = "\n".join(line for line in adc.grad(fn).source(x).splitlines() if "#" not in line)
    assert "* 1.0" not in code and "1.0 *" not in code, code
    adc.check_grads(fn, x)


def test_weight_gradient_of_a_transposed_product_comes_out_row_major():
    """``x @ w.T`` (a Dense layer) differentiated for ``w``: the gradient is ``g.T @ x``,
    C-contiguous, not the transposed view ``(x.T @ g).T`` an optimizer reads slowly."""
    def loss(x, w):
        return np.sum(np.tanh(x @ w.T))

    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(5, 4)), rng.normal(size=(3, 4))
    g = adc.grad(loss, 1)(x, w)
    assert g.flags.c_contiguous
    np.testing.assert_allclose(g, ((1 - np.tanh(x @ w.T) ** 2).T @ x), rtol=1e-12)
    assert "swapaxes" not in adc.gradient_source(loss, 1, args=(x, w))


@pytest.mark.parametrize("constant_on_the_left", [True, False])
def test_transposed_product_with_a_constant_operand(constant_on_the_left):
    """``(a @ q.T).T`` is rewritten ``q @ a.T``; with ``a`` a constant folded while
    compiling, the folded transpose must take the right operand's place."""
    def left(x):
        return np.sum(np.tanh((np.arange(6.0).reshape(2, 3) @ x.T).T))

    def right(x):
        return np.sum(np.tanh((x.T @ np.arange(8.0).reshape(4, 2)).T))

    f = left if constant_on_the_left else right
    x = np.random.default_rng(0).normal(size=(4, 3))
    g = adc.grad(f)(x)
    eps, numeric = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        numeric[i] = (f(x + e) - f(x - e)) / (2 * eps)
    np.testing.assert_allclose(g, numeric, atol=1e-7)
