"""Each chapter's budget (``aelab.budgets``): one table, read by the chapter's settings cell."""

import re

import nbformat
import pytest
import scripts

import aelab as ae
from aelab import budgets

CHAPTERS = scripts.chapters()


def test_every_chapter_has_a_budget_and_no_other():
    assert sorted(budgets.BUDGETS) == [p.stem for p in CHAPTERS]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_chapter_reads_every_setting_of_its_budget_and_picks_nothing_itself(path):
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    assert f'budget = ae.budget("{path.stem}")' in code
    assert "config.pick(" not in code, "a mode-dependent setting belongs in aelab/budgets.py"
    read = set(re.findall(r"\bbudget\.([A-Z0-9_]+)", code))
    assert read == set(budgets.BUDGETS[path.stem]), "settings unused or missing"


def test_a_budget_gives_the_value_of_the_mode(monkeypatch):
    assert ae.budget("02_undercomplete_and_pca").DEEP_EPOCHS == 100
    monkeypatch.setenv("AELAB_QUICK", "1")
    quick = ae.budget("02_undercomplete_and_pca")
    assert quick.DEEP_EPOCHS == budgets.BUDGETS["02_undercomplete_and_pca"]["DEEP_EPOCHS"][1]
    shown = repr(quick)
    assert shown.startswith("quick mode")
    assert all(name in shown for name in budgets.BUDGETS["02_undercomplete_and_pca"])
    assert "all" in repr(ae.budget("01_autoencoders_and_losses"))  # N_TRAIN None: all images


def test_quick_budgets_are_no_larger_than_full_ones():
    """Quick mode is a smaller run of the same code: never more data, epochs or samples."""
    for chapter, table in budgets.BUDGETS.items():
        for name, (full, quick) in table.items():
            if full is None or isinstance(full, list) or "BATCH" in name:
                continue
            assert quick <= full, f"{chapter}: {name} quick {quick} > full {full}"


def test_unknown_chapters_and_settings_are_named_with_the_fix():
    with pytest.raises(ValueError, match="file name without .ipynb"):
        ae.budget("chapter2")
    b = ae.budget("09_vae_latent_space")
    with pytest.raises(AttributeError, match="its settings are N_TRAIN, EPOCHS_2D"):
        _ = b.EPOCHS
