"""The first and last cells of every chapter (``ae.start()``, ``ae.claims()``,
``ae.finish()``) and ``ae.glue``.

``finish()`` prints how long the chapter ran and where. When the environment
variable ``AELAB_RUN_RECORD`` names a file (``tools/execute.py`` sets it), the
same record is written there as JSON, and the execution script stores it in
the notebook's metadata under ``"aelab"``, where the book shows it.

``glue(name, value)`` stores a number for the prose (``{glue:text}`name:.2f```). It
calls myst-nb's ``glue`` when myst-nb is installed (building the book) and otherwise
only keeps the value in ``GLUED``, so that a chapter runs where only ``aelab`` is
installed, e.g. on Colab.

``glue_seeds(name, per_seed)`` glues a quantity measured once per seed the way the
book reports it: the mean as ``name``, the sample standard deviation as ``name_std``
and, for a per-seed difference, on how many seeds it was above and below zero.
``mean_std(per_seed)`` writes the same ``"mean ± std"`` for a table cell that is not glued.

``stored_glue(notebook)`` reads the values a chapter glued back from its stored outputs:
the one reader of them for the tests, the Colab editions and the results page.

``claims(chapter)`` checks the chapter's claims (``aelab.published``) on the numbers
this run glued, against the goals for the mode it ran in, one line per claim. The
lines do not depend on the mode, so nbval compares a quick run's lines with the
stored full run's: a claim that fails in CI's quick run fails the build.
"""

from __future__ import annotations

import datetime
import json
import numbers
import os
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import torch

from aelab import config, plots
from aelab._version import __version__

_started: float | None = None
GLUED: dict[str, object] = {}


def start(seed: int = 0, threads: int | None = None) -> None:
    """Print the configuration, apply the plot style, seed everything, start the clock.

    ``threads=1`` makes PyTorch use one CPU thread when the chapter runs on the CPU:
    its models are small, and on a CPU one thread wastes less time waiting for the
    others at every little matrix product (far less on a busy machine). On a GPU
    the setting is left alone.
    """
    global _started
    if threads is not None:
        if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
            raise ValueError(
                f"threads={threads!r}: use a whole number >= 1, or None for torch's default."
            )
        if config.device().type == "cpu":
            torch.set_num_threads(threads)
    _started = time.perf_counter()
    plots.use_style()
    config.seed(seed)
    print(config.summary())


