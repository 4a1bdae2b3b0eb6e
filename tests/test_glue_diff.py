"""tools/glue_diff.py: a re-run's changed values, and the text that shows them, are listed."""

import nbformat
import pytest
import scripts

glue_diff = scripts.load("tools/glue_diff.py")
CHAPTER = scripts.ROOT / "chapters" / "01_autoencoders_and_losses.ipynb"
NAME = "ch01_l2_test_sq_err"


def _rerun_with(value: str, tmp_path):
    """A copy of chapter 1 whose glued NAME reads ``value``, as a re-run would store it."""
    notebook = nbformat.read(CHAPTER, as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook", {})
            if scrapbook.get("name") == NAME:
                output["data"][scrapbook.get("mime_prefix", "") + "text/plain"] = value
    path = tmp_path / CHAPTER.name
    nbformat.write(notebook, path)
    return path


def test_a_changed_value_is_listed_with_its_text_and_results_row(tmp_path, capsys):
    old = glue_diff.stored_glue(CHAPTER)[NAME]
    assert glue_diff.main([str(_rerun_with("99.5", tmp_path)), "--old", str(CHAPTER)]) == 0
    out = capsys.readouterr().out
    first, *rest = out.splitlines()
    assert first.startswith(f"{NAME}: {old!r} -> 99.5  (+") and not rest[0].startswith("ch01_")
    assert "--- text cell" in out and "--- book/results.md:" in out
    assert f"99.50 (was {old:.2f})" in out  # the results page formats it with .2f


def test_an_unchanged_run_says_so(capsys):
    assert glue_diff.main([str(CHAPTER), "--old", str(CHAPTER)]) == 0
    assert capsys.readouterr().out == "no value changed\n"


def test_against_a_revision_reads_the_committed_notebook(capsys):
    assert glue_diff.main([str(CHAPTER), "--against", "HEAD"]) == 0  # the tree's copy is HEAD's
    with pytest.raises(SystemExit, match="--against no-such-rev: git has no"):
        glue_diff.main([str(CHAPTER), "--against", "no-such-rev"])


def test_a_missing_notebook_is_named(tmp_path, capsys):
    with pytest.raises(SystemExit):
        glue_diff.main([str(tmp_path / "07.ipynb")])
    assert "07.ipynb: no such file; give a chapter's .ipynb path" in capsys.readouterr().err


def test_render_fills_only_the_named_chapters_roles():
    line = "{glue:text}`/chapters/a.ipynb::x:.1f` and {glue:text}`/chapters/b.ipynb::x:.1f`"
    shown = glue_diff.render(line, {"x": "1.0"}, {"x": "2.0"}, notebook="a.ipynb")
    assert shown == "2.0 (was 1.0) and {glue:text}`/chapters/b.ipynb::x:.1f`"
    assert glue_diff.render("{glue:text}`x:.1f`", {"x": "1.0"}, {"x": "1.04"}) is None
