"""``mindspore.dataset.text`` cases written to run on MindSpore or on this package
(``measure(ms)``): each case's result as plain data (values, dtype, shape; a vocabulary
as its ``vocab()`` items in order; a refusal as its exception's class name).
``data/measure_mindspore_text.py`` records MindSpore's results."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np

LINES = ["the cat sat on the mat", "the dog ate the cat food", "a cat a dog", "zebra"]
# 400 tokens, 1 to 4 of them a 2-byte character: MindSpore's map rehashes several times
BIG = [f"w{i % 37}_{'é' * (i % 5)}{i % 11}" for i in range(400)]
# Vocabulary files: delimiters, an empty line, a Windows line end, a repeated word
FILES = {"words.txt": "apple,apple2\nbanana, 333\ncat,00\n\ndog\r\nx;y,z\n",
         "repeated.txt": "a\nb\na\n", "blank.txt": "a\n\n\n", "no_end.txt": "b\na"}
REVIEWS = ["A great movie", "a bad movie", "Great acting and a great plot", "bad"]
# 61 tokens seen 1 to 17 times, many counts shared: ties are ordered by the token
SQUARES = [f"t{i * i % 61}" for i in range(500)]


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        values = np.where(np.isnan(value), None, value) if value.dtype.kind == "f" else \
            np.char.decode(value, "utf8") if value.dtype.kind == "S" else value
        return [values.tolist(), str(value.dtype), list(value.shape)]  # (NaN as None)
    return value


def _run(case: Callable[[], Any]) -> Any:
    try:
        return _plain(case())
    except Exception as e:  # the class is what is compared
        return ["error", type(e).__name__]


def _items(vocab: Any) -> list[list[Any]]:
    return [[t, i] for t, i in vocab.vocab().items()]


def tutorial(ms: Any) -> list[Any]:
    """The beginner tutorial "Transforms"'s text part, unchanged but for the package."""
    from_ds, text = ms.dataset, ms.dataset.text
    test_dataset = from_ds.GeneratorDataset(["Welcome to Beijing"], "text")

    def my_tokenizer(content):
        return content.split()

    test_dataset = test_dataset.map(text.PythonTokenizer(tokenizer=my_tokenizer))
    tokens = next(test_dataset.create_tuple_iterator())
    vocab = text.Vocab.from_dataset(test_dataset)
    test_dataset = test_dataset.map(text.Lookup(vocab))
    ids = next(test_dataset.create_tuple_iterator())
    return [[type(t).__name__ for t in tokens], _plain(tokens[0]), _items(vocab),
            [type(t).__name__ for t in ids], _plain(ids[0].asnumpy()), repr(ids)]


