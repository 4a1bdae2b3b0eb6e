"""The chapters as stored: conventions, full-mode outputs, and the glued numbers' goals.

nbval re-executes every chapter in quick mode; these tests look at what the book
shows, i.e. the outputs stored by the full-mode run.
"""

import json
import math
import re
from pathlib import Path

import nbformat
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9]*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = (ROOT / "_toc.yml").read_text()
RESULTS = (ROOT / "book" / "results.md").read_text()

#: Each chapter's headline numbers and the goal each must meet (None: no goal, just finite).
GOALS = {
    "01_autoencoders_and_losses": {
        "ch01_gauss_nll_maxdiff": lambda v: v <= 1e-6,
        "ch01_bernoulli_nll_maxdiff": lambda v: v <= 1e-6,
        "ch01_l2_test_sq_err": lambda v: 0 < v < 10,
        "ch01_bce_test_sq_err": lambda v: 0 < v < 10,
    },
    "02_undercomplete_and_pca": {
        # Hinton & Salakhutdinov (2006), MNIST, 30-d code, squared error per test image
        "ch02_pca30_sq_err": lambda v: abs(v - 13.87) <= 0.05,
        # the linear AE: within 0.5 % of our PCA's 13.866, every principal angle below 1 degree
        "ch02_linear_ae_sq_err": lambda v: abs(v / 13.866 - 1) <= 0.005,
        "ch02_linear_ae_max_angle_deg": lambda v: 0 <= v < 1.0,
        # the logistic-PCA analogue near the paper's 8.01
        "ch02_logistic_linear_sq_err": lambda v: 7.0 <= v <= 9.0,
        # the deep AE must beat every linear code (the lecture's "nonlinear PCA" claim).
        # The paper's 3.00 is not reached yet: 3.86 after 100 CPU epochs (issue 3 stays open).
        "ch02_deep_ae_sq_err": lambda v: 0 < v < 8.0,
    },
    "03_sparse_autoencoders": {
        # L1 on the activations: a clearly sparser code than no penalty or L1 on the weights
        "ch03_none_active_fraction": lambda v: v > 0.5,
        "ch03_l1act_active_fraction": lambda v: 0 < v < 0.2,
        "ch03_l1w_active_fraction": lambda v: v > 0.3,
        # ... at a comparable error: the two penalised models within a factor 1.5 of each other
        "ch03_none_sq_err": lambda v: 0 < v < 15,
        "ch03_l1act_sq_err": lambda v: 0 < v < 15,
        "ch03_l1w_sq_err": lambda v: 0 < v < 15,
        "ch03_penalised_err_ratio": lambda v: 1 <= v < 1.5,
        # Ng's KL penalty: the mean activation within 20 % of the target rho
        "ch03_kl_mean_activation": lambda v: abs(v - 0.05) < 0.2 * 0.05,
        "ch03_kl_target_rho": lambda v: v == 0.05,
    },
}


def glued(notebook) -> dict[str, float | str]:
    """The values stored by myst_nb.glue, parsed from their text form."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook", {})
            text = output.get("data", {}).get(f"{scrapbook.get('mime_prefix')}text/plain")
            if scrapbook.get("name") and text is not None:
                name = scrapbook["name"]
                try:
                    values[name] = float(text)
                except ValueError:
                    values[name] = text.strip("'\"")
    return values


@pytest.fixture(scope="module", params=CHAPTERS, ids=lambda p: p.stem)
def chapter(request):
    return request.param, nbformat.read(request.param, as_version=4)


def code_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]


def test_there_are_chapters_and_each_is_in_the_toc():
    assert CHAPTERS
    listed = re.findall(r"file:\s*chapters/(\S+)", TOC)
    assert sorted(listed) == [p.stem for p in CHAPTERS]


def test_setup_cell_installs_from_the_configured_repository(chapter):
    _, notebook = chapter
    setup = code_cells(notebook)[0].source
    url = CONFIG["repository"]["url"]
    assert re.search(rf'%pip install -q "aelab @ git\+{re.escape(url)}"', setup), setup
    assert "google.colab" in setup and "ae.start()" in setup


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


def test_glued_headline_numbers_meet_their_goals(chapter):
    path, notebook = chapter
    values = glued(notebook)
    for name, goal in GOALS[path.stem].items():
        assert name in values, f"{path.name} does not glue {name}"
        assert isinstance(values[name], float) and math.isfinite(values[name]), name
        assert goal(values[name]), f"{name} = {values[name]} misses its goal"


def test_results_page_shows_every_headline_number(chapter):
    path, _ = chapter
    for name in GOALS[path.stem]:
        assert f"{path.name}::{name}" in RESULTS or f"::{name}`" in RESULTS, name


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
        assert solution.cell_type == "code" and "# NBVAL_CHECK_OUTPUT" in solution.source
        assert "ae.exercises.check_" in solution.source
        assert any(o.get("text", "").startswith("✅") for o in solution.outputs), path.name
        stub = cells[i - 1]
        assert "raise NotImplementedError" in stub.source and "ae.exercises.check_" in stub.source


def test_notebooks_are_valid_json_with_a_python_kernel(chapter):
    path, notebook = chapter
    nbformat.validate(notebook)
    assert json.loads(path.read_text())["metadata"]["kernelspec"]["name"] == "python3"
