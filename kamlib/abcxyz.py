"""ABC-XYZ analysis: classes by value (ABC) and by regularity of purchasing (XYZ).

ABC ranks accounts by revenue (or profit) and cuts the cumulative share: A the few that make
most of it, B the middle, C the long tail. XYZ measures how steadily an account buys: the
coefficient of variation of its revenue per month or quarter. The 3x3 matrix counts the
accounts and revenue per cell, and :data:`HANDLING` says how to serve each cell.

Examples
--------
>>> import pandas as pd
>>> totals = pd.DataFrame({"account_id": list("abcd"), "revenue": [70.0, 20.0, 6.0, 4.0]})
>>> abc_classes(totals)["abc"].tolist()     # cumulative shares .7 .9 .96 1
['A', 'A', 'B', 'C']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import (DateLike, accounts_for, check_fraction, net_total, rank_accounts,
                            require_columns, require_numeric, window_mask)

__all__ = ["abc_classes", "xyz_classes", "abc_xyz_matrix", "cell_members", "HANDLING"]

HANDLING: dict[str, str] = {
    "AX": "Protect: dedicated key account manager, joint account plan, regular top-management "
          "contact; automate contracts and replenishment for the steady volume.",
    "AY": "Protect and stabilise: dedicated key account manager, joint forecasts and framework "
          "agreements to smooth the fluctuating demand.",
    "AZ": "Win each deal: project selling led by a key account manager, early contact with the "
          "decision makers, pipeline tracking; find out what drives the irregular orders.",
    "BX": "Develop: key account candidate with a named account manager; cross-sell and "
          "up-sell to grow the share of wallet; efficient, planned service.",
    "BY": "Develop selectively: regular account reviews and forecasts; cross-sell to steady "
          "and grow the demand.",
    "BZ": "Qualify: learn why orders are sporadic (projects, a competitor's share); serve "
          "project by project and check the share of wallet before investing.",
    "CX": "Serve efficiently: standard offers, inside sales or self-service, automated "
          "reordering; watch for accounts with growth potential.",
    "CY": "Standardise: inside sales or distributors, standard price lists and terms; review "
          "once a year.",
    "CZ": "Standardise and serve at low cost: web shop or distributors, minimum order sizes; "
          "check whether serving the account pays at all.",
}


def abc_classes(totals: pd.DataFrame, *, account: str = "account_id", value: str = "revenue",
                cutoffs: tuple[float, float] = (0.8, 0.95),
                method: str = "fixed") -> pd.DataFrame:
    """ABC class per account from its rank by value.

    Parameters
    ----------
    totals : DataFrame
        One row per account (see :func:`kamlib.concentration.account_totals`).
    account, value : str
        Column names; the result keeps them.
    cutoffs : (float, float)
        Cumulative shares for ``method="fixed"``: A makes the first, A + B the second.
    method : {"fixed", "auto"}
        ``"fixed"``: A is the smallest set of top accounts whose cumulative share reaches
        ``cutoffs[0]``; the account that crosses the cut is in the upper class (as for the
        vital few in :func:`kamlib.concentration.pareto_table`). B runs on to the account
        that crosses ``cutoffs[1]``; C is the rest.
        ``"auto"``: the computed ABC analysis of Ultsch & Lötsch (2015, PLoS ONE
        10(6): e0129767), published limits from the shape of the data instead of a
        conventional 80/95. On the ABC curve (share of accounts x, cumulative share y) it
        takes the Pareto point (nearest to the ideal (0, 1)) and the break-even point (slope
        1: the last account worth at least the mean); A ends at whichever comes first, and
        B ends at the submarginal point, the one nearest to (x of the other point, 1).

    Returns
    -------
    DataFrame
        ``account``, ``value``, ``rank``, ``cum_share`` (as in the Pareto table) and ``abc``,
        ordered by rank, so A comes before B before C.

    Notes
    -----
    Accounts with zero or negative value are always C. Ties are ranked by account id, so
    equal accounts at a cut can fall in different classes, the same way on every run.
    ``"auto"`` reads the curve of the positive values (losses count as 0, as in the
    authors' R package ABCanalysis) at the accounts themselves rather than on a spline
    through them, so its limits can differ from the package's by an account. The largest
    account is always A.

    Examples
    --------
    >>> totals = pd.DataFrame({"account_id": list("abcdefgh"),
    ...                        "revenue": [50.0, 20, 10, 8, 5, 4, 2, 1]})
    >>> "".join(abc_classes(totals)["abc"])                 # cum: .5 .7 .8 | .88 .93 .97 | ...
    'AAABBBCC'
    >>> "".join(abc_classes(totals, method="auto")["abc"])  # see tests for the computation
    'AABCCCCC'
    """
    where = "abc_classes"
    table = rank_accounts(totals, account, value, where)
    values = table[value].to_numpy()
    total = net_total(values, value, where)
    cum_share = np.cumsum(values) / total
    table["cum_share"] = cum_share
    if method == "fixed":
        low, high = (check_fraction(c, "cutoffs", where) for c in cutoffs)
        if low > high:
            raise ValueError(f"{where}: cutoffs must be increasing, got {cutoffs}")
        a_end, b_end = accounts_for(cum_share, low), accounts_for(cum_share, high)
    elif method == "auto":
        a_end, b_end = _computed_limits(np.clip(values, 0, None))
    else:
        raise ValueError(f"{where}: method must be 'fixed' or 'auto', got {method!r}")
    ranks = table["rank"].to_numpy()
    abc = np.where(ranks <= a_end, "A", np.where(ranks <= b_end, "B", "C"))
    table["abc"] = np.where(values > 0, abc, "C")
    return table


def _computed_limits(values: np.ndarray) -> tuple[int, int]:
    """Last rank of A and of B by Ultsch & Lötsch, on the curve through the accounts."""
    n = values.size
    x = np.arange(1, n + 1) / n  # share of accounts after each one (rank order)
    y = np.cumsum(values) / values.sum()
    pareto = int(np.argmin(x**2 + (1 - y) ** 2)) + 1  # argmin keeps the first minimum
    # Slope of the curve at an account is value / mean: y - x rises while it is >= 1.
    break_even = max(int((values * n >= values.sum()).sum()), 1)
    a_end, other = min(pareto, break_even), max(pareto, break_even)
    submarginal = int(np.argmin((x - other / n) ** 2 + (1 - y) ** 2)) + 1
    return a_end, max(submarginal, a_end)


def xyz_classes(frame: pd.DataFrame, *, account: str = "account_id", value: str = "revenue",
                period: str = "period", freq: str = "M",
                cutoffs: tuple[float, float] = (0.5, 1.0), min_periods: int = 3,
                start: DateLike = None, end: DateLike = None) -> pd.DataFrame:
    """XYZ class per account from the coefficient of variation of its value per period.

    Parameters
    ----------
    frame : DataFrame
        Account x period facts (the cube's ``account_month``): one row per account and month
        in which it bought.
    account, value, period : str
        Column names.
    freq : {"M", "Q"}
        Months, or quarters (months summed per calendar quarter).
    cutoffs : (float, float)
        X if cv <= cutoffs[0], Y if cv <= cutoffs[1], Z otherwise.
    min_periods : int
        Fewer periods in an account's window give Z ("too few periods").
    start, end : date-like, optional
        The analysis window, rounded out to whole periods; default: the first and last
        period in ``frame``.

    Returns
    -------
    DataFrame
        ``account``, ``n_periods``, ``mean``, ``std``, ``cv``, ``xyz``, ``xyz_reason``; one
        row per account that has a row in the window, sorted by account. ``xyz`` is always
        X, Y or Z and ``xyz_reason`` says why.

    Notes
    -----
    cv = population standard deviation (ddof=0) / mean, over *every* period of the
    account's window: periods without a purchase count as 0, so an account that buys in 2
    of 12 months is irregular. The window of an account starts at its first period with a
    row in the window (a new account is not punished for not existing yet) and ends at the
    window's end (an account that stopped buying is irregular). An account with a mean of
    0 or below, or with a missing (NaN) value, is Z with that reason.

    Examples
    --------
    >>> cube = pd.DataFrame({"account_id": ["a"] * 3 + ["b"] * 2,
    ...     "period": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01",
    ...                               "2024-01-01", "2024-03-01"]),
    ...     "revenue": [10.0, 12.0, 8.0, 30.0, 30.0]})
    >>> xyz_classes(cube)[["account_id", "n_periods", "cv", "xyz"]].round(3)
      account_id  n_periods     cv xyz
    0          a          3  0.163   X
    1          b          3  0.707   Y
    """
    where = "xyz_classes"
    require_columns(frame, [account, value, period], where)
    if freq not in ("M", "Q"):
        raise ValueError(f"{where}: freq must be 'M' (months) or 'Q' (quarters), got {freq!r}")
    low, high = cutoffs
    if not 0 <= low <= high:
        raise ValueError(f"{where}: cutoffs must be 0 <= X limit <= Y limit, got {cutoffs}")
    if min_periods < 1:
        raise ValueError(f"{where}: min_periods must be at least 1, got {min_periods}")
    require_numeric(frame, value, where)
    in_window = window_mask(frame, period, start, end, freq, where)
    rows = frame.loc[in_window, [account, period, value]]
    if rows.empty:
        raise ValueError(f"{where}: no rows in the window {start} to {end}")
    buckets = rows[period].dt.to_period(freq)
    first = pd.Timestamp(start).to_period(freq) if start is not None else buckets.min()
    last = pd.Timestamp(end).to_period(freq) if end is not None else buckets.max()
    values = rows[value].astype("float64")
    unknown = values.isna().groupby(rows[account], sort=True).any()
    grid = (values.groupby([rows[account], buckets], sort=True).sum()
            .unstack(fill_value=0.0)
            .reindex(columns=pd.period_range(first, last, freq=freq), fill_value=0.0))
    # Periods before the account's first purchase in the window are not part of its series.
    started = grid.columns.get_indexer(grid.index.map(buckets.groupby(rows[account]).min()))
    grid = grid.where(np.arange(grid.shape[1])[None, :] >= started[:, None])
    out = pd.DataFrame({"n_periods": grid.notna().sum(axis=1).astype("int64"),
                        "mean": grid.mean(axis=1), "std": grid.std(axis=1, ddof=0)})
    out.loc[unknown, ["mean", "std"]] = np.nan
    out["cv"] = (out["std"] / out["mean"]).where(out["mean"] > 0)
    cv, n = out["cv"], out["n_periods"]
    conditions = [unknown, n < min_periods, ~(out["mean"] > 0), cv <= low, cv <= high]
    out["xyz"] = np.select(conditions, ["Z", "Z", "Z", "X", "Y"], default="Z")
    out["xyz_reason"] = np.select(conditions, [
        f"missing (NaN) {value}", "too few periods (" + n.astype(str) + f" < {min_periods})",
        f"mean {value} <= 0", f"cv <= {low:g}", f"{low:g} < cv <= {high:g}"],
        default=f"cv > {high:g}")
    return out.rename_axis(account).reset_index()


def abc_xyz_matrix(abc: pd.DataFrame, xyz: pd.DataFrame, *, account: str = "account_id",
                   value: str = "revenue") -> pd.DataFrame:
    """The 3x3 ABC-XYZ matrix in long form: one row per cell, all nine cells always there.

    Parameters
    ----------
    abc, xyz : DataFrame
        Results of :func:`abc_classes` and :func:`xyz_classes` for the same accounts (the
        same window): an account missing from either raises a ValueError naming it.
    account, value : str
        Column names; ``value`` is read from ``abc``.

    Returns
    -------
    DataFrame
        ``abc``, ``xyz``, ``cell`` ("AX"), ``count``, ``account_share``, ``value`` (the sum,
        named after the value column), ``value_share`` (of the net total) and ``handling``
        (see :data:`HANDLING`); rows A..C by X..Z. Pivot for the 3x3 view:
        ``m.pivot(index="abc", columns="xyz", values="count")``.

    Examples
    --------
    >>> abc = pd.DataFrame({"account_id": ["a", "b"], "revenue": [80.0, 20.0],
    ...                     "abc": ["A", "C"]})
    >>> xyz = pd.DataFrame({"account_id": ["a", "b"], "xyz": ["X", "Z"]})
    >>> m = abc_xyz_matrix(abc, xyz)
    >>> m.pivot(index="abc", columns="xyz", values="value_share")  # doctest: +NORMALIZE_WHITESPACE
    xyz    X    Y    Z
    abc
    A    0.8  0.0  0.0
    B    0.0  0.0  0.0
    C    0.0  0.0  0.2
    """
    where = "abc_xyz_matrix"
    require_columns(abc, [account, value, "abc"], where)
    require_columns(xyz, [account, "xyz"], where)
    both = abc[[account, value, "abc"]].merge(xyz[[account, "xyz"]], on=account, how="outer",
                                              indicator=True, validate="one_to_one")
    lonely = both[both["_merge"] != "both"]
    if len(lonely):
        ids = ", ".join(repr(str(i)) for i in lonely[account].iloc[:5])
        raise ValueError(f"{where}: {len(lonely)} account(s) are in only one of abc and xyz, "
                         f"e.g. {ids}; compute both on the same accounts and window.")
    for col, labels in (("abc", "ABC"), ("xyz", "XYZ")):
        bad = sorted(set(both[col].astype(str)) - set(labels))
        if bad:
            raise ValueError(f"{where}: column '{col}' holds {bad}; expected {list(labels)}")
    cells = pd.MultiIndex.from_product([list("ABC"), list("XYZ")], names=["abc", "xyz"])
    grouped = both.groupby(["abc", "xyz"])[value]
    out = pd.DataFrame({"count": grouped.size(), value: grouped.sum()}).reindex(cells)
    out = out.fillna(0).astype({"count": "int64"}).reset_index()
    out.insert(2, "cell", out["abc"] + out["xyz"])
    out.insert(4, "account_share", out["count"] / len(both))
    out["value_share"] = out[value] / net_total(both[value].to_numpy(), value, where)
    out["handling"] = out["cell"].map(HANDLING)
    return out


def cell_members(abc: pd.DataFrame, xyz: pd.DataFrame, *, account: str = "account_id",
                 value: str = "revenue", names: pd.DataFrame | None = None,
                 n: int | None = None) -> pd.DataFrame:
    """The accounts of each cell of the matrix, largest first: the full list for an export,
    or the ``n`` largest per cell for a page.

    Parameters
    ----------
    abc, xyz : DataFrame
        As for :func:`abc_xyz_matrix`.
    names : DataFrame, optional
        ``account`` and ``account_name`` (the accounts table) to name each account.
    n : int, optional
        Keep the ``n`` largest of each cell.

    Returns
    -------
    DataFrame
        ``cell``, ``rank`` (1 = the largest in its cell), ``account``, ``account_name``
        (the id where no name is known) and ``value``; cells AX..CZ, ties by account id.

    Examples
    --------
    >>> abc = pd.DataFrame({"account_id": ["a", "b", "c"], "revenue": [50.0, 80.0, 5.0],
    ...                     "abc": ["A", "A", "C"]})
    >>> xyz = pd.DataFrame({"account_id": ["a", "b", "c"], "xyz": ["X", "X", "Z"]})
    >>> cell_members(abc, xyz, n=1)[["cell", "account_id", "revenue"]].values.tolist()
    [['AX', 'b', 80.0], ['CZ', 'c', 5.0]]
    """
    where = "cell_members"
    require_columns(abc, [account, value, "abc"], where)
    require_columns(xyz, [account, "xyz"], where)
    both = abc[[account, value, "abc"]].merge(xyz[[account, "xyz"]], on=account,
                                              validate="one_to_one")
    both["cell"] = both["abc"].astype(str) + both["xyz"].astype(str)
    both[account] = both[account].astype(str)
    both = both.sort_values(["cell", value, account], ascending=[True, False, True],
                            kind="mergesort")
    both["rank"] = both.groupby("cell").cumcount() + 1
    if n is not None:
        both = both[both["rank"] <= n]
    label = both[account]
    if names is not None and "account_name" in names:
        known = names.assign(**{account: names[account].astype(str)}).set_index(account)
        label = both[account].map(known["account_name"]).fillna(both[account])
    both["account_name"] = label.astype(str)
    return both[["cell", "rank", account, "account_name", value]].reset_index(drop=True)
