"""The three next actions of one account plan, with dates and owners, from its frames.

A lost account's actions win it back: the win-back call (to the decision maker reached
last), the return offer of what it used to buy two weeks later, and a decision two weeks
after that. Any other account's actions come in this order of weight, the first three
kept: bring its open opportunity closing first (or overdue) to a decision, meet a decision
maker nobody reaches, the top-management visit, the first cross-sell proposal, the next
routine contact. They are listed by date.

Examples
--------
>>> import pandas as pd
>>> frames = {"status": pd.DataFrame({"status": ["active"]}),
...           "info": pd.DataFrame({"account_manager": ["Sari"]}),
...           "schedule": pd.DataFrame({"date": pd.to_datetime(["2026-01-05"]),
...                                     "kind": ["routine contact"]})}
>>> next_actions(frames).values.tolist()
[[Timestamp('2026-01-05 00:00:00'), 'Routine contact', 'Sari']]
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kamlib.planning.schedule import ROUTINE, TOP_MANAGEMENT, UNASSIGNED, WIN_BACK

__all__ = ["next_actions"]


def _frame(frames: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    frame = frames.get(name)
    return frame if frame is not None else pd.DataFrame()


def _first(frame: pd.DataFrame, column: str) -> object:
    return frame[column].iloc[0] if column in frame and len(frame) else None


def _person(contacts: pd.DataFrame, deciders_only: bool = False) -> str | None:
    """The decision maker reached last (else anyone reached last), as "name (role)"."""
    if contacts.empty or "contact_name" not in contacts:
        return None
    people = contacts
    if "influence" in people and (people["influence"] == "decision maker").any():
        people = people[people["influence"] == "decision maker"]
    elif deciders_only:
        return None
    if "last_contact" in people:
        people = people.sort_values("last_contact", ascending=False, na_position="last",
                                    kind="mergesort")
    r = people.iloc[0]
    return f"{r['contact_name']} ({r['role']})" if "role" in people else str(r["contact_name"])


def _win_back(frames: Mapping[str, pd.DataFrame], owner: str) -> list[tuple]:
    schedule, status = _frame(frames, "schedule"), _frame(frames, "status")
    calls = schedule[schedule["kind"] == WIN_BACK] if "kind" in schedule else schedule
    day = _first(calls, "date")
    last = _first(status, "last_purchase")
    who = _person(_frame(frames, "contacts")) or "the account"
    since = f" (last purchase {pd.Timestamp(last).date()})" if last is not None and \
        not pd.isna(last) else ""
    products = _frame(frames, "products")
    top = products.sort_values("revenue", ascending=False).head(2)["product"].tolist() \
        if "product" in products else []
    offer = " and ".join(map(str, top)) or "what it used to buy"
    rows = [(day, f"Win-back call to {who}: why it stopped buying{since}", owner)]
    if day is not None:
        rows += [(day + pd.Timedelta(days=14), f"Send the return offer: {offer}", owner),
                 (day + pd.Timedelta(days=28), "Decide: routine contacts again if it buys, "
                  "else release it from the key accounts", owner)]
    return rows


def _routine(frames: Mapping[str, pd.DataFrame], owner: str) -> list[tuple]:
    schedule = _frame(frames, "schedule")
    kinds = schedule["kind"] if "kind" in schedule else pd.Series(dtype=object)
    routine = schedule[kinds == ROUTINE].sort_values("date") if len(schedule) else schedule
    first = _first(routine, "date")
    second = routine["date"].iloc[1] if len(routine) > 1 else first
    candidates = []
    pipe = _frame(frames, "pipeline")
    if "open" in pipe and pipe["open"].any():
        o = pipe[pipe["open"]].sort_values("close_date", na_position="last").iloc[0]
        when = o["close_date"]
        if pd.isna(when) or (first is not None and when < first):
            when = first
        value = "" if pd.isna(o.get("value")) else f", value {o['value']:,.0f}"
        candidates.append((when, f"Bring the {o.get('product') or 'open'} opportunity "
                                 f"({o['stage']}{value}) to a decision", owner))
    risks = _frame(frames, "risks")
    if "risk" in risks and (risks["risk"] == "decision makers not covered").any():
        who = _person(_frame(frames, "contacts"), deciders_only=True)
        candidates.append((first, f"Meet {who}: decision maker not reached lately" if who
                           else "Find and meet a decision maker", owner))
    visits = schedule[kinds == TOP_MANAGEMENT] if len(schedule) else schedule
    if len(visits):
        candidates.append((visits["date"].min(), "Top-management visit",
                           f"top management with {owner}"))
    sell = _frame(frames, "cross_sell")
    if "product" in sell and len(sell):
        s = sell.iloc[0]
        peers = (f" (bought by {s['peers_buying']:.0f} of {s['group_size']:.0f} similar "
                 "accounts)") if {"peers_buying", "group_size"} <= set(sell) else ""
        candidates.append((second, f"Propose {s['product']}{peers}", owner))
    if first is not None:
        candidates.append((first, "Routine contact", owner))
    return candidates[:3]


def next_actions(frames: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """The account's next three actions: ``date``, ``action``, ``owner``, by date.

    ``frames`` are one account's rows of :func:`kamlib.planning.portfolio.portfolio_frames`
    (``status``, ``info``, ``schedule``, and where there: ``pipeline``, ``risks``,
    ``contacts``, ``cross_sell``, ``products``). The owner is the account manager.
    """
    owner = _first(_frame(frames, "info"), "account_manager")
    owner = owner if isinstance(owner, str) and owner else UNASSIGNED
    lost = _first(_frame(frames, "status"), "status") == "lost"
    rows = _win_back(frames, owner) if lost else _routine(frames, owner)
    out = pd.DataFrame(rows, columns=["date", "action", "owner"])
    out["date"] = pd.to_datetime(out["date"])
    return out.sort_values("date", kind="mergesort", na_position="last").reset_index(drop=True)
