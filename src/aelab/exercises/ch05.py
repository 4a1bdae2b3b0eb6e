"""Checkers for chapter 5: PSNR, Noise2Noise training pairs, what a loss converges to, and the
experiment that trains a Noise2Noise denoiser on targets with impulse noise."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import torch
from skimage.metrics import peak_signal_noise_ratio
from torch import nn

from aelab import unet
from aelab.exercises import _experiment
from aelab.exercises._common import _call, _kind, _number, _tensor, _Wrong, checker
from aelab.noise import gaussian, salt_and_pepper
from aelab.noise import psnr as decibels


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


#: The experiment's noise: Gaussian on the inputs, impulses (salt-and-pepper) on the targets.
INPUT_SIGMA, IMPULSE_LEVEL = 0.3, 0.3

Metric = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def _images(x: torch.Tensor) -> torch.Tensor:
    return x.view(-1, 1, 28, 28)


def _train_on_impulse_targets(metric: Metric) -> tuple[float, float]:
    """Train a small U-Net N2N-style with ``metric(output, target)``.

    Returns the mean of (output - clean) on the test digits in grey levels (of
    255) and the PSNR of the output, clipped to [0, 1], against the clean digits.
    """
    x_train, x_test = (_images(x) for x in _experiment.digits())

    def loss(model: nn.Module, clean: torch.Tensor) -> torch.Tensor:
        x = gaussian(clean, INPUT_SIGMA)
        return metric(model(x), salt_and_pepper(clean, IMPULSE_LEVEL))

    torch.manual_seed(0)
    model = unet.UNet(1, 8, levels=1, residual=False)
    _experiment.fit_quietly(model, x_train, loss, epochs=1, batch_size=50, lr=2e-3)
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        out = model(gaussian(x_test, INPUT_SIGMA, g))
    return 255 * (out - x_test).mean().item(), decibels(out.clamp(0, 1), x_test)


@functools.lru_cache(maxsize=2)
def _with_l2(device: str) -> tuple[float, float]:
    """The chapter's Noise2Noise loss, the mean squared error: the same for every answer."""
    return _train_on_impulse_targets(nn.functional.mse_loss)


@checker
def check_impulse_noise_loss(fn: Metric) -> str:
    """``fn(output, target)``: the training loss of a denoiser whose targets carry impulse noise.

    ``output`` holds the denoiser's images for a batch, shape (N, 1, 28, 28), and
    ``target`` a second noisy copy of the same digits in which 30 % of the pixels
    were replaced by 0 or 1 at random (salt-and-pepper): noise whose mean is not
    zero but whose median is. The answer is one number for the batch. The checker
    trains a small U-Net (8 channels, one pooling) twice from the same start, on
    3,000 digits with Gaussian noise on the inputs for one epoch (about two seconds
    each on a CPU): with the mean squared error, as the chapter's Noise2Noise, and
    with your loss. On 1,000 noisy test digits it measures the mean of (output -
    clean) and the PSNR against the clean digits, and passes when your loss learned
    the clean digits (the targets' median) where the squared error learns their mean.
    """
    _, x_test = _experiment.digits()
    clean = _images(x_test[:8])
    g = torch.Generator().manual_seed(0)
    target = salt_and_pepper(clean, IMPULSE_LEVEL, g)
    torch.manual_seed(0)
    output = unet.UNet(1, 8, levels=1, residual=False).to(clean.device)(
        gaussian(clean, INPUT_SIGMA, g)
    )
    answer = _call(fn, output, target.clone())
    _experiment.loss_value(  # a sum over 8 digits: ~2,000
        answer,
        output,
        largest=1e5,
        never_negative="a loss to minimise measures how far the output lies from the "
        "target, so it is never negative.",
    )

    def yours(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        result = _call(fn, output, target)
        if not isinstance(result, torch.Tensor) or result.numel() != 1:
            raise _Wrong(f"During training your loss returned {_kind(result)}: give one number.")
        return result.reshape(())

    offset_l2, psnr_l2 = _with_l2(str(clean.device))
    offset, psnr = _train_on_impulse_targets(yours)
    g = torch.Generator().manual_seed(1)
    psnr_noisy = decibels(gaussian(_images(x_test), INPUT_SIGMA, g), _images(x_test))
    mean_of_targets = 255 * IMPULSE_LEVEL * (0.5 - x_test.mean().item())
    seen = (
        f"on 1,000 noisy test digits: mean of (output - clean) {offset:+.1f} grey levels with "
        f"your loss, {offset_l2:+.1f} with the squared error (the targets' mean lies "
        f"{mean_of_targets:.1f} above the clean digits, their median on them); PSNR "
        f"{psnr:.1f} dB with your loss, {psnr_l2:.1f} dB with the squared error, "
        f"{psnr_noisy:.1f} dB for the noisy inputs"
    )
    if not abs(offset) < abs(offset_l2) / 3:
        fix = (
            "your denoiser learned the targets' mean, as the squared error does"
            if offset > abs(offset_l2) / 3
            else "your denoiser's output lies below the clean digits"
        )
        raise _Wrong(
            f"Measured {seen}: {fix}. Use a loss minimised by the median: the mean absolute error."
        )
    if not psnr > psnr_l2 + 1:
        raise _Wrong(
            f"Measured {seen}: your denoiser is unbiased but does not denoise better; "
            "use the mean absolute error between output and target."
        )
    return (
        f"Measured {seen}: the squared error learns the targets' mean, pulled towards grey "
        "by the impulses; your loss learns their median, the clean digit it never saw."
    )
