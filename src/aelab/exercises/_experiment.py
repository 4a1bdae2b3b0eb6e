"""What the "change it, train it, measure it" checkers share.

An experiment exercise asks the student to change one thing the chapter built (a
loss, a layer, a setting) and to predict what it does. Its checker first checks
the student's answer on a small batch, where every malformed answer (wrong type,
shape or dtype, NaN, a loss that no gradient reaches) gets its verdict at once;
only then does it train: a small version of the chapter's model, once as the
chapter has it and once with the student's change, from the same start and the
same seed, for a few seconds. The verdict reports the measured effect and
passes only when the effect the chapter predicts shows: it checks what the
change does, not how it is written.
"""

from __future__ import annotations

import functools

import torch
from torch import nn

from aelab import config, data, train
from aelab.exercises._common import _call, _error, _kind, _real_values, _Wrong

#: The checkers' data: the first training digits and test digits of MNIST.
N_TRAIN, N_TEST = 3000, 1000


@functools.lru_cache(maxsize=2)
def _mnist(device: str) -> tuple[torch.Tensor, torch.Tensor]:
    mnist = data.mnist(n_train=N_TRAIN, device=device)
    return mnist.train.x, mnist.test.x[:N_TEST]


def digits() -> tuple[torch.Tensor, torch.Tensor]:
    """(training, test) MNIST digits as flat rows in [0, 1], on ``ae.config.device()``."""
    return _mnist(str(config.device()))


def like(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """The probe batch ``x`` in the dtype and on the device of a student's ``weight``.

    A model built in float64 or moved to a GPU then gets its probe in kind. A
    weight on the meta device (no data) leaves ``x`` as it is, and the call fails
    with its own verdict.
    """
    return x if weight.device.type == "meta" else x.to(weight.device, weight.dtype)


class Checked(nn.Module):
    """A student's module whose every call runs under the time limit, as ``_call`` runs it.

    Trained or evaluated inside ``ae.fit``, an error or an endless loop in it
    then becomes a verdict like any other call of the student's code.
    """

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return _call(self.module, x)


def vae_terms(model: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """What a student's VAE loss is given: the decoder's logits for one reparameterised
    ``z ~ q(z|x)``, and ``q``'s mean and scale."""
    q = model.posterior(x)
    return model.decoder(q.rsample()), q.mean, q.stddev


def loss_value(
    result: object,
    inputs: torch.Tensor,
    largest: float,
    what: str = "Your loss",
    never_negative: str | None = None,
) -> torch.Tensor:
    """The student's training loss: one real number in 32 or 64 bits that ``inputs`` reaches.

    ``largest`` bounds its size on the checker's batch (a loss far beyond any the
    model could have is no loss of it). ``never_negative``, if given, says why the
    loss cannot be negative; a negative one then fails with that reason. Raises
    ``_Wrong`` naming the problem; returns the loss with its graph.
    """
    if not isinstance(result, torch.Tensor):
        raise _Wrong(f"{what} should be a tensor (one number with its graph), got {_kind(result)}.")
    _real_values(result, what, "floating-point")
    if result.dtype.itemsize < 4:
        raise _Wrong(f"{what} is in {result.dtype}: compute it in the inputs' precision.")
    if result.numel() != 1:
        raise _Wrong(
            f"{what} should be one number for the batch, got {_kind(result)}: average over it."
        )
    if not torch.isfinite(result.detach()).all():
        raise _Wrong(f"{what} is inf or nan on the checker's batch.")
    if abs(result.item()) > largest:
        raise _Wrong(
            f"{what} is {result.item():.3g} on the checker's batch, beyond {largest:g}: no model "
            "reaches that; compute it from the tensors you are given."
        )
    if not result.requires_grad:
        raise _Wrong(f"{what} carries no gradient: do not detach it or call .item().")
    (grad,) = torch.autograd.grad(result.sum(), inputs, retain_graph=True, allow_unused=True)
    if grad is None or not torch.any(grad != 0):
        raise _Wrong(
            f"{what} does not depend on the model's output, so training cannot change "
            "the model: compute it from the tensors you are given."
        )
    if never_negative is not None and result.item() < 0:
        raise _Wrong(f"{what} is {result.item():.3g} on the checker's batch: {never_negative}")
    return result


def fit_quietly(model: nn.Module, x: torch.Tensor, loss: train.Loss, **kwargs: object) -> nn.Module:
    """Train ``model`` with ``ae.fit`` without a progress bar (seed 0); return it.

    The chapter's version trains with the same settings, so whatever goes wrong in
    training is the student's change at work, and it becomes a verdict: a loss
    that becomes nan or inf (``fit`` stops with a ``FloatingPointError``) says so,
    any other error is named. A verdict on a call of the student's code passes
    through as it is.
    """
    try:
        train.fit(model, x, loss, quiet=True, seed=0, **kwargs)
    except _Wrong:
        raise
    except FloatingPointError as err:
        epoch = str(err).split(" in ")[-1].split(".")[0]  # "epoch 1"
        raise _Wrong(
            f"Training with your change gave a loss of nan or inf ({epoch}), where the "
            "chapter's version trains: look for log(0), a division by zero, or a loss "
            "that can fall without bound."
        ) from None
    except Exception as err:  # noqa: BLE001 - the student's change broke a training step
        raise _Wrong(f"Training with your change raised {_error(err)}") from None
    return model
