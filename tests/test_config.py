import re

import pytest
import torch

import aelab as ae


def test_device_override_and_automatic_choice(monkeypatch):
    assert ae.config.device() == torch.device("cpu")
    monkeypatch.delenv("AELAB_DEVICE")
    expected = (
        "cuda"
        if torch.cuda.is_available()
        else "mps"
        if torch.backends.mps.is_available()
        else "cpu"
    )
    assert ae.config.device().type == expected


@pytest.mark.parametrize("value", ["gpu", "tpu", "cuda:x", "banana"])
def test_unknown_device_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("AELAB_DEVICE", value)
    with pytest.raises(ValueError, match="AELAB_DEVICE.*Use 'cpu', 'cuda'"):
        ae.config.device()


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_cuda_without_a_gpu_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AELAB_DEVICE", "cuda")
    with pytest.raises(ValueError, match="sees no CUDA device"):
        ae.config.device()


def test_a_cpu_is_named_by_its_model_where_the_system_says_it(monkeypatch, tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nmodel name\t: Intel(R) Xeon(R)  CPU @ 2.20GHz\n")
    real_path = ae.config.Path
    monkeypatch.setattr(
        ae.config, "Path", lambda p: cpuinfo if p == "/proc/cpuinfo" else real_path(p)
    )
    assert ae.config.cpu_model() == "Intel Xeon CPU @ 2.20GHz"
    assert ae.config.device_name("cpu") == "cpu (Intel Xeon CPU @ 2.20GHz)"
    cpuinfo.unlink()  # no /proc/cpuinfo (macOS, Windows): just "cpu"
    assert ae.config.cpu_model() == ""
    assert ae.config.device_name("cpu") == "cpu"


def test_quick_mode_and_pick(monkeypatch):
    assert not ae.config.quick_mode()
    assert ae.config.pick(full=30, quick=1) == 30
    monkeypatch.setenv("AELAB_QUICK", "1")
    assert ae.config.quick_mode()
    assert ae.config.pick(full=30, quick=1) == 1
    monkeypatch.setenv("AELAB_QUICK", "perhaps")
    with pytest.raises(ValueError, match="AELAB_QUICK"):
        ae.config.quick_mode()


def test_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("AELAB_DATA", str(tmp_path))
    assert ae.config.data_dir() == tmp_path
    monkeypatch.delenv("AELAB_DATA")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert ae.config.data_dir() == tmp_path / "cache" / "aelab"


def test_seed_makes_runs_repeatable():
    ae.config.seed(3)
    a = torch.randn(5)
    g = ae.config.seed(3)
    assert torch.equal(a, torch.randn(5))
    assert torch.equal(torch.randn(2, generator=g), torch.randn(2, generator=ae.config.seed(3)))


def test_summary_line(monkeypatch):
    assert re.fullmatch(
        r"aelab \d+\.\d+\.\d+ · device cpu( \(.+\))? · full mode", ae.config.summary()
    )
    monkeypatch.setenv("AELAB_QUICK", "1")
    assert ae.config.summary().endswith("quick mode")
