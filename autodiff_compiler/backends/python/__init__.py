"""The code generator shared by the backends that emit Python: statements from IR
(``codegen``), expressions folded into their one use (``expressions``), readable names
(``naming``) and the writer that prints them (``pywriter``)."""
