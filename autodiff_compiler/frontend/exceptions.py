"""``try`` statements, decided while compiling.

What can be known then is whether the body raises while it is compiled: Python's own
exceptions of values known then (``d["w"]`` of a dict without the key, an attribute an
object lacks, a failing call of a Python function, the function's own ``raise``). Such
an exception, matched by a handler, runs that handler instead, as Python would at every
call; the body's work up to it is dropped. A body compiled without one runs, then the
``else`` clause; ``finally`` runs after either. An error the arrays raise when the code
runs (``np.linalg.LinAlgError``) propagates from the compiled code: no handler of it is
compiled.

An exception raised inside a region the run decides (a branch on an array's value, a
loop of run-time length: ``Scope.raised`` notes the builder) is not caught here: Python
would raise it only on the runs that take that path, so it stays the refusal it was.
So is every error the compiler raises of its own (an unsupported construct is no
exception of the user's program).
"""
from __future__ import annotations

from typing import Any

import gast

from ..errors import AutodiffError, UnsupportedSyntaxError
from ..ir.builder import current
from .loop_bodies import saved_state
from .scope import NOT_RETURNED, Scope
from .statements import contains


def stmt_try(scope: Scope, node: gast.Try) -> Any:
    if contains(node.body + node.orelse + node.finalbody, (gast.Break, gast.Continue)) \
            and scope.in_loop:
        raise UnsupportedSyntaxError("'try' statements with break or continue are not "
                                     "supported yet", scope.loc(node),
                                     hint="move the break or continue out of the try")
    builder = current()
    mark, env, restore = len(builder.eqns), dict(scope.env), saved_state(scope)
    try:
        result = scope.block(node.body)
    except AutodiffError as refusal:
        error = refusal.python_error
        handler = None if error is None or refusal.raised_in is not builder \
            else _handler(scope, node.handlers, error)
        if handler is None:
            raise
        del builder.eqns[mark:]
        restore()
        scope.env.clear()
        scope.env.update(env)
        if handler.name is not None:
            scope.env[handler.name.id] = error
        result = scope.block(handler.body)
        if handler.name is not None:  # unbound after the handler, as Python does
            scope.env.pop(handler.name.id, None)
    else:
        if result is NOT_RETURNED:
            result = scope.block(node.orelse)
    final = scope.block(node.finalbody)
    return result if final is NOT_RETURNED else final


def _handler(scope: Scope, handlers: list[gast.ExceptHandler], error: BaseException
             ) -> gast.ExceptHandler | None:
    """The first handler whose types match ``error`` (a bare ``except`` matches all)."""
    for handler in handlers:
        if handler.type is None:
            return handler
        kinds = scope.expr(handler.type)
        if isinstance(error, kinds):
            return handler
    return None


STATEMENTS = {gast.Try: stmt_try}
