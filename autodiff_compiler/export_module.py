"""``export``: a standalone module holding a function's forward pass and its gradient.

The module needs only NumPy (and SciPy, where it calls SciPy's special functions). It
holds, in this order: a header naming where it came from, ``import numpy as np``
(``import scipy.special`` too where needed), the few ``runtime`` helpers its code
calls (copied with ``inspect.getsource``, nothing else), array constants, and two
generated functions (what NumPy code needs to stand alone is the NumPy backend's:
``backends.numpy.standalone``):

- ``f(...)``: the forward pass in plain NumPy, generated from the function's IR (so
  ``ops.*`` and the user's helpers are not needed at run time). It returns the
  function's outputs flattened to one tuple (a single output is returned bare).
- ``grad_f(...)`` (or ``value_and_grad_f`` with ``--value-and-grad``): the generated
  gradient, returning a flat tuple too: the values first (``value_and_grad``), then
  one gradient per position and per weight, then any ``--has-aux`` outputs; a
  single output is returned bare. The MindSpore return structures are the API's
  job, not the export's.

Both take the function's arguments, then every array the function reads from its
module (weights, data), in the order the docstring lists; nothing is captured.

The header records the SHA-256 of the source file; ``check_export`` compares it with
the file as it is now. Any change to the file counts, even outside the function.
"""
from __future__ import annotations

import ast
import builtins
import hashlib
import inspect
import io
import itertools
import os
import re
import textwrap
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from . import __version__, api
from .backends.numpy import BACKEND as NUMPY
from .backends.numpy import runtime
from .backends.numpy.standalone import constant_lines, global_names, runtime_helpers
from .backends.python.codegen import generate
from .backends.python.pywriter import comment, string_literal
from .errors import AutodiffError, compiler_errors, display_path
from .frontend.source import AST_LOCK
from .opt import passes
from .pipeline.compiler import Compiled

HEADER_FIELDS = ("source", "source-sha256", "function", "options")


@dataclass(frozen=True)
class Origin:
    """Where an export came from: written into its header, read back by ``check_export``."""

    source: str  # the source file, relative to the exported module's directory
    sha256: str
    function: str  # FUNC as given on the command line
    options: str  # the command-line options, e.g. "--grad-position 2,3"
    command: str  # the full command that regenerates the module


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_field(source: Path, module_dir: Path) -> str:
    """The source as the header names it: relative to the exported module's directory,
    so the two can move together, or absolute when they share no directory but ``/``."""
    source, module_dir = source.resolve(), module_dir.resolve()
    if os.path.commonpath([source, module_dir]) == os.path.sep:
        return source.as_posix()
    return Path(os.path.relpath(source, module_dir)).as_posix()


# ---------------------------------------------------------------------------- building


def module_source(fn: Any, spec: api.GradSpec, origin: Origin, *,
                  args: Sequence[Any] | None = None, optimize: bool = True) -> str:
    """The text of the standalone module for ``fn`` differentiated as ``spec`` says."""
    grad = api._uncached(fn, spec, args, optimize)
    grad_source, constants = grad.source, _constants_of(grad)
    with compiler_errors(grad.ir.loc):
        forward_source = _forward_source(grad, constants, optimize)
    functions = [forward_source, grad_source]
    imports = "import numpy as np"
    if any("math." in f for f in functions):  # math.sin on Python floats
        imports = "import math\n\n" + imports
    if _uses_scipy(functions):  # scipy.special.gammaln: SciPy's own special functions
        imports += "\nimport scipy.special"
    parts = [_header(origin), _docstring(fn, origin, functions, grad, args), imports,
             _all(functions)]
    parts += [inspect.getsource(h).rstrip() for h in runtime_helpers(functions)]
    parts += constant_lines(constants) + [f.rstrip() for f in functions]
    text = _join(parts)
    check_self_contained(text)
    return text


