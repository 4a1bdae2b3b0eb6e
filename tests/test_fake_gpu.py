"""tools/fake_gpu.py: the CPU's stand-in GPU raises where a real one would, and only there."""

import os

import nbformat
import numpy as np
import pytest
import scripts
import torch
from torch import nn

import aelab as ae
from aelab import conv

fake_gpu = scripts.load("tools/fake_gpu.py")
FAKE, FakeDevice, FakeDeviceError = fake_gpu.FAKE, fake_gpu.FakeDevice, fake_gpu.FakeDeviceError


@pytest.fixture
def gpu(monkeypatch):
    """aelab computes on the fake device, with the mode on, for one test."""
    monkeypatch.setenv("AELAB_DEVICE", "cpu:0")
    assert ae.config.device() == FAKE
    with FakeDevice():
        yield


def test_moving_tags_copies_and_device_reports_it(gpu):
    x = torch.rand(4, 3)
    y = x.to(ae.config.device())
    assert fake_gpu.on_device(y) and not fake_gpu.on_device(x)  # the original stays on the CPU
    assert y.device == FAKE and x.device == torch.device("cpu")
    assert fake_gpu.on_device(y.to(ae.config.device()))  # already there: stays a device tensor
    z = torch.zeros(3, device=y.device)  # lands beside y
    assert fake_gpu.on_device(y + z)
    assert not fake_gpu.on_device(y.cpu()) and fake_gpu.on_device(y)


def test_mixing_raises_as_on_a_gpu(gpu):
    x = torch.rand(4, 3).to(FAKE)
    with pytest.raises(FakeDeviceError, match="same device"):
        x * torch.rand(4, 3)
    with pytest.raises(FakeDeviceError, match="same device"):
        nn.Linear(3, 2)(x)  # a new model is on the CPU
    with pytest.raises(FakeDeviceError, match="numpy"):
        x.numpy()
    with pytest.raises(FakeDeviceError, match="numpy"):
        np.asarray(x)


def test_what_a_gpu_allows_passes(gpu):
    x = torch.rand(4, 3).to(FAKE)
    assert fake_gpu.on_device(x * torch.tensor(2.0))  # a 0-d CPU tensor mixes
    assert fake_gpu.on_device(x[torch.tensor([0, 2])])  # a CPU index
    x.cpu().numpy()
    assert not fake_gpu.on_device(torch.rand(4, 3).copy_(x))  # a copy stays where it is
    assert fake_gpu.on_device(x.copy_(torch.rand(4, 3)))
    assert isinstance(x.sum().item(), float)


def test_fit_runs_on_the_fake_device_with_the_cpu_numbers(gpu):
    x = torch.rand(64, 8)
    ae.config.seed(0)
    model = ae.models.mlp_autoencoder((8, 4))
    history = ae.fit(model, x, ae.losses.l2, epochs=2, batch_size=16, quiet=True)
    assert all(fake_gpu.on_device(p) for p in model.parameters())
    with pytest.raises(FakeDeviceError):
        model(x)  # the model lives on the device since fit, x on the CPU
    model.cpu()
    assert not any(fake_gpu.on_device(p) for p in model.parameters())
    ae.config.seed(0)  # the same run on the plain CPU
    plain = ae.models.mlp_autoencoder((8, 4))
    reference = ae.fit(plain, x, ae.losses.l2, epochs=2, batch_size=16, quiet=True, device="cpu")
    assert history.train == reference.train


def test_chapter_2s_twin_is_caught_and_its_mend_passes(gpu):
    ae.config.seed(0)
    trained = ae.models.mlp_autoencoder((8, 4), output="linear")
    ae.fit(trained, torch.rand(32, 8), ae.losses.l2, epochs=1, batch_size=16, quiet=True)
    twin = ae.models.mlp_autoencoder((8, 4), output="linear")  # new: on the CPU
    dec = trained.decoder[0]
    with pytest.raises(FakeDeviceError):
        (twin.decoder[0].weight - dec.weight).norm()
    (twin.decoder[0].weight - dec.weight.cpu()).norm()


def test_a_cpu_draw_with_device_statistics_is_caught(gpu):
    codes = torch.rand(100, 4).to(FAKE)
    g = torch.Generator().manual_seed(0)
    with pytest.raises(FakeDeviceError):
        codes.std(0) * torch.randn(10, 4, generator=g)
    codes.std(0) * torch.randn(10, 4, generator=g).to(codes.device)


def test_feature_maps_computes_where_the_encoder_is(gpu):
    # chapter 4 shows an untrained encoder's feature maps (on the CPU) for device digits
    digits = torch.rand(2, 1, 28, 28).to(FAKE)
    maps = conv.feature_maps(conv.conv_encoder(4, (2, 3)), digits)
    assert [tuple(m.shape) for m in maps] == [(2, 2, 14, 14), (2, 3, 7, 7)]
    assert not any(fake_gpu.on_device(m) for m in maps)


def _notebook(path, *cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return str(path)


def test_the_notebook_runner_names_the_cell_and_line(tmp_path, capsys):
    setup = "import torch\nimport aelab as ae\nx = ae.data.glyphs('AB')"
    clean = _notebook(tmp_path / "clean.ipynb", setup, "y = x.cpu().numpy()")
    mixing = _notebook(tmp_path / "mixing.ipynb", setup, "w = torch.ones(784)\nx * w")
    assert fake_gpu.main([clean]) == 0
    assert fake_gpu.main([clean, mixing]) == 1
    report = capsys.readouterr().out
    assert "clean.ipynb: no mixing found" in report
    assert "mixing.ipynb: cell 1, line 2: FakeDeviceError:" in report
    assert "mixes a device tensor (2, 784) with a CPU tensor (784,)" in report
    assert "AELAB_DEVICE" not in os.environ or os.environ["AELAB_DEVICE"] != "cpu:0"
