"""Checkers for chapter 4: shapes, parameters and decoders of convolutional autoencoders."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from aelab.conv import conv_encoder
from aelab.exercises._common import _report, _run
from aelab.models import count_parameters

#: (input size, kernel, stride, padding): the division is not always exact.
_CONV_CASES = (
    (28, 3, 1, 1),
    (28, 3, 2, 1),
    (28, 3, 2, 0),
    (28, 5, 1, 0),
    (14, 4, 2, 1),
    (7, 3, 3, 2),
)


def check_conv_output_size(fn: Callable[[int, int, int, int], int]) -> bool:
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
        result, error = _run(fn, *case)
        if error:
            return _report(False, error)
        if isinstance(result, bool) or not isinstance(result, int):
            hint = " Round down with // : a kernel that does not fit is not applied."
            hint = hint if isinstance(result, float) else ""
            return _report(False, f"Return a whole number (int), got {result!r} for {case}.{hint}")
        results.append(result)
    expected = [
        nn.Conv2d(1, 1, k, stride=s, padding=p)(torch.zeros(1, 1, n, n)).shape[-1]
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
            return _report(False, f"{case}: PyTorch gives {right}, you gave {result}.{hint}")
    return _report(True, "Correct: floor((size + 2 padding - kernel) / stride) + 1, as nn.Conv2d.")


def check_encoder_parameters(fn: Callable[[int, tuple[int, ...]], int]) -> bool:
    """``fn(code_size, channels)``: parameters of ``ae.conv.conv_encoder(code_size, channels)``."""
    for code_size, channels in ((32, (16, 32)), (10, (8,)), (64, (4, 12))):
        expected = count_parameters(conv_encoder(code_size, channels))
        result, error = _run(fn, code_size, channels)
        if error:
            return _report(False, error)
        case = f"code_size={code_size}, channels={channels}"
        if isinstance(result, bool) or not isinstance(result, int):
            return _report(False, f"Return a whole number (int), got {result!r} for {case}.")
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
            return _report(
                False, f"{case}: the encoder has {expected:,}, you gave {result:,}.{hint}"
            )
    return _report(
        True, "Correct: and the linear layer to the code holds most of them, not the convolutions."
    )


def check_upsampling_decoder(fn: Callable[[int], nn.Module]) -> bool:
    """``fn(code_size)``: a decoder from codes ``(N, code_size)`` to images ``(N, 1, 28, 28)``."""
    for code_size in (32, 10):
        decoder, error = _run(fn, code_size)
        if error:
            return _report(False, error)
        if not isinstance(decoder, nn.Module):
            return _report(False, f"Return an nn.Module, got {type(decoder).__name__}.")
        layers = list(decoder.modules())
        if any(isinstance(m, nn.ConvTranspose2d) for m in layers):
            return _report(
                False, "Use nn.Upsample followed by nn.Conv2d here, not nn.ConvTranspose2d."
            )
        if any(isinstance(m, nn.Linear) and m.out_features == 28 * 28 for m in layers):
            return _report(
                False,
                "A linear layer writes the whole image: that is an MLP decoder. Map the code "
                "to small feature maps (e.g. 32 x 7 x 7); upsampling and convolutions grow them.",
            )
        if not any(isinstance(m, nn.Upsample) for m in layers):
            return _report(False, "Grow the feature maps with nn.Upsample(scale_factor=2).")
        if not any(isinstance(m, nn.Conv2d) for m in layers):
            return _report(False, "The decoder should build the image with nn.Conv2d layers.")
        code = torch.randn(5, code_size, generator=torch.Generator().manual_seed(code_size))
        image, error = _run(decoder, code)
        if error:
            return _report(False, f"(code_size={code_size}) {error}")
        if not isinstance(image, torch.Tensor) or image.shape != (5, 1, 28, 28):
            shape = tuple(image.shape) if isinstance(image, torch.Tensor) else type(image).__name__
            hint = " Upsample 7 -> 14 -> 28: two stages." if shape[-1:] in ((14,), (56,)) else ""
            return _report(
                False, f"Codes (5, {code_size}) should give (5, 1, 28, 28), got {shape}.{hint}"
            )
        if not torch.isfinite(image).all() or torch.allclose(image[0], image[1]):
            return _report(False, "The output should be finite and depend on the code.")
    return _report(True, "Correct: a convolutional decoder without transposed convolutions.")
