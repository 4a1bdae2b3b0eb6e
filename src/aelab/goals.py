"""Goals: what a chapter claims about a glued number, and whether a run met it.

A :class:`Quantity` is one glued headline number of a chapter. Its ``goal`` is
what the book claims for a full-mode run; its ``quick`` goal is the same claim
at quick-mode size (``AELAB_QUICK=1``: less data, fewer epochs), so a quick run
can check it too. A quantity with a ``claim`` is one of the chapter's claims:
the chapter's claims cell (``ae.claims``) prints one line per claim, for the
mode the chapter ran in. A ``hope`` is more than the chapter claims: what the
lecture or a paper leads one to expect, which the run tests without the book
depending on it; the results page says whether the stored run met it
(:func:`hope_met`), so that a verdict there never outlives the run it describes.
The table of quantities is ``aelab.published``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Published:
    """A number from the literature (or exact by derivation when ``source`` is empty)."""

    value: float | None  # None: a published result that is no single number
    source: str = ""  # BibTeX key in book/references.bib
    text: str = ""  # what the results page shows instead of the bare value


@dataclass(frozen=True)
class Goal:
    """``low < x < high``, or ``low <= x <= high`` when ``closed``; ``x`` is the value,
    or the value divided by another quantity's where the quantity names one (``of``)."""

    low: float = -math.inf
    high: float = math.inf
    closed: bool = False
    text: str = ""  # how the results page states it; default from the bounds

    def met(self, x: float) -> bool:
        if self.closed:
            return self.low <= x <= self.high
        return self.low < x < self.high

    def missed(self) -> float:
        """A value just past the goal: the test that every goal can fail stores it."""
        bound, direction = (self.high, 1) if math.isfinite(self.high) else (self.low, -1)
        return bound + direction * (abs(bound) * 1e-3 + 1e-9) if self.closed else bound

    def describe(self) -> str:
        if self.text:
            return self.text
        lo, hi = _number(self.low), _number(self.high)
        less = r"\le" if self.closed else "<"
        more = r"\ge" if self.closed else ">"
        if math.isfinite(self.low) and math.isfinite(self.high):
            return f"${lo} {less} x {less} {hi}$"
        return f"${less} {hi}$" if math.isfinite(self.high) else f"${more} {lo}$"

    def plain(self) -> str:
        """The bounds as plain text (for a printed line): ``< 5``, ``in [0.8, 1.2]``."""
        lo, hi = f"{self.low:g}", f"{self.high:g}"
        if math.isfinite(self.low) and math.isfinite(self.high):
            return f"in [{lo}, {hi}]" if self.closed else f"in ({lo}, {hi})"
        if math.isfinite(self.high):
            return f"<= {hi}" if self.closed else f"< {hi}"
        return f">= {lo}" if self.closed else f"> {lo}"


def below(bound: float) -> Goal:
    return Goal(high=bound)


def at_most(bound: float) -> Goal:
    return Goal(high=bound, closed=True)


def above(bound: float) -> Goal:
    return Goal(low=bound)


def at_least(bound: float) -> Goal:
    return Goal(low=bound, closed=True)


def between(low: float, high: float) -> Goal:
    return Goal(low, high)


def within(target: float, tolerance: float, text: str = "") -> Goal:
    """``|x - target| <= tolerance``."""
    default = f"${_number(target)} \\pm {_number(tolerance)}$"
    return Goal(target - tolerance, target + tolerance, True, text or default)


def _number(x: float) -> str:
    if x != 0 and abs(x) < 1e-3:
        mantissa, exponent = f"{x:.0e}".split("e")
        head = "" if mantissa == "1" else f"{mantissa} \\times "
        return f"{head}10^{{{int(exponent)}}}"
    return f"{x:g}"


@dataclass(frozen=True)
class Quantity:
    """One glued headline number of a chapter and what the book claims about it."""

    name: str  # the glue name in the chapter notebook (the results page pastes it)
    goal: Goal | None = None  # None: only reported
    published: Published | None = None
    note: str = ""  # said after the goal (or after "reported")
    of: str = ""  # the goal applies to value / this quantity's value (same chapter)
    quick: Goal | None = None  # the goal for quick mode (AELAB_QUICK=1), a smaller budget
    claim: str = ""  # the chapter's claim, checked in its claims cell (needs goal and quick)
    hope: Goal | None = None  # expected by the lecture or a paper, tested but not claimed
    hope_of: str = ""  # the hope applies to value / this quantity's value (same chapter)

    def goal_for(self, quick: bool) -> Goal | None:
        """The goal for a run in quick mode (``quick``) or in full mode."""
        return self.quick if quick else self.goal


def measured(name: str, of: str, values: dict[str, object]) -> float | None:
    """``values[name]``, divided by ``values[of]`` where ``of`` is given: what a goal or a
    hope is checked on; None where the value is no finite number."""
    x = values.get(name)
    if not isinstance(x, int | float) or isinstance(x, bool) or not math.isfinite(x):
        return None
    return x / values[of] if of else x


def misses(q: Quantity, values: dict[str, object], quick: bool = False) -> str | None:
    """Why the glued ``values`` miss ``q``'s goal for the mode, or None if they meet it."""
    goal = q.goal_for(quick)
    if goal is None:
        return None
    x = measured(q.name, q.of, values)
    if x is None:
        return f"{q.name} = {values.get(q.name)!r} is not a finite number"
    if not goal.met(x):
        what = f"{q.name} / {q.of}" if q.of else q.name
        mode = "quick-mode goal" if quick else "goal"
        return f"{what} = {x:.6g} misses its {mode} {goal.plain()}"
    return None


def hope_met(q: Quantity, values: dict[str, object]) -> bool:
    """Whether the glued ``values`` meet ``q``'s hope (``q.hope`` must be set)."""
    if q.hope is None:
        raise ValueError(f"{q.name} has no hope; give the Quantity a hope= Goal.")
    x = measured(q.name, q.hope_of, values)
    if x is None:
        raise ValueError(
            f"{q.name} = {values.get(q.name)!r} is not a finite number; re-execute its chapter."
        )
    return q.hope.met(x)
