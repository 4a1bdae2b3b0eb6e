"""Checkers for chapter 6: a denoising autoencoder's Markov chain and its diagnostics."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from aelab.diagnostics import autocorrelation, switches_per_100
from aelab.exercises._common import _report, _run


class _Spy:
    """A denoiser that records what it was given and returns known probabilities."""

    def __init__(self, p: float) -> None:
        self.p, self.inputs = p, []

    def __call__(self, x_tilde: torch.Tensor) -> torch.Tensor:
        self.inputs.append(x_tilde.detach().clone())
        return torch.full_like(x_tilde, self.p)


def check_chain_step(fn: Callable[[Callable, torch.Tensor, float], torch.Tensor]) -> bool:
    """``fn(denoiser, x, level)``: corrupt ``x`` with salt-and-pepper, denoise, draw ``x_next``.

    ``denoiser(x_tilde)`` returns pixel probabilities; ``x_next`` must be a
    Bernoulli draw from them.
    """
    torch.manual_seed(0)
    x = (torch.rand(400, 784) < 0.2).float()
    level, p = 0.4, 0.3
    spy = _Spy(p)
    result, error = _run(fn, spy, x.clone(), level)
    if error:
        return _report(False, error)
    if len(spy.inputs) != 1:
        return _report(
            False,
            f"Call the denoiser exactly once per step (you called it {len(spy.inputs)} times).",
        )
    x_tilde = spy.inputs[0]
    if x_tilde.shape != x.shape or not ((x_tilde == 0) | (x_tilde == 1)).all():
        return _report(
            False, "The denoiser's input should be x corrupted, binary and of x's shape."
        )
    changed = (x_tilde != x).double().mean().item()
    if changed == 0:
        return _report(False, "The denoiser saw x itself: corrupt x first (salt_and_pepper).")
    if abs(changed - level / 2) > 0.02:
        hint = (
            " You flipped each chosen pixel; salt-and-pepper sets it to 0 or 1 at random, "
            "so only about half of the chosen pixels change."
            if abs(changed - level) < 0.02
            else ""
        )
        return _report(
            False,
            f"{100 * changed:.0f} % of the pixels changed; salt-and-pepper with level "
            f"{level} should change about {100 * level / 2:.0f} %.{hint}",
        )
    if not isinstance(result, torch.Tensor) or result.shape != x.shape:
        shape = tuple(result.shape) if isinstance(result, torch.Tensor) else type(result).__name__
        return _report(False, f"Return x_next with the shape of x {tuple(x.shape)}, got {shape}.")
    if not ((result == 0) | (result == 1)).all():
        return _report(
            False,
            "x_next is not binary: return a Bernoulli draw from the probabilities, "
            "not the probabilities themselves.",
        )
    mean = result.double().mean().item()
    if abs(mean - p) > 0.01:
        hint = (
            " Do not threshold at 0.5: draw each pixel with torch.bernoulli." if mean < 0.01 else ""
        )
        return _report(
            False,
            f"The denoiser said p = {p} for every pixel, "
            f"but {100 * mean:.0f} % of x_next is 1.{hint}",
        )
    return _report(True, "Correct: corrupt, denoise, sample; repeat it and you have the chain.")


def check_switch_counter(fn: Callable[[torch.Tensor], float]) -> bool:
    """``fn(labels)``: label changes per 100 steps, mean over chains; ``labels`` (steps, chains)."""
    cases = [
        torch.tensor([[3, 3], [3, 3], [3, 3]]),
        torch.tensor([[0, 4], [0, 4], [1, 4], [1, 5], [2, 5]]),
        torch.tensor([[7, 0, 1], [8, 1, 1], [7, 2, 1], [8, 0, 1]]),
    ]
    for labels in cases:
        expected = switches_per_100(labels)
        result, error = _run(fn, labels.clone())
        if error:
            return _report(False, error)
        try:
            value = float(result)
        except (TypeError, ValueError):
            return _report(False, f"Return one number, got {type(result).__name__}.")
        if not np.isclose(value, expected):
            steps, chains = labels.shape
            changes = (labels[1:] != labels[:-1]).double()
            hints = [
                (
                    100 * changes.sum(0).mean().item() / steps,
                    " A chain of T steps has T - 1 transitions: divide by T - 1.",
                ),
                (
                    100 * changes.sum().item() / (steps - 1),
                    " Average over the chains instead of adding them up.",
                ),
                (
                    100 * (labels[:, 1:] != labels[:, :-1]).double().mean().item(),
                    " Time is dimension 0: compare each step with the one before it, not chains.",
                ),
                (changes.mean().item(), " Give switches per 100 steps, not per step."),
            ]
            hint = next((h for v, h in hints if np.isclose(value, v)), "")
            return _report(
                False,
                f"For labels {labels.tolist()} expected {expected:.2f}, got {value:.2f}.{hint}",
            )
    return _report(
        True, "Correct: 0 means the chain never leaves its digit; that is the stuck regime."
    )


def check_autocorrelation(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> bool:
    """``fn(series, max_lag)``: autocorrelation at lags ``0..max_lag`` of ``(steps, n_chains)``."""
    g = np.random.default_rng(0)
    steps, chains, phi = 3000, 4, 0.7
    x = np.zeros((steps, chains))
    for t in range(1, steps):
        x[t] = phi * x[t - 1] + g.standard_normal(chains)
    series = torch.from_numpy(x + np.array([5.0, -5.0, 20.0, 0.0]))  # chains with their own mean
    expected = autocorrelation(series, 8)
    result, error = _run(fn, series.clone(), 8)
    if error:
        return _report(False, error)
    r = np.asarray(
        result.detach().cpu() if isinstance(result, torch.Tensor) else result, dtype=float
    )
    if r.shape != expected.shape:
        return _report(
            False, f"Return one value per lag 0..8, shape {expected.shape}, got {r.shape}."
        )
    if not np.isclose(r[0], 1.0):
        return _report(
            False, f"The autocorrelation at lag 0 is 1 by definition; yours is {r[0]:.3g}."
        )
    if not np.allclose(r, expected, atol=0.02):
        hint = ""
        if r[1] > 0.9:
            hint = " Centre each chain on its own mean: the different means look like correlation."
        elif np.allclose(r, phi ** np.arange(9) * 0, atol=0.1):
            hint = " Compare x_t with x_(t+k) along time (dimension 0)."
        return _report(
            False,
            f"Your values {np.round(r[:4], 2).tolist()}... differ from the reference "
            f"{np.round(expected[:4], 2).tolist()}...{hint}",
        )
    return _report(
        True,
        f"Correct: this AR(1) series forgets its past as 0.7^k, so rho(8) = {expected[8]:.2f}.",
    )
