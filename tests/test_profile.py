"""``profile``: the gradient's time and taped bytes by the user's source line.

Times are measured, so the tests compare them only where the gap is orders of
magnitude (an exponential over a million elements against a ten-element product);
taped bytes are exact, checked against the residuals the generated code reads.
"""
import inspect
import json
import re
import shlex
import time

import numpy as np
import pytest
from cli_helpers import ROOT, TUTORIAL, run
from profile_cases import (
    one_expensive_line,
    residuals,
    scalars,
    scaled,
    tape_loop,
    while_and_branch,
)

import autodiff_compiler as adc
from autodiff_compiler import instrument
from autodiff_compiler.profiling import LineCost, Profile

# Nothing here depends on the NumPy version: CI runs it once (pyproject.toml).
pytestmark = pytest.mark.once


def line_of(fn, text: str) -> int:
    """The line number of the line of ``fn`` holding ``text``."""
    lines, start = inspect.getsourcelines(fn)
    return start + next(i for i, line in enumerate(lines) if text in line)


def row(report: Profile, fn, text: str) -> LineCost:
    line = line_of(fn, text)
    return next(r for r in report.rows if r.line == line)


# ---------------------------------------------------------------------------- times


def test_the_expensive_line_takes_the_largest_share():
    x, big = np.linspace(0.0, 0.1, 10), np.linspace(0.0, 1.0, 1_000_000)
    report = adc.profile(adc.grad(one_expensive_line), x, big, repeat=5)
    heavy = row(report, one_expensive_line, "np.exp(big")
    assert heavy.share > 0.8
    assert heavy.forward_ns > 0 and heavy.adjoint_ns > 0  # exp, and its adjoint's sum
    assert max(report.rows, key=lambda r: r.share) is heavy
    for cheap in ("x * 2.0", "np.tanh"):
        assert row(report, one_expensive_line, cheap).total_ns < heavy.total_ns / 50


def test_rows_are_in_source_order_and_add_up_to_the_total():
    x, w = np.linspace(-1, 1, 12).reshape(3, 4), np.eye(4) * 0.5
    report = adc.profile(adc.grad(tape_loop), x, w, repeat=5)
    lines = [r.line for r in report.rows]
    assert lines == sorted(lines)
    assert lines[0] > line_of(tape_loop, "def tape_loop")
    every = [*report.rows, report.other]
    total = report.total
    assert total.forward_ns == pytest.approx(sum(r.forward_ns for r in every))
    assert total.adjoint_ns == pytest.approx(sum(r.adjoint_ns for r in every))
    assert total.taped_bytes == sum(r.taped_bytes for r in every)
    assert sum(r.share for r in every) == pytest.approx(1.0)
    assert all(r.forward_ns >= 0 and r.adjoint_ns >= 0 for r in every)
    assert report.call_ns > 0 and report.repeat == 5


def test_profiling_leaves_the_gradient_as_it_was():
    x = np.linspace(-1, 1, 7)
    gradient = adc.grad(residuals)
    source, expected = gradient.source(x), gradient(x)
    adc.profile(gradient, x, repeat=3)
    assert gradient.source(x) == source
    np.testing.assert_array_equal(gradient(x), expected)


def test_the_timed_copy_computes_what_the_gradient_does():
    """Every statement, in loops and branches, still runs once, in order."""
    gradient = adc.grad(while_and_branch)
    for x in (np.linspace(0.1, 1, 5), -np.linspace(0.1, 1, 5)):
        compiled = gradient.compiled_for((x,))
        locs = compiled.line_locs

        def where(lineno, locs=locs):
            loc = locs.get(lineno)
            return None if loc is None else (loc.line % 7, loc.adjoint)

        p = instrument.prefix_for(compiled.source)
        times, counts = [0] * 16, [0] * 16
        namespace = dict(compiled.fn.__globals__, **{
            f"{p}clock": time.perf_counter_ns, f"{p}time": times, f"{p}count": counts})
        exec(compile(instrument.timed(compiled.source, where, p), "<timed>", "exec"),
             namespace)
        timed = namespace[compiled.ir.name]
        np.testing.assert_array_equal(timed(x), compiled.fn(x))
        assert sum(counts) >= 4 * 2  # the loop's statements ran per iteration
        assert all(t >= 0 for t in times)


