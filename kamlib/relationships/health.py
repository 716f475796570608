"""Early-warning signals and a health score per account, its history and the reasons.

Each signal is a measure from 0 (a strong warning) to 100 (no warning), computed from the
status frame at a date and the data up to it (the numbers are ``[relationships]``):

- **revenue trend**: 100 when the last 12 months are at or above the 12 before, 0 when they
  fell by ``trend_full_drop`` or more, in proportion between (unknown without a year before);
- **breadth**: products per purchase month in the last 12 months against the 12 before
  (100 at the same or more; 50 at half);
- **share of wallet**: the last 12 months' revenue over the wallet estimate, 100 at
  ``wallet_target`` or more;
- **rhythm**: 100 while the days since the last purchase are within the account's usual
  days between purchases, 0 at ``gap_factor`` times them (the status rule's factor);
- **decision makers**: 100 when someone in circle 1 was reached in the last
  ``stale_days`` days, 50 when circle 1 has only people not reached since, 0 when it is empty
  (contacts are a snapshot: known at the latest date only);
- **complaints**: 100 less ``complaint_points`` per complaint and ``escalation_points`` per
  escalation in the last 12 months.

The score is the weighted mean of the signals known for the account (weights in
``[relationships.weights]``); a signal's *points lost* are its weight share times (100 - its
measure), and the reasons list them in words, largest first. An account not lost with a
score below ``flag_below`` is flagged.

Examples
--------
>>> import pandas as pd
>>> st = pd.DataFrame({"account_id": ["a"], "status": ["at risk"], "revenue_l12m": [60.0],
...     "revenue_p12m": [100.0], "days_since_purchase": [40.0], "typical_gap_days": [20.0]})
>>> h = health_scores(st, as_of="2025-12-31", weights={"revenue_trend": 1, "rhythm": 1})
>>> h.round(6)[["revenue_trend", "rhythm", "score", "flagged"]].values.tolist()
[[20.0, 50.0, 35.0, True]]
>>> h.loc[0, "reasons"]
'revenue 40% below the 12 months before (-40 points); no purchase for 40 days, 2.0 times its usual 20 (-25 points)'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.data.relationship_settings import SIGNALS, RelationshipSettings
from kamlib.relationships._common import event_counts, has_events
from kamlib.status_rules import STATUSES

__all__ = ["health_rules", "health_measures", "health_scores", "health_history"]


def health_rules(settings: RelationshipSettings = RelationshipSettings(),
                 gap_factor: float = 3.0) -> dict[str, str]:
    """Each signal's measure, and the score, in one plain sentence each."""
    s, w = settings, settings.weight_map()
    total = sum(w.values())
    rules = {
        "revenue_trend": f"100 when the last 12 months are at or above the 12 before, 0 at "
                         f"a drop of {s.trend_full_drop:.0%} or more",
        "breadth": "products per purchase month, last 12 months over the 12 before (100 at "
                   "the same or more)",
        "share_of_wallet": f"share of wallet over {s.wallet_target:.0%} (100 at or above it)",
        "rhythm": f"100 within the account's usual days between purchases, 0 at "
                  f"{gap_factor:g} times them",
        "decision_makers": f"100 with a circle-1 contact reached in the last {s.stale_days} "
                           "days, 50 with circle-1 contacts not reached since, 0 with none",
        "complaints": f"100 less {s.complaint_points:g} per complaint and "
                      f"{s.escalation_points:g} per escalation in the last 12 months",
    }
    rules = {k: f"{v} (weight {w[k] / total:.0%})" for k, v in rules.items()}
    rules["score"] = (f"the weighted mean of the signals known for the account; flagged "
                      f"below {s.flag_below:g} when not lost")
    return rules


