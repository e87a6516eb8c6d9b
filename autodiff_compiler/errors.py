"""Errors that point at the user's code.

Every message answers three questions: what went wrong, where (``file:line`` and the
source line with a caret under the offending expression), and what to do instead.
"""
from __future__ import annotations

import linecache
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import CodeType, TracebackType


def display_path(file: str) -> str:
    """A file name as a user would type it: relative to the working directory if inside."""
    try:
        rel = os.path.relpath(file)
    except ValueError:
        return file
    return file if rel.startswith("..") or file.startswith("<") else rel


@dataclass(frozen=True, slots=True)
class Loc:
    """A place in the user's source: enough to quote it back with a caret."""

    file: str
    line: int
    col: int = 0
    end_col: int | None = None
    source: str = ""
    function: str = ""
    adjoint: bool = False  # True for code the reverse pass emitted for this place

    def __str__(self) -> str:
        return f"{display_path(self.file)}:{self.line}"

    def excerpt(self) -> str:
        """The source line with a caret under the columns this location covers."""
        if not self.source:
            return ""
        text = self.source.rstrip()
        indent = len(text) - len(text.lstrip())
        col = max(self.col, indent)
        end = self.end_col if self.end_col and self.end_col > col else len(text)
        return f"    {text.strip()}\n    {' ' * (col - indent)}{'^' * max(1, end - col)}"


class AutodiffError(Exception):
    """Anything the compiler cannot differentiate, with where and what to do instead."""

    # an exception of the user's program raised while compiling, which this reports, and
    # the builder of the code it was raised in (``frontend.exceptions``: a ``try``)
    python_error: BaseException | None = None
    raised_in: object = None

    def __init__(self, message: str, loc: Loc | None = None, hint: str | None = None):
        self.message = message
        self.loc = loc
        self.hint = hint
        super().__init__(self._format())

    def _format(self) -> str:
        parts = [f"{self.loc}: {self.message}" if self.loc else self.message]
        if self.loc is not None and self.loc.source:
            parts.append(self.loc.excerpt())
        if self.hint:
            parts.append(f"hint: {self.hint}")
        return "\n".join(parts)

    def __str__(self) -> str:
        return self._format()


class UnsupportedSyntaxError(AutodiffError, SyntaxError):
    """A Python construct the lowering does not handle (yet)."""

    def __init__(self, message: str, loc: Loc | None = None, hint: str | None = None):
        AutodiffError.__init__(self, message, loc, hint)
        # SyntaxError's own fields, so tools that read them point at the right line.
        self.msg = self._format()
        if loc is not None:
            self.filename, self.lineno, self.offset = loc.file, loc.line, loc.col + 1
            self.text = loc.source

    def __str__(self) -> str:
        return self._format()


class AutodiffTypeError(AutodiffError, TypeError):
    """A value of the wrong kind (a ``grad_position`` that is no int, a loss that is no
    float): a ``TypeError``, as Python, JAX and MindSpore raise, located like any error."""


class AutodiffValueError(AutodiffError, ValueError):
    """A value of the right kind but out of range (a ``grad_position`` past the last
    argument): a ``ValueError``, located like any error."""


class MissingRuleError(AutodiffError):
    """A primitive reached by an active value has no derivative rule."""


class IRVerificationError(AutodiffError):
    """The IR broke an invariant; always a compiler bug, never the user's."""


@contextmanager
def internal_errors_at(loc: Loc | None) -> Iterator[None]:
    """Report an unexpected exception (a compiler bug) at the user's line."""
    try:
        yield
    except (AutodiffError, ValueError):
        raise
    except Exception as err:
        raise internal_error(err, loc) from err


# Compiling walks expressions recursively, about five frames a level: an expression of
# a thousand terms (a generated formula) needs more than Python's default 1,000 frames.
COMPILING_DEPTH = 10_000
_DEPTH_LOCK = threading.Lock()
_depth = {"compiling": 0, "limit before": 0}  # compilations under way, in any thread


@contextmanager
def _deep_recursion() -> Iterator[None]:
    """Python's recursion limit at least ``COMPILING_DEPTH`` while any thread compiles,
    as it was once none does."""
    with _DEPTH_LOCK:
        if _depth["compiling"] == 0:
            _depth["limit before"] = sys.getrecursionlimit()
            sys.setrecursionlimit(max(_depth["limit before"], COMPILING_DEPTH))
        _depth["compiling"] += 1
    try:
        yield
    finally:
        with _DEPTH_LOCK:
            _depth["compiling"] -= 1
            if _depth["compiling"] == 0:
                sys.setrecursionlimit(_depth["limit before"])


