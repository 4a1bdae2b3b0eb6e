"""MNIST from the four original IDX files, verified, on the device.

``mnist()`` looks for the files in ``<data_dir>/MNIST/raw/`` (plain or ``.gz``,
the layout torchvision uses too). Missing files are downloaded from public
mirrors with a progress bar. Every file is checked against the MD5 of its
*uncompressed* content, so a truncated download or a damaged copy raises a
clear error instead of becoming a silently wrong array.
"""

from __future__ import annotations

import gzip
import hashlib
import shutil
import urllib.request
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont
from tqdm.auto import tqdm

from aelab import _checks, _rng, config

#: Mirrors tried in order; each serves ``<name>.gz`` for the four names below.
MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

#: File name -> MD5 of the uncompressed content (the canonical values).
MNIST_FILES = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


class DataError(RuntimeError):
    """A data set is missing, corrupt, or cannot be downloaded."""


@dataclass(frozen=True)
class Split:
    """Images ``x`` (float32 in [0, 1]) and integer labels ``y`` of one split."""

    x: torch.Tensor
    y: torch.Tensor

    def __len__(self) -> int:
        return len(self.x)


@dataclass(frozen=True)
class MNIST:
    """The training, test and (optional) validation splits."""

    train: Split
    test: Split
    val: Split | None = None


def mnist(
    *,
    flat: bool = True,
    validation: int = 0,
    n_train: int | None = None,
    device: torch.device | str | None = None,
    download: bool = True,
) -> MNIST:
    """Load MNIST onto ``device`` (default: ``config.device()``).

    Args:
        flat: images as ``(N, 784)`` rows (True) or ``(N, 1, 28, 28)`` (False).
        validation: hold out the *last* this many of the 60,000 training images
            as ``.val`` (0: no validation split).
        n_train: keep only the first this many remaining training images
            (quick mode uses it; None keeps all).
        download: fetch missing files from the mirrors; False raises instead.
    """
    _checks.whole_number(validation, "validation", minimum=0, maximum=59_999)
    if n_train is not None:
        _checks.whole_number(n_train, "n_train", minimum=1, maximum=60_000 - validation)
    dev = config.resolve_device(device)
    folder = config.data_dir() / "MNIST" / "raw"
    arrays = {name: read_idx(find_or_download(name, folder, download)) for name in MNIST_FILES}

    def split(images: np.ndarray, labels: np.ndarray) -> Split:
        x = torch.from_numpy(images).to(dev, torch.float32).div_(255.0)
        x = x.reshape(len(x), 784) if flat else x.reshape(len(x), 1, 28, 28)
        return Split(x, torch.from_numpy(labels.astype(np.int64)).to(dev))

    images, labels = arrays["train-images-idx3-ubyte"], arrays["train-labels-idx1-ubyte"]
    n_fit = 60_000 - validation
    val = split(images[n_fit:], labels[n_fit:]) if validation else None
    keep = n_train if n_train is not None else n_fit
    return MNIST(
        train=split(images[:keep], labels[:keep]),
        test=split(arrays["t10k-images-idx3-ubyte"], arrays["t10k-labels-idx1-ubyte"]),
        val=val,
    )


# --- binarisation: the one place where grey values become binary images ---------------------