def test_bookkeeping_in_a_loop_counts_for_the_loops_line():
    """Tape appends and reads and the sums of the weight's gradient have no line of
    their own: they are the loop's, not the generated code's row."""
    x, w = np.linspace(-1, 1, 12).reshape(3, 4), np.eye(4) * 0.5
    compiled = adc.grad(tape_loop, (0, 1)).compiled_for((x, w))
    source = compiled.source
    loop = line_of(tape_loop, "for _ in range(3)")

    def where(lineno):
        loc = compiled.line_locs.get(lineno)
        return None if loc is None else (int(loc.line == loop), loc.adjoint)

    p = instrument.prefix_for(source)
    times, counts = [0] * 5, [0] * 5
    namespace = dict(compiled.fn.__globals__, **{
        f"{p}clock": time.perf_counter_ns, f"{p}time": times, f"{p}count": counts})
    exec(compile(instrument.timed(source, where, p), "<timed>", "exec"), namespace)
    namespace[compiled.ir.name](x, w)
    forward, adjoint = instrument.slot(1, False), instrument.slot(1, True)
    assert counts[forward] == 3  # an append per iteration
    # the adjoint loop: w laid out for it (opt.layout) and the stacks its steps record
    # (opt.loop_sums), then per iteration a tape read, its record and a move, and after
    # it the weight's gradient, the stacks' product
    for text in ("w_t = np.array(w.T, order='C')", "hs = np.zeros((3, 3, 4), dtype=np.float64)",
                 "h = h_tape[i]", "hs[i] = h", "x = h",
                 "g_w = np.tensordot(hs, g_matmuls, axes=((0, 1), (0, 1)))"):
        assert f"    {text}\n" in source
    assert counts[adjoint] == 3 + 3 * 3 + 1
    assert counts[instrument.OTHER] >= 1  # the return, at least


# ---------------------------------------------------------------------------- taped bytes


def test_taped_bytes_are_the_residuals_the_adjoint_reads():
    x = np.linspace(-1, 1, 7)
    gradient = adc.grad(residuals)
    source = gradient.source(x)
    # what the adjoint reads of the forward pass: h (in cos(h)), a and b
    assert "np.cos(h)" in source and "b + a * b" in source
    report = adc.profile(gradient, x, repeat=2)
    for text in ("h = x * 3.0", "a = np.sin(h)", "b = np.exp(a)"):
        assert row(report, residuals, text).taped_bytes == x.nbytes == 56
    assert report.total.taped_bytes == 3 * x.nbytes
    assert report.other.taped_bytes == 0


def test_a_loop_tapes_each_iterations_value():
    x, w = np.linspace(-1, 1, 12).reshape(3, 4), np.eye(4) * 0.5
    gradient = adc.grad(tape_loop)
    assert "_tape.append(" in gradient.source(x, w)
    report = adc.profile(gradient, x, w, repeat=3)
    body = row(report, tape_loop, "np.tanh(h @ w)")
    assert body.taped_bytes == 3 * x.nbytes  # h after each of the three iterations
    assert body.forward_ns > 0 and body.adjoint_ns > 0
    assert report.total.taped_bytes == 3 * x.nbytes


def test_a_while_loop_tapes_the_values_it_made_not_the_argument():
    x = np.linspace(0.1, 1, 5)
    # the body is taped on entry to each of the four iterations: the argument first
    # (the caller holds it), then three values the body made; the fourth it made is
    # kept for the adjoint of `y = s * s`
    gradient = adc.grad(while_and_branch)
    assert "s_tape.append(x)" in gradient.source(x)
    report = adc.profile(gradient, x, repeat=3)
    assert row(report, while_and_branch, "np.sin(s) * 1.5").taped_bytes == 4 * x.nbytes
    assert row(report, while_and_branch, "y = s * s").taped_bytes == 0  # reads s only


def test_an_argument_handed_on_is_not_counted():
    """A line that returns its argument as it is (``np.asarray(x)``) tapes nothing:
    the caller holds the argument anyway."""
    x, made = np.ones(4), np.ones(4)
    kept: dict = {}
    helpers = instrument.namespace("_p_", {"y": 0, "m": 1}, kept, [x])
    helpers["_p_reads"](("y", "m", "unset"), {"y": x, "m": made})
    helpers["_p_tape"](x, 0)
    assert list(kept.values()) == [(made, 1)]


