"""Customer profitability: activity-based cost to serve, customer P&L and the whale curve.

A big account is not always a profitable one. Cost to serve is measured by activity-based
costing: each logged activity (visit, support ticket, proposal...) times its rate. The P&L
takes it off each account's gross margin; the whale curve (Kaplan) ranks the accounts by
profit and shows how the profitable ones earn more than all the profit while the tail
destroys the excess. The cost-to-serve x net-price grid is in :mod:`kamlib.cost_grid`.

Examples
--------
>>> import pandas as pd
>>> acts = pd.DataFrame({"account_id": ["a", "b", "b"], "activity": ["visit", "visit", "call"],
...                      "quantity": [1.0, 2.0, 10.0]})
>>> rates = pd.DataFrame({"activity": ["visit", "call"], "unit_cost": [300.0, 20.0]})
>>> cost_to_serve(acts, rates)
  account_id  cts_visit  cts_call  cost_to_serve
0          a      300.0       0.0          300.0
1          b      600.0     200.0          800.0
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlib._frames import (DateLike, _examples, rank_accounts, require_columns,
                            require_numeric, window_mask)
from kamlib.concentration import account_totals, pareto_table

__all__ = ["cost_to_serve", "customer_pnl", "pnl_by_segment", "whale_curve", "whale_summary",
           "WhaleSummary", "profit_destroyers", "CTS_PREFIX"]

CTS_PREFIX = "cts_"  # cost-to-serve columns: cts_<activity>, one per activity type
_MONEY = ["revenue", "cost_of_goods", "gross_margin"]


def cost_to_serve(activities: pd.DataFrame | None, rates: pd.DataFrame, *,
                  accounts: Iterable[str] | None = None, account: str = "account_id",
                  activity: str = "activity", quantity: str = "quantity",
                  unit_cost: str = "unit_cost", date: str = "date", start: DateLike = None,
                  end: DateLike = None) -> pd.DataFrame:
    """Activity-based cost to serve per account: quantity x unit cost, by activity type.

    Parameters
    ----------
    activities : DataFrame or None
        The activity log (account, activity, quantity; ``date`` when a window is given).
        ``None`` means the data has no activities table: cost to serve cannot be measured,
        so this raises. An *empty* frame means the table exists and logged nothing: every
        account then costs 0 to serve.
    rates : DataFrame
        One row per activity type with its ``unit_cost``.
    accounts : iterable of str, optional
        Accounts to report even without activities (cost 0), e.g. every account that bought.
    start, end : date-like, optional
        The window, rounded out to whole months like the cube's.

    Returns
    -------
    DataFrame
        ``account``, one ``cts_<activity>`` column per type in the rates' order, and
        ``cost_to_serve``; sorted by account. ``attrs["note"]`` says how many accounts have
        no activity in the window and so cost 0 (empty when every account has some).

    Examples
    --------
    >>> rates = pd.DataFrame({"activity": ["visit"], "unit_cost": [300.0]})
    >>> empty = pd.DataFrame({"account_id": [], "activity": [], "quantity": []})
    >>> out = cost_to_serve(empty, rates, accounts=["a"])
    >>> out["cost_to_serve"].tolist(), out.attrs["note"].split(":")[0]
    ([0.0], '1 account(s) have no activities in the window')
    """
    where = "cost_to_serve"
    if activities is None:
        raise ValueError(f"{where}: the data has no activities table, so cost to serve (and "
                         "the profitability module) is unavailable: it is measured as "
                         "activities x rates. Add an activities table (account_id, date, "
                         "activity, quantity) and activity_rates; see data/README.md.")
    require_columns(activities, [account, activity, quantity], where)
    require_columns(rates, [activity, unit_cost], where)
    require_numeric(rates, unit_cost, where)
    if len(activities):
        require_numeric(activities, quantity, where)
    dup = rates[activity].duplicated()
    if dup.any():
        raise ValueError(f"{where}: activity type(s) {_examples(rates.loc[dup, activity])} "
                         "appear twice in the rates table; give each one rate.")
    unknown = sorted(set(activities[activity].astype(str)) - set(rates[activity].astype(str)))
    if unknown:
        raise ValueError(f"{where}: activity type(s) {unknown} have no rate; add them to "
                         "activity_rates or correct the activity names.")
    # an empty log has no dates to check (a header-only file reads them as text)
    rows = activities if activities.empty else activities.loc[
        window_mask(activities, date, start, end, "M", where)]
    if rows[quantity].isna().any():
        raise ValueError(f"{where}: {int(rows[quantity].isna().sum())} activity row(s) have "
                         f"no quantity, e.g. for account(s) "
                         f"{_examples(rows.loc[rows[quantity].isna(), account].drop_duplicates())}")
    types = rates[activity].astype(str).tolist()
    cost = rows[quantity].astype("float64") * rows[activity].astype(str).map(
        dict(zip(types, rates[unit_cost].astype("float64")))).astype("float64")
    # any iterable: a list, a Series or an array (whose truth value is ambiguous)
    extra = set(map(str, accounts)) if accounts is not None else set()
    ids = pd.Index(sorted(set(rows[account].astype(str)) | extra), name=account)
    wide = (cost.groupby([rows[account].astype(str), rows[activity].astype(str)]).sum()
            .unstack(fill_value=0.0).reindex(index=ids, columns=types, fill_value=0.0))
    wide.columns = [CTS_PREFIX + t for t in types]
    wide["cost_to_serve"] = wide.sum(axis=1)
    out = wide.astype("float64").reset_index()
    idle = len(ids) - rows[account].nunique()
    # a note only when there is something to note: reports print it as it is
    out.attrs["note"] = (f"{idle} account(s) have no activities in the window: cost to serve 0 "
                         "(the activities table exists, so none were logged)." if idle else "")
    return out


def customer_pnl(account_month: pd.DataFrame, costs: pd.DataFrame, *,
                 account: str = "account_id", revenue: str = "revenue",
                 cost: str | None = "cost", period: str = "period", start: DateLike = None,
                 end: DateLike = None) -> pd.DataFrame:
    """The customer P&L: revenue, cost of goods, gross margin, cost to serve, profit.

    Parameters
    ----------
    account_month : DataFrame
        The cube's account x month facts.
    costs : DataFrame
        A :func:`cost_to_serve` result for the same window.
    cost : str or None
        The direct cost column; ``None`` when the data has no cost: cost of goods is then
        0 and profit is *before* cost of goods (``attrs["note"]`` says so). A missing cost
        in any month leaves the account's cost, margin and profit NaN (unknown, not zero).
    start, end : date-like, optional
        The window (whole months); use the same one for :func:`cost_to_serve`.

    Returns
    -------
    DataFrame
        ``account``, ``revenue``, ``cost_of_goods``, ``gross_margin``, ``gross_margin_pct``,
        the ``cts_*`` columns, ``cost_to_serve``, ``profit``, ``profit_margin``: one row per
        account with revenue or activity in the window, sorted by account. The margins are
        NaN where revenue is 0 or below (an account with only credit notes).

    Examples
    --------
    >>> am = pd.DataFrame({"account_id": ["a", "b"], "revenue": [1000.0, -50.0],
    ...                    "cost": [600.0, -30.0]})
    >>> cts = pd.DataFrame({"account_id": ["a", "c"], "cts_visit": [100.0, 300.0],
    ...                     "cost_to_serve": [100.0, 300.0]})
    >>> customer_pnl(am, cts)[["account_id", "gross_margin", "profit", "profit_margin"]]
      account_id  gross_margin  profit  profit_margin
    0          a         400.0   300.0            0.3
    1          b         -20.0   -20.0            NaN
    2          c           0.0  -300.0            NaN
    """
    where = "customer_pnl"
    require_columns(costs, [account, "cost_to_serve"], where)
    cts_cols = [c for c in costs.columns if c.startswith(CTS_PREFIX)]
    sales = account_totals(account_month, account=account, value=revenue, start=start,
                           end=end, period=period).rename(columns={revenue: "revenue"})
    if cost is not None:
        cogs = account_totals(account_month, account=account, value=cost, start=start,
                              end=end, period=period)
        sales["cost_of_goods"] = cogs[cost].to_numpy()
    else:
        sales["cost_of_goods"] = 0.0
    sales[account] = sales[account].astype(str)
    serve = costs[[account, *cts_cols, "cost_to_serve"]].copy()
    serve[account] = serve[account].astype(str)
    pnl = sales.merge(serve, on=account, how="outer", validate="one_to_one", sort=True)
    # an account with activities but no sales in the window sold nothing; one with sales
    # but no cost-to-serve row had no activities (cost_to_serve lists every active one)
    pnl[["revenue", *cts_cols, "cost_to_serve"]] = pnl[
        ["revenue", *cts_cols, "cost_to_serve"]].fillna(0.0)
    no_sales = ~pnl[account].isin(sales[account])
    pnl.loc[no_sales, "cost_of_goods"] = 0.0
    pnl["gross_margin"] = pnl["revenue"] - pnl["cost_of_goods"]
    positive = pnl["revenue"] > 0
    pnl["gross_margin_pct"] = (pnl["gross_margin"] / pnl["revenue"]).where(positive)
    pnl["profit"] = pnl["gross_margin"] - pnl["cost_to_serve"]
    pnl["profit_margin"] = (pnl["profit"] / pnl["revenue"]).where(positive)
    order = [account, *_MONEY, "gross_margin_pct", *cts_cols, "cost_to_serve", "profit",
             "profit_margin"]
    pnl = pnl[order].reset_index(drop=True)
    notes = [costs.attrs.get("note", "")]
    if cost is None:
        notes.append("The data has no cost of goods: profit is before cost of goods.")
    unknown = pnl["profit"].isna()
    if unknown.any():
        notes.append(f"{int(unknown.sum())} account(s) have a month without cost, so their "
                     f"margin and profit are unknown: {_examples(pnl.loc[unknown, account])}.")
    pnl.attrs["note"] = " ".join(n for n in notes if n)
    return pnl


def pnl_by_segment(pnl: pd.DataFrame, segments: pd.DataFrame | None = None, *,
                   by: str = "industry", account: str = "account_id") -> pd.DataFrame:
    """The P&L summed per segment (industry, region, manager, ABC class...).

    Parameters
    ----------
    pnl : DataFrame
        A :func:`customer_pnl` result.
    segments : DataFrame, optional
        ``account`` and ``by`` columns, e.g. the accounts table or an ABC table; without it
        ``by`` is read from ``pnl``. An account without a segment goes to "(none)".

    Returns
    -------
    DataFrame
        ``by``, ``accounts``, ``loss_making`` (accounts with profit < 0), the summed money
        columns, ``gross_margin_pct``, ``profit_margin`` and ``profit_share`` (of the net
        total; NaN when that is zero or below), ordered by profit descending then name.

    Examples
    --------
    >>> pnl = pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [100.0, 50.0, 10.0],
    ...     "cost_of_goods": [60.0, 30.0, 5.0], "gross_margin": [40.0, 20.0, 5.0],
    ...     "cost_to_serve": [10.0, 5.0, 15.0], "profit": [30.0, 15.0, -10.0]})
    >>> seg = pd.DataFrame({"account_id": ["a", "b", "c"], "region": ["N", "S", "S"]})
    >>> pnl_by_segment(pnl, seg, by="region")[["region", "accounts", "profit",
    ...                                        "profit_share"]].round(3)
      region  accounts  profit  profit_share
    0      N         1    30.0         0.857
    1      S         2     5.0         0.143
    """
    where = "pnl_by_segment"
    require_columns(pnl, [account, *_MONEY, "cost_to_serve", "profit"], where)
    frame = pnl
    if segments is not None:
        require_columns(segments, [account, by], where)
        labels = segments.drop_duplicates(account).set_index(account)[by]
        labels.index = labels.index.astype(str)
        frame = pnl.drop(columns=[by], errors="ignore").assign(
            **{by: pnl[account].astype(str).map(labels)})
    require_columns(frame, [by], where)
    money = [*_MONEY, *[c for c in pnl.columns if c.startswith(CTS_PREFIX)], "cost_to_serve",
             "profit"]
    key = frame[by].astype("object").where(frame[by].notna(), "(none)").astype(str)
    grouped = frame.groupby(key, sort=True)
    out = grouped[money].sum(min_count=1)
    out.insert(0, "loss_making", grouped["profit"].apply(lambda p: int((p < 0).sum())))
    out.insert(0, "accounts", grouped.size())
    out["gross_margin_pct"] = (out["gross_margin"] / out["revenue"]).where(out["revenue"] > 0)
    out["profit_margin"] = (out["profit"] / out["revenue"]).where(out["revenue"] > 0)
    total = out["profit"].sum()
    out["profit_share"] = out["profit"] / total if total > 0 else np.nan
    out = out.rename_axis(by).reset_index()
    return out.sort_values(["profit", by], ascending=[False, True],
                           kind="mergesort").reset_index(drop=True)


def whale_curve(pnl: pd.DataFrame, *, account: str = "account_id",
                value: str = "profit") -> pd.DataFrame:
    """Accounts ranked by profit with cumulative profit: Kaplan's whale curve.

    The ranking and shares are :func:`kamlib.concentration.pareto_table`'s (ties by account
    id). Adds ``cum_value`` (cumulative profit in money), ``peak`` (True at the first rank
    where the curve is highest) and ``destroys_profit`` (profit below 0: the accounts after
    the peak that bring the curve down).

    When total profit is zero or negative, shares of it mean nothing: ``share`` and
    ``cum_share`` are then NaN, ``cum_value`` still traces the curve and ``attrs["note"]``
    says why. An account with unknown (NaN) profit raises a ValueError naming it.

    Examples
    --------
    >>> pnl = pd.DataFrame({"account_id": list("abcd"), "profit": [60.0, 100.0, -40.0, -20.0]})
    >>> whale_curve(pnl)[["account_id", "cum_value", "cum_share", "peak", "destroys_profit"]]
      account_id  cum_value  cum_share   peak  destroys_profit
    0          b      100.0        1.0  False            False
    1          a      160.0        1.6   True            False
    2          d      140.0        1.4  False             True
    3          c      100.0        1.0  False             True
    """
    where = "whale_curve"
    ranked = rank_accounts(pnl, account, value, where)
    cum = np.cumsum(ranked[value].to_numpy())
    total = float(cum[-1])
    gross = float(np.abs(ranked[value]).sum())
    if total > 1e-9 * gross:
        table = pareto_table(ranked[[account, value]], account=account, value=value,
                             target=1.0).drop(columns="vital_few")
        table.attrs["note"] = ""
    else:
        table = ranked
        n = len(table)
        table["share"] = np.nan
        table["cum_share"] = np.nan
        table["account_share"] = 1 / n
        table["cum_account_share"] = table["rank"] / n
        table.attrs["note"] = (f"Total {value} is {total:,.2f} (zero or negative): shares of "
                               f"it mean nothing, so the curve is shown in money.")
    table["cum_value"] = cum
    table["peak"] = np.arange(len(table)) == int(np.argmax(cum))
    table["destroys_profit"] = table[value] < 0
    return table


@dataclass(frozen=True)
class WhaleSummary:
    """The headline figures of a whale curve (see :func:`whale_summary`)."""

    value: str
    n_accounts: int
    total: float  # net total profit
    peak_accounts: int  # accounts up to the peak
    peak_account_share: float
    peak_value: float  # cumulative profit at the peak
    peak_share: float  # peak_value / total (e.g. 1.6); NaN when total <= 0
    n_destroyers: int  # accounts with negative profit
    destroyed: float  # their profit, negative

    @property
    def headline(self) -> str:
        """The finding in one sentence."""
        top = (f"The top {self.peak_account_share:.0%} of accounts ({self.peak_accounts:,} of "
               f"{self.n_accounts:,})")
        if np.isnan(self.peak_share):
            return (f"Total {self.value} is {self.total:,.0f}: {top} earn "
                    f"{self.peak_value:,.0f}; {self.n_destroyers:,} accounts lose "
                    f"{-self.destroyed:,.0f}.")
        return (f"{top} earn {self.peak_share:.0%} of {self.value}; {self.n_destroyers:,} "
                f"accounts destroy {-self.destroyed / self.total:.0%} of it.")

    def _repr_html_(self) -> str:
        return f"<p><b>{html.escape(self.headline)}</b></p>"


def whale_summary(curve: pd.DataFrame, *, value: str = "profit") -> WhaleSummary:
    """The peak of a :func:`whale_curve` and what the loss-making tail destroys.

    Examples
    --------
    >>> pnl = pd.DataFrame({"account_id": list("abcde"),
    ...                     "profit": [60.0, 100.0, -40.0, -20.0, 0.0]})
    >>> whale_summary(whale_curve(pnl)).headline
    'The top 40% of accounts (2 of 5) earn 160% of profit; 2 accounts destroy 60% of it.'
    """
    require_columns(curve, [value, "cum_value", "cum_share", "peak", "destroys_profit"],
                    "whale_summary")
    k = int(np.flatnonzero(curve["peak"].to_numpy())[0]) + 1
    n = len(curve)
    total = float(curve["cum_value"].iloc[-1])
    return WhaleSummary(
        value=value, n_accounts=n, total=total, peak_accounts=k, peak_account_share=k / n,
        peak_value=float(curve["cum_value"].iloc[k - 1]),
        peak_share=float(curve["cum_share"].iloc[k - 1]),
        n_destroyers=int(curve["destroys_profit"].sum()),
        destroyed=float(curve.loc[curve["destroys_profit"], value].sum()))


def profit_destroyers(curve: pd.DataFrame, pnl: pd.DataFrame, *, account: str = "account_id",
                      value: str = "profit", top: int = 3) -> pd.DataFrame:
    """For each account that destroys profit, the activities that cost it the most.

    Returns
    -------
    DataFrame
        One row per destroyer and activity, at most ``top`` activities each (those with a
        cost above 0), by rank then cost descending (ties by activity name): ``rank``,
        ``account``, ``value``, ``cost_to_serve``, ``activity``, ``cost`` and
        ``share_of_cost_to_serve``.

    Examples
    --------
    >>> pnl = pd.DataFrame({"account_id": ["a", "b"], "profit": [100.0, -30.0],
    ...     "cts_visit": [10.0, 20.0], "cts_ticket": [0.0, 60.0], "cost_to_serve": [10.0, 80.0]})
    >>> profit_destroyers(whale_curve(pnl), pnl)[["account_id", "activity", "cost"]]
      account_id activity  cost
    0          b   ticket  60.0
    1          b    visit  20.0
    """
    where = "profit_destroyers"
    require_columns(curve, ["rank", account, value, "destroys_profit"], where)
    require_columns(pnl, [account, "cost_to_serve"], where)
    if top < 1:
        raise ValueError(f"{where}: top must be at least 1, got {top}")
    cts_cols = [c for c in pnl.columns if c.startswith(CTS_PREFIX)]
    bad = curve.loc[curve["destroys_profit"], ["rank", account, value]]
    costs = pnl[[account, "cost_to_serve", *cts_cols]].astype({account: str})
    long = (bad.astype({account: str}).merge(costs, on=account, how="left")
            .melt(id_vars=["rank", account, value, "cost_to_serve"], value_vars=cts_cols,
                  var_name="activity", value_name="cost"))
    long["activity"] = long["activity"].str.removeprefix(CTS_PREFIX)
    long = long[long["cost"] > 0].sort_values(["rank", "cost", "activity"],
                                              ascending=[True, False, True], kind="mergesort")
    long = long.groupby("rank", sort=False).head(top)
    long["share_of_cost_to_serve"] = long["cost"] / long["cost_to_serve"]
    return long.reset_index(drop=True)
