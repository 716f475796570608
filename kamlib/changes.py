"""Which accounts moved between two builds: vital few, ABC, XYZ, RFM segment, lost and won.

:func:`account_classes` computes, once per build, the classes each report page shows for
every account (the same functions and settings as the concentration, ABC-XYZ and profiles
notebooks with their default parameters). :func:`account_changes` compares two such
snapshots. An account is *lost* when it bought nothing in the last ``lost_after_days``
before the data's as-of day (``[analysis] lost_after_days``), or never bought (only credit
notes); it is *won* when it is active now but was lost or absent before. The revenue
effect of a change is the account's revenue in the analysis window now minus before (an
account absent from one snapshot counts 0 there).

Examples
--------
>>> import pandas as pd
>>> before = pd.DataFrame({"account_id": ["a", "b"], "revenue": [100.0, 50.0],
...                        "vital_few": [True, False], "abc": ["A", "B"], "xyz": ["X", "Y"],
...                        "segment": ["Loyal", "New"], "lost": [False, False]})
>>> after = before.assign(revenue=[100.0, 80.0], vital_few=[True, True], abc=["A", "A"])
>>> account_changes(before, after)[["account_id", "change", "effect"]].to_dict("records")
[{'account_id': 'b', 'change': 'entered the vital few; ABC B → A', 'effect': 30.0}]
"""

from __future__ import annotations

import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.abcxyz import abc_classes, xyz_classes
from kamlib.concentration import account_totals, pareto_table
from kamlib.profiles import account_profiles
from kamlib.segments import SEGMENTS, rfm_scores, rfm_segments, segment_table

__all__ = ["CLASS_COLUMNS", "account_classes", "account_changes", "check_classes"]

# the snapshot kept per build: ids and classes only, no names or other account data
CLASS_COLUMNS = ["account_id", "revenue", "vital_few", "abc", "xyz", "segment", "lost"]
_TEXT = ["abc", "xyz", "segment"]
_FLAGS = ["vital_few", "lost"]


def account_classes(cube, accounts: pd.DataFrame | None = None, *, as_of: DateLike,
                    start: DateLike = None, end: DateLike = None, target_share: float = 0.8,
                    abc_cutoffs: tuple[float, float] = (0.8, 0.95),
                    xyz_cutoffs: tuple[float, float] = (0.5, 1.0), xyz_period: str = "M",
                    min_periods: int = 3, segments: pd.DataFrame = SEGMENTS,
                    lost_after_days: int = 180) -> pd.DataFrame:
    """Every account's classes in one build, one row per account (columns :data:`CLASS_COLUMNS`).

    Parameters
    ----------
    cube : Cube
        ``ds.cube`` (``account_month``, ``account_product``, ``account_timing``).
    accounts : DataFrame, optional
        The accounts table (the profiles read their "uses" from it).
    as_of, start, end : date-like
        The data's as-of day and the analysis window (revenue, vital few, ABC and XYZ).
    target_share, abc_cutoffs, xyz_cutoffs, xyz_period, min_periods
        As in :func:`kamlib.concentration.pareto_table` and :mod:`kamlib.abcxyz`.
    segments : DataFrame
        The RFM segment table (:func:`kamlib.segments.segment_table`).
    lost_after_days : int
        Days without a purchase after which an account counts as lost.

    Returns
    -------
    DataFrame
        ``revenue`` in the window (0 for an account with none there), ``vital_few`` and
        ``lost`` flags, ``abc``, ``xyz`` and ``segment`` ("" where an account has none),
        sorted by account id.
    """
    window = {"start": start, "end": end}
    totals = account_totals(cube.account_month, **window)
    pareto = pareto_table(totals, target=target_share)[["account_id", "vital_few"]]
    abc = abc_classes(totals, cutoffs=abc_cutoffs)[["account_id", "abc"]]
    xyz = xyz_classes(cube.account_month, freq=xyz_period, cutoffs=xyz_cutoffs,
                      min_periods=min_periods, **window)[["account_id", "xyz"]]
    profiles = account_profiles(cube.account_month, cube.account_product, cube.account_timing,
                                accounts, as_of=as_of)
    rfm = rfm_segments(rfm_scores(profiles), segments)[["account_id", "segment"]]
    lost = profiles[["account_id"]].assign(
        lost=~(profiles["recency_days"] <= lost_after_days))  # NaN: never bought
    out = totals[["account_id", "revenue"]]
    for part in (pareto, abc, xyz, rfm, lost):
        out = out.merge(part, on="account_id", how="outer")
    out["revenue"] = out["revenue"].fillna(0.0).astype(float)
    for col in _FLAGS:
        out[col] = out[col].fillna(col == "lost").astype(bool)
    for col in _TEXT:
        out[col] = out[col].fillna("").astype(str)
    return out[CLASS_COLUMNS].sort_values("account_id", ignore_index=True)


