"""Every planning frame of the whole portfolio, computed once for all the account plans.

A plan is one account's rows of these frames: ``kam plans`` computes them once, saves them
as Parquet, and each plan notebook reads its account's rows only (a filtered read), so a
plan costs its rendering, not a portfolio's worth of computation.

Examples
--------
>>> from kamlib import open_dataset                               # doctest: +SKIP
>>> frames = portfolio_frames(open_dataset())                     # doctest: +SKIP
>>> sorted(frames)[:3]                                            # doctest: +SKIP
['bundles', 'circles', 'clv']
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from kamlib.concentration import account_totals
from kamlib.planning.contacts import circle_coverage, decision_map
from kamlib.planning.customize import _groups, bundles, cross_sell, window_years
from kamlib.planning.differentiate import key_account_types, need_proxy, value_need_matrix
from kamlib.planning.dossier import (general_information, largest_deals, product_history,
                                     wallet_share, yearly_history)
from kamlib.planning.notes import plan_notes
from kamlib.planning.pipeline import pipeline
from kamlib.planning.risks import risk_signals
from kamlib.planning.schedule import Cadence, contact_schedule
from kamlib.vocabulary import NEED_THRESHOLD

__all__ = ["portfolio_frames", "save_portfolio", "load_portfolio", "account_rows",
           "select_accounts", "key_account_count", "NOTICES"]

NOTICES = "notices.json"  # what the data could not feed, for every plan


def _next_quarter(as_of: date) -> tuple[date, date]:
    """The first and last day of the quarter after ``as_of``'s.

    >>> _next_quarter(date(2025, 8, 15)), _next_quarter(date(2025, 12, 31))[1]
    ((datetime.date(2025, 10, 1), datetime.date(2025, 12, 31)), datetime.date(2026, 3, 31))
    """
    q = (as_of.month - 1) // 3
    year, month = (as_of.year + 1, 1) if q == 3 else (as_of.year, 3 * q + 4)
    start = date(year, month, 1)
    end = (date(year + (month == 10), 1 if month == 10 else month + 3, 1) - timedelta(days=1))
    return start, end


def _profit(ds, window: dict) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The accounts' P&L and lifetime value where activities are logged, else (None, None)."""
    if "activities" not in ds.tables or ds.activity_rates is None or ds.activity_rates.empty:
        return None, None
    from kamlib.lifetime import dataset_lifetime_value
    from kamlib.profitability import cost_to_serve, customer_pnl

    activities = ds.activities
    if "quantity" not in ds.tables["activities"]:  # each row is one activity
        activities = activities.assign(quantity=1.0)
    has_cost = "cost" in ds.tables.get("transactions", [])
    am = ds.cube.account_month
    totals = account_totals(ds.cube.account_month, **window)
    costs = cost_to_serve(activities, ds.activity_rates, accounts=totals["account_id"], **window)
    pnl = customer_pnl(am, costs, cost="cost" if has_cost else None,
                       **window)
    # the kit's one lifetime value (the profitability module shows the same, same assumptions)
    clv = dataset_lifetime_value(ds, pnl)
    return pnl, clv


