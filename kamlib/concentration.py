"""Concentration: how much of the revenue (or profit) the largest accounts make.

The Pareto table ranks the accounts and marks the "vital few" that make a target share
(80% by default); the summary gives the headline figures; the Lorenz curve, the Gini
coefficient and the Herfindahl-Hirschman index (HHI) measure inequality over all accounts.
Functions take a DataFrame and the names of its columns, so the same calls work on profit.

Examples
--------
>>> import pandas as pd
>>> cube = pd.DataFrame({
...     "account_id": ["a", "a", "b", "c"],
...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", "2024-01-01"]),
...     "revenue": [50.0, 30.0, 15.0, 5.0]})
>>> totals = account_totals(cube)
>>> accounts_for_target(totals)       # account a alone makes 80 of 100
1
"""

from __future__ import annotations

import html
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from kamlib._frames import (DateLike, accounts_for, check_fraction, net_total, rank_accounts,
                            require_columns, require_numeric, window_mask)

__all__ = ["account_totals", "pareto_table", "accounts_for_target", "vital_few",
           "concentration_summary", "ConcentrationSummary", "lorenz_curve", "gini", "hhi",
           "top_n_share"]


def account_totals(frame: pd.DataFrame, *, account: str = "account_id",
                   value: str = "revenue", start: DateLike = None, end: DateLike = None,
                   period: str = "period") -> pd.DataFrame:
    """Sum ``value`` per account, optionally over a window of months.

    Parameters
    ----------
    frame : DataFrame
        Account x period facts (the cube's ``account_month``) or any frame with the columns.
    account, value, period : str
        Column names; ``period`` is only read when a window is given.
    start, end : date-like, optional
        The analysis window, both ends included. The cube holds whole months, so a window
        that starts or ends mid-month includes that whole month.

    Returns
    -------
    DataFrame
        Columns ``account`` and ``value``: one row per account that has a row in the window,
        sorted by account. A NaN in any month makes that account's total NaN, because a
        missing cost is unknown, not zero; the analyses then refuse it and name the account.

    Examples
    --------
    >>> cube = pd.DataFrame({"account_id": ["a", "a", "b"], "revenue": [50.0, 30.0, 20.0],
    ...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-02-01"])})
    >>> account_totals(cube, start="2024-02-15")
      account_id  revenue
    0          a     30.0
    1          b     20.0
    """
    where = "account_totals"
    require_columns(frame, [account, value], where)
    require_numeric(frame, value, where)
    rows = frame.loc[window_mask(frame, period, start, end, "M", where)]
    values = rows[value].astype("float64")
    # groupby sums skip NaN, which would turn an unknown cost into a cost of zero
    unknown = values.isna().groupby(rows[account], sort=True).any()
    totals = values.groupby(rows[account], sort=True).sum().mask(unknown)
    return totals.rename(value).rename_axis(account).reset_index()


def pareto_table(totals: pd.DataFrame, *, account: str = "account_id", value: str = "revenue",
                 target: float = 0.8) -> pd.DataFrame:
    """Accounts ranked by value, with their share and cumulative share of the total.

    Parameters
    ----------
    totals : DataFrame
        One row per account (see :func:`account_totals`).
    account, value : str
        Column names; the result keeps them.
    target : float
        Share of the total (0, 1] the "vital few" make; 0.8 is the 80 of 80/20.

    Returns
    -------
    DataFrame
        ``rank`` (1 = largest; ties broken by account id ascending), ``account``, ``value``,
        ``share`` (of the total), ``cum_share``, ``account_share`` (1/n),
        ``cum_account_share`` (rank/n), ``vital_few`` (True for the smallest set of top
        accounts whose ``cum_share`` reaches ``target``: the account that crosses the target
        is one of them).

    Notes
    -----
    Negative values (credit notes, loss-making accounts when ``value`` is profit) rank last
    and shares are relative to the *net* total. With losses, ``cum_share`` climbs above 1
    and comes back down to exactly 1: the whale curve, where the profitable accounts make
    more than all the profit and the unprofitable tail destroys the excess. A total of zero
    or below raises a ValueError, since shares of it mean nothing. A cumulative share within
    1e-12 of the target counts as reaching it (float round-off).

    Examples
    --------
    >>> totals = pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [20.0, 50.0, 30.0]})
    >>> pareto_table(totals)[["rank", "account_id", "share", "cum_share", "vital_few"]]
       rank account_id  share  cum_share  vital_few
    0     1          b    0.5        0.5       True
    1     2          c    0.3        0.8       True
    2     3          a    0.2        1.0      False
    """
    where = "pareto_table"
    target = check_fraction(target, "target", where)
    table = rank_accounts(totals, account, value, where)
    values = table[value].to_numpy()
    total = net_total(values, value, where)
    n = len(table)
    table["share"] = values / total
    table["cum_share"] = np.cumsum(values) / total  # the last one is total / total == 1.0
    table["account_share"] = 1 / n
    table["cum_account_share"] = table["rank"] / n
    table["vital_few"] = table["rank"] <= accounts_for(table["cum_share"].to_numpy(), target)
    return table


