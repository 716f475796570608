"""Identify: the key-client dossier's figures (general information, history, share of wallet).

Every function works on the whole portfolio at once and returns one frame with an
``account_id`` column, so a per-account plan only selects its rows: the expensive group-bys
run once for hundreds of plans. Columns whose inputs are absent are left out and named in
``frame.attrs["notes"]``, never filled with zeros; ``attrs["rules"]`` states the methods.

Examples
--------
>>> import pandas as pd
>>> am = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [100.0, 150.0, 40.0],
...     "period": pd.to_datetime(["2023-03-01", "2024-03-01", "2024-05-01"])})
>>> yearly_history(am, as_of="2024-12-31")[["account_id", "year", "revenue", "growth"]]
  account_id  year  revenue  growth
0          a  2023    100.0     NaN
1          a  2024    150.0     0.5
2          b  2024     40.0     NaN
"""

from __future__ import annotations

import calendar

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns, require_numeric
from kamlib.segments import size_bands

__all__ = ["general_information", "yearly_history", "product_history", "largest_deals",
           "wallet_share", "INFO_COLUMNS"]

INFO_COLUMNS = ("account_name", "industry", "region", "account_manager", "customer_since")


def general_information(accounts: pd.DataFrame, totals: pd.DataFrame, *, as_of: DateLike,
                        account: str = "account_id", value: str = "revenue",
                        shares: tuple[float, ...] = (0.1, 0.3, 0.6),
                        labels: tuple[str, ...] = ("top 10%", "next 20%", "next 30%",
                                                   "bottom 40%")) -> pd.DataFrame:
    """The dossier's general information: profile, size band, years as a customer, manager.

    Parameters
    ----------
    accounts : DataFrame
        The accounts table; the :data:`INFO_COLUMNS` it has with values are kept.
    totals : DataFrame
        One row per account with ``value`` (e.g. :func:`kamlib.account_totals`): it sets
        the size band. Accounts without a row get no band (NaN) and a revenue of 0, since
        they bought nothing in the window.
    as_of : date-like
        The day ``years_as_customer`` counts to.
    shares, labels : tuple
        The size bands (see :func:`kamlib.segments.size_bands`): largest accounts first.

    Returns
    -------
    DataFrame
        One row per account of ``accounts``, sorted by id: ``account``, the info columns,
        ``years_as_customer`` (when ``customer_since`` is there), ``value``, ``size_band``.

    Examples
    --------
    >>> acc = pd.DataFrame({"account_id": ["a", "b", "c"], "account_name": ["A", "B", "C"],
    ...     "customer_since": pd.to_datetime(["2020-01-01", "2024-07-01", None])})
    >>> tot = pd.DataFrame({"account_id": ["a", "b"], "revenue": [90.0, 10.0]})
    >>> info = general_information(acc, tot, as_of="2025-01-01", shares=(0.5,),
    ...                            labels=("large", "small"))
    >>> info[["account_id", "years_as_customer", "revenue", "size_band"]]
      account_id  years_as_customer  revenue size_band
    0          a                5.0     90.0     large
    1          b                0.5     10.0     small
    2          c                NaN      0.0       NaN
    """
    where = "general_information"
    require_columns(accounts, [account], where)
    require_columns(totals, [account, value], where)
    require_numeric(totals, value, where)
    notes = []
    keep = [c for c in INFO_COLUMNS if c in accounts and accounts[c].notna().any()]
    notes += [f"{c}: left out (not in the accounts table)" for c in INFO_COLUMNS
              if c not in keep]
    out = accounts[[account, *keep]].drop_duplicates(account).sort_values(
        account, kind="mergesort").reset_index(drop=True)
    if "customer_since" in keep:
        since = pd.to_datetime(out["customer_since"])
        out["years_as_customer"] = ((pd.Timestamp(as_of) - since).dt.days / 365.25).round(1)
    sums = totals.groupby(account, sort=True)[value].sum()
    out[value] = out[account].map(sums).fillna(0.0)
    bought = out[account].isin(sums.index)
    out["size_band"] = pd.Series(np.nan, index=out.index, dtype="object")
    if bought.any():
        out.loc[bought, "size_band"] = size_bands(out.loc[bought, value], shares=shares,
                                                  labels=labels)
    out.attrs["notes"] = notes
    out.attrs["rules"] = {"size_band": f"accounts ranked by {value} (ties by id): "
                          + ", ".join(labels) + "; accounts that bought nothing get none"}
    return out


def _month_range(lo: int, hi: int) -> str:
    """``Jan-Sep``; one month alone: ``Sep``."""
    a, b = calendar.month_abbr[lo], calendar.month_abbr[hi]
    return a if lo == hi else f"{a}-{b}"


