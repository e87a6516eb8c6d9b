"""The command line, run as a user would: a subprocess, from the repository root.

All ``once`` (CI's NumPy 1.x run leaves them out): what they check, reading files and
options, exit codes and messages, does not depend on NumPy's version, and each test
starts an interpreter. The code the command prints is checked under both NumPy
versions in process (``test_codegen``'s golden sources), and exported modules are run
under both (``test_export``).
"""
import os
import re
import subprocess
import sys

import pytest
from cli_helpers import MODELS, ROOT, TUTORIAL, needs_ruff, ruff_default_rules, run

pytestmark = pytest.mark.once

RUNTIME_IMPORTS = """\
import numpy as np

from autodiff_compiler.ir import reference as runtime

index_add, sigmoid, unbroadcast = runtime.index_add, runtime.sigmoid, runtime.unbroadcast
matmul_vjp_x, matmul_vjp_y = runtime.matmul_vjp_x, runtime.matmul_vjp_y


"""


# ---------------------------------------------------------------------------- golden output

GOLDEN_TUTORIAL_SPECIALISED = '''\
def grad_function(x, y, w, b):
    """Gradient of function (examples/seed_tutorial.py:20) with respect to w, b."""
    z = x @ w + b
    negative = 1.0 - y
    log_weight = y + negative
    # grad of: loss = ops.binary_cross_entropy_with_logits(z, y, ops.ones_like(z), \
ops.ones_like(z))  (examples/seed_tutorial.py:22)
    g_z = np.float32(0.3333333432674408) * (negative - log_weight * np.exp(-np.logaddexp(0.0, z)))
    # grad of: z = ops.matmul(x, w) + b  (examples/seed_tutorial.py:21)
    g_w = np.multiply.outer(x, g_z)
    return g_w, g_z
'''

GOLDEN_CELL = '''\
def grad_dense(x, w, b):
    """Gradient of Dense.construct (tests/cli_models.py:35) with respect to x."""
    matmul = x @ w
    tanh = np.tanh(matmul + b)
    g_tanh = np.ones_like(tanh)
    # grad of: return np.tanh(x @ self.w + self.b)  (tests/cli_models.py:36)
    g_add = g_tanh * (1 - tanh ** 2)
    g_matmul = unbroadcast(g_add, matmul)
    g_x = matmul_vjp_x(g_matmul, x, w)
    return g_x
'''

GOLDEN_CELL_IR = '''\
{ lambda x w b. let
    matmul = matmul x w                   # tests/cli_models.py:36  return np.tanh(x @ self.w \
+ self.b)
    add = add matmul b                    # tests/cli_models.py:36  return np.tanh(x @ self.w \
+ self.b)
    tanh = tanh add                       # tests/cli_models.py:36  return np.tanh(x @ self.w \
+ self.b)
    g_tanh = ones_like tanh
    pow = pow tanh 2                      # grad of tests/cli_models.py:36  return np.tanh(x \
@ self.w + self.b)
    sub = sub 1 pow                       # grad of tests/cli_models.py:36  return np.tanh(x \
@ self.w + self.b)
    g_add = mul g_tanh sub                # grad of tests/cli_models.py:36  return np.tanh(x \
@ self.w + self.b)
    g_matmul = unbroadcast g_add matmul   # grad of tests/cli_models.py:36  return np.tanh(x \
@ self.w + self.b)
    g_x = matmul_vjp_x g_matmul x w       # grad of tests/cli_models.py:36  return np.tanh(x \
@ self.w + self.b)
  in (g_x,) }
'''


GOLDEN_LOOP = '''\
def grad_power_loop(x):
    """Gradient of power_loop (tests/cli_models.py:65) with respect to x."""
    y = x
    y_tape = []
    for _ in range(3):
        y_tape.append(y)
        y = y * x
    g_reduce_sum = np.ones_like(np.sum(y))
    # grad of: return np.sum(y)  (tests/cli_models.py:69)
    g_y = np.broadcast_to(g_reduce_sum, np.shape(y))
    # grad of: for _ in range(n):  (tests/cli_models.py:67)
    g_x = np.zeros_like(x)
    for i in reversed(range(3)):
        y = y_tape[i]
        # grad of: y = y * x  (tests/cli_models.py:68)
        g_y_1 = unbroadcast(g_y * x, y)
        g_x_1 = unbroadcast(g_y * y, x)
        g_x += g_x_1
        g_y = g_y_1
    g_x = g_y + g_x
    return g_x
'''

