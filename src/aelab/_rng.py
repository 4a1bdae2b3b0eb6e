"""Random draws with a generator that may live on another device than the data.

PyTorch draws with a generator only on the generator's own device:
``torch.rand(3, device="cuda", generator=torch.Generator())`` raises, and so does
``torch.bernoulli(cuda_tensor, generator=cpu_generator)``. The natural way to
seed a draw, ``torch.Generator().manual_seed(0)``, makes a CPU generator, so
every aelab function that takes a ``generator`` draws through these helpers:
the numbers are drawn where the generator lives and moved to the data's device.
A seeded draw then gives the same numbers on every device, and a generator made
on the data's device (or ``None``, PyTorch's global generator for that device)
costs no copy, which is what the training losses use.
"""

from __future__ import annotations

import torch


def _where(generator: torch.Generator | None, device: torch.device) -> torch.device:
    """Where to draw: on the generator's device if one is given, else on ``device``."""
    return generator.device if generator is not None else device


def rand(
    shape: torch.Size | tuple[int, ...],
    generator: torch.Generator | None,
    device: torch.device,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """``torch.rand(shape)`` on ``device``, drawn with ``generator`` wherever it lives."""
    return torch.rand(shape, generator=generator, device=_where(generator, device), dtype=dtype).to(
        device
    )


def randn(
    shape: torch.Size | tuple[int, ...],
    generator: torch.Generator | None,
    device: torch.device,
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """``torch.randn(shape)`` on ``device``, drawn with ``generator`` wherever it lives."""
    return torch.randn(
        shape, generator=generator, device=_where(generator, device), dtype=dtype
    ).to(device)


def bernoulli(p: torch.Tensor, generator: torch.Generator | None) -> torch.Tensor:
    """``torch.bernoulli(p)`` on ``p``'s device, drawn with ``generator`` wherever it lives."""
    return torch.bernoulli(p.to(_where(generator, p.device)), generator=generator).to(p.device)
