"""Sphinx extension: drop repeated inline scripts from every page.

sphinx-thebe (which Jupyter Book always loads) registers its inline
configuration script once each time ``env-before-read-docs`` fires, and in
a Jupyter Book build that happens twice. Sphinx removes repeated script
*files* but not repeated inline scripts, so every page declared
``const THEBE_JS_URL`` twice and the browser reported a SyntaxError on every
page (found by tests/test_browser.py). Keeping only the first copy of each
identical script fixes it without changing what any page does.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _key(script) -> tuple:
    """What makes two scripts the same; an inline one is registered with filename None or ''."""
    attributes = getattr(script, "attributes", {})
    return getattr(script, "filename", script) or "", tuple(sorted(attributes.items()))


def drop_repeats(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    """Keep the first of identical entries of the page's script list, in order."""
    scripts = context.get("script_files")
    if scripts:
        unique = {}
        for script in scripts:
            unique.setdefault(_key(script), script)
        context["script_files"] = list(unique.values())


def setup(app: Sphinx) -> dict:
    # After the other extensions have added their scripts to the page.
    app.connect("html-page-context", drop_repeats, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
