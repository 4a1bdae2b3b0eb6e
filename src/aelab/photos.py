"""Whole photographs: the offline ones and their loader, a split by image, random crops.

A denoiser trained on crops of an image and tested on other crops of the
*same* image has seen the test content; the honest test holds out whole
photographs. ``PHOTOGRAPHS`` lists every photograph that loads offline (all
ship with scikit-image and scikit-learn, so nothing is downloaded), and
``photograph`` loads one as grey values in [0, 1]; ``TRAIN`` and ``TEST`` split
them by image. Chapter 3 cuts its small patches from the same photographs
(``ae.patches``).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import torch

#: Real photographs that load with no network: scikit-image's ``data`` module
#: (names) and scikit-learn's ``load_sample_images`` (file names).
PHOTOGRAPHS = (
    "camera",
    "astronaut",
    "coffee",
    "chelsea",
    "brick",
    "grass",
    "gravel",
    "rocket",
    "coins",
    "moon",
    "clock",
    "china.jpg",
    "flower.jpg",
)

#: Offline images of other kinds (astronomy, microscopy, a retina scan): no model trains
#: or tunes on them, so they widen the denoisers' test set (``ae.photos.EXTRA_TEST``).
OTHER_IMAGES = ("hubble_deep_field", "immunohistochemistry", "retina")


@functools.cache
def photograph(name: str) -> np.ndarray:
    """One photograph as a grey-scale float64 array in [0, 1]."""
    from skimage import color, data
    from sklearn.datasets import load_sample_images

    if name.endswith(".jpg"):
        sample = load_sample_images()
        names = [path.rsplit("/", 1)[-1] for path in sample.filenames]
        if name not in names:
            raise ValueError(f"{name!r} is not one of scikit-learn's sample images {names}.")
        image = sample.images[names.index(name)]
    elif name in PHOTOGRAPHS or name in OTHER_IMAGES:
        image = getattr(data, name)()
    else:
        raise ValueError(
            f"{name!r} is not one of the photographs {PHOTOGRAPHS} or images {OTHER_IMAGES}."
        )
    image = np.asarray(image)
    if image.ndim == 3:
        image = color.rgb2gray(image[..., :3])
    elif image.dtype == np.uint8:
        image = image / 255.0
    return np.asarray(image, dtype=np.float64)


#: Held-out photographs: a portrait with fine texture (camera man), a cat, a still life.
TEST = ("camera", "chelsea", "coffee")
#: Every other photograph that loads offline: the denoisers train on crops of these.
TRAIN = tuple(name for name in PHOTOGRAPHS if name not in TEST)
#: A wider test: offline images of other kinds that no denoiser trains or tunes on.
EXTRA_TEST = OTHER_IMAGES


def load(names: Sequence[str]) -> list[torch.Tensor]:
    """The photographs ``names`` as float32 tensors ``(1, H, W)`` with grey values in [0, 1]."""
    return [torch.from_numpy(photograph(name)).float()[None] for name in names]


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
