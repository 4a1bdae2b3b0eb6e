"""Checkers for chapter 4: shapes, parameters and decoders of convolutional autoencoders, and
the experiment that swaps the decoder's upsampling for a transposed convolution."""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from aelab import config, losses, train
from aelab.conv import checkerboard_score, conv_encoder
from aelab.exercises import _experiment
from aelab.exercises._common import _call, _kind, _tensor, _whole, _Wrong, checker
from aelab.models import AutoEncoder, count_parameters

#: (input size, kernel, stride, padding): the division is not always exact.
_CONV_CASES = (
    (28, 3, 1, 1),
    (28, 3, 2, 1),
    (28, 3, 2, 0),
    (28, 5, 1, 0),
    (14, 4, 2, 1),
    (7, 3, 3, 2),
)


@checker
def check_conv_output_size(fn: Callable[[int, int, int, int], int]) -> str:
    """``fn(size, kernel, stride, padding)``: the output height (or width) of an ``nn.Conv2d``."""
    hints = (
        (lambda n, k, s, p: (n + p - k) // s + 1, " Padding is added on both sides: 2p."),
        (lambda n, k, s, p: (n + 2 * p - k) // s, " Count the first position too: add 1."),
        (
            lambda n, k, s, p: n // s,
            " The kernel size matters too: it must fit in the padded input.",
        ),
    )
    results = []
    for case in _CONV_CASES:
        result = _call(fn, *case)
        if isinstance(result, bool | np.bool_) or not isinstance(result, int | np.integer):
            hint = " Round down with // : a kernel that does not fit is not applied."
            hint = hint if isinstance(result, float) else ""
            raise _Wrong(f"Return a whole number (int), got {result!r} for {case}.{hint}")
        results.append(int(result))
    expected = [  # what PyTorch's convolution does, not our formula
        F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p).shape[-1]
        for n, k, s, p in _CONV_CASES
    ]
    for (size, kernel, stride, padding), result, right in zip(
        _CONV_CASES, results, expected, strict=True
    ):
        if result != right:
            # the hint of the mistake that explains every answer, if one does
            explains = [
                all(f(*c) == r for c, r in zip(_CONV_CASES, results, strict=True)) for f, _ in hints
            ]
            hint = next((h for (_, h), ok in zip(hints, explains, strict=True) if ok), "")
            case = f"(size {size}, kernel {kernel}, stride {stride}, padding {padding})"
            raise _Wrong(f"{case}: PyTorch gives {right}, you gave {result}.{hint}")
    return "Correct: floor((size + 2 padding - kernel) / stride) + 1, as nn.Conv2d."


@checker
def check_encoder_parameters(fn: Callable[[int, tuple[int, ...]], int]) -> str:
    """``fn(code_size, channels)``: parameters of ``ae.conv.conv_encoder(code_size, channels)``."""
    for code_size, channels in ((32, (16, 32)), (10, (8,)), (64, (4, 12))):
        expected = count_parameters(conv_encoder(code_size, channels))  # on a forked RNG
        result = _call(fn, code_size, channels)
        case = f"code_size={code_size}, channels={channels}"
        result = _whole(result, f"The number of parameters for {case}")
        if result != expected:
            side = 28 // 2 ** len(channels)
            ins = (1, *channels[:-1])
            convs = sum(c_out * (c_in * 9 + 1) for c_in, c_out in zip(ins, channels, strict=True))
            linear = channels[-1] * side * side * code_size + code_size
            hints = {
                sum(c_out * c_in * 9 for c_in, c_out in zip(ins, channels, strict=True))
                + channels[-1] * side * side * code_size: " Every layer has a bias too.",
                sum(c_out * (c_in * 3 + 1) for c_in, c_out in zip(ins, channels, strict=True))
                + linear: " A 3 x 3 kernel has 9 weights per input channel.",
                convs: " Add the linear layer from the last feature maps to the code.",
                convs + channels[-1] * 28 * 28 * code_size + code_size: " Each stage halves"
                " the feature maps, so the linear layer sees the smallest ones.",
            }
            hint = hints.get(result, "")
            raise _Wrong(f"{case}: the encoder has {expected:,}, you gave {result:,}.{hint}")
    return "Correct: and the linear layer to the code holds most of them, not the convolutions."


@checker
def check_upsampling_decoder(fn: Callable[[int], nn.Module]) -> str:
    """``fn(code_size)``: a decoder from codes ``(N, code_size)`` to images ``(N, 1, 28, 28)``."""
    for code_size in (32, 10):
        decoder = _call(fn, code_size)
        if not isinstance(decoder, nn.Module):
            raise _Wrong(f"Return an nn.Module, got {type(decoder).__name__}.")
        layers = list(decoder.modules())
        if any(isinstance(m, nn.ConvTranspose2d) for m in layers):
            raise _Wrong("Use nn.Upsample followed by nn.Conv2d here, not nn.ConvTranspose2d.")
        if any(isinstance(m, nn.Linear) and m.out_features == 28 * 28 for m in layers):
            raise _Wrong(
                "A linear layer writes the whole image: that is an MLP decoder. Map the code "
                "to small feature maps (e.g. 32 x 7 x 7); upsampling and convolutions grow them."
            )
        if not any(isinstance(m, nn.Upsample) for m in layers):
            raise _Wrong("Grow the feature maps with nn.Upsample(scale_factor=2).")
        if not any(isinstance(m, nn.Conv2d) for m in layers):
            raise _Wrong("The decoder should build the image with nn.Conv2d layers.")
        code = torch.randn(5, code_size, generator=torch.Generator().manual_seed(code_size))
        weight = next((p for p in decoder.parameters() if p.is_floating_point()), code)
        code = _experiment.like(code, weight)
        try:
            image = _call(decoder, code)
        except _Wrong as wrong:
            raise _Wrong(f"(code_size={code_size}) {wrong}") from None
        if not isinstance(image, torch.Tensor) or image.shape != (5, 1, 28, 28):
            shape = tuple(image.shape) if isinstance(image, torch.Tensor) else type(image).__name__
            hint = " Upsample 7 -> 14 -> 28: two stages." if shape[-1:] in ((14,), (56,)) else ""
            raise _Wrong(f"Codes (5, {code_size}) should give (5, 1, 28, 28), got {shape}.{hint}")
        image = _tensor(image, torch.empty(5, 1, 28, 28), "The decoder's output")
        if torch.allclose(image[0], image[1]):
            raise _Wrong("The output should depend on the code.")
    return "Correct: a convolutional decoder without transposed convolutions."


#: The experiment's autoencoder is the chapter's: a code of 32 numbers, 28 -> 14 -> 7 -> 14 -> 28.
CODE, CHANNELS = 32, (16, 32)


def _chapter_stage(c_in: int, c_out: int) -> nn.Module:
    """The chapter's decoder stage: repeat every pixel 2 x 2, then a 3 x 3 convolution."""
    return nn.Sequential(nn.Upsample(scale_factor=2), nn.Conv2d(c_in, c_out, 3, padding=1))


def _stage(fn: Callable[[int, int], nn.Module], c_in: int, c_out: int, side: int) -> nn.Module:
    """``fn(c_in, c_out)``, checked on feature maps (4, c_in, side, side) before any training."""
    stage = _call(fn, c_in, c_out)
    if not isinstance(stage, nn.Module):
        raise _Wrong(f"Return the stage, an nn.Module, got {_kind(stage)}.")
    weights = [p for p in stage.parameters() if p.is_floating_point() and p.requires_grad]
    if not weights:
        raise _Wrong("Your stage has no trainable parameters: it needs a (transposed) convolution.")
    maps = torch.randn(4, c_in, side, side, generator=torch.Generator().manual_seed(c_in))
    maps = _experiment.like(maps, weights[0]).requires_grad_(True)
    out = _call(stage, maps)
    what = f"Your stage's output for feature maps {tuple(maps.shape)}"
    if isinstance(out, torch.Tensor) and out.ndim == 4 and out.shape[-1] in (side, 2 * side - 1):
        fix = "use stride 2" if out.shape[-1] == side else "add output_padding=1"
        raise _Wrong(f"{what} is {tuple(out.shape)}: {fix} to double {side} to {2 * side}.")
    _tensor(out, torch.empty(4, c_out, 2 * side, 2 * side), what)
    if out.dtype.itemsize < 4:
        raise _Wrong(f"{what} is in {out.dtype}: keep the stage in float32.")
    if out.detach().abs().max() > 1e3:
        raise _Wrong(f"{what} reaches {out.detach().abs().max().item():.3g}.")
    grads = (
        torch.autograd.grad(out.sum(), [maps, *weights], allow_unused=True)
        if out.requires_grad
        else [None]
    )
    if any(g is None or not torch.any(g != 0) for g in grads[:1]) or all(
        g is None or not torch.any(g != 0) for g in grads[1:]
    ):
        raise _Wrong(f"{what} should depend on the maps and on the stage's weights.")
    return stage


def _decoder(fn: Callable[[int, int], nn.Module]) -> nn.Sequential:
    """``ae.conv.conv_decoder(CODE)`` in float32, with its two stages built by ``fn``
    (a student's stages run under the time limit)."""
    checked = (lambda stage: stage) if fn is _chapter_stage else _experiment.Checked
    return nn.Sequential(
        nn.Linear(CODE, 32 * 7 * 7),
        nn.ReLU(),
        nn.Unflatten(1, (32, 7, 7)),
        checked(_stage(fn, 32, 16, 7)),
        nn.ReLU(),
        checked(_stage(fn, 16, 1, 14)),
    ).float()


def _untrained_score(fn: Callable[[int, int], nn.Module]) -> float:
    """The mean checkerboard score of 5 fresh decoders' outputs for 200 random codes each."""
    device, scores = config.device(), []
    for seed in range(5):
        torch.manual_seed(seed)
        decoder = _decoder(fn).to(device)
        codes = torch.randn(200, CODE, generator=torch.Generator().manual_seed(seed))
        with torch.no_grad():
            scores.append(checkerboard_score(decoder(codes.to(device))).mean().item())
    return sum(scores) / len(scores)


def _trained(fn: Callable[[int, int], nn.Module]) -> tuple[float, float]:
    """Train the chapter's autoencoder with ``fn``'s stages (BCE, 2 epochs on 3,000 digits);
    the checkerboard score of its test reconstructions and its test squared error."""
    x_train, x_test = (x.view(-1, 1, 28, 28) for x in _experiment.digits())
    torch.manual_seed(0)
    encoder = conv_encoder(CODE, CHANNELS)
    model = AutoEncoder(encoder, _decoder(fn), input_shape=(1, 28, 28))
    _experiment.fit_quietly(
        model, x_train, losses.bce, epochs=2, batch_size=20, scheduler=train.one_cycle(1e-2)
    )
    with torch.no_grad():
        score = checkerboard_score(torch.cat([model(x) for x in x_test.split(100)])).mean()
    return score.item(), train.evaluate(model, x_test, losses.l2, batch_size=100)


@functools.lru_cache(maxsize=2)
def _chapter_untrained(device: str) -> float:
    return _untrained_score(_chapter_stage)


@functools.lru_cache(maxsize=2)
def _chapter_trained(device: str) -> tuple[float, float]:
    return _trained(_chapter_stage)


@checker
def check_transposed_decoder(fn: Callable[[int, int], nn.Module]) -> str:
    """``fn(c_in, c_out)``: a decoder stage that doubles the height and width of feature maps.

    The answer maps (N, c_in, H, W) to (N, c_out, 2H, 2W). The checker builds the
    chapter's decoder (``ae.conv.conv_decoder(32)``) with two such stages (32 -> 16
    channels at 7 -> 14 pixels, 16 -> 1 at 14 -> 28) instead of the chapter's
    upsampling followed by a convolution, and measures ``ae.conv.checkerboard_score``:
    before training, on the outputs of 5 fresh decoders for 200 random codes; then
    after training the chapter's autoencoder with each decoder from the same start
    (BCE, 2 epochs on 3,000 digits, a few seconds on a CPU), on the reconstructions
    of 1,000 test digits. It passes when your stage paints what the chapter
    predicts for a stride-2 transposed convolution: a checkerboard before training
    (a score at least 10 times the upsampling stage's) that training removes (the
    reconstructions score at most 3 times the test digits themselves).
    """
    _stage(fn, 32, 16, 7)  # every malformed answer gets its verdict here
    _stage(fn, 16, 1, 14)
    device = str(config.device())
    yours, chapter = _untrained_score(fn), _chapter_untrained(device)
    before = (
        f"checkerboard score before training, on random codes: {yours:.2g} with your stage, "
        f"{chapter:.2g} with upsampling + convolution"
    )
    if not yours >= 10 * chapter:
        raise _Wrong(
            f"Measured {before}: your stage paints no checkerboard. Use nn.ConvTranspose2d "
            "with stride 2, whose 3 x 3 kernel copies overlap unevenly (padding=1, "
            "output_padding=1 for the size)."
        )
    x_test = _experiment.digits()[1]
    digits = checkerboard_score(x_test.view(-1, 28, 28)).mean().item()
    score, error = _trained(fn)
    chapter_score, chapter_error = _chapter_trained(device)
    after = (
        f"after 2 epochs, on 1,000 test digits: {score:.1e} for your reconstructions, "
        f"{chapter_score:.1e} with upsampling, {digits:.1e} for the digits themselves "
        f"(test squared error {error:.1f} against {chapter_error:.1f})"
    )
    if not score <= 3 * digits:
        raise _Wrong(
            f"Measured {before}; {after}: training did not remove the checkerboard, "
            "as it does for the chapter's transposed decoder."
        )
    return (
        f"Measured {before}; {after}: the transposed convolution starts out painting "
        "checkerboards, and training balances its kernels until they are gone."
    )