def dataset_classes(ds) -> pd.DataFrame:
    """:func:`account_classes` of a loaded data set with its ``[analysis]`` settings."""
    a = ds.config.analysis
    return account_classes(ds.cube, ds.accounts, as_of=ds.as_of, start=a.start or ds.start,
                           end=a.end or ds.as_of, target_share=a.target_share,
                           abc_cutoffs=a.abc_cutoffs, xyz_cutoffs=a.xyz_cutoffs,
                           xyz_period=a.xyz_period, segments=segment_table(a.segments),
                           lost_after_days=a.lost_after_days)


def check_classes(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a snapshot of :func:`account_classes`, or ValueError saying what is off.

    >>> check_classes(pd.DataFrame({"account_id": ["a"]}))
    Traceback (most recent call last):
    ...
    ValueError: account classes: missing column(s) revenue, vital_few, abc, xyz, segment, lost
    """
    missing = [c for c in CLASS_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"account classes: missing column(s) {', '.join(missing)}")
    out = frame[CLASS_COLUMNS].copy()
    if not pd.api.types.is_numeric_dtype(out["revenue"]):
        raise ValueError("account classes: revenue is not numeric")
    for col in _FLAGS:
        if not pd.api.types.is_bool_dtype(out[col]):
            raise ValueError(f"account classes: {col} is not true/false")
    for col in ["account_id", *_TEXT]:
        out[col] = out[col].fillna("").astype(str)
    if out["account_id"].duplicated().any():
        raise ValueError("account classes: an account id appears twice")
    return out


def _moves(row: pd.Series) -> list[str]:
    """What changed for one account, in words (``_b``: before, ``_a``: after)."""
    was, now = bool(row["present_b"]), bool(row["present_a"])
    active_b, active_a = was and not row["lost_b"], now and not row["lost_a"]
    moves = []
    if active_a and not active_b:
        moves.append("won")
    if active_b and not active_a:
        moves.append("lost")
    if now and row["vital_few_a"] and not (was and row["vital_few_b"]):
        moves.append("entered the vital few")
    if was and row["vital_few_b"] and not (now and row["vital_few_a"]):
        moves.append("left the vital few")
    for col, name in (("abc", "ABC"), ("xyz", "XYZ"), ("segment", "segment")):
        then, new = row[f"{col}_b"], row[f"{col}_a"]
        if was and now and then and new and then != new:
            moves.append(f"{name} {then} → {new}")
    return moves


def account_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The accounts that moved between two :func:`account_classes` snapshots.

    Returns
    -------
    DataFrame
        One row per account with at least one change: ``account_id``, ``change`` (the
        changes in words, "; "-separated: won, lost, entered or left the vital few,
        "ABC B → A", "XYZ ...", "segment ..."), ``effect`` (revenue now minus before),
        ``revenue_before``, ``revenue_after`` and each class before and after. Largest
        effect first, gains and losses alike (by absolute value), then by account id.
    """
    sides = []
    for frame, tag in ((before, "b"), (after, "a")):
        require_columns(frame, CLASS_COLUMNS, "account_changes")
        sides.append(check_classes(frame).assign(present=True).set_index("account_id")
                     .add_suffix(f"_{tag}"))
    both = sides[0].join(sides[1], how="outer")
    for tag in "ba":
        both[f"present_{tag}"] = both[f"present_{tag}"].fillna(False).astype(bool)
        both[f"revenue_{tag}"] = both[f"revenue_{tag}"].fillna(0.0)
        for col in _FLAGS:
            both[f"{col}_{tag}"] = both[f"{col}_{tag}"].fillna(False).astype(bool)
        for col in _TEXT:
            both[f"{col}_{tag}"] = both[f"{col}_{tag}"].fillna("")
    both["change"] = ["; ".join(_moves(row)) for _, row in both.iterrows()]
    both["effect"] = both["revenue_a"] - both["revenue_b"]
    moved = both[both["change"] != ""].reset_index()
    moved = moved.rename(columns=lambda c: c[:-2] + {"_b": "_before", "_a": "_after"}[c[-2:]]
                         if c.endswith(("_b", "_a")) else c)
    columns = ["account_id", "change", "effect", "revenue_before", "revenue_after",
               *[f"{c}_{w}" for c in ["vital_few", *_TEXT, "lost"] for w in ("before", "after")]]
    moved = moved.sort_values("account_id", ignore_index=True)
    order = moved["effect"].abs().sort_values(ascending=False, kind="stable").index
    return moved.loc[order, columns].reset_index(drop=True)
