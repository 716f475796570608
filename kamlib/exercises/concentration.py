"""Module 10 exercises: Pareto table, the vital few, Gini, HHI; checks and solutions.

Each check takes the trainee's answer and the per-account totals the exercise gave out
(:func:`practice_totals`: the last year of the window, which the worked example does not
show; extra numeric columns such as ``invoices`` let the checks recognise "ranked the wrong
column").

Examples
--------
>>> import pandas as pd
>>> totals = pd.DataFrame({"account_id": list("abcde"),
...                        "revenue": [60.0, 25.0, 10.0, 3.0, 2.0]})
>>> check_accounts_for_target(2, totals).ok
True
>>> print(check_accounts_for_target(1, totals))  # doctest: +NORMALIZE_WHITESPACE
Not yet: Off by one: you counted the accounts strictly below 80%. The account that crosses
80% belongs to the vital few: without it the 80% is not reached.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, accounts_for
from kamlib.concentration import account_totals, accounts_for_target, gini, hhi
from kamlib.exercises.answers import column_kind, describe, number, two_numbers
from kamlib.exercises.feedback import Feedback, close, friendly, per_account, rounding_hint
from kamlib.exercises.feedback import is_number as _number
from kamlib.exercises.registry import Exercise

_ROUNDED = 5e-4 + 1e-9  # a value rounded to three decimals (or more) is still right

__all__ = ["practice_window", "practice_totals", "check_pareto_table",
           "check_accounts_for_target", "check_share_of_accounts", "check_gini", "check_hhi",
           "EXERCISES"]


def practice_window(start: DateLike, end: DateLike, months: int = 12) -> dict:
    """The last ``months`` months of the window [start, end]: practice data whose answers
    the worked example (the whole window) does not print.

    Examples
    --------
    >>> practice_window("2023-01-01", "2025-12-31")
    {'start': '2025-01-01', 'end': '2025-12-31'}
    >>> practice_window("2025-06-01", "2025-12-31")
    {'start': '2025-06-01', 'end': '2025-12-31'}
    """
    end_ts = pd.Timestamp(end)
    first = (end_ts.to_period("M") - (months - 1)).to_timestamp()
    start_ts = max(first, pd.Timestamp(start))
    return {"start": str(start_ts.date()), "end": str(end_ts.date())}


def practice_totals(account_month: pd.DataFrame, start: DateLike, end: DateLike) -> pd.DataFrame:
    """One row per account: revenue and invoices in the window; negative accounts left out.

    Examples
    --------
    >>> cube = pd.DataFrame({"account_id": ["a", "a", "b", "c"],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01", "2024-02-01"]),
    ...     "revenue": [50.0, 30.0, 20.0, -5.0], "invoices": [2, 1, 1, 1]})
    >>> practice_totals(cube, "2024-02-01", "2024-02-29")
      account_id  revenue  invoices
    0          a     30.0         1
    1          b     20.0         1
    """
    window = {"start": start, "end": end}
    totals = account_totals(account_month, **window)
    invoices = account_totals(account_month, value="invoices", **window)
    both = totals.merge(invoices.astype({"invoices": "int64"}), on="account_id")
    return both[both["revenue"] >= 0].reset_index(drop=True)


@friendly("a DataFrame with one row per account and the columns account_id, revenue, share "
          "and cum_share, largest account first")
def check_pareto_table(answer: pd.DataFrame, totals: pd.DataFrame, *,
                       account: str = "account_id", value: str = "revenue") -> Feedback:
    """Check a Pareto table: one row per account, largest first, ``share`` and ``cum_share``.

    Examples
    --------
    >>> from kamlib.concentration import pareto_table
    >>> totals = pd.DataFrame({"account_id": list("abc"), "revenue": [20.0, 50.0, 30.0]})
    >>> check_pareto_table(pareto_table(totals), totals).ok
    True
    >>> wrong = pareto_table(totals).iloc[::-1]
    >>> check_pareto_table(wrong, totals).message[:20]
    'You sorted ascending'
    """
    required = [account, value, "share", "cum_share"]
    if isinstance(answer, pd.DataFrame) and value not in answer.columns:
        others = [c for c in totals.columns if c not in (account, value) and c in answer]
        if others:
            return Feedback.hint(f"Wrong column names: expected {required}. You have "
                                 f"{others[0]!r}: the table ranks {value}, not {others[0]}.")
    answer = per_account(answer, required[1:], account=account, value=value)
    if isinstance(answer, Feedback):
        return answer
    truth = totals.set_index(account)
    if set(answer[account]) != set(truth.index):
        return Feedback.hint(f"Your table has {len(answer)} accounts, the data "
                             f"{len(truth)}: keep exactly one row per account.")
    mine = answer.set_index(account)
    if not pd.api.types.is_numeric_dtype(mine[value]):
        return Feedback.hint(f"Your {value} column holds {column_kind(mine[value])}, not numbers.")
    for col in [value, *truth.select_dtypes("number").columns.drop(value, errors="ignore")]:
        if np.allclose(mine[value].astype(float), truth.loc[mine.index, col].astype(float)):
            break
    else:
        col = None
    if col != value:
        if col is not None:
            return Feedback.hint(f"Your {value} column holds each account's {col}: you used "
                                 f"the {col} instead of {value}.")
        off = ~np.isclose(mine[value].astype(float), truth.loc[mine.index, value])
        wrong = mine.index[np.argmax(off)]
        said = two_numbers(mine.loc[wrong, value], truth.loc[wrong, value])
        return Feedback.hint(f"The {value} of account {str(wrong)!r} is {said[0]} in your "
                             f"table but {said[1]} in the data.")
    values = answer[value].to_numpy(dtype=float)
    if len(values) > 1 and (np.diff(values) >= 0).all() and values[0] < values[-1]:
        return Feedback.hint("You sorted ascending: the largest account comes first "
                             "(sort_values(ascending=False)).")
    if (np.diff(values) > 0).any():
        return Feedback.hint(f"The rows are not sorted by {value}, largest first.")
    share, cum = answer["share"].to_numpy(dtype=float), answer["cum_share"].to_numpy(dtype=float)
    right_share = values / values.sum()
    if np.isnan(share).any() or np.isnan(cum).any():
        return Feedback.hint("Some shares are empty (NaN): every account has a share of "
                             f"the total {value}.")
    # no precision is asked: any rounding to three decimals or more is right
    if np.allclose(share, right_share, rtol=0, atol=_ROUNDED) and \
            np.allclose(cum, np.cumsum(right_share), rtol=0, atol=_ROUNDED):
        return Feedback.correct(f"The largest account makes {share[0]:.1%} of {value}.")
    if np.allclose(share, 100 * right_share, rtol=0, atol=100 * _ROUNDED):
        return Feedback.hint("Your shares sum to 100: give them as fractions (0.25, not 25).")
    if not np.allclose(share, right_share, rtol=0, atol=_ROUNDED):
        if close(share.sum(), 1.0, tol=1e-6):
            return Feedback.hint(f"share should be each account's {value} / the total "
                                 f"{value} of all accounts.")
        return Feedback.hint(f"Your shares do not sum to 1 (they sum to "
                             f"{number(share.sum())}): divide each {value} by the total "
                             f"{value} of all accounts.")
    if np.allclose(cum, np.cumsum(share), rtol=0, atol=1e-9) and \
            not close(cum[-1], 1.0, tol=_ROUNDED):
        return Feedback.hint("You rounded the shares before the running total, so it ends at "
                             f"{number(cum[-1])}, not 1: take cumsum() of the unrounded "
                             "shares (round at the end, or not at all).")
    if close(cum.max(), 1.0, tol=1e-6) and (np.diff(cum) < -1e-12).any():
        return Feedback.hint("cum_share goes down in places: you took the running total "
                             "before sorting. Sort first, then cumsum().")
    if not close(cum[-1], 1.0, tol=_ROUNDED):
        why = (f" You cumulated the {value}, not the shares." if close(cum[-1], values.sum())
               else "")
        return Feedback.hint(f"The cumulative share should end at 1.0; yours ends at "
                             f"{number(cum[-1])}.{why}")
    return Feedback.hint("cum_share is not the running total of share down your rows: "
                         "sort first, then cumsum().")




@friendly("a whole number of accounts, such as 120")
def check_accounts_for_target(answer: object, totals: pd.DataFrame, target: float = 0.8, *,
                              account: str = "account_id", value: str = "revenue") -> Feedback:
    """Check the number of top accounts that make ``target`` of the total (the vital few).

    Examples
    --------
    >>> totals = pd.DataFrame({"account_id": list("abcde"),
    ...                        "revenue": [60.0, 25.0, 10.0, 3.0, 2.0]})
    >>> print(check_accounts_for_target(0.4, totals))
    Not yet: That is a share of accounts; the question asks how many accounts make 80%.
    """
    k = accounts_for_target(totals, account=account, value=value, target=target)
    n = len(totals)
    pct = f"{target:.0%}"
    if not _number(answer):
        return Feedback.hint(f"Give a whole number of accounts, not {describe(answer)}.")
    if answer == k:
        return Feedback.correct(f"{k:,} of {n:,} accounts ({k / n:.1%}) make {pct} of {value}.")
    if 0 < answer < 1 or close(answer, 100 * k / n, tol=0.05):
        return Feedback.hint(f"That is a share of accounts; the question asks how many "
                             f"accounts make {pct}.")
    if answer == k - 1:
        return Feedback.hint(f"Off by one: you counted the accounts strictly below {pct}. The "
                             f"account that crosses {pct} belongs to the vital few: without it "
                             f"the {pct} is not reached.")
    if answer == k + 1:
        return Feedback.hint(f"One too many: stop at the first account whose cumulative share "
                             f"reaches {pct}.")
    ascending = np.sort(totals[value].to_numpy(dtype=float))
    if answer == accounts_for(np.cumsum(ascending) / ascending.sum(), target):
        return Feedback.hint("You counted from the smallest accounts: rank the largest first.")
    if answer in (int(np.floor(n * (1 - target))), int(np.ceil(n * (1 - target)))):
        return Feedback.hint(f"That is the 80/20 rule of thumb ({1 - target:.0%} of {n:,} "
                             f"accounts), not what the data say: count down the ranked table.")
    return Feedback.hint(f"Rank the accounts by {value}, largest first, cumulate their shares "
                         f"and count the accounts until the cumulative share reaches {pct}.")


@friendly("a number between 0 and 1 with three decimals, such as 0.125")
def check_share_of_accounts(answer: object, totals: pd.DataFrame, target: float = 0.8, *,
                            account: str = "account_id", value: str = "revenue") -> Feedback:
    """Check the share of accounts (a fraction; three decimals suffice) that make ``target``.

    Examples
    --------
    >>> totals = pd.DataFrame({"account_id": list("abcde"),
    ...                        "revenue": [60.0, 25.0, 10.0, 3.0, 2.0]})
    >>> check_share_of_accounts(0.4, totals).ok, check_share_of_accounts(40, totals).ok
    (True, False)
    """
    k = accounts_for_target(totals, account=account, value=value, target=target)
    n = len(totals)
    share = k / n
    if not _number(answer):
        return Feedback.hint(f"Give a number between 0 and 1, not {describe(answer)}.")
    if close(answer, share):
        return Feedback.correct(f"{share:.1%} of the accounts make {target:.0%} of {value}.")
    if close(answer, 100 * share, tol=0.05):
        return Feedback.hint("You gave a percentage: give the share as a fraction (0.143, "
                             "not 14.3).")
    if answer == k:
        return Feedback.hint("That is the number of accounts: divide it by the number of "
                             "all accounts.")
    if close(answer, (k - 1) / n):
        return Feedback.hint(f"Off by one: the account that crosses {target:.0%} belongs to "
                             f"the vital few.")
    if close(answer, 1 - share):
        return Feedback.hint("That is the share of the other accounts (the trivial many).")
    if close(answer, target):
        return Feedback.hint(f"{target:.0%} is the share of {value}; the question asks what "
                             "share of the accounts makes it.")
    if rounding_hint(answer, share):
        return Feedback.hint(rounding_hint(answer, share))
    return Feedback.hint(f"Count the accounts that make {target:.0%} of {value} (largest "
                         "first) and divide by the number of accounts.")


@friendly("a number between 0 and 1 with three decimals, such as 0.512")
def check_gini(answer: object, totals: pd.DataFrame, *, value: str = "revenue") -> Feedback:
    """Check a Gini coefficient of the per-account totals (three decimals suffice).

    Examples
    --------
    >>> totals = pd.DataFrame({"revenue": [60.0, 25.0, 10.0, 3.0, 2.0]})
    >>> check_gini(0.552, totals).ok, check_gini(55.2, totals).message[:27]
    (True, 'You gave a percentage: give')
    """
    g = gini(totals[value])
    n = len(totals)
    if not _number(answer):
        return Feedback.hint(f"Give a number, not {describe(answer)}.")
    if close(answer, g):
        return Feedback.correct(f"Gini = {g:.3f}.")
    if close(answer, 100 * g, tol=0.05):
        return Feedback.hint("You gave a percentage: give the Gini coefficient as a fraction "
                             "between 0 and 1.")
    if close(answer, -g):
        return Feedback.hint("Your Gini is negative: you sorted descending. The formula "
                             "needs the accounts in ascending order (smallest first).")
    if n > 1 and close(answer, g * n / (n - 1)):
        return Feedback.hint("You applied the small-sample correction n / (n - 1); the course "
                             "uses the plain formula.")
    if close(answer, (1 - g) / 2):
        return Feedback.hint("That is the area under the Lorenz curve: Gini = 1 - 2 x area.")
    if close(answer, 1 - g):
        return Feedback.hint("That is 1 - Gini (twice the area under the Lorenz curve).")
    if rounding_hint(answer, g):
        return Feedback.hint(rounding_hint(answer, g))
    if not 0 <= float(answer) < 1:
        return Feedback.hint("For non-negative amounts the Gini coefficient lies in [0, 1).")
    return Feedback.hint("Sort the totals ascending; Gini = sum((2i - n - 1) x_i) / (n sum x) "
                         "with i = 1..n.")


@friendly("a number, the sum of the squared shares (0 to 1), with four decimals")
def check_hhi(answer: object, totals: pd.DataFrame, *, value: str = "revenue") -> Feedback:
    """Check a Herfindahl-Hirschman index (sum of squared shares; the 0-10,000 scale is OK).

    Examples
    --------
    >>> totals = pd.DataFrame({"revenue": [60.0, 30.0, 10.0]})
    >>> check_hhi(0.46, totals).ok, check_hhi(4600, totals).ok, check_hhi(1.0, totals).ok
    (True, True, False)
    """
    h = hhi(totals[value])
    x = totals[value].to_numpy(dtype=float)
    if not _number(answer):
        return Feedback.hint(f"Give a number, not {describe(answer)}.")
    if close(answer, h, tol=5e-5):
        return Feedback.correct(f"HHI = {h:.4f}: like {1 / h:.1f} equal accounts.")
    if close(answer, 10_000 * h, tol=0.5):
        return Feedback.correct(f"HHI = {h * 10_000:,.0f} points (0-10,000 scale).")
    if close(answer, 1.0, tol=1e-9):
        return Feedback.hint("You summed the shares without squaring them (shares sum to 1).")
    if close(answer, float(x @ x), tol=1e-6 * float(x @ x)):
        return Feedback.hint(f"Square the shares, not the {value} amounts.")
    if close(answer, 1 / h, tol=5e-3):
        return Feedback.hint("That is 1 / HHI, the effective number of accounts.")
    if close(answer, float(np.sqrt(h)), tol=5e-5):
        return Feedback.hint("You took the square root at the end: the HHI is the sum of the "
                             "squared shares itself.")
    hint = rounding_hint(answer, h, decimals=4, fewest=2)
    if hint:
        return Feedback.hint(hint)
    return Feedback.hint(f"Divide each {value} by the total, square the shares, add them up.")


EXERCISES = [
    Exercise("10.1", "Build the Pareto table", "my_table", check_pareto_table, """\
