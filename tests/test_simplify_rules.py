"""Each simplification rule against the unoptimised program, on random shapes and dtypes.

A rule may fire only where its result has exactly the value, shape and dtype of what
it replaces. Each test builds the pattern a rule rewrites from operands of random
(broadcast-compatible) shapes and dtypes, runs it through the whole optimisation
pipeline and through dead-code elimination alone, and compares the two results.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autodiff_compiler as adc
from autodiff_compiler.backends.numpy import BACKEND as NUMPY
from autodiff_compiler.backends.python import codegen
from autodiff_compiler.ir import primitives as P
from autodiff_compiler.ir.builder import building
from autodiff_compiler.ir.core import Aval, Const, Function, Var
from autodiff_compiler.opt import passes
from autodiff_compiler.pipeline import compiler

DTYPES = [np.dtype("float64"), np.dtype("float32"), np.dtype("int64")]
FLOATS = DTYPES[:2]
# No np.float64 constants: the IR takes them for weak Python floats (a float subclass),
# so ``float32 * np.float64(1.0)`` is float32 to the compiler, float64 to NumPy.
SCALARS = [1, 0, 2, -1, 1.0, 0.0, 0.5, -2.0, np.float32(1.0), np.float32(0.5), np.int64(1),
           np.int64(3)]
SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


@st.composite
def broadcast_pair(draw):
    """A shape and a shape that broadcasts to it (a suffix, some axes set to 1)."""
    big = draw(shapes)
    k = draw(st.integers(0, len(big)))
    small = tuple(1 if draw(st.booleans()) else d for d in big[len(big) - k:])
    return big, small


@st.composite
def reshaped(draw):
    """A shape and another of the same size."""
    big = draw(shapes)
    flat = int(np.prod(big))
    dims, rest = [], flat
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from([k for k in range(1, rest + 1) if rest % k == 0]))
        dims.append(d)
        rest //= d
    return big, (*dims, rest) if rest > 1 or not dims else tuple(dims)


def _value(aval: Aval, rng: np.random.Generator):
    value = rng.uniform(0.5, 2.0, size=aval.shape) * rng.choice([-1, 1], size=aval.shape)
    if np.issubdtype(aval.dtype, np.integer):
        value = np.round(value * 3)
    return np.asarray(value, aval.dtype)


def _agree(build, *avals):
    """``build``'s program gives the same result optimised and unoptimised."""
    invars = tuple(Var(a, f"a{i}") for i, a in enumerate(avals))
    with building() as b:
        out = build(*invars)
    fn = Function("p", invars, tuple(b.eqns), (out,))
    args = [_value(a, np.random.default_rng(0)) for a in avals]
    with np.errstate(all="ignore"):
        try:
            want = _run(passes.dce(fn), args)
        except ValueError as err:  # e.g. an integer to a negative power: raise it too
            with pytest.raises(type(err)):
                _run(passes.optimize(fn), args)
            return
        got = _run(passes.optimize(fn), args)
    assert np.shape(got) == np.shape(want)
    assert np.asarray(got).dtype == np.asarray(want).dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


def _run(fn, args):
    run = compiler._load(fn.name, codegen.generate(fn, backend=NUMPY), NUMPY)
    return run(*[np.copy(a) for a in args])


@SETTINGS
@given(shape=shapes, dtype=st.sampled_from(DTYPES), k=st.sampled_from(SCALARS),
       op=st.sampled_from(["mul", "rmul", "add", "sub", "div", "pow"]))
def test_identity_operand_rule_keeps_value_shape_and_dtype(shape, dtype, k, op):
    build = {"mul": lambda x: x * k, "rmul": lambda x: k * x, "add": lambda x: x + k,
             "sub": lambda x: x - k, "div": lambda x: x / k, "pow": lambda x: x ** k}[op]
    _agree(build, Aval(shape, dtype))


@SETTINGS
@given(pair=broadcast_pair(), dtypes=st.tuples(*[st.sampled_from(DTYPES)] * 2),
       swap=st.booleans())
