"""Module 15 exercises: the ladder from orders, a transition matrix, one warning signal, a
weighted health score and its backtest.

The practice data are the accounts of one industry (the one with the most accounts), which
the worked example does not show on their own. Each check recomputes the answer with the
kamlib function the worked example uses (:func:`~kamlib.relationships.ladder.ladder_stages`,
:func:`~kamlib.relationships.ladder.transitions`,
:func:`~kamlib.relationships.health.health_scores`,
:func:`~kamlib.relationships.backtest.backtest_summary`), so the course and the page agree.

Examples
--------
>>> import pandas as pd
>>> months = pd.DataFrame({"account_id": ["a"] * 3, "revenue": [10.0, 10.0, -5.0],
...     "period": pd.to_datetime(["2025-02-01", "2025-05-01", "2025-08-01"])})
>>> status = pd.DataFrame({"account_id": ["a"], "status": ["active"]})
>>> print(check_ladder(pd.DataFrame({"account_id": ["a"], "stage": ["client"]}), months,
...                    status, as_of="2025-12-31"))
Not yet: A month counts only when its net revenue is above 0: a month of credit notes (negative revenue) is no purchase.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike
from kamlib.data.relationship_settings import SIGNALS, RelationshipSettings
from kamlib.exercises.answers import describe
from kamlib.exercises.feedback import Feedback, friendly, is_number, per_account, rounding_hint
from kamlib.exercises.planning import _against, practice_industry
from kamlib.exercises.registry import Exercise
from kamlib.relationships.backtest import backtest_summary, health_backtest
from kamlib.relationships.health import health_measures
from kamlib.relationships.ladder import ladder_stages, transitions

__all__ = ["practice_ladder", "practice_history", "practice_measures", "practice_backtest",
           "check_ladder",
           "check_moves", "check_trend", "check_score", "check_lift", "EXERCISES"]


def _ids(accounts: pd.DataFrame, industry: str | None) -> pd.Index:
    rows = accounts if industry is None else accounts[accounts["industry"] == industry]
    return pd.Index(rows["account_id"].astype(str).unique())


def practice_ladder(account_month: pd.DataFrame, status: pd.DataFrame, accounts: pd.DataFrame,
                    as_of: DateLike) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The practice accounts' months (account_id, period, revenue) of the 12 months to
    ``as_of``, and their status (account_id, status)."""
    ids = _ids(accounts, practice_industry(accounts))
    end = pd.Timestamp(as_of).to_period("M")
    period = account_month["period"].astype("datetime64[ns]")
    keep = account_month["account_id"].astype(str).isin(ids) & (
        period >= (end - 11).start_time) & (period <= pd.Timestamp(as_of))
    months = account_month.loc[keep, ["account_id", "period", "revenue"]]
    st = status[status["account_id"].astype(str).isin(ids)][["account_id", "status"]]
    return (months.sort_values(["account_id", "period"], ignore_index=True),
            st.sort_values("account_id", ignore_index=True).astype({"status": str}))


