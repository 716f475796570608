"""The win-back list: lost and lapsing accounts, ranked by the value a return would regain,
each with an offer chosen by stated rules, the contact to call and the account manager.

- **Chance of return** (:func:`return_chance`): of the accounts lost at least
  ``within_days`` before the as-of date, the share that bought again within ``within_days``
  of being lost: the data's own win-back history.
- **Value regained**: the account's yearly profit when it left (its revenue where costs are
  missing) times that chance. Lapsing accounts (status "at risk") count with the yearly
  figures of the 12 months before the last 12 and the same chance.
- **Why it likely left** (every rule that applies, in words): *service*: its cost to serve
  was at least ``service_share`` of its revenue in its last year; *contacts lost*: no
  contact on record, or none reached in the ``contact_days`` days before its last purchase;
  *price*: its revenue fell by more than ``price_drop`` in its last year against the year
  before (it moved volume elsewhere while still buying); *loss-making*: its yearly profit
  was 0 or below, so a return at the old terms regains nothing. The first reason in
  :data:`OFFERS` order (loss-making first) picks the offer; no reason found gives a
  win-back call.

Examples
--------
>>> import pandas as pd
>>> cand = pd.DataFrame({"account_id": ["a", "b"], "status": ["lost", "lost"],
...     "last_purchase": pd.to_datetime(["2024-01-10", "2024-03-01"]),
...     "revenue": [1000.0, 5000.0], "profit": [400.0, None], "revenue_last_year":
...     [1000.0, 5000.0], "revenue_year_before": [1000.0, 9000.0],
...     "cost_to_serve": [50.0, 100.0]})
>>> wb = winback_list(cand, chance=0.25)
>>> wb[["account_id", "value_regained", "offer_type"]].values.tolist()
[['b', 1250.0, 'return price offer'], ['a', 100.0, 'win-back call']]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kamlib._frames import DateLike, require_columns

__all__ = ["WinbackRules", "OFFERS", "return_chance", "winback_candidates", "winback_list",
           "offer_summary"]

# reason -> (offer type, what the offer is); the order is the order the rules are tried in
OFFERS: dict[str, tuple[str, str]] = {
    "loss-making": ("new terms or let go",
                    "a return only on terms that cover its cost: price or service level "
                    "for {product}"),
    "service": ("service recovery",
                "a named service contact and a written service-level promise on {product}"),
    "contacts lost": ("relationship restart",
                      "a senior visit to rebuild the contacts, with a review of {product}"),
    "price": ("return price offer",
              "a time-limited return price or volume bonus on {product}"),
    "": ("win-back call", "a call to ask why it left, with a trial offer on {product}"),
}


@dataclass(frozen=True)
class WinbackRules:
    """The thresholds of the reasons (``[retention]`` in ``kam.toml``)."""

    service_share: float = 0.2
    contact_days: int = 180
    price_drop: float = 0.3

    def describe(self) -> dict[str, str]:
        """Each reason's rule in one sentence."""
        return {
            "loss-making": "its yearly profit was 0 or below",
            "service": f"its cost to serve was at least {self.service_share:.0%} of its "
                       "revenue in its last year",
            "contacts lost": f"no contact on record, or none reached in the "
                             f"{self.contact_days} days before its last purchase",
            "price": f"its revenue fell by more than {self.price_drop:.0%} in its last year "
                     "against the year before",
        }


