"""Training an image denoiser with clean targets (N2C) or with noisy ones (Noise2Noise).

Noise2Noise (Lehtinen et al., 2018) rests on one fact about the L2 loss: the
minimiser of ``E ||f(x_noisy) - y||^2`` over f is ``f(x_noisy) = E[y | x_noisy]``.
If the target ``y = x + n'`` carries noise of mean zero, independent of the
input's noise, then ``E[y | x_noisy] = E[x | x_noisy]``: the same minimiser as
with the clean target ``x``. The noisy target only adds variance to the
gradients, which more data or more steps average away.

``train_denoiser`` draws fresh random crops and fresh noise at every step
(the data are effectively infinite, so there are no epochs), ``denoise``
applies a trained network to whole images of any size.

``train_denoiser`` is the one training loop outside ``ae.fit``: ``fit`` shuffles
a data set held in memory epoch by epoch, while this loop samples a new batch
from two seeded generators at every step and logs every ``log_every`` steps.
It shares what can be shared: its history is a ``train.History`` and its losses
are read once per logging interval (``train.sum_on_host``), not once per step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from aelab import config, photos
from aelab.train import History, sum_on_host

#: noise(clean_batch, generator) -> noisy batch; e.g. ``lambda x, g: ae.noise.gaussian(x, s, g)``
Noise = Callable[[torch.Tensor, torch.Generator], torch.Tensor]
TARGETS = ("clean", "noisy")
LOSSES = {"l2": F.mse_loss, "l1": F.l1_loss}


def training_pair(
    clean: torch.Tensor,
    noise: Noise,
    target: str,
    generator: torch.Generator,
    target_noise: Noise | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(input, target) for a batch of clean crops: a noisy input and the clean or a noisy target.

    With ``target="noisy"`` the target is a *second, independent* noisy copy of
    the same crop, the only kind of data Noise2Noise needs; its noise is
    ``target_noise`` if given (to study targets whose noise differs from the
    input's, e.g. biased noise), else ``noise``.
    """
    if target not in TARGETS:
        raise ValueError(f"target={target!r}: choose one of {TARGETS}.")
    noisy = noise(clean, generator)
    if target == "clean":
        return noisy, clean
    return noisy, (target_noise or noise)(clean, generator)


@dataclass
class DenoiserHistory(History):
    """``train.History`` of a run counted in steps: one entry per logging interval.

    ``train`` holds the mean training loss of each interval (``loss`` is the same
    list, the name chapter 5 reads) and ``steps`` the step that ends it; ``val``
    stays empty. ``seconds`` is the wall time of the whole run, one number, where
    ``History`` keeps one per epoch: this loop has no epochs. ``clipped`` counts
    the steps whose gradient norm exceeded ``max_grad_norm`` and was scaled down
    to it (0 without a bound): how often the safeguard acted.
    """

    seconds: float = 0.0  # type: ignore[assignment]  # the run's, not a list per epoch
    steps: list[int] = field(default_factory=list)
    clipped: int = 0

    @property
    def loss(self) -> list[float]:
        """The mean training loss of each logging interval (``train``)."""
        return self.train

    @property
    def total_seconds(self) -> float:
        """The wall time of the whole run (``seconds``)."""
        return self.seconds