@contextmanager
def compiler_errors(fallback: Loc | None) -> Iterator[None]:
    """Every exception out of a compilation names the user's line it was compiling
    (``compiling_at``, else ``fallback``, the function's ``def``): an ``AutodiffError``
    raised where no line was at hand gets it, NumPy's ``ValueError`` on the user's
    values a note, a ``RecursionError`` says what nests too deep, and anything else is
    an internal error (a compiler bug)."""
    try:
        with _deep_recursion():
            yield
    except RecursionError:
        raise AutodiffError("this function nests too deeply to compile (an expression of "
                            "thousands of terms, or calls nested as deep)",
                            compiling_at(sys.exc_info()[2]) or fallback,
                            hint="assign parts of the expression to names and add those "
                                 "up") from None
    except AutodiffError as err:
        if err.loc is None:  # e.g. ``ir.verify``
            err.loc = compiling_at(err.__traceback__) or fallback
        raise
    except ValueError as err:  # NumPy's, on the user's values (a shape that cannot be)
        loc = compiling_at(err.__traceback__) or fallback
        if loc is not None:
            err.add_note(f"raised compiling {loc}:\n{loc.excerpt()}")
        raise
    except Exception as err:
        raise internal_error(err, compiling_at(err.__traceback__) or fallback) from None


def internal_error(err: Exception, loc: Loc | None) -> AutodiffError:
    """An unexpected exception inside the compiler, reported at the line being compiled
    (``loc``, else the innermost equation the compiler was working on when it raised),
    with the compiler's own line, for the bug report."""
    where = _compiler_frame(err.__traceback__)
    return AutodiffError(f"internal compiler error: {type(err).__name__}: {err}",
                         loc or compiling_at(err.__traceback__),
                         hint="this is a bug in autodiff_compiler; please report it with "
                              f"the function being differentiated{where}")


def compiling_at(tb: TracebackType | None) -> Loc | None:
    """The user's line the compiler was working on where an exception was raised: the
    location of the innermost equation, statement or IR function a frame it passed
    through was handling (every pass names what it works on ``eqn``, or holds a value
    with a ``loc``). Read from the traceback, so no pass has to track it."""
    found = None
    while tb is not None:
        if _in_package(tb.tb_frame.f_code):
            found = _frame_loc(tb.tb_frame.f_locals) or found
        tb = tb.tb_next
    return found


def at_users_call(err: AutodiffError) -> AutodiffError:
    """``err`` located at the user's call when it names a line of this package's own
    source (a Cell of ``nn`` differentiated directly, ``grad(nn.ReLU())(x)``): the
    user's innermost frame outside the package, the package's line kept in the text."""
    if err.loc is None or not err.loc.file.startswith(os.path.dirname(__file__) + os.sep):
        return err
    frame = sys._getframe(1)
    while frame is not None and _in_package(frame.f_code):
        frame = frame.f_back
    if frame is None:
        return err
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno).rstrip("\n")
    indent = len(line) - len(line.lstrip())
    err.message = f"{err.message} (in {err.loc.function or 'the library'}, " \
                  f"{display_path(err.loc.file)}:{err.loc.line})"
    err.loc = Loc(frame.f_code.co_filename, frame.f_lineno, indent, len(line), line)
    return err


def _in_package(code: CodeType) -> bool:
    return code.co_filename.startswith(os.path.dirname(__file__) + os.sep)


def _frame_loc(names: dict[str, object]) -> Loc | None:
    """The most precise location among a frame's locals: its equation's, its own
    ``loc``, any other value's; a whole function's (its ``def`` line) never, as every
    frame of a compilation holds one."""
    eqn_loc = _loc_of(names.get("eqn"))
    if eqn_loc is not None:
        return eqn_loc
    own = names.get("loc")
    if isinstance(own, Loc):
        return own
    return next((loc for loc in map(_loc_of, names.values()) if loc is not None), None)


def _loc_of(value: object) -> Loc | None:
    """``value.loc`` if it is a ``Loc`` and ``value`` no whole function; a user's object
    whose attributes raise (a module's ``__getattr__``) has none."""
    try:
        loc = getattr(value, "loc", None)
        return loc if isinstance(loc, Loc) and not hasattr(value, "eqns") else None
    except Exception:
        return None


def _compiler_frame(tb: TracebackType | None) -> str:
    """`` (raised at passes.py:120 in _fold)``: the innermost frame in this package."""
    last = ""
    while tb is not None:
        code = tb.tb_frame.f_code
        if _in_package(code):
            last = f" (raised at {os.path.basename(code.co_filename)}:{tb.tb_lineno} " \
                   f"in {code.co_name})"
        tb = tb.tb_next
    return last


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def call_site() -> Loc | None:
    """The user's line that called into the package: where a bad argument came from."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        frame = frame.f_back
    if frame is None:
        return None
    line = linecache.getline(frame.f_code.co_filename, frame.f_lineno)
    return Loc(frame.f_code.co_filename, frame.f_lineno, 0, None, line, frame.f_code.co_name)
