"""Autoencoders: an encoder f, a decoder g, and x_hat = g(f(x)).

The decoder produces *pre-activations*; the output layer's nonlinearity is a
named choice (``output``) so that losses can rely on it: BCE needs
probabilities per pixel (sigmoid), L2 works with any output.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import torch
from torch import nn

OUTPUTS = ("sigmoid", "softmax", "linear")


class AutoEncoder(nn.Module):
    """x_hat = output(g(f(x))).

    Args:
        encoder: f, maps an input to its code y.
        decoder: g, maps a code to pre-activations of the same shape as the input.
        output: ``"sigmoid"`` (a probability per pixel), ``"linear"`` (no
            nonlinearity), or ``"softmax"`` over all pixels of an image (shown in
            chapter 1 as the *wrong* choice for images).
        input_shape: shape of one input, e.g. ``(784,)``; checked on every call so a
            wrong shape fails with a clear message instead of a matmul error.
    """

    def __init__(
        self,
        encoder: nn.Module,
        decoder: nn.Module,
        output: str = "sigmoid",
        input_shape: tuple[int, ...] | None = None,
    ) -> None:
        super().__init__()
        if output not in OUTPUTS:
            raise ValueError(f"output={output!r}: choose one of {OUTPUTS}.")
        self.encoder, self.decoder = encoder, decoder
        self.output, self.input_shape = output, input_shape

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The code y = f(x)."""
        if not x.is_floating_point():
            raise TypeError(
                f"autoencoders take floating-point images, got {x.dtype}. "
                "Convert 8-bit images with x.float() / 255 (ae.data.mnist() already does)."
            )
        if self.input_shape is not None and tuple(x.shape[1:]) != self.input_shape:
            if len(self.input_shape) == 1:
                fix = (
                    "MLP autoencoders need flat images: ae.data.mnist(flat=True), or x.flatten(1)."
                )
            else:
                fix = (
                    "Convolutional autoencoders need images with a channel axis: "
                    f"ae.data.mnist(flat=False), or x.view(-1, *{self.input_shape})."
                )
            raise ValueError(
                f"this autoencoder takes inputs of shape (N, *{self.input_shape}), "
                f"got {tuple(x.shape)}. {fix}"
            )
        return self.encoder(x)

    def decode(self, y: torch.Tensor) -> torch.Tensor:
        """x_hat = output(g(y))."""
        h = self.decoder(y)
        if self.output == "sigmoid":
            return torch.sigmoid(h)
        if self.output == "softmax":
            return torch.softmax(h.flatten(1), dim=1).view_as(h)
        return h

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """g(f(x)) before the output nonlinearity (what a stable BCE needs)."""
        return self.decoder(self.encode(x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


def mlp(sizes: Sequence[int], activation: type[nn.Module] = nn.ReLU) -> nn.Sequential:
    """Fully connected layers ``sizes[0] -> ... -> sizes[-1]``, ``activation`` between them."""
    if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
        raise ValueError(f"sizes={list(sizes)}: give at least two positive integer layer sizes.")
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        if i > 0:
            layers.append(activation())
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


def mlp_autoencoder(
    sizes: Sequence[int],
    output: str = "sigmoid",
    activation: type[nn.Module] = nn.ReLU,
    code_activation: type[nn.Module] | None = None,
) -> AutoEncoder:
    """A mirrored MLP autoencoder, e.g. ``sizes=(784, 256, 32)`` gives 784-256-32-256-784.

    The code layer is linear (no activation on y) unless ``code_activation``
    names one, e.g. ``nn.ReLU`` (codes that can be exactly zero) or ``nn.Sigmoid``
    (codes in (0, 1), read as firing rates by sparsity penalties). Without it, with
    two sizes the whole network is linear apart from the output layer.
    """
    encoder = mlp(sizes, activation)
    if code_activation is not None:
        encoder.append(code_activation())
    return AutoEncoder(
        encoder=encoder,
        decoder=mlp(list(reversed(sizes)), activation),
        output=output,
        input_shape=(sizes[0],),
    )


def he_init(model: nn.Module) -> nn.Module:
    """Re-initialise every ``nn.Linear`` of ``model`` for ReLU networks and return the model.

    Weights ~ N(0, 2 / fan_in) (He et al. 2015), biases zero. PyTorch's default
    (uniform, variance 1 / (3 fan_in)) shrinks the signal by about a factor 6 in
    variance per ReLU layer, so a deep autoencoder starts with an almost constant
    output and wastes its first epochs; He initialisation keeps the variance.
    """
    for module in linear_layers(model):
        nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
        nn.init.zeros_(module.bias)
    return model


def linear_layers(module: nn.Module) -> list[nn.Linear]:
    """Every ``nn.Linear`` inside ``module``, in the order they run in a ``Sequential``."""
    return [m for m in module.modules() if isinstance(m, nn.Linear)]


@contextmanager
def eval_mode(model: nn.Module) -> Iterator[nn.Module]:
    """``with eval_mode(model):`` runs the block in eval mode (dropout off, batch norm
    frozen) and restores the mode the model had, also when the block raises."""
    was_training = model.training
    model.eval()
    try:
        yield model
    finally:
        model.train(was_training)


@torch.no_grad()
def codes(model: nn.Module, x: torch.Tensor, batch_size: int = 2000) -> torch.Tensor:
    """The codes ``model.encode(x)`` of all inputs, flattened to ``(N, k)``, in eval mode.

    Any model with an ``encode`` method (an ``AutoEncoder``, a stack of them), in
    batches of ``batch_size`` moved to the model's device, so that a large data
    set on the CPU fits; the codes stay on the model's device.
    """
    device = next(model.parameters()).device
    with eval_mode(model):
        out = torch.cat(
            [model.encode(x[i : i + batch_size].to(device)) for i in range(0, len(x), batch_size)]
        )
    return out.flatten(1)


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
