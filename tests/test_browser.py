"""The built book as a reader sees it: every page loaded in headless Chromium.

The book (built once per run by the ``book_html`` fixture of conftest.py) is
served from ``_build/html`` on 127.0.0.1 by a thread of this process, and
Chromium, driven by Playwright, opens every page with every request to
another host blocked, i.e. as on a computer with no internet. Each page is
loaded once (``visits``); the tests below then check what was recorded:

* maths is typeset by the bundled MathJax: every ``.math`` element holds
  MathJax output, none shows a TeX error, no raw ``$$``, ``\\[``, ``\\(`` or
  ``\\begin{`` is left in the text;
* every image (figures, logo, widget images) has loaded (natural width > 0);
* no page shows a Python traceback, an error output or a warning on stderr,
  and no script raised an error;
* every request the page made and every link and cross-reference on it
  resolves on localhost (status < 400, and the ``#anchor`` exists);
* stored widgets render offline: each widget view is drawn, not a blank box;
* chapter pages: the Colab button opens this chapter's Colab edition
  (``colab/NN_*.ipynb``) in the repository named in ``_config.yml``; the download
  button serves the source notebook itself; the "Ran on" note shows the notebook's
  run record;
* the results page shows every glued number next to a published value;
* search finds chapters, the favicon and logo load, the footer shows the
  copyright, the references page lists the bibliography.

A full-page screenshot of every page goes to ``_build/screenshots/``.
Chromium comes from the system (``apt-get install chromium``), never from a
Playwright download; ``AELAB_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest
import yaml
from myst_nb.core.variables import format_plain_text
from test_book import RESULTS_GLUE, _glued_text  # the results page's source of truth

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
# TeX that MathJax should have replaced; code blocks and outputs are not searched.
RAW_TEX = re.compile(r"\$\$|\\\[|\\\(|\\begin\{|\$[^$\n]*\\[A-Za-z]+[^$\n]*\$")
PAGE_TIMEOUT_MS = 30_000
# pydata-sphinx-theme logs this on a reader's first visit (no colour mode saved yet).
BENIGN_CONSOLE = re.compile(r"^Got invalid theme mode: \. Resetting to auto\.$")
REDIRECT = re.compile(r'<meta http-equiv="Refresh" content="0; url=([^"]+)"', re.IGNORECASE)
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # no connections of Chromium's own: the machine has no internet
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# What each visit records, in the page itself, once MathJax and the widgets are done.
COLLECT_JS = """
() => {
  const text = (el) => (el ? el.innerText : "");
  const article = document.querySelector("article") || document.body;
  const prose = article.cloneNode(true);
  prose.querySelectorAll("pre, code, script, style, mjx-container, .cell_output, .output")
    .forEach((el) => el.remove());
  const widgetScripts = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]').length;
  const widgetAreas = Array.from(document.querySelectorAll(".widget-subarea"));
  return {
    prose: prose.textContent,
    maths: document.querySelectorAll(".math").length,
    untypeset: Array.from(document.querySelectorAll(".math"))
      .filter((m) => !m.querySelector("mjx-container")).map((m) => m.textContent.slice(0, 80)),
    mathjax: document.querySelectorAll("mjx-container").length,
    texErrors: Array.from(document.querySelectorAll("mjx-merror"))
      .map((m) => m.getAttribute("data-mjx-error") || m.textContent),
    images: Array.from(document.images).map((i) => ({
      src: i.currentSrc || i.src, complete: i.complete, width: i.naturalWidth})),
    errorOutputs: Array.from(document.querySelectorAll(
      ".output.traceback, .output.error, .output.stderr, [data-mime-type*='stderr']"))
      .map((o) => o.innerText.slice(0, 300)),
    traceback: /Traceback \\(most recent call last\\)/.test(text(article)),
    links: Array.from(document.querySelectorAll("a[href]")).map((a) => a.href),
    ids: Array.from(document.querySelectorAll("[id], a[name]")).map((e) => e.id || e.name),
    widgetScripts,
    widgetAreas: widgetAreas.map((w) => ({
      height: w.getBoundingClientRect().height,
      rendered: w.querySelector(".jupyter-widgets") !== null,
      text: w.innerText.slice(0, 120)})),
    colab: Array.from(document.querySelectorAll("a[href*='colab.research.google.com']"))
      .map((a) => a.href),
    download: Array.from(document.querySelectorAll("a.btn-download-source-button"))
      .map((a) => a.href),
    ranOn: text(document.querySelector(".aelab-ran-on")),
    icons: Array.from(document.querySelectorAll("link[rel~='icon']")).map((l) => l.href),
    footer: text(document.querySelector(".copyright")),
    tables: Array.from(article.querySelectorAll("table")).map((t) => ({
      head: Array.from(t.querySelectorAll("thead th")).map((c) => c.innerText.trim()),
      rows: Array.from(t.querySelectorAll("tbody tr")).map((r) =>
        Array.from(r.children).map((c) => c.innerText.trim())),
      pasted: Array.from(t.querySelectorAll("tbody tr")).map((r) =>
        Array.from(r.querySelectorAll(".pasted-text")).map((p) => p.innerText.trim()))})),
    pasted: Array.from(article.querySelectorAll(".pasted-text")).map((p) => p.innerText.trim()),
    citations: document.querySelectorAll(".citation, dl.citation > dt, div.citation").length,
  };
}
"""

# Wait until MathJax has typeset the page and every stored widget has been drawn.
SETTLE_JS = """
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const views = document.querySelectorAll(
    'script[type="application/vnd.jupyter.widget-view+json"]').length;
  const deadline = Date.now() + 20000;
  while (views && Date.now() < deadline) {
    const drawn = Array.from(document.querySelectorAll(".widget-subarea"))
      .filter((w) => w.querySelector(".jupyter-widgets")).length;
    if (drawn >= views) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await Promise.all(Array.from(document.images).filter((i) => !i.complete)
    .map((i) => new Promise((r) => { i.onload = i.onerror = r; })));
}
"""


def _chromium() -> str:
    """The system Chromium: AELAB_CHROMIUM, else the first one on PATH."""
    names = [os.environ.get("AELAB_CHROMIUM", "")]
    names += ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]
    for name in filter(None, names):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(
        "no Chromium found for the browser test: `apt-get install chromium` (Debian/Ubuntu; "
        ".ci/run does it), or set AELAB_CHROMIUM to a Chromium or Chrome binary",
        pytrace=False,
    )


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def site(book_html):
    """The book served on an ephemeral localhost port, from a thread."""
    handler = functools.partial(_QuietHandler, directory=str(book_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _page_paths(html: Path) -> list[str]:
    """Every HTML page of the build (not the theme's static files), as URL paths."""
    pages = [p for p in html.rglob("*.html") if "_static" not in p.relative_to(html).parts]
    return sorted(p.relative_to(html).as_posix() for p in pages)


def _toc_chapters() -> dict[str, Path]:
    """URL path of each chapter page -> its notebook, for the chapters in _toc.yml."""
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    stems = re.findall(r"file:\s*chapters/(\S+)", toc)
    return {f"chapters/{stem}.html": ROOT / "chapters" / f"{stem}.ipynb" for stem in stems}


def _run_record(notebook: Path) -> dict | None:
    """The record tools/execute.py stores; None for a chapter not executed yet."""
    return json.loads(notebook.read_text(encoding="utf-8"))["metadata"].get("aelab")


def _chapters(visits) -> dict[str, Path]:
    """The chapters of _toc.yml that were built and loaded (a missing one fails the first test)."""
    return {path: nb for path, nb in _toc_chapters().items() if path in visits and nb.is_file()}


@pytest.fixture(scope="module")
def visits(site, book_html):
    """Load every page once; URL path -> what the page showed and requested."""
    from playwright.sync_api import sync_playwright

    shots = book_html.parent / "screenshots"
    shutil.rmtree(shots, ignore_errors=True)
    shots.mkdir(parents=True)
    records = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        outside: list[str] = []

        def only_localhost(route):
            if route.request.url.startswith(site):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        context.route("**/*", only_localhost)
        for path in _page_paths(book_html):
            redirect = REDIRECT.search((book_html / path).read_text(encoding="utf-8"))
            if redirect:  # index.html: the root only forwards to the first page
                records[path] = {"redirect": redirect.group(1)}
                continue
            page = context.new_page()
            seen = {"bad": [], "js_errors": [], "outside": []}
            page.on(
                "response",
                lambda r, seen=seen: r.status >= 400 and seen["bad"].append(f"{r.status} {r.url}"),
            )
            page.on("requestfailed", lambda r, seen=seen: seen["bad"].append(f"failed {r.url}"))
            page.on("pageerror", lambda e, seen=seen: seen["js_errors"].append(str(e)))
            page.on(
                "console",
                lambda m, seen=seen: (
                    m.type == "error"
                    and not BENIGN_CONSOLE.search(m.text)
                    and seen["js_errors"].append(m.text)
                ),
            )
            outside.clear()
            response = page.goto(site + path, wait_until="load", timeout=PAGE_TIMEOUT_MS)
            page.evaluate(SETTLE_JS)
            record = page.evaluate(COLLECT_JS)
            record.update(seen, status=response.status, outside=list(outside))
            name = path.removesuffix(".html").replace("/", "__") + ".png"
            page.screenshot(path=str(shots / name), full_page=True)
            record["screenshot"] = shots / name
            records[path] = record
            page.close()
        records["search.html?q=autoencoder"] = _search(context, site)
        browser.close()
    return records


def _search(context, site: str) -> dict:
    """What the search page lists for a word every chapter uses."""
    page = context.new_page()
    page.goto(site + "search.html?q=autoencoder", wait_until="load", timeout=PAGE_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.querySelectorAll('#search-results li').length > 0"
        " || /did not match|no results/i.test(document.body.innerText)",
        timeout=PAGE_TIMEOUT_MS,
    )
    found = page.eval_on_selector_all("#search-results li a", "els => els.map((a) => a.href)")
    page.close()
    return {"found": found}


def _pages(visits) -> dict:
    """The pages that were loaded and checked (not the redirect, not the search query)."""
    return {p: r for p, r in visits.items() if p.endswith(".html") and "redirect" not in r}


def _fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310 - localhost only
            return reply.status, reply.read()
    except urllib.error.HTTPError as err:
        return err.code, b""


def test_every_page_was_tested_and_screenshotted(visits, book_html):
    pages = _pages(visits)
    toc_pages = [p for p in pages if p.startswith(("book/", "chapters/"))]
    assert len(toc_pages) >= 6, sorted(pages)
    assert visits["index.html"].get("redirect") in pages, "index.html does not open the book"
    missing = set(_toc_chapters()) - set(pages)
    assert not missing, f"chapters of _toc.yml that were not built: {sorted(missing)}"
    for path, record in pages.items():
        assert record["status"] == 200, path
        assert record["screenshot"].stat().st_size > 10_000, f"{path}: blank screenshot?"


def test_maths_is_typeset_offline(visits):
    problems = {}
    for path, r in _pages(visits).items():
        issues = []
        if r["untypeset"]:
            issues.append(
                f"{len(r['untypeset'])} of {r['maths']} formulas not typeset, e.g. "
                f"{r['untypeset'][:2]}"
            )
        if r["texErrors"]:
            issues.append(f"TeX errors: {r['texErrors'][:3]}")
        raw = RAW_TEX.findall(r["prose"])
        if raw:
            issues.append(f"raw TeX left in the text: {raw[:5]}")
        if issues:
            problems[path] = issues
    assert not problems, problems
    pages = _pages(visits)
    assert pages["book/notation.html"]["mathjax"] > 10, "the notation page shows no maths"
    for path in _chapters(visits):
        assert pages[path]["mathjax"] > 0, f"{path}: no typeset maths at all"


def test_nothing_is_fetched_from_the_internet(visits):
    outside = {path: r["outside"] for path, r in _pages(visits).items() if r["outside"]}
    assert not outside, f"pages that try to load something from another host: {outside}"


def test_every_image_loads(visits):
    broken = {
        path: [i["src"][:120] for i in r["images"] if not (i["complete"] and i["width"] > 0)]
        for path, r in _pages(visits).items()
    }
    broken = {path: srcs for path, srcs in broken.items() if srcs}
    assert not broken, f"images that did not load: {broken}"
    executed = [p for p, nb in _chapters(visits).items() if _run_record(nb)]
    figures = {p: sum("_images/" in i["src"] for i in visits[p]["images"]) for p in executed}
    assert all(figures.values()), f"executed chapters without a figure: {figures}"


def test_no_traceback_error_output_or_script_error(visits):
    problems = {}
    for path, r in _pages(visits).items():
        shown = [o for o in r["errorOutputs"] if re.search(r"Error|Traceback|Warning", o)]
        if shown or r["traceback"] or r["js_errors"]:
            problems[path] = {"outputs": shown, "traceback": r["traceback"], "js": r["js_errors"]}
    assert not problems, problems


def test_every_request_link_and_anchor_resolves(visits, site):
    pages = _pages(visits)
    bad_requests = {path: r["bad"] for path, r in pages.items() if r["bad"]}
    assert not bad_requests, f"requests that failed on localhost: {bad_requests}"

    targets: dict[str, set[str]] = {}
    for r in pages.values():
        for link in r["links"]:
            url, fragment = urldefrag(link)
            if url.startswith(site):
                targets.setdefault(url, set()).add(unquote(fragment))
    assert len(targets) > len(pages), "suspiciously few internal links"
    broken, missing_anchors = [], []
    for url, fragments in sorted(targets.items()):
        path = urlsplit(url).path.lstrip("/") or "index.html"
        if path.endswith("/"):
            path += "index.html"
        if path in pages:
            ids = set(pages[path]["ids"])
            missing_anchors += [f"{path}#{f}" for f in fragments if f and f not in ids]
            continue
        status, _ = _fetch(url)
        if status >= 400:
            broken.append(f"{status} {url}")
    assert not broken and not missing_anchors, (
        f"links to missing files: {broken}; to anchors that do not exist: {missing_anchors}"
    )


def test_stored_widgets_render_offline(visits):
    with_widgets = {p: r for p, r in _pages(visits).items() if r["widgetScripts"]}
    problems = {}
    for path, r in with_widgets.items():
        drawn = [w for w in r["widgetAreas"] if w["rendered"] and w["height"] > 0]
        if len(drawn) < r["widgetScripts"]:
            problems[path] = (
                f"{len(drawn)} of {r['widgetScripts']} widgets drawn: {r['widgetAreas']}"
            )
    assert not problems, problems


def test_chapter_pages_launch_colab_and_download_their_notebook(visits, site):
    url = CONFIG["repository"]["url"].rstrip("/")
    match = re.fullmatch(r"https://github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?", url)
    assert match, f"repository.url in _config.yml is not a GitHub repository: {url}"
    colab = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
    branch = CONFIG["repository"].get("branch", "main")
    book_path = CONFIG["repository"].get("path_to_book", "").strip("/")
    for path, notebook in _chapters(visits).items():
        r = visits[path]
        # the Colab edition of the chapter (tools/colab.py), not its MyST source
        in_repo = "/".join(filter(None, [book_path, "colab", notebook.name]))
        expected = f"{colab}/github/{match.group(1)}/blob/{branch}/{in_repo}"
        assert r["colab"] == [expected], f"{path}: Colab button {r['colab']}, not {expected}"
        assert (ROOT / in_repo).is_file(), (
            f"the Colab button opens {in_repo}, not in the repository"
        )
        downloads = [d for d in r["download"] if d.endswith(".ipynb")]
        assert downloads, f"{path} has no .ipynb download button"
        status, body = _fetch(downloads[0])
        assert status == 200 and body == notebook.read_bytes(), (
            f"{path}: the download button does not serve {notebook.name} as stored"
        )


def test_chapter_pages_show_where_their_outputs_ran(visits):
    for path, notebook in _chapters(visits).items():
        record = _run_record(notebook)
        shown = visits[path]["ranOn"]
        if not record:  # a chapter being written; test_notebooks.py reports the missing run
            assert not shown, f"{path} shows a run record its notebook does not have"
            continue
        expected = [
            str(record["device"]),
            f"{float(record['seconds']):.0f} s",
            record["date"],
            f"aelab {record['aelab_version']}",
            "quick-mode" if record["quick"] else "full-mode",
        ]
        missing = [e for e in expected if e not in shown]
        assert not missing, f"{path}: the 'Ran on' note {shown!r} lacks {missing}"


def test_results_page_shows_every_glued_number_with_its_published_value(visits):
    results = visits["book/results.html"]
    source = (ROOT / "book" / "results.md").read_text(encoding="utf-8")
    roles = RESULTS_GLUE.findall(source)
    rows = []  # (published cell, pasted values) of every table row on the page
    for table in results["tables"]:
        assert "Published" in table["head"], f"a results table without a Published column: {table}"
        column = table["head"].index("Published")
        rows += [
            (row[column], pasted)
            for row, pasted in zip(table["rows"], table["pasted"], strict=True)
        ]
    in_tables = {value for _, pasted in rows for value in pasted}
    for line in source.splitlines():
        for notebook, key, fmt in RESULTS_GLUE.findall(line):
            assert (ROOT / notebook).is_file(), f"results.md pastes {key} from {notebook}: no file"
            text = _glued_text(ROOT / notebook).get(key)
            assert text is not None, f"{notebook} does not glue {key}"
            value = format_plain_text(text, fmt)
            # a number in a table row stands next to its published value; one in the prose
            # (e.g. the training budget a row refers to) only has to be shown
            shown, where = (
                (in_tables, "table row")
                if line.startswith("|")
                else (results["pasted"], "paragraph")
            )
            assert value in shown, f"results page: {key} = {value} is not in any {where}"
    for published, pasted in rows:
        if pasted:
            assert published, f"a result row without a published value or '—': {pasted}"
    # every executed chapter has at least one number on the page
    executed = [nb.name for nb in _chapters(visits).values() if _run_record(nb)]
    listed = {Path(notebook).name for notebook, _, _ in roles}
    assert set(executed) <= listed, f"executed chapters with no row: {set(executed) - listed}"


def test_search_favicon_logo_copyright_and_bibliography(visits, site):
    found = visits["search.html?q=autoencoder"]["found"]
    hits = {urlsplit(url).path.lstrip("/") for url in found}
    chapters = set(_chapters(visits))
    assert chapters & hits, f"searching 'autoencoder' finds no chapter: {sorted(hits)}"

    copyright_ = str(CONFIG["copyright"])
    for path, r in _pages(visits).items():
        assert r["icons"], f"{path} has no favicon"
        assert f"Copyright {copyright_}" in r["footer"], f"{path}: footer {r['footer']!r}"
        assert any("logo" in i["src"] and i["width"] > 0 for i in r["images"]), f"{path}: no logo"
    icon_status, icon = _fetch(visits["book/intro.html"]["icons"][0])
    assert icon_status == 200 and icon.lstrip().startswith((b"<svg", b"<?xml", b"\x89PNG"))

    references = visits["book/references.html"]
    keys = re.findall(r"^@\w+\{([^,]+),", (ROOT / "book" / "references.bib").read_text(), re.M)
    assert references["citations"] >= 1 and "maier2020autoencoders" in keys
    assert "Maier" in references["prose"], "the lecture is not in the bibliography"