def test_product_with_ones_like_rule_keeps_value_shape_and_dtype(pair, dtypes, swap):
    big, small = pair if not swap else pair[::-1]
    _agree(lambda y, c: P.ones_like(y) * c, Aval(big, dtypes[0]), Aval(small, dtypes[1]))


@SETTINGS
@given(pair=broadcast_pair(), target=reshaped(), dtype=st.sampled_from(DTYPES),
       kind=st.sampled_from(["reshape", "expand_dims", "broadcast_to"]))
def test_reshaped_broadcast_rule_keeps_layout(pair, target, dtype, kind):
    """``reshape(broadcast_to(a, s), t)`` is a broadcast of ``a`` only when ``a`` is 0-d."""
    big, small = pair
    flat = int(np.prod(big))
    reshape_to = target[1] if int(np.prod(target[0])) == flat else (flat,)

    def build(a):
        wide = P.broadcast_to(a, big)
        if kind == "reshape":
            return P.reshape(wide, reshape_to)
        if kind == "expand_dims":
            return P.expand_dims(wide, axis=0)
        return P.broadcast_to(wide, (2, *big))
    _agree(build, Aval(small, dtype))


@SETTINGS
@given(pair=broadcast_pair(), dtypes=st.tuples(*[st.sampled_from(DTYPES)] * 2),
       swap=st.booleans())
def test_add_of_negation_rule_keeps_value_shape_and_dtype(pair, dtypes, swap):
    avals = (Aval(pair[0], dtypes[0]), Aval(pair[1], dtypes[1]))
    _agree(lambda a, b: a + -b if not swap else -b + a, *avals)


@SETTINGS
@given(shape=shapes, dtype=st.sampled_from(DTYPES), k1=st.sampled_from(SCALARS),
       k2=st.sampled_from(SCALARS), form=st.sampled_from(["(a*k1)*k2", "k2*(k1*a)",
                                                         "(k1/a)*k2"]))
def test_scale_folding_rule_keeps_value_shape_and_dtype(shape, dtype, k1, k2, form):
    build = {"(a*k1)*k2": lambda a: (a * k1) * k2, "k2*(k1*a)": lambda a: k2 * (k1 * a),
             "(k1/a)*k2": lambda a: (Const(k1) / a) * k2}[form]
    _agree(build, Aval(shape, dtype))


@SETTINGS
@given(shape=shapes, dtype=st.sampled_from(DTYPES), k=st.sampled_from(SCALARS),
       form=st.sampled_from(["-a*k", "k*-a", "-a/k"]))
def test_negation_flip_rule_keeps_value_shape_and_dtype(shape, dtype, k, form):
    build = {"-a*k": lambda a: -a * k, "k*-a": lambda a: k * -a, "-a/k": lambda a: -a / k}[form]
    _agree(build, Aval(shape, dtype))


@SETTINGS
@given(pair=broadcast_pair(), other=shapes, dtypes=st.tuples(*[st.sampled_from(DTYPES)] * 2),
       op=st.sampled_from([P.mul, P.add, P.sub, P.maximum]))
def test_implicit_broadcast_rule_keeps_value_shape_and_dtype(pair, other, dtypes, op):
    big, small = pair
    b_shape = big[len(big) - min(len(other), len(big)):]  # broadcasts to big
    _agree(lambda a, b: op(P.broadcast_to(a, big), b), Aval(small, dtypes[0]),
           Aval(b_shape, dtypes[1]))


@SETTINGS
@given(pair=broadcast_pair(), pair2=broadcast_pair(), dtype=st.sampled_from(DTYPES),
       k=st.sampled_from(SCALARS), op=st.sampled_from([P.mul, P.add, P.sub]))
def test_hoisted_broadcast_rule_keeps_value_shape_and_dtype(pair, pair2, dtype, k, op):
    big, small = pair
    other = pair2[1][len(pair2[1]) - min(len(pair2[1]), len(big)):]
    other = tuple(1 if d != b else d for d, b in zip(other, big[len(big) - len(other):]))
    _agree(lambda a, b: op(op(P.broadcast_to(a, big), P.broadcast_to(b, big)), k),
           Aval(small, dtype), Aval(other, dtype))


