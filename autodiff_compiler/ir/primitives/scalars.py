"""Python numbers out of arrays: ``float(x)``, ``x.item()``, ``int(x)``; and text out of
them: an f-string of run-time values (``format_text``), for ``print`` and ``assert``.

MindSpore's PyNative mode runs them inside a differentiated function and the gradient
through them is silently lost there (measured in 2.10: ``grad`` of
``sum(x * float(sum(x)))`` comes back as ``float(sum(x))``). Here a value that is not
differentiated converts freely (a count, a shape, a ``stop_gradient``'ed value), and
one that carries a gradient raises at the user's line instead: ``to_float``'s rules
raise when a cotangent or a tangent would have to flow through it.

``int(x)`` truncates: like ``np.trunc`` its derivative is zero wherever it has one,
so no gradient is lost, and it is inactive as ``np.floor`` is.
"""
from __future__ import annotations

import numpy as np

from .. import reference as ref
from ..core import Aval
from .core import Primitive, nondifferentiable, refuse_derivatives

to_float = Primitive("float", float)
to_int = Primitive("int", int)
to_float.scalar_result = to_int.scalar_result = True  # Python numbers
# ``f"loss {x:.3f}"`` is ``format_text("loss {:.3f}", x)``: ``str.format`` of a template
# known when compiling. Text carries no gradient.
format_text = Primitive("format_text", str.format,
                        aval_rule=lambda args, params: [Aval((), np.dtype(str))])
# The same under ``vmap``, whose values carry the batch axis: a spec formats each entry.
format_batch = Primitive("format_batch", ref.format_batch,
                         aval_rule=lambda args, params: [Aval((), np.dtype(str))])
nondifferentiable(to_int, format_text, format_batch)


refuse_derivatives(
    to_float,
    "float(...) / .item() of a value that depends on a differentiated input: it is a "
    "Python number, and the gradient through it would be lost (MindSpore drops it "
    "silently)",
    hint="write float(ops.stop_gradient(x)) if no gradient should flow through it; "
         "otherwise keep computing with the array x")
