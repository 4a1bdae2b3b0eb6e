import numpy as np
import pytest
import torch

from aelab import patches, photos


def test_whitening_flattens_the_spectrum():
    image = photos.photograph("camera")
    white = patches.whiten(image)
    assert white.shape == image.shape and white.std() == pytest.approx(1.0)

    def low_to_mid_power(a):
        power = np.abs(np.fft.fft2(a - a.mean())) ** 2
        f = np.hypot(np.fft.fftfreq(a.shape[0])[:, None], np.fft.fftfreq(a.shape[1])[None, :])
        return power[(f > 0.01) & (f < 0.03)].mean() / power[(f > 0.1) & (f < 0.15)].mean()

    before, after = low_to_mid_power(image), low_to_mid_power(white)
    assert before > 20  # natural images: power falls steeply with frequency
    assert after < before / 20  # whitening multiplies the power by f^2: (0.02 / 0.125)^2 ~ 1/40
    with pytest.raises(ValueError, match="grey-scale"):
        patches.whiten(np.zeros((4, 4, 3)))


def test_sampling_is_seeded_and_shaped():
    a = patches.sample_patches(300, size=8, seed=3)
    b = patches.sample_patches(300, size=8, seed=3)
    c = patches.sample_patches(300, size=8, seed=4)
    assert a.shape == (300, 64) and np.array_equal(a, b) and not np.array_equal(a, c)
    assert patches.sample_patches(5, size=12, whitened=False).shape == (5, 144)
    with pytest.raises(ValueError, match="at least"):
        patches.sample_patches(0)


def test_patches_are_real_windows_of_the_photographs():
    p = patches.sample_patches(20, size=6, seed=0, names=("camera",), whitened=False)
    image = photos.photograph("camera")
    windows = np.lib.stride_tricks.sliding_window_view(image, (6, 6)).reshape(-1, 36)
    for row in p[:5]:
        assert np.isclose(windows, row).all(1).any()


def test_ng_normalisation():
    rng = np.random.default_rng(0)
    raw = rng.standard_normal((2000, 64)) * 5 + rng.standard_normal((2000, 1)) * 10
    out = patches.ng_normalise(raw)
    assert out.min() >= 0.1 - 1e-12 and out.max() <= 0.9 + 1e-12
    assert np.allclose(out.mean(1), 0.5, atol=0.02)  # each patch's own mean is removed
    centred = raw - raw.mean(1, keepdims=True)
    limit = 3 * centred.std()
    inside = np.abs(centred) < limit
    assert np.allclose(out[inside], centred[inside] / limit * 0.4 + 0.5)
    assert (out[~inside] == 0.1).sum() + (out[~inside] == 0.9).sum() == (~inside).sum()
    with pytest.raises(ValueError, match="constant"):
        patches.ng_normalise(np.ones((3, 4)))


def test_natural_patches_tensor():
    x = patches.natural_patches(500, seed=1, device="cpu")
    assert x.shape == (500, 64) and x.dtype == torch.float32 and x.device.type == "cpu"
    assert 0.1 - 1e-6 <= x.min() and x.max() <= 0.9 + 1e-6
    assert torch.equal(x, patches.natural_patches(500, seed=1, device="cpu"))
