"""``mindspore.dataset.text``: vocabularies, tokenizers and the operations of text
pipelines, in plain Python on NumPy string arrays (``transforms``; ``utils`` holds
``Vocab``, ``to_str`` and ``to_bytes``, as MindSpore's modules of those names do).

Only MindSpore's pure-text operations are here: those that need a model or a file
format of their own (Jieba, SentencePiece, WordPiece and BERT tokenizers, pretrained
vectors) or ICU's regular expressions and normalisations are not. ``PadEnd``, which text
pipelines use to pad token ids, is ``dataset.transforms.PadEnd``, as in MindSpore.
"""
from __future__ import annotations

from . import transforms, utils
from .transforms import (
    AddToken,
    CaseFold,
    Lookup,
    Ngram,
    PythonTokenizer,
    SlidingWindow,
    ToNumber,
    Truncate,
    TruncateSequencePair,
    UnicodeCharTokenizer,
    WhitespaceTokenizer,
)
from .utils import Vocab, to_bytes, to_str

__all__ = ["transforms", "utils", "AddToken", "CaseFold", "Lookup", "Ngram", "PythonTokenizer",
           "SlidingWindow", "ToNumber", "Truncate", "TruncateSequencePair", "UnicodeCharTokenizer",
           "WhitespaceTokenizer", "Vocab", "to_bytes", "to_str"]
