"""Module 02 exercises, the pandas primer: filter, group and sum, merge, sort.

The checks read ``accounts`` (one row per account: id, name, industry, region) and ``sales``
(one row per account and month: id, period, revenue), the two tables the primer hands out.

Examples
--------
>>> accounts = pd.DataFrame({"account_id": ["a", "b", "c"], "account_name": ["A", "B", "C"],
...                          "industry": ["Banking", "Retail", "Banking"]})
>>> sales = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [10.0, 5.0, 7.0]})
>>> print(check_filter(accounts[accounts["industry"] == "Banking"], accounts))
Correct. 2 Banking accounts.
>>> print(check_filter(accounts["industry"] == "Banking", accounts))  # doctest: +ELLIPSIS
Not yet: That is the True/False column that says which rows match: ...
"""

from __future__ import annotations

import pandas as pd

from kamlib.exercises.feedback import Feedback, friendly, per_account
from kamlib.exercises.registry import Exercise

__all__ = ["check_filter", "check_totals", "check_named", "check_top", "EXERCISES"]


@friendly("a DataFrame: the rows of accounts whose industry is the one asked for")
def check_filter(answer: object, accounts: pd.DataFrame, column: str = "industry",
                 value: str = "Banking") -> Feedback:
    """Check a filter: the rows of ``accounts`` where ``column == value``."""
    truth = accounts[accounts[column] == value]
    if isinstance(answer, pd.Series) and answer.dtype == bool:
        return Feedback.hint("That is the True/False column that says which rows match: use "
                             f"it to pick the rows, accounts[accounts['{column}'] == "
                             f"'{value}'].")
    answer = per_account(answer, [column], name="your table")
    if isinstance(answer, Feedback):
        return answer
    if set(answer[column]) - {value}:
        other = sorted(set(answer[column].astype(str)) - {value})[0]
        return Feedback.hint(f"Your table has rows with {column} {other!r}: keep only "
                             f"{value!r} (== compares, = assigns).")
    if set(answer["account_id"]) != set(truth["account_id"]):
        return Feedback.hint(f"Your table has {len(answer)} rows; accounts has {len(truth)} "
                             f"with {column} {value!r}: filter accounts itself, not a part "
                             "of it.")
    return Feedback.correct(f"{len(truth)} {value} accounts.")


def _totals(sales: pd.DataFrame) -> pd.Series:
    return sales.groupby("account_id")["revenue"].sum()


@friendly("a DataFrame with the columns account_id and revenue, one row per account")
def check_totals(answer: object, sales: pd.DataFrame) -> Feedback:
    """Check revenue per account: ``sales`` grouped by account and summed.

    Examples
    --------
    >>> sales = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [10.0, 5.0, 7.0]})
    >>> print(check_totals(sales.groupby("account_id")["revenue"].sum(), sales))
    ... # doctest: +ELLIPSIS
    Not yet: account_id is the index of your table, not a column: add .reset_index() ...
    """
    truth = _totals(sales)
    answer = per_account(answer, ["revenue"])
    if isinstance(answer, Feedback):
        return answer
    mine = answer.set_index("account_id")["revenue"]
    if set(mine.index) != set(truth.index):
        return Feedback.hint(f"Your table has {len(mine)} accounts, sales has {len(truth)}: "
                             "group all of sales, one row per account.")
    mine = pd.to_numeric(mine, errors="coerce").reindex(truth.index)
    if (mine - truth).abs().max() < 0.01:
        return Feedback.correct(f"{len(truth)} accounts, {truth.sum():,.0f} revenue in all.")
    counts = sales.groupby("account_id")["revenue"].size()
    if (mine == counts).all():
        return Feedback.hint("You counted the months (.size() or .count()): add the revenue "
                             "up with .sum().")
    means = sales.groupby("account_id")["revenue"].mean()
    if ((mine - means).abs() < 0.01).all():
        return Feedback.hint("That is the average per month (.mean()): add up with .sum().")
    wrong = (mine - truth).abs().idxmax()
    return Feedback.hint(f"Account {wrong!r} has {mine[wrong]:,.2f} in your table, "
                         f"{truth[wrong]:,.2f} in sales: groupby('account_id')['revenue']"
                         ".sum().")


