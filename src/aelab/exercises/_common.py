"""What every checker shares: run the student's code safely, validate its answer, report one line.

Every checker is a function decorated with :func:`checker`. Its body calls the
student's code through :func:`_call` and turns the answer into something it can
compare with :func:`_tensor`, :func:`_number` or :func:`_whole`. Each of these
raises :class:`_Wrong` with a friendly message when the answer cannot be right
(wrong type, shape or dtype, on the ``meta`` device, NaN or inf), so the body
only compares and looks for known mistakes. The decorator turns that message,
or any other exception, into exactly one printed verdict line.

The decorator also

* lets the student's code (each call through :func:`_call`) run for at most
  :data:`TIME_LIMIT_S` (30 s), so that a function that never returns ends in a
  verdict instead of a cell that hangs forever. It uses ``signal.setitimer``, which exists on Linux
  (Colab) and macOS and works in the main thread, where Jupyter runs cells;
  on Windows, in another thread, or inside a caller's own timer there is no
  limit;
* leaves the random number generators of PyTorch, NumPy and Python as it found
  them: the checkers draw test data from their own ``torch.Generator`` or
  ``numpy.random.Generator``, and the student's code, which may use the global
  generators, runs on a forked state seeded with 0 (so a verdict is
  reproducible) that is thrown away afterwards.
"""

from __future__ import annotations

import functools
import random
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
import torch

PASS, FAIL = "✅ ", "❌ "

#: Seconds a checker lets the student's code run before it gives up on it.
TIME_LIMIT_S = 30.0

NOT_IMPLEMENTED = "Not implemented yet: replace the `raise NotImplementedError` line."


class _Wrong(Exception):
    """A verdict: the answer is wrong, and the message says why."""


class _TimeUp(BaseException):
    """Raised by the timer; a BaseException so that a student's ``except Exception`` lets it go."""


def _report(ok: bool, message: str) -> bool:
    print((PASS if ok else FAIL) + " ".join(message.split("\n")))
    return ok


def checker(body: Callable[[Callable], str]) -> Callable[[Callable], bool]:
    """Make a checker from ``body(fn)``, which returns the success message or raises ``_Wrong``.

    The checker prints one verdict line and returns True or False; it never raises.
    """

    @functools.wraps(body)
    def check(fn: Callable) -> bool:
        if not callable(fn):
            return _report(False, f"Pass your function itself, not a {_kind(fn)}: check(my_fn).")
        try:
            with _own_random_state():
                return _report(True, body(fn))
        except _Wrong as wrong:
            return _report(False, str(wrong))
        except _TimeUp:
            return _report(
                False,
                f"Your function ran longer than {TIME_LIMIT_S:g} s: "
                "look for a loop that never ends.",
            )
        except Exception as err:  # noqa: BLE001 - the student's object misbehaved in our hands
            return _report(False, f"Checking your answer raised {_error(err)}")

    return check


def _call(fn: Callable, *args: object) -> object:
    """Call the student's function under the time limit; its exceptions become ``_Wrong``."""
    try:
        with _time_limit(TIME_LIMIT_S):
            return fn(*args)
    except NotImplementedError:
        raise _Wrong(NOT_IMPLEMENTED) from None
    except Exception as err:  # noqa: BLE001 - any error becomes a verdict, not a traceback
        raise _Wrong(f"Your function raised {_error(err)}") from None


def _error(err: BaseException) -> str:
    """``TypeError: the first line of its message`` (torch's messages run over many lines)."""
    lines = str(err).strip().splitlines()
    return f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")


