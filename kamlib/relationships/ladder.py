"""The relationship ladder: each account's stage from its data, over time, and the moves.

The stages, lowest to highest (the rules' numbers are ``[relationships]`` in ``kam.toml``):

- **prospect**: an opportunity in the pipeline, no order yet;
- **customer**: at least one order;
- **client**: orders in at least ``client_months`` of the last 12 months (repeat purchases);
- **supporter**: a client that recommended us (a ``referral`` event) in the last
  ``signal_months`` months;
- **advocate**: a client that worked with us on the solution (``co-development``);
- **partner**: a client that plans with us or takes part in our marketing and selling
  decisions (``joint planning``, ``marketing decision``).

An account takes the highest stage whose rule it meets. **lost** (the status frame's rule:
no purchase for more than ``lost_after_days``) takes it off the ladder; an account not yet
known at a date (no order, no opportunity) is **not yet**. Without an events table the upper
three stages cannot be seen: the frame says so and stops at client.

Examples
--------
>>> import pandas as pd
>>> am = pd.DataFrame({"account_id": ["a", "a", "a", "b"], "revenue": [10.0, 10, 10, 5],
...                    "period": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-09-01",
...                                              "2025-06-01"])})
>>> status = pd.DataFrame({"account_id": ["a", "b"], "status": ["active", "active"]})
>>> events = pd.DataFrame({"account_id": ["a"], "type": ["referral"],
...                        "date": pd.to_datetime(["2025-05-02"])})
>>> st = ladder_stages(am, status, as_of="2025-12-31", events=events)
>>> st[["account_id", "stage"]].values.tolist()
[['a', 'supporter'], ['b', 'customer']]
>>> st.loc[0, "reason"]
'bought in 3 of the last 12 months (a client from 3); referral in the last 24 months'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.data.relationship_settings import RelationshipSettings
from kamlib.relationships._common import event_counts, has_events, ids_of, purchase_months

__all__ = ["LADDER", "STAGES", "RANK", "STAGE_EVENTS", "ladder_rules", "ladder_stages",
           "stage_history", "transitions", "transition_matrix", "stage_counts"]

LADDER = ("prospect", "customer", "client", "supporter", "advocate", "partner")
STAGES = ("not yet", *LADDER, "lost")  # the categories of every stage column
RANK = {"not yet": 0, "lost": 0, **{s: i + 1 for i, s in enumerate(LADDER)}}
STAGE_EVENTS = {"supporter": ("referral",), "advocate": ("co-development",),
                "partner": ("joint planning", "marketing decision")}
_UPPER = ("partner", "advocate", "supporter")  # highest first
_EVENT_TYPES = tuple(t for types in STAGE_EVENTS.values() for t in types)


def ladder_rules(settings: RelationshipSettings = RelationshipSettings()) -> dict[str, str]:
    """Each stage's rule in one plain sentence, as the pages state them."""
    window = f"in the last {settings.signal_months} months"
    return {
        "prospect": "an opportunity in the pipeline and no order yet (the opportunities' "
                    "own dates are not used: a listed opportunity counts at every date)",
        "customer": "at least one order (a month with positive net revenue)",
        "client": f"orders in at least {settings.client_months} of the last 12 months",
        "supporter": f"a client that recommended us (a referral) {window}",
        "advocate": f"a client that worked with us on the solution (co-development) {window}",
        "partner": f"a client that planned with us or took part in our marketing and "
                   f"selling decisions (joint planning, marketing decision) {window}",
        "lost": "the status frame's rule: no purchase for longer than the lost limit",
    }


