"""What every exercise checker must do, asserted once for all chapters' checker tests."""

from collections.abc import Callable

from aelab import exercises as ex


def stub(*args):
    """The student's cell before they write anything."""
    raise NotImplementedError("your code here")


def assert_verdicts(checker: Callable, reference: Callable, mistakes: dict, capsys) -> None:
    """The reference passes; the stub and every mistake fail, with one line and no traceback."""
    assert checker(reference) is True
    assert capsys.readouterr().out.startswith(ex.PASS)
    assert checker(stub) is False
    assert "Not implemented yet" in capsys.readouterr().out
    for name, wrong in mistakes.items():
        assert checker(wrong) is False, name
        out = capsys.readouterr().out
        assert out.startswith(ex.FAIL) and "Traceback" not in out and out.count("\n") == 1, out
