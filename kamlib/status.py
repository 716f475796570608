"""The account status frame: one status per account, computed once, read by every page.

Per account: revenue (and profit, where costs are known) in the **last 12 months** to the
as-of date and in the **12 months before**, first and last purchase, the account's own
purchase rhythm, and one **status** with its reasons in words:

- **lost**: no purchase for more than ``lost_after_days`` days (``[analysis]
  lost_after_days``), or never a purchase (credit notes only). Nothing else makes an
  account lost.
- **won back**: not lost, and bought again in the last 12 months after a spell of more than
  ``lost_after_days`` days without a purchase.
- **new**: not lost, first purchase in the last 12 months.
- **at risk**: none of the above, and at least one warning from its own behaviour: a gap
  since the last purchase well beyond its usual rhythm, revenue in the last 12 months well
  below the 12 months before, or products it stopped buying while its revenue did not grow.
- **active**: every other account.

The periods are whole calendar months: the last 12 months are the as-of month and the 11
before it (the as-of month up to the as-of day), the 12 months before are the 12 months
before those. Every movement the kit shows compares such equal periods.

Examples
--------
>>> import pandas as pd
>>> am = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [100.0, 100.0, 50.0],
...     "period": pd.to_datetime(["2023-06-01", "2024-12-01", "2024-12-01"]),
...     "first_date": pd.to_datetime(["2023-06-10", "2024-12-05", "2024-12-20"]),
...     "last_date": pd.to_datetime(["2023-06-10", "2024-12-05", "2024-12-20"])})
>>> st = account_status(am, as_of="2024-12-31")
>>> st[["account_id", "status", "revenue_l12m", "revenue_p12m"]].values.tolist()
[['a', 'won back', 100.0, 100.0], ['b', 'new', 50.0, 0.0]]
>>> st.loc[0, "reasons"]
'bought again on 2024-12-05 after 544 days without a purchase'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.status_rules import STATUSES, StatusRules, classify

__all__ = ["StatusRules", "STATUSES", "account_status", "status_periods", "status_counts",
           "yearly_profit", "rules_of", "dataset_status", "purchase_months"]

def status_periods(as_of: DateLike) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """The first and last day of the last 12 months and of the 12 months before.

    >>> p = status_periods("2025-09-30")
    >>> [d.date().isoformat() for d in (*p["last_12_months"], *p["prior_12_months"])]
    ['2024-10-01', '2025-09-30', '2023-10-01', '2024-09-30']
    """
    as_of = pd.Timestamp(as_of).normalize()
    month = as_of.to_period("M")
    last_start = (month - 11).start_time
    prior_start = (month - 23).start_time
    return {"last_12_months": (last_start, as_of),
            "prior_12_months": (prior_start, last_start - pd.Timedelta(days=1))}


def _window_sum(frame: pd.DataFrame, value: str, start, end, ids: pd.Index) -> pd.Series:
    period = frame["period"].astype("datetime64[ns]")
    rows = frame[(period >= start) & (period <= end)]
    return rows.groupby("account_id")[value].sum(min_count=1).reindex(ids)


def purchase_months(account_month: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """The months with a purchase (positive net revenue) up to ``as_of``, with the spell
    without purchase before each (days from the previous buying month's last line).

    Shared by the status (won back) and the retention module (lost spells), so that both
    read one meaning of "bought" and of the gap before a purchase.

    Examples
    --------
    >>> am = pd.DataFrame({"account_id": ["A", "A"], "revenue": [10.0, 5.0],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-06-01"]),
    ...     "first_date": pd.to_datetime(["2024-01-05", "2024-06-10"]),
    ...     "last_date": pd.to_datetime(["2024-01-20", "2024-06-12"])})
    >>> purchase_months(am, pd.Timestamp("2024-12-31"))["gap_before"].tolist()
    [nan, 142.0]
    """
    bought = account_month[(account_month["revenue"] > 0)
                           & (account_month["period"].astype("datetime64[ns]") <= as_of)]
    bought = bought[["account_id", "period", "first_date", "last_date"]].astype(
        {"first_date": "datetime64[ns]", "last_date": "datetime64[ns]"})
    bought = bought.sort_values(["account_id", "period"], kind="mergesort")
    bought["last_date"] = bought["last_date"].clip(upper=as_of)
    before = bought.groupby("account_id")["last_date"].shift()
    bought["gap_before"] = (bought["first_date"] - before).dt.days
    return bought


def account_status(account_month: pd.DataFrame, account_timing: pd.DataFrame | None = None,
                   account_product: pd.DataFrame | None = None, *, as_of: DateLike,
                   rules: StatusRules = StatusRules(),
                   profit: pd.DataFrame | None = None, words: bool = True) -> pd.DataFrame:
    """One row per account of ``account_month``: its yearly figures, rhythm and status.

    Parameters
    ----------
    account_month : DataFrame
        The cube's account x month facts (account_id, period, revenue, first_date,
        last_date).
    account_timing : DataFrame, optional
        The cube's purchase timing (exact first and last purchase day and the number of
        purchase days); without it, months with a purchase stand in for days.
    account_product : DataFrame, optional
        The cube's account x product facts, for the products no longer bought.
    as_of : date-like
        The day the status looks back from.
    rules : StatusRules
        The parameters of the rules.
    profit : DataFrame, optional
        ``account_id``, ``profit_l12m``, ``profit_p12m`` (:func:`yearly_profit`).
    words : bool
        False leaves reasons and warnings missing (for the past month ends of the history).

    Returns
    -------
    DataFrame
        account_id, first_purchase, last_purchase, days_since_purchase, purchase_days,
        typical_gap_days (average days between purchase days; NaN under two),
        revenue_l12m, revenue_p12m, revenue_change, profit_l12m, profit_p12m (NaN without
        ``profit``), products_dropped, returned_on, status, reasons (why this status, in
        words; "" for active), warnings (every warning signal, also for new and won-back
        accounts). Sorted by account id. ``attrs["rules"]`` says each rule,
        ``attrs["periods"]`` the two 12-month periods.
    """
    where = "account_status"
    require_columns(account_month, ["account_id", "period", "revenue", "first_date",
                                    "last_date"], where)
    as_of = pd.Timestamp(as_of).normalize()
    periods = status_periods(as_of)
    (l_start, l_end), (p_start, p_end) = periods["last_12_months"], periods["prior_12_months"]
    ids = pd.Index(np.sort(account_month["account_id"].astype(str).unique()), name="account_id")
    am = account_month.assign(account_id=account_month["account_id"].astype(str))
    out = pd.DataFrame(index=ids)
    bought = purchase_months(am, as_of)
    by = bought.groupby("account_id")
    out["first_purchase"] = by["first_date"].min().reindex(ids)
    out["last_purchase"] = by["last_date"].max().reindex(ids)
    count = by.size().reindex(ids).fillna(0)
    if account_timing is not None:  # exact days, where the data does not go past as_of
        timing = account_timing.assign(account_id=account_timing["account_id"].astype(str)
                                       ).set_index("account_id").reindex(ids)
        first = timing["purchase_days_first"].astype("datetime64[ns]")
        last = timing["purchase_days_last"].astype("datetime64[ns]")
        exact = last.notna() & (last <= as_of)
        out.loc[exact, "first_purchase"] = first[exact]
        out.loc[exact, "last_purchase"] = last[exact]
        count = count.where(~exact, timing["purchase_days"].fillna(0))
    out["days_since_purchase"] = (as_of - out["last_purchase"]).dt.days.astype("float64")
    out["purchase_days"] = count.astype("int64")
    span = (out["last_purchase"] - out["first_purchase"]).dt.days
    out["typical_gap_days"] = (span / (count - 1)).where(count >= 2).astype("float64")
    out["revenue_l12m"] = _window_sum(am, "revenue", l_start, l_end, ids).fillna(0.0)
    out["revenue_p12m"] = _window_sum(am, "revenue", p_start, p_end, ids).fillna(0.0)
    out["revenue_change"] = out["revenue_l12m"] - out["revenue_p12m"]
    if profit is not None:
        require_columns(profit, ["account_id", "profit_l12m", "profit_p12m"], where)
        p = profit.assign(account_id=profit["account_id"].astype(str)).set_index("account_id")
        out["profit_l12m"] = p["profit_l12m"].reindex(ids).astype("float64")
        out["profit_p12m"] = p["profit_p12m"].reindex(ids).astype("float64")
    else:
        out["profit_l12m"] = out["profit_p12m"] = np.nan
    out["products_dropped"] = _dropped(account_product, ids, as_of, l_start, p_start)
    returns = bought[(bought["gap_before"] > rules.lost_after_days)
                     & (bought["first_date"] >= l_start)]
    out["returned_on"] = returns.groupby("account_id")["first_date"].max().reindex(ids)
    gap_back = returns.sort_values("first_date").groupby("account_id")["gap_before"].last()
    out = out.reset_index()
    classify(out, gap_back, rules, l_start, words=words)
    out.attrs["rules"] = rules.describe()
    out.attrs["periods"] = {k: (a.date().isoformat(), b.date().isoformat())
                            for k, (a, b) in periods.items()}
    return out


def _dropped(account_product: pd.DataFrame | None, ids: pd.Index, as_of: pd.Timestamp,
             l_start: pd.Timestamp, p_start: pd.Timestamp) -> pd.Series:
    """Products last bought in the 12 months before the last 12 (NaN where unknown)."""
    if account_product is None:
        return pd.Series(np.nan, index=ids)
    ap = account_product.assign(account_id=account_product["account_id"].astype(str))
    last = ap["last_date"].astype("datetime64[ns]")
    beyond = ap.loc[last > as_of, "account_id"].unique()  # bought after as_of: unknown
    gone = ap[(last >= p_start) & (last < l_start) & (ap["revenue"] > 0)]
    counts = gone.groupby("account_id").size().reindex(ids).fillna(0).astype("float64")
    counts[counts.index.isin(beyond)] = np.nan
    return counts.to_numpy()


def status_counts(status: pd.DataFrame) -> pd.DataFrame:
    """Accounts and their revenue in both 12-month periods, per status (every status listed).

    >>> st = pd.DataFrame({"status": pd.Categorical(["lost", "active", "lost"],
    ...                                             categories=list(STATUSES)),
    ...                    "revenue_l12m": [0.0, 90.0, 10.0], "revenue_p12m": [50, 80, 40.0]})
    >>> status_counts(st).loc["lost"].tolist()
    [2.0, 10.0, 90.0]
    """
    require_columns(status, ["status", "revenue_l12m", "revenue_p12m"], "status_counts")
    grouped = status.groupby("status", observed=False)
    out = pd.DataFrame({"accounts": grouped.size().astype("float64"),
                        "revenue_l12m": grouped["revenue_l12m"].sum(),
                        "revenue_p12m": grouped["revenue_p12m"].sum()})
    return out.reindex(list(STATUSES)).fillna(0.0)


def yearly_profit(account_month: pd.DataFrame, activities: pd.DataFrame, rates: pd.DataFrame,
                  *, as_of: DateLike, cost: str | None = "cost") -> pd.DataFrame:
    """Each account's profit (revenue - cost of goods - activity cost to serve) in the last
    12 months and the 12 months before: ``account_id``, ``profit_l12m``, ``profit_p12m``.

    >>> am = pd.DataFrame({"account_id": ["a", "a"], "revenue": [100.0, 300.0],
    ...     "cost": [50.0, 100.0], "period": pd.to_datetime(["2023-05-01", "2024-05-01"])})
    >>> acts = pd.DataFrame({"account_id": ["a"], "activity": ["visit"], "quantity": [1.0],
    ...                      "date": pd.to_datetime(["2024-06-03"])})
    >>> rates = pd.DataFrame({"activity": ["visit"], "unit_cost": [20.0]})
    >>> yearly_profit(am, acts, rates, as_of="2024-12-31").values.tolist()
    [['a', 180.0, 50.0]]
    """
    from kamlib.profitability import cost_to_serve, customer_pnl

    ids = account_month["account_id"].astype(str).unique()
    parts = []
    for name, (start, end) in zip(("profit_l12m", "profit_p12m"),
                                  status_periods(as_of).values()):
        costs = cost_to_serve(activities, rates, accounts=ids, start=start, end=end)
        pnl = customer_pnl(account_month, costs, cost=cost, start=start, end=end)
        parts.append(pnl.set_index("account_id")["profit"].rename(name))
    return pd.concat(parts, axis=1).reset_index().rename(columns={"index": "account_id"})


def rules_of(analysis) -> StatusRules:
    """The status rules of a config's ``[analysis]`` section."""
    return StatusRules(lost_after_days=analysis.lost_after_days,
                       gap_factor=analysis.at_risk_gap_factor,
                       min_gap_days=analysis.at_risk_min_gap_days,
                       revenue_drop=analysis.at_risk_revenue_drop,
                       dropped_products=analysis.at_risk_dropped_products)


