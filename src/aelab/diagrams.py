"""The lecture's key pictures, drawn with matplotlib: boxes, arrows and a few images.

Each function returns a figure; ``tools/figures.py`` saves them under
``book/figures/``, where the chapters show them. They are drawn by code rather
than by hand so that a label or a symbol is changed in one place and the
pictures keep the book's notation (``book/notation.md``):

- ``autoencoder``: x -> encoder f -> code y -> decoder g -> x-hat (chapter 1);
- ``reparameterisation``: the VAE's computational graph, with the path the
  gradient takes through z = mu + sigma * eps and the noise it does not take
  (chapter 8);
- ``dae_chain``: corrupt, denoise, sample, repeat: the Markov chain of a
  denoising autoencoder (chapter 6);
- ``noise2noise_triplet``: a clean crop, a noisy input and an independently
  noisy target, the training pair of Noise2Noise (chapter 5);
- ``stack``: a deep autoencoder as nested shallow ones (chapter 7, through
  ``ae.stacked.diagram``).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Polygon, Rectangle

BLUE, ORANGE, GREY, RED = "#4C72B0", "#DD8452", "#8C8C8C", "#C44E52"


def _canvas(width: float, height: float) -> tuple[Figure, Axes]:
    fig, ax = plt.subplots(figsize=(width, height))
    ax.set(xlim=(0, width), ylim=(0, height), aspect="equal")
    ax.axis("off")
    return fig, ax


def _box(ax: Axes, x: float, y: float, text: str, color: str = GREY, w: float = 1.3) -> None:
    """A rounded box centred at (x, y) with a label."""
    ax.add_patch(
        FancyBboxPatch(
            (x - w / 2, y - 0.3), w, 0.6, boxstyle="round,pad=0.05", fc="white", ec=color, lw=1.5
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(
    ax: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    color: str = "k",
    style: str = "-",
    label: str = "",
    bend: float = 0.0,
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle="-|>",
            mutation_scale=14,
            color=color,
            connectionstyle=f"arc3,rad={bend}",
            ls=style,
            lw=1.4,
            shrinkA=2,
            shrinkB=2,
        )
    )
    if label:
        mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.22)
        ax.text(*mid, label, ha="center", va="bottom", fontsize=9, color=color)


def _trapezoid(
    ax: Axes, x0: float, x1: float, tall: float, short: float, color: str, label: str
) -> None:
    """A layer stack narrowing from height ``tall`` at x0 to ``short`` at x1 (or widening)."""
    cy = 1.5
    ax.add_patch(
        Polygon(
            [(x0, cy - tall / 2), (x1, cy - short / 2), (x1, cy + short / 2), (x0, cy + tall / 2)],
            closed=True,
            fc=color,
            alpha=0.25,
            ec=color,
        )
    )
    ax.text((x0 + x1) / 2, cy, label, ha="center", va="center", fontsize=11)


def autoencoder() -> Figure:
    """Input x, encoder f, the code y = f(x) in the bottleneck, decoder g, x-hat = g(f(x))."""
    fig, ax = _canvas(9.0, 3.0)
    _box(ax, 0.8, 1.5, "$x$\n$D = 784$", BLUE, w=1.1)
    _trapezoid(ax, 1.6, 3.9, 2.4, 0.8, BLUE, "encoder $f$")
    _box(ax, 4.5, 1.5, "$y = f(x)$\n$k$ numbers", ORANGE, w=1.1)
    _trapezoid(ax, 5.1, 7.4, 0.8, 2.4, BLUE, "decoder $g$")
    _box(ax, 8.2, 1.5, r"$\hat x = g(f(x))$", BLUE, w=1.3)
    ax.text(
        4.5,
        0.35,
        r"loss $L(x, \hat x)$: the input is its own target",
        ha="center",
        fontsize=10,
        color=GREY,
    )
    return fig


def reparameterisation() -> Figure:
    """The VAE's graph: gradients flow from the ELBO through z to mu and sigma, not into eps."""
    fig, ax = _canvas(10.0, 4.0)
    _box(ax, 0.8, 2.4, "$x$", BLUE, w=0.8)
    _box(ax, 2.4, 2.4, r"encoder $\phi$", BLUE)
    _box(ax, 4.2, 3.2, r"$\mu_\phi(x)$", BLUE, w=1.1)
    _box(ax, 4.2, 1.6, r"$\sigma_\phi(x)$", BLUE, w=1.1)
    _box(ax, 6.0, 0.5, r"$\varepsilon \sim \mathcal{N}(0, I)$", GREY, w=1.9)
    _box(ax, 6.0, 2.4, r"$z = \mu + \sigma \odot \varepsilon$", ORANGE, w=1.9)
    _box(ax, 8.0, 2.4, r"decoder $\theta$", BLUE)
    _box(ax, 9.2, 3.5, "ELBO", RED, w=1.0)
    for a, b in [
        ((1.2, 2.4), (1.75, 2.4)),
        ((3.05, 2.6), (3.65, 3.1)),
        ((3.05, 2.2), (3.65, 1.7)),
        ((4.75, 3.1), (5.05, 2.6)),
        ((4.75, 1.7), (5.05, 2.2)),
        ((6.0, 0.8), (6.0, 2.1)),
        ((6.95, 2.4), (7.35, 2.4)),
        ((8.4, 2.7), (8.9, 3.2)),
    ]:
        _arrow(ax, a, b)
    _arrow(ax, (4.2, 3.5), (8.75, 3.6), color=GREY, label="KL term: closed form in $\\mu, \\sigma$")
    for a, b in [
        ((9.3, 3.15), (8.6, 2.1)),
        ((7.6, 2.0), (6.6, 2.0)),
        ((5.3, 2.0), (4.75, 1.3)),
        ((5.3, 2.8), (4.75, 3.5)),
    ]:
        _arrow(ax, a, b, color=RED, style="--", bend=-0.35)
    ax.text(
        6.9,
        1.35,
        "gradient (dashed): through $z$\nto $\\mu$ and $\\sigma$; none into $\\varepsilon$",
        fontsize=9,
        color=RED,
        ha="left",
    )
    return fig


