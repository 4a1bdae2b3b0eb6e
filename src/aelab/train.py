"""One training loop for every model in the book.

``fit(model, data, loss, epochs=...)`` trains any model whose loss can be
written as ``loss(model, batch) -> scalar``: an autoencoder (``batch`` is a
tensor of images), a classifier (``batch`` is a tuple ``(x, y)``), a VAE.

Why it is fast: the whole data set lives on the device, each epoch shuffles it
there with a seeded generator, and a batch is an index into it, so nothing is
copied between host and device per step. Losses are summed on the device and
read once per epoch: no ``.item()`` per step, which would make the CPU wait
for the GPU. The step itself (forward, backward, optimiser) is one function of
fixed-shape tensors, so it can be compiled or captured as a CUDA graph.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn
from tqdm.auto import tqdm

from aelab import _checks, config
from aelab.models import eval_mode

Batch = torch.Tensor | tuple[torch.Tensor, ...]
#: The one type of a training loss, ``loss(model, batch) -> scalar``: every loss factory of
#: aelab (vae, noise, sampling, sparsity, stacked) returns one.
Loss = Callable[[nn.Module, Batch], torch.Tensor]
Scheduler = Callable[[torch.optim.Optimizer, int], torch.optim.lr_scheduler.LRScheduler]


def one_cycle(max_lr: float, pct_start: float = 0.3) -> Scheduler:
    """The one-cycle schedule (Smith & Topin 2019) for ``fit(..., scheduler=one_cycle(3e-3))``.

    The learning rate warms up to ``max_lr`` over the first ``pct_start`` of the
    steps, then anneals towards zero: the last epochs settle the weights. ``fit``
    calls the returned function with its optimiser and the total number of steps.
    """
    if not isinstance(max_lr, int | float) or isinstance(max_lr, bool) or not max_lr > 0:
        raise ValueError(f"max_lr={max_lr!r}: use a positive learning rate, e.g. 3e-3.")
    if not isinstance(pct_start, float) or not 0 < pct_start < 1:
        raise ValueError(f"pct_start={pct_start!r}: use a fraction of the steps, e.g. 0.3.")

    def schedule(opt: torch.optim.Optimizer, steps: int) -> torch.optim.lr_scheduler.LRScheduler:
        return torch.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=max_lr, total_steps=steps, pct_start=pct_start
        )

    return schedule


@dataclass
class History:
    """Per-epoch mean training loss, validation loss (if any) and wall time."""

    train: list[float] = field(default_factory=list)
    val: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds)


def fit(
    model: nn.Module,
    data: Batch,
    loss: Loss,
    *,
    epochs: int,
    batch_size: int = 128,
    lr: float = 1e-3,
    weight_decay: float = 0.0,
    optimizer: torch.optim.Optimizer | None = None,
    scheduler: torch.optim.lr_scheduler.LRScheduler | Scheduler | None = None,
    val_data: Batch | None = None,
    seed: int = 0,
    device: torch.device | str | None = None,
    quiet: bool = False,
    desc: str | None = None,
) -> History:
    """Train ``model`` in place with Adam (or ``optimizer``) and return its history.

    Args:
        data: a tensor, or a tuple of tensors with the same first dimension;
            ``loss`` receives batches of the same form.
        loss: ``loss(model, batch) -> scalar tensor``, e.g. ``ae.losses.l2``.
        epochs: passes over the data. Each epoch takes ``len(data) // batch_size``
            full batches of a fresh shuffle; the few left over are seen in other
            epochs (full batches keep every step the same shape).
        scheduler: a learning-rate schedule, stepped after every optimiser step:
            either a constructed ``torch.optim.lr_scheduler`` object, or a function
            ``(optimizer, total_steps) -> scheduler`` that ``fit`` calls with the
            optimiser it uses and the number of steps it will take, e.g.
            ``lambda opt, n: torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=n)``.
        val_data: evaluated with ``loss`` after every epoch if given.
        seed: seeds the shuffling; seed the model's initialisation yourself
            (``ae.config.seed``) before building it.
        device: default ``ae.config.device()``; model and data are moved there once.
        quiet: no progress bar.
    """
    device = config.resolve_device(device)
    tensors = _as_tensors(data, "data")
    n = len(tensors[0])
    _checks.whole_number(epochs, "epochs", minimum=1)
    _checks.whole_number(batch_size, "batch_size", minimum=1, maximum=n)
    _checks.whole_number(seed, "seed", minimum=0)
    if optimizer is None:
        _checks.positive_number(lr, "lr", "1e-3")
        _checks.positive_number(weight_decay, "weight_decay", "0.01", allow_zero=True)
    val = _as_tensors(val_data, "val_data") if val_data is not None else None
    _check_data(model, tensors, loss, "data")
    if val is not None:
        _check_data(model, val, loss, "val_data")

    model.to(device)
    tensors = tuple(t.to(device) for t in tensors)  # no copy if already there
    params = [p for p in model.parameters() if p.requires_grad]
    if optimizer is None:
        if not params:
            raise ValueError(
                f"model={type(model).__name__} has no trainable parameters, so fit has nothing "
                "to train: build the model with layers such as nn.Linear, or unfreeze them "
                "(p.requires_grad_(True))."
            )
        optimizer = torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)
    generator = torch.Generator(device=device).manual_seed(seed)
    steps = n // batch_size
    if scheduler is not None and not isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler):
        scheduler = scheduler(optimizer, epochs * steps)

    def step(batch: Batch) -> torch.Tensor:
        optimizer.zero_grad(set_to_none=True)
        value = loss(model, batch)
        _check_scalar(value)  # a shape check on the host: no wait for the device
        value.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        return value.detach()

    history = History()
    bar = tqdm(total=epochs * steps, desc=desc, disable=quiet, unit="step", leave=True)
    model.train()
    for epoch in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(n, device=device, generator=generator)
        total = torch.zeros((), device=device)
        for i in range(steps):
            idx = order[i * batch_size : (i + 1) * batch_size]
            total += step(_unwrap(tuple(t[idx] for t in tensors)))
            bar.update()
        history.train.append(total.item() / steps)  # the one sync of the epoch
        if not math.isfinite(history.train[-1]):
            bar.close()
            raise FloatingPointError(
                f"the training loss became {history.train[-1]} in epoch {epoch + 1}. "
                "Lower the learning rate, or check the loss for log(0) or division by zero."
            )
        if val is not None:
            history.val.append(_mean_loss(model, val, loss, 1000, device))  # val checked above
        history.seconds.append(time.perf_counter() - start)
        bar.set_postfix(_postfix(history), refresh=False)
    bar.close()
    return history


def evaluate(
    model: nn.Module,
    data: Batch,
    loss: Loss,
    batch_size: int = 1000,
    device: torch.device | str | None = None,
) -> float:
    """Mean of ``loss`` over all of ``data`` (in eval mode, without gradients).

    ``loss`` returns a mean over its batch, so each batch is weighted by its size.
    """
    tensors = _as_tensors(data, "data")
    _checks.whole_number(batch_size, "batch_size", minimum=1)
    _check_data(model, tensors, loss, "data")
    if device is not None:
        device = config.resolve_device(device)
    else:  # where the model is; a model without parameters computes where the data are
        device = next(model.parameters(), tensors[0]).device
    return _mean_loss(model, tensors, loss, batch_size, device)


@torch.no_grad()
def _mean_loss(
    model: nn.Module,
    tensors: tuple[torch.Tensor, ...],
    loss: Loss,
    batch_size: int,
    device: torch.device,
) -> float:
    """evaluate's computation, without its checks (fit calls it after every epoch)."""
    n = len(tensors[0])
    values, sizes = [], []
    with eval_mode(model):
        for i in range(0, n, batch_size):
            batch = _unwrap(tuple(t[i : i + batch_size].to(device) for t in tensors))
            value = loss(model, batch)
            _check_scalar(value)
            values.append(value.detach())
            sizes.append(len(batch[0] if isinstance(batch, tuple) else batch))
    return sum_on_host(values, sizes) / n


