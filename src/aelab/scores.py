"""What a denoising autoencoder learns about the data: the score of a 2-D toy density.

Alain and Bengio (2014) showed that the reconstruction function r of a DAE
trained with small Gaussian noise sigma satisfies

    r(x) - x  ~  sigma^2 * grad log p(x),

so the vector field r(x) - x points uphill on the data density: towards the
data. For a finite sigma the optimal denoiser is exactly ``E[x | x_tilde]``, and
Tweedie's formula gives ``E[x | x_tilde] = x_tilde + sigma^2 grad log p_sigma(x_tilde)``
with ``p_sigma`` the density *after* adding the noise. Both scores are known in
closed form for a mixture of Gaussians, the toy density here: components
N(mu_k, s^2 I) smoothed by N(0, sigma^2 I) become N(mu_k, (s^2 + sigma^2) I).
"""

from __future__ import annotations

import math

import torch
from torch.distributions import Categorical, Independent, MixtureSameFamily, Normal


def ring_mixture(
    n_modes: int = 8, radius: float = 1.0, std: float = 0.1, smoothing: float = 0.0
) -> MixtureSameFamily:
    """Equal-weight Gaussians N(mu_k, std^2 I) with means evenly spaced on a circle.

    ``smoothing`` > 0 gives the density of ``x + smoothing * noise`` instead,
    i.e. every component's variance grows by ``smoothing^2``.
    """
    if n_modes < 1 or radius < 0 or std <= 0 or smoothing < 0:
        raise ValueError(
            f"n_modes={n_modes}, radius={radius}, std={std}, smoothing={smoothing}: "
            "need n_modes >= 1, radius >= 0, std > 0, smoothing >= 0."
        )
    angles = torch.arange(n_modes, dtype=torch.float64) * 2 * math.pi / n_modes
    means = radius * torch.stack([angles.cos(), angles.sin()], dim=1)
    scale = math.sqrt(std**2 + smoothing**2)
    return MixtureSameFamily(
        Categorical(probs=torch.full((n_modes,), 1.0 / n_modes, dtype=torch.float64)),
        Independent(Normal(means, torch.full_like(means, scale)), 1),
    )


def score(density: torch.distributions.Distribution, x: torch.Tensor) -> torch.Tensor:
    """grad_x log p(x) for every row of ``x`` ``(N, D)``, by automatic differentiation."""
    x = x.detach().cpu().to(torch.float64).requires_grad_(True)  # where the density lives
    (grad,) = torch.autograd.grad(density.log_prob(x).sum(), x)
    return grad


def cosine(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Cosine of the angle between corresponding rows of ``u`` and ``v`` ``(N, D)``."""
    if u.shape != v.shape or u.ndim != 2:
        raise ValueError(f"cosine needs two (N, D) arrays of one shape, got {u.shape}, {v.shape}.")
    u, v = u.cpu().double(), v.cpu().double()  # float64 on the CPU: Apple's MPS has none
    return torch.nn.functional.cosine_similarity(u, v, dim=1, eps=1e-12)


def grid(limit: float, n: int) -> torch.Tensor:
    """An ``n`` x ``n`` grid of points on [-limit, limit]^2, as rows ``(n * n, 2)``."""
    if limit <= 0 or n < 2:
        raise ValueError(f"limit={limit}, n={n}: need limit > 0 and n >= 2.")
    axis = torch.linspace(-limit, limit, n, dtype=torch.float64)
    xx, yy = torch.meshgrid(axis, axis, indexing="xy")
    return torch.stack([xx.flatten(), yy.flatten()], dim=1)