def accounts_for_target(totals: pd.DataFrame, *, account: str = "account_id",
                        value: str = "revenue", target: float = 0.8) -> int:
    """The number of top accounts that make ``target`` of the total: the vital few.

    The smallest k whose cumulative share reaches the target; ties and negative values as
    in :func:`pareto_table`. Divide by ``len(totals)`` for the share of accounts.

    Examples
    --------
    >>> totals = pd.DataFrame({"account_id": list("abcde"),
    ...                        "revenue": [60.0, 25.0, 10.0, 3.0, 2.0]})
    >>> accounts_for_target(totals), accounts_for_target(totals, target=0.9)
    (2, 3)
    """
    return int(pareto_table(totals, account=account, value=value, target=target)
               ["vital_few"].sum())


def vital_few(table: pd.DataFrame, accounts: pd.DataFrame | None = None, *,
              account: str = "account_id", name: str = "account_name",
              value: str = "revenue") -> pd.DataFrame:
    """The vital-few rows of a Pareto table, with each account's name, by rank.

    Parameters
    ----------
    table : DataFrame
        A :func:`pareto_table`.
    accounts : DataFrame, optional
        The accounts table; its ``name`` column is added after ``account``. An account
        missing from it gets an empty name rather than being dropped.

    Examples
    --------
    >>> totals = pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [20.0, 50.0, 30.0]})
    >>> names = pd.DataFrame({"account_id": ["b", "c"], "account_name": ["Beta", "Gamma"]})
    >>> vital_few(pareto_table(totals), names)[["rank", "account_name", "cum_share"]]
       rank account_name  cum_share
    0     1         Beta        0.5
    1     2        Gamma        0.8
    """
    require_columns(table, ["rank", account, value, "share", "cum_share", "vital_few"],
                    "vital_few")
    few = table.loc[table["vital_few"], ["rank", account, value, "share", "cum_share"]]
    if accounts is not None:
        require_columns(accounts, [account, name], "vital_few")
        names = accounts.drop_duplicates(account).set_index(account)[name]
        few.insert(2, name, few[account].map(names).fillna(""))
    return few.reset_index(drop=True)


@dataclass(frozen=True)
class ConcentrationSummary:
    """Headline concentration figures of one value column (see :func:`concentration_summary`).

    ``gini`` and ``hhi`` are NaN when some accounts are negative: both are defined for
    non-negative amounts only (``n_negative`` and ``negative_total`` say how much is lost).
    """

    value: str  # the column summarised, e.g. "revenue" or "profit"
    n_accounts: int
    total: float  # net total
    target: float
    accounts_for_target: int  # the vital few: smallest number of top accounts making target
    share_of_accounts_for_target: float  # accounts_for_target / n_accounts
    gini: float
    hhi: float  # sum of squared shares, in [1/n, 1]; x 10,000 for the points scale
    top_n: int
    top_n_share: float
    n_negative: int
    negative_total: float

    @property
    def headline(self) -> str:
        """The finding in one sentence, e.g. for a report title."""
        return (f"{self.accounts_for_target:,} of {self.n_accounts:,} accounts "
                f"({self.share_of_accounts_for_target:.1%}) make {self.target:.0%} of "
                f"{self.value}.")

    def to_frame(self) -> pd.DataFrame:
        """One row, indexed by the value column: summaries of revenue and profit concat."""
        fields = asdict(self)
        return pd.DataFrame([fields]).set_index("value")

    def _repr_html_(self) -> str:
        def num(x: float, fmt: str) -> str:
            return "n/a (negative values)" if np.isnan(x) else format(x, fmt)

        rows = [("accounts", f"{self.n_accounts:,}"),
                (f"total {self.value}", f"{self.total:,.2f}"),
                (f"accounts making {self.target:.0%}", f"{self.accounts_for_target:,} "
                 f"({self.share_of_accounts_for_target:.1%} of accounts)"),
                (f"top {self.top_n} share", f"{self.top_n_share:.1%}"),
                ("Gini", num(self.gini, ".3f")),
                ("HHI", num(self.hhi, ".4f") + ("" if np.isnan(self.hhi)
                                                else f" ({self.hhi * 10_000:,.0f} points)")),
                ("negative accounts", f"{self.n_negative:,} ({self.negative_total:,.2f})")]
        body = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
                       f"<td>{html.escape(v)}</td></tr>" for k, v in rows)
        return f"<p><b>{html.escape(self.headline)}</b></p><table>{body}</table>"