def binarize_static(x: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """One fixed Bernoulli draw per pixel (the same binary images at every use).

    The draw of ``binarize_dynamic`` with a generator seeded ``seed`` on ``x``'s device.
    """
    return binarize_dynamic(x, torch.Generator(device=x.device).manual_seed(seed))


def binarize_dynamic(x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """A fresh Bernoulli draw per pixel at every call: call it inside the loss.

    ``generator=None`` draws from PyTorch's global generator of ``x``'s device, the
    same numbers as ``torch.bernoulli(x)``; the training losses that binarise
    (``vae.elbo_loss``, ``classifier.binarized_cross_entropy``,
    ``sampling.denoising_bce``) draw here.
    """
    return _rng.bernoulli(x, generator)


def glyphs(text: str, size: int = 28, device: torch.device | str | None = None) -> torch.Tensor:
    """Characters of ``text`` drawn white on black like MNIST digits: ``(len(text), size*size)``.

    Images that are *not* digits, made without a download: the book feeds them to
    models trained on MNIST to see what those models have learned about digits.
    """
    if not text:
        raise ValueError("text is empty: give at least one character to draw.")
    font = ImageFont.load_default(size=round(0.8 * size))
    images = []
    for char in text:
        image = Image.new("L", (size, size))
        ImageDraw.Draw(image).text((size / 2, size / 2), char, fill=255, font=font, anchor="mm")
        images.append(np.asarray(image, dtype=np.float32) / 255.0)
    dev = config.resolve_device(device)
    return torch.from_numpy(np.stack(images)).reshape(len(text), size * size).to(dev)


# --- the files -----------------------------------------------------------------


def find_or_download(name: str, folder: Path, download: bool = True) -> Path:
    """Path of ``name`` or ``name.gz`` in ``folder``, downloading it if allowed."""
    for candidate in (folder / name, folder / f"{name}.gz"):
        if candidate.exists():
            return candidate
    if not download:
        raise DataError(_missing_message(folder, f"{name}(.gz) is missing; download=False."))
    return _download(name, folder)


def read_idx(path: Path) -> np.ndarray:
    """Parse one of the four MNIST IDX files (plain or gzipped) after checking its MD5."""
    raw = _verified_bytes(path, path.name.removesuffix(".gz"))
    magic, ndim = int.from_bytes(raw[:4], "big"), raw[3]
    if magic >> 8 != 0x08:  # 0x08 = unsigned bytes, the only type MNIST uses
        raise DataError(f"{path}: not an unsigned-byte IDX file (magic number {magic:#x}).")
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape).copy()


def _verified_bytes(path: Path, name: str) -> bytes:
    """The uncompressed content of ``path``, which must be the MNIST file ``name``."""
    expected = MNIST_FILES.get(name)
    if expected is None:
        raise DataError(f"{path} is not one of the MNIST files {sorted(MNIST_FILES)}.")
    remedy = "Delete it and load again to download a fresh copy, or copy the original file there."
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":  # the gzip signature
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as err:
        raise DataError(f"{path} is corrupt or truncated ({err}). {remedy}") from err
    if hashlib.md5(raw).hexdigest() != expected:
        raise DataError(
            f"{path} is corrupt or truncated: the MD5 of its {len(raw)} uncompressed bytes "
            f"is not {expected}. {remedy}"
        )
    return raw


def _download(name: str, folder: Path) -> Path:
    """Fetch ``name.gz`` from the first mirror that serves the right content."""
    target, partial = folder / f"{name}.gz", folder / f"{name}.gz.part"
    failures = []
    for mirror in MIRRORS:
        url = f"{mirror}{name}.gz"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with urllib.request.urlopen(url, timeout=30) as response, partial.open("wb") as out:
                size = int(response.headers.get("Content-Length") or 0) or None
                with tqdm.wrapattr(response, "read", total=size, desc=f"{name}.gz") as src:
                    shutil.copyfileobj(src, out)
            _verified_bytes(partial, name)
        except (OSError, DataError) as err:  # URLError and timeouts are OSErrors
            failures.append(f"{url}: {err}")
            partial.unlink(missing_ok=True)
            continue
        return partial.replace(target)
    reason = f"{name}(.gz) is missing, and downloading it failed:\n  " + "\n  ".join(failures)
    raise DataError(_missing_message(folder, reason))


def _missing_message(folder: Path, reason: str) -> str:
    files = ", ".join(f"{name}.gz" for name in MNIST_FILES)
    return (
        f"MNIST is not in {folder} and could not be fetched. {reason}\n"
        f"Put the four original files ({files}) in that folder, or point the environment "
        "variable AELAB_DATA at a directory whose MNIST/raw/ subfolder holds them."
    )
