"""The chapters as stored: conventions, full-mode outputs, and the glued numbers' goals.

nbval re-executes every chapter in quick mode; these tests look at what the book
shows, i.e. the outputs stored by the full-mode run. The goals and published numbers
live in one table, ``aelab.published``; the results page renders it.
"""

import json
import math
import re
from pathlib import Path

import nbformat
import pytest
import scripts

from aelab import exercises, goals, published
from aelab.chapter import stored_glue as glued

results_table = scripts.load("tools/results_table.py")
insert_exercise = scripts.load("tools/insert_exercise.py")

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = scripts.chapters()
TOC = (ROOT / "_toc.yml").read_text()
RESULTS = (ROOT / "book" / "results.md").read_text()


@pytest.fixture(scope="module", params=CHAPTERS, ids=lambda p: p.stem)
def chapter(request):
    return request.param, nbformat.read(request.param, as_version=4)


def code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def test_there_are_chapters_and_each_is_in_the_toc():
    assert CHAPTERS
    listed = re.findall(r"file:\s*chapters/(\S+)", TOC)
    assert sorted(listed) == [p.stem for p in CHAPTERS]


# The setup cell (install lines from _config.yml's repository URL): tests/test_colab.py.


def test_last_cell_finishes_the_chapter(chapter):
    _, notebook = chapter
    assert code_cells(notebook)[-1].source.strip() == "ae.finish()"


def test_stored_outputs_come_from_a_clean_full_mode_run(chapter):
    path, notebook = chapter
    cells = code_cells(notebook)
    counts = [c.execution_count for c in cells]
    assert None not in counts, f"{path.name}: some cells were never run"
    assert counts == sorted(counts), f"{path.name}: cells were run out of order"
    errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{path.name}: stored error output {errors[0].get('ename')}"
    record = notebook.metadata.get("aelab")
    assert record, f"{path.name}: no run record; execute it with tools/execute.py"
    assert record["quick"] is False, f"{path.name}: stored outputs are from quick mode"
    assert record["device"] and record["seconds"] > 0
    assert "This chapter ran in" in "".join(o.get("text", "") for o in cells[-1].outputs)


def test_every_chapter_has_its_headline_numbers_in_the_table():
    assert sorted(published.CHAPTERS) == [p.stem for p in CHAPTERS]


def test_glued_headline_numbers_meet_their_goals(chapter):
    path, notebook = chapter
    values = glued(notebook)
    for q in published.CHAPTERS[path.stem]:
        assert q.name in values, f"{path.name} does not glue {q.name}"
        value = values[q.name]
        assert isinstance(value, float) and math.isfinite(value), f"{q.name} = {value!r}"
        assert published.misses(q, values) is None, published.misses(q, values)


GOALS = [(c, q) for c, qs in published.CHAPTERS.items() for q in qs if q.goal is not None]


@pytest.fixture(scope="module")
def stored_values():
    return results_table.stored_values()  # every chapter's glued values, by notebook stem


@pytest.mark.parametrize("stem, q", GOALS, ids=[q.name for _, q in GOALS])
def test_every_goal_fails_for_a_stored_value_past_it(stem, q, stored_values):
    values = dict(stored_values[stem])
    assert published.misses(q, values) is None
    values[q.name] = q.goal.missed() * (values[q.of] if q.of else 1)
    assert published.misses(q, values), f"{q.name} = {values[q.name]} passes its goal"
    values[q.name] = math.nan
    assert published.misses(q, values), f"{q.name} = nan passes its goal"


def test_results_page_shows_every_headline_number_with_the_tables_goal(stored_values):
    shown = [results_table.pasted(line) for line in RESULTS.splitlines()]
    for stem, quantities in published.CHAPTERS.items():
        for q in quantities:
            assert (stem, q.name) in shown, f"book/results.md has no row for {q.name}"
    stale = results_table.render(RESULTS, stored_values) != RESULTS
    assert not stale, "book/results.md is stale: run python tools/results_table.py --write"


HOPES = [(c, q) for c, qs in published.CHAPTERS.items() for q in qs if q.hope is not None]


