"""Checkers for chapter 9: the reparameterised sample, the Gaussian KL, a sharpness score."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.distributions import Independent, Normal, kl_divergence

from aelab.exercises._common import _first_hint, _mismatch, _report, _run
from aelab.latent import sharpness


def _mu_sigma(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """n posterior means and standard deviations of a 3-d code (float64, leaf tensors)."""
    g = torch.Generator().manual_seed(seed)
    mu = torch.randn(n, 3, generator=g, dtype=torch.float64)
    sigma = 0.2 + 1.8 * torch.rand(n, 3, generator=g, dtype=torch.float64)
    return mu.requires_grad_(), sigma.requires_grad_()


def check_reparameterised_sample(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """``fn(mu, sigma)``: one z ~ N(mu, diag sigma^2) per row, differentiable in mu and sigma."""
    means = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64)
    stds = torch.tensor([0.5, 2.0, 1.5], dtype=torch.float64)
    mu = means.repeat(20_000, 1).requires_grad_()
    sigma = stds.repeat(20_000, 1).requires_grad_()
    torch.manual_seed(0)
    z, error = _run(fn, mu, sigma)
    if error:
        return _report(False, error)
    if not isinstance(z, torch.Tensor) or z.shape != mu.shape:
        shape = tuple(z.shape) if isinstance(z, torch.Tensor) else type(z).__name__
        return _report(False, f"z should be a tensor of shape {tuple(mu.shape)}, got {shape}.")
    if not z.requires_grad:
        return _report(
            False,
            "No gradient reaches mu and sigma: sample eps ~ N(0, 1) without parameters and "
            "return mu + sigma * eps (torch.normal(mu, sigma) is not differentiable).",
        )
    grad_mu, grad_sigma = torch.autograd.grad(z.sum(), (mu, sigma), allow_unused=True)
    if grad_mu is None or grad_sigma is None:
        missing = "mu" if grad_mu is None else "sigma"
        return _report(False, f"z does not depend on {missing}: use z = mu + sigma * eps.")
    z = z.detach()
    if z.std(0).min() == 0:
        return _report(False, "z is not random: add sigma times standard normal noise.")
    mean_ok = ((z.mean(0) - means).abs() < 5 * stds / 20_000**0.5).all()
    std_ratio = z.std(0) / stds
    if not mean_ok or ((std_ratio - 1).abs() > 0.05).any():
        hint = ""
        if ((z.std(0) / stds**2 - 1).abs() < 0.05).all():
            hint = " sigma is the standard deviation: multiply eps by sigma, not sigma squared."
        elif (z.mean(0) - means).abs().max() > 0.2:
            hint = " eps must have mean 0: draw it with torch.randn_like, not torch.rand_like."
        return _report(
            False, "Your samples do not have mean mu and standard deviation sigma." + hint
        )
    eps = (z - mu.detach()) / sigma.detach()
    if not torch.allclose(grad_mu, torch.ones_like(grad_mu)) or not torch.allclose(grad_sigma, eps):
        return _report(
            False, "The gradients are not those of mu + sigma * eps: dz/dmu = 1, dz/dsigma = eps."
        )
    return _report(
        True, "Correct: the randomness sits in eps, so the gradient flows to mu and sigma."
    )


def check_gaussian_kl(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """``fn(mu, sigma)``: KL(N(mu, diag sigma^2) || N(0, I)) for each row, shape ``(N,)``."""
    mu, sigma = (t.detach() for t in _mu_sigma(6, seed=9))
    q = Independent(Normal(mu, sigma), 1)
    expected = kl_divergence(q, Independent(Normal(torch.zeros_like(mu), 1.0), 1))
    result, error = _run(fn, mu.clone(), sigma.clone())
    if error:
        return _report(False, error)
    wrong = _mismatch(result, expected, "The KL divergence")
    if wrong and isinstance(result, torch.Tensor):
        r = result.detach().double()
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
        wrong += _first_hint(r, hints)
    if wrong:
        return _report(False, wrong)
    return _report(True, "Correct: your KL matches torch.distributions.kl_divergence.")


def check_sharpness(fn: Callable[[torch.Tensor], torch.Tensor | float]) -> bool:
    """``fn(images)``: the mean gradient magnitude of grey images ``(N, H, W)``, one number."""
    g = torch.Generator().manual_seed(4)
    images = (torch.rand(5, 12, 12, generator=g) > 0.6).float() * torch.rand(5, 1, 1, generator=g)
    expected = torch.tensor(sharpness(images), dtype=torch.float64)
    result, error = _run(fn, images.clone())
    if error:
        return _report(False, error)
    if isinstance(result, float | int):
        result = torch.tensor(float(result))
    if isinstance(result, torch.Tensor) and result.numel() == 1:
        result = result.detach().reshape(())
    wrong = _mismatch(result, expected, "The sharpness")
    if wrong and isinstance(result, torch.Tensor) and result.numel() == 1:
        r = result.double()
        dx = images[:, :-1, 1:] - images[:, :-1, :-1]
        dy = images[:, 1:, :-1] - images[:, :-1, :-1]
        hints = [
            (dx.abs().mean(), " Use both directions: sqrt(dx^2 + dy^2), not |dx| alone."),
            ((dx**2 + dy**2).mean(), " Take the square root: the magnitude, not its square."),
            ((dx.abs() + dy.abs()).mean(), " The magnitude is sqrt(dx^2 + dy^2), not |dx| + |dy|."),
            (torch.sqrt(dx**2 + dy**2).sum(), " Average over pixels and images; do not sum."),
        ]
        wrong += _first_hint(r, hints)
    if wrong:
        return _report(False, wrong)
    return _report(True, "Correct: the same score the chapter uses for samples and data.")
