"""tools/gpu_check.py: the tiny check runs end to end on the CPU, and steps report failures.

CI runs this on every push, so that the one command meant for a GPU machine
cannot rot before the next GPU shows up.
"""

import json
import subprocess
import sys

import scripts
import torch

gpu_check = scripts.load("tools/gpu_check.py")


def test_the_tiny_check_passes_on_the_cpu_and_writes_its_report(tmp_path):
    out = tmp_path / "report"
    proc = subprocess.run(
        [sys.executable, "tools/gpu_check.py", "--tiny", "--out", str(out)],
        cwd=scripts.ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads((out / "gpu-check.json").read_text())
    steps = {s["name"]: s for s in report["steps"]}
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(steps) == ["unit tests", "chapter 01", "benchmark", "fast path"]
    assert all(steps[name]["status"] == "passed" for name in list(steps)[:3]), steps
    assert steps["fast path"] == {
        "name": "fast path",
        "status": "skipped",
        "seconds": 0.0,
        "detail": "no CUDA (cpu)",
    }
    assert report["device"] == "cpu" and report["torch"] == torch.__version__
    assert [r["model"] for r in report["benchmark"]["results"]] == [
        "VAE 784-400-20",
        "AE 784-1000-500-250-30",
    ]
    table = (out / "gpu-check.md").read_text()
    assert "| unit tests | passed |" in table and "| conventional / fit |" in table
    assert "| VAE 784-400-20 | 128 |" in table and "| AE 784-1000-500-250-30 |" in table
    assert table in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "benchmark.json",
        "benchmark.log",
        "chapters.log",
        "gpu-check.json",
        "gpu-check.md",
        "tests.log",
    ]


def test_a_failing_or_hanging_step_is_reported_with_its_output(tmp_path):
    env = {"PATH": ""}
    fail = [sys.executable, "-c", "print('hello'); raise SystemExit(3)"]
    step = gpu_check.run_step("fails", fail, 30, tmp_path / "fail.log", env)
    assert (step.status, step.detail) == ("failed", "hello")
    hang = [sys.executable, "-c", "print('started', flush=True); import time; time.sleep(30)"]
    step = gpu_check.run_step("hangs", hang, 1, tmp_path / "hang.log", env)
    assert step.status == "timeout" and step.seconds < 10
    assert (tmp_path / "hang.log").read_text().startswith("started")
