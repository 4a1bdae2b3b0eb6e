"""MyST markdown of the chapters turned into the plain Jupyter markdown of their Colab editions.

Colab and JupyterLab render CommonMark with ``$...$`` maths and HTML, not MyST. The
chapters use a few MyST constructs; each becomes something a plain notebook shows:

* ``{glue:text}`name:fmt``` -> the value the chapter's full-mode run stored, formatted
  by myst-nb's own ``format_plain_text``, so that it reads as in the book;
* ``{cite}``, ``{cite:p}`` -> "(Author et al., year)", ``{cite:t}`` -> "Author et al.
  (year)", linked to the book's references page (anchor ``cite-<key>``, see
  ``bibtex_cite_id`` in ``_config.yml``);
* ``{doc}``, ``{ref}``, ``{numref}`` -> links to the page and anchor of the published book;
* directives (``admonition``, ``note``, ``exercise``, ...) -> blockquotes with a bold
  title, their paragraphs joined into single lines so that no ``>`` lands inside maths.

Anything else in braces and backticks is an error, never silently passed through.
``tools/colab.py`` uses this module to write the editions.
"""

from __future__ import annotations

import codecs
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import latexcodec  # noqa: F401  (registers the "ulatex" codec used for author names)
import pybtex.database
from myst_nb.core.variables import format_plain_text

ROLE = re.compile(r"\{([a-z][\w:-]*)\}`([^`]*)`")
EXPLICIT = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.S)  # "text <target>"
FENCE = re.compile(r"^(`{3,}|:{3,})\{([\w-]+)\}\s*(.*)$")
OPTION = re.compile(r"^:([\w-]+):\s*(.*)$")
NEW_BLOCK = re.compile(r"^(\s*([-*+]|\d+\.)\s|#|\$\$|```|\||>)")
IMAGE = re.compile(r"(!\[[^\]]*\]\()(?![a-z]+:)([^)\s]+)\)")  # ![alt](relative/path)
ADMONITIONS = {"note", "tip", "hint", "important", "warning", "caution", "attention", "seealso"}


@dataclass
class Target:
    """Where a ``{ref}`` label points: the page (docname), its anchor, and the text shown."""

    docname: str
    anchor: str
    text: str


@dataclass
class Context:
    """What the conversion of one chapter needs to know."""

    docname: str  # e.g. "chapters/01_autoencoders_and_losses"
    book_url: str  # the published book, ending with "/"
    glued: dict[str, str]  # glue name -> stored text/plain
    citations: dict[str, tuple[list[str], str]]  # bib key -> (last names, year)
    targets: dict[str, Target]  # ref label -> target
    exercise_label: Callable[[str], str] = field(default=lambda label: "Exercise")

    def page(self, docname: str, anchor: str = "") -> str:
        return f"{self.book_url}{docname}.html" + (f"#{anchor}" if anchor else "")


def read_citations(bib: Path) -> dict[str, tuple[list[str], str]]:
    """Bib key -> (authors' last names, year), LaTeX accents decoded."""
    data = pybtex.database.parse_file(str(bib))
    out = {}
    for key, entry in data.entries.items():
        names = []
        for person in entry.persons.get("author", []):
            last = codecs.decode(" ".join(person.last_names), "ulatex")
            names.append(last.replace("{", "").replace("}", ""))
        out[key] = (names, entry.fields["year"])
    return out