def _range_sums(rows: pd.DataFrame, keys: pd.DataFrame, lo: np.ndarray, hi: np.ndarray,
                account: str, value: str) -> np.ndarray:
    """The sum of ``value`` over months ``lo``..``hi`` (1-12) of each (account, year) row of
    ``keys``; 0 where the account bought nothing then."""
    sums = rows.groupby([rows[account], rows["period"].dt.year.rename("year"),
                         rows["period"].dt.month.rename("month")])[value].sum()
    grid = sums.unstack("month").reindex(columns=range(1, 13)).fillna(0.0)
    cum = np.concatenate([np.zeros((len(grid), 1)), grid.to_numpy().cumsum(axis=1)], axis=1)
    cum = np.vstack([cum, np.zeros((1, 13))])  # the last row: nothing bought
    at = grid.index.get_indexer(pd.MultiIndex.from_frame(keys))
    return cum[at, hi] - cum[at, lo - 1]


def yearly_history(account_month: pd.DataFrame, account_day: pd.DataFrame | None = None, *,
                   as_of: DateLike, start: DateLike | None = None,
                   account: str = "account_id", value: str = "revenue") -> pd.DataFrame:
    """Revenue per account and calendar year, its change against the same months of the
    year before, and the credit notes.

    Every year from the account's first to ``as_of``'s year is listed, a year without
    purchases with revenue 0 (the account was a customer and bought nothing: a loss).
    A year the data covers only in part (it starts after January, or ends before December)
    is compared with the same months of the year before: "2025 (Jan-Sep) vs 2024
    (Jan-Sep)", never with a whole year.

    Parameters
    ----------
    account_month : DataFrame
        The cube's account x month facts (``period``, ``value``).
    account_day : DataFrame, optional
        Account x day net revenue: the cube's ``notable_days`` (which holds every day with
        negative net revenue, a credit note). Without it the credit columns are left out
        (``attrs["notes"]`` says so).
    as_of, start : date-like
        The data's last and first day (whole months: the month of each counts); ``start``
        defaults to the first month in ``account_month``.

    Returns
    -------
    DataFrame
        ``account``, ``year``, ``revenue``, ``months`` (how many months of the year the
        data covers), ``period`` (those months, e.g. "Jan-Sep"), ``compared`` (which months
        are compared, e.g. "2025 (Jan-Sep) vs 2024 (Jan-Sep)"; "" in the account's first
        year), ``revenue_compared`` (this year over the compared months),
        ``revenue_before`` (the year before over the same months), ``change``
        (``revenue_compared - revenue_before``) and ``growth`` (NaN without revenue
        before), ``credit_notes`` (sum, negative) and ``credit_days``; sorted by account
        and year.

    Examples
    --------
    >>> am = pd.DataFrame({"account_id": ["a"] * 3, "revenue": [100.0, 80.0, 60.0],
    ...     "period": pd.to_datetime(["2023-02-01", "2023-11-01", "2024-02-01"])})
    >>> h = yearly_history(am, as_of="2024-06-30", start="2023-01-01")
    >>> h[["year", "months", "change", "growth"]]
       year  months  change  growth
    0  2023      12     NaN     NaN
    1  2024       6   -40.0    -0.4
    >>> h["compared"].iloc[1]
    '2024 (Jan-Jun) vs 2023 (Jan-Jun)'
    """
    where = "yearly_history"
    require_columns(account_month, [account, "period", value], where)
    require_numeric(account_month, value, where)
    as_of = pd.Timestamp(as_of)
    rows = account_month.loc[account_month["period"] <= as_of, [account, "period", value]]
    first_day = pd.Timestamp(start) if start is not None else (
        rows["period"].min() if len(rows) else as_of)
    if first_day > as_of:
        raise ValueError(f"{where}: the data starts ({first_day.date()}) after as_of "
                         f"({as_of.date()})")
    rows = rows[rows["period"] >= first_day.to_period("M").start_time]
    year = rows["period"].dt.year
    by_year = rows.groupby([rows[account], year.rename("year")], sort=True)[value].sum()
    first = by_year.reset_index().groupby(account, sort=True)["year"].min()
    grid = pd.DataFrame([(a, y) for a, f in first.items() for y in range(f, as_of.year + 1)],
                        columns=[account, "year"])
    out = grid.merge(by_year.rename("revenue").reset_index(), on=[account, "year"],
                     how="left").fillna({"revenue": 0.0})
    years = out["year"].to_numpy()
    lo = np.where(years == first_day.year, first_day.month, 1)
    hi = np.where(years == as_of.year, as_of.month, 12)
    out["months"] = (hi - lo + 1).astype("int64")
    out["period"] = [_month_range(a, b) for a, b in zip(lo, hi)]
    # the months both years cover: the year before starts later only if the data does
    lo_c = np.maximum(lo, np.where(years - 1 == first_day.year, first_day.month, 1))
    known = (out["year"] > out[account].map(first)).to_numpy()
    whole = (lo_c == 1) & (hi == 12)
    out["compared"] = [
        "" if not k else f"{y} vs {y - 1}" if w else
        f"{y} ({_month_range(a, b)}) vs {y - 1} ({_month_range(a, b)})"
        for k, w, y, a, b in zip(known, whole, years, lo_c, hi)]
    now = _range_sums(rows, out[[account, "year"]], lo_c, hi, account, value)
    before = _range_sums(rows, out[[account, "year"]].assign(year=years - 1), lo_c, hi,
                         account, value)
    out["revenue_compared"] = np.where(known, now, np.nan)
    out["revenue_before"] = np.where(known, before, np.nan)
    out["change"] = out["revenue_compared"] - out["revenue_before"]
    out["growth"] = out["change"] / out["revenue_before"].where(out["revenue_before"] > 0)
    notes = []
    if account_day is not None:
        require_columns(account_day, [account, "date", value], where)
        days = account_day[(account_day[value] < 0) & (account_day["date"] <= as_of)]
        credit = days.groupby([days[account], days["date"].dt.year.rename("year")])[value]
        credits = pd.DataFrame({"credit_notes": credit.sum(), "credit_days": credit.size()})
        out = out.merge(credits.reset_index(), on=[account, "year"], how="left")
        out = out.fillna({"credit_notes": 0.0, "credit_days": 0})
        out["credit_days"] = out["credit_days"].astype("int64")
    else:
        notes.append("credit_notes: left out (no account_day frame given)")
    out.attrs["notes"] = notes
    out.attrs["rules"] = {
        "growth": "each year against the same months of the year before: the months both "
                  f"years lie in the data ({first_day:%B %Y} to {as_of:%B %Y}, whole months); "
                  "a part year is never compared with a whole one; no growth when the year "
                  "before had no revenue in those months",
        "credit_notes": "days with negative net revenue (a credit note larger than that "
                        "day's sales)"}
    return out


