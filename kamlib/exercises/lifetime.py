"""Module 13 exercise 13.5: the kit's lifetime value of one account, in money.

The kit has one lifetime value (:mod:`kamlib.lifetime`): the yearly profit, growing with
revenue growth and, with each year of tenure, with cost savings, referrals and a price
premium; each year weighed by the chance the account is still there and discounted; the
cost of winning the account subtracted in year 0. The check recomputes it with
:func:`~kamlib.clv.clv_formula`, the function behind every lifetime value the kit shows.

Examples
--------
>>> kit = {"years": 2, "discount_rate": 0.0, "growth": 0.1, "cost_savings": 0.0,
...        "referrals": 0.0, "price_premium": 0.0}
>>> check_lifetime(110, 100.0, 100.0, 1.0, kit).ok   # -100 + 100 + 110
True
>>> print(check_lifetime(210, 100.0, 100.0, 1.0, kit))  # doctest: +ELLIPSIS
Not yet: You left out the cost of winning the account: ...
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib.clv import clv_formula
from kamlib.exercises.answers import describe, number
from kamlib.exercises.feedback import Feedback, close, friendly, is_number
from kamlib.exercises.registry import Exercise

__all__ = ["practice_lifetime", "lifetime_inputs", "check_lifetime", "EXERCISES"]

KEYS = ("years", "discount_rate", "growth", "cost_savings", "referrals", "price_premium")


def practice_lifetime(year_pnl: pd.DataFrame, accounts: pd.DataFrame,
                      assumptions: dict) -> tuple[float, float, dict]:
    """The most profitable account of the practice year: its profit, its cost of winning
    (``acquisition_cost`` of the accounts table when counted, else 0) and the assumptions
    of the lifetime value (years, discount_rate, growth, cost_savings, referrals,
    price_premium)."""
    known = year_pnl[year_pnl["profit"].notna()]
    if known.empty:  # no costs, no profit: nothing to value
        return np.nan, 0.0, {k: assumptions[k] for k in KEYS}
    best = known.loc[known["profit"].idxmax()]
    cost = 0.0
    if assumptions.get("count_acquisition", True) and "acquisition_cost" in accounts:
        found = accounts.loc[accounts["account_id"] == best["account_id"], "acquisition_cost"]
        cost = float(found.iloc[0]) if len(found) and pd.notna(found.iloc[0]) else 0.0
    return (round(float(best["profit"]), 2), round(cost, 2),
            {k: assumptions[k] for k in KEYS})


def lifetime_inputs(clv: pd.DataFrame, account_id: object) -> tuple[float, float]:
    """One account's yearly profit and cost of winning from an
    :func:`~kamlib.lifetime.account_lifetime_value` table (to recognise its value)."""
    row = clv[clv["account_id"] == account_id]
    if row.empty:
        return np.nan, np.nan
    return float(row["yearly_profit"].iloc[0]), -float(row["acquisition"].fillna(0).iloc[0])


def _value(profit: float, cost: float, retention: float, a: dict, *, growth_linear=False,
           tenure_from=1, survive=1, shift=0, extras=True, cost_factor=1.0) -> float:
    t = np.arange(1, int(a["years"]) + 1)
    tenure = t - tenure_from
    grow = (1 + a["growth"] * (t - 1)) if growth_linear else (1 + a["growth"]) ** (t - 1)
    rest = (a["cost_savings"] + a["referrals"] + a["price_premium"]) * tenure
    yearly = profit * (grow + rest if extras else 1.0)
    weight = retention ** (t - survive) / (1 + a["discount_rate"]) ** (t - shift)
    return float((yearly * weight).sum() - cost * cost_factor)


@friendly("a number: the lifetime value in whole money units")
def check_lifetime(answer: object, profit: float, acquisition: float, retention: float,
                   assumptions: dict) -> Feedback:
    """Check the kit's lifetime value of one account (whole money units suffice)."""
    if not is_number(answer):
        return Feedback.hint(f"Give one number, not {describe(answer)}.")
    a = {k: assumptions[k] for k in KEYS}
    truth = float(clv_formula(profit, acquisition_cost=acquisition, years=int(a["years"]),
                              retention=retention, discount_rate=a["discount_rate"],
                              growth=a["growth"], cost_savings=a["cost_savings"],
                              referrals=a["referrals"], price_premium=a["price_premium"]
                              )["cumulative_pv"].iloc[-1])
    if close(answer, truth, tol=1.0):
        return Feedback.correct(f"{number(truth, 0)}: the lifetime value as the kit computes it "
                                "for every account (index, plans, exports), winning the "
                                f"account ({number(acquisition, 0)}) already paid for.")
    v = _value
    args = (profit, acquisition, retention, a)
    mistakes = [
        (v(*args, cost_factor=0.0), "You left out the cost of winning the account: subtract "
         "p_acquisition (year 0: certain and not discounted)."),
        (v(*args, cost_factor=-1.0), "The cost of winning the account is a cost: subtract "
         "p_acquisition, do not add it."),
        (v(*args, cost_factor=1 / (1 + a["discount_rate"])), "The cost of winning the account "
         "is paid in year 0: subtract it as it is, not discounted."),
        (v(*args, growth_linear=True), "Growth compounds: the profit of year t grows by (1 + "
         "growth) ** (t - 1), not by growth x (t - 1)."),
        (v(*args, tenure_from=0), "Cost savings, referrals and the price premium grow with "
         "tenure from 0 in the first year: multiply their rates by (t - 1), not by t."),
        (v(*args, extras=False), "That is exercise 13.4's value less the cost of winning: "
         "add the growth and the cost savings, referrals and price premium of each year."),
        (v(*args, extras=False, cost_factor=0.0), "That is exercise 13.4's value: the kit's "
         "lifetime value adds growth, cost savings, referrals and price premium, and "
         "subtracts the cost of winning the account."),
        (v(*args, survive=0), "The account is there in year 1 for sure: weigh year t by "
         "p_retention ** (t - 1), not ** t."),
        (v(*args, shift=1), "Profit arrives at each year's end: divide year t by (1 + rate) "
         "** t, not ** (t - 1)."),
    ]
    for wrong, message in mistakes:
        if close(answer, wrong, tol=1.0) and not close(wrong, truth, tol=1.0):
            return Feedback.hint(message)
    return Feedback.hint(f"Not {number(answer, 0)}: year t brings p_profit x ((1 + growth) ** "
                         "(t - 1) + (cost_savings + referrals + price_premium) x (t - 1)), "
                         "times p_retention ** (t - 1), divided by (1 + discount_rate) ** t; "
                         "add the years up and subtract p_acquisition.")


EXERCISES = [
    Exercise("13.5", "The kit's lifetime value, in money", "my_lv", check_lifetime, """\
a = p_lifetime
t = np.arange(1, a["years"] + 1)
tenure = t - 1  # 0 in the first year
yearly = p_profit * ((1 + a["growth"]) ** tenure
                     + (a["cost_savings"] + a["referrals"] + a["price_premium"]) * tenure)
weight = p_retention ** tenure / (1 + a["discount_rate"]) ** t
my_lv = round(float((yearly * weight).sum()) - p_acquisition)""",
             precision="whole money units",
             steps="number the years t = 1 to years with np.arange; the profit of year t is "
                   "p_profit x ((1 + growth) ** (t - 1) + (cost_savings + referrals + "
                   "price_premium) x (t - 1)); weigh it by p_retention ** (t - 1) / (1 + "
                   "discount_rate) ** t, add the years up, subtract p_acquisition and round."),
]