def portfolio_frames(ds, *, cadences: Mapping[str, Cadence] | None = None,
                     country: str | None = "ID", subdivision: str | None = None,
                     stale_days: int = 90, role_map: Mapping[str, str] | None = None,
                     long_standing_share: float = 0.10,
                     notes: pd.DataFrame | None = None,
                     stage_probabilities: Mapping[str, float] | None = None,
                     one_product_share: float = 0.8, min_margin: float = 0.05
                     ) -> dict[str, pd.DataFrame]:
    """Every planning frame for every account of ``ds``, each with ``account_id``.

    Parameters
    ----------
    ds : Dataset
        From :func:`kamlib.open_dataset`.
    cadences, country, subdivision
        The contact schedule's tiers and public holidays (see
        :func:`kamlib.planning.schedule.contact_schedule`); it covers the quarter after the
        data's ``as_of``. ``kam.toml``'s ``[plans]`` gives them
        (:meth:`kamlib.data.plan_settings.PlanSettings.portfolio_settings`).
    stale_days, role_map
        See :func:`kamlib.planning.contacts.decision_map`.
    long_standing_share
        The share of total profit a long-standing key account brings (see
        :func:`kamlib.planning.differentiate.key_account_types`).
    notes : DataFrame, optional
        The account managers' written inputs (``account_id``, ``section``, ``text``).
    stage_probabilities : mapping, optional
        Open stage -> chance of winning, for the weighted pipeline (see
        :func:`kamlib.planning.pipeline.pipeline`).
    one_product_share, min_margin
        The risks "one product" and "low margin" (see
        :func:`kamlib.planning.risks.risk_signals`).

    Returns
    -------
    dict of str to DataFrame
        ``status`` (:func:`kamlib.status.dataset_status`: every plan follows it; a lost
        account gets a win-back call instead of routine contacts), ``info``, ``years``,
        ``deals``, ``products``, ``wallet``, ``matrix``, ``types``, ``contacts``,
        ``circles``, ``schedule``, ``cross_sell``, ``bundles`` (by peer group, with the
        accounts' ``peer_group`` in ``info``), ``pipeline`` (with the opportunities table),
        ``risks``, ``notes``, ``rules`` (topic, rule: how the plan's figures are made; no
        ``account_id``), and ``pnl`` and ``clv`` when the data has activities. Frames the
        data cannot feed are left out; ``attrs["notices"]`` of ``info`` says why.
    """
    analysis = ds.config.analysis
    as_of = analysis.end or ds.as_of
    window = {"start": analysis.start or ds.start, "end": as_of}
    am, ap = ds.cube.account_month, ds.cube.account_product
    totals = account_totals(am, **window)
    ids = ds.accounts["account_id"]
    frames: dict[str, pd.DataFrame] = {}
    notices: list[str] = []
    rules: dict[str, str] = {}
    # the build's one status frame (core19 will hand a saved one over: keep this one call)
    from kamlib.status import dataset_status
    status = dataset_status(ds)
    frames["status"] = status
    rules.update({f"Status {k}": v for k, v in status.attrs.get("rules", {}).items()})
    info = general_information(ds.accounts, totals, as_of=as_of)
    frames["years"] = yearly_history(am, ds.cube.notable_days, as_of=as_of,
                                     start=window["start"])
    rules["Revenue by year"] = frames["years"].attrs["rules"]["growth"]
    frames["deals"] = largest_deals(ds.cube.notable_days)
    frames["products"] = product_history(ap, as_of=as_of)
    frames["wallet"] = wallet_share(am, ds.accounts, as_of=as_of)
    proxy = need_proxy(am, ap, as_of=as_of)
    # key accounts: the vital few of [analysis] target_share with high need (module 14's)
    matrix = value_need_matrix(totals, ds.accounts, proxy=proxy, target=analysis.target_share,
                               need_threshold=NEED_THRESHOLD)
    frames["matrix"] = matrix
    pnl, clv = _profit(ds, window)
    frames["types"] = key_account_types(matrix, ds.accounts, as_of=as_of, proxy=proxy, pnl=pnl,
                                        profit_share=long_standing_share)
    notices += frames["types"].attrs.get("notes", [])
    if pnl is not None:
        frames["pnl"], frames["clv"] = pnl, clv
    else:
        notices.append("Profit and lifetime value need the activities table (cost to serve): "
                       "not shown.")
    if "contacts" in ds.tables and ds.contacts is not None and len(ds.contacts):
        people = decision_map(ds.contacts, as_of=as_of, stale_days=stale_days,
                              role_map=role_map)
        frames["contacts"] = people
        frames["circles"] = circle_coverage(people, ids)
    else:
        notices.append("Contact coverage needs the contacts table: not shown.")
    manager = "account_manager" if "account_manager" in ds.accounts else None
    tiers = matrix[["account_id", "quadrant"]].merge(
        ds.accounts[["account_id", *([manager] if manager else [])]], on="account_id",
        how="right").fillna({"quadrant": "unknown"})
    if manager is None:
        tiers["account_manager"] = None
    start, end = _next_quarter(as_of)
    lost = status.loc[status["status"] == "lost", "account_id"]
    frames["schedule"] = contact_schedule(tiers, start=start, end=end, cadences=cadences,
                                          country=country, subdivision=subdivision,
                                          win_back=lost)
    rules["Contact schedule"] = "; ".join(f"{k}: {v}" for k, v in
                                          frames["schedule"].attrs["rules"].items())
    pipe = None
    if "opportunities" in ds.tables and getattr(ds, "opportunities", None) is not None:
        pipe = pipeline(ds.opportunities, as_of=as_of, probabilities=stage_probabilities)
        frames["pipeline"] = pipe
        rules["Weighted pipeline"] = pipe.attrs["rules"]["weighted_value"]
    else:
        notices.append("The pipeline needs the opportunities table: not shown.")
    frames["risks"] = risk_signals(status, as_of=as_of, products=frames["products"],
                                   contacts=frames.get("contacts"), pipeline=pipe,
                                   contact_days=stale_days,
                                   one_product_share=one_product_share, min_margin=min_margin)
    rules.update({f"Risk: {k}": v for k, v in frames["risks"].attrs["rules"].items()})
    _add_relationships(ds, frames, notices)
    from kamlib.retention.frames import dataset_winback

    # module 16's offer for the lost and lapsing accounts: the win-back plans read it
    frames["winback"] = dataset_winback(ds, status)
    peers = info[["account_id", "industry", "size_band"]] if "industry" in info else None
    if peers is not None:
        # proposals go to the accounts still buying: a lost one gets a win-back offer
        proposals = cross_sell(ap, peers, years=window_years(**window),
                               opportunities=ds.opportunities)
        frames["cross_sell"] = proposals[~proposals["account_id"].isin(set(lost))]
        # the label customize gives each group, so a plan finds its group's bundles
        info["peer_group"] = info["account_id"].map(
            _groups(peers, ("industry", "size_band"), "account_id", "portfolio_frames"))
        frames["bundles"] = bundles(ap, peers)
    else:
        notices.append("Cross-sell proposals and bundles need each account's industry: not "
                       "shown.")
    frames["notes"] = plan_notes(notes, ids)
    frames["rules"] = pd.DataFrame(list(rules.items()), columns=["topic", "rule"])
    frames["info"] = info
    info.attrs["notices"] = notices
    return frames


