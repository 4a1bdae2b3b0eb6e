import math

import numpy as np
import pytest
import torch
from skimage.metrics import peak_signal_noise_ratio

from aelab import models, noise


def images(n=64, seed=0):
    return torch.rand(n, 784, generator=torch.Generator().manual_seed(seed))


def test_gaussian_noise_has_the_asked_standard_deviation_and_zero_mean():
    x = images(200)
    g = torch.Generator().manual_seed(1)
    d = noise.gaussian(x, 0.3, g) - x
    assert abs(d.mean().item()) < 0.005 and d.std().item() == pytest.approx(0.3, rel=0.01)
    same = noise.gaussian(x, 0.3, torch.Generator().manual_seed(1))
    assert torch.equal(same, x + d)
    assert torch.equal(noise.gaussian(x, 0.0), x)
    with pytest.raises(ValueError, match="standard deviation"):
        noise.gaussian(x, -0.1)


def test_masking_zeroes_the_asked_fraction_and_leaves_the_rest():
    x = images(200) + 0.5  # no zeros in the clean images
    y = noise.masking(x, 0.25, torch.Generator().manual_seed(2))
    zero = y == 0
    assert zero.float().mean().item() == pytest.approx(0.25, abs=0.005)
    assert torch.equal(y[~zero], x[~zero])
    with pytest.raises(ValueError, match="fraction"):
        noise.masking(x, 1.5)


def test_salt_and_pepper_sets_pixels_to_0_or_1_half_each():
    x = images(200) * 0.5 + 0.25  # clean values strictly inside (0, 1)
    y = noise.salt_and_pepper(x, 0.2, torch.Generator().manual_seed(3))
    hit = y != x
    assert hit.float().mean().item() == pytest.approx(0.2, abs=0.005)
    assert set(y[hit].unique().tolist()) == {0.0, 1.0}
    assert (y[hit] == 1).float().mean().item() == pytest.approx(0.5, abs=0.02)
    assert torch.equal(y, noise.salt_and_pepper(x, 0.2, torch.Generator().manual_seed(3)))
    assert torch.equal(noise.salt_and_pepper(x, 0.0), x)  # level 0: nothing replaced
    all_hit = noise.salt_and_pepper(x, 1.0, torch.Generator().manual_seed(4))
    assert set(all_hit.unique().tolist()) == {0.0, 1.0}  # level 1: every pixel replaced
    assert all_hit.mean().item() == pytest.approx(0.5, abs=0.01)  # by 0 or 1 half the time each
    for level in (-0.1, 1.5):
        with pytest.raises(ValueError, match=r"fraction.*\[0, 1\]"):
            noise.salt_and_pepper(x, level)


def test_psnr_agrees_with_scikit_image():
    rng = np.random.default_rng(0)
    clean = rng.random((40, 50))
    noisy = clean + 0.1 * rng.standard_normal(clean.shape)
    expected = peak_signal_noise_ratio(clean, noisy, data_range=1.0)
    assert noise.psnr(noisy, clean) == pytest.approx(expected, abs=1e-9)
    assert noise.psnr(torch.from_numpy(noisy), torch.from_numpy(clean)) == pytest.approx(expected)
    assert noise.psnr(2 * noisy, 2 * clean, data_range=2.0) == pytest.approx(expected)
    assert noise.psnr(clean, clean) == math.inf
    with pytest.raises(ValueError, match="shape"):
        noise.psnr(clean, clean[:10])


def test_denoising_loss_corrupts_the_input_and_compares_with_the_clean_image():
    x = images(32)
    model = models.mlp_autoencoder((784, 16))
    torch.manual_seed(0)
    plain = noise.denoising_loss("gaussian", 0.0)(model, x)
    assert plain.item() == pytest.approx(((model(x) - x) ** 2).sum(1).mean().item(), rel=1e-6)
    identity = torch.nn.Identity()
    loss = noise.denoising_loss(noise.masking, 0.5)(identity, x)
    # the identity returns the masked input: the error is the masked pixels' squared values
    assert loss.item() == pytest.approx(0.5 * (x**2).sum(1).mean().item(), rel=0.05)
    with pytest.raises(ValueError, match="choose one of"):
        noise.denoising_loss("speckle", 0.1)
