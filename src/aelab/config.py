"""Where and how the book runs: device, quick mode, data directory, seeds.

Three environment variables configure everything (read each time they are
needed, so a notebook or a test can change them on the fly):

* ``AELAB_DEVICE`` - ``cpu``, ``cuda``, ``cuda:N`` or ``mps``; unset means the
  best device present (CUDA, then Apple MPS, then CPU).
* ``AELAB_QUICK`` - ``1`` shrinks epochs and data so that every chapter runs in
  a few minutes on a laptop CPU (CI uses it); unset or ``0`` is full mode, which
  produces the numbers the book shows.
* ``AELAB_DATA`` - the directory that holds data sets; default a per-user cache.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch

from aelab import __version__

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def device() -> torch.device:
    """The device every chapter computes on: ``AELAB_DEVICE``, else cuda > mps > cpu."""
    wanted = os.environ.get("AELAB_DEVICE", "").strip().lower()
    if not wanted:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(wanted)
    except RuntimeError:
        dev = None
    if dev is None or dev.type not in {"cpu", "cuda", "mps"}:
        raise ValueError(
            f"AELAB_DEVICE={wanted!r} is not a device aelab knows. "
            "Use 'cpu', 'cuda', 'cuda:N' or 'mps', or unset it to choose automatically."
        )
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"AELAB_DEVICE={wanted!r} asks for a GPU, but this PyTorch sees no CUDA device. "
            "Unset AELAB_DEVICE, or install a CUDA build of PyTorch."
        )
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(
            f"AELAB_DEVICE={wanted!r}, but only {torch.cuda.device_count()} CUDA device(s) exist."
        )
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"AELAB_DEVICE={wanted!r}, but Apple's MPS backend is not available here.")
    return dev


def device_name(dev: torch.device | None = None) -> str:
    """A human-readable name: ``cuda (NVIDIA H100 80GB HBM3)``, ``mps`` or ``cpu``."""
    dev = dev or device()
    if dev.type == "cuda":
        return f"{dev.type} ({torch.cuda.get_device_name(dev)})"
    return dev.type


def quick_mode() -> bool:
    """True in quick mode (``AELAB_QUICK=1``): fewer epochs, less data."""
    value = os.environ.get("AELAB_QUICK", "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"AELAB_QUICK={value!r}: use 1 for quick mode or 0 (or unset) for full mode.")


def pick(full: T, quick: T) -> T:
    """Choose a setting by mode, e.g. ``epochs = pick(full=30, quick=1)``."""
    return quick if quick_mode() else full


def data_dir() -> Path:
    """Directory for data sets: ``AELAB_DATA``, else ``$XDG_CACHE_HOME/aelab`` (``~/.cache``)."""
    if os.environ.get("AELAB_DATA"):
        return Path(os.environ["AELAB_DATA"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "aelab"


def seed(value: int = 0) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a CPU generator seeded with the same value.

    The same seed gives the same numbers on the CPU. GPUs may differ in the last
    bits because some of their kernels sum in a non-deterministic order.
    """
    random.seed(value)
    np.random.seed(value)  # noqa: NPY002 - seeds the global RNG that np.random.* calls use
    torch.manual_seed(value)
    return torch.Generator().manual_seed(value)


def summary() -> str:
    """One line for the top of every chapter: version, device, mode."""
    mode = "quick mode" if quick_mode() else "full mode"
    return f"aelab {__version__} · device {device_name()} · {mode}"
