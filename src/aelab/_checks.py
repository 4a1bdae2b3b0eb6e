"""Checks of what a reader passes to aelab, with messages that name the argument, what was
given and the fix, instead of an error from deep inside PyTorch or a silently wrong number.

Each check runs once per call of the public function (never per training step):
the type checks look only at Python objects and tensor metadata on the host; the
value checks (NaN, range) read each tensor once.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable

import torch


def whole_number(
    value: object, name: str, minimum: int | None = None, maximum: int | None = None
) -> int:
    """``value`` if it is an int (not a bool, not a float) in ``[minimum, maximum]``."""
    if isinstance(value, bool) or not isinstance(value, int):
        hint = (
            f" e.g. {name}={int(value)}" if isinstance(value, float) and value.is_integer() else ""
        )
        raise TypeError(f"{name}={value!r}: give a whole number (an int){hint}.")
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        low = "" if minimum is None else f"from {minimum}"
        high = "" if maximum is None else f" to {maximum}"
        raise ValueError(f"{name}={value!r}: choose a whole number {low}{high}.".replace("  ", " "))
    return value


def positive_number(value: object, name: str, example: str, allow_zero: bool = False) -> float:
    """``value`` if it is a finite real number > 0 (or >= 0 with ``allow_zero``)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name}={value!r}: give a number, e.g. {name}={example}.")
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        which = "a number >= 0" if allow_zero else "a positive number"
        raise ValueError(f"{name}={value!r}: give {which}, e.g. {name}={example}.")
    return float(value)


def same_dtype(model: torch.nn.Module, tensors: Iterable[torch.Tensor], name: str) -> None:
    """Raise if a floating tensor of ``name`` has another dtype than the model's parameters."""
    weight = next((p for p in model.parameters() if p.is_floating_point()), None)
    if weight is None:
        return
    for t in tensors:
        if t.is_floating_point() and t.dtype != weight.dtype:
            raise TypeError(
                f"{name} is {t.dtype} but the model's parameters are {weight.dtype}. Convert "
                f"the data with {name}.to({weight.dtype}) (or the model with model.to({t.dtype}))."
            )


def values(tensors: Iterable[torch.Tensor], name: str, loss: object = None) -> None:
    """Raise if a floating tensor of ``name`` holds NaN or inf, or lies outside the
    ``data_range`` that ``loss`` declares (BCE: [0, 1]). One pass over each tensor: its
    minimum and maximum, which are NaN or inf exactly when such a value is present.
    """
    bounds = getattr(loss, "data_range", None)
    for i, t in enumerate(tensors):
        if not t.is_floating_point() or t.numel() == 0:
            continue
        lo, hi = torch.stack(torch.aminmax(t)).tolist()  # one read, one sync
        if not (math.isfinite(lo) and math.isfinite(hi)):
            nan, inf = (int(v) for v in torch.stack([t.isnan().sum(), t.isinf().sum()]).tolist())
            raise ValueError(
                f"{name} contains {nan} NaN and {inf} infinite values out of {t.numel()}: "
                "training on them gives NaN losses whatever the learning rate. Find where they "
                "come from (a division by zero in normalising?), or drop those rows, e.g. "
                "x[torch.isfinite(x).flatten(1).all(1)]."
            )
        if i == 0 and bounds is not None and (lo < bounds[0] or hi > bounds[1]):  # the inputs
            raise ValueError(
                f"{name} lies in [{lo:g}, {hi:g}], but loss={_name(loss)} needs values in "
                f"[{bounds[0]:g}, {bounds[1]:g}] (probabilities of white pixels): scale the "
                "images, e.g. x / 255 (ae.data.mnist() already does), or use ae.losses.l2."
            )


def _name(fn: object) -> str:
    return getattr(fn, "__qualname__", type(fn).__name__)


#: First parameter names of functions that compare a prediction with a target (metrics).
_PREDICTION_NAMES = {"x_hat", "input", "logits", "estimate", "prediction", "pred", "y_pred", "p"}


def training_loss(loss: object) -> None:
    """Raise if ``loss`` is no function, or a metric ``f(x_hat, x)`` instead of ``f(model, x)``."""
    if not callable(loss):
        raise TypeError(
            f"loss={loss!r} is not a function: give loss(model, batch) -> scalar, "
            "e.g. ae.losses.l2."
        )
    is_module_loss = isinstance(loss, torch.nn.modules.loss._Loss)
    name = f"nn.{type(loss).__name__}()" if is_module_loss else _name(loss)
    try:
        first = next(iter(inspect.signature(loss).parameters), "")
    except (TypeError, ValueError):  # some built-ins have no signature
        first = ""
    if is_module_loss or first in _PREDICTION_NAMES:
        raise TypeError(
            f"loss={name} compares a prediction with a target, but fit and evaluate call "
            "loss(model, batch). Use a training loss such as ae.losses.l2 or ae.losses.bce, or "
            f"wrap yours: loss=lambda model, x: {name}(model(x), x).mean()."
        )