GOLDEN_BRANCH = '''\
def grad_sign_branch(x):
    """Gradient of sign_branch (tests/cli_models.py:72) with respect to x."""
    greater = np.sum(x) > 0
    if greater:
        y = x * 2.0
        y_1 = np.sin(y)
    else:
        y_1 = -x
        y = None
    g_reduce_sum = np.ones_like(np.sum(y_1))
    # grad of: return np.sum(y)  (tests/cli_models.py:78)
    g_y = np.broadcast_to(g_reduce_sum, np.shape(y_1))
    # grad of: if np.sum(x) > 0:  (tests/cli_models.py:73)
    if greater:
        # grad of: y = np.sin(y)  (tests/cli_models.py:75)
        g_y_1 = g_y * np.cos(y)
        # grad of: y = x * 2.0  (tests/cli_models.py:74)
        g_x = unbroadcast(g_y_1 * 2.0, x)
    else:
        # grad of: y = -x  (tests/cli_models.py:77)
        g_x = -g_y
    return g_x
'''


def readme_show_block() -> tuple[str, str]:
    """The command and output the README's "Command line" section shows."""
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"```sh\n\$ (autodiff-compiler show [^\n]*)\n```\n\n```python\n(.*?)```",
                      readme, re.S)
    assert match, "README.md should show a `show` command and its output"
    return match.group(1), match.group(2)


def test_show_tutorial_matches_the_readme():
    command, output = readme_show_block()
    result = run(*command.split()[1:])
    assert result.returncode == 0, result.stderr
    assert result.stdout == output


def test_show_tutorial_specialised_to_example_arguments_matches_golden():
    result = run("show", f"{TUTORIAL}:function", "--grad-position", "2,3",
                 "--example", "x, y, w, b")
    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN_TUTORIAL_SPECIALISED


def test_readme_shows_the_specialised_tutorial_gradient_as_generated():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## What the generated code looks like", 1)[1]
    shown = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    assert shown == GOLDEN_TUTORIAL_SPECIALISED


def test_show_cell_instance_matches_golden():
    result = run("show", f"{MODELS}:dense")
    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN_CELL


@pytest.mark.parametrize("name, golden", [("power_loop", GOLDEN_LOOP),
                                          ("sign_branch", GOLDEN_BRANCH)],
                         ids=["loop", "branch"])
def test_show_control_flow_matches_golden(name, golden):
    result = run("show", f"{MODELS}:{name}")
    assert result.returncode == 0, result.stderr
    assert result.stdout == golden


def test_show_ir_of_cell_matches_golden():
    result = run("show", f"{MODELS}:dense", "--ir")
    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN_CELL_IR


@needs_ruff
@pytest.mark.parametrize("target, options", [
    (f"{TUTORIAL}:function", ["--grad-position", "2,3"]),
    (f"{TUTORIAL}:function", ["--grad-position", "2,3", "--example", "x, y, w, b"]),
    (f"{MODELS}:loss", ["--grad-position", "0,1"]),
    (f"{MODELS}:dense", []),
    (f"{MODELS}:dense_loss", ["--grad-position", "none", "--weights", "w,b",
                              "--value-and-grad"]),
    (f"{MODELS}:loss_and_logits", ["--grad-position", "0,1", "--has-aux"]),
    (f"{MODELS}:power_loop", []),
    (f"{MODELS}:sign_branch", []),
], ids=["tutorial", "tutorial-specialised", "loss", "cell", "weights", "has-aux", "loop",
        "branch"])
def test_generated_source_passes_ruff_default_rules(target, options):
    result = run("show", target, *options)
    assert result.returncode == 0, result.stderr
    lint = ruff_default_rules("--stdin-filename", "generated.py", "-",
                              source=RUNTIME_IMPORTS + result.stdout)
    assert lint.returncode == 0, lint.stdout


