"""Prove the book on whatever device aelab selects, in one command, with one report.

    python tools/gpu_check.py                       # the full check (`make gpu-check`)
    python tools/gpu_check.py --tiny --out /tmp/gc  # a few seconds' version, CI runs it on the CPU
    AELAB_DEVICE=cuda:1 python tools/gpu_check.py --out "$OUT"

Steps, each in a process group of its own with a time limit
(``tools/timed_run.py``), so that one hanging step cannot use up a GPU machine
lent for a few minutes:

1. ``unit tests``: the device-relevant unit tests (training loop, models,
   losses, corruptions, samplers, device safety) with ``AELAB_TEST_DEVICE`` set
   to the device, which ``tests/conftest.py`` hands every test as ``AELAB_DEVICE``;
2. ``chapter NN``: every chapter executed in quick mode (``AELAB_QUICK=1``) on
   the device by nbclient, in memory: the notebooks on disk are not touched;
3. ``benchmark``: ``benchmarks/train_speed.py`` for both models (conventional
   loop against ``ae.fit``, seconds per epoch);
4. ``fast path``: the CUDA fast path's equivalence test, on CUDA only. That
   fast path is not built yet (issue 21, item 3), so on CUDA this step says so.

The report goes to ``--out`` (default ``_build/gpu-check``): ``gpu-check.json``
(everything), ``gpu-check.md`` (a short table: device, torch and CUDA versions,
each step's result and time), ``benchmark.json`` and one log per step. The
exit status is 1 if a step failed or ran out of time. ``--tiny`` runs a few
unit tests, the first cells of chapter 1 and one epoch of the benchmark on 1,024
images; the full check is sized for 8 minutes on one H100-class GPU.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import ModuleType

import torch

import aelab as ae

sys.path.insert(0, str(Path(__file__).resolve().parent))
import timed_run  # noqa: E402  (a sibling file: tools/ is not a package)

ROOT = Path(__file__).resolve().parents[1]

#: unit tests whose code runs on the device (the others test files, text and plots)
UNIT_TESTS = [
    "tests/test_train.py",
    "tests/test_models.py",
    "tests/test_losses.py",
    "tests/test_noise.py",
    "tests/test_sampling.py",
    "tests/test_vae.py",
    "tests/test_conv.py",
    "tests/test_unet.py",
    "tests/test_classifier.py",
    "tests/test_stacked.py",
    "tests/test_sparsity.py",
    "tests/test_noise2noise.py",
    "tests/test_device_safety.py",
]
TINY_UNIT_TESTS = ["tests/test_device_safety.py::test_a_training_step_runs_on_the_meta_device"]
TINY_CELLS = 3  # --tiny: the setup cell and the two after it of chapter 1


@dataclass
class Step:
    name: str
    status: str  # passed, failed, timeout, skipped or "not built yet"
    seconds: float
    detail: str = ""


def run_step(name: str, command: list[str], timeout: float, log: Path, env: dict) -> Step:
    """Run ``command`` in the repository root; its output goes to ``log``."""
    return _step(name, timed_run.run(command, log, env, timeout), log)


def _step(name: str, run: dict, log: Path) -> Step:
    """A :class:`Step` from ``timed_run``'s result; its detail is the log's last line."""
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    lines = [line for line in lines if "WARNING" not in line]
    return Step(name, run["status"], run["seconds"], lines[-1][:200] if lines else "")


def execute_notebook(path: Path, cells: int | None, timeout: int) -> None:
    """Execute ``path`` (its first ``cells`` code cells, or all) in a fresh kernel, in memory.

    Imported here, not at the top: without the Jupyter stack the unit tests and the
    benchmark still run, and only the chapters fail.
    """
    import nbformat
    from execute import run_cells  # tools/execute.py, the one place that starts a kernel

    notebook = nbformat.read(path, as_version=4)
    if cells is not None:
        code = [i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
        notebook.cells = notebook.cells[: code[min(cells, len(code)) - 1] + 1]
    run_cells(notebook, path.parent, timeout, widgets=False)


def environment(device: torch.device) -> dict:
    return {
        "device": str(device),
        "device_name": ae.config.device_name(device),
        "torch": torch.__version__,
        "cuda": torch.version.cuda or "none",
        "python": platform.python_version(),
        "machine": platform.machine(),
    }


def check(args: argparse.Namespace) -> dict:
    device = ae.config.resolve_device(args.device, argument="--device")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    env = os.environ | {"AELAB_DEVICE": str(device), "AELAB_TEST_DEVICE": str(device)}
    env |= {"PYTHONUNBUFFERED": "1", "AELAB_RUN_RECORD": ""}
    python, started = sys.executable, time.perf_counter()
    steps: list[Step] = []

    tests = TINY_UNIT_TESTS if args.tiny else UNIT_TESTS
    steps.append(
        run_step(
            "unit tests",
            [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests],
            60 if args.tiny else 75,
            out / "tests.log",
            env,
        )
    )

    # execute.chapter_notebooks' rule, written out: importing tools/execute.py needs the
    # Jupyter stack, and the unit tests and the benchmark must run without it
    chapters = sorted((ROOT / "chapters").glob("[0-9]*.ipynb"))[: 1 if args.tiny else None]
    cells = ["--cells", str(TINY_CELLS)] if args.tiny else []
    quick = env | {"AELAB_QUICK": "1"}
    commands = {
        f"chapter-{path.name[:2]}": [python, __file__, "--notebook", str(path), *cells]
        for path in chapters
    }  # the kernels share the GPU, args.jobs at once
    runs = timed_run.run_all(commands, out, quick, timeout=args.chapter_timeout, jobs=args.jobs)
    steps += [_step(name.replace("-", " "), run, out / f"{name}.log") for name, run in runs.items()]
    _merge_chapter_logs(out, chapters)

    speed = ["--n-train", "1024", "--epochs", "1"] if args.tiny else ["--epochs", "3"]
    bench = [python, "benchmarks/train_speed.py", *speed, "--json", str(out / "benchmark.json")]
    benchmark = run_step("benchmark", bench, 60 if args.tiny else 100, out / "benchmark.log", env)
    if benchmark.status == "passed":
        benchmark.detail = "seconds per epoch: the table below"
    steps.append(benchmark)

    if device.type == "cuda":
        steps.append(Step("fast path", "not built yet", 0.0, "issue 21 item 3: no CUDA fast path"))
    else:
        steps.append(Step("fast path", "skipped", 0.0, f"no CUDA ({device.type})"))

    report = environment(device) | {
        "tiny": args.tiny,
        "seconds": time.perf_counter() - started,
        "steps": [asdict(s) for s in steps],
    }
    bench_file = out / "benchmark.json"
    if bench_file.exists():
        report["benchmark"] = json.loads(bench_file.read_text())
    (out / "gpu-check.json").write_text(json.dumps(report, indent=2) + "\n")
    (out / "gpu-check.md").write_text(markdown(report) + "\n")
    return report


def _merge_chapter_logs(out: Path, chapters: list[Path]) -> None:
    """One ``chapters.log`` instead of nine files (a GPU machine sends back at most 8 files)."""
    parts = []
    for path in chapters:
        log = out / f"chapter-{path.name[:2]}.log"
        if log.exists():
            parts.append(f"==== {path.name}\n{log.read_text()}")
            log.unlink()
    (out / "chapters.log").write_text("\n".join(parts))


def markdown(report: dict) -> str:
    """The report as a short Markdown table, with the device and versions above it."""
    lines = [
        f"**{report['device_name']}** · torch {report['torch']} · CUDA {report['cuda']} · "
        f"Python {report['python']} · {'tiny' if report['tiny'] else 'full'} check, "
        f"{report['seconds']:.0f} s in all",
        "",
        "| step | result | seconds | detail |",
        "| --- | --- | ---: | --- |",
    ]
    for s in report["steps"]:
        detail = s["detail"].replace("|", "/")
        lines.append(f"| {s['name']} | {s['status']} | {s['seconds']:.1f} | {detail} |")
    if "benchmark" in report:  # the benchmark's own table, as benchmarks/README.md shows it
        lines += ["", _train_speed().markdown(report["benchmark"])]
    return "\n".join(lines)


def _train_speed() -> ModuleType:
    """``benchmarks/train_speed.py`` as a module (the folder is no package)."""
    spec = importlib.util.spec_from_file_location(
        "train_speed", ROOT / "benchmarks" / "train_speed.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiny", action="store_true", help="the few-seconds version (CI)")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "gpu-check")
    parser.add_argument("--device", default=None, help="default: AELAB_DEVICE, else the best")
    parser.add_argument("--jobs", type=int, default=None, help="chapters run at once")
    parser.add_argument("--chapter-timeout", type=int, default=None, help="seconds per chapter")
    parser.add_argument("--notebook", type=Path, help=argparse.SUPPRESS)  # one chapter (internal)
    parser.add_argument("--cells", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.notebook is not None:
        execute_notebook(args.notebook, args.cells, timeout=600)
        return 0
    gpu = ae.config.resolve_device(args.device, argument="--device").type != "cpu"
    # Full check on a GPU: 75 s of tests, two rounds of 5 chapters at most 120 s each, 100 s of
    # benchmark: under 7 minutes at worst, so that 8 minutes hold the machine's start-up too.
    args.jobs = args.jobs or (5 if gpu else 1)
    args.chapter_timeout = args.chapter_timeout or (60 if args.tiny else 120)
    report = check(args)
    print((args.out / "gpu-check.md").read_text(), end="")
    return (
        0
        if all(s["status"] in {"passed", "skipped", "not built yet"} for s in report["steps"])
        else 1
    )


if __name__ == "__main__":
    sys.exit(main())
