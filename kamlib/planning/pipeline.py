"""The sales pipeline of each account, from the ``opportunities`` table.

An opportunity is open while its stage is prospect, proposal or negotiation, and closed
once won or lost. Each open one is weighted by the chance its stage stands for (a stated
table, :data:`DEFAULT_STAGE_PROBABILITY`, that a company replaces with its own): weighted
value = value x probability. The closed ones are the account's history of wins and losses.

Examples
--------
>>> import pandas as pd
>>> opps = pd.DataFrame({"account_id": ["a", "a", "a"], "opportunity_id": ["1", "2", "3"],
...     "stage": ["proposal", "won", "negotiation"], "value": [1000.0, 500.0, 200.0],
...     "close_date": pd.to_datetime(["2026-03-01", "2025-06-01", "2025-12-01"])})
>>> pipeline(opps, as_of="2025-12-31")[["opportunity_id", "open", "weighted_value",
...                                     "overdue"]]
  opportunity_id   open  weighted_value  overdue
0              3   True           120.0     True
1              1   True           300.0    False
2              2  False             NaN    False
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns, require_numeric

__all__ = ["DEFAULT_STAGE_PROBABILITY", "OPEN_STAGES", "CLOSED_STAGES", "pipeline",
           "pipeline_totals"]

OPEN_STAGES = ("prospect", "proposal", "negotiation")
CLOSED_STAGES = ("won", "lost")

# The chance an open opportunity of each stage closes as won: a common B2B rule of thumb,
# to be replaced by a company's own win rates per stage.
DEFAULT_STAGE_PROBABILITY: Mapping[str, float] = {
    "prospect": 0.10, "proposal": 0.30, "negotiation": 0.60}


def _check(probabilities: Mapping[str, float], where: str) -> dict[str, float]:
    missing = [s for s in OPEN_STAGES if s not in probabilities]
    bad = {s: p for s, p in probabilities.items()
           if not isinstance(p, (int, float)) or not 0 <= p <= 1}
    if missing or bad:
        raise ValueError(f"{where}: every open stage needs a probability between 0 and 1 "
                         f"(missing: {missing or 'none'}; out of range: {bad or 'none'}); "
                         f"e.g. {dict(DEFAULT_STAGE_PROBABILITY)}")
    return {s: float(probabilities[s]) for s in OPEN_STAGES}


def pipeline(opportunities: pd.DataFrame, *, as_of: DateLike,
             probabilities: Mapping[str, float] | None = None,
             account: str = "account_id") -> pd.DataFrame:
    """Every opportunity with whether it is open, its stage probability, weighted value and
    whether its close date has passed while it is still open.

    Parameters
    ----------
    opportunities : DataFrame
        ``account``, ``opportunity_id``, ``stage`` (prospect, proposal, negotiation, won,
        lost), optionally ``product``, ``value`` and ``close_date``.
    as_of : date-like
        The day an open opportunity's close date is overdue after.
    probabilities : mapping, optional
        Open stage -> probability of winning (0-1); :data:`DEFAULT_STAGE_PROBABILITY`.

    Returns
    -------
    DataFrame
        The input's columns plus ``open``, ``probability`` and ``weighted_value`` (NaN for
        closed ones, and for an open one without a value) and ``overdue``. Sorted by
        account, open ones first, then close date (undated last) and id.
    """
    where = "pipeline"
    require_columns(opportunities, [account, "opportunity_id", "stage"], where)
    chances = _check(DEFAULT_STAGE_PROBABILITY if probabilities is None else probabilities,
                     where)
    out = opportunities.copy()
    stage = out["stage"].astype(str).str.strip().str.lower()
    unknown = sorted(set(stage) - set(OPEN_STAGES) - set(CLOSED_STAGES))
    if unknown:
        raise ValueError(f"{where}: unknown stage(s) {unknown}; the stages are "
                         f"{list(OPEN_STAGES + CLOSED_STAGES)}")
    out["stage"] = stage
    for col in ("product", "value", "close_date"):
        if col not in out:
            out[col] = np.nan if col == "value" else (pd.NaT if col == "close_date" else None)
    require_numeric(out, "value", where)
    out["close_date"] = pd.to_datetime(out["close_date"])
    out["open"] = stage.isin(OPEN_STAGES)
    out["probability"] = stage.map(chances).astype("float64")
    out["weighted_value"] = out["value"] * out["probability"]
    out["overdue"] = (out["open"] & (out["close_date"] < pd.Timestamp(as_of))).astype(bool)
    out = out.sort_values([account, "open", "close_date", "opportunity_id"],
                          ascending=[True, False, True, True], kind="mergesort",
                          na_position="last").reset_index(drop=True)
    out.attrs["rules"] = {
        "weighted_value": "value x the chance of its stage: " + ", ".join(
            f"{s} {p:.0%}" for s, p in chances.items()),
        "overdue": f"open, and its close date lies before {pd.Timestamp(as_of).date()}"}
    return out


def pipeline_totals(pipe: pd.DataFrame, accounts: Iterable,
                    account: str = "account_id") -> pd.DataFrame:
    """Per account: open opportunities (count, value, weighted value, overdue), and the
    won and lost ones (count, value) with the win rate (won / closed, by count).

    Examples
    --------
    >>> p = pd.DataFrame({"account_id": ["a", "a", "a"], "stage": ["won", "lost", "lost"],
    ...     "open": [False] * 3, "value": [10.0, 5.0, 5.0], "weighted_value": [np.nan] * 3,
    ...     "overdue": [False] * 3})
    >>> pipeline_totals(p, ["a", "b"])[["account_id", "won", "lost", "win_rate"]]
      account_id  won  lost  win_rate
    0          a    1     2  0.333333
    1          b    0     0       NaN
    """
    require_columns(pipe, [account, "stage", "open", "value", "weighted_value", "overdue"],
                    "pipeline_totals")
    ids = pd.Index(sorted(pd.unique(pd.Series(list(accounts), dtype="object"))), name=account)
    opened = pipe[pipe["open"]].groupby(account)
    out = pd.DataFrame(index=ids)
    out["open"] = opened.size().reindex(ids, fill_value=0).astype("int64")
    out["open_value"] = opened["value"].sum().reindex(ids, fill_value=0.0)
    out["weighted_value"] = opened["weighted_value"].sum().reindex(ids, fill_value=0.0)
    out["overdue"] = opened["overdue"].sum().reindex(ids, fill_value=0).astype("int64")
    for stage in CLOSED_STAGES:
        done = pipe[pipe["stage"] == stage].groupby(account)
        out[stage] = done.size().reindex(ids, fill_value=0).astype("int64")
        out[f"{stage}_value"] = done["value"].sum().reindex(ids, fill_value=0.0)
    closed = out["won"] + out["lost"]
    out["win_rate"] = out["won"] / closed.where(closed > 0)
    return out.reset_index()
