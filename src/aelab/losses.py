"""Reconstruction losses as negative log-likelihoods, with the reduction made explicit.

Every per-image function here **sums over pixels** and returns one number per
image; the training losses (``l2``, ``bce``) then take the **mean over the
batch**. Mixing the two reductions up (a mean over pixels, say) silently
rescales the loss by 784 and is the classic bug in published VAE code.

Training losses have the signature ``loss(model, batch) -> scalar`` that
``aelab.fit`` expects.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


def _per_image(values: torch.Tensor) -> torch.Tensor:
    """Sum every dimension but the first (the batch)."""
    return values.flatten(1).sum(1)


def squared_error(x_hat: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """||x - x_hat||^2 per image: the book's reconstruction metric."""
    _same_shape(x_hat, x)
    return _per_image((x - x_hat).square())


def gaussian_nll(x_hat: torch.Tensor, x: torch.Tensor, sigma: float = 1.0) -> torch.Tensor:
    """-log N(x | x_hat, sigma^2 I) per image.

    Equals ``squared_error / (2 sigma^2) + D log(sigma) + D/2 log(2 pi)``: the
    squared L2 loss up to a scale and a constant that no gradient sees.
    """
    _same_shape(x_hat, x)
    d = x[0].numel()
    return (
        squared_error(x_hat, x) / (2 * sigma**2)
        + d * math.log(sigma)
        + 0.5 * d * math.log(2 * math.pi)
    )


def bernoulli_nll(logits: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """-log Bernoulli(x | sigmoid(logits)) per image: binary cross-entropy.

    Takes logits rather than probabilities: ``log(sigmoid(h))`` computed in one
    step stays finite where ``log`` of a rounded-to-zero probability would not.
    """
    _same_shape(logits, x)
    return _per_image(F.binary_cross_entropy_with_logits(logits, x, reduction="none"))


# --- training losses: loss(model, batch) -> scalar ------------------------------


def l2(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Squared error per image, mean over the batch."""
    return squared_error(model(x), x).mean()


def bce(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy per image (summed over pixels), mean over the batch.

    Needs a probability per pixel. With a sigmoid output layer it uses the
    logits directly (numerically stable); other outputs must already lie in
    [0, 1] (e.g. the softmax of chapter 1's cautionary example).
    """
    output = getattr(model, "output", None)
    if output == "sigmoid":
        return bernoulli_nll(model.logits(x), x).mean()
    if output == "linear":
        raise ValueError(
            "bce needs a probability per pixel, but this model has a linear output layer. "
            "Build it with output='sigmoid', or train it with ae.losses.l2."
        )
    p = model(x)
    _same_shape(p, x)
    return _per_image(F.binary_cross_entropy(p, x, reduction="none")).mean()


#: fit and evaluate check, once per call, that the data lie in this range: BCE's targets are
#: probabilities, and binary_cross_entropy_with_logits silently accepts any number.
bce.data_range = (0.0, 1.0)


def _same_shape(a: torch.Tensor, b: torch.Tensor) -> None:
    if not (a.is_floating_point() and b.is_floating_point()):
        raise TypeError(
            f"losses need floating-point tensors, got {a.dtype} and {b.dtype}. "
            "Convert 8-bit images with x.float() / 255 (ae.data.mnist() already does)."
        )
    if a.shape != b.shape:
        raise ValueError(
            f"prediction has shape {tuple(a.shape)} but the target has {tuple(b.shape)}; "
            "they must match (e.g. flat (N, 784) images for the MLP models)."
        )
