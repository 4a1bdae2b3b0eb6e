"""Sphinx extension: show on every chapter page where its stored outputs were produced.

A chapter page shows the outputs stored in its notebook, not a fresh run.
``tools/execute.py`` stores a run record in the notebook metadata under
``"aelab"`` (device, seconds, mode, date, aelab version). This extension
reads that record at build time and puts a short note under the page title,
so the note always matches the outputs the page shows. A notebook without
a record (a chapter still being written) gets no note; ``tests/test_notebooks.py``
fails on it instead.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: The keys ``ae.finish()`` writes; all of them are shown.
FIELDS = ("device", "seconds", "date", "aelab_version", "quick")
CLASS = "aelab-ran-on"


def run_record(path: Path) -> dict | None:
    """The notebook's ``metadata.aelab`` run record, or None if it has none."""
    metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
    return metadata.get("aelab")


def describe(record: dict) -> str:
    """One sentence naming device, mode, seconds, date and aelab version."""
    seconds = float(record["seconds"])
    minutes = f" ({seconds / 60:.1f} min)" if seconds >= 90 else ""
    mode = "quick-mode" if record["quick"] else "full-mode"
    return (
        f"The outputs on this page come from a {mode} run on {record['device']} "
        f"that took {seconds:.0f} s{minutes}, on {record['date']}, "
        f"with aelab {record['aelab_version']}."
    )


def add_note(app: Sphinx, doctree: nodes.document) -> None:
    """Insert the run note after the title of a notebook page."""
    docname = app.env.docname
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".ipynb":
        return
    record = run_record(path)
    if not record:
        logger.info(f"ran_on: {docname} has no run record; no note added")
        return
    missing = [key for key in FIELDS if key not in record]
    if missing:
        logger.warning(
            f"ran_on: the run record of {path.name} lacks {missing}; "
            "re-execute it with tools/execute.py",
            location=docname,
        )
        return
    note = nodes.admonition(classes=["note", CLASS])
    note += nodes.title(text="Ran on")
    note += nodes.paragraph(text=describe(record))
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None:
        doctree.insert(0, note)
        return
    titles = [i for i, child in enumerate(section.children) if isinstance(child, nodes.title)]
    section.insert(titles[0] + 1 if titles else 0, note)


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", add_note)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
