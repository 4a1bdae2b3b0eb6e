import math

import pytest
import torch
from torch import nn

import aelab as ae
from aelab import sampling


def fixed_denoiser(weight: float, bias: float, d: int = 16) -> ae.models.AutoEncoder:
    """A 'denoiser' with known output: logits = weight * x~ + bias, pixel by pixel."""
    decoder = nn.Linear(d, d)
    with torch.no_grad():
        decoder.weight.copy_(weight * torch.eye(d))
        decoder.bias.fill_(bias)
    return ae.models.AutoEncoder(nn.Identity(), decoder, output="sigmoid", input_shape=(d,))


def binary(n, d=16, seed=0):
    return (torch.rand(n, d, generator=torch.Generator().manual_seed(seed)) < 0.5).float()


def test_chain_trajectory_layout_and_reproducibility():
    model = fixed_denoiser(40.0, -20.0)
    start = binary(6)
    chain = sampling.run_chain(model, start, level=0.2, steps=5, seed=3)
    assert chain.samples.shape == chain.means.shape == (6, 6, 16)
    assert chain.samples.dtype == torch.bool and chain.means.dtype == torch.float16
    assert chain.steps == 5 and chain.n_chains == 6 and chain.level == 0.2
    assert torch.equal(chain.samples[0], start.bool())
    again = sampling.run_chain(model, start, level=0.2, steps=5, seed=3)
    other = sampling.run_chain(model, start, level=0.2, steps=5, seed=4)
    assert torch.equal(chain.samples, again.samples)
    assert not torch.equal(chain.samples, other.samples)


def test_a_copying_denoiser_without_corruption_never_moves():
    # logits +-20: the denoiser returns its input, so with no corruption x_t = x_0 forever
    start = binary(8)
    chain = sampling.run_chain(fixed_denoiser(40.0, -20.0), start, level=0.0, steps=20)
    assert (chain.samples == start.bool()).all()


def test_a_constant_denoiser_gives_independent_draws_from_its_output():
    q = 0.2
    model = fixed_denoiser(0.0, math.log(q / (1 - q)))
    chain = sampling.run_chain(model, binary(200), level=0.5, steps=50)
    assert chain.samples[1:].float().mean().item() == pytest.approx(q, abs=0.01)
    assert torch.allclose(chain.means[1:].float(), torch.tensor(q), atol=1e-3)


def test_a_trained_dae_chain_visits_both_modes_of_a_two_pattern_data_set():
    # the data: two complementary 16-pixel patterns, each half of the time
    ae.config.seed(0)
    pattern = (torch.arange(16) % 2).float()
    data = torch.stack([pattern, 1 - pattern]).repeat(256, 1)
    model = ae.models.mlp_autoencoder((16, 32), code_activation=nn.Tanh)
    loss = sampling.denoising_bce(0.5, binarize=False)
    ae.fit(model, data, loss, epochs=60, batch_size=64, lr=3e-3, quiet=True, device="cpu")
    chain = sampling.run_chain(model, binary(20), level=0.5, steps=300, seed=0)
    late = chain.samples[50:].float()
    is_a, is_b = (late == pattern).all(-1), (late == 1 - pattern).all(-1)
    assert (is_a | is_b).float().mean() > 0.8  # the chain's states are mostly the data's patterns
    share_a = is_a.float().sum() / (is_a | is_b).float().sum()
    assert share_a.item() == pytest.approx(0.5, abs=0.15)  # in about the data's proportion
    closer_to_a = (late == pattern).float().sum(-1) > 8
    assert (closer_to_a.any(0) & (~closer_to_a).any(0)).float().mean() > 0.75  # chains mix


def test_denoising_loss_with_and_without_walkback():
    ae.config.seed(0)
    model = ae.models.mlp_autoencoder((16, 8), code_activation=nn.Tanh)
    x = binary(32)
    plain = sampling.denoising_bce(0.0, binarize=False)(model, x)
    assert plain.item() == pytest.approx(
        ae.losses.bernoulli_nll(model.logits(x), x).mean().item(), rel=1e-6
    )
    walk = sampling.denoising_bce(0.3, walkback=2)(model, x)
    walk.backward()
    assert walk.ndim == 0 and all(p.grad is not None for p in model.parameters())


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="walkback"):
        sampling.denoising_bce(0.3, walkback=-1)
    linear = ae.models.mlp_autoencoder((16, 8), output="linear")
    with pytest.raises(ValueError, match="sigmoid"):
        sampling.denoising_bce(0.3)(linear, binary(4))
    with pytest.raises(ValueError, match="sigmoid"):
        sampling.run_chain(linear, binary(4), 0.3, 2)
    model = fixed_denoiser(1.0, 0.0)
    with pytest.raises(ValueError, match="binarize_static"):
        sampling.run_chain(model, torch.full((2, 16), 0.3), 0.3, 2)
    with pytest.raises(ValueError, match="n_chains"):
        sampling.run_chain(model, binary(2).view(2, 4, 4), 0.3, 2)
    with pytest.raises(ValueError, match="steps"):
        sampling.run_chain(model, binary(2), 0.3, 0)


def test_thinning_keeps_every_kth_state_of_the_same_chain():
    model = fixed_denoiser(4.0, -2.0)
    start = binary(5)
    full = sampling.run_chain(model, start, level=0.3, steps=12, seed=1)
    thinned = sampling.run_chain(model, start, level=0.3, steps=12, seed=1, thin=4)
    assert thinned.samples.shape == (4, 5, 16) and thinned.steps == 12 and thinned.thin == 4
    assert torch.equal(thinned.samples, full.samples[::4])
    assert torch.equal(thinned.means, full.means[::4])
    with pytest.raises(ValueError, match="divides"):
        sampling.run_chain(model, start, level=0.3, steps=10, thin=4)
