"""Chapter 2's checkers pass the reference solutions and fail the stub and plausible mistakes."""

import numpy as np
import pytest
import torch
from checkers import assert_verdicts
from torch import nn

import aelab as ae
from aelab import exercises as ex


def angles_reference(a, b):
    qa, qb = np.linalg.qr(a)[0], np.linalg.qr(b)[0]
    return np.degrees(np.arccos(np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), 0, 1)))


def choose_k_reference(eigenvalues, fraction):
    share = np.cumsum(eigenvalues) / np.sum(eigenvalues)
    return int(np.sum(share < fraction - 1e-12)) + 1


def deep_autoencoder(k):
    return ae.models.mlp_autoencoder((784, 256, k), output="linear")


CASES = {
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
    ex.check_nonlinear_beats_pca: (
        deep_autoencoder,
        {
            "the chapter's linear autoencoder": lambda k: ae.models.mlp_autoencoder(
                (784, k), output="linear"
            ),
            "deep but linear": lambda k: ae.models.mlp_autoencoder(
                (784, 256, k), activation=nn.Identity, output="linear"
            ),
            "a larger code": lambda k: deep_autoencoder(2 * k),
            "no encode and decode": lambda k: nn.Sequential(*deep_autoencoder(k).children()),
            "the function, not a module": lambda k: deep_autoencoder,
            "far too large": lambda k: ae.models.mlp_autoencoder((784, 3000, 1000, k)),
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_principal_angles: {"radians": ("radians",)},
    ex.check_equivalent_autoencoder: {"transpose": ("orthogonal",)},
    ex.check_choose_k: {"index": ("Off by one",)},
    ex.check_nonlinear_beats_pca: {
        "reference": ("Measured test squared error", "PCA"),
        "the chapter's linear autoencoder": ("nn.ReLU",),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))
