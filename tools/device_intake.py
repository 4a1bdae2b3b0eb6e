"""Take in what a GPU visit brought back: the benchmark's GPU rows and the full-mode chapters.

    python tools/device_intake.py FILES_AT           # what would be taken in, and what moves
    python tools/device_intake.py FILES_AT --write   # take it in; then read the prose, commit

``FILES_AT`` is the folder where the device tool puts the files of ``$OUT`` after
``tools/device_session.py`` (README, "GPU check"): ``gpu-check.json``,
``gpu-check.md`` and ``full-mode.tgz``. This script

1. prints the check's report and the benchmark's rows as the results table of
   ``benchmarks/README.md`` has them;
2. unpacks ``full-mode.tgz`` into a scratch folder, prints how each run ended,
   and for each chapter that came back says whether it may be taken in: only a
   full-mode run on a GPU whose code cells are those of the chapter in
   ``chapters/`` now (outputs of older cell text are never committed, a
   rehearsal's quick-mode runs never at all); for those, ``tools/glue_diff.py``
   lists the glued values that moved and the paragraphs that show them;
3. with ``--write``, puts the rows in ``benchmarks/README.md`` (in place of its
   "not measured" GPU row, else after its last GPU row), copies the chapters
   that may be taken in to ``chapters/``, and rebuilds what is made from them:
   the run-time table (``tools/run_times.py --write book/setup.md``), the Colab
   editions (``tools/colab.py``) and the results page (``tools/results_table.py
   --write``).

It cannot read the prose: the sentences glue_diff lists must be read again, and
the benchmark's paragraph above its table, before the commit.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import glue_diff  # noqa: E402  (a sibling file: tools/ is not a package)

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
BENCHMARKS = ROOT / "benchmarks" / "README.md"
NOT_MEASURED = "| any | GPU |"  # the row the first GPU rows replace
#: what is built from the chapters' outputs, run after they are copied in
REBUILD = [
    ["tools/run_times.py", "--write", "book/setup.md"],
    ["tools/colab.py"],
    ["tools/results_table.py", "--write"],
]


def benchmark_rows(check: dict) -> tuple[list[str], str]:
    """The benchmark of ``gpu-check.json`` as rows of benchmarks/README.md's results table,
    or no rows and why not."""
    bench = check.get("benchmark")
    if not bench:
        return [], "the check brought no benchmark"
    if check.get("tiny") or bench["device"].startswith("cpu"):
        kind = "tiny check" if check.get("tiny") else "check"
        return [], f"a {kind} on {bench['device']}: no GPU rows"
    command = f"`python tools/gpu_check.py` (`train_speed.py --epochs {bench['epochs']}`)"
    device = f"{bench['device']}, torch {bench['torch']}"
    rows = []
    for r in bench["results"]:
        rows.append(
            f"| {command} | {device} | {bench['threads']} | {r['model']} "
            f"| {r['conventional_median']:.2f} | {r['fit_median']:.2f} | {r['ratio']:.2f} |"
        )
        command = "same"
    return rows, ""


def place_rows(readme: str, rows: list[str]) -> str:
    """``readme`` with ``rows`` in place of its "not measured" GPU row, else after the last
    GPU row of its results table."""
    lines = readme.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(NOT_MEASURED):
            return "\n".join(lines[:i] + rows + lines[i + 1 :])
    gpu = [i for i, line in enumerate(lines) if line.startswith("|") and "| cuda (" in line]
    if not gpu:
        raise ValueError(
            f"{BENCHMARKS.name}: no row starting {NOT_MEASURED!r} and no GPU row to follow; "
            "add the rows by hand."
        )
    return "\n".join(lines[: gpu[-1] + 1] + rows + lines[gpu[-1] + 1 :])


def refusal(new: nbformat.NotebookNode, current: nbformat.NotebookNode) -> str:
    """Why the returned notebook ``new`` may not replace ``current``; "" if it may."""
    record = new.metadata.get("aelab")
    if not record:
        return "no run record: it did not run to its last cell"
    if record.get("quick"):
        return "a quick-mode run (a rehearsal): never committed"
    if str(record.get("device", "cpu")).startswith("cpu"):
        return f"ran on {record.get('device')}, not a GPU"
    new_code, current_code = (
        [c.source for c in nb.cells if c.cell_type == "code"] for nb in (new, current)
    )
    if new_code != current_code:
        changed = sum(a != b for a, b in zip(new_code, current_code, strict=False))
        changed += abs(len(new_code) - len(current_code))
        return f"{changed} code cell(s) differ from chapters/ now: its outputs are of older text"
    return ""


def review(files_at: Path, scratch: Path) -> list[Path]:
    """Print the report and what each returned chapter changed; return those to take in."""
    if (files_at / "gpu-check.md").exists():
        print((files_at / "gpu-check.md").read_text())
    archive = files_at / "full-mode.tgz"
    if not archive.exists():
        print("no full-mode.tgz: no chapters came back")
        return []
    with tarfile.open(archive) as tar:
        tar.extractall(scratch, filter="data")
    session = json.loads((scratch / "runs" / "session.json").read_text())
    print(f"wheels: {session['wheels']}; check: {session['check']}; mode: {session['mode']}")
    for name, run in session["runs"].items():
        print(f"  {name}: {run['status']} after {run['seconds']:.0f} s")
    if "skipped" in session:
        print(f"  {session['skipped']}")
    taken = []
    for path in sorted((scratch / "chapters").glob("*.ipynb")):
        current = CHAPTERS / path.name
        if not current.exists():
            print(f"\n=== {path.name}: refused: no such chapter in chapters/")
            continue
        returned = nbformat.read(path, as_version=4)
        if why := refusal(returned, nbformat.read(current, as_version=4)):
            print(f"\n=== {path.name}: refused: {why}")
            continue
        record = returned.metadata["aelab"]
        print(f"\n=== {path.name}: {record['seconds']:.0f} s on {record['device']}; it changes:")
        glue_diff.main([str(path), "--old", str(current)])
        taken.append(path)
    return taken


def write(taken: list[Path], rows: list[str]) -> None:
    """Put ``rows`` in benchmarks/README.md, copy ``taken`` into chapters/, rebuild the rest."""
    if rows:
        BENCHMARKS.write_text(place_rows(BENCHMARKS.read_text(encoding="utf-8"), rows))
        print(f"{BENCHMARKS.relative_to(ROOT)}: {len(rows)} GPU row(s) written")
    for path in taken:
        shutil.copy(path, CHAPTERS / path.name)
        print(f"chapters/{path.name}: taken in")
    if taken:
        for command in REBUILD:
            subprocess.run([sys.executable, *command], cwd=ROOT, check=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files_at", type=Path, help="the folder holding what $OUT brought back")
    parser.add_argument("--write", action="store_true", help="take it in")
    args = parser.parse_args(argv)
    if (
        not (args.files_at / "gpu-check.json").exists()
        and not (args.files_at / "full-mode.tgz").exists()
    ):
        parser.error(
            f"{args.files_at}: holds neither gpu-check.json nor full-mode.tgz; give the "
            "folder the device tool named as files_at."
        )
    check_file = args.files_at / "gpu-check.json"
    rows, why = ([], "no gpu-check.json")
    if check_file.exists():
        rows, why = benchmark_rows(json.loads(check_file.read_text()))
    with tempfile.TemporaryDirectory() as scratch:
        taken = review(args.files_at, Path(scratch))
        print("\nbenchmark rows:\n" + ("\n".join(rows) or f"none: {why}"))
        if args.write:
            write(taken, rows)
        else:
            print(f"\n{len(taken)} chapter(s) and {len(rows)} row(s) to take in: add --write")
    return 0


if __name__ == "__main__":
    sys.exit(main())
