"""Module 13 exercises: cost to serve, the whale curve and its peak, a discounted CLV.

The practice data are the last year of the window (see
:func:`kamlib.exercises.concentration.practice_window`), which the worked example (the whole
window) does not print: :func:`practice_pnl` gives each account's revenue and gross margin
in that year, :func:`practice_activities` the activities logged for those accounts.

Examples
--------
>>> import pandas as pd
>>> acts = pd.DataFrame({"account_id": ["a", "a", "b"], "activity": ["visit", "call", "call"],
...                      "quantity": [2, 5, 1]})
>>> rates = pd.DataFrame({"activity": ["visit", "call"], "unit_cost": [300.0, 20.0]})
>>> check_cost_to_serve(pd.DataFrame({"account_id": ["a", "b"], "cost_to_serve": [700, 20]}),
...                     acts, rates).ok
True
>>> print(check_cost_to_serve(pd.DataFrame({"account_id": ["a", "b"],
...                                         "cost_to_serve": [7, 1]}), acts, rates))
... # doctest: +NORMALIZE_WHITESPACE
Not yet: You counted the activities (added up the quantities) instead of costing them:
multiply each quantity by its activity's unit_cost from the rates (merge on 'activity')
before adding up per account.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib.clv import clv_formula
from kamlib.exercises.answers import column_kind, describe, number, two_numbers
from kamlib.exercises.feedback import Feedback, close, friendly, per_account, rounding_hint
from kamlib.exercises.feedback import is_number as _number
from kamlib.exercises.profitability_data import practice_activities, practice_pnl
from kamlib.exercises.registry import Exercise
from kamlib.profitability import cost_to_serve

__all__ = ["practice_pnl", "practice_activities", "check_cost_to_serve", "check_whale_table",
           "check_whale_peak", "check_clv", "EXERCISES"]

_ACC = "account_id"


def _cts(acts: pd.DataFrame, rates: pd.DataFrame) -> pd.Series:
    """account -> cost to serve, by kamlib."""
    return cost_to_serve(acts, rates).set_index(_ACC)["cost_to_serve"]


def _per_account_sum(values: pd.Series, acts: pd.DataFrame) -> pd.Series:
    return values.groupby(acts[_ACC].astype(str)).sum()


def _same(mine: pd.Series, other: pd.Series, tol: float = 0.01) -> bool:
    """Equal on every account of ``mine`` (accounts missing from ``other`` count as 0)."""
    other = other.reindex(mine.index, fill_value=0.0).astype(float)
    return bool(np.allclose(mine.astype(float), other, atol=tol, rtol=0))


@friendly("a DataFrame with one row per account and the columns account_id and "
          "cost_to_serve")
def check_cost_to_serve(answer: pd.DataFrame, acts: pd.DataFrame,
                        rates: pd.DataFrame) -> Feedback:
    """Check activity-based cost to serve per account (to the cent).

    Examples
    --------
    >>> acts = pd.DataFrame({"account_id": ["a", "a"], "activity": ["visit", "visit"],
    ...                      "quantity": [1, 1]})
    >>> rates = pd.DataFrame({"activity": ["visit"], "unit_cost": [300.0]})
    >>> check_cost_to_serve(pd.DataFrame({"account_id": ["a"], "cost_to_serve": [600.0]}),
    ...                     acts, rates).message
    'Account a costs the most to serve: 600.00.'
    """
    if isinstance(answer, pd.DataFrame) and _ACC in answer.columns and "activity" in answer:
        if answer[_ACC].duplicated().any():
            return Feedback.hint("Your table has one row per account and activity: add them "
                                 "up per account, e.g. groupby('account_id')['cost']"
                                 ".sum().")
    if isinstance(answer, pd.DataFrame) and _ACC in answer.columns and \
            answer[_ACC].duplicated().any():
        return Feedback.hint("An account appears more than once in your table: add its "
                             "costs up, one row per account (groupby('account_id')...sum()).")
    answer = per_account(answer, ["cost_to_serve"], value="cost_to_serve")
    if isinstance(answer, Feedback):
        return answer
    truth = _cts(acts, rates)
    mine = answer.assign(**{_ACC: answer[_ACC].astype(str)}).set_index(_ACC)["cost_to_serve"]
    if not pd.api.types.is_numeric_dtype(mine):
        return Feedback.hint(f"Your cost_to_serve column holds {column_kind(mine)}, not numbers.")
    missing = truth.index.difference(mine.index)
    if len(missing):
        return Feedback.hint(f"{len(missing):,} account(s) with activities are missing from "
                             f"your table, e.g. {missing[0]!r}: keep one row for every "
                             "account in the activity log.")
    if mine.isna().any():
        return Feedback.hint("Some accounts have no cost (NaN): an activity whose name did "
                             "not find a rate? Merge on 'activity' and check the names.")
    if _same(mine, truth):
        top = truth.idxmax()
        return Feedback.correct(f"Account {top} costs the most to serve: {truth[top]:,.2f}.")
    quantity = acts["quantity"].astype(float)
    if _same(mine, _per_account_sum(quantity, acts)):
        return Feedback.hint("You counted the activities (added up the quantities) instead "
                             "of costing them: multiply each quantity by its activity's "
                             "unit_cost from the rates (merge on 'activity') before adding up "
                             "per account.")
    if _same(mine, acts.groupby(acts[_ACC].astype(str)).size()):
        return Feedback.hint("You counted the rows of the log: each row has a quantity, and "
                             "each activity its unit_cost. Cost to serve is the sum of "
                             "quantity x unit_cost per account.")
    rate = acts["activity"].astype(str).map(
        rates.set_index(rates["activity"].astype(str))["unit_cost"]).astype(float)
    if _same(mine, _per_account_sum(rate, acts)):
        return Feedback.hint("You added up the unit costs and left out the quantities: a row "
                             "with quantity 3 costs 3 x its unit_cost.")
    if _same(mine, _per_account_sum(quantity * float(rates["unit_cost"].mean()), acts)):
        return Feedback.hint("You costed every activity at the average rate: a visit and a "
                             "support ticket cost very different amounts. Merge the rates on "
                             "'activity' so each row gets its own unit_cost.")
    off = ~np.isclose(mine.reindex(truth.index).astype(float), truth, atol=0.01, rtol=0)
    wrong = truth.index[np.argmax(off)]
    return Feedback.hint(f"The cost to serve of account {wrong!r} is "
                         f"{two_numbers(mine[wrong], truth[wrong])[0]} in your table but "
                         f"{two_numbers(mine[wrong], truth[wrong])[1]} from the "
                         "log: add up quantity x unit_cost over its activities.")


def _profit(practice: pd.DataFrame, acts: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """The right whale table: account, revenue, gross_margin, cost_to_serve, profit, share."""
    table = practice[[_ACC, "revenue", "gross_margin"]].astype({_ACC: str})
    table["cost_to_serve"] = table[_ACC].map(_cts(acts, rates)).fillna(0.0)
    table["profit"] = table["gross_margin"] - table["cost_to_serve"]
    table = table.sort_values(["profit", _ACC], ascending=[False, True], kind="mergesort")
    table["cum_share"] = table["profit"].cumsum() / table["profit"].sum()
    return table.reset_index(drop=True)


def _ends_wrong(cum: np.ndarray, profit: np.ndarray, revenue: float) -> str | None:
    """The hint for cumulative shares that do not end at 100% of the profit."""
    running = np.cumsum(profit)
    positive = profit[profit > 0].sum()
    if close(cum[-1], 100.0, tol=0.05):
        return "Your shares end at 100: give them as fractions (1.0, not 100)."
    if positive > 0 and np.allclose(cum, running / positive, atol=5e-4):
        return ("You divided by the profit of the profitable accounts only, so the curve "
                "ends below 100%. Divide by the net total of all accounts, losses included: "
                "the curve then climbs above 100% and comes back down to exactly 100% at "
                "the last account.")
    if revenue and np.allclose(cum, running / revenue, atol=5e-4):
        return ("You divided by total revenue: the whale curve shows shares of total "
                "profit. Divide each running total by the sum of all accounts' profit.")
    gross = np.abs(profit).sum()
    if gross and np.allclose(cum, running / gross, atol=5e-4):
        return ("You divided by the sum of the absolute profits: divide by the net total "
                "(losses count as negative), so the curve ends at exactly 100%.")
    if not close(cum[-1], 1.0):
        return (f"The cumulative share should end at 1.0 (100% of the profit, at the last "
                f"account); yours ends at {number(cum[-1])}. Divide the running total of profit "
                "by the sum of all accounts' profit.")
    return None


@friendly("a DataFrame with one row per account and the columns account_id, profit and "
          "cum_share, most profitable account first")
def check_whale_table(answer: pd.DataFrame, practice: pd.DataFrame, acts: pd.DataFrame,
                      rates: pd.DataFrame) -> Feedback:
    """Check the whale table: profit per account, most profitable first, cumulative share
    of the net total profit (three decimals).

    Examples
    --------
    >>> practice = pd.DataFrame({"account_id": ["a", "b"], "revenue": [100.0, 50.0],
    ...                          "gross_margin": [40.0, 20.0]})
    >>> acts = pd.DataFrame({"account_id": ["b"], "activity": ["visit"], "quantity": [1]})
    >>> rates = pd.DataFrame({"activity": ["visit"], "unit_cost": [30.0]})
    >>> right = pd.DataFrame({"account_id": ["a", "b"], "profit": [40.0, -10.0],
    ...                       "cum_share": [40 / 30, 1.0]})
    >>> check_whale_table(right, practice, acts, rates).message
    'The most profitable 1 account(s) earn 133% of the profit; the rest destroy the excess.'
    >>> wrong = right.assign(cum_share=[1.0, 0.75])    # shares of the positive profit
    >>> check_whale_table(wrong, practice, acts, rates).message[:47]
    'You divided by the profit of the profitable acc'
    """
    answer = per_account(answer, ["profit", "cum_share"], value="profit")
    if isinstance(answer, Feedback):
        return answer
    truth = _profit(practice, acts, rates).set_index(_ACC)
    answer = answer.assign(**{_ACC: answer[_ACC].astype(str)})
    mine = answer.set_index(_ACC)
    missing = truth.index.difference(mine.index)
    if len(missing):
        quiet = missing.difference(_cts(acts, rates).index)
        if len(quiet) == len(missing):
            return Feedback.hint(f"{len(missing):,} account(s) without activities are "
                                 f"missing, e.g. {missing[0]!r}: they cost 0 to serve. Merge "
                                 "your cost to serve onto practice with how='left', then "
                                 "fillna(0).")
        return Feedback.hint(f"Your table has {len(mine):,} accounts, practice "
                             f"{len(truth):,}: keep exactly one row per account of practice.")
    extra = mine.index.difference(truth.index)
    if len(extra):
        return Feedback.hint(f"Account {extra[0]!r} is not in practice: keep exactly the "
                             "accounts of practice.")
    for col in ("profit", "cum_share"):
        if not pd.api.types.is_numeric_dtype(mine[col]):
            return Feedback.hint(f"Your {col} column holds {column_kind(mine[col])}, not numbers.")
    if mine["profit"].isna().any():
        return Feedback.hint("Some profits are NaN: accounts without activities got no cost "
                             "to serve in the merge. fillna(0) before subtracting.")
    profit = mine["profit"].astype(float)
    right = truth.loc[mine.index]
    if not np.allclose(profit, right["profit"], atol=0.01, rtol=0):
        acts_count = _per_account_sum(acts["quantity"].astype(float), acts)
        hints = [(right["revenue"] - right["cost_to_serve"],
                  "You took the cost to serve off revenue: profit is gross_margin - "
                  "cost_to_serve (the cost of what was sold comes off first)."),
                 (right["gross_margin"],
                  "Your profit is the gross margin: take the cost to serve off it."),
                 (right["gross_margin"] - acts_count.reindex(right.index, fill_value=0),
                  "Your cost to serve counts the activities instead of costing them (see "
                  "13.1): quantity x unit_cost.")]
        for values, message in hints:
            if np.allclose(profit, values, atol=0.01, rtol=0):
                return Feedback.hint(message)
        off = ~np.isclose(profit, right["profit"], atol=0.01, rtol=0)
        wrong = mine.index[np.argmax(off)]
        return Feedback.hint(f"The profit of account {wrong!r} is {profit[wrong]:,.2f} in your "
                             f"table but {right.loc[wrong, 'profit']:,.2f}: gross_margin - "
                             "cost_to_serve, with 0 for accounts without activities.")
    values = answer["profit"].to_numpy(dtype=float)
    if len(values) > 1 and (np.diff(values) >= 0).all() and values[0] < values[-1]:
        return Feedback.hint("You sorted ascending: the most profitable account comes first "
                             "(sort_values('profit', ascending=False)).")
    if (np.diff(values) > 0).any():
        return Feedback.hint("The rows are not sorted by profit, most profitable first.")
    cum = answer["cum_share"].to_numpy(dtype=float)
    revenue = float(right["revenue"].sum())
    as_given = mine.loc[practice[_ACC].astype(str)]  # same accounts, checked above
    if np.allclose(as_given["cum_share"].astype(float),
                   as_given["profit"].cumsum() / values.sum(), atol=5e-4) and \
            not np.allclose(cum, np.cumsum(values) / values.sum(), atol=5e-4):
        return Feedback.hint("You took the running total in the order of practice, before "
                             "sorting: sort by profit first, then cumsum().")
    why = _ends_wrong(cum, values, revenue)
    if why:
        return Feedback.hint(why)
    if not np.allclose(cum, np.cumsum(values) / values.sum(), atol=5e-4):
        return Feedback.hint("cum_share should be the running total of profit down your "
                             "rows divided by the total profit: sort first, then cumsum().")
    k = int(np.argmax(cum)) + 1
    return Feedback.correct(f"The most profitable {k:,} account(s) earn {cum.max():.0%} of the "
                            "profit; the rest destroy the excess.")


@friendly("a number with two decimals, such as 1.45 (145% of the profit)")
def check_whale_peak(answer: object, practice: pd.DataFrame, acts: pd.DataFrame,
                     rates: pd.DataFrame) -> Feedback:
    """Check the whale curve's peak: the highest cumulative share (two decimals).

    Examples
    --------
    >>> practice = pd.DataFrame({"account_id": ["a", "b"], "revenue": [100.0, 50.0],
    ...                          "gross_margin": [40.0, 20.0]})
    >>> acts = pd.DataFrame({"account_id": ["b"], "activity": ["visit"], "quantity": [1]})
    >>> rates = pd.DataFrame({"activity": ["visit"], "unit_cost": [30.0]})
    >>> check_whale_peak(1.33, practice, acts, rates).ok
    True
    >>> check_whale_peak(1.0, practice, acts, rates).message[:40]
    'That is where the curve ends: 100% of th'
    """
    table = _profit(practice, acts, rates)
    peak = float(table["cum_share"].max())
    k = int(table["cum_share"].to_numpy().argmax()) + 1
    if not _number(answer):
        return Feedback.hint(f"Give a number such as 1.45, not {describe(answer)}.")
    if close(answer, peak, tol=0.005):
        return Feedback.correct(f"The curve peaks at {peak:.0%} of the profit, after the "
                                f"{k:,} most profitable accounts.")
    if close(answer, 100 * peak, tol=0.5):
        return Feedback.hint("You gave a percentage: give the share as a fraction (1.45, "
                             "not 145).")
    if close(answer, 1.0, tol=0.005):
        return Feedback.hint("That is where the curve ends: 100% of the profit, at the last "
                             "account. The peak is the highest point of cum_share, before the "
                             "loss-making accounts bring it down: .max().")
    if answer == k:
        return Feedback.hint("That is how many accounts earn the peak; give the share of the "
                             "profit they earn.")
    if close(answer, k / len(table), tol=0.005):
        return Feedback.hint("That is the share of accounts at the peak; give the share of "
                             "the profit they earn.")
    hint = rounding_hint(answer, peak, decimals=2)
    if hint:
        return Feedback.hint(hint)
    return Feedback.hint("Take the highest value of cum_share in your whale table "
                         "(my_whale['cum_share'].max()), rounded to two decimals.")


@friendly("a number: the lifetime value in money, rounded to whole units")
def check_clv(answer: object, yearly_profit: float, *, retention: float = 0.9,
              discount_rate: float = 0.1, years: int = 5) -> Feedback:
    """Check a discounted lifetime value without acquisition cost (whole money units).

    The value is sum over t = 1..years of profit x retention^(t-1) / (1 + rate)^t.

    Examples
    --------
    >>> check_clv(2261, 1000.0, retention=0.9, discount_rate=0.1, years=3).ok
    True
    >>> check_clv(2710, 1000.0, retention=0.9, discount_rate=0.1, years=3).message[:32]
    'You did not discount: money in y'
    """
    def value(retention=retention, rate=discount_rate, shift=0, survive=1) -> float:
        t = np.arange(1, int(years) + 1)
        return float((yearly_profit * retention ** (t - survive)
                      / (1 + rate) ** (t - shift)).sum())

    truth = float(clv_formula(yearly_profit, years=years, retention=retention,
                              discount_rate=discount_rate)["present_value"].sum())
    if not _number(answer):
        return Feedback.hint(f"Give a number, not {describe(answer)}.")
    if close(answer, truth, tol=1.0):
        return Feedback.correct(f"Over {years} years the account is worth {truth:,.0f} today, "
                                f"against {yearly_profit * years:,.0f} undiscounted and "
                                "certain.")
    mistakes = [
        (value(rate=0.0), f"You did not discount: money in year t is worth 1 / (1 + "
                          f"{discount_rate:g})^t today. Divide each year's expected profit "
                          f"by (1 + {discount_rate:g}) ** t."),
        (value(shift=1), "You discounted from year 0: the first year's profit comes at the end "
                         "of year 1, so it is divided by (1 + rate) ** 1, not ** 0."),
        (value(retention=1.0), "You left out retention: each year's profit counts only if the "
                               "account is still there, with probability retention ** (t - 1)."),
        (value(survive=0), "The account is there in year 1 for sure: weigh year t by "
                           "retention ** (t - 1), not retention ** t."),
        (yearly_profit * years, "That is profit x years: neither weighed by retention nor "
                                "discounted."),
        (value(rate=100 * discount_rate), f"You used the rate as a percentage: "
                                          f"{100 * discount_rate:g} is {100 * discount_rate:g}"
                                          f"00%; use {discount_rate:g}."),
        (value(retention=1 - retention), f"You used the churn rate ({1 - retention:.3g}) as "
                                         f"the retention ({retention:g})."),
    ]
    for wrong, message in mistakes:
        if close(answer, wrong, tol=1.0):
            return Feedback.hint(message)
    if close(answer, truth, tol=max(1.0, abs(truth) * 0.001)):
        return Feedback.hint("Nearly: round to whole money units with round(x), as the task "
                             "asks, after adding up the years.")
    return Feedback.hint("Add up, for t = 1 to years: profit x retention ** (t - 1) / "
                         "(1 + rate) ** t.")


_CTS = """\
costed = p_acts.merge(rates, on="activity")
costed["cost"] = costed["quantity"] * costed["unit_cost"]
cts = costed.groupby("account_id", as_index=False)["cost"].sum()
cts = cts.rename(columns={"cost": "cost_to_serve"})  # as in 13.1"""
_WHALE = """\
whale = practice.merge(cts, on="account_id", how="left")
whale["cost_to_serve"] = whale["cost_to_serve"].fillna(0)
whale["profit"] = whale["gross_margin"] - whale["cost_to_serve"]
whale = whale.sort_values("profit", ascending=False)
whale["cum_share"] = whale["profit"].cumsum() / whale["profit"].sum()"""

