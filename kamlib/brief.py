"""The director's brief: the figures, accounts and next steps the index opens with.

Everything here reads the one account status frame (:mod:`kamlib.status`), so the brief
names the same accounts and the same numbers as every page: revenue and profit of the last
12 months against the 12 months before, the largest accounts with their status, the
accounts to act on this month with their reason and manager, and the next steps with their
counts.

Examples
--------
>>> import pandas as pd
>>> st = pd.DataFrame({"account_id": ["a", "b", "c"], "status": ["active", "lost", "at risk"],
...     "reasons": ["", "no purchase since 2025-01-02 (270 days; lost after 180)",
...                 "revenue in the last 12 months 40% below the 12 months before"],
...     "revenue_l12m": [900.0, 0.0, 60.0], "revenue_p12m": [800.0, 300.0, 100.0],
...     "profit_l12m": [90.0, 0.0, -20.0], "profit_p12m": [70.0, 30.0, 5.0]})
>>> totals(st)["revenue_l12m"], round(totals(st)["margin_l12m"], 3)
(960.0, 0.073)
>>> act_on(st, key_accounts={"b", "c"})[["account_id", "why"]].values.tolist()[0]
['b', 'lost key account: no purchase since 2025-01-02 (270 days; lost after 180)']
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kamlib._frames import require_columns

__all__ = ["totals", "largest_accounts", "act_on", "next_steps", "compact"]

_STATUS = ["account_id", "status", "reasons", "revenue_l12m", "revenue_p12m"]


def compact(value: float, unit: str = "") -> str:
    """An amount as a director reads it: 498.5 M, 21.6 k, 950 (``unit`` appended), never
    more than four significant digits below a hundred billion (999,960 is 1.0 M, not
    1,000.0 k); below 10 two significant digits (0.25, 7.5). Number, scale and unit are
    joined by no-break spaces, so "2.9 M EUR" never breaks across lines. Every page and
    caption shows compact amounts with this one function.

    >>> nb = lambda s: s.replace("\u00a0", " ")  # the no-break spaces, shown as spaces
    >>> [nb(compact(v)) for v in (-21_640, 950.4, 1.25e9, 999_960, 999.6, 12_345.6)]
    ['-21.6 k', '950', '1.25 bn', '1.0 M', '1.0 k', '12.3 k']
    >>> nb(compact(498_475_813, "EUR")), compact(0.25), compact(7.0), compact(float("nan"))
    ('498.5 M EUR', '0.25', '7', 'n/a')
    >>> compact(1e-5), compact(9.96)
    ('0', '10')
    """
    if value is None or not np.isfinite(value):
        return "n/a"
    size = abs(value)
    scales = ((1.0, "", 0), (1e3, "k", 1), (1e6, "M", 1), (1e9, "bn", 2))
    i = max(j for j, (limit, _, _) in enumerate(scales) if size >= limit or j == 0)
    # a value that rounds up to 1,000 of its scale is shown in the next one
    while i + 1 < len(scales) and round(size / scales[i][0], scales[i][2]) >= 1000:
        i += 1
    limit, suffix, digits = scales[i]
    if i == 0 and size < 10 and value != int(value):
        text = f"{value:.2g}" if size >= 0.005 else "0"  # 0.25 and 7.5, never 1e-05
    else:
        text = f"{value / limit:,.{digits}f}\u00a0{suffix}".strip()
    return f"{text}\u00a0{unit}" if unit else text


def totals(status: pd.DataFrame) -> dict[str, float]:
    """Revenue, profit and profit margin of every account, last 12 months and the 12
    before (profit NaN where the data has no cost to serve), and the change of each."""
    require_columns(status, _STATUS[3:], "totals")
    out = {"revenue_l12m": float(status["revenue_l12m"].sum()),
           "revenue_p12m": float(status["revenue_p12m"].sum())}
    for when in ("l12m", "p12m"):
        profit = status.get(f"profit_{when}")
        known = profit is not None and profit.notna().any()
        out[f"profit_{when}"] = float(profit.sum()) if known else np.nan
        revenue = out[f"revenue_{when}"]
        out[f"margin_{when}"] = out[f"profit_{when}"] / revenue if revenue > 0 else np.nan
    for what in ("revenue", "profit", "margin"):
        out[f"{what}_change"] = out[f"{what}_l12m"] - out[f"{what}_p12m"]
    return out


def _named(frame: pd.DataFrame, accounts: pd.DataFrame | None) -> pd.DataFrame:
    cols = [c for c in ("account_name", "account_manager") if accounts is not None
            and c in accounts]
    if cols:
        names = accounts[["account_id", *cols]].assign(
            account_id=accounts["account_id"].astype(str))
        frame = frame.merge(names, on="account_id", how="left")
    for c in ("account_name", "account_manager"):
        if c not in frame:
            frame[c] = ""
        frame[c] = frame[c].fillna("").astype(str)
    return frame


def largest_accounts(status: pd.DataFrame, accounts: pd.DataFrame | None = None, *,
                     n: int = 10) -> pd.DataFrame:
    """The ``n`` largest accounts by revenue in the last 12 months, with their change
    against the 12 months before (``change``, a share; NaN where there was none) and their
    status. Ties go to the smaller account id."""
    require_columns(status, _STATUS, "largest_accounts")
    top = status.assign(account_id=status["account_id"].astype(str)).sort_values(
        ["revenue_l12m", "account_id"], ascending=[False, True], kind="mergesort").head(n)
    top = top.assign(change=(top["revenue_l12m"] / top["revenue_p12m"] - 1).where(
        top["revenue_p12m"] > 0))
    top["status"] = top["status"].astype(str)
    return _named(top[["account_id", "revenue_l12m", "revenue_p12m", "change", "status",
                       "reasons"]].reset_index(drop=True), accounts)


def act_on(status: pd.DataFrame, accounts: pd.DataFrame | None = None, *,
           key_accounts: Iterable[str] = (), large_share: float = 0.01) -> pd.DataFrame:
    """The accounts to act on this month, largest stake first: lost key accounts (stake:
    their revenue in the 12 months before), at-risk key accounts (the last 12 months) and
    loss-making large accounts (at least ``large_share`` of revenue in the last 12 months
    and a loss in them; stake: the loss). Columns: account_id, kind, why, stake, and the
    name and manager."""
    require_columns(status, _STATUS, "act_on")
    st = status.assign(account_id=status["account_id"].astype(str),
                       status=status["status"].astype(str))
    keys = {str(k) for k in key_accounts}
    is_key = st["account_id"].isin(keys)
    parts = [
        st[is_key & (st["status"] == "lost")].assign(
            kind="lost key account", stake=lambda f: f["revenue_p12m"]),
        st[is_key & (st["status"] == "at risk")].assign(
            kind="key account at risk", stake=lambda f: f["revenue_l12m"]),
    ]
    if "profit_l12m" in st:
        total = st["revenue_l12m"].clip(lower=0).sum()
        large = st["revenue_l12m"] >= large_share * total if total > 0 else st["revenue_l12m"] > 0
        losing = st[large & (st["profit_l12m"] < 0) & (st["status"] != "lost")]
        parts.append(losing.assign(
            kind="large account making a loss", stake=lambda f: -f["profit_l12m"],
            reasons=lambda f: [f"a loss of {compact(-p)} in the last 12 months"
                               for p in f["profit_l12m"]]))
    out = pd.concat(parts, ignore_index=True)
    out["why"] = out["kind"] + ": " + out["reasons"].astype(str)
    out = out.sort_values(["stake", "account_id"], ascending=[False, True], kind="mergesort")
    out = out.drop_duplicates("account_id")  # one line per account: its largest stake
    return _named(out[["account_id", "kind", "why", "stake"]].reset_index(drop=True),
                  accounts)


def next_steps(actions: pd.DataFrame, status: pd.DataFrame, unit: str = "") -> list[str]:
    """The next steps in plain words, with their counts and what is at stake per year."""
    steps = []
    words = {"lost key account": ("Win back {n} lost key account{s}", "bought in the 12 "
                                  "months before the last 12"),
             "key account at risk": ("Visit {n} key account{s} at risk", "bought in the last "
                                     "12 months"),
             "large account making a loss": ("Review the cost to serve of {n} large "
                                             "account{s} making a loss", "lost in the last 12 "
                                             "months")}
    for kind, (text, per) in words.items():
        rows = actions[actions["kind"] == kind]
        if len(rows):
            n = len(rows)
            steps.append(f"{text.format(n=n, s='s' if n != 1 else '')}: "
                         f"{compact(rows['stake'].sum(), unit)} {per}.")
    st = status["status"].astype(str)
    won = int((st == "won back").sum())
    if won:
        steps.append(f"Welcome back {won} account{'s' if won != 1 else ''} that bought again "
                     "after a lost spell: a contact plan keeps them.")
    return steps
