"""Chapter 9's checkers pass the reference solutions and fail the stub and plausible mistakes."""

import pytest
import torch
from checkers import assert_verdicts, nan_in_training

from aelab import exercises as ex


def rsample(mu, sigma):
    return mu + sigma * torch.randn_like(mu)


def gaussian_kl(mu, sigma):
    return 0.5 * (mu**2 + sigma**2 - 1 - 2 * torch.log(sigma)).sum(dim=1)


def sharpness(images):
    dx = images[:, :-1, 1:] - images[:, :-1, :-1]
    dy = images[:, 1:, :-1] - images[:, :-1, :-1]
    return torch.sqrt(dx**2 + dy**2).mean()


def reconstruction(x, logits):
    return torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)


def beta_vae_loss(x, logits, mu, sigma, beta):
    return (reconstruction(x, logits) + beta * gaussian_kl(mu, sigma)).mean()


CASES = {
    ex.check_reparameterised_sample: (
        rsample,
        {
            "torch.normal (no gradient)": lambda mu, sigma: torch.normal(
                mu.detach(), sigma.detach()
            ),
            "variance for std": lambda mu, sigma: mu + sigma**2 * torch.randn_like(mu),
            "uniform noise": lambda mu, sigma: mu + sigma * torch.rand_like(mu),
            "sigma ignored": lambda mu, sigma: mu + torch.randn_like(mu),
            "no noise": lambda mu, sigma: mu + 0 * sigma,
            "one eps for all rows": lambda mu, sigma: mu + sigma * torch.randn(mu.shape[1]),
            "wrong shape": lambda mu, sigma: (mu + sigma * torch.randn_like(mu))[:, 0],
        },
    ),
    ex.check_gaussian_kl: (
        gaussian_kl,
        {
            "no 1/2": lambda mu, s: 2 * gaussian_kl(mu, s),
            "mean over coordinates": lambda mu, s: gaussian_kl(mu, s) / 3,
            "log sigma for log sigma^2": lambda mu, s: (
                0.5 * (mu**2 + s**2 - 1 - torch.log(s)).sum(1)
            ),
            "summed over the batch": lambda mu, s: gaussian_kl(mu, s).sum(),
            "reversed": lambda mu, s: 0.5 * (s**-2 * (1 + mu**2) - 1 + 2 * torch.log(s)).sum(1),
        },
    ),
    ex.check_sharpness: (
        sharpness,
        {
            "dx only": lambda x: (x[:, :-1, 1:] - x[:, :-1, :-1]).abs().mean(),
            "squared": lambda x: (
                (x[:, :-1, 1:] - x[:, :-1, :-1]) ** 2 + (x[:, 1:, :-1] - x[:, :-1, :-1]) ** 2
            ).mean(),
            "summed": lambda x: sharpness(x) * x[:, 1:, 1:].numel(),
            "central differences": lambda x: torch.sqrt(
                (x[:, 1:-1, 2:] - x[:, 1:-1, :-2]) ** 2 + (x[:, 2:, 1:-1] - x[:, :-2, 1:-1]) ** 2
            ).mean(),
        },
    ),
    ex.check_beta_vae: (
        beta_vae_loss,
        {
            "nan in training": nan_in_training(beta_vae_loss),
            "makes no change": lambda x, lg, mu, s, beta: beta_vae_loss(x, lg, mu, s, 1.0),
            "beta on the reconstruction": lambda x, lg, mu, s, beta: (
                beta * reconstruction(x, lg) + gaussian_kl(mu, s)
            ).mean(),
            "mean over the pixels": lambda x, lg, mu, s, beta: (
                reconstruction(x, lg) / x.shape[1] + beta * gaussian_kl(mu, s)
            ).mean(),
            "the ELBO, not the loss": lambda x, lg, mu, s, beta: -beta_vae_loss(x, lg, mu, s, beta),
            "per face": lambda x, lg, mu, s, beta: (
                reconstruction(x, lg) + beta * gaussian_kl(mu, s)
            ),
            "binary likelihood on grey faces": lambda x, lg, mu, s, beta: (
                -torch.distributions.Bernoulli(logits=lg).log_prob(x).sum(1)
                + beta * gaussian_kl(mu, s)
            ).mean(),
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_reparameterised_sample: {
        "variance for std": ("not sigma squared",),
        "torch.normal (no gradient)": ("not differentiable",),
    },
    ex.check_gaussian_kl: {"no 1/2": ("1/2",)},
    ex.check_sharpness: {"squared": ("square root",)},
    ex.check_beta_vae: {
        "nan in training": ("loss of nan or inf (epoch 1)",),
        "reference": ("KL to the prior", "coordinates in use", "beta = 4"),
        "mean over the pixels": ("collapsed",),
        "binary likelihood on grey faces": ("rounded to 0 or 1", "grey, not binary"),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))
