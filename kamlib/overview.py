"""The data at a glance: revenue per period and per product, from the cube.

These are the first figures an analyst checks on new data: does the monthly revenue look
like the books, are the products the ones expected?

Examples
--------
>>> import pandas as pd
>>> am = pd.DataFrame({"account_id": ["a", "b", "a"], "revenue": [10.0, 5.0, 7.0],
...                    "period": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"])})
>>> revenue_by_period(am)
      period  revenue  accounts
0 2024-01-01     15.0         2
1 2024-02-01      7.0         1
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import require_columns, require_numeric

__all__ = ["revenue_by_period", "revenue_by_product"]

_FREQ = {"M": "MS", "Q": "QS", "Y": "YS"}


def revenue_by_period(frame: pd.DataFrame, *, account: str = "account_id",
                      period: str = "period", value: str = "revenue",
                      freq: str = "M") -> pd.DataFrame:
    """Total ``value`` and number of buying accounts per month, quarter or year.

    Parameters
    ----------
    frame : DataFrame
        Account x period facts (the cube's ``account_month``).
    account, period, value : str
        Column names.
    freq : {"M", "Q", "Y"}
        Period length. Periods with no rows at all between the first and the last appear
        with zero revenue and zero accounts, so a gap in the data shows as a gap.

    Returns
    -------
    DataFrame
        ``period`` (first day), ``value``, ``accounts`` (with a row in the period), by period.

    Examples
    --------
    >>> am = pd.DataFrame({"account_id": ["a", "a"], "revenue": [10.0, 7.0],
    ...                    "period": pd.to_datetime(["2024-01-01", "2024-03-01"])})
    >>> revenue_by_period(am)["revenue"].tolist()          # February had nothing
    [10.0, 0.0, 7.0]
    """
    where = "revenue_by_period"
    if freq not in _FREQ:
        raise ValueError(f"{where}: freq must be one of {list(_FREQ)}, got {freq!r}")
    require_columns(frame, [account, period, value], where)
    require_numeric(frame, value, where)
    if frame.empty:
        return pd.DataFrame({period: pd.Series(dtype="datetime64[ns]"),
                             value: pd.Series(dtype="float64"),
                             "accounts": pd.Series(dtype="int64")})
    start = frame[period].dt.to_period(freq).dt.start_time
    grouped = frame.groupby(start.rename(period), sort=True)
    out = pd.DataFrame({value: grouped[value].sum().astype("float64"),
                        "accounts": grouped[account].nunique().astype("int64")})
    full = pd.date_range(out.index.min(), out.index.max(), freq=_FREQ[freq], name=period)
    return out.reindex(full, fill_value=0).reset_index()


def revenue_by_product(frame: pd.DataFrame, *, product: str = "product",
                       value: str = "revenue", accounts: str | None = "accounts"
                       ) -> pd.DataFrame:
    """Total ``value`` per product, largest first, with its share of the total.

    Parameters
    ----------
    frame : DataFrame
        Product x period facts (the cube's ``product_month``) or account x product facts.
    product, value : str
        Column names. Lines without a product are grouped as "(no product)".
    accounts : str or None
        A column of buying accounts per row to report the peak per product (the cube's
        ``product_month`` has one); None to skip.

    Returns
    -------
    DataFrame
        ``product``, ``value``, ``share`` (of the net total; NaN if it is not positive)
        and ``peak_accounts`` when ``accounts`` is given. Ties are ordered by product name.

    Examples
    --------
    >>> pm = pd.DataFrame({"product": ["Cloud", "IoT", "Cloud"], "revenue": [30.0, 10.0, 10.0]})
    >>> revenue_by_product(pm, accounts=None)
      product  revenue  share
    0   Cloud     40.0    0.8
    1     IoT     10.0    0.2
    """
    where = "revenue_by_product"
    require_columns(frame, [product, value] + ([accounts] if accounts else []), where)
    require_numeric(frame, value, where)
    names = frame[product].astype("object").where(frame[product].notna(), "(no product)")
    grouped = frame.groupby(names.rename(product), sort=True)
    out = grouped[value].sum().astype("float64").to_frame()
    total = out[value].sum()
    out["share"] = out[value] / total if total > 0 else np.nan
    if accounts:
        out["peak_accounts"] = grouped[accounts].max().astype("int64")
    out = out.reset_index()
    return out.sort_values([value, product], ascending=[False, True], kind="mergesort",
                           ignore_index=True)
