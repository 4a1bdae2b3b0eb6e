"""``import aelab``: submodules load on first use, and every name a chapter uses exists.

``aelab/__init__.py`` imports nothing but the version; ``ae.data`` or ``ae.fit`` import
their module when first read (PEP 562). A fresh interpreter shows what an import costs.
"""

import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
import scripts

import aelab as ae

CHAPTERS = scripts.chapters()
HEAVY = ("skimage", "sklearn", "scipy", "matplotlib", "ipywidgets", "aelab.exercises")


def loaded_modules(code: str) -> set[str]:
    """The names in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return set(result.stdout.split())


def test_import_aelab_imports_no_submodule_and_nothing_heavy():
    loaded = loaded_modules("import aelab")
    assert {m for m in loaded if m.startswith("aelab.")} == {"aelab._version"}
    assert not {"torch", *HEAVY} & loaded


def test_a_module_imports_only_what_it_needs():
    loaded = loaded_modules("import aelab as ae\nae.config.quick_mode()\nae.fit")
    assert {"aelab.config", "aelab.train", "torch"} <= loaded
    assert not {"skimage", "sklearn", "aelab.exercises", "aelab.classical"} & loaded


def test_every_module_is_listed_and_every_name_resolves():
    package = Path(ae.__file__).parent
    files = {p.stem for p in package.glob("*.py")} | {
        p.name for p in package.iterdir() if p.is_dir()
    }
    assert set(ae.MODULES) == {f for f in files if not f.startswith("_")}
    for name in ae.MODULES:
        assert isinstance(getattr(ae, name), ModuleType)
        assert name in dir(ae)
    for name, module in ae.FUNCTIONS.items():
        assert getattr(ae, name) is getattr(getattr(ae, module), name)
    from aelab import config, fit  # the from-import form the chapters use

    assert config is ae.config and fit is ae.train.fit


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        ae.nonexistent  # noqa: B018


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_aelab_name_a_chapter_uses_exists(path):
    """``ae.x.y`` and ``x.y`` after ``from aelab import x``: a renamed function fails here."""
    notebook = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    modules = {"ae": ae}
    for names in re.findall(r"^\s*from aelab import ([\w, ]+)$", code, re.MULTILINE):
        for name in names.replace(" ", "").split(","):
            assert hasattr(ae, name), f"{path.name}: from aelab import {name}"
            if isinstance(getattr(ae, name), ModuleType):
                modules[name] = getattr(ae, name)
    for alias, module in modules.items():
        for first, second in re.findall(rf"(?<![\w.]){alias}\.(\w+)(?:\.(\w+))?", code):
            assert hasattr(module, first), f"{path.name}: {alias}.{first}"
            value = getattr(module, first)
            if second and isinstance(value, ModuleType):
                assert hasattr(value, second), f"{path.name}: {alias}.{first}.{second}"
