"""Module 13 exercise 13.6: the Gamma-Gamma spend model, the expected spend per purchase.

Gamma-Gamma (Fader, Hardie and Lee 2005) expects an account with x repeat purchases of mean
value m to spend p (v + x m) / (p x + q - 1) a purchase: the population mean p v / (q - 1)
weighed against its own mean by how many purchases back it. The check recomputes it with
:func:`~kamlib.btyd.gamma_gamma_spend`, the formula the kit's fitted model evaluates.

Examples
--------
>>> s = pd.DataFrame({"account_id": ["a", "b"], "frequency": [0, 4],
...                   "monetary_value": [0.0, 50.0]})
>>> params = {"p": 2.0, "q": 3.0, "v": 20.0}
>>> check_spend(pd.DataFrame({"account_id": ["a", "b"], "expected_spend": [20.0, 44.0]}),
...             s, params).ok
True
>>> print(check_spend(pd.DataFrame({"account_id": ["a", "b"], "expected_spend": [20.0, 50.0]}),
...                   s, params))  # doctest: +ELLIPSIS
Not yet: That is each account's own mean spend: ...
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib.btyd import gamma_gamma_spend, model_summary
from kamlib.exercises.feedback import Feedback, friendly, per_account
from kamlib.exercises.planning import _against
from kamlib.exercises.registry import Exercise

__all__ = ["practice_spend", "check_spend", "EXERCISES", "SHAPE"]

SHAPE = {"p": 6.25, "q": 3.74}  # the published CDNOW fit's shape (Fader, Hardie and Lee)
CREDIT = "practice-credit-notes"  # the account added when the data has no such case


def practice_spend(account_timing: pd.DataFrame, observation_end) -> tuple[pd.DataFrame, dict]:
    """Every account's repeat purchases (``frequency``) and their mean spend
    (``monetary_value``), as the model is fitted on them, and practice parameters: the
    published CDNOW fit's p and q, with v set so that the population mean p v / (q - 1) is
    the repeat buyers' average mean spend (set for the exercise; the data's own fit needs
    the optional ``lifetimes`` package). When no account's repeat purchases net to 0 or
    below, one such account (:data:`CREDIT`) is added, so that the case occurs."""
    summary = model_summary(account_timing, observation_end=observation_end)
    summary = summary.rename_axis("account_id").reset_index()[
        ["account_id", "frequency", "monetary_value"]]
    if not ((summary["frequency"] > 0) & (summary["monetary_value"] <= 0)).any():
        # the case the task names: repeat purchases that net to credit notes
        summary = pd.concat([summary, pd.DataFrame({"account_id": [CREDIT], "frequency": [3.0],
                                                    "monetary_value": [-120.0]})],
                            ignore_index=True)
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    mean = float(repeat["monetary_value"].mean()) if len(repeat) else 1.0
    p, q = SHAPE["p"], SHAPE["q"]
    return summary, {"p": p, "q": q, "v": round(mean * (q - 1) / p, 2)}


def _same(mine: pd.Series, values: pd.Series) -> bool:
    return bool(np.allclose(mine, values, rtol=1e-6, atol=0.006, equal_nan=False))


@friendly("a DataFrame with the columns account_id and expected_spend, one row per account")
def check_spend(answer: pd.DataFrame, summary: pd.DataFrame, params: dict) -> Feedback:
    """Check each account's expected spend per purchase under the Gamma-Gamma parameters."""
    answer = per_account(answer, ["expected_spend"], value="expected_spend")
    if isinstance(answer, Feedback):
        return answer
    s = summary.set_index("account_id")
    p, q, v = float(params["p"]), float(params["q"]), float(params["v"])
    truth = gamma_gamma_spend(s, p=p, q=q, v=v)
    mine = _against(answer, "expected_spend", truth, "p_spend", numbers=True)
    if isinstance(mine, Feedback):
        return mine
    if _same(mine, truth):
        x = s["frequency"].where(s["monetary_value"] > 0, 0)
        return Feedback.correct(f"The population mean is {p * v / (q - 1):,.2f} a purchase; "
                                f"{int((x == 0).sum())} account(s) without a repeat purchase "
                                "get it, the others are pulled towards it the fewer "
                                "purchases they have.")
    x, m = s["frequency"].astype(float), s["monetary_value"].astype(float)
    mean = p * v / (q - 1)
    xa, ma = x.where(m > 0, 0), m.clip(lower=0)  # credit notes: no repeat purchase
    said = [
        (m.where(x > 0, mean), "That is each account's own mean spend: the model weighs it "
         "against the population mean p v / (q - 1), the more the more repeat purchases the "
         "account has: p (v + x m) / (p x + q - 1)."),
        (pd.Series(mean, index=m.index), "That is the population mean p v / (q - 1) for every "
         "account: weigh in each account's own mean m by its repeat purchases x."),
        (p * (v + xa * ma) / (p * xa + q), "The denominator is p x + q - 1, not p x + q."),
        (p * (v + ma) / (p * xa + q - 1), "Multiply the mean spend by the repeat purchases: "
         "p (v + x m), not p (v + m)."),
        (p * (v + x * m) / (p * x + q - 1), "An account whose mean repeat spend is 0 or below "
         "(credit notes) counts as without repeat purchases: x = 0, so it gets the "
         "population mean."),
    ]
    for values, text in said:
        if _same(mine, values.reindex(mine.index)):
            return Feedback.hint(text)
    off = (mine - truth).abs().idxmax()
    return Feedback.hint(f"Account {off!r} ({x[off]:.0f} repeat purchases of mean "
                         f"{m[off]:,.2f}) expects {truth[off]:,.2f} a purchase; your table "
                         f"says {mine[off]:,.2f}.")


EXERCISES = [
    Exercise("13.6", "The Gamma-Gamma spend per purchase", "my_spend", check_spend, """\
p, q, v = p_params["p"], p_params["q"], p_params["v"]
no_repeat = p_spend["monetary_value"] <= 0  # credit notes: no repeat purchase to learn from
x = p_spend["frequency"].where(~no_repeat, 0)
m = p_spend["monetary_value"].clip(lower=0)
my_spend = p_spend[["account_id"]].copy()
my_spend["expected_spend"] = p * (v + x * m) / (p * x + q - 1)""",
             steps="take p, q and v from p_params; set x to 0 where monetary_value is 0 or "
                   "below (.where); then expected_spend = p * (v + x * m) / (p * x + q - 1) "
                   "for every account, one row per account of p_spend."),
]
