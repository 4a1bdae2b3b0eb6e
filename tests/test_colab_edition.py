"""The Colab editions (``colab/NN_*.ipynb``, written by ``tools/colab.py``).

Each chapter has a plain-Jupyter edition for Colab and JupyterLab. These tests check
that every edition is up to date with its chapter, shows no MyST, shows every number
the chapter glues, never runs a reference solution, and runs top to bottom ("Run all"
on an untouched notebook) in a clean environment where only its setup cell installs
``aelab``. The execution test runs chapter 1 and one heavy chapter (``ALWAYS_RUN``);
``AELAB_COLAB_ALL=1`` (``make colab-check``) runs all nine.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import scripts
from myst_nb.core.variables import format_plain_text
from test_colab import _clean_venv, _package_source, run_in_clean_kernel

from aelab.chapter import stored_glue

ROOT = Path(__file__).resolve().parents[1]
colab = scripts.load("tools/colab.py")
md = scripts.load("tools/colab_markdown.py")
launch = scripts.load("_ext/colab_launch.py")

CHAPTERS = scripts.chapters()
EDITIONS = [ROOT / "colab" / p.name for p in CHAPTERS]
#: Executed in every test run: chapter 1 and a heavy chapter (quick mode keeps it short).
ALWAYS_RUN = ("01_autoencoders_and_losses", "02_undercomplete_and_pca")
RESIDUE = ("{glue", "{cite", "{ref", "{doc", "{numref", "```{", ":::{", "{solution-")
GLUE_ROLE = re.compile(r"\{glue:text\}`([^`:]+):?([^`]*)`")
KERNEL = "aelab-colab-edition"
ids = [p.stem for p in CHAPTERS]


def _cells(path: Path, kind: str) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == kind]


def _solution_code(chapter: Path) -> list[str]:
    """The code cells of the chapter between a solution-start and its solution-end."""
    inside, out = False, []
    for cell in nbformat.read(chapter, as_version=4).cells:
        if cell.cell_type == "code" and inside:
            out.append(cell.source)
        for kind in re.findall(r"\{solution-(start|end)\}", cell.source):
            inside = kind == "start"
    return out


def test_editions_are_up_to_date():
    stale = [
        path.name
        for path, text in colab.editions().items()
        if not path.exists() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"Colab editions older than their chapters: {stale}; run `make colab`"


@pytest.mark.parametrize("edition", EDITIONS, ids=ids)
def test_edition_markdown_has_no_myst(edition):
    found = {
        mark: cell[max(0, cell.index(mark) - 60) : cell.index(mark) + 60]
        for cell in _cells(edition, "markdown")
        for mark in RESIDUE
        if mark in cell
    }
    assert not found, f"{edition.name} shows MyST markup: {found}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_every_glued_number_is_in_the_edition(chapter):
    glued = stored_glue(chapter, text=True)
    text = "\n".join(_cells(ROOT / "colab" / chapter.name, "markdown"))
    roles = GLUE_ROLE.findall("\n".join(_cells(chapter, "markdown")))
    assert roles, f"{chapter.name} glues no number into its text"
    unstored = sorted({key for key, _ in roles if key not in glued})
    assert not unstored, f"{chapter.name} does not store {unstored}: re-execute it"
    missing = [
        f"{key}:{spec} = {format_plain_text(glued[key], spec)}"  # what the book shows
        for key, spec in roles
        if format_plain_text(glued[key], spec) not in text
    ]
    assert not missing, f"{chapter.name}: numbers of the book missing from its edition: {missing}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_solutions_are_folded_and_never_run(chapter):
    edition = ROOT / "colab" / chapter.name
    solutions = [s.replace(colab.CHECK_MARK, "").strip() for s in _solution_code(chapter)]
    assert len(solutions) >= 3, f"{chapter.name}: fewer than three exercise solutions found"
    code = {c.strip() for c in _cells(edition, "code")}
    assert not code & set(solutions), f"{edition.name} runs a reference solution"
    folded = "\n".join(c for c in _cells(edition, "markdown") if c.startswith("<details>"))
    unfolded = [s.splitlines()[0] for s in solutions if s not in folded]
    assert not unfolded, f"{edition.name}: solutions not inside a <details> block: {unfolded}"


def _names(code: str) -> tuple[set[str], set[str]]:
    """(names a cell binds at top level, names it reads); magics become `pass`."""
    tree = ast.parse(re.sub(r"^(\s*)[%!].*", r"\1pass", code, flags=re.M))
    bound = {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        bound |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return bound, read


@pytest.mark.parametrize("edition", EDITIONS, ids=ids)
def test_no_cell_needs_a_folded_solution(edition):
    """A name only a solution defines must not be read by a later cell that runs."""
    from_solutions: set[str] = set()
    needs = []
    for cell in nbformat.read(edition, as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("<details>"):
            for code in re.findall(r"```python\n(.*?)\n```", cell.source, re.S):
                from_solutions |= _names(code)[0]
        elif cell.cell_type == "code":
            bound, read = _names(cell.source)
            from_solutions -= bound  # a stub defines the name: its own cell calls the checker
            needs += [f"{name!r} in: {cell.source[:80]!r}" for name in read & from_solutions]
    assert not needs, f"{edition.name}: cells that need a student's answer: {needs}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_setup_cell_installs_aelab_and_states_the_run_times(chapter):
    record = json.loads(chapter.read_text(encoding="utf-8"))["metadata"]["aelab"]
    setup = _cells(ROOT / "colab" / chapter.name, "code")[0]
    assert '%pip install -q "aelab @ git+' in setup and "\nae.start(" in setup
    assert "# %env AELAB_QUICK=1" in setup
    assert f"took {record['seconds']:.0f} s" in setup, setup
    assert "Change runtime type > GPU" in setup


def test_quick_mode_seconds_come_from_the_run_time_table(tmp_path):
    setup = tmp_path / "setup.md"
    table = [
        "| chapter | device | full s | quick s | date |",
        "| --- | --- | --- | --- | --- |",
        "| 1. First | cpu | 209 | 31 | 2026-11-25 |",
        "| 12. Twelfth | cpu | 50 | 7.5 | 2026-11-25 |",
    ]
    other = "| another | table |\n| --- | --- |\n| 1. x | quick 5 |"
    setup.write_text(
        f"{other}\n\n<!-- run-times:start -->\n" + "\n".join(table) + "\n<!-- run-times:end -->\n"
    )
    assert colab.quick_seconds(1, setup) == 31
    assert colab.quick_seconds(12, setup) == 7.5
    assert colab.quick_seconds(2, setup) is None
    setup.write_text(
        "| chapter | device | seconds |\n| --- | --- | --- |\n| 1. First | cpu | 209 |\n"
    )
    assert colab.quick_seconds(1, setup) is None  # no quick column: no number is made up
    source = "import aelab as ae\nae.start()"
    cell = colab.setup_cell(source, 1, {"quick": False, "seconds": 209.4, "device": "cpu"})
    assert cell.startswith("# Quick mode") and source in cell
    assert "took 209 s (3 min) on cpu" in cell


def test_book_url_comes_from_the_repository():
    conf = {"repository": {"url": "https://github.com/Some-Org/book.git"}}
    assert colab.book_url(conf) == "https://some-org.github.io/book/"
    conf["html"] = {"baseurl": "https://example.org/ae"}
    assert colab.book_url(conf) == "https://example.org/ae/"
    with pytest.raises(ValueError, match="baseurl"):
        colab.book_url({"repository": {"url": "https://gitlab.com/o/r"}})


def _context(**glued) -> md.Context:
    targets = {"ch01-ex-a": md.Target("chapters/01_x", "ch01-ex-a", "Exercise 1.2")}
    citations = {
        "k1": (["Kingma", "Welling"], "2013"),
        "k2": (["Vincent", "Larochelle", "L"], "2010"),
    }
    ctx = md.Context("chapters/02_y", "https://b.io/r/", glued, citations, targets)
    ctx.exercise_label = lambda label: "Exercise 2.1"
    return ctx


def test_roles_become_plain_markdown():
    ctx = _context(a="0.123456", n="60000", s="'non-local means'")
    text = (
        "{glue:text}`a:.2f` {glue:text}`n:,` {glue:text}`s` `code {x}` "
        "{cite:t}`k1` {cite}`k1,k2` {doc}`results <../book/results>` {ref}`ch01-ex-a`"
    )
    assert md.convert(text, ctx) == (
        "0.12 60,000 non-local means `code {x}` "
        "[Kingma and Welling (2013)](https://b.io/r/book/references.html#cite-k1) "
        "([Kingma and Welling, 2013](https://b.io/r/book/references.html#cite-k1); "
        "[Vincent et al., 2010](https://b.io/r/book/references.html#cite-k2)) "
        "[results](https://b.io/r/book/results.html) "
        "[Exercise 1.2](https://b.io/r/chapters/01_x.html#ch01-ex-a)"
    )
    for bad, message in [
        ("{glue:text}`missing:.2f`", "no stored glue value"),
        ("{cite}`nobody`", "unknown citation"),
        ("{ref}`nowhere`", "unknown reference"),
        ("{math}`x`", "no plain-markdown form"),
        ("```{figure} x.png\n```", "no plain-markdown form"),
    ]:
        with pytest.raises(ValueError, match=message):
            md.convert(bad, ctx)


def test_directives_become_bold_titled_blockquotes():
    ctx = _context()
    text = (
        "Before.\n\n```{exercise} Title with $x$\n:label: ch02-ex-b\n\nWrite $f(x;\n"
        "\\theta)$ now.\n\n```python\nf(1)\nf(2)\n```\n```\n\n"
        "```{admonition} Learn\n:class: tip\n- one\n  two\n- three\n```\nAfter."
    )
    assert md.convert(text, ctx) == (
        "Before.\n\n> **Exercise 2.1 (Title with $x$)**\n>\n> Write $f(x; \\theta)$ now.\n>\n"
        "> ```python\n> f(1)\n> f(2)\n> ```\n\n> **Learn**\n>\n> - one two\n> - three\nAfter."
    )


def test_launch_button_url_moves_to_the_edition():
    theme = "https://colab.research.google.com/github/o/r/blob/main/chapters/01_a.ipynb"
    assert launch.edition_url(theme, "chapters/01_a") == theme.replace("/chapters/", "/colab/")
    with pytest.raises(ValueError):
        launch.edition_url(theme, "chapters/02_b")


def test_launch_button_of_a_chapter_page_opens_its_edition(tmp_path):
    theme = "https://colab.research.google.com/github/o/r/blob/main/chapters/{}.ipynb"
    (tmp_path / "colab").mkdir()
    (tmp_path / "colab" / "01_a.ipynb").write_text("{}")
    app = SimpleNamespace(srcdir=str(tmp_path))
    for page, expected in [
        ("chapters/01_a", theme.format("01_a").replace("/chapters/", "/colab/")),
        ("chapters/02_no_edition", theme.format("02_no_edition")),  # kept, with a warning
    ]:
        colab_button = {"type": "link", "text": "Colab", "url": theme.format(page[9:])}
        group = {"type": "group", "buttons": [{"text": "Binder", "url": "b"}, colab_button]}
        context = {"header_buttons": [{"type": "link", "text": "download"}, group]}
        launch.point_colab_at_edition(app, page, "page.html", context, None)
        assert colab_button["url"] == expected
        assert group["buttons"][0]["url"] == "b"


def _execute(edition: Path, tmp: Path, python: Path, source: Path) -> nbformat.NotebookNode:
    """Run the edition top to bottom, alone in a folder, with the clean venv's kernel."""
    alone = tmp / edition.stem
    alone.mkdir()
    shutil.copy(edition, alone)
    notebook = nbformat.read(alone / edition.name, as_version=4)
    message = run_in_clean_kernel(notebook, alone, python, source, KERNEL, timeout=600)
    if message:
        pytest.fail(f"'Run all' on {edition.name} stops with an error:\n{message}", pytrace=False)
    return notebook


