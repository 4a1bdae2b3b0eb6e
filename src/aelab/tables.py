"""Plain-text tables for the chapters' printed results.

``show(["model", "error"], [["PCA", 13.87], ["deep AE", 2.93]])`` prints::

    model      error
    PCA        13.87
    deep AE     2.93

The first column is left-aligned (labels), the others right-aligned (numbers);
floats are formatted with ``fmt``, one format for all columns or one per column.
Plain text on purpose: it reads the same in the book, in Jupyter and in a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence


def format_table(
    header: Sequence[str], rows: Sequence[Sequence[object]], fmt: str | Sequence[str] = ".2f"
) -> str:
    """The table as a string: a header line, then one line per row."""
    width = len(header)
    formats = [fmt] * width if isinstance(fmt, str) else list(fmt)
    if len(formats) != width:
        raise ValueError(
            f"fmt has {len(formats)} formats for {width} columns: give one per column."
        )
    for i, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(
                f"rows[{i}] has {len(row)} cells, the header {width}: make them agree."
            )
    cells = [list(map(str, header))] + [
        [_cell(value, f) for value, f in zip(row, formats, strict=True)] for row in rows
    ]
    widths = [max(len(line[c]) for line in cells) for c in range(width)]
    lines = []
    for line in cells:
        parts = [line[0].ljust(widths[0])]
        parts += [text.rjust(w) for text, w in zip(line[1:], widths[1:], strict=True)]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def show(
    header: Sequence[str], rows: Sequence[Sequence[object]], fmt: str | Sequence[str] = ".2f"
) -> None:
    """Print the table (see ``format_table``)."""
    print(format_table(header, rows, fmt))


def _cell(value: object, fmt: str) -> str:
    if isinstance(value, float):
        return format(value, fmt)
    return str(value)
