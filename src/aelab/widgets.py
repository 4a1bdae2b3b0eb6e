"""Interactive figures that stay instant: a slider over precomputed results.

Training inside a widget callback would take seconds per move. Instead a
chapter precomputes a small sweep (one result per slider position), and
``sweep_slider`` renders every figure once, up front, to PNG. Moving the
slider then only swaps an image and a caption, with no computation.

The stored notebook keeps the widget state of the position it was saved at,
so the static book shows that one figure; a chapter also draws the whole
sweep as an ordinary figure for readers without a running kernel.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure


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
