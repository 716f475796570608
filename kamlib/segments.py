"""Segments from profiles: RFM scores and named segments, B2B groupings, cohorts.

RFM scores each account 1..n on recency, frequency and monetary value; the segment of an
account is read from a rule table on recency (R) and the average of frequency and monetary
(FM), the usual "RFM segment map". The default table cuts that 5 x 5 grid as the ten
segments of R's ``rfm`` package (plus one) do, but names each by its cell ("Least recent,
high value"), not by a status ("lost", "at risk"): RFM ranks the accounts against each
other, while the account status says which have stopped buying. Every cell belongs to
exactly one segment, and a replacement table is checked for the same. B2B targeting works on large groups (one
criterion), small groups (two criteria) and single key units: :func:`segment_summary` sums
any grouping. Cohorts group accounts by the quarter of their first purchase.

Examples
--------
>>> import pandas as pd
>>> prof = pd.DataFrame({"account_id": list("abcde"), "recency_days": [5, 40, 90, 200, 400],
...                      "frequency": [12, 6, 4, 2, 1], "monetary": [900, 500, 300, 80, 20]})
>>> rfm_segments(rfm_scores(prof))["segment"].tolist()  # doctest: +NORMALIZE_WHITESPACE
['Recent, high value', 'Recent, high value', 'Middle recency, mid to high value',
 'Less recent, low value', 'Least recent, low to mid value']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import require_columns, require_numeric

__all__ = ["rfm_scores", "rfm_segments", "SEGMENTS", "segment_table", "check_segment_table",
           "size_bands", "segment_summary", "cohort_table"]

# segment, R from-to, FM from-to, what to do (for account managers). The names say where
# the cell lies (R: how recent the last purchase is among the accounts; FM: how often and how
# much they buy), never a status: whether an account is new, at risk or lost is the account
# status's call (a long gap can be a B2B account's normal rhythm), not this ranking's.
SEGMENTS = pd.DataFrame([
    ("Recent, high value", 4, 5, 4, 5, "Involve them: references, joint planning, a first "
     "look at new offers."),
    ("Middle recency, mid to high value", 3, 3, 3, 5, "Up-sell and cross-sell; ask for "
     "referrals."),
    ("Recent, low to mid value", 4, 5, 2, 3, "Offer a wider solution and a regular contact "
     "plan."),
    ("Most recent, lowest value", 5, 5, 1, 1, "Make the next order easy; show one product "
     "that fits."),
    ("Recent, lowest value", 4, 4, 1, 1, "A second product that fits what they buy."),
    ("Middle recency, low value", 3, 3, 2, 2, "A tailored offer that fits their purchases."),
    ("Middle recency, lowest value", 3, 3, 1, 1, "Useful content; a low-effort reason to "
     "buy."),
    ("Less recent, mid to high value", 2, 2, 3, 5, "Compare with their own buying rhythm; the "
     "account status says which accounts are at risk."),
    ("Least recent, high value", 1, 1, 4, 5, "Large buyers with the longest gap: read their "
     "account status before any offer."),
    ("Less recent, low value", 2, 2, 1, 2, "Low-cost reminders."),
    ("Least recent, low to mid value", 1, 1, 1, 3, "Serve at low cost; the account status "
     "says which have stopped buying."),
], columns=["segment", "r_from", "r_to", "fm_from", "fm_to", "action"])


def _score(values: pd.Series, bins: int, higher_is_better: bool, name: str
           ) -> tuple[pd.Series, str]:
    """Scores 1..bins from the middle rank of each value: equal values, equal scores."""
    good = values.astype("float64") if higher_is_better else -values.astype("float64")
    # worst first; equal values share the mean of their positions (method="average")
    middle = good.rank(method="average")
    scores = np.floor((middle - 0.5) * bins / len(good)).astype("int64") + 1
    top = values.value_counts(normalize=True)
    rule = (f"{name}: accounts ranked worst to best, equal values sharing their average rank, "
            f"so equal values get equal scores; score = floor((rank - 0.5) x {bins} / "
            f"accounts) + 1, about 1/{bins} of the accounts each")
    if top.iloc[0] > 1 / bins:
        rule += (f"; {top.iloc[0]:.0%} of accounts share the value {top.index[0]:g} and so one "
                 f"score: the other scores hold fewer accounts, or none")
    return scores, rule


def rfm_scores(profiles: pd.DataFrame, *, bins: int = 5, account: str = "account_id",
               recency: str = "recency_days", frequency: str = "frequency",
               monetary: str = "monetary") -> pd.DataFrame:
    """R, F and M scores from 1 (worst) to ``bins`` (best), and FM = round((F + M) / 2).

    Recency scores high when the last purchase is recent. Accounts without a purchase
    (recency NaN: only credit notes) get R = 1. Each score ranks the accounts from worst to
    best; equal values share the average of their positions, and the score is the
    ``bins``-quantile that average rank falls in: floor((rank - 0.5) x bins / n) + 1. Equal
    values get equal scores whatever the order of the rows or the account ids; a value most
    accounts share takes one score and leaves its neighbours thinner. The rule of each score
    is stated in ``attrs["rules"]``.

    Examples
    --------
    Three accounts share frequency 1: positions 1, 2, 3, average 2, floor(1.5 x 4 / 4) + 1 = 2.

    >>> prof = pd.DataFrame({"account_id": list("abcd"), "recency_days": [10, 20, 30, 40],
    ...                      "frequency": [1, 1, 1, 5], "monetary": [40, 30, 20, 10]})
    >>> rfm_scores(prof, bins=4)[["r", "f", "m"]].values.tolist()
    [[4, 2, 4], [3, 2, 3], [2, 2, 2], [1, 4, 1]]
    """
    where = "rfm_scores"
    if not isinstance(bins, int) or not 2 <= bins <= 10:
        raise ValueError(f"{where}: bins must be a whole number from 2 to 10, not {bins!r}")
    require_columns(profiles, [account, recency, frequency, monetary], where)
    for col in (recency, frequency, monetary):
        require_numeric(profiles, col, where)
    if profiles.empty:
        raise ValueError(f"{where}: no accounts to score")
    out = profiles[[account, recency, frequency, monetary]].copy()
    rec = out[recency].fillna(out[recency].max() + 1 if out[recency].notna().any() else 0)
    rules = {}
    out["r"], rules["r"] = _score(rec, bins, False, "R")
    out["f"], rules["f"] = _score(out[frequency], bins, True, "F")
    out["m"], rules["m"] = _score(out[monetary], bins, True, "M")
    out["fm"] = (out["f"] + out["m"] + 1) // 2  # halves round up
    out.attrs["rules"] = rules
    return out


def segment_table(rows: tuple | list | None = None) -> pd.DataFrame:
    """The segment table: ``rows`` as read from kam.toml's ``[[analysis.segments]]``
    (segment, r_from, r_to, fm_from, fm_to, action), or :data:`SEGMENTS` when None.

    Examples
    --------
    >>> segment_table()["segment"].iloc[0]
    'Recent, high value'
    >>> segment_table([("All", 1, 5, 1, 5, "Call them")])[["segment", "r_to"]].values.tolist()
    [['All', 5]]
    """
    if rows is None:
        return SEGMENTS.copy()
    table = pd.DataFrame(list(rows), columns=list(SEGMENTS.columns))
    check_segment_table(table)
    return table


def check_segment_table(table: pd.DataFrame, bins: int = 5) -> None:
    """Refuse a segment table that leaves a cell of the R x FM grid out or names it twice."""
    require_columns(table, ["segment", "r_from", "r_to", "fm_from", "fm_to"], "segments")
    grid = np.zeros((bins, bins), dtype=int)
    for row in table.itertuples():
        if not (1 <= row.r_from <= row.r_to <= bins and 1 <= row.fm_from <= row.fm_to <= bins):
            raise ValueError(f"segments: {row.segment!r} has ranges outside 1..{bins} or "
                             f"from > to")
        grid[row.r_from - 1:row.r_to, row.fm_from - 1:row.fm_to] += 1
    # plain ints: numpy 2 would print the cells as (np.int64(1), np.int64(3))
    gaps = [(int(r) + 1, int(f) + 1) for r, f in zip(*np.nonzero(grid == 0))]
    twice = [(int(r) + 1, int(f) + 1) for r, f in zip(*np.nonzero(grid > 1))]
    if gaps or twice:
        raise ValueError("segments: every (R, FM) cell needs exactly one segment; "
                         + (f"no segment for {gaps[:5]}" if gaps else "")
                         + ("; " if gaps and twice else "")
                         + (f"several segments for {twice[:5]}" if twice else ""))


def rfm_segments(scores: pd.DataFrame, table: pd.DataFrame = SEGMENTS) -> pd.DataFrame:
    """``scores`` with the segment and its recommended action, read from ``table``."""
    check_segment_table(table, int(max(scores["r"].max(), scores["fm"].max(), 5)))
    out = scores.copy()
    out["segment"] = ""
    out["action"] = ""
    for row in table.itertuples():
        hit = out["r"].between(row.r_from, row.r_to) & out["fm"].between(row.fm_from, row.fm_to)
        out.loc[hit, "segment"] = row.segment
        out.loc[hit, "action"] = getattr(row, "action", "")
    return out


def size_bands(values: pd.Series, *, shares: tuple[float, ...] = (0.1, 0.3, 0.6),
               labels: tuple[str, ...] = ("top 10%", "next 20%", "next 30%", "bottom 40%")
               ) -> pd.Series:
    """Band accounts by size: largest ``shares[0]`` of accounts first (ranked, ties by order).

    Examples
    --------
    >>> size_bands(pd.Series([5.0, 50.0, 1.0, 20.0, 8.0, 2.0, 3.0, 4.0, 9.0, 7.0])).tolist()
    ['next 30%', 'top 10%', 'bottom 40%', 'next 20%', 'next 30%', 'bottom 40%', 'bottom 40%', 'bottom 40%', 'next 20%', 'next 30%']
    """
    if len(labels) != len(shares) + 1 or list(shares) != sorted(shares):
        raise ValueError("size_bands: one more label than shares, and increasing shares")
    rank = values.rank(ascending=False, method="first") / len(values)
    edges = [0.0, *shares, 1.0]
    return pd.cut(rank, edges, labels=list(labels), include_lowest=True).astype(str)


def segment_summary(profiles: pd.DataFrame, by: str | list[str], *,
                    value: str = "monetary") -> pd.DataFrame:
    """Accounts, revenue and its share, growth, deal size and margin per group.

    ``growth`` is the group's revenue of the last 12 months against the 12 before, minus 1;
    ``margin`` is (revenue - cost) / revenue where the profiles carry cost, else absent.

    Examples
    --------
    >>> prof = pd.DataFrame({"industry": ["x", "x", "y"], "monetary": [60.0, 20.0, 20.0],
    ...     "invoices": [3, 1, 2], "revenue_12m": [40.0, 20.0, 10.0],
    ...     "revenue_prior_12m": [20.0, 20.0, 10.0]})
    >>> segment_summary(prof, "industry")[["industry", "accounts", "share", "growth"]]
      industry  accounts  share  growth
    0        x         2    0.8     0.5
    1        y         1    0.2     0.0
    """
    by = [by] if isinstance(by, str) else list(by)
    need = [*by, value, "invoices", "revenue_12m", "revenue_prior_12m"]
    require_columns(profiles, need, "segment_summary")
    agg = {"accounts": (value, "size"), "revenue": (value, "sum"),
           "invoices": ("invoices", "sum"), "recent": ("revenue_12m", "sum"),
           "prior": ("revenue_prior_12m", "sum")}
    if "cost" in profiles:
        agg["cost"] = ("cost", "sum")
    out = profiles.groupby(by, sort=True, dropna=False).agg(**agg).reset_index()
    total = out["revenue"].sum()
    out["share"] = out["revenue"] / total if total else np.nan
    out["growth"] = out["recent"] / out["prior"].where(out["prior"] > 0) - 1
    out["avg_deal_size"] = out["revenue"] / out["invoices"].where(out["invoices"] > 0)
    if "cost" in out:
        out["margin"] = (out["revenue"] - out["cost"]) / out["revenue"].where(out["revenue"] > 0)
        out = out.drop(columns="cost")
    return out.drop(columns=["recent", "prior"]).sort_values(
        ["revenue", *by], ascending=[False] + [True] * len(by), ignore_index=True)


def cohort_table(account_month: pd.DataFrame, *, freq: str = "Q",
                 account: str = "account_id") -> pd.DataFrame:
    """The cohort triangle: accounts by the quarter (or month) of their first purchase, and
    for each later period the share still buying and the revenue retained.

    ``active_share`` = accounts of the cohort with positive revenue in that period / cohort
    size; ``revenue_retained`` = the cohort's revenue in that period / its revenue in its
    first period. Accounts with no purchase in the data (only credits) belong to no cohort.

    Examples
    --------
    >>> am = pd.DataFrame({"account_id": ["a", "a", "b", "b", "c"], "revenue": [10.0, 5.0,
    ...     30.0, 30.0, 20.0], "period": pd.to_datetime(["2024-01-01", "2024-04-01",
    ...     "2024-01-01", "2024-07-01", "2024-04-01"])})
    >>> cohort_table(am)[["cohort", "offset", "active", "active_share", "revenue_retained"]]
       cohort  offset  active  active_share  revenue_retained
    0  2024Q1       0       2           1.0             1.000
    1  2024Q1       1       1           0.5             0.125
    2  2024Q1       2       1           0.5             0.750
    3  2024Q2       0       1           1.0             1.000
    """
    if freq not in ("M", "Q"):
        raise ValueError(f"cohort_table: freq must be 'M' or 'Q', not {freq!r}")
    require_columns(account_month, [account, "period", "revenue"], "cohort_table")
    rows = account_month[[account, "period", "revenue"]].copy()
    rows["p"] = rows["period"].dt.to_period(freq)
    per = rows.groupby([account, "p"], sort=True)["revenue"].sum().reset_index()
    bought = per[per["revenue"] > 0]
    first = bought.groupby(account)["p"].min().rename("cohort")
    per = per.join(first, on=account, how="inner")
    per = per[per["p"] >= per["cohort"]]
    per["offset"] = (per["p"] - per["cohort"]).apply(lambda d: d.n).astype("int64")
    size = first.value_counts().rename("accounts")
    out = per.groupby(["cohort", "offset"], sort=True).agg(
        active=("revenue", lambda r: int((r > 0).sum())), revenue=("revenue", "sum")
    ).reset_index().join(size, on="cohort")
    base = out[out["offset"] == 0].set_index("cohort")["revenue"]
    out["active_share"] = out["active"] / out["accounts"]
    out["revenue_retained"] = out["revenue"] / out["cohort"].map(base)
    out["cohort"] = out["cohort"].astype(str)
    return out[["cohort", "offset", "accounts", "active", "active_share", "revenue",
                "revenue_retained"]]
