"""Checkers for chapter 9: the reparameterised sample, the Gaussian KL, a sharpness score, and
the experiment that trains the faces' VAE with a larger beta."""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
from torch import nn
from torch.distributions import Independent, Normal, kl_divergence

from aelab import config, faces, train, vae
from aelab.exercises import _experiment
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


#: The experiment's beta-VAE: the chapter's weight of the KL term and its 4-d code for the faces.
BETA, FACE_LATENT = 4.0, 4
#: The chapter's threshold: a coordinate whose mean KL over the test faces is below it is off.
SWITCHED_OFF = 0.05


@functools.lru_cache(maxsize=2)
def _faces(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """3,000 training and 1,000 test faces (flat, grey values in [0, 1]) on ``device``."""
    return faces.faces(3000, seed=0).x.to(device), faces.faces(1000, seed=1).x.to(device)


def _train_face_vae(loss: train.Loss) -> tuple[float, float, int]:
    """Train the chapter's 784-256-4 face VAE with ``loss``; on the test faces, its
    reconstruction term and KL (nats per face) and how many coordinates it uses."""
    x_train, x_test = _faces(str(config.device()))
    torch.manual_seed(0)
    model = vae.mlp_vae((784, 256, FACE_LATENT))
    _experiment.fit_quietly(model, x_train, loss, epochs=5, batch_size=100, lr=2e-3)
    with torch.no_grad():
        torch.manual_seed(1)
        log_px_z, kl = model.elbo_terms(x_test)
        q = model.posterior(x_test).base_dist  # one Normal per coordinate
        per_coordinate = kl_divergence(q, Normal(0.0, 1.0)).mean(0)
    used = int((per_coordinate >= SWITCHED_OFF).sum())
    return log_px_z.mean().item(), kl.mean().item(), used


@functools.lru_cache(maxsize=2)
def _with_beta_1(device: str) -> tuple[float, float, int]:
    """The chapter's plain VAE on the faces (beta = 1): the same for every answer."""
    return _train_face_vae(vae.elbo_loss(beta=1.0, binarize=False))


@checker
def check_beta_vae(
    fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, float], torch.Tensor],
) -> str:
    """``fn(x, logits, mu, sigma, beta)``: the beta-VAE's training loss, one number.

    ``x`` holds N grey faces (N, 784) in [0, 1], ``logits`` the decoder's logits
    for each face's sampled code, ``mu`` and ``sigma`` the posterior (N, 4); the
    answer is -(log p(x|z) - beta * KL), averaged over the faces. The checker
    trains the chapter's 784-256-4 face VAE twice from the same start, on 3,000
    faces for 5 epochs (two or three seconds each on a CPU): with the chapter's
    ELBO (beta = 1) and with your loss at beta = 4. On 1,000 test faces it
    measures the KL to the prior, the reconstruction term and the coordinates in
    use (mean KL of at least 0.05 nats), and passes when the larger beta did what
    the chapter predicts: a KL at most 0.7 times as large, a worse
    reconstruction, and a code that still carries something.
    """
    _, x_test = _faces(str(config.device()))
    torch.manual_seed(0)
    x = x_test[:8]
    model = vae.mlp_vae((784, 256, FACE_LATENT)).to(x.device)
    logits, mu, sigma = _experiment.vae_terms(model, x)
    try:
        answer = _call(fn, x.clone(), logits, mu, sigma, BETA)
    except _Wrong as wrong:
        try:  # does it fail only because the pixels are grey? (a Bernoulli's log_prob does)
            _call(fn, x.round(), logits, mu, sigma, BETA)
        except _Wrong:
            raise wrong from None
        raise _Wrong(
            f"{str(wrong).rstrip('.')}. It runs on the same faces rounded to 0 or 1: the "
            "faces are grey, not binary, so use "
            "F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(1)."
        ) from None
    _experiment.loss_value(  # about 550 nats a face at the start
        answer,
        logits,
        largest=1e5,
        never_negative="a loss to minimise is -log p(x|z) + beta * KL, positive here. "
        "Flip the sign.",
    )

    def yours(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
        return _call(fn, batch, *_experiment.vae_terms(model, batch), BETA)

    yours.data_range = (0.0, 1.0)
    rec_1, kl_1, used_1 = _with_beta_1(str(x.device))
    rec_y, kl_y, used_y = _train_face_vae(yours)
    seen = (
        f"on 1,000 test faces a KL to the prior of {kl_y:.2f} nats per face with your loss "
        f"at beta = {BETA:g} and {kl_1:.2f} with beta = 1, a reconstruction term log p(x|z) of "
        f"{rec_y:.1f} against {rec_1:.1f} nats, and {used_y} against {used_1} of the "
        f"{FACE_LATENT} coordinates in use"
    )
    if used_y == 0:
        raise _Wrong(
            f"Measured {seen}: the posterior collapsed onto the prior. Sum the "
            "reconstruction term over the pixels (do not average it), so that beta weighs "
            "the KL against the log-likelihood of the whole face."
        )
    if not kl_y <= 0.7 * kl_1:
        raise _Wrong(
            f"Measured {seen}: the KL is not clearly smaller. Multiply the KL term, and only it, "
            "by beta: -log p(x|z) + beta * KL."
        )
    if not rec_y < rec_1:
        raise _Wrong(
            f"Measured {seen}: the reconstruction is no worse. Your loss should be "
            "-log p(x|z) + beta * KL, the cross-entropy summed over the pixels."
        )
    return (
        f"Measured {seen}: a heavier KL term pulls each q(z|x) towards the prior, so the "
        "code carries less about each face and the reconstructions get worse."
    )
