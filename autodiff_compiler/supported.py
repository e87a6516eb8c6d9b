"""The README's table of what is supported: the NumPy surface (``ir.surface``) with
SciPy's (where SciPy is installed), then MindSpore's ``ops``, the Cells of ``nn`` and ``mint``.
It sits above them all, so the tables stay where they are defined and the README is
rendered from them."""
from __future__ import annotations

from typing import Any

from . import scipy_rules
from .ir import surface
from .mindspore import mint, nn, ops


def supported_markdown() -> str:
    """The supported surface as Markdown, from the tables above, ``ops.__all__`` and the
    Cells of ``nn`` (the README's "Supported today" section includes it verbatim)."""
    if scipy_rules.installed():
        scipy_rules.load()
    rows = ["| family | functions, methods and attributes |", "|---|---|"]
    for family in sorted(surface.FAMILIES, key=surface.family_rank):
        names = surface.FAMILIES[family]
        if family == surface.EXTENDED:
            continue
        rows.append(f"| {family} | {' '.join(f'`{n}`' for n in dict.fromkeys(names))} |")
    training = [*nn.optim.__all__, *nn.lr.__all__]
    cells = [name for name, obj in vars(nn).items() if isinstance(obj, type)
             and issubclass(obj, nn.Cell) and not name.startswith("_") and name not in training]
    rows += ["", "MindSpore's `ops`: " + " ".join(f"`{n}`" for n in sorted(ops.__all__)) + ".",
             "", "MindSpore's `nn`: " + " ".join(f"`{n}`" for n in cells) + ".",
             "", "Optimizers and learning rates (`nn`, `nn.optim`): "
             + " ".join(f"`{n}`" for n in training) + ".",
             "", "MindSpore's `mint`: " + " ".join(f"`{n}`" for n in mint.__all__) + ".",
             "", "`mint.nn`: " + " ".join(f"`{n}`" for n in mint.nn.__all__) + "; "
             "`mint.nn.functional`: " + " ".join(f"`{n}`" for n in _functions(mint.functional))
             + "; `mint.optim`: `SGD` `Adam` `AdamW`."]
    return "\n".join(rows) + "\n"


def _functions(module: Any) -> list[str]:
    return sorted(name for name, obj in vars(module).items() if callable(obj)
                  and not isinstance(obj, type) and not name.startswith("_")
                  and name != "annotations")


def write_readme(path: str = "README.md") -> None:
    """Replace the generated part of the README (between its markers) with
    ``supported_markdown()``: ``python -c "import autodiff_compiler.supported as s;
    s.write_readme()"`` from the repository root."""
    with open(path) as f:
        text = f.read()
    head, rest = text.split(surface.README_BEGIN)
    _, tail = rest.split(surface.README_END)
    text = f"{head}{surface.README_BEGIN}\n{supported_markdown()}{surface.README_END}{tail}"
    with open(path, "w") as f:  # only once the new text is whole
        f.write(text)
