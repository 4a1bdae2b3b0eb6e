import numpy as np
import pytest

from aelab import classical, noise, patches


def noisy_crop(name, sigma, seed, size=64):
    clean = patches.photograph(name)[100 : 100 + size, 100 : 100 + size]
    rng = np.random.default_rng(seed)
    return clean + sigma * rng.standard_normal(clean.shape), clean


@pytest.mark.parametrize("method", list(classical.METHODS))
def test_every_method_denoises_at_its_tuned_setting(method):
    sigma = 0.1
    pairs = [noisy_crop("astronaut", sigma, 0), noisy_crop("coins", sigma, 1)]
    tuned = classical.tune(method, [n for n, _ in pairs], [c for _, c in pairs], sigma)
    assert tuned.params in [p for p, _ in tuned.grid]
    assert tuned.psnr == max(score for _, score in tuned.grid)
    noisy, clean = noisy_crop("camera", sigma, 2)
    out = classical.apply(method, noisy, tuned.params)
    assert out.shape == clean.shape and 0 <= out.min() and out.max() <= 1
    assert noise.psnr(out, clean) > noise.psnr(noisy, clean) + 1.0


def test_bad_input_is_refused():
    image = np.zeros((8, 8))
    with pytest.raises(ValueError, match="choose one of"):
        classical.apply("bm3d", image, {})
    with pytest.raises(ValueError, match="one grey image"):
        classical.apply("total variation", np.zeros((8, 8, 3)), {"weight": 0.1})
    with pytest.raises(ValueError, match="as many"):
        classical.tune("wavelet", [image], [], 0.1)