# ---------------------------------------------------------------------------- show


def test_show_prints_generated_gradient_source():
    result = run("show", f"{TUTORIAL}:function", "--grad-position", "2,3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def grad_function(x, y, w, b):")
    assert "# grad of: z = ops.matmul(x, w) + b  (examples/seed_tutorial.py:21)" in result.stdout
    assert "return g_w, g_b" in result.stdout
    assert "1.3423151" in result.stderr  # the module's own prints go to stderr,
    assert "[examples/seed_tutorial.py] 1.3423151\n" in result.stderr  # labelled as its own


def test_show_ir_prints_the_ir():
    result = run("show", f"{TUTORIAL}:function", "--grad-position", "2,3", "--ir")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("{ lambda x y w b. let")
    assert "matmul x w" in result.stdout


def test_show_weights_of_a_cell_model():
    result = run("show", f"{TUTORIAL}:forward_fn", "--grad-position", "none",
                 "--weights", "w,b", "--value-and-grad")
    assert result.returncode == 0, result.stderr
    assert "def value_and_grad_forward_fn(x, y, w, b):" in result.stdout


def test_show_value_and_grad_ir_returns_the_value_first():
    result = run("show", f"{MODELS}:loss", "--value-and-grad", "--ir")
    assert result.returncode == 0, result.stderr
    assert re.search(r"in \(\w+, g_w\) }", result.stdout), result.stdout


@pytest.mark.parametrize("name", ["Dense.construct", "dense.construct"])
def test_show_a_cell_method_compiles_the_module_level_instance(name):
    result = run("show", f"{MODELS}:{name}")
    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN_CELL


@pytest.mark.parametrize("name", ["Spring.energy", "spring.energy"])
def test_show_class_method_reads_the_instance(name):
    result = run("show", f"{MODELS}:{name}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def grad_energy(x):")
    assert "1.5" in result.stdout  # 0.5 * spring.k, baked in


def test_show_no_optimize_skips_the_passes():
    optimized = run("show", f"{MODELS}:loss", "--example", "w, b, x, y")
    raw = run("show", f"{MODELS}:loss", "--example", "w, b, x, y", "--no-optimize")
    assert raw.returncode == 0, raw.stderr
    assert raw.stdout != optimized.stdout
    assert "np.broadcast_to" in raw.stdout and "np.broadcast_to" not in optimized.stdout


def test_show_runs_the_file_as_an_import_not_as_main():
    result = run("show", f"{MODELS}:loss")
    assert result.returncode == 0, result.stderr
    assert "cli_models.py was executed" in result.stderr


# ---------------------------------------------------------------------------- colour


def test_show_is_plain_when_stdout_is_not_a_terminal():
    result = run("show", f"{MODELS}:dense")
    assert "\x1b[" not in result.stdout


def test_show_colours_when_asked():
    result = run("show", f"{MODELS}:dense", "--color", "always")
    assert "\x1b[1;34mdef\x1b[0m grad_dense" in result.stdout
    assert "\x1b[36m# grad of:" in result.stdout
    assert re.sub(r"\x1b\[[0-9;]*m", "", result.stdout) == GOLDEN_CELL


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color, coloured", [(False, True), (True, False)],
                         ids=["terminal", "terminal-NO_COLOR"])
def test_show_colours_a_terminal_unless_no_color(no_color, coloured):
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    env.update({"NO_COLOR": "1"} if no_color else {})
    leader, follower = os.openpty()
    with os.fdopen(leader, "rb") as terminal:
        proc = subprocess.run([sys.executable, "-m", "autodiff_compiler", "show",
                               f"{MODELS}:dense"], cwd=ROOT, stdout=follower,
                              stderr=subprocess.DEVNULL, env=env, timeout=120)
        os.close(follower)
        output = _read_all(terminal)
    assert proc.returncode == 0
    assert (b"\x1b[" in output) == coloured


