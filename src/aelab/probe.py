"""Are the codes useful? Two ways of asking with labels: a linear probe, and fine-tuning.

* ``linear_probe`` trains a logistic regression (scikit-learn) on *frozen*
  codes, standardised first, and returns its test accuracy. The encoder does
  not change, so the number measures how much class information a linear
  read-out finds in the codes as they are.
* ``fine_tune`` puts a linear classifier head on an encoder (``EncoderClassifier``)
  and trains both with cross-entropy on a stratified share of the labelled
  training images (``labelled_subset``): from pretrained weights, or from
  random ones for comparison; ``ae.classifier.accuracy`` scores it.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from torch import nn

from aelab import config
from aelab._arrays import Array, as_numpy
from aelab.models import linear_layers
from aelab.train import History, fit


def linear_probe(
    train_codes: Array,
    train_labels: Array,
    test_codes: Array,
    test_labels: Array,
    *,
    C: float = 1.0,  # noqa: N803 - scikit-learn's name for the inverse regularisation strength
    max_iter: int = 1000,
) -> float:
    """Test accuracy of a logistic regression on standardised frozen codes, in [0, 1].

    Standardising (zero mean, unit variance per code unit, from the training
    codes) makes the probe blind to the codes' scale, which differs wildly
    between encoders and says nothing about their content.
    """
    x_train, x_test = as_numpy(train_codes, None), as_numpy(test_codes, None)
    y_train, y_test = as_numpy(train_labels, None), as_numpy(test_labels, None)
    if x_train.ndim != 2 or x_test.ndim != 2 or x_train.shape[1] != x_test.shape[1]:
        raise ValueError(
            f"give codes as (N, k) matrices with the same k, got {x_train.shape} and "
            f"{x_test.shape}."
        )
    if len(x_train) != len(y_train) or len(x_test) != len(y_test):
        raise ValueError("give one label per code, for the training and the test codes.")
    probe = make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=max_iter))
    probe.fit(x_train, y_train)
    return float(probe.score(x_test, y_test))


class EncoderClassifier(nn.Module):
    """``logits = head(encoder(x))``: an encoder with a linear read-out of its code."""

    def __init__(self, encoder: nn.Module, code_size: int, n_classes: int = 10) -> None:
        super().__init__()
        self.encoder, self.head = encoder, nn.Linear(code_size, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x))


def classifier(encoder: nn.Module, n_classes: int = 10) -> EncoderClassifier:
    """An ``EncoderClassifier`` on a *copy* of ``encoder`` (training it leaves the original intact).

    The code size is read from the encoder's last ``nn.Linear`` layer.
    """
    linears = linear_layers(encoder)
    if not linears:
        raise ValueError("the encoder has no nn.Linear layer to read the code size from.")
    return EncoderClassifier(copy.deepcopy(encoder), linears[-1].out_features, n_classes)


def cross_entropy(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
    """The training loss of a classifier for ``ae.fit``: cross-entropy, mean over the batch."""
    x, y = batch
    return F.cross_entropy(model(x), y)


def labelled_subset(y: Array, fraction: float, seed: int = 0) -> torch.Tensor:
    """Indices of a random ``fraction`` of the examples, stratified: every class keeps its share.

    ``fraction=1`` returns all indices. With 1 % of MNIST's 60,000 training
    images that is 600 labels, about 60 per digit.
    """
    labels = as_numpy(y, None)
    n = len(labels)
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction={fraction}: choose a share of the labels in (0, 1].")
    if fraction == 1:
        return torch.arange(n)
    n_classes = len(np.unique(labels))
    if round(fraction * n) < n_classes:
        raise ValueError(
            f"fraction={fraction} of {n} examples keeps fewer than one per class "
            f"({n_classes} classes): choose a larger fraction."
        )
    chosen, _ = train_test_split(
        np.arange(n), train_size=fraction, stratify=labels, random_state=seed
    )
    return torch.from_numpy(np.sort(chosen))


def fine_tune(
    encoder: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    fraction: float,
    epochs: int,
    n_classes: int = 10,
    batch_size: int = 128,
    lr: float = 1e-3,
    seed: int = 0,
    device: torch.device | str | None = None,
    quiet: bool = False,
) -> tuple[EncoderClassifier, History]:
    """Train a copy of ``encoder`` plus a linear head on ``fraction`` of the labelled ``(x, y)``.

    Every weight is trained (the encoder too), with Adam and cross-entropy. The
    subset is ``labelled_subset(y, fraction, seed)``; the head's initial weights
    are seeded with ``seed``. Returns the classifier and its training history.
    """
    index = labelled_subset(y, fraction, seed).to(y.device)
    config.seed(seed)
    model = classifier(encoder, n_classes)
    history = fit(
        model,
        (x[index], y[index]),
        cross_entropy,
        epochs=epochs,
        batch_size=min(batch_size, len(index)),
        lr=lr,
        seed=seed,
        device=device,
        quiet=quiet,
        desc=f"fine-tune on {len(index):,} labels",
    )
    return model, history
