"""Checkers for chapter 6: a denoising autoencoder's Markov chain, its diagnostics, and the
experiment that trains and runs a chain with too little noise."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from aelab import models
from aelab.data import binarize_dynamic, binarize_static
from aelab.diagnostics import autocorrelation, switches_per_100
from aelab.exercises import _experiment
from aelab.exercises._common import (
    _array,
    _call,
    _kind,
    _number,
    _real_values,
    _tensor,
    _Wrong,
    checker,
)
from aelab.losses import bernoulli_nll
from aelab.noise import salt_and_pepper


class _Spy:
    """A denoiser that records what it was given and returns known probabilities."""

    def __init__(self, p: float) -> None:
        self.p, self.inputs = p, []

    def __call__(self, x_tilde: torch.Tensor) -> torch.Tensor:
        if not isinstance(x_tilde, torch.Tensor) or x_tilde.device.type == "meta":
            raise TypeError(f"the denoiser takes a tensor of values, got {type(x_tilde).__name__}")
        self.inputs.append(x_tilde.detach().cpu().clone())
        return torch.full_like(x_tilde, self.p)


@checker
def check_chain_step(fn: Callable[[Callable, torch.Tensor, float], torch.Tensor]) -> str:
    """``fn(denoiser, x, level)``: corrupt ``x`` with salt-and-pepper, denoise, draw ``x_next``.

    ``denoiser(x_tilde)`` returns pixel probabilities; ``x_next`` must be a
    Bernoulli draw from them.
    """
    x = (torch.rand(400, 784, generator=torch.Generator().manual_seed(0)) < 0.2).float()
    level, p = 0.4, 0.3
    spy = _Spy(p)
    result = _call(fn, spy, x.clone(), level)
    if len(spy.inputs) != 1:
        raise _Wrong(
            f"Call the denoiser exactly once per step (you called it {len(spy.inputs)} times)."
        )
    x_tilde = spy.inputs[0]
    if x_tilde.shape != x.shape or not ((x_tilde == 0) | (x_tilde == 1)).all():
        raise _Wrong("The denoiser's input should be x corrupted, binary and of x's shape.")
    changed = (x_tilde != x).double().mean().item()
    if changed == 0:
        raise _Wrong("The denoiser saw x itself: corrupt x first (salt_and_pepper).")
    if abs(changed - level / 2) > 0.02:
        hint = (
            " You flipped each chosen pixel; salt-and-pepper sets it to 0 or 1 at random, "
            "so only about half of the chosen pixels change."
            if abs(changed - level) < 0.02
            else ""
        )
        raise _Wrong(
            f"{100 * changed:.0f} % of the pixels changed; salt-and-pepper with level "
            f"{level} should change about {100 * level / 2:.0f} %.{hint}"
        )
    x_next = _tensor(result, x, "x_next")
    if not ((x_next == 0) | (x_next == 1)).all():
        raise _Wrong(
            "x_next is not binary: return a Bernoulli draw from the probabilities, "
            "not the probabilities themselves."
        )
    mean = x_next.mean().item()
    if abs(mean - p) > 0.01:
        hint = (
            " Do not threshold at 0.5: draw each pixel with torch.bernoulli." if mean < 0.01 else ""
        )
        raise _Wrong(
            f"The denoiser said p = {p} for every pixel, "
            f"but {100 * mean:.0f} % of x_next is 1.{hint}"
        )
    return "Correct: corrupt, denoise, sample; repeat it and you have the chain."


@checker
def check_switch_counter(fn: Callable[[torch.Tensor], float]) -> str:
    """``fn(labels)``: label changes per 100 steps, mean over chains; ``labels`` (steps, chains)."""
    cases = [
        torch.tensor([[3, 3], [3, 3], [3, 3]]),
        torch.tensor([[0, 4], [0, 4], [1, 4], [1, 5], [2, 5]]),
        torch.tensor([[7, 0, 1], [8, 1, 1], [7, 2, 1], [8, 0, 1]]),
    ]
    for labels in cases:
        expected = switches_per_100(labels)
        result = _call(fn, labels.clone())
        value = _number(result, "The number of switches")
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
            raise _Wrong(
                f"For labels {labels.tolist()} expected {expected:.2f}, got {value:.2f}.{hint}"
            )
    return "Correct: 0 means the chain never leaves its digit; that is the stuck regime."


@checker
def check_autocorrelation(fn: Callable[[torch.Tensor, int], torch.Tensor]) -> str:
    """``fn(series, max_lag)``: autocorrelation at lags ``0..max_lag`` of ``(steps, n_chains)``."""
    g = np.random.default_rng(0)
    steps, chains, phi = 3000, 4, 0.7
    x = np.zeros((steps, chains))
    for t in range(1, steps):
        x[t] = phi * x[t - 1] + g.standard_normal(chains)
    series = torch.from_numpy(x + np.array([5.0, -5.0, 20.0, 0.0]))  # chains with their own mean
    expected = autocorrelation(series, 8)
    result = _call(fn, series.clone(), 8)
    r = _array(result, "The autocorrelation")
    if r.shape != expected.shape:
        raise _Wrong(f"Return one value per lag 0..8, shape {expected.shape}, got {r.shape}.")
    if not np.isclose(r[0], 1.0):
        raise _Wrong(f"The autocorrelation at lag 0 is 1 by definition; yours is {r[0]:.3g}.")
    if not np.allclose(r, expected, atol=0.02):
        hint = ""
        if r[1] > 0.9:
            hint = " Centre each chain on its own mean: the different means look like correlation."
        elif np.abs(r[1:]).max() < 0.1:  # no memory at all: values of different chains paired
            hint = " Compare x_t with x_(t+k) of the same chain, along time (dimension 0)."
        raise _Wrong(
            f"Your values {np.round(r[:4], 2).tolist()}... differ from the reference "
            f"{np.round(expected[:4], 2).tolist()}...{hint}"
        )
    return f"Correct: this AR(1) series forgets its past as 0.7^k, so rho(8) = {expected[8]:.2f}."


#: The chapter's best corruption level, the experiment's baseline; its chains and their length.
CHAPTER_LEVEL, N_CHAINS, CHAIN_STEPS = 0.5, 200, 5

Corruption = Callable[[torch.Tensor], torch.Tensor]


def _corrupted(result: object, x: torch.Tensor) -> torch.Tensor:
    """The student's corrupted copy of the binary batch ``x``, in ``x``'s dtype and device."""
    what = "Your corrupted images"
    if not isinstance(result, torch.Tensor):
        raise _Wrong(f"{what} should be a tensor like x, got {_kind(result)}.")
    _real_values(result, what, "floating-point")
    if result.dtype.itemsize < 4:
        raise _Wrong(f"{what} are in {result.dtype}: keep x's precision.")
    if result.shape != x.shape:
        raise _Wrong(f"{what} should have x's shape {tuple(x.shape)}, got {tuple(result.shape)}.")
    result = result.detach().to(x.device, x.dtype)
    if not ((result == 0) | (result == 1)).all():
        raise _Wrong(
            f"{what} are not binary: salt-and-pepper noise sets pixels to 0 or 1, and the "
            "chain lives on binary images."
        )
    return result


def _stay_rate(corrupt: Corruption) -> float:
    """Train the chapter's DAE with ``corrupt``, run chains with it from test digits.

    Returns the share of the chains whose pixel probabilities after ``CHAIN_STEPS``
    steps lie closest (in Euclidean distance) to the digit they started from,
    among all the start digits.
    """
    x_train, x_test = _experiment.digits()

    def loss(model: nn.Module, batch: torch.Tensor) -> torch.Tensor:
        target = binarize_dynamic(batch)
        return bernoulli_nll(model.logits(corrupt(target)), target).mean()

    torch.manual_seed(0)
    model = models.mlp_autoencoder((784, 1000), code_activation=nn.Tanh)
    _experiment.fit_quietly(model, x_train, loss, epochs=4, batch_size=100, lr=3e-3)
    start = binarize_static(x_test[:N_CHAINS])
    torch.manual_seed(2)
    x = start
    with torch.no_grad():
        for _ in range(CHAIN_STEPS):
            p = torch.sigmoid(model.logits(corrupt(x)))
            x = torch.bernoulli(p)
    nearest = torch.cdist(p, start).argmin(1).cpu()
    return (nearest == torch.arange(N_CHAINS)).double().mean().item()


@functools.lru_cache(maxsize=2)
def _at_chapter_level(device: str) -> float:
    """The chapter's chain at its best level: the same for every answer."""
    return _stay_rate(lambda x: salt_and_pepper(x, CHAPTER_LEVEL))


