"""Chapter 6's checkers pass the reference solution and fail the stub and plausible mistakes."""

import pytest
import torch
from checkers import assert_verdicts

import aelab as ae
from aelab import exercises as ex
from aelab import noise


def step_reference(denoiser, x, level):
    return torch.bernoulli(denoiser(noise.salt_and_pepper(x, level)))


def flip(x, level):
    chosen = torch.rand_like(x) < level
    return torch.where(chosen, 1 - x, x)


def light_corruption(x):
    return noise.salt_and_pepper(x, 0.1)


def switches_reference(labels):
    return 100 * (labels[1:] != labels[:-1]).float().mean().item()


def acf_reference(series, max_lag):
    a = series - series.mean(dim=0)
    steps = len(a)
    cov = torch.stack([(a[: steps - k] * a[k:]).sum(0).mean() / steps for k in range(max_lag + 1)])
    return cov / cov[0]


def acf_global_mean(series, max_lag):
    a = series - series.mean()
    steps = len(a)
    cov = torch.stack([(a[: steps - k] * a[k:]).sum(0).mean() / steps for k in range(max_lag + 1)])
    return cov / cov[0]


CASES = {
    ex.check_chain_step: (
        step_reference,
        {
            "no corruption": lambda d, x, level: torch.bernoulli(d(x)),
            "probabilities": lambda d, x, level: d(noise.salt_and_pepper(x, level)),
            "threshold": lambda d, x, level: (d(noise.salt_and_pepper(x, level)) > 0.5).float(),
            "flip noise": lambda d, x, level: torch.bernoulli(d(flip(x, level))),
            "denoise twice": lambda d, x, level: torch.bernoulli(
                d(d(noise.salt_and_pepper(x, level)))
            ),
        },
    ),
    ex.check_switch_counter: (
        switches_reference,
        {
            "divide by T": lambda y: 100 * (y[1:] != y[:-1]).float().sum(0).mean().item() / len(y),
            "sum over chains": lambda y: (
                100 * (y[1:] != y[:-1]).float().sum().item() / (len(y) - 1)
            ),
            "per step": lambda y: (y[1:] != y[:-1]).float().mean().item(),
            "wrong axis": lambda y: 100 * (y[:, 1:] != y[:, :-1]).float().mean().item(),
            "distinct classes": lambda y: float(len(torch.unique(y))),
        },
    ),
    ex.check_autocorrelation: (
        acf_reference,
        {
            "global mean": acf_global_mean,
            "not normalised": lambda s, k: acf_reference(s, k) * s.var(),
            "one lag short": lambda s, k: acf_reference(s, k - 1),
            "along chains": lambda s, k: acf_reference(s.T.contiguous(), min(k, 3)),
        },
    ),
    ex.check_too_little_noise: (
        light_corruption,
        {
            "makes no change (level 0.5)": lambda x: noise.salt_and_pepper(x, 0.5),
            "too much noise": lambda x: noise.salt_and_pepper(x, 0.9),
            "no noise": lambda x: x.clone(),
            "grey noise": lambda x: (x + 0.1 * torch.randn_like(x)).clamp(0, 1),
            "one image": lambda x: noise.salt_and_pepper(x[0], 0.1),
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_chain_step: {
        "no corruption": ("corrupt x first",),
        "probabilities": ("not binary",),
        "threshold": ("threshold",),
        "flip noise": ("half of the chosen",),
        "denoise twice": ("exactly once",),
    },
    ex.check_switch_counter: {
        "divide by T": ("T - 1",),
        "sum over chains": ("Average over the chains",),
        "per step": ("per 100 steps",),
        "wrong axis": ("Time is dimension 0",),
    },
    ex.check_autocorrelation: {
        "global mean": ("own mean",),
        "not normalised": ("lag 0",),
    },
    ex.check_too_little_noise: {
        "reference": ("chains from test digits", "level 0.5", "crawls"),
        "makes no change (level 0.5)": ("Measured", "Use less corruption"),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))


def test_numpy_answers_are_accepted_for_the_autocorrelation(capsys):
    assert ex.check_autocorrelation(lambda s, k: acf_reference(s, k).numpy()) is True


def test_checkers_are_exported():
    assert ae.exercises.check_chain_step is ex.check_chain_step
