"""Customer profiles: what each account buys, when, how often, and where it is heading.

One row per account from the cube (the analysis window the data was loaded with): usage
(recency, frequency, monetary value, trend, product breadth and mix, buying months, deal
size, share of wallet) and uses (industry, region, manager, when the accounts table has
them). Columns whose inputs are absent are left out and named in ``frame.attrs["notes"]``,
never filled with zeros. RFM scores, segments and cohorts are in :mod:`kamlib.segments`;
the purchase-timing summary that BG/NBD models take is :func:`peer_summary`.

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

__all__ = ["account_profiles", "product_mix", "peer_summary", "TREND_METHODS",
           "FREQUENCY_MEASURES"]

TREND_METHODS = ("slope", "yoy")
FREQUENCY_MEASURES = ("invoices", "days", "months")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
USES = ("industry", "region", "account_manager")


def peer_summary(account_day: pd.DataFrame, *, observation_end: DateLike, freq: str = "D",
                 account: str = "account_id", date: str = "date", value: str = "revenue",
                 purchases_only: bool = False, include_first: bool = False) -> pd.DataFrame:
    """frequency, recency, T and monetary_value per account, the input of BG/NBD models.

    The same figures as ``lifetimes.utils.summary_data_from_transaction_data`` (a test
    checks equality on a shared fixture): values are summed per period (``freq`` "D" days
    or "W" weeks); ``frequency`` counts the periods with a purchase after the first;
    ``recency`` is the time from the first to the last such period and ``T`` from the first
    to ``observation_end``, both in periods; ``monetary_value`` is the mean value of the
    repeat periods (0 without repeats). Rows after ``observation_end`` are left out.

    Parameters
    ----------
    account_day : DataFrame
        One row per account and day (the cube's ``account_day``) or per transaction line.
    purchases_only : bool
        Count only periods whose net value is positive, so that a credit note on a day of
        its own is not a purchase. False reproduces the reference exactly.
    include_first : bool
        Count the first purchase in ``frequency`` and ``monetary_value`` (as the reference's
        ``include_first_transaction``).

    Examples
    --------
    >>> lines = pd.DataFrame({"account_id": ["a"] * 3, "revenue": [10.0, 20.0, -5.0],
    ...                       "date": pd.to_datetime(["2024-01-01", "2024-01-08", "2024-01-09"])})
    >>> peer_summary(lines, observation_end="2024-01-31", purchases_only=True).loc["a"].tolist()
    [1.0, 7.0, 30.0, 20.0]
    """
    where = "peer_summary"
    if freq not in ("D", "W"):
        raise ValueError(f"{where}: freq must be 'D' (days) or 'W' (weeks), not {freq!r}")
    require_columns(account_day, [account, date, value], where)
    require_numeric(account_day, value, where)
    end = pd.Timestamp(observation_end).to_period(freq).to_timestamp()
    rows = account_day[[account, date, value]].copy()
    rows["_period"] = rows[date].dt.to_period(freq).dt.to_timestamp()
    rows = rows[rows["_period"] <= end]
    periods = rows.groupby([account, "_period"], sort=True)[value].sum().reset_index()
    if purchases_only:
        periods = periods[periods[value] > 0]
    grouped = periods.groupby(account, sort=True)
    first, last = grouped["_period"].min(), grouped["_period"].max()
    count = grouped["_period"].size()
    unit = np.timedelta64(1, freq)
    total = grouped[value].sum()
    first_value = periods.drop_duplicates(account).set_index(account)[value]
    repeats = count - 1
    out = pd.DataFrame({
        "frequency": count if include_first else repeats,
        "recency": (last - first) / unit,
        "T": (end - first) / unit,
        "monetary_value": (total / count) if include_first else
        ((total - first_value) / repeats.where(repeats > 0)).fillna(0.0),
    })
    return out.rename_axis(account).astype(float)


def _monthly_revenue(account_month: pd.DataFrame, account: str, months: pd.PeriodIndex,
                     ids: pd.Index) -> pd.DataFrame:
    """account x month revenue over ``months``, zero where an account did not buy."""
    rows = account_month[account_month["period"].dt.to_period("M").isin(months)]
    wide = rows.pivot_table(index=account, columns=rows["period"].dt.to_period("M"),
                            values="revenue", aggfunc="sum", fill_value=0.0)
    return wide.reindex(index=ids, columns=months, fill_value=0.0).astype(float)


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
                     account_day: pd.DataFrame, accounts: pd.DataFrame | None = None, *,
                     as_of: DateLike, trend: str = "slope", trend_months: int = 12,
                     frequency: str = "invoices", account: str = "account_id"
                     ) -> pd.DataFrame:
    """One profile row per account that has transactions in the cube.

    Parameters
    ----------
    account_month, account_product, account_day : DataFrame
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
    ...                      ds.cube.account_day, ds.accounts, as_of=ds.as_of)
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
    require_columns(account_day, [account, "date", "revenue"], where)
    as_of = pd.Timestamp(as_of)
    ids = pd.Index(sorted(account_month[account].unique()), name=account)
    by_acc = account_month.groupby(account, sort=True)
    days = account_day[account_day["revenue"] > 0].groupby(account, sort=True)["date"]
    first, last = days.min().reindex(ids), days.max().reindex(ids)
    active = account_month[account_month["revenue"] > 0].groupby(account).size()
    months = pd.period_range(end=as_of.to_period("M"), periods=max(24, trend_months), freq="M")
    monthly = _monthly_revenue(account_month, account, months, ids)
    trend_values, trend_rule = _trend(monthly, trend, trend_months)
    counts = {"invoices": by_acc["invoices"].sum().reindex(ids),
              "days": days.size().reindex(ids, fill_value=0),
              "months": active.reindex(ids, fill_value=0)}
    monetary = by_acc["revenue"].sum().reindex(ids)
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
    out["buying_months"] = _buying_months(account_month, account).reindex(ids, fill_value="")
    out["avg_deal_size"] = monetary / counts["invoices"].where(counts["invoices"] > 0)
    notes = []
    cost_known = ~account_month["cost"].isna().groupby(account_month[account]).any()
    if cost_known.all():
        out["cost"] = by_acc["cost"].sum().reindex(ids)
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


def _buying_months(account_month: pd.DataFrame, account: str) -> pd.Series:
    """The calendar months each account bought in ("Jan Mar Jun"), from a 12-bit mask."""
    bought = account_month.loc[account_month["revenue"] > 0, [account, "period"]]
    bits = pd.DataFrame({account: bought[account].to_numpy(),
                         "bit": 1 << (bought["period"].dt.month.to_numpy() - 1)})
    masks = bits.drop_duplicates().groupby(account, sort=True)["bit"].sum()
    # a few hundred distinct masks at most, however many accounts: name each once
    names = {m: " ".join(_MONTHS[i] for i in range(12) if m >> i & 1) for m in masks.unique()}
    return masks.map(names)


def _product_columns(account_product: pd.DataFrame, account: str,
                     ids: pd.Index) -> pd.DataFrame:
    bought = account_product[account_product["revenue"] > 0]
    # largest product first; equal revenue: alphabetical, so the main product is stable
    ranked = bought.sort_values([account, "revenue", "product"], ascending=[True, False, True])
    top = ranked.drop_duplicates(account).set_index(account)
    positive = bought.groupby(account)["revenue"].sum()
    return pd.DataFrame({
        "breadth": bought.groupby(account).size().reindex(ids, fill_value=0).astype("int64"),
        "main_product": top["product"].reindex(ids),
        "main_product_share": (top["revenue"] / positive).reindex(ids),
    })


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
