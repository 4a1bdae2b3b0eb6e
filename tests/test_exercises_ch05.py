"""Chapter 5's checkers pass the reference solutions and fail the stub and plausible mistakes."""

import numpy as np
import pytest
import torch
from checkers import assert_verdicts, nan_in_training

from aelab import exercises as ex


def psnr_reference(estimate, clean):
    return 10 * np.log10(1.0 / np.mean((estimate - clean) ** 2))


def pair_reference(clean, sigma, generator):
    def noisy():
        return clean + sigma * torch.randn(clean.shape, generator=generator)

    return noisy(), noisy()


def constant_reference(targets, loss):
    return targets.mean() if loss == "l2" else targets.median()


def l1_loss(output, target):
    return (output - target).abs().mean()


def same_noise(clean, sigma, generator):
    x = clean + sigma * torch.randn(clean.shape, generator=generator)
    return x, x.clone()


CASES = {
    ex.check_psnr: (
        psnr_reference,
        {
            "rmse": lambda e, c: 10 * np.log10(1.0 / np.sqrt(np.mean((e - c) ** 2))),
            "natural log": lambda e, c: 10 * np.log(1.0 / np.mean((e - c) ** 2)),
            "sum": lambda e, c: 10 * np.log10(1.0 / np.sum((e - c) ** 2)),
            "sign": lambda e, c: -psnr_reference(e, c),
            "array": lambda e, c: 10 * np.log10(1.0 / (e - c) ** 2),
        },
    ),
    ex.check_n2n_pair: (
        pair_reference,
        {
            "same noise": same_noise,
            "clean target": lambda c, s, g: (c + s * torch.randn(c.shape, generator=g), c),
            "variance for std": lambda c, s, g: pair_reference(c, s**2, g),
            "unscaled": lambda c, s, g: pair_reference(c, 1.0, g),
            "one tensor": lambda c, s, g: c + s * torch.randn(c.shape, generator=g),
            "biased": lambda c, s, g: tuple(x + 0.05 for x in pair_reference(c, s, g)),
        },
    ),
    ex.check_best_constant: (
        constant_reference,
        {
            "always mean": lambda t, loss: t.mean(),
            "always median": lambda t, loss: t.median(),
            "swapped": lambda t, loss: t.median() if loss == "l2" else t.mean(),
            "mode-ish": lambda t, loss: t.min(),
        },
    ),
    ex.check_impulse_noise_loss: (
        l1_loss,
        {
            "nan in training": nan_in_training(l1_loss),
            "makes no change (L2)": lambda o, t: ((o - t) ** 2).mean(),
            "smooth L1 (quadratic below 1)": torch.nn.functional.smooth_l1_loss,
            "abs of the mean error": lambda o, t: (o - t).mean().abs(),
            "per pixel": lambda o, t: (o - t).abs(),
            "a float": lambda o, t: l1_loss(o, t).item(),
            "the gain, not the loss": lambda o, t: -l1_loss(o, t),
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_psnr: {"natural log": ("log10",)},
    ex.check_n2n_pair: {"same noise": ("correlated",)},
    ex.check_best_constant: {"swapped": ("minimiser of the L1",)},
    ex.check_impulse_noise_loss: {
        "nan in training": ("loss of nan or inf (epoch 1)",),
        "reference": ("mean of (output - clean)", "PSNR", "median"),
        "makes no change (L2)": ("Measured", "the targets' mean", "mean absolute error"),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))
