"""Chapter 4's checkers pass the reference solutions and fail the stub and plausible mistakes."""

import pytest
import torch
from checkers import assert_verdicts
from torch import nn

import aelab as ae
from aelab import exercises as ex


def output_size(size, kernel, stride, padding):
    return (size + 2 * padding - kernel) // stride + 1


def encoder_parameters(code_size, channels):
    ins = (1, *channels[:-1])
    side = 28 // 2 ** len(channels)
    convs = sum(c_out * (c_in * 9 + 1) for c_in, c_out in zip(ins, channels, strict=True))
    return convs + channels[-1] * side * side * code_size + code_size


def upsampling_decoder(code_size):
    return nn.Sequential(
        nn.Linear(code_size, 32 * 7 * 7),
        nn.ReLU(),
        nn.Unflatten(1, (32, 7, 7)),
        nn.Upsample(scale_factor=2),
        nn.Conv2d(32, 16, 3, padding=1),
        nn.ReLU(),
        nn.Upsample(scale_factor=2),
        nn.Conv2d(16, 1, 3, padding=1),
    )


def transposed_stage(c_in, c_out):
    return nn.ConvTranspose2d(c_in, c_out, 3, stride=2, padding=1, output_padding=1)


def _without_biases(code_size, channels):
    model = ae.conv.conv_encoder(code_size, channels)
    return sum(p.numel() for name, p in model.named_parameters() if name.endswith("weight"))


class _Constant(nn.Module):
    """A 'decoder' that paints the same image whatever the code."""

    def __init__(self):
        super().__init__()
        self.up = nn.Upsample(scale_factor=2)
        self.conv = nn.Conv2d(1, 1, 3, padding=1)

    def forward(self, y):
        return self.conv(self.up(torch.ones(len(y), 1, 14, 14)))


CASES = {
    ex.check_conv_output_size: (
        output_size,
        {
            "float": lambda n, k, s, p: (n + 2 * p - k) / s + 1,
            "one-sided padding": lambda n, k, s, p: (n + p - k) // s + 1,
            "no +1": lambda n, k, s, p: (n + 2 * p - k) // s,
            "kernel ignored": lambda n, k, s, p: n // s,
            "round up": lambda n, k, s, p: -(-(n + 2 * p - k) // s) + 1,
            "a tensor": lambda n, k, s, p: torch.tensor(output_size(n, k, s, p)),
        },
    ),
    ex.check_encoder_parameters: (
        encoder_parameters,
        {
            "no biases": _without_biases,
            "k instead of k^2": lambda c, ch: (
                encoder_parameters(c, ch)
                - sum(o * i * 6 for i, o in zip((1, *ch[:-1]), ch, strict=True))
            ),
            "no linear layer": lambda c, ch: (
                encoder_parameters(c, ch) - (ch[-1] * (28 // 2 ** len(ch)) ** 2 * c + c)
            ),
            "linear layer on the full image": lambda c, ch: (
                encoder_parameters(c, ch) + ch[-1] * (28 * 28 - (28 // 2 ** len(ch)) ** 2) * c
            ),
            "a float": lambda c, ch: float(encoder_parameters(c, ch)),
        },
    ),
    ex.check_upsampling_decoder: (
        upsampling_decoder,
        {
            "transposed": lambda c: ae.conv.conv_decoder(c, upsample="transposed"),
            "mlp": lambda c: nn.Sequential(
                nn.Linear(c, 784), nn.Unflatten(1, (1, 28, 28)), nn.Conv2d(1, 1, 3, padding=1)
            ),
            "one stage": lambda c: upsampling_decoder(c)[:-2],
            "flat output": lambda c: nn.Sequential(upsampling_decoder(c), nn.Flatten()),
            "no convolution": lambda c: nn.Sequential(
                nn.Linear(c, 49), nn.Unflatten(1, (1, 7, 7)), nn.Upsample(scale_factor=4)
            ),
            "not a module": lambda c: upsampling_decoder,
            "ignores the code": lambda c: _Constant(),
            "no upsampling": lambda c: nn.Sequential(
                nn.Linear(c, 4 * 28 * 28),
                nn.Unflatten(1, (4, 28, 28)),
                nn.Conv2d(4, 1, 3, padding=1),
            ),
        },
    ),
    ex.check_transposed_decoder: (
        transposed_stage,
        {
            "the chapter's upsampling stage": lambda i, o: nn.Sequential(
                nn.Upsample(scale_factor=2), nn.Conv2d(i, o, 3, padding=1)
            ),
            "bilinear upsampling": lambda i, o: nn.Sequential(
                nn.Upsample(scale_factor=2, mode="bilinear"), nn.Conv2d(i, o, 3, padding=1)
            ),
            "no output_padding": lambda i, o: nn.ConvTranspose2d(i, o, 3, stride=2, padding=1),
            "stride 1": lambda i, o: nn.ConvTranspose2d(i, o, 3, padding=1),
            "frozen": lambda i, o: transposed_stage(i, o).requires_grad_(False),
            "upsampling alone": lambda i, o: nn.Upsample(scale_factor=2),
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_conv_output_size: {
        "float": ("Round down",),
        "one-sided padding": ("both sides",),
        "no +1": ("add 1",),
        "kernel ignored": ("kernel size matters",),
    },
    ex.check_encoder_parameters: {
        "no biases": ("bias",),
        "k instead of k^2": ("9 weights",),
        "no linear layer": ("linear layer",),
        "linear layer on the full image": ("smallest",),
    },
    ex.check_upsampling_decoder: {
        "transposed": ("not nn.ConvTranspose2d",),
        "mlp": ("MLP decoder",),
        "one stage": ("two stages",),
        "ignores the code": ("depend on the code",),
        "no upsampling": ("nn.Upsample",),
    },
    ex.check_transposed_decoder: {
        "reference": ("checkerboard score before training", "after 2 epochs"),
        "the chapter's upsampling stage": ("paints no checkerboard",),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))


def test_the_package_decoder_passes_the_checker_only_with_nearest_upsampling(capsys):
    assert ex.check_upsampling_decoder(lambda c: ae.conv.conv_decoder(c, upsample="nearest"))
    assert not ex.check_upsampling_decoder(lambda c: ae.conv.conv_decoder(c, upsample="transposed"))


def test_checkers_are_exported():
    assert ae.exercises.check_conv_output_size is ex.check_conv_output_size
