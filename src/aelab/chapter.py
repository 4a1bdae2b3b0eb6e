"""The first and last cell of every chapter (``ae.start()``, ``ae.finish()``) and ``ae.glue``.

``finish()`` prints how long the chapter ran and where. When the environment
variable ``AELAB_RUN_RECORD`` names a file (``tools/execute.py`` sets it), the
same record is written there as JSON, and the execution script stores it in
the notebook's metadata under ``"aelab"``, where the book shows it.

``glue(name, value)`` stores a number for the prose (``{glue:text}`name:.2f```). It
calls myst-nb's ``glue`` when myst-nb is installed (building the book) and otherwise
only keeps the value in ``GLUED``, so that a chapter runs where only ``aelab`` is
installed, e.g. on Colab.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from pathlib import Path

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
    """Keep ``value`` under ``name`` for the prose; through myst-nb when it is installed."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"glue name {name!r}: use letters, digits and underscores, e.g. 'ch01_err'."
        )
    GLUED[name] = value
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, value, display=display)


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
