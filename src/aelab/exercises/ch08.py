"""Checkers for chapter 8: the ELBO of one image, the score-function gradient, the IS estimate,
and the experiment that trains a VAE without its KL term."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import torch
from torch import nn
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence

from aelab import train, vae
from aelab.data import binarize_dynamic, binarize_static
from aelab.exercises import _experiment
from aelab.exercises._common import _call, _close, _compare, _first_hint, _tensor, _Wrong, checker


@checker
def check_elbo(
    fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
) -> str:
    """``fn(x, logits, mu, sigma)``: the one-sample ELBO of each image, shape ``(N,)``.

    ``x`` holds N binary images (N, D), ``logits`` the decoder's D logits for each
    image's sampled code, ``mu`` and ``sigma`` the encoder's posterior (N, d).
    """
    g = torch.Generator().manual_seed(8)
    n, pixels, latent = 5, 12, 3
    x = (torch.rand(n, pixels, generator=g) < 0.4).double()
    logits = 3 * torch.randn(n, pixels, generator=g, dtype=torch.float64)
    mu = torch.randn(n, latent, generator=g, dtype=torch.float64)
    sigma = 0.3 + torch.rand(n, latent, generator=g, dtype=torch.float64)
    log_px_z = Independent(Bernoulli(logits=logits), 1).log_prob(x)
    q = Independent(Normal(mu, sigma), 1)
    kl = kl_divergence(q, Independent(Normal(torch.zeros_like(mu), 1.0), 1))
    expected = log_px_z - kl
    result = _call(fn, x.clone(), logits.clone(), mu.clone(), sigma.clone())
    softmax_ll = (x * torch.log_softmax(logits, dim=1)).sum(1)
    probs_as_logits = Independent(Bernoulli(logits=torch.sigmoid(logits)), 1).log_prob(x)
    hints = [
        (log_px_z + kl, " Subtract the KL term: ELBO = log p(x|z) - KL."),
        (log_px_z, " Subtract the KL divergence to the prior."),
        (-kl, " Add the reconstruction term log p(x|z), summed over pixels."),
        (kl - log_px_z, " That is the loss, minus the ELBO: flip the sign."),
        (log_px_z / pixels - kl, " Sum log p(x|z) over the pixels; do not average."),
        (log_px_z - kl / latent, " Sum the KL over the latent coordinates."),
        (
            softmax_ll - kl,
            " A softmax over pixels is a categorical distribution (one pixel on); "
            "each pixel is its own Bernoulli: use a sigmoid per pixel.",
        ),
        (
            probs_as_logits - kl,
            " The decoder gives logits: pass them as Bernoulli(logits=...), "
            "not through a sigmoid first.",
        ),
        (expected.sum(), " Give one ELBO per image (shape (N,)): do not sum the batch."),
        (expected.mean(), " Give one ELBO per image (shape (N,)): do not average."),
    ]
    _compare(result, expected, "The ELBO", hints)
    return "Correct: reconstruction log-likelihood minus the KL to the prior."


@checker
def check_score_function_estimator(
    fn: Callable[[torch.Tensor, torch.Tensor, float, float], torch.Tensor],
) -> str:
    """``fn(f_x, x, theta, sigma)``: per-sample REINFORCE estimates of d/dtheta E[f(x)].

    ``x`` holds samples of q = N(theta, sigma^2) and ``f_x`` the values f(x).
    """
    theta, sigma = 2.0, 1.5
    g = torch.Generator().manual_seed(3)
    x = theta + sigma * torch.randn(2000, generator=g, dtype=torch.float64)
    f_x = x**2
    expected = f_x * (x - theta) / sigma**2
    result = _call(fn, f_x.clone(), x.clone(), theta, sigma)
    hints = [
        ((x - theta) / sigma**2, " Multiply the score by the value f(x)."),
        (f_x * (x - theta) / sigma, " The score of N(theta, sigma^2) divides by sigma^2."),
        (f_x * (x - theta), " The score of N(theta, sigma^2) is (x - theta) / sigma^2."),
        (2 * x, " That is the reparameterised estimate f'(x); use only values of f."),
        (expected.mean().reshape(()), " Return one estimate per sample, not the mean."),
    ]
    r = _tensor(result, expected, "The estimates", hints=hints)
    if not _close(r, expected, result.dtype):
        hint = _first_hint(r, hints, result.dtype)
        raise _Wrong(f"The estimates differ from the reference.{hint}")
    return (
        f"Correct: their mean {r.mean():.2f} estimates 2 theta = {2 * theta:.0f}, "
        f"with a variance of {r.var():.0f} per sample."
    )


@checker
def check_importance_sampled_estimate(fn: Callable[[torch.Tensor], torch.Tensor]) -> str:
    """``fn(log_w)``: log (1/k) sum_i w_i per image, from log-weights of shape (k, N).

    The test log-weights lie around -1000, as a VAE's can, so exp(log_w)
    underflows to 0 in any precision: the log-sum-exp is the only way.
    """
    g = torch.Generator().manual_seed(5)
    k, n = 50, 4
    log_w = -1000 + 3 * torch.randn(k, n, generator=g, dtype=torch.float64)
    expected = torch.logsumexp(log_w, dim=0) - math.log(k)
    result = _call(fn, log_w.clone())
    hints = [
        (log_w.mean(0), " That is the mean log-weight, the ELBO: average the weights."),
        (torch.logsumexp(log_w, 0), " Divide by k: subtract log k after the sum."),
        (torch.logsumexp(log_w, 1) - math.log(n), " Reduce over the k samples (dim 0)."),
        (expected.mean().reshape(()), " Give one estimate per image (shape (N,))."),
    ]
    underflow = (
        " If you got -inf: exp(-1000) underflows to 0. Use torch.logsumexp, which "
        "subtracts the largest log-weight before exponentiating."
    )
    _compare(result, expected, "The estimate", hints, if_not_finite=underflow)
    return (
        f"Correct: it lies {(expected - log_w.mean(0)).mean():.2f} nats above the mean "
        "log-weight (the ELBO), as Jensen's inequality says it must."
    )


def _train_small_vae(loss: train.Loss) -> tuple[float, float]:
    """Train the experiment's VAE with ``loss``; its test reconstruction term and KL (nats)."""
    x_train, x_test = _experiment.digits()
    torch.manual_seed(0)
    model = vae.mlp_vae((784, 256, 16))
    _experiment.fit_quietly(model, x_train, loss, epochs=5, batch_size=100, lr=2e-3)
    with torch.no_grad():
        torch.manual_seed(1)
        log_px_z, kl = model.elbo_terms(binarize_static(x_test))
    return log_px_z.mean().item(), kl.mean().item()


