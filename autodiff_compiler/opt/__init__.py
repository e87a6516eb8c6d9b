"""Optimisation of IR, independent of any backend: ``passes`` (folding, simplification,
common subexpressions, dead code), ``schedule`` (the order equations run in, so sums
of gradient terms are formed as their terms are ready) and ``buffers`` (which large
temporaries may be overwritten in place, for backends that can). Imports only the IR
layer.
"""
