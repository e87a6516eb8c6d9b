"""Running FILE.py and finding FUNC in it, for the command line.

FILE.py is imported as a module named after the file, the way ``python FILE.py``
would import it (its own directory first on ``sys.path``), but not as ``__main__``, so
an ``if __name__ == "__main__":`` block does not run; what it prints goes to stderr,
each line labelled with the file's name.
Whatever the file does while it runs — raise, exit, be interrupted with Ctrl-C, call
``os._exit`` — and whatever looking FUNC up raises, is a ``UserError``: one paragraph
naming ``file:line``, exit status 2, no traceback.
"""
from __future__ import annotations

import contextlib
import importlib.util
import inspect
import io
import os
import sys
import traceback
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from .errors import AutodiffError, display_path
from .mindspore.nn import Cell


class UserError(Exception):
    """Bad command-line input: reported in one paragraph, exit status 2."""


@dataclass(frozen=True)
class Target:
    """What ``FILE.py:FUNC`` names: the executed module and the function in it."""

    path: Path
    name: str
    module: types.ModuleType
    fn: Any


def load(target: str) -> Target:
    """Run FILE.py and find FUNC in it; a ``UserError`` for anything that goes wrong."""
    file, _, name = target.rpartition(":")
    if not file or not name:
        raise UserError(f"expected FILE.py:FUNC, got {target!r}")
    path = Path(file)
    if not path.is_file():
        raise UserError(f"no such file: {file}")
    module = _run_module(path)
    return Target(path, name, module, _attribute(module, name, file))


