"""The numba backend against the NumPy backend: same values, same types, fused code.

Rows of the rule tables (``test_rules``; reused, not copied) are differentiated with
``backend="numba"`` and must give the NumPy backend's value and gradient: elementwise
maths within a few ulp (both call a maths library, not always the same one), sums
within ``n`` ulp of float64 (kernels accumulate sequentially in float64, NumPy
pairwise), and results of the same type and dtype. Then what the fusion must do: one
kernel for an elementwise chain and its adjoint, BLAS for large products, loops for
small ones, threads for large nests, and kernels cached on disk.
"""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("numba")

import test_rules as rules
from test_rules import PY_FLOAT, sample, sample_args, scaled, shape_id, shapes_id

import autodiff_compiler as adc
from autodiff_compiler.backends.numba import cache, fusion, kernels

# Rows whose float64 results may differ by a few ulp from NumPy's (its own SIMD maths
# against the C library's): the tolerance is relative, in units of float64's epsilon.
ULPS = 8


def _positions(args: tuple) -> tuple[int, ...]:
    return tuple(range(len(args)))


def _both(fn: Callable[..., Any], args: tuple) -> tuple[Any, Any]:
    """``value_and_grad`` with every argument, from the NumPy and the numba backend."""
    pos = _positions(args)
    numpy_vg = adc.value_and_grad(fn, grad_position=pos)
    numba_vg = adc.value_and_grad(fn, grad_position=pos, backend="numba")
    return numpy_vg(*args), numba_vg(*args)


def _same(got: Any, want: Any, rtol: float) -> None:
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, rtol)
        return
    # a float64 scalar may be a Python float or np.float64 (a subclass of float): the
    # NumPy backend itself returns either, by whether math or NumPy computed it
    floats = isinstance(got, float) and isinstance(want, float)
    assert floats or type(got) is type(want), (type(got), type(want))
    assert np.asarray(got).dtype == np.asarray(want).dtype
    assert np.shape(got) == np.shape(want)
    scale = np.max(np.abs(want), initial=1.0)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


def _rtol(args: tuple) -> float:
    f32 = any(np.asarray(a).dtype == np.float32 for a in args if not isinstance(a, float))
    return (ULPS * np.finfo(np.float32).eps) if f32 else ULPS * np.finfo(np.float64).eps


def _table() -> list[tuple[str, Callable[..., Any], tuple]]:
    np.random.seed(1)
    unary_shapes = [(), PY_FLOAT, (2, 3)]
    binary_shapes = [((2, 3), (2, 3)), ((3, 1), (4,)), (PY_FLOAT, (3,)), ((), (2, 3))]
    cases = [(f"{row.name}-{shape_id(s)}", scaled(row.fn, 1), (sample(row.lims, s),))
             for row in rules.UNARY for s in unary_shapes]
    cases += [(f"{row.name}-{shapes_id(s)}", scaled(row.fn, 2), tuple(sample_args(row, s)))
              for row in rules.BINARY for s in binary_shapes]
    cases += [(f"{row.name}-{shape_id(s)}-axis{a}{'-keepdims' if k else ''}".replace(" ", ""),
               _reduced(row.fn, a, k), (sample(row.lims, s),))
              for row in rules.REDUCTIONS for s, a, k in rules.AXES]
    cases += [(f"{row.name}-{shapes_id(s)}", scaled(row.fn, 2), tuple(sample_args(row, s)))
              for row in rules.MATMUL for s in [((3,), (3,)), ((3,), (3, 4)), ((2, 3), (3,)),
                                                ((2, 3), (3, 4))]]
    return cases


def _reduced(fn: Callable[..., Any], axis: Any, keepdims: bool) -> Callable[..., Any]:
    def reduced(a):
        return np.exp(fn(a, axis=axis, keepdims=keepdims) * 0.5)

    return reduced


TABLE = _table()


