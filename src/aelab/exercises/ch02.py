"""Checkers for chapter 2: principal angles, rotation invariance, choosing k, and the
experiment in which a nonlinear code beats PCA."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import scipy.linalg
import torch
from torch import nn

from aelab import losses, models, pca, train
from aelab.exercises import _experiment
from aelab.exercises._common import (
    _array,
    _call,
    _close,
    _first_hint,
    _kind,
    _number,
    _tensor,
    _Wrong,
    checker,
)


@checker
def check_principal_angles(fn: Callable[[object, object], object]) -> str:
    """``fn(A, B)``: principal angles in degrees between the column spaces of A and B."""
    rng = np.random.default_rng(5)
    for k, m in ((3, 3), (4, 2)):
        a = rng.standard_normal((20, k)) @ rng.standard_normal((k, k))  # not orthonormal
        b = a[:, :m] @ rng.standard_normal((m, m)) + 0.3 * rng.standard_normal((20, m))
        expected = np.sort(np.degrees(scipy.linalg.subspace_angles(a, b)))
        result = _call(fn, a.copy(), b.copy())
        got = _array(
            result,
            "The angles",
            if_not_finite=" arccos needs values in [-1, 1]; orthonormalise the bases first.",
        )
        got = np.sort(got.ravel())
        if got.shape != expected.shape:
            raise _Wrong(
                f"Expected {len(expected)} angles (the smaller of the two dimensions) for bases "
                f"with {k} and {m} columns, got {got.size}."
            )
        if np.allclose(got, np.radians(expected), atol=1e-6):
            raise _Wrong("Those are radians: the book gives the angles in degrees.")
        if not np.allclose(got, expected, atol=1e-4):
            raise _Wrong(
                "The angles differ from scipy.linalg.subspace_angles. Did you orthonormalise "
                "both bases (np.linalg.qr) before taking the SVD of A^T B?"
            )
    return "Correct: your principal angles match scipy.linalg.subspace_angles."


@checker
def check_equivalent_autoencoder(fn: Callable[[object, object, object], object]) -> str:
    """``fn(W, V, M)``: the pair (W', V') for the code y' = M y with the same reconstruction."""
    g = torch.Generator().manual_seed(6)
    w = torch.randn(3, 8, generator=g, dtype=torch.float64)  # encoder, k x D
    v = torch.randn(8, 3, generator=g, dtype=torch.float64)  # decoder, D x k
    m = torch.randn(3, 3, generator=g, dtype=torch.float64) + 2 * torch.eye(3)  # not orthogonal
    result = _call(fn, w.clone(), v.clone(), m.clone())
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise _Wrong("Return a pair (W_new, V_new).")
    w2 = _tensor(result[0], m @ w, "W_new (the new encoder)")
    if not _close(w2, m @ w, result[0].dtype):
        if _close(w2, w, result[0].dtype):
            raise _Wrong("W_new equals W: the new code should be y' = M y, so W_new = M W.")
        raise _Wrong("W_new (the new encoder) differs from the reference.")
    expected = v @ torch.linalg.inv(m)
    v2 = _tensor(result[1], expected, "V_new (the new decoder)")
    if not _close(v2, expected, result[1].dtype):
        hint = _first_hint(
            v2,
            [
                (
                    v @ m.T,
                    " V M^T undoes M only when M is orthogonal (a rotation); here it is not.",
                ),
                (v @ m, " V M does not undo M: the decoder must apply M's inverse."),
            ],
            result[1].dtype,
        )
        raise _Wrong(f"V_new (the new decoder) differs from the reference.{hint}")
    return (
        "Correct: V M^-1 M W = V W, so both pairs reconstruct every input identically "
        "and have the same loss; the weights alone cannot be the principal components."
    )


@checker
def check_choose_k(fn: Callable[[object, float], object]) -> str:
    """``fn(eigenvalues, fraction)``: smallest k whose top-k eigenvalues hold ``fraction``."""
    cases = [
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.5, 1),  # exactly half: the first alone
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.75, 2),
        (np.array([4.0, 2.0, 1.0, 0.5, 0.5]), 0.9, 4),
        (np.array([3.0, 3.0, 3.0, 1.0]), 0.95, 4),
        (np.array([5.0, 1.0, 1.0, 1.0, 1.0, 1.0]), 0.1, 1),
    ]
    for eigenvalues, fraction, expected in cases:
        result = _call(fn, eigenvalues.copy(), fraction)
        if isinstance(result, bool | np.bool_ | str):
            raise _Wrong(f"Return a whole number k, got {result!r}.")
        k = _number(result, "k")
        if k != int(k):
            raise _Wrong(f"Return a whole number k, got {k!r}.")
        if k != expected:
            ask = f"for the eigenvalues {eigenvalues.tolist()} and fraction {fraction}"
            hint = ""
            if k == expected - 1:
                hint = " Off by one: an index counts from 0, the number of components from 1."
            elif k == expected + 1:
                hint = " One too many: 'at least' the fraction includes equality."
            raise _Wrong(f"Expected k = {expected} {ask}, got {int(k)}.{hint}")
    return "Correct: the cumulative share of the eigenvalues decides k."


