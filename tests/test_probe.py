import numpy as np
import pytest
import torch

import aelab as ae
from aelab import probe
from aelab.classifier import accuracy


def blobs(n=300, k=5, classes=3, spread=0.3, seed=0):
    """Gaussian clusters, one per class, and their labels."""
    g = torch.Generator().manual_seed(seed)
    centres = 3 * torch.randn(classes, k, generator=g)
    y = torch.arange(n) % classes
    return centres[y] + spread * torch.randn(n, k, generator=g), y


def test_linear_probe_separates_separable_codes_and_fails_on_noise():
    x, y = blobs(n=600)
    assert probe.linear_probe(x[:300], y[:300], x[300:], y[300:]) == 1.0
    noise = torch.randn(600, 5, generator=torch.Generator().manual_seed(2))
    assert probe.linear_probe(noise[:300], y[:300], noise[300:], y[300:]) < 0.6


def test_linear_probe_ignores_the_scale_of_the_codes():
    x, y = blobs(spread=2.0)
    scaled = x * torch.tensor([1e4, 1.0, 1e-4, 1.0, 1.0])
    plain = probe.linear_probe(x[:200], y[:200], x[200:], y[200:])
    assert probe.linear_probe(scaled[:200], y[:200], scaled[200:], y[200:]) == plain


def test_linear_probe_checks_its_input():
    x, y = blobs()
    with pytest.raises(ValueError, match="same k"):
        probe.linear_probe(x, y, x[:, :3], y)
    with pytest.raises(ValueError, match="one label per code"):
        probe.linear_probe(x, y[:10], x, y)


def test_classifier_copies_the_encoder_and_reads_the_code_size():
    encoder = ae.models.mlp((6, 5, 4))
    model = probe.classifier(encoder, n_classes=3)
    assert model.head.in_features == 4 and model.head.out_features == 3
    assert model(torch.randn(2, 6)).shape == (2, 3)
    model.encoder[0].weight.data.zero_()
    assert encoder[0].weight.abs().sum() > 0
    with pytest.raises(ValueError, match="no nn.Linear"):
        probe.classifier(torch.nn.ReLU())


def test_cross_entropy_is_the_mean_over_the_batch():
    model = probe.EncoderClassifier(torch.nn.Identity(), code_size=3, n_classes=3)
    with torch.no_grad():
        model.head.weight.copy_(torch.eye(3))
        model.head.bias.zero_()
    x = torch.tensor([[5.0, 0, 0], [0, 5.0, 0], [0, 0, 5.0], [5.0, 0, 0]])
    y = torch.tensor([0, 1, 2, 1])
    expected = torch.nn.functional.cross_entropy(x, y)
    assert probe.cross_entropy(model, (x, y)).item() == pytest.approx(expected.item())


def test_labelled_subset_is_stratified_reproducible_and_checked():
    y = torch.arange(1000) % 10
    index = probe.labelled_subset(y, 0.05, seed=3)
    assert len(index) == 50 and len(set(index.tolist())) == 50
    assert np.bincount(y[index].numpy(), minlength=10).tolist() == [5] * 10
    assert torch.equal(index, probe.labelled_subset(y, 0.05, seed=3))
    assert not torch.equal(index, probe.labelled_subset(y, 0.05, seed=4))
    assert torch.equal(probe.labelled_subset(y, 1.0), torch.arange(1000))
    with pytest.raises(ValueError, match="fewer than one per class"):
        probe.labelled_subset(y, 0.005)
    with pytest.raises(ValueError, match="share of the labels"):
        probe.labelled_subset(y, 0.0)


def test_fine_tune_learns_from_a_share_of_the_labels_and_keeps_the_encoder():
    x, y = blobs(n=600, k=8, classes=4, spread=1.0)
    encoder = ae.models.he_init(ae.models.mlp((8, 16, 4)))
    before = [p.clone() for p in encoder.parameters()]
    model, history = probe.fine_tune(
        encoder, x, y, fraction=0.2, epochs=40, n_classes=4, batch_size=32, lr=1e-2, quiet=True
    )
    assert history.train[-1] < history.train[0]
    assert accuracy(model, x, y) > 0.9
    assert all(torch.equal(a, b) for a, b in zip(before, encoder.parameters(), strict=True))
    again, _ = probe.fine_tune(
        encoder, x, y, fraction=0.2, epochs=40, n_classes=4, batch_size=32, lr=1e-2, quiet=True
    )
    assert torch.equal(model(x), again(x))
