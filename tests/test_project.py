"""Project hygiene that CI must keep true: lint, the benchmark smoke run, the README."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("ruff") is None and not (Path(sys.executable).parent / "ruff")
                    .exists(), reason="ruff is installed by the test extra")
def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = subprocess.run([ruff, "check", "autodiff_compiler", "tests", "benchmarks"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_benchmark_smoke_run_checks_correctness():
    result = subprocess.run([sys.executable, "benchmarks/bench_tutorial.py", "--quick"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "hand-written" in result.stdout


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    commands = [line.strip() for line in ci.splitlines() if "pytest" in line]
    assert commands and all(command in readme for command in commands)
    first = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    assert commands[0] in first  # the quick start's test command is the one CI runs first


def test_readme_example_runs(tmp_path):
    readme = (ROOT / "README.md").read_text()
    example = readme.split("## Example", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    script = tmp_path / "example.py"
    script.write_text(example)
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert "def grad_loss(w, b, x, y):" in result.stdout