def _run_module(path: Path) -> types.ModuleType:
    """Import ``path`` as ``python path`` would see it: its directory first on sys.path."""
    sys.path.insert(0, str(path.resolve().parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    labelled = _Labelled(sys.stderr, f"[{display_path(str(path))}] ")
    try:
        with contextlib.redirect_stdout(labelled), _exit_raises():
            spec.loader.exec_module(module)
    except _Exit as err:
        raise UserError(f"{_raised_at(err, path)}: running {path} called os._exit({err}): "
                        f"a file to compile from must not end the process") from None
    except KeyboardInterrupt as err:
        raise UserError(f"{_raised_at(err, path)}: interrupted (Ctrl-C) while running "
                        f"{path}") from None
    except SyntaxError as err:  # (a file Python cannot read at all has no line)
        where = display_path(err.filename or str(path)) + \
            (f":{err.lineno}" if err.lineno is not None else "")
        raise UserError(f"{where}: syntax error: {err.msg}\n    {(err.text or '').strip()}") \
            from None
    except AutodiffError as err:
        raise err.with_traceback(None) from None
    except (Exception, SystemExit) as err:
        raise UserError(f"{_raised_at(err, path)}: running {path} raised "
                        f"{type(err).__name__}: {err}") from None
    finally:
        labelled.flush()
    return module


class _Labelled(io.TextIOBase):
    """What the file prints while it runs, sent to ``stream`` with each line labelled
    with the file's name: the command's own output (stdout) is the generated code alone,
    and nothing on the terminal reads as if this tool had printed it."""

    def __init__(self, stream: Any, label: str) -> None:
        self.stream, self.label, self.partial = stream, label, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self.partial = (self.partial + text).split("\n")
        for line in lines:
            self.stream.write(f"{self.label}{line}\n")
        return len(text)

    def flush(self) -> None:
        if self.partial:
            self.stream.write(f"{self.label}{self.partial}\n")
            self.partial = ""
        self.stream.flush()


class _Exit(BaseException):
    """``os._exit`` called by a file being run: a BaseException, as SystemExit is, so
    that the file's own ``except Exception`` does not catch it."""


@contextlib.contextmanager
def _exit_raises() -> Iterator[None]:
    """While a file runs, ``os._exit(n)`` raises instead of ending the process at once
    (with no output and no message: nothing would say why the command did nothing)."""
    real = os._exit

    def refuse(status: int) -> NoReturn:
        raise _Exit(status)

    os._exit = refuse
    try:
        yield
    finally:
        os._exit = real


def _raised_at(err: BaseException, path: Path) -> str:
    """``file:line`` of the last frame in ``path`` (or the last frame) of ``err``."""
    frames = traceback.extract_tb(err.__traceback__)
    mine = [f for f in frames if Path(f.filename).resolve() == path.resolve()]
    if not (mine or frames):
        return display_path(str(path))
    frame = (mine or frames)[-1]
    return f"{display_path(frame.filename)}:{frame.lineno}"


def _attribute(module: types.ModuleType, name: str, file: str) -> Any:
    """``func``, ``instance``, ``instance.method`` or ``Class.method`` in ``module``."""
    owner: Any = None
    obj: Any = module
    for part in name.split("."):
        owner, obj = obj, _lookup(obj, part, name, file, module)
    method = name.rpartition(".")[2]
    if isinstance(owner, type) and isinstance(inspect.getattr_static(owner, method),
                                              types.FunctionType):
        obj = getattr(_instance(module, owner, name, file), method)
    if isinstance(obj, types.MethodType) and isinstance(obj.__self__, Cell) \
            and obj.__func__ is type(obj.__self__).construct:
        obj = obj.__self__  # a Cell's forward pass: compiled (and named) as the Cell
    if isinstance(obj, type) and issubclass(obj, Cell):
        raise UserError(f"'{name}' is a Cell class: name a module-level instance of it, "
                        f"or '{name}.construct'")
    if not callable(obj):
        raise UserError(f"'{name}' in {file} is a {type(obj).__name__}, not a function or Cell")
    return obj


def _lookup(obj: Any, part: str, name: str, file: str, module: types.ModuleType) -> Any:
    """``obj.part``; a missing name, or one whose lookup raises (a module's
    ``__getattr__``, a property), is a user error."""
    try:
        return getattr(obj, part)
    except AttributeError:
        raise UserError(f"{file} has no function '{name}'{_defined_in(module)}") from None
    except Exception as err:
        raise UserError(f"{file}: looking up '{name}' raised {type(err).__name__}: {err}") \
            from None


def _instance(module: types.ModuleType, cls: type, name: str, file: str) -> Any:
    """The instance a ``Class.method`` runs on: the module's only one, or ``Class()``."""
    found = [n for n, v in vars(module).items() if type(v) is cls]
    method = name.rpartition(".")[2]
    if len(found) == 1:
        return getattr(module, found[0])
    if found:
        raise UserError(f"'{name}' is a method and {file} has several {cls.__name__} "
                        f"instances ({', '.join(found)}): name one, e.g. "
                        f"{file}:{found[0]}.{method}")
    try:
        return cls()
    except Exception as err:
        raise UserError(f"'{name}' is a method, so it needs an instance: {file} has no "
                        f"module-level {cls.__name__} and {cls.__name__}() raised "
                        f"{type(err).__name__}: {err}; create one at module level, e.g. "
                        f"obj = {cls.__name__}(...), and name {file}:obj.{method}") from None


def _defined_in(module: types.ModuleType) -> str:
    names = [n for n, v in vars(module).items() if not n.startswith("_") and
             (getattr(v, "__module__", None) == module.__name__ or isinstance(v, Cell))]
    shown = ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    return f"; it defines {shown}" if names else ""


def evaluate(text: str, module: types.ModuleType, what: str) -> Any:
    """``text``, a Python expression the user gave on the command line, evaluated in
    ``module``; whatever it raises, or an exit, is a ``UserError`` naming ``what``."""
    try:  # a code object: eval of a string would make Python exit 130 after Ctrl-C
        code = compile(text, "<command line>", "eval")
        with contextlib.redirect_stdout(sys.stderr), _exit_raises():
            return eval(code, vars(module))
    except _Exit as err:
        raise UserError(f"{what}: called os._exit({err})") from None
    except KeyboardInterrupt:
        raise UserError(f"{what}: interrupted (Ctrl-C)") from None
    except (Exception, SystemExit) as err:
        raise UserError(f"{what}: {type(err).__name__}: {err}") from None

