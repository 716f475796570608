"""Lost spells: every time an account was lost, what it took with it, and whether it came back.

The status frame (:mod:`kamlib.status`) says what each account *is* on the as-of date. Losses
over time need every spell: an account is **lost** on the day its time without a purchase
passes ``lost_after_days`` (the last purchase + ``lost_after_days`` + 1 day, the same rule as
the status frame's), and **won back** on the first day of the month it bought again. The
purchases are the cube's months with positive net revenue (a credit note alone is no
purchase); a spell is measured from the last line of one buying month to the first line of
the next, as the status frame's "won back" is.

What a loss takes with it is the account's revenue (and profit, where costs are known) in
the 12 calendar months up to its last purchase: its yearly revenue when it left.

Examples
--------
>>> import pandas as pd
>>> am = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [120.0, 60.0, 50.0],
...     "period": pd.to_datetime(["2023-01-01", "2024-06-01", "2024-11-01"]),
...     "first_date": pd.to_datetime(["2023-01-10", "2024-06-03", "2024-11-05"]),
...     "last_date": pd.to_datetime(["2023-01-10", "2024-06-03", "2024-11-05"])})
>>> sp = lost_spells(am, as_of="2024-12-31", lost_after_days=180)
>>> sp[["account_id", "lost_on", "returned_on", "revenue_before"]].astype(str).values.tolist()
[['a', '2023-07-10', '2024-06-01', '120.0'], ['a', '2024-12-01', nan, '60.0']]

Account a was lost on 2023-07-10 (181 days after its purchase of 2023-01-10), came back in
June 2024, and is lost again since 2024-12-01.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.status import purchase_months

__all__ = ["lost_spells", "lost_at", "losses_by_period", "loss_trend", "comebacks",
           "service_cost_by_month", "lost_rules_side_by_side"]

_SPELL_COLUMNS = ["account_id", "last_purchase", "lost_on", "returned_on", "days_without",
                  "revenue_before", "profit_before", "revenue_back", "months_back"]


def service_cost_by_month(activities: pd.DataFrame, rates: pd.DataFrame) -> pd.DataFrame:
    """Activity cost to serve per account and month: ``account_id``, ``period``,
    ``cost_to_serve`` (quantity x unit cost; quantity 1 where the log has none).

    >>> acts = pd.DataFrame({"account_id": ["a", "a"], "activity": ["visit", "visit"],
    ...                      "date": pd.to_datetime(["2024-01-03", "2024-01-20"])})
    >>> rates = pd.DataFrame({"activity": ["visit"], "unit_cost": [300.0]})
    >>> service_cost_by_month(acts, rates).values.tolist()[0][1:]
    [Timestamp('2024-01-01 00:00:00'), 600.0]
    """
    require_columns(activities, ["account_id", "activity", "date"], "service_cost_by_month")
    acts = activities if "quantity" in activities else activities.assign(quantity=1.0)
    costed = acts.merge(rates[["activity", "unit_cost"]], on="activity", how="left")
    if costed["unit_cost"].isna().any():
        missing = sorted(costed.loc[costed["unit_cost"].isna(), "activity"].astype(str).unique())
        raise ValueError(f"service_cost_by_month: activities without a rate: {missing[:5]}")
    costed = costed.assign(
        account_id=costed["account_id"].astype(str),
        period=pd.to_datetime(costed["date"]).dt.to_period("M").dt.start_time,
        cost_to_serve=costed["quantity"].astype(float) * costed["unit_cost"].astype(float))
    return costed.groupby(["account_id", "period"], as_index=False)["cost_to_serve"].sum()


def _last_exact(timing: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.Series:
    """The exact last purchase day per account, where it lies on or before ``as_of``
    (the status frame's rule for its last purchase)."""
    if timing is None:
        return pd.Series(dtype="datetime64[ns]")
    last = timing.assign(account_id=timing["account_id"].astype(str)).set_index(
        "account_id")["purchase_days_last"].astype("datetime64[ns]")
    return last[last.notna() & (last <= as_of)]


def _window(am: pd.DataFrame, spells: pd.DataFrame, start: str, end: str, value: str
            ) -> pd.Series:
    """Per spell (index), the sum of ``value`` over the account's months in [start, end]."""
    rows = spells[["account_id", start, end]].reset_index(names="spell").merge(
        am[["account_id", "period", value]], on="account_id")
    inside = rows[(rows["period"] >= rows[start]) & (rows["period"] <= rows[end])]
    return inside.groupby("spell")[value].sum(min_count=1).reindex(spells.index)


def lost_spells(account_month: pd.DataFrame, account_timing: pd.DataFrame | None = None, *,
                as_of: DateLike, lost_after_days: int = 180,
                service_cost: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every spell in which an account was lost, up to ``as_of``; one row per spell.

    Parameters
    ----------
    account_month : DataFrame
        The cube's account x month facts (account_id, period, revenue, first_date,
        last_date; ``cost`` for profit).
    account_timing : DataFrame, optional
        The cube's purchase timing: the exact last purchase day, as the status frame uses it.
    as_of : date-like
        The day the spells are seen from (a spell still open on it is a current loss).
    lost_after_days : int
        Days without a purchase after which an account is lost (``[analysis]``).
    service_cost : DataFrame, optional
        :func:`service_cost_by_month`: the cost to serve taken off profit.

    Returns
    -------
    DataFrame
        account_id, last_purchase (before the spell; NaT for an account that never bought),
        lost_on (the day the spell passed ``lost_after_days``), returned_on (first day of the
        month it bought again; NaT while lost), days_without (to the return, or to
        ``as_of``), revenue_before and profit_before (the 12 months up to the last purchase;
        profit NaN where a month has no cost), revenue_back (the first 12 months from the
        return, up to ``as_of``) and months_back (how many of those months are observed).
        Sorted by account and lost_on.
    """
    where = "lost_spells"
    require_columns(account_month, ["account_id", "period", "revenue", "first_date",
                                    "last_date"], where)
    if isinstance(lost_after_days, bool) or not isinstance(lost_after_days, (int, np.integer)) \
            or lost_after_days < 1:
        raise ValueError(f"{where}: lost_after_days = {lost_after_days!r}: a whole number of "
                         "days, at least 1")
    as_of = pd.Timestamp(as_of).normalize()
    limit = pd.Timedelta(days=int(lost_after_days))
    am = account_month.assign(account_id=account_month["account_id"].astype(str),
                              period=account_month["period"].astype("datetime64[ns]"))
    bought = purchase_months(am, as_of)
    # closed spells: a buying month after more than lost_after_days without a purchase
    before = bought.groupby("account_id")["last_date"].shift()
    closed = bought[bought["gap_before"] > lost_after_days]
    closed = pd.DataFrame({"account_id": closed["account_id"], "last_purchase": before[
        closed.index], "returned_on": closed["period"], "_back": closed["first_date"]})
    # the open spell: from the last purchase (exact where the timing knows it) to as_of
    exact = _last_exact(account_timing, as_of)
    last = exact.combine_first(bought.groupby("account_id")["last_date"].max())
    last = last[last.index.isin(am["account_id"].unique())].rename_axis("account_id")
    open_ = last[(as_of - last) > limit].rename("last_purchase").reset_index()
    # pandas' hash-based difference: numpy's set routines compare object arrays pairwise
    never = pd.Index(am["account_id"].unique()).difference(last.index).to_numpy()
    open_ = pd.concat([open_, pd.DataFrame({"account_id": never,
                                            "last_purchase": pd.NaT})], ignore_index=True)
    spells = pd.concat([closed, open_.assign(returned_on=pd.NaT, _back=pd.NaT)],
                       ignore_index=True)
    spells["last_purchase"] = spells["last_purchase"].astype("datetime64[ns]")
    spells["returned_on"] = spells["returned_on"].astype("datetime64[ns]")
    spells["lost_on"] = spells["last_purchase"] + limit + pd.Timedelta(days=1)
    spells["days_without"] = (spells["_back"].fillna(as_of) - spells["last_purchase"]).dt.days
    spells["_from"] = (spells["last_purchase"].dt.to_period("M") - 11).dt.start_time
    spells["_to"] = spells["last_purchase"].dt.to_period("M").dt.start_time
    spells["revenue_before"] = _window(am, spells, "_from", "_to", "revenue").fillna(0.0)
    spells["profit_before"] = _profit(am, spells, service_cost)
    spells["_end"] = (spells["returned_on"].dt.to_period("M") + 11).dt.start_time.clip(
        upper=as_of.to_period("M").start_time)
    spells["revenue_back"] = _window(am, spells, "returned_on", "_end", "revenue")
    spells["months_back"] = ((spells["_end"].dt.to_period("M") - spells["returned_on"].dt
                              .to_period("M")).map(lambda p: p.n + 1 if pd.notna(p) else np.nan))
    spells.loc[spells["returned_on"].isna(), "revenue_back"] = np.nan
    spells = spells.sort_values(["account_id", "lost_on"], kind="mergesort", na_position="first")
    out = spells[_SPELL_COLUMNS].reset_index(drop=True)
    out["days_without"] = out["days_without"].astype("float64")
    out["months_back"] = out["months_back"].astype("float64")
    out.attrs["lost_after_days"] = int(lost_after_days)
    out.attrs["as_of"] = as_of.date().isoformat()
    return out


def _profit(am: pd.DataFrame, spells: pd.DataFrame,
            service_cost: pd.DataFrame | None) -> pd.Series:
    """Revenue - cost of goods (- cost to serve) over each spell's 12 months before; NaN
    where the data has no cost or a month in the window has none."""
    if "cost" not in am:
        return pd.Series(np.nan, index=spells.index)
    margin = am.assign(_margin=am["revenue"] - am["cost"])  # NaN cost -> NaN margin
    gross = _window(margin.assign(_known=margin["_margin"].notna().astype(float) - 1.0),
                    spells, "_from", "_to", "_known")
    profit = _window(margin.fillna({"_margin": 0.0}), spells, "_from", "_to", "_margin")
    profit = profit.where(gross.fillna(0.0) == 0.0)  # any month without cost: unknown
    if service_cost is not None:
        require_columns(service_cost, ["account_id", "period", "cost_to_serve"], "lost_spells")
        sc = service_cost.assign(account_id=service_cost["account_id"].astype(str),
                                 period=service_cost["period"].astype("datetime64[ns]"))
        profit = profit - _window(sc, spells, "_from", "_to", "cost_to_serve").fillna(0.0)
    return profit


def lost_at(spells: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """The spells open on ``as_of``: the accounts lost on that day (one row each).

    >>> sp = pd.DataFrame({"account_id": ["a", "b"], "lost_on": pd.to_datetime(
    ...     ["2024-01-01", "2024-02-01"]), "returned_on": pd.to_datetime(["2024-05-01", None]),
    ...     "last_purchase": pd.to_datetime(["2023-07-01", "2023-08-01"])})
    >>> lost_at(sp, "2024-12-31")["account_id"].tolist()
    ['b']
    """
    as_of = pd.Timestamp(as_of)
    started = spells["lost_on"].isna() | (spells["lost_on"] <= as_of)
    still = spells["returned_on"].isna() | (spells["returned_on"] > as_of)
    return spells[started & still].reset_index(drop=True)


def losses_by_period(spells: pd.DataFrame, *, start: DateLike, as_of: DateLike,
                     freq: str = "Q") -> pd.DataFrame:
    """Accounts lost and won back per month (``freq="M"``) or quarter (``"Q"``).

    Periods run from the first one in which a loss is possible (``start`` + lost_after_days
    + 1 day; ``start`` is the data's first day) to the one holding ``as_of``.

    Returns
    -------
    DataFrame
        period (first day), lost, revenue_lost, profit_lost (yearly figures of the accounts
        lost in the period, when they left), won_back, revenue_won_back (their yearly revenue
        when they left), complete (False for the period ``as_of`` cuts short).

    >>> sp = pd.DataFrame({"account_id": ["a", "b"], "lost_on": pd.to_datetime(
    ...     ["2024-01-05", "2024-02-01"]), "returned_on": pd.to_datetime(["2024-05-01", None]),
    ...     "revenue_before": [10.0, 5.0], "profit_before": [2.0, np.nan]})
    >>> t = losses_by_period(sp, start="2023-01-01", as_of="2024-06-30", freq="Q")
    >>> t["lost"].tolist()[-2:], t["revenue_lost"].tolist()[-2:], t["won_back"].tolist()[-2:]
    ([2, 0], [15.0, 0.0], [0, 1])
    """
    if freq not in ("M", "Q"):
        raise ValueError(f"losses_by_period: freq = {freq!r}: 'M' (months) or 'Q' (quarters)")
    require_columns(spells, ["lost_on", "returned_on", "revenue_before", "profit_before"],
                    "losses_by_period")
    as_of = pd.Timestamp(as_of)
    days = int(spells.attrs.get("lost_after_days", 0))
    first = pd.Timestamp(start) + pd.Timedelta(days=days + 1)
    periods = pd.period_range(first.to_period(freq), as_of.to_period(freq), freq=freq)
    lost = spells[spells["lost_on"].notna() & (spells["lost_on"] <= as_of)]
    back = spells[spells["returned_on"].notna() & (spells["returned_on"] <= as_of)]
    by_lost = lost.groupby(lost["lost_on"].dt.to_period(freq))
    by_back = back.groupby(back["returned_on"].dt.to_period(freq))
    out = pd.DataFrame(index=periods)
    out["lost"] = by_lost.size().reindex(periods).fillna(0).astype("int64")
    out["revenue_lost"] = by_lost["revenue_before"].sum().reindex(periods).fillna(0.0)
    out["profit_lost"] = by_lost["profit_before"].sum(min_count=1).reindex(periods)
    if lost["profit_before"].notna().all():
        out["profit_lost"] = out["profit_lost"].fillna(0.0)
    out["won_back"] = by_back.size().reindex(periods).fillna(0).astype("int64")
    out["revenue_won_back"] = by_back["revenue_before"].sum().reindex(periods).fillna(0.0)
    out["complete"] = [p.end_time.normalize() <= as_of for p in periods]
    out.index = periods.start_time
    out = out.rename_axis("period").reset_index()
    out.attrs["freq"] = freq
    return out


def loss_trend(by_period: pd.DataFrame) -> pd.DataFrame:
    """The trend of losses over the complete periods: the least-squares change in accounts
    lost per period, and the losses of the last four periods against the four before.

    >>> t = pd.DataFrame({"lost": [1, 2, 3, 4, 5, 6, 7, 8, 0], "complete": [True] * 8 + [False],
    ...                   "revenue_lost": [1.0] * 9})
    >>> loss_trend(t).round(6).iloc[0].tolist()
    [1.0, 26.0, 10.0, 4.0, 4.0]
    """
    done = by_period[by_period["complete"]]
    y = done["lost"].to_numpy(dtype=float)
    slope = float(np.polyfit(np.arange(len(y)), y, 1)[0]) if len(y) >= 2 else np.nan
    last, before = done.tail(4), done.iloc[-8:-4] if len(done) >= 8 else done.iloc[0:0]
    return pd.DataFrame([{
        "change_per_period": slope,
        "lost_last_four": float(last["lost"].sum()),
        "lost_four_before": float(before["lost"].sum()) if len(before) == 4 else np.nan,
        "revenue_lost_last_four": float(last["revenue_lost"].sum()),
        "revenue_lost_four_before": (float(before["revenue_lost"].sum()) if len(before) == 4
                                     else np.nan)}])


def comebacks(spells: pd.DataFrame) -> pd.DataFrame:
    """The spells that ended in a return: how long the account was away and what share of
    its former yearly revenue it brought back (revenue_back scaled to 12 months).

    >>> sp = pd.DataFrame({"account_id": ["a"], "last_purchase": pd.to_datetime(["2023-01-10"]),
    ...     "lost_on": pd.to_datetime(["2023-07-10"]), "returned_on": pd.to_datetime(
    ...     ["2024-06-01"]), "days_without": [510.0], "revenue_before": [120.0],
    ...     "revenue_back": [30.0], "months_back": [6.0]})
    >>> comebacks(sp)[["days_without", "share_back"]].values.tolist()
    [[510.0, 0.5]]
    """
    back = spells[spells["returned_on"].notna()].copy()
    yearly = back["revenue_back"] * 12.0 / back["months_back"]
    back["share_back"] = (yearly / back["revenue_before"]).where(back["revenue_before"] > 0)
    return back[["account_id", "last_purchase", "lost_on", "returned_on", "days_without",
                 "revenue_before", "revenue_back", "months_back", "share_back"]
                ].reset_index(drop=True)


def lost_rules_side_by_side(status: pd.DataFrame, p_alive: pd.Series, *,
                            threshold: float = 0.5) -> pd.DataFrame:
    """The days rule next to the lifetime-value model: accounts (and their revenue in the
    12 months before the last 12) by "lost by the days rule" x "P(alive) below threshold".

    >>> st = pd.DataFrame({"account_id": ["a", "b", "c"], "status": ["lost", "active", "lost"],
    ...                    "revenue_p12m": [10.0, 20.0, 5.0]})
    >>> t = lost_rules_side_by_side(st, pd.Series({"a": 0.1, "b": 0.3, "c": 0.9}))
    >>> t[["accounts", "revenue_p12m"]].values.tolist()
    [[0.0, 0.0], [1.0, 20.0], [1.0, 5.0], [1.0, 10.0]]
    """
    if not 0 < threshold < 1:
        raise ValueError(f"lost_rules_side_by_side: threshold = {threshold!r}: between 0 and 1")
    require_columns(status, ["account_id", "status", "revenue_p12m"], "lost_rules_side_by_side")
    frame = status.assign(account_id=status["account_id"].astype(str))
    p = pd.Series(p_alive).rename(index=str).reindex(frame["account_id"]).to_numpy()
    frame["lost_by_days"] = (frame["status"].astype(str) == "lost")
    frame["unlikely_alive"] = p < threshold
    frame.loc[pd.isna(p), "unlikely_alive"] = False
    grouped = frame.groupby(["lost_by_days", "unlikely_alive"])
    idx = pd.MultiIndex.from_product([[False, True], [False, True]],
                                     names=["lost_by_days", "unlikely_alive"])
    out = pd.DataFrame({"accounts": grouped.size().reindex(idx).fillna(0).astype(float),
                        "revenue_p12m": grouped["revenue_p12m"].sum().reindex(idx).fillna(0.0)})
    return out.reset_index()
