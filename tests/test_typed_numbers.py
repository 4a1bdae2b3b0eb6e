"""No typed numbers in the chapters' prose: every decimal in a markdown cell is accounted for.

A number in the text of a chapter must come from the chapter's own run (glued:
``{glue:text}`name:.2f```), from the table of published numbers and goals
(``aelab.published``), or be a setting the chapter's code states literally
(a threshold such as 0.01, a noise level such as 0.1), so that changing the
setting without the text fails here. Everything else needs a reason in
``ALLOWED`` below. Maths (``$...$``), code spans, roles and links are not prose
and are skipped. The check looks at decimals (``3.00``, ``0.5``, ``−86.76``);
whole numbers (years, chapter numbers, sizes such as 784) are left alone.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import nbformat
import pytest
import scripts

from aelab import budgets, published

CHAPTERS = scripts.chapters()

MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.S)
ROLE = re.compile(r"\{[\w:-]+\}`[^`]*`")
CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
LINK = re.compile(r"\]\([^)]*\)")
DECIMAL = re.compile(r"(?<![\w.\-−])[-−]?\d+\.\d+(?![\w.])")
LITERAL = re.compile(r"(?<![\w.])\d+\.\d+(?![\w.])")

#: (chapter number, number as typed): why it may be typed.
ALLOWED = {
    ("02", "0.5"): "the linear AE's goal, within 0.5 % of PCA's error (aelab.published)",
    ("04", "0.004"): "3/783, the white-noise checkerboard score derived in the text",
    ("05", "0.03"): "Lehtinen et al.'s published N2N-N2C gap, quoted as the paper states it",
}


def published_numbers() -> set[float]:
    """Every published value and goal bound of the table, rounded as a text would show them."""
    values: set[float] = {p.value for p in published.OTHERS.values() if p.value is not None}
    for quantities in published.CHAPTERS.values():
        for q in quantities:
            if q.published is not None and q.published.value is not None:
                values.add(float(q.published.value))
            if q.goal is not None:
                values |= {b for b in (q.goal.low, q.goal.high) if math.isfinite(b)}
    return values


def prose(text: str) -> str:
    for pattern in (ROLE, CODE, MATH, LINK):
        text = pattern.sub(" ", text)
    return text


def typed_decimals(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    return [
        (i, m.group())
        for i, cell in enumerate(notebook.cells)
        if cell.cell_type == "markdown"
        for m in DECIMAL.finditer(prose(cell.source))
    ]


def budget_numbers(chapter: str) -> set[float]:
    """The chapter's full-mode settings in ``aelab.budgets`` (the settings the text states)."""
    values: set[float] = set()
    for full, _ in budgets.BUDGETS.get(chapter, {}).values():
        values |= {float(v) for v in (full if isinstance(full, list) else [full]) if v is not None}
    return values


def code_literals(notebook: nbformat.NotebookNode) -> set[float]:
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    return {float(m.group()) for m in LITERAL.finditer(code)}


def unexplained(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    chapter = path.name[:2]
    known = published_numbers() | code_literals(notebook) | budget_numbers(path.stem)
    problems = []
    for cell, text in typed_decimals(notebook):
        value = float(text.replace("−", "-"))
        if (chapter, text.lstrip("-−")) in ALLOWED:
            continue
        if any(math.isclose(value, k, rel_tol=1e-9) for k in known):
            continue
        problems.append(f"{path.name} cell {cell}: {text}")
    return problems


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name[:2])
def test_every_decimal_in_the_prose_is_glued_published_or_a_stated_setting(path):
    problems = unexplained(path)
    assert not problems, (
        "typed numbers in the prose: glue them, take them from aelab.published, "
        "or give a reason in ALLOWED:\n" + "\n".join(problems)
    )


def test_the_check_catches_a_typed_number(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("The error falls to 4.29 after training; $x = 0.5$."),
        nbformat.v4.new_code_cell("THRESHOLD = 0.01"),
        nbformat.v4.new_markdown_cell("Units above 0.01 count as active; PCA gives 13.87."),
    ]
    path = tmp_path / "99_example.ipynb"
    nbformat.write(notebook, path)
    assert unexplained(path) == ["99_example.ipynb cell 0: 4.29"]


def test_no_unshown_trial_runs_are_cited():
    for path in CHAPTERS:
        text = " ".join(
            c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
        )
        assert "not shown" not in text, f"{path.name} cites a result it does not show"
