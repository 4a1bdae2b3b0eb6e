"""Every checker passes the reference solution and fails the stub and plausible mistakes."""

import math

import numpy as np
import pytest
import torch
from checkers import assert_verdicts

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


def angles_reference(a, b):
    qa, qb = np.linalg.qr(a)[0], np.linalg.qr(b)[0]
    return np.degrees(np.arccos(np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), 0, 1)))


def choose_k_reference(eigenvalues, fraction):
    share = np.cumsum(eigenvalues) / np.sum(eigenvalues)
    return int(np.sum(share < fraction - 1e-12)) + 1


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
    # chapter 2: undercomplete autoencoders and PCA
    ex.check_principal_angles: (
        angles_reference,
        {
            "radians": lambda a, b: np.radians(angles_reference(a, b)),
            "no orthonormalisation": lambda a, b: np.degrees(
                np.arccos(np.clip(np.linalg.svd(a.T @ b, compute_uv=False), -1, 1))
            ),
            "all angles of the bigger space": lambda a, b: np.zeros(a.shape[1]),
        },
    ),
    ex.check_equivalent_autoencoder: (
        lambda w, v, m: (m @ w, v @ torch.linalg.inv(m)),
        {
            "transpose": lambda w, v, m: (m @ w, v @ m.T),
            "no inverse": lambda w, v, m: (m @ w, v @ m),
            "unchanged": lambda w, v, m: (w, v),
            "inverse on the wrong side": lambda w, v, m: (m @ w, torch.linalg.inv(m) @ v.T),
            "one matrix": lambda w, v, m: v @ w,
        },
    ),
    ex.check_choose_k: (
        choose_k_reference,
        {
            "index": lambda e, f: int(np.argmax(np.cumsum(e) / np.sum(e) >= f)),
            "strictly more": lambda e, f: int(np.sum(np.cumsum(e) / np.sum(e) <= f)) + 1,
            "smallest first": lambda e, f: choose_k_reference(e[::-1], f),
            "a float": lambda e, f: choose_k_reference(e, f) + 0.5,
        },
    ),
    # chapter 3: sparse autoencoders
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
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys)


def test_hints_name_the_mistake(capsys):
    gauss, bern = CASES[ex.check_gaussian_nll][1], CASES[ex.check_bernoulli_nll][1]
    probs, decoder = CASES[ex.check_pixel_probabilities][1], CASES[ex.check_perfect_decoder][1]
    for checker, wrong, hint in [
        (ex.check_gaussian_nll, gauss["no constant"], "normalising constant"),
        (ex.check_gaussian_nll, gauss["mean over pixels"], "averaged over the pixels"),
        (ex.check_gaussian_nll, gauss["no 1/2"], "factor of 2"),
        (ex.check_bernoulli_nll, bern["sign"], "sign is flipped"),
        (ex.check_bernoulli_nll, bern["swapped"], "swap p and x"),
        (
            ex.check_pixel_probabilities,
            probs["softmax"],
            "softmax",
        ),
        (ex.check_perfect_decoder, decoder["transpose"], "orthogonal"),
        (ex.check_principal_angles, CASES[ex.check_principal_angles][1]["radians"], "radians"),
        (
            ex.check_equivalent_autoencoder,
            CASES[ex.check_equivalent_autoencoder][1]["transpose"],
            "orthogonal",
        ),
        (ex.check_choose_k, CASES[ex.check_choose_k][1]["index"], "Off by one"),
    ]:
        checker(wrong)
        assert hint in capsys.readouterr().out


def test_checkers_are_exported():
    assert ae.exercises.check_gaussian_nll is ex.check_gaussian_nll


def test_chapter_3_hints_name_the_mistake(capsys):
    l1 = CASES[ex.check_l1_activation_penalty][1]
    kl = CASES[ex.check_kl_sparsity][1]
    life = CASES[ex.check_lifetime_sparsity][1]
    for checker, wrong, hint in [
        (ex.check_l1_activation_penalty, l1["sum over batch"], "average over the inputs"),
        (ex.check_l1_activation_penalty, l1["mean over units"], "sum over them"),
        (ex.check_l1_activation_penalty, l1["no abs"], "absolute value"),
        (ex.check_l1_activation_penalty, l1["squared"], "squared L2"),
        (ex.check_kl_sparsity, kl["reversed"], "not symmetric"),
        (ex.check_kl_sparsity, kl["one term"], "two outcomes"),
        (ex.check_kl_sparsity, kl["mean over units"], "sums over them"),
        (ex.check_kl_sparsity, kl["rho_hat per input"], "over the batch"),
        (ex.check_lifetime_sparsity, life["per input"], "per unit"),
        (ex.check_lifetime_sparsity, life["count"], "not a count"),
        (ex.check_lifetime_sparsity, life["no abs"], "|y|"),
        (ex.check_lifetime_sparsity, life[">="], "strictly"),
    ]:
        checker(wrong)
        assert hint in capsys.readouterr().out, (checker.__name__, hint)
