"""Module 16's frames from a loaded data set: the lost spells, the win-back list and the
dealers' inputs, with the settings of ``kam.toml`` (``[analysis] lost_after_days``,
``[retention]``). Pages and account plans read these, so a figure means the same everywhere.

An account plan reads its account's row of :func:`dataset_winback` (computed once for the
portfolio): ``offer_type``, ``offer``, ``reasons``, ``contact``, ``account_manager`` and
``value_regained``; an account not on the list is neither lost nor lapsing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kamlib.retention.losses import lost_spells, service_cost_by_month
from kamlib.retention.winback import (WinbackRules, return_chance, winback_candidates,
                                      winback_list)

__all__ = ["dataset_service_cost", "dataset_spells", "dataset_chance", "dataset_winback",
           "dealer_inputs"]


def dataset_service_cost(ds) -> pd.DataFrame | None:
    """Cost to serve per account and month, where the data has activities and rates."""
    if "activities" in ds.tables and ds.activity_rates is not None and len(ds.activity_rates):
        return service_cost_by_month(ds.activities, ds.activity_rates)
    return None


def dataset_spells(ds, service_cost: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`~kamlib.retention.losses.lost_spells` of a data set at its as-of date."""
    if service_cost is None:
        service_cost = dataset_service_cost(ds)
    return lost_spells(ds.cube.account_month, ds.cube.account_timing, as_of=ds.as_of,
                       lost_after_days=ds.config.analysis.lost_after_days,
                       service_cost=service_cost)


def dataset_chance(ds, spells: pd.DataFrame) -> tuple[float, str]:
    """The chance of return and where it comes from, in words."""
    settings = ds.config.retention
    within = settings.winback_within_days
    seen = return_chance(spells, as_of=ds.as_of, within_days=within).iloc[0]
    if seen["losses"] > 0:
        return float(seen["chance"]), (
            f"{seen['returned']:,.0f} of the {seen['losses']:,.0f} accounts lost at least "
            f"{within} days before the as-of date bought again within {within} days")
    return settings.return_chance_if_unknown, (
        f"assumed {settings.return_chance_if_unknown:.0%}: no loss in the data is {within} "
        "days old yet")


def dataset_winback(ds, status: pd.DataFrame | None = None,
                    spells: pd.DataFrame | None = None) -> pd.DataFrame:
    """The win-back list of a data set (:func:`~kamlib.retention.winback.winback_list`), with
    ``attrs["chance_source"]`` saying where the chance of return comes from.

    ``status`` is the build's status frame (computed here when not given).
    """
    from kamlib.status import dataset_status

    if status is None:
        status = dataset_status(ds)
    service = dataset_service_cost(ds)
    if spells is None:
        spells = dataset_spells(ds, service)
    settings = ds.config.retention
    chance, source = dataset_chance(ds, spells)
    candidates = winback_candidates(status, spells, ds.cube.account_month, service)
    contacts = ds.contacts if "contacts" in ds.tables else None
    accounts = ds.accounts if "accounts" in ds.tables else None
    out = winback_list(candidates, chance=chance, products=ds.cube.account_product,
                       contacts=contacts, accounts=accounts,
                       rules=WinbackRules(service_share=settings.service_share,
                                          contact_days=settings.contact_days,
                                          price_drop=settings.price_drop))
    out.attrs["chance_source"] = source
    out.attrs["known"] = {"service": service is not None, "contacts": contacts is not None}
    return out


def dealer_inputs(accounts: pd.DataFrame, status: pd.DataFrame, *, as_of,
                  plan_growth: float = 0.05) -> pd.DataFrame:
    """The dealers (``channel`` = "dealer") with the inputs of their score and bonus:
    turnover and shipments (revenue in the last 12 months), years_with_us (from
    customer_since), the optional criteria columns as they are, and plan (revenue of the 12
    months before times 1 + ``plan_growth``).

    >>> acc = pd.DataFrame({"account_id": ["1", "2"], "channel": ["dealer", "direct"],
    ...                     "customer_since": pd.to_datetime(["2015-01-01", "2020-01-01"])})
    >>> st = pd.DataFrame({"account_id": ["1", "2"], "revenue_l12m": [10.0, 5.0],
    ...                    "revenue_p12m": [8.0, 5.0]})
    >>> dealer_inputs(acc, st, as_of="2025-01-01")[["years_with_us", "plan"]].values.tolist()
    [[10.0, 8.4]]
    """
    dealers = accounts[accounts["channel"].astype(str).str.lower() == "dealer"].copy()
    dealers["account_id"] = dealers["account_id"].astype(str)
    st = status.assign(account_id=status["account_id"].astype(str)).set_index("account_id")
    # as numbers even when no dealer is left (an empty map keeps the ids' text type)
    yearly = {c: dealers["account_id"].map(st[c]).astype("float64").fillna(0.0)
              for c in ("revenue_l12m", "revenue_p12m")}
    dealers["turnover"] = yearly["revenue_l12m"]
    dealers["shipments"] = dealers["turnover"]
    dealers["plan"] = yearly["revenue_p12m"] * (1 + plan_growth)
    if "customer_since" in dealers:
        since, day = pd.to_datetime(dealers["customer_since"]), pd.Timestamp(as_of)
        before = (since.dt.month > day.month) | ((since.dt.month == day.month)
                                                 & (since.dt.day > day.day))
        # whole years completed on the as-of date (an anniversary completes one)
        dealers["years_with_us"] = (day.year - since.dt.year - before.astype(int)).astype(
            float).clip(lower=0)
    return dealers.reset_index(drop=True)
