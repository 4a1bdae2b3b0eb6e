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