def test_python_floats_tape_eight_bytes():
    gradient = adc.grad(scalars)
    assert "math.sin(a)" in gradient.source(1.0, 2.0)
    report = adc.profile(gradient, 1.0, 2.0, repeat=3)
    assert row(report, scalars, "a = x * y").taped_bytes == 8
    assert row(report, scalars, "b = np.sin(a)").taped_bytes == 8


# ---------------------------------------------------------------------------- report


def test_the_report_prints_a_table_and_converts_to_json():
    x = np.linspace(-1, 1, 7)
    report = adc.profile(adc.value_and_grad(residuals), x, repeat=3)
    assert report.name == "value_and_grad_residuals"
    text = str(report)
    lines = text.splitlines()
    assert lines[1].split()[:5] == ["line", "forward", "µs", "adjoint", "µs"]
    assert any(line.endswith("a = np.sin(h)") and line.lstrip().startswith(
        str(line_of(residuals, "np.sin(h)"))) for line in lines)
    assert lines[-1].split()[-3:] == ["B", "100.0%", "total"]
    data = json.loads(json.dumps(report.to_dict()))
    assert [r["line"] for r in data["rows"]] == [r.line for r in report.rows]
    assert data["total"]["taped_bytes"] == 3 * x.nbytes
    assert data["rows"][0]["source"] == "h = x * 3.0"


def calls_a_helper(x):
    return residuals(x * 2.0)


def test_a_called_functions_lines_follow_the_functions_own():
    x = np.linspace(-1, 1, 7)
    report = adc.profile(adc.grad(calls_a_helper), x, repeat=2)
    home = line_of(calls_a_helper, "return residuals")
    helper = [line_of(residuals, text) for text in ("x * 3.0", "np.sin", "np.exp")]
    assert [(r.function, r.line) for r in report.rows] == \
        [("calls_a_helper", home)] + [("residuals", line) for line in helper]
    assert row(report, residuals, "b = np.exp(a)").taped_bytes == x.nbytes
    table = str(report).splitlines()
    assert table[2].split()[0] == str(home)
    assert table[3].split()[0].endswith(f"profile_cases.py:{helper[0]}")


def test_a_gradient_with_no_line_of_its_own_is_all_generated_code():
    gradient = adc.grad(scaled)
    assert "grad of" not in gradient.source(np.ones(3))  # the seed is the gradient
    report = adc.profile(gradient, np.ones(3), repeat=2)
    assert report.rows == []
    assert report.other.share == report.total.share == 1.0
    assert str(report).splitlines()[2].split()[-1] == "return)"


def test_a_jacobian_or_vmap_program_is_profiled_as_it_runs():
    x = np.linspace(-1, 1, 5)
    jacobian = adc.jacrev(residuals)
    expected = jacobian(x)
    report = adc.profile(jacobian, x, repeat=2)
    assert report.name == "jacrev_residuals"
    assert [r.taped_bytes for r in report.rows] == [x.nbytes] * 3  # h, a, b as for grad
    np.testing.assert_array_equal(jacobian(x), expected)
    batch = np.ones((3, 5))
    report = adc.profile(adc.vmap(adc.grad(residuals)), batch, repeat=2)
    assert report.name == "vmap_residuals"
    assert report.total.taped_bytes == 3 * batch.nbytes


def test_keyword_arguments_are_bound_as_for_the_call():
    x = np.linspace(-1, 1, 7)
    report = adc.profile(adc.grad(residuals), x=x, repeat=2)
    assert report.total.taped_bytes == 3 * x.nbytes


# ---------------------------------------------------------------------------- errors


def test_a_plain_function_is_refused_with_what_to_pass():
    with pytest.raises(adc.AutodiffError, match=r"profile takes a compiled gradient.*"
                       r"\n.*hint: pass grad\(f\)"):
        adc.profile(residuals, np.ones(3))


def test_repeat_must_be_positive():
    with pytest.raises(adc.AutodiffError, match="repeat must be a positive int"):
        adc.profile(adc.grad(residuals), np.ones(3), repeat=0)


def test_an_error_in_the_gradient_names_the_users_line():
    def mismatched(x, w):
        return np.sum(x @ w)

    with pytest.raises(ValueError) as info:
        adc.profile(adc.grad(mismatched), np.ones((2, 3)), np.ones((4, 2)))
    assert "return np.sum(x @ w)" in "\n".join(getattr(info.value, "__notes__", []))


