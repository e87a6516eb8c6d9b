"""Generated source never interpolates outside text unescaped.

Qualified names, function names, file paths and dict keys holding quotes, backslashes,
line breaks or a crafted injection reach generated code only as escaped string
literals, escaped comments or sanitised identifiers: the code compiles, computes the
right gradient, and nothing injected runs, in process or in an exported module.
"""
import ast
import builtins
import importlib
import sys

import numpy as np
import pytest

import autodiff_compiler as adc
from autodiff_compiler import export_module as export
from autodiff_compiler.options import grad_spec

INJECT = "__import__('builtins').__dict__.__setitem__('INJECTED', 1)"
HOSTILE = [
    'triple """ quotes',
    "back\\slash \\n",
    "new\nline",
    f'x"""\n{INJECT}\n"""',
    f"x'''\n{INJECT}\n'''",
    f"f(x):\n    pass\n{INJECT}\ndef g",
    "carriage\rreturn\u2028separator\x0cfeed",
    "if",
    "9lives ﬁ",
]
IDS = ["quotes", "backslash", "newline", "inject-docstring", "inject-single", "inject-def",
       "line-separators", "keyword", "digit-ligature"]
SOURCE = "import numpy as np\n\nTABLE = {}\n\n\ndef f(x):\n    return np.sum(np.sin(x) * x)\n"


@pytest.fixture(autouse=True)
def no_injection():
    yield
    assert not hasattr(builtins, "INJECTED"), "injected code ran"


def _module(directory, name, source=SOURCE):
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.py").write_text(source)
    sys.path.insert(0, str(directory))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(directory))
        sys.modules.pop(name, None)


def _expected(x):
    return np.cos(x) * x + np.sin(x)


def _check_source(source, fn_name="grad_f"):
    tree = ast.parse(source)  # compiles, and holds exactly one function
    assert [type(n) for n in tree.body] == [ast.FunctionDef]
    assert tree.body[0].name == fn_name


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_hostile_qualname_is_escaped_in_the_docstring(tmp_path, text):
    module = _module(tmp_path, "hostile_qualname")
    module.f.__qualname__ = text
    x = np.array([0.5, 1.5])
    np.testing.assert_allclose(adc.grad(module.f)(x), _expected(x))
    source = adc.gradient_source(module.f, args=(x,))
    _check_source(source)
    assert text in ast.get_docstring(ast.parse(source).body[0])


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_hostile_function_name_becomes_one_identifier(tmp_path, text):
    module = _module(tmp_path, "hostile_name")
    module.f.__name__ = text
    x = np.array([0.5, 1.5])
    np.testing.assert_allclose(adc.grad(module.f)(x), _expected(x))
    name = ast.parse(adc.gradient_source(module.f, args=(x,))).body[0].name
    assert name.isidentifier() and name.startswith("grad_")


@pytest.mark.parametrize("text", HOSTILE[:5] + HOSTILE[6:7], ids=IDS[:5] + IDS[6:7])
def test_hostile_file_path_is_escaped_in_docstring_and_comments(tmp_path, text):
    module = _module(tmp_path / text.replace("/", "_"), "hostile_path")
    x = np.array([0.5, 1.5])
    np.testing.assert_allclose(adc.grad(module.f)(x), _expected(x))
    source = adc.gradient_source(module.f, args=(x,))
    _check_source(source)
    compiled = adc.grad(module.f).compiled_for((x,))
    assert len(source.splitlines()) == len(compiled.source.splitlines())
    assert all(c.isprintable() for line in source.splitlines() for c in line)


def test_hostile_dict_key_of_a_captured_array_is_one_identifier(tmp_path):
    module = _module(tmp_path, "hostile_key", SOURCE.replace(
        "np.sin(x) * x", "np.sin(x) * x * TABLE['w\"\"\" ﬁ\\n' + 'x']"))
    module.TABLE['w""" ﬁ\nx'] = np.ones(2)
    x = np.array([0.5, 1.5])
    np.testing.assert_allclose(adc.grad(module.f)(x), _expected(x))
    _check_source(adc.gradient_source(module.f, args=(x,)))


@pytest.mark.parametrize("text", HOSTILE, ids=IDS)
def test_hostile_names_and_paths_are_escaped_in_an_exported_module(tmp_path, text):
    module = _module(tmp_path, "hostile_export")
    module.f.__qualname__ = text
    module.f.__name__ = text
    origin = export.Origin(source=f"src/{text}.py", sha256="0" * 64, function=text,
                           options=text, command=f"autodiff-compiler export {text}")
    spec = grad_spec(0, None, False, False, with_value=False)
    x = np.array([0.5, 1.5])
    namespace: dict = {}
    text_out = export.module_source(module.f, spec, origin, args=(x,))
    exec(compile(text_out, "<exported>", "exec"), namespace)
    functions = [v for k, v in namespace.items() if k.startswith("grad_")]
    assert len(functions) == 1
    np.testing.assert_allclose(functions[0](x), _expected(x))
    header = [line for line in text_out.splitlines() if line.startswith("#")]
    assert all(c.isprintable() for line in header for c in line)
