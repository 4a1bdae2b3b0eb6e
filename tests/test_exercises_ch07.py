"""Chapter 7's checkers pass the reference solutions and fail the stub and plausible mistakes."""

import pytest
import torch
from checkers import assert_verdicts

from aelab import exercises as ex


def parameters_reference(sizes):
    return [2 * a * b + a + b for a, b in zip(sizes[:-1], sizes[1:], strict=True)]


def reconstruction_reference(layers, x):
    y = x
    for layer in layers:
        y = layer.encode(y)
    for layer in reversed(layers[1:]):
        y = torch.relu(layer.decode(y))
    return layers[0].decode(y)


def no_relu(layers, x):
    y = x
    for layer in layers:
        y = layer.encode(y)
    for layer in reversed(layers):
        y = layer.decode(y)
    return y


def standardise_reference(train, test):
    mean, std = train.mean(0), train.std(0)
    return (train - mean) / std, (test - mean) / std


def own_statistics(train, test):
    return standardise_reference(train, train)[0], standardise_reference(test, test)[0]


def abrupt_sizes(sizes):
    return (sizes[0],) + (sizes[-1],) * (len(sizes) - 1)


CASES = {
    ex.check_layer_parameters: (
        parameters_reference,
        {
            "no biases": lambda s: [2 * a * b for a, b in zip(s[:-1], s[1:], strict=True)],
            "encoder only": lambda s: [a * b + b for a, b in zip(s[:-1], s[1:], strict=True)],
            "total": lambda s: sum(parameters_reference(s)),
            "one too many": lambda s: [*parameters_reference(s), 0],
            "no decoder bias": lambda s: [
                2 * a * b + b for a, b in zip(s[:-1], s[1:], strict=True)
            ],
        },
    ),
    ex.check_stacked_reconstruction: (
        reconstruction_reference,
        {
            "no relu between decoders": no_relu,
            "first layer only": lambda layers, x: layers[0](x),
            "decoders in encoder order": lambda layers, x: no_relu(layers[::-1], x),
            "the code": lambda layers, x: layers[2].encode(layers[1].encode(layers[0].encode(x))),
        },
    ),
    ex.check_standardise: (
        standardise_reference,
        {
            "own statistics": own_statistics,
            "one scale for all": lambda tr, te: (
                (tr - tr.mean()) / tr.std(),
                (te - tr.mean()) / tr.std(),
            ),
            "variance": lambda tr, te: (
                (tr - tr.mean(0)) / tr.var(0),
                (te - tr.mean(0)) / tr.var(0),
            ),
            "centred only": lambda tr, te: (tr - tr.mean(0), te - tr.mean(0)),
            "one tensor": lambda tr, te: standardise_reference(tr, te)[0],
        },
    ),
    ex.check_abrupt_reduction: (
        abrupt_sizes,
        {
            "makes no change": lambda sizes: sizes,
            "shallow instead of abrupt": lambda sizes: (sizes[0], sizes[-1]),
            "mirrored": lambda sizes: abrupt_sizes(sizes)[::-1],
            "narrower than the code": lambda sizes: (sizes[0], 2, 2, sizes[-1]),
            "floats": lambda sizes: [float(s) for s in abrupt_sizes(sizes)],
        },
    ),
}


#: What verdicts must say: the experiment's measurements and advice, and each mistake's hint.
SAYS = {
    ex.check_layer_parameters: {"no biases": ("biases",)},
    ex.check_stacked_reconstruction: {"no relu between decoders": ("ReLU between",)},
    ex.check_standardise: {"own statistics": ("training statistics",)},
    ex.check_abrupt_reduction: {
        "reference": ("squared error per image", "784-30-30-30", "times as much"),
        "makes no change": ("drop to 30 units there",),
    },
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_checker_verdicts(checker, capsys):
    assert_verdicts(checker, *CASES[checker], capsys, SAYS.get(checker))


def test_population_and_sample_standard_deviations_both_pass(capsys):
    def population(train, test):
        mean, std = train.mean(0), train.std(0, correction=0)
        return (train - mean) / std, (test - mean) / std

    assert ex.check_standardise(population) is True
