"""Checkers for chapter 7: the parameters of a stack, its reconstruction, a fair probe."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from aelab import stacked
from aelab.exercises._common import _mismatch, _report, _run
from aelab.models import count_parameters, mlp_autoencoder


def check_layer_parameters(fn: Callable[[Sequence[int]], object]) -> bool:
    """``fn(sizes)``: the number of parameters of each layer's autoencoder, a list of ints."""
    for sizes in ((10, 6, 3), (784, 1000, 500, 250, 30)):
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        expected = [2 * a * b + a + b for a, b in pairs]
        result, error = _run(fn, tuple(sizes))
        if error:
            return _report(False, error)
        if isinstance(result, int | float):
            return _report(False, "Return one count per layer (a list), not their total.")
        try:
            got = [int(v) for v in result]  # type: ignore[union-attr]
        except (TypeError, ValueError):
            return _report(False, f"Return a list of whole numbers, got {type(result).__name__}.")
        if len(got) != len(expected):
            return _report(
                False,
                f"sizes={sizes} has {len(pairs)} layers (one per pair of neighbouring sizes), "
                f"but you returned {len(got)} counts.",
            )
        if got != expected:
            hints = [
                ([2 * a * b for a, b in pairs], " Count the biases too: one per output unit."),
                ([a * b + b for a, b in pairs], " A layer's autoencoder has a decoder as well."),
                ([2 * a * b + b for a, b in pairs], " The decoder has biases too: one per input."),
            ]
            hint = next((h for value, h in hints if got == value), "")
            return _report(False, f"For sizes={sizes} expected {expected}, got {got}.{hint}")
    total = count_parameters(mlp_autoencoder(sizes))
    return _report(
        True,
        f"Correct: together the layers hold {sum(expected):,} parameters, exactly the "
        f"{total:,} of the deep autoencoder they are stacked into.",
    )


def check_stacked_reconstruction(fn: Callable[[list, torch.Tensor], torch.Tensor]) -> bool:
    """``fn(layers, x)``: the reconstruction of ``x`` by the stack of ``layers``."""
    sizes = (12, 8, 6, 3)
    torch.manual_seed(11)
    layers = [
        stacked.layer_autoencoder(a, b, first=i == 0, last=i == len(sizes) - 2)
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
    ]
    x = torch.rand(5, 12, generator=torch.Generator().manual_seed(12))
    with torch.no_grad():
        expected = stacked.stack(layers)(x)
        result, error = _run(fn, layers, x.clone())
        if error:
            return _report(False, error)
        wrong = _mismatch(result, expected, "The reconstruction")
        if wrong and isinstance(result, torch.Tensor) and result.shape == expected.shape:
            y = layers[2].encode(layers[1].encode(layers[0].encode(x)))
            no_relu = layers[0].decode(layers[1].decode(layers[2].decode(y)))
            logits = layers[0].decoder(
                torch.relu(layers[1].decoder(torch.relu(layers[2].decode(y))))
            )
            hints = [
                (no_relu, " Put a ReLU between the decoders, as there is one between encoders."),
                (logits, " The first layer's decode() applies the sigmoid: use it last."),
                (layers[0](x), " That is the first layer alone: go down to the last code."),
            ]
            r = result.detach().double()
            wrong += next((h for v, h in hints if torch.allclose(r, v.double(), atol=1e-6)), "")
    if wrong:
        return _report(False, wrong)
    return _report(
        True, "Correct: encoders in order, decoders in reverse, the sigmoid only at the very end."
    )


def check_standardise(fn: Callable[[torch.Tensor, torch.Tensor], object]) -> bool:
    """``fn(train, test)``: both sets of codes standardised with the *training* statistics."""
    g = torch.Generator().manual_seed(13)
    scale = torch.tensor([1e-2, 1.0, 30.0, 5.0], dtype=torch.float64)
    train = torch.randn(50, 4, generator=g, dtype=torch.float64) * scale + 3
    test = torch.randn(20, 4, generator=g, dtype=torch.float64) * scale * 2 - 1  # shifted
    mean = train.mean(0)
    result, error = _run(fn, train.clone(), test.clone())
    if error:
        return _report(False, error)
    if not (isinstance(result, tuple | list) and len(result) == 2):
        return _report(False, "Return a pair (train_standardised, test_standardised).")
    options = [train.std(0, correction=ddof) for ddof in (0, 1)]  # either is fine
    for std in options:
        wrong_train = _mismatch(result[0], (train - mean) / std, "The standardised training codes")
        wrong_test = _mismatch(result[1], (test - mean) / std, "The standardised test codes")
        if not wrong_train and not wrong_test:
            return _report(
                True,
                "Correct: the test codes are scaled with what was learned from the training "
                "codes alone, as StandardScaler does.",
            )
    if wrong_train:
        if isinstance(result[0], torch.Tensor) and result[0].shape == train.shape:
            r = result[0].double()
            variance_hint = " Divide by the standard deviation, not the variance."
            hints = [
                ((train - train.mean()) / train.std(), " Standardise each code unit (dim 0)."),
                (train - mean, " Divide each unit by its standard deviation too."),
                *(((train - mean) / std.square(), variance_hint) for std in options),
            ]
            wrong_train += next((h for v, h in hints if torch.allclose(r, v, atol=1e-6)), "")
        return _report(False, wrong_train)
    if isinstance(result[1], torch.Tensor) and result[1].shape == test.shape:
        own = [(test - test.mean(0)) / test.std(0, correction=ddof) for ddof in (0, 1)]
        if any(torch.allclose(result[1].double(), v, atol=1e-6) for v in own):
            wrong_test += (
                " You used the test codes' own mean and spread: a probe may learn only from "
                "training data, so reuse the training statistics."
            )
    return _report(False, wrong_test)
