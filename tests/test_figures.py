"""The lecture's pictures (aelab.diagrams) draw, and book/figures holds what they draw today."""

import subprocess
import sys
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import torch

from aelab import diagrams

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "draw", [diagrams.autoencoder, diagrams.reparameterisation, diagrams.dae_chain]
)
def test_every_diagram_draws_boxes_and_arrows(draw):
    fig = draw()
    ax = fig.axes[0]
    assert len(ax.patches) >= 5 and ax.texts
    plt.close(fig)


def test_the_noise2noise_triplet_shows_two_independent_noisy_copies_and_the_clean_image():
    clean = torch.full((1, 16, 16), 0.5)
    fig = diagrams.noise2noise_triplet(clean, sigma=0.1, seed=0)
    images = [ax.images[0].get_array() for ax in fig.axes]
    assert len(images) == 3 and (images[0] != images[1]).any()
    assert (images[2] == 0.5).all()
    plt.close(fig)


def test_book_figures_are_up_to_date():
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "figures.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_figure_is_shown_by_a_chapter():
    text = "".join(p.read_text() for p in (ROOT / "chapters").glob("*.ipynb"))
    for path in (ROOT / "book" / "figures").iterdir():
        assert f"book/figures/{path.name}" in text, f"{path.name} is in no chapter"