def sum_on_host(values: list[torch.Tensor], weights: list[int] | None = None) -> float:
    """``sum(w * v)`` of scalar tensors on the device, read to the host in one sync.

    Summed in float64 on the host (Apple's MPS has no float64), one value after the
    other, as ``total += v.item()`` per step would (Python's ``sum()`` rounds
    differently): the same number without a device wait per value.
    """
    weights = [1] * len(values) if weights is None else weights
    total = 0.0
    for value, weight in zip(torch.stack(values).cpu().double().tolist(), weights, strict=True):
        total += value * weight
    return total


def _as_tensors(data: Batch, name: str) -> tuple[torch.Tensor, ...]:
    is_sequence = isinstance(data, tuple | list)
    tensors = (data,) if isinstance(data, torch.Tensor) else tuple(data) if is_sequence else ()
    if not tensors or not all(isinstance(t, torch.Tensor) for t in tensors):
        raise TypeError(
            f"{name} must be a tensor or a tuple of tensors, got {type(data).__name__}. "
            f"Convert arrays with torch.as_tensor({name})."
        )
    lengths = {len(t) for t in tensors}
    if len(lengths) != 1:
        raise ValueError(f"the tensors in {name} have different lengths {sorted(lengths)}.")
    if lengths == {0}:
        raise ValueError(f"{name} is empty.")
    return tensors


def _check_data(model: nn.Module, tensors: tuple[torch.Tensor, ...], loss: Loss, name: str) -> None:
    """Once per call of fit or evaluate: the loss's form, the data's dtype, NaN and range."""
    _checks.training_loss(loss)
    _checks.same_dtype(model, tensors, name)
    _checks.values(tensors, name, loss)


def _unwrap(tensors: tuple[torch.Tensor, ...]) -> Batch:
    return tensors[0] if len(tensors) == 1 else tensors


def _check_scalar(value: object) -> None:
    if not isinstance(value, torch.Tensor) or value.ndim != 0:
        shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
        raise ValueError(
            f"the loss must return a scalar tensor, got {shape}. "
            "Reduce it over the batch, e.g. with .mean()."
        )


def _postfix(history: History) -> dict[str, str]:
    shown = {"loss": f"{history.train[-1]:.4g}"}
    if history.val:
        shown["val"] = f"{history.val[-1]:.4g}"
    return shown