@pytest.mark.parametrize("stem, q", HOPES, ids=[q.name for _, q in HOPES])
def test_every_hope_turns_with_the_stored_value(stem, q, stored_values):
    """The results page's verdict on a hope comes from the number: a value just past the
    hope's bound is not met, one just inside it is, and a missing number is an error."""
    values = dict(stored_values[stem])
    goals.hope_met(q, values)  # the stored number gives a verdict
    scale = values[q.hope_of] if q.hope_of else 1
    values[q.name] = q.hope.missed() * scale
    assert not goals.hope_met(q, values), f"{q.name} = {values[q.name]} meets its hope"
    inside = q.hope.low + 1e-6 if math.isfinite(q.hope.low) else q.hope.high - 1e-6
    values[q.name] = inside * scale
    assert goals.hope_met(q, values), f"{q.name} = {values[q.name]} misses its hope"
    values[q.name] = math.nan
    with pytest.raises(ValueError, match="not a finite number"):
        goals.hope_met(q, values)


def test_results_page_says_met_or_not_met_from_the_numbers():
    q = published.Quantity(
        "x", published.Goal(low=0), hope=published.Goal(low=2, text="twice y"), hope_of="y"
    )
    assert results_table.goal_cell(q, {"x": 5.0, "y": 2.0}).endswith("hoped: twice y, met")
    assert results_table.goal_cell(q, {"x": 3.0, "y": 2.0}).endswith("twice y, **not met**")


def test_results_page_goals_and_notes_read_as_words():
    """A goal on a ratio (``of=``) says what it is a ratio to, in its own text: the page
    would otherwise show a bare "$< 0.5$" next to a value of 44.6. Notes name no glue name."""
    for quantities in published.CHAPTERS.values():
        for q in quantities:
            if q.of:
                for goal in (q.goal, q.quick):
                    assert goal is None or goal.text, f"{q.name}: describe the ratio to {q.of}"
            if q.hope_of:
                assert q.hope.text, f"{q.name}: describe the hope's ratio to {q.hope_of}"
            assert not re.search(r"\bch\d\d_\w+", q.note), f"{q.name}'s note names a glue name"


def test_published_values_are_numbers_with_a_source():
    for quantities in published.CHAPTERS.values():
        for q in quantities:
            if q.published is not None and q.published.value is not None:
                assert published.value(q.name) == q.published.value
    assert published.value("ch02_pca30_sq_err") == published.PCA30
    with pytest.raises(KeyError, match="no published number"):
        published.value("ch04_code_size")
    with pytest.raises(KeyError, match="not in aelab.published"):
        published.value("ch99_nothing")


def test_prose_uses_only_glued_names_that_exist(chapter):
    path, notebook = chapter
    values = glued(notebook)
    prose = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    for name in re.findall(r"\{glue:\w+\}`([\w]+)", prose):
        assert name in values, f"{path.name}: the text pastes {name}, which is never glued"


def test_exercises_have_a_stub_a_checker_and_a_checked_solution(chapter):
    path, notebook = chapter
    cells = notebook.cells
    exercises = [c for c in cells if c.cell_type == "markdown" and "```{exercise}" in c.source]
    assert len(exercises) >= 3, f"{path.name}: fewer than 3 exercises"
    solutions = [i for i, c in enumerate(cells) if "```{solution-start}" in c.source]
    assert len(solutions) == len(exercises)
    for i in solutions:
        solution = cells[i + 1]
        assert solution.cell_type == "code" and "ae.exercises.check_" in solution.source
        assert any(o.get("text", "").startswith("✅") for o in solution.outputs), path.name
        if "-experiment" in cells[i].source:
            # The verdict reports measured numbers, which may differ in the last digit on
            # another CPU: the next cell prints whether it passed, and nbval checks that.
            assert "# NBVAL_CHECK_OUTPUT" not in solution.source
            assert (
                solution.source.rstrip().endswith(")")
                and "passed = ae.exercises" in solution.source
            )
            verdict = cells[i + 2]
            assert verdict.source == (
                '# NBVAL_CHECK_OUTPUT\nprint("the experiment shows the predicted effect:", passed)'
            )
            assert verdict.outputs[0]["text"] == "the experiment shows the predicted effect: True\n"
        else:
            assert "# NBVAL_CHECK_OUTPUT" in solution.source
        stub = cells[i - 1]
        assert "raise NotImplementedError" in stub.source and "ae.exercises.check_" in stub.source


