"""Interact, today: which accounts are due for a routine contact now.

An account's tier (its value x need quadrant) sets how often it is contacted, every
``every`` working days (:data:`~kamlib.planning.schedule.DEFAULT_CADENCES`, the same as the
schedule's). It is **due** when the working days after its last contact, up to and including
the as-of date, reach that number; an account nobody at it was ever contacted is due too.
Working days are Monday to Friday without the country's public holidays, as in the schedule.

Christmas (25 and 26 December) is no working day in Germany: three working days after
the 24th, five after the 22nd.

Examples
--------
>>> visits = pd.DataFrame({"account_id": ["a", "b", "c"],
...     "quadrant": ["key account", "key account", "maintain"],
...     "last_contact": pd.to_datetime(["2025-12-24", "2025-12-22", None])})
>>> contacts_due(visits, as_of="2025-12-31", country="DE")[
...     ["account_id", "working_days_since", "due"]].values.tolist()
[['c', nan, True], ['b', 5.0, True], ['a', 3.0, False]]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.planning.schedule import DEFAULT_CADENCES, Cadence, public_holidays

__all__ = ["contacts_due", "working_days_between"]


def working_days_between(after: pd.Series, until: DateLike,
                         holidays: list | tuple = ()) -> pd.Series:
    """Working days (Monday-Friday, not in ``holidays``) after each date of ``after`` up to
    and including ``until``; empty (NaN) where ``after`` is empty.

    >>> working_days_between(pd.Series(pd.to_datetime(["2025-12-26", None])), "2025-12-31")
    0    3.0
    1    NaN
    dtype: float64
    """
    dates = pd.to_datetime(after)
    known = dates.notna().to_numpy()
    out = np.full(len(dates), np.nan)
    if known.any():
        first = dates[known].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
        end = np.datetime64(pd.Timestamp(until).date()) + np.timedelta64(1, "D")
        off = np.array([np.datetime64(pd.Timestamp(d).date()) for d in holidays],
                       dtype="datetime64[D]")
        out[known] = np.busday_count(np.minimum(first, end), end, holidays=off)
    return pd.Series(out, index=after.index)


def contacts_due(visits: pd.DataFrame, *, as_of: DateLike,
                 cadences: Mapping[str, Cadence] | None = None, country: str | None = "ID",
                 subdivision: str | None = None, days_off: Iterable[DateLike] = (),
                 account: str = "account_id",
                 tier: str = "quadrant", last: str = "last_contact") -> pd.DataFrame:
    """Every account of ``visits`` with its cadence, the working days since its last
    contact and whether a routine contact is due on ``as_of``.

    Parameters
    ----------
    visits : DataFrame
        One row per account: ``account``, ``tier`` and ``last`` (the latest contact with
        anyone at the account; empty when nobody was ever contacted).
    cadences : mapping, optional
        Tier -> :class:`~kamlib.planning.schedule.Cadence`; a tier with ``every`` 0 is never
        due. A tier not in it is an error naming it.
    country, subdivision, days_off
        Which days are not working days, as in
        :func:`~kamlib.planning.schedule.working_days`.

    Returns
    -------
    DataFrame
        ``account``, ``tier``, ``last``, ``every``, ``working_days_since`` (empty when never
        contacted) and ``due``; the due accounts first, the longest since their last contact
        first, then by account.
    """
    where = "contacts_due"
    require_columns(visits, [account, tier, last], where)
    cadences = DEFAULT_CADENCES if cadences is None else cadences
    unknown = sorted(set(visits[tier].astype(str)) - set(cadences))
    if unknown:
        raise ValueError(f"{where}: tier(s) {unknown} have no cadence (known: "
                         f"{sorted(cadences)})")
    out = visits[[account, tier, last]].copy()
    out[last] = pd.to_datetime(out[last])
    out["every"] = out[tier].astype(str).map({k: c.every for k, c in cadences.items()})
    first = out[last].min() if out[last].notna().any() else pd.Timestamp(as_of)
    off = public_holidays(min(first, pd.Timestamp(as_of)), as_of, country=country,
                          subdivision=subdivision) + [pd.Timestamp(d).date() for d in days_off]
    out["working_days_since"] = working_days_between(out[last], as_of, off)
    out["due"] = ((out["every"] > 0)
                  & (out[last].isna() | (out["working_days_since"] >= out["every"])))
    out = out.sort_values(["due", "working_days_since", account],
                          ascending=[False, False, True], na_position="first",
                          kind="mergesort").reset_index(drop=True)
    out.attrs["rules"] = {"due": "the working days after the last contact up to "
                                 f"{pd.Timestamp(as_of).date()} reach the tier's cadence, or "
                                 "nobody was ever contacted"}
    return out