def concentration_summary(totals: pd.DataFrame, *, account: str = "account_id",
                          value: str = "revenue", target: float = 0.8,
                          top_n: int = 10) -> ConcentrationSummary:
    """The headline figures: how many accounts make ``target``, top-n share, Gini, HHI.

    Examples
    --------
    >>> totals = pd.DataFrame({"account_id": list("abcde"),
    ...                        "revenue": [60.0, 25.0, 10.0, 3.0, 2.0]})
    >>> s = concentration_summary(totals, top_n=1)
    >>> s.headline
    '2 of 5 accounts (40.0%) make 80% of revenue.'
    >>> s.top_n_share, round(s.gini, 3), round(s.hhi, 4)
    (0.6, 0.552, 0.4338)
    """
    table = pareto_table(totals, account=account, value=value, target=target)
    values = table[value].to_numpy()
    negative = values < 0
    k = int(table["vital_few"].sum())
    return ConcentrationSummary(
        value=value, n_accounts=len(table), total=float(np.cumsum(values)[-1]),
        target=float(target), accounts_for_target=k, share_of_accounts_for_target=k / len(table),
        gini=np.nan if negative.any() else gini(values),
        hhi=np.nan if negative.any() else hhi(values),
        top_n=int(top_n), top_n_share=top_n_share(values, n=top_n),
        n_negative=int(negative.sum()), negative_total=float(values[negative].sum()))


def _as_values(values, where: str) -> np.ndarray:
    x = np.asarray(values, dtype="float64").ravel()
    if x.size == 0:
        raise ValueError(f"{where}: there are no values")
    if not np.isfinite(x).all():
        raise ValueError(f"{where}: {int((~np.isfinite(x)).sum())} value(s) are NaN or "
                         "infinite; a missing value is unknown, not zero: fill or drop them")
    return x


def _non_negative(values, where: str) -> np.ndarray:
    x = _as_values(values, where)
    if (x < 0).any():
        raise ValueError(f"{where}: {int((x < 0).sum())} value(s) are negative; {where} is "
                         "defined for non-negative amounts (revenue), not for profit with "
                         "losses: use the Pareto table / whale curve for those.")
    net_total(x, "value", where)  # all zeros: nothing to concentrate
    return x


def lorenz_curve(totals: pd.DataFrame, *, value: str = "revenue") -> pd.DataFrame:
    """Points of the Lorenz curve, accounts ascending, from (0, 0) to (1, 1).

    Returns
    -------
    DataFrame
        ``cum_account_share`` (x) and ``cum_share`` (y), n + 1 rows. The further the curve
        sags below the diagonal, the more concentrated the values; twice the area between
        them is the Gini coefficient. Negative values raise a ValueError.

    Examples
    --------
    >>> lorenz_curve(pd.DataFrame({"revenue": [30.0, 10.0]}))
       cum_account_share  cum_share
    0                0.0       0.00
    1                0.5       0.25
    2                1.0       1.00
    """
    require_columns(totals, [value], "lorenz_curve")
    x = np.sort(_non_negative(totals[value], "lorenz_curve"))
    cum = np.concatenate([[0.0], np.cumsum(x)])
    return pd.DataFrame({"cum_account_share": np.arange(len(x) + 1) / len(x),
                         "cum_share": cum / cum[-1]})


def gini(values) -> float:
    """Gini coefficient of non-negative amounts: 0 = all equal, towards 1 = one has all.

    The exact formula on the sample, ``G = sum_i (2i - n - 1) x_(i) / (n * sum x)`` with x
    sorted ascending and i = 1..n; it equals the mean absolute difference over all pairs
    divided by twice the mean, and 1 - 2 x the area under the Lorenz curve. No small-sample
    correction: one account holding everything among n gives 1 - 1/n, so G lies in [0, 1).
    Negative values (profit with losses) raise a ValueError: G is not bounded then.

    Examples
    --------
    >>> gini([10, 10, 10]), gini([0, 0, 30]), round(gini([1, 2, 3, 4]), 4)
    (0.0, 0.6666666666666666, 0.25)
    """
    x = np.sort(_non_negative(values, "gini"))
    n = x.size
    weights = 2 * np.arange(1, n + 1) - n - 1
    # round-off can leave -1e-17 for equal values; G is never negative
    return max(float(weights @ x / (n * x.sum())), 0.0)


def hhi(values) -> float:
    """Herfindahl-Hirschman index: the sum of squared shares, in [1/n, 1].

    1/n when all n accounts are equal, 1 when one has everything; 1 / HHI is the "effective
    number" of equal accounts. Multiply by 10,000 for the points scale competition
    authorities use. Negative values raise a ValueError.

    Examples
    --------
    >>> hhi([50, 50]), round(hhi([60, 30, 10]), 4)     # 0.6**2 + 0.3**2 + 0.1**2
    (0.5, 0.46)
    """
    x = _non_negative(values, "hhi")
    shares = x / x.sum()
    return float(shares @ shares)


def top_n_share(values, n: int = 10) -> float:
    """Share of the net total that the ``n`` largest values make (1.0 if there are <= n).

    Examples
    --------
    >>> top_n_share([5, 60, 25, 10], n=2)
    0.85
    """
    if n < 1:
        raise ValueError(f"top_n_share: n must be at least 1, got {n}")
    x = np.sort(_as_values(values, "top_n_share"))[::-1]
    total = net_total(x, "value", "top_n_share")
    return float(x[:n].sum() / total) if n < x.size else 1.0