def _add_relationships(ds, frames: dict, notices: list[str]) -> None:
    """Each account's ladder stage, bonds, KAM stage and health score with its monthly
    history (:mod:`kamlib.relationships`, the same frames as module 15)."""
    from kamlib.relationships import dataset_relationships

    try:
        rel = dataset_relationships(ds)
    except ValueError as err:  # data too short or too thin for the relationship module
        notices.append(f"Relationship stage and health: not shown ({err}).".splitlines()[0])
        return
    frames["relationship"] = rel["accounts"]
    history = ["account_id", "as_of", "score"]
    frames["health_history"] = (rel.read("health_history", columns=history)
                                if hasattr(rel, "read") else rel["health_history"][history])


def select_accounts(frames: Mapping[str, pd.DataFrame], *, top: int | None = None,
                    accounts: Iterable[str] | None = None,
                    limit: int | None = None) -> list[str]:
    """The accounts to plan: ``accounts`` as given, the ``top`` by value, or the key
    accounts (the ``limit`` largest of them, if given).

    >>> m = pd.DataFrame({"account_id": ["a", "b", "c"], "key_account": [False, True, True]})
    >>> select_accounts({"matrix": m}), select_accounts({"matrix": m}, top=1)
    (['b', 'c'], ['a'])
    >>> select_accounts({"matrix": m}, limit=1)
    ['b']
    """
    matrix = frames["matrix"]  # ranked by value, largest first
    if accounts is not None:
        return list(dict.fromkeys(str(a) for a in accounts))
    if top is not None:
        return matrix["account_id"].head(top).astype(str).tolist()
    key = matrix.loc[matrix["key_account"].astype(bool), "account_id"].astype(str)
    return (key if limit is None else key.head(limit)).tolist()


