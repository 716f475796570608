"""The bonds that hold each account, weakest to strongest, from stated signals.

- **financial**: an estimated discount of at least ``discount_share`` of revenue. A discount
  lowers the price, not the cost, so an account's cost as a share of its revenue on a
  product, against the median account's on that product, gives the discount:
  ``1 - median cost share / its cost share`` (revenue-weighted over its products, 0 at
  least; needs ``cost`` and ``product`` on the transactions).
- **social**: at least ``social_contacts`` people in circles 1-2 reached in the last
  ``social_days`` days (contacts with ``circle`` and ``last_contact``).
- **customisation**: a custom report in the last 12 months (an activity whose name contains
  "custom") or a ``customisation`` event in the last ``signal_months`` months.
- **structural**: a ``multi-year contract`` or ``joint investment`` event in the last
  ``structural_months`` months.

An account held by the financial bond alone is flagged: discounts are the easiest bond to
copy, and 70% of the customers who leave do so because of perceived indifference.

Examples
--------
>>> import pandas as pd
>>> ap = pd.DataFrame({"account_id": ["a", "b", "c"], "product": ["x", "x", "x"],
...                    "revenue": [100.0, 100.0, 100.0], "cost": [50.0, 50.0, 62.5]})
>>> b = relationship_bonds(["a", "b", "c"], as_of="2025-12-31", account_product=ap)
>>> b.round(3)[["account_id", "discount_estimate", "bonds", "financial_only"]].values.tolist()
[['a', 0.0, '', False], ['b', 0.0, '', False], ['c', 0.2, 'financial', True]]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns
from kamlib.data.relationship_settings import RelationshipSettings
from kamlib.relationships._common import event_counts, has_events

__all__ = ["BONDS", "bond_rules", "discount_estimate", "relationship_bonds"]

BONDS = ("financial", "social", "customisation", "structural")  # weakest to strongest


def bond_rules(settings: RelationshipSettings = RelationshipSettings()) -> dict[str, str]:
    """Each bond's rule in one plain sentence."""
    return {
        "financial": f"an estimated discount of {settings.discount_share:.0%} of revenue or "
                     "more (its cost share on a product against the median account's)",
        "social": f"{settings.social_contacts} or more people in circles 1-2 reached in the "
                  f"last {settings.social_days} days",
        "customisation": f"a custom report in the last 12 months or a customisation event "
                         f"in the last {settings.signal_months} months",
        "structural": f"a multi-year contract or joint investment in the last "
                      f"{settings.structural_months} months",
        "financial only": "held by the financial bond and no other: flagged",
    }


def discount_estimate(account_product: pd.DataFrame) -> pd.Series:
    """Per account: the estimated discount as a share of revenue (see the module).

    Lines without cost or with revenue of 0 or less are left out; a product bought by one
    account only has no median to compare with and counts as no discount.
    """
    require_columns(account_product, ["account_id", "product", "revenue", "cost"],
                    "discount_estimate")
    ap = account_product[(account_product["revenue"] > 0) & account_product["cost"].notna()]
    ap = ap.assign(account_id=ap["account_id"].astype(str),
                   share=ap["cost"] / ap["revenue"])
    median = ap.groupby("product")["share"].transform("median")
    disc = (1 - median / ap["share"]).clip(lower=0).where(ap["share"] > 0, 0.0)
    weighted = (disc * ap["revenue"]).groupby(ap["account_id"]).sum()
    return (weighted / ap.groupby("account_id")["revenue"].sum()).rename("discount_estimate")


def relationship_bonds(accounts: Iterable[str], *, as_of: DateLike,
                       account_product: pd.DataFrame | None = None,
                       contacts: pd.DataFrame | None = None,
                       activities: pd.DataFrame | None = None,
                       events: pd.DataFrame | None = None,
                       settings: RelationshipSettings = RelationshipSettings()
                       ) -> pd.DataFrame:
    """Which bonds hold each of ``accounts`` at ``as_of``.

    Returns
    -------
    DataFrame
        account_id, financial, social, customisation, structural (booleans), bonds (the
        bonds held, weakest first, in words), financial_only, discount_estimate,
        recent_contacts (circles 1-2), custom_signals, structural_signals.
        ``attrs["rules"]``, ``attrs["not_seen"]`` (the bonds the data cannot show, with
        what is missing).
    """
    as_of = pd.Timestamp(as_of).normalize()
    ids = pd.Index(sorted({str(a) for a in accounts}), name="account_id", dtype=object)
    out = pd.DataFrame(index=ids)
    not_seen = {}
    if account_product is not None and {"cost", "product"} <= set(account_product.columns) \
            and account_product["cost"].notna().any():
        out["discount_estimate"] = discount_estimate(account_product).reindex(ids).fillna(0.0)
        out["financial"] = out["discount_estimate"] >= settings.discount_share - 1e-12
    else:
        out["discount_estimate"] = np.nan
        out["financial"] = False
        not_seen["financial"] = "needs the cost and the product of each invoice line"
    if contacts is not None and {"circle", "last_contact"} <= set(contacts.columns):
        since = as_of - pd.Timedelta(days=settings.social_days)
        last = pd.to_datetime(contacts["last_contact"])
        near = contacts[contacts["circle"].isin([1, 2]) & (last >= since) & (last <= as_of)]
        out["recent_contacts"] = near.groupby(near["account_id"].astype(str)).size().reindex(
            ids).fillna(0).astype("float64")
        out["social"] = out["recent_contacts"] >= settings.social_contacts
    else:
        out["recent_contacts"] = np.nan
        out["social"] = False
        not_seen["social"] = "needs contacts with their circle and the date of the last contact"
    custom = event_counts(events, as_of, settings.signal_months, ("customisation",)
                          ).reindex(ids).fillna(0)["customisation"]
    if activities is not None and {"activity", "date"} <= set(activities.columns):
        date = pd.to_datetime(activities["date"])
        rows = activities[activities["activity"].astype(str).str.contains("custom", case=False)
                          & (date <= as_of) & (date > as_of - pd.DateOffset(months=12))]
        qty = rows["quantity"] if "quantity" in rows else pd.Series(1.0, index=rows.index)
        custom = custom + qty.groupby(rows["account_id"].astype(str)).sum().reindex(
            ids).fillna(0)
    elif not has_events(events):
        not_seen["customisation"] = "needs activities (custom reports) or events"
    out["custom_signals"] = custom.astype("float64")
    out["customisation"] = out["custom_signals"] > 0
    structural = event_counts(events, as_of, settings.structural_months,
                              ("multi-year contract", "joint investment")).reindex(ids).fillna(0)
    out["structural_signals"] = structural.sum(axis=1).astype("float64")
    out["structural"] = out["structural_signals"] > 0
    if not has_events(events):
        not_seen["structural"] = "needs events (multi-year contracts, joint investments)"
    held = out[list(BONDS)]
    out["bonds"] = [", ".join(b for b, h in zip(BONDS, row) if h) for row in held.to_numpy()]
    out["financial_only"] = out["financial"] & ~held[list(BONDS[1:])].any(axis=1)
    cols = [*BONDS, "bonds", "financial_only", "discount_estimate", "recent_contacts",
            "custom_signals", "structural_signals"]
    out = out.reset_index()[["account_id", *cols]]
    out.attrs["rules"] = bond_rules(settings)
    out.attrs["not_seen"] = not_seen
    return out
