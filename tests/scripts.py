"""Import the repository's scripts in tests: ``tools/``, ``benchmarks/`` and ``_ext/`` are
folders of files, not packages, so tests load them by path."""

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load(relative_path: str) -> ModuleType:
    """Import ``ROOT / relative_path`` as a module named after the file.

    The module is registered in ``sys.modules`` before it runs, as a normal import
    would do it (dataclasses, for one, look their module up there).
    """
    path = ROOT / relative_path
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


def chapters(folder: Path = ROOT / "chapters") -> list[Path]:
    """The book's chapters (or their editions in ``folder``), in order, found as
    ``tools/execute.py`` finds them."""
    return load("tools/execute.py").chapter_notebooks(folder)
