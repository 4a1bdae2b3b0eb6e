"""What every checker shares: run the student's function safely, compare, report one line."""

from __future__ import annotations

from collections.abc import Callable

import torch

PASS, FAIL = "✅ ", "❌ "


def _report(ok: bool, message: str) -> bool:
    print((PASS if ok else FAIL) + message)
    return ok


def _run(fn: Callable, *args: object) -> tuple[object, str | None]:
    """Call the student's function; turn any exception into a one-line message."""
    try:
        return fn(*args), None
    except NotImplementedError:
        return None, "Not implemented yet: replace the `raise NotImplementedError` line."
    except Exception as err:  # noqa: BLE001 - any error becomes a verdict, not a traceback
        return None, f"Your function raised {type(err).__name__}: {err}"


def _mismatch(result: object, expected: torch.Tensor, what: str) -> str | None:
    """None if ``result`` matches ``expected``, else what is wrong with it."""
    if not isinstance(result, torch.Tensor):
        return f"{what} should be a torch.Tensor, got {type(result).__name__}."
    if result.shape != expected.shape:
        return f"{what} should have shape {tuple(expected.shape)}, got {tuple(result.shape)}."
    if not torch.isfinite(result).all():
        return f"{what} contains inf or nan."
    if not torch.allclose(result.double(), expected.double(), rtol=1e-5, atol=1e-6):
        return f"{what} differs from the reference."
    return None


def _first_hint(result: object, hints: list[tuple[torch.Tensor, str]]) -> str:
    """The hint of the first known mistake that ``result`` reproduces, else ''."""
    if not isinstance(result, torch.Tensor) or not result.is_floating_point():
        return ""
    r = result.detach().double()
    for value, hint in hints:
        if r.shape == value.shape and torch.allclose(r, value.double(), rtol=1e-5, atol=1e-6):
            return hint
    return ""
