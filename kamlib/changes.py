"""Which accounts moved between two builds: lost, won back, new, vital few, ABC, XYZ, segment.

:func:`account_classes` computes, once per build, the classes each report page shows for
every account (the same functions and settings as the concentration, ABC-XYZ and profiles
notebooks with their default parameters) and takes each account's status and yearly
revenue from the build's one status frame (:func:`kamlib.status.dataset_status`).
:func:`account_changes` compares two such snapshots:

- **lost**: lost now (the status frame's rule: no purchase for more than ``lost_after_days``)
  and not lost in the previous build (or gone from the data);
- **won back**: not lost now, and lost in the previous build (or its status now is "won
  back" and was not before);
- **new**: not in the previous build's data, and not lost now.

The **effect** of a change is the change in the account's **yearly revenue**: its revenue
in the last 12 months to this build's as-of date minus its revenue in the 12 months to the
previous build's as-of date, where a lost account counts 0 a year (it buys nothing any
more). So a lost account's effect is minus what it bought in the 12 months before the
previous as-of date, a won-back or new account's is what it bought in the last 12 months.
A snapshot kept by an older kit has no yearly revenue: the effect is then unknown (NaN),
never a whole-window difference.

Examples
--------
>>> import pandas as pd
>>> before = pd.DataFrame({"account_id": ["a", "b"], "revenue": [100.0, 50.0],
...     "revenue_l12m": [40.0, 20.0], "status": ["active", "active"],
...     "vital_few": [True, False], "abc": ["A", "B"], "xyz": ["X", "Y"],
...     "segment": ["Loyal", "New"], "lost": [False, False]})
>>> after = before.assign(revenue_l12m=[0.0, 35.0], status=["lost", "active"],
...                       lost=[True, False], vital_few=[True, True])
>>> account_changes(before, after)[["account_id", "change", "effect"]].to_dict("records")
[{'account_id': 'a', 'change': 'lost', 'effect': -40.0}, \
{'account_id': 'b', 'change': 'entered the vital few', 'effect': 15.0}]
"""

from __future__ import annotations

import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.abcxyz import abc_classes, xyz_classes
from kamlib.concentration import account_totals, pareto_table
from kamlib.profiles import account_profiles
from kamlib.segments import SEGMENTS, rfm_scores, rfm_segments, segment_table

__all__ = ["CLASS_COLUMNS", "KINDS", "account_classes", "account_changes", "check_classes",
           "change_totals", "dataset_classes"]

# the snapshot kept per build: ids, classes, status and yearly revenue only, no names
CLASS_COLUMNS = ["account_id", "revenue", "revenue_l12m", "status", "vital_few", "abc", "xyz",
                 "segment", "lost"]
# what a snapshot of an older kit holds (no yearly revenue, no status): still read
_OLD_COLUMNS = ["account_id", "revenue", "vital_few", "abc", "xyz", "segment", "lost"]
_TEXT = ["abc", "xyz", "segment", "status"]
_FLAGS = ["vital_few", "lost"]
# the kinds of change, as account_changes words them (prefix) and the pages name them
KINDS = [("lost", "lost"), ("won back", "won back"), ("new", "new accounts"),
         ("entered the vital few", "entered the vital few"),
         ("left the vital few", "left the vital few"), ("ABC ", "moved ABC class"),
         ("XYZ ", "moved XYZ class"), ("segment ", "changed RFM segment")]


