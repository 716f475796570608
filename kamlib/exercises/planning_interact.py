"""Module 14 exercises, Interact and Customize: who is due for a contact, what to propose.

14.4 asks which practice accounts are due for a routine contact today (the rule of
:func:`~kamlib.planning.due.contacts_due`); 14.5 lists one account's cross-sell proposals
from its peers (the rule of :func:`~kamlib.planning.customize.cross_sell`). The practice
data are built so that every case the tasks name occurs (see :func:`practice_visits` and
:mod:`kamlib.exercises.proposals`).

Examples
--------
>>> visits = pd.DataFrame({"account_id": ["a", "b"], "quadrant": ["key account", "serve"],
...     "last_contact": pd.to_datetime(["2025-12-22", "2025-12-01"])})
>>> print(check_due(pd.DataFrame({"account_id": ["a", "b"], "due": [True, True]}), visits,
...                 {"key account": 5, "serve": 60}, [], "2025-12-31"))  # doctest: +ELLIPSIS
Not yet: Each account has the cadence of its own quadrant: ...
"""

from __future__ import annotations

import pandas as pd

from kamlib._frames import DateLike
from kamlib.exercises.answers import column_kind
from kamlib.exercises.feedback import Feedback, friendly, per_account
from kamlib.exercises.planning import _against, _ids
from kamlib.exercises.registry import Exercise
from kamlib.planning.due import contacts_due, working_days_between
from kamlib.planning.schedule import DEFAULT_CADENCES, Cadence, public_holidays

__all__ = ["practice_visits", "check_due", "EXERCISES"]


def _back(as_of: pd.Timestamp, k: int, off: set) -> pd.Timestamp:
    """The day after which exactly ``k`` working days (not in ``off``) run to ``as_of``."""
    day, seen = as_of, 0
    while True:
        if day.weekday() < 5 and day.date() not in off:
            if seen == k:
                return day
            seen += 1
        day -= pd.Timedelta(days=1)


