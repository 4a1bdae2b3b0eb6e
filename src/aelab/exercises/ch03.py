"""Checkers for chapter 3: sparsity penalties on the activations, and the experiment that
trains the overcomplete autoencoder with and without one."""

from __future__ import annotations

import functools
from collections.abc import Callable

import torch
from torch import nn
from torch.distributions import Bernoulli, kl_divergence

from aelab import losses, models, sparsity, train
from aelab.exercises import _experiment
from aelab.exercises._common import _call, _close, _first_hint, _tensor, _Wrong, checker


def _sparse_codes(seed: int, signed: bool = True) -> torch.Tensor:
    """A batch of codes (N=6 inputs, k=10 units) with some exact zeros, in float64."""
    g = torch.Generator().manual_seed(seed)
    y = torch.rand(6, 10, generator=g, dtype=torch.float64)
    if signed:
        y = y - 0.4
    return y * (torch.rand(6, 10, generator=g, dtype=torch.float64) > 0.5)


@checker
def check_l1_activation_penalty(fn: Callable[[torch.Tensor], torch.Tensor]) -> str:
    """``fn(codes)``: sum over units of |y|, averaged over the inputs of the batch (a scalar)."""
    codes = _sparse_codes(7)
    expected = codes.abs().sum(1).mean()
    result = _call(fn, codes.clone())
    r = _tensor(result, expected, "The penalty")
    if not _close(r, expected, result.dtype):
        hints = [
            (codes.abs().sum(), " You summed over the batch too: average over the inputs."),
            (
                codes.abs().mean(),
                " You averaged over the units: sum over them, as the L1 norm does.",
            ),
            (codes.sum(1).mean(), " Take the absolute value: negative codes count as well."),
            (codes.square().sum(1).mean(), " That is the squared L2 norm; the L1 norm uses |y|."),
        ]
        hint = _first_hint(r, hints, result.dtype)
        raise _Wrong(f"The penalty differs from the reference.{hint}")
    return "Correct: one L1 norm per input, averaged over the batch, like the reconstruction error."


