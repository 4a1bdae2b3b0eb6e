"""The chapters' claims cells (``ae.claims``): one line per claim, for the mode of the run.

A claim is a quantity of ``aelab.published`` with a ``claim`` text, a full-mode goal
and a quick-mode goal. Its cell is marked ``# NBVAL_CHECK_OUTPUT``, so CI's quick run
of a chapter fails when a claim's line differs from the stored full run's: the test at
the end shows that on a notebook whose quick-mode claim fails.
"""

import math
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import torch
from test_budgets import CHAPTERS

import aelab as ae
from aelab import goals, published

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = [(c, q) for c, qs in published.CHAPTERS.items() for q in qs if q.claim]


def inside(goal: goals.Goal) -> float:
    """A value that meets ``goal``, away from its bounds."""
    if math.isfinite(goal.low) and math.isfinite(goal.high):
        return (goal.low + goal.high) / 2
    if math.isfinite(goal.high):
        return goal.high - abs(goal.high) / 2 - 1e-9 if goal.high > 0 else goal.high - 1
    return goal.low + abs(goal.low) + 1


def meeting(chapter: str, quick: bool) -> dict[str, float]:
    """Glued values of ``chapter`` that meet every claim's goal for the mode."""
    values = {}
    for q in published.CHAPTERS[chapter]:
        if not q.claim:
            continue
        scale = values.setdefault(q.of, 1.0) if q.of else 1.0  # the quantity q is relative to
        values[q.name] = inside(q.goal_for(quick)) * scale
    return values


def claims_cell(notebook):
    cells = [c for c in notebook.cells if c.cell_type == "code" and "ae.claims(" in c.source]
    assert len(cells) == 1, "one claims cell per chapter"
    return cells[0]


def test_every_chapter_states_claims_each_with_both_goals():
    for chapter, quantities in published.CHAPTERS.items():
        claims = [q for q in quantities if q.claim]
        assert len(claims) >= 3, f"{chapter}: a chapter shows at least three of its claims"
        for q in claims:
            assert q.goal is not None and q.quick is not None, f"{q.name}: needs both goals"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_claims_cell_comes_before_finish_and_its_stored_lines_are_the_claims(path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    cell = claims_cell(notebook)
    assert code[-2] is cell, "the claims cell is the one before ae.finish()"
    assert cell.source == f'# NBVAL_CHECK_OUTPUT\nreproduced = ae.claims("{path.stem}")'
    stored = "".join(o.get("text", "") for o in cell.outputs).splitlines()
    wanted = [f"✅ {q.claim}" for q in published.CHAPTERS[path.stem] if q.claim]
    assert stored == wanted, "the stored full run reproduced every claim, in the table's order"


@pytest.mark.parametrize(("chapter", "q"), CLAIMS, ids=lambda x: getattr(x, "name", x))
def test_every_quick_goal_can_fail(chapter, q):
    values = meeting(chapter, quick=True)
    assert goals.misses(q, values, quick=True) is None
    values[q.name] = q.quick.missed() * (values[q.of] if q.of else 1)
    assert goals.misses(q, values, quick=True), f"{q.name}: {values[q.name]} passes"


@pytest.mark.parametrize("quick", [False, True])
def test_claims_prints_one_line_per_claim_for_the_mode(quick, monkeypatch, capsys):
    monkeypatch.setenv("AELAB_QUICK", "1" if quick else "0")
    chapter = "09_vae_latent_space"
    monkeypatch.setattr(ae.chapter, "GLUED", meeting(chapter, quick))
    assert ae.claims(chapter) is True
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"✅ {q.claim}" for q in published.CHAPTERS[chapter] if q.claim]


def test_a_missed_claim_names_the_number_and_the_goal_of_the_mode(monkeypatch, capsys):
    monkeypatch.setenv("AELAB_QUICK", "1")
    values = meeting("09_vae_latent_space", quick=True)
    values["ch09_smile_corr"] = 0.3
    monkeypatch.setattr(ae.chapter, "GLUED", values)
    assert ae.claims("09_vae_latent_space") is False
    out = capsys.readouterr().out
    assert "❌ one coordinate of the beta-VAE follows the smile: ch09_smile_corr = 0.3 " in out
    assert "misses its quick-mode goal >= 0.6" in out
    assert (
        out.count("✅") == sum(bool(q.claim) for q in published.CHAPTERS["09_vae_latent_space"]) - 1
    )


def test_unknown_chapter_names_the_fix():
    with pytest.raises(ValueError, match="file name without .ipynb"):
        ae.claims("ch09")


def _nbval(path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "AELAB_QUICK": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval-lax",
            "--nbval-current-env",
            str(path),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=path.parent,
        timeout=300,
    )


def test_ci_fails_when_a_quick_mode_claim_fails(tmp_path):
    """nbval, as ``make test`` runs it, on chapter 9's claims cell with the output a full run
    stores (every claim reproduced; the test above checks the chapter stores exactly that),
    after a cell that glues numbers: it passes while they meet the quick goals and fails
    when one misses."""
    chapter = "09_vae_latent_space"
    lines = "".join(f"✅ {q.claim}\n" for q in published.CHAPTERS[chapter] if q.claim)
    stored = nbformat.v4.new_code_cell(
        f'# NBVAL_CHECK_OUTPUT\nreproduced = ae.claims("{chapter}")',
        outputs=[nbformat.v4.new_output("stream", name="stdout", text=lines)],
        execution_count=2,
    )
    for label, broken in [("passes", None), ("fails", "ch09_pose_corr")]:
        values = meeting(chapter, quick=True)
        if broken:
            values[broken] = published.quantity(broken).quick.missed()
        glue = "\n".join(f"ae.glue({k!r}, {v!r})" for k, v in values.items())
        notebook = nbformat.v4.new_notebook(
            cells=[
                nbformat.v4.new_code_cell(f"import aelab as ae\n{glue}", execution_count=1),
                stored,
            ],
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
        )
        path = tmp_path / f"{label}.ipynb"
        nbformat.write(notebook, path)
        proc = _nbval(path)
        assert (proc.returncode == 0) == (broken is None), proc.stdout[-3000:]
        if broken:
            assert "ch09_pose_corr" in proc.stdout


def test_claims_read_numbers_and_one_element_tensors_and_skip_the_rest(monkeypatch, capsys):
    values = meeting("09_vae_latent_space", quick=False)
    glued = {k: torch.tensor(v) for k, v in values.items()} | {
        "ch09_note": "a string",
        "ch09_codes": torch.zeros(3, 2),
    }
    monkeypatch.setattr(ae.chapter, "GLUED", glued)
    assert ae.claims("09_vae_latent_space") is True
    assert "❌" not in capsys.readouterr().out
