"""The VAE's densities and loss, the importance-sampled log-likelihood, the gradient estimators."""

import itertools
from pathlib import Path

import nbformat
import pytest
import torch
from torch.distributions import Normal

import aelab as ae
from aelab import vae

ROOT = Path(__file__).resolve().parents[1]


def tiny_vae(latent: int = 2, d: int = 6) -> vae.VAE:
    ae.config.seed(0)
    return vae.mlp_vae((d, 16, latent))


def test_shapes_of_the_distributions():
    model = tiny_vae()
    x = torch.rand(5, 6)
    q = model.posterior(x)
    assert q.batch_shape == (5,) and q.event_shape == (2,)
    assert (q.stddev > 0).all()
    assert model.likelihood(q.rsample()).log_prob(x.round()).shape == (5,)
    assert model(x).shape == (5, 6) and ((model(x) > 0) & (model(x) < 1)).all()
    assert model.sample(3).shape == (3, 6)


def test_the_kl_term_is_the_closed_form_gaussian_kl():
    model = tiny_vae()
    x = torch.rand(4, 6)
    q = model.posterior(x)
    mu, s = q.mean, q.stddev
    by_hand = 0.5 * (mu**2 + s**2 - 1 - 2 * torch.log(s)).sum(1)
    _, kl = model.elbo_terms(x)
    torch.testing.assert_close(kl, by_hand)


def test_elbo_loss_is_minus_the_mean_elbo_and_beta_scales_the_kl():
    model, x = tiny_vae(), torch.rand(8, 6).round()
    torch.manual_seed(1)
    log_px_z, kl = model.elbo_terms(x)
    torch.manual_seed(1)
    assert torch.isclose(vae.elbo_loss(binarize=False)(model, x), (kl - log_px_z).mean())
    torch.manual_seed(1)
    assert torch.isclose(
        vae.elbo_loss(beta=3.0, binarize=False)(model, x), (3 * kl - log_px_z).mean()
    )


def test_dynamic_binarisation_draws_a_fresh_image_each_time():
    model, x = tiny_vae(), torch.full((64, 6), 0.5)
    torch.manual_seed(0)
    a = vae.elbo_loss()(model, x)
    b = vae.elbo_loss()(model, x)
    assert a != b  # new binary images (and new z) at every call


def test_bad_input_gets_a_clear_error():
    model = tiny_vae()
    with pytest.raises(ValueError, match="flat floating-point"):
        model.posterior(torch.rand(2, 1, 2, 3))
    with pytest.raises(ValueError, match="2 \\* 3"):
        vae.VAE(torch.nn.Linear(6, 4), torch.nn.Linear(3, 6), latent=3).posterior(torch.rand(2, 6))
    with pytest.raises(ValueError, match="score"):
        vae.gradient_samples(torch.square, 2.0, 10, "pathwise")


def test_the_grid_log_joint_is_the_models_own_likelihood_and_prior():
    model = tiny_vae(latent=1)
    x = torch.bernoulli(torch.full((3, 6), 0.5), generator=torch.Generator().manual_seed(1))
    z, log_joint = vae.log_joint_on_grid(model, x, limit=3.0, points=7)
    direct = model.likelihood(z[:, None, None]).log_prob(x) + Normal(0.0, 1.0).log_prob(z)[:, None]
    assert log_joint.shape == (7, 3) and torch.allclose(log_joint, direct, atol=1e-5)


def test_the_exact_likelihood_of_all_binary_images_sums_to_one():
    """p(x) is a distribution over the 2^6 binary images: the quadrature must normalise."""
    model = tiny_vae(latent=1).double()  # float64: the check is to 1e-6
    every_image = torch.tensor(list(itertools.product([0.0, 1.0], repeat=6)), dtype=torch.float64)
    total = vae.exact_log_likelihood(model, every_image).exp().sum()
    assert abs(total.item() - 1) < 1e-6


def test_a_grid_needs_a_1d_code():
    with pytest.raises(ValueError, match="1-d code"):
        vae.exact_log_likelihood(tiny_vae(latent=2), torch.rand(2, 6))


def test_importance_sampling_lies_between_the_elbo_and_the_exact_log_likelihood():
    model = tiny_vae(latent=1)
    x = torch.bernoulli(torch.full((6, 6), 0.5), generator=torch.Generator().manual_seed(0))
    exact = vae.exact_log_likelihood(model, x)
    g = torch.Generator().manual_seed(0)
    is_1 = vae.log_likelihood(model, x, k=1, generator=g)
    is_5000 = vae.log_likelihood(model, x, k=5000, chunk=700, batch_size=4, generator=g)
    torch.manual_seed(0)
    elbo = torch.stack([model.elbo(x) for _ in range(2000)]).mean(0)  # E_q[log w]
    assert (elbo <= exact + 1e-4).all()  # the ELBO is a lower bound ...
    assert (is_5000 >= elbo - 1e-3).all()  # ... that importance sampling tightens
    # an untrained encoder is a poor proposal, so k = 5000 leaves a few hundredths of noise
    assert (is_5000 - exact).abs().max() < 0.1 and (is_5000 - exact).abs().mean() < 0.04
    assert (exact - elbo).mean() > 0.1  # a gap that importance sampling closes
    assert is_1.shape == (6,)


def test_importance_sampling_refuses_a_meaningless_k():
    with pytest.raises(ValueError, match="k=0"):
        vae.log_likelihood(tiny_vae(), torch.rand(2, 6), k=0)


def test_the_textbook_gradient_variances_87_and_4():
    """q = N(2, 1), f(x) = x^2: both estimators have mean 2 theta = 4; variances 87 and 4."""
    for estimator, variance in (("score", 87.0), ("reparam", 4.0)):
        g = vae.gradient_samples(torch.square, 2.0, 400_000, estimator)
        assert abs(g.mean().item() - 4.0) < 0.1
        assert abs(g.var().item() / variance - 1) < 0.03


def test_the_papers_vae_has_the_parameter_count_chapter_8_states():
    """Chapter 8 names Burda et al.'s 784-200-200-50 VAE's size in words; it must be the count."""
    n = ae.models.count_parameters(vae.mlp_vae((784, 200, 200, 50)))
    chapter = nbformat.read(ROOT / "chapters" / "08_vae_elbo.ipynb", as_version=4)
    prose = "".join(c.source for c in chapter.cells if c.cell_type == "markdown")
    assert f"model has {n:,}, as `ae.models.count_parameters(" in prose


def test_a_few_epochs_of_fit_raise_the_elbo():
    ae.config.seed(0)
    x = ae.data.mnist(n_train=512).train.x
    model = vae.mlp_vae((784, 64, 8))
    before = -vae.elbo_loss(binarize=False)(model, x.round()).item()
    ae.fit(model, x, vae.elbo_loss(), epochs=5, batch_size=64, quiet=True, device="cpu")
    torch.manual_seed(0)
    after = -vae.elbo_loss(binarize=False)(model, x.round()).item()
    assert after > before + 100
