"""A denoising autoencoder as a generative model: the corruption-denoising Markov chain.

Bengio, Yao, Alain & Vincent (2013) showed that a denoising autoencoder trained
to reconstruct ``x`` from a corrupted ``x~ ~ C(x~ | x)`` estimates the reverse
conditional ``P(x | x~)``, and that alternating the two,

    x~_t ~ C(x~ | x_t),    x_{t+1} ~ P(x | x~_t),

is a Markov chain whose stationary distribution estimates the data
distribution ``p(x)``. On binarised MNIST the corruption here is
salt-and-pepper noise and ``P(x | x~)`` is a product of Bernoullis, one per
pixel, given by the autoencoder's sigmoid outputs.

``denoising_bce`` is the training loss (optionally with the paper's
*walkback* pairs, which start from the model's own samples); ``run_chain``
runs many chains in parallel and returns the whole trajectory, which
``aelab.diagnostics`` then measures.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch
from torch import nn

from aelab import _rng
from aelab.data import binarize_dynamic
from aelab.losses import bernoulli_nll
from aelab.models import eval_mode
from aelab.noise import salt_and_pepper  # the chain's corruption C(x~ | x)

if TYPE_CHECKING:
    from aelab.train import Loss


def denoising_bce(level: float, walkback: int = 0, binarize: bool = True) -> Loss:
    """A training loss for ``ae.fit``: reconstruct ``x`` from salt-and-pepper corrupted copies.

    Returns ``loss(model, x)``: the Bernoulli NLL of the clean ``x`` under the
    model's output for ``C(x~ | x)`` (per image, summed over pixels, mean over
    the batch). The model must have sigmoid outputs (``model.logits``).

    Args:
        level: the salt-and-pepper probability; the chain must use the same one.
        walkback: extra corrupted inputs per image that start from the model's own
            sample rather than from ``x`` (Bengio et al. 2013, section 3.2):
            ``x* ~ P(x | x~)``, then ``x~ ~ C(x~ | x*)``, still with target ``x``.
            They teach the model to pull back the wrong turns that its own chain
            takes. The loss is the mean over the ``1 + walkback`` terms, and each
            costs one more forward pass.
        binarize: draw a fresh binary image ``x ~ Bernoulli(x)`` at every call
            (dynamic binarisation), so grey-level MNIST trains a binary model.
    """
    _check_level(level)
    if not isinstance(walkback, int) or walkback < 0:
        raise ValueError(f"walkback={walkback!r}: give a whole number of extra steps, 0 or more.")

    def loss(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
        if getattr(model, "output", None) != "sigmoid":
            raise ValueError(
                "denoising_bce needs an autoencoder with sigmoid outputs, e.g. "
                "ae.models.mlp_autoencoder(sizes, output='sigmoid')."
            )
        target = binarize_dynamic(x) if binarize else x
        start, total = target, torch.zeros((), device=x.device)
        for _ in range(1 + walkback):
            logits = model.logits(salt_and_pepper(start, level))
            total = total + bernoulli_nll(logits, target).mean()
            start = _rng.bernoulli(torch.sigmoid(logits.detach()), None)  # x* ~ P(x | x~)
        return total / (1 + walkback)

    return loss


@dataclass(frozen=True)
class Chain:
    """The trajectory of ``n`` parallel chains over ``steps`` steps (step 0 is the start).

    ``samples[t, i]`` is chain ``i``'s binary state ``x_t`` (bool), ``means[t, i]``
    the denoiser's pixel probabilities ``E[x_t | x~_{t-1}]`` it was drawn from (for
    ``t = 0`` the start itself), kept in half precision to save memory. Both
    have shape ``(steps // thin + 1, n, D)``: index ``t`` holds step ``t * thin``.
    The means are the nicer images to show.
    """

    samples: torch.Tensor
    means: torch.Tensor
    level: float
    thin: int = 1

    @property
    def steps(self) -> int:
        """Number of steps taken."""
        return (len(self.samples) - 1) * self.thin

    @property
    def n_chains(self) -> int:
        """Number of chains run in parallel."""
        return self.samples.shape[1]


@torch.no_grad()
def chain_step(
    model: nn.Module, x: torch.Tensor, level: float, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of the chain for a batch of states: ``(x_next, probabilities)``.

    Corrupt ``x`` with salt-and-pepper noise of probability ``level``, run the
    denoiser, and draw every pixel of ``x_next`` from its Bernoulli output.
    """
    p = torch.sigmoid(model.logits(salt_and_pepper(x, level, generator)))
    return _rng.bernoulli(p, generator), p


@torch.no_grad()
def run_chain(
    model: nn.Module,
    start: torch.Tensor,
    level: float,
    steps: int,
    seed: int = 0,
    thin: int = 1,
) -> Chain:
    """Run ``len(start)`` chains in parallel for ``steps`` steps and return the trajectory.

    Args:
        model: a denoising autoencoder with sigmoid outputs, trained with
            corruption ``level`` (the chain estimates p(x) only with the
            corruption the model was trained for).
        start: the initial binary states ``(n, D)``, e.g. binary noise or test
            digits binarised with ``ae.data.binarize_static``.
        seed: seeds the chain's own generator (on the model's device), so a
            chain is reproducible whatever else uses the global random state.
        thin: keep only every ``thin``-th state (and the start), to save memory
            when many chains run for long; ``steps`` must be a multiple of it.
    """
    if getattr(model, "output", None) != "sigmoid":
        raise ValueError("run_chain needs an autoencoder with sigmoid outputs (model.logits).")
    if start.ndim != 2 or len(start) == 0:
        raise ValueError(
            f"start has shape {tuple(start.shape)}: give (n_chains, D) flat images, "
            "e.g. x.flatten(1)."
        )
    if not start.is_floating_point() or not ((start == 0) | (start == 1)).all():
        raise ValueError(
            "start must be binary floating-point images (0.0 or 1.0): the chain lives on "
            "binary images. Binarise grey-level digits with ae.data.binarize_static(x)."
        )
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r}: give a positive whole number of steps.")
    if not isinstance(thin, int) or thin < 1 or steps % thin:
        raise ValueError(f"thin={thin!r}: give a positive whole number that divides steps={steps}.")
    _check_level(level)
    device = next(model.parameters()).device
    generator = torch.Generator(device=device).manual_seed(seed)
    x = start.to(device)
    kept = steps // thin + 1
    samples = torch.empty((kept, *x.shape), dtype=torch.bool, device=device)
    means = torch.empty((kept, *x.shape), dtype=torch.float16, device=device)
    samples[0], means[0] = x.bool(), x
    with eval_mode(model):
        for t in range(1, steps + 1):
            x, p = chain_step(model, x, level, generator)
            if t % thin == 0:
                samples[t // thin], means[t // thin] = x.bool(), p
    return Chain(samples=samples, means=means, level=level, thin=thin)


def _check_level(level: float) -> None:
    if not 0.0 <= level <= 1.0:
        raise ValueError(f"level={level!r}: a corruption probability must lie in [0, 1].")
