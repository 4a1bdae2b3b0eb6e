"""One binarisation API (data.binarize_static / binarize_dynamic) with the draws of the old code.

The losses that binarise used to call ``torch.bernoulli`` inline; they now call
``data.binarize_dynamic``. The chapters' numbers depend on those draws, so each
test computes the old inline expression and the new call from the same seed and
asks for identical tensors, not close ones.
"""

import torch
import torch.nn.functional as F

from aelab import classifier, data, sampling, vae
from aelab.losses import bernoulli_nll
from aelab.models import mlp_autoencoder
from aelab.noise import salt_and_pepper


def _grey(n=16, d=784, seed=0):
    return torch.rand(n, d, generator=torch.Generator().manual_seed(seed))


def test_dynamic_draws_the_numbers_of_torch_bernoulli():
    x = _grey()
    torch.manual_seed(7)
    old = torch.bernoulli(x)
    torch.manual_seed(7)
    assert torch.equal(data.binarize_dynamic(x), old)
    old = torch.bernoulli(x, generator=torch.Generator().manual_seed(1))
    assert torch.equal(data.binarize_dynamic(x, torch.Generator().manual_seed(1)), old)


def test_static_draws_the_numbers_it_drew_before():
    x = _grey()
    old = torch.bernoulli(x, generator=torch.Generator(device=x.device).manual_seed(5))
    assert torch.equal(data.binarize_static(x, seed=5), old)
    assert torch.equal(data.binarize_static(x), data.binarize_static(x))


def test_elbo_loss_draws_as_before():
    torch.manual_seed(0)
    model, x = vae.mlp_vae((784, 64, 8)), _grey()
    torch.manual_seed(3)
    log_px_z, kl = model.elbo_terms(torch.bernoulli(x))  # the old inline draw, then z
    old = (0.5 * kl - log_px_z).mean()
    torch.manual_seed(3)
    assert torch.equal(vae.elbo_loss(beta=0.5)(model, x), old)


def test_binarized_cross_entropy_draws_as_before():
    torch.manual_seed(0)
    model, x, y = classifier.Classifier((784, 32, 10)), _grey(), torch.arange(16) % 10
    torch.manual_seed(4)
    old = F.cross_entropy(model(torch.bernoulli(x)), y)  # dropout draws after the image
    torch.manual_seed(4)
    assert torch.equal(classifier.binarized_cross_entropy(model, (x, y)), old)


def test_denoising_bce_with_walkback_draws_as_before():
    torch.manual_seed(0)
    model, x, level = mlp_autoencoder((784, 32)), _grey(), 0.3
    torch.manual_seed(6)
    target = torch.bernoulli(x)  # the old loss, inline: binary target, then one walkback
    first = model.logits(salt_and_pepper(target, level))
    start = torch.bernoulli(torch.sigmoid(first.detach()))
    second = model.logits(salt_and_pepper(start, level))
    old = (bernoulli_nll(first, target).mean() + bernoulli_nll(second, target).mean()) / 2
    torch.manual_seed(6)
    assert torch.equal(sampling.denoising_bce(level, walkback=1)(model, x), old)
