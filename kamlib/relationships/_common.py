"""Helpers shared by the relationship modules (private): events in a window, month ends,
purchase months. Every helper looks only at data up to the as-of date it is given."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns

__all__ = ["event_counts", "month_ends", "purchase_months", "has_events", "ids_of"]


def has_events(events: pd.DataFrame | None) -> bool:
    """Whether an events table was given (an empty one with its columns counts: no events
    happened, which is not the same as not knowing)."""
    return events is not None and {"account_id", "date", "type"} <= set(events.columns)


def event_counts(events: pd.DataFrame | None, as_of: DateLike, months: int,
                 types: tuple[str, ...]) -> pd.DataFrame:
    """Per account (index) and event type (columns ``types``): the events dated in the
    ``months`` months to ``as_of`` (after as_of minus the months, up to as_of)."""
    if not has_events(events):
        return pd.DataFrame(columns=list(types), dtype="float64")
    require_columns(events, ["account_id", "date", "type"], "events")
    as_of = pd.Timestamp(as_of)
    date = pd.to_datetime(events["date"])
    rows = events[(date <= as_of) & (date > as_of - pd.DateOffset(months=months))
                  & events["type"].isin(types)]
    counts = rows.groupby([rows["account_id"].astype(str), rows["type"].astype(str)]).size()
    counts = counts.unstack(fill_value=0) if len(counts) else pd.DataFrame(
        index=pd.Index([], name="account_id", dtype=object))
    return counts.reindex(columns=list(types), fill_value=0).astype("float64").rename_axis(
        index="account_id", columns=None)


def month_ends(start: DateLike, end: DateLike) -> list[pd.Timestamp]:
    """The month ends from ``start``'s month to ``end`` (the last one is ``end`` itself when
    it is not a month end).

    >>> [d.date().isoformat() for d in month_ends("2025-01-15", "2025-03-20")]
    ['2025-01-31', '2025-02-28', '2025-03-20']
    """
    end = pd.Timestamp(end).normalize()
    ends = list(pd.date_range(pd.Timestamp(start).to_period("M").end_time.normalize(), end,
                              freq="ME"))
    if not ends or ends[-1] != end:
        ends.append(end)
    return ends


def purchase_months(account_month: pd.DataFrame, as_of: DateLike, months: int = 12
                    ) -> pd.Series:
    """Per account: the months with a purchase (positive net revenue) among the ``months``
    calendar months to ``as_of`` (the as-of month and those before it)."""
    as_of = pd.Timestamp(as_of)
    period = account_month["period"].astype("datetime64[ns]")
    first = (as_of.to_period("M") - (months - 1)).start_time
    rows = account_month[(period >= first) & (period <= as_of) & (account_month["revenue"] > 0)]
    return rows.groupby(rows["account_id"].astype(str)).size().astype("float64")


def ids_of(*frames: pd.DataFrame | None) -> pd.Index:
    """The sorted account ids found in the frames' ``account_id`` columns."""
    ids = [f["account_id"].astype(str) for f in frames if f is not None and len(f)]
    return pd.Index(np.sort(pd.concat(ids).unique()) if ids else [], name="account_id",
                    dtype=object)
