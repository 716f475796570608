"""Differentiate: the value x need matrix over all accounts, and the brief's key-account types.

Value is each account's share of revenue (or of profit: pass a profit column); an account
is "high value" when it is among the vital few that make ``target`` of the total (the
Pareto rule of :mod:`kamlib.concentration`). Need is the accounts' ``need_score`` (0-10);
where it is missing, a stated proxy on the same 0-10 scale: the mean percentile of the
account's product breadth and of its revenue growth. High value and high need make a key
account.

Examples
--------
>>> import pandas as pd
>>> values = pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [70.0, 20.0, 10.0]})
>>> need = pd.DataFrame({"account_id": ["a", "b", "c"], "need_score": [8.0, 9.0, 2.0]})
>>> value_need_matrix(values, need, target=0.7)[["account_id", "quadrant"]]
  account_id     quadrant
0          a  key account
1          b      develop
2          c        serve
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, check_fraction, require_columns, require_numeric
from kamlib.concentration import pareto_table

__all__ = ["value_need_matrix", "need_proxy", "key_account_types", "QUADRANTS"]

# (high value, high need) -> quadrant
QUADRANTS = {(True, True): "key account", (True, False): "maintain",
             (False, True): "develop", (False, False): "serve"}


def need_proxy(account_month: pd.DataFrame, account_product: pd.DataFrame, *,
               as_of: DateLike, account: str = "account_id",
               value: str = "revenue") -> pd.DataFrame:
    """A stated stand-in for need, 0-10: the mean percentile of breadth and growth.

    ``breadth`` is the number of products bought (positive revenue); ``growth`` is revenue
    of the 12 months to ``as_of`` against the 12 before, minus 1. Each is ranked over all
    accounts (percentile, ties share the mean rank) and the two are averaged and scaled
    to 0-10; an account with no revenue in the 12 months before (new, or back) is scored
    on breadth alone.

    Examples
    --------
    >>> am = pd.DataFrame({"account_id": ["a", "a", "b", "b"], "revenue": [10., 20., 10., 5.],
    ...     "period": pd.to_datetime(["2023-06-01", "2024-06-01"] * 2)})
    >>> ap = pd.DataFrame({"account_id": ["a", "a", "b"], "product": ["x", "y", "x"],
    ...                    "revenue": [20.0, 10.0, 15.0]})
    >>> need_proxy(am, ap, as_of="2024-12-31")
      account_id  breadth  growth  need_proxy
    0          a        2     1.0        10.0
    1          b        1    -0.5         5.0
    """
    where = "need_proxy"
    require_columns(account_month, [account, "period", value], where)
    require_columns(account_product, [account, value], where)
    end = pd.Timestamp(as_of).to_period("M")
    months = account_month["period"].dt.to_period("M")
    age = (end.year - months.dt.year) * 12 + (end.month - months.dt.month)
    recent = account_month[(age >= 0) & (age < 12)].groupby(account)[value].sum()
    before = account_month[(age >= 12) & (age < 24)].groupby(account)[value].sum()
    ids = pd.Index(np.union1d(account_month[account].unique(),
                              account_product[account].unique()), name=account)
    bought = account_product[account_product[value] > 0]
    breadth = bought.groupby(account).size().reindex(ids, fill_value=0).astype("int64")
    prior = before.reindex(ids)
    growth = recent.reindex(ids, fill_value=0.0) / prior.where(prior > 0) - 1
    ranks = pd.DataFrame({"b": breadth.rank(pct=True), "g": growth.rank(pct=True)})
    out = pd.DataFrame({"breadth": breadth, "growth": growth,
                        "need_proxy": 10 * ranks.mean(axis=1)}, index=ids)
    return out.reset_index()


def value_need_matrix(values: pd.DataFrame, need: pd.DataFrame | None = None, *,
                      proxy: pd.DataFrame | None = None, account: str = "account_id",
                      value: str = "revenue", need_score: str = "need_score",
                      target: float = 0.8, need_threshold: float = 5.0) -> pd.DataFrame:
    """Each account's place in the value x need matrix, and whether it is a key account.

    Parameters
    ----------
    values : DataFrame
        One row per account with ``value`` (revenue totals, or a P&L with ``value="profit"``).
    need : DataFrame, optional
        The accounts table, read for ``need_score``.
    proxy : DataFrame, optional
        A :func:`need_proxy` result, used for every account whose ``need_score`` is missing
        (or all of them when there is none). Accounts with neither get no need, quadrant
        "unknown", and are named in ``attrs["notes"]``.
    target : float
        The vital few that make this share of the total value are "high value".
    need_threshold : float
        Need at or above this (0-10 scale) is "high need".

    Returns
    -------
    DataFrame
        ``rank``, ``account``, ``value``, ``share``, ``cum_share``, ``high_value``, ``need``,
        ``need_source`` ("need_score" or "proxy"), ``high_need``, ``quadrant``,
        ``key_account``; ranked by value as in :func:`kamlib.pareto_table`.

    Examples
    --------
    >>> values = pd.DataFrame({"account_id": ["a", "b"], "revenue": [60.0, 40.0]})
    >>> proxy = pd.DataFrame({"account_id": ["a", "b"], "need_proxy": [7.5, 2.5]})
    >>> m = value_need_matrix(values, proxy=proxy, target=0.5)
    >>> m[["account_id", "need", "need_source", "quadrant"]]
      account_id  need need_source     quadrant
    0          a   7.5       proxy  key account
    1          b   2.5       proxy        serve
    """
    where = "value_need_matrix"
    target = check_fraction(target, "target", where)
    table = pareto_table(values, account=account, value=value, target=target)
    table = table[["rank", account, value, "share", "cum_share", "vital_few"]].rename(
        columns={"vital_few": "high_value"})
    notes = []
    scores = pd.Series(np.nan, index=table.index)
    if need is not None and need_score in need:
        require_numeric(need, need_score, where)
        scores = table[account].map(need.drop_duplicates(account).set_index(account)[need_score])
    source = pd.Series(np.where(scores.notna(), "need_score", None), index=table.index,
                       dtype="object")
    missing = scores.isna()
    if missing.any() and proxy is not None:
        require_columns(proxy, [account, "need_proxy"], where)
        stand_in = table[account].map(proxy.set_index(account)["need_proxy"])
        scores = scores.fillna(stand_in)
        source[missing & stand_in.notna()] = "proxy"
        notes.append(f"need: the proxy (breadth and growth percentiles, 0-10) stands in for "
                     f"{int((missing & stand_in.notna()).sum())} account(s) without a "
                     f"{need_score}")
    unknown = scores.isna()
    if unknown.any():
        notes.append(f"need: unknown for {int(unknown.sum())} account(s) (no {need_score} "
                     f"and no proxy), e.g. {', '.join(table.loc[unknown, account][:3])}")
    table["need"] = scores.astype("float64")
    table["need_source"] = source
    table["high_need"] = scores >= need_threshold
    table["quadrant"] = [QUADRANTS[(hv, hn)] for hv, hn in
                         zip(table["high_value"], table["high_need"])]
    table.loc[unknown, "quadrant"] = "unknown"
    table["key_account"] = table["quadrant"] == "key account"
    table.attrs["notes"] = notes
    table.attrs["rules"] = {
        "high_value": f"among the vital few accounts making {target:.0%} of {value}",
        "high_need": f"need ({need_score}, or the proxy) of {need_threshold:g} or more "
                     "on 0-10"}
    return table


def _no_long_standing(shares: np.ndarray, years: float, profit_share: float) -> str:
    """Why no account is long-standing: none old enough, or the largest share they bring.

    >>> _no_long_standing(np.array([0.012, 0.032, np.nan]), 5.0, 0.1)
    'long-standing: none qualifies: no customer of 5+ years brings 10% of the total profit; the largest brings 3.2% (the share is the profit_share parameter)'
    """
    head = f"long-standing: none qualifies: no customer of {years:g}+ years"
    if not np.isfinite(shares).any():
        return f"{head} (with a profit figure) in the data"
    return (f"{head} brings {profit_share:.0%} of the total profit; the largest brings "
            f"{np.nanmax(shares):.1%} (the share is the profit_share parameter)")


def key_account_types(matrix: pd.DataFrame, accounts: pd.DataFrame, *, as_of: DateLike,
                      proxy: pd.DataFrame | None = None, pnl: pd.DataFrame | None = None,
                      image_makers: Iterable[str] = (), account: str = "account_id",
                      long_standing_years: float = 5.0, profit_share: float = 0.10,
                      new_years: float = 2.0, demanding_quantile: float = 0.75
                      ) -> pd.DataFrame:
    """The brief's key-account types, where the data supports them.

    - long-standing: a customer for ``long_standing_years`` or more that makes at least
      ``profit_share`` of the total profit (needs ``pnl`` and ``customer_since``);
    - prospective: a customer for less than ``new_years``, growing, with a wallet estimate
      above the median (needs ``customer_since``, ``wallet_estimate`` and ``proxy`` growth);
    - image maker: the ids in ``image_makers`` (known leaders: the data cannot tell);
    - demanding: cost to serve per revenue in the top quarter (``demanding_quantile``) of
      all accounts with revenue (needs ``pnl`` with ``cost_to_serve``).

    A type whose inputs are absent is left out and named in ``attrs["notes"]``.

    Returns
    -------
    DataFrame
        ``account`` (the rows of ``matrix``, in its order), one boolean column per type the
        data supports, and ``types`` (the types joined by ", ").

    Examples
    --------
    >>> m = pd.DataFrame({"account_id": ["a", "b"]})
    >>> acc = pd.DataFrame({"account_id": ["a", "b"]})
    >>> key_account_types(m, acc, as_of="2024-12-31", image_makers=["b"])["types"].tolist()
    ['', 'image maker']
    """
    where = "key_account_types"
    require_columns(matrix, [account], where)
    check_fraction(profit_share, "profit_share", where)
    as_of = pd.Timestamp(as_of)
    ids = matrix[account]
    acc = accounts.drop_duplicates(account).set_index(account)
    out = pd.DataFrame({account: ids.to_numpy()})
    notes, types = [], []
    since = (acc["customer_since"].reindex(ids).to_numpy()
             if "customer_since" in acc and acc["customer_since"].notna().any() else None)
    years = None if since is None else (as_of - pd.to_datetime(since)).days / 365.25
    if pnl is not None and years is not None:
        require_columns(pnl, [account, "profit"], where)
        profit = pnl.set_index(account)["profit"].reindex(ids).to_numpy()
        total = np.nansum(pnl["profit"])
        share = profit / total if total > 0 else np.full(len(ids), np.nan)
        out["long-standing"] = (years >= long_standing_years) & (share >= profit_share)
        types.append("long-standing")
        if not out["long-standing"].any():  # the brief's 10% is per account: say why none
            notes.append(_no_long_standing(share[np.asarray(years) >= long_standing_years],
                                           long_standing_years, profit_share))
    else:
        notes.append("long-standing: left out (needs the profit and each account's "
                     "customer-since date)")
    if years is not None and proxy is not None and "wallet_estimate" in acc:
        wallet = acc["wallet_estimate"].reindex(ids).to_numpy()
        growth = proxy.set_index(account)["growth"].reindex(ids).to_numpy()
        out["prospective"] = ((years < new_years) & (growth > 0)
                              & (wallet > np.nanmedian(acc["wallet_estimate"])))
        types.append("prospective")
    else:
        notes.append("prospective: left out (needs the customer-since date, the wallet estimate and the "
                      "need proxy's growth)")
    known = set(image_makers)
    out["image maker"] = ids.isin(known).to_numpy()
    types.append("image maker")
    if known - set(ids):
        notes.append(f"image makers not among the accounts: {sorted(known - set(ids))[:5]}")
    if pnl is not None and "cost_to_serve" in pnl:
        rev = pnl.set_index(account)["revenue"].reindex(ids)
        ratio = pnl.set_index(account)["cost_to_serve"].reindex(ids) / rev.where(rev > 0)
        all_ratios = pnl["cost_to_serve"] / pnl["revenue"].where(pnl["revenue"] > 0)
        cut = all_ratios.quantile(demanding_quantile)
        out["demanding"] = (ratio >= cut).to_numpy()
        types.append("demanding")
    else:
        notes.append("demanding: left out (needs the profit with the cost to serve)")
    flags = out[types].fillna(False).astype(bool).to_numpy()
    out[types] = flags
    names = np.array(types, dtype=object)
    out["types"] = [", ".join(names[row]) for row in flags]
    out.attrs["notes"] = notes
    return out
