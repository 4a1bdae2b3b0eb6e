"""One call on a lent GPU machine: the GPU check, then full-mode re-runs with the time left.

    python3 tools/device_session.py --out "$OUT" --seconds 570     # run's timeout_s: 600
    python3 tools/device_session.py --out /tmp/ds --seconds 300 --rehearse --chapters 08

A lent machine (README, "GPU check") waits only half a minute for the next call
before it goes back, and returns at most 8 files, so the whole visit is one
command, in this order:

1. the wheels carried in ``.whl/`` are installed beside the machine's own
   packages (``pip --no-index --no-deps --target``; if they fail, the visit goes
   on without them and ``session.json`` says why), and ``.gpu-data/`` becomes
   ``AELAB_DATA`` where it is there and ``AELAB_DATA`` is not set;
2. ``tools/gpu_check.py`` writes its report to ``--out`` (six files);
3. with the time that is left, the chapters of ``--chapters`` (heaviest first)
   run in full mode all at once, each by ``tools/execute.py`` on a copy of its
   notebook, sharing the GPU and the machine's cores; at the deadline a run
   still going is stopped with its process group, kernel included
   (``tools/timed_run.py``, which the check's steps use too);
4. ``full-mode.tgz`` in ``--out`` holds every run's log, the notebooks of the
   runs that passed, and ``session.json``: what ran, for how long, and how
   each run ended (``passed``, ``failed`` or ``timeout``).

``--seconds`` is what this command may take in all: the call's ``timeout_s`` (at
most 600) less half a minute, and no more than the device time left after the
machine's start-up. ``--no-check`` skips step 2, for a second call made at once
while the machine is still warm, whose whole time then goes to full-mode runs.
``--rehearse`` does the same on any machine with the tiny check and quick-mode
runs (nothing there may be committed): ``tests/test_device_session.py`` runs it
on the CPU. Only the standard library is imported here, since it runs before
the wheels are in.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import timed_run  # noqa: E402  (a sibling file: tools/ is not a package)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ["08", "02", "04", "07"]  # the heaviest first (the run-time table in book/setup.md)
TAIL_S = 20  # kept back at the end: stopping the runs and writing the archive
MIN_RUN_S = 60  # full-mode runs start only with at least this much time left
MARKER = ".device-session"  # in --work: the folder is this script's, so it may empty it


def environment(site: Path, carried: Path = ROOT / ".whl") -> tuple[dict[str, str], str]:
    """The environment of every step (aelab from the checkout, the carried wheels and data),
    and what became of the wheels.

    If they do not install, the visit goes on without them and says so: the unit tests
    and the benchmark need no Jupyter stack, and a lent machine may not come again soon.
    """
    env = os.environ | {"PYTHONUNBUFFERED": "1"}
    paths = [str(ROOT / "src"), env.get("PYTHONPATH", "")]
    wheels = sorted(carried.glob("*.whl"))
    status = "none carried"
    if wheels:
        pip = [sys.executable, "-m", "pip", "install", "-q", "--no-index", "--no-deps"]
        pip += ["--no-compile", "--no-cache-dir", "--target", str(site)]
        installed = subprocess.run([*pip, *map(str, wheels)], capture_output=True, text=True)
        if installed.returncode == 0:
            paths.insert(0, str(site))
            status = f"{len(wheels)} installed"
        else:
            lines = (installed.stdout + installed.stderr).strip().splitlines() or ["no output"]
            status = f"failed, going on without them: {lines[-1]}"
            print(f"the carried wheels did not install ({lines[-1]}); going on", flush=True)
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    if "AELAB_DATA" not in env and (ROOT / ".gpu-data").is_dir():
        env["AELAB_DATA"] = str(ROOT / ".gpu-data")
    return env, status


def chapter_paths(numbers: list[str]) -> list[Path]:
    """The chapter notebooks named by their numbers, e.g. ``["08", "02"]``."""
    paths = []
    for number in numbers:
        found = sorted((ROOT / "chapters").glob(f"{number}_*.ipynb"))
        if len(found) != 1:
            raise ValueError(f"--chapters {number}: no chapter notebook starts with '{number}_'.")
        paths += found
    return paths


def full_mode(chapters: list[Path], work: Path, quick: bool, env: dict, deadline: float) -> dict:
    """Re-execute ``chapters`` on copies under ``work`` until the deadline."""
    copies = work / "chapters"
    copies.mkdir(parents=True, exist_ok=True)
    commands = {}
    for chapter in chapters:
        copy = copies / chapter.name
        shutil.copy(chapter, copy)
        mode = ["--quick"] if quick else []
        commands[copy.stem] = [sys.executable, "tools/execute.py", *mode, str(copy)]
    return timed_run.run_all(commands, work, env, deadline=deadline)


def main(argv: list[str] | None = None) -> int:
    start = time.monotonic()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where the files to bring back go")
    parser.add_argument("--seconds", type=float, required=True, help="what this call may take")
    parser.add_argument("--chapters", nargs="*", default=CHAPTERS, help="default: 08 02 04 07")
    parser.add_argument("--rehearse", action="store_true", help="tiny check, quick-mode runs")
    parser.add_argument("--no-check", action="store_true", help="full-mode runs only (a 2nd call)")
    parser.add_argument("--work", type=Path, default=ROOT / "_build" / "device-session")
    args = parser.parse_args(argv)
    if not args.seconds > 0:
        parser.error(f"--seconds {args.seconds:g}: give the seconds this call may take, e.g. 600.")
    try:
        chapters = chapter_paths(args.chapters)
    except ValueError as wrong:
        parser.error(str(wrong))
    marker = args.work / MARKER
    if args.work.exists() and any(args.work.iterdir()) and not marker.exists():
        parser.error(
            f"--work {args.work}: not empty and not made by this script; name a new folder."
        )
    args.out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(args.work, ignore_errors=True)  # the previous session's copies and logs
    args.work.mkdir(parents=True)
    marker.touch()
    deadline = start + args.seconds - TAIL_S

    env, wheels = environment(args.work / "site")
    session = {
        "wheels": wheels,
        "check": "not run",
        "mode": "quick (rehearsal)" if args.rehearse else "full",
    }
    if not args.no_check:
        check = [sys.executable, "tools/gpu_check.py", "--out", str(args.out)]
        check_rc = subprocess.run(check + (["--tiny"] if args.rehearse else []), cwd=ROOT, env=env)
        session["check"] = "passed" if check_rc.returncode == 0 else "failed"
    session["check_seconds"] = round(time.monotonic() - start, 1)
    left = deadline - time.monotonic()
    session["runs"] = {}
    if not chapters:
        session["skipped"] = "no chapters named: no full-mode runs"
    elif left < MIN_RUN_S:
        session["skipped"] = f"{max(left, 0):.0f} s left, under {MIN_RUN_S} s: no full-mode runs"
    else:
        session["runs"] = full_mode(chapters, args.work, args.rehearse, env, deadline)
    session["seconds"] = round(time.monotonic() - start, 1)
    (args.work / "session.json").write_text(json.dumps(session, indent=1) + "\n")

    with tarfile.open(args.out / "full-mode.tgz", "w:gz") as tar:
        for path in sorted(args.work.glob("*.log")) + [args.work / "session.json"]:
            tar.add(path, arcname=f"runs/{path.name}")
        for name, run in session["runs"].items():
            if run["status"] == "passed":
                tar.add(args.work / "chapters" / f"{name}.ipynb", arcname=f"chapters/{name}.ipynb")
    print(json.dumps(session, indent=1))
    return 1 if session["check"] == "failed" else 0


if __name__ == "__main__":
    sys.exit(main())
