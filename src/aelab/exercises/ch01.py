"""Checkers for chapter 1: the losses as negative log-likelihoods, and the identity trap."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.distributions import Bernoulli, Normal

from aelab.data import binarize_dynamic
from aelab.exercises._common import _call, _close, _first_hint, _tensor, _Wrong, checker


def _per_image_hints(r: torch.Tensor, expected: torch.Tensor, d: int, dtype: torch.dtype) -> str:
    """Hints for the usual slips in a per-image negative log-likelihood ``r`` (float64)."""
    hint = _first_hint(
        r,
        [
            (
                -expected,
                " The sign is flipped: a negative log-likelihood is minus the log-density.",
            ),
            (
                expected / d,
                " You averaged over the pixels: sum over them (the mean is over the batch).",
            ),
        ],
        dtype,
    )
    if hint:
        return hint
    diff = r - expected
    if torch.allclose(diff, diff[0].expand_as(diff), atol=1e-4):
        return (
            f" It is off by the same constant ({diff[0].item():+.2f}) for every image: "
            "check the normalising constant."
        )
    return ""


@checker
def check_gaussian_nll(fn: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]) -> str:
    """``fn(x_hat, x, sigma)``: -log N(x | x_hat, sigma^2 I) per image, shape ``(N,)``."""
    g = torch.Generator().manual_seed(1)
    for sigma in (1.0, 0.3):
        x_hat = torch.rand(6, 784, generator=g, dtype=torch.float64)
        x = torch.rand(6, 784, generator=g, dtype=torch.float64)
        expected = -Normal(x_hat, sigma).log_prob(x).sum(1)
        result = _call(fn, x_hat.clone(), x.clone(), sigma)
        r = _tensor(result, expected, f"The NLL per image (sigma = {sigma})")
        if not _close(r, expected, result.dtype):
            # forgetting the 1/2 doubles only the squared-error term, not the constant
            squared = ((x - x_hat) ** 2).sum(1) / (2 * sigma**2)
            hint = _first_hint(
                r,
                [
                    (
                        expected + squared,
                        " The squared error is twice too large: check the 1/2 in front of it.",
                    ),
                    (
                        2 * expected,
                        " It is off by a factor of 2: check the 1/2 in front of the squared error.",
                    ),
                    (
                        expected / 2,
                        " It is off by a factor of 2: check the 1/2 in front of the squared error.",
                    ),
                ],
                result.dtype,
            ) or _per_image_hints(r, expected, 784, result.dtype)
            raise _Wrong(f"The NLL per image differs from the reference (sigma = {sigma}).{hint}")
    return "Correct: your Gaussian NLL matches torch.distributions.Normal."


@checker
def check_bernoulli_nll(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> str:
    """``fn(p, x)``: -log Bernoulli(x | p) per image for probabilities ``p``, shape ``(N,)``."""
    g = torch.Generator().manual_seed(2)
    p = torch.rand(6, 784, generator=g, dtype=torch.float64).clamp(0.01, 0.99)
    x = binarize_dynamic(torch.full((6, 784), 0.3, dtype=torch.float64), g)
    expected = -Bernoulli(probs=p).log_prob(x).sum(1)
    result = _call(fn, p.clone(), x.clone())
    swapped = " Did you swap p and x? The logarithm is of the prediction p, not of x."
    r = _tensor(result, expected, "The NLL per image", if_not_finite=swapped)
    if not _close(r, expected, result.dtype):
        hint = _per_image_hints(r, expected, 784, result.dtype)
        raise _Wrong(f"The NLL per image differs from the reference.{hint}")
    return "Correct: your binary cross-entropy matches torch.distributions.Bernoulli."


@checker
def check_pixel_probabilities(fn: Callable[[torch.Tensor], torch.Tensor]) -> str:
    """``fn(h)``: one independent probability per pixel from pre-activations ``h`` (N, 784)."""
    g = torch.Generator().manual_seed(3)
    h = 4 * torch.randn(5, 784, generator=g)
    h[0, :3] = torch.tensor([100.0, -100.0, 0.0])  # large logits catch an overflowing exp
    expected = torch.sigmoid(h.double())
    result = _call(fn, h.clone())
    overflow = " For large |h|, exp(h) overflows: use torch.sigmoid."
    r = _tensor(result, expected, "The output", if_not_finite=overflow)
    if torch.allclose(r.sum(1), torch.ones(len(h), dtype=torch.float64), atol=1e-3):
        raise _Wrong(
            "Every image's probabilities sum to 1: that is a softmax over the pixels. "
            "It makes the pixels compete, so an image can have only one white pixel's worth "
            "of ink. Each pixel needs its own probability."
        )
    if ((r < 0) | (r > 1)).any():
        raise _Wrong("Some outputs lie outside [0, 1]: they are not probabilities.")
    if not _close(r, expected, result.dtype):
        raise _Wrong("The output differs from the reference.")
    return "Correct: a sigmoid per pixel gives 784 independent probabilities."


@checker
def check_perfect_decoder(fn: Callable[[torch.Tensor], torch.Tensor]) -> str:
    """``fn(W)``: a decoder matrix V with ``V @ W @ x == x`` for every x (W square, invertible)."""
    g = torch.Generator().manual_seed(4)
    for trial in range(3):
        w = torch.randn(16, 16, generator=g, dtype=torch.float64)
        if trial == 0:  # an orthogonal encoder: its transpose would work too
            w = torch.linalg.qr(w).Q
        expected = torch.linalg.inv(w)
        result = _call(fn, w.clone())
        r = _tensor(result, expected, "V")
        if not _close(r, expected, result.dtype):
            hint = _first_hint(
                r, [(w.T, " The transpose undoes only orthogonal (rotation) encoders.")]
            )
            raise _Wrong(f"V differs from the reference.{hint}")
    return (
        "Correct: V = W^-1 reconstructs every input perfectly, for any invertible encoder. "
        "So a zero training error says nothing about what the code has learned."
    )