def _uses_scipy(functions: list[str]) -> bool:
    return any("scipy" in global_names(compile(f, "<export>", "exec")) for f in functions)


def _join(parts: list[str]) -> str:
    """Blocks separated as PEP 8 likes them: two blank lines around functions."""
    out = parts[0]
    for before, part in itertools.pairwise(parts):
        functions = part.startswith("def ") or before.startswith("def ")
        out += ("\n\n\n" if functions else "\n\n") + part
    return out + "\n"


def _header(origin: Origin) -> str:
    """Comment lines; a field holding a line break (a hostile path) is escaped."""
    values = (origin.source, origin.sha256, origin.function, origin.options or "(none)")
    fields = [comment(f"{name}: {value}") for name, value in zip(HEADER_FIELDS, values)]
    return "\n".join([f"# Generated by autodiff-compiler {__version__}. Do not edit; "
                      "regenerate with:", comment(f"  {origin.command}"), *fields])


def _docstring(fn: Any, origin: Origin, functions: list[str], grad: Compiled,
               args: Sequence[Any] | None) -> str:
    forward, gradient = (_signature(f) for f in functions)
    needs = "NumPy and SciPy" if _uses_scipy(functions) else "only NumPy"
    lines = [f"Forward pass and gradient, generated by autodiff-compiler; needs {needs}.",
             "", f"    {forward}", f"    {gradient}", ""]
    captured = [_describe(path, fn, origin.function) for path, _ in grad.capture_objects]
    if captured:
        n = len(captured)
        names = _parameters(functions[1])[-n:]
        lines += [_fill("The last parameters are arrays the function reads from its module, "
                        "to be passed explicitly: "
                        + ", ".join(f"{p} ({c})" for p, c in zip(names, captured)) + "."), ""]
    lines.append(_fill("Shape-generic: arguments of any shape the original function accepts."
                       if args is None else
                       "Specialised to the shapes and dtypes of the --example arguments: "
                       "call it with arguments of exactly those shapes and dtypes."))
    return string_literal("\n".join(lines) + "\n", multiline=True)


def _fill(text: str) -> str:
    return textwrap.fill(text, width=88, break_long_words=False, break_on_hyphens=False)


def _signature(source: str) -> str:
    node = _function_node(source)
    returned = node.body[-1]
    value = ast.unparse(returned.value) if isinstance(returned, ast.Return) else "None"
    return f"{node.name}({', '.join(a.arg for a in node.args.args)}) -> {value}"


def _parameters(source: str) -> list[str]:
    return [a.arg for a in _function_node(source).args.args]


def _function_node(source: str) -> ast.FunctionDef:
    with AST_LOCK:  # see ``source``
        node = ast.parse(source).body[0]
    assert isinstance(node, ast.FunctionDef)
    return node


def _describe(path: Any, fn: Any, fn_name: str) -> str:
    """A captured array's path as the user would write it: ``model.w``, ``self.w``."""
    if path.name is not None:
        text = path.name
    elif path.root is fn:
        text = "self" if "." in fn_name else fn_name
    else:
        text = path.label if not path.steps else type(path.root).__name__ + " instance"
    for kind, key in path.steps:
        text += f".{key}" if kind == "attr" else f"[{key!r}]"
    return text


def _all(functions: list[str]) -> str:
    names = ", ".join(sorted(f'"{_function_node(f).name}"' for f in functions))
    return f"__all__ = [{names}]"


# ---------------------------------------------------------------------------- the forward


def _forward_source(grad: Compiled, constants: dict[str, Any], optimize: bool) -> str:
    """The forward pass as plain NumPy, generated from the function's own IR. Its array
    constants join ``constants``, renamed where they would clash."""
    primal = passes.optimize(grad.primal) if optimize else grad.primal
    name = f"{primal.name}_forward" if primal.name in runtime.NAMESPACE else primal.name
    generated = generate(replace(primal, name=name), _forward_doc(grad.source, name),
                         backend=NUMPY)
    renames = {}
    for old, value in generated.constants.items():
        same = next((k for k, v in constants.items() if v is value), None)
        new = same or _fresh("const", constants)
        constants[new] = value
        renames[old] = new
    return _rename(generated.source, renames)


