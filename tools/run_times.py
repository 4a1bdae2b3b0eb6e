"""A table of how long each chapter ran, from the run records in the notebooks.

    python tools/run_times.py                       # print the table
    python tools/run_times.py --write book/setup.md

``tools/execute.py`` stores each chapter's run record (device, mode, seconds,
date) in the notebook's metadata under ``"aelab"``. This script collects them
from ``chapters/*.ipynb`` into one Markdown table with a total row, next to
each chapter's quick-mode run from ``book/quick_runs.json`` (written by
``tools/execute.py --quick --record book/quick_runs.json``): its seconds and how
many of the chapter's claims it reproduced. With
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
QUICK_RUNS = ROOT / "book" / "quick_runs.json"
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


def read_quick(paths: Iterable[Path], file: Path = QUICK_RUNS) -> list[dict | None]:
    """Each notebook's quick-mode run record from ``file`` (None where it has none)."""
    records = json.loads(file.read_text(encoding="utf-8")) if file.exists() else {}
    return [records.get(Path(path).stem) for path in paths]


def _minutes(total: float) -> str:
    return f"**{total:.0f}** ({total / 60:.0f} min)"


def table(
    rows: Sequence[tuple[str, dict | None]], quick: Sequence[dict | None] | None = None
) -> str:
    """A Markdown table: chapter, device, full-mode seconds and date, quick-mode seconds and
    claims reproduced (``quick``, one record or None per row), and a total row."""
    quick = list(quick) if quick is not None else [None] * len(rows)
    lines = [
        "| chapter | device | full mode (s) | date | quick mode (s) | claims in quick mode |",
        "| --- | --- | ---: | --- | ---: | ---: |",
    ]
    total = quick_total = 0.0
    for (chapter, record), fast in zip(rows, quick, strict=True):
        fast_cells = (
            f"{fast['seconds']:.0f} | {fast.get('claims') or 'no claims cell'}"
            if fast
            else "not measured |"
        )
        quick_total += fast["seconds"] if fast else 0.0
        if record is None:
            lines.append(f"| {chapter} | no run record | | | {fast_cells} |")
            continue
        seconds = f"{record['seconds']:.0f}" + (" (a quick run!)" if record["quick"] else "")
        total += record["seconds"]
        lines.append(
            f"| {chapter} | {record['device']} | {seconds} | {record['date']} | {fast_cells} |"
        )
    missing = sum(record is None for _, record in rows)
    label = f"**total** (without {missing} unrecorded)" if missing else "**total**"
    quick_cell = _minutes(quick_total) if any(quick) else ""
    lines.append(f"| {label} | | {_minutes(total)} | | {quick_cell} | |")
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
    text = table(read_records(paths), read_quick(paths))
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
