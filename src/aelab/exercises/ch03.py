"""Checkers for chapter 3: sparsity penalties on the activations."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.distributions import Bernoulli, kl_divergence

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
