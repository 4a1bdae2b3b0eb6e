"""tools/device_intake.py: what a GPU visit brings back is taken in only where it may be.

Only a full-mode run on a GPU whose code cells are the chapter's own may replace
a chapter; a rehearsal's quick-mode notebook, a CPU run or outputs of older cell
text are refused with the reason. The benchmark's GPU rows land in
benchmarks/README.md in place of its "not measured" row.
"""

import copy
import json
import tarfile

import nbformat
import pytest
import scripts

intake = scripts.load("tools/device_intake.py")

CHAPTER = scripts.ROOT / "chapters" / "09_vae_latent_space.ipynb"
GPU = "cuda (NVIDIA H100 80GB HBM3)"


def _check(device: str = GPU, tiny: bool = False) -> dict:
    result = {"conventional_median": 2.5, "fit_median": 0.25, "ratio": 10.0, "batch_size": 128}
    return {
        "tiny": tiny,
        "benchmark": {
            "device": device,
            "threads": 16,
            "torch": "2.11.0+cu130",
            "epochs": 3,
            "results": [result | {"model": "VAE 784-400-20"}, result | {"model": "AE 784"}],
        },
    }


def _run(notebook: nbformat.NotebookNode, **record) -> nbformat.NotebookNode:
    new = copy.deepcopy(notebook)
    new.metadata["aelab"] = {"quick": False, "device": GPU, "seconds": 30.0} | record
    return new


def test_the_benchmark_becomes_gpu_rows_only_from_a_full_check_on_a_gpu():
    rows, why = intake.benchmark_rows(_check())
    assert why == "" and len(rows) == 2
    assert rows[0].startswith("| `python tools/gpu_check.py` (`train_speed.py --epochs 3`) | ")
    assert rows[0].endswith(
        f"| {GPU}, torch 2.11.0+cu130 | 16 | VAE 784-400-20 | 2.50 | 0.25 | 10.00 |"
    )
    assert rows[1].startswith("| same | ")
    assert intake.benchmark_rows(_check(tiny=True)) == ([], f"a tiny check on {GPU}: no GPU rows")
    assert intake.benchmark_rows(_check(device="cpu (Intel Xeon)"))[0] == []
    assert intake.benchmark_rows({"tiny": False}) == ([], "the check brought no benchmark")


def test_gpu_rows_replace_the_not_measured_row_then_follow_the_gpu_rows():
    readme = intake.BENCHMARKS.read_text(encoding="utf-8")
    assert intake.NOT_MEASURED in readme
    rows, _ = intake.benchmark_rows(_check())
    first = intake.place_rows(readme, rows)
    assert intake.NOT_MEASURED not in first and first.count(GPU) == 2
    second = intake.place_rows(first, [rows[0].replace("10.00", "9.00")])
    lines = second.split("\n")
    assert lines.index(rows[1]) + 1 == lines.index(rows[0].replace("10.00", "9.00"))
    with pytest.raises(ValueError, match="add the rows by hand"):
        intake.place_rows("# no table\n", rows)


def test_only_a_full_mode_gpu_run_of_the_same_code_may_replace_a_chapter():
    current = nbformat.read(CHAPTER, as_version=4)
    assert intake.refusal(_run(current), current) == ""
    assert "quick-mode" in intake.refusal(_run(current, quick=True), current)
    assert "not a GPU" in intake.refusal(_run(current, device="cpu (AMD EPYC)"), current)
    no_record = copy.deepcopy(current)
    no_record.metadata.pop("aelab", None)
    assert intake.refusal(no_record, current).startswith("no run record")
    edited = copy.deepcopy(current)
    next(c for c in edited.cells if c.cell_type == "code").source += "\n# edited"
    assert intake.refusal(_run(current), edited).startswith("1 code cell(s) differ")


def test_write_takes_in_what_may_be_taken_and_refuses_the_rest(tmp_path, monkeypatch, capsys):
    chapters, files_at, packed = tmp_path / "chapters", tmp_path / "files", tmp_path / "packed"
    for folder in (chapters, files_at, packed / "chapters", packed / "runs"):
        folder.mkdir(parents=True)
    current = nbformat.read(CHAPTER, as_version=4)
    nbformat.write(current, chapters / CHAPTER.name)
    quick_name = "08_vae_elbo.ipynb"
    nbformat.write(current, chapters / quick_name)  # stands in for chapter 8
    new = _run(current)
    glued = next(  # one glued number moves, as on another device
        o for c in new.cells for o in c.get("outputs", []) if "scrapbook" in o.get("metadata", {})
    )
    glued["data"][glued["metadata"]["scrapbook"]["mime_prefix"] + "text/plain"] = "123.456"
    nbformat.write(new, packed / "chapters" / CHAPTER.name)
    nbformat.write(_run(current, quick=True), packed / "chapters" / quick_name)
    session = {"wheels": "41 installed", "check": "passed", "mode": "full", "runs": {}}
    (packed / "runs" / "session.json").write_text(json.dumps(session))
    with tarfile.open(files_at / "full-mode.tgz", "w:gz") as tar:
        tar.add(packed / "chapters", arcname="chapters")
        tar.add(packed / "runs", arcname="runs")
    (files_at / "gpu-check.json").write_text(json.dumps(_check()))
    readme = tmp_path / "README.md"
    readme.write_text(intake.BENCHMARKS.read_text(encoding="utf-8"))
    monkeypatch.setattr(intake, "CHAPTERS", chapters)
    monkeypatch.setattr(intake, "BENCHMARKS", readme)
    monkeypatch.setattr(intake, "ROOT", tmp_path)
    monkeypatch.setattr(intake, "REBUILD", [])

    assert intake.main([str(files_at), "--write"]) == 0
    out = capsys.readouterr().out
    assert f"=== {quick_name}: refused: a quick-mode run" in out
    assert f"=== {CHAPTER.name}: 30 s on {GPU}; it changes:" in out
    assert "-> 123.456" in out
    assert nbformat.read(chapters / CHAPTER.name, as_version=4) == new
    assert nbformat.read(chapters / quick_name, as_version=4) == current
    assert readme.read_text().count(GPU) == 2 and intake.NOT_MEASURED not in readme.read_text()


def test_a_folder_without_what_a_visit_brings_back_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        intake.main([str(tmp_path)])
    assert "holds neither gpu-check.json nor full-mode.tgz" in capsys.readouterr().err
