"""Customer profiles: what each account buys, when, how often, and where it is heading.

One row per account from the cube (the analysis window the data was loaded with): usage
(recency, frequency, monetary value, trend, product breadth and mix, buying months, deal
size, share of wallet) and uses (industry, region, manager, when the accounts table has
them). Columns whose inputs are absent are left out and named in ``frame.attrs["notes"]``,
never filled with zeros. RFM scores, segments and cohorts are in :mod:`kamlib.segments`;
the purchase-timing summary that BG/NBD models take is :func:`peer_summary` (from lines) or
:func:`peer_summary_from_cube` (from the cube's one row per account).

A "purchase" is a day with positive net revenue: a credit note on its own is not one. An
account with only credit notes in the window has no first or last purchase (NaT), a
frequency of 0 and a negative monetary value.

Examples
--------
>>> import pandas as pd
>>> day = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [100.0, 50.0, 30.0],
...                     "date": pd.to_datetime(["2024-01-10", "2024-03-05", "2024-02-01"])})
>>> peer_summary(day, observation_end="2024-03-31")  # doctest: +NORMALIZE_WHITESPACE
            frequency  recency     T  monetary_value
account_id
a                 1.0     55.0  81.0            50.0
b                 0.0      0.0  59.0             0.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns, require_numeric

__all__ = ["account_profiles", "product_mix", "peer_summary", "peer_summary_from_cube",
           "TREND_METHODS", "FREQUENCY_MEASURES"]

TREND_METHODS = ("slope", "yoy")
FREQUENCY_MEASURES = ("invoices", "days", "months")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
USES = ("industry", "region", "account_manager")


def peer_summary(lines: pd.DataFrame, *, observation_end: DateLike, freq: str = "D",
                 account: str = "account_id", date: str = "date", value: str = "revenue",
                 purchases_only: bool = False, include_first: bool = False,
                 unit: str | None = None) -> pd.DataFrame:
    """frequency, recency, T and monetary_value per account, the input of BG/NBD models.

    The same figures as ``lifetimes.utils.summary_data_from_transaction_data`` (a test
    checks equality on a shared fixture): values are summed per period (``freq`` "D" days
    or "W" weeks); ``frequency`` counts the periods with a purchase after the first;
    ``recency`` is the time from the first to the last such period and ``T`` from the first
    to ``observation_end``, both in periods; ``monetary_value`` is the mean value of the
    repeat periods (0 without repeats). Rows after ``observation_end`` are left out.

    Parameters
    ----------
    lines : DataFrame
        Transaction lines, or any frame of account, date and value rows (e.g. daily totals).
        From the cube, use :func:`peer_summary_from_cube`.
    purchases_only : bool
        Count only periods whose net value is positive, so that a credit note on a day of
        its own is not a purchase. False reproduces the reference exactly.
    include_first : bool
        Count the first purchase in ``frequency`` and ``monetary_value`` (as the reference's
        ``include_first_transaction``).
    unit : {None, "D", "W"}
        The unit of ``recency`` and ``T``: None counts whole periods of ``freq``; "W" with
        ``freq="D"`` counts days / 7, the weeks of Fader, Hardie and Lee's CDNOW summary (the
        reference's ``freq="D", freq_multiplier=7``). Whole weeks move a BG/NBD fit: CDNOW
        gives r 0.283, alpha 6.591 on them, the published 0.243, 4.414 on days / 7.

    Examples
    --------
    >>> lines = pd.DataFrame({"account_id": ["a"] * 3, "revenue": [10.0, 20.0, -5.0],
    ...                       "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-09"])})
    >>> peer_summary(lines, observation_end="2024-01-31", purchases_only=True).loc["a"].tolist()
    [1.0, 7.0, 30.0, 20.0]
    """
    where = "peer_summary"
    step = _time_unit(freq, unit, where)
    require_columns(lines, [account, date, value], where)
    require_numeric(lines, value, where)
    end = pd.Timestamp(observation_end).to_period(freq).to_timestamp()
    rows = lines[[account, date, value]].copy()
    rows["_period"] = rows[date].dt.to_period(freq).dt.to_timestamp()
    rows = rows[rows["_period"] <= end]
    periods = rows.groupby([account, "_period"], sort=True)[value].sum().reset_index()
    if purchases_only:
        periods = periods[periods[value] > 0]
    grouped = periods.groupby(account, sort=True)
    first, last = grouped["_period"].min(), grouped["_period"].max()
    count = grouped["_period"].size()
    total = grouped[value].sum()
    first_value = periods.drop_duplicates(account).set_index(account)[value]
    repeats = count - 1
    out = pd.DataFrame({
        "frequency": count if include_first else repeats,
        "recency": (last - first) / step,
        "T": (end - first) / step,
        "monetary_value": (total / count) if include_first else
        ((total - first_value) / repeats.where(repeats > 0)).fillna(0.0),
    })
    return out.rename_axis(account).astype(float)


def _time_unit(freq: str, unit: str | None, where: str) -> np.timedelta64:
    """The length of one time unit of recency and T, from ``freq`` and ``unit``."""
    if freq not in ("D", "W"):
        raise ValueError(f"{where}: freq must be 'D' (days) or 'W' (weeks), not {freq!r}")
    unit = freq if unit is None else unit
    if unit not in ("D", "W") or (freq, unit) == ("W", "D"):
        raise ValueError(f"{where}: unit must be None, 'D' (days, with freq 'D') or 'W' "
                         f"(weeks of 7 days), not {unit!r}")
    return np.timedelta64(7 if unit == "W" else 1, "D")


class _ByAccount:
    """Rows of one frame as integer positions in the sorted account ids, so that every sum,
    and count per account is one ``np.bincount`` on numbers: 100,000
    accounts' worth of text ids are hashed once per frame, not once per aggregation."""

    def __init__(self, ids: pd.Index, keys: pd.Series):
        self.n = len(ids)
        self.codes = ids.get_indexer(keys)

    def sum(self, values: np.ndarray, where: np.ndarray | None = None) -> np.ndarray:
        codes = self.codes if where is None else self.codes[where]
        values = values if where is None else values[where]
        return np.bincount(codes, weights=values, minlength=self.n)

    def count(self, where: np.ndarray | None = None) -> np.ndarray:
        codes = self.codes if where is None else self.codes[where]
        return np.bincount(codes, minlength=self.n)


