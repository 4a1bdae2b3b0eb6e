"""Checkers for chapter 7: the parameters of a stack, its reconstruction, a fair probe, and the
experiment that drops the dimension abruptly instead of gradually."""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from aelab import losses, stacked, train
from aelab.exercises import _experiment
from aelab.exercises._common import (
    _array,
    _call,
    _close,
    _first_hint,
    _kind,
    _tensor,
    _whole,
    _Wrong,
    checker,
)
from aelab.models import count_parameters, he_init, mlp_autoencoder


@checker
def check_layer_parameters(fn: Callable[[Sequence[int]], object]) -> str:
    """``fn(sizes)``: the number of parameters of each layer's autoencoder, a list of ints."""
    for sizes in ((10, 6, 3), (784, 1000, 500, 250, 30)):
        pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
        expected = [2 * a * b + a + b for a, b in pairs]
        result = _call(fn, tuple(sizes))
        if isinstance(result, int | float | np.number) and not isinstance(result, bool):
            raise _Wrong("Return one count per layer (a list), not their total.")
        counts = _array(result, "The list of counts").ravel()
        if not (counts == np.round(counts)).all():
            raise _Wrong(f"Return a list of whole numbers, got {counts.tolist()}.")
        got = [int(v) for v in counts]
        if len(got) != len(expected):
            raise _Wrong(
                f"sizes={sizes} has {len(pairs)} layers (one per pair of neighbouring sizes), "
                f"but you returned {len(got)} counts."
            )
        if got != expected:
            hints = [
                ([2 * a * b for a, b in pairs], " Count the biases too: one per output unit."),
                ([a * b + b for a, b in pairs], " A layer's autoencoder has a decoder as well."),
                ([2 * a * b + b for a, b in pairs], " The decoder has biases too: one per input."),
            ]
            hint = next((h for value, h in hints if got == value), "")
            raise _Wrong(f"For sizes={sizes} expected {expected}, got {got}.{hint}")
    total = count_parameters(mlp_autoencoder(sizes))  # its initialisation uses a forked RNG
    return (
        f"Correct: together the layers hold {sum(expected):,} parameters, exactly the "
        f"{total:,} of the deep autoencoder they are stacked into."
    )


@checker
def check_stacked_reconstruction(fn: Callable[[list, torch.Tensor], torch.Tensor]) -> str:
    """``fn(layers, x)``: the reconstruction of ``x`` by the stack of ``layers``."""
    layers = _layers((12, 8, 6, 3), torch.Generator().manual_seed(11))
    x = torch.rand(5, 12, generator=torch.Generator().manual_seed(12))
    with torch.no_grad():
        expected = stacked.stack(layers)(x)
        result = _call(fn, copy.deepcopy(layers), x.clone())
        r = _tensor(result, expected, "The reconstruction")
        if not _close(r, expected, result.dtype):
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
            hint = _first_hint(r, hints, result.dtype)
            raise _Wrong(f"The reconstruction differs from the reference.{hint}")
    return "Correct: encoders in order, decoders in reverse, the sigmoid only at the very end."


def _layers(sizes: tuple[int, ...], generator: torch.Generator) -> list[nn.Module]:
    """The layers of a small stack, with weights drawn from ``generator`` (not the global one)."""
    layers = [
        stacked.layer_autoencoder(a, b, first=i == 0, last=i == len(sizes) - 2)
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True))
    ]
    for layer in layers:
        with torch.no_grad():
            for p in layer.parameters():
                scale = (2 / p.shape[1]) ** 0.5 if p.dim() == 2 else 0.1  # He; small biases
                p.copy_(scale * torch.randn(p.shape, generator=generator))
    return layers


@checker
def check_standardise(fn: Callable[[torch.Tensor, torch.Tensor], object]) -> str:
    """``fn(train, test)``: both sets of codes standardised with the *training* statistics."""
    g = torch.Generator().manual_seed(13)
    scale = torch.tensor([1e-2, 1.0, 30.0, 5.0], dtype=torch.float64)
    train = torch.randn(50, 4, generator=g, dtype=torch.float64) * scale + 3
    test = torch.randn(20, 4, generator=g, dtype=torch.float64) * scale * 2 - 1  # shifted
    mean = train.mean(0)
    result = _call(fn, train.clone(), test.clone())
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise _Wrong("Return a pair (train_standardised, test_standardised).")
    tr = _tensor(result[0], train, "The standardised training codes")
    te = _tensor(result[1], test, "The standardised test codes")
    dtypes = result[0].dtype, result[1].dtype
    options = [train.std(0, correction=ddof) for ddof in (0, 1)]  # either is fine
    for std in options:
        if _close(tr, (train - mean) / std, dtypes[0]) and _close(
            te, (test - mean) / std, dtypes[1]
        ):
            return (
                "Correct: the test codes are scaled with what was learned from the training "
                "codes alone, as StandardScaler does."
            )
    if not any(_close(tr, (train - mean) / std, dtypes[0]) for std in options):
        variance_hint = " Divide by the standard deviation, not the variance."
        hints = [
            ((train - train.mean()) / train.std(), " Standardise each code unit (dim 0)."),
            (train - mean, " Divide each unit by its standard deviation too."),
            *(((train - mean) / std.square(), variance_hint) for std in options),
        ]
        hint = _first_hint(tr, hints, dtypes[0])
        raise _Wrong(f"The standardised training codes differ from the reference.{hint}")
    own = [(test - test.mean(0)) / test.std(0, correction=ddof) for ddof in (0, 1)]
    hint = ""
    if any(_close(te, v, dtypes[1]) for v in own):
        hint = (
            " You used the test codes' own mean and spread: a probe may learn only from "
            "training data, so reuse the training statistics."
        )
    raise _Wrong(f"The standardised test codes differ from the reference.{hint}")


