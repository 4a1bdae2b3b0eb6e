"""Where and how the book runs: device, quick mode, data directory, seeds.

Three environment variables configure everything (read each time they are
needed, so a notebook or a test can change them on the fly):

* ``AELAB_DEVICE`` - ``cpu``, ``cuda``, ``cuda:N`` or ``mps`` (checked by
  :func:`resolve_device`, like every ``device=`` argument); unset means the
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

from aelab import _checks
from aelab._version import __version__

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


_KNOWN = "'cpu', 'cuda', 'cuda:N' or 'mps'"


def device() -> torch.device:
    """The device every chapter computes on: ``AELAB_DEVICE``, else cuda > mps > cpu."""
    return _configured()


def _configured() -> torch.device:
    wanted = os.environ.get("AELAB_DEVICE", "").strip()
    if wanted:
        return resolve_device(wanted, argument="AELAB_DEVICE")
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def resolve_device(
    device: torch.device | str | None = None, argument: str = "device"
) -> torch.device:
    """Check a device a caller asked for and return it as a ``torch.device``.

    The one check behind every ``device=`` argument of aelab and behind
    ``AELAB_DEVICE``, so that a wrong device gives the same clear message
    wherever it is typed (instead of torch's ``AssertionError: Torch not
    compiled with CUDA enabled`` deep inside a training loop). ``None`` means
    :func:`device` (``AELAB_DEVICE``, else the best device present). ``argument``
    is the name the message uses for the setting.
    """
    if device is None:
        return _configured()
    shown = f"{argument}={device!r}"
    fix = f"unset {argument}" if argument.isupper() else f"leave {argument}=None"
    automatic = f"{fix} to choose automatically"
    if isinstance(device, str):
        try:
            dev = torch.device(device.strip().lower())
        except RuntimeError:
            dev = None
    elif isinstance(device, torch.device):
        dev = device
    else:
        raise TypeError(
            f"{shown} is of type {type(device).__name__}, not a device. "
            f"Use {_KNOWN} (a string or a torch.device), or {automatic}."
        )
    if dev is None or dev.type not in {"cpu", "cuda", "mps"}:
        raise ValueError(f"{shown} is not a device aelab knows. Use {_KNOWN}, or {automatic}.")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(
            f"{shown} asks for a GPU, but this PyTorch sees no CUDA device. Use 'cpu', "
            f"or {automatic}, or install a CUDA build of PyTorch on a machine with a GPU."
        )
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(
            f"{shown}, but only {torch.cuda.device_count()} CUDA device(s) exist here "
            f"(cuda:0 to cuda:{torch.cuda.device_count() - 1}). Use one of them, or {automatic}."
        )
    if dev.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(
            f"{shown}, but Apple's MPS backend is not available here (it needs a Mac with "
            f"Apple silicon and a PyTorch built for it). Use 'cpu', or {automatic}."
        )
    return dev


def device_name(dev: torch.device | str | None = None) -> str:
    """A human-readable name: ``cuda (NVIDIA H100 80GB HBM3)``, ``mps`` or
    ``cpu (AMD EPYC 7B13 64-Core Processor)``.

    A CPU is named by its model where the system says it (``/proc/cpuinfo``): the same
    seed gives other numbers on another kind of processor (``book/setup.md``), so a
    run record that names it says which numbers to expect.
    """
    dev = resolve_device(dev, argument="dev")
    if dev.type == "cuda":
        return f"{dev.type} ({torch.cuda.get_device_name(dev)})"
    if dev.type == "cpu" and (model := cpu_model()):
        return f"cpu ({model})"
    return dev.type


def cpu_model() -> str:
    """The processor's model from ``/proc/cpuinfo`` (Linux), without (R) and (TM); else ""."""
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in lines:
        if line.startswith("model name") and ":" in line:
            model = line.split(":", 1)[1].replace("(R)", "").replace("(TM)", "")
            return " ".join(model.split())
    return ""


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
        path = Path(os.environ["AELAB_DATA"]).expanduser()
        if path.exists() and not path.is_dir():
            raise NotADirectoryError(
                f"AELAB_DATA={os.environ['AELAB_DATA']!r} is a file, not a folder. Point "
                "AELAB_DATA at a directory (data sets go in subfolders of it, e.g. MNIST/raw/), "
                "or unset it to use the per-user cache."
            )
        return path
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "aelab"


def seed(value: int = 0) -> torch.Generator:
    """Seed Python, NumPy and PyTorch; return a CPU generator seeded with the same value.

    The same seed gives the same numbers on the CPU. GPUs may differ in the last
    bits because some of their kernels sum in a non-deterministic order.
    """
    _checks.whole_number(value, "value", minimum=0, maximum=2**32 - 1)  # what NumPy accepts
    random.seed(value)
    np.random.seed(value)  # noqa: NPY002 - seeds the global RNG that np.random.* calls use
    torch.manual_seed(value)
    return torch.Generator().manual_seed(value)


def summary() -> str:
    """One line for the top of every chapter: version, device, mode."""
    mode = "quick mode" if quick_mode() else "full mode"
    return f"aelab {__version__} · device {device_name()} · {mode}"