#: The experiment's code size: small enough that a few seconds of training show the gap.
CODE = 8
#: Parameters beyond which a network no longer trains in seconds on a CPU.
MAX_PARAMETERS = 5_000_000


class _ThroughCode(nn.Module):
    """The student's autoencoder as the checker trains it: ``decode(encode(x))``, each call
    under the time limit, so that all it reconstructs has passed through the code."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _call(self.model.decode, _call(self.model.encode, x))


def _output(result: object, shape: tuple[int, ...], what: str) -> torch.Tensor:
    """``result`` if it is a finite real tensor of ``shape`` in 32 or 64 bits, not huge."""
    _tensor(result, torch.empty(shape), what)
    if result.dtype.itemsize < 4:
        raise _Wrong(f"{what} is in {result.dtype}: keep the model in float32.")
    if result.detach().abs().max() > 1e3:
        raise _Wrong(
            f"{what} reaches {result.detach().abs().max().item():.3g} for pixels in [0, 1]."
        )
    return result


def _squared_error(model: nn.Module) -> float:
    """Train ``decode(encode(x))`` with the squared error; its test squared error per digit."""
    x_train, x_test = _experiment.digits()
    through = _ThroughCode(model.float())
    _experiment.fit_quietly(
        through, x_train, losses.l2, epochs=8, batch_size=50, scheduler=train.one_cycle(1e-2)
    )
    return train.evaluate(through, x_test, losses.l2, batch_size=200)


@functools.lru_cache(maxsize=2)
def _linear_codes(device: str) -> tuple[float, float]:
    """PCA's test error with ``CODE`` components and the chapter's linear autoencoder's."""
    x_train, x_test = _experiment.digits()
    pca_error = pca.squared_error(pca.fit(x_train, CODE), x_test)
    torch.manual_seed(0)
    return pca_error, _squared_error(models.mlp_autoencoder((784, CODE), output="linear"))


@checker
def check_nonlinear_beats_pca(fn: Callable[[int], nn.Module]) -> str:
    """``fn(k)``: an autoencoder for flat digits (N, 784) whose code has ``k`` numbers.

    The answer is an ``nn.Module`` with ``encode`` (N, 784) -> (N, k) and ``decode``
    (N, k) -> (N, 784), as ``ae.models.mlp_autoencoder`` builds. The checker asks for
    k = 8 and trains ``decode(encode(x))`` on 3,000 digits with the squared error
    (8 epochs, a few seconds on a CPU), as it trains the chapter's linear
    autoencoder 784-8, and computes PCA with 8 components on the same digits. On
    1,000 test digits it measures the squared error per digit and passes when
    yours is at least 10 % below PCA's, the best any linear code of 8 numbers
    can do on the digits PCA was fitted to.
    """
    model = _call(fn, CODE)
    if not isinstance(model, nn.Module):
        raise _Wrong(f"Return the autoencoder, an nn.Module, got {_kind(model)}.")
    if not (callable(getattr(model, "encode", None)) and callable(getattr(model, "decode", None))):
        raise _Wrong(
            "Your module needs encode and decode methods, as the autoencoders of "
            "ae.models.mlp_autoencoder have: the checker measures what passes through the code."
        )
    weights = [p for p in model.parameters() if p.is_floating_point() and p.requires_grad]
    if not weights:
        raise _Wrong("Your autoencoder has no trainable parameters: build it from layers.")
    size = models.count_parameters(model)
    if size > MAX_PARAMETERS:
        raise _Wrong(
            f"Your autoencoder has {size:,} parameters, too many to train in seconds on a CPU: "
            f"keep it under {MAX_PARAMETERS:,}, e.g. 784-256-{CODE}."
        )
    _, x_test = _experiment.digits()
    x = _experiment.like(x_test[:8], weights[0])
    code = _output(_call(model.encode, x), (8, CODE), f"The code of 8 digits (k = {CODE})")
    out = _output(_call(model.decode, code), (8, 784), "The reconstruction of 8 digits")
    if not out.requires_grad or all(
        g is None or not torch.any(g != 0)
        for g in torch.autograd.grad(out.sum(), weights, allow_unused=True)
    ):
        raise _Wrong(
            "The reconstruction does not depend on the parameters: training cannot change it."
        )

    pca_error, linear_error = _linear_codes(str(x_test.device))
    yours = _squared_error(model)
    seen = (
        f"test squared error per digit from codes of {CODE} numbers: yours {yours:.1f}, the "
        f"chapter's linear autoencoder {linear_error:.1f}, PCA {pca_error:.1f}"
    )
    if not yours <= 0.9 * pca_error:
        raise _Wrong(
            f"Measured {seen}. Yours is not 10 % below PCA, the best linear code: put "
            "nonlinear activations (nn.ReLU) between hidden layers; linear layers, however "
            "many, compose to one linear map."
        )
    return (
        f"Measured {seen}: the nonlinear code keeps more of each digit than any linear "
        "code of the same size can."
    )
