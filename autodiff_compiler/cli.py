"""The ``autodiff-compiler`` command: show, export, check-export and profile.

``show FILE.py:FUNC`` prints the generated gradient source (the IR with ``--ir``);
``export FILE.py:FUNC -o OUT.py`` writes a standalone module that needs only NumPy
(see ``export_module.py``); ``check-export OUT.py`` says whether its source has changed since;
``profile FILE.py:FUNC --example ARGS`` runs the gradient on those arguments and prints
its cost by the function's source line (see ``profiling.py``).

FILE.py is executed: it is imported as a module named after the file, the way
``python FILE.py`` would import it (its own directory first on ``sys.path``), but not
as ``__main__``, so an ``if __name__ == "__main__":`` block does not run. What it
prints goes to stderr, so stdout holds only the generated code.

Exit status: 0 on success; 1 when ``check-export`` finds the module out of date; 2 on
a user error (missing file, no such function, a syntax error or exception in the file,
Ctrl-C or ``os._exit`` while it runs, ``--example`` with the wrong number of arguments,
an unsupported construct), reported in one paragraph naming ``file:line``, with no
Python traceback (``runfile`` runs the file and looks FUNC up).
"""
from __future__ import annotations

import argparse
import io
import json
import keyword
import os
import shlex
import sys
import tokenize
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import api, backends
from .errors import AutodiffError
from .mindspore.nn import Cell
from .mindspore.tensor import Parameter
from .runfile import Target, UserError, evaluate, load

TUTORIAL = "examples/seed_tutorial.py"
SHOW_EXAMPLES = f"""\
examples:
  autodiff-compiler show {TUTORIAL}:function --grad-position 2,3
  autodiff-compiler show {TUTORIAL}:function --grad-position 2,3 --example "x, y, w, b"
  autodiff-compiler show {TUTORIAL}:model --ir
  autodiff-compiler show {TUTORIAL}:function --grad-position 2 --transform jvp
  autodiff-compiler show {TUTORIAL}:forward_fn --grad-position none --weights w,b"""
EXPORT_EXAMPLES = f"""\
examples:
  autodiff-compiler export {TUTORIAL}:function --grad-position 2,3 -o grad_function.py
  python -c "import grad_function; help(grad_function)"
  autodiff-compiler check-export grad_function.py"""
DESCRIPTION = """\
Print, export as a standalone NumPy module, or profile by source line the gradient this
compiler generates for a function in FILE.py. FILE.py is executed to find FUNC: it is
imported the way `python FILE.py` would import it (its directory first on sys.path),
but not as __main__; what it prints goes to stderr.

exit status: 0 success, 1 check-export found the module out of date, 2 a user error"""
PROFILE_EXAMPLES = f"""\
examples:
  autodiff-compiler profile {TUTORIAL}:function --grad-position 2,3 --example "x, y, w, b"
  autodiff-compiler profile {TUTORIAL}:function --grad-position 2,3 --example "x, y, w, b" \\
      --repeat 200 --json"""
CHECK_EXAMPLES = """\
example:
  autodiff-compiler check-export grad_function.py || echo "source changed: re-export"

exit status: 0 up to date, 1 out of date (or the source is gone), 2 not an export"""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except (UserError, AutodiffError, ValueError) as err:
        return _error(str(err))
    except KeyboardInterrupt:
        return _error("interrupted (Ctrl-C)")
    except Exception as err:  # raised by the user's objects (a property, a Cell's method)
        return _error(f"{type(err).__name__}: {err}")


def _error(message: str) -> int:
    print(f"autodiff-compiler: error: {message}", file=sys.stderr)
    return 2


# ---------------------------------------------------------------------------- arguments


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autodiff-compiler", description=DESCRIPTION,
        epilog=SHOW_EXAMPLES + "\n" + EXPORT_EXAMPLES.partition("\n")[2] + "\n" +
        PROFILE_EXAMPLES.splitlines()[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    show = _subparser(sub, "show", "print the generated gradient of FILE.py:FUNC",
                      SHOW_EXAMPLES, _show)
    _target_options(show)
    show.add_argument("--ir", action="store_true", help="print the IR instead of Python")
    show.add_argument("--transform", choices=(*api.TRANSFORMS, *PROGRAMS), default="grad",
                      help="which program: the gradient (the default), vjp (cotangents in), "
                           "jvp (tangents in), hvp (the tangent of the gradient); with "
                           "--example also jacrev, jacfwd, hessian (one program each) or "
                           "vmap (every argument batched along its first axis)")
    show.add_argument("--backend", default="numpy", type=_backend_name,
                      metavar="{" + ",".join(n.replace("_", "-") for n in backends.NAMES) + "}",
                      help="whose code to print: numpy (the default), array-api (any "
                           "array API library) or dask (lazy, chunked arrays)")
    show.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                      help="colour the output: auto (the default) when stdout is a terminal "
                           "and NO_COLOR is unset")
    export = _subparser(sub, "export", "write a standalone NumPy module with the forward "
                        "and gradient of FILE.py:FUNC", EXPORT_EXAMPLES, _export)
    _target_options(export)
    export.add_argument("-o", "--output", required=True, metavar="OUT.py",
                        help="the module to write ('-' for stdout)")
    check = _subparser(sub, "check-export", "say whether the source of an exported module "
                       "changed since it was exported", CHECK_EXAMPLES, _check_export)
    check.add_argument("module", metavar="OUT.py", help="a module written by export")
    prof = _subparser(sub, "profile", "run the gradient of FILE.py:FUNC on --example "
                      "arguments and print its time and taped bytes by source line",
                      PROFILE_EXAMPLES, _profile)
    _target_options(prof, "the arguments to run it on, as Python source evaluated in "
                          "FILE.py, e.g. 'x, y, w, b' or '*example()' or "
                          "'np.ones((100, 10)), 2.0'")
    prof.add_argument("--repeat", type=_positive, default=30, metavar="N",
                      help="calls to take the median of (default: 30)")
    prof.add_argument("--json", action="store_true", help="print the profile as JSON")
    return parser


