"""Whole photographs for image denoising: a train/test split by image, and random crops.

A denoiser trained on crops of an image and tested on other crops of the
*same* image has seen the test content; the honest test holds out whole
photographs. ``TRAIN`` and ``TEST`` split the photographs of
``ae.patches.PHOTOGRAPHS`` (all ship with scikit-image and scikit-learn, so
nothing is downloaded) and a few more from ``skimage.data``. Images are grey
values in [0, 1], loaded by ``ae.patches.photograph``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from aelab import patches

#: Held-out photographs: a portrait with fine texture (camera man), a cat, a still life.
TEST = ("camera", "chelsea", "coffee")
#: Every other photograph that loads offline: the denoisers train on crops of these.
TRAIN = tuple(name for name in patches.PHOTOGRAPHS if name not in TEST)
#: A wider test: offline images of other kinds that no denoiser trains or tunes on.
EXTRA_TEST = patches.OTHER_IMAGES


def load(names: Sequence[str]) -> list[torch.Tensor]:
    """The photographs ``names`` as float32 tensors ``(1, H, W)`` with grey values in [0, 1]."""
    return [torch.from_numpy(patches.photograph(name)).float()[None] for name in names]


def random_crops(
    images: Sequence[torch.Tensor], n: int, size: int, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``n`` random ``size`` x ``size`` crops ``(n, C, size, size)``, each from a random image.

    Images are drawn with probability proportional to their area, so every
    pixel of the training set is equally likely to be seen; the positions are
    uniform. Pass a seeded ``generator`` for reproducible crops.
    """
    if not images:
        raise ValueError("random_crops needs at least one image.")
    small = [tuple(im.shape[-2:]) for im in images if min(im.shape[-2:]) < size]
    if n < 1 or size < 1 or small:
        raise ValueError(
            f"n={n}, size={size}: need n >= 1 and images at least {size} px, got {small}."
        )
    areas = torch.tensor([float(im.shape[-1] * im.shape[-2]) for im in images])
    which = torch.multinomial(areas, n, replacement=True, generator=generator)
    out = []
    for i in which.tolist():
        h, w = images[i].shape[-2:]
        top = int(torch.randint(h - size + 1, (1,), generator=generator))
        left = int(torch.randint(w - size + 1, (1,), generator=generator))
        out.append(images[i][..., top : top + size, left : left + size])
    return torch.stack(out)


def center_crop(image: torch.Tensor | np.ndarray, size: int) -> torch.Tensor | np.ndarray:
    """The central ``size`` x ``size`` part of an image ``(..., H, W)`` (for figures)."""
    h, w = image.shape[-2:]
    if size > min(h, w):
        raise ValueError(f"size={size} is larger than the image, {h} x {w}.")
    top, left = (h - size) // 2, (w - size) // 2
    return image[..., top : top + size, left : left + size]
