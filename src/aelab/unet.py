"""A compact U-Net: the image-to-image network of Noise2Noise, shrunk to fit a CPU.

Lehtinen et al. (2018) denoise with a U-Net (Ronneberger et al., 2015): an
encoder that halves the resolution at each level, a decoder that doubles it
back, and *skip connections* that hand each decoder level the encoder's
features at the same resolution. The skips carry the fine detail that the
coarse levels cannot, so the network only has to decide what is noise.

``UNet(channels=16, levels=2)`` has two downsampling steps and about 117,000
parameters (the paper's network pools five times); it trains at about five
steps per second on one CPU thread with 16 crops of 64 x 64 pixels. Its output is the input
plus a learned correction (``residual=True``): at initialisation the network is
the identity, which shortens a short training run; the loss still compares
the whole output with the target, so nothing else changes.
"""

from __future__ import annotations

import torch
from torch import nn


def _block(c_in: int, c_out: int) -> nn.Sequential:
    """Two 3x3 convolutions, each followed by a leaky ReLU (slope 0.1, as in the paper)."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, padding=1),
        nn.LeakyReLU(0.1),
        nn.Conv2d(c_out, c_out, 3, padding=1),
        nn.LeakyReLU(0.1),
    )


class UNet(nn.Module):
    """An image-to-image U-Net with ``levels`` poolings and ``channels`` features at full size.

    Args:
        in_channels: 1 for grey-scale, 3 for colour images; the output has as many.
        channels: features at full resolution; each level down doubles them.
        levels: number of 2x2 max-poolings; height and width of the input must be
            multiples of ``2**levels`` (``ae.noise2noise.denoise`` pads for you).
        residual: return ``x + net(x)`` instead of ``net(x)``.
        skips: hand each decoder level the encoder's features (the U-Net). With
            ``skips=False`` (and ``residual=False``) every detail has to pass through
            the coarsest level: the same layers as an encoder-decoder with a
            bottleneck in resolution, for comparing the two.
    """

    def __init__(
        self,
        in_channels: int = 1,
        channels: int = 32,
        levels: int = 2,
        residual: bool = True,
        skips: bool = True,
    ) -> None:
        super().__init__()
        if in_channels < 1 or channels < 1 or levels < 1:
            raise ValueError(
                f"in_channels={in_channels}, channels={channels}, levels={levels}: "
                "each must be a positive whole number."
            )
        self.levels, self.residual, self.skips = levels, residual, skips
        widths = [channels * 2**i for i in range(levels + 1)]
        self.down = nn.ModuleList(
            [_block(in_channels, widths[0])]
            + [_block(widths[i], widths[i + 1]) for i in range(levels)]
        )
        self.up = nn.ModuleList(
            [nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2) for i in range(levels)]
        )
        self.merge = nn.ModuleList([_block(2 * widths[i], widths[i]) for i in range(levels)])
        self.out = nn.Conv2d(widths[0], in_channels, 1)
        self.pool = nn.MaxPool2d(2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        multiple = 2**self.levels
        if x.ndim != 4 or x.shape[-1] % multiple or x.shape[-2] % multiple:
            raise ValueError(
                f"UNet takes a batch (N, C, H, W) with H and W multiples of {multiple}, "
                f"got {tuple(x.shape)}. Crop or pad the images (ae.noise2noise.denoise pads)."
            )
        skips = []
        h = x
        for i, block in enumerate(self.down):
            h = block(h if i == 0 else self.pool(h))
            skips.append(h)
        for i in reversed(range(self.levels)):
            skip = skips[i] if self.skips else torch.zeros_like(skips[i])  # cut: no detail
            h = self.merge[i](torch.cat([self.up[i](h), skip], dim=1))
        h = self.out(h)
        return x + h if self.residual else h
