"""Stacked autoencoders: a deep autoencoder assembled from shallow ones, one layer at a time.

Greedy layer-wise pretraining (Bengio et al. 2007; Hinton & Salakhutdinov 2006
did the same with restricted Boltzmann machines): train a one-hidden-layer
autoencoder AE_1 on the data x, compute its codes h_1 = f_1(x), train AE_2 on
h_1, and so on. Each step is a shallow, well-conditioned problem. ``stack``
then nests them, encoders f_L ∘ ... ∘ f_1 and decoders g_1 ∘ ... ∘ g_L, into one
deep autoencoder, which is fine-tuned end to end with ``ae.fit``.

With ``noise > 0`` every layer is a denoising autoencoder: it sees its input
with a random share ``noise`` of the entries set to zero (masking noise,
``ae.noise.masking``) and must reconstruct the clean input, the stacked
denoising autoencoder of Vincent et al. (2010). The corruption is used only
while a layer trains; the codes handed to the next layer come from clean
inputs, as in the paper.

The layers are the book's ReLU layers. The first reconstructs pixels in
[0, 1] through a sigmoid and is trained with binary cross-entropy (chapter 2's
choice); the others reconstruct the previous layer's ReLU codes linearly with
the squared error, and the last code layer is linear. ``stack`` joins the
decoders with ReLUs, mirroring the encoders; since the codes a decoder
reconstructs are never negative, clipping its output at zero can only bring
it closer to them. With these choices ``stack`` returns exactly the network of
``ae.models.mlp_autoencoder(sizes)``, module for module and with the same
parameter names, so that layer-wise and end-to-end training compare like for
like. ``ae.diagrams.stack`` draws the nesting.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from matplotlib.figure import Figure
from torch import nn

from aelab import config, diagrams, losses
from aelab.models import AutoEncoder, codes, he_init, linear_layers
from aelab.noise import masking
from aelab.train import History, Loss, Scheduler, fit


def layer_autoencoder(n_in: int, n_out: int, *, first: bool, last: bool) -> AutoEncoder:
    """One layer of a stack, ``n_in -> n_out -> n_in``, He-initialised.

    ``first``: it reconstructs the data (pixels in [0, 1]) through a sigmoid;
    otherwise the previous layer's ReLU codes, linearly. (A ReLU on that output
    would match the stack better, but an output unit whose input turns
    negative for every example then stops learning for good.) ``last``: its
    code is linear (the bottleneck); otherwise a ReLU code for the next layer.
    """
    if n_in < 1 or n_out < 1:
        raise ValueError(f"layer sizes {n_in} -> {n_out}: both must be positive.")
    encoder = nn.Sequential(nn.Linear(n_in, n_out))
    if not last:
        encoder.append(nn.ReLU())
    decoder = nn.Sequential(nn.Linear(n_out, n_in))
    output = "sigmoid" if first else "linear"
    return he_init(AutoEncoder(encoder, decoder, output=output, input_shape=(n_in,)))


def layer_loss(level: float = 0.0) -> Loss:
    """The training loss of one layer for ``ae.fit``, denoising when ``level > 0``.

    Binary cross-entropy for a sigmoid output (the pixel layer), the squared
    error otherwise; both per input, mean over the batch. ``level`` is the share
    of input entries that ``ae.noise.masking`` sets to zero; the target is always
    the clean input.
    """
    if not 0 <= level < 1:
        raise ValueError(f"level={level}: the share of zeroed inputs must lie in [0, 1).")

    def loss(model: AutoEncoder, h: torch.Tensor) -> torch.Tensor:
        seen = masking(h, level) if level > 0 else h
        if model.output == "sigmoid":
            return losses.bernoulli_nll(model.logits(seen), h).mean()
        return losses.squared_error(model(seen), h).mean()

    return loss


@dataclass
class LayerWise:
    """The trained layers of a stack, their histories and the wall time of the whole run."""

    layers: list[AutoEncoder]
    histories: list[History]
    seconds: float

    def stack(self) -> AutoEncoder:
        """The deep autoencoder of all layers (a copy: fine-tuning it leaves ``layers`` intact)."""
        return stack(self.layers)


def pretrain(
    x: torch.Tensor,
    sizes: Sequence[int],
    *,
    epochs: int,
    noise: float = 0.0,
    batch_size: int = 256,
    lr: float = 1e-3,
    scheduler: Scheduler | None = None,
    seed: int = 0,
    device: torch.device | str | None = None,
    quiet: bool = False,
) -> LayerWise:
    """Greedy layer-wise training of the stack ``sizes``, e.g. ``(784, 1000, 500, 250, 30)``.

    Layer i is trained for ``epochs`` on the codes of layers 1..i-1 (computed
    once, from clean inputs), with Adam and the arguments of ``ae.fit``. The
    seconds include computing the codes.
    """
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2:
        raise ValueError(f"sizes={sizes}: give the input size and at least one code size.")
    if x.ndim != 2 or x.shape[1] != sizes[0]:
        raise ValueError(
            f"x has shape {tuple(x.shape)}, but the stack starts with {sizes[0]} inputs: "
            "give flat rows, e.g. ae.data.mnist(flat=True)."
        )
    loss = layer_loss(noise)
    layers, histories = [], []
    start = time.perf_counter()
    h = x
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    for i, (n_in, n_out) in enumerate(pairs):
        config.seed(seed + i)
        layer = layer_autoencoder(n_in, n_out, first=i == 0, last=i == len(pairs) - 1)
        histories.append(
            fit(
                layer,
                h,
                loss,
                epochs=epochs,
                batch_size=min(batch_size, len(h)),
                lr=lr,
                scheduler=scheduler,
                seed=seed + i,
                device=device,
                quiet=quiet,
                desc=f"layer {i + 1}: {n_in}-{n_out}-{n_in}",
            )
        )
        layers.append(layer)
        if i < len(pairs) - 1:
            h = codes(layer, h)
    return LayerWise(layers, histories, time.perf_counter() - start)


def stack(layers: Sequence[AutoEncoder]) -> AutoEncoder:
    """Nest trained layers into one autoencoder: encoders in order, decoders in reverse.

    The decoders are joined by ReLUs, as the encoders are. The layers are
    copied. The output nonlinearity is the first layer's (it is the one that
    reconstructs the data).
    """
    if not layers:
        raise ValueError("give at least one layer to stack.")
    for part in ("encoder", "decoder"):
        if not all(isinstance(getattr(layer, part), nn.Sequential) for layer in layers):
            raise TypeError(
                f"every layer's {part} must be an nn.Sequential, as layer_autoencoder's."
            )
    for i, (a, b) in enumerate(zip(layers[:-1], layers[1:], strict=False)):
        if _code_size(a) != _input_size(b):
            raise ValueError(
                f"layer {i + 1} has a code of {_code_size(a)} units, but layer {i + 2} takes "
                f"{_input_size(b)} inputs: train each layer on the codes of the one before."
            )
    layers = copy.deepcopy(list(layers))
    encoder = nn.Sequential(*(m for layer in layers for m in layer.encoder))
    decoder = nn.Sequential(*layers[-1].decoder)
    for layer in reversed(layers[:-1]):
        decoder.extend([nn.ReLU(), *layer.decoder])
    return AutoEncoder(encoder, decoder, output=layers[0].output, input_shape=layers[0].input_shape)


def _linears(part: nn.Module) -> list[nn.Linear]:
    linears = linear_layers(part)
    if not linears:
        raise ValueError("a layer of a stack needs an nn.Linear in its encoder and its decoder.")
    return linears


def _code_size(layer: AutoEncoder) -> int:
    return _linears(layer.encoder)[-1].out_features


def _input_size(layer: AutoEncoder) -> int:
    return _linears(layer.encoder)[0].in_features


def diagram(sizes: Sequence[int], title: str | None = None) -> Figure:
    """The stack as nested autoencoders; chapter 7 calls it so, the drawing lives in diagrams."""
    return diagrams.stack(sizes, title)