@pytest.mark.parametrize("name,fn,args", TABLE, ids=[c[0] for c in TABLE])
def test_rule_rows_match_the_numpy_backend(name: str, fn: Callable[..., Any],
                                           args: tuple) -> None:
    want, got = _both(fn, args)
    _same(got, want, _rtol(args) * max(1, np.size(args[0])))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_dtypes_and_scalar_types_are_kept(dtype: type, shape: tuple) -> None:
    """A float32 loss stays a float32 scalar (numba would return a Python float)."""
    def loss(x, w):
        return np.mean(np.tanh(x * w) ** 2 + 0.5 * np.log1p(x * x))

    x = np.asarray(np.linspace(-1, 1, int(np.prod(shape))).reshape(shape), dtype)
    w = dtype(0.7)
    want, got = _both(loss, (x, w))
    _same(got, want, 8 * np.finfo(dtype).eps * max(1, x.size))


def chain(x):
    return np.sum(np.sin(x) * np.exp(-x ** 2) + 0.5 * np.tanh(x) + np.log1p(x ** 2))


def test_an_elementwise_chain_and_its_adjoint_are_one_kernel() -> None:
    x = np.linspace(-2, 2, 1000)
    grad = adc.grad(chain, backend="numba")
    source = grad.compiled_for((x,)).source
    assert source.count("kernels.k_") == 1  # one kernel, and its twin for huge angles:
    assert source.count("@numba.njit") == 2 and source.count("_exact(") == 2
    assert "for i0 in range(1000):" in source
    assert "# grad of: return np.sum" in source  # the kernel points at the user's line
    np.testing.assert_allclose(grad(x), adc.grad(chain)(x), rtol=1e-14)


def logreg(X, y, w, b):  # noqa: N803 (the usual notation)
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def test_large_products_stay_blas_calls_between_kernels() -> None:
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(200, 100)), (rng.random(200) > 0.5) * 1.0,
            rng.normal(size=100) * 0.1, 0.5)
    grad = adc.grad(logreg, grad_position=(2, 3), backend="numba")
    fn_source = grad.compiled_for(args).source.split("def grad_logreg")[1]
    assert "X @ w" in fn_source and "g_z @ X" in fn_source
    assert fn_source.count("kernels.k_") == 1
    want = adc.grad(logreg, grad_position=(2, 3))(*args)
    _same(grad(*args), want, 1e-13)


def tiny(x, y, w, b):
    z = x @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def test_a_tiny_gradient_is_one_kernel_products_included() -> None:
    rng = np.random.default_rng(1)
    args = (rng.normal(size=5).astype(np.float32), np.float32([1, 0, 1]),
            rng.normal(size=(5, 3)).astype(np.float32), rng.normal(size=3).astype(np.float32))
    grad = adc.grad(tiny, grad_position=(2, 3), backend="numba")
    source = grad.compiled_for(args).source
    body = source.split("def grad_tiny")[1]
    assert body.count("kernels.k_") == 1 and "@" not in body and "np." not in body
    want = adc.grad(tiny, grad_position=(2, 3))(*args)
    _same(grad(*args), want, 1e-6)


def recurrent_step(h, u, b):
    return np.sum(np.tanh(h @ u + b) ** 2)


@pytest.mark.parametrize("n, fused", [(16, True), (32, True), (64, False)])
def test_a_vector_times_a_matrix_is_fused_only_while_small(n, fused) -> None:
    """A vector times a matrix reads the matrix down its columns: past 2048
    multiply-adds (a 64x64 recurrent step: 4.6 us fused, 2.6 us as BLAS and a kernel)
    it stays a NumPy call, where a square product's limit is 4096."""
    rng = np.random.default_rng(2)
    args = (rng.normal(size=n), rng.normal(size=(n, n)) / n, rng.normal(size=n))
    grad = adc.grad(recurrent_step, grad_position=(0, 1), backend="numba")
    body = grad.compiled_for(args).source.split("def grad_recurrent_step")[1]
    assert ("h @ u" not in body) == fused, body
    _same(grad(*args), adc.grad(recurrent_step, grad_position=(0, 1))(*args), 1e-12)


