"""A small MNIST classifier, used as a measuring instrument for generated digits.

Generated images cannot be compared with a ground truth pixel by pixel, so the
book judges them through the eyes of a classifier trained on real digits: its
label says which digit a sample looks like, its confidence how clearly, and
its last hidden layer gives the features in which a Fréchet distance compares
whole sets of samples with real digits (``aelab.diagnostics``).

The classifier is an MLP trained with ``ae.fit`` on dynamically binarised
digits, so it reads binary images (what the samplers produce) as well as
grey-level ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from aelab.data import binarize_dynamic
from aelab.models import eval_mode, he_init


class Classifier(nn.Module):
    """An MLP ``784 -> hidden... -> 10`` whose last hidden layer is exposed as ``features``."""

    def __init__(self, sizes: Sequence[int] = (784, 512, 512, 10), dropout: float = 0.2) -> None:
        super().__init__()
        if len(sizes) < 3 or any(int(s) != s or s < 1 for s in sizes):
            raise ValueError(
                f"sizes={list(sizes)}: give the input size, at least one hidden size and "
                "the number of classes, e.g. (784, 512, 512, 10)."
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout={dropout!r}: choose a probability in [0, 1).")
        layers: list[nn.Module] = []
        for n_in, n_out in zip(sizes[:-2], sizes[1:-1], strict=True):
            layers += [nn.Linear(n_in, n_out), nn.ReLU(), nn.Dropout(dropout)]
        self.body = nn.Sequential(*layers)
        self.head = nn.Linear(sizes[-2], sizes[-1])
        self.n_inputs = sizes[0]
        he_init(self)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The last hidden layer's activations ``(N, sizes[-2])``."""
        if x.ndim != 2 or x.shape[1] != self.n_inputs:
            raise ValueError(
                f"the classifier takes flat images (N, {self.n_inputs}), got {tuple(x.shape)}: "
                "use x.flatten(1)."
            )
        return self.body(x.float())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class logits ``(N, n_classes)``."""
        return self.head(self.features(x))


def binarized_cross_entropy(model: nn.Module, batch: tuple[torch.Tensor, torch.Tensor]):
    """Training loss for ``ae.fit``: cross-entropy on a fresh binary draw of each image.

    The fresh draw (dynamic binarisation) is data augmentation that also makes the
    classifier read binary digits, the kind the denoising chains produce.
    """
    x, y = batch
    return F.cross_entropy(model(binarize_dynamic(x)), y)


@torch.no_grad()
def predict(
    model: nn.Module, x: torch.Tensor, batch_size: int = 2000
) -> tuple[torch.Tensor, torch.Tensor]:
    """Labels and softmax confidence (probability of that label) for every image of ``x``."""
    probs = torch.cat([_probs(model, chunk) for chunk in x.split(batch_size)])
    confidence, labels = probs.max(dim=1)
    return labels, confidence


@torch.no_grad()
def features(model: Classifier, x: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
    """``model.features`` of every image of ``x`` in eval mode (dropout off): float64, CPU."""
    with eval_mode(model):  # float64 on the CPU: Apple's MPS has no float64
        return torch.cat([model.features(chunk).cpu().double() for chunk in x.split(batch_size)])


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of ``x`` whose predicted label equals ``y``."""
    if len(x) != len(y):
        raise ValueError(f"{len(x)} images but {len(y)} labels: give one label per image.")
    labels, _ = predict(model, x)
    return (labels == y.to(labels.device)).sum().item() / len(y)


def _probs(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    with eval_mode(model):
        return torch.softmax(model(x.float()), dim=1)
