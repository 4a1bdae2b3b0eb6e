"""Checkers for chapter 4: shapes, parameters and decoders of convolutional autoencoders."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from aelab.conv import conv_encoder
from aelab.exercises._common import _call, _tensor, _whole, _Wrong, checker
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
        if weight.device.type != "meta":  # the codes in the decoder's own dtype and device
            code = code.to(weight.device, weight.dtype)
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