def account_classes(cube, accounts: pd.DataFrame | None = None, *, status: pd.DataFrame,
                    as_of: DateLike, start: DateLike = None, end: DateLike = None,
                    target_share: float = 0.8, abc_cutoffs: tuple[float, float] = (0.8, 0.95),
                    xyz_cutoffs: tuple[float, float] = (0.5, 1.0), xyz_period: str = "M",
                    min_periods: int = 3, segments: pd.DataFrame = SEGMENTS) -> pd.DataFrame:
    """Every account's classes in one build, one row per account (columns :data:`CLASS_COLUMNS`).

    Parameters
    ----------
    cube : Cube
        ``ds.cube`` (``account_month``, ``account_product``, ``account_timing``).
    accounts : DataFrame, optional
        The accounts table (the profiles read their "uses" from it).
    status : DataFrame
        The build's status frame (:func:`kamlib.status.account_status`): ``account_id``,
        ``status``, ``revenue_l12m``.
    as_of, start, end : date-like
        The data's as-of day and the analysis window (revenue, vital few, ABC and XYZ).
    target_share, abc_cutoffs, xyz_cutoffs, xyz_period, min_periods
        As in :func:`kamlib.concentration.pareto_table` and :mod:`kamlib.abcxyz`.
    segments : DataFrame
        The RFM segment table (:func:`kamlib.segments.segment_table`).

    Returns
    -------
    DataFrame
        ``revenue`` in the window and ``revenue_l12m`` in the last 12 months (0 for an
        account with none there), ``status`` and ``lost`` (status "lost") from the status
        frame, ``vital_few``, ``abc``, ``xyz`` and ``segment`` ("" where an account has
        none), sorted by account id.
    """
    require_columns(status, ["account_id", "status", "revenue_l12m"], "account_classes")
    window = {"start": start, "end": end}
    totals = account_totals(cube.account_month, **window)
    pareto = pareto_table(totals, target=target_share)[["account_id", "vital_few"]]
    abc = abc_classes(totals, cutoffs=abc_cutoffs)[["account_id", "abc"]]
    xyz = xyz_classes(cube.account_month, freq=xyz_period, cutoffs=xyz_cutoffs,
                      min_periods=min_periods, **window)[["account_id", "xyz"]]
    profiles = account_profiles(cube.account_month, cube.account_product, cube.account_timing,
                                accounts, as_of=as_of)
    rfm = rfm_segments(rfm_scores(profiles), segments)[["account_id", "segment"]]
    yearly = status[["account_id", "revenue_l12m", "status"]].assign(
        account_id=status["account_id"].astype(str), status=status["status"].astype(str))
    yearly["lost"] = yearly["status"] == "lost"
    out = totals[["account_id", "revenue"]].assign(account_id=lambda f: f["account_id"]
                                                   .astype(str))
    for part in (pareto, abc, xyz, rfm):
        out = out.merge(part.assign(account_id=part["account_id"].astype(str)),
                        on="account_id", how="outer")
    out = out.merge(yearly, on="account_id", how="outer")
    for col in ("revenue", "revenue_l12m"):
        out[col] = out[col].fillna(0.0).astype(float)
    out["vital_few"] = out["vital_few"].fillna(False).astype(bool)
    out["lost"] = out["lost"].fillna(True).astype(bool)  # no status: never bought
    out["status"] = out["status"].fillna("lost")
    for col in _TEXT:
        out[col] = out[col].fillna("").astype(str)
    return out[CLASS_COLUMNS].sort_values("account_id", ignore_index=True)


def dataset_classes(ds) -> pd.DataFrame:
    """:func:`account_classes` of a loaded data set with its ``[analysis]`` settings and its
    one status frame."""
    from kamlib.status import dataset_status

    a = ds.config.analysis
    return account_classes(ds.cube, ds.accounts, status=dataset_status(ds), as_of=ds.as_of,
                           start=a.start or ds.start, end=a.end or ds.as_of,
                           target_share=a.target_share, abc_cutoffs=a.abc_cutoffs,
                           xyz_cutoffs=a.xyz_cutoffs, xyz_period=a.xyz_period,
                           segments=segment_table(a.segments))