def product_history(account_product: pd.DataFrame, *, as_of: DateLike,
                    lost_after_days: int = 365, new_within_days: int = 365,
                    account: str = "account_id", product: str = "product",
                    value: str = "revenue") -> pd.DataFrame:
    """What each account bought, when first and last, and whether it is new, active or lost.

    Returns
    -------
    DataFrame
        ``account``, ``product``, ``value``, ``first_date``, ``last_date``, ``status``:
        "lost" when the last purchase is more than ``lost_after_days`` before ``as_of``,
        "new" when the first is within ``new_within_days``, else "active". Sorted by
        account, then revenue descending, then product.

    Examples
    --------
    >>> ap = pd.DataFrame({"account_id": ["a", "a", "a"], "product": ["x", "y", "z"],
    ...     "revenue": [50.0, 80.0, 50.0],
    ...     "first_date": pd.to_datetime(["2022-01-05", "2024-09-01", "2022-03-01"]),
    ...     "last_date": pd.to_datetime(["2023-06-30", "2024-12-01", "2024-11-01"])})
    >>> product_history(ap, as_of="2024-12-31")[["product", "status"]]
      product  status
    0       y     new
    1       x    lost
    2       z  active
    """
    where = "product_history"
    require_columns(account_product, [account, product, value, "first_date", "last_date"],
                    where)
    as_of = pd.Timestamp(as_of)
    out = account_product[[account, product, value, "first_date", "last_date"]].copy()
    lost = out["last_date"] < as_of - pd.Timedelta(days=lost_after_days)
    new = out["first_date"] > as_of - pd.Timedelta(days=new_within_days)
    out["status"] = np.select([lost, new], ["lost", "new"], "active")
    out = out.sort_values([account, value, product], ascending=[True, False, True],
                          kind="mergesort").reset_index(drop=True)
    out.attrs["rules"] = {"status": f"lost: no purchase in the {lost_after_days} days to "
                          f"{as_of.date()}; new: first bought within {new_within_days} days"}
    return out


