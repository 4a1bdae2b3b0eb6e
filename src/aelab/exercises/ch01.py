"""Checkers for chapter 1: the losses as negative log-likelihoods, and the identity trap."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch.distributions import Bernoulli, Normal

from aelab.exercises._common import _mismatch, _report, _run


def _per_image_hints(result: torch.Tensor, expected: torch.Tensor, d: int) -> str:
    """Hints for the usual slips in a per-image negative log-likelihood."""
    r, e = result.double(), expected.double()
    if torch.allclose(-r, e, rtol=1e-5):
        return " The sign is flipped: a negative log-likelihood is minus the log-density."
    if torch.allclose(r * d, e, rtol=1e-5):
        return " You averaged over the pixels: sum over them (the mean is over the batch)."
    diff = r - e
    if torch.allclose(diff, diff[0].expand_as(diff), atol=1e-4):
        return (
            f" It is off by the same constant ({diff[0].item():+.2f}) for every image: "
            "check the normalising constant."
        )
    if torch.allclose(2 * r, e, rtol=1e-5) or torch.allclose(r, 2 * e, rtol=1e-5):
        return " It is off by a factor of 2: check the 1/2 in front of the squared error."
    return ""


def check_gaussian_nll(fn: Callable[[torch.Tensor, torch.Tensor, float], torch.Tensor]) -> bool:
    """``fn(x_hat, x, sigma)``: -log N(x | x_hat, sigma^2 I) per image, shape ``(N,)``."""
    g = torch.Generator().manual_seed(1)
    for sigma in (1.0, 0.3):
        x_hat = torch.rand(6, 784, generator=g, dtype=torch.float64)
        x = torch.rand(6, 784, generator=g, dtype=torch.float64)
        expected = -Normal(x_hat, sigma).log_prob(x).sum(1)
        result, error = _run(fn, x_hat, x, sigma)
        if error:
            return _report(False, error)
        wrong = _mismatch(result, expected, "The NLL per image")
        if wrong:
            hint = _per_image_hints(result, expected, 784) if "differs" in wrong else ""
            return _report(False, f"{wrong} (sigma = {sigma}).{hint}")
    return _report(True, "Correct: your Gaussian NLL matches torch.distributions.Normal.")


def check_bernoulli_nll(fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]) -> bool:
    """``fn(p, x)``: -log Bernoulli(x | p) per image for probabilities ``p``, shape ``(N,)``."""
    g = torch.Generator().manual_seed(2)
    p = torch.rand(6, 784, generator=g, dtype=torch.float64).clamp(0.01, 0.99)
    x = torch.bernoulli(torch.full((6, 784), 0.3, dtype=torch.float64), generator=g)
    expected = -Bernoulli(probs=p).log_prob(x).sum(1)
    result, error = _run(fn, p, x)
    if error:
        return _report(False, error)
    wrong = _mismatch(result, expected, "The NLL per image")
    if wrong == "The NLL per image contains inf or nan.":
        wrong += " Did you swap p and x? The logarithm is of the prediction p, not of x."
    elif wrong and "differs" in wrong:
        wrong += _per_image_hints(result, expected, 784)
    if wrong:
        return _report(False, wrong)
    return _report(
        True, "Correct: your binary cross-entropy matches torch.distributions.Bernoulli."
    )


def check_pixel_probabilities(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(h)``: one independent probability per pixel from pre-activations ``h`` (N, 784)."""
    g = torch.Generator().manual_seed(3)
    h = 4 * torch.randn(5, 784, generator=g)
    h[0, :3] = torch.tensor([100.0, -100.0, 0.0])  # large logits catch an overflowing exp
    result, error = _run(fn, h)
    if error:
        return _report(False, error)
    if isinstance(result, torch.Tensor) and result.shape == h.shape:
        if torch.allclose(result.sum(1), torch.ones(len(h)), atol=1e-4):
            return _report(
                False,
                "Every image's probabilities sum to 1: that is a softmax over the pixels. "
                "It makes the pixels compete, so an image can have only one white pixel's worth "
                "of ink. Each pixel needs its own probability.",
            )
        if ((result < 0) | (result > 1)).any():
            return _report(False, "Some outputs lie outside [0, 1]: they are not probabilities.")
    wrong = _mismatch(result, torch.sigmoid(h), "The output")
    if wrong:
        if "inf or nan" in wrong:
            wrong += " For large |h|, exp(h) overflows: use torch.sigmoid."
        return _report(False, wrong)
    return _report(True, "Correct: a sigmoid per pixel gives 784 independent probabilities.")


def check_perfect_decoder(fn: Callable[[torch.Tensor], torch.Tensor]) -> bool:
    """``fn(W)``: a decoder matrix V with ``V @ W @ x == x`` for every x (W square, invertible)."""
    g = torch.Generator().manual_seed(4)
    for trial in range(3):
        w = torch.randn(16, 16, generator=g, dtype=torch.float64)
        if trial == 0:  # an orthogonal encoder: its transpose would work too
            w = torch.linalg.qr(w).Q
        result, error = _run(fn, w.clone())
        if error:
            return _report(False, error)
        wrong = _mismatch(result, torch.linalg.inv(w), "V")
        if wrong:
            if isinstance(result, torch.Tensor) and torch.allclose(result.double(), w.T):
                wrong += " The transpose undoes only orthogonal (rotation) encoders."
            return _report(False, wrong)
    return _report(
        True,
        "Correct: V = W^-1 reconstructs every input perfectly, for any invertible encoder. "
        "So a zero training error says nothing about what the code has learned.",
    )