@checker
def check_kl_sparsity(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> str:
    """``fn(codes, rho)``: sum over units j of KL(rho || rho_hat_j), rho_hat the batch mean."""
    for seed, rho in ((8, 0.05), (9, 0.2)):
        codes = 0.05 + 0.9 * _sparse_codes(seed, signed=False)  # firing rates in (0, 1)
        rho_hat = codes.mean(0)
        target = Bernoulli(probs=torch.full_like(rho_hat, rho))
        expected = kl_divergence(target, Bernoulli(probs=rho_hat)).sum()
        result = _call(fn, codes.clone(), rho)
        r = _tensor(result, expected, f"The penalty (rho = {rho})")
        if not _close(r, expected, result.dtype):
            per_input = codes.mean(1)
            hints = [
                (
                    kl_divergence(Bernoulli(probs=rho_hat), target).sum(),
                    " The KL divergence is not symmetric: it is KL(rho || rho_hat), "
                    "with the target rho first.",
                ),
                (
                    kl_divergence(target, Bernoulli(probs=rho_hat)).mean(),
                    " You averaged over the units: Ng's penalty sums over them.",
                ),
                (
                    (rho * torch.log(rho / rho_hat)).sum(),
                    " A Bernoulli has two outcomes: add (1 - rho) log((1 - rho)/(1 - rho_hat)).",
                ),
                (
                    kl_divergence(
                        Bernoulli(probs=torch.full_like(per_input, rho)),
                        Bernoulli(probs=per_input),
                    ).sum(),
                    " rho_hat_j is the mean of unit j over the batch (dim 0), not over the units.",
                ),
            ]
            hint = _first_hint(r, hints, result.dtype)
            raise _Wrong(f"The penalty differs from the reference (rho = {rho}).{hint}")
    return "Correct: your penalty matches torch.distributions.kl_divergence."


@checker
def check_lifetime_sparsity(fn: Callable[[torch.Tensor, float], torch.Tensor]) -> str:
    """``fn(codes, threshold)``: per unit, the fraction of inputs with |y| > threshold, ``(k,)``."""
    codes = _sparse_codes(10)
    codes[0, 0], codes[1, 1] = 0.1, -0.1  # exactly at the threshold: not active
    expected = (codes.abs() > 0.1).double().mean(0)
    result = _call(fn, codes.clone(), 0.1)
    if isinstance(result, torch.Tensor) and result.shape == (len(codes),):
        raise _Wrong(
            f"The lifetime sparsity should have shape {tuple(expected.shape)}, got "
            f"{tuple(result.shape)}. That is one number per input: average over the inputs "
            "(dim 0), per unit."
        )
    what = "The lifetime sparsity"
    if isinstance(result, torch.Tensor) and result.dtype == torch.bool:
        raise _Wrong(f"{what} should be a fraction of the inputs (floating-point), got bools.")
    r = _tensor(result, expected, what)
    if not _close(r, expected, result.dtype):
        hints = [
            (
                (codes.abs() > 0.1).double().sum(0),
                " Give a fraction of the inputs, not a count.",
            ),
            (
                (codes > 0.1).double().mean(0),
                " Use |y|: a strongly negative code is active too.",
            ),
            (
                (codes.abs() >= 0.1).double().mean(0),
                " Active means strictly above the threshold.",
            ),
        ]
        hint = _first_hint(r, hints, result.dtype)
        raise _Wrong(f"{what} differs from the reference.{hint}")
    return "Correct: a unit with lifetime sparsity 0 never fires: it is a dead unit."


#: The experiment's penalty weight (the chapter's L1_ACT) and activity threshold (THRESHOLD).
WEIGHT, THRESHOLD = 0.1, 0.01


def _overcomplete() -> nn.Module:
    """The chapter's 784-1024-784 autoencoder with ReLU codes, from seed 0."""
    torch.manual_seed(0)
    return models.mlp_autoencoder((784, 1024), code_activation=nn.ReLU)


def _train_sparse(loss: train.Loss) -> tuple[float, float]:
    """Train the overcomplete model with ``loss``; its test squared error and active fraction."""
    x_train, x_test = _experiment.digits()
    model = _experiment.fit_quietly(
        _overcomplete(), x_train, loss, epochs=2, batch_size=100, lr=2e-3
    )
    codes = sparsity.codes(model, x_test)
    return train.evaluate(model, x_test, losses.l2), sparsity.active_fraction(codes, THRESHOLD)


@functools.lru_cache(maxsize=2)
def _without_penalty(device: str) -> tuple[float, float]:
    """The chapter's model trained with the squared error alone: the same for every answer."""
    return _train_sparse(sparsity.sparse_l2("none"))


@checker
def check_sparsity_weight_experiment(
    fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor, float], torch.Tensor],
) -> str:
    """``fn(x, x_hat, h, weight)``: the squared error plus ``weight`` times the L1 norm of ``h``.

    ``x`` holds a batch of digits (N, 784), ``x_hat`` their reconstructions and ``h``
    their codes (N, 1024); the answer is one number for the batch, each term summed
    over its pixels or units and averaged over the inputs, like the chapter's loss.
    The checker trains the chapter's overcomplete autoencoder (784-1024-784, ReLU
    codes) twice from the same start, on 3,000 digits for 2 epochs (two or three
    seconds each on a CPU): with the squared error alone and with your loss at the
    chapter's weight 0.1. On 1,000 test digits it measures the fraction of code
    units active per digit (|h| > 0.01) and the squared error, and passes when the
    penalty did what the chapter predicts: under half the active units of the
    unpenalised model, at an error at most 1.5 times its error.
    """
    _, x_test = _experiment.digits()
    x = x_test[:8].clone()
    model = _overcomplete().to(x.device)
    h = model.encode(x)
    x_hat = model.decode(h)
    answer = _call(fn, x.clone(), x_hat, h, WEIGHT)
    _experiment.loss_value(  # 8 digits: about 200
        answer,
        x_hat,
        largest=1e5,
        never_negative="a squared error and an L1 norm are never negative, nor is their "
        "weighted sum. Check the signs.",
    )

    def yours(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
        h = model.encode(batch)
        return _call(fn, batch, model.decode(h), h, WEIGHT).reshape(())

    err_0, active_0 = _without_penalty(str(x.device))
    err_y, active_y = _train_sparse(yours)
    seen = (
        f"on 1,000 test digits {100 * active_y:.1f} % of the code units are active per digit "
        f"with your loss and {100 * active_0:.1f} % without a penalty, the squared error "
        f"{err_y:.1f} against {err_0:.1f}"
    )
    if active_y > active_0:
        raise _Wrong(
            f"Measured {seen}: your loss makes the code denser still. Add the penalty to the "
            "squared error; do not subtract it."
        )
    if not active_y < 0.5 * active_0:
        raise _Wrong(
            f"Measured {seen}: your loss leaves the code dense. Add weight times the L1 norm "
            "of h, summed over the units and averaged over the digits."
        )
    if not err_y <= 1.5 * err_0:
        raise _Wrong(
            f"Measured {seen}: the penalty costs too much reconstruction. Average the L1 "
            "norm over the digits (do not sum it over the batch), like the squared error."
        )
    return (
        f"Measured {seen}: the L1 penalty silences most of the units for each digit, and "
        "the few that stay on still reconstruct it about as well."
    )