def vocab_cases(ms: Any) -> dict[str, Any]:
    ds, text = ms.dataset, ms.dataset.text

    def lines() -> Any:
        d = ds.GeneratorDataset([(s, s.upper()) for s in LINES], ["a", "b"], shuffle=False)
        return d.map(text.WhitespaceTokenizer(), "a").map(text.WhitespaceTokenizer(), "b")

    def built(**kw: Any) -> Callable[[], Any]:
        return lambda: _items(text.Vocab.from_dataset(lines(), **kw))

    def column(values: Any) -> Callable[[], Any]:
        return lambda: _items(text.Vocab.from_dataset(
            ds.NumpySlicesDataset({"x": np.array(values)}, shuffle=False)))

    listed = text.Vocab.from_list(["?", "##", "with", "the", "test", "符号"])
    a_only = text.Vocab.from_dataset(lines(), columns=["a"], special_tokens=["<unk>"])
    cases = {
        "all_columns": built(),
        "column_a": built(columns=["a"]), "column_as_str": built(columns="a"),
        "freq_range": built(columns=["a"], freq_range=(2, 3)),
        "freq_range_no_min": built(columns=["a"], freq_range=(None, 1)),
        "freq_range_no_max": built(columns=["a"], freq_range=(3, None)),
        "top_k_tie": built(columns=["a"], top_k=3),
        "top_k_beyond": built(columns=["a"], top_k=100),
        "top_k_zero": built(columns=["a"], top_k=0),
        "specials_first": built(columns=["a"], top_k=2, special_tokens=["<pad>", "<unk>"]),
        "specials_last": built(columns=["a"], top_k=2, special_tokens=["<pad>", "<unk>"],
                               special_first=False),
        "special_is_a_word": built(columns=["a"], special_tokens=["cat"]),
        "special_is_a_word_filtered": built(columns=["a"], freq_range=(3, 9),
                                            special_tokens=["zebra"]),
        "specials_repeated": built(columns=["a"], special_tokens=["x", "x"]),
        "nothing_in_range": built(columns=["a"], freq_range=(10, 20), special_tokens=["<unk>"]),
        "nothing_at_all": built(columns=["a"], freq_range=(10, 20)),
        "no_such_column": built(columns=["zz"]),
        "freq_range_list": built(columns=["a"], freq_range=[1, 2]),
        "numbers_column": column([1, 2]),
        "scalar_strings": column(["b", "a", "b"]),
        "3d_strings": column([[["b", "a"], ["b", "c"]]]),
        "big": column(BIG),
        "counts_tied": column(SQUARES),
        "counts_tied_top_k": lambda: _items(text.Vocab.from_dataset(
            ds.NumpySlicesDataset({"x": np.array(SQUARES)}, shuffle=False), top_k=20,
            special_tokens=["<pad>"], special_first=False)),
        "from_list": lambda: _items(listed),
        "from_list_specials": lambda: _items(text.Vocab.from_list(
            ["a", "b", "c"], special_tokens=["<pad>", "<unk>"])),
        "from_list_specials_last": lambda: _items(text.Vocab.from_list(
            ["a", "b"], ["<pad>", "<unk>"], False)),
        "from_list_big": lambda: _items(text.Vocab.from_list(BIG[:150])),
        "from_list_repeated": lambda: text.Vocab.from_list(["a", "a"]),
        "from_list_special_is_a_word": lambda: text.Vocab.from_list(["a", "b"], ["a"]),
        "from_dict": lambda: _items(text.Vocab.from_dict(
            {"home": 3, "behind": 2, "the": 4, "world": 5, "<unk>": 6})),
        "from_dict_seven": lambda: _items(text.Vocab.from_dict(
            {"home": 3, "behind": 2, "the": 4, "world": 5, "<unk>": 6, "x": 0, "y": 1})),
        "from_dict_big": lambda: _items(text.Vocab.from_dict(
            {t: 3 * i for i, t in enumerate(BIG[:90])})),
        "from_dict_negative": lambda: text.Vocab.from_dict({"a": -1}),
        "from_dict_gaps": lambda: text.Vocab.from_dict({"a": 5, "b": 9}).ids_to_tokens([5, 6, 9]),
        "not_built": lambda: text.Vocab().vocab(),
        "tokens_to_ids_str": lambda: listed.tokens_to_ids("with"),
        "tokens_to_ids_list": lambda: listed.tokens_to_ids(["with", "zz"]),
        "tokens_to_ids_array": lambda: listed.tokens_to_ids(np.array(["with", "zz"])),
        "ids_to_tokens_int": lambda: listed.ids_to_tokens(2),
        "ids_to_tokens_list": lambda: listed.ids_to_tokens([2, 99]),
        "ids_to_tokens_array": lambda: listed.ids_to_tokens(np.array([2, 5])),
        "ids_to_tokens_negative": lambda: listed.ids_to_tokens(-1),
        "lookup_str": lambda: text.Lookup(listed)("with"),
        "lookup_list": lambda: text.Lookup(listed)(["with", "the"]),
        "lookup_2d": lambda: text.Lookup(listed)(np.array([["with", "the"], ["?", "##"]])),
        "lookup_unknown": lambda: text.Lookup(listed)("zzz"),
        "lookup_unknown_token": lambda: text.Lookup(listed, "test")("zzz"),
        "lookup_unknown_token_absent": lambda: text.Lookup(listed, "nope")("with"),
        "lookup_int64": lambda: text.Lookup(listed, data_type=ms.int64)(["with"]),
        "lookup_float32": lambda: text.Lookup(listed, data_type=ms.float32)(["with"]),
        "lookup_bool": lambda: text.Lookup(listed, data_type=ms.bool_)(["with", "?"]),
        "lookup_numbers": lambda: text.Lookup(listed)(np.array([1, 2])),
        "lookup_pipeline": lambda: next(lines().map(text.Lookup(a_only, "<unk>"), "b").map(
            text.Lookup(a_only, "<unk>", ms.int64), "a").create_tuple_iterator(
            output_numpy=True)),
        "lookup_pipeline_unknown": lambda: next(lines().map(text.Lookup(a_only), "b")
                                                .create_tuple_iterator()),
        "string_columns": lambda: next(lines().create_tuple_iterator()),
    }
    with tempfile.TemporaryDirectory() as folder:
        cases.update(_from_file(text, folder))
        return {name: _run(case) for name, case in cases.items()}