def return_chance(spells: pd.DataFrame, *, as_of: DateLike, within_days: int = 365
                  ) -> pd.DataFrame:
    """The share of losses that came back within ``within_days``, counted over the losses
    old enough to have had that long (lost at least ``within_days`` before ``as_of``).

    Returns one row: losses (counted), returned, chance (NaN without a loss to count).

    >>> sp = pd.DataFrame({"lost_on": pd.to_datetime(["2023-01-01", "2023-02-01",
    ...     "2024-11-01"]), "returned_on": pd.to_datetime(["2023-06-01", None, None])})
    >>> return_chance(sp, as_of="2024-12-31").values.tolist()
    [[2.0, 1.0, 0.5]]
    """
    require_columns(spells, ["lost_on", "returned_on"], "return_chance")
    cutoff = pd.Timestamp(as_of) - pd.Timedelta(days=int(within_days))
    old = spells[spells["lost_on"].notna() & (spells["lost_on"] <= cutoff)]
    came = ((old["returned_on"] - old["lost_on"]).dt.days <= within_days).sum()
    n = float(len(old))
    return pd.DataFrame([{"losses": n, "returned": float(came),
                          "chance": float(came) / n if n else np.nan}])


def _yearly(am: pd.DataFrame, ids: pd.Series, ends: pd.Series, value: str, years_back: int
            ) -> pd.Series:
    """Sum of ``value`` over the 12 months ending ``years_back`` years before each end."""
    to = ends.dt.to_period("M") - 12 * years_back
    frame = pd.DataFrame({"account_id": ids.to_numpy(), "_to": to.dt.start_time.to_numpy(),
                          "_from": (to - 11).dt.start_time.to_numpy()})
    rows = frame.reset_index(names="row").merge(am[["account_id", "period", value]],
                                                on="account_id")
    inside = rows[(rows["period"] >= rows["_from"]) & (rows["period"] <= rows["_to"])]
    return inside.groupby("row")[value].sum().reindex(range(len(frame))).fillna(0.0).to_numpy()


def winback_candidates(status: pd.DataFrame, spells: pd.DataFrame,
                       account_month: pd.DataFrame,
                       service_cost: pd.DataFrame | None = None) -> pd.DataFrame:
    """The lost (status "lost", with a purchase on record) and lapsing ("at risk") accounts
    with the yearly figures a return would regain and the inputs of the reasons.

    A lost account's ``revenue`` and ``profit`` are those of the 12 months up to its last
    purchase (from ``spells``), compared with the 12 months before them; a lapsing account's
    are those of the 12 months before the last 12 (``revenue_p12m``, ``profit_p12m`` of the
    status frame), and its last 12 months are compared with them.

    Returns account_id, status, last_purchase, revenue, profit, revenue_last_year,
    revenue_year_before, cost_to_serve (the 12 months up to the last purchase; NaN without
    ``service_cost``).
    """
    require_columns(status, ["account_id", "status", "last_purchase", "revenue_l12m",
                             "revenue_p12m", "profit_p12m"], "winback_candidates")
    st = status.assign(account_id=status["account_id"].astype(str),
                       status=status["status"].astype(str))
    open_ = spells[spells["returned_on"].isna() & spells["last_purchase"].notna()]
    open_ = open_.assign(account_id=open_["account_id"].astype(str)).set_index("account_id")
    lost = st[(st["status"] == "lost") & st["account_id"].isin(open_.index)]
    spell = open_.loc[lost["account_id"]]
    am = account_month.assign(account_id=account_month["account_id"].astype(str),
                              period=account_month["period"].astype("datetime64[ns]"))
    lost = pd.DataFrame({"account_id": lost["account_id"].to_numpy(), "status": "lost",
                         "last_purchase": spell["last_purchase"].to_numpy(),
                         "revenue": spell["revenue_before"].to_numpy(dtype=float),
                         "profit": spell["profit_before"].to_numpy(dtype=float)})
    lost["revenue_last_year"] = lost["revenue"]
    lost["revenue_year_before"] = _yearly(am, lost["account_id"], lost["last_purchase"],
                                          "revenue", 1)
    risk = st[st["status"] == "at risk"]
    risk = pd.DataFrame({"account_id": risk["account_id"].to_numpy(), "status": "at risk",
                         "last_purchase": risk["last_purchase"].to_numpy(),
                         "revenue": risk["revenue_p12m"].to_numpy(dtype=float),
                         "profit": risk["profit_p12m"].to_numpy(dtype=float),
                         "revenue_last_year": risk["revenue_l12m"].to_numpy(dtype=float),
                         "revenue_year_before": risk["revenue_p12m"].to_numpy(dtype=float)})
    out = pd.concat([lost, risk], ignore_index=True)
    out["last_purchase"] = out["last_purchase"].astype("datetime64[ns]")
    if service_cost is not None:
        sc = service_cost.assign(account_id=service_cost["account_id"].astype(str),
                                 period=service_cost["period"].astype("datetime64[ns]"))
        out["cost_to_serve"] = _yearly(sc, out["account_id"], out["last_purchase"],
                                       "cost_to_serve", 0)
    else:
        out["cost_to_serve"] = np.nan
    return out


