import pytest
import torch
from torch import nn

import aelab as ae


def test_mlp_layers():
    net = ae.models.mlp((784, 256, 32))
    assert [type(m) for m in net] == [nn.Linear, nn.ReLU, nn.Linear]
    assert net(torch.zeros(2, 784)).shape == (2, 32)


@pytest.mark.parametrize("sizes", [(784,), (784, 0), (784, 2.5)])
def test_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError, match="sizes"):
        ae.models.mlp(sizes)


def test_mirrored_autoencoder_shapes_and_parameter_count():
    model = ae.models.mlp_autoencoder((784, 256, 32))
    x = torch.rand(4, 784)
    assert model.encode(x).shape == (4, 32)
    assert model(x).shape == (4, 784) and ((model(x) > 0) & (model(x) < 1)).all()
    expected = 2 * (784 * 256 + 256 * 32) + (256 + 32) + (256 + 784)
    assert ae.models.count_parameters(model) == expected


def test_outputs():
    x = torch.rand(3, 784)
    linear = ae.models.mlp_autoencoder((784, 784), output="linear")
    assert torch.allclose(linear(x), linear.logits(x))
    softmax = ae.models.mlp_autoencoder((784, 16), output="softmax")
    assert torch.allclose(softmax(x).sum(1), torch.ones(3))
    with pytest.raises(ValueError, match="output="):
        ae.models.AutoEncoder(nn.Identity(), nn.Identity(), output="tanh")


def test_wrong_input_shape_is_a_clear_error():
    model = ae.models.mlp_autoencoder((784, 32))
    with pytest.raises(ValueError, match=r"flat images.*flatten"):
        model(torch.rand(2, 1, 28, 28))


@pytest.mark.parametrize("act, low, high", [(nn.ReLU, 0.0, float("inf")), (nn.Sigmoid, 0.0, 1.0)])
def test_code_activation_is_applied_to_the_code(act, low, high):
    model = ae.models.mlp_autoencoder((20, 8, 30), code_activation=act)
    assert isinstance(model.encoder[-1], act) and len(model.encoder) == 4
    y = model.encode(torch.randn(64, 20))
    assert y.shape == (64, 30) and (y >= low).all() and (y <= high).all()
    assert model(torch.randn(2, 20)).shape == (2, 20)
    plain = ae.models.mlp_autoencoder((20, 8, 30))
    assert isinstance(plain.encoder[-1], nn.Linear)  # no code activation by default


def test_he_init_keeps_the_signal_through_a_deep_relu_autoencoder():
    torch.manual_seed(0)
    sizes = (784, 1000, 500, 250, 30)
    x = torch.rand(256, 784)
    default = ae.models.mlp_autoencoder(sizes, output="linear")
    model = ae.models.mlp_autoencoder(sizes, output="linear")
    assert ae.models.he_init(model) is model
    first = model.encoder[0]
    assert first.bias.abs().max() == 0
    assert first.weight.std().item() == pytest.approx((2 / 784) ** 0.5, rel=0.02)
    with torch.no_grad():  # the output's spread across inputs: He keeps it, the default loses it
        spread_he, spread_default = model(x).std(0).mean(), default(x).std(0).mean()
    assert spread_he > 10 * spread_default


def test_codes_batch_by_batch_in_eval_mode_and_flat():
    torch.manual_seed(0)
    model = ae.models.AutoEncoder(
        nn.Sequential(nn.Linear(6, 4), nn.Dropout(0.5), nn.Unflatten(1, (2, 2))),
        nn.Sequential(nn.Flatten(), nn.Linear(4, 6)),
        input_shape=(6,),
    )
    x = torch.rand(25, 6)
    codes = ae.models.codes(model, x, batch_size=7)
    assert codes.shape == (25, 4) and model.training  # the mode is restored
    model.eval()
    assert torch.allclose(codes, model.encode(x).flatten(1))
    assert ae.sparsity.codes is ae.models.codes  # chapters 3 and 7 call sparsity.codes
