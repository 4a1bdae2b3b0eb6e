"""Fill the Published and Goal columns of the results page from ``aelab.published``.

    python tools/results_table.py          # list the rows whose columns are stale (exit 1)
    python tools/results_table.py --write  # rewrite them in book/results.md

Each table row of ``book/results.md`` pastes one glued number in its **aelab**
column (``{glue:text}`/chapters/<chapter>.ipynb::<name>:<format>```). Its label
and that column are written by hand; its **Published** and **Goal** cells are
rendered here from the entry for ``<name>`` in ``aelab.published.CHAPTERS``, so
that a published number or a goal is written in one place only.
``tests/test_notebooks.py`` fails while the page is stale.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from aelab import goals, published
from aelab.chapter import stored_glue

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "book" / "results.md"
Values = dict[str, dict[str, float | str]]  # chapter (notebook stem) -> its glued values
PASTE = re.compile(r"\{glue:text\}`/chapters/(\w+)\.ipynb::(\w+):[^`]*`")


def published_cell(q: published.Quantity) -> str:
    """The published number (or what the source says instead) with its citation, else "—"."""
    p = q.published
    if p is None:
        return "—"
    text = p.text or f"{p.value:g}"
    return f"{text} {{cite:p}}`{p.source}`" if p.source else text


def goal_cell(q: published.Quantity, values: dict[str, float | str]) -> str:
    """The goal as the test checks it, with the chapter's note ("reported" where there is
    none), the hope and whether the stored run (``values``) met it, and the quick-mode
    goal where the quantity has one."""
    head = q.goal.describe() if q.goal else "reported"
    head = f"{head} ({q.note})" if q.note else head
    if q.hope:
        verdict = "met" if goals.hope_met(q, values) else "**not met**"
        head = f"{head}; hoped: {q.hope.describe()}, {verdict}"
    return f"{head}; quick mode: {q.quick.describe()}" if q.quick else head


def pasted(line: str) -> tuple[str, str] | None:
    """(chapter, name) a table row pastes in its aelab column, or None for other lines."""
    cells = line.split("|")
    if not line.startswith("|") or len(cells) != 6:
        return None
    found = PASTE.findall(cells[2])
    return found[0] if found else None  # the first paste; a second one may give "± std"


def render(text: str, values: Values) -> str:
    """``text`` with the Published and Goal cells of every row of a tabled quantity rewritten;
    ``values`` are the chapters' stored values (:func:`stored_values`)."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        row = pasted(line)
        if row is None or row[1] not in names(row[0]):
            continue
        q = published.quantity(row[1])
        cells = line.split("|")
        cells[3], cells[4] = f" {published_cell(q)} ", f" {goal_cell(q, values[row[0]])} "
        lines[i] = "|".join(cells)
    return "\n".join(lines)


def stored_values() -> Values:
    """Every chapter's glued values, as its notebook stores them."""
    return {stem: stored_glue(ROOT / "chapters" / f"{stem}.ipynb") for stem in published.CHAPTERS}


def names(chapter: str) -> set[str]:
    return {q.name for q in published.CHAPTERS.get(chapter, [])}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {PAGE.name}")
    args = parser.parse_args(argv)
    old = PAGE.read_text(encoding="utf-8")
    new = render(old, stored_values())
    if args.write:
        if new != old:
            PAGE.write_text(new, encoding="utf-8")
        print(f"{PAGE.name}: {'updated' if new != old else 'already up to date'}")
        return 0
    stale = [a for a, b in zip(old.split("\n"), new.split("\n"), strict=True) if a != b]
    for line in stale:
        print(f"stale: {line[:100]}")
    if stale:
        print(f"{len(stale)} stale rows: run python tools/results_table.py --write")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