def _stages(account_month: pd.DataFrame, status: pd.DataFrame, as_of: pd.Timestamp,
            prospects: pd.Index, events: pd.DataFrame | None,
            settings: RelationshipSettings) -> pd.DataFrame:
    """Stage, months bought in the last 12 and upper-stage event counts per account."""
    ids = ids_of(status, pd.DataFrame({"account_id": prospects}))
    st = status.assign(account_id=status["account_id"].astype(str)).set_index("account_id")
    out = pd.DataFrame(index=ids)
    out["months_bought"] = purchase_months(account_month, as_of).reindex(ids).fillna(0.0)
    bought = st["status"].reindex(ids).notna() & (st["status"].reindex(ids) != "lost")
    counts = event_counts(events, as_of, settings.signal_months, _EVENT_TYPES).reindex(
        ids).fillna(0.0)
    stage = np.where(out["months_bought"] >= settings.client_months, "client", "customer")
    client = stage == "client"
    for upper in reversed(_UPPER):  # the highest stage met is written last
        met = counts[list(STAGE_EVENTS[upper])].sum(axis=1).to_numpy() > 0
        stage = np.where(client & met, upper, stage)
    lost = (st["status"].reindex(ids) == "lost").to_numpy()
    never = ~bought.to_numpy() & ~lost
    stage = np.where(lost, "lost", np.where(never, np.where(ids.isin(prospects), "prospect",
                                                            "not yet"), stage))
    out["stage"] = pd.Categorical(stage, categories=list(STAGES))
    for t in _EVENT_TYPES:
        out[t] = counts[t]
    return out


def ladder_stages(account_month: pd.DataFrame, status: pd.DataFrame, *, as_of: DateLike,
                  opportunities: pd.DataFrame | None = None,
                  events: pd.DataFrame | None = None,
                  settings: RelationshipSettings = RelationshipSettings()) -> pd.DataFrame:
    """Each account's ladder stage at ``as_of``, with the reason in words.

    Parameters
    ----------
    account_month : DataFrame
        The cube's account x month facts (account_id, period, revenue).
    status : DataFrame
        The status frame at ``as_of`` (:func:`kamlib.status.account_status`): account_id,
        status. Lost is its rule.
    as_of : date-like
    opportunities : DataFrame, optional
        account_id of accounts in the pipeline (prospects when they have no order).
    events : DataFrame, optional
        account_id, date, type: the signals of supporter, advocate and partner.
    settings : RelationshipSettings

    Returns
    -------
    DataFrame
        account_id, stage (categorical, :data:`STAGES`), rank (0 off the ladder, 1 prospect
        to 6 partner), months_bought (months with a purchase in the last 12), reason.
        ``attrs["rules"]``, ``attrs["not_seen"]`` (the stages the data cannot show, with
        why).
    """
    require_columns(account_month, ["account_id", "period", "revenue"], "ladder_stages")
    require_columns(status, ["account_id", "status"], "ladder_stages")
    as_of = pd.Timestamp(as_of).normalize()
    prospects = (pd.Index(opportunities["account_id"].astype(str).unique())
                 if opportunities is not None and "account_id" in opportunities
                 else pd.Index([], dtype=object))
    out = _stages(account_month, status, as_of, prospects, events, settings)
    reasons = []
    seen = {t: (out[t] > 0).to_numpy() for t in _EVENT_TYPES}
    for i, r in enumerate(out.itertuples()):
        stage = r.stage
        if stage in ("lost", "not yet", "prospect"):
            reasons.append({"lost": "lost (no purchase for longer than the lost limit)",
                            "not yet": "no order and no opportunity yet",
                            "prospect": "an opportunity in the pipeline, no order yet"}[stage])
            continue
        why = (f"bought in {r.months_bought:.0f} of the last 12 months (a client from "
               f"{settings.client_months})")
        signals = [t for t in _EVENT_TYPES if seen[t][i]]
        if signals and stage != "customer":
            why += f"; {', '.join(signals)} in the last {settings.signal_months} months"
        reasons.append(why)
    out["reason"] = reasons
    out["rank"] = out["stage"].map(RANK).astype("int64")
    out = out.reset_index()[["account_id", "stage", "rank", "months_bought", "reason"]]
    out.attrs["rules"] = ladder_rules(settings)
    out.attrs["not_seen"] = not_seen(opportunities, events)
    return out


def not_seen(opportunities: pd.DataFrame | None, events: pd.DataFrame | None
             ) -> dict[str, str]:
    """The stages the data cannot show, each with what is missing."""
    missing = {}
    if opportunities is None:
        missing["prospect"] = "no opportunities table: accounts without an order are not known"
    if not has_events(events):
        for stage, types in STAGE_EVENTS.items():
            missing[stage] = (f"no events table: its signal ({', '.join(types)}) is not in the "
                              "data, so the ladder stops at client")
    return missing