def _subparser(sub: Any, name: str, text: str, examples: str,
               run: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".",
                            epilog=examples, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(run=run)
    return parser


def _target_options(parser: argparse.ArgumentParser, needs_example: str | None = None) -> None:
    """FILE.py:FUNC and the options that say what to compile; ``needs_example``: the
    command runs the code, so ``--example`` is required, with this help."""
    parser.add_argument("target", metavar="FILE.py:FUNC",
                        help="a function, Class.method, or module-level Cell instance "
                             "(FILE.py is executed to find it)")
    parser.add_argument("--grad-position", default="0",
                        help="comma-separated argument positions, or 'none' (default: 0)")
    parser.add_argument("--weights", default=None,
                        help="comma-separated Parameters: global names or Parameter names")
    parser.add_argument("--has-aux", action="store_true",
                        help="differentiate the first output; return the others as they are")
    parser.add_argument("--value-and-grad", action="store_true",
                        help="return the value too")
    parser.add_argument("--no-optimize", action="store_true",
                        help="skip the optimisation passes: the transform's raw output, "
                             "dead code included")
    parser.add_argument("--example", metavar="ARGS", default=None,
                        required=needs_example is not None,
                        help=needs_example or
                        "example arguments as Python source evaluated in FILE.py, e.g. "
                        "'x, y, w, b' or 'np.ones(3), 2.0': specialise the code to their "
                        "shapes and dtypes (default: shape-generic code)")


def _option_words(args: argparse.Namespace) -> list[str]:
    """The target options as given, for an export's header and regeneration command."""
    words = [] if args.grad_position == "0" else ["--grad-position", args.grad_position]
    words += [] if args.weights is None else ["--weights", args.weights]
    for flag in ("has_aux", "value_and_grad", "no_optimize"):
        words += [f"--{flag.replace('_', '-')}"] if getattr(args, flag) else []
    return words + ([] if args.example is None else ["--example", args.example])


# ---------------------------------------------------------------------------- commands


def _show(args: argparse.Namespace) -> int:
    target = load(args.target)
    options = _gradient_options(target, args)
    if args.transform in PROGRAMS:
        text = _program_source(target, args, options)
    elif args.ir:
        text = api.gradient_ir(target.fn, **options, transform=args.transform) + "\n"
    else:
        text = api.gradient_source(target.fn, **options, backend=args.backend,
                                   transform=args.transform)
    print(highlight(text) if _colour(args.color) else text, end="")
    return 0


# Transforms printed as the one program they build for example arguments.
PROGRAMS = ("jacrev", "jacfwd", "hessian", "vmap")


def _program_source(target: Target, args: argparse.Namespace, options: dict[str, Any]) -> str:
    from . import jacobians, vectorize  # only these transforms need them

    if options["args"] is None:
        raise UserError(f"--transform {args.transform} prints the program built for "
                        "example arguments: give --example")
    if args.ir or args.backend != "numpy" or options["weights"] is not None:
        raise UserError(f"--transform {args.transform} prints NumPy source only, for "
                        "argument positions: drop --ir, --backend and --weights")
    positions = options["grad_position"]
    make = {"jacrev": lambda f: jacobians.jacrev(f, positions),
            "jacfwd": lambda f: jacobians.jacfwd(f, positions),
            "hessian": lambda f: jacobians.hessian(f, positions),
            "vmap": vectorize.vmap}[args.transform]
    return make(target.fn).source(*options["args"])


def _backend_name(text: str) -> str:
    """``array-api`` (as typed on a command line) or ``array_api``: the backend's name."""
    name = text.replace("-", "_")
    if name not in backends.NAMES:
        raise argparse.ArgumentTypeError(
            f"unknown backend {text!r}: choose "
            + ", ".join(n.replace("_", "-") for n in backends.NAMES))
    return name


def _gradient_options(target: Target, args: argparse.Namespace) -> dict[str, Any]:
    weights = None if args.weights is None else \
        [_weight(target.module, name) for name in args.weights.split(",")]
    return {"grad_position": _positions(args.grad_position), "weights": weights,
            "has_aux": args.has_aux, "value": args.value_and_grad,
            "args": _example(target, args.example), "optimize": not args.no_optimize}


def _profile(args: argparse.Namespace) -> int:
    from . import profiling  # only this command needs it

    target = load(args.target)
    if args.no_optimize:
        raise UserError("profile measures the gradient as it runs: drop --no-optimize")
    options = _gradient_options(target, args)
    make = api.value_and_grad if options["value"] else api.grad
    gradient = make(target.fn, options["grad_position"], options["weights"],
                    options["has_aux"])
    report = profiling.profile(gradient, *options["args"], repeat=args.repeat)
    print(json.dumps(report.to_dict(), indent=1) if args.json else report)
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, not {text!r}")
    return value


def _export(args: argparse.Namespace) -> int:
    from . import export_module as export  # only this command needs it

    target = load(args.target)
    options = _gradient_options(target, args)
    make = api.value_and_grad if options.pop("value") else api.grad
    spec = make(target.fn, options.pop("grad_position"), options.pop("weights"),
                options.pop("has_aux")).spec
    out = None if args.output == "-" else Path(args.output)
    text = export.module_source(target.fn, spec, _origin(args, target, out), **options)
    if out is None:
        print(text, end="")
        return 0
    try:
        out.write_text(text)
    except OSError as err:
        raise UserError(f"cannot write {args.output}: {err.strerror}") from None
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _origin(args: argparse.Namespace, target: Target, out: Path | None) -> Any:
    """The export header: the source relative to the module written, and how to redo it."""
    from .export_module import Origin, file_sha256, source_field

    base = Path.cwd() if out is None else out.parent
    words = _option_words(args)
    command = ["autodiff-compiler", "export", args.target, *words, "-o", args.output]
    return Origin(source_field(target.path, base), file_sha256(target.path), target.name,
                  shlex.join(words), shlex.join(command))


def _check_export(args: argparse.Namespace) -> int:
    from . import export_module as export

    path = Path(args.module)
    if not path.is_file():
        raise UserError(f"no such file: {args.module}")
    result = export.check_export(path)
    print(result.message)
    return 0 if result.up_to_date else 1


def _positions(text: str) -> Any:
    if text.lower() == "none":
        return None
    try:
        positions = tuple(int(p) for p in text.split(","))
    except ValueError:
        raise UserError(f"--grad-position takes integers like 0 or 0,1, not {text!r}") from None
    return positions[0] if len(positions) == 1 else positions


def _weight(module: types.ModuleType, name: str) -> Parameter:
    try:
        value = getattr(module, name, None)
    except Exception as err:
        raise UserError(f"looking up weight '{name}' raised {type(err).__name__}: {err}") \
            from None
    if isinstance(value, Parameter):
        return value
    for obj in vars(module).values():
        params = obj.trainable_params() if isinstance(obj, Cell) else [obj]
        for p in params:
            if isinstance(p, Parameter) and p.name == name:
                return p
    raise UserError(f"no Parameter named '{name}' in the module")


def _example(target: Target, text: str | None) -> tuple | None:
    """``--example`` arguments: Python source for an argument list, run in the module;
    as many as the function takes."""
    if text is None:
        return None
    args = evaluate(f"(lambda *args: args)({text})", target.module, f"--example {text!r}")
    signature = api._signature(target.fn)
    try:
        signature.bind(*args)
    except TypeError as err:
        raise UserError(f"--example {text!r} gives {len(args)} argument"
                        f"{'' if len(args) == 1 else 's'} ({err}), but {target.name} takes "
                        f"{signature}") from None
    return args


# ---------------------------------------------------------------------------- colour

_COLOURS = {tokenize.COMMENT: "36", tokenize.STRING: "32", tokenize.NUMBER: "33"}


def _colour(mode: str) -> bool:
    if mode != "auto":
        return mode == "always"
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ and \
        os.environ.get("TERM") != "dumb"


def highlight(text: str) -> str:
    """``text`` (Python or IR) with ANSI colours: keywords, comments, strings, numbers,
    and adjoints (``g_*`` names). Text that does not tokenize is returned as it is."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except Exception:
        return text
    starts = [0]
    for line in text.splitlines(True):
        starts.append(starts[-1] + len(line))
    out, pos = [], 0
    for tok in tokens:
        colour = _token_colour(tok)
        if colour is None:
            continue
        start = starts[tok.start[0] - 1] + tok.start[1]
        end = starts[tok.end[0] - 1] + tok.end[1]
        out += [text[pos:start], f"\x1b[{colour}m", text[start:end], "\x1b[0m"]
        pos = end
    return "".join(out) + text[pos:]


def _token_colour(tok: tokenize.TokenInfo) -> str | None:
    if tok.type == tokenize.NAME:
        if keyword.iskeyword(tok.string) or tok.string in ("let", "in"):
            return "1;34"
        return "35" if tok.string.startswith("g_") else None
    return _COLOURS.get(tok.type)


if __name__ == "__main__":
    sys.exit(main())
