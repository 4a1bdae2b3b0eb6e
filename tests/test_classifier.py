import pytest
import torch

import aelab as ae
from aelab import classifier as clf


def blobs(n=400, seed=0):
    """Two classes of 16-pixel images in [0, 1]: the left or the right half is bright."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    x = torch.full((n, 16), 0.1)
    x[y == 0, :8], x[y == 1, 8:] = 0.9, 0.9
    return x, y


def test_shapes_and_features():
    model = clf.Classifier((16, 32, 8, 3))
    x = torch.rand(5, 16)
    assert model(x).shape == (5, 3)
    assert clf.features(model, x).shape == (5, 8) and clf.features(model, x).dtype == torch.float64
    labels, confidence = clf.predict(model, x)
    assert labels.shape == confidence.shape == (5,)
    assert ((confidence >= 1 / 3) & (confidence <= 1)).all()


def test_learns_a_separable_problem_with_fit():
    ae.config.seed(0)
    x, y = blobs()
    model = clf.Classifier((16, 32, 8, 2), dropout=0.0)
    ae.fit(
        model,
        (x, y),
        clf.binarized_cross_entropy,
        epochs=30,
        batch_size=50,
        quiet=True,
        device="cpu",
    )
    x_test, y_test = blobs(seed=1)
    assert clf.accuracy(model, x_test, y_test) > 0.95
    assert model.training  # predict and features leave the training mode as it was


def test_evaluation_switches_dropout_off():
    ae.config.seed(0)
    model = clf.Classifier((16, 64, 64, 2), dropout=0.5)
    x = torch.rand(10, 16)
    assert torch.equal(clf.features(model, x), clf.features(model, x))


def test_bad_input_gets_a_clear_error():
    with pytest.raises(ValueError, match="at least one hidden"):
        clf.Classifier((784, 10))
    with pytest.raises(ValueError, match="dropout"):
        clf.Classifier(dropout=1.0)
    with pytest.raises(ValueError, match="flatten"):
        clf.Classifier()(torch.rand(2, 1, 28, 28))
    with pytest.raises(ValueError, match="one label per image"):
        clf.accuracy(clf.Classifier(), torch.rand(3, 784), torch.zeros(2, dtype=torch.long))