def test_large_nests_run_in_parallel_and_agree() -> None:
    x = np.linspace(-3, 3, kernels.PARALLEL_MIN * 2)
    vg = adc.value_and_grad(chain, backend="numba")
    source = vg.compiled_for((x,)).source
    assert "parallel=True" in source and "prange(" in source
    value, g = vg(x)
    want_value, want_g = adc.value_and_grad(chain)(x)
    _same(g, want_g, ULPS * np.finfo(float).eps)
    assert abs(value - want_value) <= x.size * np.finfo(float).eps * np.sum(np.abs(want_g))


def softmax_ce(w, x, labels):
    z = x @ w
    z = z - np.max(z, axis=1, keepdims=True)
    logp = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    return -np.mean(np.sum(logp * labels, axis=1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_reductions_along_axes_feed_later_stages(dtype: type) -> None:
    rng = np.random.default_rng(2)
    args = (rng.normal(size=(6, 4)).astype(dtype), rng.normal(size=(8, 6)).astype(dtype),
            np.eye(4, dtype=dtype)[rng.integers(0, 4, 8)])
    vg = adc.value_and_grad(softmax_ce, backend="numba")
    assert "_acc" in vg.compiled_for(args).source  # the sums are in the kernel
    _same(vg(*args), adc.value_and_grad(softmax_ce)(*args), 64 * np.finfo(dtype).eps)


def rnn(xs, w):
    h = np.zeros(3)
    for x in xs:
        h = np.tanh(w @ h + x)
    return np.sum(h ** 2)


def test_kernels_inside_loop_bodies() -> None:
    rng = np.random.default_rng(3)
    args = (rng.normal(size=(5, 3)), rng.normal(size=(3, 3)) * 0.5)
    vg = adc.value_and_grad(rnn, grad_position=(0, 1), backend="numba")
    assert "kernels.k_" in vg.compiled_for(args).source
    _same(vg(*args), adc.value_and_grad(rnn, grad_position=(0, 1))(*args), 1e-14)


def sum_until_large_or_ten_steps(s):
    acc, i = 0.0, 0
    while acc < 2.0 and i < 10:
        acc = acc + 0.3 + 0.1 * np.tanh(s * (i + 1))
        i = i + 1
    return acc


@pytest.mark.parametrize("s", [0.45, 0.3, -0.2])
def test_a_while_test_reading_two_kernel_results_reads_both(s) -> None:
    """The kernel computing ``acc < 2.0`` and ``i < 10`` returns both; both were named
    alike (their uses by the loop's test were counted before the test computed them):
    ``acc < 2.0`` dropped, ten iterations always."""
    want, got = _both(sum_until_large_or_ten_steps, (s,))
    assert got[0] == pytest.approx(sum_until_large_or_ten_steps(s), rel=1e-14)
    _same(got, want, 1e-14)


def test_nan_and_inf_follow_numpy() -> None:
    def f(x):
        return np.sum(np.log(x) / x + np.sqrt(x))

    x = np.array([0.0, -1.0, 2.0, np.inf])
    with np.errstate(all="ignore"):
        want, got = _both(f, (x,))
    np.testing.assert_array_equal(np.isnan(got[1][0]), np.isnan(want[1][0]))
    np.testing.assert_allclose(got[1][0], want[1][0], rtol=1e-14)


def named_after_builtins(x, y):
    abs = np.abs(y * x)  # noqa: A001 (the names are the point)
    max = np.tanh(abs) + np.sin(x)  # noqa: A001
    float = np.exp(max * 0.5)  # noqa: A001
    return np.sum(float * np.cos(max))


def test_values_named_after_builtins_do_not_shadow_what_a_kernel_calls() -> None:
    """Fuzz seed 3003 (numba): a value named ``abs`` in a kernel shadowed the builtin
    its range check calls (numba's ``TypingError``)."""
    rng = np.random.default_rng(4)
    args = (rng.normal(size=(2, 3)), rng.normal(size=(3,)))
    want, got = _both(named_after_builtins, args)
    _same(got, want, 1e-13)


def named_like_loop_counters(i0, i1):
    return np.sum(np.tanh(i0) * i1 + i0 * i0)


def test_arguments_named_like_a_kernels_loop_counters_keep_their_values() -> None:
    """A scalar argument ``i1`` was the kernel's loop counter ``for i1 in range(n)``:
    numba took the float for the int, and the value and gradient were silently those of
    ``i1 = 0, 1, 2``; an array ``i0`` was numba's TypingError."""
    rng = np.random.default_rng(5)
    for args in [(rng.normal(size=(2, 3)), 2.5), (rng.normal(size=(2, 3)),
                                                    rng.normal(size=(2, 3)))]:
        want, got = _both(named_like_loop_counters, args)
        _same(got, want, 1e-13)


FLOOR_OPERANDS = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 3.3, -3.3, 0.5, -0.5, 7.5,
                           -2.0, 1e300, -1e-300, 2.0])


