"""Relationships: the ladder, the bonds, the KAM stages, early warnings and a health score.

Long relationships are not proof of loyalty: switching costs create inertia and
dissatisfaction takes years to show. This package reads the signals instead, from the
company's own data, with every rule stated (``[relationships]`` in ``kam.toml``):
:mod:`~kamlib.relationships.ladder` (prospect to partner, over time, and the moves),
:mod:`~kamlib.relationships.bonds` (financial, social, customisation, structural),
:mod:`~kamlib.relationships.kam_stage` (pre-KAM to uncoupling),
:mod:`~kamlib.relationships.health` (six warning signals, a weighted score, its history
and reasons) and :mod:`~kamlib.relationships.backtest` (were flagged accounts lost?).

:func:`relationship_frames` computes every frame once for the whole portfolio; a page or an
account plan selects its rows (``frames["accounts"]`` has one row per account).
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from kamlib._frames import DateLike
from kamlib.data.relationship_settings import RelationshipSettings
from kamlib.relationships._common import month_ends
from kamlib.relationships.backtest import backtest_summary, health_backtest
from kamlib.relationships.bonds import relationship_bonds
from kamlib.relationships.health import health_history, health_scores
from kamlib.relationships.history import status_history
from kamlib.relationships.kam_stage import kam_stages
from kamlib.relationships.ladder import ladder_stages, stage_history
from kamlib.status import StatusRules

__all__ = ["relationship_frames", "dataset_relationships", "history_dates"]


def history_dates(start: DateLike, as_of: DateLike) -> list[pd.Timestamp]:
    """The month ends the history shows: from the 12th month of the data (a full year to
    look back on) to ``as_of``; all of them when the data holds less than a year.

    >>> [d.date().isoformat() for d in history_dates("2024-01-05", "2025-02-10")][:2]
    ['2024-12-31', '2025-01-31']
    """
    first = pd.Timestamp(start).to_period("M") + 11
    as_of = pd.Timestamp(as_of).normalize()
    if first.end_time.normalize() > as_of:
        first = pd.Timestamp(start).to_period("M")
    return month_ends(first.start_time, as_of)


def relationship_frames(account_month: pd.DataFrame, account_timing: pd.DataFrame | None = None,
                        account_product: pd.DataFrame | None = None, *, as_of: DateLike,
                        start: DateLike = None, accounts: pd.DataFrame | None = None,
                        contacts: pd.DataFrame | None = None,
                        activities: pd.DataFrame | None = None,
                        opportunities: pd.DataFrame | None = None,
                        events: pd.DataFrame | None = None,
                        settings: RelationshipSettings = RelationshipSettings(),
                        rules: StatusRules = StatusRules()) -> dict[str, pd.DataFrame]:
    """Every relationship frame of the portfolio, computed once.

    Returns
    -------
    dict of DataFrame
        ``statuses`` (the status frame at each month end), ``ladder`` (stage now, with its
        reason), ``ladder_history`` (stage at each month end), ``bonds``, ``kam``,
        ``health`` (signals, score, flagged, reasons now), ``health_history`` (score at
        each month end), ``backtest`` (per month end) and ``accounts``: one row per account
        with stage, stage_reason, bonds, financial_only, kam_stage, kam_reason, score,
        score_year_ago, flagged, reasons, status: what an account plan reads.
    """
    as_of = pd.Timestamp(as_of).normalize()
    start = start if start is not None else account_month["period"].min()
    dates = history_dates(start, as_of)
    statuses = status_history(account_month, account_timing, account_product,
                              month_ends=dates, rules=rules)
    now = statuses[statuses["as_of"] == statuses["as_of"].max()].drop(columns="as_of")
    ladder = ladder_stages(account_month, now, as_of=as_of, opportunities=opportunities,
                           events=events, settings=settings)
    ladder_hist = stage_history(account_month, statuses, opportunities=opportunities,
                                events=events, settings=settings)
    bonds = relationship_bonds(now["account_id"], as_of=as_of, account_product=account_product,
                               contacts=contacts, activities=activities, events=events,
                               settings=settings)
    kam = kam_stages(now, as_of=as_of, account_product=account_product, accounts=accounts,
                     contacts=contacts, events=events, settings=settings)
    data = {"account_month": account_month, "accounts": accounts, "events": events}
    health = health_scores(now, as_of=as_of, settings=settings, gap_factor=rules.gap_factor,
                           contacts=contacts, **data)
    history = health_history(statuses, settings=settings, gap_factor=rules.gap_factor,
                             contacts=contacts, **data)
    backtest = health_backtest(history, months=settings.backtest_months)
    year_ago = history[history["as_of"] == _year_before(history["as_of"], as_of)]
    summary = (ladder[["account_id", "stage", "reason"]].rename(columns={"reason": "stage_reason"})
               .merge(bonds[["account_id", "bonds", "financial_only"]], on="account_id",
                      how="left")
               .merge(kam[["account_id", "kam_stage", "reason"]].rename(
                   columns={"reason": "kam_reason"}), on="account_id", how="left")
               .merge(health[["account_id", "status", "score", "flagged", "reasons"]],
                      on="account_id", how="left")
               .merge(year_ago[["account_id", "score"]].rename(
                   columns={"score": "score_year_ago"}), on="account_id", how="left"))
    summary = summary[["account_id", "status", "stage", "stage_reason", "bonds",
                       "financial_only", "kam_stage", "kam_reason", "score", "score_year_ago",
                       "flagged", "reasons"]]
    summary.attrs["backtest"] = backtest_summary(backtest).to_dict() if len(backtest) else {}
    return {"statuses": statuses, "ladder": ladder, "ladder_history": ladder_hist,
            "bonds": bonds, "kam": kam, "health": health, "health_history": history,
            "backtest": backtest, "accounts": summary}


def _year_before(dates: pd.Series, as_of: pd.Timestamp) -> pd.Timestamp | None:
    """The month end of the history twelve months before ``as_of`` (None if not there)."""
    target = (as_of.to_period("M") - 12).end_time.normalize()
    return target if (pd.to_datetime(dates) == target).any() else None


def dataset_relationships(ds, settings: RelationshipSettings | None = None
                          ) -> Mapping[str, pd.DataFrame]:
    """:func:`relationship_frames` of a loaded data set with its settings (``[analysis]``
    for the status rules, ``[relationships]``): the tables it lacks are left out (events
    only when the data has an events table, so a data set without one shows which stages
    it cannot see).

    Computed once per data set, as the status frame is: ``kam build`` computes them once
    and saves them with the prepared data (:mod:`kamlib.relationships.saved`); module 15 and
    the plans' portfolio opened on that folder read them back, and a data set loaded without
    a build keeps the frames of the first call. Other ``settings`` than the data set's own
    are computed anew each time.
    """
    own = settings is None or settings == ds.config.relationships
    if own and getattr(ds, "relationships", None) is not None:
        return ds.relationships
    frames = _compute(ds, settings or ds.config.relationships)
    if own:
        ds.relationships = frames
    return frames


def _compute(ds, settings: RelationshipSettings) -> dict[str, pd.DataFrame]:
    from kamlib.status import rules_of

    tables = ds.tables
    activities = ds.activities if "activities" in tables else None
    if activities is not None and "quantity" not in tables["activities"]:
        activities = activities.assign(quantity=1.0)
    return relationship_frames(
        ds.cube.account_month, ds.cube.account_timing,
        ds.cube.account_product if "product" in tables.get("transactions", []) else None,
        as_of=ds.as_of, start=ds.start,
        accounts=ds.accounts if "accounts" in tables else None,
        contacts=ds.contacts if "contacts" in tables else None, activities=activities,
        opportunities=ds.opportunities if "opportunities" in tables else None,
        events=ds.events if "events" in tables else None,
        settings=settings, rules=rules_of(ds.config.analysis))
