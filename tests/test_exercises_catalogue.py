"""Every exported checker against a catalogue of wrong answers, its reference solution computed
in float32 and in float64, and the global random state (which no checker may touch)."""

import copy
import importlib
import random
import time

import numpy as np
import pytest
import torch
from torch import nn

from aelab import exercises as ex
from aelab.exercises import _common

CHAPTER_TESTS = [f"test_exercises_ch0{n}" for n in range(1, 10)]
REFERENCES = {
    checker: reference
    for name in CHAPTER_TESTS
    for checker, (reference, _) in importlib.import_module(name).CASES.items()
}
CHECKERS = [getattr(ex, name) for name in ex.__all__ if name.startswith("check_")]
LIMIT_S = 0.1  # the time limit in these tests; the real one is 30 s
REAL_LIMIT_S = _common.TIME_LIMIT_S


@pytest.fixture(autouse=True)
def _short_time_limit(monkeypatch):
    monkeypatch.setattr(_common, "TIME_LIMIT_S", LIMIT_S)


def _map(value, tensor, other):
    """Apply ``tensor`` to every tensor or array inside ``value``, ``other`` to anything else."""
    if isinstance(value, tuple | list) and not isinstance(value, str):
        return type(value)(_map(v, tensor, other) for v in value)
    if isinstance(value, nn.Module):
        return _Transformed(value, lambda out: _map(out, tensor, other))
    if isinstance(value, np.ndarray):
        return tensor(torch.from_numpy(value)).numpy() if value.dtype != object else other(value)
    if isinstance(value, torch.Tensor):
        return tensor(value)
    return other(value)


class _Transformed(nn.Module):
    """A student's module whose output goes through ``f`` (it keeps the module's layers)."""

    def __init__(self, inner, f):
        super().__init__()
        self.inner, self.f = inner, f

    def forward(self, x):
        return self.f(self.inner(x))


def _derived(transform_tensor, transform_other):
    """A wrong answer made from the reference's answer."""

    def make(reference):
        def answer(*args):
            return _map(reference(*args), transform_tensor, transform_other)

        return answer

    return make


def _floats_only(f, fallback):
    """Transform floating tensors with ``f``; other tensors (ints, bools) with ``fallback``."""
    return lambda t: f(t) if t.is_floating_point() else fallback(t)


def _with_nan(t):
    t = t.detach().double().clone()
    t.view(-1)[0] = float("nan")
    return t


def _mutate(*args):
    """Overwrite every tensor and array it is given, and return nothing."""
    for a in args:
        if isinstance(a, torch.Tensor):
            with torch.no_grad():
                a.fill_(7)
        elif isinstance(a, np.ndarray):
            a.fill(7)


def _spin(*args):
    while True:
        pass


def _raise(error):
    def answer(*args):
        raise error

    return answer


def _numbers(*args):
    yield from range(3)


#: Wrong answers that do not depend on the exercise: name -> the student's function.
CONSTANT = {
    "returns None": lambda *a: None,
    "raises ValueError": _raise(ValueError("boom")),
    "raises a multi-line RuntimeError": _raise(RuntimeError("line one\nline two\nline three")),
    "divides by zero": lambda *a: 1 / 0,
    "sleeps past the limit": lambda *a: time.sleep(20 * LIMIT_S),
    "never returns": _spin,
    "mutates its input": _mutate,
    "returns a string": lambda *a: "0.5",
    "returns a generator": _numbers,
    "returns a dict": lambda *a: {"answer": 1},
    "returns an empty list": lambda *a: [],
    "returns an object": lambda *a: object(),
    "returns itself": lambda *a: _spin,
    "returns a NaN array": lambda *a: np.full(3, np.nan),
    "returns a string array": lambda *a: np.array(["a", "b"]),
    "returns an empty tensor": lambda *a: torch.empty(0),
    "returns a complex tensor": lambda *a: torch.zeros(2, 3, dtype=torch.complex64),
    "returns True": lambda *a: True,
    "returns a meta tensor": lambda *a: torch.empty(4, device="meta"),
    "returns inf": lambda *a: float("inf"),
    "returns NaN": lambda *a: float("nan"),
    "returns a huge tensor": lambda *a: torch.full((3,), 1e38),
    "returns a half tensor": lambda *a: torch.zeros(5, dtype=torch.half),
    "returns a tensor needing a gradient": lambda *a: torch.zeros(3, requires_grad=True),
    "returns a module": lambda *a: nn.Identity(),
}