@friendly("a DataFrame with account_id, account_name, industry and revenue, one row per account")
def check_named(answer: object, sales: pd.DataFrame, accounts: pd.DataFrame) -> Feedback:
    """Check the totals merged with ``accounts`` on ``account_id`` (names and industries).

    Examples
    --------
    >>> accounts = pd.DataFrame({"account_id": ["a", "b"], "account_name": ["A", "B"],
    ...                          "industry": ["Banking", "Retail"]})
    >>> sales = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [10.0, 5.0, 7.0]})
    >>> totals = sales.groupby("account_id", as_index=False)["revenue"].sum()
    >>> print(check_named(totals.merge(accounts, on="account_id"), sales, accounts))
    Correct. Every account has its name and industry.
    """
    if isinstance(answer, pd.DataFrame) and {"account_id_x", "account_id_y"} <= set(answer):
        return Feedback.hint("Your table has account_id_x and account_id_y: merge on the "
                             "account, merge(accounts, on='account_id').")
    answer = per_account(answer, ["account_name", "industry", "revenue"])
    if isinstance(answer, Feedback):
        return answer
    truth = _totals(sales).to_frame().join(accounts.set_index("account_id"))
    mine = answer.set_index("account_id")
    if set(mine.index) != set(truth.index):
        extra = len(set(mine.index) - set(truth.index))
        return Feedback.hint(f"Your table has {len(mine)} accounts, the totals {len(truth)}"
                             + (f" ({extra} without sales: use how='left' from the totals, or "
                                "the default inner merge)." if extra else
                                ": merge the totals with accounts, keeping every total."))
    if not (mine["account_name"].astype(str) == truth.loc[mine.index, "account_name"]
            .astype(str)).all():
        return Feedback.hint("Some accounts have another account's name: you put the two "
                             "tables side by side (concat) instead of merging on account_id.")
    if (mine["revenue"] - truth.loc[mine.index, "revenue"]).abs().max() >= 0.01:
        return Feedback.hint("The revenue is not each account's total: merge your my_totals "
                             "from exercise 02.2.")
    return Feedback.correct("Every account has its name and industry.")


@friendly("a DataFrame with account_id, account_name and revenue: the top accounts, largest first")
def check_top(answer: object, sales: pd.DataFrame, accounts: pd.DataFrame,
              n: int = 5) -> Feedback:
    """Check the ``n`` accounts with the most revenue, largest first, with their names.

    Examples
    --------
    >>> accounts = pd.DataFrame({"account_id": list("abc"), "account_name": list("ABC")})
    >>> sales = pd.DataFrame({"account_id": list("abc"), "revenue": [1.0, 3.0, 2.0]})
    >>> named = sales.merge(accounts, on="account_id")
    >>> print(check_top(named.sort_values("revenue").head(2), sales, accounts, n=2))
    ... # doctest: +ELLIPSIS
    Not yet: Those are the smallest accounts: ...
    """
    answer = per_account(answer, ["account_name", "revenue"])
    if isinstance(answer, Feedback):
        return answer
    truth = _totals(sales).sort_values(ascending=False, kind="stable")
    if len(answer) != n:
        return Feedback.hint(f"Give {n} rows, not {len(answer)}: .head({n}) after sorting.")
    values = answer["revenue"].to_numpy(dtype=float)
    chosen = set(answer["account_id"])
    if chosen != set(truth.index[:n]):
        if chosen == set(truth.index[-n:]):
            return Feedback.hint("Those are the smallest accounts: sort with "
                                 "sort_values('revenue', ascending=False) to put the largest "
                                 "first.")
        if chosen == set(truth.sort_index().index[:n]):
            return Feedback.hint(f"Those are the first {n} rows as they come, not sorted: "
                                 "sort by revenue first (sort_values('revenue', "
                                 f"ascending=False)), then .head({n}).")
        by_name = accounts.sort_values("account_name", kind="stable")["account_id"]
        if chosen == set(by_name.head(n)) or chosen == set(by_name.tail(n)):
            return Feedback.hint(f"Those are the first {n} accounts by name: sort by revenue "
                                 "(sort_values('revenue', ascending=False)), not by name.")
        return Feedback.hint(f"These are not the {n} accounts with the most revenue: sort "
                             "all the accounts by revenue, largest first "
                             "(sort_values('revenue', ascending=False)), then take the first "
                             f"{n} rows with .head({n}).")
    if (values[:-1] < values[1:]).any():
        return Feedback.hint("The right accounts, but not largest first: sort descending.")
    return Feedback.correct(f"The largest account makes {values[0]:,.0f}.")


EXERCISES = [
    Exercise("02.1", "Filter: the Banking accounts", "my_banks", check_filter,
             'my_banks = accounts[accounts["industry"] == "Banking"]',
             steps='compare the industry column with "Banking" (accounts["industry"] == '
                   '"Banking" gives True or False per row), then put that inside accounts[...] '
                   "to keep the rows where it is True."),
    Exercise("02.2", "Group and sum: revenue per account", "my_totals", check_totals,
             'my_totals = sales.groupby("account_id")["revenue"].sum().reset_index()',
             steps='group sales by account_id, take the revenue column, add it up with .sum(), '
                   "then .reset_index() makes account_id a column again."),
    Exercise("02.3", "Merge: names and industries", "my_named", check_named, """\
per_account = sales.groupby("account_id")["revenue"].sum().reset_index()  # as in 02.2
my_named = per_account.merge(accounts, on="account_id")""",
             steps="start from the revenue per account (exercise 02.2) and merge accounts onto "
                   'it: .merge(accounts, on="account_id") gives each account its name and '
                   "industry."),
    Exercise("02.4", "Sort: the five largest accounts", "my_top5", check_top, """\
per_account = sales.groupby("account_id")["revenue"].sum().reset_index()  # as in 02.2
named = per_account.merge(accounts, on="account_id")                     # as in 02.3
my_top5 = named.sort_values("revenue", ascending=False).head(5)
my_top5 = my_top5[["account_id", "account_name", "revenue"]]""",
             steps='sort the named totals of 02.3 by revenue, largest first (sort_values('
                   '"revenue", ascending=False)), keep the first five rows with .head(5) and '
                   "the columns account_id, account_name and revenue."),
]
