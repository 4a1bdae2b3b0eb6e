import json

import numpy as np
import pytest
import torch

import aelab as ae
from aelab import chapter


def test_start_and_finish_record_the_run(monkeypatch, tmp_path, capsys):
    record = tmp_path / "run.json"
    monkeypatch.setenv("AELAB_RUN_RECORD", str(record))
    monkeypatch.setenv("AELAB_QUICK", "1")
    ae.start()
    ae.finish()
    out = capsys.readouterr().out
    name = ae.config.device_name()  # "cpu (<model>)" where the system names the model
    assert out.startswith("aelab ") and "This chapter ran in" in out
    assert f"on {name} (quick mode)" in out and name.startswith("cpu")
    saved = json.loads(record.read_text())
    assert saved["quick"] is True and saved["device"] == name and saved["seconds"] >= 0
    assert saved["aelab_version"] == ae.__version__


def test_finish_without_start_is_explained(monkeypatch):
    monkeypatch.setattr(chapter, "_started", None)
    with pytest.raises(RuntimeError, match=r"ae\.start\(\)"):
        ae.finish()


def test_glue_keeps_the_value_and_checks_the_name():
    ae.glue("test_glue_value", 1.5)
    assert ae.chapter.GLUED["test_glue_value"] == 1.5
    with pytest.raises(ValueError, match="glue name"):
        ae.glue("not a name", 1.0)


def test_glue_stores_numpy_scalars_as_plain_numbers():
    ae.glue("test_glue_numpy", np.float64(0.25) - np.float64(1.0))
    ae.glue("test_glue_count", np.int64(3))
    value, count = ae.chapter.GLUED["test_glue_numpy"], ae.chapter.GLUED["test_glue_count"]
    assert (type(value), value, type(count), count) == (float, -0.75, int, 3)
    assert repr(value) == "-0.75"  # what the book's {glue:text} formats


def test_glue_seeds_glues_mean_std_and_the_signs_seed_by_seed():
    text = ae.glue_seeds("test_seeds_gap", [0.3, -0.1, 0.4], signs=True)
    glued = ae.chapter.GLUED
    assert glued["test_seeds_gap"] == pytest.approx(0.2)
    assert glued["test_seeds_gap_std"] == pytest.approx(np.std([0.3, -0.1, 0.4], ddof=1))
    assert (glued["test_seeds_gap_positive"], glued["test_seeds_gap_negative"]) == (2, 1)
    assert text == "+0.20 ± 0.26"
    text = ae.glue_seeds("test_seeds_err", torch.tensor([2.93, 2.95, 2.95]), digits=3)
    assert text == "2.943 ± 0.012"
    assert "test_seeds_err_positive" not in glued  # counts only for differences


def test_mean_std_writes_what_glue_seeds_returns_without_gluing():
    before = dict(ae.chapter.GLUED)
    assert ae.mean_std([83.0, 84.5, 83.6]) == "83.70 ± 0.75"
    assert ae.mean_std(np.array([-0.2, -0.1]), digits=3, signed=True) == "-0.150 ± 0.071"
    assert ae.mean_std([0.3, -0.1, 0.4], signed=True) == ae.glue_seeds(
        "test_ms", [0.3, -0.1, 0.4], signs=True
    )
    assert set(ae.chapter.GLUED) - set(before) == {
        "test_ms",
        "test_ms_std",
        "test_ms_positive",
        "test_ms_negative",
    }


def test_each_seed_writes_the_values_behind_the_error_bar():
    assert ae.each_seed([2.934, 2.951, 2.9349]) == "2.93  2.95  2.93"
    assert ae.each_seed(torch.tensor([0.16, -0.09]), digits=1, signed=True) == "+0.2  -0.1"
    assert ae.each_seed(np.array([0.0123, 0.5]), digits=3) == "0.012  0.500"


@pytest.mark.parametrize("per_seed", [[1.0], [], [1.0, float("nan")]])
def test_glue_seeds_rejects_fewer_than_two_finite_values(per_seed):
    with pytest.raises(ValueError, match="per_seed=.*at least two"):
        ae.glue_seeds("test_seeds_bad", per_seed)
    with pytest.raises(ValueError, match="per_seed=.*at least two"):
        ae.mean_std(per_seed)
    with pytest.raises(ValueError, match="per_seed=.*at least two"):
        ae.each_seed(per_seed)


def test_start_sets_one_thread_on_the_cpu_and_rejects_bad_counts(monkeypatch, capsys):
    monkeypatch.setenv("AELAB_DEVICE", "cpu")
    before = torch.get_num_threads()
    try:
        ae.start(threads=1)
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ValueError, match="threads=0"):
        ae.start(threads=0)


def test_stored_glue_reads_back_what_myst_nb_stored(tmp_path):
    """The notebook JSON as myst-nb writes a glued number and a glued string (text/plain
    under the scrapbook's mime prefix, possibly split into lines), next to plain output."""
    prefix = "application/papermill.record/"

    def glued(name, text):
        meta = {"scrapbook": {"name": name, "mime_prefix": prefix}}
        return {
            "output_type": "display_data",
            "metadata": meta,
            "data": {prefix + "text/plain": text},
        }

    notebook = {
        "cells": [
            {"cell_type": "markdown", "source": "text"},
            {
                "cell_type": "code",
                "outputs": [
                    glued("err", "13.87"),
                    {"output_type": "stream", "name": "stdout", "text": "1.0\n"},
                    glued("verdict", ["'0.59 nats ", "better than'"]),
                ],
            },
        ]
    }
    path = tmp_path / "chapter.ipynb"
    path.write_text(json.dumps(notebook))
    assert chapter.stored_glue(path) == {"err": 13.87, "verdict": "0.59 nats better than"}
    assert chapter.stored_glue(notebook, text=True) == {
        "err": "13.87",
        "verdict": "'0.59 nats better than'",
    }