my_table = practice[["account_id", "revenue"]].sort_values("revenue", ascending=False)
my_table["share"] = my_table["revenue"] / my_table["revenue"].sum()
my_table["cum_share"] = my_table["share"].cumsum()""",
             steps='take account_id and revenue from practice, sort by revenue, largest first '
                   '(sort_values("revenue", ascending=False)), add share = revenue / the sum '
                   "of revenue, then cum_share = share.cumsum()."),
    Exercise("10.2", "How many accounts make 80%?", "my_count", check_accounts_for_target,
             """\
ranked = practice.sort_values("revenue", ascending=False)
cum_share = ranked["revenue"].cumsum() / ranked["revenue"].sum()
# the accounts before the 80% line, plus the one that crosses it
my_count = int((cum_share < 0.8).sum()) + 1""",
             steps="in the table of 10.1, count the rows whose cum_share is below 0.8 "
                   "((cum_share < 0.8).sum()), then add 1 for the account that crosses 80%."),
    Exercise("10.3", "Their share of all accounts", "my_share", check_share_of_accounts, """\
ranked = practice.sort_values("revenue", ascending=False)
cum_share = ranked["revenue"].cumsum() / ranked["revenue"].sum()
count = int((cum_share < 0.8).sum()) + 1  # as in 10.2
my_share = round(count / len(practice), 3)""", precision="three decimals",
             steps="divide the number of accounts of 10.2 by the number of all accounts "
                   "(len(practice)) and round to three decimals with round(x, 3)."),
    Exercise("10.4", "The Gini coefficient", "my_gini", check_gini, """\
x = np.sort(practice["revenue"].to_numpy())  # smallest first
n = len(x)
i = np.arange(1, n + 1)
my_gini = round(float(((2 * i - n - 1) * x).sum() / (n * x.sum())), 3)""",
             precision="three decimals",
             steps="sort the revenues ascending with np.sort, number them i = 1 to n with "
                   "np.arange(1, n + 1), add up (2i - n - 1) x revenue, divide by n x the total "
                   "revenue and round to three decimals."),
    Exercise("10.5", "The Herfindahl-Hirschman index", "my_hhi", check_hhi, """\
share = practice["revenue"] / practice["revenue"].sum()
my_hhi = round(float((share ** 2).sum()), 4)""", precision="four decimals",
             steps="divide each account's revenue by the total revenue (its share), square "
                   "the shares (** 2), add them up and round to four decimals."),
]