def _from_file(text: Any, folder: str) -> dict[str, Callable[[], Any]]:
    for name, content in FILES.items():
        with open(os.path.join(folder, name), "w", encoding="utf-8", newline="") as f:
            f.write(content)
    words, repeated = os.path.join(folder, "words.txt"), os.path.join(folder, "repeated.txt")
    return {
        "file": lambda: _items(text.Vocab.from_file(words)),
        "file_delimiter": lambda: _items(text.Vocab.from_file(words, ",")),
        "file_delimiters_size_specials_last": lambda: _items(text.Vocab.from_file(
            words, ",;", 4, ["<pad>"], False)),
        "file_specials": lambda: _items(text.Vocab.from_file(words, ",", None,
                                                             ["<pad>", "<unk>"])),
        "file_repeated": lambda: text.Vocab.from_file(repeated),
        "file_repeated_beyond_size": lambda: _items(text.Vocab.from_file(repeated, "", 2)),
        "file_blank_lines": lambda: text.Vocab.from_file(os.path.join(folder, "blank.txt")),
        "file_special_is_a_word": lambda: text.Vocab.from_file(repeated, "", 2, ["b"]),
        "file_no_last_line_end": lambda: _items(text.Vocab.from_file(
            os.path.join(folder, "no_end.txt"))),
        "file_missing": lambda: text.Vocab.from_file(os.path.join(folder, "nope.txt")),
        "file_size_zero": lambda: text.Vocab.from_file(words, ",", 0),
    }


def _pipelines(ms: Any) -> dict[str, Callable[[], Any]]:
    """A review classifier's input: lower-cased words, ids, padded, batched."""
    ds, text, tr = ms.dataset, ms.dataset.text, ms.dataset.transforms

    def reviews() -> Any:
        data = ds.GeneratorDataset([(r, i % 2) for i, r in enumerate(REVIEWS)],
                                   ["review", "label"], shuffle=False)
        return data.map(text.PythonTokenizer(lambda s: s.lower().split()), "review")

    vocab = text.Vocab.from_dataset(reviews(), "review", special_tokens=["<pad>", "<unk>"])
    pad = vocab.tokens_to_ids("<pad>")

    def batches() -> list[Any]:
        data = reviews().map([text.Lookup(vocab, "<unk>"), tr.PadEnd([5], pad)], "review")
        return [[row["review"], row["label"]] for row in
                data.batch(3).create_dict_iterator(num_epochs=1, output_numpy=True)]

    pairs = ds.NumpySlicesDataset({"a": np.array([[1, 2, 3]]), "b": np.array([["x", "yy"]])},
                                  shuffle=False)
    def offsets(iterator: str) -> str:
        lines = ds.GeneratorDataset(["a b", "c"], "t", shuffle=False)
        split = lines.map(text.WhitespaceTokenizer(True), "t", ["token", "start", "end"])
        return repr(next(getattr(split, iterator)()))

    return {
        "offsets_columns": lambda: offsets("create_tuple_iterator"),
        "offsets_columns_dict": lambda: offsets("create_dict_iterator"),
        "repeated_then_taken": lambda: _items(text.Vocab.from_dataset(
            ds.GeneratorDataset(["a", "b", "b"], "t", shuffle=False).repeat(2)
            .map(text.WhitespaceTokenizer()).take(5), freq_range=(2, 2))),
        "batched": lambda: _items(text.Vocab.from_dataset(
            reviews().map(text.Truncate(1), "review").batch(2), "review")),
        "reviews_vocab": lambda: _items(vocab),
        "reviews_batches": batches,
        "reviews_bigrams": lambda: [r[0] for r in reviews().map(text.Ngram(2), "review")
                                    .create_tuple_iterator(output_numpy=True)],
        "pairs_truncated": lambda: next(pairs.map(text.TruncateSequencePair(3), ["a", "b"])
                                        .create_tuple_iterator(output_numpy=True)),
    }


