"""``autodiff-compiler show FILE.py:FUNC``: print the generated gradient source or IR.

The file is executed as a module, the way ``python FILE.py`` would import it (its
directory first on ``sys.path``); anything it prints goes to stderr so that stdout
holds only the generated code. Exit status 0 on success, 2 on a user error.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from . import api
from .errors import AutodiffError
from .nn import Cell
from .tensor import Parameter

EXAMPLE = "example: autodiff-compiler show examples/seed_tutorial.py:function --grad-position 2,3"


class UserError(Exception):
    """Bad command-line input: reported in one paragraph, exit status 2."""


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        print(_show(args), end="")
    except (UserError, AutodiffError, ValueError) as err:
        print(f"autodiff-compiler: error: {err}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autodiff-compiler", description=__doc__.split("\n")[0],
                                     epilog=EXAMPLE)
    sub = parser.add_subparsers(dest="command", required=True)
    show = sub.add_parser("show", help="print the generated gradient of FILE.py:FUNC",
                          epilog=EXAMPLE)
    show.add_argument("target", metavar="FILE.py:FUNC",
                      help="a function, Class.method, or module-level Cell instance")
    show.add_argument("--grad-position", default="0",
                      help="comma-separated argument positions, or 'none' (default: 0)")
    show.add_argument("--weights", default=None,
                      help="comma-separated Parameters: global names or Parameter names")
    show.add_argument("--has-aux", action="store_true", help="differentiate the first output")
    show.add_argument("--value-and-grad", action="store_true", help="also return the value")
    show.add_argument("--ir", action="store_true", help="print the IR instead of Python")
    return parser


def _show(args: argparse.Namespace) -> str:
    module, fn = _load(args.target)
    positions = _positions(args.grad_position)
    weights = None if args.weights is None else [_weight(module, n) for n in
                                                 args.weights.split(",")]
    if args.ir:
        return api.gradient_ir(fn, positions, weights, args.has_aux) + "\n"
    return api.gradient_source(fn, positions, weights, args.has_aux, value=args.value_and_grad)


def _positions(text: str) -> Any:
    if text.lower() == "none":
        return None
    try:
        positions = tuple(int(p) for p in text.split(","))
    except ValueError:
        raise UserError(f"--grad-position takes integers like 0 or 0,1, not {text!r}") from None
    return positions[0] if len(positions) == 1 else positions


def _load(target: str) -> tuple[Any, Any]:
    file, _, name = target.rpartition(":")
    if not file or not name:
        raise UserError(f"expected FILE.py:FUNC, got {target!r}")
    path = Path(file)
    if not path.is_file():
        raise UserError(f"no such file: {file}")
    sys.path.insert(0, str(path.resolve().parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    try:
        with contextlib.redirect_stdout(sys.stderr):
            spec.loader.exec_module(module)
    except SyntaxError as err:
        raise UserError(f"{file}:{err.lineno}: syntax error: {err.msg}") from None
    except Exception as err:
        raise UserError(f"running {file} failed: {type(err).__name__}: {err}") from None
    return module, _attribute(module, name, file)


def _attribute(module: Any, name: str, file: str) -> Any:
    obj: Any = module
    for part in name.split("."):
        if not hasattr(obj, part):
            raise UserError(f"{file} has no function '{name}'")
        obj = getattr(obj, part)
    if isinstance(obj, type) and issubclass(obj, Cell):
        raise UserError(f"'{name}' is a Cell class: name a module-level instance of it")
    if not callable(obj):
        raise UserError(f"'{name}' in {file} is not a function or Cell")
    return obj


def _weight(module: Any, name: str) -> Parameter:
    value = getattr(module, name, None)
    if isinstance(value, Parameter):
        return value
    for obj in vars(module).values():
        params = obj.trainable_params() if isinstance(obj, Cell) else [obj]
        for p in params:
            if isinstance(p, Parameter) and p.name == name:
                return p
    raise UserError(f"no Parameter named '{name}' in the module")


if __name__ == "__main__":
    sys.exit(main())
