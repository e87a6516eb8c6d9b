"""``print(...)`` inside a differentiated function: run once per call on the forward
values, as MindSpore's PyNative mode runs it, never in the adjoint, and no gradient
flows through it (issue 12)."""
from __future__ import annotations

import logging
import warnings

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import Parameter, Tensor, nn, ops
from autodiff_compiler.errors import AutodiffError

X = np.array([0.5, 1.0])


def printed_sine(x):
    y = np.sin(x)
    print("y =", y)
    return np.sum(y * x)


def expected_grad(x):
    return np.sin(x) + x * np.cos(x)


def test_grad_prints_forward_value_once(capsys):
    g = adc.grad(printed_sine)(X)
    assert capsys.readouterr().out == f"y = {np.sin(X)}\n"
    np.testing.assert_allclose(g, expected_grad(X))
    adc.grad(printed_sine)(X * 2)  # the cached program prints the new values
    assert capsys.readouterr().out == f"y = {np.sin(X * 2)}\n"


def test_value_and_grad_prints_once(capsys):
    value, g = adc.value_and_grad(printed_sine)(X)
    assert capsys.readouterr().out == f"y = {np.sin(X)}\n"
    assert value == pytest.approx(np.sum(np.sin(X) * X))
    np.testing.assert_allclose(g, expected_grad(X))


def test_jvp_prints_once(capsys):
    out, tangent = adc.jvp(printed_sine, (Tensor(X),), (Tensor(np.ones(2)),))
    assert capsys.readouterr().out == f"y = {np.sin(X)}\n"
    assert float(out) == pytest.approx(np.sum(np.sin(X) * X))
    assert float(tangent) == pytest.approx(np.sum(expected_grad(X)))


def test_print_does_not_change_the_gradient_source():
    source = adc.gradient_source(printed_sine, args=(X,))
    assert source.count("print(") == 1
    assert source.index("print(") < source.index("grad of:")  # forward pass only


def loop_prints(x):
    s = 0.0
    for i in range(3):
        s = s + np.sum(np.sin(x) * x) * i
        print("iteration", i, "s", s)
    return s


def test_loop_prints_each_iteration(capsys):
    g = adc.grad(loop_prints)(X)
    total = np.sum(np.sin(X) * X)
    assert capsys.readouterr().out == "".join(f"iteration {i} s {total * sum(range(i + 1))}\n"
                                              for i in range(3))
    np.testing.assert_allclose(g, 3 * expected_grad(X))


def while_prints(x, limit):
    s = x
    while np.sum(s) < limit:
        print("s", s, sep=": ", end=";\n")
        s = s * 2.0
    return np.sum(s)


def test_while_prints_each_iteration_with_sep_and_end(capsys):
    g = adc.grad(while_prints)(X, 5.0)
    assert capsys.readouterr().out == f"s: {X};\ns: {X * 2};\n"
    np.testing.assert_allclose(g, [4.0, 4.0])


def branch_prints(x):
    if np.sum(x) > 1:
        print("big", x)
        return np.sum(x)
    print("small")
    return 2 * np.sum(x)


def test_branch_prints_only_the_branch_taken(capsys):
    np.testing.assert_allclose(adc.grad(branch_prints)(X), [1.0, 1.0])
    assert capsys.readouterr().out == f"big {X}\n"
    np.testing.assert_allclose(adc.grad(branch_prints)(X / 10), [2.0, 2.0])
    assert capsys.readouterr().out == "small\n"


def test_second_order_prints_once(capsys):
    g2 = adc.grad(adc.grad(printed_sine))(0.5)
    assert capsys.readouterr().out == f"y = {np.sin(0.5)}\n"
    assert g2 == pytest.approx(2 * np.cos(0.5) - 0.5 * np.sin(0.5))


def test_vmap_prints_the_batched_value(capsys):
    xs = np.array([[0.5, 1.0], [1.5, 2.0]])
    gs = adc.vmap(adc.grad(printed_sine))(xs)
    assert capsys.readouterr().out == f"y = {np.sin(xs)}\n"
    np.testing.assert_allclose(gs, expected_grad(xs))


def printed_with_a_spec(x):
    total = np.sum(np.sin(x))
    print(f"total {total:.3f} ({total!r:>8})")
    return total * total


@pytest.mark.parametrize("transform", [adc.vmap, lambda f: adc.vmap(adc.vmap(f))],
                         ids=["vmap", "vmap_of_vmap"])
def test_vmap_applies_an_f_strings_format_spec_to_each_entry(transform, capsys):
    """A spec is written for one example's number (NumPy takes none for an array): the
    batch's text shows each entry so formatted."""
    xs = np.array([[0.5, 1.0], [1.5, 2.0]])
    if transform is not adc.vmap:
        xs = xs[None]
    out = transform(printed_with_a_spec)(xs)
    totals = np.sum(np.sin(xs), axis=-1)
    entries = np.array2string(totals, separator=" ",
                              formatter={"all": lambda t: f"{t:.3f}"})
    assert capsys.readouterr().out == f"total {entries} ({totals!r:>8})\n"
    np.testing.assert_allclose(out, totals ** 2)


