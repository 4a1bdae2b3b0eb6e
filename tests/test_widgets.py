import io
import json
import re

import ipywidgets as widgets
import matplotlib.pyplot as plt
import nbformat
import pytest
import scripts
import torch

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


def test_latent_explorer_decodes_the_sliders_code_live():
    seen = []

    def decode(z):  # a "decoder" whose image is bright where z1 is large
        seen.append(z.clone())
        return torch.sigmoid(z[:, :1] * torch.linspace(-1, 1, 16)).reshape(1, 16)

    box = aw.latent_explorer(decode, 2, names=["smile", "pose"], start=[0.5, -1.0])
    assert [s.description for s in box.sliders] == ["smile", "pose"]
    assert torch.equal(seen[-1], torch.tensor([[0.5, -1.0]]))
    first = bytes(box.image.value)
    assert first.startswith(b"\x89PNG")
    box.sliders[0].value = 2.0  # a reader's drag: the callback decodes the new code
    assert torch.equal(seen[-1], torch.tensor([[2.0, -1.0]])) and torch.equal(box.code(), seen[-1])
    assert bytes(box.image.value) != first
    box.sliders[0].value = 0.5
    assert bytes(box.image.value) == first


def test_latent_explorer_validation_and_image_png():
    decode = lambda z: torch.zeros(1, 4)  # noqa: E731
    assert [s.value for s in aw.latent_explorer(decode, 3).sliders] == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="one each"):
        aw.latent_explorer(decode, 2, names=["a"])
    with pytest.raises(ValueError, match="outside"):
        aw.latent_explorer(decode, 1, start=[4.0])
    with pytest.raises(ValueError, match="latent="):
        aw.latent_explorer(decode, 0)
    png = aw.image_png(torch.rand(9), scale=2)
    assert png.startswith(b"\x89PNG")
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == (6, 6)
    with pytest.raises(ValueError, match="one grey image"):
        aw.image_png(torch.rand(2, 3, 3))


def test_every_slider_position_shows_its_own_figure_and_caption():
    values = [0.0, 0.5, 1.0]
    box = aw.sweep_slider(values, draw, caption=lambda v: f"at {v}", start=0.5)
    expected = {v: aw.figure_png(draw(v)) for v in values}
    for value in [1.0, 0.0, 0.5, 1.0]:  # forwards, backwards, and back to a seen value
        box.slider.value = value
        assert bytes(box.image.value) == expected[value] and box.caption.value == f"at {value}"


# --- The chapters' widgets as the book shows them -----------------------------------

CHAPTERS = scripts.chapters()
VIEW = "application/vnd.jupyter.widget-view+json"
STATE = "application/vnd.jupyter.widget-state+json"
#: Models that only show something (progress bars, text, images, boxes); every other
#: model is a control a reader can move, which a static page cannot follow.
DISPLAY_ONLY = {
    "BoxModel",
    "HBoxModel",
    "VBoxModel",
    "HTMLModel",
    "HTMLMathModel",
    "LabelModel",
    "FloatProgressModel",
    "IntProgressModel",
    "ImageModel",
    "OutputModel",
}
IMAGE = ("image/png", "image/svg+xml", "image/jpeg")


def _models(state: dict, model_id: str) -> set[str]:
    """Model names of a stored widget and of every widget it contains."""
    names, todo, seen = set(), [model_id], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        model = state.get(current)
        assert model, f"widget {current} has no stored state: execute with tools/execute.py"
        names.add(model["model_name"])
        todo += re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(model["state"]))
    return {n for n in names if not n.endswith(("StyleModel", "LayoutModel"))}


def _interactive_cells(notebook) -> list[int]:
    """Indices of the cells whose output holds a widget a reader can move."""
    state = notebook.metadata.get("widgets", {}).get(STATE, {}).get("state", {})
    found = []
    for i, cell in enumerate(notebook.cells):
        views = [
            o["data"][VIEW]["model_id"]
            for o in cell.get("outputs", [])
            if VIEW in o.get("data", {})
        ]
        if any(_models(state, view) - DISPLAY_ONLY for view in views):
            found.append(i)
    return found


def _has_figure(cell) -> bool:
    return cell.cell_type == "code" and any(
        mime in o.get("data", {}) for o in cell.get("outputs", []) for mime in IMAGE
    )


@pytest.fixture(params=CHAPTERS, ids=lambda p: p.stem)
def notebook(request):
    return request.param.name, nbformat.read(request.param, as_version=4)


def test_every_interactive_widget_has_a_static_figure_next_to_it(notebook):
    # A reader of the static book (or of a notebook without a kernel) cannot move the
    # slider: the figure next to it shows the same sweep at once.
    name, nb = notebook
    for i in _interactive_cells(nb):
        neighbours = [nb.cells[j] for j in (i - 1, i + 1) if 0 <= j < len(nb.cells)]
        assert any(_has_figure(c) for c in neighbours), (
            f"{name}, cell {i}: an interactive widget without a static figure in the cell "
            "just before or after it"
        )
        assert "NBVAL_CHECK_OUTPUT" not in nb.cells[i].source, (
            f"{name}, cell {i}: widget outputs hold random model ids; nbval cannot compare them"
        )


def test_chapters_build_widgets_only_through_aelab(notebook):
    # Widget callbacks then live in aelab.widgets, whose unit tests above drive them.
    name, nb = notebook
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not re.search(
                r"^\s*(import ipywidgets|from ipywidgets)|\binteract(ive)?\(", cell.source, re.M
            ), f"{name}: build the widget with aelab.widgets (tested), not ipywidgets directly"