def largest_deals(account_day: pd.DataFrame, *, n: int = 5, account: str = "account_id",
                  date: str = "date", value: str = "revenue") -> pd.DataFrame:
    """Each account's ``n`` largest deals: the days with the highest net purchases.

    The cube keeps one net amount per account and day, so a "deal" is a day's purchases;
    ties go to the earlier day. ``deal_rank`` is 1 for the largest. Pass the cube's
    ``notable_days`` (each account's ten largest days) or any account x day frame.

    Examples
    --------
    >>> day = pd.DataFrame({"account_id": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2024-01-02", "2024-02-03", "2024-03-04", "2024-01-02"]),
    ...     "revenue": [30.0, 90.0, 30.0, -5.0]})
    >>> largest_deals(day, n=2)
      account_id       date  revenue  deal_rank
    0          a 2024-02-03     90.0          1
    1          a 2024-01-02     30.0          2
    """
    where = "largest_deals"
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"{where}: n must be a whole number of at least 1, got {n!r}")
    require_columns(account_day, [account, date, value], where)
    require_numeric(account_day, value, where)
    rows = account_day.loc[account_day[value] > 0, [account, date, value]]
    rows = rows.sort_values([account, value, date], ascending=[True, False, True],
                            kind="mergesort")
    rows["deal_rank"] = rows.groupby(account, sort=False).cumcount() + 1
    out = rows[rows["deal_rank"] <= n].reset_index(drop=True)
    out.attrs["rules"] = {"deal": "one account-day's net purchases (the cube has no "
                          "invoice amounts); credit-only days are not deals"}
    return out


def wallet_share(account_month: pd.DataFrame, accounts: pd.DataFrame, *, as_of: DateLike,
                 account: str = "account_id", value: str = "revenue",
                 wallet: str = "wallet_estimate") -> pd.DataFrame:
    """Share of wallet: revenue of the last 12 months over the yearly wallet, and its trend.

    Returns
    -------
    DataFrame
        One row per account of ``accounts``: ``revenue_12m``, ``revenue_prior_12m`` (the
        12 months before), and when the accounts have a wallet estimate: ``wallet_estimate``,
        ``share_of_wallet``, ``share_prior`` (the prior 12 months over the same wallet),
        ``share_change`` (in share points), ``headroom`` (wallet - revenue_12m, at least 0).
        A wallet of 0 or missing leaves that account's shares NaN: unknown, not 0%.

    Examples
    --------
    >>> am = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [20.0, 40.0, 5.0],
    ...     "period": pd.to_datetime(["2023-06-01", "2024-06-01", "2024-06-01"])})
    >>> acc = pd.DataFrame({"account_id": ["a", "b"], "wallet_estimate": [200.0, None]})
    >>> wallet_share(am, acc, as_of="2024-12-31")[["account_id", "share_of_wallet",
    ...                                           "share_change", "headroom"]]
      account_id  share_of_wallet  share_change  headroom
    0          a              0.2           0.1     160.0
    1          b              NaN           NaN       NaN
    """
    where = "wallet_share"
    require_columns(account_month, [account, "period", value], where)
    require_columns(accounts, [account], where)
    require_numeric(account_month, value, where)
    end = pd.Timestamp(as_of).to_period("M")
    months = account_month["period"].dt.to_period("M")
    age = (end.year - months.dt.year) * 12 + (end.month - months.dt.month)
    ids = accounts[account].drop_duplicates().sort_values(kind="mergesort")
    out = pd.DataFrame({account: ids.to_numpy()})
    for name, lo in (("revenue_12m", 0), ("revenue_prior_12m", 12)):
        rows = account_month[(age >= lo) & (age < lo + 12)]
        out[name] = out[account].map(rows.groupby(account)[value].sum()).fillna(0.0)
    out.attrs["rules"] = {"share_of_wallet": f"revenue of the 12 months to {end} over the "
                          "yearly wallet estimate; share_change in share points against the "
                          "12 months before"}
    if wallet not in accounts or not accounts[wallet].notna().any():
        out.attrs["notes"] = [f"share_of_wallet: left out (no {wallet} in the accounts table)"]
        return out
    est = out[account].map(accounts.drop_duplicates(account).set_index(account)[wallet])
    usable = est.where(est > 0)
    out[wallet] = est
    out["share_of_wallet"] = out["revenue_12m"] / usable
    out["share_prior"] = out["revenue_prior_12m"] / usable
    out["share_change"] = out["share_of_wallet"] - out["share_prior"]
    out["headroom"] = (usable - out["revenue_12m"]).clip(lower=0)
    unknown = int(usable.isna().sum())
    out.attrs["notes"] = ([f"share_of_wallet: unknown for {unknown} account(s) without a "
                           f"positive {wallet}"] if unknown else [])
    return out
