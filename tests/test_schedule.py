"""Interact: working days, the balanced contact schedule and the .ics calendars, by hand."""

from __future__ import annotations

from datetime import date, datetime, timezone

import icalendar
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kamlib.planning.schedule import (TOP_MANAGEMENT, Cadence, calendars, contact_schedule,
                                      working_days)


@pytest.mark.parametrize("country, off", [
    ("ID", [date(2025, 12, 25)]),                          # Christmas Day
    ("DE", [date(2025, 12, 25), date(2025, 12, 26)]),      # and Boxing Day
    (None, [])])
def test_working_days_skip_weekends_and_the_countrys_holidays(country, off):
    days = working_days("2025-12-19", "2025-12-31", country=country)
    weekdays = [d.date() for d in pd.bdate_range("2025-12-19", "2025-12-31")]
    assert days == [d for d in weekdays if d not in off]
    assert date(2025, 12, 20) not in days and date(2025, 12, 21) not in days  # weekend


def test_working_days_company_days_off_and_errors():
    assert working_days("2025-12-22", "2025-12-23", country=None,
                        days_off=["2025-12-22"]) == [date(2025, 12, 23)]
    with pytest.raises(ValueError, match="no public holidays known for country 'XX'"):
        working_days("2025-01-01", "2025-01-31", country="XX")
    with pytest.raises(ValueError, match="starts"):
        working_days("2025-02-01", "2025-01-31")


TIERS = pd.DataFrame({
    "account_id": ["a", "b", "c", "d", "e"],
    "account_manager": ["Sari", "Sari", "Sari", "Tono", None],
    "quadrant": ["key account", "key account", "serve", "key account", "serve"]})
CADENCES = {"key account": Cadence(3, top_management=1), "serve": Cadence(6)}


@pytest.fixture(scope="module")
def schedule() -> pd.DataFrame:
    # 2025-12-15 .. 2025-12-31 in Indonesia: 12 working days (25 Dec off)
    return contact_schedule(TIERS, start="2025-12-15", end="2025-12-31", country="ID",
                            cadences=CADENCES)


def test_schedule_skips_weekends_and_christmas(schedule):
    dates = set(schedule["date"].dt.date)
    assert date(2025, 12, 25) not in dates
    assert all(d.weekday() < 5 for d in dates)


def test_routine_contacts_are_spread_over_each_managers_days(schedule):
    routine = schedule[schedule["kind"] == "routine contact"]
    days = working_days("2025-12-15", "2025-12-31", country="ID")
    sari = routine[routine["account_manager"] == "Sari"]
    # a, b every 3 days at offsets 0 and 1; c every 6 days on offset 2 (the free slot)
    by_account = sari.groupby("account_id")["date"].apply(lambda s: [d.date() for d in s])
    assert by_account["a"] == days[0::3] and by_account["b"] == days[1::3]
    assert by_account["c"] == days[2::6]
    assert sari.groupby("date").size().max() == 1           # never two on one day
    # d is Tono's only account: his own calendar, from the first day
    tono = routine[routine["account_manager"] == "Tono"]
    assert [x.date() for x in tono["date"]] == days[0::3]


def test_top_management_visits_go_to_the_least_busy_day_of_each_quarter(schedule):
    top = schedule[schedule["kind"] == TOP_MANAGEMENT]
    assert sorted(top["account_id"]) == ["a", "b", "d"]      # key accounts, once this quarter
    sari = schedule[schedule["account_manager"] == "Sari"]
    load = sari.groupby("date").size()
    days = working_days("2025-12-15", "2025-12-31", country="ID")
    # routine contacts leave days 5 and 11 free: the two visits fill them, one a day
    assert len(load) == len(days) and load.max() == 1
    top = top.set_index("account_id")["date"].dt.date
    assert (top["a"], top["b"]) == (days[5], days[11])


def test_accounts_without_a_manager_are_planned_together_and_noted(schedule):
    assert set(schedule.loc[schedule.account_id == "e", "account_manager"]) == {"(no manager)"}
    assert "1 account(s) have no manager" in schedule.attrs["notes"][0]


def test_unknown_tier_is_an_error_naming_it():
    with pytest.raises(ValueError, match=r"tier\(s\) \['serve'\] have no cadence"):
        contact_schedule(TIERS, start="2025-12-15", end="2025-12-31",
                         cadences={"key account": Cadence(3)})
    with pytest.raises(ValueError, match="every must be"):
        Cadence(-1)


def test_calendars_parse_back_with_icalendar(schedule):
    files = calendars(schedule, names={"a": "Bank Alpha"})
    assert sorted(files) == ["(no manager)", "Sari", "Tono"]
    cal = icalendar.Calendar.from_ical(files["Sari"])
    events = list(cal.walk("VEVENT"))
    sari = schedule[schedule["account_manager"] == "Sari"]
    assert len(events) == len(sari)
    starts = sorted(e.decoded("DTSTART") for e in events)
    assert starts == sorted(d.date() for d in sari["date"])
    assert all(e.decoded("DTEND") - e.decoded("DTSTART") == pd.Timedelta(days=1)
               for e in events)                                         # all-day events
    titles = {str(e["SUMMARY"]) for e in events}
    assert "Routine contact: Bank Alpha" in titles and "Top-management visit: b" in titles
    assert len({str(e["UID"]) for e in events}) == len(events)        # unique ids
    again = calendars(schedule, names={"a": "Bank Alpha"})
    assert again == files                                              # reproducible bytes
    stamped = calendars(schedule, stamp=datetime(2026, 1, 1, tzinfo=timezone.utc))["Tono"]
    assert b"DTSTAMP:20260101T000000Z" in stamped


