"""Draw the lecture's key pictures (``aelab.diagrams``) into ``book/figures/``.

    python tools/figures.py          # check that every figure file is up to date (exit 1 if not)
    python tools/figures.py --write  # (re)draw them

The chapters show these files as plain Markdown images, so the book and the
Colab editions need no code cell to draw them. SVG files are written without a
date, so the same code draws the same bytes and the check can compare them.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "aelab"  # stable element ids: the same code, the same bytes
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from aelab import diagrams, photos  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "book" / "figures"


def _triplet() -> Figure:
    clean = photos.center_crop(photos.load(["camera"])[0], 128)
    return diagrams.noise2noise_triplet(clean, sigma=25 / 255, seed=0)


#: file name -> the function that draws it
FIGURES: dict[str, Callable[[], Figure]] = {
    "autoencoder.svg": diagrams.autoencoder,
    "reparameterisation.svg": diagrams.reparameterisation,
    "dae_chain.svg": diagrams.dae_chain,
    "noise2noise_triplet.png": _triplet,
}


def render(name: str) -> bytes:
    """The bytes of figure ``name`` as the book stores it."""
    fig = FIGURES[name]()
    buffer = io.BytesIO()
    fmt = name.rsplit(".", 1)[1]
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    fig.savefig(buffer, format=fmt, bbox_inches="tight", metadata=metadata, dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="draw the figures into book/figures")
    args = parser.parse_args()
    stale = []
    for name in FIGURES:
        path = FOLDER / name
        data = render(name)
        if args.write:
            FOLDER.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        elif not path.exists() or path.read_bytes() != data:
            stale.append(name)
    if stale:
        print("stale figures (run python tools/figures.py --write):", ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
