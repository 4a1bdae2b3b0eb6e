"""Looking into a latent space: traversals, interpolations, the manifold grid,
how well single coordinates track known factors, and how sharp generated images are.

Each function takes plain tensors (codes, images, a ``decode`` function), so it
works for any model with a decoder, not only ``aelab.vae.VAE``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from scipy.stats import rankdata
from torch.distributions import Normal

from aelab._arrays import as_numpy

Decode = Callable[[torch.Tensor], torch.Tensor]


def interpolate(z0: torch.Tensor, z1: torch.Tensor, steps: int) -> torch.Tensor:
    """``steps`` codes on the straight line from z0 to z1, both ends included: ``(steps, d)``."""
    if z0.shape != z1.shape or z0.dim() != 1:
        raise ValueError(
            f"z0 and z1 must be two codes of the same length, got {tuple(z0.shape)} and "
            f"{tuple(z1.shape)}."
        )
    if steps < 2:
        raise ValueError(f"steps={steps}: an interpolation needs at least its two ends.")
    t = torch.linspace(0, 1, steps, dtype=z0.dtype, device=z0.device).unsqueeze(1)
    return (1 - t) * z0 + t * z1


@torch.no_grad()
def traversal(
    decode: Decode, z: torch.Tensor, dims: Sequence[int], values: Sequence[float]
) -> torch.Tensor:
    """Decode z with one coordinate at a time set to each of ``values``.

    Returns ``(len(dims), len(values), ...)``: row i varies coordinate ``dims[i]``
    and keeps every other coordinate at its value in z (the latent traversal of
    Higgins et al. 2017).
    """
    if z.dim() != 1:
        raise ValueError(f"z must be one code of shape (d,), got {tuple(z.shape)}.")
    bad = [d for d in dims if not 0 <= d < len(z)]
    if bad:
        raise ValueError(f"dims {bad} do not exist in a {len(z)}-d code.")
    codes = z.repeat(len(dims), len(values), 1)
    for row, d in enumerate(dims):
        codes[row, :, d] = torch.as_tensor(values, dtype=z.dtype)
    images = decode(codes.reshape(-1, len(z)))
    return images.reshape(len(dims), len(values), *images.shape[1:])


def manifold_grid(n: int, quantile: float = 0.05) -> torch.Tensor:
    """An n x n grid of 2-d codes at evenly spaced quantiles of N(0, 1): ``(n * n, 2)``.

    Spacing by quantiles rather than by value (Kingma & Welling 2013, Fig. 4)
    gives every cell the same prior probability, so the grid covers where the
    prior puts its mass. Rows run from top (high z2) to bottom, columns left to
    right (increasing z1), as in a scatter plot of the codes.
    """
    if n < 2 or not 0 < quantile < 0.5:
        raise ValueError(f"n={n}, quantile={quantile}: need n >= 2 and 0 < quantile < 0.5.")
    z = Normal(0.0, 1.0).icdf(torch.linspace(quantile, 1 - quantile, n))
    z2, z1 = torch.meshgrid(z.flip(0), z, indexing="ij")
    return torch.stack([z1.flatten(), z2.flatten()], dim=1)


def factor_correlations(codes: torch.Tensor, factors: torch.Tensor) -> np.ndarray:
    """|Spearman rank correlation| of every code coordinate with every factor: ``(d, F)``.

    A rank correlation asks only that a coordinate grows (or shrinks) steadily
    with a factor, not that it does so on a straight line. The best coordinate
    for a factor is the column's argmax; its value near 1 means one coordinate
    alone tracks that factor.
    """
    if codes.dim() != 2 or factors.dim() != 2 or len(codes) != len(factors):
        raise ValueError(
            f"codes {tuple(codes.shape)} and factors {tuple(factors.shape)} must be (N, d) "
            "and (N, F) for the same N images."
        )
    if len(codes) < 3:
        raise ValueError("a correlation needs at least 3 images.")
    # Spearman's rho is Pearson's correlation of the ranks (ties get their mean rank)
    ranks = [rankdata(as_numpy(t), axis=0) for t in (codes, factors)]
    r_codes, r_factors = (r - r.mean(0) for r in ranks)
    norms = np.outer(np.linalg.norm(r_codes, axis=0), np.linalg.norm(r_factors, axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        rho = (r_codes.T @ r_factors) / norms
    return np.nan_to_num(np.abs(rho))  # a constant coordinate correlates with nothing


def sharpness(images: torch.Tensor) -> float:
    """The mean gradient magnitude of grey images, per pixel, averaged over the images.

    With forward differences dx, dy between neighbouring pixels,
    mean sqrt(dx^2 + dy^2) over the (H - 1) x (W - 1) positions of each image.
    Blur spreads an edge over several pixels and lowers it; crisp strokes raise it.
    Takes ``(N, H, W)``, ``(N, 1, H, W)`` or flat ``(N, H * W)`` square images.
    """
    x = images.detach().float()
    if x.dim() == 2:
        side = int(round(x.shape[1] ** 0.5))
        if side * side != x.shape[1]:
            raise ValueError(f"flat images of {x.shape[1]} pixels are not square: pass (N, H, W).")
        x = x.reshape(len(x), side, side)
    if x.dim() == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() != 3 or min(x.shape[1:]) < 2:
        raise ValueError(
            f"sharpness takes grey images (N, H, W), (N, 1, H, W) or (N, H * W), got "
            f"{tuple(images.shape)}."
        )
    dx = x[:, :-1, 1:] - x[:, :-1, :-1]
    dy = x[:, 1:, :-1] - x[:, :-1, :-1]
    return torch.sqrt(dx**2 + dy**2).mean().item()