def health_measures(status: pd.DataFrame, *, as_of: DateLike,
                    account_month: pd.DataFrame | None = None,
                    accounts: pd.DataFrame | None = None,
                    contacts: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                    settings: RelationshipSettings = RelationshipSettings(),
                    gap_factor: float = 3.0) -> pd.DataFrame:
    """The six signals (0-100, NaN where unknown) per account of the status frame, indexed
    by account id, plus the figures behind them (columns starting with ``_``)."""
    require_columns(status, ["account_id", "revenue_l12m", "revenue_p12m"], "health_measures")
    s = settings
    as_of = pd.Timestamp(as_of).normalize()
    st = status.assign(account_id=status["account_id"].astype(str)).set_index("account_id")
    ids = st.index
    out = pd.DataFrame(index=ids)
    l12, p12 = st["revenue_l12m"].astype(float), st["revenue_p12m"].astype(float)
    change = (l12 / p12.where(p12 > 0) - 1).astype("float64")
    out["_change"] = change
    out["revenue_trend"] = (100 * (1 + change.clip(upper=0) / s.trend_full_drop)).clip(0, 100)
    if account_month is not None and "products" in account_month \
            and account_month["products"].fillna(0).gt(0).any():
        period = account_month["period"].astype("datetime64[ns]")
        month = as_of.to_period("M")
        bought = account_month[(account_month["revenue"] > 0) & (period <= as_of)
                               & (period >= (month - 23).start_time)]
        last = bought["period"].astype("datetime64[ns]") >= (month - 11).start_time
        key = bought["account_id"].astype(str)
        now = bought[last].groupby(key[last])["products"].mean()
        before = bought[~last].groupby(key[~last])["products"].mean()
        ratio = (now.reindex(ids).fillna(0) / before.reindex(ids)).astype("float64")
        out["_breadth"] = ratio
        out["breadth"] = (100 * ratio).clip(0, 100)
    else:
        out["_breadth"] = out["breadth"] = np.nan
    if accounts is not None and "wallet_estimate" in accounts:
        wallet = accounts.assign(account_id=accounts["account_id"].astype(str)).drop_duplicates(
            "account_id").set_index("account_id")["wallet_estimate"].reindex(ids)
        sow = (l12 / wallet.where(wallet > 0)).astype("float64")
        out["_share_of_wallet"] = sow
        out["share_of_wallet"] = (100 * sow / s.wallet_target).clip(0, 100)
    else:
        out["_share_of_wallet"] = out["share_of_wallet"] = np.nan
    if {"days_since_purchase", "typical_gap_days"} <= set(st.columns):
        ratio = (st["days_since_purchase"] / st["typical_gap_days"].clip(lower=1)
                 ).astype("float64")
        out["_rhythm"] = ratio
        out["_days"] = st["days_since_purchase"].astype("float64")
        out["_gap"] = st["typical_gap_days"].astype("float64")
        out["rhythm"] = (100 * (gap_factor - ratio) / max(gap_factor - 1, 1e-9)).clip(0, 100)
    else:
        out["_rhythm"] = out["_days"] = out["_gap"] = out["rhythm"] = np.nan
    if contacts is not None and {"circle", "last_contact"} <= set(contacts.columns):
        c1 = contacts[contacts["circle"] == 1]
        last = pd.to_datetime(c1["last_contact"])
        recent = c1[(last <= as_of) & (last >= as_of - pd.Timedelta(days=s.stale_days))]
        out["decision_makers"] = np.where(ids.isin(recent["account_id"].astype(str)), 100.0,
                                          np.where(ids.isin(c1["account_id"].astype(str)),
                                                   50.0, 0.0))
    else:
        out["decision_makers"] = np.nan
    if has_events(events):
        counts = event_counts(events, as_of, 12, ("complaint", "escalation")).reindex(
            ids).fillna(0)
        out["_complaints"], out["_escalations"] = counts["complaint"], counts["escalation"]
        out["complaints"] = (100 - s.complaint_points * counts["complaint"]
                             - s.escalation_points * counts["escalation"]).clip(0, 100)
    else:
        out["_complaints"] = out["_escalations"] = out["complaints"] = np.nan
    return out


def _words(signal: str, r) -> str:
    if signal == "revenue_trend":
        return f"revenue {-r['_change']:.0%} below the 12 months before"
    if signal == "breadth":
        return f"{1 - r['_breadth']:.0%} fewer products per purchase month than the year before"
    if signal == "share_of_wallet":
        return f"share of wallet {r['_share_of_wallet']:.0%}"
    if signal == "rhythm":
        return (f"no purchase for {r['_days']:.0f} days, {r['_rhythm']:.1f} times its usual "
                f"{r['_gap']:.0f}")
    if signal == "decision_makers":
        return ("no decision maker reached recently" if r["decision_makers"] > 0
                else "no decision maker (circle 1) known")
    said = [f"{n:.0f} {word}{'s' * (n != 1)}" for n, word in
            ((r["_complaints"], "complaint"), (r["_escalations"], "escalation")) if n]
    return " and ".join(said) + " in the last 12 months"


