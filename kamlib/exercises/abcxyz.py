"""Module 11 exercises: ABC classes, XYZ (cv, then classes), the 3x3 matrix.

The practice data are the last year of the window (see
:func:`kamlib.exercises.concentration.practice_window`); :func:`practice_monthly` lays the
months out with zeros, so the cv is three lines of pandas rather than a grid to build.

Examples
--------
>>> import pandas as pd
>>> totals = pd.DataFrame({"account_id": list("abcd"), "revenue": [70.0, 20.0, 6.0, 4.0]})
>>> check_abc_classes({"a": "A", "b": "A", "c": "B", "d": "C"}, totals).ok
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, window_mask
from kamlib.abcxyz import abc_classes, xyz_classes
from kamlib.exercises.answers import describe, number, two_numbers
from kamlib.exercises.feedback import Feedback, friendly, per_account
from kamlib.exercises.registry import Exercise

__all__ = ["practice_monthly", "check_abc_classes", "check_xyz", "check_xyz_classes",
           "check_abc_xyz_matrix", "EXERCISES"]


def practice_monthly(account_month: pd.DataFrame, start: DateLike, end: DateLike, *,
                     account: str = "account_id", value: str = "revenue") -> pd.DataFrame:
    """One row per account and month of its series: from its first purchase in the window
    to the window's end, months without a purchase as 0 (the series XYZ measures).

    Examples
    --------
    >>> cube = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [10.0, 12.0, 5.0],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-02-01"])})
    >>> practice_monthly(cube, "2024-01-01", "2024-03-31")
      account_id      month  revenue
    0          a 2024-01-01     10.0
    1          a 2024-02-01      0.0
    2          a 2024-03-01     12.0
    3          b 2024-02-01      5.0
    4          b 2024-03-01      0.0
    """
    rows = account_month.loc[window_mask(account_month, "period", start, end, "M",
                                         "practice_monthly")]
    months = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")
    buckets = rows["period"].dt.to_period("M")
    grid = (rows[value].groupby([rows[account], buckets]).sum().unstack(fill_value=0.0)
            .reindex(columns=months, fill_value=0.0))
    long = grid.stack().rename(value).rename_axis([account, "month"]).reset_index()
    first = long[account].map(buckets.groupby(rows[account]).min())
    long = long[long["month"] >= first].reset_index(drop=True)
    long["month"] = long["month"].dt.to_timestamp()
    return long


def _labels(answer, account: str, column: str) -> pd.Series | Feedback:
    """The answer as a Series account -> class, from a frame, a Series or a dict."""
    if isinstance(answer, dict):
        answer = pd.Series(answer)
    if isinstance(answer, pd.DataFrame):
        answer = per_account(answer, [column], account=account)
        if isinstance(answer, Feedback):
            return answer
        answer = answer.set_index(account)[column]
    if not isinstance(answer, pd.Series):
        return Feedback.hint(f"Give a table (DataFrame) with the columns {account} and "
                             f"{column}; yours is {describe(answer)}.")
    if answer.index.duplicated().any():
        return Feedback.hint("Your answer has one row per account and month: add the months "
                             f"up per account first, e.g. groupby('{account}')['revenue'].sum().")
    return answer


def _class_problems(mine: pd.Series, truth: pd.Series, allowed: str) -> Feedback | None:
    """Hints shared by ABC and XYZ: missing accounts, missing or unknown labels."""
    missing = truth.index.difference(mine.index)
    if len(missing):
        return Feedback.hint(f"{len(missing)} account(s) have no class, e.g. "
                             f"{str(missing[0])!r}: every account gets one.")
    if mine.isna().any():
        return Feedback.hint(f"{int(mine.isna().sum())} account(s) have an empty class: every "
                             f"account gets one of {', '.join(allowed)}.")
    found = set(mine.astype(str))
    if found <= set(allowed.lower()) | set(allowed):
        return None if found <= set(allowed) else Feedback.hint(
            f"Use capital letters: {', '.join(allowed)}.")
    return Feedback.hint(f"Classes must be {', '.join(allowed)}; your answer also has "
                         f"{', '.join(sorted(found - set(allowed)))}.")


@friendly("a DataFrame with the columns account_id and abc (A, B or C), one row per account")
def check_abc_classes(answer, totals: pd.DataFrame, *, account: str = "account_id",
                      value: str = "revenue",
                      cutoffs: tuple[float, float] = (0.8, 0.95)) -> Feedback:
    """Check ABC classes (a frame with ``account`` and ``abc``, or a Series/dict by account).

    Examples
    --------
    >>> totals = pd.DataFrame({"account_id": list("abcd"), "revenue": [70.0, 20.0, 6.0, 4.0]})
    >>> print(check_abc_classes({"a": "A", "b": "B", "c": "B", "d": "C"}, totals))
    Not yet: The account that crosses 80% belongs to A: without it A does not reach 80%.
    """
    mine = _labels(answer, account, "abc")
    if isinstance(mine, Feedback):
        return mine
    truth = abc_classes(totals, account=account, value=value, cutoffs=cutoffs).set_index(account)
    problem = _class_problems(mine, truth["abc"], "ABC")
    if problem is not None:  # a Feedback that is not ok is falsy
        return problem
    mine = mine.reindex(truth.index).astype(str)
    counts = {c: int((truth["abc"] == c).sum()) for c in "ABC"}
    # Equal accounts at a cut may be split either way: compare the classes per value.
    per_value = [labels.groupby(truth[value]).agg(lambda s: "".join(sorted(s)))
                 for labels in (mine, truth["abc"])]
    if per_value[0].equals(per_value[1]):
        return Feedback.correct(", ".join(f"{counts[c]} {c}" for c in "ABC") + " accounts.")
    low, high = (f"{c:.0%}" for c in cutoffs)
    rank = truth["rank"]
    first_b = rank[truth["abc"] == "B"].min() if counts["B"] else None
    # Ranked smallest first, the largest accounts end up B or C (once the largest has under
    # 20%), or everything is A: either way A is not where the largest account is.
    largest = truth[value] == truth[value].max()  # ties: any of them may be A
    is_a = mine == "A"
    if (is_a.any() and not is_a[largest].any()) or (is_a.all() and counts["A"] < len(mine)):
        return Feedback.hint(f"A goes to the largest accounts; you gave A to the smallest. "
                             f"Rank by {value}, largest first (sort_values(ascending=False)): "
                             f"A are the accounts that make the first {low} of {value}.")
    if (mine == "A").sum() == counts["A"] - 1 and mine[rank == counts["A"]].iloc[0] == "B":
        return Feedback.hint(f"The account that crosses {low} belongs to A: without it A "
                             f"does not reach {low}.")
    b_end = counts["A"] + counts["B"]
    if first_b is not None and (mine == "B").sum() == counts["B"] - 1 \
            and mine[rank == b_end].iloc[0] == "C":
        return Feedback.hint(f"The account that crosses {high} belongs to B: without it A and "
                             f"B do not reach {high}.")
    n = len(truth)
    if (mine == "A").sum() in (int(np.floor(n * (1 - cutoffs[0]))),
                               int(np.ceil(n * (1 - cutoffs[0])))):
        return Feedback.hint(f"You cut by the share of accounts; ABC cuts the cumulative share "
                             f"of {value}: A is the accounts that make the first {low}.")
    wrong = truth.index[mine != truth["abc"]]
    return Feedback.hint(f"{len(wrong)} account(s) are in the wrong class, e.g. "
                         f"{str(wrong[0])!r}. Rank by {value}, largest first, cumulate the "
                         f"shares: A up to the account that crosses {low}, B up to {high}.")


def _variants(frame, account, value, period, freq, start, end, n_periods) -> pd.DataFrame:
    """cv per account as the usual mistakes compute it, from per-period sums and squares."""
    rows = frame.loc[window_mask(frame, period, start, end, freq, "check_xyz")]
    buckets = rows[period].dt.to_period(freq)
    sums = rows[value].groupby([rows[account], buckets]).sum()
    s, q = sums.groupby(level=0).sum(), (sums**2).groupby(level=0).sum()
    window = len(pd.period_range(buckets.min() if start is None else pd.Timestamp(start),
                                 buckets.max() if end is None else pd.Timestamp(end), freq=freq))
    counts = {"right": n_periods.reindex(s.index), "bought": sums.groupby(level=0).size(),
              "window": pd.Series(window, index=s.index)}
    out = {}
    for name, n in counts.items():
        mean = s / n
        var = (q / n - mean**2).clip(lower=0)
        out[name] = np.sqrt(var) / mean
        out[name + "_ddof1"] = np.sqrt(var * n / (n - 1).where(n > 1)) / mean
    out["inverted"] = 1 / out["right"]
    return pd.DataFrame(out)


_XYZ_HINTS = {
    "right_ddof1": "You used the sample standard deviation (ddof=1, the pandas default); "
                   "the course uses the population std: .std(ddof=0).",
    "bought": "You ignored months with no purchase: a month without revenue counts as 0, "
              "so fill the missing months with 0 before computing the cv.",
    "bought_ddof1": "You ignored months with no purchase (they count as 0) and used the "
                    "sample std (ddof=1); use all months and .std(ddof=0).",
    "window": "You counted the months before an account's first purchase as 0: an account's "
              "series starts at its first purchase.",
    "window_ddof1": "You counted the months before the first purchase and used ddof=1.",
    "inverted": "cv is the standard deviation divided by the mean, not the other way round.",
}


@friendly("a DataFrame with the columns account_id and cv (and xyz), one row per account")
def check_xyz(answer: pd.DataFrame, frame: pd.DataFrame, *, account: str = "account_id",
              value: str = "revenue", period: str = "period", freq: str = "M",
              cutoffs: tuple[float, float] = (0.5, 1.0), min_periods: int = 3,
              start: DateLike = None, end: DateLike = None) -> Feedback:
    """Check an XYZ answer: a frame with ``account`` and ``cv`` and/or ``xyz``.

    The cv is compared where it is defined (three decimals suffice), then the classes.

    Examples
    --------
    >>> cube = pd.DataFrame({"account_id": ["a", "a", "a"], "revenue": [10.0, 12.0, 8.0],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])})
    >>> print(check_xyz(pd.DataFrame({"account_id": ["a"], "cv": [0.2]}), cube))
    ... # doctest: +NORMALIZE_WHITESPACE
    Not yet: You used the sample standard deviation (ddof=1, the pandas default); the course
    uses the population std: .std(ddof=0).
    """
    keys = dict(account=account, value=value, period=period, freq=freq, start=start, end=end)
    truth = xyz_classes(frame, cutoffs=cutoffs, min_periods=min_periods, **keys)
    truth = truth.set_index(account)
    if not isinstance(answer, pd.DataFrame) or not {"cv", "xyz"} & set(answer.columns):
        got = (f"a table with the columns {', '.join(map(str, answer.columns))}"
               if isinstance(answer, pd.DataFrame) else describe(answer))
        return Feedback.hint(f"Give a table (DataFrame) with the columns {account} and cv "
                             f"(and xyz); yours is {got}.")
    answer = per_account(answer, [c for c in ("cv", "xyz") if c in answer], account=account,
                         value=value)
    if isinstance(answer, Feedback):
        return answer
    mine = answer.set_index(account)
    missing = truth.index.difference(mine.index)
    if len(missing):
        return Feedback.hint(f"{len(missing)} account(s) are missing, e.g. {str(missing[0])!r}:"
                             " every account with a purchase in the window gets a row.")
    if "cv" in mine:
        cv = pd.to_numeric(mine["cv"], errors="coerce").reindex(truth.index)
        defined = truth["cv"].notna()
        off = ~np.isclose(cv[defined], truth.loc[defined, "cv"], rtol=0, atol=5e-4)
        if off.any():
            variants = _variants(frame, account, value, period, freq, start, end,
                                 truth["n_periods"]).reindex(truth.index)[defined]
            wrong_cv = cv[defined][off]
            for name, hint in _XYZ_HINTS.items():
                # the mistake explains (nearly) every account that is off: a few accounts
                # with credit notes may differ for other reasons
                same = np.isclose(wrong_cv, variants[name][off], rtol=0, atol=5e-4,
                                  equal_nan=True)
                if same.mean() >= 0.9:
                    return Feedback.hint(hint)
            if np.allclose(cv[defined], truth.loc[defined, "cv"], rtol=0, atol=6e-3):
                return Feedback.hint("Right to two decimals. Give three decimals, as the task "
                                     "asks: e.g. my_xyz['cv'].round(3).")
            wrong = truth.index[defined][off][0]
            said = two_numbers(cv[wrong], truth.loc[wrong, "cv"])
            return Feedback.hint(f"The cv of account {str(wrong)!r} is {said[0]} in your "
                                 f"answer, {said[1]} in the data: std "
                                 f"(ddof=0) / mean of {value} per period, empty periods as 0.")
    if "xyz" in mine:
        labels = mine["xyz"]
        problem = _class_problems(labels, truth["xyz"], "XYZ")
        if problem is not None:
            return problem
        labels = labels.reindex(truth.index).astype(str)
        # a cv given to three decimals may land on a limit: either class is right there
        borderline = pd.concat([(truth["cv"] - c).abs() <= 5e-4 for c in cutoffs], axis=1)
        wrong = (labels != truth["xyz"]) & ~borderline.any(axis=1)
        if wrong.any():
            few = truth["n_periods"] < min_periods
            if (wrong & ~few).sum() == 0:
                return Feedback.hint(f"Accounts with fewer than {min_periods} periods are Z: "
                                     "too short a history to call them regular.")
            low, high = (f"{c:g}" for c in cutoffs)
            return Feedback.hint(f"{int(wrong.sum())} account(s) are in the wrong class, e.g. "
                                 f"{str(truth.index[wrong][0])!r}: X if cv <= {low}, Y if cv "
                                 f"<= {high}, Z otherwise or with too few periods.")
    counts = truth["xyz"].value_counts().reindex(list("XYZ"), fill_value=0)
    return Feedback.correct(", ".join(f"{n} {c}" for c, n in counts.items()) + " accounts.")


@friendly("a DataFrame of counts with rows A, B, C and columns X, Y, Z, e.g. from pd.crosstab")
def check_abc_xyz_matrix(answer: pd.DataFrame, abc: pd.DataFrame, xyz: pd.DataFrame, *,
                         account: str = "account_id") -> Feedback:
    """Check a 3x3 matrix of account counts: rows A, B, C; columns X, Y, Z.

    Examples
    --------
    >>> abc = pd.DataFrame({"account_id": ["a", "b"], "abc": ["A", "C"]})
    >>> xyz = pd.DataFrame({"account_id": ["a", "b"], "xyz": ["X", "Z"]})
    >>> print(check_abc_xyz_matrix(pd.crosstab(abc["abc"], xyz["xyz"]), abc, xyz))
    ... # doctest: +NORMALIZE_WHITESPACE
    Not yet: Your matrix has 2 rows and 2 columns: all nine cells are needed, empty ones as 0
    (reindex the rows to A, B, C and the columns to X, Y, Z).
    """
    both = abc[[account, "abc"]].merge(xyz[[account, "xyz"]], on=account)
    truth = pd.crosstab(both["abc"], both["xyz"]).reindex(
        index=list("ABC"), columns=list("XYZ"), fill_value=0)
    if not isinstance(answer, pd.DataFrame):
        return Feedback.hint(f"Give a table (DataFrame, e.g. from pd.crosstab), not "
                             f"{describe(answer)}.")
    rows, cols = [str(i) for i in answer.index], [str(c) for c in answer.columns]
    if set(rows) <= set("XYZ") and set(cols) <= set("ABC"):
        return Feedback.hint("Your matrix is transposed: rows are A, B, C and columns X, Y, Z.")
    if sorted(rows) == list("ABC") and sorted(cols) == list("XYZ"):  # any order is right
        answer = answer.set_axis(rows, axis=0).set_axis(cols, axis=1).reindex(
            index=list("ABC"), columns=list("XYZ"))
        rows, cols = list("ABC"), list("XYZ")
    if "All" in rows or "All" in cols:
        return Feedback.hint("Leave out the totals row and column (margins=True adds them): "
                             "the matrix has the nine cells only.")
    if rows != list("ABC") or cols != list("XYZ"):
        if set(rows) < set("ABC") or set(cols) < set("XYZ"):
            return Feedback.hint(f"Your matrix has {len(rows)} rows and {len(cols)} columns: "
                                 "all nine cells are needed, empty ones as 0 (reindex the rows "
                                 "to A, B, C and the columns to X, Y, Z).")
        return Feedback.hint(f"Rows must be A, B, C and columns X, Y, Z; your rows are "
                             f"{', '.join(rows)} and your columns {', '.join(cols)}.")
    mine = answer.to_numpy(dtype=float)
    if np.isclose(mine.sum(), 1.0) and len(both) > 1:
        return Feedback.hint("Your cells are shares: the question asks for the number of "
                             "accounts in each cell.")
    if mine.sum() != len(both):
        return Feedback.hint(f"Your counts add up to {number(mine.sum())}, but there are "
                             f"{len(both)} accounts: each account is in exactly one cell.")
    by_position = pd.crosstab(abc["abc"], xyz["xyz"]).reindex(
        index=list("ABC"), columns=list("XYZ"), fill_value=0)
    if not np.array_equal(mine, truth.to_numpy()) and \
            np.array_equal(mine, by_position.to_numpy()):
        return Feedback.hint("You paired the rows of abc and xyz by their position, not by "
                             "account: merge them on account_id first (abc.merge(xyz, "
                             "on='account_id')), then count with pd.crosstab.")
    if not np.array_equal(mine, truth.to_numpy()):
        i, j = np.argwhere(mine != truth.to_numpy())[0]
        return Feedback.hint(f"Cell {'ABC'[i]}{'XYZ'[j]} should hold {truth.iat[i, j]} "
                             f"accounts, yours {number(mine[i, j])}.")
    return Feedback.correct(f"The fullest cell is {''.join(truth.stack().idxmax())}.")


@friendly("a DataFrame with the columns account_id, cv and xyz (X, Y or Z), one row per account")
def check_xyz_classes(answer: pd.DataFrame, frame: pd.DataFrame, **options) -> Feedback:
    """Like :func:`check_xyz`, but the ``xyz`` column is required (the step after the cv).

    Examples
    --------
    >>> cube = pd.DataFrame({"account_id": ["a", "a", "a"], "revenue": [10.0, 12.0, 8.0],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])})
    >>> print(check_xyz_classes(pd.DataFrame({"account_id": ["a"], "cv": [0.163]}), cube))
    Not yet: Add the column xyz to my_xyz: X if cv <= 0.5, Y if cv <= 1.0, otherwise Z.
    """
    if isinstance(answer, pd.DataFrame) and "xyz" not in answer.columns:
        low, high = options.get("cutoffs", (0.5, 1.0))
        return Feedback.hint(f"Add the column xyz to my_xyz: X if cv <= {low:.1f}, Y if cv <= "
                             f"{high:.1f}, otherwise Z.")
    return check_xyz(answer, frame, **options)


EXERCISES = [
    Exercise("11.1", "ABC classes", "my_abc", check_abc_classes, """\
