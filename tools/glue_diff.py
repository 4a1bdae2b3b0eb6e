"""What a re-run changed: a chapter's glued values before and after, and the text showing them.

    python tools/glue_diff.py chapters/06_dae_markov_chain_sampling.ipynb   # against HEAD
    python tools/glue_diff.py chapters/08_vae_elbo.ipynb --against c09c00f
    python tools/glue_diff.py NEW.ipynb --old OLD.ipynb

A re-run on another machine, or after an edit, moves the numbers a chapter glues
(book/setup.md, "Same seed, same numbers, same machine"), and every sentence built
on them has to be read again before the notebook is committed. This prints

1. each glued value that changed, old -> new, with its relative change, and the
   values that only one of the two runs glued;
2. every paragraph of the chapter, and every row of the results page
   (book/results.md), that shows a changed value, as the book renders it, with
   "(was ...)" after each value that changed: the sentences to check.

The exit status is 0 whether or not anything changed; it is a reading aid, not a test.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import nbformat
from myst_nb.core.variables import format_plain_text

from aelab.chapter import stored_glue

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "book" / "results.md"
#: ``{glue:text}`name:spec``` in a chapter; on the results page the name is
#: ``/chapters/NB.ipynb::name``.
GLUE = re.compile(
    r"\{glue:text\}`(?:/chapters/(?P<nb>[\w.]+)::)?(?P<name>\w+)(?::(?P<spec>[^`]*))?`"
)


def committed(path: Path, rev: str) -> dict:
    """The notebook at ``path`` as git has it at ``rev``, read as JSON."""
    relative = path.resolve().relative_to(ROOT).as_posix()
    shown = subprocess.run(
        ["git", "show", f"{rev}:{relative}"], cwd=ROOT, capture_output=True, text=True
    )
    if shown.returncode != 0:
        raise SystemExit(f"--against {rev}: git has no {relative} there ({shown.stderr.strip()}).")
    return nbformat.reads(shown.stdout, as_version=4)


def changed_values(old: dict, new: dict) -> list[str]:
    """One line per glued value that differs, sorted by name."""
    lines = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if before is None or after is None:
            lines.append(f"{name}: {'only in the new run' if before is None else 'gone'}")
            continue
        relative = ""
        if isinstance(before, float) and isinstance(after, float) and before:
            relative = f"  ({(after - before) / abs(before):+.2%})"
        lines.append(f"{name}: {before!r} -> {after!r}{relative}")
    return lines


def render(text: str, old: dict, new: dict, notebook: str | None = None) -> str | None:
    """``text`` with its glue roles filled in as the book shows them, or None if none changed.

    ``old`` and ``new`` hold the stored ``text/plain`` of each value; only roles of
    ``notebook`` count when it is given (the results page names the chapter).
    """
    changed = False

    def fill(match: re.Match) -> str:
        nonlocal changed
        if notebook is not None and match["nb"] != notebook:
            return match[0]
        name, spec = match["name"], match["spec"] or ""
        shown = format_plain_text(new[name], spec) if name in new else "(not glued)"
        before = format_plain_text(old[name], spec) if name in old else "(not glued)"
        if shown == before:
            return shown
        changed = True
        return f"{shown} (was {before})"

    filled = GLUE.sub(fill, text)
    return filled if changed else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path, help="the chapter after its re-run")
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--against", default="HEAD", help="git revision of the old run (HEAD)")
    group.add_argument("--old", type=Path, help="the old run as a notebook file instead")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        parser.error(f"notebook {args.notebook}: no such file; give a chapter's .ipynb path.")

    new_nb = nbformat.read(args.notebook, as_version=4)
    old_nb = (
        nbformat.read(args.old, as_version=4)
        if args.old
        else committed(args.notebook, args.against)
    )
    old, new = stored_glue(old_nb, text=True), stored_glue(new_nb, text=True)
    print("\n".join(changed_values(stored_glue(old_nb), stored_glue(new_nb))) or "no value changed")

    for i, cell in enumerate(new_nb.cells):
        if cell.cell_type != "markdown":
            continue
        for paragraph in cell.source.split("\n\n"):
            if (shown := render(paragraph, old, new)) is not None:
                print(f"\n--- text cell {i}\n{shown}")
    name = args.notebook.name
    for number, line in enumerate(RESULTS.read_text(encoding="utf-8").splitlines(), 1):
        if (shown := render(line, old, new, notebook=name)) is not None:
            print(f"\n--- book/results.md:{number}\n{shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
