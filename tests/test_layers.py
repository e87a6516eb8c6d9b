"""The package's layers: imports only point down (DESIGN.md, decision 10).

Every ``import`` of a package module, at module level or inside a function, is read
from the source and checked against the layer order below; a module may import its
own layer and any layer beneath it, never one above. The frontend, the transforms and
the optimiser are siblings on top of the IR: none of them imports another.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "autodiff_compiler"

# Each layer, and the layers it may import (besides itself).
BASE = {"errors", "trees"}
LAYERS: dict[str, set[str]] = {
    "base": set(),
    "ir": {"base"},
    "frontend": {"base", "ir"},
    "ad": {"base", "ir"},
    "opt": {"base", "ir"},
    "backends": {"base", "ir", "opt"},
    "pipeline": {"base", "ir", "frontend", "ad", "opt", "backends"},
    "api": {"base", "ir", "frontend", "ad", "opt", "backends", "pipeline"},
    "mindspore": {"base", "ir", "frontend", "backends", "pipeline", "api"},
    "scipy_rules": {"base", "ir", "backends"},
    "cli": {"base", "ir", "frontend", "ad", "opt", "backends", "pipeline", "api",
            "mindspore", "scipy_rules"},
}
TOP = {"api": "api", "options": "api", "supported": "cli", "extend": "api", "testing": "api",
       "numpy_definitions": "api", "numpy_linalg_definitions": "api",
       "numpy_polynomial_definitions": "api",
       "numpy_array_api_definitions": "api", "operator_definitions": "api", "export_module": "api",
       "directional": "api", "pullbacks": "api", "jacobians": "api", "jacobian_checks": "api",
       "inlined_jvp": "api",
       "linearize": "api", "taylor": "api",
       "custom": "api", "custom_jvp": "api", "remat": "api", "sensitivity": "api",
       "vectorize": "api", "profiling": "api", "instrument": "api",
       "cli": "cli", "runfile": "cli", "__main__": "cli", "__init__": "cli"}


def layer_of(module: str) -> str:
    """``autodiff_compiler.ad.reverse`` -> ``ad``; top-level modules by the table."""
    parts = module.split(".")[1:]
    head = parts[0] if parts else "__init__"
    if head in BASE:
        return "base"
    if head in LAYERS:
        return head
    return TOP[head]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of each import of this package in ``path``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("autodiff_compiler"):
                continue
            # ``from . import x``: x may be a module of that package
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*candidate.split("."))).with_suffix(".py") \
                    .exists() or (PACKAGE.parent / Path(*candidate.split("."))).is_dir()
                found.append((node.lineno, candidate if is_module else target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names
                      if a.name.startswith("autodiff_compiler")]
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_down(path):
    own = layer_of(module_name(path))
    allowed = LAYERS[own] | {own}
    wrong = [f"line {line}: {target} ({layer_of(target)})"
             for line, target in imported_modules(path)
             if target != "autodiff_compiler" and layer_of(target) not in allowed]
    assert not wrong, f"{module_name(path)} ({own}) imports upward: {wrong}"


def test_every_module_has_a_layer():
    for path in MODULES:
        layer_of(module_name(path))  # raises KeyError for a module no layer owns


def test_the_table_sees_an_upward_import(tmp_path):
    """The checker itself: a module of the IR that imported the API would be caught."""
    assert layer_of("autodiff_compiler.api") not in LAYERS["ir"] | {"ir"}
    assert layer_of("autodiff_compiler.ir.core") == "ir"
    assert layer_of("autodiff_compiler.errors") == "base"