def _month_numbers(periods: pd.Series) -> np.ndarray:
    """Months since January 1970 (0 = 1970-01), from datetimes."""
    return periods.to_numpy(dtype="datetime64[ns]").astype("datetime64[M]").astype("int64")


def peer_summary_from_cube(account_timing: pd.DataFrame, *, observation_end: DateLike,
                           freq: str = "D", account: str = "account_id",
                           purchases_only: bool = False, include_first: bool = False,
                           unit: str | None = None) -> pd.DataFrame:
    """:func:`peer_summary` from the cube's ``account_timing`` frame: one row per account in,
    the same figures out, without a row per account and day.

    The cube summarises the whole analysis window, so ``observation_end`` must be on or
    after its last date (as ``ds.as_of`` is); for an earlier end, pass lines to
    :func:`peer_summary`.

    Examples
    --------
    >>> import ibis
    >>> from kamlib.data.cube import build_cube
    >>> lines = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [100.0, 50.0, 30.0],
    ...     "date": pd.to_datetime(["2024-01-10", "2024-03-05", "2024-02-01"]),
    ...     "product": "p", "cost": 1.0, "invoice_id": ["1", "2", "3"], "quantity": 1.0})
    >>> cube = build_cube(ibis.memtable(lines))
    >>> peer_summary_from_cube(cube.account_timing, observation_end="2024-03-31").equals(
    ...     peer_summary(lines, observation_end="2024-03-31"))
    True
    """
    where = "peer_summary_from_cube"
    step = _time_unit(freq, unit, where)
    scope = ("purchase_" if purchases_only else "") + ("days" if freq == "D" else "weeks")
    cols = [scope, f"{scope}_first", f"{scope}_last", f"{scope}_first_value", f"{scope}_value"]
    require_columns(account_timing, [account, *cols], where)
    end = pd.Timestamp(observation_end).to_period(freq).to_timestamp()
    rows = account_timing[account_timing[scope] > 0].set_index(account).sort_index()
    if len(rows) and rows[f"{scope}_last"].max() > end:
        raise ValueError(f"{where}: observation_end {end.date()} is before the last purchase "
                         f"in the cube ({rows[f'{scope}_last'].max().date()}); pass the lines "
                         "to peer_summary for an earlier end")
    count, total = rows[scope].astype("float64"), rows[f"{scope}_value"]
    repeats = count - 1
    out = pd.DataFrame({
        "frequency": count if include_first else repeats,
        "recency": (rows[f"{scope}_last"] - rows[f"{scope}_first"]) / step,
        "T": (end - rows[f"{scope}_first"]) / step,
        "monetary_value": (total / count) if include_first else
        ((total - rows[f"{scope}_first_value"]) / repeats.where(repeats > 0)).fillna(0.0),
    })
    return out.rename_axis(account).astype(float)


