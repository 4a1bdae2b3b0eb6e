"""Shared test set-up: a headless plot backend, and the CPU unless a test says otherwise."""

import os

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend


@pytest.fixture(autouse=True)
def _defaults(monkeypatch):
    """Tests run on the CPU in full mode unless they set the variables themselves."""
    monkeypatch.setenv("AELAB_DEVICE", "cpu")
    monkeypatch.delenv("AELAB_QUICK", raising=False)
    monkeypatch.delenv("AELAB_RUN_RECORD", raising=False)
    yield
    plt.close("all")


def pytest_report_header(config):
    return f"AELAB_DATA={os.environ.get('AELAB_DATA', '(unset: the per-user cache)')}"
