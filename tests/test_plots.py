import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch

import aelab as ae
from aelab.train import History


def test_to_images_accepts_the_usual_layouts():
    assert ae.plots.to_images(torch.rand(3, 784)).shape == (3, 28, 28)
    assert ae.plots.to_images(torch.rand(3, 1, 8, 8)).shape == (3, 8, 8)
    assert ae.plots.to_images(np.zeros((2, 5, 7))).shape == (2, 5, 7)
    with pytest.raises(ValueError, match="square number of pixels"):
        ae.plots.to_images(torch.rand(3, 785))


def test_show_images_grid():
    fig = ae.plots.show_images(torch.rand(12, 784), ncols=5, title="digits")
    assert len(fig.axes) == 15 and sum(bool(ax.images) for ax in fig.axes) == 12
    assert fig._suptitle.get_text() == "digits"


def test_compare_rows_are_labelled():
    x = torch.rand(6, 784)
    fig = ae.plots.compare({"original": x, "reconstruction": 1 - x}, n=6)
    labels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    assert labels == ["original", "reconstruction"] and len(fig.axes) == 12


def test_loss_curves_train_and_validation():
    h = History(train=[3.0, 2.0, 1.0], val=[3.5, 2.5, 1.5], seconds=[1, 1, 1])
    fig = ae.plots.loss_curves({"L2": h, "BCE": History(train=[2.0, 1.0])}, logy=True)
    ax = fig.axes[0]
    assert len(ax.lines) == 3 and ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"


def test_style_is_applied():
    import matplotlib as mpl

    ae.plots.use_style()
    assert mpl.rcParams["image.cmap"] == "gray"


def test_filters_draws_one_block_of_rows_per_label():
    fig = ae.plots.filters({"a": torch.randn(5, 64), "b": torch.randn(3, 64)}, 4, "t")
    assert len(fig.axes) == (2 + 1) * 4  # a: 2 rows of 4, b: 1 row
    with pytest.raises(ValueError, match="side \\* side"):
        ae.plots.filters({"a": torch.randn(5, 10)}, 4)


def test_stack_diagram_draws_every_layer_and_frame():
    fig = ae.diagrams.stack((784, 1000, 500, 250, 30))
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert [f"AE$_{i}$" in texts for i in range(1, 5)] == [True] * 4
    assert texts.count("784") == 2 and texts.count("30") == 1
    assert len(ax.patches) == 4 + 9  # four frames, nine layers
    plt.close(fig)
    with pytest.raises(ValueError, match="two positive"):
        ae.diagrams.stack((784,))