def _monthly_revenue(by: _ByAccount, month: np.ndarray, revenue: np.ndarray,
                     months: pd.PeriodIndex, ids: pd.Index) -> pd.DataFrame:
    """account x month revenue over ``months``, zero where an account did not buy."""
    first = months[0].year * 12 + months[0].month - 1 - 1970 * 12
    pos = month - first
    inside = (pos >= 0) & (pos < len(months))
    flat = np.bincount(by.codes[inside] * len(months) + pos[inside], weights=revenue[inside],
                       minlength=by.n * len(months))
    return pd.DataFrame(flat.reshape(by.n, len(months)), index=ids, columns=months)


def _trend(monthly: pd.DataFrame, method: str, n: int) -> tuple[pd.Series, str]:
    if method == "slope":
        y = monthly.iloc[:, -n:].to_numpy()
        x = np.arange(y.shape[1]) - (y.shape[1] - 1) / 2
        slope = (y * x).sum(axis=1) / (x * x).sum() if y.shape[1] > 1 else np.zeros(len(y))
        return (pd.Series(slope, index=monthly.index),
                f"least-squares slope of monthly revenue over the last {n} months "
                "(currency per month; months without purchases count as 0)")
    recent = monthly.iloc[:, -12:].sum(axis=1)
    before = monthly.iloc[:, -24:-12].sum(axis=1)
    change = (recent / before.where(before > 0)) - 1
    return change, ("revenue of the last 12 months against the 12 before, minus 1 (NaN when "
                    "the account bought nothing, or only credits, in the 12 before)")


