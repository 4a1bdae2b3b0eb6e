"""Checkers for chapter 1: the losses as negative log-likelihoods, the identity trap, and the
experiment that narrows the bottleneck."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn
from torch.distributions import Bernoulli, Normal

from aelab import losses, train
from aelab.data import binarize_dynamic
from aelab.exercises import _experiment
from aelab.exercises._common import (
    _call,
    _close,
    _first_hint,
    _kind,
    _real_values,
    _tensor,
    _Wrong,
    checker,
)


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


#: The code sizes the bottleneck experiment compares: the chapter's, and a narrow one.
WIDE, NARROW = 32, 2


def _autoencoder(fn: Callable[[int], nn.Module], code_size: int, x: torch.Tensor) -> nn.Module:
    """``fn(code_size)``, built from seed 0, once it maps a batch of digits ``x`` to images."""
    torch.manual_seed(0)
    model = _call(fn, code_size)
    what = f"make_autoencoder({code_size})"
    if not isinstance(model, nn.Module):
        made = "the class itself: call it" if isinstance(model, type) else _kind(model)
        raise _Wrong(f"{what} should return a model (an nn.Module), got {made}.")
    weight = next((p for p in model.parameters() if p.is_floating_point()), None)
    if weight is None:
        raise _Wrong(f"{what} has no parameters to train: build it from nn.Linear layers.")
    if weight.dtype.itemsize < 4:
        raise _Wrong(f"{what} is in {weight.dtype}: keep the model in float32.")
    x = _experiment.like(x, weight)
    try:
        out = _call(model, x)
    except _Wrong as wrong:
        raise _Wrong(f"{what}: {wrong}") from None
    if not isinstance(out, torch.Tensor):
        raise _Wrong(f"{what}(x) should return a tensor of images, got {_kind(out)}.")
    _real_values(out, f"The output of {what}", "floating-point")
    if out.dtype.itemsize < 4:
        raise _Wrong(f"{what} gives {out.dtype}: compute in the input's precision.")
    if out.shape != x.shape:
        raise _Wrong(
            f"{what} should map digits {tuple(x.shape)} to images of the same shape, got "
            f"{tuple(out.shape)}: the decoder should follow the encoder."
        )
    if not torch.isfinite(out).all():
        raise _Wrong(f"The output of {what} contains inf or nan.")
    if ((out < 0) | (out > 1)).any():
        raise _Wrong(
            f"{what} gives pixels outside [0, 1]: end the decoder with a sigmoid, like the "
            "chapter's model."
        )
    if not out.requires_grad:
        raise _Wrong(f"The output of {what} carries no gradient: do not detach it.")
    return model


def _test_error(model: nn.Module) -> float:
    """Train ``model`` (seed 0) on the checker's digits; its test squared error per image."""
    x_train, x_test = _experiment.digits()
    dtype = next(model.parameters()).dtype  # float32, or float64 if the model is
    checked = _experiment.Checked(model)  # an error in your model is a verdict, not a traceback
    _experiment.fit_quietly(checked, x_train.to(dtype), losses.l2, epochs=3, batch_size=50, lr=3e-3)
    return train.evaluate(checked, x_test.to(dtype), losses.l2)


@checker
def check_code_size_experiment(fn: Callable[[int], nn.Module]) -> str:
    """``fn(code_size)``: a new, untrained autoencoder whose code has ``code_size`` numbers.

    Like the chapter's: 784 -> 256 -> code_size -> 256 -> 784, ReLU hidden layers and
    a sigmoid output. The checker builds it for codes of 32 numbers (the chapter's)
    and of 2, each from seed 0, and trains both with the squared error on 3,000
    digits for 3 epochs (a second or two each on a CPU). It measures the squared
    error per image on 1,000 test digits and passes when the narrow bottleneck
    reconstructs clearly worse: an error at least 1.4 times that of the wide one.
    """
    x = _experiment.digits()[1][:8]
    narrow = _autoencoder(fn, NARROW, x)
    wide = _autoencoder(fn, WIDE, x)
    if narrow is wide:
        raise _Wrong("make_autoencoder returns the same model twice: build a new one per call.")
    err_narrow, err_wide = _test_error(narrow), _test_error(wide)
    seen = (
        f"Measured test squared error per image: {err_narrow:.1f} with a code of {NARROW} "
        f"numbers, {err_wide:.1f} with {WIDE}"
    )
    if err_narrow == err_wide:
        raise _Wrong(
            f"{seen}, the very same: your function ignores code_size. Use it as the width "
            "of the code layer (the encoder's last nn.Linear, the decoder's first)."
        )
    if not err_narrow >= 1.4 * err_wide:
        raise _Wrong(
            f"{seen}: the narrow code should reconstruct clearly worse. Does code_size set "
            "the width of the code layer, the narrowest of the network?"
        )
    return (
        f"{seen} ({err_narrow / err_wide:.1f} times as large): through {NARROW} numbers "
        "the decoder gets too little to redraw the strokes, only the rough shape of a digit."
    )
