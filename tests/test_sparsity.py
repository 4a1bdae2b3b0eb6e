import numpy as np
import pytest
import torch
from torch import nn
from torch.distributions import Bernoulli, kl_divergence

import aelab as ae
from aelab import sparsity as sp


def test_kl_bernoulli_matches_torch_distributions():
    rho_hat = torch.tensor([0.01, 0.05, 0.2, 0.5, 0.93], dtype=torch.float64)
    for rho in (0.05, 0.3):
        expected = kl_divergence(
            Bernoulli(probs=torch.full_like(rho_hat, rho)), Bernoulli(probs=rho_hat)
        )
        assert torch.allclose(sp.kl_bernoulli(rho, rho_hat), expected)


def test_kl_sparsity_sums_over_units_of_the_batch_mean():
    codes = torch.tensor([[0.1, 0.9, 0.05], [0.3, 0.7, 0.05]], dtype=torch.float64)
    rho_hat = codes.mean(0)
    expected = kl_divergence(Bernoulli(probs=torch.full((3,), 0.05)), Bernoulli(probs=rho_hat))
    assert sp.kl_sparsity(codes, 0.05).item() == pytest.approx(expected.sum().item())
    assert sp.kl_sparsity(torch.full((4, 3), 0.05), 0.05).item() == pytest.approx(0.0, abs=1e-12)
    assert torch.isfinite(sp.kl_sparsity(torch.ones(4, 3), 0.05))  # saturated units stay finite


def test_kl_sparsity_rejects_codes_outside_the_unit_interval_and_bad_targets():
    with pytest.raises(ValueError, match="sigmoid"):
        sp.kl_sparsity(torch.tensor([[-0.5, 0.2]]), 0.05)
    relu_model = ae.models.mlp_autoencoder((4, 3), code_activation=nn.ReLU)
    with pytest.raises(ValueError, match="sigmoid"):  # the training loss checks its first batch
        sp.sparse_l2("kl", 1.0)(relu_model, 10 * torch.rand(8, 4))
    with pytest.raises(ValueError, match="rho"):
        sp.kl_sparsity(torch.rand(3, 2), 1.0)


def test_l1_penalties():
    codes = torch.tensor([[1.0, -2.0, 0.0], [0.0, 0.5, 0.5]])
    assert sp.l1_activations(codes).item() == pytest.approx((3.0 + 1.0) / 2)
    model = ae.models.mlp_autoencoder((6, 4))
    expected = sum(m.weight.abs().sum() for m in model.modules() if isinstance(m, nn.Linear))
    assert sp.l1_weights(model).item() == pytest.approx(expected.item())
    with pytest.raises(ValueError, match="no Linear"):
        sp.l1_weights(nn.ReLU())


@pytest.mark.parametrize("penalty", sp.PENALTIES)
def test_sparse_l2_adds_the_weighted_penalty(penalty):
    torch.manual_seed(0)
    model = ae.models.mlp_autoencoder((10, 6), code_activation=nn.Sigmoid)
    x = torch.rand(8, 10)
    base = ae.losses.l2(model, x)
    y = model.encode(x)
    extra = {
        "none": torch.tensor(0.0),
        "l1_activations": sp.l1_activations(y),
        "l1_weights": sp.l1_weights(model),
        "kl": sp.kl_sparsity(y, 0.1),
    }[penalty]
    loss = sp.sparse_l2(penalty, 0.3, rho=0.1)
    assert loss(model, x).item() == pytest.approx((base + 0.3 * extra).item(), rel=1e-6)
    assert sp.sparse_l2(penalty, 0.0)(model, x).item() == pytest.approx(base.item(), rel=1e-6)


def test_sparse_l2_rejects_unknown_penalties_and_negative_weights():
    with pytest.raises(ValueError, match="penalty="):
        sp.sparse_l2("l2_codes", 1.0)
    with pytest.raises(ValueError, match="negative"):
        sp.sparse_l2("kl", -1.0)