@functools.lru_cache(maxsize=2)
def _with_elbo(device: str) -> tuple[float, float]:
    """The chapter's VAE trained with the negative ELBO: the same for every answer."""
    return _train_small_vae(vae.elbo_loss())


@checker
def check_vae_without_kl(
    fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor], torch.Tensor],
) -> str:
    """``fn(x, logits, mu, sigma)``: the training loss of a VAE with its KL term left out.

    The arguments are those of :func:`check_elbo`; the answer is one number for the
    batch, averaged over its images like the chapter's loss. The checker trains one
    small VAE (784-256-16) twice from the same start, on 3,000 digits for 5 epochs
    (a second or two each on a CPU): with the negative ELBO and with your loss. On
    1,000 test digits it measures the ELBO's two terms and passes when leaving out
    the KL term did what the chapter predicts: a better reconstruction term, and
    posteriors that leave the prior (a KL at least three times as large).
    """

    _, x_test = _experiment.digits()
    torch.manual_seed(0)
    x = binarize_static(x_test[:8])
    logits, mu, sigma = _experiment.vae_terms(vae.mlp_vae((784, 256, 16)).to(x.device), x)
    answer = _call(fn, x.clone(), logits, mu, sigma)
    _experiment.loss_value(  # 8 images: about 4,400
        answer,
        logits,
        largest=1e5,
        never_negative="a loss to minimise is -log p(x|z), positive for binary pixels. "
        "Flip the sign.",
    )

    def yours(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
        xb = binarize_dynamic(batch)
        return _call(fn, xb, *_experiment.vae_terms(model, xb))

    yours.data_range = (0.0, 1.0)
    rec_e, kl_e = _with_elbo(str(x.device))
    rec_y, kl_y = _train_small_vae(yours)
    seen = (
        f"on 1,000 test digits the KL to the prior is {kl_y:.0f} nats with your loss and "
        f"{kl_e:.0f} with the ELBO, the reconstruction term {rec_y:.0f} against {rec_e:.0f}"
    )
    if not kl_y >= 3 * kl_e:
        raise _Wrong(f"Measured {seen}: your loss still pulls q(z|x) to the prior; drop the KL.")
    if not rec_y > rec_e:
        raise _Wrong(
            f"Measured {seen}: your VAE reconstructs no better; its loss should be "
            "-log p(x|z), summed over the pixels and averaged over the images."
        )
    return (
        f"Measured {seen}: without the KL term the codes reconstruct better but leave the "
        f"prior, so the ELBO falls from {rec_e - kl_e:.0f} to {rec_y - kl_y:.0f} nats and a "
        "z drawn from p(z) lands where the decoder was never trained."
    )
