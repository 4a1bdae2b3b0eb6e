"""Checkers for chapter 9: the reparameterised sample, the Gaussian KL, a sharpness score."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.distributions import Independent, Normal, kl_divergence

from aelab.exercises._common import (
    _call,
    _close,
    _compare,
    _error,
    _first_hint,
    _number,
    _tensor,
    _Wrong,
    checker,
)
from aelab.latent import sharpness


def _mu_sigma(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n posterior means and standard deviations of a 3-d code (float64, leaf tensors)."""
    g = torch.Generator().manual_seed(seed)
    mu = torch.randn(n, 3, generator=g, dtype=torch.float64)
    sigma = 0.2 + 1.8 * torch.rand(n, 3, generator=g, dtype=torch.float64)
    return mu.requires_grad_(), sigma.requires_grad_()


@checker
def check_reparameterised_sample(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> str:
    """``fn(mu, sigma)``: one z ~ N(mu, diag sigma^2) per row, differentiable in mu and sigma."""
    means = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    stds = torch.tensor([0.5, 2.0, 1.5], dtype=torch.float64)
    mu = means.repeat(20_000, 1).requires_grad_()
    sigma = stds.repeat(20_000, 1).requires_grad_()
    result = _call(fn, mu, sigma)  # its global generator is seeded: the verdict is repeatable
    z = _tensor(result, mu, "z")
    if not result.requires_grad:
        raise _Wrong(
            "No gradient reaches mu and sigma: sample eps ~ N(0, 1) without parameters and "
            "return mu + sigma * eps (torch.normal(mu, sigma) is not differentiable)."
        )
    try:
        grad_mu, grad_sigma = torch.autograd.grad(result.sum(), (mu, sigma), allow_unused=True)
    except RuntimeError as err:
        raise _Wrong(f"The gradient of your z cannot be computed: {_error(err)}") from None
    if grad_mu is None or grad_sigma is None:
        missing = "mu" if grad_mu is None else "sigma"
        raise _Wrong(f"z does not depend on {missing}: use z = mu + sigma * eps.")
    if z.std(0).min() == 0:
        raise _Wrong("z is not random: add sigma times standard normal noise.")
    mean_ok = ((z.mean(0) - means).abs() < 5 * stds / 20_000**0.5).all()
    std_ratio = z.std(0) / stds
    if not mean_ok or ((std_ratio - 1).abs() > 0.05).any():
        hint = ""
        if ((z.std(0) / stds**2 - 1).abs() < 0.05).all():
            hint = " sigma is the standard deviation: multiply eps by sigma, not sigma squared."
        elif (z.mean(0) - means).abs().max() > 0.2:
            hint = " eps must have mean 0: draw it with torch.randn_like, not torch.rand_like."
        raise _Wrong("Your samples do not have mean mu and standard deviation sigma." + hint)
    eps = (z - mu.detach()) / sigma.detach()
    ones = torch.ones_like(grad_mu)
    if not _close(grad_mu.double(), ones, result.dtype) or not _close(
        grad_sigma.double(), eps, result.dtype
    ):
        raise _Wrong(
            "The gradients are not those of mu + sigma * eps: dz/dmu = 1, dz/dsigma = eps."
        )
    return "Correct: the randomness sits in eps, so the gradient flows to mu and sigma."


@checker
def check_gaussian_kl(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> str:
    """``fn(mu, sigma)``: KL(N(mu, diag sigma^2) || N(0, I)) for each row, shape ``(N,)``."""
    mu, sigma = (t.detach() for t in _mu_sigma(6, seed=9))
    q = Independent(Normal(mu, sigma), 1)
    expected = kl_divergence(q, Independent(Normal(torch.zeros_like(mu), 1.0), 1))
    result = _call(fn, mu.clone(), sigma.clone())
    terms = mu**2 + sigma**2 - 1 - 2 * sigma.log()
    hints = [
        (terms.sum(1), " You forgot the factor 1/2."),
        (0.5 * terms.mean(1), " Sum over the latent coordinates; do not average."),
        (
            0.5 * (mu**2 + sigma**2 - 1 - sigma.log()).sum(1),
            " log sigma^2 = 2 log sigma: sigma is the standard deviation, not the variance.",
        ),
        (
            0.5 * (mu**2 + sigma - 1 - sigma.log()).sum(1),
            " sigma is the standard deviation: the formula needs the variance sigma^2.",
        ),
        (
            kl_divergence(Independent(Normal(torch.zeros_like(mu), 1.0), 1), q),
            " That is KL(p || q): the VAE's term is KL(q(z|x) || p(z)), q first.",
        ),
        (expected.sum(), " Give one KL per image (shape (N,)): do not sum over the batch."),
        (
            expected.mean(),
            " Give one KL per image (shape (N,)): do not average over the batch.",
        ),
    ]
    _compare(result, expected, "The KL divergence", hints)
    return "Correct: your KL matches torch.distributions.kl_divergence."


@checker
def check_sharpness(fn: Callable[[torch.Tensor], torch.Tensor | float]) -> str:
    """``fn(images)``: the mean gradient magnitude of grey images ``(N, H, W)``, one number."""
    g = torch.Generator().manual_seed(4)
    images = (torch.rand(5, 12, 12, generator=g) > 0.6).float() * torch.rand(5, 1, 1, generator=g)
    expected = torch.tensor(sharpness(images), dtype=torch.float64)
    result = _call(fn, images.clone())
    r = torch.tensor(_number(result, "The sharpness"), dtype=torch.float64)
    dtype = result.dtype if isinstance(result, torch.Tensor) else torch.float64
    if not _close(r, expected, dtype):
        dx = images[:, :-1, 1:] - images[:, :-1, :-1]
        dy = images[:, 1:, :-1] - images[:, :-1, :-1]
        hints = [
            (dx.abs().mean(), " Use both directions: sqrt(dx^2 + dy^2), not |dx| alone."),
            ((dx**2 + dy**2).mean(), " Take the square root: the magnitude, not its square."),
            ((dx.abs() + dy.abs()).mean(), " The magnitude is sqrt(dx^2 + dy^2), not |dx| + |dy|."),
            (torch.sqrt(dx**2 + dy**2).sum(), " Average over pixels and images; do not sum."),
        ]
        hint = _first_hint(r, [(v.double(), h) for v, h in hints], dtype)
        raise _Wrong(f"The sharpness differs from the reference.{hint}")
    return "Correct: the same score the chapter uses for samples and data."