def account_profiles(account_month: pd.DataFrame, account_product: pd.DataFrame,
                     account_timing: pd.DataFrame, accounts: pd.DataFrame | None = None, *,
                     as_of: DateLike, trend: str = "slope", trend_months: int = 12,
                     frequency: str = "invoices", account: str = "account_id"
                     ) -> pd.DataFrame:
    """One profile row per account that has transactions in the cube.

    Parameters
    ----------
    account_month, account_product, account_timing : DataFrame
        The cube's frames (``ds.cube``).
    accounts : DataFrame, optional
        The accounts table; its ``industry``, ``region``, ``account_manager`` (the "uses")
        and ``wallet_estimate`` (share of wallet) are used where they hold values.
    as_of : date-like
        The day the profile looks back from (``ds.as_of``).
    trend : {"slope", "yoy"}
        How the revenue trend is measured (the method is stated in ``attrs["rules"]``).
    frequency : {"invoices", "days", "months"}
        What ``frequency`` counts: invoices, purchase days, or months with purchases.

    Returns
    -------
    DataFrame
        account_id, first_purchase, last_purchase, tenure_days, recency_days, frequency,
        invoices, purchase_days, active_months, monetary, revenue_per_active_month,
        revenue_12m, revenue_prior_12m, trend, breadth, main_product, main_product_share,
        buying_months, avg_deal_size, cost (when known for every month), then
        share_of_wallet and the uses columns where the accounts table has them.
        ``attrs["notes"]`` names what was left out; ``attrs["rules"]`` the stated methods.

    Examples
    --------
    >>> import kamlib
    >>> ds = kamlib.load()
    >>> p = account_profiles(ds.cube.account_month, ds.cube.account_product,
    ...                      ds.cube.account_timing, ds.accounts, as_of=ds.as_of)
    >>> p.attrs["rules"]["trend"].split(" of ")[0]
    'least-squares slope'
    """
    where = "account_profiles"
    if trend not in TREND_METHODS:
        raise ValueError(f"{where}: trend must be one of {TREND_METHODS}, not {trend!r}")
    if frequency not in FREQUENCY_MEASURES:
        raise ValueError(f"{where}: frequency must be one of {FREQUENCY_MEASURES}, not "
                         f"{frequency!r}")
    if not isinstance(trend_months, int) or trend_months < 2:
        raise ValueError(f"{where}: trend_months must be a whole number of at least 2")
    require_columns(account_month, [account, "period", "revenue", "cost", "invoices"], where)
    require_columns(account_product, [account, "product", "revenue"], where)
    require_columns(account_timing, [account, "purchase_days_first", "purchase_days_last",
                                     "purchase_days"], where)
    as_of = pd.Timestamp(as_of)
    ids = pd.Index(np.sort(account_month[account].unique()), name=account)
    month_rows = _ByAccount(ids, account_month[account])
    revenue = account_month["revenue"].to_numpy(dtype="float64")
    month = _month_numbers(account_month["period"])
    timing = account_timing.set_index(account).reindex(ids)
    first = timing["purchase_days_first"].astype("datetime64[ns]")
    last = timing["purchase_days_last"].astype("datetime64[ns]")
    months = pd.period_range(end=as_of.to_period("M"), periods=max(24, trend_months), freq="M")
    monthly = _monthly_revenue(month_rows, month, revenue, months, ids)
    trend_values, trend_rule = _trend(monthly, trend, trend_months)
    invoices = pd.Series(month_rows.sum(account_month["invoices"].to_numpy(dtype="float64")),
                         index=ids).astype("int64")
    active = pd.Series(month_rows.count(revenue > 0), index=ids)
    counts = {"invoices": invoices, "days": timing["purchase_days"].fillna(0).astype("int64"),
              "months": active}
    monetary = pd.Series(month_rows.sum(revenue), index=ids)
    out = pd.DataFrame({
        "first_purchase": first, "last_purchase": last,
        "tenure_days": (as_of - first).dt.days.astype("float64"),
        "recency_days": (as_of - last).dt.days.astype("float64"),
        "frequency": counts[frequency].astype("int64"),
        "invoices": counts["invoices"].astype("int64"),
        "purchase_days": counts["days"].astype("int64"),
        "active_months": counts["months"].astype("int64"),
        "monetary": monetary,
        "revenue_per_active_month": monetary / counts["months"].where(counts["months"] > 0),
        "revenue_12m": monthly.iloc[:, -12:].sum(axis=1),
        "revenue_prior_12m": monthly.iloc[:, -24:-12].sum(axis=1),
        "trend": trend_values,
    }, index=ids)
    out = out.join(_product_columns(account_product, account, ids))
    out["buying_months"] = _buying_months(month_rows, month, revenue > 0, ids)
    out["avg_deal_size"] = monetary / counts["invoices"].where(counts["invoices"] > 0)
    notes = []
    cost = account_month["cost"].to_numpy(dtype="float64")
    if not np.isnan(cost).any():
        out["cost"] = month_rows.sum(cost)
    else:
        notes.append("cost: left out (the transactions have no cost for every month)")
    out = _uses(out, accounts, account, notes)
    out.attrs["notes"] = notes
    out.attrs["rules"] = {
        "trend": trend_rule,
        "frequency": {"invoices": "distinct invoices (credit notes included)",
                      "days": "days with positive net revenue",
                      "months": "months with positive net revenue"}[frequency],
        "purchase": "a day with positive net revenue; recency and tenure count from as_of "
                    f"{as_of.date()}",
        "avg_deal_size": "net revenue per invoice",
    }
    return out.reset_index()