def test_l1_on_activations_makes_codes_sparser_in_training():
    torch.manual_seed(0)
    x = torch.rand(512, 16)
    fractions = []
    for weight in (0.0, 0.5):
        ae.config.seed(0)
        model = ae.models.mlp_autoencoder((16, 32), output="linear", code_activation=nn.ReLU)
        ae.fit(
            model, x, sp.sparse_l2("l1_activations", weight), epochs=30, batch_size=64, quiet=True
        )
        fractions.append(sp.active_fraction(sp.codes(model, x), 1e-3))
    assert fractions[1] < 0.5 * fractions[0]


def test_code_metrics():
    codes = torch.tensor([[0.0, 0.5, 0.0, 0.0], [0.2, -0.5, 0.0, 0.0], [0.0, 0.05, 0.0, 0.0]])
    assert sp.active(codes, 0.1).tolist() == [
        [False, True, False, False],
        [True, True, False, False],
        [False, False, False, False],
    ]
    assert sp.active_fraction(codes, 0.1) == pytest.approx((1 / 4 + 2 / 4 + 0) / 3)
    assert sp.lifetime_sparsity(codes, 0.1).tolist() == pytest.approx([1 / 3, 2 / 3, 0, 0])
    assert sp.dead_units(codes, 0.1) == 2
    assert sp.dead_units(codes, 0.0) == 2
    with pytest.raises(ValueError, match="threshold"):
        sp.active_fraction(codes, -1.0)


def test_codes_and_filters_of_a_model():
    model = ae.models.mlp_autoencoder((16, 5), code_activation=nn.ReLU)
    x = torch.rand(7, 16)
    assert torch.allclose(sp.codes(model, x, batch_size=3), model.encode(x))
    assert (sp.codes(model, x) >= 0).all()
    assert sp.encoder_filters(model).shape == (5, 16)
    assert torch.equal(sp.decoder_filters(model), model.decoder[-1].weight.detach().T)
    with pytest.raises(ValueError, match="nn.Linear"):
        sp.encoder_filters(ae.models.AutoEncoder(nn.Identity(), nn.Identity()))


def test_filters_are_snapshots_not_views_of_the_weights():
    model = ae.models.mlp_autoencoder((16, 5))
    before_enc, before_dec = sp.encoder_filters(model), sp.decoder_filters(model)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(1.0)
    assert not torch.equal(before_enc, sp.encoder_filters(model))
    assert not torch.equal(before_dec, sp.decoder_filters(model))


def grating(angle_deg, size=8, period=4.0):
    """Stripes whose crests run along angle_deg (counter-clockwise from the x axis)."""
    r, c = np.mgrid[0:size, 0:size].astype(float)
    x, y = c, -r  # image coordinates: rows run downwards
    a = np.radians(angle_deg)
    normal = -x * np.sin(a) + y * np.cos(a)
    return np.cos(2 * np.pi * normal / period)


def test_orientation_of_gratings_and_edges():
    angles = [0, 45, 90, 135]
    filters = np.stack([grating(a, size=16) for a in angles])
    assert (sp.orientation_concentration(filters) > 0.8).all()
    found = sp.dominant_orientation(filters)
    diff = np.abs((found - np.array(angles) + 90) % 180 - 90)
    assert (diff < 5).all(), found
    edge = np.zeros((8, 8))
    edge[:, 4:] = 1.0  # a vertical edge
    assert sp.orientation_concentration(edge[None]).item() > 0.5  # the window blurs it a bit
    assert abs(sp.dominant_orientation(edge[None]).item() - 90) < 5


def test_noise_and_blobs_have_little_orientation():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((200, 64))
    assert np.median(sp.orientation_concentration(noise)) < 0.35
    r, c = np.mgrid[0:8, 0:8] - 3.5
    blob = np.exp(-(r**2 + c**2) / 4)
    assert sp.orientation_concentration(blob[None]).item() < 0.05
    assert sp.orientation_concentration(torch.zeros(1, 64)).item() == 0.0
    with pytest.raises(ValueError, match="square"):
        sp.orientation_concentration(np.zeros((2, 10)))
