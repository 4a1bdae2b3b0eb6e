"""The first and last cell of every chapter: ``ae.start()`` and ``ae.finish()``.

``finish()`` prints how long the chapter ran and where. When the environment
variable ``AELAB_RUN_RECORD`` names a file (``tools/execute.py`` sets it), the
same record is written there as JSON, and the execution script stores it in
the notebook's metadata under ``"aelab"``, where the book shows it.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from pathlib import Path

from aelab import __version__, config, plots

_started: float | None = None


def start(seed: int = 0) -> None:
    """Print the configuration, apply the plot style, seed everything, start the clock."""
    global _started
    _started = time.perf_counter()
    plots.use_style()
    config.seed(seed)
    print(config.summary())


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
