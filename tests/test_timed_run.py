"""tools/timed_run.py: commands with a time limit, for a GPU machine lent for minutes.

What must hold: a run ends passed, failed or timeout; at its limit the whole
process group goes, not just the command (a kernel must not outlive the
notebook's run); each run queued behind ``jobs`` gets its own limit, counted
from its own start; a shared deadline stops all that are left.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
import scripts

timed_run = scripts.load("tools/timed_run.py")

SLEEP = "import time; time.sleep(60)"


def _left_behind() -> bytes:
    """The processes still sleeping 60 s, after a moment for signalled ones to go."""
    for _ in range(20):
        left = subprocess.run(["pgrep", "-f", "time.sleep\\(60\\)"], capture_output=True)
        if not left.stdout:
            break
        time.sleep(0.1)
    return left.stdout


def test_at_the_deadline_a_run_is_stopped_with_its_children(tmp_path):
    child = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', '{SLEEP}'])"
    commands = {
        "slow": [sys.executable, "-c", f"{child}; time.sleep(60)"],
        "quick": [sys.executable, "-c", "print('done')"],
        "broken": [sys.executable, "-c", "raise SystemExit(2)"],
    }
    start = time.monotonic()
    # started STAGGER_S apart, so the last one starts before the deadline
    ended = timed_run.run_all(commands, tmp_path, {"PATH": ""}, deadline=start + 6)
    assert time.monotonic() - start < 25
    assert list(ended) == ["slow", "quick", "broken"]
    assert {name: run["status"] for name, run in ended.items()} == {
        "slow": "timeout",
        "quick": "passed",
        "broken": "failed",
    }
    assert (tmp_path / "quick.log").read_text() == "done\n"
    assert (tmp_path / "slow.log").read_text().startswith("\nstopped at its time limit, ")
    assert _left_behind() == b"", "the stopped run or its child outlived the deadline"


def test_runs_queued_behind_jobs_get_their_own_time_limit(tmp_path):
    commands = {f"run{i}": [sys.executable, "-c", "import time; time.sleep(1.5)"] for i in range(3)}
    start = time.monotonic()
    ended = timed_run.run_all(commands, tmp_path, {"PATH": ""}, timeout=4, jobs=2)
    # two at once (the second started STAGGER_S after the first), the third after the first
    assert all(run["status"] == "passed" for run in ended.values()), ended
    assert 3.0 <= time.monotonic() - start < 3 + timed_run.STAGGER_S + 2
    ended = timed_run.run_all(
        {"hangs": [sys.executable, "-c", SLEEP]}, tmp_path, {"PATH": ""}, timeout=1
    )
    assert ended["hangs"]["status"] == "timeout" and ended["hangs"]["seconds"] < 5
    assert _left_behind() == b""


@pytest.mark.parametrize("limits", [{"timeout": 30, "deadline": 1.0}, {"timeout": 1}])
def test_the_earlier_of_timeout_and_deadline_stops_a_run(tmp_path, limits):
    if "deadline" in limits:
        limits["deadline"] += time.monotonic()
    run = timed_run.run([sys.executable, "-c", SLEEP], tmp_path / "log", {"PATH": ""}, **limits)
    assert run["status"] == "timeout" and run["seconds"] < 5


def test_a_run_whose_deadline_has_passed_is_not_started(tmp_path):
    marker = tmp_path / "ran"
    command = [sys.executable, "-c", f"open({str(marker)!r}, 'w')"]
    run = timed_run.run(command, tmp_path / "log", {"PATH": ""}, deadline=time.monotonic() - 1)
    assert run == {"status": "timeout", "seconds": 0.0} and not marker.exists()
    assert (tmp_path / "log").read_text() == "not started: its deadline had passed\n"


@pytest.mark.parametrize("call", ["run", "run_all"])
def test_ctrl_c_stops_every_run_going(tmp_path, call):
    child = f"import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', '{SLEEP}'])"
    sleeper = [sys.executable, "-c", f"{child}; time.sleep(60)"]
    calls = {
        "run": f"timed_run.run({sleeper!r}, Path({str(tmp_path / 'a.log')!r}), {{}}, timeout=50)",
        "run_all": f"timed_run.run_all({{'a': {sleeper!r}, 'b': {sleeper!r}, 'c': {sleeper!r}}}, "
        f"Path({str(tmp_path)!r}), {{}}, timeout=50, jobs=2)",
    }
    script = "\n".join(
        [
            "import sys",
            "from pathlib import Path",
            f"sys.path.insert(0, {str(scripts.ROOT / 'tools')!r})",
            "import timed_run",
            "print('started', flush=True)",
            calls[call],
        ]
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "started\n"
    time.sleep(3)  # "a" and "b" going (2 s apart), "c" waiting for a slot
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert proc.returncode != 0 and time.monotonic() - start < 15
    assert _left_behind() == b"", "a run or its child outlived Ctrl-C"
    assert not (tmp_path / "c.log").exists(), "a run waiting for a slot started after Ctrl-C"


def test_runs_share_the_cores_unless_the_environment_says_otherwise(tmp_path):
    show = [sys.executable, "-c", "import os; print(os.environ['OMP_NUM_THREADS'])"]
    timed_run.run_all({"a": show, "b": show}, tmp_path, {"PATH": ""}, jobs=2)
    cores = os.cpu_count() or 1
    assert (tmp_path / "a.log").read_text() == f"{max(1, cores // 2)}\n"
    timed_run.run_all({"a": show}, tmp_path, {"PATH": "", "OMP_NUM_THREADS": "3"})
    assert (tmp_path / "a.log").read_text() == "3\n"