def test_every_chapter_has_one_change_it_train_it_measure_it_exercise(chapter):
    """Or has it waiting in tools/pending_exercises/ for the chapter's next full-mode run."""
    path, notebook = chapter
    label = f"ch{path.name[:2]}-ex-experiment"
    pending = (ROOT / "tools" / "pending_exercises" / f"{label}.json").exists()
    found = sum(f":label: {label}" in c.source for c in notebook.cells if c.cell_type == "markdown")
    assert found == (0 if pending else 1)


@pytest.mark.parametrize(
    "path", sorted((ROOT / "tools" / "pending_exercises").glob("*.json")), ids=lambda p: p.stem
)
def test_a_pending_exercise_fits_into_its_chapter(path):
    spec = insert_exercise.read_pending(path)
    assert spec["checker"] in exercises.__all__
    assert f"ae.exercises.{spec['checker']}(" in spec["cells"][1]["source"]  # the stub
    assert f"passed = ae.exercises.{spec['checker']}(" in spec["cells"][3]["source"]
    assert f":label: {path.stem}" in spec["cells"][0]["source"]
    notebook = nbformat.read(ROOT / "chapters" / f"{spec['chapter']}.ipynb", as_version=4)
    before = len(notebook.cells)
    insert_exercise.insert(notebook, spec)
    nbformat.validate(notebook)
    assert len(notebook.cells) == before + 5
    with pytest.raises(ValueError, match="already"):
        insert_exercise.insert(notebook, spec)


def test_insert_exercise_puts_the_five_cells_after_the_chapter_last_solution(tmp_path):
    """tools/insert_exercise.py on a prepared exercise, whether or not one waits today."""
    directive = "```{exercise} A new one\n:label: ch09-ex-inserted\n\nDo it.\n```"
    cells = [
        {"cell_type": "markdown", "source": directive},
        {"cell_type": "code", "source": "ae.exercises.check_beta_vae(stub);"},
        {"cell_type": "markdown", "source": "```{solution-start} ch09-ex-inserted\n```\nWhy."},
        {"cell_type": "code", "source": "passed = ae.exercises.check_beta_vae(f)"},
        {"cell_type": "code", "source": "print(passed)"},
    ]
    spec = {"chapter": "09_vae_latent_space", "checker": "check_beta_vae", "cells": cells}
    path = tmp_path / "ch09-ex-inserted.json"
    path.write_text(json.dumps(spec))
    notebook = nbformat.read(ROOT / "chapters" / "09_vae_latent_space.ipynb", as_version=4)
    before = [c.source for c in notebook.cells]
    end = max(i for i, s in enumerate(before) if s.startswith(insert_exercise.END))
    insert_exercise.insert(notebook, insert_exercise.read_pending(path))
    nbformat.validate(notebook)
    after = [c.source for c in notebook.cells]
    assert after[:end] == before[:end] and after[end + 6 :] == before[end + 1 :]
    assert after[end] == f"{insert_exercise.END}\n\n{directive}"
    assert after[end + 1 : end + 5] == [c["source"] for c in cells[1:]]
    assert after[end + 5] == before[end]  # the old closing cell, with what followed it
    with pytest.raises(ValueError, match="already"):
        insert_exercise.insert(notebook, spec)
    path.write_text(json.dumps(spec | {"cells": cells[:4]}))
    with pytest.raises(ValueError, match="the cells should be"):
        insert_exercise.read_pending(path)


def test_notebooks_are_valid_json_with_a_python_kernel(chapter):
    path, notebook = chapter
    nbformat.validate(notebook)
    assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "python3"
