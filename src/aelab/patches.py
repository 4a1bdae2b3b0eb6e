"""Small patches of real photographs, prepared as in Ng's sparse autoencoder notes.

The photographs ship with scikit-image and scikit-learn, so nothing is
downloaded: ``ae.photos.PHOTOGRAPHS`` lists them and ``ae.photos.photograph``
loads one (chapter 3 reads both through this module). ``natural_patches``
samples square patches from them (seeded) and prepares them in two steps:

1. *whitening* of each photograph (optional, on by default): its amplitude
   spectrum, which falls roughly like 1/f in natural images, is flattened by
   Olshausen and Field's filter ``f * exp(-(f/f0)^4)``. The images of Ng's
   exercise were whitened this way; without it the strong low frequencies
   dominate and the learned filters come out as smooth blobs.
2. Ng's *normalisation* of each patch set (``ng_normalise``): remove every
   patch's own mean, clip at three standard deviations (of all pixels of all
   patches), and rescale linearly from [-3 sigma, 3 sigma] to [0.1, 0.9], the
   range a sigmoid output layer can reach.
"""

from __future__ import annotations

import functools

import numpy as np
import torch

from aelab import config

# Chapter 3 reads the photographs as patches.PHOTOGRAPHS and patches.photograph(name);
# they live in photos, with the other photographs.
from aelab.photos import PHOTOGRAPHS, photograph


def whiten(image: np.ndarray, cutoff: float = 0.4) -> np.ndarray:
    """Flatten the 1/f spectrum of ``image``; return it scaled to unit variance.

    Multiplies the Fourier transform by ``f * exp(-(f / f0)^4)``, with f the
    radial frequency in cycles per pixel and ``f0 = cutoff * 0.5`` (a fraction of
    the Nyquist frequency): the ramp f undoes the 1/f fall-off, the exponential
    removes the highest frequencies, where noise and aliasing live
    (Olshausen and Field, 1997).
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"whiten takes one grey-scale image (H, W), got shape {image.shape}.")
    fy = np.fft.fftfreq(image.shape[0])[:, None]
    fx = np.fft.fftfreq(image.shape[1])[None, :]
    f = np.hypot(fx, fy)
    gain = f * np.exp(-((f / (cutoff * 0.5)) ** 4))
    out = np.real(np.fft.ifft2(np.fft.fft2(image - image.mean()) * gain))
    return out / out.std()


@functools.cache
def _prepared(name: str, whitened: bool) -> np.ndarray:
    image = photograph(name)
    return whiten(image) if whitened else image


def sample_patches(
    n: int,
    size: int = 8,
    seed: int = 0,
    names: tuple[str, ...] = PHOTOGRAPHS,
    whitened: bool = True,
) -> np.ndarray:
    """``n`` random ``size`` x ``size`` patches as rows ``(n, size*size)``, raw (not normalised).

    Each patch comes from a photograph drawn uniformly from ``names``, at a
    uniformly drawn position; the same ``seed`` gives the same patches.
    """
    if n < 1 or size < 2:
        raise ValueError(f"n={n}, size={size}: ask for at least one patch of at least 2 x 2.")
    rng = np.random.default_rng(seed)
    images = [_prepared(name, whitened) for name in names]
    which = rng.integers(len(images), size=n)
    out = np.empty((n, size, size))
    for i, image in enumerate(images):
        rows = np.flatnonzero(which == i)
        if len(rows) == 0:
            continue
        top = rng.integers(image.shape[0] - size + 1, size=len(rows))
        left = rng.integers(image.shape[1] - size + 1, size=len(rows))
        window = np.lib.stride_tricks.sliding_window_view(image, (size, size))
        out[rows] = window[top, left]
    return out.reshape(n, size * size)


def ng_normalise(patches: np.ndarray, clip: float = 3.0) -> np.ndarray:
    """Ng's normalisation: remove each patch's mean, clip at ``clip`` sigma, map to [0.1, 0.9]."""
    p = np.asarray(patches, dtype=np.float64)
    p = p - p.mean(axis=1, keepdims=True)
    limit = clip * p.std()
    if limit == 0:
        raise ValueError("the patches are constant: there is nothing to normalise.")
    p = np.clip(p, -limit, limit) / limit
    return (p + 1) * 0.4 + 0.1


def natural_patches(
    n: int,
    size: int = 8,
    seed: int = 0,
    whitened: bool = True,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """``n`` patches, whitened (optionally) and normalised as Ng describes, as a float32 tensor.

    Rows of ``size*size`` values in [0.1, 0.9], on ``device`` (default
    ``ae.config.device()``).
    """
    patches = ng_normalise(sample_patches(n, size, seed, whitened=whitened))
    dev = config.resolve_device(device)
    return torch.from_numpy(patches).to(dev, torch.float32)
