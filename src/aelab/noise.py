"""Corruptions for denoising autoencoders, and PSNR, the denoising score.

A denoising autoencoder sees a corrupted input ``x_tilde ~ C(x_tilde | x)`` and
is trained to give back the clean ``x`` (Vincent et al., 2010). The three
classical corruptions are here, each a function ``corrupt(x, level, generator)``
of a batch of images with values in [0, 1]:

* ``gaussian``: add N(0, sigma^2) to every pixel (``level`` = sigma);
* ``masking``: set a random fraction ``level`` of the pixels to 0, the
  "dropout on the input layer" view of the DAE;
* ``salt_and_pepper``: set a random fraction ``level`` of the pixels to 0 or 1,
  each with probability one half.

``denoising_loss`` turns a corruption into a training loss for ``ae.fit``;
``psnr`` measures a denoised image against the clean one in decibels.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from aelab import _rng, losses

if TYPE_CHECKING:
    from aelab.train import Loss

Corruption = Callable[[torch.Tensor, float, torch.Generator | None], torch.Tensor]


def _check_fraction(level: float, name: str) -> None:
    if isinstance(level, bool) or not isinstance(level, int | float):
        raise TypeError(f"{name}: level={level!r} is a fraction of the pixels; give a number.")
    if not 0 <= level <= 1:  # also False for NaN
        raise ValueError(
            f"{name}: level={level!r} is a fraction of the pixels; use a level in [0, 1]."
        )


def gaussian(
    x: torch.Tensor, level: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``x`` plus independent N(0, level^2) noise on every pixel (not clipped: zero mean)."""
    if isinstance(level, bool) or not isinstance(level, int | float):
        raise TypeError(f"gaussian: level={level!r} is a standard deviation; give a number.")
    if not 0 <= level < math.inf:  # also False for NaN, which would make every pixel NaN
        raise ValueError(
            f"gaussian: level={level!r} is a standard deviation; use a finite level >= 0."
        )
    noise = _rng.randn(x.shape, generator, x.device, x.dtype)
    return x + level * noise


def masking(
    x: torch.Tensor, level: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``x`` with a random fraction ``level`` of its pixels set to 0 (each pixel independently)."""
    _check_fraction(level, "masking")
    keep = _rng.rand(x.shape, generator, x.device) >= level
    return x * keep


def salt_and_pepper(
    x: torch.Tensor, level: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``x`` with a random fraction ``level`` of its pixels set to 0 or 1 (half each)."""
    _check_fraction(level, "salt_and_pepper")
    u = _rng.rand(x.shape, generator, x.device)
    salt = _rng.rand(x.shape, generator, x.device) < 0.5
    hit = u < level
    return torch.where(hit, salt.to(x.dtype), x)


#: The corruptions by name, for loops over noise types.
CORRUPTIONS: dict[str, Corruption] = {
    "gaussian": gaussian,
    "masking": masking,
    "salt and pepper": salt_and_pepper,
}


def denoising_loss(corrupt: Corruption | str, level: float) -> Loss:
    """A loss for ``ae.fit``: squared error per image between ``model(corrupt(x))`` and ``x``.

    A fresh corruption is drawn at every step (from PyTorch's global generator,
    which ``ae.config.seed`` seeds), so the model never sees the same noisy
    version twice. ``level=0`` is the plain autoencoder's loss.
    """
    if isinstance(corrupt, str):
        if corrupt not in CORRUPTIONS:
            raise ValueError(f"corrupt={corrupt!r}: choose one of {list(CORRUPTIONS)}.")
        corrupt = CORRUPTIONS[corrupt]

    def loss(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        return losses.squared_error(model(corrupt(x, level, None)), x).mean()

    return loss


def _check_psnr_scale(a: torch.Tensor, b: torch.Tensor, data_range: float) -> None:
    """Refuse what gives a PSNR without meaning: 0-255 against 0-1 images, a wrong data_range."""
    if not isinstance(data_range, int | float) or not 0 < data_range < math.inf:
        raise ValueError(f"psnr: data_range={data_range!r}; give the positive range, e.g. 1.0.")
    integer = [not t.is_floating_point() for t in (a, b)]
    if integer[0] != integer[1]:
        kinds = ", ".join(f"{name} is {t.dtype}" for name, t in (("estimate", a), ("clean", b)))
        raise TypeError(
            f"psnr: {kinds}. 8-bit images count 0..255 and float images usually 0..1, so the "
            "error between them means nothing: convert the 8-bit one with x.float() / 255."
        )
    if all(integer) and data_range == 1.0:
        raise ValueError(
            "psnr: both images are integers (0..255) but data_range=1.0: "
            "pass data_range=255, or convert both with x.float() / 255."
        )


def psnr(
    estimate: torch.Tensor | np.ndarray, clean: torch.Tensor | np.ndarray, data_range: float = 1.0
) -> float:
    """Peak signal-to-noise ratio ``10 log10(data_range^2 / MSE)`` in dB, over all pixels.

    Agrees with ``skimage.metrics.peak_signal_noise_ratio`` given the same
    ``data_range``. Higher is better; halving the RMS error adds 6.02 dB.
    """
    # float64 on the CPU: Apple's MPS has no float64
    a, b = (torch.as_tensor(v).detach().cpu() for v in (estimate, clean))
    if a.shape != b.shape:
        raise ValueError(
            f"psnr: the images differ in shape, {tuple(a.shape)} and {tuple(b.shape)}."
        )
    _check_psnr_scale(a, b, data_range)
    mse = (a.double() - b.double()).square().mean().item()
    if mse == 0:
        return math.inf
    return 10 * math.log10(data_range**2 / mse)