def _authors(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


def _cite(kind: str, keys: str, ctx: Context) -> str:
    parts = []
    for key in (k.strip() for k in keys.split(",")):
        if key not in ctx.citations:
            raise ValueError(f"{ctx.docname}: unknown citation key {key!r}")
        names, year = ctx.citations[key]
        url = ctx.page("book/references", f"cite-{key}")
        text = f"{_authors(names)} ({year})" if kind == "cite:t" else f"{_authors(names)}, {year}"
        parts.append(f"[{text}]({url})")
    joined = "; ".join(parts) if kind != "cite:t" else ", ".join(parts)
    return joined if kind == "cite:t" else f"({joined})"


def _role(match: re.Match, ctx: Context) -> str:
    name, content = match.group(1), match.group(2)
    if name == "glue:text":
        key, _, spec = content.partition(":")
        if key not in ctx.glued:
            raise ValueError(f"{ctx.docname}: no stored glue value {key!r}; re-execute it")
        return format_plain_text(ctx.glued[key], spec)  # as the book shows it
    if name in ("cite", "cite:p", "cite:t"):
        return _cite(name, content, ctx)
    explicit = EXPLICIT.match(content)
    text, target = (explicit.group(1), explicit.group(2)) if explicit else ("", content)
    if name == "doc":
        docname = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.docname), target))
        return f"[{text or docname}]({ctx.page(docname)})"
    if name in ("ref", "numref"):
        if target not in ctx.targets:
            raise ValueError(f"{ctx.docname}: unknown reference label {target!r}")
        found = ctx.targets[target]
        return f"[{text or found.text}]({ctx.page(found.docname, found.anchor)})"
    raise ValueError(f"{ctx.docname}: no plain-markdown form for the role {{{name}}}")


def roles(text: str, ctx: Context) -> str:
    """``text`` with every MyST role replaced; inline code spans are left alone."""

    def replace(match: re.Match) -> str:
        return _role(match, ctx) if match.group(1) else match.group(0)

    return re.sub(ROLE.pattern + r"|`[^`\n]*`", replace, text)


def reflow(lines: list[str]) -> list[str]:
    """Paragraphs and list items joined into one line each (markdown renders them alike).

    Lines inside fenced code blocks stay as they are.
    """
    out: list[str] = []
    in_code = False
    for line in lines:
        fence = line.lstrip().startswith("```")
        if not in_code and out and out[-1].strip() and line.strip() and not NEW_BLOCK.match(line):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line.rstrip())
        in_code ^= fence
    return out


def blockquote(title: str, body: list[str]) -> list[str]:
    """A bold-titled blockquote of ``body`` (already converted)."""
    quoted = [f"> {line}" if line else ">" for line in reflow(body)]
    return [f"> **{title}**", ">", *quoted] if body else [f"> **{title}**"]


def _directive(name: str, argument: str, options: dict, body: list[str], ctx: Context) -> list[str]:
    body = convert("\n".join(body), ctx).strip("\n").splitlines()
    argument = roles(argument, ctx)
    if name == "admonition":
        return blockquote(argument or "Note", body)
    if name in ADMONITIONS:
        return blockquote(name.capitalize() + (f": {argument}" if argument else ""), body)
    if name == "exercise":
        title = ctx.exercise_label(options.get("label", ""))
        return blockquote(title + (f" ({argument})" if argument else ""), body)
    raise ValueError(f"{ctx.docname}: no plain-markdown form for the directive {{{name}}}")


def _body(lines: list[str], i: int, fence: str) -> tuple[list[str], int]:
    """The lines of a directive from line ``i`` up to its closing ``fence``; the next index."""
    body, depth = [], 0
    while i < len(lines):
        line = lines[i]
        i += 1
        marks = re.match(r"^\s*(`{3,}|:{3,})(.*)$", line)
        if marks and marks.group(2).strip():  # an opening fence: ```python, ```{hint}
            depth += 1
        elif marks and depth:
            depth -= 1
        elif marks and marks.group(1)[0] == fence[0] and len(marks.group(1)) >= len(fence):
            return body, i
        body.append(line)
    raise ValueError(f"a {fence} directive is not closed")


def convert(text: str, ctx: Context) -> str:
    """One markdown cell's MyST turned into plain Jupyter markdown."""
    lines, out, i = text.splitlines(), [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        i += 1
        if not opening:
            out.append(lines[i - 1])
            continue
        fence, name, argument = opening.groups()
        options = {}
        while i < len(lines) and (option := OPTION.match(lines[i])):
            options[option.group(1)] = option.group(2)
            i += 1
        body, i = _body(lines, i, fence)
        out += _directive(name, argument.strip(), options, body, ctx)
    return images(roles("\n".join(out), ctx), ctx)


def images(text: str, ctx: Context) -> str:
    """Relative image paths (``../book/figures/x.svg``) made absolute: the built book copies
    every image a page shows into its ``_images/`` folder, which is where Colab finds it."""
    return IMAGE.sub(
        lambda m: f"{m.group(1)}{ctx.book_url}_images/{posixpath.basename(m.group(2))})", text
    )
