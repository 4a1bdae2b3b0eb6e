"""tools/device_session.py: the one call meant for a lent GPU machine, rehearsed on the CPU.

A GPU visit is one command with a deadline, so what must hold is checked here:
the check's report and the archive come back within the eight files a machine
returns; a run that passed brings back its notebook; the committed notebooks are
never touched. That a run still going at the deadline is stopped with its
process group is tests/test_timed_run.py's.
"""

import json
import subprocess
import sys
import tarfile

import pytest
import scripts

session = scripts.load("tools/device_session.py")


def test_the_rehearsal_checks_then_runs_a_chapter_and_brings_it_back(tmp_path, capsys):
    out, work = tmp_path / "out", tmp_path / "work"
    chapter = scripts.ROOT / "chapters" / "08_vae_elbo.ipynb"
    before = chapter.read_bytes()
    proc = subprocess.run(
        [sys.executable, "tools/device_session.py", "--out", str(out), "--seconds", "400"]
        + ["--rehearse", "--chapters", "08", "--work", str(work)],
        cwd=scripts.ROOT,
        capture_output=True,
        text=True,
        timeout=450,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert chapter.read_bytes() == before
    files = sorted(p.name for p in out.iterdir())
    assert len(files) <= 8 and {"gpu-check.json", "full-mode.tgz"} <= set(files), files
    with tarfile.open(out / "full-mode.tgz") as tar:
        names = sorted(tar.getnames())
        report = json.load(tar.extractfile("runs/session.json"))
    assert names == [
        "chapters/08_vae_elbo.ipynb",
        "runs/08_vae_elbo.log",
        "runs/session.json",
    ]
    assert report["check"] == "passed" and report["mode"] == "quick (rehearsal)"
    assert report["runs"]["08_vae_elbo"]["status"] == "passed", report
    assert json.loads(proc.stdout[proc.stdout.rindex("\n{\n") :]) == report
    # what comes back is what tools/device_intake.py reads, and a rehearsal is never taken in
    intake = scripts.load("tools/device_intake.py")
    assert intake.main([str(out)]) == 0
    said = capsys.readouterr().out
    assert "=== 08_vae_elbo.ipynb: refused: a quick-mode run (a rehearsal)" in said
    assert "08_vae_elbo: passed after " in said and "none: a tiny check on cpu" in said


@pytest.mark.parametrize(
    "arguments, says",
    [
        (["--seconds", "0"], "--seconds 0: give the seconds this call may take"),
        (["--seconds", "600", "--chapters", "08", "99"], "--chapters 99: no chapter notebook"),
        (["--seconds", "600", "--work", "."], "--work .: not empty and not made by this script"),
    ],
)
def test_bad_arguments_stop_it_before_anything_runs(tmp_path, capsys, arguments, says):
    with pytest.raises(SystemExit) as stop:
        session.main(["--out", str(tmp_path / "out"), "--work", str(tmp_path / "work"), *arguments])
    assert stop.value.code == 2
    assert says in capsys.readouterr().err
    assert not (tmp_path / "out").exists() and not (tmp_path / "work").exists()


def test_wheels_that_do_not_install_leave_the_visit_going(tmp_path, capsys):
    carried = tmp_path / "whl"
    carried.mkdir()
    (carried / "broken-1.0-py3-none-any.whl").write_bytes(b"not a zip file")
    env, status = session.environment(tmp_path / "site", carried)
    assert status.startswith("failed, going on without them: "), status
    assert str(tmp_path / "site") not in env["PYTHONPATH"].split(":")
    assert env["PYTHONPATH"].split(":")[0] == str(scripts.ROOT / "src")
    assert "the carried wheels did not install" in capsys.readouterr().out
    assert session.environment(tmp_path / "site", tmp_path / "none")[1] == "none carried"


def test_a_second_call_can_skip_the_check(tmp_path, capsys):
    out, work = tmp_path / "out", tmp_path / "work"
    assert (
        session.main(
            ["--out", str(out), "--work", str(work), "--seconds", "60", "--no-check", "--chapters"]
        )
        == 0
    )
    report = json.loads((work / "session.json").read_text())
    assert report["check"] == "not run" and report["runs"] == {}
    assert report["skipped"] == "no chapters named: no full-mode runs"
    assert [p.name for p in out.iterdir()] == ["full-mode.tgz"]
