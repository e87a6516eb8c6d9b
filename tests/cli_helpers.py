"""Running the command line as a user would: a subprocess from the repository root."""
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TUTORIAL = "examples/seed_tutorial.py"
MODELS = "tests/cli_models.py"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in a process of its own, with Ctrl-C's default handling: a test suite run
    as a background job inherits SIGINT ignored, and a file that interrupts itself
    would then run on."""
    return subprocess.run([sys.executable, "-m", "autodiff_compiler", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env=env,
                          preexec_fn=_default_sigint)


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def ruff_path() -> str:
    return shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")


needs_ruff = pytest.mark.skipif(not Path(ruff_path()).exists(),
                                reason="ruff is installed by the test extra")


def ruff_default_rules(*args: str, source: str | None = None) -> subprocess.CompletedProcess:
    """``ruff check`` with its default rules (``--isolated``: no project config)."""
    return subprocess.run([ruff_path(), "check", "--isolated", *args], input=source,
                          capture_output=True, text=True, cwd=ROOT)