#: Wrong answers made from the right one: name -> (reference -> the student's function).
DERIVED = {
    "the answer with a NaN": _derived(
        _floats_only(_with_nan, lambda t: t.double() + float("nan")), lambda v: float("nan")
    ),
    "the answer plus 1e30": _derived(lambda t: t.double() + 1e30, lambda v: 10**30),
    "the answer as complex": _derived(lambda t: t.to(torch.complex128), lambda v: complex(v)),
    "the answer on the meta device": _derived(
        lambda t: t.to("meta"), lambda v: torch.tensor(v, device="meta")
    ),
    "the answer as int64": _derived(_floats_only(lambda t: t.round().long(), str), str),
    "the answer as bool": _derived(_floats_only(lambda t: t != 0, str), str),
    "the answer times 1.5 in half precision": _derived(
        _floats_only(lambda t: (1.5 * t + 1).half(), lambda t: t + 1), lambda v: None
    ),
    "the answer plus 1, needing a gradient": _derived(
        _floats_only(lambda t: (t.detach() + 1).requires_grad_(), lambda t: t + 1), lambda v: None
    ),
    "the answer plus 1 as a NumPy array": _derived(
        lambda t: (t.detach().cpu() + 1).numpy(), lambda v: None
    ),
    "the answer twice, stacked": _derived(lambda t: torch.stack([t, t]), lambda v: [v, v]),
}


def _verdict(checker, answer, capsys) -> tuple[bool, str]:
    """Call the checker: it must return a bool and print exactly one verdict line."""
    state = torch.random.get_rng_state()
    ok = checker(answer)
    out = capsys.readouterr().out
    assert isinstance(ok, bool)
    assert out.count("\n") == 1 and out.endswith("\n"), out
    assert out.startswith(ex.PASS if ok else ex.FAIL), out
    assert "Traceback" not in out and "Checking your answer raised" not in out, out
    assert torch.equal(torch.random.get_rng_state(), state), "the global RNG changed"
    return ok, out


def test_every_exported_checker_has_a_reference_solution():
    assert len(CHECKERS) == len(REFERENCES) and set(CHECKERS) == set(REFERENCES)


def test_the_catalogue_is_large_enough():
    assert len(CONSTANT) + len(DERIVED) >= 20


#: Wrong only in value: right for the decoder exercise, whose verdict does not depend on values.
VALUES_ONLY = {"the answer times 1.5 in half precision", "the answer plus 1, needing a gradient"}


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_no_wrong_answer_passes_and_none_escapes(checker, capsys):
    reference = REFERENCES[checker]
    derived = {name: make(reference) for name, make in DERIVED.items()}
    if checker is ex.check_upsampling_decoder:
        derived = {name: answer for name, answer in derived.items() if name not in VALUES_ONLY}
    answers = {**CONSTANT, **derived}
    for name, answer in answers.items():
        ok, out = _verdict(checker, answer, capsys)
        assert not ok, f"{name}: {out}"


def _in_dtype(reference, dtype):
    """The reference solution computed in ``dtype``: its float inputs and its answer cast."""

    def cast(value):
        if isinstance(value, torch.Tensor) and value.is_floating_point():
            return value.to(dtype)
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            return value.astype(torch.empty((), dtype=dtype).numpy().dtype)
        if isinstance(value, nn.Module):
            return copy.deepcopy(value).to(dtype)
        if isinstance(value, list | tuple):
            return type(value)(cast(v) for v in value)
        return value

    return lambda *args: cast(reference(*(cast(a) for a in args)))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=str)
@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_the_reference_passes_in_float32_and_float64(checker, dtype, capsys, monkeypatch):
    # The real limit: the short one is for the wrong answers that never return, and a
    # first call on a loaded machine (a layer's first forward pass) may take longer.
    monkeypatch.setattr(_common, "TIME_LIMIT_S", REAL_LIMIT_S)
    ok, out = _verdict(checker, _in_dtype(REFERENCES[checker], dtype), capsys)
    assert ok, out


def _draws_from_every_global_generator(*args):
    torch.rand(3), np.random.rand(3), random.random()  # noqa: NPY002 - the point of the test
    return None


@pytest.mark.parametrize("checker", CHECKERS, ids=lambda c: c.__name__)
def test_checkers_leave_the_global_random_state_alone(checker, capsys, monkeypatch):
    monkeypatch.setattr(_common, "TIME_LIMIT_S", REAL_LIMIT_S)
    numpy_state = np.random.get_state()[1].copy()  # noqa: NPY002 - the global one is tested
    states = torch.random.get_rng_state(), numpy_state, random.getstate()
    for answer in (REFERENCES[checker], _draws_from_every_global_generator):
        checker(answer)
    capsys.readouterr()
    assert torch.equal(torch.random.get_rng_state(), states[0])
    assert np.array_equal(np.random.get_state()[1], states[1])  # noqa: NPY002
    assert random.getstate() == states[2]


def test_a_function_that_never_returns_ends_in_a_verdict_within_the_limit(capsys):
    start = time.perf_counter()
    assert ex.check_gaussian_nll(_spin) is False
    assert time.perf_counter() - start < 10 * LIMIT_S
    assert f"longer than {LIMIT_S:g} s" in capsys.readouterr().out


def test_the_student_code_draws_the_same_numbers_on_every_call(capsys):
    draws = []
    for _ in range(2):
        ex.check_gaussian_nll(lambda *a: draws.append(torch.rand(3)))
    assert torch.equal(draws[0], draws[1])
