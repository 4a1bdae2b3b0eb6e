"""Shared test set-up: a headless plot backend, the CPU unless a test says otherwise,
and one build of the book per test run (``book_html``)."""

import fcntl
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
VENDOR = ROOT / ".vendor"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def _defaults(monkeypatch):
    """Tests run on the CPU in full mode unless they set the variables themselves.

    ``AELAB_TEST_DEVICE=cuda`` (or ``mps``) runs them on that device instead:
    ``tools/gpu_check.py`` does so for the tests whose code runs on the device.
    """
    monkeypatch.setenv("AELAB_DEVICE", os.environ.get("AELAB_TEST_DEVICE") or "cpu")
    monkeypatch.delenv("AELAB_QUICK", raising=False)
    monkeypatch.delenv("AELAB_RUN_RECORD", raising=False)
    yield
    plt.close("all")


def pytest_report_header(config):
    return f"AELAB_DATA={os.environ.get('AELAB_DATA', '(unset: the per-user cache)')}"


def _tail(proc: subprocess.CompletedProcess, chars: int = 6000) -> str:
    """The end of a command's output, without colour codes, for an assertion message."""
    return ANSI.sub("", proc.stdout)[-chars:] + ANSI.sub("", proc.stderr)[-chars // 2 :]


def _jupyter_book() -> str:
    """The jupyter-book next to this Python (the project's venv), else on PATH."""
    exe = Path(sys.executable).with_name("jupyter-book")
    if exe.exists():
        return str(exe)
    found = shutil.which("jupyter-book")
    if found is None:
        pytest.fail("jupyter-book is not installed next to this Python nor on PATH")
    return found


def _vendor_is_stale() -> bool:
    marker = VENDOR / "mathjax" / "tex-chtml.js"
    if not marker.exists():
        return True
    built = marker.stat().st_mtime
    sources = [ROOT / "tools" / "vendor_js.sh", ROOT / "package-lock.json"]
    return any(src.stat().st_mtime > built for src in sources)


def _run(command: list[str]) -> subprocess.CompletedProcess:
    """Run a command in the repository root, capturing its output."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


def _build_book() -> str:
    """Vendor the JavaScript if needed and build the book; '' or why it failed."""
    if _vendor_is_stale():
        vendor = _run(["bash", str(ROOT / "tools" / "vendor_js.sh")])
        if vendor.returncode != 0:
            return "tools/vendor_js.sh failed (it needs node and npm the first time):\n" + _tail(
                vendor
            )
    # --all: a fresh build. Sphinx does not know that results.md depends on the
    # notebooks it pastes from, and skips copying static files when no page
    # changed, so an incremental build could show stale numbers or scripts.
    build = _run([_jupyter_book(), "build", str(ROOT), "--warningiserror", "--keep-going", "--all"])
    if build.returncode != 0:
        return "the book does not build cleanly with warnings as errors:\n" + _tail(build)
    return ""


@pytest.fixture(scope="session")
def book_html() -> Path:
    """``_build/html``, built once per test run, whichever test asks first.

    With pytest-xdist the modules that need the book may run in different
    worker processes. A file lock makes the first one build it while the
    others wait, and a stamp naming this run (the id xdist gives all workers
    of one run) lets them reuse that build, or its failure, instead of
    building again. ``AELAB_BOOK_HTML=<folder>`` skips the build and tests a
    book built before (``make browser-test`` after ``make book``).
    """
    prebuilt = os.environ.get("AELAB_BOOK_HTML")
    if prebuilt:
        html = Path(prebuilt).resolve()
        assert (html / "index.html").is_file(), f"AELAB_BOOK_HTML={prebuilt} holds no built book"
        return html
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid {os.getpid()}"
    BUILD.mkdir(exist_ok=True)
    stamp = BUILD / ".book-build-run"
    with open(BUILD / ".book-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        done = stamp.read_text().split("\n", 1) if stamp.exists() else ["", ""]
        if done[0] == run_id:
            failure = done[1]
        else:
            stamp.unlink(missing_ok=True)
            failure = _build_book()
            stamp.write_text(f"{run_id}\n{failure}")
    if failure:
        pytest.fail(failure, pytrace=False)
    return BUILD / "html"