def practice_visits(matrix: pd.DataFrame, accounts: pd.DataFrame, industry: str | None,
                    as_of: DateLike, country: str | None = "ID"
                    ) -> tuple[pd.DataFrame, dict, list]:
    """The practice accounts' quadrant and last contact, the cadences (quadrant -> every
    how many working days) and the public holidays since the earliest last contact.

    The last contacts are set so that every case of 14.4 occurs, in turn: long overdue;
    never contacted; exactly the cadence ago (due); one weekday short of it, more calendar
    days ago (not due); the cadence ago in weekdays but with a public holiday in between
    (not due); half the cadence ago.
    """
    ids = set(_ids(accounts, industry))
    rows = matrix[matrix["account_id"].isin(ids)][["account_id", "quadrant"]]
    rows = rows.astype({"quadrant": str}).sort_values("account_id", ignore_index=True)
    end = pd.Timestamp(as_of).normalize()
    span = max(c.every for c in DEFAULT_CADENCES.values())
    off = set(public_holidays(end - pd.Timedelta(days=3 * span), end, country=country))
    last = []
    for i, quadrant in enumerate(rows["quadrant"]):
        every = DEFAULT_CADENCES[quadrant].every
        case = i % 6
        if case == 1:
            last.append(pd.NaT)
            continue
        k = {0: every + 3, 2: every, 5: max(every // 2, 1)}.get(case)
        # 3: a weekday short of the cadence, more calendar days; 4: the cadence in weekdays
        last.append(_back(end, k, off) if k is not None
                    else _back(end, every - (case == 3), set()))
    rows["last_contact"] = pd.to_datetime(pd.Series(last, dtype="datetime64[ns]"))
    earliest = rows["last_contact"].min()
    holidays = sorted(d for d in off if pd.isna(earliest) or d > earliest.date())
    cadence = {k: c.every for k, c in DEFAULT_CADENCES.items()}
    return rows, cadence, holidays


def _due(visits: pd.DataFrame, cadence: dict, holidays: list, as_of: DateLike) -> pd.Series:
    table = contacts_due(visits, as_of=as_of, cadences={k: Cadence(int(v))
                                                        for k, v in cadence.items()},
                         country=None, days_off=holidays)
    return table.set_index("account_id")["due"].astype(bool)


def _as_flags(column: pd.Series) -> pd.Series | None:
    """True/False from True/False, 1/0 or yes/no; None when the column holds something else."""
    if pd.api.types.is_bool_dtype(column):
        return column.astype(bool)
    if pd.api.types.is_numeric_dtype(column) and column.isin([0, 1]).all():
        return column.astype(bool)
    words = column.astype(str).str.strip().str.lower()
    if words.isin(["yes", "no", "true", "false"]).all():
        return words.isin(["yes", "true"])
    return None


@friendly("a DataFrame with the columns account_id and due (True or False), one row per "
          "account")
def check_due(answer: pd.DataFrame, visits: pd.DataFrame, cadence: dict, holidays: list,
              as_of: DateLike) -> Feedback:
    """Check which accounts are due: working days after the last contact up to ``as_of``
    (Monday-Friday, not a holiday) at least the quadrant's cadence, or never contacted."""
    answer = per_account(answer, ["due"], value="due")
    if isinstance(answer, Feedback):
        return answer
    truth = _due(visits, cadence, holidays, as_of)
    mine = _against(answer, "due", truth, "p_visits", empty=False)
    if isinstance(mine, Feedback):
        return mine
    flags = _as_flags(mine)
    if flags is None or mine.isna().any():
        return Feedback.hint(f"Your due column holds {column_kind(mine)}: give True for an "
                             "account that is due, False for one that is not.")
    if (flags == truth).all():
        return Feedback.correct(f"{int(truth.sum())} of {len(truth)} accounts are due for a "
                                "routine contact today.")
    v = visits.set_index("account_id").reindex(truth.index)
    last = pd.to_datetime(v["last_contact"])
    every = v["quadrant"].astype(str).map(cadence).astype(float)
    since = working_days_between(last, as_of, holidays)
    weekdays = working_days_between(last, as_of)
    never = last.isna()
    said = [
        (never | ((pd.Timestamp(as_of) - last).dt.days >= every), "You counted calendar "
         "days: the cadence counts working days (Monday to Friday, not a public holiday)."),
        (never | (weekdays >= every), "You skipped the weekends but not the public holidays "
         "(p_holidays): a holiday is no working day."),
        (never | (since > every), "An account whose working days since the last contact "
         "equal its cadence exactly is due: compare with >=, not >."),
        (~never & (since >= every), "An account nobody was ever contacted at (no "
         "last_contact) is due: it has waited longest of all."),
        (~truth, "Upside down: you marked the accounts that are not due."),
    ]
    said += [(never | (since >= e), "Each account has the cadence of its own quadrant: look "
              "it up in p_cadence with its quadrant (e.g. .map(p_cadence)).")
             for e in sorted(set(cadence.values())) if e > 0]
    for values, text in said:
        if (flags == values).all():
            return Feedback.hint(text)
    off = (flags != truth).idxmax()
    when = "never" if never[off] else f"{last[off]:%d %B %Y}"
    return Feedback.hint(f"Account {off!r} ({v.loc[off, 'quadrant']}, every {every[off]:.0f} "
                         f"working days, last contact {when}) is "
                         f"{'due' if truth[off] else 'not due'}; your table says otherwise.")


EXERCISES = [
    Exercise("14.4", "Who is due for a contact today", "my_due", check_due, """\
def working_days_since(last):
    if pd.isna(last):
        return np.nan  # never contacted
    days = pd.bdate_range(last + pd.Timedelta(days=1), as_of, freq="C", holidays=p_holidays)
    return len(days)

since = p_visits["last_contact"].map(working_days_since)
every = p_visits["quadrant"].map(p_cadence)
my_due = p_visits[["account_id"]].copy()
my_due["due"] = since.isna() | (since >= every)""",
             steps="for each account count the working days after its last_contact up to "
                   "and including as_of: pd.bdate_range(last + 1 day, as_of, freq=\"C\", "
                   "holidays=p_holidays) lists them. Look up the account's cadence with "
                   "p_visits[\"quadrant\"].map(p_cadence); due is days >= cadence, or no "
                   "last_contact at all."),
]
