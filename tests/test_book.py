"""Build the book with warnings as errors, then check the HTML it produced.

One build (the ``book_html`` fixture of conftest.py, shared with the browser
test, test_browser.py: notebooks are not executed, the book shows their stored
outputs; the first run also installs the npm packages), then these checks:

* every page of ``_toc.yml`` was written;
* MathJax and the Jupyter widget scripts come from ``_static/``, never a CDN,
  so maths and stored widgets render with no internet;
* the results scoreboard shows the numbers glued in the chapter notebooks,
  formatted as the page asks, and no unresolved ``{glue`` role.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from myst_nb.core.variables import format_plain_text

ROOT = Path(__file__).resolve().parents[1]

# Every number the results page pastes: {glue:text}`/chapters/NB.ipynb::key:format`.
RESULTS_GLUE = re.compile(r"\{glue:text\}`/(chapters/[\w.]+\.ipynb)::(\w+):([^`]+)`")

CDN_URL = re.compile(
    r"https?://(?:cdn\.jsdelivr\.net|unpkg\.com|cdnjs\.cloudflare\.com)[^\s\"'<>)]*"
)
# sphinx-thebe always writes this constant; the script is fetched only when a
# reader starts Thebe, which this book does not offer. Nothing else may name a CDN.
ALLOWED_CDN = re.compile(r"https://unpkg\.com/thebe@[\d.]+/lib/index\.js")
WIDGET_VIEW = r'<script type="application/vnd.jupyter.widget-view\+json">([^<]*)</script>'
WIDGET_STATE = r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>'


def _toc_files(node) -> list[str]:
    """All `file:` entries of a _toc.yml structure, depth first."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("file", "root"):
                found.append(str(value))
            else:
                found.extend(_toc_files(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_toc_files(item))
    return found


def _pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if "_static" not in p.parts)


def _check_every_toc_page_is_built(html: Path) -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = _toc_files(toc)
    docs = [Path(f).with_suffix("").as_posix() for f in files]
    assert "chapters/01_autoencoders_and_losses" in docs
    missing = [f for f in files if not (html / Path(f).with_suffix(".html")).is_file()]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"
    assert (html / "index.html").is_file()


def _check_no_cdn_for_mathjax_or_widgets(html: Path) -> None:
    offenders = {}
    for page in _pages(html):
        found = CDN_URL.findall(page.read_text(encoding="utf-8"))
        urls = [u for u in found if not ALLOWED_CDN.fullmatch(u)]
        if urls:
            offenders[str(page.relative_to(html))] = sorted(set(urls))
    assert not offenders, f"pages load scripts from a CDN (the book must work offline): {offenders}"


def _check_mathjax_is_served_locally(html: Path) -> None:
    assert (html / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    # A page with maths must load that copy.
    notation = (html / "book" / "notation.html").read_text(encoding="utf-8")
    assert re.search(r'<script[^>]+src="\.\./_static/mathjax/tex-chtml\.js', notation), (
        "notation.html does not load MathJax from _static/mathjax/"
    )


def _check_widgets_are_served_locally(html: Path) -> None:
    static = html / "_static" / "jupyter-widgets"
    for name in ("require.js", "aelab-widgets-setup.js", "embed-amd.js"):
        assert (static / name).is_file(), f"_static/jupyter-widgets/{name} is missing"
    for page in _pages(html):
        text = page.read_text(encoding="utf-8")
        views = re.findall(WIDGET_VIEW, text)
        if not views:
            continue
        name = page.relative_to(html)
        # Without the stored widget state a widget (a tqdm bar too) shows as
        # an empty space: execute notebooks with nbclient's store_widget_state.
        state = re.search(WIDGET_STATE, text, flags=re.DOTALL)
        assert state, f"{name} shows widgets but its notebook has no saved widget state"
        models = json.loads(state.group(1))["state"]
        lost = [v for v in views if json.loads(v)["model_id"] not in models]
        assert not lost, f"{name}: widgets whose state was not saved: {lost}"
        assert "_static/jupyter-widgets/embed-amd.js" in text, (
            f"{name} has widgets but does not load the local embedder"
        )


def _glued_text(notebook: Path) -> dict[str, str]:
    """key -> text/plain of every value the notebook glued with myst_nb.glue."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    values = {}
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None:
                values[name] = text
    return values


def _check_results_page_shows_the_glued_numbers(html: Path) -> None:
    results = (html / "book" / "results.html").read_text(encoding="utf-8")
    assert "{glue" not in results, "an unresolved {glue} role is left on the results page"
    assert "could not find" not in results.lower()

    roles = RESULTS_GLUE.findall((ROOT / "book" / "results.md").read_text(encoding="utf-8"))
    assert {key for _, key, _ in roles} >= {"ch01_l2_test_sq_err", "ch01_bce_test_sq_err"}
    pasted = re.findall(r'<span class="pasted-text">([^<]*)</span>', results)
    for notebook, key, fmt in roles:
        glued = _glued_text(ROOT / notebook)
        assert key in glued, f"{notebook} does not glue {key}"
        expected = format_plain_text(glued[key], fmt)  # what myst-nb pastes
        assert expected in pasted, (
            f"results.html should show {key} = {glued[key]} as {expected!r}; "
            f"the values pasted there are {pasted}"
        )


def test_book_builds_and_works_offline(book_html):
    html = book_html
    _check_every_toc_page_is_built(html)
    _check_no_cdn_for_mathjax_or_widgets(html)
    _check_mathjax_is_served_locally(html)
    _check_widgets_are_served_locally(html)
    _check_results_page_shows_the_glued_numbers(html)
