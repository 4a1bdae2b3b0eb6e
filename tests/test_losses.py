import math

import pytest
import torch
from torch.distributions import Bernoulli, Normal

import aelab as ae


@pytest.fixture
def batch():
    g = torch.Generator().manual_seed(0)
    return torch.rand(8, 784, generator=g, dtype=torch.float64), torch.randn(
        8, 784, generator=g, dtype=torch.float64
    )


@pytest.mark.parametrize("sigma", [1.0, 0.1, 2.5])
def test_gaussian_nll_is_the_normal_log_prob(batch, sigma):
    x, h = batch
    x_hat = torch.sigmoid(h)
    expected = -Normal(x_hat, sigma).log_prob(x).sum(1)
    assert torch.allclose(ae.losses.gaussian_nll(x_hat, x, sigma), expected, rtol=1e-12)


def test_gaussian_nll_is_scaled_l2_plus_a_constant(batch):
    x, h = batch
    x_hat = torch.sigmoid(h)
    const = 784 / 2 * math.log(2 * math.pi)
    nll = ae.losses.gaussian_nll(x_hat, x)
    assert torch.allclose(2 * (nll - const), ae.losses.squared_error(x_hat, x))


def test_bernoulli_nll_is_the_bernoulli_log_prob(batch):
    x, h = batch
    binary = torch.bernoulli(x)
    expected = -Bernoulli(logits=h).log_prob(binary).sum(1)
    assert torch.allclose(ae.losses.bernoulli_nll(h, binary), expected, rtol=1e-12)


def test_bernoulli_nll_stays_finite_for_extreme_logits():
    h = torch.tensor([[80.0, -80.0]])
    x = torch.tensor([[0.0, 1.0]])
    assert torch.allclose(ae.losses.bernoulli_nll(h, x), torch.tensor([160.0]))


def test_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="must match"):
        ae.losses.squared_error(torch.zeros(4, 784), torch.zeros(4, 1, 28, 28))


def test_training_losses_reduce_per_image_then_mean():
    model = ae.models.mlp_autoencoder((784, 8))
    x = torch.rand(5, 784)
    per_image = ae.losses.squared_error(model(x), x)
    assert torch.allclose(ae.losses.l2(model, x), per_image.mean())
    bce = ae.losses.bernoulli_nll(model.logits(x), x).mean()
    assert torch.allclose(ae.losses.bce(model, x), bce)


def test_bce_refuses_a_linear_output_and_accepts_softmax():
    x = torch.rand(3, 784)
    with pytest.raises(ValueError, match="probability per pixel"):
        ae.losses.bce(ae.models.mlp_autoencoder((784, 8), output="linear"), x)
    softmax = ae.models.mlp_autoencoder((784, 8), output="softmax")
    p = softmax(x)
    expected = -(x * p.log() + (1 - x) * (1 - p).log()).sum(1).mean()
    assert torch.allclose(ae.losses.bce(softmax, x), expected, rtol=1e-5)


def test_integer_images_are_a_clear_error():
    pixels = torch.randint(0, 256, (2, 784), dtype=torch.uint8)
    with pytest.raises(TypeError, match=r"float\(\) / 255"):
        ae.losses.squared_error(torch.zeros(2, 784), pixels)
    model = ae.models.mlp_autoencoder((784, 8))
    with pytest.raises(TypeError, match="floating-point"):
        ae.fit(model, pixels, ae.losses.bce, epochs=1, batch_size=2, quiet=True)
