"""Exercise checks for the course notebooks: each says *what* is wrong, not only that it is.

A check takes the trainee's answer and the data, recomputes the right answer with kamlib,
and compares. When they differ it tries the typical mistakes (ascending instead of
descending, percent instead of fraction, an off-by-one at the cut, ...) and names the one
that fits. The result, :class:`Feedback`, shows itself in a notebook as a green "Correct"
or an orange hint.

Examples
--------
>>> Feedback.correct()
Feedback(ok=True, message='')
>>> print(Feedback.hint("Sort descending: the largest account is rank 1."))
Not yet: Sort descending: the largest account is rank 1.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

__all__ = ["Feedback", "close"]


@dataclass(frozen=True)
class Feedback:
    """The outcome of a check: ``ok`` and a message (a hint when not ok); truthy when ok."""

    ok: bool
    message: str = ""

    @classmethod
    def correct(cls, message: str = "") -> Feedback:
        return cls(True, message)

    @classmethod
    def hint(cls, message: str) -> Feedback:
        return cls(False, message)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        head = "Correct." if self.ok else "Not yet:"
        return f"{head} {self.message}".strip()

    def _repr_html_(self) -> str:
        colour, border, head = (("#e8f5e9", "#2e7d32", "&#10004; Correct.") if self.ok
                                else ("#fff3e0", "#ef6c00", "&#10008; Not yet:"))
        return (f"<div style='background:{colour};border-left:4px solid {border};"
                f"padding:6px 10px'><b>{head}</b> {html.escape(self.message)}</div>")


def close(answer: object, expected: float, *, tol: float = 5e-4) -> bool:
    """True when ``answer`` is a number within ``tol`` of ``expected``.

    The default accepts answers rounded to three decimals (0.143 for 919 / 6,427).

    Examples
    --------
    >>> close(0.143, 919 / 6427), close("0.143", 0.143), close(0.15, 919 / 6427)
    (True, False, False)
    """
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.number)):
        return False
    return bool(np.isfinite(answer) and abs(float(answer) - expected) <= tol + 1e-12)
