"""Checkers for chapter 5: PSNR, Noise2Noise training pairs, and what a loss converges to."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio

from aelab.exercises._common import _call, _number, _tensor, _Wrong, checker


@checker
def check_psnr(fn: Callable[[np.ndarray, np.ndarray], float]) -> str:
    """``fn(estimate, clean)``: PSNR in dB for images in [0, 1], compared with scikit-image."""
    rng = np.random.default_rng(5)
    for shape, sigma in (((32, 48), 0.1), ((20, 20), 0.02)):
        clean = rng.random(shape)
        estimate = np.clip(clean + sigma * rng.standard_normal(shape), 0, 1)
        expected = peak_signal_noise_ratio(clean, estimate, data_range=1.0)
        result = _call(fn, estimate.copy(), clean.copy())
        value = _number(result, "The PSNR")
        if not math.isclose(value, expected, rel_tol=1e-5):
            mse = np.mean((estimate - clean) ** 2)
            hints = [
                (
                    -10 * math.log10(mse) / 2,
                    " Square the error: PSNR uses the mean *squared* error.",
                ),
                (10 * math.log(1 / mse), " Use log10, not the natural logarithm."),
                (10 * math.log10(1 / np.sum((estimate - clean) ** 2)), " Average, do not sum."),
                (-expected, " Check the sign: a smaller error must give a larger PSNR."),
            ]
            hint = next((h for v, h in hints if math.isclose(value, v, rel_tol=1e-5)), "")
            raise _Wrong(f"Got {value:.3f} dB, scikit-image says {expected:.3f} dB.{hint}")
    return "Correct: your PSNR matches skimage.metrics.peak_signal_noise_ratio."


@checker
def check_n2n_pair(
    fn: Callable[[torch.Tensor, float, torch.Generator], tuple[torch.Tensor, torch.Tensor]],
) -> str:
    """``fn(clean, sigma, generator)``: two independent noisy copies of ``clean``."""
    clean = torch.rand(64, 1, 24, 24, generator=torch.Generator().manual_seed(3))
    sigma = 0.1
    result = _call(fn, clean.clone(), sigma, torch.Generator().manual_seed(4))
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise _Wrong("Return a pair (noisy_input, noisy_target).")
    a, b = (
        (_tensor(part, clean, f"The {name}") - clean.double()).flatten()
        for part, name in zip(result, ("noisy input", "noisy target"), strict=True)
    )
    for noise, name in ((a, "input"), (b, "target")):
        if noise.std() < 1e-6:
            raise _Wrong(f"The {name} is the clean image: Noise2Noise adds noise to both.")
        if not 0.95 * sigma < noise.std() < 1.05 * sigma:
            raise _Wrong(
                f"The {name}'s noise has standard deviation {noise.std():.3f}, not sigma = {sigma}"
                " (multiply standard normal noise by sigma)."
            )
        if abs(noise.mean()) > 0.1 * sigma:
            raise _Wrong(f"The {name}'s noise should have mean zero.")
    correlation = torch.corrcoef(torch.stack([a, b]))[0, 1].item()
    if abs(correlation) > 0.05:
        raise _Wrong(
            f"The two noises are correlated ({correlation:.2f}): draw the target's noise anew,"
            " independently of the input's."
        )
    return "Correct: two independent noisy copies, neither of them clean."


@checker
def check_best_constant(fn: Callable[[torch.Tensor, str], torch.Tensor]) -> str:
    """``fn(targets, loss)``: the constant c minimising the mean L2 or L1 loss to ``targets``."""
    g = torch.Generator().manual_seed(6)
    targets = torch.empty(501, dtype=torch.float64).exponential_(generator=g)  # skewed
    expected = {"l2": targets.mean(), "l1": targets.median()}
    for loss in ("l2", "l1"):
        result = _call(fn, targets.clone(), loss)
        value = _number(result, f"The constant for loss={loss!r}")
        if not math.isclose(value, float(expected[loss]), rel_tol=1e-5, abs_tol=1e-9):
            other = "l1" if loss == "l2" else "l2"
            hint = ""
            if math.isclose(value, float(expected[other]), rel_tol=1e-5):
                hint = f" That is the minimiser of the {other.upper()} loss."
            raise _Wrong(f"Wrong constant for loss={loss!r}.{hint}")
    return "Correct: L2 is minimised by the mean, L1 by the median; for skewed noise they differ."
