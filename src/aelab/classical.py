"""Classical denoisers from scikit-image, each tuned fairly: the yardstick for learned ones.

A learned denoiser is tuned by training on example images; a classical one
has a few knobs. To compare them fairly, each classical method gets the same
advantage: its knobs are chosen on *training* images (a small grid, the
setting with the best mean PSNR wins) and then applied unchanged to the test
images. Methods that take the noise level as an argument are told the true
sigma, as the networks were trained at it.

The methods (``METHODS``): total-variation denoising (Chambolle), wavelet
shrinkage (BayesShrink or VisuShrink), non-local means and the bilateral filter.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from skimage import restoration

from aelab import noise

Params = dict[str, float | str]


def _tv(image: np.ndarray, weight: float) -> np.ndarray:
    return restoration.denoise_tv_chambolle(image, weight=weight)


def _wavelet(image: np.ndarray, method: str, sigma: float) -> np.ndarray:
    return restoration.denoise_wavelet(
        image, sigma=sigma, method=method, mode="soft", rescale_sigma=True
    )


def _nl_means(image: np.ndarray, h: float, sigma: float) -> np.ndarray:
    return restoration.denoise_nl_means(
        image, h=h, sigma=sigma, patch_size=5, patch_distance=6, fast_mode=True
    )


def _bilateral(image: np.ndarray, sigma_color: float, sigma_spatial: float) -> np.ndarray:
    return restoration.denoise_bilateral(
        image, sigma_color=sigma_color, sigma_spatial=sigma_spatial
    )


def _grid(**axes: Sequence) -> list[Params]:
    return [dict(zip(axes, values, strict=True)) for values in itertools.product(*axes.values())]


#: name -> (denoise(image, **params), grid(sigma) -> list of params to try)
METHODS: dict[str, tuple[Callable[..., np.ndarray], Callable[[float], list[Params]]]] = {
    "total variation": (
        _tv,
        lambda s: _grid(weight=[s * f for f in (0.3, 0.5, 0.7, 1.0, 1.4, 2.0)]),
    ),
    "wavelet": (
        _wavelet,
        lambda s: _grid(
            method=["BayesShrink", "VisuShrink"], sigma=[s * f for f in (0.5, 0.75, 1.0, 1.5)]
        ),
    ),
    "non-local means": (
        _nl_means,
        lambda s: _grid(h=[s * f for f in (0.5, 0.7, 0.85, 1.0, 1.2)], sigma=[s]),
    ),
    "bilateral": (
        _bilateral,
        lambda s: _grid(sigma_color=[0.05, 0.1, 0.15, 0.2, 0.3], sigma_spatial=[1.0, 2.0, 3.0]),
    ),
}


def apply(method: str, image: np.ndarray, params: Params) -> np.ndarray:
    """Denoise one grey-scale image (H, W) with ``method`` at ``params``; clipped to [0, 1]."""
    if method not in METHODS:
        raise ValueError(f"method={method!r}: choose one of {list(METHODS)}.")
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2:
        raise ValueError(f"classical denoisers here take one grey image (H, W), got {image.shape}.")
    return np.clip(METHODS[method][0](image, **params), 0, 1)


@dataclass
class Tuned:
    """A method's chosen parameters, its mean PSNR on the tuning images, and the whole grid."""

    method: str
    params: Params
    psnr: float
    grid: list[tuple[Params, float]]


def tune(
    method: str, noisy: Sequence[np.ndarray], clean: Sequence[np.ndarray], sigma: float
) -> Tuned:
    """Try ``method``'s grid for noise level ``sigma`` on (noisy, clean) tuning pairs.

    Returns the parameters with the highest mean PSNR over the pairs. Use
    training images here, never the test images.
    """
    if method not in METHODS:
        raise ValueError(f"method={method!r}: choose one of {list(METHODS)}.")
    if len(noisy) != len(clean) or not noisy:
        raise ValueError("give as many noisy as clean tuning images, at least one.")
    results = []
    for params in METHODS[method][1](sigma):
        scores = [
            noise.psnr(apply(method, n, params), c) for n, c in zip(noisy, clean, strict=True)
        ]
        results.append((params, float(np.mean(scores))))
    best = max(results, key=lambda r: r[1])
    return Tuned(method, best[0], best[1], results)