def _kind(value: object) -> str:
    """What a value is, in words: 'a NumPy array', 'a str', 'None'."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return "a NumPy array"
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)} and dtype {value.dtype}"
    return f"a {type(value).__name__}"


def _tensor(
    result: object,
    expected: torch.Tensor,
    what: str,
    if_not_finite: str = "",
    hints: list[tuple[torch.Tensor, str]] | tuple = (),
) -> torch.Tensor:
    """``result`` as a float64 CPU tensor without gradient, once it passes every tensor check.

    Any real floating dtype is accepted (it is compared in float64); a tensor
    on the GPU is brought to the CPU; one that needs a gradient is detached.
    A wrong shape gets the hint of the known mistake (in ``hints``) it matches.
    """
    if not isinstance(result, torch.Tensor):
        fix = " Convert it with torch.as_tensor." if isinstance(result, np.ndarray) else ""
        raise _Wrong(f"{what} should be a torch.Tensor, got {_kind(result)}.{fix}")
    _real_values(result, what, "floating-point")
    r = result.detach().to("cpu", torch.float64)
    if result.shape != expected.shape:
        hint = _first_hint(r, list(hints), result.dtype)
        raise _Wrong(
            f"{what} should have shape {tuple(expected.shape)}, got {tuple(result.shape)}.{hint}"
        )
    if not torch.isfinite(r).all():
        raise _Wrong(f"{what} contains inf or nan.{if_not_finite}")
    return r


def _real_values(result: torch.Tensor | np.ndarray, what: str, kind: str) -> None:
    """Reject what cannot be compared: complex, integer or bool values, the ``meta`` device."""
    dtype = result.dtype
    if result.dtype.is_complex if isinstance(result, torch.Tensor) else np.iscomplexobj(result):
        raise _Wrong(f"{what} should hold real {kind} numbers, got complex ones ({dtype}).")
    floating = (
        result.is_floating_point()
        if isinstance(result, torch.Tensor)
        else np.issubdtype(dtype, np.floating)
    )
    if kind == "floating-point" and not floating:
        raise _Wrong(
            f"{what} should hold floating-point numbers (e.g. torch.float32), got {dtype}."
        )
    if isinstance(result, torch.Tensor) and result.device.type == "meta":
        raise _Wrong(
            f"{what} is on the 'meta' device, which keeps shapes but no values: "
            "compute it on the CPU (or the GPU)."
        )


def _close(
    result: torch.Tensor, expected: torch.Tensor, dtype: torch.dtype = torch.float64
) -> bool:
    """Whether two float64 tensors agree, to the precision of ``dtype`` (the answer's dtype)."""
    rtol, atol = _tolerance(dtype)
    return result.shape == expected.shape and torch.allclose(
        result, expected.double(), rtol=rtol, atol=atol
    )


def _tolerance(dtype: torch.dtype) -> tuple[float, float]:
    """(rtol, atol) for an answer of ``dtype``: room for the rounding of its precision."""
    return _TOLERANCE.get(dtype.itemsize, _TOLERANCE[8])


#: (rtol, atol) by bytes per number: float64, float32, float16 and bfloat16.
_TOLERANCE = {8: (1e-5, 1e-6), 4: (1e-4, 1e-5), 2: (1e-2, 1e-3)}


def _number(result: object, what: str) -> float:
    """``result`` as a finite Python float: a real number, or a tensor or array holding one."""
    if isinstance(result, torch.Tensor | np.ndarray | np.generic):
        size = result.numel() if isinstance(result, torch.Tensor) else result.size
        if size != 1:
            raise _Wrong(f"{what} should be one number, got {_kind(result)}.")
        _real_values(result, what, "real")
        if result.dtype in (torch.bool, np.bool_) or not (
            isinstance(result, torch.Tensor) or np.issubdtype(result.dtype, np.number)
        ):
            raise _Wrong(f"{what} should be a number, got {_kind(result)} of dtype {result.dtype}.")
        value = float(result.detach().cpu() if isinstance(result, torch.Tensor) else result)
    elif isinstance(result, int | float) and not isinstance(result, bool):
        value = float(result)
    else:
        raise _Wrong(f"{what} should be one number (a float), got {_kind(result)}.")
    if not np.isfinite(value):
        raise _Wrong(f"{what} should be a finite number, got {value}.")
    return value


def _array(result: object, what: str, if_not_finite: str = "") -> np.ndarray:
    """``result`` (a tensor, an array or a list of numbers) as a finite float64 NumPy array."""
    if isinstance(result, list | tuple):
        try:
            result = np.asarray(result)
        except (TypeError, ValueError, RuntimeError) as err:
            raise _Wrong(f"{what} should be an array of numbers: {_error(err)}") from None
    if not isinstance(result, torch.Tensor | np.ndarray):
        raise _Wrong(f"{what} should be an array (or tensor) of numbers, got {_kind(result)}.")
    _real_values(result, what, "real")
    if result.dtype in (torch.bool, np.bool_) or not (
        isinstance(result, torch.Tensor) or np.issubdtype(result.dtype, np.number)
    ):
        raise _Wrong(f"{what} should hold numbers, got {_kind(result)} of dtype {result.dtype}.")
    if isinstance(result, torch.Tensor):
        result = result.detach().to("cpu", torch.float64).numpy()
    values = result.astype(np.float64)
    if not np.isfinite(values).all():
        raise _Wrong(f"{what} contains inf or nan.{if_not_finite}")
    return values


def _whole(result: object, what: str) -> int:
    """``result`` as a Python int; a Python or NumPy integer only."""
    if isinstance(result, bool | np.bool_) or not isinstance(result, int | np.integer):
        hint = " Round down with //." if isinstance(result, float) else ""
        raise _Wrong(f"{what} should be a whole number (an int), got {result!r}.{hint}")
    return int(result)


def _first_hint(
    result: torch.Tensor, hints: list[tuple[torch.Tensor, str]], dtype: torch.dtype = torch.float64
) -> str:
    """The hint of the first known mistake that ``result`` (float64, from ``_tensor``) matches."""
    for value, hint in hints:
        if _close(result, value.detach(), dtype):
            return hint
    return ""


def _compare(
    result: object,
    expected: torch.Tensor,
    what: str,
    hints: list[tuple[torch.Tensor, str]] | None = None,
    **checks: str,
) -> torch.Tensor:
    """``_tensor``, then the comparison with ``expected``: a wrong value names the first known
    mistake it matches. Returns the answer as float64 for the checker's verdict."""
    hints = hints or []
    r = _tensor(result, expected, what, hints=hints, **checks)
    if not _close(r, expected, result.dtype):
        raise _Wrong(f"{what} differs from the reference.{_first_hint(r, hints, result.dtype)}")
    return r


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise ``_TimeUp`` in the main thread after ``seconds``, where the platform allows it."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # no one else's timer is running
    )
    if not usable:
        yield
        return

    def _stop(signum: int, frame: object) -> None:
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, _stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _own_random_state() -> Iterator[None]:
    """Run with the global generators seeded with 0, then put back the caller's states."""
    cuda = list(range(torch.cuda.device_count())) if torch.cuda.is_initialized() else []
    numpy_state, python_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    try:
        with torch.random.fork_rng(devices=cuda):
            torch.manual_seed(0)
            yield
    finally:
        np.random.set_state(numpy_state)  # noqa: NPY002 - restores the caller's global state
        random.setstate(python_state)
