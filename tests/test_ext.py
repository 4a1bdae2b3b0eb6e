"""The book's own Sphinx extensions in _ext/ (the browser test checks their effect on pages)."""

import json

import scripts
from sphinx.builders.html._assets import _JavaScript

ran_on = scripts.load("_ext/ran_on.py")
unique_scripts = scripts.load("_ext/unique_scripts.py")


def test_ran_on_names_device_mode_seconds_date_and_version(tmp_path):
    record = {
        "quick": False,
        "device": "cuda (NVIDIA H100)",
        "seconds": 201.4,
        "date": "2026-11-25",
        "aelab_version": "0.1.0",
    }
    text = ran_on.describe(record)
    for part in ["full-mode", "cuda (NVIDIA H100)", "201 s (3.4 min)", "2026-11-25", "aelab 0.1.0"]:
        assert part in text
    assert "quick-mode" in ran_on.describe(record | {"quick": True, "seconds": 12})
    assert "min" not in ran_on.describe(record | {"seconds": 12})

    notebook = tmp_path / "nb.ipynb"
    notebook.write_text(json.dumps({"metadata": {"aelab": record}, "cells": []}))
    assert ran_on.run_record(notebook) == record
    notebook.write_text(json.dumps({"metadata": {}, "cells": []}))
    assert ran_on.run_record(notebook) is None


def test_unique_scripts_keeps_the_first_of_identical_scripts_in_order():
    thebe = "const THEBE_JS_URL = 'x';"
    scripts = [
        _JavaScript("_static/a.js"),
        _JavaScript(None, body=thebe),
        _JavaScript("_static/b.js", defer="defer"),
        _JavaScript("", body=thebe),  # the same inline script, registered a second time
        _JavaScript("_static/a.js"),
        _JavaScript(None, body="var other = 1;"),
    ]
    context = {"script_files": scripts}
    unique_scripts.drop_repeats(None, "page", "page.html", context, None)
    assert context["script_files"] == [scripts[0], scripts[1], scripts[2], scripts[5]]
