"""Errors that point at the user's code.

Every message answers three questions: what went wrong, where (``file:line`` and the
source line with a caret under the offending expression), and what to do instead.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


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


def internal_error(err: Exception, loc: Loc | None) -> AutodiffError:
    """An unexpected exception inside the compiler, reported at the line being compiled."""
    return AutodiffError(f"internal compiler error: {type(err).__name__}: {err}", loc,
                         hint="this is a bug in autodiff_compiler; please report it with "
                              "the function being differentiated")
