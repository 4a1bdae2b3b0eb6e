"""A table of how long each chapter ran, from the run records in the notebooks.

    python tools/run_times.py                       # print the table
    python tools/run_times.py --write book/setup.md

``tools/execute.py`` stores each chapter's run record (device, mode, seconds,
date) in the notebook's metadata under ``"aelab"``. This script collects them
from ``chapters/*.ipynb`` into one Markdown table with a total row. With
``--write FILE`` it replaces what lies between the lines
``<!-- run-times:start -->`` and ``<!-- run-times:end -->`` in FILE, so that the
book shows the numbers of the stored outputs and never numbers typed by hand.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- run-times:start -->", "<!-- run-times:end -->"


def chapter_title(notebook: dict, fallback: str) -> str:
    """The first ``# `` heading of the notebook's markdown cells, else ``fallback``."""
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        for line in source.splitlines():
            if line.startswith("# "):
                return line[2:].strip()
    return fallback


def read_records(paths: Iterable[Path]) -> list[tuple[str, dict | None]]:
    """(chapter, run record or None) for every notebook, in the order given.

    The chapter is named by its title, numbered like its file (``01_x.ipynb``: ``1.``).
    """
    rows = []
    for path in paths:
        notebook = json.loads(Path(path).read_text(encoding="utf-8"))
        record = notebook.get("metadata", {}).get("aelab")
        stem = Path(path).stem
        number = stem.split("_", 1)[0]
        title = chapter_title(notebook, stem)
        rows.append((f"{int(number)}. {title}" if number.isdigit() else title, record))
    return rows


def table(rows: Sequence[tuple[str, dict | None]]) -> str:
    """A Markdown table: chapter, device, mode, seconds, date, and a total row."""
    lines = ["| chapter | device | mode | seconds | date |", "| --- | --- | --- | ---: | --- |"]
    total = 0.0
    for chapter, record in rows:
        if record is None:
            lines.append(f"| {chapter} | no run record | | | |")
            continue
        mode = "quick" if record["quick"] else "full"
        total += record["seconds"]
        lines.append(
            f"| {chapter} | {record['device']} | {mode} | {record['seconds']:.0f} "
            f"| {record['date']} |"
        )
    missing = sum(record is None for _, record in rows)
    label = f"**total** (without {missing} unrecorded)" if missing else "**total**"
    lines.append(f"| {label} | | | **{total:.0f}** ({total / 60:.0f} min) | |")
    return "\n".join(lines)


def replace_between_markers(text: str, content: str, name: str = "the file") -> str:
    """``text`` with the part between START and END replaced by ``content``."""
    if text.count(START) != 1 or text.count(END) != 1 or text.index(START) > text.index(END):
        raise ValueError(
            f"{name} must contain the line {START} once, followed by the line {END} once; "
            "the table goes between them."
        )
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n\n{content}\n\n{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: chapters/*.ipynb")
    parser.add_argument("--write", type=Path, metavar="FILE", help="put the table into FILE")
    args = parser.parse_args(argv)
    paths = args.notebooks or sorted((ROOT / "chapters").glob("*.ipynb"))
    if not paths:
        parser.error("no notebooks found")
    text = table(read_records(paths))
    if args.write is None:
        print(text)
        return 0
    try:
        old = args.write.read_text(encoding="utf-8")
        new = replace_between_markers(old, text, str(args.write))
    except (OSError, ValueError) as error:
        print(f"run_times.py: {error}", file=sys.stderr)
        return 1
    if new != old:
        args.write.write_text(new, encoding="utf-8")
    print(f"{args.write}: run-time table {'updated' if new != old else 'already up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