@pytest.fixture(scope="module")
def clean_env(tmp_path_factory):
    """One clean venv and one copy of the package source for every edition run."""
    tmp = tmp_path_factory.mktemp("colab-edition")
    return _clean_venv(tmp / "venv"), _package_source(tmp / "source"), tmp


RUN = [p for p in EDITIONS if os.environ.get("AELAB_COLAB_ALL") == "1" or p.stem in ALWAYS_RUN]


@pytest.mark.parametrize("edition", RUN, ids=[p.stem for p in RUN])
def test_run_all_on_an_untouched_edition(edition, clean_env):
    python, source, tmp = clean_env
    notebook = _execute(edition, tmp, python, source)
    text = ["".join(o.get("text", "") for o in c.get("outputs", [])) for c in notebook.cells]
    assert "quick mode" in text[[c.cell_type for c in notebook.cells].index("code")]
    stubs = sum("raise NotImplementedError" in c.source for c in notebook.cells)
    verdicts = sum("Not implemented yet" in t for t in text)
    assert verdicts == stubs >= 3, f"{stubs} exercise stubs, {verdicts} 'Not implemented yet'"
    last = [t for t, c in zip(text, notebook.cells, strict=True) if c.cell_type == "code"][-1]
    assert "This chapter ran in" in last, "the last cell, ae.finish(), did not run"


def test_relative_images_point_at_the_published_book():
    ctx = md.Context("chapters/01_x", "https://b.io/book/", {}, {}, {})
    text = "See ![a diagram](../book/figures/autoencoder.svg) and ![web](https://x.org/y.png)."
    assert md.convert(text, ctx) == (
        "See ![a diagram](https://b.io/book/_images/autoencoder.svg) and "
        "![web](https://x.org/y.png)."
    )
    for edition in EDITIONS:
        for cell in nbformat.read(edition, as_version=4).cells:
            assert "](../" not in cell.source, f"{edition.name}: a relative link stays relative"
