"""Execute chapters in place, in full mode, and record how each run went.

    python tools/execute.py                 # every chapter
    python tools/execute.py chapters/01_*.ipynb

Each notebook runs top to bottom in a fresh kernel with ``AELAB_QUICK=0``
(pass ``--quick`` to try the quick mode instead; such outputs must not be
committed). Widget state is kept so that progress bars and widgets render in
the book. ``ae.finish()`` writes the run record (device, seconds, mode, date)
to the file named by ``AELAB_RUN_RECORD``; this script stores it in the
notebook's metadata under ``"aelab"`` and prints a table of all runs.

``--record FILE`` also keeps each run's record, with how many of the chapter's
claims it reproduced (its claims cell, ``ae.claims``), in the JSON file FILE under
the notebook's stem. The quick-mode column of the run-time table comes from
``python tools/execute.py --quick --record book/quick_runs.json <copies of the
chapters>`` (quick outputs are never committed, so run it on copies; a copy keeps
its chapter's file name, or ``--record`` refuses it).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
#: Seconds one cell may run. Chapter 8 trains its VAE in one cell: 5764 s on a 2-core
#: CPU, so an hour's limit stopped a full run of it after an hour (tests/test_run_times.py
#: checks that this leaves twice the longest cell of every stored run).
CELL_TIMEOUT = 6 * 3600


def run_cells(
    notebook: nbformat.NotebookNode,
    folder: Path,
    timeout: int,
    widgets: bool,
    env: dict[str, str] | None = None,
) -> None:
    """Execute ``notebook`` top to bottom in a fresh Python kernel started in ``folder``.

    The outputs go into ``notebook`` itself; ``timeout`` is in seconds per cell, and
    ``widgets`` keeps the widgets' state so that the book can render them. ``env`` is
    the kernel's environment (default: this process's). The one place that starts a
    kernel: ``tools/gpu_check.py`` and ``tools/fake_gpu.py`` run their chapters through
    it too.
    """
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(folder)}},
        store_widget_state=widgets,
    )
    client.execute(env=os.environ.copy() if env is None else env)


def execute(path: Path, quick: bool, timeout: int) -> dict:
    """Run the notebook at ``path`` in place and store its run record in its metadata."""
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as tmp:
        record_file = Path(tmp) / "run.json"
        os.environ["AELAB_QUICK"] = "1" if quick else "0"
        os.environ["AELAB_RUN_RECORD"] = str(record_file)
        start = time.perf_counter()
        run_cells(notebook, path.parent, timeout, widgets=True)
        wall = time.perf_counter() - start
        if not record_file.exists():
            raise RuntimeError(f"{path} did not call ae.finish() in its last cell.")
        record = json.loads(record_file.read_text())
    notebook.metadata["aelab"] = record
    nbformat.write(notebook, path)
    return record | {"wall": wall}


def claims_reproduced(path: Path) -> str:
    """``"k/n"``: the claims cell's lines that say ✅, of all its lines ("" without one)."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code" and "ae.claims(" in cell.source:
            text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
            lines = [line for line in text.splitlines() if line.strip()]
            return f"{sum(line.startswith('✅') for line in lines)}/{len(lines)}"
    return ""


def keep_record(file: Path, path: Path, record: dict) -> None:
    """Store ``record`` (and the claims reproduced) in the JSON ``file`` under ``path``'s stem."""
    records = json.loads(file.read_text(encoding="utf-8")) if file.exists() else {}
    keep = {k: v for k, v in record.items() if k != "wall"}
    records[path.stem] = keep | {"claims": claims_reproduced(path)}
    file.write_text(json.dumps(dict(sorted(records.items())), indent=1) + "\n", encoding="utf-8")


def chapter_notebooks(folder: Path = ROOT / "chapters") -> list[Path]:
    """The book's chapters, in order: the numbered notebooks in ``folder``."""
    return sorted(folder.glob("[0-9]*.ipynb"))


def misnamed(paths: list[Path], chapters: Path = ROOT / "chapters") -> list[str]:
    """The notebooks among ``paths`` whose file name is no chapter's.

    ``--record`` files each run under its notebook's stem, and the run-time table
    looks the chapters up by theirs: a copy named ``r05.ipynb`` would be recorded
    where nothing reads it, after minutes of running. So ``main`` refuses it first.
    """
    known = {p.stem for p in chapter_notebooks(chapters)}
    return [p.name for p in paths if p.stem not in known]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--quick", action="store_true", help="quick mode (not for committing)")
    parser.add_argument(
        "--timeout", type=int, default=CELL_TIMEOUT, help=f"seconds per cell ({CELL_TIMEOUT})"
    )
    parser.add_argument("--record", type=Path, metavar="FILE", help="also keep the records here")
    args = parser.parse_args()
    paths = args.notebooks or chapter_notebooks()
    if args.record and (wrong := misnamed(paths)):
        parser.error(
            f"--record files each run under its notebook's name, and {wrong} is no chapter's: "
            "copy the chapters keeping their names (cp chapters/05_*.ipynb /tmp/quick/) "
            "and run on the copies."
        )
    rows = []
    for path in paths:
        print(f"executing {path} ...", flush=True)
        record = execute(path, args.quick, args.timeout)
        rows.append((path.name, record))
        if args.record:
            keep_record(args.record, path, record)
        print(f"  {record['seconds']:.0f} s on {record['device']}", flush=True)
    print("\n| chapter | device | mode | seconds |\n| --- | --- | --- | --- |")
    for name, record in rows:
        mode = "quick" if record["quick"] else "full"
        print(f"| {name} | {record['device']} | {mode} | {record['seconds']:.0f} |")
    print(f"| total | | | {sum(r['seconds'] for _, r in rows):.0f} |")


if __name__ == "__main__":
    sys.exit(main())