def stage_history(account_month: pd.DataFrame, statuses: pd.DataFrame, *,
                  opportunities: pd.DataFrame | None = None,
                  events: pd.DataFrame | None = None,
                  settings: RelationshipSettings = RelationshipSettings()) -> pd.DataFrame:
    """The ladder stage of every account at each as-of date of ``statuses`` (the status
    frames at the month ends, stacked with an ``as_of`` column; :func:`status_history`).

    Returns account_id, as_of, stage, rank; each date sees only the data up to it.
    """
    require_columns(statuses, ["account_id", "as_of", "status"], "stage_history")
    prospects = (pd.Index(opportunities["account_id"].astype(str).unique())
                 if opportunities is not None and "account_id" in opportunities
                 else pd.Index([], dtype=object))
    parts = []
    for as_of, status in statuses.groupby("as_of", sort=True):
        st = _stages(account_month, status, pd.Timestamp(as_of), prospects, events, settings)
        # text ids as str (Arrow), not object: 340 MB less at 250,000 accounts x 25 dates
        parts.append(pd.DataFrame({"account_id": st.index.astype("str"), "as_of": as_of,
                                   "stage": st["stage"].to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["stage"] = pd.Categorical(out["stage"], categories=list(STAGES))
    out["rank"] = out["stage"].map(RANK).astype("int64")
    out.attrs["not_seen"] = not_seen(opportunities, events)
    return out


def stage_counts(history: pd.DataFrame) -> pd.DataFrame:
    """Accounts per stage (columns, every stage) at each as-of date (rows)."""
    require_columns(history, ["as_of", "stage"], "stage_counts")
    table = pd.crosstab(history["as_of"], history["stage"]).reindex(columns=list(STAGES),
                                                                     fill_value=0)
    return table.rename_axis(columns=None)


def transitions(history: pd.DataFrame, start: DateLike, end: DateLike) -> pd.DataFrame:
    """Every pair of stages (from at ``start``, to at ``end``) with the accounts that made
    that move: from_stage, to_stage, move (up, down, stayed), accounts, account_ids.

    An account absent at ``start`` comes from "not yet". Up and down compare ladder ranks;
    a move to lost is down, from lost back onto the ladder is up.
    """
    require_columns(history, ["account_id", "as_of", "stage"], "transitions")
    dates = pd.to_datetime(history["as_of"])
    a = history[dates == pd.Timestamp(start)].set_index("account_id")["stage"]
    b = history[dates == pd.Timestamp(end)].set_index("account_id")["stage"]
    if a.empty or b.empty:
        raise ValueError(f"transitions: no stages at {'start' if a.empty else 'end'} = "
                         f"{pd.Timestamp(start if a.empty else end).date()}; the history has "
                         f"{sorted({d.date().isoformat() for d in dates})[:3]} ...")
    ids = b.index.union(a.index)
    pairs = pd.DataFrame({"from_stage": a.reindex(ids).astype(object).fillna("not yet"),
                          "to_stage": b.reindex(ids).astype(object).fillna("not yet")})
    grouped = pairs.reset_index().groupby(["from_stage", "to_stage"])["account_id"]
    out = pd.DataFrame({"accounts": grouped.size(),
                        "account_ids": grouped.agg(lambda s: ", ".join(sorted(s)))}
                       ).reset_index()
    order = {s: i for i, s in enumerate(STAGES)}
    out = out.sort_values(["from_stage", "to_stage"], key=lambda s: s.map(order),
                          ignore_index=True)
    fr, to = out["from_stage"].map(RANK), out["to_stage"].map(RANK)
    moved = np.select([out["from_stage"] == out["to_stage"], out["to_stage"] == "lost",
                       out["from_stage"] == "lost", to > fr], ["stayed", "down", "up", "up"],
                      "down")
    out.insert(2, "move", moved)
    return out


def transition_matrix(moves: pd.DataFrame) -> pd.DataFrame:
    """The moves of :func:`transitions` as a matrix: a row per stage at the start, a column
    per stage at the end, the number of accounts in each cell (stages nobody held left out).
    """
    require_columns(moves, ["from_stage", "to_stage", "accounts"], "transition_matrix")
    table = moves.pivot_table(index="from_stage", columns="to_stage", values="accounts",
                              aggfunc="sum", fill_value=0)
    rows = [s for s in STAGES if s in table.index]
    cols = [s for s in STAGES if s in table.columns]
    return table.reindex(index=rows, columns=cols).astype("int64").rename_axis(
        index="at the start", columns="at the end")