def glue(name: str, value: object, display: bool = False) -> None:
    """Keep ``value`` under ``name`` for the prose; through myst-nb when it is installed.

    A NumPy scalar (``np.mean`` returns one) is stored as the plain Python number, so
    that ``{glue:text}`name:.2f``` formats it instead of printing ``np.float64(...)``.
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"glue name {name!r}: use letters, digits and underscores, e.g. 'ch01_err'."
        )
    if isinstance(value, np.generic):  # np.float64(0.1) would reach the prose as its repr
        value = value.item()
    GLUED[name] = value
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=display)


def stored_glue(notebook: str | Path | Mapping, text: bool = False) -> dict[str, float | str]:
    """The values a notebook glued, read from its stored outputs (myst-nb's display data).

    ``notebook`` is a path or a notebook already read (nbformat's or plain JSON). A number
    comes back as a float, anything else as its text without quotes; ``text=True`` gives
    every value's stored ``text/plain`` as it is, which is what the book formats.
    """
    if isinstance(notebook, str | Path):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    values: dict[str, float | str] = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if not scrapbook:
                continue
            stored = output.get("data", {}).get(f"{scrapbook.get('mime_prefix', '')}text/plain")
            if stored is None:
                continue
            stored = "".join(stored) if isinstance(stored, list) else stored  # JSON may split it
            try:
                values[scrapbook["name"]] = stored if text else float(stored)
            except ValueError:
                values[scrapbook["name"]] = stored.strip("'\"")
    return values


def mean_std(per_seed: Iterable[float], digits: int = 2, signed: bool = False) -> str:
    """Format a quantity measured once per seed as ``"mean ± std"`` (sample std, ``ddof=1``).

    The book's one way of writing an error bar, for table cells that are not glued;
    ``glue_seeds`` returns the same text. ``signed=True`` writes the mean with its sign,
    for differences.
    """
    values = _per_seed(per_seed)
    mean = f"{values.mean():{'+' if signed else ''}.{digits}f}"
    return f"{mean} ± {values.std(ddof=1):.{digits}f}"


def each_seed(per_seed: Iterable[float], digits: int = 2, signed: bool = False) -> str:
    """Write each seed's value, two spaces apart: the "per seed" column next to an error bar.

    A mean ± std can hide one seed that went the other way; the values themselves show it.
    ``digits`` and ``signed`` mean what they mean in ``mean_std``.
    """
    return "  ".join(f"{v:{'+' if signed else ''}.{digits}f}" for v in _per_seed(per_seed))


def glue_seeds(name: str, per_seed: Iterable[float], signs: bool = False, digits: int = 2) -> str:
    """Glue a quantity measured once per seed; return it as ``"mean ± std"`` for tables.

    The mean goes under ``name`` and the sample standard deviation (``ddof=1``) under
    ``name_std``, the book's convention for error bars. With ``signs=True`` (a
    per-seed difference, e.g. one model's error minus another's) it also glues on how
    many seeds the difference was above zero (``name_positive``) and below zero
    (``name_negative``): a small mean gap is only convincing when its sign holds seed
    by seed, and the prose says so with these counts.
    """
    values = _per_seed(per_seed)
    glue(name, float(values.mean()))
    glue(f"{name}_std", float(values.std(ddof=1)))
    if signs:
        glue(f"{name}_positive", int((values > 0).sum()))
        glue(f"{name}_negative", int((values < 0).sum()))
    return mean_std(values, digits, signed=signs)


def _per_seed(per_seed: Iterable[float]) -> np.ndarray:
    values = np.array([float(v) for v in per_seed])  # float() also takes device scalars
    if len(values) < 2 or not np.isfinite(values).all():
        raise ValueError(
            f"per_seed={values.tolist()}: give one finite value per seed, at least two "
            "(a standard deviation needs two seeds; N_SEEDS is in the chapter's budget)."
        )
    return values


def claims(chapter: str) -> bool:
    """Print whether this run reproduced each claim of ``chapter``; True if it did all.

    ``chapter`` is the notebook's stem, e.g. ``"02_undercomplete_and_pca"``. Each claim is
    checked on the values glued so far, against its quick-mode goal in quick mode and
    its full-mode goal otherwise; a missed claim says which number missed and by what.
    """
    from aelab import goals, published

    if chapter not in published.CHAPTERS:
        raise ValueError(
            f"chapter={chapter!r}: use the notebook's file name without .ipynb, one of "
            f"{sorted(published.CHAPTERS)}."
        )
    values = {k: float(v) for k, v in GLUED.items() if _is_number(v)}
    quick = config.quick_mode()
    all_met = True
    for q in published.CHAPTERS[chapter]:
        if not q.claim:
            continue
        why = goals.misses(q, values, quick)
        all_met &= why is None
        print(f"✅ {q.claim}" if why is None else f"❌ {q.claim}: {why}")
    return all_met


def _is_number(value: object) -> bool:
    """A glued value a goal can be checked on: a real number or a one-element tensor."""
    if isinstance(value, torch.Tensor):
        return value.numel() == 1 and not value.is_complex()
    return isinstance(value, numbers.Real)


def finish() -> None:
    """Print and record the chapter's run time, device and mode."""
    if _started is None:
        raise RuntimeError("call ae.start() in the chapter's first cell before ae.finish().")
    seconds = time.perf_counter() - _started
    record = {
        "quick": config.quick_mode(),
        "device": config.device_name(),
        "seconds": round(seconds, 1),
        "date": datetime.date.today().isoformat(),
        "aelab_version": __version__,
    }
    mode = "quick mode" if record["quick"] else "full mode"
    print(f"This chapter ran in {seconds:.0f} s on {record['device']} ({mode}).")
    if target := os.environ.get("AELAB_RUN_RECORD"):
        Path(target).write_text(json.dumps(record))
