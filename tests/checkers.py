"""What every exercise checker must do, asserted once for all chapters' checker tests."""

from collections.abc import Callable

from aelab import exercises as ex


def stub(*args):
    """The student's cell before they write anything."""
    raise NotImplementedError("your code here")


def assert_verdicts(
    checker: Callable,
    reference: Callable,
    mistakes: dict,
    capsys,
    says: dict[str, tuple[str, ...]] | None = None,
) -> None:
    """The reference passes; the stub and every mistake fail, with one line and no traceback.

    ``says`` maps ``"reference"`` or a mistake's name to phrases its verdict must
    contain: for an experiment, what it measured and the advice it gives. They are
    checked in the same call, so a checker that trains runs each answer only once.
    """
    says = says or {}
    unknown = set(says) - {"reference", *mistakes}
    assert not unknown, f"says names no answer: {unknown}"

    def verdict(answer: Callable, passes: bool, name: str) -> None:
        assert checker(answer) is passes, name
        out = capsys.readouterr().out
        assert out.startswith(ex.PASS if passes else ex.FAIL), out
        assert "Traceback" not in out and out.count("\n") == 1, out
        for phrase in says.get(name, ()):
            assert phrase in out, (name, phrase, out)

    verdict(reference, True, "reference")
    assert checker(stub) is False
    assert "Not implemented yet" in capsys.readouterr().out
    for name, wrong in mistakes.items():
        verdict(wrong, False, name)


def nan_in_training(loss: Callable) -> Callable:
    """``loss``, right on an experiment checker's probe batch of 8 and nan on every
    training batch: the student's change that breaks only once training starts."""

    def wrong(first, *rest):
        value = loss(first, *rest)
        return value if len(first) == 8 else value * float("nan")

    return wrong