def _buying_months(by: _ByAccount, month: np.ndarray, bought: np.ndarray,
                   ids: pd.Index) -> pd.Series:
    """The calendar months each account bought in ("Jan Mar Jun"), from a 12-bit mask."""
    seen = np.bincount(by.codes[bought] * 12 + month[bought] % 12, minlength=by.n * 12)
    masks = (seen.reshape(by.n, 12) > 0) @ (1 << np.arange(12))
    # a few hundred distinct masks at most, however many accounts: name each once
    names = {m: " ".join(_MONTHS[i] for i in range(12) if m >> i & 1) for m in np.unique(masks)}
    return pd.Series(masks, index=ids).map(names)


def _product_columns(account_product: pd.DataFrame, account: str,
                     ids: pd.Index) -> pd.DataFrame:
    rows = _ByAccount(ids, account_product[account])
    revenue = account_product["revenue"].to_numpy(dtype="float64")
    bought = revenue > 0
    codes, names = pd.factorize(account_product["product"], sort=True)
    # largest product first; equal revenue: alphabetical, so the main product is stable
    order = np.lexsort((codes, -revenue, rows.codes))
    order = order[bought[order]]
    firsts = order[np.r_[True, rows.codes[order][1:] != rows.codes[order][:-1]]] \
        if len(order) else order
    top = pd.Series(np.nan, index=ids, dtype="object")
    top_revenue = np.full(rows.n, np.nan)
    top.iloc[rows.codes[firsts]] = np.asarray(names, dtype="object")[codes[firsts]]
    top_revenue[rows.codes[firsts]] = revenue[firsts]
    positive = rows.sum(revenue, bought)
    return pd.DataFrame({
        "breadth": rows.count(bought).astype("int64"),
        "main_product": top.astype(account_product["product"].dtype),
        "main_product_share": top_revenue / np.where(positive > 0, positive, np.nan),
    }, index=ids)


def _uses(out: pd.DataFrame, accounts: pd.DataFrame | None, account: str,
          notes: list[str]) -> pd.DataFrame:
    if accounts is None or accounts.empty:
        notes.append("industry, region, account_manager, share_of_wallet: left out (no "
                     "accounts table)")
        return out
    acc = accounts.set_index(account)
    if "wallet_estimate" in acc and acc["wallet_estimate"].notna().any():
        wallet = acc["wallet_estimate"].reindex(out.index)
        out["share_of_wallet"] = out["revenue_12m"] / wallet.where(wallet > 0)
    else:
        notes.append("share_of_wallet: left out (no wallet_estimate in the accounts table)")
    for col in USES:
        if col in acc and acc[col].notna().any():
            out[col] = acc[col].reindex(out.index)
        else:
            notes.append(f"{col}: left out (not in the accounts table)")
    return out


def product_mix(account_product: pd.DataFrame, *, account: str = "account_id",
                product: str = "product", value: str = "revenue") -> pd.DataFrame:
    """Each account's share of positive revenue per product: one row per account.

    Examples
    --------
    >>> ap = pd.DataFrame({"account_id": ["a", "a", "b"], "product": ["x", "y", "x"],
    ...                    "revenue": [75.0, 25.0, 10.0]})
    >>> product_mix(ap)  # doctest: +NORMALIZE_WHITESPACE
    product        x     y
    account_id
    a           0.75  0.25
    b           1.00  0.00
    """
    require_columns(account_product, [account, product, value], "product_mix")
    bought = account_product[account_product[value] > 0]
    wide = bought.pivot_table(index=account, columns=product, values=value, aggfunc="sum",
                              fill_value=0.0)
    return wide.div(wide.sum(axis=1), axis=0)
