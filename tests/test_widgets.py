import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest

from aelab import widgets as aw


def draw(value):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, value])
    ax.set_title(f"λ = {value}")
    return fig


def test_slider_swaps_the_precomputed_figure_and_caption():
    calls = []

    def counting_draw(value):
        calls.append(value)
        return draw(value)

    values = [0.0, 0.1, 1.0]
    box = aw.sweep_slider(values, counting_draw, caption=lambda v: f"error at {v}")
    assert isinstance(box, widgets.VBox) and list(box.children) == [
        box.slider,
        box.caption,
        box.image,
    ]
    assert calls == values  # every figure drawn once, up front
    assert plt.get_fignums() == []  # and closed: the notebook shows only the widget
    first = bytes(box.image.value)
    assert first.startswith(b"\x89PNG") and box.caption.value == "error at 0.0"
    assert box.slider.description == "λ"

    box.slider.value = 1.0  # what a reader's drag does: the callback runs
    assert box.caption.value == "error at 1.0" and bytes(box.image.value) != first
    assert calls == values  # nothing recomputed
    box.slider.value = 0.0
    assert bytes(box.image.value) == first


def test_start_value_and_validation():
    box = aw.sweep_slider([1, 2], draw, start=2, description="β")
    assert box.slider.value == 2 and box.caption.value == "" and box.slider.description == "β"
    with pytest.raises(ValueError, match="empty"):
        aw.sweep_slider([], draw)
    with pytest.raises(ValueError, match="distinct"):
        aw.sweep_slider([1, 1], draw)
    with pytest.raises(ValueError, match="start"):
        aw.sweep_slider([1, 2], draw, start=3)


def test_figure_png_closes_the_figure():
    fig = draw(0.5)
    png = aw.figure_png(fig)
    assert png.startswith(b"\x89PNG") and not plt.fignum_exists(fig.number)
