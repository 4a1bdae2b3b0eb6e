"""Variational autoencoders: distributions instead of points.

The encoder maps x to a Gaussian q(z|x) = N(mu(x), diag sigma(x)^2), the prior is
p(z) = N(0, I), and the decoder maps z to one Bernoulli probability per pixel,
p(x|z). Training maximises the evidence lower bound (ELBO) of each image,

    log p(x) >= ELBO(x) = E_q[log p(x|z)] - KL(q(z|x) || p(z)),

with z = mu + sigma * eps (the reparameterisation) so that gradients pass
through the sampling. Every density here is a ``torch.distributions`` object,
so the KL is the library's closed form, not a hand-written formula.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import torch
import torch.nn.functional as F
from torch import nn
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence

from aelab import _checks, _rng
from aelab.data import binarize_dynamic
from aelab.models import mlp

if TYPE_CHECKING:
    from aelab.train import Loss


class VAE(nn.Module):
    """A VAE with a diagonal Gaussian posterior and a Bernoulli decoder.

    Args:
        encoder: maps a flat image (N, D) to 2 * latent numbers: the means and the
            pre-activations of the standard deviations (softplus keeps them positive
            without the overflow of exp).
        decoder: maps a code (..., latent) to D logits, one per pixel.
        latent: the dimension of z.
    """

    def __init__(self, encoder: nn.Module, decoder: nn.Module, latent: int) -> None:
        super().__init__()
        self.encoder, self.decoder, self.latent = encoder, decoder, latent

    def posterior(self, x: torch.Tensor) -> Independent:
        """q(z|x), one diagonal Gaussian per image (batch shape N, event shape latent)."""
        if not x.is_floating_point() or x.dim() != 2:
            raise ValueError(
                f"a VAE takes flat floating-point images of shape (N, D), got {tuple(x.shape)} "
                f"of {x.dtype}: use ae.data.mnist(flat=True) or x.flatten(1).float()."
            )
        h = self.encoder(x)
        if h.shape[-1] != 2 * self.latent:
            raise ValueError(
                f"the encoder gives {h.shape[-1]} numbers per image; a VAE with a "
                f"{self.latent}-d code needs 2 * {self.latent} (means and scales)."
            )
        mu, s = h.chunk(2, dim=-1)
        return Independent(Normal(mu, F.softplus(s) + 1e-6, validate_args=False), 1)

    def prior(self) -> Independent:
        """p(z) = N(0, I) on the model's device."""
        zero = torch.zeros(self.latent, device=next(self.parameters()).device)
        return Independent(Normal(zero, torch.ones_like(zero)), 1)

    def likelihood(self, z: torch.Tensor) -> Independent:
        """p(x|z): an independent Bernoulli per pixel (a sigmoid per pixel, not a softmax).

        Its ``log_prob`` is meant for binary images. Grey values are accepted (no
        argument check, which would also cost a device sync every step) and give the
        cross-entropy to soft targets, which is not a normalised likelihood
        (Loaiza-Ganem & Cunningham 2019): binarise images to report log-likelihoods.
        """
        return Independent(Bernoulli(logits=self.decoder(z), validate_args=False), 1)

    def elbo_terms(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Per image: log p(x|z) for one reparameterised z ~ q(z|x), and KL(q(z|x) || p(z))."""
        q = self.posterior(x)
        z = q.rsample()  # mu + sigma * eps: differentiable in mu and sigma
        return self.likelihood(z).log_prob(x), kl_divergence(q, self.prior())

    def elbo(self, x: torch.Tensor) -> torch.Tensor:
        """A one-sample estimate of the ELBO of each image, in nats (shape (N,))."""
        log_px_z, kl = self.elbo_terms(x)
        return log_px_z - kl

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The mean reconstruction: pixel probabilities decoded from the posterior mean."""
        return torch.sigmoid(self.decoder(self.posterior(x).mean))

    @torch.no_grad()
    def sample(self, n: int, generator: torch.Generator | None = None) -> torch.Tensor:
        """n new images, shown as their pixel probabilities p(x|z) for z ~ p(z)."""
        device = next(self.parameters()).device
        z = _rng.randn((n, self.latent), generator, device)
        return torch.sigmoid(self.decoder(z))


def mlp_vae(sizes: Sequence[int], activation: type[nn.Module] = nn.ReLU) -> VAE:
    """A VAE with mirrored MLPs, e.g. ``sizes=(784, 512, 256, 32)`` for a 32-d code."""
    if len(sizes) < 2:
        raise ValueError(
            f"sizes={list(sizes)}: give the input size, hidden sizes and the code size."
        )
    *body, latent = sizes
    return VAE(
        encoder=mlp([*body, 2 * latent], activation),
        decoder=mlp([latent, *reversed(body)], activation),
        latent=latent,
    )


def elbo_loss(beta: float = 1.0, binarize: bool = True) -> Loss:
    """The training loss -(log p(x|z) - beta * KL), averaged over the batch.

    Args:
        beta: weight of the KL term: 1 is the ELBO; 0 leaves a (noisy) autoencoder,
            and beta > 1 is the beta-VAE of Higgins et al. (2017).
        binarize: draw a fresh binary image x ~ Bernoulli(pixel intensities) at
            every use ("dynamic binarisation", the protocol of the IWAE paper);
            it uses torch's global generator, so seed it for reproducible runs.
    """

    def loss(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
        x = binarize_dynamic(batch) if binarize else batch
        log_px_z, kl = model.elbo_terms(x)
        return (beta * kl - log_px_z).mean()

    loss.data_range = (0.0, 1.0)  # pixel probabilities: fit and evaluate check the data once
    return loss


@torch.no_grad()
def log_likelihood(
    model: VAE,
    x: torch.Tensor,
    k: int = 5000,
    *,
    batch_size: int = 100,
    chunk: int = 500,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Importance-sampled log p(x) per image, in nats, with q(z|x) as the proposal.

    log p(x) ~ log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x),  z_i ~ q(z|x).

    The estimate is a lower bound in expectation that tightens as k grows: k = 1
    is the ELBO, and Burda et al. (2015) report test log-likelihoods with
    k = 5000. The k samples are drawn ``chunk`` at a time and combined with a
    running log-sum-exp, so memory stays bounded whatever k is.
    """
    for value, name in ((k, "k"), (chunk, "chunk"), (batch_size, "batch_size")):
        _checks.whole_number(value, name, minimum=1)
    device = next(model.parameters()).device
    prior, out = model.prior(), []
    for xb in x.split(batch_size):
        xb = xb.to(device)
        q = model.posterior(xb)
        total = torch.full((len(xb),), -math.inf, device=device)
        for start in range(0, k, chunk):
            n = min(chunk, k - start)
            eps = _rng.randn((n, *q.mean.shape), generator, device)
            z = q.mean + q.stddev * eps  # (n, batch, latent)
            log_w = model.likelihood(z).log_prob(xb) + prior.log_prob(z) - q.log_prob(z)
            total = torch.logaddexp(total, torch.logsumexp(log_w, dim=0))
        out.append(total - math.log(k))
    return torch.cat(out)


@torch.no_grad()
def log_joint_on_grid(
    model: VAE, x: torch.Tensor, limit: float = 9.0, points: int = 20_001
) -> tuple[torch.Tensor, torch.Tensor]:
    """log p(x, z) = log p(x|z) + log p(z) on a grid of a 1-d code, for each image.

    Returns the grid z (points,) and log p(x, z) of shape (points, N). With one
    latent coordinate the integral p(x) = int p(x, z) dz is a sum over the grid,
    which makes the exact log-likelihood, and the exact posterior p(z|x), available
    to check the ELBO and importance sampling against.
    """
    if model.latent != 1:
        raise ValueError(
            f"the model has a {model.latent}-d code; a grid integral needs a 1-d code "
            "(use importance sampling, log_likelihood, for larger codes)."
        )
    param = next(model.parameters())
    z = torch.linspace(-limit, limit, points, device=param.device, dtype=param.dtype)
    logits = model.decoder(z[:, None])  # (points, D): decode each grid point once
    # Bernoulli log p(x|z) = sum_d x_d l_d - softplus(l_d): one matrix product for all pairs
    log_px_z = logits @ x.to(param).T - F.softplus(logits).sum(1, keepdim=True)
    return z, log_px_z + Normal(0.0, 1.0).log_prob(z)[:, None]


def exact_log_likelihood(
    model: VAE, x: torch.Tensor, limit: float = 9.0, points: int = 20_001
) -> torch.Tensor:
    """log p(x) of each image for a VAE with a 1-d code, by quadrature on a grid."""
    z, log_joint = log_joint_on_grid(model, x, limit, points)
    return torch.logsumexp(log_joint, dim=0) + math.log(z[1] - z[0])


def gradient_samples(
    f: Callable[[torch.Tensor], torch.Tensor], theta: float, n: int, estimator: str, seed: int = 0
) -> torch.Tensor:
    """n single-sample estimates of d/dtheta E_{x ~ N(theta, 1)}[f(x)].

    ``estimator="score"``: f(x) * d/dtheta log q(x) = f(x) (x - theta) (REINFORCE:
    needs only values of f). ``estimator="reparam"``: x = theta + eps, so the
    estimate is f'(theta + eps) (needs f to be differentiable). Both are unbiased;
    their variances differ, which is the point of the reparameterisation trick.
    """
    g = torch.Generator().manual_seed(seed)
    eps = torch.randn(n, generator=g, dtype=torch.float64)
    if estimator == "score":
        x = theta + eps
        return f(x) * (x - theta)
    if estimator == "reparam":
        t = torch.full((n,), float(theta), dtype=torch.float64, requires_grad=True)
        (grad,) = torch.autograd.grad(f(t + eps).sum(), t)
        return grad
    raise ValueError(f"estimator={estimator!r}: choose 'score' or 'reparam'.")
