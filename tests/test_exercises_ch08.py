"""Chapter 8's checkers pass the reference solutions and fail the stub and plausible mistakes."""

import math

import pytest
import torch
from checkers import assert_verdicts, nan_in_training

from aelab import exercises as ex


def elbo(x, logits, mu, sigma):
    log_px_z = -torch.nn.functional.binary_cross_entropy_with_logits(
        logits, x, reduction="none"
    ).sum(1)
    kl = 0.5 * (mu**2 + sigma**2 - 1 - 2 * torch.log(sigma)).sum(1)
    return log_px_z - kl


def kl(mu, sigma):
    return 0.5 * (mu**2 + sigma**2 - 1 - 2 * torch.log(sigma)).sum(1)


def score(f_x, x, theta, sigma):
    return f_x * (x - theta) / sigma**2


def is_estimate(log_w):
    return torch.logsumexp(log_w, dim=0) - math.log(len(log_w))


def bernoulli_ll(logits, x):
    return -torch.nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="none")


def no_kl_loss(x, logits, mu, sigma):
    return -bernoulli_ll(logits, x).sum(1).mean()


CASES = {
    ex.check_elbo: (
        elbo,
        {
            "plus the KL": lambda x, lg, mu, s: elbo(x, lg, mu, s) + 2 * kl(mu, s),
            "no KL": lambda x, lg, mu, s: bernoulli_ll(lg, x).sum(1),
            "the loss": lambda x, lg, mu, s: -elbo(x, lg, mu, s),
            "mean over pixels": lambda x, lg, mu, s: bernoulli_ll(lg, x).mean(1) - kl(mu, s),
            "softmax over pixels": lambda x, lg, mu, s: (
                (x * torch.log_softmax(lg, 1)).sum(1) - kl(mu, s)
            ),
            "sigmoid twice": lambda x, lg, mu, s: (
                bernoulli_ll(torch.sigmoid(lg), x).sum(1) - kl(mu, s)
            ),
            "batch mean": lambda x, lg, mu, s: elbo(x, lg, mu, s).mean(),
        },
    ),
    ex.check_score_function_estimator: (
        score,
        {
            "no f": lambda f_x, x, theta, sigma: (x - theta) / sigma**2,
            "divides by sigma": lambda f_x, x, theta, sigma: f_x * (x - theta) / sigma,
            "reparameterised": lambda f_x, x, theta, sigma: 2 * x,
            "mean": lambda f_x, x, theta, sigma: score(f_x, x, theta, sigma).mean(),
        },
    ),
    ex.check_importance_sampled_estimate: (
        is_estimate,
        {
            "exp underflows": lambda log_w: torch.log(torch.exp(log_w).mean(0)),
            "mean log-weight": lambda log_w: log_w.mean(0),
            "no 1/k": lambda log_w: torch.logsumexp(log_w, 0),
            "wrong dim": lambda log_w: torch.logsumexp(log_w, 1) - math.log(log_w.shape[1]),
            "one number": lambda log_w: is_estimate(log_w).mean(),
        },
    ),
    ex.check_vae_without_kl: (
        no_kl_loss,
        {
            "nan in training": nan_in_training(no_kl_loss),
            "keeps the KL": lambda x, lg, mu, s: -elbo(x, lg, mu, s).mean(),
            "the ELBO, not the loss": lambda x, lg, mu, s: -no_kl_loss(x, lg, mu, s),
            "only the KL": lambda x, lg, mu, s: kl(mu, s).mean(),
            "detached": lambda x, lg, mu, s: no_kl_loss(x, lg.detach(), mu, s),
            "per image": lambda x, lg, mu, s: -bernoulli_ll(lg, x).sum(1),
            "a float": lambda x, lg, mu, s: no_kl_loss(x, lg, mu, s).item(),
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_elbo: {"softmax over pixels": ("sigmoid per pixel",)},
    ex.check_score_function_estimator: {"reparameterised": ("reparameterised",)},
    ex.check_importance_sampled_estimate: {"exp underflows": ("logsumexp",)},
    ex.check_vae_without_kl: {
        "nan in training": ("loss of nan or inf (epoch 1)",),
        "reference": ("KL to the prior", "the ELBO falls"),
        "the ELBO, not the loss": ("Flip the sign",),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))