# Constants whose sums are not np.float64 (an np.int64 plus a float is: see SCALARS).
FOLDABLE = [k for k in SCALARS if not isinstance(k, np.integer)]


@SETTINGS
@given(shape=shapes, dtype=st.sampled_from(DTYPES), k1=st.sampled_from(FOLDABLE),
       k2=st.sampled_from(FOLDABLE))
def test_constant_folding_rule_keeps_value_shape_and_dtype(shape, dtype, k1, k2):
    _agree(lambda a: a * (P.broadcast_to(Const(k1), ()) + k2), Aval(shape, dtype))


@SETTINGS
@given(pair=broadcast_pair(), dtypes=st.tuples(*[st.sampled_from(FLOATS)] * 2),
       k=st.sampled_from([0.25, -0.25, np.float32(0.25)]),
       form=st.sampled_from(["k*a+k*b", "a*k-b*k", "-k*a+k*b", "(k*a)*b+k*b", "a+a"]))
def test_common_factor_rule_keeps_value_shape_and_dtype(pair, dtypes, k, form):
    build = {"k*a+k*b": lambda a, b: k * a + k * b, "a*k-b*k": lambda a, b: a * k - b * k,
             "-k*a+k*b": lambda a, b: -k * a + k * b,
             "(k*a)*b+k*b": lambda a, b: (k * a) * b + k * b,
             "a+a": lambda a, b: a + a + b}[form]
    _agree(build, Aval(pair[0], dtypes[0]), Aval(pair[1], dtypes[1]))


def test_reshaped_broadcast_gradient_keeps_its_layout():
    """The gradient of ``x.reshape(2, -1).sum(axis=0).max()`` broadcasts a row, then
    reshapes it: not the same as broadcasting the row to ``x``'s shape."""
    def f(x):
        return x.reshape(2, -1).sum(axis=0).max()
    x = np.array([[0.3, -1.2], [0.8, 0.1], [2.0, -0.4], [1.1, 0.6]])
    want = np.zeros((2, 4))
    want[:, np.argmax(x.reshape(2, -1).sum(axis=0))] = 1.0
    np.testing.assert_allclose(adc.grad(f)(x), want.reshape(4, 2))
    adc.check_grads(f, x)


@pytest.mark.parametrize("prim, dtype, want", [
    (P.div, "int64", "float64"), (P.sin, "int64", "float64"), (P.sqrt, "int32", "float64"),
    (P.div, "float32", "float32"), (P.mul, "int64", "int64"),
], ids=["int_div", "sin_int", "sqrt_int32", "float32_div", "int_mul"])
def test_elementwise_aval_has_the_dtype_numpy_gives(prim, dtype, want):
    x = Var(Aval((2,), np.dtype(dtype)), "x")
    args = (x, x) if prim in (P.div, P.mul) else (x,)
    assert prim.abstract_eval(args, {})[0].dtype == np.dtype(want)


def _broadcast_of_a_constant_array(x):
    levels = np.array([0.5, -1.0, 1.5, 2.0])  # a constant of several different entries
    return np.sum(np.broadcast_to(levels, (2, 4)) * 3.0 * x)


def test_a_hoisted_broadcast_of_a_constant_array_is_not_taken_for_one_element():
    """``broadcast_to(c, s) * 3.0`` of a constant array ``c``: its elements are not one
    value (the rule reshaped ``c`` to one element, a ValueError while compiling, fuzz
    seed 841520)."""
    from autodiff_compiler import check_grads
    x = np.arange(8.0).reshape(2, 4)
    assert "return" in adc.gradient_source(_broadcast_of_a_constant_array)  # shape-generic
    np.testing.assert_allclose(adc.grad(_broadcast_of_a_constant_array)(x),
                               np.broadcast_to(np.array([0.5, -1.0, 1.5, 2.0]) * 3.0, (2, 4)))
    check_grads(_broadcast_of_a_constant_array, x)
