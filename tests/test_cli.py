"""The command line, run as a user would: a subprocess."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = "examples/seed_tutorial.py"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autodiff_compiler", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_show_prints_generated_gradient_source():
    result = run("show", f"{TUTORIAL}:function", "--grad-position", "2,3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("def grad_function(x, y, w, b):")
    assert "# grad of: z = ops.matmul(x, w) + b  (examples/seed_tutorial.py:21)" in result.stdout
    assert "return g_w, g_b" in result.stdout
    assert "1.3423151" in result.stderr  # the module's own prints go to stderr


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


def test_generated_source_from_cli_is_valid_python():
    result = run("show", f"{TUTORIAL}:function", "--grad-position", "2,3")
    compile(result.stdout, "<cli>", "exec")


@pytest.mark.parametrize("target, message", [
    ("missing.py:f", "no such file"),
    (f"{TUTORIAL}:nope", "has no function 'nope'"),
    ("examples", "expected FILE.py:FUNC"),
])
def test_user_errors_exit_2_without_traceback(target, message):
    result = run("show", target)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_help_shows_an_example():
    result = run("show", "--help")
    assert result.returncode == 0
    assert "example: autodiff-compiler show" in result.stdout
