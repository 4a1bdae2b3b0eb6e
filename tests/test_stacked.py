import matplotlib.pyplot as plt
import pytest
import torch
from torch import nn

import aelab as ae
from aelab import stacked

SIZES = (12, 8, 6, 3)


def toy_data(n=256, d=12, seed=0):
    """Points near a 3-d subspace of [0, 1]^d: something a small stack can learn."""
    g = torch.Generator().manual_seed(seed)
    z = torch.rand(n, 3, generator=g)
    return torch.sigmoid(4 * (z @ torch.randn(3, d, generator=g)) - 1)


def test_layer_autoencoders_have_the_right_ends():
    first = stacked.layer_autoencoder(12, 8, first=True, last=False)
    middle = stacked.layer_autoencoder(8, 6, first=False, last=False)
    last = stacked.layer_autoencoder(6, 3, first=False, last=True)
    assert first.output == "sigmoid" and middle.output == "linear"
    assert isinstance(first.encoder[-1], nn.ReLU) and isinstance(middle.encoder[-1], nn.ReLU)
    assert isinstance(last.encoder[-1], nn.Linear)  # the bottleneck is linear
    assert [type(m) for m in middle.decoder] == [nn.Linear]  # the sigmoid is the output's
    assert first.encoder[0].bias.abs().max() == 0  # He-initialised: zero biases


def test_layer_loss_uses_bce_for_pixels_squared_error_otherwise_and_the_clean_target():
    first = stacked.layer_autoencoder(12, 8, first=True, last=False)
    middle = stacked.layer_autoencoder(8, 6, first=False, last=False)
    x, h = toy_data(16), torch.rand(16, 8)
    clean = stacked.layer_loss(0.0)
    assert clean(first, x).item() == pytest.approx(ae.losses.bce(first, x).item())
    assert clean(middle, h).item() == pytest.approx(ae.losses.l2(middle, h).item())
    torch.manual_seed(0)
    noisy = stacked.layer_loss(0.5)(middle, h)
    torch.manual_seed(0)
    seen = ae.noise.masking(h, 0.5)
    expected = ae.losses.squared_error(middle(seen), h).mean()  # corrupted in, clean target
    assert noisy.item() == pytest.approx(expected.item())
    with pytest.raises(ValueError, match="level"):
        stacked.layer_loss(1.5)


def test_stack_is_exactly_the_mlp_autoencoder_and_nests_the_layers():
    layers = [
        stacked.layer_autoencoder(a, b, first=i == 0, last=i == len(SIZES) - 2)
        for i, (a, b) in enumerate(zip(SIZES[:-1], SIZES[1:], strict=True))
    ]
    deep = stacked.stack(layers)
    reference = ae.models.mlp_autoencoder(SIZES)
    reference.load_state_dict(deep.state_dict())  # strict: same modules, names and shapes
    assert [type(m) for m in deep.modules()] == [type(m) for m in reference.modules()]
    x = toy_data(10)
    assert torch.allclose(deep(x), reference(x))
    with torch.no_grad():  # f3(f2(f1(x))) and g1(g2(g3(y))), by hand
        y = layers[2].encode(layers[1].encode(layers[0].encode(x)))
        assert torch.allclose(deep.encode(x), y)
        h2 = torch.relu(layers[2].decode(y))
        assert torch.allclose(deep(x), layers[0].decode(torch.relu(layers[1].decode(h2))))
    deep.encoder[0].weight.data.zero_()  # a copy: the layers are not changed
    assert layers[0].encoder[0].weight.abs().sum() > 0


def test_stack_rejects_layers_that_do_not_fit_together():
    a = stacked.layer_autoencoder(12, 8, first=True, last=False)
    b = stacked.layer_autoencoder(6, 3, first=False, last=True)
    with pytest.raises(ValueError, match="code of 8 units"):
        stacked.stack([a, b])
    with pytest.raises(ValueError, match="at least one"):
        stacked.stack([])
    with pytest.raises(TypeError, match="Sequential"):
        stacked.stack([ae.models.AutoEncoder(nn.Linear(4, 2), nn.Linear(2, 4))])


@pytest.mark.parametrize("noise", [0.0, 0.3])
def test_pretrain_trains_every_layer_and_is_reproducible(noise):
    x = toy_data()
    run = stacked.pretrain(x, SIZES, epochs=30, noise=noise, batch_size=32, lr=3e-2, quiet=True)
    assert len(run.layers) == len(run.histories) == len(SIZES) - 1
    assert run.seconds >= sum(h.total_seconds for h in run.histories) > 0
    for history in run.histories:  # each layer learned something
        assert history.train[-1] < 0.9 * history.train[0]
    again = stacked.pretrain(x, SIZES, epochs=30, noise=noise, batch_size=32, lr=3e-2, quiet=True)
    assert torch.equal(run.stack()(x), again.stack()(x))
    # layer 2 was trained on layer 1's codes: it reconstructs them far better than at its start
    h1 = ae.models.codes(run.layers[0], x)
    variance = (h1 - h1.mean(0)).square().sum(1).mean().item()  # the error of the mean code
    assert ae.evaluate(run.layers[1], h1, stacked.layer_loss()) < 0.6 * variance


def test_pretrain_rejects_bad_shapes():
    with pytest.raises(ValueError, match="784 inputs"):
        stacked.pretrain(torch.rand(10, 1, 28, 28), (784, 30), epochs=1, quiet=True)
    with pytest.raises(ValueError, match="at least one code"):
        stacked.pretrain(torch.rand(10, 12), (12,), epochs=1, quiet=True)


def test_diagram_is_the_plots_drawing():  # chapter 7 calls stacked.diagram(SIZES)
    a, b = stacked.diagram((784, 100, 30)), ae.diagrams.stack((784, 100, 30))
    assert [t.get_text() for t in a.axes[0].texts] == [t.get_text() for t in b.axes[0].texts]
    plt.close(a), plt.close(b)
