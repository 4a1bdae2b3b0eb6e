"""Chapter 3's checkers pass the reference solutions and fail the stub and plausible mistakes."""

import pytest
import torch
from checkers import assert_verdicts, nan_in_training

from aelab import exercises as ex


def sparse_loss(x, x_hat, h, weight):
    return (x_hat - x).square().sum(1).mean() + weight * h.abs().sum(1).mean()


def squared_error(x, x_hat, h, weight):
    return (x_hat - x).square().sum(1).mean()


CASES = {
    ex.check_l1_activation_penalty: (
        lambda y: y.abs().sum(1).mean(),
        {
            "sum over batch": lambda y: y.abs().sum(),
            "mean over units": lambda y: y.abs().mean(),
            "no abs": lambda y: y.sum(1).mean(),
            "squared": lambda y: y.square().sum(1).mean(),
            "per input": lambda y: y.abs().sum(1),
        },
    ),
    ex.check_kl_sparsity: (
        lambda y, rho: (
            rho * torch.log(rho / y.mean(0)) + (1 - rho) * torch.log((1 - rho) / (1 - y.mean(0)))
        ).sum(),
        {
            "reversed": lambda y, rho: (
                y.mean(0) * torch.log(y.mean(0) / rho)
                + (1 - y.mean(0)) * torch.log((1 - y.mean(0)) / (1 - rho))
            ).sum(),
            "one term": lambda y, rho: (rho * torch.log(rho / y.mean(0))).sum(),
            "mean over units": lambda y, rho: (
                rho * torch.log(rho / y.mean(0))
                + (1 - rho) * torch.log((1 - rho) / (1 - y.mean(0)))
            ).mean(),
            "rho_hat per input": lambda y, rho: (
                rho * torch.log(rho / y.mean(1))
                + (1 - rho) * torch.log((1 - rho) / (1 - y.mean(1)))
            ).sum(),
        },
    ),
    ex.check_lifetime_sparsity: (
        lambda y, t: (y.abs() > t).double().mean(0),
        {
            "per input": lambda y, t: (y.abs() > t).double().mean(1),
            "count": lambda y, t: (y.abs() > t).double().sum(0),
            "no abs": lambda y, t: (y > t).double().mean(0),
            ">=": lambda y, t: (y.abs() >= t).double().mean(0),
            "bool": lambda y, t: (y.abs() > t).any(0),
        },
    ),
    ex.check_sparsity_weight_experiment: (
        sparse_loss,
        {
            "nan in training": nan_in_training(sparse_loss),
            "per digit in training": lambda x, x_hat, h, w: (
                sparse_loss(x, x_hat, h, w) if len(x) == 8 else (x_hat - x).square().sum(1)
            ),
            "no change": squared_error,
            "mean over units": lambda x, x_hat, h, w: (
                squared_error(x, x_hat, h, w) + w * h.abs().mean()
            ),
            "sum over the batch": lambda x, x_hat, h, w: (
                squared_error(x, x_hat, h, w) + w * h.abs().sum()
            ),
            "rewards activity": lambda x, x_hat, h, w: (
                squared_error(x, x_hat, h, w) - w * h.abs().sum(1).mean()
            ),
            "only the penalty": lambda x, x_hat, h, w: w * h.abs().sum(1).mean(),
            "a float": lambda x, x_hat, h, w: sparse_loss(x, x_hat, h, w).item(),
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_l1_activation_penalty: {
        "sum over batch": ("average over the inputs",),
        "mean over units": ("sum over them",),
        "no abs": ("absolute value",),
        "squared": ("squared L2",),
    },
    ex.check_kl_sparsity: {
        "reversed": ("not symmetric",),
        "one term": ("two outcomes",),
        "mean over units": ("sums over them",),
        "rho_hat per input": ("over the batch",),
    },
    ex.check_lifetime_sparsity: {
        "per input": ("per unit",),
        "count": ("not a count",),
        "no abs": ("|y|",),
        ">=": ("strictly",),
    },
    ex.check_sparsity_weight_experiment: {
        "nan in training": ("loss of nan or inf (epoch 1)",),
        "per digit in training": ("Training with your change raised RuntimeError",),
        "reference": ("code units are active per digit", "squared error"),
        "no change": ("leaves the code dense",),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))
