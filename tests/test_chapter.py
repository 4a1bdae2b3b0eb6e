import json

import pytest

import aelab as ae
from aelab import chapter


def test_start_and_finish_record_the_run(monkeypatch, tmp_path, capsys):
    record = tmp_path / "run.json"
    monkeypatch.setenv("AELAB_RUN_RECORD", str(record))
    monkeypatch.setenv("AELAB_QUICK", "1")
    ae.start()
    ae.finish()
    out = capsys.readouterr().out
    assert (
        out.startswith("aelab ") and "This chapter ran in" in out and "on cpu (quick mode)" in out
    )
    saved = json.loads(record.read_text())
    assert saved["quick"] is True and saved["device"] == "cpu" and saved["seconds"] >= 0
    assert saved["aelab_version"] == ae.__version__


def test_finish_without_start_is_explained(monkeypatch):
    monkeypatch.setattr(chapter, "_started", None)
    with pytest.raises(RuntimeError, match=r"ae\.start\(\)"):
        ae.finish()