def printed_by_format_calls(x):
    total = np.sum(np.sin(x))
    print("total {:.3f} of {}".format(total, 2), format(total, ".2e"), str(total),  # noqa: UP032
          repr(total))
    return total * total


@pytest.mark.parametrize("transform", [adc.grad, adc.vmap], ids=["grad", "vmap"])
def test_str_format_format_str_and_repr_of_run_time_values(transform, capsys):
    """Formatted where the program runs, as the f-string is (they were refused as calls
    without a derivative rule)."""
    x = np.array([0.5, 1.0])
    xs = np.stack([x, 2 * x])
    transform(printed_by_format_calls)(x if transform is adc.grad else xs)
    printed_by_format_calls(x)
    got, want = capsys.readouterr().out.splitlines()
    if transform is adc.grad:
        assert got == want
    else:
        totals = np.sum(np.sin(xs), axis=1)
        entries = np.array2string(totals, separator=" ",
                                  formatter={"all": lambda t: f"{t:.3f}"})
        assert got.startswith(f"total {entries} of 2 ")


def printed_vector_with_a_spec(x):
    print(f"{x:.3f}")
    return np.sum(x)


def test_vmap_refuses_a_spec_for_an_examples_array_as_numpy_does():
    """Each example's value is a vector: NumPy takes no spec for it, with or without
    vmap (the batch's entries are not formatted one by one)."""
    xs = np.ones((2, 3))
    with pytest.raises(TypeError, match="unsupported format string"):
        printed_vector_with_a_spec(xs[0])
    with pytest.raises(TypeError, match="unsupported format string"):
        adc.vmap(printed_vector_with_a_spec)(xs)


def test_vmap_of_a_branch_on_a_batched_condition_prints_per_example(capsys):
    xs = np.array([[1.0, 1.0], [0.1, 0.1]])
    gs = adc.vmap(adc.grad(branch_prints))(xs)
    assert capsys.readouterr().out == f"big {xs[0]}\nsmall\n"
    np.testing.assert_allclose(gs, [[1.0, 1.0], [2.0, 2.0]])


class Printing(nn.Cell):
    def __init__(self) -> None:
        super().__init__()
        self.w = Parameter(Tensor(np.array([2.0, -1.0], np.float32)), name="w")

    def construct(self, x):
        y = x * self.w
        print("y:", y)
        return ops.sum(y * y)


def test_cell_construct_prints_tensors_as_tensors_print(capsys):
    net = Printing()
    x = Tensor(X.astype(np.float32))
    (g,) = adc.grad(net, None, net.trainable_params())(x)
    assert capsys.readouterr().out == f"y: {Tensor(X.astype(np.float32) * net.w)}\n"
    np.testing.assert_allclose(g, 2 * X ** 2 * np.array([2.0, -1.0]), rtol=1e-6)


def test_recomputed_cell_prints_once(capsys):
    class Block(nn.Cell):
        def construct(self, x):
            print("block", x)
            return ops.sin(x)

    block = Block()
    block.recompute()
    g = adc.grad(lambda x: ops.sum(block(x) * 2))(X)
    assert capsys.readouterr().out == f"block {X}\n"
    np.testing.assert_allclose(g, 2 * np.cos(X))


def test_print_to_a_file_is_refused():
    import sys

    def f(x):
        print(x, file=sys.stderr)
        return np.sum(x)

    with pytest.raises(AutodiffError, match=r"test_print.py:\d+.*print\(\.\.\., file="):
        adc.grad(f)(X)


def test_print_of_a_list_of_arrays_is_refused():
    def f(x):
        print([x, x])
        return np.sum(x)

    with pytest.raises(AutodiffError, match="print of a list holding array values"):
        adc.grad(f)(X)


def _printed_levels(x, n):
    print("level", n)
    if n <= 0:
        return x
    return np.sin(_printed_levels(x, n - 1))


def test_recursion_on_a_run_time_depth_prints_each_level_once(capsys):
    g = adc.grad(lambda x, k: np.sum(_printed_levels(x, np.sum(k))))(np.array([0.5]),
                                                                     np.array([2]))
    assert capsys.readouterr().out == "level 2\nlevel 1\nlevel 0\n"
    np.testing.assert_allclose(g, np.cos(np.sin(0.5)) * np.cos(0.5))


def formatted(x):
    loss = np.sum(x ** 2)
    print(f"loss={loss:.3f} x={x!r} {{literal}} {'known'} {len(x)}")
    assert loss < 100, f"loss too big: {loss}"
    return loss


