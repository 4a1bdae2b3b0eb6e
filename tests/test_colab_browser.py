"""The Colab editions as a plain Jupyter front end shows them, in headless Chromium.

Every edition (``colab/NN_*.ipynb``) is rendered to HTML by nbconvert, the renderer
of plain Jupyter markdown, and opened in the system's Chromium with every request to
another host blocked. MathJax 3 (the book's bundled copy, configured for ``$`` and
``$$`` as JupyterLab and Colab configure it) replaces the template's MathJax 2 from
a CDN. Each page must show typeset maths with no TeX error and no raw TeX, no MyST
role or directive, and every solution folded in a closed ``<details>``. Every link of
an edition into the published book must name a page and anchor that the built book
(``book_html``) has. A screenshot of each edition, and of chapter 1's first exercise
with its solution folded, goes to ``_build/screenshots-colab/``.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from pathlib import Path

import nbformat
import pytest
import scripts
from test_browser import CHROMIUM_ARGS, PAGE_TIMEOUT_MS, RAW_TEX, _chromium, _QuietHandler

ROOT = Path(__file__).resolve().parents[1]
colab = scripts.load("tools/colab.py")
EDITIONS = scripts.chapters(ROOT / "colab")  # the Colab editions, named as the chapters
SHOTS = ROOT / "_build" / "screenshots-colab"
MATHJAX3 = """<script>
window.MathJax = {tex: {inlineMath: [["$", "$"], ["\\\\(", "\\\\)"]],
  displayMath: [["$$", "$$"], ["\\\\[", "\\\\]"]],
  processEscapes: true, processEnvironments: true}};
</script>
<script src="mathjax/tex-chtml.js"></script>"""

COLLECT_JS = """
async () => {
  await MathJax.startup.promise;
  const prose = document.body.cloneNode(true);
  prose.querySelectorAll("pre, code, script, style, mjx-container").forEach((e) => e.remove());
  return {
    prose: prose.textContent,
    mathjax: document.querySelectorAll("mjx-container").length,
    texErrors: Array.from(document.querySelectorAll("mjx-merror"))
      .map((m) => m.getAttribute("data-mjx-error") || m.textContent),
    details: Array.from(document.querySelectorAll("details")).map((d) => ({
      open: d.open, summary: d.querySelector("summary")?.innerText || "",
      hiddenCode: d.querySelector("pre") !== null})),
    links: Array.from(document.querySelectorAll(".jp-MarkdownCell a[href]")).map((a) => a.href),
  };
}
"""


def render(edition: Path) -> str:
    """The edition as nbconvert's lab template renders it, with the local MathJax 3."""
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter(template_name="lab").from_notebook_node(
        nbformat.read(edition, as_version=4)
    )
    html = re.sub(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>', "", html)
    html = re.sub(r'<script type="text/x-mathjax-config">.*?</script>', "", html, flags=re.S)
    return html.replace("</head>", MATHJAX3 + "\n</head>", 1)


@pytest.fixture(scope="module")
def pages(book_html, tmp_path_factory):
    """Edition file name -> what Chromium showed of its rendered page."""
    from playwright.sync_api import sync_playwright

    where = tmp_path_factory.mktemp("editions-html")
    shutil.copytree(ROOT / ".vendor" / "mathjax", where / "mathjax")  # the build vendored it
    for edition in EDITIONS:
        (where / f"{edition.stem}.html").write_text(render(edition), encoding="utf-8")
    handler = functools.partial(_QuietHandler, directory=str(where))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}/"
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    records = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        context.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(site) else route.abort()
            ),
        )
        for edition in EDITIONS:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(f"{site}{edition.stem}.html", wait_until="load", timeout=PAGE_TIMEOUT_MS)
            records[edition.name] = page.evaluate(COLLECT_JS) | {"js_errors": errors}
            page.screenshot(path=str(SHOTS / f"{edition.stem}.png"), full_page=True)
            if edition == EDITIONS[0]:  # an exercise as a student first sees it
                page.locator("details").first.scroll_into_view_if_needed()
                page.screenshot(path=str(SHOTS / f"{edition.stem}-exercise.png"))
            page.close()
        browser.close()
    server.shutdown()
    server.server_close()
    return records


def test_every_edition_was_rendered(pages):
    assert len(EDITIONS) >= 9 and set(pages) == {e.name for e in EDITIONS}


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda p: p.stem)
def test_edition_shows_typeset_maths_and_no_markup(pages, edition):
    page = pages[edition.name]
    assert page["mathjax"] > 10, f"{edition.name}: only {page['mathjax']} formulas typeset"
    assert not page["texErrors"], f"{edition.name}: TeX errors {page['texErrors'][:3]}"
    raw = RAW_TEX.findall(page["prose"])
    assert not raw, f"{edition.name}: raw TeX left in the text: {raw[:3]}"
    roles = re.findall(r"\{[a-z:-]+\}`|\{(?:glue|cite|ref|doc|numref|solution)", page["prose"])
    assert not roles, f"{edition.name}: MyST shows in the text: {roles[:3]}"
    assert not page["js_errors"], page["js_errors"]


@pytest.mark.parametrize("edition", EDITIONS, ids=lambda p: p.stem)
def test_edition_folds_every_solution(pages, edition):
    details = pages[edition.name]["details"]
    assert len(details) >= 3, f"{edition.name}: {len(details)} folded solutions"
    for block in details:
        assert not block["open"] and block["summary"].startswith("Solution"), block
        assert block["hiddenCode"], f"{edition.name}: a folded solution holds no code"


def test_links_into_the_book_resolve(pages, book_html):
    """Every link of an edition into the published book names a page and anchor it has."""
    base = colab.book_url()
    broken, checked = [], 0
    for name, page in pages.items():
        for link in page["links"]:
            if not link.startswith(base):
                continue
            checked += 1
            path, _, anchor = link[len(base) :].partition("#")
            target = book_html / path
            if not target.is_file():
                broken.append(f"{name}: {link} (no page {path})")
            elif anchor and f'id="{anchor}"' not in target.read_text(encoding="utf-8"):
                broken.append(f"{name}: {link} (no anchor #{anchor})")
    assert checked >= 9, f"only {checked} links into the book {base}"
    assert not broken, broken
