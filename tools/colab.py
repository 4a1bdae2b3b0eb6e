"""The Colab editions: every chapter as a plain Jupyter notebook, written to ``colab/``.

    python tools/colab.py            # write colab/NN_*.ipynb for every chapter (make colab)
    python tools/colab.py --check    # exit 1 if an edition is missing or stale

Colab cannot run MyST extensions, so it cannot show the source notebooks of the
book. Each edition is its chapter with

* plain markdown instead of MyST (``tools/colab_markdown.py``): the numbers of the
  text are the values the chapter's full-mode run stored, and a note under the
  title says so;
* every exercise's reference solution (between ``solution-start`` and
  ``solution-end``) folded into a ``<details>`` markdown block, so that it is not
  in plain view and "Run all" never executes it (the stub above it prints the
  checker's "not implemented yet" verdict instead);
* no outputs: the book shows them, the reader makes their own;
* a setup cell that also says, when no GPU is present, how long the chapter took
  in full mode (its run record), how long quick mode takes (the run-time table of
  ``book/setup.md``, when it has a quick column) and how to switch.

Run it after re-executing a chapter (``make colab``); ``tests/test_colab_edition.py``
fails while an edition is stale.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import nbformat
import yaml

from aelab.chapter import stored_glue

sys.path.insert(0, str(Path(__file__).resolve().parent))
import colab_markdown as md  # noqa: E402  (a sibling file: tools/ is not a package)
from execute import chapter_notebooks  # noqa: E402  (the book's chapters, in order)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
EDITIONS = ROOT / "colab"
SOLUTION = re.compile(r"^```\{solution-(start|end)\}.*\n(?::[\w-]+:.*\n)*```[ \t]*\n?", re.M)
EXERCISE = re.compile(r"^```+\{exercise\}.*\n(?::[\w-]+:.*\n)*?:label:\s*(\S+)", re.M)
CHECK_MARK = "# NBVAL_CHECK_OUTPUT\n"


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


def book_url(conf: dict | None = None) -> str:
    """The published book: ``html.baseurl`` of ``_config.yml``, else the GitHub Pages
    address of ``repository.url`` (https://github.com/ORG/REPO -> https://ORG.github.io/REPO/)."""
    conf = conf or config()
    base = (conf.get("html") or {}).get("baseurl")
    if base:
        return base.rstrip("/") + "/"
    match = re.fullmatch(
        r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?", conf["repository"]["url"]
    )
    if not match:
        raise ValueError("set html.baseurl in _config.yml: repository.url is not on GitHub")
    return f"https://{match.group(1).lower()}.github.io/{match.group(2)}/"


def exercise_numbers(paths: list[Path]) -> dict[str, md.Target]:
    """Exercise label -> its page, anchor and "Exercise <chapter>.<k>", as the book numbers them."""
    targets = {}
    for path in paths:
        chapter = int(path.stem.split("_", 1)[0])
        text = "\n".join(
            c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown"
        )
        for k, label in enumerate(EXERCISE.findall(text), start=1):
            targets[label] = md.Target(f"chapters/{path.stem}", label, f"Exercise {chapter}.{k}")
    return targets


def quick_seconds(chapter: int, setup: Path = ROOT / "book" / "setup.md") -> float | None:
    """This chapter's quick-mode seconds from the run-time table, if the table has them."""
    text = setup.read_text(encoding="utf-8")
    if "<!-- run-times:start -->" in text:  # the table tools/run_times.py writes
        text = text.split("<!-- run-times:start -->", 1)[1].split("<!-- run-times:end -->", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("|")]
    if not rows:
        return None
    header = [cell.strip().lower() for cell in rows[0].strip("|").split("|")]
    column = next((i for i, name in enumerate(header) if "quick" in name), None)
    for row in rows[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if column is not None and cells[0].startswith(f"{chapter}. "):
            number = re.match(r"[\d.]+", cells[column])
            return float(number.group(0)) if number else None
    return None


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" + (f" ({seconds / 60:.0f} min)" if seconds >= 90 else "")


def setup_cell(source: str, chapter: int, record: dict | None) -> str:
    """The chapter's setup cell with a quick-mode switch on top and the run-time note after it."""
    quick = quick_seconds(chapter)
    if record and not record.get("quick"):
        full = (
            f"in full mode this chapter took {_duration(record['seconds'])} on {record['device']}"
        )
    else:
        full = "full mode can take long on a CPU"
    quick_text = f"quick mode takes about {_duration(quick)}" if quick else "quick mode is faster"
    lines = [
        f"No GPU: {full} when the book was made;",
        f"{quick_text}: every claim of the chapter, with rougher numbers.",
        "For a GPU on Colab: Runtime > Change runtime type > GPU.",
        "For quick mode: uncomment %env AELAB_QUICK=1 at the top of this cell, then run all.",
    ]
    prints = "".join(f"    print({json.dumps(line, ensure_ascii=False)})\n" for line in lines)
    return (
        "# Quick mode (a smaller budget that still shows the chapter's claims): uncomment\n"
        "# the next line. The chapter's last cells check the claims on your run.\n"
        "# %env AELAB_QUICK=1\n"
        f"{source.rstrip()}\n\n"
        'if ae.config.device().type == "cpu":  # the book\'s run times of this chapter\n'
        f"{prints}"
    )


def _details(parts: list[str]) -> str:
    body = "\n\n".join(p.strip("\n") for p in parts if p.strip())
    return (
        "<details>\n<summary><b>Solution</b> (try the exercise first)</summary>\n\n"
        f"{body}\n\n</details>"
    )


def edition(path: Path, targets: dict[str, md.Target], citations: dict, url: str) -> str:
    """The Colab edition of the chapter at ``path``, as notebook JSON text."""
    chapter = nbformat.read(path, as_version=4)
    number = int(path.stem.split("_", 1)[0])
    docname = f"chapters/{path.stem}"
    ctx = md.Context(docname, url, stored_glue(chapter, text=True), citations, targets)
    ctx.exercise_label = lambda label: targets[label].text if label in targets else "Exercise"
    cells, solution, first_code = [], None, True
    for cell in chapter.cells:
        if cell.cell_type == "code":
            source = cell.source
            if solution is not None:
                code = source.replace(CHECK_MARK, "").strip("\n")
                solution.append(f"```python\n{code}\n```")
                continue
            if first_code:
                source, first_code = (
                    setup_cell(source, number, chapter.metadata.get("aelab")),
                    False,
                )
            cells.append(nbformat.v4.new_code_cell(source))
            continue
        if cell.cell_type != "markdown":
            continue
        # solution-start / solution-end split the cell; text between them joins the solution
        pieces = SOLUTION.split(cell.source)
        for i, piece in enumerate(pieces):
            if i % 2 == 1:  # "start" or "end"
                if piece == "start":
                    solution = []
                else:
                    cells.append(nbformat.v4.new_markdown_cell(_details(solution)))
                    solution = None
                continue
            text = md.convert(piece, ctx).strip("\n")
            if solution is not None:
                solution.append(text)
            elif text:
                cells.append(nbformat.v4.new_markdown_cell(text))
    if solution is not None:
        raise ValueError(f"{path.name}: a solution-start has no solution-end")
    cells[0].source = _with_note(cells[0].source, url, docname, number)
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=_metadata(chapter, path))
    for i, cell in enumerate(notebook.cells):
        cell.id = f"cell-{i:03d}"  # stable ids: an unchanged chapter gives the same edition
    return nbformat.writes(notebook, version=4) + "\n"


def _with_note(first: str, url: str, docname: str, number: int) -> str:
    """The first markdown cell with a note under its title: which edition this is."""
    title, _, rest = first.partition("\n")
    note = (
        f"> **Colab edition** of chapter {number} of the book [*{config()['title']}*]"
        f"({url}{docname}.html), which shows this notebook with its outputs. "
        "The numbers in the text are the book's full-mode results; quick mode shows the same "
        "claims with rougher numbers, and the last cells check them on your run. Each "
        "exercise's solution is folded under **Solution**."
    )
    return f"{title}\n\n{note}\n{rest}" if title.startswith("# ") else f"{note}\n\n{first}"


def _metadata(chapter: nbformat.NotebookNode, path: Path) -> dict:
    kernel = chapter.metadata.get("kernelspec", {})
    return {
        "kernelspec": {
            "name": "python3",
            "display_name": kernel.get("display_name", "Python 3"),
            "language": "python",
        },
        "language_info": {"name": "python"},
        "colab": {"name": path.name, "provenance": []},
    }


def editions() -> dict[Path, str]:
    """Edition path -> its text, for every chapter."""
    paths = chapter_notebooks(CHAPTERS)
    targets = exercise_numbers(paths)
    citations = md.read_citations(ROOT / "book" / "references.bib")
    url = book_url()
    return {EDITIONS / p.name: edition(p, targets, citations, url) for p in paths}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale editions")
    args = parser.parse_args(argv)
    stale = []
    for path, text in editions().items():
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if old == text:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {'stale' if args.check else 'written'}")
    if args.check and stale:
        print("run: make colab (python tools/colab.py)")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