def dae_chain(steps: int = 3) -> Figure:
    """x_t -> corrupt -> x-tilde_t -> denoise and sample -> x_{t+1}, repeated."""
    fig, ax = _canvas(3.6 * steps + 1.4, 2.2)
    for t in range(steps):
        x0 = 0.7 + 3.6 * t
        _box(ax, x0, 1.1, f"$x_{t}$", BLUE, w=0.7)
        _box(ax, x0 + 1.8, 1.1, rf"$\tilde x_{t}$", ORANGE, w=0.7)
        _arrow(ax, (x0 + 0.4, 1.1), (x0 + 1.4, 1.1), label=r"$C(\tilde x \mid x)$")
        _arrow(
            ax, (x0 + 2.2, 1.1), (x0 + 3.2, 1.1), color=BLUE, label=r"$P_\theta(x \mid \tilde x)$"
        )
    _box(ax, 0.7 + 3.6 * steps, 1.1, f"$x_{steps}$", BLUE, w=0.7)
    ax.text(
        0.2,
        0.25,
        "corrupt with the training noise $C$, then draw from the denoiser's "
        "output $P_\\theta$; repeat",
        fontsize=9,
        color=GREY,
    )
    return fig


def noise2noise_triplet(clean: torch.Tensor, sigma: float, seed: int = 0) -> Figure:
    """A clean image (1, H, W), a noisy input and an independently noisy target."""
    g = torch.Generator().manual_seed(seed)
    noisy = [clean + sigma * torch.randn(clean.shape, generator=g) for _ in range(2)]
    fig, axes = plt.subplots(1, 3, figsize=(9, 3.3))
    titles = ["input: clean + noise", "target: clean + other noise", "never seen: clean"]
    for ax, image, title in zip(axes, [*noisy, clean], titles, strict=True):
        ax.imshow(image[0].clamp(0, 1).cpu().numpy(), cmap="gray", vmin=0, vmax=1)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.tight_layout()
    return fig


def stack(sizes: Sequence[int], title: str | None = None) -> Figure:
    """A stack of autoencoders (``ae.stacked``) as nested frames: one bar per layer, AE_i around it.

    Bar heights grow with the square root of the layer width so that a
    30-unit code stays visible next to 1000 units.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes={sizes}: give at least two positive layer sizes.")
    widths = sizes + sizes[-2::-1]  # 784 1000 ... 30 ... 1000 784
    depth = len(sizes) - 1
    scale = 1 / max(widths) ** 0.5
    fig, ax = plt.subplots(figsize=(1.0 * len(widths) + 1, 4.2))
    for i in range(depth):  # frames, outermost first
        left, right = i - 0.3, len(widths) - 1 - i + 0.3  # around the bars of h_{i-1}
        bottom = -0.6 - 0.12 * (depth - i)
        top = 0.6 + 0.12 * (depth - i)
        ax.add_patch(
            FancyBboxPatch(
                (left, bottom),
                right - left,
                top - bottom,
                boxstyle="round,pad=0.02,rounding_size=0.15",
                fill=False,
                ec=f"C{i}",
                lw=1.5,
            )
        )
        ax.text(left + 0.05, top + 0.02, f"AE$_{i + 1}$", color=f"C{i}", va="bottom", fontsize=10)
    for j, w in enumerate(widths):
        h = w**0.5 * scale
        code = j == depth
        ax.add_patch(
            Rectangle((j - 0.15, -h / 2), 0.3, h, color="C3" if code else "0.35", zorder=3)
        )
        ax.text(j, -0.62 - 0.12 * depth, str(w), ha="center", va="top", fontsize=9)
    ax.text(depth / 2, 0.75 + 0.12 * depth, "encoder", ha="center", fontsize=10)
    ax.text(depth * 1.5, 0.75 + 0.12 * depth, "decoder", ha="center", fontsize=10)
    ax.set_xlim(-0.8, len(widths) - 0.2)
    ax.set_ylim(-0.95 - 0.12 * depth, 1.0 + 0.12 * depth)
    ax.axis("off")
    ax.set_title(title or "-".join(map(str, sizes)) + ": each AE nested inside the one before")
    fig.tight_layout()
    return fig