def _score(measures: pd.DataFrame, settings: RelationshipSettings) -> pd.DataFrame:
    weights = settings.weight_map()
    m = measures[list(SIGNALS)]
    w = pd.DataFrame({k: np.where(m[k].notna(), weights[k], 0.0) for k in SIGNALS},
                     index=m.index)
    total = w.sum(axis=1).replace(0, np.nan)
    lost = (w.div(total, axis=0) * (100 - m.fillna(100))).fillna(0.0)
    out = measures.copy()
    out["score"] = 100 - lost.sum(axis=1).where(total.notna())
    for k in SIGNALS:
        out[f"_lost_{k}"] = lost[k]
    return out


def health_scores(status: pd.DataFrame, *, as_of: DateLike, weights: dict | None = None,
                  settings: RelationshipSettings = RelationshipSettings(),
                  gap_factor: float = 3.0, **data) -> pd.DataFrame:
    """The health score of each account of the status frame at ``as_of``, with reasons.

    ``data`` are the keywords of :func:`health_measures` (account_month, accounts, contacts,
    events); ``weights`` replaces some of the settings' weights.

    Returns
    -------
    DataFrame
        account_id, status, the six signals (0-100; NaN where the data cannot tell), score,
        flagged, reasons (the signals that lost points, in words, largest first, with the
        points). ``attrs["rules"]``, ``attrs["not_seen"]``.
    """
    if weights:
        from dataclasses import replace

        settings = replace(settings, weights={**settings.weights, **weights})
    scored = _score(health_measures(status, as_of=as_of, settings=settings,
                                    gap_factor=gap_factor, **data), settings)
    st = status.assign(account_id=status["account_id"].astype(str)).set_index("account_id")
    scored["status"] = st["status"] if "status" in st else np.nan
    scored["flagged"] = (scored["score"] < settings.flag_below) & (scored["status"] != "lost")
    # words only for the accounts that lost points, read from plain records (not iterrows)
    reasons = np.full(len(scored), "", dtype=object)
    lost = scored[[f"_lost_{k}" for k in SIGNALS]].to_numpy(dtype="float64")
    rows = np.flatnonzero((lost >= 0.5).any(axis=1))
    for i, r in zip(rows, scored.iloc[rows].to_dict("records")):
        parts = sorted(((r[f"_lost_{k}"], k) for k in SIGNALS if r[f"_lost_{k}"] >= 0.5),
                       reverse=True)
        reasons[i] = "; ".join(f"{_words(k, r)} (-{p:.0f} points)" for p, k in parts)
    scored["reasons"] = reasons
    out = scored.reset_index()[["account_id", "status", *SIGNALS, "score", "flagged",
                                "reasons"]]
    out.attrs["rules"] = health_rules(settings, gap_factor)
    out.attrs["not_seen"] = {SIGNALS[k]: "not in the data" for k in SIGNALS
                             if out[k].isna().all()}
    return out


def health_history(statuses: pd.DataFrame, *, settings: RelationshipSettings =
                   RelationshipSettings(), gap_factor: float = 3.0,
                   contacts: pd.DataFrame | None = None, **data) -> pd.DataFrame:
    """The health score of every account at each as-of date of ``statuses`` (stacked status
    frames, :func:`~kamlib.relationships.history.status_history`): account_id, as_of,
    status, score, flagged. Each date sees only the data up to it; contacts, a snapshot,
    count at the latest date only."""
    require_columns(statuses, ["as_of", "account_id", "status"], "health_history")
    latest = statuses["as_of"].max()
    parts = []
    for as_of, status in statuses.groupby("as_of", sort=True):
        m = health_measures(status, as_of=as_of, settings=settings, gap_factor=gap_factor,
                            contacts=contacts if as_of == latest else None, **data)
        scored = _score(m, settings)
        st = status.assign(account_id=status["account_id"].astype(str)).set_index(
            "account_id")["status"]
        parts.append(pd.DataFrame({"account_id": scored.index, "as_of": as_of,
                                   "status": pd.Categorical(st.reindex(scored.index),
                                                            categories=list(STATUSES)),
                                   "score": scored["score"].to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    out["flagged"] = (out["score"] < settings.flag_below) & (out["status"] != "lost")
    return out