@checker
def check_too_little_noise(fn: Corruption) -> str:
    """``fn(x)``: the corruption of a chain with too little noise, e.g. salt-and-pepper at 0.1.

    ``x`` holds binary digits (N, 784), 0.0 or 1.0; the answer is a corrupted binary
    copy of the same shape. The checker trains the chapter's denoising autoencoder
    (784-1000-784, tanh, Bernoulli outputs) twice from the same start, on 3,000
    digits for 4 epochs (about two seconds each on a CPU): with salt-and-pepper noise
    at the chapter's best level 0.5 and with your corruption. It then runs 200 chains
    from test digits for 5 steps, each with its own corruption, and measures how many
    of them still lie closest to the digit they started from (among the 200 start
    digits). It passes when too little noise left the chains near their start.
    """
    _, x_test = _experiment.digits()
    x = binarize_static(x_test[:100])
    changed = (_corrupted(_call(fn, x.clone()), x) != x).double().mean().item()
    if changed == 0:
        raise _Wrong(
            "Your corruption changes no pixel of the checker's digits: without noise the "
            "chain cannot move at all. Replace a small fraction of the pixels by 0 or 1."
        )

    def yours(batch: torch.Tensor) -> torch.Tensor:
        return _corrupted(_call(fn, batch.clone()), batch)

    chapter = _at_chapter_level(str(x.device))
    stayed = _stay_rate(yours)
    seen = (
        f"after {CHAIN_STEPS} steps, {100 * stayed:.0f} % of {N_CHAINS} chains from test digits "
        f"lie closest to the digit they started from with your corruption (it changes "
        f"{100 * changed:.0f} % of the pixels), {100 * chapter:.0f} % at the chapter's level "
        f"{CHAPTER_LEVEL} (it changes {50 * CHAPTER_LEVEL:.0f} %)"
    )
    if not (stayed >= 0.25 and stayed >= 4 * chapter):
        raise _Wrong(
            f"Measured {seen}: most of your chains have already left their start. Use less "
            "corruption, e.g. salt-and-pepper noise at level 0.1."
        )
    return (
        f"Measured {seen}: with little noise each step repairs a few pixels and redraws "
        "the same digit, so the chain crawls; it would need many more steps per sample."
    )
