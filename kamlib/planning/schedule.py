"""Interact: a dated visit and contact schedule per account, balanced over each manager's days.

Each account's tier (e.g. its value x need quadrant) sets a :class:`Cadence`: a routine
contact every ``every`` working days, and top-management visits per quarter. Working days
skip weekends and the public holidays of a country (the ``holidays`` package). Within each
manager's calendar, every account's first routine day is chosen so that no day is busier
than it must be: accounts are placed most frequent first (ties by id), each on the offset
whose days carry the least load (ties: the earliest). A lost account gets no routine
contacts and no visits: one win-back call by its manager in the first week instead (on that
week's least busy working day). The schedule exports to one ``.ics`` calendar per manager
(the ``icalendar`` package).

Examples
--------
>>> [d.isoformat() for d in working_days("2025-12-24", "2025-12-29", country="DE")]
['2025-12-24', '2025-12-29']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timezone

import holidays
import icalendar
import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns

__all__ = ["Cadence", "DEFAULT_CADENCES", "working_days", "public_holidays", "contact_schedule", "calendars",
           "ROUTINE", "TOP_MANAGEMENT", "WIN_BACK", "UNASSIGNED"]

ROUTINE, TOP_MANAGEMENT, WIN_BACK = "routine contact", "top-management visit", "win-back call"
_SLUGS = {ROUTINE: "rc", TOP_MANAGEMENT: "tm", WIN_BACK: "wb"}
UNASSIGNED = "(no manager)"


@dataclass(frozen=True)
class Cadence:
    """How often a tier is contacted: every ``every`` working days (0: no routine contact)
    and ``top_management`` visits per quarter."""

    every: int
    top_management: int = 0

    def __post_init__(self):
        if not isinstance(self.every, int) or self.every < 0:
            raise ValueError(f"Cadence: every must be a whole number of working days >= 0, "
                             f"got {self.every!r}")
        if not isinstance(self.top_management, int) or self.top_management < 0:
            raise ValueError(f"Cadence: top_management must be a whole number >= 0, got "
                             f"{self.top_management!r}")


# The brief's example is a visit every 2 days for a key account; weekly is a workable default
# for a manager with ten of them. Tiers are the value x need quadrants.
DEFAULT_CADENCES: Mapping[str, Cadence] = {
    "key account": Cadence(5, 1), "maintain": Cadence(10), "develop": Cadence(20),
    "serve": Cadence(60), "unknown": Cadence(60)}


def working_days(start: DateLike, end: DateLike, *, country: str | None = "ID",
                 subdivision: str | None = None, days_off: Iterable[DateLike] = ()
                 ) -> list[date]:
    """Monday-Friday from ``start`` to ``end`` (both included), without public holidays.

    ``country`` is an ISO code known to the ``holidays`` package (``None``: weekends only);
    ``days_off`` adds company days off.

    Examples
    --------
    >>> working_days("2025-12-24", "2025-12-26", country="ID")   # Christmas is a holiday
    [datetime.date(2025, 12, 24), datetime.date(2025, 12, 26)]
    """
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    if first > last:
        raise ValueError(f"working_days: the schedule starts ({first}) after it ends ({last})")
    off = {pd.Timestamp(d).date() for d in days_off}
    off |= set(public_holidays(first, last, country=country, subdivision=subdivision))
    days = pd.bdate_range(first, last).date
    return [d for d in days if d not in off]


def public_holidays(start: DateLike, end: DateLike, *, country: str | None = "ID",
                    subdivision: str | None = None) -> list[date]:
    """The public holidays of ``country`` from ``start`` to ``end`` (both included), sorted;
    none for ``country=None``.

    >>> [d.isoformat() for d in public_holidays("2025-12-20", "2025-12-31", country="DE")]
    ['2025-12-25', '2025-12-26']
    """
    if country is None:
        return []
    first, last = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    try:
        known = holidays.country_holidays(country, subdiv=subdivision,
                                          years=range(first.year, last.year + 1))
    except NotImplementedError:
        raise ValueError(f"working_days: no public holidays known for country "
                         f"{country!r}; use an ISO code such as 'ID', 'DE' or 'US', or "
                         "country=None for weekends only") from None
    return sorted(d for d in known if first <= d <= last)


def _place(load: np.ndarray, every: int) -> int:
    """The offset in [0, every) whose days carry the least load: max first, then sum
    (the earliest offset on ties).

    >>> _place(np.array([1., 0., 0., 1., 0., 0.]), 3), _place(np.array([0., 1.]), 5)
    (1, 0)
    """
    n = len(load)
    width = min(every, n)
    if not width:
        return 0
    rows = -(-n // every)
    grid = np.full(rows * every, -np.inf)
    grid[:n] = load
    grid = grid.reshape(rows, every)[:, :width]  # column k: the days offset k picks
    maxes = grid.max(axis=0)
    sums = np.where(np.isinf(grid), 0.0, grid).sum(axis=0)
    return int(np.lexsort((sums, maxes))[0])  # stable: the earliest offset on ties


def contact_schedule(tiers: pd.DataFrame, *, start: DateLike, end: DateLike,
                     cadences: Mapping[str, Cadence] | None = None,
                     country: str | None = "ID", subdivision: str | None = None,
                     days_off: Iterable[DateLike] = (), win_back: Iterable[str] = (),
                     account: str = "account_id", manager: str = "account_manager",
                     tier: str = "quadrant") -> pd.DataFrame:
    """The dated contacts of every account from ``start`` to ``end``, per manager.

    Parameters
    ----------
    tiers : DataFrame
        One row per account with ``account``, ``manager`` and ``tier`` (e.g. a
        :func:`~kamlib.planning.differentiate.value_need_matrix` joined with the accounts).
        Accounts without a manager are planned together under "(no manager)".
    cadences : mapping, optional
        Tier -> :class:`Cadence`; :data:`DEFAULT_CADENCES` by default. A tier not in it is
        an error naming it (a typo would silently drop accounts from the plan).
    country, subdivision, days_off
        Which days are not working days (see :func:`working_days`).
    win_back : iterable of str
        The lost accounts (status "lost" of :func:`kamlib.status.account_status`): no
        routine contact and no visit, one win-back call by the manager on the least busy
        working day of the first seven days instead (ties: the earliest).

    Returns
    -------
    DataFrame
        ``manager``, ``date``, ``account``, ``tier``, ``kind`` (routine contact,
        top-management visit or win-back call), sorted by manager, date, account and kind.

    Examples
    --------
    >>> t = pd.DataFrame({"account_id": ["a", "b"], "account_manager": ["Sari", "Sari"],
    ...                   "quadrant": ["key account", "key account"]})
    >>> s = contact_schedule(t, start="2025-12-22", end="2025-12-31", country="ID",
    ...                      cadences={"key account": Cadence(2)})
    >>> s[["date", "account_id"]].astype(str).values.tolist()
    [['2025-12-22', 'a'], ['2025-12-23', 'b'], ['2025-12-24', 'a'], ['2025-12-26', 'b'], ['2025-12-29', 'a'], ['2025-12-30', 'b'], ['2025-12-31', 'a']]
    """
    where = "contact_schedule"
    require_columns(tiers, [account, manager, tier], where)
    cadences = DEFAULT_CADENCES if cadences is None else cadences
    unknown = sorted(set(tiers[tier].dropna().astype(str)) - set(cadences))
    if unknown or tiers[tier].isna().any():
        raise ValueError(f"{where}: tier(s) {unknown or ['(empty)']} have no cadence; give "
                         f"one for each, e.g. cadences={{'{(unknown or ['serve'])[0]}': "
                         f"Cadence(20)}} (known: {sorted(cadences)})")
    days = working_days(start, end, country=country, subdivision=subdivision,
                        days_off=days_off)
    day_index = pd.DatetimeIndex(days)
    quarters = day_index.to_period("Q")
    plan = tiers[[account, manager, tier]].drop_duplicates(account).copy()
    plan[manager] = plan[manager].fillna(UNASSIGNED)
    lost = plan[account].isin(set(win_back)).to_numpy()
    plan["_every"] = [0 if gone else cadences[t].every for t, gone in zip(plan[tier], lost)]
    plan["_visits"] = [0 if gone else cadences[t].top_management
                       for t, gone in zip(plan[tier], lost)]
    plan["_win_back"] = lost
    first_week = [i for i, d in enumerate(days)
                  if d < pd.Timestamp(start).date() + pd.Timedelta(days=7)] or [0]
    # each quarter's days once, not once per account (25,000 accounts: seconds)
    in_quarters = [np.flatnonzero(quarters == q) for q in pd.unique(quarters)]
    rows = []
    for who, group in plan.groupby(manager, sort=True):
        load = np.zeros(len(days))
        # most frequent first: they have the fewest choices; then by id for a stable plan
        group = group[group["_every"] > 0].sort_values(["_every", account], kind="mergesort")
        for acc, every, level in zip(group[account], group["_every"], group[tier]):
            offset = _place(load, every)
            load[offset::every] += 1
            rows += [(who, days[i], acc, level, ROUTINE) for i in range(offset, len(days), every)]
        top = plan[(plan[manager] == who)].sort_values(account, kind="mergesort")
        for acc, level in zip(top.loc[top["_win_back"], account], top.loc[top["_win_back"], tier]):
            i = first_week[int(np.argmin(load[first_week]))] if days else None
            if i is not None:
                load[i] += 1
                rows.append((who, days[i], acc, level, WIN_BACK))
        for acc, level, visits in zip(top[account], top[tier], top["_visits"]):
            if not visits:
                continue
            for in_q in in_quarters:
                for _ in range(min(visits, len(in_q))):
                    i = in_q[np.argmin(load[in_q])]  # least busy day, earliest on ties
                    load[i] += 1
                    rows.append((who, days[i], acc, level, TOP_MANAGEMENT))
    out = pd.DataFrame(rows, columns=[manager, "date", account, tier, "kind"])
    out["date"] = pd.to_datetime(out["date"])
    out = out.sort_values([manager, "date", account, "kind"], kind="mergesort",
                          ignore_index=True)
    notes = []
    if country is None:
        notes.append("public holidays: none skipped (no country given)")
    if (plan[manager] == UNASSIGNED).any():
        notes.append(f"{int((plan[manager] == UNASSIGNED).sum())} account(s) have no "
                     f"manager: planned under {UNASSIGNED}")
    out.attrs["notes"] = notes
    out.attrs["rules"] = {t: f"every {c.every} working days" + (
        f", {c.top_management} top-management visit(s) per quarter" if c.top_management
        else "") for t, c in cadences.items()}
    out.attrs["rules"]["lost"] = ("no routine contact and no visit: one win-back call by the "
                                  "account manager in the first week")
    return out


def _one_line(text: object) -> str:
    """Text from data as one calendar line: line breaks (an Excel cell's "Name\\r\\n
    (interim)") and other control characters become one space.

    >>> _one_line("Kartika Ananda\\r\\n(interim)\\x00")
    'Kartika Ananda (interim)'
    """
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", str(text)).strip()


def calendars(schedule: pd.DataFrame, *, names: Mapping[str, str] | None = None,
              account: str = "account_id", manager: str = "account_manager",
              stamp: datetime | None = None) -> dict[str, bytes]:
    """One iCalendar (``.ics``) file per manager, as bytes: an all-day event per contact.

    Parameters
    ----------
    schedule : DataFrame
        A :func:`contact_schedule` result.
    names : mapping, optional
        Account id -> name, for the event titles ("Routine contact: Bank Pelita").
    stamp : datetime, optional
        The events' DTSTAMP (when the calendar was made); by default the first scheduled
        day at midnight UTC, so the same schedule always gives the same bytes.

    Examples
    --------
    >>> s = pd.DataFrame({"account_manager": ["Sari"], "account_id": ["a"],
    ...     "date": pd.to_datetime(["2025-12-22"]), "kind": ["routine contact"]})
    >>> cal = icalendar.Calendar.from_ical(calendars(s)["Sari"])
    >>> [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    ['Routine contact: a']
    """
    require_columns(schedule, [manager, account, "date", "kind"], "calendars")
    names = {k: _one_line(v) for k, v in (names or {}).items()}
    out = {}
    for who, rows in schedule.groupby(manager, sort=True):
        cal = icalendar.Calendar()
        cal.add("prodid", "-//kamkit//account plans//EN")
        cal.add("version", "2.0")
        cal.add("x-wr-calname", f"Account contacts: {_one_line(who)}")
        when = stamp or datetime.combine(rows["date"].min().date(), datetime.min.time(),
                                         tzinfo=timezone.utc)
        for acc, day, kind in zip(rows[account], rows["date"], rows["kind"]):
            event = icalendar.Event()
            slug = _SLUGS.get(kind, "rc")
            event.add("uid", f"{_one_line(acc)}-{day:%Y%m%d}-{slug}@kamkit")
            event.add("dtstamp", when)
            event.add("dtstart", day.date())
            event.add("dtend", (day + pd.Timedelta(days=1)).date())
            event.add("summary", f"{kind.capitalize()}: {names.get(acc, _one_line(acc))}")
            event.add("description", f"Account {_one_line(acc)} ({kind}); planned by kamkit")
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
        out[str(who)] = cal.to_ical()
    return out