def test_a_lost_account_gets_one_win_back_call_in_the_first_week_and_no_routine():
    # b (a key account) is lost: Sari's days are a (every 3, offset 0) and c (every 6: the
    # offset 1, empty); the first week is 15-19 Dec, whose least busy day is the 17th (index
    # 2, the earliest day without a contact); a's visit then takes the 19th (index 4)
    s = contact_schedule(TIERS, start="2025-12-15", end="2025-12-31", country="ID",
                         cadences=CADENCES, win_back=["b"])
    days = working_days("2025-12-15", "2025-12-31", country="ID")
    b = s[s["account_id"] == "b"]
    assert b[["account_manager", "kind"]].values.tolist() == [["Sari", "win-back call"]]
    assert b["date"].dt.date.tolist() == [date(2025, 12, 17)]
    sari = s[s["account_manager"] == "Sari"]
    routine = sari[sari["kind"] == "routine contact"].groupby("account_id")["date"].apply(
        lambda d: [x.date() for x in d])
    assert routine["a"] == days[0::3] and routine["c"] == days[1::6]
    top = s[s["kind"] == TOP_MANAGEMENT].set_index("account_id")["date"].dt.date
    assert sorted(top.index) == ["a", "d"] and top["a"] == days[4]
    assert "win-back call" in s.attrs["rules"]["lost"]
    events = list(icalendar.Calendar.from_ical(calendars(s)["Sari"]).walk("VEVENT"))
    won = [e for e in events if str(e["SUMMARY"]) == "Win-back call: b"]
    assert len(won) == 1 and str(won[0]["UID"]) == "b-20251217-wb@kamkit"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Sari", "Tono", None]),
                          st.sampled_from(["key account", "serve"]), st.booleans()),
                min_size=1, max_size=8))
def test_every_lost_account_gets_exactly_one_win_back_call_and_nothing_else(rows):
    tiers = pd.DataFrame({"account_id": [f"a{i}" for i in range(len(rows))],
                          "account_manager": [r[0] for r in rows],
                          "quadrant": [r[1] for r in rows]})
    lost = {f"a{i}" for i, r in enumerate(rows) if r[2]}
    s = contact_schedule(tiers, start="2026-01-01", end="2026-03-31", country="ID",
                         cadences=CADENCES, win_back=lost)
    gone = s[s["account_id"].isin(lost)]
    assert sorted(gone["account_id"]) == sorted(lost)            # one row each
    assert set(gone["kind"]) <= {"win-back call"}
    first_week = working_days("2026-01-01", "2026-01-07", country="ID")
    assert all(d.date() in first_week for d in gone["date"])
    # the others keep their routine contacts (every account here has a cadence)
    assert set(tiers["account_id"]) - lost <= set(s.loc[s["kind"] == "routine contact",
                                                        "account_id"])


def test_contacts_due_counts_working_days_after_the_last_contact():
    """Hand-counted: Friday 19 December 2025 to Wednesday 31st; Germany's Christmas days
    (25, 26) are no working days, a company day off neither; every 0 is never due."""
    from kamlib.planning.due import contacts_due

    visits = pd.DataFrame({"account_id": list("abcde"),
                           "quadrant": ["key account", "key account", "lost", "serve", "maintain"],
                           "last_contact": pd.to_datetime(["2025-12-19", "2025-12-22",
                                                           "2025-01-01", None, "2025-12-30"])})
    cad = {"key account": Cadence(5), "serve": Cadence(60), "lost": Cadence(0),
           "maintain": Cadence(10)}
    got = contacts_due(visits, as_of="2025-12-31", cadences=cad, country="DE"
                       ).set_index("account_id")
    # after the 19th: 22, 23, 24, 29, 30, 31; after the 22nd: 23, 24, 29, 30, 31
    assert got["working_days_since"].to_dict() == pytest.approx(
        {"a": 6.0, "b": 5.0, "c": got.loc["c", "working_days_since"], "d": np.nan,
         "e": 1.0}, nan_ok=True)
    assert got["due"].to_dict() == {"a": True, "b": True, "c": False, "d": True, "e": False}
    off = contacts_due(visits, as_of="2025-12-31", cadences=cad, country="DE",
                       days_off=["2025-12-23"]).set_index("account_id")
    assert off.loc["b", "working_days_since"] == 4 and not off.loc["b", "due"]
    with pytest.raises(ValueError, match="have no cadence"):
        contacts_due(visits, as_of="2025-12-31", cadences={"serve": Cadence(60)})