def key_account_count(frames: Mapping[str, pd.DataFrame]) -> int:
    """How many key accounts the value x need matrix names.

    >>> key_account_count({"matrix": pd.DataFrame({"key_account": [False, True, True]})})
    2
    """
    return int(frames["matrix"]["key_account"].astype(bool).sum())


def save_portfolio(frames: Mapping[str, pd.DataFrame], folder: str | Path) -> Path:
    """Write each frame as ``<name>.parquet`` (sorted by account for filtered reads)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in frames.items():
        out = frame.copy()
        out.attrs = {}
        if "account_id" in out:
            out = out.sort_values("account_id", kind="stable")
        out.to_parquet(folder / f"{name}.parquet", index=False)
    notices = frames["info"].attrs.get("notices", []) if "info" in frames else []
    (folder / NOTICES).write_text(json.dumps(notices), encoding="utf-8")
    return folder


def load_portfolio(folder: str | Path, account_id: str | None = None
                   ) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """The saved frames (only ``account_id``'s rows if given; whole frames without an
    ``account_id`` column) and the notices."""
    folder = Path(folder)
    frames = {}
    for path in sorted(folder.glob("*.parquet")):
        frames[path.stem] = account_rows(path, account_id)
    notices = json.loads((folder / NOTICES).read_text(encoding="utf-8"))
    return frames, notices


# A kernel writes plan after plan from one saved portfolio: a small file is read once and
# kept (an account's rows are then a filter in memory, not a Parquet read: 22 reads were
# 0.06 s of each plan); larger ones, as on a log of many accounts, are read per account,
# so a kernel's memory stays flat however many plans it writes.
KEEP_BELOW = 2_000_000  # bytes: a saved frame's file kept in memory when smaller
KEEP_AT_MOST = 8_000_000  # bytes of such files kept in all
_kept: dict[Path, tuple[int, int, pd.DataFrame]] = {}  # path -> (size, mtime, frame)


def account_rows(path: Path, account_id: str | None) -> pd.DataFrame:
    """One account's rows of a saved frame, read with a filter (row groups are skipped),
    or from the copy kept in memory of a small file."""
    import pyarrow.parquet as pq

    path = Path(path)
    whole = _kept_frame(path)
    if whole is not None:
        if account_id is None or "account_id" not in whole:
            return whole.copy(deep=False)
        return whole[whole["account_id"] == account_id].reset_index(drop=True)
    if account_id is None or "account_id" not in pq.read_schema(path).names:
        return pd.read_parquet(path)
    return pd.read_parquet(path, filters=[("account_id", "==", account_id)])


def _kept_frame(path: Path) -> pd.DataFrame | None:
    """The whole frame of ``path`` if it is small enough to keep (read now if not yet; read
    again if the file changed since). One portfolio's files are kept at a time."""
    stat = path.stat()
    size, mtime = stat.st_size, stat.st_mtime_ns
    if path in _kept and _kept[path][:2] == (size, mtime):
        return _kept[path][2]
    if any(kept.parent != path.parent for kept in _kept):
        _kept.clear()
    _kept.pop(path, None)
    if size >= KEEP_BELOW or sum(k[0] for k in _kept.values()) + size > KEEP_AT_MOST:
        return None
    _kept[path] = (size, mtime, pd.read_parquet(path))
    return _kept[path][2]