def practice_history(history: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """The practice accounts' ladder stages at each month end (account_id, as_of, stage)."""
    ids = _ids(accounts, practice_industry(accounts))
    rows = history[history["account_id"].isin(ids)][["account_id", "as_of", "stage"]]
    return rows.astype({"stage": str}).reset_index(drop=True)


def practice_measures(health: pd.DataFrame, accounts: pd.DataFrame) -> pd.DataFrame:
    """The practice accounts' six signals (0-100, NaN where unknown) and their status."""
    ids = _ids(accounts, practice_industry(accounts))
    rows = health[health["account_id"].isin(ids) & (health["status"] != "lost")]
    return rows[["account_id", *SIGNALS]].reset_index(drop=True)


def practice_backtest(history: pd.DataFrame, accounts: pd.DataFrame, months: int
                      ) -> pd.DataFrame:
    """The backtest of the practice accounts alone (the page shows the whole portfolio's)."""
    ids = _ids(accounts, practice_industry(accounts))
    return health_backtest(history[history["account_id"].isin(ids)], months=months)


@friendly("a DataFrame with the columns account_id and stage, one row per account")
def check_ladder(answer: pd.DataFrame, months: pd.DataFrame, status: pd.DataFrame,
                 as_of: DateLike, client_months: int = 3) -> Feedback:
    """Check each account's stage: lost (the status), client (purchases in
    ``client_months`` or more of the 12 months), else customer."""
    answer = per_account(answer, ["stage"], value="stage")
    if isinstance(answer, Feedback):
        return answer
    settings = RelationshipSettings(client_months=client_months)
    truth = ladder_stages(months, status, as_of=as_of, settings=settings).set_index(
        "account_id")["stage"].astype(str)
    mine = _against(answer, "stage", truth, "p_status")
    if isinstance(mine, Feedback):
        return mine
    mine = mine.astype(str).str.strip().str.lower()
    if (mine == truth).all():
        clients = int((truth == "client").sum())
        return Feedback.correct(f"{clients} of {len(truth)} accounts are clients; "
                                f"{int((truth == 'lost').sum())} are lost.")
    rows = months.assign(n=1)
    any_month = rows.groupby(rows["account_id"].astype(str))["n"].sum().reindex(
        truth.index).fillna(0)
    pos = rows[rows["revenue"] > 0].groupby(rows["account_id"].astype(str))["n"].sum() \
        .reindex(truth.index).fillna(0)
    lost = truth == "lost"

    def stages(counts: pd.Series, cut: float, with_lost: bool = True) -> pd.Series:
        s = pd.Series(np.where(counts >= cut, "client", "customer"), index=truth.index)
        return s.where(~lost | (not with_lost), "lost")
    said = [
        (stages(any_month, client_months), "A month counts only when its net revenue is above "
         "0: a month of credit notes (negative revenue) is no purchase."),
        (stages(pos, client_months + 1), f"Purchases in exactly {client_months} months make a "
         f"client: use >= {client_months}."),
        (stages(pos, client_months, with_lost=False), "Lost accounts come off the ladder: "
         "an account whose status is lost is 'lost', whatever it bought before."),
    ]
    for values, text in said:
        if (mine == values).all():
            return Feedback.hint(text)
    off = (mine != truth).idxmax()
    return Feedback.hint(f"Account {off!r} is {truth[off]!r}, your table says {mine[off]!r}: "
                         f"it bought in {pos[off]:.0f} of the 12 months.")


@friendly("a DataFrame with the columns from_stage, to_stage and accounts")
def check_moves(answer: pd.DataFrame, history: pd.DataFrame, start: DateLike,
                end: DateLike) -> Feedback:
    """Check the number of accounts per (stage at start, stage at end) pair."""
    if not isinstance(answer, pd.DataFrame):
        return Feedback.hint(f"Give a table (DataFrame) with the columns from_stage, to_stage "
                             f"and accounts; yours is {describe(answer)}.")
    if {"from_stage", "to_stage"} <= set(answer.index.names or []):
        answer = answer.reset_index()
    missing = [c for c in ("from_stage", "to_stage", "accounts") if c not in answer]
    if missing:
        return Feedback.hint(f"Wrong column names: expected ['from_stage', 'to_stage', "
                             f"'accounts']; missing {missing}.")
    truth = transitions(history, start, end).set_index(["from_stage", "to_stage"])["accounts"]
    mine = answer.groupby(["from_stage", "to_stage"])["accounts"].sum()
    mine = mine[mine != 0].astype(float)
    if mine.sort_index().equals(truth.astype(float).sort_index()):
        up = transitions(history, start, end).groupby("move")["accounts"].sum()
        return Feedback.correct(f"{int(up.get('up', 0))} accounts moved up, "
                                f"{int(up.get('down', 0))} down, {int(up.get('stayed', 0))} "
                                "stayed.")
    swapped = truth.copy()
    swapped.index = swapped.index.swaplevel()
    if mine.sort_index().equals(swapped.astype(float).sort_index()):
        return Feedback.hint("From and to are swapped: from_stage is the stage at start, "
                             "to_stage the stage at end.")
    known = truth.drop(index="not yet", level=0, errors="ignore")
    if mine.sort_index().equals(known.astype(float).sort_index()):
        return Feedback.hint("Accounts that had no stage at start (not yet customers) are "
                             "missing: count them as coming from 'not yet'.")
    if truth.sum() > 100 and (np.isclose(mine.sum(), 1) or np.isclose(mine.sum(), 100)):
        return Feedback.hint("Those are shares of the accounts, not counts: give the number "
                             "of accounts in each cell (size(), not normalize=True).")
    for then in sorted(set(history["as_of"]) - {pd.Timestamp(start), pd.Timestamp(end)}):
        other = transitions(history, then, end).set_index(["from_stage", "to_stage"])
        if mine.sort_index().equals(other["accounts"].astype(float).sort_index()):
            return Feedback.hint(f"You compared {pd.Timestamp(then):%B %Y} with the end: the "
                                 f"matrix starts at start ({pd.Timestamp(start):%B %Y}).")
    if abs(mine.sum() - truth.sum()) > 0:
        return Feedback.hint(f"Your cells add up to {mine.sum():.0f} accounts, the answer to "
                             f"{truth.sum():.0f}: every account at start or end is one move.")
    off = (mine.reindex(truth.index.union(mine.index)).fillna(0)
           - truth.reindex(truth.index.union(mine.index)).fillna(0)).abs().idxmax()
    return Feedback.hint(f"The cell {off[0]} -> {off[1]} has {truth.get(off, 0):.0f} "
                         f"accounts, your table {mine.get(off, 0):.0f}.")


@friendly("a DataFrame with the columns account_id and revenue_trend, one row per account")
def check_trend(answer: pd.DataFrame, status: pd.DataFrame, full_drop: float = 0.5
                ) -> Feedback:
    """Check the revenue-trend signal (0-100, one decimal, NaN without a year before)."""
    answer = per_account(answer, ["revenue_trend"], value="revenue_trend")
    if isinstance(answer, Feedback):
        return answer
    settings = RelationshipSettings(trend_full_drop=full_drop)
    truth = health_measures(status, as_of=pd.Timestamp.today(), settings=settings
                            )["revenue_trend"]
    mine = _against(answer, "revenue_trend", truth, "p_trend", numbers=True)
    if isinstance(mine, Feedback):
        return mine
    if np.allclose(mine, truth, atol=0.05, rtol=0, equal_nan=True):
        return Feedback.correct(f"{int((truth < 100).sum())} of {int(truth.notna().sum())} "
                                "accounts with a year before lose points on the trend.")
    change = (status.set_index("account_id")["revenue_l12m"]
              / status.set_index("account_id")["revenue_p12m"].where(
                  lambda p: p > 0) - 1).reindex(truth.index)
    said = [
        ((100 * (1 + change / full_drop)).clip(lower=0), "Growth is no warning: an account "
         "whose revenue grew scores 100, not more (cap at 100)."),
        ((100 * (1 + change.clip(upper=0) / full_drop)), f"A drop of {full_drop:.0%} or more "
         "scores 0, not less (floor at 0)."),
        (100 - truth, "That is the warning, not the measure: 100 means no warning."),
    ]
    for values, text in said:
        if np.allclose(mine, values, atol=0.05, rtol=0, equal_nan=True):
            return Feedback.hint(text)
    if (mine.isna() != truth.isna()).any():
        return Feedback.hint("An account without revenue in the 12 months before has no trend "
                             "to judge: leave it NaN (unknown), not 0 or 100.")
    off = (mine - truth).abs().idxmax()
    return Feedback.hint(f"Account {off!r} scores {truth[off]:.1f}, your table "
                         f"{mine[off]:.1f}: its change is {change[off]:+.1%}.")


@friendly("a DataFrame with the columns account_id and score, one row per account")
def check_score(answer: pd.DataFrame, measures: pd.DataFrame, weights: dict) -> Feedback:
    """Check the weighted mean of the signals known for each account (one decimal)."""
    answer = per_account(answer, ["score"], value="score")
    if isinstance(answer, Feedback):
        return answer
    m = measures.set_index("account_id")[list(SIGNALS)]
    w = pd.Series(weights, dtype=float).reindex(list(SIGNALS)).fillna(0)
    known = m.notna().mul(w, axis=1)
    truth = (m.fillna(0).mul(w, axis=1).sum(axis=1) / known.sum(axis=1).replace(0, np.nan))
    mine = _against(answer, "score", truth, "p_measures", numbers=True)
    if isinstance(mine, Feedback):
        return mine
    if np.allclose(mine, truth, atol=0.05, rtol=0, equal_nan=True):
        return Feedback.correct(f"{int((truth < 60).sum())} of {len(truth)} accounts score "
                                "below 60.")
    wrong = [
        (m.fillna(0).mul(w, axis=1).sum(axis=1) / w.sum(), "An unknown signal (NaN) is left "
         "out: divide by the weights of the signals the account has, not by all weights."),
        (m.mean(axis=1), "Weigh the signals: multiply each by its weight before the mean."),
        (m.fillna(0).mul(w, axis=1).sum(axis=1), "That is the sum of the weighted signals: "
         "divide it by the weights of the signals the account has, for a score from 0 to 100."),
        (truth.round(0), "Right to whole points: give one decimal, e.g. .round(1)."),
    ]
    for values, text in wrong:
        if np.allclose(mine, values, atol=0.05, rtol=0, equal_nan=True):
            return Feedback.hint(text)
    off = (mine - truth).abs().idxmax()
    return Feedback.hint(f"Account {off!r} scores {truth[off]:.1f}, your table "
                         f"{mine[off]:.1f}.")


@friendly("a number: the lift, two decimals")
def check_lift(answer: object, backtest: pd.DataFrame) -> Feedback:
    """Check the pooled lift of the backtest: flagged loss rate over the base rate."""
    if not is_number(answer):
        return Feedback.hint(f"Give one number, not {describe(answer)}.")
    truth = float(backtest_summary(backtest)["lift"])
    if abs(answer - truth) <= 0.005 + 1e-9:
        return Feedback.correct(f"Flagged accounts were lost {truth:.1f} times as often as "
                                "the average account: the score is worth watching.")
    mean_lift = float(backtest["lift"].mean()) if "lift" in backtest else np.nan
    rates = backtest[["flagged_lost", "flagged", "lost", "accounts"]].sum()
    if abs(answer - mean_lift) <= 0.005:
        return Feedback.hint("That is the mean of the monthly lifts: add the counts of every "
                             "month up first, then divide (months with few flags would "
                             "weigh as much as the others).")
    if abs(answer - rates["flagged_lost"] / rates["flagged"]) <= 0.005:
        return Feedback.hint("That is the flagged accounts' loss rate: divide it by the base "
                             "rate (lost / accounts) to get the lift.")
    if abs(answer - 1 / truth) <= 0.005:
        return Feedback.hint("Upside down: the flagged rate over the base rate.")
    hint = rounding_hint(answer, truth, decimals=2)
    return Feedback.hint(hint or f"Not {answer}: (flagged_lost / flagged) / (lost / "
                         "accounts), each summed over the month ends.")


EXERCISES = [
    Exercise("15.1", "Place accounts on the ladder", "my_stages", check_ladder, """\
bought = p_months[p_months["revenue"] > 0].groupby("account_id")["period"].nunique()
my_stages = p_status[["account_id"]].copy()
months_bought = my_stages["account_id"].map(bought).fillna(0)
my_stages["stage"] = np.where(months_bought >= 3, "client", "customer")
my_stages.loc[p_status["status"] == "lost", "stage"] = "lost\""""),
    Exercise("15.2", "A transition matrix", "my_moves", check_moves, """\
a = p_history[p_history["as_of"] == start].set_index("account_id")["stage"]
b = p_history[p_history["as_of"] == end].set_index("account_id")["stage"]
ids = a.index.union(b.index)
pairs = pd.DataFrame({"from_stage": a.reindex(ids).fillna("not yet"),
                      "to_stage": b.reindex(ids).fillna("not yet")})
my_moves = pairs.groupby(["from_stage", "to_stage"]).size().rename("accounts").reset_index()"""),
    Exercise("15.3", "One warning signal: the revenue trend", "my_trend", check_trend, """\
change = p_trend["revenue_l12m"] / p_trend["revenue_p12m"].where(p_trend["revenue_p12m"] > 0) - 1
my_trend = p_trend[["account_id"]].copy()
my_trend["revenue_trend"] = (100 * (1 + change.clip(upper=0) / 0.5)).clip(0, 100).round(1)""",
             precision="one decimal"),
    Exercise("15.4", "Weigh a health score", "my_score", check_score, """\
signals = p_measures.drop(columns="account_id")
w = pd.Series(weights).reindex(signals.columns)
known = signals.notna().mul(w, axis=1).sum(axis=1)
my_score = p_measures[["account_id"]].copy()
my_score["score"] = (signals.fillna(0).mul(w, axis=1).sum(axis=1) / known).round(1)""",
             precision="one decimal"),
    Exercise("15.5", "Read the backtest: the lift", "my_lift", check_lift, """\
total = p_backtest[["flagged_lost", "flagged", "lost", "accounts"]].sum()
my_lift = round((total["flagged_lost"] / total["flagged"]) / (total["lost"] / total["accounts"]), 2)""",
             precision="two decimals"),
]
