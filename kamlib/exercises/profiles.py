"""Module 12 exercises: recency, frequency and RFM scores; checks and solutions.

The practice data are the last twelve months of the window (:func:`practice_months`: one
row per account and month with a purchase), which the worked example does not show on their
own; ``as_of`` is that year's last day. Each check recomputes the answer from the same data.

Examples
--------
>>> import pandas as pd
>>> months = pd.DataFrame({"account_id": ["a", "a", "b"],
...     "period": pd.to_datetime(["2025-01-01", "2025-03-01", "2025-02-01"]),
...     "revenue": [100.0, 50.0, 80.0], "invoices": [2, 1, 1], "lines": [5, 1, 3],
...     "first_date": pd.to_datetime(["2025-01-05", "2025-03-02", "2025-02-10"]),
...     "last_date": pd.to_datetime(["2025-01-20", "2025-03-30", "2025-02-10"])})
>>> practice_profiles(months, "2025-03-31")
  account_id  recency_days  frequency  monetary
0          a             1          3     150.0
1          b            49          1      80.0
>>> print(check_recency(practice_profiles(months, "2025-03-31")[["account_id", "recency_days"]]
...                     .assign(recency_days=[84, 0]), months, as_of="2025-03-31"))
Not yet: You counted from the first purchase: recency is the days from the last purchase to as_of (2025-03-31), so a recent buyer has a small recency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike
from kamlib.exercises.answers import column_kind, number
from kamlib.exercises.feedback import Feedback, friendly, per_account
from kamlib.exercises.registry import Exercise
from kamlib.segments import rfm_scores

__all__ = ["practice_months", "practice_profiles", "check_recency", "check_frequency",
           "check_rfm_scores", "EXERCISES"]

_MONTH_COLUMNS = ["account_id", "period", "revenue", "invoices", "lines", "first_date",
                  "last_date"]


def practice_months(account_month: pd.DataFrame, start: DateLike, end: DateLike) -> pd.DataFrame:
    """The months of [start, end] in which each account bought (net revenue > 0): revenue,
    invoices, invoice lines, and the first and last day with lines in that month.

    Examples
    --------
    >>> cube = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [10.0, -5.0, 7.0],
    ...     "period": pd.to_datetime(["2024-12-01", "2025-01-01", "2025-01-01"]),
    ...     "invoices": [1, 1, 1], "lines": [2, 1, 1], "first_date": pd.NaT, "last_date": pd.NaT})
    >>> practice_months(cube, "2025-01-01", "2025-12-31")["account_id"].tolist()
    ['b']
    """
    period = account_month["period"]
    keep = ((period >= pd.Timestamp(start).to_period("M").to_timestamp())
            & (period <= pd.Timestamp(end)) & (account_month["revenue"] > 0))
    return (account_month.loc[keep, _MONTH_COLUMNS]
            .sort_values(["account_id", "period"]).reset_index(drop=True))


def practice_profiles(months: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """One row per account of :func:`practice_months`: recency in days from its last purchase
    to ``as_of``, frequency (invoices) and monetary value (revenue): the answers of 12.1 and
    12.2, and the input of 12.3."""
    grouped = months.groupby("account_id", sort=True)
    out = pd.DataFrame({
        "recency_days": (pd.Timestamp(as_of) - grouped["last_date"].max()).dt.days,
        "frequency": grouped["invoices"].sum().astype("int64"),
        "monetary": grouped["revenue"].sum(),
    })
    return out.reset_index()


def _one_per_account(answer: object, column: str, name: str, how: str) -> pd.DataFrame | Feedback:
    """``answer`` as one row per account with ``column``, or the hint why not."""
    if (isinstance(answer, pd.DataFrame) and "account_id" in answer.columns
            and answer["account_id"].duplicated().any()):
        return Feedback.hint(f"Your table has several rows for some accounts (one per month): "
                             f"take one {name} per account, e.g. "
                             f"groupby('account_id'){how}.")
    return per_account(answer, [column], value=column)


def _values(answer: pd.DataFrame, column: str, truth: pd.Series) -> pd.Series | Feedback:
    mine = answer.set_index("account_id")[column]
    if set(mine.index) != set(truth.index):
        return Feedback.hint(f"Your table has {len(mine)} accounts, practice "
                             f"{len(truth)}: keep exactly one row per account of practice.")
    if pd.api.types.is_timedelta64_dtype(mine):
        return Feedback.hint(f"{column} holds time spans (Timedelta): give whole days with "
                             ".dt.days.")
    if not pd.api.types.is_numeric_dtype(mine):
        return Feedback.hint(f"Your {column} column holds {column_kind(mine)}, not numbers.")
    if mine.isna().any():
        return Feedback.hint(f"{int(mine.isna().sum())} account(s) have an empty {column} "
                             f"(NaN), e.g. {str(mine.index[mine.isna()][0])!r}: every account "
                             "of practice has a value.")
    return mine.astype(float).reindex(truth.index)


@friendly("a DataFrame with the columns account_id and recency_days, one row per account")
def check_recency(answer: pd.DataFrame, months: pd.DataFrame, as_of: DateLike) -> Feedback:
    """Check days from each account's last purchase to ``as_of`` (whole days).

    Examples
    --------
    >>> months = pd.DataFrame({"account_id": ["a"], "period": pd.to_datetime(["2025-01-01"]),
    ...     "revenue": [1.0], "invoices": [1], "lines": [1],
    ...     "first_date": pd.to_datetime(["2025-01-02"]), "last_date": pd.to_datetime(["2025-01-30"])})
    >>> check_recency(pd.DataFrame({"account_id": ["a"], "recency_days": [1]}), months,
    ...               as_of="2025-01-31").ok
    True
    """
    answer = _one_per_account(answer, "recency_days", "last purchase", "['last_date'].max()")
    if isinstance(answer, Feedback):
        return answer
    truth = practice_profiles(months, as_of).set_index("account_id")["recency_days"]
    mine = _values(answer, "recency_days", truth)
    if isinstance(mine, Feedback):
        return mine
    if np.allclose(mine, truth):
        return Feedback.correct(f"The median account last bought {truth.median():.0f} days "
                                f"before {pd.Timestamp(as_of).date()}.")
    grouped = months.groupby("account_id")
    first, last = grouped["first_date"].min(), grouped["last_date"].max()
    end = pd.Timestamp(as_of)
    wrong = {
        "from the first purchase": (last - first).dt.days,
        "tenure": (end - first).dt.days,
        "negative": -truth,
        "month start": (end - grouped["period"].max()).dt.days,
    }
    said = {
        "from the first purchase": f"You counted from the first purchase: recency is the days "
        f"from the last purchase to as_of ({end.date()}), so a recent buyer has a small "
        f"recency.",
        "tenure": f"That is the days since the first purchase (tenure). Recency counts from "
        f"the last purchase to as_of ({end.date()}): use the latest last_date.",
        "negative": "Your recencies are negative: subtract the last purchase from as_of, not "
        "as_of from the last purchase.",
        "month start": "You used period, the first day of the month. The last purchase is the "
        "latest last_date of the account.",
    }
    for key, values in wrong.items():
        if np.allclose(mine, values.reindex(truth.index).astype(float)):
            return Feedback.hint(said[key])
    if np.allclose(mine, truth + 1) or np.allclose(mine, truth - 1):
        return Feedback.hint("Off by one day: recency is (as_of - last purchase).days, with "
                             "as_of itself counting 0.")
    off = (mine - truth).abs().idxmax()
    return Feedback.hint(f"The recency of account {str(off)!r} is {number(mine[off])} in your "
                         f"table but {number(truth[off])} days: (as_of - its latest "
                         "last_date).days.")


@friendly("a DataFrame with the columns account_id and frequency, one row per account")
def check_frequency(answer: pd.DataFrame, months: pd.DataFrame) -> Feedback:
    """Check each account's number of invoices in the practice year.

    Examples
    --------
    >>> months = pd.DataFrame({"account_id": ["a", "a"], "invoices": [2, 1], "lines": [5, 1],
    ...     "revenue": [3.0, 1.0], "period": pd.to_datetime(["2025-01-01", "2025-02-01"])})
    >>> print(check_frequency(pd.DataFrame({"account_id": ["a"], "frequency": [6]}), months))
    Not yet: You counted invoice lines: an invoice with three products has three lines but is one purchase. Add up the invoices.
    """
    answer = _one_per_account(answer, "frequency", "frequency", "['invoices'].sum()")
    if isinstance(answer, Feedback):
        return answer
    grouped = months.groupby("account_id")
    truth = grouped["invoices"].sum().astype(float)
    mine = _values(answer, "frequency", truth)
    if isinstance(mine, Feedback):
        return mine
    if np.allclose(mine, truth):
        return Feedback.correct(f"The median account sent {truth.median():.0f} invoices "
                                "in the year.")
    if np.allclose(mine, grouped["lines"].sum()):
        return Feedback.hint("You counted invoice lines: an invoice with three products has "
                             "three lines but is one purchase. Add up the invoices.")
    if np.allclose(mine, grouped.size()):
        return Feedback.hint("You counted the months with a purchase (the rows of practice): "
                             "frequency counts invoices; add up the invoices column.")
    if np.allclose(mine, grouped["invoices"].mean()):
        return Feedback.hint("That is the average number of invoices per month: add them up "
                             "instead (sum, not mean).")
    off = (mine - truth).abs().idxmax()
    return Feedback.hint(f"The frequency of account {str(off)!r} is {number(mine[off])} in your "
                         f"table but it has {truth[off]:,.0f} invoices.")


@friendly("a DataFrame with the columns account_id, r, f and m, whole scores from 1 to 5")
def check_rfm_scores(answer: pd.DataFrame, profiles: pd.DataFrame, *,
                     bins: int = 5) -> Feedback:
    """Check R, F, M scores 1..``bins`` against the kit's rule (:func:`kamlib.segments.
    rfm_scores`): accounts ranked worst to best, equal values sharing the average of their
    positions, score = floor((rank - 0.5) x bins / n) + 1. Equal values, equal scores.

    Examples
    --------
    >>> prof = pd.DataFrame({"account_id": list("abcde"), "recency_days": [5, 9, 20, 40, 90],
    ...                      "frequency": [9, 7, 5, 3, 1], "monetary": [50, 40, 30, 20, 10]})
    >>> right = prof[["account_id"]].assign(r=[5, 4, 3, 2, 1], f=[5, 4, 3, 2, 1], m=[5, 4, 3, 2, 1])
    >>> check_rfm_scores(right, prof).ok
    True
    >>> print(check_rfm_scores(right.assign(r=[1, 2, 3, 4, 5]), prof))
    Not yet: R is the wrong way round: you gave 5 to the accounts that bought longest ago. The most recent buyers (smallest recency_days) get 5.
    """
    answer = per_account(answer, ["r", "f", "m"], value="r")
    if isinstance(answer, Feedback):
        return answer
    truth = profiles.set_index("account_id")
    mine = answer.set_index("account_id")
    if set(mine.index) != set(truth.index):
        return Feedback.hint(f"Your table has {len(mine)} accounts, the profiles "
                             f"{len(truth)}: keep one row per account.")
    mine = mine.reindex(truth.index)
    rule = rfm_scores(truth.reset_index(), bins=bins).set_index("account_id")
    columns = {"r": ("recency_days", False), "f": ("frequency", True), "m": ("monetary", True)}
    for score, (column, high_is_good) in columns.items():
        s = pd.to_numeric(mine[score], errors="coerce")
        if s.isna().any() or not np.allclose(s, s.round()):
            return Feedback.hint(f"{score} must hold whole scores from 1 to {bins}.")
        if s.min() == 0 and s.max() == bins - 1:
            return Feedback.hint(f"Your {score} scores run from 0 to {bins - 1}: scores run "
                                 f"from 1 to {bins} (add 1).")
        if s.min() < 1 or s.max() > bins:
            return Feedback.hint(f"Your {score} scores run from {number(s.min())} to "
                                 f"{number(s.max())}: "
                                 f"give scores from 1 to {bins}.")
        values = truth[column].astype(float)
        good = values if high_is_good else -values
        if _follows(s, -good) and not _follows(s, good):
            best = ("the most recent buyers (smallest recency_days)" if score == "r" else
                    f"the accounts with the largest {column}")
            worst = ("bought longest ago" if score == "r" else f"have the smallest {column}")
            return Feedback.hint(f"{score.upper()} is the wrong way round: you gave {bins} to "
                                 f"the accounts that {worst}. {best[0].upper() + best[1:]} "
                                 f"get {bins}.")
        if not _follows(s, good):
            return Feedback.hint(f"{score} does not follow {column}: an account with a better "
                                 f"{column} than another must not get a lower score. Rank the "
                                 f"accounts first, then score the ranks.")
        split = s.groupby(values).nunique()
        if (split > 1).any():
            value = split[split > 1].index[0]
            return Feedback.hint(f"Accounts with the same {column} ({value:g}) got different "
                                 f"{score} scores: equal values must get equal scores. Rank "
                                 f"with .rank(method='average') (the default), not 'first'.")
        wrong = s != rule[score].reindex(s.index)
        if wrong.any():
            off = wrong[wrong].index[0]
            return Feedback.hint(f"{int(wrong.sum()):,} accounts have another {score} than the "
                                 f"rule gives, e.g. {str(off)!r}: {s[off]:g} instead of "
                                 f"{rule.loc[off, score]}. Score the ranks, not the values "
                                 f"(pd.cut cuts the values into equal widths): "
                                 f"floor((rank - 0.5) x {bins} / accounts) + 1.")
    top = int(((mine["r"] >= 4) & ((mine["f"] + mine["m"] + 1) // 2 >= 4)).sum())
    return Feedback.correct(f"{top:,} accounts score R 4-5 and FM 4-5: the segment "
                            f"\"Recent, high value\".")


def _follows(scores: pd.Series, values: pd.Series) -> bool:
    """True when a higher value never has a lower score (ties may be split either way)."""
    order = np.argsort(values.to_numpy(), kind="stable")
    v, s = values.to_numpy()[order], scores.to_numpy()[order]
    # the lowest score among each run of equal values must not be below an earlier maximum
    runs = np.r_[True, v[1:] != v[:-1]]
    run_id = np.cumsum(runs) - 1
    lows = pd.Series(s).groupby(run_id).min().to_numpy()
    highs = pd.Series(s).groupby(run_id).max().to_numpy()
    return bool((lows[1:] >= np.maximum.accumulate(highs)[:-1]).all())


EXERCISES = [
    Exercise("12.1", "Recency", "my_recency", check_recency, """\
last = practice.groupby("account_id")["last_date"].max()
my_recency = ((as_of - last).dt.days).rename("recency_days").reset_index()""",
             precision="whole days",
             steps="group practice by account_id, take the latest last_date (.max()), subtract "
                   "it from as_of and take whole days with .dt.days."),
    Exercise("12.2", "Frequency", "my_frequency", check_frequency, """\
my_frequency = (practice.groupby("account_id")["invoices"].sum()
                .rename("frequency").reset_index())""",
             steps='group practice by account_id and add up the invoices column (.sum()); '
                   'name it frequency and .reset_index().'),
    Exercise("12.3", "RFM scores", "my_scores", check_rfm_scores, """\
def score(values):
    # worst first; equal values share the average of their positions: equal scores
    rank = values.rank(method="average")
    return (np.floor((rank - 0.5) * 5 / len(values)) + 1).astype(int)

my_scores = p_profiles[["account_id"]].copy()
my_scores["r"] = score(-p_profiles["recency_days"])  # recent = small = best
my_scores["f"] = score(p_profiles["frequency"])
my_scores["m"] = score(p_profiles["monetary"])""",
             steps='rank the accounts from worst to best with .rank(method="average") (equal '
                   "values share a rank, so they get the same score), then score = floor((rank "
                   "- 0.5) x 5 / number of accounts) + 1; for recency rank the negative days: "
                   "the most recent buyers get 5."),
]
