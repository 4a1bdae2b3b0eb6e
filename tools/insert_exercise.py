"""Insert a prepared exercise into its chapter, after the chapter's last exercise.

    python tools/insert_exercise.py tools/pending_exercises/chNN-ex-NAME.json

A pending exercise is a JSON file ``{"chapter": stem, "checker": name, "cells": [...]}``
holding the five cells of an exercise in the book's form: the ``exercise`` directive
(markdown), the stub (code), ``solution-start`` with the explanation (markdown), the
solution (code) and the cell that prints whether it passed (code). It waits there for
the chapter's next full-mode run: a notebook is committed only with the outputs of
its current cells. After inserting, execute the chapter (``tools/execute.py``) and
delete the JSON file.
"""

from __future__ import annotations

import argparse
import json
import uuid
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
KINDS = ["markdown", "code", "markdown", "code", "code"]
END = "```{solution-end}\n```"


def read_pending(path: Path) -> dict:
    """The pending exercise in ``path``, once its cells have the book's form."""
    spec = json.loads(path.read_text(encoding="utf-8"))
    cells = spec["cells"]
    if [c["cell_type"] for c in cells] != KINDS:
        raise ValueError(f"{path}: the cells should be {KINDS}")
    if not cells[0]["source"].startswith("```{exercise}"):
        raise ValueError(f"{path}: the first cell should be an exercise directive")
    if not cells[2]["source"].startswith("```{solution-start}"):
        raise ValueError(f"{path}: the third cell should open the solution")
    return spec


def insert(notebook: nbformat.NotebookNode, spec: dict) -> None:
    """Put the exercise's cells after the last ``solution-end`` of ``notebook``."""
    label = spec["cells"][0]["source"].split(":label:")[1].split()[0]
    if any(label in c.source for c in notebook.cells):
        raise ValueError(f"{label} is in the chapter already")
    end = max(
        i
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "markdown" and c.source.startswith(END)
    )
    rest = notebook.cells[end].source[len(END) :].lstrip("\n")

    def make(kind: str, source: str) -> nbformat.NotebookNode:
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = new(source.rstrip("\n"))
        cell["id"] = uuid.uuid4().hex[:8]
        return cell

    cells = [make(c["cell_type"], c["source"]) for c in spec["cells"]]
    cells[0].source = f"{END}\n\n{cells[0].source}"
    closing = make("markdown", f"{END}\n\n{rest}" if rest else END)
    notebook.cells[end : end + 1] = [*cells, closing]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pending", type=Path)
    args = parser.parse_args()
    spec = read_pending(args.pending)
    path = ROOT / "chapters" / f"{spec['chapter']}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    insert(notebook, spec)
    nbformat.validate(notebook)
    nbformat.write(notebook, path)
    print(f"inserted into {path.name}; now execute it and delete {args.pending}")


if __name__ == "__main__":
    main()