def _fresh(base: str, taken: dict[str, Any]) -> str:
    return next(f"{base}_{i}" for i in range(len(taken) + 1) if f"{base}_{i}" not in taken)


def _forward_doc(grad_source: str, name: str) -> str:
    """``Gradient of f (file:line) with respect to x.`` -> ``f (file:line), in plain NumPy.``"""
    doc = ast.get_docstring(_function_node(grad_source)) or ""
    match = re.match(r"(?:Value and gradient|Gradient) of (.*?) with respect to", doc)
    return f"{match.group(1) if match else name}, in plain NumPy."


def _rename(source: str, renames: dict[str, str]) -> str:
    """Rename NAME tokens (never strings or comments) of ``source``."""
    if not renames:
        return source
    lines = source.splitlines(True)
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    edits = [t for t in tokens if t.type == tokenize.NAME and t.string in renames]
    for tok in reversed(edits):
        row, col = tok.start[0] - 1, tok.start[1]
        line = lines[row]
        lines[row] = line[:col] + renames[tok.string] + line[col + len(tok.string):]
    return "".join(lines)


# ---------------------------------------------------------------------------- constants


def _constants_of(compiled: Compiled) -> dict[str, Any]:
    """The non-literal constants the generated function reads from its namespace."""
    namespace, code = compiled.fn.__globals__, compiled.fn.__code__
    return {name: namespace[name] for name in code.co_names
            if name in namespace and name not in runtime.NAMESPACE}


def check_self_contained(text: str) -> None:
    """Every global the module's code reads is defined in it or is a builtin."""
    with AST_LOCK:  # see ``source``
        tree = ast.parse(text)
    defined = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    defined |= {a.asname or a.name.partition(".")[0] for n in tree.body
                if isinstance(n, ast.Import)
                for a in n.names}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Name)}
    defined |= set(dir(builtins))
    missing = global_names(compile(text, "<export>", "exec")) - defined
    if missing:
        raise AutodiffError(
            f"cannot export a standalone module: its code uses {', '.join(sorted(missing))}, "
            f"which lives outside it (functions registered as extensions are not copied)",
            hint="export a function built from NumPy and this package's ops only, or copy "
                 "the missing definitions into the exported module by hand")


# ---------------------------------------------------------------------------- checking


@dataclass(frozen=True)
class CheckResult:
    up_to_date: bool
    message: str


def read_header(module: Path) -> dict[str, str]:
    """The ``# name: value`` fields at the top of an exported module."""
    fields = {}
    for line in module.read_text().splitlines():
        if not line.startswith("#"):
            break
        name, sep, value = line[1:].strip().partition(": ")
        if sep and name in HEADER_FIELDS:
            fields[name] = value
        elif line.startswith("#   "):
            fields.setdefault("command", line[4:])
    return fields


def check_export(module: Path) -> CheckResult:
    """Whether the source ``module`` was exported from is unchanged since."""
    fields = read_header(module)
    if "source" not in fields or "source-sha256" not in fields:
        raise ValueError(f"{module} has no autodiff-compiler export header "
                         f"(# source: ... / # source-sha256: ...)")
    source = Path(display_path(os.path.normpath(module.parent / fields["source"])))
    regenerate = f"regenerate it with:\n  {fields.get('command', 'autodiff-compiler export')}"
    if not source.is_file():
        return CheckResult(False, f"{module}: its source {source} no longer exists")
    if file_sha256(source) != fields["source-sha256"]:
        return CheckResult(False, f"{module} is out of date: {source} has changed since it "
                                  f"was exported; {regenerate}")
    return CheckResult(True, f"{module} is up to date with {source}")
