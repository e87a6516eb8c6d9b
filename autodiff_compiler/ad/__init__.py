"""Automatic differentiation: transforms from IR to IR.

``reverse`` (the adjoint pass, VJP) and ``forward`` (tangents, JVP) are driven by the
rules each primitive registers; ``control``, ``control_forward`` and ``calls`` give the
adjoints of regions (if, for, while) and of calls to other compiled functions, and
``custom`` binds the user's rule of a call with a custom gradient (Cell.bprop,
custom_vjp). The
result is again IR of primitives, so it can be optimised, printed and differentiated
again. Imports only the IR layer.
"""