ranked = practice.sort_values("revenue", ascending=False)
ranked["before"] = ranked["revenue"].cumsum().shift(fill_value=0) / ranked["revenue"].sum()
ranked["abc"] = np.select([ranked["before"] < 0.8, ranked["before"] < 0.95], ["A", "B"], "C")
my_abc = ranked[["account_id", "abc"]]""",
             steps="sort practice by revenue, largest first; the share of revenue of the "
                   "accounts before each one is cumsum().shift(fill_value=0) / the total; "
                   "below 0.8 is A, below 0.95 is B, the rest C (np.select)."),
    Exercise("11.2", "The coefficient of variation (step 1 of 2)", "my_xyz", check_xyz, """\
per_account = monthly.groupby("account_id")["revenue"]
my_xyz = (per_account.std(ddof=0) / per_account.mean()).round(3).rename("cv").reset_index()""",
             precision="three decimals",
             steps='group monthly by account_id and take revenue; cv = .std(ddof=0) / .mean(); '
                   'round to three decimals, name it cv (.rename("cv")) and .reset_index().'),
    Exercise("11.3", "XYZ classes (step 2 of 2)", "my_xyz", check_xyz_classes, """\
per_account = monthly.groupby("account_id")["revenue"]
my_xyz = (per_account.std(ddof=0) / per_account.mean()).round(3).rename("cv").reset_index()
my_xyz["xyz"] = np.select([my_xyz["cv"] <= 0.5, my_xyz["cv"] <= 1.0], ["X", "Y"], "Z")
months = my_xyz["account_id"].map(monthly.groupby("account_id").size())
my_xyz.loc[months < 3, "xyz"] = "Z"  # too short a history to call it regular""",
             steps='add a column xyz with np.select: X where cv <= 0.5, Y where cv <= 1.0, Z '
                   "otherwise; then Z for the accounts with fewer than 3 months in monthly."),
    Exercise("11.4", "The matrix of counts", "my_matrix", check_abc_xyz_matrix, """\
both = p_abc.merge(p_xyz, on="account_id")
my_matrix = pd.crosstab(both["abc"], both["xyz"])
my_matrix = my_matrix.reindex(index=["A", "B", "C"], columns=["X", "Y", "Z"], fill_value=0)""",
             steps='merge p_abc and p_xyz on account_id, count with pd.crosstab(both["abc"], '
                   'both["xyz"]), then reindex the rows to A, B, C and the columns to X, Y, Z '
                   "with fill_value=0."),
]