def _to_number(ms: Any) -> dict[str, Callable[[], Any]]:
    text = ms.dataset.text
    cases: dict[str, Callable[[], Any]] = {}
    floats = ["1.5", "2e3", "-3", " 4", "inf", "nan", "1e39", "1e-50", "4 ", "", "  ", ".5",
              "5.", "-0", "INF", "0x1p3", "1,5", "1e", "3.4028236e38", "abc"]
    for s in floats:
        cases[f"float32 {s!r}"] = lambda s=s: text.ToNumber(ms.float32)([s])
    for s in ["1e39", "1e309", "1e-400", "nan", "0.1"]:
        cases[f"float64 {s!r}"] = lambda s=s: text.ToNumber(ms.float64)([s])
    ints = ["2147483648", "-2147483649", "4294967295", "-0", "007", "1e3", " -5", "- 5",
            "18446744073709551615", "9223372036854775808", "12abc", "1.7", "0x10", "+5"]
    for s in ints:
        for name in ("int32", "uint32", "int64", "uint64"):
            cases[f"{name} {s!r}"] = lambda s=s, name=name: text.ToNumber(getattr(ms, name))([s])
    cases.update({
        "uint16": lambda: text.ToNumber(ms.uint16)(["65535", "0"]),
        "int8": lambda: text.ToNumber(ms.int8)(["-128", "127"]),
        "int8_beyond": lambda: text.ToNumber(ms.int8)(["-129"]),
        "float16": lambda: text.ToNumber(ms.float16)(["1.1"]),
        "float16_beyond": lambda: text.ToNumber(ms.float16)(["70000"]),
        "scalar": lambda: text.ToNumber(ms.int64)("42"),
        "2d": lambda: text.ToNumber(ms.int16)(np.array([["1", "2"], ["3", "4"]])),
        "bool": lambda: text.ToNumber(ms.bool_),
        "numbers": lambda: text.ToNumber(ms.int32)(np.array([1, 2])),
    })
    return cases


