"""The install lines that open every chapter's setup cell, derived from ``_config.yml``.

    python tools/setup_cell.py            # check every chapter; exit 1 if one differs
    python tools/setup_cell.py --write    # make every chapter open with these lines

On Colab the setup cell installs this repository's package from the
``repository.url`` of ``_config.yml`` (the one place that names the
repository); elsewhere the package is already installed. When the variable
``AELAB_PIP_SOURCE`` is set, the cell installs from there instead (a local
checkout, a wheel, another branch), which is how ``tests/test_colab.py``
runs a chapter alone in a clean environment. ``--write`` replaces only the
lines up to the last ``%pip install`` of the first code cell and keeps the
stored outputs, so an executed notebook needs no re-run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from execute import chapter_notebooks  # noqa: E402  (a sibling file: tools/ is not a package)

ROOT = Path(__file__).resolve().parents[1]

TEMPLATE = """\
# On Colab, install the book's package first; elsewhere it is already installed.
# AELAB_PIP_SOURCE installs it from elsewhere instead, e.g. a local checkout.
import os
import sys

if "AELAB_PIP_SOURCE" in os.environ:
    %pip install -q "{{os.environ['AELAB_PIP_SOURCE']}}"
elif "google.colab" in sys.modules:
    %pip install -q "aelab @ git+{url}"
"""


def repository_url(config: Path = ROOT / "_config.yml") -> str:
    """The repository URL of the book's configuration."""
    url = yaml.safe_load(config.read_text(encoding="utf-8"))["repository"]["url"]
    return url.rstrip("/")


def install_lines(url: str | None = None) -> str:
    """The exact opening of every setup cell (ending with a newline)."""
    return TEMPLATE.format(url=url or repository_url())


def first_code_cell(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    cells = [c for c in notebook.cells if c.cell_type == "code" and c.source.strip()]
    if not cells:
        raise ValueError("the notebook has no code cell")
    return cells[0]


def with_install_lines(source: str, lines: str) -> str:
    """``source`` with everything up to its last ``%pip install`` line replaced by ``lines``."""
    old = source.splitlines(keepends=True)
    last = max((i for i, line in enumerate(old) if "%pip install" in line), default=None)
    if last is None:
        raise ValueError("the setup cell has no %pip install line to replace")
    return lines + "".join(old[last + 1 :])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--write", action="store_true", help="rewrite the setup cells")
    args = parser.parse_args()
    paths = args.notebooks or chapter_notebooks()
    lines = install_lines()
    differ = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        cell = first_code_cell(notebook)
        if cell.source.startswith(lines):
            continue
        if args.write:
            cell.source = with_install_lines(cell.source, lines)
            nbformat.write(notebook, path)
            print(f"updated {path}")
        else:
            differ.append(path)
            print(f"{path}: the setup cell does not start with the install lines")
    if differ:
        print("run: python tools/setup_cell.py --write")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