EXERCISES = [
    Exercise("13.1", "Cost to serve per account", "my_cts", check_cost_to_serve, """\
costed = p_acts.merge(rates, on="activity")
costed["cost"] = costed["quantity"] * costed["unit_cost"]
my_cts = costed.groupby("account_id", as_index=False)["cost"].sum()
my_cts = my_cts.rename(columns={"cost": "cost_to_serve"})""", precision="to the cent",
             steps='merge the rates onto p_acts on "activity", multiply quantity by unit_cost, '
                   'add the costs up per account (groupby("account_id")) and call the column '
                   "cost_to_serve."),
    Exercise("13.2", "The whale table", "my_whale", check_whale_table,
             _CTS + "\n" + _WHALE.replace("whale", "my_whale"), precision="three decimals",
             steps='merge the cost to serve of 13.1 onto practice with how="left" and '
                   "fillna(0); profit = gross_margin - cost_to_serve; sort by profit, largest "
                   "first; cum_share = profit.cumsum() / profit.sum()."),
    Exercise("13.3", "The peak of the whale curve", "my_peak", check_whale_peak,
             _CTS + "\n" + _WHALE + '\nmy_peak = round(float(whale["cum_share"].max()), 2)',
             precision="two decimals",
             steps="take the largest value of cum_share in the whale table of 13.2 (.max()) "
                   "and round it to two decimals."),
    Exercise("13.4", "A discounted lifetime value", "my_clv", check_clv, """\
t = np.arange(1, p_years + 1)
my_clv = round(float((p_profit * p_retention ** (t - 1) / (1 + p_rate) ** t).sum()))""",
             precision="whole money units",
             steps="for each year t = 1 to p_years: p_profit x p_retention ** (t - 1) / (1 + "
                   "p_rate) ** t; add the years up and round to whole units with round(x)."),
]
