"""Figures in one consistent style: image grids, reconstructions, loss curves, filters, stacks."""

from __future__ import annotations

import math
from collections.abc import Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from aelab.train import History

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.figsize": (6.4, 4.0),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "image.cmap": "gray",
}


def use_style() -> None:
    """Apply the book's matplotlib style (``ae.start()`` calls it)."""
    mpl.rcParams.update(STYLE)


def to_images(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """``(N, D)``, ``(N, 1, H, W)`` or ``(N, H, W)`` -> a NumPy array ``(N, H, W)``.

    Flat rows must have a square number of pixels (784 -> 28 x 28).
    """
    a = x.detach().float().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    if a.ndim == 4 and a.shape[1] == 1:
        return a[:, 0]
    if a.ndim == 3:
        return a
    if a.ndim == 2:
        side = math.isqrt(a.shape[1])
        if side * side == a.shape[1]:
            return a.reshape(len(a), side, side)
    raise ValueError(
        f"cannot show an array of shape {a.shape} as images: use (N, H*W) with a square "
        "number of pixels, (N, 1, H, W) or (N, H, W)."
    )


def show_images(
    x: torch.Tensor | np.ndarray,
    ncols: int = 10,
    titles: list[str] | None = None,
    title: str | None = None,
    vmin: float | None = 0.0,
    vmax: float | None = 1.0,
    size: float = 1.0,
) -> Figure:
    """A grid of grey-scale images, ``ncols`` per row (``vmin``/``vmax`` None: auto)."""
    images = to_images(x)
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows + 0.4 * bool(title)))
    for i, ax in enumerate(np.atleast_1d(axes).ravel()):
        ax.axis("off")
        if i < len(images):
            ax.imshow(images[i], vmin=vmin, vmax=vmax)
            if titles:
                ax.set_title(titles[i], fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def compare(rows: Mapping[str, torch.Tensor], n: int = 10, title: str | None = None) -> Figure:
    """Rows of images with a label each, e.g. ``{"original": x, "L2": x_l2, "BCE": x_bce}``."""
    fig, axes = plt.subplots(len(rows), n, figsize=(n, 1.1 * len(rows) + 0.4 * bool(title)))
    axes = np.atleast_2d(axes)
    for r, (label, x) in enumerate(rows.items()):
        images = to_images(x[:n])
        for c, ax in enumerate(axes[r]):
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
            if c < len(images):
                ax.imshow(images[c], vmin=0, vmax=1)
        axes[r, 0].set_ylabel(label, rotation=0, ha="right", va="center")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def loss_curves(
    histories: Mapping[str, History], ylabel: str = "loss", logy: bool = False
) -> Figure:
    """Training (solid) and validation (dashed) loss per epoch, one colour per run."""
    fig, ax = plt.subplots()
    for i, (label, h) in enumerate(histories.items()):
        epochs = np.arange(1, len(h.train) + 1)
        ax.plot(epochs, h.train, color=f"C{i}", label=f"{label} (train)")
        if h.val:
            ax.plot(epochs, h.val, color=f"C{i}", ls="--", label=f"{label} (validation)")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    return fig


def filters(
    rows: Mapping[str, torch.Tensor],
    ncols: int,
    title: str | None = None,
    cmap: str = "RdBu_r",
    size: float = 0.7,
) -> Figure:
    """A grid of square filters, one labelled block of rows per entry of ``rows``.

    ``rows`` maps a label to filters of shape ``(n, side * side)`` (e.g. the
    columns of a decoder matrix). Each filter is scaled to its own range with 0 in
    the middle of the colour map, so that red and blue show the sign of each
    weight and a weak filter is as readable as a strong one.
    """
    if not rows:
        raise ValueError("rows is empty: pass {label: filters}, e.g. {'L1': decoder_filters}.")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols={ncols!r}: use a whole number of columns >= 1.")
    blocks = {label: torch.as_tensor(f).detach().cpu().float() for label, f in rows.items()}
    for label, f in blocks.items():
        side = math.isqrt(f.shape[-1]) if f.ndim == 2 else 0
        if side * side != (f.shape[-1] if f.ndim == 2 else -1):
            raise ValueError(
                f"rows[{label!r}] has shape {tuple(f.shape)}: give filters as (n, side * side)."
            )
    nrows = {label: -(-len(f) // ncols) for label, f in blocks.items()}
    total = sum(nrows.values())
    fig, axes = plt.subplots(
        total, ncols, squeeze=False, figsize=(size * ncols, size * total + 0.5)
    )
    for ax in axes.ravel():
        ax.set_xticks([]), ax.set_yticks([]), ax.grid(False)
        ax.spines[:].set_visible(False)
    top = 0
    for label, f in blocks.items():
        side = math.isqrt(f.shape[1])
        for i, image in enumerate(f.reshape(-1, side, side)):
            limit = image.abs().max().item() or 1.0
            axes[top + i // ncols, i % ncols].imshow(
                image.numpy(), cmap=cmap, vmin=-limit, vmax=limit
            )
        axes[top, 0].set_ylabel(label, rotation=0, ha="right", va="center")
        top += nrows[label]
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
