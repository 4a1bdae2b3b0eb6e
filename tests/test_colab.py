"""Every chapter is ready for Colab, where a notebook arrives alone.

On Colab a reader has the notebook and nothing else of this repository: the
setup cell has to install the package, and the package has to bring what
the chapter imports. Three checks:

* every setup cell opens with the install lines of ``tools/setup_cell.py``,
  which name the ``repository.url`` of ``_config.yml`` (the one place that
  names the repository) and honour ``AELAB_PIP_SOURCE``;
* every chapter imports only the standard library, ``aelab`` and the
  packages ``aelab`` declares as dependencies (``pyproject.toml``);
* chapter 1's first cells run in a clean virtual environment, in a folder
  that holds only the notebook, with ``AELAB_PIP_SOURCE`` pointing the setup
  cell's ``%pip install`` at a copy of the package source (``pyproject.toml``,
  ``README.md``, ``src/``: what a ``git+`` URL of the repository fetches).

The clean environment is a new venv without pip whose ``.pth`` file puts the
site-packages of the Python running the tests on its path. Only that folder
is added, so the ``.pth`` files inside it, the editable install of ``aelab``
among them, are not run: ``aelab`` is not importable there until the setup
cell installs it, while torch, numpy and Jupyter are, as on Colab. Installing
them afresh would download about a gigabyte for each test run and prove
nothing about this repository; their presence is what the import check above
is about.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from importlib.metadata import packages_distributions
from pathlib import Path

import nbformat
import pytest
import scripts
import tomllib  # the standard library's since Python 3.11, which the tests use
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = scripts.chapters()
setup_cell = scripts.load("tools/setup_cell.py")

#: The chapter run alone, and how many of its code cells (setup, settings and data, a figure).
ALONE = ROOT / "chapters" / "01_autoencoders_and_losses.ipynb"
ALONE_CELLS = 3
KERNEL = "aelab-alone"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared_dependencies() -> set[str]:
    """The distributions installing aelab brings: [project] dependencies of pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {
        _normalise(re.split(r"[\s<>=!~;\[(]", dep, maxsplit=1)[0])
        for dep in project["dependencies"]
    }


def _imported_modules(notebook) -> set[str]:
    """Top-level names of every module the notebook's code cells import."""
    names = set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        # IPython magics and shell lines are not Python: a `pass` keeps the indentation valid
        code = "\n".join(
            re.sub(r"^(\s*)[%!].*", r"\1pass", line) for line in cell.source.splitlines()
        )
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_setup_cell_opens_with_the_install_lines(path):
    cell = setup_cell.first_code_cell(nbformat.read(path, as_version=4))
    lines = setup_cell.install_lines()
    assert setup_cell.repository_url() in lines
    assert cell.source.startswith(lines), (
        f"{path.name}: the setup cell must start with\n{lines}\n"
        "(python tools/setup_cell.py --write puts these lines in every chapter)"
    )
    assert "\nae.start(" in cell.source, f"{path.name}: the setup cell must call ae.start()"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_imports_only_what_aelab_installs(path):
    declared = _declared_dependencies()
    distributions = packages_distributions()
    missing = []
    for name in sorted(_imported_modules(nbformat.read(path, as_version=4))):
        if name in sys.stdlib_module_names or name == "aelab":
            continue
        if not {_normalise(d) for d in distributions.get(name, [])} & declared:
            missing.append(name)
    assert not missing, (
        f"{path.name} imports {missing}, which installing aelab does not install: "
        "add the package to [project] dependencies in pyproject.toml, or move the code into aelab"
    )


def test_install_lines_replace_an_old_setup_cell():
    old = (
        "# On Colab, install ...\nimport sys\n\n"
        'if "google.colab" in sys.modules:\n    %pip install -q "aelab @ git+https://x/y"\n'
        "\nimport aelab as ae\n\nae.start()"
    )
    lines = setup_cell.install_lines("https://github.com/o/r")
    new = setup_cell.with_install_lines(old, lines)
    assert new == lines + "\nimport aelab as ae\n\nae.start()"
    assert setup_cell.with_install_lines(new, lines) == new  # idempotent
    with pytest.raises(ValueError, match="%pip install"):
        setup_cell.with_install_lines("import aelab", lines)


def _clean_venv(where: Path) -> Path:
    """A venv that sees this Python's packages but not the editable aelab; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    python = where / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (Path(purelib) / "aelab-test-deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    return python


def _package_source(where: Path) -> Path:
    """What a pip install of the repository URL sees: pyproject.toml, README.md, the
    licence files pyproject.toml names, src/."""
    where.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-TEXT"):
        shutil.copy(ROOT / name, where / name)
    shutil.copytree(
        ROOT / "src", where / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info")
    )
    return where


def run_in_clean_kernel(
    notebook: nbformat.NotebookNode,
    folder: Path,
    python: Path,
    source: Path,
    kernel: str,
    timeout: int,
) -> str | None:
    """Execute ``notebook`` in ``folder`` with a kernel of the clean venv's ``python``.

    The kernel sees ``AELAB_PIP_SOURCE=source`` (so the setup cell installs aelab
    from there, as on Colab), quick mode and one thread. Returns None when every
    cell ran, else the end of the error message, without colour codes.
    """
    kernels = folder.parent / f"kernels-{folder.name}"
    spec = kernels / kernel / "kernel.json"
    spec.parent.mkdir(parents=True)
    argv = [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec.write_text(json.dumps({"argv": argv, "display_name": kernel, "language": "python"}))
    km = KernelManager(
        kernel_name=kernel, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(kernels)])
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(
        AELAB_PIP_SOURCE=str(source),
        AELAB_QUICK="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONNOUSERSITE="1",
        MPLBACKEND="agg",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    client = NotebookClient(
        notebook,
        km=km,
        kernel_name=kernel,
        timeout=timeout,
        resources={"metadata": {"path": str(folder)}},
    )
    try:
        client.execute(env=env)
    except CellExecutionError as err:
        return re.sub(r"\x1b\[[0-9;]*m", "", str(err))[-3000:]
    return None


def test_chapter_runs_alone_in_a_clean_environment(tmp_path):
    python = _clean_venv(tmp_path / "venv")
    probe = subprocess.run([str(python), "-c", "import aelab"], capture_output=True, text=True)
    assert probe.returncode != 0, (
        "aelab is importable before the setup cell: the test proves nothing"
    )
    source = _package_source(tmp_path / "source")
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(ALONE, alone)

    notebook = nbformat.read(alone / ALONE.name, as_version=4)
    cells = [c for c in notebook.cells if c.cell_type == "code"][:ALONE_CELLS]
    check = "import aelab\nprint(aelab.__file__)"
    notebook.cells = cells + [nbformat.v4.new_code_cell(check)]

    message = run_in_clean_kernel(notebook, alone, python, source, KERNEL, timeout=300)
    if message:
        pytest.fail(f"{ALONE.name} does not run alone:\n{message}", pytrace=False)

    text = ["".join(o.get("text", "") for o in c.outputs) for c in notebook.cells]
    assert "quick mode" in text[0], f"the setup cell did not run ae.start(): {text[0]!r}"
    installed = Path(text[-1].strip())
    assert installed.is_relative_to(tmp_path / "venv"), (
        f"aelab was imported from {installed}, not installed by the setup cell"
    )
