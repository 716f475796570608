"""Feedback for the course checks: the result type, and the guards every check shares.

A check never raises: a trainee meets a traceback as "the check is broken", not as "my answer
is wrong". :func:`friendly` turns ``None`` into "not answered yet", reads the answer in its
plain form (:func:`~kamlib.exercises.answers.normalise`: categories as values, ids in the
data's type) and turns any error inside a check into a sentence saying what it expected.
:func:`per_account` recognises the
shapes a beginner's table typically has before it is right (the account id as the index,
one row per account and month).

Examples
--------
>>> Feedback.correct()
Feedback(ok=True, message='')
>>> print(Feedback.hint("Sort descending: the largest account is rank 1."))
Not yet: Sort descending: the largest account is rank 1.
>>> print(rounding_hint(0.14, 919 / 6427))
Right to two decimals. Give three decimals, as the task asks: e.g. round(your_number, 3).
"""

from __future__ import annotations

import functools
import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlib.exercises.answers import describe, normalise

__all__ = ["Feedback", "close", "is_number", "rounding_hint", "friendly", "per_account",
           "NOT_ANSWERED"]

NOT_ANSWERED = ("Not answered yet: replace None in the answer cell with your answer, run "
                "that cell, then run this check again.")


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

    @property
    def answered(self) -> bool:
        """False only for "not answered yet": progress does not count it as a try."""
        return self.message != NOT_ANSWERED

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        if not self.answered:
            return self.message
        head = "Correct." if self.ok else "Not yet:"
        return f"{head} {self.message}".strip()

    def _repr_html_(self) -> str:
        if not self.answered:
            return ("<div style='background:#eceff1;border-left:4px solid #78909c;"
                    f"padding:6px 10px'>{html.escape(self.message)}</div>")
        colour, border, head = (("#e8f5e9", "#2e7d32", "&#10004; Correct.") if self.ok
                                else ("#fff3e0", "#ef6c00", "&#10008; Not yet:"))
        return (f"<div style='background:{colour};border-left:4px solid {border};"
                f"padding:6px 10px'><b>{head}</b> "
                f"{html.escape(self.message).replace(chr(10), '<br>')}</div>")


def is_number(answer: object) -> bool:
    """True for a real number (a bool is not one)."""
    return isinstance(answer, (int, float, np.number)) and not isinstance(answer, bool)


def close(answer: object, expected: float, *, tol: float = 5e-4) -> bool:
    """True when ``answer`` is a number within ``tol`` of ``expected``.

    The default accepts answers rounded to three decimals (0.143 for 919 / 6,427).

    Examples
    --------
    >>> close(0.143, 919 / 6427), close("0.143", 0.143), close(0.15, 919 / 6427)
    (True, False, False)
    """
    if not is_number(answer):
        return False
    return bool(np.isfinite(answer) and abs(float(answer) - expected) <= tol + 1e-12)


def rounding_hint(answer: object, expected: float, decimals: int = 3,
                  fewest: int = 1) -> str | None:
    """The hint for an answer that is right but rounded to fewer than ``decimals`` decimals.

    Rounded half up or cut off both count: people write 0.82 for 0.8237 and 0.14 for 0.1429.
    ``fewest`` is the fewest decimals considered (one decimal is often another mistake).

    Examples
    --------
    >>> rounding_hint(0.83, 0.8237) is None, rounding_hint(0.82, 0.8237) is not None
    (True, True)
    """
    if not is_number(answer) or not np.isfinite(answer):
        return None
    x = float(answer)
    for fewer in range(decimals - 1, fewest - 1, -1):
        scale = 10.0 ** fewer
        candidates = (round(expected * scale) / scale, np.trunc(expected * scale) / scale)
        if any(abs(x - c) < 1e-9 for c in candidates):
            word = {1: "one decimal", 2: "two decimals"}.get(fewer, f"{fewer} decimals")
            # the message does not print the answer: the trainee rounds their own number
            return (f"Right to {word}. Give {_words(decimals)} decimals, as the task asks: "
                    f"e.g. round(your_number, {decimals}).")
    return None


def _words(n: int) -> str:
    return {2: "two", 3: "three", 4: "four"}.get(n, str(n))


def friendly(expected: str) -> Callable[[Callable[..., Feedback]], Callable[..., Feedback]]:
    """Decorate a check: ``None`` is "not answered yet"; an error becomes a plain sentence.

    ``expected`` completes "The check expected ..." when the answer cannot be read.

    Examples
    --------
    >>> @friendly("a number between 0 and 1")
    ... def check_half(answer):
    ...     return Feedback.correct() if answer / 2 == 0.25 else Feedback.hint("no")
    >>> print(check_half(None))
    Not answered yet: replace None in the answer cell with your answer, run that cell, then run this check again.
    >>> print(check_half("a"))  # doctest: +NORMALIZE_WHITESPACE
    Not yet: The check could not read your answer: it expected a number between 0 and 1. Look
    at your answer (run a cell with just its name) and compare it with the task.
    """
    def decorate(check: Callable[..., Feedback]) -> Callable[..., Feedback]:
        @functools.wraps(check)
        def safe(answer, *args, **kwargs) -> Feedback:
            if answer is None:
                return Feedback(False, NOT_ANSWERED)
            try:
                return check(normalise(answer, args), *args, **kwargs)
            except Exception:  # noqa: BLE001 - a check must never show a traceback
                return Feedback.hint(f"The check could not read your answer: it expected "
                                     f"{expected}. Look at your answer (run a cell with "
                                     f"just its name) and compare it with the task.")
        safe.expected = expected
        return safe
    return decorate


def per_account(answer: object, columns: Iterable[str], *, account: str = "account_id",
                value: str = "revenue", name: str = "your table") -> pd.DataFrame | Feedback:
    """``answer`` as a frame with one row per account and ``columns``, or the hint why not.

    Examples
    --------
    >>> t = pd.DataFrame({"account_id": ["a", "a"], "period": [1, 2], "revenue": [1, 2]})
    >>> print(per_account(t, ["revenue"]))  # doctest: +NORMALIZE_WHITESPACE
    Not yet: Your table has one row per account and month (account 'a' is there 2 times):
    add the months up per account first, e.g. groupby('account_id')['revenue'].sum().
    >>> print(per_account(t.set_index("account_id"), ["revenue"]))  # doctest: +ELLIPSIS
    Not yet: account_id is the index of your table, not a column: add .reset_index() ...
    """
    columns = list(columns)
    if isinstance(answer, pd.Series) and answer.name in columns:
        answer = answer.to_frame()
    if not isinstance(answer, pd.DataFrame):
        return Feedback.hint(f"Give a table (DataFrame) with the columns "
                             f"{', '.join([account, *columns])}; yours is {describe(answer)}.")
    if account not in answer.columns and account in (answer.index.names or []):
        return Feedback.hint(f"{account} is the index of {name}, not a column: add "
                             f".reset_index() (groupby puts the account in the index).")
    missing = [c for c in [account, *columns] if c not in answer.columns]
    if missing:
        return Feedback.hint(f"Wrong column names: expected {', '.join([account, *columns])}; "
                             f"missing {', '.join(missing)}; your table has "
                             f"{', '.join(map(str, answer.columns)) or 'no columns'}.")
    repeated = answer[account].duplicated(keep=False)
    if repeated.any():
        first = answer.loc[repeated, account].iloc[0]
        times = int((answer[account] == first).sum())
        return Feedback.hint(f"{name.capitalize()} has one row per account and month (account "
                             f"{str(first)!r} is there {times} times): add the months up per "
                             f"account first, e.g. groupby('{account}')['{value}'].sum().")
    return answer