def _reasons(c: pd.DataFrame, contacts: pd.DataFrame | None, rules: WinbackRules
             ) -> list[list[str]]:
    reasons: list[list[str]] = [[] for _ in range(len(c))]
    revenue = c["revenue_last_year"].to_numpy(dtype=float)
    cts = c["cost_to_serve"].to_numpy(dtype=float)
    service = (revenue > 0) & (cts >= rules.service_share * revenue)
    before = c["revenue_year_before"].to_numpy(dtype=float)
    price = (before > 0) & (revenue < (1 - rules.price_drop) * before)
    lost_contact = np.zeros(len(c), dtype=bool)
    if contacts is not None:
        last = contacts.assign(account_id=contacts["account_id"].astype(str)).groupby(
            "account_id")["last_contact"].max() if "last_contact" in contacts else None
        known = set(contacts["account_id"].astype(str))
        for i, (acc, bought) in enumerate(zip(c["account_id"], c["last_purchase"])):
            if acc not in known:
                lost_contact[i] = True
            elif last is not None and pd.notna(bought):
                seen = last.get(acc, pd.NaT)
                lost_contact[i] = pd.isna(seen) or (
                    pd.Timestamp(seen) < bought - pd.Timedelta(days=rules.contact_days))
    losing = (c["profit"].to_numpy(dtype=float) <= 0)  # NaN (unknown) compares False
    for i in range(len(c)):
        for name, flag in (("loss-making", losing), ("service", service),
                           ("contacts lost", lost_contact), ("price", price)):
            if flag[i]:
                reasons[i].append(name)
    return reasons


def _contact_to_call(contacts: pd.DataFrame | None, ids: pd.Series) -> pd.Series:
    """The contact to call: the lowest circle (decision makers first), most recently
    reached first, then by name; "" where the account has none."""
    if contacts is None or not len(contacts):
        return pd.Series("", index=ids.index)
    c = contacts.assign(account_id=contacts["account_id"].astype(str))
    for col in ("circle", "last_contact", "role"):
        if col not in c:
            c[col] = np.nan if col != "role" else ""
    c = c.sort_values(["account_id", "circle", "last_contact", "contact_name"],
                      ascending=[True, True, False, True], na_position="last", kind="mergesort")
    first = c.drop_duplicates("account_id").set_index("account_id")
    role = first["role"].fillna("").astype(str)
    label = first["contact_name"].astype(str) + np.where(role != "", " (" + role + ")", "")
    return ids.map(label).fillna("")