# ---------------------------------------------------------------------------- command line


def test_cli_prints_the_tutorials_profile():
    done = run("profile", f"{TUTORIAL}:function", "--grad-position", "2,3",
               "--example", "x, y, w, b", "--repeat", "3")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("grad_function (examples/seed_tutorial.py:20): median of 3")
    assert any(line.lstrip().startswith("21 ") and line.endswith("+ b") for line in lines)
    assert lines[-1].endswith("100.0%  total")


def test_cli_json_output():
    done = run("profile", f"{TUTORIAL}:function", "--grad-position", "2,3",
               "--example", "x, y, w, b", "--repeat", "2", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [r["line"] for r in data["rows"]] == [21, 22]
    assert data["repeat"] == 2
    # z (float32, 3) and what the loss's adjoint keeps of it
    assert data["rows"][0]["taped_bytes"] == 12


def test_cli_profiles_a_cells_weights():
    """The tutorial's ``forward_fn`` with respect to the Network's weights: the Cell's
    line (67) and the function's own (77), in source order."""
    done = run("profile", f"{TUTORIAL}:forward_fn", "--grad-position", "none",
               "--weights", "w,b", "--example", "x, y", "--repeat", "2", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["rows"]
    assert [(r["line"], r["function"]) for r in rows] == [(67, "Network.construct"),
                                                         (77, "forward_fn")]
    assert rows[0]["source"] == "z = ops.matmul(x, self.w) + self.b"
    assert rows[0]["taped_bytes"] == 3 * 4  # z: float32 (3,), read by the loss's adjoint


@pytest.mark.parametrize(("args", "message"), [
    (["examples/nowhere.py:f", "--example", "1.0"], "no such file: examples/nowhere.py"),
    ([f"{TUTORIAL}:nothing", "--example", "1.0"], "nothing"),
    ([f"{TUTORIAL}:function"], "the following arguments are required: --example"),
    ([f"{TUTORIAL}:function", "--example", "x, y"], "gives 2 arguments"),
    ([f"{TUTORIAL}:function", "--example", "x, y, w, b", "--no-optimize"],
     "drop --no-optimize"),
    ([f"{TUTORIAL}:function", "--example", "x, y, w, b", "--repeat", "0"],
     "expected a positive integer"),
])
def test_cli_errors(args, message):
    done = run("profile", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_profiles_the_rnn_example():
    """The README's example: the loop's body tapes the hidden state of each step."""
    done = run("profile", "examples/profile_rnn.py:loss", "--grad-position", "1,2,3",
               "--example", "*example(steps=6, batch=4, n_hidden=8)", "--repeat", "2",
               "--json")
    assert done.returncode == 0, done.stderr
    rows = {r["line"]: r for r in json.loads(done.stdout)["rows"]}
    h_bytes = 4 * 8 * 8  # batch x hidden float64
    assert rows[13]["taped_bytes"] == h_bytes  # the zeros the first step reads
    # steps 1..5 read the state step t made; the last one is read by out's adjoint
    assert rows[15]["taped_bytes"] == 6 * h_bytes
    assert rows[15]["source"] == "h = np.tanh(xs[t] @ w_in + h @ w_rec)"
    assert rows[14]["adjoint_ns"] > 0  # the loop's gradient sums, started at zeros
    assert rows[16]["taped_bytes"] == 4 * 10 * 8  # out, read by the loss's adjoint


def test_the_readme_table_is_what_the_command_gives():
    """Lines, sources and taped bytes of the README's sample (times vary by machine)."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n\$ (autodiff-compiler profile [^\n]*)\n(.*?)```", readme,
                      re.S)
    assert block, "README.md should show a `profile` command and its output"
    done = run(*shlex.split(block.group(1))[1:], "--repeat", "2")
    assert done.returncode == 0, done.stderr

    def fixed(table: str) -> list[tuple[str, ...]]:
        """Each row's line, taped bytes and source: the columns that do not vary."""
        rows = [line.split() for line in table.splitlines()[2:]]
        return [(r[0], r[3], r[4], *r[6:]) if r[0].isdigit() else (*r[2:4], *r[5:])
                for r in rows]

    assert len(fixed(block.group(2))) == 7  # five lines, the generated code, the total
    assert fixed(done.stdout) == fixed(block.group(2))