def dataset_status(ds) -> pd.DataFrame:
    """:func:`account_status` of a loaded data set, with its settings and, where the data
    has activities and their rates, yearly profit: the one status frame of a build.

    Computed once per data set: ``kam build`` computes it before it saves the prepared data
    (``status.parquet`` beside the cube), every notebook and plan opened on that folder reads
    it back, and a data set loaded without a build keeps the one computed at the first call.
    """
    if getattr(ds, "status", None) is not None:
        return ds.status
    ds.status = _compute_dataset_status(ds)
    return ds.status


def _compute_dataset_status(ds) -> pd.DataFrame:
    profit = None
    if ("activities" in ds.tables and ds.activity_rates is not None
            and len(ds.activity_rates)):
        activities = ds.activities
        if "quantity" not in ds.tables["activities"]:  # each row is one activity
            activities = activities.assign(quantity=1.0)
        has_cost = "cost" in ds.tables.get("transactions", [])
        profit = yearly_profit(ds.cube.account_month, activities, ds.activity_rates,
                               as_of=ds.as_of, cost="cost" if has_cost else None)
    return account_status(ds.cube.account_month, ds.cube.account_timing,
                          ds.cube.account_product, as_of=ds.as_of,
                          rules=rules_of(ds.config.analysis), profit=profit)
