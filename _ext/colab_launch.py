"""Sphinx extension: the Colab launch button of a chapter opens its Colab edition.

sphinx-book-theme points the Colab button at the page's own source file,
``.../blob/<branch>/chapters/NN_*.ipynb``: a MyST notebook that Colab shows with raw
roles and directives and with every exercise's solution in plain view. Each chapter
has a plain-Jupyter edition, ``colab/NN_*.ipynb``, written by ``tools/colab.py``;
this extension rewrites the button's URL to it. The download button is left alone
and still offers the source notebook. A chapter without an edition keeps the
theme's URL and gets a warning (``make colab`` writes the editions).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Source folder of the chapters -> folder of their editions, relative to the repository root.
SOURCE, EDITIONS = "chapters/", "colab/"


def edition_url(theme_url: str, pagename: str) -> str:
    """``theme_url`` (``.../blob/<branch>/[path]chapters/NN.ipynb``) moved to ``colab/NN.ipynb``."""
    head, sep, tail = theme_url.rpartition(f"/{pagename}")
    if not sep or not pagename.startswith(SOURCE):
        raise ValueError(f"{theme_url} does not end with the page {pagename}")
    return f"{head}/{EDITIONS}{pagename[len(SOURCE) :]}{tail}"


def _buttons(context: dict) -> list[dict]:
    """Every button of the page header, groups flattened."""
    out = []
    for button in context.get("header_buttons", []):
        out += button.get("buttons", []) if button.get("type") == "group" else [button]
    return out


def point_colab_at_edition(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree
) -> None:
    """Rewrite the Colab button of a chapter page to the chapter's Colab edition."""
    if not pagename.startswith(SOURCE):
        return
    for button in _buttons(context):
        if button.get("text") != "Colab":
            continue
        edition = Path(app.srcdir) / EDITIONS / f"{pagename[len(SOURCE) :]}.ipynb"
        if not edition.is_file():
            logger.warning(f"colab_launch: no {edition.name} in {EDITIONS}; run make colab")
            return
        button["url"] = edition_url(button["url"], pagename)


def setup(app: Sphinx) -> dict:
    # After sphinx-book-theme's add_launch_buttons (priority 501) has built the button.
    app.connect("html-page-context", point_colab_at_edition, priority=600)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
