"""tools/run_times.py: the per-chapter run-time table from the notebooks' run records."""

import json
from datetime import datetime
from pathlib import Path

import nbformat
import pytest
import scripts

run_times = scripts.load("tools/run_times.py")


def _notebook(path: Path, title: str, record: dict | None) -> Path:
    metadata = {"kernelspec": {"name": "python3"}} | ({"aelab": record} if record else {})
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": [f"# {title}\n", "\n", "Text.\n"]},
        {"cell_type": "code", "metadata": {}, "source": "1", "outputs": [], "execution_count": 1},
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4}))
    return path


def _record(seconds: float, quick: bool = False, device: str = "cpu") -> dict:
    return {
        "quick": quick,
        "device": device,
        "seconds": seconds,
        "date": "2026-01-02",
        "aelab_version": "0.1.0",
    }


def test_table_of_synthetic_notebooks(tmp_path):
    paths = [
        _notebook(tmp_path / "01_first.ipynb", "First chapter", _record(100.4)),
        _notebook(tmp_path / "02_second.ipynb", "Second", _record(19.7, True, "cuda (GPU X)")),
        _notebook(tmp_path / "03_third.ipynb", "Third", None),
    ]
    quick = [_record(30.2, True) | {"claims": "4/5"}, None, _record(9.9, True)]
    lines = run_times.table(run_times.read_records(paths), quick).splitlines()
    assert lines[0] == (
        "| chapter | device | full mode (s) | date | quick mode (s) | claims in quick mode |"
    )
    assert lines[2] == "| 1. First chapter | cpu | 100 | 2026-01-02 | 30 | 4/5 |"
    assert lines[3] == (
        "| 2. Second | cuda (GPU X) | 20 (a quick run!) | 2026-01-02 | not measured | |"
    )
    assert lines[4] == "| 3. Third | no run record | | | 10 | no claims cell |"
    assert (
        lines[5] == "| **total** (without 1 unrecorded) | | **120** (2 min) | | **40** (1 min) | |"
    )
    assert len(lines) == 6


def test_quick_records_are_read_by_stem(tmp_path):
    runs = tmp_path / "quick_runs.json"
    runs.write_text(json.dumps({"02_b": _record(5.0, True) | {"claims": "3/3"}}))
    records = run_times.read_quick([tmp_path / "01_a.ipynb", tmp_path / "02_b.ipynb"], runs)
    assert records[0] is None and records[1]["claims"] == "3/3"
    assert run_times.read_quick([tmp_path / "01_a.ipynb"], tmp_path / "none.json") == [None]


def test_execute_keeps_quick_records_with_the_claims_reproduced(tmp_path):
    execute = scripts.load("tools/execute.py")
    path = _notebook(tmp_path / "01_a.ipynb", "A", None)
    notebook = json.loads(path.read_text())
    notebook["cells"].append(
        {
            "cell_type": "code",
            "metadata": {},
            "execution_count": 2,
            "source": 'reproduced = ae.claims("01_a")',
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": "✅ a\n❌ b: c\n✅ d\n"}
            ],
        }
    )
    path.write_text(json.dumps(notebook | {"nbformat_minor": 4}))
    runs = tmp_path / "runs.json"
    execute.keep_record(runs, path, _record(12.0, True) | {"wall": 13.0})
    stored = json.loads(runs.read_text())["01_a"]
    assert stored["claims"] == "2/3" and stored["seconds"] == 12.0 and "wall" not in stored


def test_execute_refuses_to_record_a_copy_that_lost_its_chapters_name(
    tmp_path, monkeypatch, capsys
):
    execute = scripts.load("tools/execute.py")
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    (chapters / "05_denoising.ipynb").write_text("{}")
    copies = [tmp_path / "05_denoising.ipynb", tmp_path / "r07.ipynb"]
    assert execute.misnamed(copies, chapters) == ["r07.ipynb"]
    # the real chapters: refused before anything runs (the copy does not even exist)
    runs = tmp_path / "runs.json"
    argv = ["execute.py", "--quick", "--record", str(runs), str(tmp_path / "r05.ipynb")]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as exit_:
        execute.main()
    assert exit_.value.code == 2 and not runs.exists()
    assert "['r05.ipynb'] is no chapter's" in capsys.readouterr().err


def cell_seconds(cell) -> float:
    """How long a stored cell ran, from the timestamps nbclient keeps in its metadata."""
    times = cell.metadata.get("execution", {})
    start, end = times.get("iopub.execute_input"), times.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def test_the_cell_timeout_leaves_twice_the_longest_stored_cell():
    """A full run that outlives the timeout is lost with all its work (chapter 8's
    training cell took 5764 s, and the old limit was an hour)."""
    execute = scripts.load("tools/execute.py")
    longest = {
        path.stem: max(cell_seconds(c) for c in nbformat.read(path, as_version=4).cells)
        for path in scripts.chapters()
    }
    assert max(longest.values()) > 60, "the stored runs keep their cells' timestamps"
    too_long = {name: s for name, s in longest.items() if 2 * s > execute.CELL_TIMEOUT}
    assert not too_long, f"raise CELL_TIMEOUT ({execute.CELL_TIMEOUT} s) for {too_long}"


def test_write_replaces_only_between_the_markers(tmp_path, capsys):
    nb = _notebook(tmp_path / "01_a.ipynb", "A", _record(61.0))
    page = tmp_path / "setup.md"
    page.write_text(f"before\n{run_times.START}\nold table\n{run_times.END}\nafter\n")
    assert run_times.main([str(nb), "--write", str(page)]) == 0
    text = page.read_text()
    assert text.startswith(f"before\n{run_times.START}\n\n| chapter |")
    assert text.endswith(f"|\n\n{run_times.END}\nafter\n")
    assert "old table" not in text and "| 1. A | cpu | 61 | 2026-01-02 |" in text
    assert run_times.main([str(nb), "--write", str(page)]) == 0  # idempotent
    assert page.read_text() == text
    assert "already up to date" in capsys.readouterr().out


@pytest.mark.parametrize(
    "text",
    ["no markers\n", f"{run_times.START} only\n", f"{run_times.END}\n{run_times.START}\n"],
)
def test_write_without_markers_fails_clearly(tmp_path, capsys, text):
    nb = _notebook(tmp_path / "01_a.ipynb", "A", _record(1.0))
    page = tmp_path / "setup.md"
    page.write_text(text)
    assert run_times.main([str(nb), "--write", str(page)]) == 1
    assert page.read_text() == text
    assert run_times.START in capsys.readouterr().err


def test_the_real_chapters_parse(capsys):
    chapters = sorted((scripts.ROOT / "chapters").glob("*.ipynb"))
    assert run_times.main([]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(chapters) + 3  # header, rule, one row each, total
    assert all(line.startswith("| ") and line.endswith(" |") for line in lines)
    assert lines[-1].startswith("| **total**")


def test_setup_page_table_is_current():
    page = (scripts.ROOT / "book" / "setup.md").read_text()
    chapters = sorted((scripts.ROOT / "chapters").glob("*.ipynb"))
    table = run_times.table(run_times.read_records(chapters), run_times.read_quick(chapters))
    assert run_times.replace_between_markers(page, table) == page, "run make run-times"
