"""Interactive figures that stay instant: a slider over precomputed results.

Training inside a widget callback would take seconds per move. Instead a
chapter precomputes a small sweep (one result per slider position), and
``sweep_slider`` renders every figure once, up front, to PNG. Moving the
slider then only swaps an image and a caption, with no computation.

The stored notebook keeps the widget state of the position it was saved at,
so the static book shows that one figure; a chapter also draws the whole
sweep as an ordinary figure for readers without a running kernel.

``latent_explorer`` is the exception that proves the rule: a small decoder
decodes one code in well under a millisecond (chapter 9's 4-256-784 decoder:
0.04 ms on one CPU thread), so its sliders decode live.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from PIL import Image


def figure_png(fig: Figure, dpi: int = 80) -> bytes:
    """The figure as PNG bytes; the figure is closed (it is not shown by the notebook)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def sweep_slider(
    values: Sequence[float],
    draw: Callable[[float], Figure],
    caption: Callable[[float], str] | None = None,
    description: str = "λ",
    start: float | None = None,
    dpi: int = 80,
) -> widgets.VBox:
    """A slider over ``values`` that shows the precomputed ``draw(value)`` for each.

    Args:
        values: the sweep, in slider order (e.g. penalty weights, increasing).
        draw: ``draw(value) -> Figure``, called once per value when the widget is built.
        caption: ``caption(value) -> str``, plain text (or HTML) shown above the
            figure, e.g. the error and the sparsity at that value.
        description: the slider's label, in Unicode (widget labels show no LaTeX).
        start: the value shown first (default: the first one).

    Returns a ``VBox`` of the slider, the caption and the image; they are also
    available as its ``.slider``, ``.caption`` and ``.image`` attributes.
    """
    values = list(values)
    if not values:
        raise ValueError("values is empty: give at least one precomputed value.")
    if len(set(values)) != len(values):
        raise ValueError(f"values must be distinct, got {values}.")
    start = values[0] if start is None else start
    if start not in values:
        raise ValueError(f"start={start!r} is not one of the values {values}.")
    pngs = {value: figure_png(draw(value), dpi) for value in values}
    texts = {value: caption(value) if caption else "" for value in values}

    slider = widgets.SelectionSlider(
        options=[(f"{value:g}", value) for value in values],
        value=start,
        description=description,
        continuous_update=True,
        layout=widgets.Layout(width="480px"),
    )
    label = widgets.HTML(texts[start])
    image = widgets.Image(value=pngs[start], format="png")

    def show(change: dict) -> None:
        image.value = pngs[change["new"]]
        label.value = texts[change["new"]]

    slider.observe(show, names="value")
    box = widgets.VBox([slider, label, image])
    box.slider, box.caption, box.image = slider, label, image
    return box


def image_png(image: torch.Tensor | np.ndarray, scale: int = 6) -> bytes:
    """A grey image with values in [0, 1], ``(H, W)`` or flat with a square size, as PNG bytes.

    Each pixel becomes a ``scale`` x ``scale`` block, so small images stay crisp
    (no smoothing) when the browser shows them.
    """
    a = image.detach().float().cpu().numpy() if isinstance(image, torch.Tensor) else image
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 1 and math.isqrt(a.size) ** 2 == a.size:
        a = a.reshape(math.isqrt(a.size), -1)
    if a.ndim != 2:
        raise ValueError(f"image_png takes one grey image (H, W) or (H * W,), got shape {a.shape}.")
    pixels = np.rint(np.clip(a, 0.0, 1.0) * 255).astype(np.uint8)
    pixels = pixels.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    Image.fromarray(pixels, mode="L").save(buffer, format="png")
    return buffer.getvalue()


def latent_explorer(
    decode: Callable[[torch.Tensor], torch.Tensor],
    latent: int,
    *,
    names: Sequence[str] | None = None,
    start: Sequence[float] | torch.Tensor | None = None,
    limit: float = 3.0,
    step: float = 0.1,
    scale: int = 6,
) -> widgets.VBox:
    """One slider per latent coordinate; the image shows ``decode(z)`` for the current z.

    Args:
        decode: maps codes ``(1, latent)`` to images ``(1, H * W)`` (or ``(1, H, W)``)
            with values in [0, 1], e.g. ``lambda z: torch.sigmoid(model.decoder(z))``.
            It is called without gradients at every slider move.
        latent: the number of coordinates (sliders).
        names: a label per slider (default ``z1``, ``z2``, ...), e.g. what a
            coordinate was found to control.
        start: the code shown first (default the origin, the prior's mode).
        limit: each slider runs from -limit to +limit; 3 covers 99.7 % of N(0, 1).
        step: the slider resolution.
        scale: pixels of the shown image per pixel of the decoded image.

    Returns a ``VBox`` of the sliders and the image, also available as its
    ``.sliders`` (a list) and ``.image`` attributes, and ``.code()`` (the current z).
    """
    if not isinstance(latent, int) or latent < 1:
        raise ValueError(f"latent={latent!r}: give the number of latent coordinates (>= 1).")
    names = [f"z{i + 1}" for i in range(latent)] if names is None else list(names)
    if len(names) != latent:
        raise ValueError(f"{len(names)} names for {latent} latent coordinates: give one each.")
    start = [0.0] * latent if start is None else [float(v) for v in start]
    if len(start) != latent:
        raise ValueError(f"start has {len(start)} values, the code has {latent}.")
    if not limit > 0 or not 0 < step <= limit:
        raise ValueError(f"limit={limit}, step={step}: need limit > 0 and 0 < step <= limit.")
    if any(abs(v) > limit for v in start):
        raise ValueError(f"start={start} lies outside the sliders' range [-{limit}, {limit}].")

    sliders = [
        widgets.FloatSlider(
            value=value,
            min=-limit,
            max=limit,
            step=step,
            description=name,
            continuous_update=True,
            readout_format=".1f",
            style={"description_width": "150px"},  # room for labels like "z3: smile (0.96)"
            layout=widgets.Layout(width="480px"),
        )
        for name, value in zip(names, start, strict=True)
    ]

    def code() -> torch.Tensor:
        return torch.tensor([[s.value for s in sliders]], dtype=torch.float32)

    def render() -> bytes:
        with torch.no_grad():
            decoded = decode(code())
        return image_png(decoded[0], scale)

    image = widgets.Image(value=render(), format="png")

    def show(change: dict) -> None:
        image.value = render()

    for slider in sliders:
        slider.observe(show, names="value")
    box = widgets.VBox([widgets.HBox([widgets.VBox(sliders), image])])
    box.sliders, box.image, box.code = sliders, image, code
    return box
