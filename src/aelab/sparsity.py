"""Sparse codes: penalties that ask for them, and measurements that check them.

The penalties (each a scalar, ready to be added to a reconstruction loss):

* ``l1_activations`` - the L1 norm of the code, summed over units and averaged
  over the batch: sparsity of the *activations*, the lecture's recipe;
* ``l1_weights`` - the L1 norm of the weight matrices: sparsity of the
  *weights*, which the lecture warns does not give sparse codes;
* ``kl_sparsity`` - Ng's penalty, the sum over code units of the KL divergence
  between a Bernoulli(rho) and a Bernoulli(mean activation of the unit).

``sparse_l2(penalty, weight)`` combines one of them with the squared error
into a training loss ``loss(model, batch)`` for ``ae.fit``.

The measurements take a matrix of codes ``(N, k)`` (``codes(model, x)``, which
is ``ae.models.codes``):
``active_fraction`` (per input, then averaged), ``lifetime_sparsity`` (per
unit: on how many inputs it fires), ``dead_units``; and for filters,
``orientation_concentration``, how much of a filter's spectral energy lies
along one orientation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch
from torch import nn

from aelab import losses
from aelab._arrays import as_numpy
from aelab.models import codes as codes  # sparsity.codes: chapters 3 and 7 call it so
from aelab.models import linear_layers

if TYPE_CHECKING:
    from aelab.train import Loss

PENALTIES = ("none", "l1_activations", "l1_weights", "kl")


# --- penalties ------------------------------------------------------------------


def l1_activations(codes: torch.Tensor) -> torch.Tensor:
    """sum_j |y_j| per input, averaged over the batch (the reduction of ``ae.losses``)."""
    return codes.abs().flatten(1).sum(1).mean()


def l1_weights(model: nn.Module) -> torch.Tensor:
    """sum |w| over the weight matrices of every ``nn.Linear`` and conv layer (no biases)."""
    weights = [m.weight for m in model.modules() if isinstance(m, nn.Linear | nn.Conv2d)]
    if not weights:
        raise ValueError(
            "the model has no Linear or Conv2d layer whose weights could be penalised."
        )
    return torch.stack([w.abs().sum() for w in weights]).sum()


def kl_bernoulli(rho: float | torch.Tensor, rho_hat: torch.Tensor) -> torch.Tensor:
    """KL(Bernoulli(rho) || Bernoulli(rho_hat)), elementwise, in nats."""
    rho = torch.as_tensor(rho, dtype=rho_hat.dtype, device=rho_hat.device)
    return rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log((1 - rho) / (1 - rho_hat))


def kl_sparsity(
    codes: torch.Tensor, rho: float, eps: float = 1e-6, check: bool = True
) -> torch.Tensor:
    """Ng's sparsity penalty: sum_j KL(rho || rho_hat_j), rho_hat_j the batch mean of unit j.

    The codes must lie in [0, 1] (a sigmoid code layer): rho_hat_j is read as the
    probability that unit j fires. ``eps`` keeps the logarithms finite when a unit
    is saturated over the whole batch. ``check=False`` skips the range check,
    which waits for the device; ``sparse_l2`` checks the first batch only.
    """
    if not 0 < rho < 1:
        raise ValueError(f"rho={rho}: the target activation must lie strictly between 0 and 1.")
    if check and (codes.min() < 0 or codes.max() > 1):
        raise ValueError(
            "kl_sparsity needs codes in [0, 1], e.g. from a sigmoid code layer "
            "(ae.models.mlp_autoencoder(..., code_activation=torch.nn.Sigmoid))."
        )
    rho_hat = codes.flatten(1).mean(0).clamp(eps, 1 - eps)
    return kl_bernoulli(rho, rho_hat).sum()


def sparse_l2(penalty: str = "none", weight: float = 0.0, rho: float = 0.05) -> Loss:
    """A training loss: squared error per input (mean over the batch) + ``weight`` x penalty.

    ``penalty`` is one of ``PENALTIES``; ``rho`` is the target of ``"kl"``. The
    encoder runs once per batch: the code feeds both the decoder and the penalty.
    """
    if penalty not in PENALTIES:
        raise ValueError(f"penalty={penalty!r}: choose one of {PENALTIES}.")
    if weight < 0:
        raise ValueError(f"weight={weight}: a penalty weight cannot be negative.")

    checked = False

    def loss(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        nonlocal checked
        y = model.encode(x)
        value = losses.squared_error(model.decode(y), x).mean()
        if penalty == "l1_activations":
            value = value + weight * l1_activations(y)
        elif penalty == "l1_weights":
            value = value + weight * l1_weights(model)
        elif penalty == "kl":
            value = value + weight * kl_sparsity(y, rho, check=not checked)
            checked = True
        return value

    loss.__name__ = f"sparse_l2_{penalty}"
    return loss


# --- measurements on codes -----------------------------------------------------------


def active(codes: torch.Tensor, threshold: float) -> torch.Tensor:
    """Boolean ``(N, k)``: unit j counts as active on input n when |y_nj| > threshold."""
    if threshold < 0:
        raise ValueError(f"threshold={threshold}: use a non-negative threshold.")
    return codes.flatten(1).abs() > threshold


def active_fraction(codes: torch.Tensor, threshold: float) -> float:
    """Fraction of code units active per input, averaged over the inputs."""
    return active(codes, threshold).float().mean(1).mean().item()


def lifetime_sparsity(codes: torch.Tensor, threshold: float) -> torch.Tensor:
    """For each unit, the fraction of inputs on which it is active: shape ``(k,)``."""
    return active(codes, threshold).float().mean(0)


def dead_units(codes: torch.Tensor, threshold: float) -> int:
    """Number of units that are active on none of the inputs."""
    return int((lifetime_sparsity(codes, threshold) == 0).sum())


# --- filters ---------------------------------------------------------------------------


def encoder_filters(model: nn.Module) -> torch.Tensor:
    """Rows of the encoder's first ``nn.Linear`` layer: one filter per code unit, ``(k, D)``.

    A copy on the CPU: it does not change when the model trains on.
    """
    return _linear(model.encoder, first=True).weight.detach().cpu().clone()


def decoder_filters(model: nn.Module) -> torch.Tensor:
    """Columns of the decoder's last ``nn.Linear`` layer: what each unit adds, ``(k, D)``.

    A copy on the CPU, like ``encoder_filters``.
    """
    return _linear(model.decoder, first=False).weight.detach().cpu().T.clone()


def _linear(part: nn.Module, first: bool) -> nn.Linear:
    linears = linear_layers(part)
    if not linears:
        raise ValueError("this part of the model has no nn.Linear layer to read filters from.")
    return linears[0] if first else linears[-1]


def orientation_concentration(filters: torch.Tensor | np.ndarray, pad: int = 4) -> np.ndarray:
    """How much of each square filter's energy lies along a single orientation, in [0, 1].

    Each filter (a row of ``filters``, ``(k, s*s)``, or ``(k, s, s)``) loses its
    mean and is Fourier transformed (zero-padded ``pad`` times for a finer grid).
    Every frequency k carries power P(k) and an orientation theta(k); the
    result is the length of the power-weighted mean of exp(2i theta):

        R = |sum_k P(k) exp(2i theta_k)| / sum_k P(k).

    Doubling the angle makes theta and theta + 180 degrees count alike. R = 1
    for a filter whose energy lies on one line through the origin of the
    frequency plane (a perfect grating or edge), near 0 for white noise or a
    round blob. ``dominant_orientation`` gives the matching angle.
    """
    r, _ = _orientation_moments(filters, pad)
    return r


def dominant_orientation(filters: torch.Tensor | np.ndarray, pad: int = 4) -> np.ndarray:
    """Orientation in degrees, [0, 180), of the edges or stripes in each filter.

    The spectrum of a vertical edge lies along the horizontal frequency axis,
    so the edge orientation is the spectral one plus 90 degrees. Angles are
    measured counter-clockwise from the image's x axis (rows run downwards).
    """
    _, angle = _orientation_moments(filters, pad)
    return angle


def _orientation_moments(
    filters: torch.Tensor | np.ndarray, pad: int
) -> tuple[np.ndarray, np.ndarray]:
    f = as_numpy(filters)
    if f.ndim == 2:
        side = int(round(np.sqrt(f.shape[1])))
        if side * side != f.shape[1]:
            raise ValueError(f"filters of {f.shape[1]} values are not square images.")
        f = f.reshape(len(f), side, side)
    if f.ndim != 3:
        raise ValueError(f"give filters as (k, s*s) or (k, s, s), got shape {f.shape}.")
    h, w = f.shape[1:]
    f = f - f.mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(f, s=(pad * h, pad * w))) ** 2
    fy = np.fft.fftfreq(pad * h)[:, None]
    fx = np.fft.fftfreq(pad * w)[None, :]
    theta = np.arctan2(-fy, fx)  # rows run downwards: flip y to measure counter-clockwise
    phase = np.exp(2j * theta)
    phase[0, 0] = 0.0  # the DC term has no orientation (and is ~0 after removing the mean)
    total = power.sum(axis=(1, 2))
    moment = (power * phase).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.where(total > 0, np.abs(moment) / total, 0.0)
    spectral = np.degrees(np.angle(moment)) / 2
    return r, (spectral + 90.0) % 180.0