def operation_cases(ms: Any) -> dict[str, Any]:
    text, tr = ms.dataset.text, ms.dataset.transforms
    split = text.PythonTokenizer(lambda s: s.split())
    line = "Welcome     To   BeiJing!"
    cases = {
        "python_tokenizer": lambda: split(np.array("Hello world")),
        "python_tokenizer_bytes": lambda: split(np.array(b"Hello world")),
        "python_tokenizer_str": lambda: split("Hello world"),
        "python_tokenizer_1d": lambda: split(np.array(["a b", "c d"])),
        "python_tokenizer_empty": lambda: split(np.array("")),
        "python_tokenizer_ragged": lambda: split(np.array(["a b", "c"])),
        "python_tokenizer_fails": lambda: text.PythonTokenizer(lambda s: s.nope())(
            np.array("a")),
        "whitespace": lambda: text.WhitespaceTokenizer()(line),
        "whitespace_offsets": lambda: text.WhitespaceTokenizer(True)(line),
        "whitespace_unicode": lambda: text.WhitespaceTokenizer(True)(
            "  héllo\t世界\u3000x\u00a0y\n"),
        "whitespace_not_spaces": lambda: text.WhitespaceTokenizer()(
            "a\u200bb\u2028c\u0085d\x1ce\u180ef"),
        "whitespace_empty": lambda: text.WhitespaceTokenizer()(""),
        "whitespace_only_spaces": lambda: text.WhitespaceTokenizer(True)("   "),
        "whitespace_1d": lambda: text.WhitespaceTokenizer()(np.array(["a b", "c"])),
        "whitespace_numbers": lambda: text.WhitespaceTokenizer()(np.array([1])),
        "chars": lambda: text.UnicodeCharTokenizer()("héllo 世"),
        "chars_offsets": lambda: text.UnicodeCharTokenizer(True)("héllo 世"),
        "chars_empty_offsets": lambda: text.UnicodeCharTokenizer(True)(""),
        "chars_combining_and_emoji": lambda: text.UnicodeCharTokenizer()("e\u0301😀"),
        "chars_1d": lambda: text.UnicodeCharTokenizer()(np.array(["ab", "c"])),
        "ngram": lambda: text.Ngram(2)(["a", "b", "c"]),
        "ngram_list": lambda: text.Ngram([3, 1])(["a", "b", "c"]),
        "ngram_too_short": lambda: text.Ngram(3)(["a", "b"]),
        "ngram_pads": lambda: text.Ngram(3, left_pad=("_", 2), right_pad=("-", 1),
                                         separator="")(["a", "b"]),
        "ngram_pads_capped": lambda: text.Ngram(2, left_pad=("<s>", 5),
                                                right_pad=("</s>", 5))(["a", "b"]),
        "ngram_several": lambda: text.Ngram([1, 2, 4])(["a", "b", "c"]),
        "ngram_separator": lambda: text.Ngram([2], separator="-")(np.array(["x", "y", "z"])),
        "ngram_scalar": lambda: text.Ngram(1)("abc"),
        "ngram_2d": lambda: text.Ngram(1)(np.array([["a"]])),
        "ngram_empty": lambda: text.Ngram(2, left_pad=("p", 1))(np.array([], dtype=str)),
        "ngram_zero": lambda: text.Ngram(0),
        "ngram_pad_list": lambda: text.Ngram(2, left_pad=["p", 1]),
        "case_fold": lambda: text.CaseFold()("Welcome To BeiJing! ß ﬁ Ⅻ ǅ İ ΣΑΣ \u00ad x"),
        "case_fold_compatibility": lambda: text.CaseFold()("①②Ａ㍿ｶ\u0065\u0301"),
        "case_fold_1d": lambda: text.CaseFold()(np.array(["AB", "Cd"])),
        "case_fold_numbers": lambda: text.CaseFold()(np.array([1])),
        "sliding_window": lambda: text.SlidingWindow(3)(np.array([1, 2, 3, 4, 5])),
        "sliding_window_strings": lambda: text.SlidingWindow(2)(["happy", "birthday", "to",
                                                                 "you"]),
        "sliding_window_too_wide": lambda: text.SlidingWindow(6)(np.array([1, 2, 3])),
        "sliding_window_too_wide_strings": lambda: text.SlidingWindow(6)(np.array(["abc"])),
        "sliding_window_whole": lambda: text.SlidingWindow(3)(np.array([1, 2, 3])),
        "sliding_window_axis_last": lambda: text.SlidingWindow(2, -1)(np.array([1, 2, 3])),
        "sliding_window_axis_1": lambda: text.SlidingWindow(2, 1)(np.array([1, 2, 3])),
        "sliding_window_2d": lambda: text.SlidingWindow(2)(np.array([[1, 2, 3], [4, 5, 6]])),
        "sliding_window_zero": lambda: text.SlidingWindow(0),
        "truncate": lambda: text.Truncate(2)(["a", "bbb", "c"]),
        "truncate_narrows": lambda: text.Truncate(1)(["a", "bbb"]),
        "truncate_2d": lambda: text.Truncate(2)(np.array([[1, 2, 3], [4, 5, 6]])),
        "truncate_longer": lambda: text.Truncate(9)(np.array([1, 2, 3])),
        "truncate_3d": lambda: text.Truncate(1)(np.zeros((2, 2, 2))),
        "truncate_zero": lambda: text.Truncate(0),
        "to_str": lambda: text.to_str(np.array([b"a", "é".encode()])),
        "to_bytes": lambda: text.to_bytes(np.array(["a", "é"])),
        "to_str_list": lambda: text.to_str([b"a"]),
        "to_bytes_list": lambda: text.to_bytes(["a"]),
        "pad_end_strings": lambda: tr.PadEnd([4], pad_value="<pad>")(np.array(["a", "bb"])),
        "pad_end_strings_default": lambda: tr.PadEnd([4])(np.array(["a", "bb"])),
        "pad_end_strings_cut": lambda: tr.PadEnd([1], "x")(np.array(["a", "bb"])),
        "pad_end_ids": lambda: tr.PadEnd([5], 0)(np.array([3, 1, 2], np.int32)),
        "add_token": lambda: text.AddToken("TOKEN")(["a", "b"]),
        "add_token_end": lambda: text.AddToken("TOKEN", False)(np.array(["a", "b"])),
        "add_token_2d": lambda: text.AddToken("T")(np.array([["a"], ["b"]])),
        "add_token_scalar": lambda: text.AddToken("T")("a"),
        "add_token_numbers": lambda: text.AddToken("T")(np.array([1, 2])),
        "add_token_empty": lambda: text.AddToken("T")(np.array([], dtype=str)),
        "add_token_not_str": lambda: text.AddToken(1),
        "pair": lambda: text.TruncateSequencePair(4)(np.array([1, 2, 3]), np.array([4, 5, 6])),
        "pair_tie": lambda: text.TruncateSequencePair(3)(np.array([1, 2, 3]),
                                                         np.array([4, 5, 6])),
        "pair_first_longer": lambda: text.TruncateSequencePair(4)(np.array([1, 2, 3, 4, 5]),
                                                                  np.array([6, 7])),
        "pair_second_longer": lambda: text.TruncateSequencePair(4)(np.array([1, 2]),
                                                                   np.array([6, 7, 8, 9, 10])),
        "pair_strings": lambda: text.TruncateSequencePair(3)(["a", "bb"], ["c", "d", "e"]),
        "pair_short_enough": lambda: text.TruncateSequencePair(9)(np.array([1, 2]),
                                                                  np.array([3])),
        "pair_zero": lambda: text.TruncateSequencePair(0)(np.array([1, 2]), np.array([3])),
        "pair_one": lambda: text.TruncateSequencePair(1)(np.array([1, 2]), np.array([3, 4])),
        "pair_mixed": lambda: text.TruncateSequencePair(2)(np.array([1, 2]),
                                                           np.array(["a", "b"])),
        "pair_2d": lambda: text.TruncateSequencePair(2)(np.array([[1, 2]]), np.array([3, 4])),
        "pair_of_three": lambda: text.TruncateSequencePair(2)(np.array([1, 2]), np.array([3]),
                                                              np.array([4])),
        "pair_scalar": lambda: text.TruncateSequencePair(2)(np.array(1), np.array([3])),
        **_pipelines(ms),
        **_to_number(ms),
    }
    return {name: _run(case) for name, case in cases.items()}


def measure(ms: Any) -> dict[str, Any]:
    return {"tutorial": _run(lambda: tutorial(ms)), "vocab": vocab_cases(ms),
            "operations": operation_cases(ms)}