#: The experiment's gradual stack: the chapter's 784-1000-500-250-30, about a quarter as wide.
GRADUAL = (784, 256, 128, 30)


def _reconstruction_error(sizes: tuple[int, ...]) -> float:
    """Train ``mlp_autoencoder(sizes)`` as the chapter does; its test squared error per digit."""
    x_train, x_test = _experiment.digits()
    torch.manual_seed(0)
    model = he_init(mlp_autoencoder(sizes))
    _experiment.fit_quietly(
        model, x_train, losses.bce, epochs=5, batch_size=100, scheduler=train.one_cycle(2e-3)
    )
    return train.evaluate(model, x_test, losses.l2)


@functools.lru_cache(maxsize=2)
def _gradual_error(device: str) -> float:
    """The gradual stack's error: the same for every answer."""
    return _reconstruction_error(GRADUAL)


def _layer_sizes(result: object, gradual: tuple[int, ...]) -> tuple[int, ...]:
    """The student's layer sizes, once they describe a stack comparable with ``gradual``."""
    integers = isinstance(result, np.ndarray) and result.dtype.kind in "iu"
    if isinstance(result, torch.Tensor) and result.device.type != "meta":
        integers = not (
            result.is_floating_point() or result.is_complex() or result.dtype == torch.bool
        )
    if integers:
        result = result.tolist()
    if isinstance(result, str) or not isinstance(result, list | tuple | range):
        raise _Wrong(
            f"Return the layer sizes as a list of whole numbers, like {list(gradual)}; "
            f"got {_kind(result)}."
        )
    sizes = tuple(_whole(s, "Each layer size") for s in result)
    shown = "-".join(map(str, sizes)) if len(sizes) <= 12 else "a long list"
    if len(sizes) != len(gradual):
        raise _Wrong(
            f"You gave {len(sizes)} sizes ({shown}); keep the depth, {len(gradual)} sizes "
            f"({len(gradual) - 1} layers each way), so that only the widths change."
        )
    if sizes[0] != gradual[0] or sizes[-1] != gradual[-1]:
        raise _Wrong(
            f"Your stack should start with the {gradual[0]} pixels and end with the "
            f"{gradual[-1]}-number code, as the gradual one does; yours runs from {sizes[0]} "
            f"to {sizes[-1]}."
        )
    code, widest = gradual[-1], max(gradual[1:])
    if not all(code <= s <= widest for s in sizes[1:]):
        raise _Wrong(
            f"Keep every hidden layer of {shown} between {code} units (the code: it should "
            f"stay the narrowest point) and {widest} (the widest layer of the gradual stack)."
        )
    return sizes


@checker
def check_abrupt_reduction(fn: Callable[[tuple[int, ...]], Sequence[int]]) -> str:
    """``fn(sizes)``: the layer sizes of an *abrupt* stack, given those of a gradual one.

    ``sizes`` is the gradual stack ``(784, 256, 128, 30)``; the answer is a list
    of as many whole numbers, from the 784 pixels to the 30-number code, every
    hidden layer between 30 and 256 units wide. The checker trains both
    autoencoders (``ae.models.mlp_autoencoder``, He-initialised, from the same
    seed) end to end as the chapter does, with the cross-entropy and a one-cycle
    schedule, for 5 epochs on 3,000 digits (on a CPU about three seconds for
    the gradual stack and one for the abrupt), measures the squared error per
    image on 1,000 test digits, and passes when your stack reconstructs at least
    1.5 times worse, as the chapter's abrupt 784-30-30-30-30 did.
    """
    sizes = _layer_sizes(_call(fn, GRADUAL), GRADUAL)
    _, x_test = _experiment.digits()
    gradual_err = _gradual_error(str(x_test.device))
    yours_err = _reconstruction_error(sizes)
    names = "-".join(map(str, sizes)), "-".join(map(str, GRADUAL))
    seen = (
        f"on 1,000 test digits a squared error per image of {yours_err:.1f} for your "
        f"{names[0]} against {gradual_err:.1f} for the gradual {names[1]} "
        f"({yours_err / gradual_err:.2f} times as much)"
    )
    if not yours_err >= 1.5 * gradual_err:
        raise _Wrong(
            f"Measured {seen}: no clear loss, so your stack still carries more than "
            f"{GRADUAL[-1]} numbers past its first layer; for the abrupt one, drop to "
            f"{GRADUAL[-1]} units there and keep that width."
        )
    return (
        f"Measured {seen}: squeezed to {GRADUAL[-1]} numbers by its first layer, the abrupt "
        "stack loses what no later layer can recover."
    )