def train_denoiser(
    model: nn.Module,
    images: Sequence[torch.Tensor],
    noise: Noise,
    target: str,
    *,
    steps: int,
    batch_size: int = 16,
    crop: int = 64,
    lr: float = 1e-3,
    loss: str = "l2",
    target_noise: Noise | None = None,
    seed: int = 0,
    log_every: int = 50,
    device: torch.device | str | None = None,
    quiet: bool = False,
    desc: str | None = None,
    max_grad_norm: float | None = None,
) -> DenoiserHistory:
    """Train ``model`` in place on random crops of ``images`` with clean or noisy targets.

    Every step draws ``batch_size`` new crops of ``crop`` px and new noise from
    a generator seeded with ``seed``, so two runs with the same seed see the
    same crops and the same input noise, whatever the target. Adam with a
    cosine decay of the learning rate to zero over ``steps``.

    Args:
        noise: ``noise(clean, generator) -> noisy``, applied to input and (for
            ``target="noisy"``) independently to the target.
        target: ``"clean"`` (N2C) or ``"noisy"`` (N2N).
        loss: ``"l2"`` (mean squared error) or ``"l1"`` (mean absolute error).
        target_noise: the noisy targets' noise, if not ``noise`` (see ``training_pair``).
        max_grad_norm: if given, the gradient's total norm is clipped to it before every
            step (``torch.nn.utils.clip_grad_norm_``). A safeguard against a rare blow-up:
            chapter 5's U-Net has gradient norms of about 0.005 to 0.03 with the L2 loss,
            yet on one CPU one seed's run spiked near step 270 and settled at copying its
            input; a bound of 0.1, reached on one step, kept that run on course. L1
            gradients do not shrink with the error and reach such a bound more often
            (``DenoiserHistory.clipped`` counts it).
    """
    if loss not in LOSSES:
        raise ValueError(f"loss={loss!r}: choose one of {list(LOSSES)}.")
    if target not in TARGETS:
        raise ValueError(f"target={target!r}: choose one of {TARGETS}.")
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps={steps!r}: give a positive whole number of steps.")
    if max_grad_norm is not None and not (0 < max_grad_norm < math.inf):
        raise ValueError(f"max_grad_norm={max_grad_norm!r}: give a positive bound, or None.")
    device = config.resolve_device(device)
    model.to(device).train()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, steps)
    crops = torch.Generator().manual_seed(seed)
    noises = torch.Generator().manual_seed(seed + 1)
    history, values, start = DenoiserHistory(), [], time.perf_counter()
    clipped = torch.zeros((), dtype=torch.long, device=device)  # counted where it happens
    for step in tqdm(range(1, steps + 1), desc=desc, disable=quiet, unit="step"):
        clean = photos.random_crops(images, batch_size, crop, crops)
        x, y = training_pair(clean, noise, target, noises, target_noise)
        value = LOSSES[loss](model(x.to(device)), y.to(device))
        optimizer.zero_grad(set_to_none=True)
        value.backward()
        if max_grad_norm is not None:
            norm = torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
            clipped += norm > max_grad_norm
        optimizer.step()
        schedule.step()
        values.append(value.detach())  # read once per interval: no device wait per step
        if step % log_every == 0 or step == steps:
            history.steps.append(step)
            history.train.append(sum_on_host(values) / len(values))
            values = []
            if not math.isfinite(history.loss[-1]):
                raise FloatingPointError(f"the loss became {history.loss[-1]}: lower lr.")
    history.seconds = time.perf_counter() - start
    history.clipped = int(clipped.item())
    model.eval()
    return history


@torch.no_grad()
def denoise(model: nn.Module, image: torch.Tensor, multiple: int = 4) -> torch.Tensor:
    """``model`` applied to one image ``(C, H, W)`` of any size; returns ``(C, H, W)`` on the CPU.

    The image is padded by reflection to a multiple of ``multiple`` (a U-Net
    with ``levels`` poolings needs ``2**levels``) and the padding cut off again.
    The output is not clipped.
    """
    if image.ndim != 3:
        raise ValueError(f"denoise takes one image (C, H, W), got shape {tuple(image.shape)}.")
    model.eval()
    device = next(model.parameters()).device
    h, w = image.shape[-2:]
    pad_h, pad_w = -h % multiple, -w % multiple
    x = F.pad(image[None].to(device), (0, pad_w, 0, pad_h), mode="reflect")
    return model(x)[0, :, :h, :w].cpu()


def self_ensemble(
    denoiser: Callable[[torch.Tensor], torch.Tensor], image: torch.Tensor
) -> torch.Tensor:
    """The mean of ``denoiser`` over the 8 rotations and mirror images of ``image`` (C, H, W).

    Each of the eight views is denoised and turned back before averaging. The
    errors of the views are partly independent, so the mean is a slightly better
    estimate (a few tenths of a dB for a small network), and the result is
    exactly equivariant to rotations by 90 degrees and flips. It costs eight
    passes and works for any denoiser, learned or classical, so a comparison
    stays fair when every method gets it.
    """
    if image.ndim != 3:
        raise ValueError(
            f"self_ensemble takes one image (C, H, W), got shape {tuple(image.shape)}."
        )
    views = []
    for k in range(4):
        for flip in (False, True):
            x = torch.rot90(image, k, dims=(-2, -1))
            x = x.flip(-1) if flip else x
            y = denoiser(x)
            y = y.flip(-1) if flip else y
            views.append(torch.rot90(y, -k, dims=(-2, -1)))
    return torch.stack(views).mean(0)
