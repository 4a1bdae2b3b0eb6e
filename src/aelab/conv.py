"""Convolutional autoencoders for 1 x 28 x 28 images, and tools to look inside them.

The encoder halves the image's height and width at every stage, either with a
stride-2 convolution or with a convolution followed by 2 x 2 max pooling, and a
linear layer maps the last feature maps to a code of ``code_size`` numbers, so a
convolutional and an MLP autoencoder can be compared at the same code size. The
decoder mirrors it: a linear layer back to feature maps, then per stage either
nearest-neighbour upsampling followed by a convolution ("resize-convolution") or
one stride-2 transposed convolution. Both decoders have the same number of
parameters; they differ in how they fill the new pixels, which is what
``checkerboard_score`` measures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from aelab.models import AutoEncoder

DOWNSAMPLE = ("stride", "maxpool")
UPSAMPLE = ("nearest", "transposed")


def _check_design(code_size: int, channels: Sequence[int], image_size: int) -> int:
    """Validate the shared arguments; return the side of the smallest feature map."""
    if not isinstance(code_size, int) or code_size < 1:
        raise ValueError(f"code_size={code_size!r}: give a positive whole number of code units.")
    if not channels or any(not isinstance(c, int) or c < 1 for c in channels):
        raise ValueError(
            f"channels={list(channels)}: give one positive whole number of channels per stage, "
            "e.g. (16, 32)."
        )
    factor = 2 ** len(channels)
    if image_size % factor:
        raise ValueError(
            f"image_size={image_size} cannot be halved {len(channels)} times: every stage halves "
            f"it, so it must be a multiple of {factor}. Use fewer stages."
        )
    return image_size // factor


def conv_encoder(
    code_size: int,
    channels: Sequence[int] = (16, 32),
    downsample: str = "stride",
    image_size: int = 28,
) -> nn.Sequential:
    """Convolutions that halve the image per stage, then a linear layer to the code.

    Args:
        code_size: numbers in the code (the output of the last, linear layer).
        channels: feature maps after each stage, e.g. ``(16, 32)``: 28 -> 14 -> 7.
        downsample: ``"stride"`` (a 3 x 3 convolution with stride 2) or
            ``"maxpool"`` (a 3 x 3 convolution, then the maximum of each 2 x 2 block).
        image_size: height and width of the (square, one-channel) input images.
    """
    if downsample not in DOWNSAMPLE:
        raise ValueError(f"downsample={downsample!r}: choose one of {DOWNSAMPLE}.")
    side = _check_design(code_size, channels, image_size)
    layers: list[nn.Module] = []
    for c_in, c_out in zip((1, *channels[:-1]), channels, strict=True):
        if downsample == "stride":
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.ReLU()]
        else:
            layers += [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    layers += [nn.Flatten(), nn.Linear(channels[-1] * side * side, code_size)]
    return nn.Sequential(*layers)


def conv_decoder(
    code_size: int,
    channels: Sequence[int] = (32, 16),
    upsample: str = "nearest",
    image_size: int = 28,
) -> nn.Sequential:
    """A linear layer from the code to feature maps, then stages that double their size.

    Returns pre-activations of shape ``(N, 1, image_size, image_size)``; the
    ``AutoEncoder`` applies the output nonlinearity.

    Args:
        channels: feature maps entering each stage, e.g. ``(32, 16)``: 7 -> 14 -> 28;
            the last stage outputs one channel.
        upsample: ``"nearest"`` (repeat every pixel 2 x 2, then a 3 x 3 convolution)
            or ``"transposed"`` (a 3 x 3 transposed convolution with stride 2, whose
            kernel overlaps itself unevenly and can paint a checkerboard).
    """
    if upsample not in UPSAMPLE:
        raise ValueError(f"upsample={upsample!r}: choose one of {UPSAMPLE}.")
    side = _check_design(code_size, channels, image_size)
    layers: list[nn.Module] = [
        nn.Linear(code_size, channels[0] * side * side),
        nn.ReLU(),
        nn.Unflatten(1, (channels[0], side, side)),
    ]
    outs = (*channels[1:], 1)
    for i, (c_in, c_out) in enumerate(zip(channels, outs, strict=True)):
        if upsample == "nearest":
            layers += [
                nn.Upsample(scale_factor=2, mode="nearest"),
                nn.Conv2d(c_in, c_out, 3, padding=1),
            ]
        else:
            layers.append(nn.ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=1))
        if i < len(channels) - 1:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def conv_autoencoder(
    code_size: int,
    channels: Sequence[int] = (16, 32),
    downsample: str = "stride",
    upsample: str = "nearest",
    output: str = "sigmoid",
    image_size: int = 28,
) -> AutoEncoder:
    """A convolutional autoencoder, mirrored: channels 1 -> 16 -> 32 -> code -> 32 -> 16 -> 1.

    Takes images of shape ``(N, 1, image_size, image_size)``: ``ae.data.mnist(flat=False)``.
    """
    return AutoEncoder(
        encoder=conv_encoder(code_size, channels, downsample, image_size),
        decoder=conv_decoder(code_size, tuple(reversed(channels)), upsample, image_size),
        output=output,
        input_shape=(1, image_size, image_size),
    )


@torch.no_grad()
def feature_maps(encoder: nn.Sequential, x: torch.Tensor) -> list[torch.Tensor]:
    """The feature maps after every convolutional stage of ``encoder`` for images ``x``.

    Runs ``x`` through the layers one by one and keeps the output of each stage
    (after its ReLU, and after its pooling if it has one): a list with one tensor
    ``(N, channels, height, width)`` per stage. Computed where the encoder's
    weights are, as ``ae.evaluate`` does: an encoder not trained yet is on the
    CPU while the data may be on a GPU.
    """
    if x.ndim != 4:
        raise ValueError(
            f"feature_maps needs images of shape (N, C, H, W), got {tuple(x.shape)}. "
            "Load them with ae.data.mnist(flat=False), or reshape with x.view(-1, 1, 28, 28)."
        )
    x = x.to(next(encoder.parameters(), x).device)
    maps: list[torch.Tensor] = []
    layers = list(encoder)
    for i, layer in enumerate(layers):
        x = layer(x)
        if x.ndim != 4:
            break
        is_last_of_stage = i + 1 == len(layers) or isinstance(layers[i + 1], nn.Conv2d | nn.Flatten)
        if is_last_of_stage and not isinstance(layer, nn.Conv2d):
            maps.append(x)
    if not maps:
        raise ValueError("the encoder has no convolutional stage: nothing to show.")
    return maps


def shift(x: torch.Tensor, dx: int = 0, dy: int = 0) -> torch.Tensor:
    """Images ``x`` moved ``dx`` pixels right and ``dy`` pixels down, filled with zeros.

    Works for ``(N, H, W)``, ``(N, C, H, W)`` and flat ``(N, H*W)`` square images.
    Pixels pushed over the border are lost (no wrap-around, unlike ``torch.roll``);
    MNIST digits have a nearly blank border of about 4 pixels, so shifts up to 3 lose little
    ink; a few digits reach the border and lose some (most often when shifted down).
    """
    if not isinstance(dx, int) or not isinstance(dy, int):
        raise TypeError(f"dx={dx!r}, dy={dy!r}: shift by whole pixels.")
    flat = x.ndim == 2
    if flat:
        side = round(x.shape[1] ** 0.5)
        if side * side != x.shape[1]:
            raise ValueError(f"flat images of {x.shape[1]} pixels are not square.")
        x = x.view(len(x), side, side)
    if x.ndim not in (3, 4):
        raise ValueError(f"cannot shift a tensor of shape {tuple(x.shape)}: give images.")
    h, w = x.shape[-2:]
    if abs(dx) >= w or abs(dy) >= h:
        raise ValueError(f"a shift of ({dx}, {dy}) moves a {h} x {w} image out of view.")
    # F.pad with negative amounts crops: pad on one side, crop the same on the other.
    out = F.pad(x, (dx, -dx, dy, -dy))
    return out.reshape(len(out), -1) if flat else out


def moves(s: int) -> list[tuple[int, int]]:
    """The four shifts by ``s`` pixels, as ``(dx, dy)`` for ``shift``: right, left, down, up.

    A measure of shifted digits is averaged over the four, so that it does not depend on
    which way the digits were moved (as ``shift_distances`` does).
    """
    if not isinstance(s, int) or isinstance(s, bool) or s < 0:
        raise ValueError(f"s={s!r}: give a whole number of pixels, 0 or more.")
    return [(s, 0), (-s, 0), (0, s), (0, -s)]


def checkerboard_score(images: torch.Tensor) -> torch.Tensor:
    """Per image, the share of its variance in patterns that repeat every 2 pixels.

    The 2-periodic patterns of an image are its three Fourier components at the
    highest frequencies, (pi, 0), (0, pi) and (pi, pi): stripes one pixel wide
    and the checkerboard. The score is their power divided by the power of all
    components but the constant one, in [0, 1]: 1 for a pure checkerboard,
    about 3 / (H W) for white noise, near 0 for smooth images. Needs even
    height and width; takes ``(N, H, W)`` or ``(N, 1, H, W)``.
    """
    if images.ndim == 4 and images.shape[1] == 1:
        images = images[:, 0]
    if images.ndim != 3 or images.shape[-1] % 2 or images.shape[-2] % 2:
        raise ValueError(
            f"checkerboard_score needs images (N, H, W) or (N, 1, H, W) with even H and W, "
            f"got {tuple(images.shape)}."
        )
    h, w = images.shape[-2:]
    power = torch.fft.fft2(images.detach().cpu().double()).abs().square()  # no float64 on MPS
    power[:, 0, 0] = 0.0  # the mean is not a pattern
    nyquist = power[:, h // 2, 0] + power[:, 0, w // 2] + power[:, h // 2, w // 2]
    total = power.flatten(1).sum(1)
    return torch.where(total > 0, nyquist / total.clamp_min(1e-300), torch.zeros_like(total))


@torch.no_grad()
def shift_distances(
    encode: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    shifts: Sequence[int],
    seed: int = 0,
) -> list[float]:
    """How far each shift moves the codes, relative to the distance between different digits.

    For every shift ``s`` the images ``x`` are moved ``s`` pixels right, left, down
    and up (``shift``); the distance ``||encode(moved) - encode(x)||`` is averaged
    over the images and the four directions (``moves``), then divided by the mean distance
    between the codes of two *different* images of ``x`` (a seeded random
    pairing). 0 means the code ignores the shift; 1 means a shifted digit is, to
    the code, as far from itself as a different digit typically is. Dividing by
    that typical distance makes codes of different sizes and scales comparable;
    ``encode=lambda x: x.flatten(1)`` gives the same measure for the pixels.
    """
    if len(x) < 2:
        raise ValueError("give at least two images: the scale is the distance between images.")
    codes = encode(x).flatten(1)
    pairs = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed)).to(x.device)
    keep = pairs != torch.arange(len(x), device=x.device)  # no image paired with itself
    scale = (codes - codes[pairs]).norm(dim=1)[keep].mean()
    distances = []
    for s in shifts:
        moved = [
            (encode(shift(x, dx, dy)).flatten(1) - codes).norm(dim=1).mean() for dx, dy in moves(s)
        ]
        distances.append((torch.stack(moved).mean() / scale).item())
    return distances
