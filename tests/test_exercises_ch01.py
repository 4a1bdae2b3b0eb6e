"""Chapter 1's checkers pass the reference solutions and fail the stub and plausible mistakes."""

import math

import pytest
import torch
from checkers import assert_verdicts
from torch import nn

import aelab as ae
from aelab import exercises as ex


def gaussian_reference(x_hat, x, sigma):
    d = x.shape[1]
    return (
        ((x - x_hat) ** 2).sum(1) / (2 * sigma**2)
        + d * math.log(sigma)
        + d / 2 * math.log(2 * math.pi)
    )


def bernoulli_reference(p, x):
    return -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(1)


def make_autoencoder(code_size):
    return ae.models.mlp_autoencoder((784, 256, code_size))


SHARED = make_autoencoder(2)  # one model for every call: the second call trains it on


class FailsInTraining(nn.Module):
    """The chapter's autoencoder, but broken for any batch other than the checker's probe of 8."""

    def __init__(self, code_size):
        super().__init__()
        self.inner = make_autoencoder(code_size)

    def forward(self, x):
        if len(x) != 8:
            raise RuntimeError("a batch of 50 digits")
        return self.inner(x)


CASES = {
    ex.check_gaussian_nll: (
        gaussian_reference,
        {
            "no constant": lambda x_hat, x, s: ((x - x_hat) ** 2).sum(1) / (2 * s**2),
            "mean over pixels": lambda x_hat, x, s: gaussian_reference(x_hat, x, s) / 784,
            "no 1/2": lambda x_hat, x, s: 2 * gaussian_reference(x_hat, x, s),
            "one number": lambda x_hat, x, s: gaussian_reference(x_hat, x, s).mean(),
        },
    ),
    ex.check_bernoulli_nll: (
        bernoulli_reference,
        {
            "sign": lambda p, x: -bernoulli_reference(p, x),
            "swapped": lambda p, x: bernoulli_reference(x, p),
            "mean over pixels": lambda p, x: bernoulli_reference(p, x) / 784,
            "numpy": lambda p, x: bernoulli_reference(p, x).numpy(),
        },
    ),
    ex.check_pixel_probabilities: (
        torch.sigmoid,
        {
            "softmax": lambda h: torch.softmax(h, dim=1),
            "exp overflow": lambda h: torch.exp(h) / (1 + torch.exp(h)),
            "tanh": torch.tanh,
        },
    ),
    ex.check_perfect_decoder: (
        torch.linalg.inv,
        {"transpose": lambda w: w.T, "identity": lambda w: torch.eye(len(w), dtype=w.dtype)},
    ),
    ex.check_code_size_experiment: (
        make_autoencoder,
        {
            "no change": lambda k: make_autoencoder(32),
            "no sigmoid": lambda k: ae.models.mlp_autoencoder((784, 256, k), output="linear"),
            "the encoder only": lambda k: nn.Sequential(
                nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, k)
            ),
            "the class": lambda k: ae.models.AutoEncoder,
            "one model for all": lambda k: SHARED,
            "fails in training": FailsInTraining,
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_gaussian_nll: {
        "no constant": ("normalising constant",),
        "mean over pixels": ("averaged over the pixels",),
        "no 1/2": ("factor of 2",),
    },
    ex.check_bernoulli_nll: {
        "sign": ("sign is flipped",),
        "swapped": ("swap p and x",),
    },
    ex.check_pixel_probabilities: {"softmax": ("softmax",)},
    ex.check_perfect_decoder: {"transpose": ("orthogonal",)},
    ex.check_code_size_experiment: {
        "reference": ("Measured test squared error per image", "times as large"),
        "no change": ("ignores code_size",),
        "fails in training": ("Your function raised RuntimeError: a batch of 50 digits",),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))


def test_checkers_are_exported():
    assert ae.exercises.check_gaussian_nll is ex.check_gaussian_nll
