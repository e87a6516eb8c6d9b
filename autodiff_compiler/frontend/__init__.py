"""The frontend: from a user's source to IR.

``source`` reads and parses a function's text; ``lowering`` walks its AST and records
IR through the builder (``syntax`` for expressions and assignments, ``control`` and
``loops``/``unrolled`` for branches and loops, ``calls`` for calls, ``iteration`` for
what a ``for`` walks); ``captures`` and ``aliasing`` keep track of what the function
read from outside and which names share memory. It imports only the IR layer: the
MindSpore surface is known through the small protocol in ``cells``.
"""