def check_classes(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as a snapshot of :func:`account_classes`, or ValueError saying what is off.

    A snapshot of an older kit (no ``revenue_l12m``, no ``status``) is read with both
    unknown (NaN and ""); ``attrs["yearly"]`` says whether it had yearly revenue.

    >>> check_classes(pd.DataFrame({"account_id": ["a"]}))
    Traceback (most recent call last):
    ...
    ValueError: account classes: missing column(s) revenue, vital_few, abc, xyz, segment, lost
    """
    missing = [c for c in _OLD_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"account classes: missing column(s) {', '.join(missing)}")
    yearly = "revenue_l12m" in frame.columns and "status" in frame.columns
    out = frame.copy() if yearly else frame.assign(revenue_l12m=float("nan"), status="")
    out = out[CLASS_COLUMNS].copy()
    for col in ("revenue", "revenue_l12m"):
        if not pd.api.types.is_numeric_dtype(out[col]):
            raise ValueError(f"account classes: {col} is not numeric")
    for col in _FLAGS:
        if not pd.api.types.is_bool_dtype(out[col]):
            raise ValueError(f"account classes: {col} is not true/false")
    for col in ["account_id", *_TEXT]:
        out[col] = out[col].astype(object).where(out[col].notna(), "").astype(str)
    if out["account_id"].duplicated().any():
        raise ValueError("account classes: an account id appears twice")
    out.attrs["yearly"] = yearly
    return out


def _moves(row: dict) -> list[str]:
    """What changed for one account, in words (``_b``: before, ``_a``: after)."""
    was, now = bool(row["present_b"]), bool(row["present_a"])
    lost_b, lost_a = was and row["lost_b"], not now or row["lost_a"]
    moves = []
    if was and not lost_b and lost_a:
        moves.append("lost")
    if was and not lost_a and (lost_b or (row["status_a"] == "won back"
                                          and row["status_b"] not in ("won back", ""))):
        moves.append("won back")
    if now and not was and not lost_a:
        moves.append("new")
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
        changes in words, "; "-separated, see :data:`KINDS`), ``effect`` (the change in
        yearly revenue, a lost account counting 0 a year; NaN when ``before`` has no yearly
        revenue), ``revenue_l12m_before``, ``revenue_l12m_after`` (each build's last 12
        months), ``revenue_before``, ``revenue_after`` (whole windows, for reference) and
        each class and status before and after. Largest effect first, gains and losses
        alike (by absolute value), then by account id.
    """
    sides = []
    for frame, tag in ((before, "b"), (after, "a")):
        require_columns(frame, _OLD_COLUMNS, "account_changes")
        sides.append(check_classes(frame).assign(present=True).set_index("account_id")
                     .add_suffix(f"_{tag}"))
    yearly = check_classes(before).attrs["yearly"]
    both = sides[0].join(sides[1], how="outer")
    for tag in "ba":
        both[f"present_{tag}"] = both[f"present_{tag}"].fillna(False).astype(bool)
        both[f"revenue_{tag}"] = both[f"revenue_{tag}"].fillna(0.0)
        if yearly or tag == "a":
            both[f"revenue_l12m_{tag}"] = both[f"revenue_l12m_{tag}"].fillna(0.0)
        for col in _FLAGS:
            both[f"{col}_{tag}"] = both[f"{col}_{tag}"].fillna(False).astype(bool)
        for col in _TEXT:
            both[f"{col}_{tag}"] = both[f"{col}_{tag}"].fillna("")
    # plain records, not iterrows: a build of 250,000 accounts compares every one of them
    both["change"] = ["; ".join(_moves(row)) for row in both.to_dict("records")]
    # a lost (or vanished) account buys nothing any more: 0 a year
    run_b = both["revenue_l12m_b"].where(~both["lost_b"], 0.0)
    run_a = both["revenue_l12m_a"].where(both["present_a"] & ~both["lost_a"], 0.0)
    both["effect"] = run_a - run_b
    moved = both[both["change"] != ""].reset_index()
    moved = moved.rename(columns=lambda c: c[:-2] + {"_b": "_before", "_a": "_after"}[c[-2:]]
                         if c.endswith(("_b", "_a")) else c)
    columns = ["account_id", "change", "effect", "revenue_l12m_before", "revenue_l12m_after",
               "revenue_before", "revenue_after",
               *[f"{c}_{w}" for c in ["status", "vital_few", "abc", "xyz", "segment", "lost"]
                 for w in ("before", "after")]]
    moved = moved.sort_values("account_id", ignore_index=True)
    order = moved["effect"].abs().sort_values(ascending=False, kind="stable",
                                              na_position="last").index
    out = moved.loc[order, columns].reset_index(drop=True)
    out.attrs["yearly"] = yearly
    return out


def change_totals(changes: pd.DataFrame) -> pd.DataFrame:
    """Accounts and effect on yearly revenue per kind of change (:data:`KINDS`, in order).

    An account with two changes (lost and left the vital few) counts in both kinds.

    >>> ch = pd.DataFrame({"change": ["lost; left the vital few", "new", "ABC A → B"],
    ...                    "effect": [-40.0, 25.0, -5.0]})
    >>> change_totals(ch).head(3)[["kind", "accounts", "effect"]].values.tolist()
    [['lost', 1, -40.0], ['won back', 0, 0.0], ['new accounts', 1, 25.0]]
    """
    require_columns(changes, ["change", "effect"], "change_totals")
    parts = changes["change"].str.split("; ")
    rows = []
    for word, label in KINDS:
        hit = parts.map(lambda ps, w=word: any(p.startswith(w) for p in ps)).astype(bool)
        rows.append({"kind": label, "word": word, "accounts": int(hit.sum()),
                     "effect": float(changes.loc[hit, "effect"].sum(min_count=1))
                     if hit.any() else 0.0})
    return pd.DataFrame(rows)
