"""The syntax constructors the call path and guards are built from, and their printing.

What is printed must run as the tree says: strings of any content come back as they
went in (the printer quotes them), names that would not read back as themselves are
refused rather than written, and a parameter list puts each parameter where asked.
"""
import ast

import pytest

from autodiff_compiler.backends.python import syntax as S
from autodiff_compiler.backends.python.pywriter import source

HOSTILE = ["'", '"', "'''", '"""', "\\", "a\nb", "\r", "# not a comment", "\x00",
           "'); import os; ('", "\u2028", "é", "\ud800"]


def run(tree, env=None):
    env = dict(env or {})
    exec(compile(source([tree]), "<test>", "exec"), env)
    return env


@pytest.mark.parametrize("text", HOSTILE)
def test_a_string_constant_comes_back_as_it_went_in(text):
    env = run(S.function("f", S.parameters(), [S.returns(S.const(text))]))
    assert env["f"]() == text


@pytest.mark.parametrize("text", ["a b", "class", "None", "1x", "", "x-y", "\ufb01",
                                  "x\n", "f()"])
def test_a_name_that_would_not_read_back_as_itself_is_refused(text):
    for make in (S.name, S.store, lambda t: S.attr(S.name("x"), t),
                 lambda t: S.parameters([t]), lambda t: S.function(t, S.parameters(), [])):
        with pytest.raises(ValueError, match="reads back as itself"):
            make(text)


def test_parameters_sit_where_asked_and_take_their_defaults():
    params = S.parameters(["s", "a"], ["b"], ["c"], defaults=[S.name("D")] * 2,
                          keyword_defaults=[S.name("D")], rest="r", mapping="k")
    body = [S.returns(S.tuple_of([S.name(p) for p in "sabcrk"]))]
    f = run(S.function("f", params, body), {"D": "default"})["f"]
    assert f(1) == (1, "default", "default", "default", (), {})
    assert f(1, 2, 3, 4, c=5, z=6) == (1, 2, 3, 5, (4,), {"z": 6})
    assert f(1, a=2) == (1, "default", "default", "default", (), {"a": 2})  # a: by position
    assert ast.parse(source([S.function("f", params, body)])).body[0].args.posonlyargs


def test_boolean_chains_are_one_operation_and_short_circuit():
    calls = []

    def probe(value):
        calls.append(value)
        return value

    terms = [S.call(S.name("probe"), S.const(v)) for v in (1, 0, 2)]
    text = source([S.function("f", S.parameters(), [S.returns(S.all_of(terms))])])
    tree = ast.parse(text).body[0].body[0].value
    assert isinstance(tree, ast.BoolOp) and len(tree.values) == 3
    assert run(S.function("f", S.parameters(), [S.returns(S.all_of(terms))]),
               {"probe": probe})["f"]() == 0
    assert calls == [1, 0]
    assert S.all_of([]).value is True and S.any_of([terms[0]]) is terms[0]


def test_try_filtered_walrus_and_reraise_run_as_written():
    kept = S.filtered("a", S.name("xs"), S.is_not(S.name("a"), S.const(None)))
    body = [S.try_([S.assign("y", S.walrus("n", S.call(S.name("len"), kept))),
                    S.do(S.call(S.name("check"), S.name("n"))),
                    S.returns(S.item(S.name("xs"), S.const(-1)))],
                   S.except_(S.name("KeyError"), [S.returns(S.const("key"))]),
                   S.except_(S.name("Exception"), [S.reraise()], "err"))]
    f = run(S.function("f", S.parameters(["xs"]), body), {"check": lambda n: {}[n] if n > 2
                                                        else None})["f"]
    assert f([None, 1, None]) is None
    assert f([1, 2, 3]) == "key"
    with pytest.raises(TypeError):
        f(5)
