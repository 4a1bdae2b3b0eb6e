"""Run commands with a time limit, each in a process group of its own, its output to a log.

Two tools use this, both meant for a GPU machine that is lent for a few minutes:
``tools/gpu_check.py`` gives each step of its check a limit of its own, and
``tools/device_session.py`` runs full-mode chapters at once until one deadline.
At the limit the whole process group is stopped, not just the command: a
notebook's kernel or pytest's workers go with their parent instead of holding
the GPU after it.

Every run ends ``passed`` (exit status 0), ``failed`` (any other) or ``timeout``
(stopped at its limit; its log says after how long). Ctrl-C stops every run
going: in sessions of their own, they would not see it otherwise. Standard
library only: ``device_session.py`` runs before the carried wheels are installed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: between the starts of runs started together: kernels started at the same moment can pick
#: the same port (seen once with nine at once: one kernel's heartbeat failed to bind)
STAGGER_S = 2.0
GRACE_S = 10  # after SIGTERM, before SIGKILL
_RUNNING: set[subprocess.Popen] = set()  # the runs going now, for Ctrl-C to stop


def run(
    command: list[str],
    log: Path,
    env: dict,
    timeout: float | None = None,
    deadline: float | None = None,
) -> dict:
    """Run ``command`` in the repository root, stdout and stderr to ``log``.

    It is stopped, with its process group, ``timeout`` seconds after it starts or at
    ``deadline`` (a ``time.monotonic()`` value), whichever comes first.
    Returns ``{"status": "passed" | "failed" | "timeout", "seconds": ...}``.
    """
    start = time.monotonic()
    ends = [t for t in (None if timeout is None else start + timeout, deadline) if t is not None]
    if ends and min(ends) <= start:
        log.write_text("not started: its deadline had passed\n")
        return {"status": "timeout", "seconds": 0.0}
    with open(log, "w") as out:
        proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        _RUNNING.add(proc)
        try:
            proc.wait(timeout=max(min(ends) - start, 0) if ends else None)
            status = "passed" if proc.returncode == 0 else "failed"
        except subprocess.TimeoutExpired:
            _stop(proc)
            status = "timeout"
            out.write(f"\nstopped at its time limit, {time.monotonic() - start:.0f} s in\n")
        except BaseException:  # Ctrl-C while this thread waits
            _stop(proc)
            raise
        finally:
            _RUNNING.discard(proc)
    return {"status": status, "seconds": round(time.monotonic() - start, 1)}


def run_all(
    commands: dict[str, list[str]],
    logs: Path,
    env: dict,
    timeout: float | None = None,
    deadline: float | None = None,
    jobs: int | None = None,
) -> dict[str, dict]:
    """:func:`run` each of ``commands``, ``jobs`` at once (default: all), logging to
    ``logs / f"{name}.log"``; the first ``jobs`` start :data:`STAGGER_S` apart.

    The runs share the machine's cores: each gets ``OMP_NUM_THREADS`` = cores // ``jobs``
    unless ``env`` sets it. Returns :func:`run`'s result per name, in the order given.
    """
    jobs = max(1, min(jobs or len(commands), len(commands)))
    env = {"OMP_NUM_THREADS": str(max(1, (os.cpu_count() or 1) // jobs))} | env
    interrupted = threading.Event()

    def one(index: int, name: str) -> dict:
        # the first ones start STAGGER_S apart; later ones wait for a free slot
        if interrupted.wait(STAGGER_S * index if index < jobs else 0):
            return {"status": "timeout", "seconds": 0.0}  # Ctrl-C came first: not started
        return run(commands[name], logs / f"{name}.log", env, timeout, deadline)

    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        ended = list(pool.map(one, range(len(commands)), commands))
    except BaseException:  # Ctrl-C reaches this thread only, and the runs' waits go on
        interrupted.set()
        pool.shutdown(wait=False, cancel_futures=True)
        for proc in list(_RUNNING):
            _stop(proc)
        raise
    pool.shutdown()
    return dict(zip(commands, ended, strict=True))


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the run's process group, SIGKILL after :data:`GRACE_S` seconds."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:  # it ended, children and all, and was reaped
        return
    try:
        proc.wait(timeout=GRACE_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