def _read_all(terminal) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(terminal.fileno(), 4096)
        except OSError:  # EIO: the writer closed its end
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


# ---------------------------------------------------------------------------- help


@pytest.mark.parametrize("command", ["show", "export", "check-export", "profile"])
def test_every_subcommand_help_has_an_example(command):
    result = run(command, "--help")
    assert result.returncode == 0
    examples = re.search(r"\nexamples?:\n(.*)", result.stdout, re.S)
    assert examples and f"autodiff-compiler {command} " in examples.group(1)


def test_top_level_help_says_the_file_is_executed():
    result = run("--help")
    assert result.returncode == 0
    assert "FILE.py is executed" in result.stdout


# ---------------------------------------------------------------------------- user errors


def assert_user_error(result: subprocess.CompletedProcess, *messages: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    for message in messages:
        assert message in result.stderr


@pytest.mark.parametrize("target, messages", [
    ("missing.py:f", ["no such file: missing.py"]),
    (f"{TUTORIAL}:nope", ["has no function 'nope'", "it defines function"]),
    ("examples", ["expected FILE.py:FUNC"]),
    (f"{MODELS}:Dense", ["is a Cell class: name a module-level instance"]),
    (f"{MODELS}:rng", ["is a Generator, not a function or Cell"]),
], ids=["missing-file", "no-such-function", "no-function-named", "cell-class", "not-callable"])
def test_user_errors_exit_2_without_traceback(target, messages):
    assert_user_error(run("show", target), *messages)


def test_syntax_error_names_file_and_line(tmp_path):
    (tmp_path / "broken.py").write_text("import numpy as np\n\ndef f(x):\n    return (x *\n")
    result = run("show", f"{tmp_path}/broken.py:f")
    assert_user_error(result, "broken.py:4: syntax error", "return (x *")


def test_a_file_python_cannot_read_is_named_without_a_line(tmp_path):
    """A file with NUL bytes was reported at 'binary.py:None'."""
    (tmp_path / "binary.py").write_bytes(b"\xff\xfe\x00bad")
    result = run("show", f"{tmp_path}/binary.py:f")
    assert_user_error(result, "binary.py: syntax error")
    assert ":None" not in result.stderr


def test_has_aux_of_a_function_returning_one_value_says_what_it_returned(tmp_path):
    """Shape-generic code knows no dtype: the value was 'a None scalar'."""
    (tmp_path / "one.py").write_text("import numpy as np\n\n\ndef loss(w, x):\n"
                                     "    return np.sum((x @ w) ** 2)\n")
    result = run("show", f"{tmp_path}/one.py:loss", "--has-aux")
    assert_user_error(result, "one.py:4: has_aux=True needs the function to return a tuple",
                      "but it returned a scalar")


def test_exception_while_running_the_file_names_its_line(tmp_path):
    (tmp_path / "boom.py").write_text("def helper():\n    return 1 / 0\n\n\nX = helper()\n")
    result = run("show", f"{tmp_path}/boom.py:helper")
    assert_user_error(result, "boom.py:2: running", "ZeroDivisionError: division by zero")


def test_unsupported_construct_names_file_and_line():
    result = run("show", f"{MODELS}:with_global_write")
    assert_user_error(result, "tests/cli_models.py:61: 'CALLS' is declared global and assigned",
                      "hint:")


@pytest.mark.parametrize("options, message", [
    (["--grad-position", "a"], "--grad-position takes integers"),
    (["--grad-position", "9"], "grad_position 9 is out of range"),
    (["--weights", "nope"], "no Parameter named 'nope'"),
    (["--example", "w, b, ("], "--example 'w, b, (': SyntaxError"),
    (["--example", "undefined_name"], "NameError"),
], ids=["bad-position", "position-out-of-range", "no-such-weight", "example-syntax",
        "example-name"])
def test_bad_options_exit_2(options, message):
    assert_user_error(run("show", f"{MODELS}:loss", *options), message)


def test_method_without_an_instance_says_how_to_name_one(tmp_path):
    (tmp_path / "m.py").write_text("class M:\n    def __init__(self, k):\n        self.k = k\n\n"
                                   "    def f(self, x):\n        return self.k * x\n")
    result = run("show", f"{tmp_path}/m.py:M.f")
    assert_user_error(result, "needs an instance", "M() raised TypeError", "m.py:obj.f")


def test_missing_subcommand_is_a_usage_error():
    result = run()
    assert result.returncode == 2
    assert "usage: autodiff-compiler" in result.stderr


# ---------------------------------------------------------------------------- hostile files

HOSTILE_FILES = {
    "getattr-raises": ("def __getattr__(name):\n    raise RuntimeError('lazy import failed')\n"
                       "\n\ndef f(x):\n    return x * 2.0\n", "g",
                       ["hostile.py: looking up 'g' raised RuntimeError: lazy import failed"]),
    "keyboard-interrupt": ("def f(x):\n    return x * 2.0\n\n\nraise KeyboardInterrupt\n", "f",
                           ["hostile.py:5: interrupted (Ctrl-C) while running"]),
    "sigint": ("import os\nimport signal\nimport time\n\n\ndef f(x):\n    return x * 2.0\n\n\n"
               "os.kill(os.getpid(), signal.SIGINT)\ntime.sleep(5)\n", "f",
               ["interrupted (Ctrl-C) while running"]),
    "os-exit": ("import os\n\n\ndef f(x):\n    return x * 2.0\n\n\nos._exit(3)\n", "f",
                ["hostile.py:8: running", "called os._exit(3)"]),
    "os-exit-caught": ("import os\n\n\ndef f(x):\n    return x * 2.0\n\n\ntry:\n    os._exit(0)\n"
                       "except Exception:\n    pass\n", "f", ["called os._exit(0)"]),
}


@pytest.mark.parametrize("case", list(HOSTILE_FILES))
def test_hostile_file_exits_2_with_one_line(tmp_path, case):
    text, name, messages = HOSTILE_FILES[case]
    (tmp_path / "hostile.py").write_text(text)
    result = run("show", f"{tmp_path}/hostile.py:{name}")
    assert_user_error(result, *messages)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_os_exit_works_again_after_the_file_ran():
    import os

    from autodiff_compiler import runfile
    real = os._exit
    with pytest.raises(runfile._Exit), runfile._exit_raises():
        os._exit(4)
    assert os._exit is real


@pytest.mark.parametrize("example, message", [
    ("np.ones(3)", "--example 'np.ones(3)' gives 1 argument (missing a required argument: "
                   "'b'), but loss takes (w, b, x, y)"),
    ("1, 2, 3, 4, 5", "gives 5 arguments (too many positional arguments)"),
    ("", "gives 0 arguments"),
    ("exit(3)", "--example 'exit(3)': SystemExit: 3"),
    ("__import__('os')._exit(4)", "called os._exit(4)"),
    ("(_ for _ in ()).throw(KeyboardInterrupt)", "interrupted (Ctrl-C)"),
], ids=["too-few", "too-many", "none", "exit", "os-exit", "ctrl-c"])
def test_hostile_example_exits_2(example, message):
    assert_user_error(run("show", f"{MODELS}:loss", "--example", example), message)


BACKEND_NEEDS = {"numpy": "numpy", "array-api": "array_api_compat", "array_api": "array_api_compat",
                 "dask": "dask.array"}


@pytest.mark.parametrize("name", list(BACKEND_NEEDS))
def test_show_backend_prints_that_backends_code(name):
    pytest.importorskip(BACKEND_NEEDS[name])
    result = run("show", f"{TUTORIAL}:function", "--grad-position", "2,3", "--backend", name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def grad_function(x, y, w, b):")
    namespace = {"numpy": "np.", "array-api": "xp.", "array_api": "xp.", "dask": "da."}[name]
    assert namespace in result.stdout
    assert "[examples/seed_tutorial.py]" not in result.stdout  # the module's prints: stderr


def test_show_refuses_an_unknown_backend():
    result = run("show", f"{TUTORIAL}:function", "--backend", "jax")
    assert result.returncode == 2
    assert "unknown backend 'jax'" in result.stderr