def floored(a, b):
    quotient, remainder = np.floor_divide(a, b), np.mod(a, b)
    return np.sum(np.tanh(a) * b), (quotient * 1.0, remainder * 1.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_floor_divide_and_mod_follow_numpy_at_inf_nan_zero_and_signed_zero(dtype) -> None:
    """Fused, ``inf // 0.5`` was inf (NumPy: nan), ``-5 // inf`` -0.0 (NumPy: -1) and
    ``2 % -0.5`` +0.0 (NumPy: -0.0): numba's scalar spellings, not NumPy's."""
    a, b = (g.ravel().astype(dtype) for g in np.meshgrid(FLOOR_OPERANDS, FLOOR_OPERANDS))
    with np.errstate(all="ignore"):
        want = np.floor_divide(a, b), np.mod(a, b)
        (_, got), _ = adc.value_and_grad(floored, has_aux=True, backend="numba")(a, b)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)
        np.testing.assert_array_equal(np.signbit(g), np.signbit(w))


def test_show_prints_the_kernels_above_the_function(tmp_path: Path) -> None:
    model = tmp_path / "model.py"
    model.write_text(textwrap.dedent("""\
        import numpy as np

        def loss(x):
            return np.sum(np.exp(x) * np.sin(x))
        """))
    out = subprocess.run([sys.executable, "-m", "autodiff_compiler", "show",
                          f"{model}:loss", "--backend", "numba", "--example", "np.ones(4)"],
                         capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert out.returncode == 0, out.stderr
    kernel, _, function = out.stdout.partition("def grad_loss")
    assert "@numba.njit" in kernel and "# grad of: return np.sum" in kernel
    assert "kernels.k_" in function


def test_kernels_are_files_numba_caches(tmp_path: Path) -> None:
    """A second process finds the kernel's file and numba's machine code for it."""
    script = tmp_path / "use.py"
    script.write_text(textwrap.dedent("""\
        import numpy as np, autodiff_compiler as adc

        def loss(x):
            return np.sum(np.cosh(x) * np.arctan(x))

        print(adc.grad(loss, backend="numba")(np.linspace(0, 1, 7)).sum())
        """))
    env = {**os.environ, "AUTODIFF_COMPILER_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": str(Path(__file__).parents[1])}
    runs = [subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           env=env) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr + runs[1].stderr
    assert runs[0].stdout == runs[1].stdout
    kernels_dir = tmp_path / "cache" / "numba"
    assert len(list(kernels_dir.glob("k_*.py"))) == 1
    assert list(kernels_dir.glob("__pycache__/*.nbi"))  # numba's index of compiled code


def test_plans_put_a_reductions_readers_in_a_later_stage() -> None:
    x = np.ones((4, 5))

    def centred(x):
        return np.sum((x - np.mean(x, axis=1, keepdims=True)) ** 2)

    ir_fn = adc.grad(centred, backend="numba").compiled_for((x,)).ir
    run = [e for e in ir_fn.eqns if fusion.role(e) is not None]
    plan = fusion.plan(run, set(ir_fn.outvars))
    nests = [s for s in plan.stages if s.shape is not None]
    mean = next(e for e in run if e.prim.name == "reduce_mean")
    reader = next(e for e in run if mean.outvars[0] in e.invars)
    assert next(s for s in nests if mean in s.eqns) is not next(
        s for s in nests if reader in s.eqns)


def test_content_names_differ_by_source() -> None:
    assert cache.content_name("k", "a") != cache.content_name("k", "b")
    assert cache.content_name("k", "a") == cache.content_name("k", "a")


def checkpointed_rnn(xs, w):
    h = np.zeros(3)
    for t in adc.checkpointed(range(xs.shape[0])):
        h = np.tanh(w @ h + xs[t]) * 0.5 + h * 0.5
    return np.sum(h ** 2)


def test_kernels_of_the_functions_a_gradient_calls_are_shown_and_run() -> None:
    """A checkpointed loop's recomputation is a function the gradient calls: its
    kernels are fused, written above it and called from inside it."""
    rng = np.random.default_rng(4)
    args = (rng.normal(size=(6, 3)), rng.normal(size=(3, 3)) * 0.5)
    vg = adc.value_and_grad(checkpointed_rnn, grad_position=(0, 1), backend="numba")
    source = vg.compiled_for(args).source
    defined = {line.split("(")[0][4:] for line in source.splitlines()
               if line.startswith("def k_")}
    called = {part.split("(")[0] for part in source.split("kernels.")[1:]}
    assert called and called <= defined
    _same(vg(*args), adc.value_and_grad(checkpointed_rnn, grad_position=(0, 1))(*args), 1e-14)


def test_the_readmes_kernel_is_what_show_prints() -> None:
    root = Path(__file__).parents[1]
    section = (root / "README.md").read_text().split("## Fused kernels", 1)[1]
    shown = section.split("```python\n")[2].split("```", 1)[0]
    out = subprocess.run([sys.executable, "-m", "autodiff_compiler", "show",
                          "examples/seed_tutorial.py:function", "--grad-position", "2,3",
                          "--example", "x, y, w, b", "--backend", "numba"],
                         capture_output=True, text=True, cwd=root,
                         env={**os.environ, "PYTHONPATH": str(root)})
    assert out.returncode == 0, out.stderr
    printed = "\n".join(line for line in out.stdout.splitlines()
                        if not line.startswith("[examples/"))
    assert printed.strip() == shown.strip()


def masked(x, y):
    clean = np.where(np.isnan(x) | np.isinf(x), 0.0, x)
    return np.sum(clean * y + np.isfinite(x) * y * 0.5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_predicates_of_a_numbers_class_read_it_unconverted(dtype: type) -> None:
    x = np.array([1.5, np.nan, -np.inf, 0.25, np.inf, -2.0], dtype)
    y = np.linspace(0.5, 1.0, 6).astype(dtype)
    want, got = _both(masked, (x, y))
    _same(got[1][1], want[1][1], 8 * np.finfo(dtype).eps)  # d/dy: the mask's values
    _same(got[0], want[0], 8 * np.finfo(dtype).eps)


def float_summed_in_a_loop(x, y, z):
    acc = y * z[::-1][:3] * 1.0
    c = 1.0 + np.tanh(adc.ops.stop_gradient(y))
    while c < 3.0:
        acc = acc + np.tanh(acc + acc - y * 0.5)
        c = c + 0.75
    return np.sin(acc * 0.5).mean()


def test_a_python_floats_running_sum_reaches_a_kernel_as_a_0d_array() -> None:
    """The gradient of a float ``y`` read in a loop is summed into ``np.zeros_like(y)``,
    a 0-d array: a kernel converting it to float32 took it for a number (fuzz seed
    9178 on --backend numba)."""
    x = np.array([-0.9, -0.4, 0.1], np.float32)
    z = np.linspace(-1, 1, 8).reshape(4, 2).astype(np.float32)
    (value, grads), (numba_value, numba_grads) = _both(float_summed_in_a_loop, (x, 0.15, z))
    np.testing.assert_allclose(numba_value, value, rtol=1e-6)
    for got, want in zip(numba_grads, grads):  # y's: float32 sums, float64 in NumPy's
        np.testing.assert_allclose(got, want, rtol=1e-6)  # in-place 0-d running sum