def test_fstrings_of_run_time_values_are_formatted_when_the_code_runs(capsys):
    g = adc.grad(formatted)(X)
    loss = np.sum(X ** 2)
    assert capsys.readouterr().out == f"loss={loss:.3f} x={X!r} {{literal}} known 2\n"
    np.testing.assert_allclose(g, 2 * X)
    with pytest.raises(AssertionError, match=f"loss too big: {np.sum((X * 10) ** 2)}"):
        adc.grad(formatted)(X * 10)


def test_fstring_of_a_list_of_arrays_is_refused():
    def f(x):
        print(f"{[x, x]}")
        return np.sum(x)

    with pytest.raises(AutodiffError, match="f-string of a list or tuple holding array"):
        adc.grad(f)(X)


# ---------------------------------------------------------------------------- logs, warnings
# Called as Python where the program runs, on the forward values, once per call (their
# own source, with its try statements and locks, is not compiled).

LOG = logging.getLogger("tests.reports")


def logged_sine(x):
    y = np.sin(x)
    LOG.warning("total %.4f of %s values", np.sum(y), np.size(y))
    logging.getLogger("tests.reports").info("y = %s", y)
    return np.sum(y * x)


def test_a_logger_logs_the_forward_values_once_per_call(caplog):
    caplog.set_level(logging.INFO, logger="tests.reports")
    for x in (X, X * 2):
        caplog.clear()
        np.testing.assert_allclose(adc.grad(logged_sine)(x), expected_grad(x))
        assert [r.getMessage() for r in caplog.records] == \
            [f"total {np.sum(np.sin(x)):.4f} of 2 values", f"y = {np.sin(x)}"]


@pytest.mark.parametrize("transform", [
    lambda f: adc.jvp(f, (X,), (np.ones(2),)),
    lambda f: adc.grad(adc.grad(lambda x: f(x) * 1.0))(0.5),
    lambda f: adc.jacfwd(f)(X),
], ids=["jvp", "grad_of_grad", "jacfwd"])
def test_other_transforms_log_once(transform, caplog):
    transform(logged_sine)
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


def test_vmap_logs_each_examples_values_in_the_format_written_for_one():
    """A "%.4f" is written for one example's scalar: each example logs its own."""
    xs = np.array([[0.5, 1.0], [1.5, 2.0]])
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    LOG.addHandler(handler)
    try:
        gs = adc.vmap(adc.grad(logged_sine))(xs)
    finally:
        LOG.removeHandler(handler)
    np.testing.assert_allclose(gs, expected_grad(xs))
    assert records == [f"total {np.sum(np.sin(row)):.4f} of 2 values" for row in xs]


def warns_when_large(x):
    if np.max(np.abs(x)) > 10.0:
        warnings.warn("large input", RuntimeWarning, stacklevel=2)
    return np.sum(x ** 2)


def test_a_warning_is_issued_only_on_the_path_taken():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(adc.grad(warns_when_large)(X), 2 * X)
    with pytest.warns(RuntimeWarning, match="large input"):
        np.testing.assert_allclose(adc.grad(warns_when_large)(X * 30), 60 * X)


def test_a_log_is_in_the_forward_pass_of_the_gradient_source():
    source = adc.gradient_source(logged_sine, args=(X,))
    assert source.index("(y)\n") < source.index("grad of:")  # the logger's call of y


@pytest.mark.parametrize("backend", ["numba", "array_api"])
def test_other_backends_log_too(backend, caplog):
    if backend == "numba":
        pytest.importorskip("numba")
    caplog.set_level(logging.INFO, logger="tests.reports")
    np.testing.assert_allclose(adc.grad(logged_sine, backend=backend)(X), expected_grad(X))
    assert [r.getMessage() for r in caplog.records] == \
        [f"total {np.sum(np.sin(X)):.4f} of 2 values", f"y = {np.sin(X)}"]


def test_a_log_record_and_a_warning_name_the_users_line(caplog):
    """They named the compiler's own module, so a log format's %(lineno)d and a filter
    by module (filterwarnings(module=...)) saw another place than the plain function."""
    caplog.set_level(logging.INFO, logger="tests.reports")
    x = np.array([20.0, 1.0])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for fn in (warns_when_large, adc.grad(warns_when_large)):  # (one line: stacklevel=2)
            fn(x)
        adc.grad(logged_sine)(x)
    plain, compiled = caught[0], caught[1]
    assert (compiled.filename, compiled.lineno) == (plain.filename, plain.lineno)
    record = next(r for r in caplog.records if r.getMessage().startswith("total"))
    assert (record.filename, record.funcName) == ("test_print.py", "logged_sine")
    assert record.lineno == logged_sine.__code__.co_firstlineno + 2