def winback_list(candidates: pd.DataFrame, *, chance: float,
                 products: pd.DataFrame | None = None, contacts: pd.DataFrame | None = None,
                 accounts: pd.DataFrame | None = None,
                 rules: WinbackRules = WinbackRules()) -> pd.DataFrame:
    """Rank the candidates (:func:`winback_candidates`) by value regained; give each its
    likely reasons, offer, contact to call and manager.

    Parameters
    ----------
    candidates : DataFrame
        account_id, status, last_purchase, revenue, profit, revenue_last_year,
        revenue_year_before, cost_to_serve (NaN where unknown).
    chance : float
        The chance of return (:func:`return_chance`), between 0 and 1.
    products : DataFrame, optional
        The cube's account_product: the product it bought most names the offer.
    contacts : DataFrame, optional
        The contacts table (account_id, contact_name, role, circle, last_contact).
    accounts : DataFrame, optional
        The accounts table (account_name, account_manager).

    Returns
    -------
    DataFrame
        rank, account_id, account_name, status, last_purchase, revenue, profit,
        value_basis ("profit" or "revenue"), value_regained, main_product, reasons,
        offer_type, offer, contact, account_manager; most value first, then by account id.
    """
    if not (isinstance(chance, (int, float)) and 0 <= chance <= 1):
        raise ValueError(f"winback_list: chance = {chance!r}: a share between 0 and 1")
    require_columns(candidates, ["account_id", "status", "last_purchase", "revenue", "profit",
                                 "revenue_last_year", "revenue_year_before", "cost_to_serve"],
                    "winback_list")
    out = candidates.assign(account_id=candidates["account_id"].astype(str)).reset_index(
        drop=True)
    known = out["profit"].notna()
    out["value_basis"] = np.where(known, "profit", "revenue")
    out["value_regained"] = np.where(known, out["profit"], out["revenue"]) * float(chance)
    main = pd.Series(dtype=object)
    if products is not None and len(products):
        p = products.assign(account_id=products["account_id"].astype(str))
        p = p.sort_values(["account_id", "revenue", "product"], ascending=[True, False, True],
                          kind="mergesort").drop_duplicates("account_id")
        main = p.set_index("account_id")["product"].astype(str)
    out["main_product"] = out["account_id"].map(main).astype(object).fillna("")
    reasons = _reasons(out, contacts, rules)
    out["reasons"] = [", ".join(r) for r in reasons]
    picked = [r[0] if r else "" for r in reasons]
    out["offer_type"] = [OFFERS[r][0] for r in picked]
    out["offer"] = [OFFERS[r][1].format(product=prod or "its main product")
                    for r, prod in zip(picked, out["main_product"])]
    out["contact"] = _contact_to_call(contacts, out["account_id"])
    for col in ("account_name", "account_manager"):
        if accounts is not None and col in accounts:
            a = accounts.assign(account_id=accounts["account_id"].astype(str))
            out[col] = out["account_id"].map(a.set_index("account_id")[col]).fillna("")
        else:
            out[col] = ""
    out = out.sort_values(["value_regained", "account_id"], ascending=[False, True],
                          kind="mergesort").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs["rules"] = rules.describe()
    out.attrs["chance"] = float(chance)
    return out[["rank", "account_id", "account_name", "status", "last_purchase", "revenue",
                "profit", "value_basis", "value_regained", "main_product", "reasons",
                "offer_type", "offer", "contact", "account_manager"]]


def offer_summary(winback: pd.DataFrame) -> pd.DataFrame:
    """The offers of a win-back list, in :data:`OFFERS` order: offer_type, what the offer
    is, accounts and value_regained (every offer type listed, 0 where none).

    >>> wb = pd.DataFrame({"offer_type": ["win-back call", "service recovery",
    ...                                   "win-back call"], "value_regained": [1.0, 2.0, 3.0]})
    >>> offer_summary(wb).set_index("offer_type").loc[["service recovery", "win-back call"],
    ...     ["accounts", "value_regained"]].values.tolist()
    [[1.0, 2.0], [2.0, 4.0]]
    """
    require_columns(winback, ["offer_type", "value_regained"], "offer_summary")
    by = winback.groupby("offer_type")
    types = [t for t, _ in OFFERS.values()]
    return pd.DataFrame({
        "offer_type": types,
        "what_it_is": [w.replace("{product}", "the product it bought most")
                       for _, w in OFFERS.values()],
        "accounts": by.size().reindex(types).fillna(0).astype(int).to_numpy(),
        "value_regained": by["value_regained"].sum().reindex(types).fillna(0.0).to_numpy()})
